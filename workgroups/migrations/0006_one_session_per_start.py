import core.fields
import workgroups.models
from django.db import migrations, models
from django.db.models import Count


def cancel_repeated_sessions(apps, schema_editor):
    """Sessions added twice (a form sent twice) before the constraint existed: of a group's
    sessions starting at one time, keep the one with attendance or a record (else the first)
    and cancel the repeats that have neither. Repeats with evidence are left for a person."""
    Session = apps.get_model("workgroups", "Session")
    live = Session.objects.filter(cancelled=False)
    repeated = (
        live.values("work_group", "starts_at").annotate(n=Count("pk")).filter(n__gt=1).order_by()
    )
    for row in repeated:
        sessions = list(
            live.filter(work_group=row["work_group"], starts_at=row["starts_at"])
            .annotate(marks=Count("attendances"), records=Count("record"))
            .order_by("number")
        )
        sessions.sort(key=lambda session: not (session.marks or session.records))
        repeats = [s.pk for s in sessions[1:] if not (s.marks or s.records)]
        Session.objects.filter(pk__in=repeats).update(cancelled=True)


class Migration(migrations.Migration):
    dependencies = [
        ("workgroups", "0005_nominations_are_invitations"),
    ]

    operations = [
        migrations.AlterField(
            model_name="sessionrecord",
            name="outcome_notes",
            field=core.fields.CheckedJSONField(
                blank=True,
                default=dict,
                help_text="Notes keyed by outcome area code.",
                validators=[workgroups.models.validate_notes_by_area],
            ),
        ),
        migrations.RunPython(cancel_repeated_sessions, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="session",
            constraint=models.UniqueConstraint(
                condition=models.Q(("cancelled", False)),
                fields=("work_group", "starts_at"),
                name="one_session_per_start_per_group",
                violation_error_message="This group already has a session starting at that time.",
            ),
        ),
    ]
