"""A second factor (allauth.mfa) for everyone who runs hubs.

Hub staff and the national team reach the admin and the reports only once they have an
authenticator; until then they are sent to set one up, and afterwards carry on where they were
going. Signing in then asks for its code (allauth's own login stage). Teachers and leads may add
one from their account pages; nobody makes them.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.base.forms import AuthenticateForm, ReauthenticateForm
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.forms import ActivateTOTPForm
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.shortcuts import redirect

from core.scoping import is_hub_staff, is_national
from core.urls import fixed_url

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

    from participants.models import User

# Where someone sent to set up an authenticator was going (read by mfa/recovery_codes/index.html).
SETUP_NEXT_SESSION_KEY = "mfa_setup_next"
# The authenticators signing in asks for; recovery codes only stand in for them.
SIGN_IN_TYPES = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
# Set on the signed-in person read from the cache (participants.identity), so the staff area's
# check asks nothing of the database.
HAS_AUTHENTICATOR_ATTR = "_has_authenticator"
SETUP_MESSAGE = (
    "Hub staff and the national team need a second step when they sign in, to keep schools' and "
    "teachers' data safe. Set up an authenticator app on your phone to carry on."
)


def must_use_mfa(user: User) -> bool:
    """Everyone who can see a hub's data in the admin or the reports."""
    return is_national(user) or is_hub_staff(user)


def has_authenticator(user: User) -> bool:
    known = getattr(user, HAS_AUTHENTICATOR_ATTR, None)
    return known if known is not None else is_mfa_enabled(user, SIGN_IN_TYPES)


def enrol_totp(user: User, secret: str) -> Authenticator:
    """Give ``user`` an authenticator app with a known base32 secret (demo data and tests)."""
    return TOTP.activate(user, secret).instance


def totp_code(secret: str, *, at: float | None = None) -> str:
    """The code an authenticator app with ``secret`` shows now, or at the Unix time ``at``."""
    counter = int(time.time() if at is None else at) // mfa_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(secret, counter))


class RequireStaffMFAMiddleware:
    """Sends staff without an authenticator from the admin and the reports to set one up.

    Everything else (sign-in, sign-out, allauth's account and MFA pages, static files) stays
    open, so they can always set one up or leave.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _in_staff_area(request.path) and request.user.is_authenticated:
            if must_use_mfa(request.user) and not has_authenticator(request.user):
                return _send_to_setup(request)
            request.session.pop(SETUP_NEXT_SESSION_KEY, None)
        return self.get_response(request)


def _in_staff_area(path: str) -> bool:
    if path == fixed_url("admin:logout"):
        return False
    return path.startswith((fixed_url("admin:index"), fixed_url("reports:list")))


def _send_to_setup(request: HttpRequest) -> HttpResponse:
    if request.method in ("GET", "HEAD"):
        request.session[SETUP_NEXT_SESSION_KEY] = request.get_full_path()
    messages.warning(request, SETUP_MESSAGE)
    return redirect("mfa_activate_totp")


class MFAAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "incorrect_code": "That code is not right. Codes change every 30 seconds: enter the one "
        "your authenticator app shows now.",
        "unverified_email": "Confirm your email address before you set up a second step for "
        "signing in.",
    }


# allauth's MFA forms in the site's words: a label that says which code goes in the box.
class SignInCodeForm(AuthenticateForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _describe_code(self, "Code from your authenticator app, or a recovery code")


class ConfirmCodeForm(ReauthenticateForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _describe_code(self, "Code from your authenticator app, or a recovery code")


class ActivateAuthenticatorForm(ActivateTOTPForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _describe_code(self, "Code from your authenticator app")


def _describe_code(form, label: str) -> None:
    field = form.fields["code"]
    field.label = label
    field.error_messages["required"] = "Enter the code."
    field.widget.attrs.pop("placeholder", None)
    field.widget.attrs.update({"inputmode": "numeric", "spellcheck": "false"})
