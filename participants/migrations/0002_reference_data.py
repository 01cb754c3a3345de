from django.db import migrations

PHASES = [
    ("early_years", "Early Years"),
    ("primary", "Primary"),
    ("secondary", "Secondary"),
    ("post_16", "Post-16"),
]
REGIONS = [
    ("A", "North East", "E12000001"),
    ("B", "North West", "E12000002"),
    ("D", "Yorkshire and the Humber", "E12000003"),
    ("E", "East Midlands", "E12000004"),
    ("F", "West Midlands", "E12000005"),
    ("G", "East of England", "E12000006"),
    ("H", "London", "E12000007"),
    ("J", "South East", "E12000008"),
    ("K", "South West", "E12000009"),
]


def add_reference_data(apps, schema_editor):
    Phase = apps.get_model("participants", "Phase")
    Region = apps.get_model("participants", "Region")
    for order, (code, name) in enumerate(PHASES):
        Phase.objects.update_or_create(code=code, defaults={"name": name, "order": order})
    for code, name, ons_code in REGIONS:
        Region.objects.update_or_create(code=code, defaults={"name": name, "ons_code": ons_code})


class Migration(migrations.Migration):
    dependencies = [("participants", "0001_initial")]
    operations = [migrations.RunPython(add_reference_data, migrations.RunPython.noop)]
