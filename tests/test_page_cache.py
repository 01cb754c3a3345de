"""What the pages cache is never stale: a change made through the services (or saved in the
admin) shows on the very next request, on every page that shows it."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from core import cache as fragments
from participants.models import LLME
from tests.factories import HubFactory, LLMEFactory, PlaceFactory, UserFactory
from tests.projects.helpers import group, running_project, teacher
from workgroups import services
from workgroups.models import DeliveryMode, PlaceStatus, WorkGroupStatus

pytestmark = pytest.mark.django_db

CATALOGUE = reverse("projects:list")


@pytest.fixture(autouse=True)
def _nothing_cached_from_other_tests():
    cache.clear()


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def places_left(html) -> str:
    return re.search(r"Places left</dt><dd[^>]*>([^<]*)", html).group(1).strip()


@pytest.fixture
def full_group():
    """A group with one place left, its pages already cached."""
    work_group = group(
        project=running_project(title="Mastery Readiness"), capacity=2, name="Leeds Work Group"
    )
    PlaceFactory(work_group=work_group)
    return work_group


def test_the_last_place_taken_shows_everywhere_at_once(client, full_group):
    project_url = full_group.project.get_absolute_url()
    assert "Open for registration" in page(client, CATALOGUE)
    assert "1 of 2" in page(client, project_url)
    assert places_left(page(client, full_group.get_absolute_url())) == "1 of 2"

    services.register(user=teacher(), work_group=full_group)

    assert "Full: waiting list open" in page(client, CATALOGUE)
    assert "0 of 2 (waiting list)" in page(client, project_url)
    assert places_left(page(client, full_group.get_absolute_url())) == "0 of 2"


def test_a_withdrawal_frees_the_place_and_promotes_the_waiting_list_everywhere(client, full_group):
    taking = services.register(user=teacher(), work_group=full_group)
    waiting = services.register(user=teacher(), work_group=full_group)
    assert waiting.place.status == PlaceStatus.WAITLISTED
    assert "(1 school waiting)" in page(client, full_group.get_absolute_url())
    client.force_login(waiting.user)
    assert "On the waiting list" in page(client, reverse("workgroups:my_registrations"))

    services.withdraw(registration=taking)

    html = page(client, full_group.get_absolute_url())
    assert places_left(html) == "0 of 2"
    assert "school waiting" not in html
    assert "Confirmed" in page(client, reverse("workgroups:my_registrations"))


def test_a_new_registration_in_a_school_shows_in_its_roster_at_once(client, full_group):
    first = services.register(user=teacher(), work_group=full_group)
    colleague = teacher(school=first.place.school, first_name="Grace", last_name="Hopper")
    client.force_login(first.user)
    assert "Grace Hopper" not in page(client, full_group.get_absolute_url())

    services.register(user=colleague, work_group=full_group)

    assert "Grace Hopper" in page(client, full_group.get_absolute_url())


def test_a_rescheduled_session_shows_its_new_date_on_the_group_and_project_pages(client):
    work_group = group(sessions=2)
    session = work_group.sessions.order_by("number").last()
    new_start = session.starts_at + datetime.timedelta(days=30)
    local = timezone.localtime(new_start)
    assert local.strftime("%-d %B %Y") not in page(client, work_group.get_absolute_url())
    assert local.strftime("%-d %b %Y") not in page(client, work_group.project.get_absolute_url())

    services.reschedule_session(
        session=session,
        starts_at=new_start,
        ends_at=new_start + datetime.timedelta(hours=2),
        mode=session.mode,
        focus=session.focus,
        venue=session.venue or "Hilltop Primary",
        joining_link=session.joining_link or "https://meet.example.org/abc",
    )

    assert local.strftime("%A %-d %B %Y, %H:%M") in page(client, work_group.get_absolute_url())
    assert local.strftime("to %-d %b %Y") in page(client, work_group.project.get_absolute_url())


def test_a_cancelled_or_added_session_shows_at_once(client):
    work_group = group(sessions=2)
    first = work_group.sessions.order_by("number").first()
    assert "(cancelled)" not in page(client, work_group.get_absolute_url())
    assert "2 sessions" in page(client, work_group.project.get_absolute_url())

    services.cancel_session(session=first)
    start = timezone.now() + datetime.timedelta(days=60)
    services.schedule_session(
        work_group=work_group,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        mode=DeliveryMode.ONLINE,
        joining_link="https://meet.example.org/abc",
    )

    assert "<strong>(cancelled)</strong>" in page(client, work_group.get_absolute_url())
    assert "2 sessions" in page(client, work_group.project.get_absolute_url())
    assert "(1 cancelled)" in page(client, work_group.project.get_absolute_url())


def test_a_project_edited_in_the_admin_shows_in_the_catalogue_and_on_its_pages(client):
    project = running_project(title="Mastery Readiness")
    work_group = group(project=project)
    hub = HubFactory(name="Enigma Maths Hub")
    assert "Mastery Readiness" in page(client, CATALOGUE)
    assert "Open to teachers in state-funded schools in England." in page(client, CATALOGUE)
    page(client, project.get_absolute_url())
    page(client, work_group.get_absolute_url())

    project.title = "Mastery Foundations"
    project.save()
    project.eligible_hubs.add(hub)
    project.roles.update(name="Maths lead")  # no signal: the role's save below sends one
    project.roles.first().save()

    catalogue = page(client, CATALOGUE)
    assert "Mastery Foundations" in catalogue
    assert "Mastery Readiness" not in catalogue
    assert "state-funded schools in Enigma Maths Hub." in catalogue
    assert "maths lead (up to 2)" in catalogue
    assert "<h1>Mastery Foundations</h1>" in page(client, project.get_absolute_url())
    group_page = page(client, work_group.get_absolute_url())
    assert "Mastery Foundations" in group_page
    assert "Maths lead (up to 2)" in group_page


def test_a_project_taken_out_of_this_year_leaves_the_catalogue_and_its_page_goes(client):
    project = running_project(title="Mastery Readiness")
    assert "Mastery Readiness" in page(client, CATALOGUE)
    page(client, project.get_absolute_url())

    project.years.clear()

    assert "Mastery Readiness" not in page(client, CATALOGUE)
    assert client.get(project.get_absolute_url()).status_code == 404


def test_a_hub_renamed_in_the_admin_shows_on_the_project_and_group_pages(client):
    hub = HubFactory(name="Enigma Maths Hub")
    work_group = group(hub=hub)
    assert "Enigma Maths Hub" in page(client, work_group.project.get_absolute_url())
    assert "Enigma Maths Hub" in page(client, work_group.get_absolute_url())

    hub.name = "Turing Maths Hub"
    hub.save()

    assert "Turing Maths Hub" in page(client, work_group.project.get_absolute_url())
    assert "Turing Maths Hub" in page(client, work_group.get_absolute_url())


def test_group_details_saved_in_the_admin_show_at_once(client):
    work_group = group(venue="Leeds Civic Hall")
    assert "Leeds Civic Hall" in page(client, work_group.get_absolute_url())
    assert "Leeds Civic Hall" in page(client, work_group.project.get_absolute_url())

    work_group.venue = "Bradford Library"
    work_group.save()

    assert "Bradford Library" in page(client, work_group.get_absolute_url())
    assert "Bradford Library" in page(client, work_group.project.get_absolute_url())


def test_a_new_group_shows_on_its_projects_page_and_in_the_filters(client):
    project = running_project(title="Mastery Readiness")
    group(project=project, delivery_mode=DeliveryMode.FACE_TO_FACE)
    assert "Mastery Readiness" not in page(client, CATALOGUE + "?mode=online")
    assert "1 Work Group" in page(client, project.get_absolute_url())

    group(project=project, delivery_mode=DeliveryMode.ONLINE, name="Online group")

    assert "Mastery Readiness" in page(client, CATALOGUE + "?mode=online")
    assert "Online group" in page(client, project.get_absolute_url())


def test_a_group_that_stops_recruiting_or_is_cancelled_shows_at_once(client):
    work_group = group(project=running_project(title="Mastery Readiness"))
    assert "Open for registration" in page(client, CATALOGUE)
    page(client, work_group.get_absolute_url())

    services.change_status(work_group=work_group, status=WorkGroupStatus.RUNNING)

    assert "Not recruiting now" in page(client, CATALOGUE)
    assert '<dd class="col-sm-9">Running</dd>' in page(client, work_group.get_absolute_url())

    services.cancel(work_group=work_group, reason="Not enough schools.")

    assert client.get(work_group.get_absolute_url()).status_code == 404


def test_leads_added_renamed_or_removed_show_on_the_group_page(client):
    work_group = group()
    assert "to be confirmed" in page(client, work_group.get_absolute_url())
    lead = LLMEFactory(user__first_name="Ada", user__last_name="Lovelace")

    work_group.leads.add(lead)
    assert "Ada Lovelace" in page(client, work_group.get_absolute_url())

    lead.user.last_name = "Byron"
    lead.user.save()
    assert "Ada Byron" in page(client, work_group.get_absolute_url())

    lead.delete()
    assert "to be confirmed" in page(client, work_group.get_absolute_url())


def test_one_persons_session_links_are_never_shown_to_another(client, full_group):
    participant = services.register(user=teacher(), work_group=full_group).user
    start = timezone.now() + datetime.timedelta(days=3)
    mine = services.schedule_session(
        work_group=full_group,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        mode=DeliveryMode.ONLINE,
        joining_link="https://meet.example.org/abc",
    )
    link = reverse("workgroups:session", args=[mine.pk])
    client.force_login(participant)
    assert link in page(client, full_group.get_absolute_url())

    client.force_login(teacher())
    assert link not in page(client, full_group.get_absolute_url())
    client.logout()
    assert link not in page(client, full_group.get_absolute_url())


def test_the_menu_offers_my_groups_from_the_moment_someone_becomes_a_lead(client):
    person = UserFactory()
    client.force_login(person)
    assert "My groups" not in page(client, reverse("home"))

    lead = LLMEFactory(user=person)
    assert "My groups" in page(client, reverse("home"))

    LLME.objects.filter(pk=lead.pk).delete()  # a queryset's delete still sends the signals
    assert "My groups" not in page(client, reverse("home"))


def test_a_bump_is_made_again_when_the_transaction_commits(django_capture_on_commit_callbacks):
    """A reader who caches old figures between a change and its commit does not keep them."""
    built = []

    def read():
        return fragments.get_or_build("figure", lambda: built.append(1) or len(built), "scope")

    assert read() == 1
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        fragments.bump("scope")
        assert read() == 2  # cached again before the commit, from what it could see then
    assert read() == 2

    for callback in callbacks:
        callback()

    assert read() == 3


def test_a_scope_whose_token_is_lost_is_never_read_from_an_older_entry():
    fragments.get_or_build("figure", lambda: "old", "scope")
    cache.delete("scope:scope")

    assert fragments.get_or_build("figure", lambda: "new", "scope") == "new"


def test_everyone_stays_signed_in_when_the_cache_is_emptied(client, settings):
    """Sessions live in the cache where Redis is configured, written through to the database."""
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    client.force_login(teacher())
    assert "Sign out" in page(client, reverse("home"))

    cache.clear()

    assert "Sign out" in page(client, reverse("home"))


def test_the_shared_redis_cache_keeps_fragments_and_their_versions(require_redis, settings):
    """``core.cache.SharedRedisCache`` (production's backend when ``REDIS_URL`` is set) against
    a real Redis: it reuses one client, and entries and bumps behave as in memory."""
    from django.core.cache import caches

    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.SharedRedisCache",
            "LOCATION": require_redis,
            "KEY_PREFIX": "test-page-cache",
        }
    }
    shared = caches["default"]
    shared.clear()
    try:
        assert fragments.get_or_build("figure", lambda: {"places": 3}, "scope") == {"places": 3}
        assert fragments.get_or_build("figure", lambda: "rebuilt", "scope") == {"places": 3}
        fragments.bump("scope")
        assert fragments.get_or_build("figure", lambda: "rebuilt", "scope") == "rebuilt"
        assert shared._cache.get_client() is shared._cache.get_client(write=True)
    finally:
        shared.clear()
