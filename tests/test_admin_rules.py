"""No admin page or action lets hub staff around the rules.

A hub manager opens every change form of the admin for every object of a year made through the
services, posts it back with every field they could type into set to a hostile value, and runs
every action on every object. Afterwards the rules all hold (``tests/invariants.py``), the
evidence is as it was, places and statuses moved only through their services, nothing with
history was deleted, and nothing of another hub changed.
"""

import datetime

import pytest
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from core import scoping
from evaluations.models import OutcomeEvaluation, WorkGroupEvaluation
from tests.factories import (
    HubMembershipFactory,
    SchoolFactory,
    TeacherFactory,
    WorkGroupFactory,
    signed_off_evaluation,
)
from tests.invariants import broken_invariants
from workgroups import services
from workgroups.models import (
    Attendance,
    AttendanceStatus,
    Place,
    Registration,
    Session,
    SessionFocus,
    SessionRecord,
    WorkGroup,
)
from workgroups.services.delivery import roster

pytestmark = pytest.mark.django_db

HOSTILE_TEXT = "<script>alert(1)</script>" + "x" * 6000


def _year(hub, *, capacity=2, schools=4):
    """A running group through the services: full, a waiting list, a held session with
    attendance and a record, and a signed-off evaluation."""
    group = WorkGroupFactory(hub=hub, capacity=capacity)
    for _ in range(schools):
        services.register(user=TeacherFactory(school=SchoolFactory(hub=hub)), work_group=group)
    now = timezone.now()
    session = services.schedule_session(
        work_group=group,
        starts_at=now - datetime.timedelta(days=2, hours=2),
        ends_at=now - datetime.timedelta(days=2),
        mode="online",
        focus=SessionFocus.PLAN,
        joining_link="https://meet.example.org/one",
        confirmed=True,  # in the past, on purpose
    )
    services.record_attendance(
        session=session, marks={r.pk: AttendanceStatus.PRESENT for r in roster(group)}
    )
    lead = TeacherFactory(school=SchoolFactory(hub=hub))
    services.save_session_record(session=session, by=lead, what_was_done="Planned.", finish=True)
    signed_off_evaluation(group)
    return group


@pytest.fixture
def world():
    mine = HubMembershipFactory()
    theirs = HubMembershipFactory()
    return {
        "manager": mine.user,
        "group": _year(mine.hub),
        "other_group": _year(theirs.hub),
    }


def snapshot() -> dict:
    """Everything a rule protects: places, statuses, capacities, and the evidence."""
    return {
        "groups": sorted(WorkGroup.objects.values_list("pk", "hub_id", "capacity", "status")),
        "places": sorted(Place.objects.values_list("pk", "status", "school_id", "work_group_id")),
        "registrations": sorted(Registration.objects.values_list("pk", "status", "user_id")),
        "sessions": sorted(Session.objects.values_list("pk", "starts_at", "ends_at", "cancelled")),
        "attendance": sorted(Attendance.objects.values_list("pk", "status")),
        "records": sorted(SessionRecord.objects.values_list("pk", "what_was_done", "status")),
        "evaluations": sorted(
            WorkGroupEvaluation.objects.values_list("pk", "status", "key_findings")
        ),
        "ratings": sorted(OutcomeEvaluation.objects.values_list("pk", "rating", "evidence")),
    }


def hostile(name, field, value):
    """A value a careless or hostile person could type or choose for this field."""
    kind = type(field).__name__
    if kind in {"IntegerField", "TypedChoiceField"} or "Integer" in kind:
        return 99999999999
    if kind == "DecimalField":
        return "-1"
    if kind in {"DateTimeField", "SplitDateTimeField"}:
        return {f"{name}_0": "9999-12-31", f"{name}_1": "23:59:00"}
    if kind == "DateField":
        return "9999-12-31"
    if kind in {"ModelChoiceField", "ModelMultipleChoiceField"}:
        return value
    if kind == "ChoiceField" and getattr(field, "choices", None):
        return list(field.choices)[-1][0]
    if kind == "BooleanField":
        return "on"
    return HOSTILE_TEXT


def hostile_form_data(response) -> dict:
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if hasattr(value, "__iter__") and not isinstance(value, str):
            value = [getattr(v, "pk", v) for v in value]
        else:
            value = getattr(value, "pk", value)
        changed = hostile(name, field, value)
        if isinstance(changed, dict):
            data.update(changed)
        elif changed is not None:
            data[name] = changed
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        for name in management.fields:
            data[f"{management.prefix}-{name}"] = management.initial.get(name, 0)
    return data


def admin_url(obj, view="change") -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=[obj.pk])


def hub_models() -> list:
    return [
        pytest.param(model, id=model._meta.label)
        for model in admin.site._registry
        if getattr(model, "hub_path", None) is not None
    ]


@pytest.mark.parametrize("model", hub_models())
def test_posting_every_change_form_with_hostile_values_breaks_no_rule(client, world, model):
    client.force_login(world["manager"])
    before = snapshot()
    other_hub = world["other_group"].hub_id
    objects = list(scoping.visible(model.objects.all(), world["manager"]))

    for obj in objects:
        page = client.get(admin_url(obj))
        assert page.status_code == 200, obj
        if "adminform" in (page.context or {}) and page.context.get("has_change_permission"):
            response = client.post(admin_url(obj), hostile_form_data(page))
            assert response.status_code in (200, 302), obj

    assert broken_invariants() == []
    after = snapshot()
    for key in ("places", "registrations", "attendance", "records", "evaluations", "ratings"):
        assert after[key] == before[key], key
    groups_before = {pk: (hub, capacity, status) for pk, hub, capacity, status in before["groups"]}
    for pk, hub, capacity, status in after["groups"]:
        assert (hub, capacity, status) == groups_before[pk]
    assert WorkGroup.objects.filter(hub_id=other_hub).count() == 1


@pytest.mark.parametrize("model", hub_models())
def test_running_every_action_on_everything_breaks_no_rule(client, world, model):
    client.force_login(world["manager"])
    opts = model._meta
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    mine = list(scoping.visible(model.objects.all(), world["manager"]).values_list("pk", flat=True))
    theirs = list(model.objects.exclude(pk__in=mine).values_list("pk", flat=True))
    before = snapshot()
    page = client.get(changelist)
    if page.status_code != 200:  # a national-only list: hub staff have no actions there
        assert page.status_code in (302, 403)
        offered = []
    else:
        action_form = page.context.get("action_form")
        choices = action_form.fields["action"].choices if action_form else []
        offered = [name for name, _ in choices if name]

    for action in offered:
        client.post(
            changelist, {"action": action, ACTION_CHECKBOX_NAME: [*mine, *theirs], "apply": "1"}
        )

    assert broken_invariants() == []
    after = snapshot()
    assert after["attendance"] == before["attendance"]
    assert after["records"] == before["records"]
    assert after["ratings"] == before["ratings"]
    other = world["other_group"]
    assert list(other.places.order_by("pk").values_list("status", flat=True)) == [
        status for pk, status, _, group in before["places"] if group == other.pk
    ]


@pytest.mark.parametrize("model", hub_models())
def test_nothing_with_history_can_be_deleted(client, world, model):
    client.force_login(world["manager"])
    counts = {m: m.objects.count() for m in (WorkGroup, Session, Place, WorkGroupEvaluation)}

    for obj in scoping.visible(model.objects.all(), world["manager"]):
        try:
            url = admin_url(obj, "delete")
        except NoReverseMatch:
            continue
        client.post(url, {"post": "yes"})

    assert {m: m.objects.count() for m in counts} == counts


def test_a_signed_off_evaluations_evidence_cannot_be_changed_in_the_admin(client, world):
    client.force_login(world["manager"])
    evaluation = world["group"].evaluation
    before = snapshot()

    page = client.get(admin_url(evaluation))
    client.post(admin_url(evaluation), hostile_form_data(page))
    reopen = client.post(
        reverse("admin:evaluation_reopen", args=[evaluation.pk]), {"reason": "Hub staff"}
    )

    assert reopen.status_code == 404
    assert snapshot() == before
    assert b"Reopen" not in page.content


def test_another_hubs_objects_are_not_found(client, world):
    client.force_login(world["manager"])
    other = world["other_group"]

    for url in [
        admin_url(other),
        reverse("admin:workgroup_capacity", args=[other.pk]),
        reverse("admin:workgroup_status", args=[other.pk]),
        reverse("admin:evaluation_sign_off", args=[other.evaluation.pk]),
        reverse("admin:evaluation_return", args=[other.evaluation.pk]),
    ]:
        response = client.get(url)
        assert response.status_code in (302, 404), url
        assert other.name not in response.content.decode()
    response = client.post(reverse("admin:workgroup_capacity", args=[other.pk]), {"capacity": 50})
    other.refresh_from_db()
    assert other.capacity == 2
