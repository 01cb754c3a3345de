"""Sign-in and account-security events in the audit trail (``core.audit``).

Each is an "access" entry on the person's ``User`` with ``additional_data["event"]`` saying
what happened and the client's remote address. A failed sign-in for an address that belongs to
no account names nobody, so it goes to the log only: the trail never shows which addresses
have accounts. Connected by ``participants.apps`` (the second-factor events only while
``allauth.mfa`` is installed).
"""

from __future__ import annotations

import logging

from allauth.account import signals as account
from django.apps import apps
from django.contrib.auth import signals as auth

from core import audit
from participants.models import User

logger = logging.getLogger(__name__)

SIGNED_IN = "signed in"
SIGN_IN_FAILED = "sign-in failed"
SIGNED_OUT = "signed out"
PASSWORD_CHANGED = "password changed"  # noqa: S105 (an event's name)
PASSWORD_SET = "password set"  # noqa: S105 (an event's name)
PASSWORD_RESET = "password reset"  # noqa: S105 (an event's name)
EMAIL_ADDED = "email address added"
EMAIL_CHANGED = "primary email address changed"
EMAIL_REMOVED = "email address removed"
MFA_ADDED = "second factor added"
MFA_REMOVED = "second factor removed"
MFA_RESET = "second factor reset"
MFA_FAILED = "second factor check failed"


def signed_in(sender, request, user, **kwargs):
    audit.record_event(user, SIGNED_IN, request=request, actor=user)


def signed_out(sender, request, user, **kwargs):
    # Nobody was signed in, or the account was just erased or closed: nothing to say about it.
    if user is not None and user.is_active:
        audit.record_event(user, SIGNED_OUT, request=request, actor=user)


def sign_in_failed(sender, credentials, request=None, **kwargs):
    login = next(
        (credentials[key] for key in ("email", "login", "username") if credentials.get(key)), ""
    )
    user = User.objects.filter(email__iexact=str(login).strip()).first() if login else None
    if user is None:
        logger.warning(
            "Sign-in failed for an address with no account, from %s",
            audit.remote_address(request) or "an unknown address",
        )
        return
    audit.record_event(user, SIGN_IN_FAILED, request=request)


def _account_event(event: str):
    def receiver(sender, request, user, **kwargs):
        audit.record_event(user, event, request=request, actor=user)

    receiver.__name__ = f"record_{event.replace(' ', '_')}"
    return receiver


def email_added(sender, request, user, email_address, **kwargs):
    audit.record_event(user, EMAIL_ADDED, request=request, actor=user, email=email_address.email)


def email_changed(sender, request, user, from_email_address, to_email_address, **kwargs):
    audit.record_event(
        user,
        EMAIL_CHANGED,
        request=request,
        actor=user,
        **{"from": getattr(from_email_address, "email", ""), "to": to_email_address.email},
    )


def email_removed(sender, request, user, email_address, **kwargs):
    audit.record_event(user, EMAIL_REMOVED, request=request, actor=user, email=email_address.email)


def _second_factor_event(event: str):
    def receiver(sender, request, user, authenticator=None, **kwargs):
        kind = getattr(authenticator, "type", "")
        audit.record_event(user, event, request=request, actor=user, type=str(kind))

    receiver.__name__ = f"record_{event.replace(' ', '_')}"
    return receiver


# Kept at module level so the signals' weak references to them stay alive.
password_changed = _account_event(PASSWORD_CHANGED)
password_set = _account_event(PASSWORD_SET)
password_reset = _account_event(PASSWORD_RESET)
mfa_added = _second_factor_event(MFA_ADDED)
mfa_removed = _second_factor_event(MFA_REMOVED)
mfa_reset = _second_factor_event(MFA_RESET)
mfa_failed = _second_factor_event(MFA_FAILED)


def connect() -> None:
    """Listen to Django's and allauth's signals; each receiver once, however often called."""
    pairs = [
        (auth.user_logged_in, signed_in),
        (auth.user_logged_out, signed_out),
        (auth.user_login_failed, sign_in_failed),
        (account.password_changed, password_changed),
        (account.password_set, password_set),
        (account.password_reset, password_reset),
        (account.email_added, email_added),
        (account.email_changed, email_changed),
        (account.email_removed, email_removed),
    ]
    if apps.is_installed("allauth.mfa"):
        from allauth.mfa import signals as mfa

        pairs += [
            (mfa.authenticator_added, mfa_added),
            (mfa.authenticator_removed, mfa_removed),
            (mfa.authenticator_reset, mfa_reset),
            (mfa.authentication_failed, mfa_failed),
        ]
    for signal, receiver in pairs:
        signal.connect(receiver, dispatch_uid=f"{__name__}.{receiver.__name__}")
