"""The audit trail: who changed what, when, from what to what, and why (django-auditlog).

The models it follows are listed in settings (``AUDITLOG_INCLUDE_TRACKING_MODELS``): every save
and delete of one is recorded, with the request's user as actor (auditlog's middleware).

- ``by(actor, reason)`` says who acts, and why, for the changes saved inside it.
- ``record(obj, changes=...)`` records a change made with ``QuerySet.update()`` or a bulk write,
  which send no signals, so nothing a service does escapes the trail.
- ``record_event(obj, event)`` records something that happened to an object without changing
  it (a sign-in, a password reset) as an "access" entry.
- ``history(obj)`` is an object's trail, newest first.
- ``anonymise(user, replacement)`` takes an erased person out of the trail, keeping the entries.

It imports auditlog, allauth and Django only, no app of ours.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import json
import re
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from typing import Any

from allauth.account.adapter import get_adapter as get_account_adapter
from auditlog import get_logentry_model
from auditlog.context import auditlog_disabled
from auditlog.middleware import AuditlogMiddleware
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import models
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.db.models.signals import pre_save
from django.utils import timezone
from django.utils.encoding import smart_str

# Fields of the user whose every past value names the person.
PERSONAL_FIELDS = ("email", "first_name", "last_name")
# Keys of ``additional_data`` that may hold an email address (see ``participants.audit``).
EMAIL_KEYS = ("email", "from", "to")


@dataclasses.dataclass(frozen=True)
class _Context:
    actor: Any
    reason: str


_context: ContextVar[_Context | None] = ContextVar("core_audit_context", default=None)


def _is_user(actor) -> bool:
    return isinstance(actor, get_user_model()) and actor.is_authenticated


@contextlib.contextmanager
def by(actor, reason: str = "") -> Iterator[None]:
    """Record changes saved inside this block as made by ``actor``, for ``reason`` if given.

    Blocks nest: an inner one wins while it lasts, and keeps the outer actor or reason where it
    gives none (``by(None, reason=...)`` only adds a reason). Without any, the request's user
    (auditlog's middleware) is the actor; outside a request and a block there is none: "system".
    """
    outer = _context.get()
    token = _context.set(
        _Context(
            actor=actor if _is_user(actor) else (outer.actor if outer else None),
            reason=(reason or "").strip() or (outer.reason if outer else ""),
        )
    )
    try:
        yield
    finally:
        _context.reset(token)


def fill_from_context(sender, instance, **kwargs) -> None:
    """``pre_save`` of LogEntry (connected in ``core.apps``): add ``by``'s actor and reason.

    Connected before auditlog's middleware connects its own receiver in each request, so an
    actor given to ``by`` wins over the request's user; auditlog's fills only an empty actor.
    """
    context = _context.get()
    if context is None or not instance._state.adding:
        return
    if context.actor is not None and instance.actor_id is None:
        instance.actor = context.actor
        instance.actor_email = getattr(context.actor, "email", None)
    if context.reason:
        data = instance.additional_data if isinstance(instance.additional_data, dict) else {}
        instance.additional_data = {"reason": context.reason, **data}


def connect() -> None:
    pre_save.connect(fill_from_context, sender=get_logentry_model(), dispatch_uid=__name__)


def as_text(value) -> str:
    """A value as auditlog writes it in ``changes``: datetimes in UTC, objects by their key."""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.make_naive(value, datetime.UTC)
    if isinstance(value, models.Model):
        value = value.pk
    return smart_str(value)


def record(obj, *, changes: Mapping[str, tuple[Any, Any]], reason: str = "", actor=None):
    """Record that ``obj`` changed (``{field: (before, after)}``) where no signal told auditlog:
    ``QuerySet.update()`` and bulk writes. Fields whose value stayed the same are left out, and
    nothing is recorded when none changed. The actor defaults to the surrounding ``by`` or the
    request's user. Returns the entry, or ``None``."""
    if auditlog_disabled.get():
        return None
    diff = {
        field: [as_text(before), as_text(after)]
        for field, (before, after) in changes.items()
        if as_text(before) != as_text(after)
    }
    if not diff:
        return None
    LogEntry = get_logentry_model()
    with by(actor, reason):
        return LogEntry.objects.log_create(obj, action=LogEntry.Action.UPDATE, changes=diff)


def remote_address(request) -> str | None:
    """The client's address: the one the nearest trusted proxy saw (allauth's rule, which the
    sign-in rate limits use too), never a forwarded address anyone could have written."""
    if request is None:
        return None
    try:
        return get_account_adapter().get_client_ip(request)
    except (PermissionDenied, ImproperlyConfigured):
        return request.META.get("REMOTE_ADDR")


class AuditMiddleware(AuditlogMiddleware):
    """auditlog's middleware, taking the client's address from ``remote_address``: its own
    takes the first X-Forwarded-For entry, which the client writes."""

    @staticmethod
    def _get_remote_addr(request):
        return remote_address(request)


def record_event(obj, event: str, *, request=None, actor=None, **details: str):
    """Record that ``event`` happened to ``obj`` ("signed in", "password changed"), with the
    request's remote address, as an "access" entry whose ``additional_data`` names the event."""
    if auditlog_disabled.get():
        return None
    LogEntry = get_logentry_model()
    with by(actor):
        return LogEntry.objects.log_create(
            obj,
            action=LogEntry.Action.ACCESS,
            force_log=True,
            changes=None,
            remote_addr=remote_address(request),
            additional_data={"event": event, **details},
        )


def history(obj) -> models.QuerySet:
    """Every entry about ``obj``, newest first."""
    entries = get_logentry_model().objects.get_for_object(obj)
    return entries.select_related("actor").order_by("-timestamp", "-pk")


# Erasure -----------------------------------------------------------------------------------


def anonymise(user, replacement: str) -> int:
    """Take ``user`` out of the trail, keeping the entries (what happened stays true): every name
    and email address they have had is replaced by ``replacement`` wherever an entry shows it.

    Call it once the account itself is anonymised: its current name and email are then the
    placeholders it keeps, and are left alone. Entries it made lose the actor's email and the
    remote address, as do its sign-ins. Returns how many entries changed.
    """
    LogEntry = get_logentry_model()
    about = list(LogEntry.objects.get_for_object(user))
    emails, names, parts = _past_identities(user, about)
    scrubber = _Scrubber(emails | names, parts, replacement)
    mentioning = (
        LogEntry.objects.exclude(pk__in=[entry.pk for entry in about])
        .annotate(
            changes_as_text=Cast("changes", TextField()),
            additional_data_as_text=Cast("additional_data", TextField()),
        )
        .filter(_mentions(emails | names) | Q(actor=user) | Q(actor_email__in=emails))
    )
    changed = [entry for entry in about if scrubber.scrub(entry, user=user, about_user=True)]
    changed += [entry for entry in mentioning if scrubber.scrub(entry, user=user)]
    LogEntry.objects.bulk_update(changed, SCRUBBED_FIELDS, batch_size=500)
    return len(changed)


SCRUBBED_FIELDS = [
    "object_repr",
    "changes",
    "changes_text",
    "additional_data",
    "actor_email",
    "remote_addr",
    "remote_port",
]


def _past_identities(user, about) -> tuple[set[str], set[str], set[str]]:
    """The email addresses, shown names (``str(user)``) and name parts the user has had, as the
    entries about them show, less the ones the account has now."""
    emails, names, firsts, lasts = set(), set(), set(), set()
    found = {"email": emails, "first_name": firsts, "last_name": lasts}
    for entry in about:
        names.add(entry.object_repr)
        for field, values in (entry.changes or {}).items():
            if field in found and isinstance(values, list):
                found[field].update(str(value) for value in values)
        data = entry.additional_data if isinstance(entry.additional_data, dict) else {}
        emails.update(str(data[key]) for key in EMAIL_KEYS if data.get(key))
    firsts.add(user.first_name)
    lasts.add(user.last_name)
    names |= {f"{first} {last}".strip() for first in firsts for last in lasts}
    now = {user.email, str(user), user.first_name, user.last_name, "", "None"}
    emails = {email.lower() for email in emails - now if "@" in email} - {user.email.lower()}
    # A single word ("Sam") names nobody in particular elsewhere: only their own fields lose it.
    names = {name for name in names - now if " " in name.strip()}
    return emails, names, (firsts | lasts) - now


def _mentions(needles: set[str]) -> Q:
    """Entries whose text shows one of ``needles``: as written, or escaped the way JSON is
    stored on SQLite."""
    condition = Q()
    for needle in needles:
        for form in {needle, json.dumps(needle)[1:-1]}:
            condition |= (
                Q(object_repr__icontains=form)
                | Q(changes_text__icontains=form)
                | Q(changes_as_text__icontains=form)
                | Q(additional_data_as_text__icontains=form)
            )
    return condition


class _Scrubber:
    """Rewrites one entry: ``texts`` (emails, full names) wherever they appear as words, and
    ``parts`` (first or last names alone) as the whole value of the user's own name fields."""

    def __init__(self, texts: set[str], parts: set[str], replacement: str):
        self.replacement = replacement
        self.parts = {part.casefold() for part in parts}
        alternatives = "|".join(re.escape(text) for text in sorted(texts, key=len, reverse=True))
        self.pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.I) if texts else None

    def text(self, value):
        if not isinstance(value, str) or self.pattern is None:
            return value
        return self.pattern.sub(self.replacement, value)

    def value(self, value, *, personal: bool = False):
        """Strings, lists and dicts (keys too) inside ``changes`` or ``additional_data``."""
        if isinstance(value, dict):
            return {
                self.text(key): self.value(item, personal=personal and key in PERSONAL_FIELDS)
                for key, item in value.items()
            }
        if isinstance(value, list):
            return [self.value(item, personal=personal) for item in value]
        if personal and isinstance(value, str) and value.casefold() in self.parts:
            return self.replacement
        return self.text(value)

    def scrub(self, entry, *, user, about_user: bool = False) -> bool:
        """Rewrite ``entry`` in place; whether anything changed."""
        before = [getattr(entry, field) for field in SCRUBBED_FIELDS]
        by_user = entry.actor_id == user.pk
        entry.object_repr = self.text(entry.object_repr)
        entry.changes = self.value(entry.changes, personal=about_user)
        entry.changes_text = self.text(entry.changes_text)
        entry.additional_data = self.value(entry.additional_data)
        if by_user or self.text(entry.actor_email) != entry.actor_email:
            entry.actor_email = self.replacement
        if by_user or (about_user and entry.action == entry.Action.ACCESS):
            entry.remote_addr = entry.remote_port = None
        return before != [getattr(entry, field) for field in SCRUBBED_FIELDS]
