from django.db import migrations

from core.reference import load_outcome_areas


def add_outcome_areas(apps, schema_editor):
    load_outcome_areas(apps.get_model("projects", "OutcomeArea"))


class Migration(migrations.Migration):
    dependencies = [("projects", "0001_initial")]
    operations = [migrations.RunPython(add_outcome_areas, migrations.RunPython.noop)]
