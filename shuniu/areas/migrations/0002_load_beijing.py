from django.db import migrations


def load(apps, schema_editor):
    from shuniu.areas.services import areas_load

    areas_load(area_model=apps.get_model("areas", "Area"), population_model=apps.get_model("areas", "AreaPopulation"))


class Migration(migrations.Migration):
    dependencies = [("areas", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
