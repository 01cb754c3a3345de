"""Parts of a report on their own: Targeted Support milestones, the themes' words, the edition
hub staff read, versions collated before the present layout, and the PDFs' watchdog."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from evaluations.models import DocumentStatus, NationalReport, ReportDocument, ReportEdition
from evaluations.reports import documents, editions, services, themes
from tests.evaluations.report_factories import hub
from tests.factories import (
    AcademicYearFactory,
    HubMembershipFactory,
    PlaceFactory,
    ProjectFactory,
    WorkGroupFactory,
)
from workgroups.models import (
    Milestone,
    MilestoneStatus,
    MilestoneTerm,
    PlaceStatus,
    WorkGroupStatus,
)

pytestmark = pytest.mark.django_db
SHORT, MEDIUM, LONG = MilestoneTerm.SHORT, MilestoneTerm.MEDIUM, MilestoneTerm.LONG
NOT_STARTED, IN_PROGRESS, ACHIEVED, MISSED = (
    MilestoneStatus.NOT_STARTED,
    MilestoneStatus.IN_PROGRESS,
    MilestoneStatus.ACHIEVED,
    MilestoneStatus.NOT_ACHIEVED,
)


def build(project, year, hub_=None):
    report = services.request_report(project=project, academic_year=year, hub=hub_)
    return services.build_report(report_id=report.pk)


def test_targeted_support_milestones_are_summarised_by_term_status_and_hub():
    year = AcademicYearFactory()
    project = ProjectFactory(activity_type="targeted_support")
    project.years.add(year)
    north, south = hub("North Maths Hub"), hub("South Maths Hub")
    today = timezone.localdate()
    past, future = today - datetime.timedelta(days=10), today + datetime.timedelta(days=30)

    def support(hub_, status, *milestones):
        group = WorkGroupFactory(project=project, academic_year=year, hub=hub_, status=status)
        PlaceFactory(work_group=group, status=PlaceStatus.CONFIRMED)
        for term, state, due in milestones:
            Milestone.objects.create(
                work_group=group, term=term, description="A step", status=state, due_on=due
            )

    support(
        north,
        WorkGroupStatus.RUNNING,
        (SHORT, ACHIEVED, past),
        (MEDIUM, IN_PROGRESS, past),
        (LONG, NOT_STARTED, future),
    )
    support(north, WorkGroupStatus.RUNNING, (SHORT, MISSED, past), (SHORT, NOT_STARTED, past))
    support(south, WorkGroupStatus.COMPLETED, (SHORT, ACHIEVED, past), (MEDIUM, ACHIEVED, past))
    support(south, WorkGroupStatus.CANCELLED, (SHORT, NOT_STARTED, past))  # not counted

    report = build(project, year)

    milestones = report.figures["milestones"]
    # 7 milestones in 3 plans: 3 achieved; overdue are those past due and still open: the
    # medium one in progress and the short one not started.
    assert {key: milestones[key] for key in (
        "groups_with_plans", "total", "achieved", "in_progress", "not_started", "not_achieved",
        "overdue", "achieved_rate",
    )} == {
        "groups_with_plans": 3, "total": 7, "achieved": 3, "in_progress": 1, "not_started": 2,
        "not_achieved": 1, "overdue": 2, "achieved_rate": 42.9,
    }  # fmt: skip
    terms = {row["term"]: (row["total"], row["achieved"], row["overdue"])
             for row in milestones["by_term"]}  # fmt: skip
    assert terms == {"short": (4, 2, 1), "medium": (2, 1, 1), "long": (1, 0, 0)}
    per_hub = {
        row["hub"]: (
            row["milestones"]["groups_with_plans"],
            row["milestones"]["total"],
            row["milestones"]["achieved_rate"],
        )
        for row in report.figures["hubs"]
    }
    assert per_hub == {"North Maths Hub": (2, 5, 20.0), "South Maths Hub": (1, 2, 100.0)}
    keys = {row["key"]: row["value"] for row in report.figures["headline"]}
    assert (keys["milestones"], keys["milestones_achieved_rate"], keys["milestones_overdue"]) == (
        7, 42.9, 2,
    )  # fmt: skip


def test_plurals_fold_and_generic_words_are_not_themes():
    assert themes.fold("models") == "model"
    assert themes.fold("strategies") == "strategy"
    assert themes.fold("class") == "class"
    assert themes.terms("Pupils changed their lessons.") == set()
    assert themes.terms("Bar models; number sense") == {
        "bar", "model", "bar model", "number", "sense", "number sense",
    }  # fmt: skip


def test_two_groups_with_one_name_are_two_groups_and_one_group_is_never_a_theme():
    found = themes.find(
        {
            "evidence": [(1, "Bar models everywhere."), (2, "Bar models again.")],
            "alone": [(3, "Bar models, number sense and fluency.")],
        },
        hub_of={1: 10, 2: 20, 3: 10},
    )

    assert [(t["term"], t["group_ids"], t["hubs"]) for t in found["evidence"]] == [
        ("bar models", [1, 2], 2)
    ]
    assert found["alone"] == []


def test_the_national_figures_edition_keeps_totals_and_drops_every_hubs_details():
    figures = {
        "schema": 2,
        "hubs": [{"hub": "Alpha"}],
        "groups": {"groups": 3, "cancelled_list": [{"name": "Autumn", "hub": "Alpha"}]},
        "findings": {
            "groups": [{"group": "Year 1"}],
            "areas": [{"code": "a", "evidence": [{"group": "Year 1"}]}],
            "themes": [{"source": "a", "themes": [{"term": "bar models", "groups": 2,
                                                   "group_ids": [1, 2], "quotes": [{}]}]}],
        },
    }  # fmt: skip

    shown = editions.apply(figures, ReportEdition.NATIONAL_FIGURES)

    assert shown["hubs"] == []
    assert shown["groups"] == {"groups": 3, "cancelled_list": []}
    assert shown["findings"]["groups"] == []
    assert shown["findings"]["areas"] == [{"code": "a", "evidence": []}]
    assert shown["findings"]["themes"][0]["themes"] == [
        {"term": "bar models", "groups": 2, "group_ids": [], "quotes": []}
    ]
    assert editions.apply(figures, ReportEdition.FULL) is figures


def test_a_version_collated_before_the_present_layout_still_shows_its_headline(client):
    year = AcademicYearFactory()
    north = hub("North Maths Hub")
    report = NationalReport.objects.create(
        project=ProjectFactory(), academic_year=year, hub=north, status="done", is_current=True,
        figures={"schema": 1, "headline": [
            {"key": "groups", "label": "Groups", "value": 4, "unit": ""},
        ]},
    )  # fmt: skip
    client.force_login(HubMembershipFactory(hub=north).user)

    page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    figures = client.get(reverse("reports:csv", args=[report.pk])).content.decode("utf-8-sig")

    assert 'Groups</th><td class="text-end">4</td>' in page
    assert "collated before the report took its present form" in page
    assert "Headline,,Groups,count,4,headline.groups" in figures


def test_the_watchdog_queues_the_pdfs_of_current_versions_that_have_none(
    django_capture_on_commit_callbacks,
):
    year = AcademicYearFactory()
    project = ProjectFactory()
    project.years.add(year)
    report = build(project, year)
    later = timezone.now() + datetime.timedelta(minutes=10)

    assert documents.requeue_missing(now=timezone.now()) == []  # too soon to worry
    with django_capture_on_commit_callbacks(execute=True):
        assert documents.requeue_missing(now=later) == [report.pk]

    built = ReportDocument.objects.filter(report=report, status=DocumentStatus.DONE)
    assert built.count() == 2
    assert documents.requeue_missing(now=later) == []


def test_a_pdf_stuck_building_is_built_again_and_a_failure_keeps_its_reason():
    year = AcademicYearFactory()
    project = ProjectFactory()
    project.years.add(year)
    report = build(project, year)
    an_hour_ago = timezone.now() - datetime.timedelta(hours=1)
    NationalReport.objects.filter(pk=report.pk).update(generated_at=an_hour_ago)
    ReportDocument.objects.create(
        report=report,
        edition=ReportEdition.FULL,
        status=DocumentStatus.BUILDING,
        started_at=an_hour_ago,
    )

    assert list(documents.missing()) == [report]
    built = documents.build_pdfs(report_id=report.pk)

    assert [(d.edition, d.status) for d in built] == [
        (ReportEdition.FULL, DocumentStatus.DONE),
        (ReportEdition.NATIONAL_FIGURES, DocumentStatus.DONE),
    ]
    with pytest.raises(services.ReportError, match="no finished report version"):
        documents.build_pdfs(report_id=999999)
