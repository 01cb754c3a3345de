"""The demo accounts, one per kind of user, and the table that tells people how to sign in."""

from __future__ import annotations

from dataclasses import dataclass

from demo.context import DOMAIN

# Fixed and documented so anyone trying the demo can sign in; demo data only.
DEMO_PASSWORD = "maths-hub-demo"  # noqa: S105
# Every demo staff account's authenticator app (participants.mfa asks staff for its codes).
DEMO_TOTP_SECRET = "MATHSHUBSDEMOAUTHENTICATORKEY234"  # noqa: S105
SHOWCASE_HUB = "West Yorkshire Maths Hub"


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    look_at: str


DEMO_LOGINS = [
    DemoLogin(
        "National team",
        f"national@{DOMAIN}",
        "/admin/ for every hub's data; /reports/ for every national report",
    ),
    DemoLogin(
        "Hub manager",
        f"hub.manager@{DOMAIN}",
        f"/admin/ for {SHOWCASE_HUB} only: groups, places, waiting lists; its /reports/",
    ),
    DemoLogin(
        "Work Group lead",
        f"lead@{DOMAIN}",
        "/lead/: your groups, rosters, attendance, session records, evaluations",
    ),
    DemoLogin(
        "Teacher",
        f"teacher@{DOMAIN}",
        "/projects/ to find and register; /groups/mine/ for your place and sessions",
    ),
]
DEMO_EMAILS = [login.email for login in DEMO_LOGINS]


def table() -> str:
    """The demo logins as a plain-text table for the terminal."""
    header = ("Role", "Email", "Password", "What to look at")
    rows = [header] + [
        (login.role, login.email, DEMO_PASSWORD, login.look_at) for login in DEMO_LOGINS
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True))
        + "  "
        + row[3]
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in [*widths, len(header[3])]))
    note = f"Every other demo user (@{DOMAIN}) signs in with the same password."
    return "\n".join([*lines, "", note, *mfa_hint()])


def mfa_hint() -> list[str]:
    """How demo staff get past the second step of signing in."""
    return [
        f"Staff accounts (national team, hub staff) then ask for a code: authenticator key "
        f"{DEMO_TOTP_SECRET}.",
        "Add the key to an authenticator app, or run `.venv/bin/python manage.py demo_totp` "
        "for the current code.",
    ]
