"""``manage.py import_schools``: GIAS extracts, links and LA→hub maps, as an operator runs it."""

import csv
import datetime
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from participants.models import Hub, LocalAuthority, Region, School
from projects.models import Recruitment
from tests.factories import (
    AcademicYearFactory,
    PlaceFactory,
    ProjectFactory,
    TeacherFactory,
    WorkGroupFactory,
)
from workgroups.eligibility import eligibility
from workgroups.models import PlaceStatus

DATA = Path(__file__).resolve().parent.parent / "data"
SAMPLE = DATA / "gias_sample.csv"
LINKS = DATA / "gias_links_sample.csv"
HUBS = DATA / "la_to_hub.csv"
QUOTE = "\u2019"  # the curly apostrophe GIAS names use


def run_import(*args) -> str:
    out = io.StringIO()
    call_command("import_schools", *[str(arg) for arg in args], stdout=out)
    return out.getvalue()


def read_sample() -> tuple[list[str], list[list[str]]]:
    with SAMPLE.open(encoding="cp1252", newline="") as handle:
        header, *rows = csv.reader(handle)
    return header, rows


def write_gias(path: Path, header: list[str], rows, encoding: str = "cp1252") -> Path:
    """Write a CSV the way GIAS does: Windows-1252, CRLF line ends."""
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def sample_with(path: Path, urn: str, **changes: str) -> Path:
    """The sample extract with some columns of one school's row changed."""
    header, rows = read_sample()
    for row in rows:
        if row[0] == urn:
            for column, value in changes.items():
                row[header.index(column)] = value
    return write_gias(path, header, rows)


def generated_extract(path: Path, count: int) -> Path:
    """A real-sized extract: the GIAS header and ``count`` plausible rows, in Windows-1252."""
    header, rows = read_sample()
    template = rows[0]
    column = {name: position for position, name in enumerate(header)}
    authorities = [("383", "Leeds", "D"), ("330", "Birmingham", "F"), ("881", "Essex", "G")]
    phases = ["Primary", "Secondary", "Nursery", "All-through", "16 plus"]

    def rows_():
        for n in range(count):
            row = list(template)
            code, name, gor = authorities[n % len(authorities)]
            row[column["URN"]] = str(100000 + n)
            row[column["EstablishmentName"]] = f"St Mary{QUOTE}s School {n}"
            row[column["LA (code)"]], row[column["LA (name)"]] = code, name
            row[column["GOR (code)"]] = gor
            row[column["PhaseOfEducation (name)"]] = phases[n % len(phases)]
            row[column["PercentageFSM"]] = f"{n % 1000 / 10:.1f}" if n % 7 else ""
            row[column["OpenDate"]] = f"{n % 28 + 1:02d}-09-{1950 + n % 70}"
            yield row

    return write_gias(path, header, rows_())


def snapshot() -> list[dict]:
    return list(School.objects.order_by("urn").values())


def make_hub(name: str, region: str = "Yorkshire and the Humber") -> Hub:
    slug = name.lower().replace(" ", "-")
    return Hub.objects.create(name=name, slug=slug, region=Region.objects.get(name=region))


# The sample extract -------------------------------------------------------------------------


@pytest.mark.django_db
def test_sample_extract_creates_every_school_with_its_gias_values():
    output = run_import(SAMPLE)

    assert "12 created, 0 updated, 0 unchanged, 0 rejected" in output
    schools = {school.urn: school for school in School.objects.select_related("region")}
    assert len(schools) == 12
    closed = schools[900004]
    assert (closed.status, closed.is_open) == ("closed", False)
    assert closed.closed_on == datetime.date(2019, 3, 31)
    assert closed.fsm_percentage is None
    assert schools[900001].opened_on == datetime.date(1974, 9, 1)
    assert schools[900001].fsm_percentage == Decimal("23.4")
    assert schools[900002].name == f"St Aidan{QUOTE}s Church of England Primary School"
    assert schools[900011].name == "Clee Hill Café Nursery School"
    assert schools[900006].phase == "all_through"
    assert schools[900009].phase == "middle_secondary"
    assert schools[900009].status == "proposed_to_close"
    assert schools[900011].phase == "nursery"
    assert schools[900008].phase == "16_plus"
    assert schools[900007].is_state_funded is False
    assert schools[900007].type_group == "Independent schools"
    assert all(schools[urn].is_state_funded for urn in (900001, 900003, 900006, 900008, 900012))
    assert schools[900006].region.name == "West Midlands"
    assert (schools[900001].town, schools[900001].postcode) == ("Leeds", "LS1 1AA")


@pytest.mark.django_db
def test_local_authorities_are_created_once_with_their_code_and_region():
    run_import(SAMPLE)

    leeds = LocalAuthority.objects.get(name="Leeds")
    assert (leeds.code, leeds.region.name) == ("383", "Yorkshire and the Humber")
    assert leeds.schools.count() == 2
    assert LocalAuthority.objects.count() == 9


@pytest.mark.django_db
def test_second_run_reports_everything_unchanged_and_changes_nothing():
    make_hub("West Yorkshire Maths Hub")
    run_import(SAMPLE, "--links", LINKS, "--hubs", HUBS)
    before = snapshot()

    output = run_import(SAMPLE, "--links", LINKS, "--hubs", HUBS)

    assert "0 created, 0 updated, 12 unchanged, 0 rejected" in output
    assert snapshot() == before


@pytest.mark.django_db
def test_a_changed_row_is_counted_updated_and_saved(tmp_path):
    run_import(SAMPLE)
    changed = sample_with(
        tmp_path / "changed.csv", "900001", EstablishmentName="Example Lane Academy"
    )

    output = run_import(changed)

    assert "0 created, 1 updated, 11 unchanged, 0 rejected" in output
    assert School.objects.get(urn=900001).name == "Example Lane Academy"


@pytest.mark.django_db
def test_a_school_that_closes_is_kept_and_marked_closed(tmp_path):
    run_import(SAMPLE)
    closing = sample_with(
        tmp_path / "closed.csv",
        "900010",
        **{"EstablishmentStatus (name)": "Closed", "CloseDate": "31-08-2025"},
    )

    run_import(closing)

    school = School.objects.get(urn=900010)
    assert (school.status, school.closed_on) == ("closed", datetime.date(2025, 8, 31))


@pytest.mark.django_db
def test_absent_optional_columns_leave_those_fields_alone(tmp_path):
    run_import(SAMPLE)
    slim = write_gias(
        tmp_path / "slim.csv",
        ["URN", "EstablishmentName", "Extra column from a newer GIAS"],
        [["900001", "Example Lane Primary School (renamed)", "whatever"]],
    )

    output = run_import(slim)

    school = School.objects.get(urn=900001)
    assert "0 created, 1 updated, 0 unchanged" in output
    assert school.name == "Example Lane Primary School (renamed)"
    assert school.fsm_percentage == Decimal("23.4")
    assert school.local_authority.name == "Leeds"


@pytest.mark.django_db
def test_phase_names_are_matched_however_gias_spells_them(tmp_path):
    header, rows = read_sample()
    phase = header.index("PhaseOfEducation (name)")
    rows[0][phase], rows[1][phase] = "All through", "Middle deemed primary"
    run_import(write_gias(tmp_path / "phases.csv", header, rows[:2]))

    assert School.objects.get(urn=900001).phase == "all_through"
    assert School.objects.get(urn=900002).phase == "middle_primary"


@pytest.mark.django_db
def test_an_extract_resaved_as_utf8_with_a_bom_is_read_correctly(tmp_path):
    header, rows = read_sample()
    run_import(write_gias(tmp_path / "utf8.csv", header, rows, encoding="utf-8-sig"))

    assert (
        School.objects.get(urn=900002).name == f"St Aidan{QUOTE}s Church of England Primary School"
    )


# Links and history --------------------------------------------------------------------------


@pytest.mark.django_db
def test_predecessor_links_give_the_academy_its_history():
    run_import(SAMPLE, "--links", LINKS)

    academy = School.objects.get(urn=900003)
    assert academy.predecessor_urns == [900004]
    assert academy.lineage_urns() == {900003, 900004}
    assert School.objects.get(urn=900004).predecessor_urns == []  # a Successor link adds nothing


@pytest.mark.django_db
def test_every_kind_of_predecessor_link_is_recorded_once_and_sorted(tmp_path):
    links = write_gias(
        tmp_path / "links.csv",
        ["URN", "LinkURN", "LinkName", "LinkType", "LinkEstablishedDate"],
        [
            ["900003", "900012", "Avon Vale", "Predecessor - amalgamated", "01-04-2019"],
            ["900003", "900004", "Moorside", "Predecessor", "01-04-2019"],
            ["900003", "900004", "Moorside", "Predecessor - merged", "01-04-2019"],
            ["900003", "900005", "Hebble", "Sixth Form Centre Link", ""],
            ["900003", "banana", "Bad", "Predecessor", ""],
        ],
    )

    output = run_import(SAMPLE, "--links", links)

    assert School.objects.get(urn=900003).predecessor_urns == [900004, 900012]
    assert "links.csv line 6: URN or LinkURN 'banana' is not a URN" in output


@pytest.mark.django_db
def test_prior_participation_follows_a_school_across_academy_conversion():
    """The academy may join a follow-on project because its predecessor completed the first."""
    run_import(SAMPLE)
    first = ProjectFactory()
    follow_on = ProjectFactory(recruitment=Recruitment.PRIOR_PARTICIPATION)
    follow_on.prerequisites.add(first)
    last_year = AcademicYearFactory(start_year=timezone.localdate().year - 2)
    PlaceFactory(
        school=School.objects.get(urn=900004),
        status=PlaceStatus.COMPLETED,
        work_group=WorkGroupFactory(project=first, academic_year=last_year),
    )
    teacher = TeacherFactory(school=School.objects.get(urn=900003))
    group = WorkGroupFactory(project=follow_on)
    before = eligibility(teacher, group).reasons
    assert any("needs to have completed" in reason for reason in before)

    run_import(SAMPLE, "--links", LINKS)

    teacher.school.refresh_from_db()
    assert eligibility(teacher, group).reasons == []


# Hubs ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_hubs_file_gives_local_authorities_and_their_schools_a_hub():
    west_yorkshire = make_hub("West Yorkshire Maths Hub")

    output = run_import(SAMPLE, "--hubs", HUBS)

    assert LocalAuthority.objects.get(name="Leeds").hub == west_yorkshire
    leeds_schools = School.objects.filter(local_authority__name="Leeds")
    assert {school.hub for school in leeds_schools} == {west_yorkshire}
    assert School.objects.get(urn=900006).hub is None  # Birmingham's hub does not exist yet
    assert "Hubs in the hubs file that match no hub (not assigned): 10" in output
    assert "  Central Maths Hub" in output


@pytest.mark.django_db
def test_schools_get_their_local_authoritys_hub_without_the_hubs_file():
    hub = make_hub("West Yorkshire Maths Hub")
    LocalAuthority.objects.create(name="Bradford", hub=hub)

    run_import(SAMPLE)

    assert {school.hub for school in School.objects.filter(local_authority__name="Bradford")} == {
        hub
    }


@pytest.mark.django_db
def test_hubs_file_moves_schools_already_imported(tmp_path):
    run_import(SAMPLE)
    hub = make_hub("Cheshire and Wirral Maths Hub", region="North West")
    hubs = write_gias(tmp_path / "hubs.csv", ["LA (name)", "hub"], [["Wirral", hub.name]])

    output = run_import(SAMPLE, "--hubs", hubs)

    assert School.objects.get(urn=900008).hub == hub
    assert "0 created, 1 updated, 11 unchanged, 0 rejected" in output


# Bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "upload.csv is empty."),
        (b"PK\x03\x04\x14\x00\x00\x00", "is a ZIP archive: unzip it"),
        (
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
            "upload.csv is not a CSV file: it holds binary data.",
        ),
        (b'{"schools": [1, 2, 3]}', "missing the required column(s) URN, EstablishmentName"),
        (b"URN\tEstablishmentName\r\n1\tA\r\n", "missing the required column(s) URN, Est"),
        (b"URN,EstablishmentName\r\n1,Ok\r\n2,Bad \x81 byte\r\n", "line 3 has a byte"),
    ],
    ids=["empty", "zip", "binary", "json", "tab-separated", "undecodable"],
)
@pytest.mark.django_db
def test_a_malformed_file_stops_the_import_with_a_clear_message(tmp_path, content, message):
    path = tmp_path / "upload.csv"
    path.write_bytes(content)

    with pytest.raises(CommandError, match=re.escape(message)):
        run_import(path)
    assert not School.objects.exists()
    assert not LocalAuthority.objects.exists()


@pytest.mark.django_db
def test_a_missing_required_column_writes_nothing(tmp_path):
    header, rows = read_sample()
    name = header.index("EstablishmentName")
    without_name = [row[:name] + row[name + 1 :] for row in [header, *rows]]
    path = write_gias(tmp_path / "no_name.csv", without_name[0], without_name[1:])

    with pytest.raises(CommandError, match=re.escape("no_name.csv is missing the required column")):
        run_import(path)
    assert not School.objects.exists()
    assert not LocalAuthority.objects.exists()


@pytest.mark.django_db
def test_a_missing_links_or_hubs_column_writes_nothing(tmp_path):
    hubs = write_gias(tmp_path / "hubs.csv", ["Local authority", "hub"], [["Leeds", "X"]])

    with pytest.raises(CommandError, match=re.escape("hubs.csv is missing the required column")):
        run_import(SAMPLE, "--links", LINKS, "--hubs", hubs)
    assert not School.objects.exists()


@pytest.mark.django_db
def test_malformed_rows_are_rejected_by_line_and_the_rest_imported(tmp_path):
    header, rows = read_sample()
    column = header.index
    rows[1][column("URN")] = "9000O2"
    rows[2][column("OpenDate")] = "31-02-2019"
    rows[3][column("PercentageFSM")] = "123.0"
    rows[4][column("EstablishmentName")] = "  "
    rows[5][column("PercentageFSM")] = "lots"
    rows[5][column("CloseDate")] = "2019/13/01"
    rows[6][column("URN")] = rows[0][column("URN")]
    path = write_gias(tmp_path / "bad_rows.csv", header, rows)

    output = run_import(path)

    assert "6 created, 0 updated, 0 unchanged, 6 rejected" in output
    for message in [
        "bad_rows.csv line 3: URN '9000O2' is not a URN (a positive whole number)",
        "bad_rows.csv line 4: OpenDate '31-02-2019' is not a real date",
        "bad_rows.csv line 5: PercentageFSM '123.0' is outside 0 to 100",
        "bad_rows.csv line 6: EstablishmentName is blank",
        "bad_rows.csv line 7: CloseDate '2019/13/01' is not a date in the form dd-mm-yyyy; "
        "PercentageFSM 'lots' is not a number",
        "bad_rows.csv line 8: URN 900001 is already on line 2",
    ]:
        assert message in output
    imported = set(School.objects.values_list("urn", flat=True))
    assert imported == {900001, 900008, 900009, 900010, 900011, 900012}


@pytest.mark.django_db
def test_an_unknown_phase_or_status_is_rejected_naming_the_values_we_know(tmp_path):
    header, rows = read_sample()
    rows[0][header.index("PhaseOfEducation (name)")] = "Tertiary"
    rows[1][header.index("EstablishmentStatus (name)")] = "Mothballed"
    output = run_import(write_gias(tmp_path / "odd.csv", header, rows))

    assert "10 created, 0 updated, 0 unchanged, 2 rejected" in output
    assert (
        "odd.csv line 2: PhaseOfEducation (name) 'Tertiary' is not one of: Not applicable;"
        in output
    )
    assert "odd.csv line 3: EstablishmentStatus (name) 'Mothballed' is not one of: Open;" in output


@pytest.mark.django_db
def test_bad_hubs_file_rows_are_rejected_and_the_good_ones_applied(tmp_path):
    hub = make_hub("West Yorkshire Maths Hub")
    hubs = write_gias(
        tmp_path / "hubs.csv",
        ["LA (name)", "hub"],
        [["Leeds", hub.name], ["Leeds", "Central Maths Hub"], ["Bradford", ""]],
        encoding="utf-8",
    )

    output = run_import(SAMPLE, "--hubs", hubs)

    assert "hubs.csv line 3: Leeds is already mapped on line 2" in output
    assert "hubs.csv line 4: needs both an LA (name) and a hub" in output
    assert LocalAuthority.objects.get(name="Leeds").hub == hub
    assert LocalAuthority.objects.get(name="Bradford").hub is None


@pytest.mark.django_db
def test_a_row_with_the_wrong_number_of_fields_is_rejected(tmp_path):
    path = tmp_path / "shifted.csv"
    path.write_bytes(b"URN,EstablishmentName,Town\r\n1,Ok,Leeds\r\n2,Shifted,Leeds,LS1\r\n")

    output = run_import(path)

    assert "shifted.csv line 3: has 4 fields but the header has 3" in output
    assert list(School.objects.values_list("urn", flat=True)) == [1]


@pytest.mark.django_db
def test_rejections_are_listed_up_to_twenty_then_counted(tmp_path):
    header, rows = read_sample()
    bad = [[f"x{n}", *rows[0][1:]] for n in range(25)]
    output = run_import(write_gias(tmp_path / "many.csv", header, bad))

    assert "0 created, 0 updated, 0 unchanged, 25 rejected" in output
    assert "many.csv line 21: URN 'x19' is not a URN" in output
    assert "many.csv line 22:" not in output
    assert "… and 5 more." in output


# Scale --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_real_sized_extract_imports_and_reimports_in_batches(tmp_path):
    """Timings are in the README; here, the shape that gives them: the queries grow with the
    number of batches, not rows, so 50,000 rows take a few hundred queries, not 50,000."""
    extract = generated_extract(tmp_path / "edubasealldata.csv", 50_000)

    with CaptureQueriesContext(connection) as first_queries:
        first = run_import(extract)
    with CaptureQueriesContext(connection) as second_queries:
        second = run_import(extract)

    assert "50000 created, 0 updated, 0 unchanged, 0 rejected" in first
    assert "0 created, 0 updated, 50000 unchanged, 0 rejected" in second
    assert School.objects.count() == 50_000
    assert School.objects.get(urn=149_999).name == f"St Mary{QUOTE}s School 49999"
    assert len(first_queries) < 500
    assert len(second_queries) < 500
