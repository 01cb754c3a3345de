"""A small national year made by hand, whose every figure is worked out in the tests.

Three hubs. Alpha and Beta each have a group called "Year 1 Work Group"; Gamma has one group
only. Alpha also has a running group and a completed one whose evaluation awaits sign-off;
Beta a completed group whose evaluation was returned, and a cancelled group whose schools and
people must not be counted. In the groups: a school that withdrew before the first session, a
school and a person who withdrew after attending, a late joiner, a school promoted from the
waiting list, a waiting school, a declined school, apologies, absence, a cancelled session, a
session still to come, a school and a person in two groups.

    group                hub    status     schools (place)                      evaluation
    A1 Year 1 Work Group Alpha  completed  pA done, pB done, pC withdrew, pD done signed off
    A2 Reception WG      Alpha  running    pA, pE confirmed; pF waits; pG declined  draft
    A3 Year 3 Work Group Alpha  completed  pM done                              submitted
    AD Summer Work Group Alpha  draft      -
    B1 Year 1 Work Group Beta   completed  sA done, pH confirmed, pI withdrew   signed off
    B2 Year 2 Work Group Beta   completed  pL done                              returned
    BX Autumn Work Group Beta   cancelled  pJ, sB (released)                    draft
    G1 Gamma Work Group  Gamma  completed  pK done, sC done                     signed off
"""

import datetime

from django.utils import timezone

from evaluations.models import EvaluationStatus
from participants.models import SchoolStatus
from tests.evaluations.report_factories import (
    AttendanceFactory,
    GapTaskResponseFactory,
    area,
    evaluate,
    hub,
)
from tests.factories import (
    AcademicYearFactory,
    LocalAuthorityFactory,
    PlaceFactory,
    ProjectFactory,
    RegistrationFactory,
    SchoolFactory,
    SessionFactory,
    SessionRecordFactory,
    UserFactory,
    WorkGroupFactory,
    region,
)
from workgroups.models import (
    CLOSED_PLACE_STATUSES,
    AttendanceStatus,
    PlaceStatus,
    WorkGroupStatus,
)

P, L, A, X = (
    AttendanceStatus.PRESENT,
    AttendanceStatus.LATE,
    AttendanceStatus.APOLOGIES,
    AttendanceStatus.ABSENT,
)
DONE, CONFIRMED, WITHDRAWN = PlaceStatus.COMPLETED, PlaceStatus.CONFIRMED, PlaceStatus.WITHDRAWN


class World(dict):
    """The objects of the year by their names in the table above (and ``people``)."""

    def __getattr__(self, name):
        return self[name]


def build_world() -> World:
    now = timezone.now()

    def ago(days: int) -> datetime.datetime:
        return now - datetime.timedelta(days=days)

    w = World(now=now, ago=ago, people={})
    w["year"] = AcademicYearFactory()
    w["project"] = project = ProjectFactory(
        title="Mastering Number", roles=[("Lead participant", 2), ("Maths lead", 1)]
    )
    project.years.add(w.year)
    project.outcome_areas.set([area("teacher_learning"), area("pupil_learning")])
    lead_role, maths_role = project.roles.order_by("order")

    w["alpha"] = hub("Alpha Maths Hub", "Yorkshire and the Humber")
    w["beta"] = hub("Beta Maths Hub", "London")
    w["gamma"] = hub("Gamma Maths Hub", "North West")
    authorities = {
        key: LocalAuthorityFactory(name=name, region=region(region_name), hub=w[key])
        for key, name, region_name in (
            ("alpha", "Leeds", "Yorkshire and the Humber"),
            ("beta", "Camden", "London"),
            ("gamma", "Bolton", "North West"),
        )
    }

    def school(name, fsm, key, phase="primary", **extra):
        return SchoolFactory(
            name=name, fsm_percentage=fsm, phase=phase, local_authority=authorities[key], **extra
        )

    # Primary FSM %: 5 10 12 15 20 25 [30] 35 40 45 50 55 60, median 30. Secondary: 8 [25] 70.
    for name, fsm, key in (
        ("pA", 10, "alpha"), ("pB", 40, "alpha"), ("pC", 30, "alpha"), ("pD", 50, "alpha"),
        ("pE", 60, "alpha"), ("pF", 20, "alpha"), ("pG", 5, "alpha"), ("pM", 25, "alpha"),
        ("pH", 35, "beta"), ("pI", 55, "beta"), ("pJ", 12, "beta"), ("pL", 15, "beta"),
        ("pK", 45, "gamma"),
    ):  # fmt: skip
        w[name] = school(name, fsm, key)
    for name, fsm, key in (("sA", 25, "beta"), ("sB", 8, "beta"), ("sC", 70, "gamma")):
        w[name] = school(name, fsm, key, phase="secondary")
    # Left out of the benchmark: not state-funded, and closed.
    school("Independent", 90, "alpha", is_state_funded=False)
    school("Closed", 95, "alpha", status=SchoolStatus.CLOSED)

    def group(key, hub_key, name, status, **extra):
        w[key] = WorkGroupFactory(
            project=project, academic_year=w.year, hub=w[hub_key], name=name, status=status,
            **extra,
        )  # fmt: skip

    group("A1", "alpha", "Year 1 Work Group", WorkGroupStatus.COMPLETED)
    group("A2", "alpha", "Reception Work Group", WorkGroupStatus.RUNNING)
    group("A3", "alpha", "Year 3 Work Group", WorkGroupStatus.COMPLETED)
    group("AD", "alpha", "Summer Work Group", WorkGroupStatus.DRAFT)
    group("B1", "beta", "Year 1 Work Group", WorkGroupStatus.COMPLETED)
    group("B2", "beta", "Year 2 Work Group", WorkGroupStatus.COMPLETED)
    group("BX", "beta", "Autumn Work Group", WorkGroupStatus.CANCELLED, cancelled_at=ago(18))
    group("G1", "gamma", "Gamma Work Group", WorkGroupStatus.COMPLETED)

    def place(group_key, school_key, status, requested=60, decided=None):
        return PlaceFactory(
            work_group=w[group_key], school=w[school_key], status=status,
            requested_at=ago(requested), decided_at=ago(decided) if decided else None,
        )  # fmt: skip

    def person(name, place_, role=lead_role, user=None, **extra):
        user = user or UserFactory(school=place_.school, first_name=name, last_name="Teacher")
        if place_.status in CLOSED_PLACE_STATUSES and "status" not in extra:
            # Everyone in a completed school completed; nobody in one that did not.
            extra["completion"] = place_.status
        w.people[name] = RegistrationFactory(place=place_, user=user, role=role, **extra)
        return w.people[name]

    def withdrawn(days):
        return {"status": "withdrawn", "withdrawn_at": ago(days)}

    # A1: pC withdrew before the first session; b2 withdrew after two; d1 joined late, from pD,
    # the school promoted from the waiting list.
    pA1, pB1 = place("A1", "pA", DONE), place("A1", "pB", DONE)
    pC1 = place("A1", "pC", WITHDRAWN, decided=40)
    pD1 = place("A1", "pD", DONE, requested=45, decided=32)
    a1 = person("a1", pA1)
    person("a2", pA1, role=maths_role)
    person("b1", pB1)
    person("b2", pB1, **withdrawn(15))
    person("c1", pC1, **withdrawn(40))
    person("d1", pD1)
    # A2: pA and a1 again; pF waits; pG was declined (its person withdrawn by the decline).
    person("a1 in A2", place("A2", "pA", CONFIRMED), user=a1.user)
    person("e1", place("A2", "pE", CONFIRMED))
    person("f1", place("A2", "pF", PlaceStatus.WAITLISTED))
    person("g1", place("A2", "pG", PlaceStatus.DECLINED, decided=20), **withdrawn(20))
    person("o1", place("A3", "pM", DONE))
    # B1: pH kept its place but did not complete; pI (and j1) withdrew after the first session.
    person("h1", place("B1", "sA", DONE))
    person("h2", w.people["h1"].place, role=maths_role)
    person("i1", place("B1", "pH", PlaceStatus.NOT_COMPLETED))
    person("j1", place("B1", "pI", WITHDRAWN, decided=20), **withdrawn(20))
    person("n1", place("B2", "pL", DONE))
    person("k1", place("BX", "pJ", WITHDRAWN, decided=18), **withdrawn(18))
    person("k2", place("BX", "sB", WITHDRAWN, decided=18), **withdrawn(18))
    person("l1", place("G1", "pK", DONE))
    person("m1", place("G1", "sC", DONE))

    def session(key, group_key, number, days, cancelled=False):
        starts = ago(days)
        w[key] = SessionFactory(
            work_group=w[group_key], number=number, starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=2), cancelled=cancelled,
        )  # fmt: skip

    for key, group_key, number, days, cancelled in (
        ("s1", "A1", 1, 30, False), ("s2", "A1", 2, 20, False), ("s3", "A1", 3, 10, False),
        ("s4", "A1", 4, 15, True),
        ("r1", "A2", 1, 7, False), ("r2", "A2", 2, -7, False),
        ("w1", "A3", 1, 12, False),
        ("t1", "B1", 1, 25, False), ("t2", "B1", 2, 12, False),
        ("v1", "B2", 1, 9, False),
        ("x1", "BX", 1, 22, False),
        ("u1", "G1", 1, 14, False), ("u2", "G1", 2, 8, True), ("u3", "G1", 3, 3, False),
    ):  # fmt: skip
        session(key, group_key, number, days, cancelled)

    marks = {
        "s1": [("a1", P), ("a2", L), ("b1", P), ("b2", P)],
        "s2": [("a1", P), ("a2", A), ("b1", X), ("b2", P), ("d1", P)],
        "s3": [("a1", P), ("a2", P), ("b1", P), ("d1", L)],
        "s4": [("a1", P)],  # cancelled: not counted
        "r1": [("a1 in A2", P), ("e1", X)],
        "w1": [("o1", P)],
        "t1": [("h1", P), ("h2", P), ("i1", P), ("j1", P)],
        "t2": [("h1", P), ("h2", X), ("i1", A)],
        "v1": [("n1", P)],
        "x1": [("k1", P)],  # the cancelled group's: not counted
        "u1": [("l1", P), ("m1", P)],
        "u3": [("l1", P), ("m1", L)],
    }
    for key, rows in marks.items():
        for name, status in rows:
            AttendanceFactory(session=w[key], registration=w.people[name], status=status)

    gap_tasks = {"s1": ["a1", "b1"], "t1": ["h1"], "x1": ["k1"]}
    for key, names in gap_tasks.items():
        record = SessionRecordFactory(session=w[key], gap_task="Try the bar model in class.")
        for name in names:
            GapTaskResponseFactory(registration=w.people[name], session_record=record)
    SessionRecordFactory(session=w.u1, gap_task="")

    evaluate(w.A1, key_findings="Supply cover was hard to arrange. Bar models helped pupils "
             "reason.", recommendations="Fund supply cover for release time.", ratings={
                 "teacher_learning": (3, "Teachers planned with bar models and talked about "
                                         "number sense."),
                 "pupil_learning": (4, "Pupils explained their reasoning with bar models. "
                                       "Pupils changed a lot."),
             })  # fmt: skip
    evaluate(w.B1, key_findings="Supply cover limited attendance. Number sense improved.",
             recommendations="", ratings={
                 "teacher_learning": (3, "Bar models in every lesson; number sense grew."),
                 "pupil_learning": (2, "Pupils used stem sentences."),
             })  # fmt: skip
    evaluate(w.G1, key_findings="Teachers changed how they plan.",
             recommendations="More supply cover would help.", ratings={
                 "teacher_learning": (2, "Using bar models was new to most teachers."),
                 "pupil_learning": (3, ""),
             })  # fmt: skip
    evaluate(
        w.A3,
        status=EvaluationStatus.SUBMITTED,
        key_findings="Supply cover, bar models.",
        ratings={"teacher_learning": (1, "Bar models and supply cover, too early.")},
    )
    evaluate(w.B2, status=EvaluationStatus.RETURNED, key_findings="Supply cover again.")
    evaluate(w.A2, status=EvaluationStatus.DRAFT, key_findings="Supply cover.")
    evaluate(w.BX, status=EvaluationStatus.DRAFT, key_findings="Supply cover.")
    return w
