from django.db import migrations

AREAS = [
    ("teacher_learning", "Teachers' professional learning"),
    ("practice", "Practice development"),
    ("pupil_learning", "Pupils' learning"),
    ("school_approaches", "New approaches and policies across the school or department"),
]


def add_outcome_areas(apps, schema_editor):
    OutcomeArea = apps.get_model("projects", "OutcomeArea")
    for order, (code, name) in enumerate(AREAS, start=1):
        OutcomeArea.objects.update_or_create(code=code, defaults={"name": name, "order": order})


class Migration(migrations.Migration):
    dependencies = [("projects", "0001_initial")]
    operations = [migrations.RunPython(add_outcome_areas, migrations.RunPython.noop)]
