"""Certificates of participation: for each person who completed their group (their own
outcome, ``Registration.completion``), naming the project, the group, the hub, the sessions
they attended and the hours those took."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, Max, Sum
from django.template.loader import render_to_string
from django.utils import timezone

from participants.models import User
from workgroups.models import (
    ATTENDED_STATUSES,
    Attendance,
    Completion,
    Registration,
    RegistrationStatus,
)


@dataclass(frozen=True)
class Certificate:
    person: str
    school: str
    project: str
    activity: str
    group: str
    hub: str
    academic_year: str
    sessions_attended: int
    sessions_held: int
    hours: float
    completed_on: datetime.date | None

    @property
    def filename(self) -> str:
        return "certificate-of-participation.pdf"


def certificate_for(user: User, registration_id: int) -> Certificate | None:
    """The certificate of ``user``'s registration, if it is theirs, still active, and they
    completed the group; ``None`` otherwise (three queries)."""
    registration = (
        Registration.objects.filter(
            pk=registration_id,
            user=user,
            status=RegistrationStatus.ACTIVE,
            completion=Completion.COMPLETED,
        )
        .select_related(
            "user",
            "place__school",
            "work_group__project",
            "work_group__hub",
            "work_group__academic_year",
        )
        .first()
    )
    if registration is None:
        return None
    group = registration.work_group
    mine = Attendance.objects.filter(
        registration=registration, status__in=ATTENDED_STATUSES, session__cancelled=False
    )
    figures = mine.aggregate(
        attended=Count("pk"),
        length=Sum(F("session__ends_at") - F("session__starts_at")),
        last=Max("session__starts_at"),
    )
    sessions_held = group.sessions.filter(cancelled=False, starts_at__lte=timezone.now()).count()
    length = figures["length"] or datetime.timedelta()
    return Certificate(
        person=str(registration.user),
        school=registration.place.school.name,
        project=group.project.title,
        activity=group.noun,
        group=group.name,
        hub=group.hub.name,
        academic_year=str(group.academic_year),
        sessions_attended=figures["attended"],
        sessions_held=sessions_held,
        hours=round(length.total_seconds() / 3600, 1),
        completed_on=timezone.localdate(figures["last"]) if figures["last"] else None,
    )


def render_pdf(certificate: Certificate) -> bytes:
    """The certificate as an A4 page (WeasyPrint)."""
    from weasyprint import HTML  # imported here: it loads fonts and is only needed for PDFs

    html = render_to_string("workgroups/certificate_pdf.html", {"certificate": certificate})
    return HTML(string=html).write_pdf()
