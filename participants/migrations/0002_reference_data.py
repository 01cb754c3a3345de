from django.db import migrations

from core.reference import load_phases_and_regions


def add_reference_data(apps, schema_editor):
    load_phases_and_regions(apps.get_model("participants", "Phase"), apps.get_model("participants", "Region"))


class Migration(migrations.Migration):
    dependencies = [("participants", "0001_initial")]
    operations = [migrations.RunPython(add_reference_data, migrations.RunPython.noop)]
