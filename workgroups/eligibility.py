"""Who may register for a group, and every reason why not, in words a teacher understands.

Read-only: ``services.register`` calls this before it locks the group's row (and checks again
under the lock only what another registration can change: ``check_group_open``,
``choose_role``), and pages call it to show the verdict before anyone presses a button.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import formats, timezone

from participants.models import User, UserRole
from projects.models import ParticipantRole, Recruitment, RoleHolder
from workgroups.models import (
    OPEN_FOR_REGISTRATION,
    TAKEN_PLACE_STATUSES,
    Invitation,
    Place,
    PlaceStatus,
    Registration,
    RegistrationStatus,
    WorkGroup,
)


@dataclass
class Eligibility:
    """The verdict: ``reasons`` is empty when the person may register."""

    reasons: list[str] = field(default_factory=list)
    role: ParticipantRole | None = None
    place: Place | None = None
    invitation_reason: str | None = None

    @property
    def ok(self) -> bool:
        return not self.reasons

    @property
    def other_reasons(self) -> list[str]:
        """Every reason but a missing invitation code (which the form itself asks for)."""
        return [reason for reason in self.reasons if reason != self.invitation_reason]

    def __bool__(self) -> bool:
        return self.ok


def _date(value) -> str:
    return formats.date_format(value, "j F Y")


def _names(items) -> str:
    names = [str(item) for item in items]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def eligibility(
    user: User,
    work_group: WorkGroup,
    *,
    role: ParticipantRole | None = None,
    invitation_code: str | None = None,
) -> Eligibility:
    """Whether ``user`` may register for ``work_group`` for their own school, and why not."""
    result = Eligibility()
    reasons = result.reasons
    project = work_group.project
    school = user.school if user.school_id else None

    if school is None:
        reasons.append("Add your school to your profile: schools take part as schools.")
    check_group_open(work_group, reasons)
    if school is not None:
        _check_school(project, school, reasons)
        _check_history(project, work_group, school, reasons)
    if project.recruitment == Recruitment.INVITATION_ONLY and not _has_invitation(
        work_group, school, invitation_code
    ):
        result.invitation_reason = (
            "This project is by invitation only: enter the invitation code your hub gave you."
        )
        reasons.append(result.invitation_reason)
    _check_already_registered(user, work_group, reasons)
    if school is not None:
        # At most one (a constraint), so ordering by key, which needs no joins, is enough.
        result.place = work_group.places.active().filter(school=school).order_by("pk").first()
        result.role = choose_role(project, result.place, role, reasons, user=user)
    return result


def check_group_open(work_group: WorkGroup, reasons: list[str]) -> None:
    if work_group.status not in OPEN_FOR_REGISTRATION:
        reasons.append(
            f"This {work_group.noun} is not taking registrations: it is "
            f"{work_group.get_status_display().lower()}."
        )
        return
    today = timezone.localdate()
    if work_group.recruitment_opens and today < work_group.recruitment_opens:
        reasons.append(f"Registration opens on {_date(work_group.recruitment_opens)}.")
    if work_group.recruitment_closes and today > work_group.recruitment_closes:
        reasons.append(f"Registration closed on {_date(work_group.recruitment_closes)}.")


def _check_school(project, school, reasons: list[str]) -> None:
    if not school.is_open:
        reasons.append(f"{school.name} is recorded as {school.get_status_display().lower()}.")
    phases = list(project.phases.all())
    if phases and not school.teaches_any(phase.code for phase in phases):
        reasons.append(
            f"This project is for {_names(p.name.lower() for p in phases)} schools and "
            f"settings, and {school.name} is a {school.get_phase_display().lower()} school."
        )
    if project.state_funded_only and not school.is_state_funded:
        reasons.append(
            f"This project is for state-funded schools, and {school.name} is not state-funded."
        )
    hubs = list(project.eligible_hubs.all())
    regions = list(project.eligible_regions.all())
    authorities = list(project.eligible_local_authorities.all())
    if not (hubs or regions or authorities):
        return
    inside = (
        school.hub_id in {hub.pk for hub in hubs}
        or school.region_id in {region.pk for region in regions}
        or school.local_authority_id in {la.pk for la in authorities}
    )
    if not inside:
        reasons.append(
            f"This project is only for schools in {_names(hubs + regions + authorities)}, "
            f"and {school.name} is outside that area."
        )


def _check_history(project, work_group, school, reasons: list[str]) -> None:
    """Prerequisites and 'new schools only', following the school across academy conversions."""
    urns = school.lineage_urns()
    if project.recruitment == Recruitment.PRIOR_PARTICIPATION:
        prerequisites = list(project.prerequisites.all())
        done = Place.objects.filter(
            school__urn__in=urns,
            status=PlaceStatus.COMPLETED,
            work_group__project__in=prerequisites,
        ).exists()
        if prerequisites and not done:
            reasons.append(
                f"{school.name} needs to have completed {_names(p.title for p in prerequisites)} "
                "before taking part in this project."
            )
    if project.recruitment == Recruitment.NEW_SCHOOLS_ONLY:
        earlier = (
            Place.objects.filter(
                school__urn__in=urns,
                status__in=TAKEN_PLACE_STATUSES,
                work_group__project=project,
            )
            .exclude(work_group=work_group)
            .select_related("work_group__academic_year")
            .first()
        )
        if earlier:
            reasons.append(
                "This project is for schools taking part for the first time, and "
                f"{school.name} took part in {earlier.work_group.academic_year}."
            )


def _has_invitation(work_group, school, code: str | None) -> bool:
    if not code:
        return False
    return (
        Invitation.objects.filter(work_group=work_group, code=code.strip())
        .filter(Q(school__isnull=True) | Q(school=school))
        .exists()
    )


def _check_already_registered(user, work_group, reasons: list[str]) -> None:
    # From the person's own active registrations (a handful), so the database starts from
    # them rather than from every group of the project and year.
    mine = (
        Registration.objects.filter(user=user, status=RegistrationStatus.ACTIVE)
        .select_related("work_group")
        .order_by("pk")
    )
    existing = next(
        (
            registration
            for registration in mine
            if registration.work_group.project_id == work_group.project_id
            and registration.work_group.academic_year_id == work_group.academic_year_id
        ),
        None,
    )
    if existing:
        where = (
            "this group" if existing.work_group_id == work_group.pk else existing.work_group.name
        )
        reasons.append(f"You are already registered for {where} in this project this year.")


def _suggested_first(roles: list[ParticipantRole], user: User | None) -> list[ParticipantRole]:
    """The roles in the order the form suggests them to ``user``: those usually filled by
    people like them (a school leader, or a teacher), then those anyone fills, then the rest."""
    if user is None:
        return roles
    mine = RoleHolder.SCHOOL_LEADER if user.role == UserRole.SCHOOL_LEADER else RoleHolder.TEACHER
    rank = {mine: 0, RoleHolder.ANYONE: 1}
    return sorted(roles, key=lambda role: rank.get(role.usually_filled_by, 2))


def choose_role(
    project, place, role, reasons: list[str], *, user: User | None = None
) -> ParticipantRole | None:
    """The role asked for, or the first with room in the order suggested to ``user``; a
    school's places per role are limited."""
    roles = list(project.roles.all())
    if role is not None and role.project_id != project.pk:
        reasons.append("Choose one of the roles this project asks schools to send.")
        return None
    filled = {}
    if place is not None:
        filled = dict(
            place.registrations.active()
            .values("role")
            .annotate(n=Count("pk"))
            .values_list("role", "n")
        )
    candidates = [role] if role is not None else _suggested_first(roles, user)
    for candidate in candidates:
        if filled.get(candidate.pk, 0) < candidate.max_per_school:
            return candidate
    if not roles:
        reasons.append("This project has no participant roles set up yet: contact the hub.")
    elif role is not None:
        reasons.append(
            f"Your school's {role.name.lower()} places are all taken "
            f"(up to {role.max_per_school} per school)."
        )
    else:
        reasons.append("Your school has already filled every role this project asks for.")
    return None
