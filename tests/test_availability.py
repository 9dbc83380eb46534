"""Tests of fleetcalc.availability (inherent, operational, annual availability)."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fleetcalc.availability import (
    annual_availability,
    inherent_availability,
    operational_availability,
    scheduled_downtime_share,
)

hours = st.floats(min_value=0.0, max_value=1e6, allow_nan=False, allow_infinity=False)
positive_hours = st.floats(min_value=1e-3, max_value=1e6, allow_nan=False)
shares = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)


class TestInherentAvailability:
    def test_reference_values(self):
        # hand computation: 1000/(1000+10) = 0.990099009900990...
        assert inherent_availability(1000.0, 10.0) == pytest.approx(0.9900990099009901, rel=1e-15)
        # hand computation: 500/(500+4) = 0.992063492063492... (DAU/Barringer
        # definition A_i = MTBF/(MTBF+MTTR) with illustrative numbers)
        assert inherent_availability(500.0, 4.0) == pytest.approx(500 / 504, rel=1e-15)
        # hand computation: 99/(99+1) = 0.99 exactly representable ratio
        assert inherent_availability(99.0, 1.0) == pytest.approx(0.99, rel=1e-15)

    def test_scalar_returns_float(self):
        assert isinstance(inherent_availability(100.0, 1.0), float)

    def test_array_broadcast(self):
        result = inherent_availability(np.array([[100.0], [300.0]]), np.array([0.0, 100.0]))
        # hand computation: 100/100 = 1, 100/200 = 0.5, 300/300 = 1, 300/400 = 0.75
        np.testing.assert_allclose(result, [[1.0, 0.5], [1.0, 0.75]], rtol=1e-15)

    def test_infinite_mtbf_is_one(self):
        assert inherent_availability(np.inf, 10.0) == 1.0

    def test_nan_propagates(self):
        result = inherent_availability(np.array([np.nan, 100.0]), np.array([1.0, np.nan]))
        assert np.isnan(result).all()

    def test_zero_over_zero_is_nan(self):
        assert np.isnan(inherent_availability(0.0, 0.0))

    def test_zero_mtbf_is_zero(self):
        assert inherent_availability(0.0, 5.0) == 0.0

    @pytest.mark.parametrize(
        ("mtbf", "mttr", "name"), [(-1.0, 1.0, "mtbf_hours"), (1.0, -0.5, "mttr_hours")]
    )
    def test_negative_raises(self, mtbf, mttr, name):
        with pytest.raises(ValueError, match=name):
            inherent_availability(mtbf, mttr)

    def test_error_message_names_value_and_rule(self):
        with pytest.raises(ValueError, match=r"mtbf_hours must be >= 0, got -3\.0"):
            inherent_availability([1.0, -3.0], 1.0)

    @given(positive_hours, hours)
    def test_bounds(self, mtbf, mttr):
        assert 0.0 <= inherent_availability(mtbf, mttr) <= 1.0


class TestOperationalAvailability:
    def test_reference_value(self):
        # hand computation: 400/(400+24) = 0.943396226...
        assert operational_availability(400.0, 24.0) == pytest.approx(400 / 424, rel=1e-15)

    def test_is_same_ratio_as_inherent(self):
        # A_o and A_i are the same MUT/(MUT+MDT) ratio of IEC 60050-192 with
        # different down-time contents.
        x = np.array([10.0, 500.0, 2000.0])
        np.testing.assert_array_equal(
            operational_availability(x, 7.0), inherent_availability(x, 7.0)
        )

    def test_negative_raises(self):
        with pytest.raises(ValueError, match="mdt_hours"):
            operational_availability(1.0, -1.0)


class TestScheduledDowntimeShare:
    def test_reference_values(self):
        # hand computation: 18/365 = 0.04931506849...
        assert scheduled_downtime_share(18.0) == pytest.approx(18 / 365, rel=1e-15)
        # hand computation: (18 + 60/6)/365 = 28/365 = 0.07671232876...
        assert scheduled_downtime_share(
            18.0, overhaul_downtime_days=60.0, overhauls_per_year=1 / 6
        ) == pytest.approx(28 / 365, rel=1e-15)
        # hand computation: (10 + 1*30)/360 = 1/9
        assert scheduled_downtime_share(
            10.0, overhaul_downtime_days=30.0, overhauls_per_year=1.0, days_per_year=360.0
        ) == pytest.approx(1 / 9, rel=1e-15)

    def test_full_year_is_one(self):
        assert scheduled_downtime_share(365.0) == 1.0

    def test_more_than_a_year_raises(self):
        with pytest.raises(ValueError, match="must not exceed days_per_year"):
            scheduled_downtime_share(300.0, overhaul_downtime_days=90.0, overhauls_per_year=1.0)

    def test_round_off_above_one_is_clipped(self):
        # 0.1 * 3650 is not exactly 365 in binary floating point
        share = scheduled_downtime_share(
            0.0, overhaul_downtime_days=3650.0, overhauls_per_year=0.1
        )
        assert share == 1.0

    def test_array(self):
        result = scheduled_downtime_share(np.array([0.0, 36.5]), overhauls_per_year=0.0)
        np.testing.assert_allclose(result, [0.0, 0.1])

    def test_nan_propagates(self):
        assert np.isnan(scheduled_downtime_share(np.nan))

    @pytest.mark.parametrize(
        ("kwargs", "name"),
        [
            ({"scheduled_maintenance_days": -1.0}, "scheduled_maintenance_days"),
            ({"scheduled_maintenance_days": 1.0, "overhaul_downtime_days": -1.0},
             "overhaul_downtime_days"),
            ({"scheduled_maintenance_days": 1.0, "overhauls_per_year": -0.1},
             "overhauls_per_year"),
            ({"scheduled_maintenance_days": 1.0, "days_per_year": 0.0}, "days_per_year"),
        ],
    )
    def test_bad_arguments(self, kwargs, name):
        with pytest.raises(ValueError, match=name):
            scheduled_downtime_share(**kwargs)

    def test_options_are_keyword_only(self):
        with pytest.raises(TypeError):
            scheduled_downtime_share(18.0, 60.0)


class TestAnnualAvailability:
    def test_reference_value(self):
        # hand computation: (1 - 0.05) * 1000/1010 = 0.9405940594...
        assert annual_availability(1000.0, 10.0, 0.05) == pytest.approx(
            0.95 * 1000 / 1010, rel=1e-15
        )

    def test_composition(self):
        # A = (1 - s) * A(MTBF, MDT), with s from the planned-downtime days
        s = scheduled_downtime_share(18.0, overhaul_downtime_days=60.0, overhauls_per_year=1 / 6)
        expected = (1 - 28 / 365) * 2500 / (2500 + 36)  # hand computation
        assert annual_availability(2500.0, 36.0, s) == pytest.approx(expected, rel=1e-14)

    def test_never_fails(self):
        assert annual_availability(np.inf, 10.0, 0.1) == 0.9
        np.testing.assert_array_equal(annual_availability(np.inf, 5.0, [0.0, 0.25]), [1.0, 0.75])

    def test_no_downtime_at_all(self):
        assert annual_availability(100.0, 0.0, 0.0) == 1.0

    def test_full_planned_year(self):
        assert annual_availability(100.0, 1.0, 1.0) == 0.0

    def test_scalar_returns_float(self):
        assert isinstance(annual_availability(100.0, 1.0, 0.0), float)

    def test_nan_propagates(self):
        result = annual_availability(
            np.array([np.nan, 100.0, 100.0]), np.array([1.0, np.nan, 1.0]), [0.0, 0.0, np.nan]
        )
        assert np.isnan(result).all()

    @pytest.mark.parametrize("share", [-0.1, 1.1])
    def test_share_out_of_range(self, share):
        rule = r"scheduled_share must be a decimal share in \[0, 1\]"
        with pytest.raises(ValueError, match=rule):
            annual_availability(100.0, 1.0, share)

    def test_negative_downtime_raises(self):
        with pytest.raises(ValueError, match="mean_downtime_hours"):
            annual_availability(100.0, -1.0, 0.0)

    @given(hours, hours, shares)
    def test_bounds(self, mtbf, mdt, s):
        a = annual_availability(mtbf, mdt, s)
        if mtbf == 0 and mdt == 0:
            assert np.isnan(a)
        else:
            assert 0.0 <= a <= 1.0

    @given(positive_hours, positive_hours, hours, shares)
    def test_more_mtbf_never_lowers(self, mtbf, extra, mdt, s):
        # 1e-15 allows one rounding step of the float ratio
        before = annual_availability(mtbf, mdt, s)
        assert annual_availability(mtbf + extra, mdt, s) >= before - 1e-15

    @given(positive_hours, hours, hours, shares)
    def test_less_downtime_never_lowers(self, mtbf, mdt, extra, s):
        after = annual_availability(mtbf, mdt + extra, s)
        assert annual_availability(mtbf, mdt, s) >= after - 1e-15

    @given(positive_hours, hours, shares, shares)
    def test_more_planned_downtime_never_raises(self, mtbf, mdt, s1, s2):
        lo, hi = sorted((s1, s2))
        assert annual_availability(mtbf, mdt, hi) <= annual_availability(mtbf, mdt, lo) + 1e-15


class TestOverhaulDowntimeByYear:
    """Issue 12 item 4: overhaul downtime falls in the year of the overhaul."""

    @staticmethod
    def _downtime_days(ages, interval, overhaul_days, sched=0.0):
        from fleetcalc.fleet import DAYS_PER_YEAR, unit_availability
        avail = unit_availability(ages, mtbf_hours=np.inf, mean_downtime_hours=0.0,
                                  scheduled_maintenance_days=sched,
                                  overhaul_downtime_days=overhaul_days,
                                  overhaul_interval_years=interval, failure_rate_growth=0.0,
                                  overhaul_restoration=0.0)
        # never failing: A = 1 - s, so the planned days are (1 - A) x 365
        return (1.0 - avail) * DAYS_PER_YEAR - sched

    def test_first_overhaul_in_year_7_leaves_years_1_to_6_free(self):
        # hand case: interval 6 years, 60 days per overhaul, life 30 years. Ages at the
        # start of years 1..30 are 0..29; overhauls at ages 6, 12, 18, 24 (years 7, 13,
        # 19, 25), none at 30 (retired). Before issue 12 every year carried 60/6 = 10 days.
        days = self._downtime_days(np.arange(30.0), 6.0, 60.0)
        expected = np.zeros(30)
        expected[[6, 12, 18, 24]] = 60.0
        np.testing.assert_allclose(days, expected, atol=1e-9)
        assert not days[:6].any()

    def test_overhaul_year_share_hand_value(self):
        from fleetcalc.fleet import unit_availability
        # hand case: year 9 of a unit overhauled every 8 years (age 8): 18 + 60 days
        # planned, s = 78/365; MTBF 1000 h, MDT 10 h: A = (1 - 78/365) x 1000/1010
        a = unit_availability([7.0, 8.0, 9.0], mtbf_hours=1000.0, mean_downtime_hours=10.0,
                              scheduled_maintenance_days=18.0, overhaul_downtime_days=60.0,
                              overhaul_interval_years=8, failure_rate_growth=0.0,
                              overhaul_restoration=0.0)
        up = 1000.0 / 1010.0
        np.testing.assert_allclose(a, [(1 - 18 / 365) * up, (1 - 78 / 365) * up,
                                       (1 - 18 / 365) * up], rtol=1e-15)

    def test_interval_not_shorter_than_life_means_no_overhaul_downtime(self):
        from fleetcalc.ageing import effective_overhaul_interval
        interval = effective_overhaul_interval(30, 30)
        assert not self._downtime_days(np.arange(30.0), interval, 60.0).any()

    @given(tau=st.integers(0, 10), life=st.integers(1, 40), interval=st.integers(1, 45),
           overhaul_days=st.floats(0.0, 300.0), sched=st.floats(0.0, 60.0))
    def test_total_over_the_life_is_count_times_downtime(self, tau, life, interval,
                                                         overhaul_days, sched):
        # property: over a unit's whole life (inside the horizon) the overhaul downtime
        # summed over the years equals the number of overhauls the cost schedule counts
        # times the days per overhaul
        from fleetcalc.ageing import effective_overhaul_interval
        from fleetcalc.schedules import group_ages, group_in_service, group_overhaul_counts
        horizon = tau + life + 2
        ages = group_ages([tau], horizon)[0]
        serving = group_in_service([tau], [life], horizon)[0]
        effective = effective_overhaul_interval(interval, life)
        days = self._downtime_days(np.where(serving, ages, -1.0), effective, overhaul_days,
                                   sched)
        total = np.nansum(np.where(serving, days, 0.0))
        count = group_overhaul_counts([1], [tau], [interval], [life], horizon).sum()
        assert total == pytest.approx(count * overhaul_days, rel=1e-12, abs=1e-9)


def test_example_crrc_has_no_overhaul_downtime_before_year_7():
    # issue 12's review: CRRC (interval 6 years, 45 days per overhaul) had overhaul
    # downtime in years 1-5 although its first overhaul falls in year 7. Its first
    # batch now has, in years 1-6, the availability without any overhaul days, and in
    # year 7 the scheduled share carries the 45 days.
    import fleetcalc
    from fleetcalc.evaluate import tender_arrays
    from fleetcalc.fleet import DAYS_PER_YEAR, unit_availability
    tender = fleetcalc.load_tender("examples/pakistan_locomotives_2026.toml")
    b = [bid.bidder for bid in tender.bids].index("CRRC Ziyang")
    bid = tender.bids[b]
    assert bid.overhaul_interval_years == 6
    projection = tender_arrays(tender).fleet
    first = int(np.flatnonzero(projection.batch_units[b].sum(axis=1) > 0)[0])
    ages = projection.batch_ages[b, first, first + 1: first + 8]
    np.testing.assert_array_equal(ages, np.arange(7.0))

    def avail(overhaul_days):
        return unit_availability(
            ages, mtbf_hours=bid.mtbf_hours, mean_downtime_hours=bid.mean_downtime_hours,
            scheduled_maintenance_days=bid.scheduled_maintenance_days,
            overhaul_downtime_days=overhaul_days, overhaul_interval_years=6,
            failure_rate_growth=bid.ageing.failure_rate_growth,
            overhaul_restoration=bid.ageing.overhaul_restoration)

    got = projection.batch_availability[b, first, first + 1: first + 8]
    np.testing.assert_allclose(got[:6], avail(0.0)[:6], rtol=1e-15)
    s0 = bid.scheduled_maintenance_days / DAYS_PER_YEAR
    s7 = (bid.scheduled_maintenance_days + bid.overhaul_downtime_days) / DAYS_PER_YEAR
    assert got[6] == pytest.approx(avail(0.0)[6] * (1 - s7) / (1 - s0), rel=1e-14)
