"""Collating a report: every figure of a hand-made year worked out by hand, a fixed query count,
versions only when something changed, and failures.

The year is ``report_world.build_world`` (its docstring has the table of groups). Each
expected number below says how it was counted.
"""

import math
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from evaluations.models import DocumentStatus, NationalReport, ReportDocument, ReportStatus
from evaluations.reports import services
from evaluations.tasks import collate_national_report, collate_year
from tests.evaluations.report_factories import busy_group, hub
from tests.evaluations.report_faults import fail_collation_at
from tests.evaluations.report_world import build_world
from tests.factories import AcademicYearFactory, ProjectFactory
from workgroups.models import WorkGroupStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    w = build_world()
    # Noise that must not be counted: another project's group, and this project next year.
    busy_group(ProjectFactory(), w.year, w.alpha)
    next_year = AcademicYearFactory(start_year=w.year.starts_on.year + 1)
    busy_group(w.project, next_year, w.alpha)
    return w


def build(project, year, hub=None):
    report = services.request_report(project=project, academic_year=year, hub=hub)
    return services.build_report(report_id=report.pk)


def headline(report):
    return {row["key"]: row["value"] for row in report.figures["headline"]}


def by_hub(report):
    return {row["hub"]: row for row in report.figures["hubs"]}


def test_national_headline_matches_the_hand_count(world):
    report = build(world.project, world.year)

    assert report.status == ReportStatus.DONE
    assert report.is_current
    assert headline(report) == {
        "hubs": 3,
        "groups": 6,  # A1 A2 A3 B1 B2 G1; not the cancelled BX nor the draft AD
        "groups_completed": 5,
        "groups_running": 1,  # A2
        "groups_cancelled": 1,  # BX, listed apart
        # pA pB pD (A1), pE (A2), pM (A3), sA pH pI (B1: pI withdrew after attending),
        # pL (B2), pK sC (G1); not pC (withdrew before any session), pF (waits), pG
        # (declined), nor BX's pJ and sB.
        "schools": 11,
        "schools_completed": 8,  # pA pB pD pM sA pL pK sC
        "school_completion_rate": 80.0,  # 8 of the 10 in completed groups (all but pE)
        # a1 (in A1 and A2, once) a2 b1 d1 e1 o1 h1 h2 i1 n1 l1 m1 registered now, and b2
        # and j1, who attended and then withdrew; not c1 (never came), f1 (waits), g1
        # (declined) nor k1 and k2 (cancelled group, though k1 attended).
        "participants": 14,
        "people_completed": 10,  # a1 a2 b1 d1 o1 h1 h2 n1 l1 m1
        "people_completion_rate": 76.9,  # 10 of the 13 in completed groups (all but e1)
        "schools_withdrawn": 2,  # pC, pI
        "people_withdrawn": 3,  # c1, b2, j1 (g1 was declined, k1 k2 cancelled)
        # Above their phase's median: pB pD pE pH pI pK (primary, over 30) and sC
        # (secondary, over 25): 7 of 11.
        "disadvantaged_share": 63.6,
        "sessions_held": 10,  # A1 3, A2 1, A3 1, B1 2, B2 1, G1 2
        "attendance_rate": 82.1,  # 23 present or late of 28 marks
        "apologies_rate": 7.1,  # 2 of 28
        "absence_rate": 10.7,  # 3 of 28
        "gap_tasks_set": 2,  # A1 s1, B1 t1 (BX's does not count)
        "gap_task_responses": 3,  # a1 b1 h1
        "evaluations_expected": 5,  # the completed groups; not the running A2
        "evaluations_signed_off": 3,  # A1 B1 G1
        "evaluations_awaiting": 1,  # A3
        "evaluations_returned": 1,  # B2
    }


def test_reach_counts_completion_and_withdrawals_and_when(world):
    reach = build(world.project, world.year).figures["reach"]

    totals = reach["totals"]
    assert totals == {
        "schools": 11,
        "schools_completed": 8,
        "schools_not_completed": 1,  # pH
        "schools_started": 10,
        "schools_withdrawn": 2,
        "schools_withdrawn_after_attending": 1,  # pI
        "schools_withdrawn_before_start": 1,  # pC, 40 days ago; A1 first met 30 days ago
        "schools_withdrawn_after_start": 1,  # pI, 20 days ago; B1 first met 25 days ago
        "schools_withdrawn_not_recorded": 0,
        "schools_fsm_known": 11,
        "schools_above_median": 7,
        "participants": 14,
        "participants_active": 12,
        "people_started": 13,  # a1 a2 b1 b2 d1, o1, h1 h2 i1 j1, n1, l1 m1
        "people_completed": 10,
        "people_not_completed": 1,  # i1
        "people_withdrawn": 3,
        "people_withdrawn_after_attending": 2,  # b2, j1
        "people_withdrawn_before_start": 1,  # c1
        "people_withdrawn_after_start": 2,  # b2 (15 days ago), j1 (20 days ago)
        "people_withdrawn_not_recorded": 0,
        "school_completion_rate": 80.0,
        "people_completion_rate": 76.9,
    }
    when = Counter()
    for days, kind in ((40, "schools"), (20, "schools"), (40, "people"), (15, "people"),
                       (20, "people")):  # fmt: skip
        when[(timezone.localtime(world.ago(days)).strftime("%Y-%m"), kind)] += 1
    months = {(row["month"], kind): row[kind] for row in reach["withdrawals_by_month"]
              for kind in ("schools", "people") if row[kind]}  # fmt: skip
    assert months == dict(when)


def test_reach_by_hub_region_phase_and_role(world):
    report = build(world.project, world.year)

    hubs = {
        name: (row["region"], row["groups"], row["running"], row["completed"], row["cancelled"],
               row["schools"], row["schools_completed"], row["school_completion_rate"],
               row["participants"], row["people_completion_rate"], row["schools_withdrawn"],
               row["people_withdrawn"])
        for name, row in by_hub(report).items()
    }  # fmt: skip
    assert hubs == {
        # pA pB pD pE pM; 4 of 4 in completed groups; a1 a2 b1 b2 d1 e1 o1, 5 of 6; pC; c1 b2
        "Alpha Maths Hub": ("Yorkshire and the Humber", 3, 1, 2, 0, 5, 4, 100.0, 7, 83.3, 1, 2),
        # sA pH pI pL, 2 of 4; h1 h2 i1 j1 n1, 3 of 5; pI; j1. BX is cancelled.
        "Beta Maths Hub": ("London", 2, 0, 2, 1, 4, 2, 50.0, 5, 60.0, 1, 1),
        "Gamma Maths Hub": ("North West", 1, 0, 1, 0, 2, 2, 100.0, 2, 100.0, 0, 0),
    }
    reach = report.figures["reach"]
    regions = {row["label"]: (row["schools"], row["participants"]) for row in reach["by_region"]}
    assert regions == {"Yorkshire and the Humber": (5, 7), "London": (4, 5), "North West": (2, 2)}
    phases = {
        row["label"]: (row["schools"], row["schools_completed"], row["participants"])
        for row in reach["by_phase"]
    }
    # Secondary: sA (h1 h2) and sC (m1).
    assert phases == {"Primary": (9, 6, 11), "Secondary": (2, 2, 3)}
    assert reach["by_role"] == [
        {"label": "Lead participant", "count": 12},
        {"label": "Maths lead", "count": 2},  # a2, h2
    ]


def test_disadvantage_is_benchmarked_against_schools_of_the_same_phase(world):
    disadvantage = build(world.project, world.year).figures["reach"]["disadvantage"]

    # Open state-funded schools with a figure; the independent and closed ones are left out.
    assert disadvantage["benchmarks"] == [
        {"label": "Primary", "median": 30.0, "schools": 13},
        {"label": "Secondary", "median": 25.0, "schools": 3},
    ]
    assert (disadvantage["schools_above_median"], disadvantage["schools_with_fsm"]) == (7, 11)
    assert disadvantage["share"] == 63.6


def test_attendance_shows_apologies_apart_from_absence(world):
    report = build(world.project, world.year)
    engagement = report.figures["engagement"]

    assert engagement["sessions"] == {"held": 10, "cancelled": 2, "to_come": 1}
    assert engagement["attendance"] == {
        "marks": 28, "present": 20, "late": 3, "apologies": 2, "absent": 3, "attended": 23,
        "rate": 82.1, "apologies_rate": 7.1, "absence_rate": 10.7,
    }  # fmt: skip
    # A2 1 of 2 = 50%; B1 5 of 7 = 71%; A1 11 of 13 = 85%; A3, B2 and G1 all there.
    distribution = [row["groups"] for row in engagement["attendance_distribution"]]
    assert distribution == [0, 1, 1, 1, 3]
    assert engagement["gap_tasks"] == {"set": 2, "responses": 3}
    attendance = {name: row["attendance"]["rate"] for name, row in by_hub(report).items()}
    # Alpha: 13 of 16 marks (A1 11 of 13, A2 1 of 2, A3 1 of 1); Beta 6 of 8; Gamma 4 of 4.
    assert attendance == {"Alpha Maths Hub": 81.2, "Beta Maths Hub": 75.0, "Gamma Maths Hub": 100.0}
    held = {name: (row["sessions_held"], row["sessions_cancelled"]) for name, row in
            by_hub(report).items()}  # fmt: skip
    assert held == {"Alpha Maths Hub": (5, 1), "Beta Maths Hub": (3, 0), "Gamma Maths Hub": (2, 1)}


def test_evaluations_are_expected_only_from_completed_groups(world):
    report = build(world.project, world.year)

    assert report.figures["evaluations"] == {
        "expected": 5, "signed_off": 3, "awaiting": 1, "returned": 1, "draft": 0,
        "not_started": 0, "signed_off_early": 0, "signed_off_rate": 60.0,
    }  # fmt: skip
    per_hub = {
        name: (row["evaluations"]["expected"], row["evaluations"]["signed_off"],
               row["evaluations"]["awaiting"], row["evaluations"]["returned"])
        for name, row in by_hub(report).items()
    }  # fmt: skip
    assert per_hub == {
        "Alpha Maths Hub": (2, 1, 1, 0),
        "Beta Maths Hub": (2, 1, 0, 1),
        "Gamma Maths Hub": (1, 1, 0, 0),
    }


def test_ratings_come_from_signed_off_evaluations_of_the_projects_areas(world):
    report = build(world.project, world.year)

    areas = {area["code"]: area for area in report.figures["outcomes"]["areas"]}
    assert list(areas) == ["teacher_learning", "pupil_learning"]
    teacher, pupil = areas["teacher_learning"], areas["pupil_learning"]
    # A1 3, B1 3, G1 2; A3's 1 is only submitted.
    assert [r["count"] for r in teacher["ratings"]] == [0, 1, 2, 0]
    assert (teacher["mean_rating"], teacher["groups_with_evidence"]) == (2.67, 3)
    # A1 4, B1 2, G1 3 (without evidence).
    assert [r["count"] for r in pupil["ratings"]] == [0, 1, 1, 1]
    assert (pupil["mean_rating"], pupil["groups_with_evidence"]) == (3.0, 2)
    gamma = by_hub(report)["Gamma Maths Hub"]["areas"]
    assert [(a["mean_rating"], a["groups_with_evidence"]) for a in gamma] == [(2.0, 1), (3.0, 0)]
    evidence = report.figures["findings"]["areas"][0]["evidence"]
    assert [(row["group"], row["hub"]) for row in evidence] == [
        ("Year 1 Work Group", "Alpha Maths Hub"),
        ("Year 1 Work Group", "Beta Maths Hub"),
        ("Gamma Work Group", "Gamma Maths Hub"),
    ]


def test_cancelled_groups_are_listed_but_counted_nowhere(world):
    report = build(world.project, world.year)

    assert report.figures["groups"] == {
        "groups": 6, "recruiting": 0, "running": 1, "completed": 5, "cancelled": 1, "drafts": 1,
        "cancelled_list": [{
            "name": "Autumn Work Group", "group_id": world.BX.pk, "hub": "Beta Maths Hub",
            "schools": 2, "people": 2,
            "cancelled_on": timezone.localdate(world.ago(18)).isoformat(),
        }],
    }  # fmt: skip


def themes_of(report):
    found = report.figures["findings"]
    names = {row["group_id"]: f"{row['group']}, {row['hub']}" for row in found["groups"]}
    return {
        source["source"]: [
            (theme["term"], [names[group] for group in theme["group_ids"]], theme["hubs"],
             theme["score"])
            for theme in source["themes"]
        ]
        for source in found["themes"]
    }  # fmt: skip


def test_themes_count_groups_by_id_need_two_and_come_from_findings_too(world):
    report = build(world.project, world.year)

    idf = {sources: 1 + math.log((1 + 4) / (1 + sources)) for sources in (2, 3)}
    a1, b1, g1 = (
        "Year 1 Work Group, Alpha Maths Hub",
        "Year 1 Work Group, Beta Maths Hub",
        ("Gamma Work Group, Gamma Maths Hub"),
    )
    assert themes_of(report) == {
        # Three groups, two of them with the same name. "bar models" is also in a pupil
        # evidence and a key finding (3 of the 4 sources); "number sense" in 2.
        "area:teacher_learning": [
            ("bar models", [a1, b1, g1], 3, round(1 * idf[3], 3)),
            ("number sense", [a1, b1], 2, round(2 / 3 * idf[2], 3)),
        ],
        # No content word two groups share: "pupils" and "changed" are not themes.
        "area:pupil_learning": [],
        # A3 and B2 also wrote of supply cover, but theirs are not signed off.
        "key_findings": [("supply cover", [a1, b1], 2, round(2 / 3 * idf[2], 3))],
        "recommendations": [("supply cover", [a1, g1], 2, round(1 * idf[2], 3))],
    }
    bar_models = report.figures["findings"]["themes"][0]["themes"][0]
    assert [quote["text"] for quote in bar_models["quotes"]] == [
        "Teachers planned with bar models and talked about number sense.",
        "Bar models in every lesson; number sense grew.",
        "Using bar models was new to most teachers.",
    ]


def test_a_single_groups_words_are_never_recurring_themes(world):
    report = build(world.project, world.year, world.gamma)

    assert all(not source["themes"] for source in report.figures["findings"]["themes"])
    assert headline(report)["groups"] == 1


def test_hub_report_counts_only_that_hubs_groups(world):
    report = build(world.project, world.year, world.alpha)

    figures = headline(report)
    assert (figures["groups"], figures["schools"], figures["participants"]) == (3, 5, 7)
    assert (figures["schools_completed"], figures["people_completed"]) == (4, 5)
    assert figures["attendance_rate"] == 81.2
    assert (figures["evaluations_expected"], figures["evaluations_signed_off"]) == (2, 1)
    assert figures["groups_cancelled"] == 0
    assert report.figures["scope"]["hub"] == {"id": world.alpha.pk, "name": "Alpha Maths Hub"}


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


# Versions -----------------------------------------------------------------------------------


def test_an_unchanged_rebuild_keeps_the_version(world):
    project, year = world.project, world.year
    first = NationalReport.objects.get(pk=collate_national_report(project.pk, year.pk))

    again = NationalReport.objects.get(pk=collate_national_report(project.pk, year.pk))

    first.refresh_from_db()
    assert again.same_as_id == first.pk
    assert first.is_current
    assert first.version == 1
    assert first.checked_at is not None
    assert list(NationalReport.objects.versions().filter(project=project)) == [first]


def test_a_change_in_any_figure_makes_a_new_version(world):
    project, year = world.project, world.year
    first = build(project, year)
    world.people["i1"].place.status = "completed"
    world.people["i1"].place.save()

    second = build(project, year)

    first.refresh_from_db()
    assert (first.is_current, second.is_current, second.version) == (False, True, 2)
    assert second.fingerprint != first.fingerprint
    assert headline(second)["schools_completed"] == headline(first)["schools_completed"] + 1


def test_the_nightly_run_leaves_unchanged_reports_alone_however_often_it_runs(world):
    for _night in range(3):
        # What collate_year does, with each build run here as a worker would run it.
        for report in services.request_year(academic_year=world.year):
            services.build_report(report_id=report.pk)

    reports = NationalReport.objects.filter(project=world.project, academic_year=world.year)
    # National plus Alpha, Beta and Gamma: one version each, and only the last night's check
    # beside it.
    assert sorted((str(r.hub or "national"), r.version) for r in reports.versions()) == [
        ("Alpha Maths Hub", 1), ("Beta Maths Hub", 1), ("Gamma Maths Hub", 1), ("national", 1),
    ]  # fmt: skip
    assert reports.exclude(same_as=None).count() == 4
    assert all(r.checked_at for r in reports.versions())


def test_a_new_version_after_unchanged_checks_takes_the_next_number(world):
    project, year = world.project, world.year
    build(project, year)
    build(project, year)  # unchanged: a check, not a version
    world.A2.status = WorkGroupStatus.COMPLETED
    world.A2.save()

    newest = build(project, year)

    assert newest.version == 2
    assert list(NationalReport.objects.filter(project=project).values_list("version", flat=True)
                .order_by("version")) == [1, 2]  # fmt: skip


def test_building_a_finished_version_again_changes_nothing(world):
    report = build(world.project, world.year)
    generated = report.generated_at

    again = services.build_report(report_id=report.pk)

    assert again.generated_at == generated
    assert NationalReport.objects.filter(project=world.project).count() == 1


def test_a_request_while_one_is_queued_returns_that_one(world):
    first = services.request_report(project=world.project, academic_year=world.year)
    second = services.request_report(project=world.project, academic_year=world.year)

    assert first.pk == second.pk
    assert first.status == ReportStatus.QUEUED


def test_a_failure_is_recorded_with_its_reason_and_the_old_version_stays_current(world):
    project, year = world.project, world.year
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
        collate_national_report(999999, world.year.pk)
    with pytest.raises(services.ReportError, match="There is no hub with id 999999"):
        collate_national_report(world.project.pk, world.year.pk, 999999)

    assert not NationalReport.objects.exists()


def test_a_project_with_no_groups_gets_an_empty_report():
    year = AcademicYearFactory()
    project = ProjectFactory()

    report = build(project, year)

    assert report.status == ReportStatus.DONE
    assert headline(report)["groups"] == 0
    assert headline(report)["attendance_rate"] is None
    assert headline(report)["school_completion_rate"] is None
    assert report.figures["findings"]["groups"] == []
    assert report.figures["milestones"] is None


def test_comparison_shows_change_since_the_previous_years_current_report(world):
    project, year = world.project, world.year
    last_year = AcademicYearFactory(start_year=year.starts_on.year - 1)
    busy_group(project, last_year, world.alpha, schools=1)
    build(project, last_year)

    comparison = build(project, year).figures["comparison"]

    assert comparison["year"] == last_year.label
    rows = {row["key"]: row for row in comparison["rows"]}
    assert (rows["groups"]["previous"], rows["groups"]["delta"]) == (1, 5)
    assert (rows["attendance_rate"]["previous"], rows["attendance_rate"]["delta"]) == (100.0, -17.9)


def test_collate_year_builds_every_report_of_the_year_and_their_pdfs(
    django_capture_on_commit_callbacks, settings
):
    settings.REPORT_PDFS_ON_PUBLISH = True  # as where workers run the tasks
    year = AcademicYearFactory()
    project = ProjectFactory()
    project.years.add(year)
    busy_group(project, year, hub("Alpha Maths Hub"), schools=1)
    busy_group(ProjectFactory(), year, hub("Beta Maths Hub"))  # a project not running that year

    with django_capture_on_commit_callbacks(execute=True):
        queued = collate_year(year.pk)

    reports = NationalReport.objects.filter(academic_year=year)
    assert queued == 2
    assert sorted(str(r.hub or "national") for r in reports) == ["Alpha Maths Hub", "national"]
    assert all(r.status == ReportStatus.DONE and r.is_current for r in reports)
    documents = ReportDocument.objects.filter(report__in=reports, status=DocumentStatus.DONE)
    # The national report in two editions, the hub's in one.
    assert documents.count() == 3
    assert all(bytes(document.pdf).startswith(b"%PDF") for document in documents)
