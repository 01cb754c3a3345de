from django.db import migrations, models

# Roles that school leaders fill, by the names projects give them.
LEADER_ROLE_NAMES = ["headteacher", "head of maths", "senior leader", "school leader"]


def leaders_fill_leader_roles(apps, schema_editor):
    ParticipantRole = apps.get_model("projects", "ParticipantRole")
    for role in ParticipantRole.objects.only("pk", "name"):
        if role.name.strip().lower() in LEADER_ROLE_NAMES:
            role.usually_filled_by = "school_leader"
            role.save(update_fields=["usually_filled_by"])


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0002_outcome_areas"),
    ]

    operations = [
        migrations.AddField(
            model_name="participantrole",
            name="usually_filled_by",
            field=models.CharField(
                choices=[
                    ("anyone", "Anyone"),
                    ("school_leader", "A school leader"),
                    ("teacher", "A teacher"),
                ],
                default="anyone",
                help_text="The registration form suggests this role first to these people.",
                max_length=20,
            ),
        ),
        migrations.RunPython(leaders_fill_leader_roles, migrations.RunPython.noop),
    ]
