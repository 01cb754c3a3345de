"""What the benchmark measures: each main page, who opens it, and its target.

A page's target is its throughput as a share of the bare page's (``/bench/bare/``, one query)
on the national demo data. Needs Django set up; ``scripts/bench.py`` imports it after that, and
``tests/test_bench.py`` checks on small data that every page answers its role.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from demo.logins import DEMO_EMAILS
from evaluations.models import NationalReport
from lead.rules import groups_for_lead
from participants.models import User
from projects.models import AcademicYear, Project
from workgroups.models import Registration, WorkGroup, WorkGroupStatus

NATIONAL, HUB_MANAGER, LEAD, TEACHER = DEMO_EMAILS
# Who opens the pages, as the table names them.
ROLES = {
    "teacher": TEACHER,
    "lead": LEAD,
    "hub manager": HUB_MANAGER,
    "national": NATIONAL,
}
BARE_URL = "/bench/bare/"
# The admin lists hub staff and the national team work from.
ADMIN_LISTS = {
    "admin: places": "/admin/workgroups/place/",
    "admin: groups": "/admin/workgroups/workgroup/",
    "admin: registrations": "/admin/workgroups/registration/",
}


@dataclass(frozen=True)
class Page:
    name: str
    who: str  # a key of ROLES
    url: str
    target: float | None = None  # throughput / bare page's throughput, at least


def busiest_project(year: AcademicYear) -> Project:
    """The project with the most groups this year: the heaviest project page."""
    return (
        Project.objects.annotate(
            n=Count("work_groups", filter=Q(work_groups__academic_year=year), distinct=True)
        )
        .order_by("-n", "pk")
        .first()
    )


def busiest_recruiting_group(year: AcademicYear) -> WorkGroup:
    """This year's recruiting group with the most places: the heaviest group page."""
    return (
        WorkGroup.objects.filter(academic_year=year, status=WorkGroupStatus.RECRUITING)
        .annotate(n=Count("places", distinct=True))
        .order_by("-n", "pk")
        .first()
    )


def pages(*, everything: bool = False) -> list[Page]:
    """The pages with a target; ``everything`` adds the other main pages (no target)."""
    year = AcademicYear.objects.current()
    project = busiest_project(year)
    group = busiest_recruiting_group(year)
    measured = [
        Page("teacher home", "teacher", "/", 0.5),
        Page("catalogue", "teacher", "/projects/", 0.5),
        Page("catalogue, filtered", "teacher", "/projects/?phase=primary&mode=online", 0.5),
        Page("project (most groups)", "teacher", project.get_absolute_url(), 0.3),
        Page("group", "teacher", group.get_absolute_url(), 0.5),
        Page("my registrations", "teacher", "/groups/mine/", 0.5),
        Page("lead dashboard", "lead", "/lead/", 0.5),
        *(Page(name, "hub manager", url, 0.1) for name, url in ADMIN_LISTS.items()),
        *(Page(name, "national", url, 0.1) for name, url in ADMIN_LISTS.items()),
    ]
    if everything:
        measured += _other_pages(year)
    return measured


def _other_pages(year: AcademicYear) -> list[Page]:
    teacher = User.objects.get(email=TEACHER)
    lead = User.objects.get(email=LEAD)
    led = groups_for_lead(lead).filter(status=WorkGroupStatus.RUNNING).order_by("pk").first()
    registration = Registration.objects.filter(user=teacher).order_by("pk").first()
    report = (
        NationalReport.objects.filter(is_current=True, hub__isnull=True, academic_year=year)
        .order_by("pk")
        .first()
    ) or NationalReport.objects.filter(is_current=True, hub__isnull=True).order_by("pk").first()
    others = [
        Page("profile", "teacher", "/me/profile/"),
        Page("my data", "teacher", "/me/data/"),
    ]
    if registration:
        others.append(Page("place", "teacher", f"/groups/places/{registration.place_id}/"))
    if led:
        others += [
            Page("lead: group", "lead", f"/lead/groups/{led.pk}/"),
            Page("lead: evaluation", "lead", f"/lead/groups/{led.pk}/evaluation/"),
        ]
    for who in ("hub manager", "national"):
        others += [
            Page("admin: home", who, "/admin/"),
            Page("admin: sessions", who, "/admin/workgroups/session/"),
            Page("admin: schools", who, "/admin/participants/school/"),
            Page("admin: evaluations", who, "/admin/evaluations/workgroupevaluation/"),
            Page("reports", who, "/reports/"),
        ]
    if led:
        others.append(
            Page(
                "admin: group change",
                "hub manager",
                f"/admin/workgroups/workgroup/{led.pk}/change/",
            )
        )
    if report:
        others.append(Page("national report", "national", f"/reports/{report.pk}/"))
    return others
