"""What every page's menu links to, worked out once a process (``core.urls``)."""

from __future__ import annotations

from core.urls import fixed_url

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


def menu(request) -> dict:
    # "" for a part of the site a test's URL configuration leaves out: the menu skips it.
    return {"menu": {key: fixed_url(name, missing="") for key, name in MENU_URLS.items()}}
