"""Playwright drives the system's Chromium against Django's live server.

Without Chromium these tests skip and say so; with REQUIRE_SERVICES=1 (CI) that is a failure.
"""

import os
import shutil
from pathlib import Path

import pytest

from tests.support import skip_or_fail

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if not executable:
        skip_or_fail("needs Chromium for browser tests: apt-get install chromium")
    return {**browser_type_launch_args, "executable_path": executable, "args": CHROMIUM_ARGS}


@pytest.fixture
def shoot(page):
    """Save a full-page screenshot at desktop and phone widths; returns the paths."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(name: str) -> list[Path]:
        paths = []
        for label, size in VIEWPORTS.items():
            page.set_viewport_size(size)
            path = SCREENSHOTS / f"{name}-{label}.png"
            page.screenshot(path=path, full_page=True)
            paths.append(path)
        page.set_viewport_size(VIEWPORTS["desktop"])
        return paths

    return take


@pytest.fixture
def axe_check(page):
    """Run axe-core on the current page; fail with the violations if there are any."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def check(context: str = "") -> None:
        results = axe.run(page)
        assert results.violations_count == 0, f"{context}\n{results.generate_report()}"

    return check


def sign_in(page, live_server, email: str, password: str, next_url: str = "/") -> None:
    page.goto(f"{live_server.url}/accounts/login/?next={next_url}")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()
