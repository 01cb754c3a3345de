"""Reference rows every part relies on: phases, England's regions and the four outcome areas.

Data migrations load them with the functions here, given the historical models;
``projects.reference.ensure_reference_data()`` puts back any that are missing.
"""

PHASES = [
    ("early_years", "Early Years"),
    ("primary", "Primary"),
    ("secondary", "Secondary"),
    ("post_16", "Post-16"),
]
REGIONS = [
    ("A", "North East", "E12000001"),
    ("B", "North West", "E12000002"),
    ("D", "Yorkshire and the Humber", "E12000003"),
    ("E", "East Midlands", "E12000004"),
    ("F", "West Midlands", "E12000005"),
    ("G", "East of England", "E12000006"),
    ("H", "London", "E12000007"),
    ("J", "South East", "E12000008"),
    ("K", "South West", "E12000009"),
]
OUTCOME_AREAS = [
    ("teacher_learning", "Teachers' professional learning"),
    ("practice", "Practice development"),
    ("pupil_learning", "Pupils' learning"),
    ("school_approaches", "New approaches and policies across the school or department"),
]


def load_phases_and_regions(phase_model, region_model) -> None:
    for order, (code, name) in enumerate(PHASES):
        phase_model.objects.update_or_create(code=code, defaults={"name": name, "order": order})
    for code, name, ons_code in REGIONS:
        region_model.objects.update_or_create(
            code=code, defaults={"name": name, "ons_code": ons_code}
        )


def load_outcome_areas(area_model) -> None:
    for order, (code, name) in enumerate(OUTCOME_AREAS, start=1):
        area_model.objects.update_or_create(code=code, defaults={"name": name, "order": order})
