"""Addresses that take no arguments, worked out once for each URL configuration a process
serves: ``reverse`` costs more than many a page's other work, and these never change while the
process runs."""

from __future__ import annotations

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

_worked_out: dict[tuple[str, str, str], str] = {}


def fixed_url(name: str, *, missing: str | None = None) -> str:
    """``reverse(name)``, remembered. With ``missing`` given, a name the URL configuration lacks
    (a test's configuration without that part of the site) gives ``missing`` instead of raising
    ``NoReverseMatch``."""
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    where = (str(urlconf), get_script_prefix(), name)
    url = _worked_out.get(where)
    if url is None:
        try:
            url = reverse(name, urlconf=urlconf)
        except NoReverseMatch:
            if missing is None:
                raise
            return missing
        _worked_out[where] = url
    return url
