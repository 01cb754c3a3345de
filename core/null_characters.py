"""Addresses and query strings with a null character are refused before any view runs.

PostgreSQL can neither store nor compare text holding a null character (U+0000), so one that
reaches a query fails the whole request. Nobody types one: it comes from a damaged link or a
script. A form refuses one next to its field (every Django ``CharField`` does, in words), but the
path and the query string reach search boxes, list filters and the admin's lists without a form,
so they are checked here, once, for every page, with the cookies (a session or CSRF cookie is
looked up in the database too): the answer is the "We could not understand that request" page
(400), and nothing is changed.
"""

from django.core.exceptions import SuspiciousOperation

NULL = "\x00"


class NullCharacterInRequest(SuspiciousOperation):
    """Django answers 400 and logs it under ``django.security.NullCharacterInRequest``."""


def has_null_character(request) -> bool:
    if NULL in request.path:
        return True
    if any(NULL in key or NULL in value for key, value in request.COOKIES.items()):
        return True
    return any(
        NULL in key or any(NULL in value for value in values) for key, values in request.GET.lists()
    )


class RefuseNullCharactersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if has_null_character(request):
            raise NullCharacterInRequest("The address or a cookie holds a null character.")
        return self.get_response(request)
