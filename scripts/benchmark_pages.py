"""Open every main page as the demo role that uses it; print its status, queries and time.

Run on PostgreSQL with the national demo data (``manage.py seed_demo --scale national``):

    DATABASE_URL=postgres://... python scripts/benchmark_pages.py

Each page is requested three times through Django's test client; the time is the fastest.
"""

import os
import sys
import time
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mathshub.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from evaluations.models import NationalReport  # noqa: E402
from lead.rules import groups_for_lead  # noqa: E402
from participants.models import User  # noqa: E402
from projects.models import AcademicYear, Project  # noqa: E402
from workgroups.models import Registration, WorkGroup, WorkGroupStatus  # noqa: E402


def pages() -> dict[str, list[str]]:
    year = AcademicYear.objects.current()
    teacher = User.objects.get(email="teacher@demo.mathshub.test")
    lead = User.objects.get(email="lead@demo.mathshub.test")
    project = Project.objects.filter(work_groups__academic_year=year).distinct().first()
    group = WorkGroup.objects.filter(academic_year=year, status=WorkGroupStatus.RECRUITING).first()
    led = groups_for_lead(lead).filter(status=WorkGroupStatus.RUNNING).first()
    registration = Registration.objects.filter(user=teacher).first()
    report = NationalReport.objects.filter(is_current=True, hub__isnull=True).first()
    teacher_pages = [
        "/",
        "/projects/",
        "/projects/?phase=primary&mode=online",
        project.get_absolute_url(),
        group.get_absolute_url(),
        "/groups/mine/",
        f"/groups/places/{registration.place_id}/",
        "/me/profile/",
        "/me/data/",
    ]
    lead_pages = ["/lead/", f"/lead/groups/{led.pk}/", f"/lead/groups/{led.pk}/evaluation/"]
    admin_pages = [
        "/admin/",
        "/admin/workgroups/workgroup/",
        f"/admin/workgroups/workgroup/{led.pk}/change/",
        "/admin/workgroups/place/",
        "/admin/workgroups/registration/",
        "/admin/workgroups/session/",
        "/admin/participants/school/",
        "/admin/evaluations/workgroupevaluation/",
    ]
    return {
        "teacher@demo.mathshub.test": teacher_pages,
        "lead@demo.mathshub.test": lead_pages,
        "hub.manager@demo.mathshub.test": admin_pages,
        "national@demo.mathshub.test": [
            *admin_pages,
            "/reports/",
            *([f"/reports/{report.pk}/"] if report else []),
        ],
    }


def main() -> None:
    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    print(f"{'who':32} {'page':58} {'status':>6} {'queries':>7} {'ms':>7}")
    for email, urls in pages().items():
        client = Client()
        client.force_login(User.objects.get(email=email))
        for url in urls:
            best = None
            for _ in range(3):
                with CaptureQueriesContext(connection) as queries:
                    started = time.perf_counter()
                    response = client.get(url)
                    elapsed = time.perf_counter() - started
                best = elapsed if best is None else min(best, elapsed)
            print(
                f"{email.split('@')[0]:32} {url[:58]:58} {response.status_code:>6} "
                f"{len(queries):>7} {best * 1000:>7.0f}"
            )


if __name__ == "__main__":
    main()
