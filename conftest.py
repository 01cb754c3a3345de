"""Test-wide settings and fixtures.

Tests marked ``postgres`` or ``redis`` need those real servers. Where they are absent the tests
skip with the reason, unless ``REQUIRE_SERVICES=1`` (set by CI) turns the skip into a failure.
"""

import os

import pytest
from django.conf import settings
from django.db import connection

from projects.reference import ensure_reference_data
from tests.support import skip_or_fail


@pytest.fixture(autouse=True)
def _fast_settings(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _eager_celery():
    from mathshub.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Transactional tests flush the tables the data migrations filled; put the rows back."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None:
        return
    transactional = marker.kwargs.get("transaction", False)
    request.getfixturevalue("transactional_db" if transactional else "db")
    ensure_reference_data()


@pytest.fixture
def require_postgres():
    if connection.vendor != "postgresql":
        skip_or_fail("needs PostgreSQL: set DATABASE_URL=postgres://...")


@pytest.fixture
def require_redis():
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        skip_or_fail("needs Redis: set TEST_REDIS_URL=redis://127.0.0.1:6379/15")
    import redis

    try:
        redis.Redis.from_url(url).ping()
    except redis.exceptions.ConnectionError as exc:
        skip_or_fail(f"Redis at {url} does not answer: {exc}")
    return url


def pytest_report_header(config):
    return f"database: {settings.DATABASES['default']['ENGINE']}"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Pages cache fragments: each test starts with nothing cached by another."""
    from django.core.cache import cache

    cache.clear()
