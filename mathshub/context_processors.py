"""What every page's menu links to, worked out once for each URL configuration a process
serves (``reverse`` costs more than the rest of the menu together)."""

from __future__ import annotations

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

MENU_URLS = {
    "home": "home",
    "projects": "projects:list",
    "my_registrations": "workgroups:my_registrations",
    "my_surveys": "surveys:mine",
    "lead": "lead:dashboard",
    "reports": "reports:list",
    "admin": "admin:index",
    "profile": "participants:profile",
    "sign_out": "account_logout",
    "sign_in": "account_login",
    "sign_up": "account_signup",
}

_worked_out: dict[tuple, dict[str, str]] = {}


def _menu() -> dict[str, str]:
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    where = (urlconf, get_script_prefix())
    urls = _worked_out.get(where)
    if urls is None:
        urls = {}
        for name, view in MENU_URLS.items():
            try:
                urls[name] = reverse(view, urlconf=urlconf)
            except NoReverseMatch:  # a test's URL configuration without that part of the site
                urls[name] = ""
        _worked_out[where] = urls
    return urls


def menu(request) -> dict:
    return {"menu": _menu()}
