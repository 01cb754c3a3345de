"""Faults injected into a report's collation from outside it, for tests only.

The collation saves its progress as it goes (an ``UPDATE`` of the report's ``progress``). A
Django execute wrapper watches for that statement and, once progress reaches a given per cent,
either makes the collation's next query fail (a failure half-way) or sleeps (a worker that
hangs half-way until it is killed). Nothing in the application knows about it.
"""

import os
import time

from django.db import connection
from django.db.backends.signals import connection_created

PAUSE_ENV = "TEST_REPORT_PAUSE_AT"


class CollationFault:
    """An execute wrapper that acts once the report's saved progress reaches ``at`` per cent."""

    def __init__(self, at: int, *, error: Exception | None = None, pause_seconds: float = 0):
        self.at, self.error, self.pause_seconds = at, error, pause_seconds
        self.armed = False

    def __call__(self, execute, sql, params, many, context):
        if self.armed and sql.lstrip().upper().startswith("SELECT"):
            raise self.error
        result = execute(sql, params, many, context)
        if self._reaches(sql, params):
            if self.error is not None:
                self.armed = True
            else:
                time.sleep(self.pause_seconds)
        return result

    def _reaches(self, sql, params) -> bool:
        saving_progress = sql.startswith('UPDATE "evaluations_nationalreport" SET "progress"')
        return saving_progress and bool(params) and params[0] >= self.at


def fail_collation_at(percent: int, error: Exception):
    """A context manager: the collation in this process raises ``error`` at ``percent``."""
    return connection.execute_wrapper(CollationFault(percent, error=error))


def install_pause_from_environment(**_) -> None:
    """In a worker started with ``TEST_REPORT_PAUSE_AT=N``, hang at N per cent on every
    connection, so the test can kill the worker half-way through a report."""
    at = os.environ.get(PAUSE_ENV, "")
    if at.isdigit():
        wrapper = CollationFault(int(at), pause_seconds=600)
        connection_created.connect(
            lambda connection, **kwargs: connection.execute_wrappers.append(wrapper),
            weak=False,
        )
