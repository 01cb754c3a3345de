"""Fragments that rarely change, cached under versions that the services bump when data changes.

A page caches what it renders from slow-moving data (a name, some parts) under one or more
*scopes* (``"catalogue"``, ``"group:42"``, ``"project:7"``). Each scope has a version token in
the cache; ``bump(scope)`` gives it a fresh one. Every entry is stored with the tokens of its
scopes as they were when it was built, and is used only while they are still the current ones:
after a bump it is never read again, and the next reader builds it afresh. Tokens are random,
never counters, so a token lost to eviction is replaced by a new one and an old entry cannot
come back to life. Reading an entry and its scopes' tokens is one round trip to the cache.

The services that change the data call ``bump`` (never the views): it runs at once, and again
when the surrounding transaction commits, so a reader who cached the old figures between the
change and the commit does not keep them.

Every key also carries the release: a digest of the models' fields and the templates, so a
deployment that changes what is cached (or how it is rendered) never reads an older entry.
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from collections.abc import Callable, Hashable, Iterable
from functools import cache as once
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.core.signals import request_finished, request_started
from django.db import transaction
from django.dispatch import receiver
from django.utils.functional import cached_property

# Long enough to matter, short enough that nothing lives for ever if a bump is ever missed.
DEFAULT_TIMEOUT = 60 * 60
# A scope's token outlives every entry built on it; one that expires is simply replaced (every
# entry built on the old one is then a miss), so scopes nobody uses again (a mistyped address's
# ``group:<id>``) do not pile up.
TOKEN_TIMEOUT = 24 * 60 * 60


def _token_key(scope: str) -> str:
    return f"scope:{scope}"


def _new_token() -> str:
    return uuid.uuid4().hex[:12]


@once
def release() -> str:
    """A digest of every model's fields and every project template, computed once a process."""
    digest = hashlib.sha1(usedforsecurity=False)
    for model in apps.get_models():
        fields = ",".join(f"{f.name}:{f.get_internal_type()}" for f in model._meta.concrete_fields)
        digest.update(f"{model._meta.label}({fields})".encode())
    for folder in settings.TEMPLATES[0]["DIRS"]:
        for path in sorted(Path(folder).rglob("*.html")):
            digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


# A request reads each scope's token once (a page asks for several entries under the same
# scopes): the tokens it has read, kept only while a request runs (``_seen.tokens`` is None
# outside one) and updated by its own bumps.
_seen = threading.local()


@receiver(request_started, dispatch_uid="core_cache_request_started")
def _remember_tokens(**kwargs) -> None:
    _seen.tokens = {}


@receiver(request_finished, dispatch_uid="core_cache_request_finished")
def _forget_tokens(**kwargs) -> None:
    _seen.tokens = None


def _read(scopes: tuple[str, ...], keys: list[str]) -> tuple[tuple[str, ...], dict]:
    """The scopes' current tokens, and the entries stored under ``keys``, in one round trip."""
    seen = getattr(_seen, "tokens", None)
    tokens = {scope: seen[scope] for scope in scopes if seen and scope in seen}
    unknown = {_token_key(scope): scope for scope in scopes if scope not in tokens}
    found = cache.get_many([*unknown, *keys])
    for token_key, scope in unknown.items():
        token = found.get(token_key)
        if token is None:
            token = _new_token()
            # Another process may have set one meanwhile; theirs wins, so both agree.
            if not cache.add(token_key, token, timeout=TOKEN_TIMEOUT):
                token = cache.get(token_key) or token
        tokens[scope] = token
    if seen is not None:
        seen.update(tokens)
    return tuple(tokens[scope] for scope in scopes), found


def key(name: str, parts: tuple[Any, ...] = ()) -> str:
    """Where the entry for ``name`` and ``parts`` is stored (with its scopes' tokens)."""
    suffix = ":".join(str(part) for part in parts)
    return f"frag:{release()}:{name}:{suffix}"


def get_or_build(
    name: str,
    build: Callable[[], Any],
    *scopes: str,
    parts: tuple[Any, ...] = (),
    timeout: int = DEFAULT_TIMEOUT,
) -> Any:
    """The value for ``name`` and ``parts``, from the cache while none of ``scopes`` has been
    bumped since it was built, else built and stored (``None`` is a value like any other)."""
    entry_key = key(name, parts)
    stamp, found = _read(scopes, [entry_key])
    entry = found.get(entry_key)
    if entry is not None and entry[0] == stamp:
        return entry[1]
    value = build()
    cache.set(entry_key, (stamp, value), timeout)
    return value


def get_or_build_each(
    entries: Iterable[tuple[str, tuple[Any, ...], Callable[[], Any]]],
    *scopes: str,
    timeout: int = DEFAULT_TIMEOUT,
) -> list:
    """``get_or_build`` for several ``(name, parts, build)`` under the same scopes, read in one
    round trip: the values, in order."""
    entries = list(entries)
    keys = [key(name, parts) for name, parts, _build in entries]
    stamp, found = _read(scopes, keys)
    values, built = [], {}
    for entry_key, (_name, _parts, build) in zip(keys, entries, strict=True):
        entry = found.get(entry_key)
        if entry is not None and entry[0] == stamp:
            values.append(entry[1])
        else:
            values.append(build())
            built[entry_key] = (stamp, values[-1])
    if built:
        cache.set_many(built, timeout)
    return values


def get_many_or_build(
    name: str,
    ids: Iterable[Hashable],
    build: Callable[[list], dict],
    *scopes: str,
    timeout: int = DEFAULT_TIMEOUT,
) -> dict:
    """One value per id (a project's rules, say), all read in one round trip;
    ``build(missing)`` returns ``{id: value}`` for the ids not cached, built together."""
    keys = {item: key(name, (item,)) for item in dict.fromkeys(ids)}
    stamp, found = _read(scopes, list(keys.values()))
    values = {}
    for item, entry_key in keys.items():
        entry = found.get(entry_key)
        if entry is not None and entry[0] == stamp:
            values[item] = entry[1]
    missing = [item for item in keys if item not in values]
    if missing:
        built = build(missing)
        cache.set_many({keys[item]: (stamp, value) for item, value in built.items()}, timeout)
        values.update(built)
    return values


def _bump_now(scopes: tuple[str, ...]) -> None:
    tokens = {scope: _new_token() for scope in scopes}
    cache.set_many({_token_key(s): token for s, token in tokens.items()}, timeout=TOKEN_TIMEOUT)
    seen = getattr(_seen, "tokens", None)
    if seen is not None:
        seen.update(tokens)


def bump(*scopes: str) -> None:
    """Make every entry cached under any of these scopes stale, now and again at commit."""
    if not scopes:
        return
    _bump_now(scopes)
    transaction.on_commit(lambda: _bump_now(scopes))


class _OneClientPerServer(RedisCacheClient):
    """Django's client builds a new ``redis.Redis`` (hundreds of response callbacks) for every
    call; one per connection pool does the same work, and is safe to share between threads."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class SharedRedisCache(RedisCache):
    """Django's Redis cache backend without the cost of a new client on every call."""

    @cached_property
    def _cache(self):
        return _OneClientPerServer(self._servers, **self._options)
