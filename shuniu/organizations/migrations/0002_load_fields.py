from django.db import migrations


def load(apps, schema_editor):
    from shuniu.organizations.reference import FIELDS

    Field = apps.get_model("organizations", "Field")
    for sort, (code, name) in enumerate(FIELDS, start=1):
        Field.objects.update_or_create(code=code, defaults={"name": name, "sort": sort})


class Migration(migrations.Migration):
    dependencies = [("organizations", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
