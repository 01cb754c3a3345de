"""The load balancer's probes, and one log line per request."""

import logging

import pytest
from django.db import OperationalError, connection

from tests import brokers
from tests.factories import TeacherFactory

pytestmark = pytest.mark.django_db


def dead_redis() -> str:
    return f"redis://127.0.0.1:{brokers.free_port()}/0"


def test_healthz_says_ok_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.content == b"ok"


def test_probes_answer_plain_http_when_the_site_redirects_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert client.get("/projects/").status_code == 301


def test_readyz_checks_the_database_and_cache_and_skips_a_broker_that_is_not_configured(client):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "ok", "broker": "not configured"}
    assert "no-cache" in response["Cache-Control"]


def test_readyz_is_503_naming_the_broker_when_it_cannot_be_reached(client):
    with brokers.broker(dead_redis()):
        response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json() == {"database": "ok", "cache": "ok", "broker": "failed"}
    assert "127.0.0.1" not in response.content.decode()  # the reason is logged, not shown


def test_readyz_is_503_naming_the_cache_when_it_cannot_be_reached(client, settings):
    redis_cache = "django.core.cache.backends.redis.RedisCache"
    settings.CACHES = {"default": {"BACKEND": redis_cache, "LOCATION": dead_redis()}}

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["cache"] == "failed"
    assert response.json()["database"] == "ok"


def test_readyz_is_503_naming_the_database_when_it_cannot_be_reached(client, monkeypatch):
    def unreachable():
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "ensure_connection", unreachable)

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["database"] == "failed"


@pytest.mark.redis
def test_readyz_is_ok_with_a_broker_that_answers(client, require_redis):
    with brokers.broker(require_redis):
        response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json()["broker"] == "ok"


@pytest.fixture
def request_log(caplog):
    logger = logging.getLogger("core.requests")
    logger.addHandler(caplog.handler)  # it does not propagate to the root logger
    with caplog.at_level(logging.DEBUG, logger="core.requests"):
        yield lambda: [r for r in caplog.records if r.name == "core.requests"]
    logger.removeHandler(caplog.handler)


def test_each_request_is_one_line_with_method_path_status_duration_and_user_id(client, request_log):
    user = TeacherFactory(email="ada.lovelace@example.org")
    client.force_login(user)

    client.get("/groups/mine/")
    client.post("/groups/999999/register/")

    records = request_log()
    lines = [record.getMessage() for record in records]
    assert len(lines) == 2
    assert lines[0].startswith("method=GET path=/groups/mine/ status=200 duration_ms=")
    assert lines[0].endswith(f" user={user.pk}")
    assert lines[1].startswith("method=POST path=/groups/999999/register/ status=404 ")
    assert all(record.levelno == logging.INFO for record in records)
    assert "ada.lovelace" not in "\n".join(lines)


def test_the_request_log_hides_secrets_in_the_path_and_costs_no_query(
    client, request_log, django_assert_num_queries
):
    client.get("/groups/calendar/a-secret-feed-token/sessions.ics?x=y")
    with django_assert_num_queries(0):
        client.get("/healthz")

    feed, probe = (record.getMessage() for record in request_log())
    assert "a-secret-feed-token" not in feed
    assert "path=/groups/calendar/[secret]/sessions.ics " in feed
    assert feed.endswith(" user=-")
    assert probe.startswith("method=GET path=/healthz status=200")
    assert request_log()[1].levelno == logging.DEBUG  # probes are quiet when all is well


def test_a_path_cannot_forge_a_line_in_the_request_log(client, request_log):
    client.get("/groups/%0Amethod=GET path=/admin/ status=200 user=1")

    [line] = [record.getMessage() for record in request_log()]
    assert "\n" not in line
    assert " path=/groups/%0Amethod=GET%20path=/admin/%20status=200%20user=1 status=404 " in line
    assert line.endswith(" user=-")
