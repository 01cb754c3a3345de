"""The project's reference data (hubs, projects, local authorities), read from the package.

The files are kept byte-for-byte as gathered; this module turns their free-text columns into
the values the models need (phase codes, activity types, recruitment rules, participant roles).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from importlib import resources

from projects.models import ActivityType, Recruitment

PHASE_CODES = {
    "early years": "early_years",
    "primary": "primary",
    "secondary": "secondary",
    "post-16": "post_16",
}
ACTIVITY_TYPES = {label.lower(): value for value, label in ActivityType.choices}
NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}


@dataclass(frozen=True)
class HubRow:
    name: str
    region: str
    area: str
    lead_school: str


@dataclass(frozen=True)
class RoleSpec:
    name: str
    max_per_school: int


@dataclass
class ProjectRow:
    title: str
    phases: list[str]
    activity_type: str
    recruitment: str
    requires_approval: bool
    prerequisite_names: list[str]
    roles: list[RoleSpec]
    sessions: tuple[int, int]
    full_days: bool
    notes: str
    prerequisites: list[ProjectRow] = field(default_factory=list)


def _read(name: str) -> str:
    return resources.files("demo").joinpath("data", name).read_text(encoding="utf-8")


def _rows(name: str, delimiter: str) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(_read(name)), delimiter=delimiter)
    return [{key: (value or "").strip() for key, value in row.items()} for row in reader]


def load_hubs() -> list[HubRow]:
    return [
        HubRow(row["name"], row["region"], row["area_as_found"], row["lead_as_found"])
        for row in _rows("hubs.tsv", "\t")
    ]


def load_local_authorities() -> list[tuple[str, str]]:
    """(local authority, hub name) pairs for the hubs whose area is published."""
    return [(row["LA (name)"], row["hub"]) for row in _rows("la_to_hub.csv", ",")]


def load_projects() -> list[ProjectRow]:
    projects = [_project(row) for row in _rows("projects.tsv", "\t")]
    for project in projects:
        project.prerequisites = [
            _find_prerequisite(name, project, projects) for name in project.prerequisite_names
        ]
    return projects


def _project(row: dict[str, str]) -> ProjectRow:
    recruitment, approval, prerequisites = parse_recruitment(row["recruitment"])
    return ProjectRow(
        title=row["title"],
        phases=[PHASE_CODES[part.strip().lower()] for part in row["phases"].split(",")],
        activity_type=ACTIVITY_TYPES[row["activity_type"].lower()],
        recruitment=recruitment,
        requires_approval=approval,
        prerequisite_names=prerequisites,
        roles=parse_roles(row["participants_per_school"]),
        sessions=parse_sessions(row["sessions"]),
        full_days="day" in row["sessions"],
        notes=row["notes"],
    )


def parse_recruitment(text: str) -> tuple[str, bool, list[str]]:
    """(recruitment rule, hub approval needed, names of prerequisite projects)."""
    lowered = text.lower()
    if lowered.startswith("prior participation:"):
        names = re.split(r"\s+or\s+", text.split(":", 1)[1].strip())
        return Recruitment.PRIOR_PARTICIPATION, False, [name.strip() for name in names]
    if "new schools only" in lowered:
        return Recruitment.NEW_SCHOOLS_ONLY, False, []
    if "invitation only" in lowered:
        return Recruitment.INVITATION_ONLY, False, []
    return Recruitment.OPEN, "hub approval" in lowered, []


def _find_prerequisite(name: str, project: ProjectRow, projects: list[ProjectRow]) -> ProjectRow:
    """The project called ``name`` (or named by one word of its title) in the same phase."""
    pattern = re.compile(rf"\b{re.escape(name)}\b")
    candidates = [
        other
        for other in projects
        if other is not project
        and (other.title == name or pattern.search(other.title))
        and set(other.phases) & set(project.phases)
    ]
    if not candidates:
        raise ValueError(f"No project matches prerequisite {name!r} of {project.title!r}.")
    own_words = set(project.title.split())
    return max(candidates, key=lambda other: len(own_words & set(other.title.split())))


def parse_roles(text: str) -> list[RoleSpec]:
    """Roles and limits from phrases like '1-2 lead participants' or 'Year 3 and Year 4
    teachers, maths lead'; a plural noun is shared by the bare items before it."""
    text = re.split(r",\s*normally\b|\s+from\s+", text.strip())[0]
    items = [item.strip() for item in re.split(r",\s*|\s+and\s+", text) if item.strip()]
    roles: list[RoleSpec] = []
    bare: list[str] = []
    for item in items:
        if _is_bare(item):
            bare.append(item)
            continue
        count, noun = _count_and_noun(item)
        if bare:
            last = noun.split()[-1]
            roles += [RoleSpec(_role_name(f"{b} {_singular(last)}"), 1) for b in bare]
            noun = " ".join([*noun.split()[:-1], _singular(last)])
            bare = []
        roles.append(RoleSpec(_role_name(noun), count))
    return roles


def _is_bare(item: str) -> bool:
    """'Reception' or 'Year 1' before '... teachers': a qualifier waiting for its noun."""
    words = item.split()
    return words[-1].isdigit() or (len(words) == 1 and words[0][0].isupper())


def _count_and_noun(item: str) -> tuple[int, str]:
    match = re.match(r"^(\d+)(?:-(\d+))?\s+(.*)$", item)
    if not match:
        return 1, item
    count = int(match.group(2) or match.group(1))
    noun = match.group(3)
    if count > 1:
        words = noun.split()
        noun = " ".join([*words[:-1], _singular(words[-1])])
    return count, noun


def _singular(word: str) -> str:
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def _role_name(noun: str) -> str:
    return noun[0].upper() + noun[1:]


def parse_sessions(text: str) -> tuple[int, int]:
    """The typical number of sessions, as a (fewest, most) range; six when not given.

    A count of years ('three years') is not a count of sessions; 'plus local sessions' adds some.
    """
    lowered = text.lower()
    words = "|".join(NUMBER_WORDS)
    for match in re.finditer(rf"(\d+)(?:-(\d+))?|\b({words})\b", lowered):
        before, after = lowered[: match.start()], lowered[match.end() :]
        if re.match(r"\s+years?\b", after) or before.endswith("year "):
            continue
        if match.group(3):
            low = high = NUMBER_WORDS[match.group(3)]
        else:
            low, high = int(match.group(1)), int(match.group(2) or match.group(1))
        return low, high + (3 if "plus" in after else 0)
    return 6, 6
