"""Helpers shared by the test suite."""

import os

import pytest

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def skip_or_fail(reason: str):
    """Skip with the reason, or fail where CI requires every real service to be there."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (REQUIRE_SERVICES=1 makes this a failure, not a skip)")
    pytest.skip(reason)
