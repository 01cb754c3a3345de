"""Import schools from a Get Information About Schools (GIAS) establishment extract.

GIAS publishes every establishment in England as one CSV of about 50,000 rows: Windows-1252
text, CRLF line ends, dates as dd-mm-yyyy and about 140 columns whose set changes over time. So
columns are read by header name, and a column that is absent leaves its field untouched.

Every file is read and checked before anything is written; then all writes happen in one
transaction with bulk operations against the existing rows, loaded in one query. A file that
cannot be read raises ``GiasImportError``; a bad row is rejected with its line number while the
good rows are imported.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

from django.db import DatabaseError, transaction
from django.db.models import Model, TextChoices

from participants.models import Hub, LocalAuthority, Region, School, SchoolPhase, SchoolStatus

BATCH_SIZE = 1000
MAX_INTEGER = 2_147_483_647
REQUIRED_COLUMNS = ("URN", "EstablishmentName")
LINK_COLUMNS = ("URN", "LinkURN", "LinkType")
HUB_COLUMNS = ("LA (name)", "hub")
# GIAS type groups whose establishments are state-funded (colleges as state-funded FE).
STATE_FUNDED_GROUPS = frozenset(
    {
        "local authority maintained schools",
        "academies",
        "free schools",
        "special schools",
        "colleges",
    }
)
ENCODING_NAMES = {"cp1252": "Windows-1252", "utf-8": "UTF-8", "utf-8-sig": "UTF-8"}
NO_LOCAL_AUTHORITY = frozenset({"", "does not apply", "not applicable"})
_DATE = re.compile(r"(\d{1,2})[-/](\d{1,2})[-/](\d{4})")


class GiasImportError(Exception):
    """A whole file cannot be imported; the message says why. Nothing has been written."""


@dataclass(frozen=True)
class Rejection:
    """One row left out of the import, and why."""

    source: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.source} line {self.line}: {self.message}"


@dataclass
class ImportReport:
    """What an import did, for the person who ran it."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    unknown_hubs: list[str] = field(default_factory=list)
    hub_only_local_authorities: list[str] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return len(self.rejections)


def is_state_funded(type_group: str, establishment_type: str = "") -> bool:
    """Independent establishments never are; otherwise it depends on the GIAS type group."""
    if "independent" in establishment_type.casefold():
        return False
    return type_group.strip().casefold() in STATE_FUNDED_GROUPS


def import_schools(
    extract: Path | str, *, links: Path | str | None = None, hubs: Path | str | None = None
) -> ImportReport:
    """Create or update schools by URN from a GIAS extract, its links file and an LA→hub map."""
    report = ImportReport()
    schools = read_extract(Path(extract), report)
    predecessors = read_predecessor_links(Path(links), report) if links else {}
    la_hubs = read_la_hubs(Path(hubs), report) if hubs else {}
    try:
        with transaction.atomic():
            _save(schools, predecessors, la_hubs, report)
    except DatabaseError as exc:
        raise GiasImportError(
            f"The database refused the import, so nothing was saved: {exc}"
        ) from exc
    return report


# Reading files ------------------------------------------------------------------------------


def _encoding(path: Path, default: str) -> str:
    """GIAS writes Windows-1252; a file re-saved by a spreadsheet may carry a Unicode BOM."""
    try:
        with path.open("rb") as handle:
            start = handle.read(4096)
    except OSError as exc:
        raise GiasImportError(f"Cannot read {path.name}: {exc.strerror}.") from exc
    if start.startswith(b"PK\x03\x04"):
        raise GiasImportError(f"{path.name} is a ZIP archive: unzip it and import the CSV inside.")
    if start.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in start:
        raise GiasImportError(f"{path.name} is not a CSV file: it holds binary data.")
    return default


def _first_undecodable_line(path: Path, encoding: str) -> int:
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                raw.decode(encoding)
            except UnicodeDecodeError:
                return number
    return 0


def _records(path: Path, encoding: str = "cp1252") -> Iterator[tuple[int, list[str]]]:
    """Yield (file line where the record starts, its fields), the header first, blanks skipped."""
    encoding = _encoding(path, encoding)
    line = 1
    try:
        with path.open(encoding=encoding, newline="") as handle:
            reader = csv.reader(handle)
            for cells in reader:
                if any(cells):
                    yield line, cells
                line = reader.line_num + 1
    except UnicodeDecodeError as exc:
        bad_line = _first_undecodable_line(path, encoding)
        raise GiasImportError(
            f"{path.name} is not {ENCODING_NAMES.get(encoding, encoding)} text: "
            f"line {bad_line} has a byte that cannot be decoded ({exc.reason})."
        ) from exc
    except csv.Error as exc:
        raise GiasImportError(
            f"{path.name} is not a readable CSV file: line {line}: {exc}."
        ) from exc


def _header(
    records: Iterator[tuple[int, list[str]]], path: Path, required: tuple[str, ...]
) -> tuple[dict[str, int], int]:
    """Column name → position, and the number of columns, once the required ones are found."""
    _, header = next(records, (0, None))
    if header is None:
        raise GiasImportError(f"{path.name} is empty.")
    columns: dict[str, int] = {}
    for position, name in enumerate(header):
        columns.setdefault(name.strip().lstrip("\ufeff"), position)
    missing = [name for name in required if name not in columns]
    if missing:
        found = ",".join(header)[:60]
        raise GiasImportError(
            f"{path.name} is missing the required column(s) {', '.join(missing)}. "
            f"Its first line should be the header; it starts: {found!r}."
        )
    return columns, len(header)


class _RowError(ValueError):
    pass


def _text(model: type[Model], name: str, *, required: bool = False) -> Callable[[str], str]:
    limit = model._meta.get_field(name).max_length

    def parse(text: str) -> str:
        if required and not text:
            raise _RowError("is blank")
        if len(text) > limit:
            raise _RowError(f"is longer than {limit} characters")
        return text

    return parse


def _urn(text: str) -> int:
    if not text:
        raise _RowError("is blank")
    if not (text.isascii() and text.isdigit()) or not 0 < int(text) <= MAX_INTEGER:
        raise _RowError(f"{text!r} is not a URN (a positive whole number)")
    return int(text)


def _date(text: str) -> datetime.date | None:
    if not text:
        return None
    match = _DATE.fullmatch(text)
    if not match:
        raise _RowError(f"{text!r} is not a date in the form dd-mm-yyyy")
    day, month, year = (int(part) for part in match.groups())
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise _RowError(f"{text!r} is not a real date") from None


def _percentage(text: str) -> Decimal | None:
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise _RowError(f"{text!r} is not a number")
    if not 0 <= value <= 100:
        raise _RowError(f"{text!r} is outside 0 to 100")
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _count(text: str) -> int | None:
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or int(text) > MAX_INTEGER:
        raise _RowError(f"{text!r} is not a whole number")
    return int(text)


def _grid(limit: int) -> Callable[[str], int | None]:
    """A British National Grid coordinate in whole metres, from 0 to ``limit``."""

    def parse(text: str) -> int | None:
        if not text:
            return None
        if not (text.isascii() and text.isdigit()) or int(text) > limit:
            raise _RowError(f"{text!r} is not a grid position in metres (0 to {limit})")
        return int(text)

    return parse


def _label_key(label: str) -> str:
    return " ".join(label.replace("-", " ").casefold().split())


def _choice(choices: type[TextChoices], blank: str) -> Callable[[str], str]:
    """Match GIAS names to our choices by their labels, ignoring case, hyphens and spacing."""
    by_label = {_label_key(label): value for value, label in choices.choices}
    known = "; ".join(choices.labels)

    def parse(text: str) -> str:
        if not text:
            return blank
        try:
            return by_label[_label_key(text)]
        except KeyError:
            raise _RowError(f"{text!r} is not one of: {known}") from None

    return parse


# GIAS column → (School attribute, parser). Each column is optional except the required ones.
SCHOOL_COLUMNS: dict[str, tuple[str, Callable[[str], object]]] = {
    "EstablishmentName": ("name", _text(School, "name", required=True)),
    "TypeOfEstablishment (name)": ("establishment_type", _text(School, "establishment_type")),
    "EstablishmentTypeGroup (name)": ("type_group", _text(School, "type_group")),
    "EstablishmentStatus (name)": ("status", _choice(SchoolStatus, SchoolStatus.OPEN)),
    "PhaseOfEducation (name)": ("phase", _choice(SchoolPhase, SchoolPhase.NOT_APPLICABLE)),
    "OpenDate": ("opened_on", _date),
    "CloseDate": ("closed_on", _date),
    "PercentageFSM": ("fsm_percentage", _percentage),
    "NumberOfPupils": ("number_of_pupils", _count),
    "Town": ("town", _text(School, "town")),
    "Postcode": ("postcode", _text(School, "postcode")),
    "Easting": ("easting", _grid(700_000)),
    "Northing": ("northing", _grid(1_300_000)),
}
LA_COLUMNS = {
    "LA (name)": _text(LocalAuthority, "name"),
    "LA (code)": _text(LocalAuthority, "code"),
}
REGION_COLUMNS = ("GOR (code)", "GOR (name)")
LA_NAME_LIMIT = LocalAuthority._meta.get_field("name").max_length


@dataclass
class SchoolRow:
    """One valid extract row: School attribute values plus the names still to be resolved."""

    line: int
    urn: int
    values: dict[str, object]
    local_authority: tuple[str, str] | None = None  # (name, code)
    region: tuple[str, str] = ("", "")  # (GOR code, GOR name)


@dataclass
class Extract:
    rows: list[SchoolRow]
    has_local_authority: bool
    has_region: bool


def _cell(cells: list[str], columns: dict[str, int], name: str) -> str | None:
    position = columns.get(name)
    if position is None:
        return None
    return cells[position].strip() if position < len(cells) else ""


def _parse_school(line: int, cells: list[str], columns: dict[str, int]) -> SchoolRow:
    """Every problem with the row at once, so one fix-up pass is enough."""
    problems: list[str] = []
    values: dict[str, object] = {}

    def take(column: str, parse: Callable[[str], object]) -> object:
        text = _cell(cells, columns, column)
        if text is None:
            return None
        try:
            return parse(text)
        except _RowError as exc:
            problems.append(f"{column} {exc}")
            return None

    urn = take("URN", _urn)
    for column, (attribute, parse) in SCHOOL_COLUMNS.items():
        if column in columns:
            values[attribute] = take(column, parse)
    if "type_group" in values:
        values["is_state_funded"] = is_state_funded(
            values["type_group"] or "", values.get("establishment_type") or ""
        )
    la_name, la_code = (take(column, parse) or "" for column, parse in LA_COLUMNS.items())
    if problems:
        raise _RowError("; ".join(problems))
    region = tuple(_cell(cells, columns, column) or "" for column in REGION_COLUMNS)
    has_la = la_name.casefold() not in NO_LOCAL_AUTHORITY
    return SchoolRow(line, urn, values, (la_name, la_code) if has_la else None, region)


def read_extract(path: Path, report: ImportReport) -> Extract:
    """Parse and check the whole extract; bad rows go to the report's rejections."""
    records = _records(path)
    columns, width = _header(records, path, REQUIRED_COLUMNS)
    rows: list[SchoolRow] = []
    first_line: dict[int, int] = {}
    for line, cells in records:
        try:
            if len(cells) != width:
                raise _RowError(f"has {len(cells)} fields but the header has {width}")
            row = _parse_school(line, cells, columns)
            if row.urn in first_line:
                raise _RowError(f"URN {row.urn} is already on line {first_line[row.urn]}")
        except _RowError as exc:
            report.rejections.append(Rejection(path.name, line, str(exc)))
            continue
        first_line[row.urn] = line
        rows.append(row)
    return Extract(
        rows,
        has_local_authority="LA (name)" in columns,
        has_region=any(column in columns for column in REGION_COLUMNS),
    )


def read_predecessor_links(path: Path, report: ImportReport) -> dict[int, set[int]]:
    """URN → the URNs it replaced, from every link whose type starts with "Predecessor"."""
    records = _records(path)
    columns, _ = _header(records, path, LINK_COLUMNS)
    predecessors: dict[int, set[int]] = {}
    for line, cells in records:
        link_type = _cell(cells, columns, "LinkType") or ""
        if not link_type.casefold().startswith("predecessor"):
            continue
        try:
            urn, link_urn = (_urn(_cell(cells, columns, name) or "") for name in ("URN", "LinkURN"))
        except _RowError as exc:
            report.rejections.append(Rejection(path.name, line, f"URN or LinkURN {exc}"))
            continue
        if urn == link_urn:
            report.rejections.append(Rejection(path.name, line, f"links URN {urn} to itself"))
            continue
        predecessors.setdefault(urn, set()).add(link_urn)
    return predecessors


def _hub_row_problem(la_name: str, hub_name: str, first_line: dict[str, int]) -> str | None:
    if not la_name or not hub_name:
        return "needs both an LA (name) and a hub"
    if len(la_name) > LA_NAME_LIMIT:
        return f"LA (name) is longer than {LA_NAME_LIMIT} characters"
    if la_name.casefold() in first_line:
        return f"{la_name} is already mapped on line {first_line[la_name.casefold()]}"
    return None


def read_la_hubs(path: Path, report: ImportReport) -> dict[str, str]:
    """Local authority name → hub name; a local authority named twice is rejected."""
    records = _records(path, "utf-8")  # our own file, not a GIAS one
    columns, _ = _header(records, path, HUB_COLUMNS)
    la_hubs: dict[str, str] = {}
    first_line: dict[str, int] = {}
    for line, cells in records:
        la_name, hub_name = (_cell(cells, columns, name) or "" for name in HUB_COLUMNS)
        if problem := _hub_row_problem(la_name, hub_name, first_line):
            report.rejections.append(Rejection(path.name, line, problem))
            continue
        first_line[la_name.casefold()] = line
        la_hubs[la_name] = hub_name
    return la_hubs


# Writing ------------------------------------------------------------------------------------


class _Regions:
    """Regions are seeded reference data; GIAS names them by GOR code (and name)."""

    def __init__(self) -> None:
        regions = list(Region.objects.all())
        self.by_code = {region.code.casefold(): region.pk for region in regions}
        self.by_name = {region.name.casefold(): region.pk for region in regions}

    def find(self, code: str, name: str) -> int | None:
        return self.by_code.get(code.casefold()) or self.by_name.get(name.casefold())


def _sync_local_authorities(
    extract: Extract, la_hubs: dict[str, str], regions: _Regions, report: ImportReport
) -> dict[str, LocalAuthority]:
    """Create missing local authorities; fill in an existing one's code and region if empty.

    Local authorities named only in the hubs file are created too, so that a later extract's
    schools there get their hub without the hubs file.
    """
    authorities = {la.name.casefold(): la for la in LocalAuthority.objects.all()}
    new: dict[str, LocalAuthority] = {}
    filled: list[LocalAuthority] = []
    seen: set[str] = set()
    for row in extract.rows:
        if row.local_authority is None or row.local_authority[0].casefold() in seen:
            continue
        name, code = row.local_authority
        seen.add(name.casefold())
        authority = authorities.get(name.casefold())
        region_id = regions.find(*row.region)
        if authority is None:
            new[name.casefold()] = LocalAuthority(name=name, code=code, region_id=region_id)
        elif (code and not authority.code) or (region_id and not authority.region_id):
            authority.code = authority.code or code
            authority.region_id = authority.region_id or region_id
            filled.append(authority)
    for name in la_hubs:
        if name.casefold() not in authorities and name.casefold() not in new:
            new[name.casefold()] = LocalAuthority(name=name)
            report.hub_only_local_authorities.append(name)
    LocalAuthority.objects.bulk_create(new.values(), batch_size=BATCH_SIZE)
    LocalAuthority.objects.bulk_update(filled, ["code", "region"], batch_size=BATCH_SIZE)
    return {la.name.casefold(): la for la in LocalAuthority.objects.all()}


def _assign_hubs(
    authorities: dict[str, LocalAuthority], la_hubs: dict[str, str], report: ImportReport
) -> None:
    hubs = {hub.name.casefold(): hub.pk for hub in Hub.objects.all()}
    changed = []
    for la_name, hub_name in la_hubs.items():
        hub_id = hubs.get(hub_name.casefold())
        if hub_id is None:
            if hub_name not in report.unknown_hubs:
                report.unknown_hubs.append(hub_name)
            continue
        authority = authorities[la_name.casefold()]
        if authority.hub_id != hub_id:
            authority.hub_id = hub_id
            changed.append(authority)
    LocalAuthority.objects.bulk_update(changed, ["hub"], batch_size=BATCH_SIZE)


def _merged_predecessors(school: School | None, new: set[int]) -> list[int]:
    """Links add history and never remove it, so a partial links file loses nothing."""
    old = {int(urn) for urn in school.predecessor_urns} if school else set()
    return sorted(old | new)


class _Plan:
    """The schools to create and, grouped by the attributes that changed, those to update."""

    def __init__(self, predecessors: dict[int, set[int]], hub_of: dict[int, int]) -> None:
        self.predecessors = predecessors
        self.hub_of = hub_of
        self.new: list[School] = []
        self.updates: dict[frozenset[str], list[School]] = {}
        self.unchanged = 0

    def add(self, urn: int, school: School | None, target: dict[str, object]) -> None:
        if school and school.local_authority_id in self.hub_of and "hub_id" not in target:
            target["hub_id"] = self.hub_of[school.local_authority_id]
        if urn in self.predecessors:
            target["predecessor_urns"] = _merged_predecessors(school, self.predecessors[urn])
        if school is None:
            self.new.append(School(urn=urn, **{"phase": SchoolPhase.NOT_APPLICABLE, **target}))
            return
        changed = frozenset(
            name for name, value in target.items() if getattr(school, name) != value
        )
        for name in changed:
            setattr(school, name, target[name])
        if changed:
            self.updates.setdefault(changed, []).append(school)
        else:
            self.unchanged += 1

    def save(self, report: ImportReport) -> None:
        School.objects.bulk_create(self.new, batch_size=BATCH_SIZE)
        for attributes, schools in self.updates.items():
            fields = [School._meta.get_field(name).name for name in sorted(attributes)]
            School.objects.bulk_update(schools, fields, batch_size=BATCH_SIZE)
        report.created = len(self.new)
        report.updated = sum(len(schools) for schools in self.updates.values())


def _target(
    row: SchoolRow, extract: Extract, authorities: dict[str, LocalAuthority], regions: _Regions
) -> dict[str, object]:
    """The School attribute values this row asks for (absent columns leave fields alone)."""
    target = dict(row.values)
    if extract.has_local_authority:
        authority = authorities[row.local_authority[0].casefold()] if row.local_authority else None
        target["local_authority_id"] = authority.pk if authority else None
        if authority and authority.hub_id:
            target["hub_id"] = authority.hub_id
    if extract.has_region:
        target["region_id"] = regions.find(*row.region)
    return target


def _save(
    extract: Extract,
    predecessors: dict[int, set[int]],
    la_hubs: dict[str, str],
    report: ImportReport,
) -> None:
    regions = _Regions()
    authorities = _sync_local_authorities(extract, la_hubs, regions, report)
    _assign_hubs(authorities, la_hubs, report)
    plan = _Plan(predecessors, {la.pk: la.hub_id for la in authorities.values() if la.hub_id})
    existing = {school.urn: school for school in School.objects.order_by()}
    for row in extract.rows:
        target = _target(row, extract, authorities, regions)
        plan.add(row.urn, existing.pop(row.urn, None), target)
    unchanged_in_extract = plan.unchanged
    for urn, school in existing.items():  # not in this extract: only links and hubs apply
        plan.add(urn, school, {})
    plan.save(report)
    report.unchanged = unchanged_in_extract
