"""Helpers shared by the test suite."""

import os
import threading

import pytest
from django.db import connection

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def skip_or_fail(reason: str):
    """Skip with the reason, or fail where CI requires every real service to be there."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (REQUIRE_SERVICES=1 makes this a failure, not a skip)")
    pytest.skip(reason)


def at_once(calls, *, meeting_at=None, monkeypatch=None):
    """Run each of ``calls`` in its own thread and connection, all starting together; with
    ``meeting_at`` (a manager), each also waits at its ``create`` until all have got there, so
    every check before the write has passed before anyone writes. Returns results and errors."""
    barrier = threading.Barrier(len(calls))
    if meeting_at is not None:
        create = meeting_at.create

        def create_together(**fields):
            barrier.wait(timeout=10)
            return create(**fields)

        monkeypatch.setattr(meeting_at, "create", create_together)
    results, errors = [], []

    def run(call):
        try:
            if meeting_at is None:
                barrier.wait(timeout=10)
            results.append(call())
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors
