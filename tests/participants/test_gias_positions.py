"""``manage.py import_schools`` reads each school's grid position (GIAS's Easting and Northing),
which the catalogue uses to say how far a group meets from a teacher's school."""

import pytest

from participants.models import School
from tests.participants.test_import_schools import (
    SAMPLE,
    read_sample,
    run_import,
    sample_with,
    write_gias,
)

pytestmark = pytest.mark.django_db


def test_the_sample_has_the_columns_and_a_school_without_a_position_has_none():
    header, _rows = read_sample()
    assert {"Easting", "Northing"} <= set(header)

    run_import(SAMPLE)

    assert set(School.objects.values_list("easting", "northing")) == {(None, None)}


def test_easting_and_northing_are_saved_and_a_changed_position_is_updated(tmp_path):
    run_import(sample_with(tmp_path / "placed.csv", "900001", Easting="430151", Northing="433504"))
    school = School.objects.get(urn=900001)
    assert (school.easting, school.northing) == (430151, 433504)

    output = run_import(
        sample_with(tmp_path / "moved.csv", "900001", Easting="430200", Northing="433504")
    )

    assert "0 created, 1 updated, 11 unchanged, 0 rejected" in output
    school.refresh_from_db()
    assert (school.easting, school.northing) == (430200, 433504)


def test_a_position_that_is_not_on_the_grid_rejects_the_row_with_a_clear_message(tmp_path):
    header, rows = read_sample()
    rows[0][header.index("Easting")] = "43O151"
    rows[1][header.index("Northing")] = "9999999"
    rows[2][header.index("Easting")] = "-5"
    path = write_gias(tmp_path / "off_grid.csv", header, rows)

    output = run_import(path)

    assert "9 created, 0 updated, 0 unchanged, 3 rejected" in output
    assert "off_grid.csv line 2: Easting '43O151' is not a grid position in metres" in output
    assert "off_grid.csv line 3: Northing '9999999' is not a grid position in metres" in output
    assert "off_grid.csv line 4: Easting '-5' is not a grid position in metres" in output
    assert not School.objects.filter(urn__in=[900001, 900002, 900003]).exists()
