"""The audit action 备份 (`shuniu backup`). Choices only: no SQL."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_evidence")]

    operations = [
        migrations.AlterField(
            model_name="objectchange",
            name="action",
            field=models.CharField(
                choices=[
                    ("create", "新增"),
                    ("update", "修改"),
                    ("delete", "删除"),
                    ("link_ended", "联系关系结束"),
                    ("hub_recognized", "枢纽认定"),
                    ("hub_revoked", "枢纽撤销认定"),
                    ("import", "导入"),
                    ("export", "导出"),
                    ("merge", "合并"),
                    ("unmask", "查看未脱敏信息"),
                    ("archive", "归档审计日志"),
                    ("backup", "备份"),
                ],
                editable=False,
                max_length=20,
                verbose_name="操作",
            ),
        ),
    ]
