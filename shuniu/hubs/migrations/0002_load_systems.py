from django.db import migrations


def load(apps, schema_editor):
    from shuniu.hubs.reference import SYSTEMS

    System = apps.get_model("hubs", "System")
    for sort, (code, name) in enumerate(SYSTEMS, start=1):
        System.objects.update_or_create(code=code, defaults={"name": name, "sort": sort})


class Migration(migrations.Migration):
    dependencies = [("hubs", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
