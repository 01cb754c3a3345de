"""The audit trail: who changed what, when, from what to what and why, for every service, the
admin and sign-ins; each object's History page in the admin; erasing a person from it."""

import json
import logging

import pytest
from allauth.account.models import EmailAddress
from auditlog.middleware import AuditlogMiddleware
from auditlog.models import LogEntry
from django.contrib.messages import get_messages
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone

from core import audit
from evaluations.models import EvaluationStatus
from evaluations.services import sign_off_evaluation
from participants.models import User
from privacy import services as privacy
from tests.evaluations.report_factories import past_session
from tests.factories import (
    HubFactory,
    HubMembershipFactory,
    NationalAdminFactory,
    OfferFactory,
    PlaceFactory,
    RegistrationFactory,
    WorkGroupEvaluationFactory,
    WorkGroupFactory,
    totp_code,
)
from tests.projects.helpers import PASSWORD, group, teacher
from workgroups import services
from workgroups.models import PlaceStatus, RegistrationStatus, WorkGroupStatus

pytestmark = pytest.mark.django_db

UPDATE, CREATE, ACCESS = LogEntry.Action.UPDATE, LogEntry.Action.CREATE, LogEntry.Action.ACCESS


def latest(obj, action=UPDATE):
    return audit.history(obj).filter(action=action).first()


def staff_of(hub):
    return HubMembershipFactory(hub=hub).user


def history_url(obj):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[obj.pk])


# Services inside audit.by --------------------------------------------------------------------


def test_a_capacity_change_records_who_what_before_and_after_and_why():
    work_group = WorkGroupFactory(capacity=6)
    manager = staff_of(work_group.hub)

    with audit.by(manager, reason="A bigger room was found"):
        services.change_capacity(work_group=work_group, capacity=8)

    entry = latest(work_group)
    assert entry.actor == manager
    assert entry.actor_email == manager.email
    assert entry.changes == {"capacity": ["6", "8"]}
    assert entry.additional_data == {"reason": "A bigger room was found"}
    assert entry.timestamp <= timezone.now()


def test_registering_and_withdrawing_are_recorded_as_the_teacher():
    person = teacher()

    with audit.by(person):
        registration = services.register(user=person, work_group=group())
    with audit.by(person, reason="Timetable clash"):
        services.withdraw(registration=registration)

    created = latest(registration, CREATE)
    assert created.actor == person
    assert created.changes["status"] == ["None", RegistrationStatus.ACTIVE]
    withdrawn = latest(registration)
    assert withdrawn.actor == person
    assert withdrawn.changes["status"] == [RegistrationStatus.ACTIVE, RegistrationStatus.WITHDRAWN]
    assert withdrawn.additional_data == {"reason": "Timetable clash"}
    assert latest(registration.place).changes["status"] == [
        PlaceStatus.CONFIRMED,
        PlaceStatus.WITHDRAWN,
    ]


def test_signing_off_records_the_evaluation_and_the_locking_of_the_groups_evidence():
    evaluation = WorkGroupEvaluationFactory(status=EvaluationStatus.SUBMITTED)
    reviewer = staff_of(evaluation.work_group.hub)

    with audit.by(reviewer, reason="Evidence checked at the hub meeting"):
        sign_off_evaluation(evaluation, by=reviewer)

    signed = latest(evaluation)
    assert signed.actor == reviewer
    assert signed.changes["status"] == [EvaluationStatus.SUBMITTED, EvaluationStatus.SIGNED_OFF]
    assert signed.changes["signed_off_by"] == ["None", str(reviewer.pk)]
    locked = latest(evaluation.work_group)
    assert locked.actor == reviewer
    assert locked.changes["evidence_locked_at"][0] == "None"
    assert locked.changes["evidence_locked_at"][1].startswith(str(timezone.now().year))
    assert locked.additional_data == {"reason": "Evidence checked at the hub meeting"}


def test_an_inner_by_wins_while_it_lasts_and_keeps_the_outer_reason():
    work_group = WorkGroupFactory(capacity=6)
    outer, inner = staff_of(work_group.hub), NationalAdminFactory()

    with audit.by(outer, reason="Termly review"):
        with audit.by(inner):
            services.change_capacity(work_group=work_group, capacity=7)
        services.change_capacity(work_group=work_group, capacity=9)

    second, first = audit.history(work_group).filter(action=UPDATE)[:2]
    assert (first.actor, first.changes["capacity"]) == (inner, ["6", "7"])
    assert (second.actor, second.changes["capacity"]) == (outer, ["7", "9"])
    assert first.additional_data == second.additional_data == {"reason": "Termly review"}


def test_in_a_request_by_names_the_actor_and_the_request_gives_the_address(rf):
    work_group = WorkGroupFactory(capacity=6)
    signed_in, acting = staff_of(work_group.hub), NationalAdminFactory()
    request = rf.post("/", REMOTE_ADDR="10.1.2.3")
    request.user = signed_in

    def view(request):
        with audit.by(acting, reason="On the hub's behalf"):
            services.change_capacity(work_group=work_group, capacity=7)
        services.change_capacity(work_group=work_group, capacity=8)
        return HttpResponse()

    AuditlogMiddleware(view)(request)

    second, first = audit.history(work_group).filter(action=UPDATE)[:2]
    assert (first.actor, first.remote_addr, first.changes) == (
        acting,
        "10.1.2.3",
        {"capacity": ["6", "7"]},
    )
    assert first.additional_data == {"reason": "On the hub's behalf"}
    assert (second.actor, second.remote_addr, second.additional_data) == (
        signed_in,
        "10.1.2.3",
        None,
    )


def test_a_change_outside_any_by_or_request_has_no_actor():
    work_group = WorkGroupFactory(capacity=6)

    services.change_capacity(work_group=work_group, capacity=5)

    entry = latest(work_group)
    assert entry.actor is None
    assert entry.additional_data is None


# Changes made with update() and bulk writes ------------------------------------------------


def test_unlocking_evidence_is_recorded():
    work_group = WorkGroupFactory()
    national = NationalAdminFactory()
    services.lock_evidence(work_group=work_group)
    locked_at = work_group.evidence_locked_at

    with audit.by(national, reason="Findings were incomplete"):
        services.unlock_evidence(work_group=work_group)

    entry = latest(work_group)
    assert entry.actor == national
    assert entry.changes == {
        "evidence_locked_at": [audit.as_text(locked_at), "None"],
    }
    assert entry.additional_data == {"reason": "Findings were incomplete"}


def test_declining_a_place_records_each_registration_withdrawn():
    place = PlaceFactory(status=PlaceStatus.WAITLISTED)
    first = RegistrationFactory(place=place)
    second = RegistrationFactory(place=place)
    manager = staff_of(place.work_group.hub)

    with audit.by(manager, reason="Outside the hub's area"):
        services.decline_place(place=place)

    for registration in (first, second):
        entry = latest(registration)
        assert entry.actor == manager
        assert entry.changes["status"] == [
            RegistrationStatus.ACTIVE,
            RegistrationStatus.WITHDRAWN,
        ]
        assert entry.changes["withdrawn_at"][0] == "None"
        assert entry.additional_data == {"reason": "Outside the hub's area"}
    assert latest(place).changes["status"] == [PlaceStatus.WAITLISTED, PlaceStatus.DECLINED]


def test_taking_and_correcting_attendance_is_recorded_on_the_session():
    registration = RegistrationFactory(user__first_name="Ada", user__last_name="Byron")
    session = past_session(registration.work_group, 1)
    lead = staff_of(registration.work_group.hub)
    key = f"attendance of Ada Byron (registration {registration.pk})"

    with audit.by(lead):
        services.record_attendance(session=session, marks={registration.pk: "present"})
        services.record_attendance(session=session, marks={registration.pk: "present"})
        services.record_attendance(session=session, marks={registration.pk: "absent"})

    corrected, taken = audit.history(session).filter(action=UPDATE)
    assert taken.changes == {key: ["None", "present"]}
    assert corrected.changes == {key: ["present", "absent"]}
    assert corrected.actor == lead


def test_closing_the_year_records_each_completed_place_and_the_groups_status():
    work_group = WorkGroupFactory(status=WorkGroupStatus.RUNNING)
    registration = RegistrationFactory(place__work_group=work_group)
    session = past_session(work_group, 1)
    services.record_attendance(session=session, marks={registration.pk: "present"})
    manager = staff_of(work_group.hub)

    with audit.by(manager):
        services.mark_completions(work_group=work_group)

    place = latest(registration.place)
    assert place.actor == manager
    assert place.changes["status"] == [PlaceStatus.CONFIRMED, PlaceStatus.COMPLETED]
    assert latest(work_group).changes["status"] == [
        WorkGroupStatus.RUNNING,
        WorkGroupStatus.COMPLETED,
    ]


def test_record_leaves_out_what_did_not_change():
    work_group = WorkGroupFactory(capacity=6)

    assert audit.record(work_group, changes={"capacity": (6, 6)}) is None
    entry = audit.record(work_group, changes={"capacity": (6, 6), "venue": ("", "Room 4")})

    assert entry.changes == {"venue": ["", "Room 4"]}
    assert list(audit.history(work_group).filter(action=UPDATE)) == [entry]


# The admin -----------------------------------------------------------------------------------


def test_a_change_in_the_admin_is_recorded_as_the_signed_in_user(client):
    national = NationalAdminFactory()
    offer = OfferFactory(contact_name="")
    client.force_login(national)

    response = client.post(
        reverse("admin:projects_offer_change", args=[offer.pk]),
        {
            "project": offer.project_id,
            "hub": offer.hub_id,
            "academic_year": offer.academic_year_id,
            "contact_name": "Priya Shah",
            "contact_email": "",
            "recruitment_opens": "",
            "recruitment_closes": "",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = latest(offer)
    assert entry.actor == national
    assert entry.changes == {"contact_name": ["", "Priya Shah"]}
    assert entry.remote_addr == "127.0.0.1"


def test_a_groups_history_shows_its_hubs_staff_who_changed_what_and_why(client):
    work_group = WorkGroupFactory(capacity=6)
    manager = staff_of(work_group.hub)
    with audit.by(manager, reason="A bigger room was found"):
        services.change_capacity(work_group=work_group, capacity=8)
    client.force_login(manager)

    change_page = client.get(reverse("admin:workgroups_workgroup_change", args=[work_group.pk]))
    response = client.get(history_url(work_group))

    assert history_url(work_group) in change_page.content.decode()
    assert response.status_code == 200
    page = response.content.decode()
    assert "A bigger room was found" in page
    assert str(manager) in page
    assert "<td>Places</td><td>6</td><td>8</td>" in page


def test_another_hubs_group_history_is_not_found(client):
    work_group = WorkGroupFactory(capacity=6)
    with audit.by(staff_of(work_group.hub), reason="A bigger room was found"):
        services.change_capacity(work_group=work_group, capacity=8)
    client.force_login(staff_of(HubFactory()))

    for url in (
        history_url(work_group),
        reverse("admin:workgroups_workgroup_auditlog", args=[work_group.pk]),
    ):
        response = client.get(url)

        assert response.status_code == 302
        assert response.url == reverse("admin:index")
        [message] = get_messages(response.wsgi_request)
        assert "doesn\u2019t exist" in message.message
        assert "A bigger room" not in client.get(response.url).content.decode()


def test_only_the_national_team_opens_the_whole_trail(client):
    work_group = WorkGroupFactory(name="Fractions group", capacity=6)
    services.change_capacity(work_group=work_group, capacity=8)
    trail = reverse("admin:auditlog_logentry_changelist")

    client.force_login(staff_of(work_group.hub))
    assert client.get(trail).status_code == 403
    assert trail not in client.get(reverse("admin:index")).content.decode()

    client.force_login(NationalAdminFactory())
    response = client.get(trail)
    assert response.status_code == 200
    assert "Fractions group" in response.content.decode()


# Signing in ----------------------------------------------------------------------------------


def test_signing_in_is_recorded_on_the_account_with_the_address(client):
    person = teacher(verified=True)

    response = client.post(reverse("account_login"), {"login": person.email, "password": PASSWORD})

    assert response.status_code == 302
    entry = latest(person, ACCESS)
    assert entry.additional_data == {"event": "signed in"}
    assert entry.actor == person
    assert entry.remote_addr == "127.0.0.1"


def test_the_trail_never_holds_a_password_last_sign_in_or_calendar_token(client):
    person = teacher(verified=True)
    client.post(reverse("account_login"), {"login": person.email, "password": PASSWORD})
    person.set_password("a different phrase")
    person.calendar_token = "new-token"
    person.first_name = "Renamed"
    person.save()

    recorded = {field for entry in audit.history(person) for field in entry.changes or {}}

    assert "first_name" in recorded
    assert not recorded & {"password", "last_login", "calendar_token"}


def test_a_failed_sign_in_is_recorded_on_the_account_without_an_actor(client):
    person = teacher(verified=True)

    response = client.post(
        reverse("account_login"), {"login": person.email, "password": "not the password"}
    )

    assert response.status_code == 200
    [entry] = audit.history(person).filter(action=ACCESS)
    assert entry.additional_data == {"event": "sign-in failed"}
    assert entry.actor is None
    assert entry.remote_addr == "127.0.0.1"


def test_a_failed_sign_in_for_no_account_names_nobody_in_the_trail(client, caplog):
    before = LogEntry.objects.count()

    with caplog.at_level(logging.WARNING, logger="participants.audit"):
        client.post(
            reverse("account_login"),
            {"login": "nobody@example.org", "password": "not the password"},
        )

    assert LogEntry.objects.count() == before
    assert "Sign-in failed for an address with no account, from 127.0.0.1" in caplog.text
    assert "nobody@example.org" not in caplog.text


NEW_PASSWORD = "a n0ther long phrase"


def latest_events(user):
    return audit.history(user).filter(action=ACCESS)


def test_changing_the_password_and_signing_out_are_recorded(client):
    person = teacher(verified=True)
    client.force_login(person)

    client.post(
        reverse("account_change_password"),
        {
            "oldpassword": PASSWORD,
            "password1": "a n0ther long phrase",
            "password2": "a n0ther long phrase",
        },
    )
    client.post(reverse("account_logout"))

    events = [
        entry.additional_data["event"] for entry in audit.history(person).filter(action=ACCESS)
    ]
    assert events[:2] == ["signed out", "password changed"]


def test_adding_a_second_factor_and_a_wrong_code_are_recorded(
    client, django_capture_on_commit_callbacks
):
    manager = HubMembershipFactory(mfa=False).user
    EmailAddress.objects.create(user=manager, email=manager.email, verified=True, primary=True)
    client.force_login(manager)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    secret = client.get(reverse("mfa_activate_totp")).context["form"].secret
    with django_capture_on_commit_callbacks(execute=True):  # allauth tells once committed
        client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    client.post(reverse("account_logout"))

    client.post(reverse("account_login"), {"login": manager.email, "password": PASSWORD})
    wrong = f"{(int(totp_code(secret)) + 1) % 1_000_000:06d}"
    client.post(reverse("mfa_authenticate"), {"code": wrong})

    events = [entry.additional_data for entry in latest_events(manager)]
    assert events[0] == {"event": "second factor check failed", "type": "totp"}
    assert {"event": "second factor added", "type": "totp"} in events


# Erasing a person ----------------------------------------------------------------------------


def test_erasing_a_person_leaves_their_entries_but_not_their_name_or_email(client):
    person = teacher(
        verified=True, first_name="Zebedee", last_name="Quillfeather", email="zq@example.org"
    )
    client.post(reverse("account_login"), {"login": person.email, "password": PASSWORD})
    with audit.by(person):
        registration = services.register(user=person, work_group=group())
        User.objects.get(pk=person.pk).save()  # nothing changed: nothing recorded
        person.first_name = "Zeb"
        person.save()
    session = past_session(registration.work_group, 1)
    services.record_attendance(session=session, marks={registration.pk: "present"})
    entries = LogEntry.objects.count()

    privacy.erase_user(user=person)

    assert LogEntry.objects.count() >= entries
    trail = json.dumps(
        list(
            LogEntry.objects.values(
                "object_repr", "changes", "changes_text", "additional_data", "actor_email"
            )
        ),
        default=str,
    ).lower()
    for old in ("zq@example.org", "zebedee", "quillfeather", "zeb quillfeather"):
        assert old not in trail
    assert audit.history(registration).filter(action=CREATE).exists()
    assert audit.history(session).filter(action=UPDATE).count() == 1
    signed_in = audit.history(person).filter(action=ACCESS).get()
    assert signed_in.remote_addr is None
    assert signed_in.additional_data == {"event": "signed in"}


def test_erasing_one_person_leaves_others_in_the_trail():
    person = teacher(first_name="Zebedee", last_name="Quillfeather")
    colleague = teacher(first_name="Zebedee", last_name="Marchbanks", school=person.school)
    work_group = group()
    with audit.by(colleague):
        services.register(user=colleague, work_group=work_group)
    with audit.by(person):
        services.register(user=person, work_group=work_group)

    privacy.erase_user(user=person)

    reprs = " ".join(LogEntry.objects.values_list("object_repr", flat=True))
    assert "Zebedee Marchbanks" in reprs
    assert "Quillfeather" not in reprs
    assert LogEntry.objects.filter(actor=colleague, actor_email=colleague.email).exists()


def test_the_request_user_is_the_actor_when_a_view_makes_a_change(client):
    person = teacher(verified=True)
    work_group = group()
    client.force_login(person)

    role = work_group.project.roles.first()
    client.post(reverse("workgroups:register", args=[work_group.pk]), {"role": role.pk})

    place = work_group.places.get()
    assert latest(place, CREATE).actor == person
    assert latest(place, CREATE).remote_addr == "127.0.0.1"
