"""Put back reference rows that are missing (after a database flush, say).

Called by the demo seed and the test suite; the rows themselves are listed in ``core.reference``.
"""

from core.reference import (
    OUTCOME_AREAS,
    PHASES,
    REGIONS,
    load_outcome_areas,
    load_phases_and_regions,
)
from participants.models import Phase, Region
from projects.models import OutcomeArea


def ensure_reference_data() -> None:
    """Load whatever reference rows are missing; three cheap counts when nothing is."""
    if Phase.objects.count() < len(PHASES) or Region.objects.count() < len(REGIONS):
        load_phases_and_regions(Phase, Region)
    if OutcomeArea.objects.count() < len(OUTCOME_AREAS):
        load_outcome_areas(OutcomeArea)
