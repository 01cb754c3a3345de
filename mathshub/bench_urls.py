"""The benchmark's URLs (``mathshub.bench_settings``): the site's own, plus ``/bench/bare/``.

The bare page is the yardstick: it goes through every middleware like any page, runs exactly one
trivial query and returns a few bytes, so a page's throughput divided by the bare page's says how
much of the server's time the page itself takes.
"""

from django.db import connection
from django.http import HttpResponse
from django.urls import path

from mathshub.urls import urlpatterns as site_urlpatterns

QUERY_COUNT_HEADER = "X-Bench-Queries"


def bare(request):
    """One query, a tiny response."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        (one,) = cursor.fetchone()
    return HttpResponse(f"bare {one}\n", content_type="text/plain")


class QueryCountHeaderMiddleware:
    """Counts the database queries of the whole request into the ``X-Bench-Queries`` header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            response = self.get_response(request)
        response[QUERY_COUNT_HEADER] = str(count)
        return response


urlpatterns = [path("bench/bare/", bare, name="bench_bare"), *site_urlpatterns]
