from django.db import migrations
from django.db.models import OuterRef, Subquery


def lock_signed_off_groups(apps, schema_editor):
    """Groups whose evaluation was signed off before the lock was stored on the group."""
    WorkGroup = apps.get_model("workgroups", "WorkGroup")
    Evaluation = apps.get_model("evaluations", "WorkGroupEvaluation")
    signed_off = Evaluation.objects.filter(work_group=OuterRef("pk"), status="signed_off")
    WorkGroup.objects.filter(pk__in=signed_off.values("work_group")).update(
        evidence_locked_at=Subquery(signed_off.values("signed_off_at")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("evaluations", "0003_report_versions"),
        ("workgroups", "0003_evidence_lock"),
    ]

    operations = [migrations.RunPython(lock_signed_off_groups, migrations.RunPython.noop)]
