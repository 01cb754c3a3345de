"""How long a signed-in session lasts.

Teachers and leads choose at sign-in ("Keep me signed in on this device"): a remembered session
lasts ``SESSION_COOKIE_AGE``, any other ends when the browser closes. Hub staff and the national
team see many schools' and teachers' data, so theirs also ends after
``STAFF_SESSION_IDLE_SECONDS`` without a request, whichever they chose.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout

from core.scoping import is_hub_staff, is_national

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

LAST_SEEN_SESSION_KEY = "staff_last_seen"
# The time of the last request is written at most this often, so a busy member of staff's
# session is not saved on every page; the idle limit is then kept to within this much.
REFRESH_SECONDS = 60
SIGNED_OUT_MESSAGE = (
    "You were signed out after two hours without using the site, to keep schools' and "
    "teachers' data safe. Sign in again to carry on."
)


class StaffIdleTimeoutMiddleware:
    """Signs staff out once they have been idle too long; keeps their session short meanwhile.

    A remembered session's cookie and stored row are given the idle limit on every request; a
    browser-length one keeps its cookie, and the time of its last request decides.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and (is_national(user) or is_hub_staff(user)):
            _keep_short(request)
        return self.get_response(request)


def _keep_short(request: HttpRequest) -> None:
    limit = settings.STAFF_SESSION_IDLE_SECONDS
    session = request.session
    now = int(time.time())
    last_seen = session.get(LAST_SEEN_SESSION_KEY)
    if last_seen is not None and now - last_seen > limit:
        logout(request)
        messages.info(request, SIGNED_OUT_MESSAGE)
        return
    if last_seen is not None and now - last_seen < REFRESH_SECONDS:
        return  # seen a moment ago: the session is not written again on every request
    session[LAST_SEEN_SESSION_KEY] = now
    if not session.get_expire_at_browser_close():
        session.set_expiry(limit)
