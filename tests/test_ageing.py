"""Tests of fleetcalc.ageing (Kijima type II virtual age, growth multipliers)."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fleetcalc.ageing import (
    age_at_year_start,
    failure_rate_multiplier,
    maintenance_cost_multiplier,
    virtual_age,
)

ages = st.floats(min_value=0.0, max_value=60.0, allow_nan=False)
intervals = st.floats(min_value=0.5, max_value=20.0, allow_nan=False)
restorations = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
growths = st.floats(min_value=0.0, max_value=0.5, allow_nan=False)


def kijima_ii_loop(age, interval, rho):
    """Slow oracle: apply v_n = (1 - rho)(v_{n-1} + I) overhaul by overhaul."""
    v, t = 0.0, 0.0
    while t + interval <= age + 1e-9 * interval:
        v = (1.0 - rho) * (v + interval)
        t += interval
    return v + max(age - t, 0.0)


class TestAgeAtYearStart:
    def test_first_year_in_service_is_age_zero(self):
        assert age_at_year_start(2030, 2030) == 0.0

    def test_array_and_before_commissioning(self):
        result = age_at_year_start(np.arange(2028, 2032), 2030)
        np.testing.assert_array_equal(result, [np.nan, np.nan, 0.0, 1.0])

    def test_grows_by_one_per_year(self):
        years = np.arange(2030, 2070)
        np.testing.assert_array_equal(np.diff(age_at_year_start(years, 2025)), 1.0)


class TestVirtualAge:
    def test_reference_values(self):
        # hand computation, I = 6, rho = 0.5:
        # v1 = 0.5*(0 + 6) = 3; v2 = 0.5*(3 + 6) = 4.5; v3 = 0.5*(4.5 + 6) = 5.25
        ages = np.array([0.0, 5.0, 6.0, 7.0, 12.0, 13.5, 18.0])
        expected = [0.0, 5.0, 3.0, 4.0, 4.5, 6.0, 5.25]
        result = virtual_age(ages, overhaul_interval_years=6.0, overhaul_restoration=0.5)
        np.testing.assert_allclose(result, expected, rtol=1e-14)

    def test_reference_value_quarter_restoration(self):
        # hand computation, I = 10, rho = 0.25: v1 = 7.5, v2 = 0.75*17.5 = 13.125;
        # at t = 25: 13.125 + 5 = 18.125
        assert virtual_age(
            25.0, overhaul_interval_years=10.0, overhaul_restoration=0.25
        ) == pytest.approx(18.125, rel=1e-14)

    def test_never_overhauled(self):
        ages = np.array([0.0, 3.0, 40.0])
        np.testing.assert_array_equal(virtual_age(ages), ages)
        for no_overhaul in (None, 0.0, np.nan, np.inf):
            np.testing.assert_array_equal(
                virtual_age(ages, overhaul_interval_years=no_overhaul, overhaul_restoration=1.0),
                ages,
            )

    def test_per_type_intervals_with_missing(self):
        # unit types: overhaul every 5 years, no overhaul (NaN), overhaul every 8 years
        result = virtual_age(
            12.0, overhaul_interval_years=[5.0, np.nan, 8.0], overhaul_restoration=1.0
        )
        np.testing.assert_allclose(result, [2.0, 12.0, 4.0])

    def test_broadcast_ages_by_intervals(self):
        result = virtual_age(
            np.arange(0, 10.0)[:, None],
            overhaul_interval_years=np.array([3.0, 4.0]),
            overhaul_restoration=1.0,
        )
        assert result.shape == (10, 2)
        np.testing.assert_allclose(result[:, 0], np.arange(10) % 3)
        np.testing.assert_allclose(result[:, 1], np.arange(10) % 4)

    def test_scalar_returns_float(self):
        assert isinstance(virtual_age(3.0, overhaul_interval_years=2.0), float)

    def test_overhaul_at_exact_multiple_counts_with_round_off(self):
        # 0.3 / 0.1 = 2.9999999999999996 in floating point: still 3 overhauls
        assert virtual_age(0.3, overhaul_interval_years=0.1, overhaul_restoration=1.0) == (
            pytest.approx(0.0, abs=1e-12)
        )

    def test_nan_age_propagates(self):
        result = virtual_age(
            np.array([np.nan, 4.0]), overhaul_interval_years=3.0, overhaul_restoration=0.5
        )
        assert np.isnan(result[0]) and result[1] == pytest.approx(2.5)  # 0.5*3 + 1

    def test_limit_for_many_overhauls(self):
        # post-overhaul virtual age tends to I (1 - rho)/rho = 6 * 0.5/0.5 = 6
        assert virtual_age(600.0, overhaul_interval_years=6.0, overhaul_restoration=0.5) == (
            pytest.approx(6.0, rel=1e-12)
        )

    def test_small_restoration_precise(self):
        # rho = 1e-12 is almost "as bad as old": v ~ t
        assert virtual_age(30.0, overhaul_interval_years=5.0, overhaul_restoration=1e-12) == (
            pytest.approx(30.0, rel=1e-9)
        )

    @pytest.mark.parametrize(
        ("kwargs", "name"),
        [
            ({"age_years": -1.0}, "age_years"),
            ({"age_years": 1.0, "overhaul_interval_years": -2.0}, "overhaul_interval_years"),
            ({"age_years": 1.0, "overhaul_restoration": 1.5}, "overhaul_restoration"),
            ({"age_years": 1.0, "overhaul_restoration": -0.1}, "overhaul_restoration"),
        ],
    )
    def test_bad_arguments(self, kwargs, name):
        with pytest.raises(ValueError, match=name):
            virtual_age(**kwargs)

    def test_options_keyword_only(self):
        with pytest.raises(TypeError):
            virtual_age(10.0, 5.0)

    @given(ages, intervals)
    def test_no_restoration_is_real_age(self, age, interval):
        assert virtual_age(age, overhaul_interval_years=interval, overhaul_restoration=0.0) == age

    @given(ages, intervals)
    def test_full_restoration_is_age_since_last_overhaul(self, age, interval):
        expected = kijima_ii_loop(age, interval, 1.0)
        result = virtual_age(age, overhaul_interval_years=interval, overhaul_restoration=1.0)
        assert result == pytest.approx(expected, abs=1e-9)
        assert 0.0 <= result < interval * (1 + 1e-9)

    @given(ages, intervals, restorations)
    def test_matches_recursive_oracle(self, age, interval, rho):
        expected = kijima_ii_loop(age, interval, rho)
        result = virtual_age(age, overhaul_interval_years=interval, overhaul_restoration=rho)
        assert result == pytest.approx(expected, rel=1e-9, abs=1e-9)

    @given(ages, intervals, restorations, restorations)
    def test_bounded_and_monotone_in_restoration(self, age, interval, r1, r2):
        lo, hi = sorted((r1, r2))
        v_lo = virtual_age(age, overhaul_interval_years=interval, overhaul_restoration=lo)
        v_hi = virtual_age(age, overhaul_interval_years=interval, overhaul_restoration=hi)
        assert 0.0 <= v_hi <= v_lo + 1e-9
        assert v_lo <= age + 1e-9


class TestMultipliers:
    @pytest.mark.parametrize("func, key", [
        (failure_rate_multiplier, "failure_rate_growth"),
        (maintenance_cost_multiplier, "maintenance_cost_growth"),
    ])
    def test_zero_growth_is_exactly_one(self, func, key):
        v = np.array([0.0, 0.5, 7.0, 35.0, 1e6])
        result = func(v, **{key: 0.0})
        assert result.dtype == np.float64
        assert (result == 1.0).all()  # bit-for-bit, not approximately
        assert func(12.3, **{key: 0.0}) == 1.0

    def test_reference_values(self):
        # hand computation: 1.02**10 = 1.2189944199947573
        assert failure_rate_multiplier(10.0, failure_rate_growth=0.02) == pytest.approx(
            1.2189944199947573, rel=1e-14
        )
        # hand computation: 1.1**3 = 1.331
        assert maintenance_cost_multiplier(3.0, maintenance_cost_growth=0.1) == pytest.approx(
            1.331, rel=1e-14
        )

    def test_effective_mtbf(self):
        # MTBF 5000 h, 3 % failure-rate growth, virtual age 4: 5000 / 1.03**4 (hand)
        mult = failure_rate_multiplier(4.0, failure_rate_growth=0.03)
        assert 5000.0 / mult == pytest.approx(5000.0 / 1.03**4, rel=1e-14)

    def test_zero_age_is_one(self):
        assert failure_rate_multiplier(0.0, failure_rate_growth=0.3) == 1.0

    def test_broadcast_per_type_growth(self):
        result = maintenance_cost_multiplier(
            np.array([[0.0], [1.0], [2.0]]), maintenance_cost_growth=np.array([0.0, 0.5])
        )
        np.testing.assert_allclose(result, [[1.0, 1.0], [1.0, 1.5], [1.0, 2.25]])

    def test_nan_propagates(self):
        assert np.isnan(failure_rate_multiplier(np.nan, failure_rate_growth=0.0))
        assert np.isnan(maintenance_cost_multiplier(2.0, maintenance_cost_growth=np.nan))
        assert np.isnan(maintenance_cost_multiplier(0.0, maintenance_cost_growth=np.nan))

    def test_negative_growth_allowed_above_minus_one(self):
        # hand computation: 0.9**2 = 0.81
        assert failure_rate_multiplier(2.0, failure_rate_growth=-0.1) == pytest.approx(0.81)

    @pytest.mark.parametrize(("v", "g", "name"), [
        (-1.0, 0.1, "virtual_age"),
        (1.0, -1.0, "failure_rate_growth"),
    ])
    def test_bad_arguments(self, v, g, name):
        with pytest.raises(ValueError, match=name):
            failure_rate_multiplier(v, failure_rate_growth=g)

    def test_growth_is_keyword_only(self):
        with pytest.raises(TypeError):
            maintenance_cost_multiplier(1.0, 0.1)

    @given(st.floats(min_value=0.0, max_value=60.0), growths)
    def test_at_least_one_for_non_negative_growth(self, v, g):
        assert failure_rate_multiplier(v, failure_rate_growth=g) >= 1.0
        assert maintenance_cost_multiplier(v, maintenance_cost_growth=g) >= 1.0

    @given(st.floats(min_value=0.0, max_value=60.0), growths)
    def test_matches_power(self, v, g):
        assert failure_rate_multiplier(v, failure_rate_growth=g) == pytest.approx(
            math.pow(1 + g, v), rel=1e-13
        )

    @given(ages, intervals, restorations, growths)
    def test_overhaul_never_raises_the_multiplier(self, age, interval, rho, g):
        v_oh = virtual_age(age, overhaul_interval_years=interval, overhaul_restoration=rho)
        assert failure_rate_multiplier(v_oh, failure_rate_growth=g) <= (
            failure_rate_multiplier(age, failure_rate_growth=g) * (1 + 1e-12)
        )
