"""The lead's pages: what a lead sees, and bad input refused with a clear message."""

import csv
import datetime
import io

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from evaluations.models import EvaluationStatus, WorkGroupEvaluation
from projects.models import ActivityType
from tests.factories import (
    PlaceFactory,
    ProjectFactory,
    RegistrationFactory,
    SessionFactory,
    SessionRecordFactory,
    signed_off_evaluation,
)
from tests.lead.factories import led_group, past_session
from workgroups.models import (
    Attendance,
    GapTaskResponse,
    Milestone,
    PlaceStatus,
    RecordStatus,
    Session,
    SessionRecord,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _nothing_cached_from_other_tests():
    """The pages cache what they show (core.cache); each test starts from an empty cache."""
    cache.clear()


@pytest.fixture
def lead_client(client, lead):
    client.force_login(lead.user)
    return client


def page(client, name, *args, **params):
    response = client.get(reverse(f"lead:{name}", args=args), params)
    assert response.status_code == 200
    return response.content.decode()


def test_dashboard_shows_each_groups_size_next_session_and_what_is_left_to_record(
    lead_client, group, registrations
):
    past_session(group, days_ago=14)
    recorded = past_session(group, days_ago=7)
    Attendance.objects.create(session=recorded, registration=registrations[0])
    SessionRecordFactory(session=recorded, status=RecordStatus.FINAL)
    coming = SessionFactory(work_group=group)

    response = lead_client.get(reverse("lead:dashboard"))

    [(_year, [row])] = response.context["current_years"]
    assert (row.schools, row.participants) == (2, 4)
    assert row.next_session == coming.starts_at
    assert (row.attendance_missing, row.records_missing, row.evaluation_due) == (1, 1, False)
    html = response.content.decode()
    assert "Attendance for 1 session" in html
    assert "1 session record to finish" in html
    assert "End-of-year evaluation" not in html  # a session is still to come

    coming.delete()
    [(_year, [row])] = lead_client.get(reverse("lead:dashboard")).context["current_years"]
    assert row.evaluation_due is True


def test_a_submitted_evaluation_is_no_longer_due(lead_client, group):
    WorkGroupEvaluation.objects.create(work_group=group, status=EvaluationStatus.SUBMITTED)

    [(_, [row])] = lead_client.get(reverse("lead:dashboard")).context["current_years"]

    assert row.evaluation_due is False


def test_group_page_lists_schools_people_and_their_contact_emails(
    lead_client, group, registrations
):
    html = page(lead_client, "group", group.pk)

    for registration in registrations:
        assert registration.place.school.name in html
        assert registration.user.email in html
    assert "Lead participant" in html


def test_roster_csv_quotes_formula_like_cells(lead_client, group):
    place = PlaceFactory(work_group=group, school__name="=HYPERLINK(evil)")
    RegistrationFactory(place=place, user__first_name="+Ada")

    response = lead_client.get(reverse("lead:roster_csv", args=[group.pk]))

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["School", "URN", "Place", "Name", "Role", "Email"]
    assert rows[1][0] == "'=HYPERLINK(evil)"
    assert rows[1][3].startswith("'+Ada")


def test_targeted_support_groups_show_the_action_plan_by_term(client, hub, lead):
    support = led_group(
        hub=hub, lead=lead, project=ProjectFactory(activity_type=ActivityType.TARGETED_SUPPORT)
    )
    Milestone.objects.create(work_group=support, term="long", description="Maths policy agreed")
    client.force_login(lead.user)

    html = page(client, "group", support.pk)

    assert "Action plan" in html
    assert html.index("Long term") < html.index("Maths policy agreed")


def test_milestone_progress_is_saved_after_a_visit(client, hub, lead):
    support = led_group(
        hub=hub, lead=lead, project=ProjectFactory(activity_type=ActivityType.TARGETED_SUPPORT)
    )
    milestone = Milestone.objects.create(work_group=support, term="short", description="Fluency")
    client.force_login(lead.user)

    client.post(
        reverse("lead:milestone_edit", args=[milestone.pk]),
        {"status": "achieved", "notes": "Seen in every class."},
    )

    milestone.refresh_from_db()
    assert (milestone.status, milestone.notes) == ("achieved", "Seen in every class.")


def test_milestones_cannot_be_added_to_a_work_group(lead_client, group):
    response = lead_client.get(reverse("lead:milestone_add", args=[group.pk]))

    assert response.status_code == 404


def session_form(**overrides):
    day = timezone.localdate() + datetime.timedelta(days=10)
    return {
        "date": day.isoformat(),
        "starts": "16:00",
        "ends": "17:30",
        "mode": "face_to_face",
        "focus": "plan",
        "venue": "Main hall",
        **overrides,
    }


def test_lead_adds_a_session(lead_client, group):
    response = lead_client.post(reverse("lead:session_add", args=[group.pk]), session_form())

    assert response.status_code == 302
    session = Session.objects.get(work_group=group)
    assert timezone.localtime(session.starts_at).strftime("%H:%M") == "16:00"


def test_a_session_ending_before_it_starts_is_refused_with_a_message(lead_client, group):
    response = lead_client.post(
        reverse("lead:session_add", args=[group.pk]), session_form(ends="15:00")
    )

    assert response.status_code == 200
    assert "The session must end after it starts." in response.content.decode()
    assert "There is a problem" in response.content.decode()
    assert not Session.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"date": "not a date"}, "Enter a valid date."),
        ({"mode": "teleport"}, "Select a valid choice."),
        ({"mode": "online", "joining_link": ""}, "Give the link participants join the session"),
        ({"mode": "face_to_face", "venue": ""}, "Say where the session is held."),
        ({"date": "9999-01-01"}, "fall in that school year"),
        ({"planned": "x" * 5001}, "5000 characters or fewer"),
        ({"joining_link": "javascript:alert(1)"}, "Enter a valid URL."),
    ],
)
def test_bad_session_details_are_refused(lead_client, group, overrides, message):
    response = lead_client.post(
        reverse("lead:session_add", args=[group.pk]), session_form(**overrides)
    )

    assert message in response.content.decode()
    assert not Session.objects.exists()


def test_adding_the_same_session_twice_adds_it_once(lead_client, group):
    """A double click on "Add session" sends the form twice: both say it is added."""
    url = reverse("lead:session_add", args=[group.pk])

    first = lead_client.post(url, session_form())
    second = lead_client.post(url, session_form(), follow=True)

    assert first.status_code == 302
    assert "Session 1 is added." in second.content.decode()
    assert list(group.sessions.values_list("number", flat=True)) == [1]


def test_another_session_at_the_same_time_is_refused_with_a_message(lead_client, group):
    url = reverse("lead:session_add", args=[group.pk])
    lead_client.post(url, session_form())

    response = lead_client.post(url, session_form(ends="18:00", venue="Library"))

    assert response.status_code == 200
    assert "Session 1 already starts at this time." in response.content.decode()
    assert group.sessions.count() == 1


def test_moving_a_session_onto_anothers_time_is_refused_with_a_message(lead_client, group):
    lead_client.post(reverse("lead:session_add", args=[group.pk]), session_form())
    later = session_form(date=(timezone.localdate() + datetime.timedelta(days=11)).isoformat())
    lead_client.post(reverse("lead:session_add", args=[group.pk]), later)
    second = group.sessions.get(number=2)

    response = lead_client.post(reverse("lead:session_edit", args=[second.pk]), session_form())

    assert "Session 1 already starts at this time." in response.content.decode()
    second.refresh_from_db()
    assert timezone.localdate(second.starts_at) == timezone.localdate() + datetime.timedelta(
        days=11
    )


def test_moving_a_session_renumbers_the_groups_sessions_by_date(lead_client, group):
    url = reverse("lead:session_add", args=[group.pk])
    lead_client.post(url, session_form())
    lead_client.post(url, session_form(date=_days_ahead(11)))
    first, second = group.sessions.order_by("number")

    lead_client.post(
        reverse("lead:session_edit", args=[first.pk]),
        session_form(date=_days_ahead(12), starts="09:00", ends="10:00"),
    )

    first.refresh_from_db()
    second.refresh_from_db()
    assert (second.number, first.number) == (1, 2)
    assert timezone.localtime(first.starts_at).strftime("%H:%M") == "09:00"


def test_the_change_form_shows_the_stored_date_and_times_and_saves_unchanged(lead_client, group):
    lead_client.post(reverse("lead:session_add", args=[group.pk]), session_form())
    session = group.sessions.get()
    edit = reverse("lead:session_edit", args=[session.pk])

    form = lead_client.get(edit).context["form"]
    page = lead_client.get(edit).content.decode()

    assert f'value="{_days_ahead(10)}"' in page
    assert 'value="16:00"' in page
    assert 'value="17:30"' in page
    # What the browser sends back when nothing is touched: each box's value as shown.
    data = {}
    for name in form.fields:
        shown = form[name].field.widget.format_value(form[name].value())
        data[name] = shown[0] if isinstance(shown, list) else shown or ""
    response = lead_client.post(edit, data)
    assert response.status_code == 302, response.content.decode()


def test_an_overlapping_session_is_added_only_once_confirmed(lead_client, group):
    url = reverse("lead:session_add", args=[group.pk])
    lead_client.post(url, session_form())

    asked = lead_client.post(url, session_form(starts="17:00", ends="18:00"))

    page = asked.content.decode()
    assert asked.status_code == 200
    assert "Check before you save" in page
    assert "It overlaps session 1" in page
    assert 'type="checkbox" name="confirm"' in page
    assert group.sessions.count() == 1

    confirmed = lead_client.post(url, session_form(starts="17:00", ends="18:00", confirm="on"))
    assert confirmed.status_code == 302
    assert group.sessions.count() == 2


def test_a_past_session_is_added_only_once_confirmed(lead_client, group):
    url = reverse("lead:session_add", args=[group.pk])
    past = session_form(date=_days_ahead(-3))

    asked = lead_client.post(url, past)

    assert "It is in the past" in asked.content.decode()
    assert not group.sessions.exists()
    assert lead_client.post(url, {**past, "confirm": "on"}).status_code == 302
    assert group.sessions.count() == 1


def _days_ahead(days: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def attendance_post(client, session, marks):
    data = {"attendance-TOTAL_FORMS": len(marks), "attendance-INITIAL_FORMS": len(marks)}
    for n, (pk, status) in enumerate(marks.items()):
        data[f"attendance-{n}-registration"] = pk
        data[f"attendance-{n}-status"] = status
    return client.post(reverse("lead:attendance", args=[session.pk]), data)


def test_attendance_starts_everyone_as_present(lead_client, group, registrations):
    session = past_session(group)

    response = lead_client.get(reverse("lead:attendance", args=[session.pk]))

    initial = [f.initial for f in response.context["formset"].forms]
    assert sorted(i["registration"] for i in initial) == sorted(r.pk for r in registrations)
    assert {i["status"] for i in initial} == {"present"}


def test_attendance_is_saved_in_one_submit_and_shown_again(lead_client, group, registrations):
    session = past_session(group)
    marks = {r.pk: "present" for r in registrations} | {registrations[1].pk: "apologies"}

    response = attendance_post(lead_client, session, marks)

    assert response.status_code == 302
    assert dict(session.attendances.values_list("registration_id", "status")) == marks
    again = lead_client.get(reverse("lead:attendance", args=[session.pk]))
    shown = {f.initial["registration"]: f.initial["status"] for f in again.context["formset"]}
    assert shown == marks


def test_attendance_with_a_tampered_id_from_another_group_is_refused(
    lead_client, group, registrations
):
    session = past_session(group)
    outsider = RegistrationFactory()

    response = attendance_post(
        lead_client, session, {registrations[0].pk: "present", outsider.pk: "present"}
    )

    assert response.status_code == 200
    assert "only be taken for people in this group" in response.content.decode()
    assert not Attendance.objects.exists()


@pytest.mark.parametrize(
    "total",
    [
        pytest.param(lambda rows: rows + 1, id="one more row than sent"),
        pytest.param(lambda rows: -1, id="negative"),
        pytest.param(lambda rows: 0, id="none"),
        pytest.param(lambda rows: 10**12, id="huge"),
        pytest.param(lambda rows: "many", id="not a number"),
        pytest.param(lambda rows: "²", id="a digit int() refuses"),
    ],
)
def test_attendance_with_a_wrong_count_of_rows_is_refused_and_shown_afresh(
    lead_client, group, registrations, total
):
    session = past_session(group)
    data = {"attendance-INITIAL_FORMS": len(registrations)}
    for n, registration in enumerate(registrations):
        data[f"attendance-{n}-registration"] = registration.pk
        data[f"attendance-{n}-status"] = "absent" if n == 0 else "present"
    data["attendance-TOTAL_FORMS"] = total(len(registrations))

    response = lead_client.post(reverse("lead:attendance", args=[session.pk]), data)

    assert response.status_code == 200
    assert "The list of people sent does not match the group" in response.content.decode()
    assert not Attendance.objects.exists()
    shown = {f.initial["registration"]: f.initial["status"] for f in response.context["formset"]}
    assert set(shown) == {r.pk for r in registrations}
    if total(len(registrations)) == len(registrations) + 1:  # the rows sent are kept
        assert shown[registrations[0].pk] == "absent"


@pytest.mark.parametrize("value", ["", "²", "x"])
def test_attendance_rows_naming_nobody_or_someone_twice_are_refused(
    lead_client, group, registrations, value
):
    session = past_session(group)
    marks = {r.pk: "present" for r in registrations}
    data = {"attendance-TOTAL_FORMS": len(marks), "attendance-INITIAL_FORMS": len(marks)}
    for n, pk in enumerate(marks):
        data[f"attendance-{n}-registration"] = pk
        data[f"attendance-{n}-status"] = "present"
    data["attendance-1-registration"] = value or registrations[0].pk

    response = lead_client.post(reverse("lead:attendance", args=[session.pk]), data)

    assert response.status_code == 200
    assert "The list of people sent does not match the group" in response.content.decode()
    assert not Attendance.objects.exists()


def test_attendance_with_a_status_off_the_list_is_refused(lead_client, group, registrations):
    response = attendance_post(lead_client, past_session(group), {registrations[0].pk: "asleep"})

    assert "Select a valid choice" in response.content.decode()
    assert not Attendance.objects.exists()


def record_form(**overrides):
    return {
        "what_was_done": "Planned a lesson on equivalence.",
        "observed": "",
        "refined": "",
        "gap_task": "Teach the lesson.",
        "action": "draft",
        **overrides,
    }


def test_record_is_saved_as_draft_and_finished_later(lead_client, group):
    session = past_session(group)
    url = reverse("lead:record", args=[session.pk])

    lead_client.post(url, record_form(note_practice="Bar models used."))
    assert SessionRecord.objects.get().status == RecordStatus.DRAFT
    lead_client.post(url, record_form(action="finish"))

    record = SessionRecord.objects.get()
    assert record.status == RecordStatus.FINAL
    assert record.gap_task == "Teach the lesson."


def test_script_in_a_record_is_shown_as_text(lead_client, group):
    session = past_session(group)
    lead_client.post(
        reverse("lead:record", args=[session.pk]), record_form(observed="<script>alert(1)</script>")
    )

    html = page(lead_client, "record", session.pk)

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_oversized_record_text_is_refused_with_a_message(lead_client, group):
    session = past_session(group)

    response = lead_client.post(
        reverse("lead:record", args=[session.pk]), record_form(refined="x" * 5001)
    )

    assert "Keep this to 5000 characters or fewer (it has 5001)." in response.content.decode()
    assert not SessionRecord.objects.exists()


def test_a_record_for_another_groups_session_is_not_found(lead_client, group):
    other = past_session(led_group())

    response = lead_client.post(reverse("lead:record", args=[other.pk]), record_form())

    assert response.status_code == 404
    assert not SessionRecord.objects.exists()


def test_a_locked_record_is_shown_but_cannot_be_changed(lead_client, group):
    session = past_session(group)
    SessionRecordFactory(session=session, what_was_done="Original.")
    signed_off_evaluation(group)

    response = lead_client.post(
        reverse("lead:record", args=[session.pk]), record_form(what_was_done="Changed.")
    )

    assert "records are locked" in response.content.decode()
    assert SessionRecord.objects.get().what_was_done == "Original."


def test_gap_task_page_shows_responses_and_who_has_not_responded(lead_client, group, registrations):
    session = past_session(group)
    record = SessionRecordFactory(session=session, gap_task="Try a number talk.")
    GapTaskResponse.objects.create(
        registration=registrations[0],
        session_record=record,
        what_i_did="<b>Ran</b> a number talk with Year 4.",
        reflection="Pupils explained more.",
    )

    response = lead_client.get(reverse("lead:gap_tasks", args=[session.pk]))

    html = response.content.decode()
    assert "&lt;b&gt;Ran&lt;/b&gt; a number talk with Year 4." in html
    assert {p.pk for p in response.context["waiting"]} == {r.pk for r in registrations[1:]}
    assert registrations[1].user.get_full_name() in html


def evaluation_form(**overrides):
    data = {"key_findings": "Teachers reason more.", "recommendations": "", "action": "save"}
    for code in ("teacher_learning", "practice", "pupil_learning", "school_approaches"):
        data[f"rating_{code}"] = "3"
        data[f"evidence_{code}"] = "Observed in lessons."
    return {**data, **overrides}


def test_evaluation_page_shows_the_figures_the_system_knows(lead_client, group, registrations):
    session = past_session(group)
    Attendance.objects.create(session=session, registration=registrations[0])
    Attendance.objects.create(session=session, registration=registrations[1], status="absent")

    response = lead_client.get(reverse("lead:evaluation", args=[group.pk]))

    figures = response.context["figures"]
    assert (figures["schools"], figures["participants"], figures["sessions_held"]) == (2, 4, 1)
    assert figures["attendance_rate"] == 50
    assert "Strong, embedded impact" in response.content.decode()


def test_evaluation_is_drafted_then_submitted(lead_client, group):
    url = reverse("lead:evaluation", args=[group.pk])

    lead_client.post(url, evaluation_form())
    assert WorkGroupEvaluation.objects.get().status == EvaluationStatus.DRAFT
    response = lead_client.post(url, evaluation_form(action="submit"))

    assert response.status_code == 302
    assert WorkGroupEvaluation.objects.get().status == EvaluationStatus.SUBMITTED


def test_submitting_an_incomplete_evaluation_keeps_the_draft_and_says_what_is_missing(
    lead_client, group
):
    response = lead_client.post(
        reverse("lead:evaluation", args=[group.pk]),
        evaluation_form(action="submit", evidence_practice=""),
    )

    html = response.content.decode()
    assert "Impact on practice development: Choose a rating and give evidence." in html
    evaluation = WorkGroupEvaluation.objects.get()
    assert evaluation.status == EvaluationStatus.DRAFT
    assert evaluation.key_findings == "Teachers reason more."


def test_a_rating_off_the_scale_is_refused_with_a_message(lead_client, group):
    response = lead_client.post(
        reverse("lead:evaluation", args=[group.pk]), evaluation_form(rating_practice="9")
    )

    assert "Choose a rating on the scale, from 1 to 4." in response.content.decode()
    assert not WorkGroupEvaluation.objects.exists()


def test_a_submitted_evaluation_cannot_be_changed_from_the_page(lead_client, group):
    WorkGroupEvaluation.objects.create(
        work_group=group, status=EvaluationStatus.SUBMITTED, key_findings="Sent."
    )

    response = lead_client.post(
        reverse("lead:evaluation", args=[group.pk]), evaluation_form(key_findings="Changed.")
    )

    assert "cannot be changed" in response.content.decode()
    assert WorkGroupEvaluation.objects.get().key_findings == "Sent."


def test_closing_the_year_from_the_group_page_completes_attending_schools(
    lead_client, group, registrations
):
    session = past_session(group)
    Attendance.objects.create(session=session, registration=registrations[0])

    response = lead_client.post(reverse("lead:close_year", args=[group.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("lead:completion", args=[group.pk])
    statuses = dict(group.places.values_list("pk", "status"))
    assert statuses[registrations[0].place_id] == PlaceStatus.COMPLETED
    assert statuses[registrations[2].place_id] == PlaceStatus.NOT_COMPLETED


@pytest.mark.parametrize("query", [{"page": "abc"}, {"phase": "<script>"}, {"year": "-1"}])
def test_junk_in_the_query_string_gives_a_normal_page(lead_client, group, query):
    assert "Cedar Work Group" in page(lead_client, "group", group.pk, **query)
    assert "Cedar Work Group" in page(lead_client, "dashboard", **query)
