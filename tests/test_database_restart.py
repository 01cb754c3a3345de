"""A database restart is invisible to the people using the site.

The site runs as in production: gunicorn with one sync worker, keeping its PostgreSQL connection
between requests. Between two requests every connection to the database is ended by the server
(as a restart or failover does); the next requests must still succeed, because Django checks a
kept connection before reusing it (``CONN_HEALTH_CHECKS``) and opens a new one if it is dead.
"""

import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from tests.brokers import database_url, free_port, wait_for

ROOT = Path(__file__).resolve().parent.parent
APPLICATION_NAME = "mathshub-restart-test"
PAGES = ["/projects/", "/", "/readyz"]

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - our own server
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


@pytest.fixture
def site(require_postgres):
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"{database_url()}?conn_max_age=600&application_name={APPLICATION_NAME}",
        "DEBUG": "true",
        "SECURE_SSL_REDIRECT": "false",
    }
    for name in ("CELERY_BROKER_URL", "REDIS_URL"):
        env.pop(name, None)
    process = subprocess.Popen(  # noqa: S603 - our own site, fixed arguments
        [sys.executable, "-m", "gunicorn", "--workers", "1", "--bind", f"127.0.0.1:{port}",
         "mathshub.wsgi"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        assert wait_for(lambda: status(f"{base}/healthz") == 200), "gunicorn did not start"
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def site_connections() -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity "
            "WHERE datname = current_database() AND application_name = %s",
            [APPLICATION_NAME],
        )
        return {pid for (pid,) in cursor.fetchall()}


def end_every_other_connection() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


def test_requests_after_the_database_dropped_every_connection_succeed(site):
    assert [status(site + page) for page in PAGES] == [200, 200, 200]
    [kept] = site_connections()  # one connection, kept from request to request

    end_every_other_connection()
    assert wait_for(lambda: not site_connections(), seconds=30)

    assert [status(site + page) for page in PAGES] == [200, 200, 200]
    [reopened] = site_connections()
    assert reopened != kept
