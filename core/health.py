"""Probes for a load balancer or orchestrator.

``/healthz``: the process is up and answering (no database, nothing else), for liveness.
``/readyz``: it can do its work: the database, the cache and, when a broker is configured
(``CELERY_BROKER_URL``), the broker answer. 200 with each check's result, or 503 naming what
failed. The reasons go to the log, not to the caller.
"""

import logging
import uuid

from celery import current_app
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

BROKER_TIMEOUT = 3  # seconds


@never_cache
@require_safe
def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


@never_cache
@require_safe
def readyz(request):
    checks = {
        "database": _check("database", _database),
        "cache": _check("cache", _cache),
        "broker": _check("broker", _broker) if broker_configured() else "not configured",
    }
    ready = all(result != "failed" for result in checks.values())
    return JsonResponse(checks, status=200 if ready else 503)


def _check(name: str, probe) -> str:
    try:
        probe()
    except Exception:
        logger.warning("Readiness check failed: %s", name, exc_info=True)
        return "failed"
    return "ok"


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _cache() -> None:
    key, value = f"readyz:{uuid.uuid4().hex}", "ok"
    cache.set(key, value, timeout=10)
    if cache.get(key) != value:
        raise RuntimeError("the cache did not keep a value")
    cache.delete(key)


def broker_configured() -> bool:
    """Tasks go to a broker (without one they run eagerly in the web process)."""
    return not current_app.conf.task_always_eager


def _broker() -> None:
    with current_app.connection_for_write() as broker:
        broker.ensure_connection(max_retries=1, interval_start=0, timeout=BROKER_TIMEOUT)
