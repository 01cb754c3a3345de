"""Admin actions and the registration form change places only through the services' rules."""

import csv
import datetime
import io

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from core.csv import csv_cell
from tests.factories import (
    HubFactory,
    HubMembershipFactory,
    LLMEFactory,
    PlaceFactory,
    ProjectFactory,
    RegistrationFactory,
    SchoolFactory,
    TeacherFactory,
    WorkGroupFactory,
)
from workgroups.models import (
    Nomination,
    Place,
    PlaceStatus,
    Registration,
    RegistrationStatus,
    WorkGroupStatus,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def hub():
    return HubFactory()


@pytest.fixture
def manager_client(client, hub):
    client.force_login(HubMembershipFactory(hub=hub).user)
    return client


def run_action(client, model, action, objects):
    url = reverse(f"admin:workgroups_{model}_changelist")
    data = {"action": action, ACTION_CHECKBOX_NAME: [obj.pk for obj in objects]}
    response = client.post(url, data)
    return response, [(m.level_tag, m.message) for m in get_messages(response.wsgi_request)]


def statuses(places):
    return [Place.objects.get(pk=place.pk).status for place in places]


def test_confirming_a_place_in_a_full_group_is_refused_and_changes_nothing(manager_client, hub):
    group = WorkGroupFactory(hub=hub, capacity=1, name="Cedar Group")
    PlaceFactory(work_group=group)
    pending = PlaceFactory(work_group=group, status=PlaceStatus.PENDING)

    _, reported = run_action(manager_client, "place", "confirm_places", [pending])

    assert statuses([pending]) == [PlaceStatus.PENDING]
    [(level, message)] = reported
    assert level == "error"
    assert "Cedar Group is full" in message


def test_confirming_places_fills_the_free_places_and_reports_the_rest(manager_client, hub):
    group = WorkGroupFactory(hub=hub, capacity=2)
    start = timezone.now()
    first, second, third = (
        PlaceFactory(
            work_group=group,
            status=PlaceStatus.PENDING,
            requested_at=start + datetime.timedelta(minutes=n),
        )
        for n in range(3)
    )

    _, reported = run_action(manager_client, "place", "confirm_places", [first, second, third])

    assert statuses([first, second, third]) == [
        PlaceStatus.CONFIRMED,
        PlaceStatus.CONFIRMED,
        PlaceStatus.PENDING,
    ]
    assert ("success", "2 place(s) confirmed.") in reported
    assert [level for level, _ in reported].count("error") == 1


def test_declining_a_place_withdraws_its_participants(manager_client, hub):
    place = PlaceFactory(work_group=WorkGroupFactory(hub=hub), status=PlaceStatus.PENDING)
    registration = RegistrationFactory(place=place)

    _, reported = run_action(manager_client, "place", "decline_places", [place])

    assert statuses([place]) == [PlaceStatus.DECLINED]
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.WITHDRAWN
    assert reported == [("success", "1 place(s) declined.")]


def test_declining_a_confirmed_place_is_refused(manager_client, hub):
    place = PlaceFactory(work_group=WorkGroupFactory(hub=hub), school__name="Elm Primary")

    _, reported = run_action(manager_client, "place", "decline_places", [place])

    assert statuses([place]) == [PlaceStatus.CONFIRMED]
    [(level, message)] = reported
    assert level == "error"
    assert "Elm Primary's place is confirmed" in message


def test_promoting_serves_the_waiting_list_in_the_order_schools_asked(manager_client, hub):
    group = WorkGroupFactory(hub=hub, capacity=3)
    PlaceFactory(work_group=group)
    start = timezone.now()
    # Created out of order: the waiting list follows requested_at, not creation.
    third, first, second = (
        PlaceFactory(
            work_group=group,
            status=PlaceStatus.WAITLISTED,
            requested_at=start + datetime.timedelta(minutes=minutes),
        )
        for minutes in (30, 10, 20)
    )

    _, reported = run_action(manager_client, "workgroup", "promote_from_waitlist", [group])

    assert statuses([first, second, third]) == [
        PlaceStatus.CONFIRMED,
        PlaceStatus.CONFIRMED,
        PlaceStatus.WAITLISTED,
    ]
    names = f"{first.school.name}, {second.school.name}"
    assert ("info", f"2 waiting school(s) given a place: {names}.") in reported


def test_withdrawing_the_last_participant_frees_the_place_for_the_waiting_list(manager_client, hub):
    group = WorkGroupFactory(hub=hub, capacity=1)
    registration = RegistrationFactory(place=PlaceFactory(work_group=group))
    waiting = PlaceFactory(work_group=group, status=PlaceStatus.WAITLISTED)

    _, reported = run_action(
        manager_client, "registration", "withdraw_registrations", [registration]
    )

    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.WITHDRAWN
    assert statuses([registration.place, waiting]) == [
        PlaceStatus.WITHDRAWN,
        PlaceStatus.CONFIRMED,
    ]
    assert reported == [("success", "1 registration(s) withdrawn.")]


def test_actions_cannot_reach_another_hubs_places(manager_client, hub):
    other = PlaceFactory(work_group=WorkGroupFactory(capacity=5), status=PlaceStatus.PENDING)

    run_action(manager_client, "place", "confirm_places", [other])

    assert statuses([other]) == [PlaceStatus.PENDING]


def export(client, model, objects):
    response, _ = run_action(client, model, "export_as_csv", objects)
    assert response.status_code == 200
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return response, list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


DANGEROUS = ['=HYPERLINK("http://x.test","x")', "+SUM(1,2)", "-2+3", "@cmd", "\tTAB", "\rCR"]


def test_csv_export_quotes_cells_a_spreadsheet_would_run(manager_client, hub):
    groups = [WorkGroupFactory(hub=hub, name=name) for name in DANGEROUS]

    _, rows = export(manager_client, "workgroup", groups)

    names = {row[0] for row in rows[1:]}
    assert names == {f"'{name}" for name in DANGEROUS}


def test_csv_export_holds_only_the_selected_rows(manager_client, hub):
    chosen = WorkGroupFactory(hub=hub, name="Chosen Group", capacity=4)
    PlaceFactory(work_group=chosen)
    WorkGroupFactory(hub=hub, name="Unchosen Group")

    response, rows = export(manager_client, "workgroup", [chosen])

    header, *body = rows
    assert header[:3] == ["Name", "Project", "Hub"]
    assert len(body) == 1
    row = dict(zip(header, body[0], strict=True))
    assert row["Name"] == "Chosen Group"
    assert (row["Places taken"], row["Places left"], row["Status"]) == ("1", "3", "Recruiting")
    assert "Unchosen Group" not in response.content.decode()
    assert 'filename="groups-' in response["Content-Disposition"]


def test_csv_export_of_places_lists_the_school_and_its_participants_count(manager_client, hub):
    place = PlaceFactory(work_group=WorkGroupFactory(hub=hub), school__name="Willow Primary")
    RegistrationFactory.create_batch(2, place=place)

    _, rows = export(manager_client, "place", [place])

    row = dict(zip(rows[0], rows[1], strict=True))
    assert (row["School"], row["Participants"], row["Status"]) == (
        str(place.school),
        "2",
        "Confirmed",
    )


def test_csv_cell_leaves_ordinary_text_alone():
    assert csv_cell("Oak Primary") == "Oak Primary"
    assert csv_cell(None) == ""
    assert csv_cell(True) == "yes"
    assert csv_cell("=1+1") == "'=1+1"


def add_registration(client, user, group, role=None):
    data = {"user": user.pk, "group": group.pk, "role": role.pk if role else ""}
    return client.post(reverse("admin:workgroups_registration_add"), data)


def test_adding_an_ineligible_person_shows_why_and_registers_nobody(manager_client, hub):
    group = WorkGroupFactory(hub=hub)
    # Hub staff find only people connected to their hub: here, one of its LLMEs.
    without_school = LLMEFactory(hub=hub).user

    response = add_registration(manager_client, without_school, group)

    assert response.status_code == 200
    errors = response.context["adminform"].form.non_field_errors()
    assert "Add your school to your profile: schools take part as schools." in errors
    assert "Add your school to your profile" in response.content.decode()
    assert not Registration.objects.filter(user=without_school).exists()


def test_adding_an_eligible_teacher_registers_them_with_a_confirmed_place(manager_client, hub):
    group = WorkGroupFactory(hub=hub)
    teacher = TeacherFactory(school__hub=hub)

    response = add_registration(manager_client, teacher, group)

    assert response.status_code == 302
    registration = Registration.objects.get(user=teacher)
    assert registration.work_group == group
    assert registration.role.name == "Lead participant"
    assert registration.place.school == teacher.school
    assert registration.place.status == PlaceStatus.CONFIRMED


def test_adding_a_third_lead_participant_for_one_school_is_refused(manager_client, hub):
    group = WorkGroupFactory(hub=hub, project=ProjectFactory(roles=[("Lead participant", 1)]))
    school = SchoolFactory(hub=hub)
    RegistrationFactory(place=PlaceFactory(work_group=group, school=school))
    colleague = TeacherFactory(school=school)

    response = add_registration(manager_client, colleague, group, role=group.project.roles.get())

    assert response.status_code == 200
    assert "lead participant places are all taken" in response.content.decode()
    assert not Registration.objects.filter(user=colleague).exists()


def test_registering_someone_not_connected_to_the_hub_is_refused(manager_client, hub):
    group = WorkGroupFactory(hub=hub)
    stranger = TeacherFactory()

    response = add_registration(manager_client, stranger, group)

    assert response.status_code == 200
    assert "user" in response.context["adminform"].form.errors
    assert not Registration.objects.filter(user=stranger).exists()


def test_registering_for_another_hubs_group_is_refused(manager_client, hub):
    group = WorkGroupFactory()
    teacher = TeacherFactory()

    response = add_registration(manager_client, teacher, group)

    assert response.status_code == 200
    assert "group" in response.context["adminform"].form.errors
    assert not Registration.objects.filter(user=teacher).exists()


def test_existing_registrations_are_read_only(manager_client, hub):
    registration = RegistrationFactory(place=PlaceFactory(work_group=WorkGroupFactory(hub=hub)))
    url = reverse("admin:workgroups_registration_change", args=[registration.pk])

    page = manager_client.get(url)
    post = manager_client.post(url, {"status": RegistrationStatus.WITHDRAWN})

    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert post.status_code == 403
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.ACTIVE


def change_form_data(response) -> dict:
    """The data a browser would post back from an admin change page, unchanged."""
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if hasattr(value, "__iter__") and not isinstance(value, str):
            data[name] = [getattr(v, "pk", v) for v in value]
        elif value is not None:
            data[name] = getattr(value, "pk", value)
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        for name in management.fields:
            data[f"{management.prefix}-{name}"] = management.initial.get(name, 0)
    return data


def test_raising_a_groups_places_in_the_admin_lets_the_waiting_list_in_and_names_them(
    manager_client, hub, django_capture_on_commit_callbacks
):
    group = WorkGroupFactory(hub=hub, capacity=1)
    PlaceFactory(work_group=group)
    waiting = PlaceFactory(work_group=group, status=PlaceStatus.WAITLISTED)
    url = reverse("admin:workgroup_capacity", args=[group.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(url, {"capacity": 2}, follow=True)

    assert statuses([waiting]) == [PlaceStatus.CONFIRMED]
    assert (
        f"{group.name} now has 2 places. Given a place from the waiting list: "
        f"{waiting.school.name}." in [str(m) for m in response.context["messages"]]
    )


@pytest.mark.parametrize(
    ("places", "message"),
    [
        ("0", "Ensure this value is greater than or equal to 1."),
        ("1", "has 2 schools with a place, so it needs at least 2 places"),
        ("99999999999", "Ensure this value is less than or equal to 200."),
        ("ten", "Enter a whole number."),
        ("", "This field is required."),
    ],
)
def test_places_below_those_taken_or_absurd_are_refused_next_to_the_field(
    manager_client, hub, places, message
):
    group = WorkGroupFactory(hub=hub, capacity=3)
    PlaceFactory(work_group=group)
    PlaceFactory(work_group=group)
    waiting = PlaceFactory(work_group=group, status=PlaceStatus.WAITLISTED)
    before = mail.outbox[:]

    response = manager_client.post(
        reverse("admin:workgroup_capacity", args=[group.pk]), {"capacity": places}
    )

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["capacity"])
    group.refresh_from_db()
    assert group.capacity == 3
    assert statuses([waiting]) == [PlaceStatus.WAITLISTED]
    assert mail.outbox == before


def test_the_change_form_does_not_change_places_or_status(manager_client, hub):
    group = WorkGroupFactory(hub=hub, capacity=3, status=WorkGroupStatus.RECRUITING)
    url = reverse("admin:workgroups_workgroup_change", args=[group.pk])
    data = change_form_data(manager_client.get(url))

    response = manager_client.post(
        url, {**data, "capacity": 99999, "status": WorkGroupStatus.COMPLETED, "name": "Renamed"}
    )

    assert response.status_code == 302
    group.refresh_from_db()
    assert (group.name, group.capacity, group.status) == ("Renamed", 3, WorkGroupStatus.RECRUITING)


def test_place_page_shows_the_colleagues_the_school_named(manager_client, hub):
    place = PlaceFactory(work_group=WorkGroupFactory(hub=hub))
    Nomination.objects.create(
        place=place, email="new.colleague@example.org", role=place.work_group.project.roles.first()
    )

    html = manager_client.get(reverse("admin:workgroups_place_change", args=[place.pk])).content

    assert b"new.colleague@example.org" in html
