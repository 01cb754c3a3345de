"""The school years the catalogue shows: every year that has not ended.

Hubs recruit next year's groups during this year, so the catalogue lists both (for example
2026/27 and 2027/28). Addresses name a year by its label with a hyphen (``?year=2027-28``); the
label itself (``2027/28``) and the year's primary key are read too.
"""

from django.utils import timezone

from core.cache import get_or_build
from projects.models import AcademicYear
from workgroups.cache import REFERENCE


def _open_years(today) -> list[AcademicYear]:
    return list(AcademicYear.objects.filter(ends_on__gte=today).order_by("starts_on", "pk"))


def open_years() -> list[AcademicYear]:
    """The years that have not ended, earliest first, from the cache."""
    today = timezone.localdate()
    return get_or_build("open-years", lambda: _open_years(today), REFERENCE, parts=(today,))


def year_slug(year: AcademicYear) -> str:
    """How an address names ``year``: ``2027-28``."""
    return year.label.replace("/", "-")


def find_year(value: str | None, years: list[AcademicYear]) -> AcademicYear | None:
    """The open year ``value`` names (its slug, label or primary key), else None."""
    value = (value or "").strip()
    if not value or len(value) > 20:
        return None
    for year in years:
        if value in (year_slug(year), year.label, str(year.pk)):
            return year
    return None


def said(years: list[AcademicYear]) -> str:
    """``2026/27 and 2027/28``."""
    labels = [year.label for year in years]
    if len(labels) <= 1:
        return "".join(labels)
    return ", ".join(labels[:-1]) + " and " + labels[-1]
