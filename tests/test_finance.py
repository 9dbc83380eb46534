"""Tests of fleetcalc.finance: discounting, escalation, annuities."""

import numpy as np
import numpy_financial as npf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as npst

from fleetcalc import finance

nice = st.floats(min_value=0.0, max_value=1e7, allow_nan=False, allow_infinity=False)


class TestDiscountFactors:
    def test_hand_values(self):
        # hand computation: 1/1.08 = 0.925925..., 1/1.08**2 = 0.857338...
        assert finance.discount_factors(0.08, [0, 1, 2]) == pytest.approx(
            [1.0, 1 / 1.08, 1 / 1.1664])

    def test_scalar_in_scalar_out(self):
        assert isinstance(finance.discount_factors(0.05, 3), np.floating | float)

    def test_rate_at_or_below_minus_one_is_rejected(self):
        with pytest.raises(ValueError, match="greater than -1"):
            finance.discount_factors(-1.0, [1])

    def test_nan_rate_propagates(self):
        assert np.isnan(finance.discount_factors(np.nan, 1))


class TestNpv:
    @given(st.floats(0.0, 0.5), npst.arrays(float, st.tuples(st.integers(1, 4),
                                                            st.integers(1, 40)), elements=nice))
    def test_matches_numpy_financial_row_by_row(self, rate, flows):
        # oracle: numpy_financial.npv, one stream at a time (its t = 0 convention)
        expected = [npf.npv(rate, row) for row in flows]
        assert finance.npv(rate, flows) == pytest.approx(expected, rel=1e-12, abs=1e-6)

    def test_first_value_at_t0_unlike_a_spreadsheet(self):
        # spreadsheet: NPV(10%, 110) + 100 = 200
        assert finance.npv(0.10, [100.0, 110.0]) == pytest.approx(200.0)

    @given(npst.arrays(float, st.integers(2, 40), elements=nice),
           st.floats(0.0, 0.3), st.floats(0.001, 0.3))
    def test_pv_of_a_cost_stream_falls_as_the_rate_rises(self, flows, rate, step):
        flows[1] += 1.0  # at least one cost after t = 0
        assert finance.npv(rate + step, flows) < finance.npv(rate, flows)


class TestEquivalentAnnualCost:
    @pytest.mark.parametrize(("years", "rate", "factor"), [
        # ASHRAE Pocket Guide 2013 uniform-series present-worth factors
        # (shared/reference/domain-standards.md, worked example E6)
        (10, 0.03, 8.53), (15, 0.07, 9.11), (10, 0.10, 6.14), (7, 0.15, 4.16), (15, 0.04, 11.12),
    ])
    def test_published_present_worth_factors(self, years, rate, factor):
        # EAC of a PV equal to the factor is 1 per year, within the factor's rounding (0.005)
        assert finance.equivalent_annual_cost(factor, rate, years) == pytest.approx(
            1.0, rel=0.005 / factor)

    def test_zero_rate_is_straight_division(self):
        assert finance.equivalent_annual_cost(300.0, 0.0, 30) == pytest.approx(10.0)

    @given(nice, st.floats(0.0, 0.3), st.integers(1, 50))
    def test_annuity_has_the_same_present_value(self, pv, rate, years):
        eac = finance.equivalent_annual_cost(pv, rate, years)
        stream = np.r_[0.0, np.full(years, eac)]
        assert finance.npv(rate, stream) == pytest.approx(pv, rel=1e-9, abs=1e-6)

    @pytest.mark.parametrize("rate", [2.225073858507e-311, 1e-12])
    def test_tiny_rates_are_exact(self, rate):
        # regression (found by hypothesis): npf.pmt gave 0/0 = NaN for r = 2.2e-311 and a
        # 1e-4 relative error at r = 1e-12; the limit r -> 0 is PV / H
        assert finance.equivalent_annual_cost(30.0, rate, 3) == pytest.approx(10.0, rel=1e-11)

    @given(nice, st.floats(1e-4, 0.5), st.integers(1, 60))
    def test_matches_numpy_financial_pmt(self, pv, rate, years):
        # oracle: numpy_financial.pmt (payments negative, at period end)
        assert finance.equivalent_annual_cost(pv, rate, years) == pytest.approx(
            -npf.pmt(rate, years, pv), rel=1e-9, abs=1e-9)

    def test_years_below_one_rejected(self):
        with pytest.raises(ValueError, match="at least 1"):
            finance.equivalent_annual_cost(1.0, 0.1, 0)


class TestEscalationAndResidual:
    def test_escalation_hand_value(self):
        # hand computation: 1.01**10 = 1.1046221...
        assert finance.escalation_factors(0.01, 10) == pytest.approx(1.1046221254112045)

    def test_residual_straight_line(self):
        # hand computation: 1 - 10/30 = 2/3; past life -> 0
        assert finance.straight_line_residual_share([10, 30, 45], 30) == pytest.approx(
            [2 / 3, 0.0, 0.0])

    def test_levelised_cost_zero_output_is_nan(self):
        assert np.isnan(finance.levelised_cost(1.0, 0.0))

    @settings(max_examples=50)
    @given(st.floats(0, 60), st.integers(1, 40))
    def test_residual_share_in_unit_interval(self, age, life):
        share = finance.straight_line_residual_share(age, life)
        assert 0.0 <= share <= 1.0
