"""One log line per request: method, path, status, duration and who (by id, never by email)."""

import logging
import time
from urllib.parse import quote

from django.utils.functional import SimpleLazyObject, empty

logger = logging.getLogger("core.requests")

# URL arguments named like these are secrets (calendar feed tokens, allauth's email and password
# keys) and never reach the log.
SECRET_URL_ARGUMENTS = ("token", "key", "secret")
# The load balancer asks every few seconds; its answers are logged only when they are bad news.
PROBES = {"/healthz", "/readyz"}


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.monotonic()
        response = self.get_response(request)
        milliseconds = (time.monotonic() - started) * 1000
        quiet = request.path in PROBES and response.status_code < 400
        logger.log(
            logging.DEBUG if quiet else logging.INFO,
            "method=%s path=%s status=%s duration_ms=%.0f user=%s",
            request.method,
            logged_path(request),
            response.status_code,
            milliseconds,
            user_id(request),
        )
        return response


def logged_path(request) -> str:
    """The path with any secret in it replaced, percent-encoded again so that a space or a
    line break in it cannot forge a log line; no query string (it may hold anything)."""
    path = request.path
    match = getattr(request, "resolver_match", None)
    for name, value in match.kwargs.items() if match else ():
        if value and any(word in name for word in SECRET_URL_ARGUMENTS):
            path = path.replace(str(value), "[secret]")
    return quote(path, safe="/:@!$&'()*+,;=-._~[]")


def user_id(request) -> str:
    """The signed-in user's id, or ``-``. Only read if the request already loaded the user:
    logging must never cost a query."""
    user = getattr(request, "user", None)
    if user is None or (isinstance(user, SimpleLazyObject) and user._wrapped is empty):
        return "-"
    return str(user.pk) if user.is_authenticated else "-"
