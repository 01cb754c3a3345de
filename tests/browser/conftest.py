"""Playwright drives the system's Chromium against Django's live server.

Without Chromium these tests skip and say so; with REQUIRE_SERVICES=1 (CI) that is a failure.
"""

import contextlib
import os
import shutil
import time
from pathlib import Path

import pytest
from allauth.mfa import app_settings as mfa_settings

from tests.factories import TOTP_SECRET, totp_code
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
# (email, code) pairs already entered: allauth refuses a code an account has just used.
_USED_CODES: set[tuple[str, str]] = set()
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if not executable:
        skip_or_fail("needs Chromium for browser tests: apt-get install chromium")
    return {**browser_type_launch_args, "executable_path": executable, "args": CHROMIUM_ARGS}


# Records every Content-Security-Policy violation on every page, in the page's console, where
# the fixture below collects it (Chromium also logs each as "Refused to ...").
_RECORD_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile || document.location.href}:${event.lineNumber}`
    + (event.sample ? ` (${event.sample})` : ""));
}, true);
"""
_CSP_MESSAGE_MARKERS = ("CSP violation:", "Refused to", "Content Security Policy")


@pytest.fixture(autouse=True)
def _fail_on_csp_violations(request):
    """Every browser test fails if any page it opened broke the Content-Security-Policy."""
    if "page" not in request.fixturenames:
        yield
        return
    page = request.getfixturevalue("page")
    violations: list[str] = []
    page.add_init_script(_RECORD_CSP_VIOLATIONS)

    def on_console(message):
        if any(marker in message.text for marker in _CSP_MESSAGE_MARKERS):
            violations.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    yield
    with contextlib.suppress(Exception):  # let the last page's events arrive
        page.evaluate("() => new Promise((resolve) => setTimeout(resolve, 50))")
    assert not violations, "Content-Security-Policy violations:\n" + "\n".join(
        dict.fromkeys(violations)
    )


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


def sign_in(
    page, live_server, email: str, password: str, next_url: str = "/", totp_secret=TOTP_SECRET
) -> None:
    """Sign in through the site's form; staff (asked for a code) enter their app's code."""
    page.goto(f"{live_server.url}/accounts/login/?next={next_url}")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():  # to the next page, or back to this one saying why not
        page.get_by_role("button", name="Sign In").click()
    if "/accounts/2fa/authenticate/" in page.url:
        enter_totp_code(page, email, totp_secret)


# Seconds a code must still have to run before it is typed (see enter_totp_code).
CODE_MARGIN_SECONDS = 10


def enter_totp_code(page, email: str, secret: str = TOTP_SECRET) -> None:
    """Type the code an authenticator app with ``secret`` shows now and sign in.

    allauth takes each code once per account, so if this account has used this one already,
    wait for the next.
    """
    period = mfa_settings.TOTP_PERIOD

    def next_period():
        time.sleep(period - time.time() % period + 0.1)

    # A busy machine can take seconds to send the code, and the site takes only the current
    # one: so a code about to change is not typed (``totp_code`` waits for the next).
    code = totp_code(secret, margin=CODE_MARGIN_SECONDS)
    if (email, code) in _USED_CODES:
        next_period()
        code = totp_code(secret, margin=CODE_MARGIN_SECONDS)
    _USED_CODES.add((email, code))
    page.get_by_label("Code from your authenticator app").fill(code)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(lambda url: "/accounts/2fa/authenticate/" not in url)
