"""The site's URLs plus two views that fail on purpose, for the error-page tests."""

from django.core.exceptions import PermissionDenied
from django.urls import path

from mathshub.urls import urlpatterns as site_urlpatterns


def refuse(request):
    raise PermissionDenied


def fail(request):
    raise RuntimeError("a fault for the error-page test")


urlpatterns = [
    *site_urlpatterns,
    path("__refuse__/", refuse),
    path("__fail__/", fail),
]
