import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _nothing_cached_from_other_tests():
    """The pages cache what they show (core.cache); each test starts from an empty cache."""
    cache.clear()
