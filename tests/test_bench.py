"""The benchmark's own parts (``scripts/bench.py``): its settings, its bare page, and the pages
it measures, which must each answer the role that opens them."""

import importlib.util
import sys
from pathlib import Path

import pytest

from demo.seed import seed
from participants.models import User

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"


def load_script(name: str):
    """A module of ``scripts/`` (not a package), imported by its path."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def bench_site(settings):
    """The site as the benchmark serves it: its URLs and its middleware."""
    from mathshub import bench_settings

    settings.ROOT_URLCONF = bench_settings.ROOT_URLCONF
    settings.MIDDLEWARE = bench_settings.MIDDLEWARE
    settings.ALLOWED_HOSTS = bench_settings.ALLOWED_HOSTS
    return settings


def test_bench_settings_are_production_over_plain_http():
    from mathshub import bench_settings, settings

    assert bench_settings.DEBUG is False
    assert bench_settings.SECURE_SSL_REDIRECT is False
    assert bench_settings.SESSION_COOKIE_SECURE is False
    assert bench_settings.CSRF_COOKIE_SECURE is False
    assert {"127.0.0.1", "localhost"} <= set(bench_settings.ALLOWED_HOSTS)
    assert bench_settings.ROOT_URLCONF == "mathshub.bench_urls"
    # Every page goes through the site's own middleware; the benchmark only counts queries.
    counter, *middleware = bench_settings.MIDDLEWARE
    assert counter == "mathshub.bench_urls.QueryCountHeaderMiddleware"
    assert middleware == settings.MIDDLEWARE
    assert bench_settings.STORAGES["staticfiles"]["BACKEND"] == (
        "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )


@pytest.mark.django_db
def test_bare_page_runs_exactly_one_query(bench_site, client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/bench/bare/")

    assert response.status_code == 200
    assert response.content == b"bare 1\n"
    assert response["X-Bench-Queries"] == "1"
    # It went through the site's middleware like any page.
    assert "Content-Security-Policy" in response


@pytest.mark.django_db
def test_site_urls_are_still_there(bench_site, client):
    response = client.get("/projects/")

    assert response.status_code == 200
    assert int(response["X-Bench-Queries"]) >= 1


def test_percentile_is_nearest_rank():
    percentile = load_script("bench_load").percentile

    assert percentile(list(range(1, 101)), 0.99) == 99
    assert percentile([5.0], 0.99) == 5.0
    assert percentile([3.0, 1.0, 2.0], 0.5) == 2.0


@pytest.mark.django_db
def test_every_page_measured_answers_its_role(bench_site, client):
    seed("small")  # without the reports seed_demo then collates: the page list needs none
    targets = load_script("bench_targets")
    pages = targets.pages(everything=True)

    assert {page.who for page in pages} == set(targets.ROLES)
    assert sum(page.target is not None for page in pages) == 13
    for role, email in targets.ROLES.items():
        client.force_login(User.objects.get(email=email))
        for page in (page for page in pages if page.who == role):
            response = client.get(page.url)
            assert response.status_code == 200, f"{page.name} ({page.url}) as {role}"
