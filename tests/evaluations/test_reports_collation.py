"""Collating a report: figures worked out by hand, a fixed query count, versions and failures."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evaluations.models import EvaluationStatus, NationalReport, ReportStatus
from evaluations.reports import services, themes
from evaluations.tasks import collate_national_report, collate_year
from tests.evaluations.report_factories import (
    AttendanceFactory,
    GapTaskResponseFactory,
    area,
    busy_group,
    evaluate,
    hub,
    past_session,
    person_in,
)
from tests.evaluations.report_faults import fail_collation_at
from tests.factories import (
    AcademicYearFactory,
    PlaceFactory,
    ProjectFactory,
    SchoolFactory,
    SessionRecordFactory,
    WorkGroupFactory,
)
from workgroups.models import AttendanceStatus, PlaceStatus, WorkGroupStatus

pytestmark = pytest.mark.django_db

PRESENT, LATE, ABSENT, APOLOGIES = (
    AttendanceStatus.PRESENT,
    AttendanceStatus.LATE,
    AttendanceStatus.ABSENT,
    AttendanceStatus.APOLOGIES,
)


@pytest.fixture
def world():
    """Three groups with activity in two hubs (plus a cancelled one and some noise).

    Every expected figure in the tests below is worked out from this data by hand.
    """
    year = AcademicYearFactory()
    project = ProjectFactory(roles=[("Lead participant", 2), ("Maths lead", 1)])
    project.years.add(year)
    project.outcome_areas.set([area("teacher_learning"), area("pupil_learning")])
    lead_role, maths_role = project.roles.order_by("order")
    alpha = hub("Alpha Maths Hub", "Yorkshire and the Humber")
    beta = hub("Beta Maths Hub", "London")
    # Free school meals 10..60: the median of all six schools is (30 + 40) / 2 = 35.
    s1, s2, s3, s4, s5, s6 = (SchoolFactory(fsm_percentage=fsm) for fsm in (10, 20, 30, 40, 50, 60))
    s5.phase = "secondary"
    s5.save()

    def group(hub_, status, name):
        return WorkGroupFactory(
            project=project, academic_year=year, hub=hub_, status=status, name=name
        )

    g1 = group(alpha, WorkGroupStatus.COMPLETED, "Alpha One")
    g2 = group(alpha, WorkGroupStatus.RUNNING, "Alpha Two")
    g3 = group(beta, WorkGroupStatus.COMPLETED, "Beta One")
    group(beta, WorkGroupStatus.CANCELLED, "Beta Cancelled")

    p1 = PlaceFactory(work_group=g1, school=s1, status=PlaceStatus.COMPLETED)
    p2 = PlaceFactory(work_group=g1, school=s2, status=PlaceStatus.COMPLETED)
    p3 = PlaceFactory(work_group=g1, school=s3, status=PlaceStatus.WITHDRAWN)
    p4 = PlaceFactory(work_group=g2, school=s4, status=PlaceStatus.CONFIRMED)
    p1b = PlaceFactory(work_group=g2, school=s1, status=PlaceStatus.CONFIRMED)
    p5 = PlaceFactory(work_group=g3, school=s5, status=PlaceStatus.COMPLETED)
    p6 = PlaceFactory(work_group=g3, school=s6, status=PlaceStatus.WAITLISTED)

    u1 = person_in(p1, lead_role)
    u2 = person_in(p1, maths_role)
    u3 = person_in(p2, lead_role)
    person_in(p2, lead_role, status="withdrawn")
    u5 = person_in(p4, lead_role)
    u1_again = person_in(p1b, lead_role, user=u1.user)
    u6 = person_in(p5, lead_role)
    person_in(p6, lead_role)  # waiting list: not a participant
    person_in(p3, lead_role, status="withdrawn")

    s_1, s_2 = past_session(g1, 1, days_ago=20), past_session(g1, 2, days_ago=10)
    s_3 = past_session(g1, 3, days_ago=5, cancelled=True)
    past_session(g1, 4, days_ago=-7)  # next week: not held yet
    s_5 = past_session(g2, 1)
    s_6, s_7 = past_session(g3, 1, days_ago=20), past_session(g3, 2, days_ago=10)
    marks = [
        (s_1, u1, PRESENT), (s_1, u2, LATE), (s_1, u3, ABSENT),
        (s_2, u1, PRESENT), (s_2, u2, PRESENT), (s_2, u3, APOLOGIES),
        (s_3, u1, PRESENT),  # cancelled session: not counted
        (s_5, u5, PRESENT), (s_5, u1_again, PRESENT),
        (s_6, u6, PRESENT), (s_7, u6, ABSENT),
    ]  # fmt: skip
    for session, registration, status in marks:
        AttendanceFactory(session=session, registration=registration, status=status)

    r1 = SessionRecordFactory(session=s_1, gap_task="Try the bar model.")
    SessionRecordFactory(session=s_2, gap_task="")
    r6 = SessionRecordFactory(session=s_6, gap_task="Ask pupils to explain.")
    for registration, record in ((u1, r1), (u2, r1), (u6, r6)):
        GapTaskResponseFactory(registration=registration, session_record=record)

    evaluate(g1, key_findings="Teachers used bar models confidently.",
             recommendations="Share the bar model materials.", ratings={
                 "teacher_learning": (3, "Bar models in every lesson; number sense improved."),
                 "pupil_learning": (4, "Pupils explained reasoning with bar models."),
             })  # fmt: skip
    evaluate(g2, status=EvaluationStatus.SUBMITTED, ratings={"teacher_learning": (1, "Early.")})
    evaluate(g3, ratings={
        "teacher_learning": (3, "Bar models used widely; teachers planned together."),
        "pupil_learning": (2, ""),
        "practice": (4, "Not an area this project targets."),
    })  # fmt: skip

    # Noise that must not be counted: another project's group, and this project next year.
    other = busy_group(ProjectFactory(), year, alpha)
    next_year = AcademicYearFactory(start_year=year.starts_on.year + 1)
    busy_group(project, next_year, alpha)
    return {"year": year, "project": project, "alpha": alpha, "beta": beta, "other": other}


def build(project, year, hub=None):
    report = services.request_report(project=project, academic_year=year, hub=hub)
    return services.build_report(report_id=report.pk)


def headline(report):
    return {row["key"]: row["value"] for row in report.figures["headline"]}


def test_national_report_figures_match_the_hand_count(world):
    report = build(world["project"], world["year"])

    assert report.status == ReportStatus.DONE
    assert report.progress == 100
    assert report.is_current
    assert headline(report) == {
        "hubs": 2,  # Alpha (completed + running) and Beta (completed); cancelled ones don't reach
        "groups": 4,  # Alpha One, Alpha Two, Beta One, Beta Cancelled
        "groups_completed": 2,
        "groups_cancelled": 1,
        "schools_confirmed": 4,  # s1 (twice), s2, s4, s5; s3 withdrew, s6 waits
        "schools_completed": 3,  # s1, s2, s5
        "participants": 5,  # u1 (in two groups), u2, u3, u5, u6
        "disadvantaged_share": 50.0,  # s4 (40) and s5 (50) of 4 are above the median 35
        "sessions_held": 5,  # Alpha One 2 (one cancelled, one to come), Alpha Two 1, Beta One 2
        "attendance_rate": 70.0,  # 7 present or late of 10 marks
        "gap_tasks_set": 2,  # Alpha One session 1, Beta One session 1
        "gap_task_responses": 3,
        "evaluations_expected": 3,  # running or completed groups
        "evaluations_submitted": 3,  # two signed off plus one awaiting sign-off
        "evaluations_signed_off": 2,
    }


def test_reach_breaks_down_by_hub_region_phase_and_role(world):
    reach = build(world["project"], world["year"]).figures["reach"]

    hubs = [
        (r["hub"], r["schools_confirmed"], r["schools_completed"], r["participants"])
        for r in reach["by_hub"]
    ]
    assert hubs == [("Alpha Maths Hub", 3, 2, 4), ("Beta Maths Hub", 1, 1, 1)]
    assert reach["participants"]["by_role"] == [
        {"label": "Lead participant", "count": 4},  # u1, u3, u5, u6
        {"label": "Maths lead", "count": 1},  # u2
    ]
    phases = {row["label"]: row["schools_confirmed"] for row in reach["by_phase"]}
    assert phases == {"Primary": 3, "Secondary": 1}
    assert reach["disadvantage"]["national_median_fsm"] == 35.0
    assert reach["disadvantage"]["schools_with_fsm"] == 4


def test_engagement_has_attendance_by_hub_and_a_distribution_across_groups(world):
    engagement = build(world["project"], world["year"]).figures["engagement"]

    rates = {row["hub"]: row["attendance_rate"] for row in engagement["by_hub"]}
    assert rates == {"Alpha Maths Hub": 75.0, "Beta Maths Hub": 50.0}  # 6 of 8; 1 of 2
    # Groups: Alpha One 4/6 = 66.7%, Alpha Two 2/2 = 100%, Beta One 1/2 = 50%.
    assert [row["groups"] for row in engagement["attendance_distribution"]] == [0, 2, 0, 0, 1]
    assert engagement["gap_tasks"] == {"set": 2, "responses": 3}


def test_outcomes_count_signed_off_ratings_of_the_areas_the_project_targets(world):
    outcomes = build(world["project"], world["year"]).figures["outcomes"]

    areas = {a["code"]: a for a in outcomes["areas"]}
    assert list(areas) == ["teacher_learning", "pupil_learning"]
    teacher = areas["teacher_learning"]
    assert [r["count"] for r in teacher["ratings"]] == [0, 0, 2, 0]  # Alpha Two's is not signed off
    assert teacher["groups_with_evidence"] == 2
    assert teacher["mean_rating"] == 3.0
    pupil = areas["pupil_learning"]
    assert [r["count"] for r in pupil["ratings"]] == [0, 1, 0, 1]
    assert pupil["groups_with_evidence"] == 1  # Beta One gave a rating but no evidence
    assert [(h["hub"], h["ratings"]) for h in pupil["by_hub"]] == [
        ("Alpha Maths Hub", [0, 0, 0, 1]),
        ("Beta Maths Hub", [0, 1, 0, 0]),
    ]
    assert outcomes["evaluations_by_hub"] == [
        {"hub": "Alpha Maths Hub", "expected": 2, "submitted": 2, "signed_off": 1, "returned": 0},
        {"hub": "Beta Maths Hub", "expected": 1, "submitted": 1, "signed_off": 1, "returned": 0},
    ]


def test_findings_group_evidence_by_area_and_find_the_theme_groups_share(world):
    findings = build(world["project"], world["year"]).figures["findings"]

    assert [(g["group"], g["hub"]) for g in findings["groups"]] == [
        ("Alpha One", "Alpha Maths Hub"),
        ("Beta One", "Beta Maths Hub"),
    ]
    assert findings["groups"][0]["recommendations"] == "Share the bar model materials."
    teacher = findings["areas"][0]
    assert [row["group"] for row in teacher["evidence"]] == ["Alpha One", "Beta One"]
    # Only "bar models" is used by both groups; its words are not repeated on their own.
    assert teacher["themes"] == [
        {"term": "bar models", "score": 1.0, "groups": ["Alpha One", "Beta One"]}
    ]


def test_hub_report_counts_only_that_hubs_groups(world):
    report = build(world["project"], world["year"], world["alpha"])

    figures = headline(report)
    assert (figures["groups"], figures["schools_confirmed"], figures["participants"]) == (2, 3, 4)
    assert figures["attendance_rate"] == 75.0
    assert figures["evaluations_signed_off"] == 1


def test_themes_prefer_terms_other_areas_do_not_use():
    found = themes.distinctive_terms({
        "a": [("G1", "Number sense grew. Fluency too."), ("G2", "Number sense and fluency.")],
        "b": [("G1", "Fluency practice daily."), ("G3", "Fluency practice weekly.")],
    })  # fmt: skip

    # "number sense" is only in area a, so it outranks "fluency", which both areas use.
    assert [t["term"] for t in found["a"]] == ["number sense", "fluency"]
    assert [t["term"] for t in found["b"]] == ["fluency practice"]


def test_collation_issues_the_same_queries_for_2_and_20_groups():
    year = AcademicYearFactory()
    counts = []
    for size in (2, 20):
        project = ProjectFactory()
        project.years.add(year)
        hubs = [hub(f"Hub {size} {n}") for n in range(2)]
        for n in range(size):
            busy_group(project, year, hubs[n % 2])
        report = services.request_report(project=project, academic_year=year)
        with CaptureQueriesContext(connection) as queries:
            report = services.build_report(report_id=report.pk)
        assert headline(report)["groups"] == size
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_running_twice_keeps_both_versions_and_one_current(world):
    project, year = world["project"], world["year"]

    first = NationalReport.objects.get(pk=collate_national_report(project.pk, year.pk))
    second = NationalReport.objects.get(pk=collate_national_report(project.pk, year.pk))

    first.refresh_from_db()
    assert (first.version, second.version) == (1, 2)
    assert (first.status, second.status) == (ReportStatus.DONE, ReportStatus.DONE)
    assert not first.is_current
    assert second.is_current
    assert first.figures["headline"] == second.figures["headline"]


def test_building_a_finished_version_again_changes_nothing(world):
    report = build(world["project"], world["year"])
    generated = report.generated_at

    again = services.build_report(report_id=report.pk)

    assert again.generated_at == generated
    assert NationalReport.objects.filter(project=world["project"]).count() == 1


def test_a_request_while_one_is_queued_returns_that_one(world):
    first = services.request_report(project=world["project"], academic_year=world["year"])
    second = services.request_report(project=world["project"], academic_year=world["year"])

    assert first.pk == second.pk
    assert first.status == ReportStatus.QUEUED


def test_a_failure_is_recorded_with_its_reason_and_the_old_version_stays_current(world):
    project, year = world["project"], world["year"]
    good = build(project, year)

    with (
        fail_collation_at(55, RuntimeError("the disk is full")),
        pytest.raises(RuntimeError),
    ):
        collate_national_report(project.pk, year.pk)

    failed = NationalReport.objects.get(project=project, version=2)
    assert failed.status == ReportStatus.FAILED
    assert failed.error == "The collation stopped: the disk is full"
    assert failed.progress == 55
    assert failed.figures == {}
    assert NationalReport.objects.get(is_current=True, project=project).pk == good.pk


def test_unknown_ids_fail_with_a_readable_reason_and_leave_nothing_behind(world):
    with pytest.raises(services.ReportError, match="There is no project with id 999999"):
        collate_national_report(999999, world["year"].pk)
    with pytest.raises(services.ReportError, match="There is no hub with id 999999"):
        collate_national_report(world["project"].pk, world["year"].pk, 999999)

    assert not NationalReport.objects.exists()


def test_a_project_with_no_groups_gets_an_empty_report():
    year = AcademicYearFactory()
    project = ProjectFactory()

    report = build(project, year)

    assert report.status == ReportStatus.DONE
    assert headline(report)["groups"] == 0
    assert headline(report)["attendance_rate"] is None
    assert report.figures["findings"]["groups"] == []


def test_comparison_shows_change_since_the_previous_years_current_report(world):
    project, year = world["project"], world["year"]
    last_year = AcademicYearFactory(start_year=year.starts_on.year - 1)
    busy_group(project, last_year, world["alpha"], schools=1)
    build(project, last_year)

    comparison = build(project, year).figures["comparison"]

    assert comparison["year"] == last_year.label
    rows = {row["key"]: row for row in comparison["rows"]}
    assert (rows["groups"]["previous"], rows["groups"]["delta"]) == (1, 3)
    assert (rows["attendance_rate"]["previous"], rows["attendance_rate"]["delta"]) == (100.0, -30.0)


def test_collate_year_builds_national_and_hub_reports_for_every_running_project(
    world, django_capture_on_commit_callbacks
):
    quiet = ProjectFactory()
    quiet.years.add(world["year"])

    with django_capture_on_commit_callbacks(execute=True):
        queued = collate_year(world["year"].pk)

    reports = NationalReport.objects.filter(academic_year=world["year"])
    # The project: national + Alpha + Beta; the quiet project: national only. The "other"
    # project's group is in a project not running that year, so it has no report.
    assert queued == 4
    assert sorted(str(r.hub or "national") for r in reports.filter(project=world["project"])) == [
        "Alpha Maths Hub", "Beta Maths Hub", "national",
    ]  # fmt: skip
    assert all(r.status == ReportStatus.DONE and r.is_current for r in reports)
