"""What the error pages need: a safe way back, and the page shown when a form's security check
fails (``settings.CSRF_FAILURE_VIEW``), which gives the person back what they typed.

The pages themselves are templates (``400.html``, ``403.html``, ``404.html``, ``500.html``,
``403_csrf.html``) that Django's own handlers render.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import DisallowedHost
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

# Fields never shown back: passwords, codes, keys and tokens, the CSRF field, and where to go next.
SECRET_FIELD = re.compile(r"pass|token|secret|csrf|code|key|otp|credential|signature|^next$", re.I)
MAX_FIELDS = 50


def _own_site(request: HttpRequest, url: str) -> bool:
    try:
        host = request.get_host()
    except DisallowedHost:
        return False
    return url_has_allowed_host_and_scheme(
        url, allowed_hosts={host}, require_https=request.is_secure()
    )


def came_from(request: HttpRequest) -> str | None:
    """The page that led here, if it is one of ours; never another site's address."""
    referer = request.META.get("HTTP_REFERER", "")
    return referer if referer and _own_site(request, referer) else None


def _sent_from_our_pages(request: HttpRequest) -> bool:
    """Browsers name the page a form was sent from; one sent from another site is not shown
    back, so nobody can make our pages display their words."""
    sources = [request.META.get(name) for name in ("HTTP_ORIGIN", "HTTP_REFERER")]
    return all(_own_site(request, source) for source in sources if source)


def _typed(value: str) -> bool:
    """Words someone typed, not a choice's id or a ticked box's "on"."""
    value = value.strip()
    return bool(value) and not value.isdigit() and value != "on"


@dataclass(frozen=True)
class TypedField:
    label: str
    text: str

    @property
    def rows(self) -> int:
        """Lines to show: one for a short answer, more for a paragraph."""
        lines = self.text.count("\n") + 1 + len(self.text) // 80
        return min(max(lines, 1), 8)


def typed_fields(request: HttpRequest) -> list[TypedField]:
    """Each non-secret field of the form sent, in order, skipping empty ones and choices."""
    if request.method != "POST" or not _sent_from_our_pages(request):
        return []
    fields = []
    for name, values in request.POST.lists():
        if SECRET_FIELD.search(name):
            continue
        label = name.replace("_", " ").replace("-", " ").strip().capitalize()
        fields.extend(TypedField(label, value) for value in values if _typed(value))
    return fields[:MAX_FIELDS]


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """The form's security check failed, most often because the person signed in or out in
    another tab, or the page was open a long time: say so, and give back what they typed."""
    return render(
        request,
        "403_csrf.html",
        {"typed": typed_fields(request), "back_url": came_from(request) or ""},
        status=403,
    )
