"""The demo data: every group status, the services' rules held, demo logins that work, and the
same data every time."""

from io import StringIO

import pytest
from django.contrib import auth
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db.models import Count, F
from django.urls import reverse

from demo import reference
from demo.logins import DEMO_EMAILS, DEMO_PASSWORD, DEMO_TOTP_SECRET
from participants.models import Hub, School, User
from projects.models import Project, Recruitment
from tests.factories import totp_code
from tests.invariants import broken_invariants
from workgroups import services
from workgroups.models import (
    Attendance,
    Place,
    PlaceStatus,
    Registration,
    RegistrationStatus,
    WorkGroup,
    WorkGroupStatus,
)

pytestmark = pytest.mark.django_db


def seed_demo(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", "--scale", "small", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def demo():
    return seed_demo()


def fingerprint() -> dict:
    """What a person would notice changing: schools, groups, places, people and marks."""
    return {
        "schools": list(School.objects.order_by("urn").values_list("urn", "name", "status")),
        "groups": sorted(
            WorkGroup.objects.values_list("name", "academic_year__label", "status", "capacity")
        ),
        "places": sorted(
            Place.objects.values_list(
                "school__urn", "work_group__name", "status", "requested_at", "decided_at"
            )
        ),
        "registrations": sorted(
            Registration.objects.values_list("user__email", "work_group__name", "role__name")
        ),
        "attendance": sorted(
            Attendance.objects.values("status").annotate(n=Count("pk")).values_list("status", "n")
        ),
    }


def test_small_seed_has_groups_in_every_status(demo):
    statuses = set(WorkGroup.objects.values_list("status", flat=True))

    assert statuses == set(WorkGroupStatus.values)
    assert Hub.objects.count() == len(reference.load_hubs())
    assert Project.objects.count() == len(reference.load_projects())


def test_every_hub_has_local_authorities_and_schools(demo):
    assert not Hub.objects.filter(local_authorities__isnull=True).exists()
    assert not Hub.objects.filter(schools__isnull=True).exists()


def test_prior_participation_projects_name_their_prerequisites(demo):
    embedding = Project.objects.get(title="Primary Teaching for Mastery Embedding")

    assert embedding.recruitment == Recruitment.PRIOR_PARTICIPATION
    assert [p.title for p in embedding.prerequisites.all()] == [
        "Primary Teaching for Mastery Development"
    ]


def test_full_groups_have_waiting_lists_behind_their_confirmed_places(demo):
    full = WorkGroup.objects.filter(status=WorkGroupStatus.FULL, places__status="waitlisted")

    assert full.exists()
    for group in full.distinct():
        confirmed = group.places.filter(status=PlaceStatus.CONFIRMED)
        waiting = list(group.places.waiting_list())
        assert confirmed.count() == group.capacity
        assert min(p.requested_at for p in waiting) > max(p.requested_at for p in confirmed)


def test_leaving_a_full_group_promotes_the_first_school_on_its_waiting_list(demo):
    group = WorkGroup.objects.filter(
        status=WorkGroupStatus.FULL, places__status=PlaceStatus.WAITLISTED
    ).first()
    first_waiting = group.places.waiting_list().first()
    leaving = group.places.filter(status=PlaceStatus.CONFIRMED).first()

    for registration in leaving.registrations.active():
        services.withdraw(registration=registration)

    first_waiting.refresh_from_db()
    assert first_waiting.status == PlaceStatus.CONFIRMED


def test_seeded_data_keeps_every_rule_the_services_keep(demo):
    """The seeder writes in bulk for speed; ``tests/test_invariants.py`` runs the same checks
    over data made through the services."""
    assert broken_invariants() == []


def test_no_group_has_more_taken_places_than_its_capacity(demo):
    groups = WorkGroup.objects.with_place_counts()

    assert groups.filter(places_taken__gt=0).exists()
    assert not groups.filter(places_taken__gt=F("capacity")).exists()


def test_schools_send_no_more_people_per_role_than_the_project_allows(demo):
    filled = (
        Registration.objects.filter(status=RegistrationStatus.ACTIVE)
        .values("place", "role", "role__max_per_school")
        .annotate(people=Count("pk"))
    )

    assert filled.filter(people=2, role__max_per_school=2).exists()
    assert not filled.filter(people__gt=F("role__max_per_school")).exists()


def test_registrations_belong_to_their_places_group_and_school(demo):
    assert Registration.objects.exists()
    assert not Registration.objects.exclude(work_group=F("place__work_group")).exists()
    assert not Registration.objects.exclude(user__school=F("place__school")).exists()


def test_attendance_is_only_for_people_registered_in_that_sessions_group(demo):
    assert Attendance.objects.exists()
    assert not Attendance.objects.exclude(
        registration__work_group=F("session__work_group")
    ).exists()


def test_places_in_prior_participation_groups_follow_a_completed_prerequisite(demo):
    places = Place.objects.active().filter(
        work_group__project__recruitment=Recruitment.PRIOR_PARTICIPATION
    )

    assert places.exists()
    for place in places.select_related("school", "work_group__project"):
        assert Place.objects.filter(
            school__urn__in=place.school.lineage_urns(),
            status=PlaceStatus.COMPLETED,
            work_group__project__in=place.work_group.project.prerequisites.all(),
        ).exists()


@pytest.mark.parametrize("email", DEMO_EMAILS)
def test_demo_login_signs_in_through_allauth(demo, client, email):
    cache.clear()  # authenticator codes already used, by user id
    response = client.post("/accounts/login/", {"login": email, "password": DEMO_PASSWORD})
    if response.url == reverse("mfa_authenticate"):  # staff: the demo authenticator's code
        response = client.post(response.url, {"code": totp_code(DEMO_TOTP_SECRET)})

    assert response.status_code == 302
    user = auth.get_user(client)
    assert user.is_authenticated
    assert user.email == email


def test_demo_lead_leads_a_running_group_with_past_sessions_and_the_teacher_is_in_it(demo):
    lead, teacher = User.objects.get(email=DEMO_EMAILS[2]), User.objects.get(email=DEMO_EMAILS[3])
    registration = teacher.registrations.get(work_group__status=WorkGroupStatus.RUNNING)
    running = registration.work_group

    assert lead in [llme.user for llme in running.leads.all()]
    assert running.sessions.filter(attendances__isnull=False).exists()
    assert registration.place.status == PlaceStatus.CONFIRMED
    assert teacher.has_profile
    assert teacher.school.hub.name == "West Yorkshire Maths Hub"


def test_seeding_again_says_so_and_changes_nothing(demo):
    before = fingerprint()

    output = seed_demo()

    assert "already there" in output
    assert fingerprint() == before


def test_reset_seeds_the_same_data_again(demo):
    before = fingerprint()

    seed_demo("--reset")

    assert fingerprint() == before
    assert User.objects.filter(email__in=DEMO_EMAILS).count() == len(DEMO_EMAILS)


def test_reset_refuses_a_database_with_accounts_outside_the_demo(demo):
    User.objects.create_user("head@realschool.example", "a password")
    before = fingerprint()

    with pytest.raises(CommandError, match="not demo accounts"):
        seed_demo("--reset")

    assert fingerprint() == before


def test_demo_logins_command_lists_every_demo_account(demo):
    out = StringIO()
    call_command("demo_logins", stdout=out)

    for email in DEMO_EMAILS:
        assert email in out.getvalue()
    assert DEMO_PASSWORD in out.getvalue()


def test_every_demo_school_leader_is_confirmed_by_their_hub(demo):
    from participants.models import ClaimStatus, UserRole
    from participants.rules import is_verified_leader

    leaders = User.objects.filter(role=UserRole.SCHOOL_LEADER, school__isnull=False)

    assert leaders.exists()
    assert not leaders.exclude(leader_claims__status=ClaimStatus.CONFIRMED).exists()
    assert is_verified_leader(leaders.first())
