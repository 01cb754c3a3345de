import pytest

from tests.factories import HubFactory, HubMembershipFactory, LLMEFactory, NationalAdminFactory
from tests.lead.factories import add_schools, led_group


@pytest.fixture
def hub():
    return HubFactory(name="Enigma Maths Hub")


@pytest.fixture
def lead(hub):
    return LLMEFactory(hub=hub, user__first_name="Lena", user__last_name="Lead")


@pytest.fixture
def group(hub, lead):
    return led_group(hub=hub, lead=lead, name="Cedar Work Group")


@pytest.fixture
def registrations(group):
    return add_schools(group, 2)


@pytest.fixture
def people(hub, lead, group, registrations):
    """One user per role in the permission matrix."""
    other_hub = HubFactory()
    other_group = led_group(hub=other_hub)
    return {
        "teacher": registrations[0].user,
        "other group's lead": other_group.leads.get().user,
        "this group's lead": lead.user,
        "other hub's staff": HubMembershipFactory(hub=other_hub).user,
        "this hub's staff": HubMembershipFactory(hub=hub).user,
        "national team": NationalAdminFactory(),
    }
