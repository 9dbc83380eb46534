"""fleetcalc.fleet: unit availability by age, maintenance age factor, weighted means."""

import math

import numpy as np
import pytest

from fleetcalc.fleet import maintenance_age_factor, unit_availability, unit_weighted_mean

NEW = {"overhaul_downtime_days": 0.0, "overhaul_interval_years": 0, "failure_rate_growth": 0.0,
       "overhaul_restoration": 0.0}


def test_availability_of_a_new_unit_by_hand():
    # MTBF / (MTBF + MDT) = 900 / 1,000; with 36.5 scheduled days: x (1 - 0.1)
    assert unit_availability(0.0, mtbf_hours=900.0, mean_downtime_hours=100.0,
                             scheduled_maintenance_days=0.0, **NEW) == pytest.approx(0.9)
    assert unit_availability(0.0, mtbf_hours=900.0, mean_downtime_hours=100.0,
                             scheduled_maintenance_days=36.5, **NEW) == pytest.approx(0.81)


def test_a_unit_not_yet_in_service_has_no_availability():
    found = unit_availability([-1.0, 0.0], mtbf_hours=900.0, mean_downtime_hours=100.0,
                              scheduled_maintenance_days=0.0, **NEW)
    assert math.isnan(found[0]) and found[1] == pytest.approx(0.9)


def test_overhaul_downtime_falls_in_the_year_of_the_overhaul():
    # issue 12 item 4: 73 days every 2 years fall in the overhaul year (age 2 at its start:
    # the first overhaul at real age 2), none in the year before (age 1); up fraction 0.9.
    def at(age):
        return unit_availability(age, mtbf_hours=900.0, mean_downtime_hours=100.0,
                                 scheduled_maintenance_days=0.0, overhaul_downtime_days=73.0,
                                 overhaul_interval_years=2, failure_rate_growth=0.0,
                                 overhaul_restoration=0.0)

    assert at(1.0) == pytest.approx(0.9)                       # no overhaul in this year
    assert at(2.0) == pytest.approx((1 - 73 / 365) * 0.9)      # 0.72
    # over two years the downtime averages 36.5 days a year, as the old spread rule had it
    assert (at(1.0) + at(2.0)) / 2 == pytest.approx(0.81)


def test_failure_rate_growth_shortens_the_mtbf_with_age():
    # no overhaul: virtual age = age = 2, MTBF 900 / 1.1^2
    mtbf = 900.0 / 1.1**2
    found = unit_availability(2.0, mtbf_hours=900.0, mean_downtime_hours=100.0,
                              scheduled_maintenance_days=0.0, overhaul_downtime_days=0.0,
                              overhaul_interval_years=0, failure_rate_growth=0.1,
                              overhaul_restoration=0.0)
    assert found == pytest.approx(mtbf / (mtbf + 100.0), rel=1e-12)


def test_maintenance_age_factor_by_hand():
    factors = maintenance_age_factor([0.0, 10.0], maintenance_cost_growth=0.02,
                                     overhaul_interval_years=0, overhaul_restoration=0.0)
    np.testing.assert_allclose(factors, [1.0, 1.02**10], rtol=1e-12)
    flat = maintenance_age_factor([0.0, 7.0, 30.0], maintenance_cost_growth=0.0,
                                  overhaul_interval_years=0, overhaul_restoration=0.0)
    np.testing.assert_array_equal(flat, [1.0, 1.0, 1.0])      # exactly 1 without growth


def test_unit_weighted_mean_by_hand():
    # (10 x 0.9 + 30 x 0.8) / 40 = 0.825; a cohort without units does not count
    assert unit_weighted_mean([0.9, np.nan, 0.8], [10, 0, 30], axis=0) == pytest.approx(0.825)
    assert math.isnan(unit_weighted_mean([0.9, 0.8], [0, 0], axis=0))
