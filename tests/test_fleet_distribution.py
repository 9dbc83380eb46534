"""Tests of fleetcalc.fleet_distribution (sums of binomials over cohorts)."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from fleetcalc.fleet_distribution import (
    TAIL_MASS,
    CountDistribution,
    _binomial_sf,
    available_units_distribution,
    available_units_moments,
    available_units_pmf,
    binomial_pmf,
    expected_available,
    expected_shortfall,
    normal_approximation_shortfall,
    p_meet_demand,
    required_fleet_size,
    spare_ratio,
)

# The "realistic fleet" of the brief: 55 units @ 0.85, 27 @ 0.80, 34 @ 0.75,
# 50 new units @ 0.92, demand 140.
REAL_UNITS = np.array([55, 27, 34, 50])
REAL_AVAIL = np.array([0.85, 0.80, 0.75, 0.92])
REAL_DEMAND = 140

availabilities = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)


@st.composite
def small_fleets(draw, max_units=10):
    """Cohorts (units, availability) with at most ``max_units`` units in all."""
    n_cohorts = draw(st.integers(min_value=1, max_value=4))
    units, avail, left = [], [], max_units
    for _ in range(n_cohorts):
        n = draw(st.integers(min_value=0, max_value=left))
        left -= n
        units.append(n)
        avail.append(draw(availabilities))
    return np.array(units), np.array(avail)


def brute_force_pmf(units, avail):
    """Oracle: enumerate all 2**N up/down outcomes of the individual units."""
    per_unit = np.repeat(avail, units)
    total = len(per_unit)
    pmf = np.zeros(total + 1)
    for outcome in itertools.product((0, 1), repeat=total):
        up = np.array(outcome, dtype=bool)
        pmf[up.sum()] += np.prod(np.where(up, per_unit, 1.0 - per_unit))
    return pmf


def direct_pmf(units, avail):
    """Oracle: sequential np.convolve of binomial pmfs (no FFT)."""
    pmf = np.array([1.0])
    for n, a in zip(units, avail):
        pmf = np.convolve(pmf, stats.binom.pmf(np.arange(n + 1), n, a))
    return pmf


class TestBinomialPmf:
    """Loader's saddle-point pmf against scipy (boost) and 50-digit decimal arithmetic."""

    @settings(max_examples=150, deadline=None)
    @given(st.integers(min_value=0, max_value=20_000),
           st.one_of(availabilities, st.sampled_from([1e-12, 1.0 - 1e-12, 0.5])))
    def test_matches_scipy_binom_pmf(self, n, p):
        k = np.arange(n + 1)
        if 0 < p < 1e-300:   # scipy's pmf overflows there; ours is a point mass at 0
            assert binomial_pmf(k, n, p).sum() == pytest.approx(1.0, rel=1e-14)
            return
        ours, oracle = binomial_pmf(k, n, p), stats.binom.pmf(k, n, p)
        resolved = oracle > 1e-280
        # error in log space grows with |ln P|: measured below 4.1e-14 * (1 + |ln P|)
        bound = 1e-13 * (1.0 - np.log(oracle[resolved]))
        assert (np.abs(ours[resolved] / oracle[resolved] - 1.0) <= bound).all()
        assert (ours[~resolved] < 1e-270).all()

    @pytest.mark.parametrize(("n", "p"), [(20_000, 0.8123), (5_000, 0.37), (73, 0.91)])
    def test_against_exact_decimal_arithmetic(self, n, p):
        import math
        from decimal import Decimal, localcontext

        k = np.unique(np.round(n * p + np.sqrt(n * p * (1 - p)) * np.linspace(-8, 8, 33)))
        k = np.clip(k, 0, n).astype(int)
        with localcontext() as ctx:
            ctx.prec = 50
            ln_p, ln_q = Decimal(p).ln(), (1 - Decimal(p)).ln()
            exact = np.array([float((Decimal(math.comb(n, int(j))).ln() + int(j) * ln_p
                                     + (n - int(j)) * ln_q).exp()) for j in k])
        # measured 2.4e-13 at n = 20,000 down to P = 6e-98 (scipy: 1.2e-13)
        np.testing.assert_allclose(binomial_pmf(k, n, p), exact, rtol=5e-13, atol=0)

    def test_stirling_table_from_decimal_arithmetic(self):
        from fleetcalc.fleet_distribution import _STIRLING_SMALL, _small_stirling_errors

        np.testing.assert_array_equal(_STIRLING_SMALL, _small_stirling_errors())

    def test_edges(self):
        assert binomial_pmf(0, 0, 0.3) == 1.0
        np.testing.assert_array_equal(binomial_pmf([0, 1, 2, 3], 2, 0.0), [1, 0, 0, 0])
        np.testing.assert_array_equal(binomial_pmf([-1, 0, 2, 3], 2, 1.0), [0, 0, 1, 0])
        assert binomial_pmf(0, 10, 0.01) == pytest.approx(0.99**10, rel=1e-14)
        assert binomial_pmf(10, 10, 0.99) == pytest.approx(0.99**10, rel=1e-14)

    @settings(max_examples=60, deadline=None)
    @given(st.integers(min_value=0, max_value=5_000), availabilities,
           st.integers(min_value=-1, max_value=5_001))
    def test_survival_function_matches_scipy(self, n, p, demand):
        assert _binomial_sf(demand, n, p) == pytest.approx(
            stats.binom.sf(demand - 1, n, p), abs=1e-14)


class TestAvailableUnitsDistribution:
    """The windowed distribution of large fleets against direct (non-FFT) convolution."""

    units = np.array([5_000, 3_000, 12_000, 7])
    avail = np.array([0.8, 0.93, 0.71, 0.5])

    def test_window_is_much_narrower_than_the_fleet(self):
        dist = available_units_distribution(self.units, self.avail)
        assert isinstance(dist, CountDistribution)
        assert dist.pmf.shape[-1] < 0.3 * self.units.sum()
        assert int(dist.total) == self.units.sum()

    def test_matches_direct_convolution_of_large_cohorts(self):
        dist = available_units_distribution(self.units, self.avail)
        oracle = direct_pmf(self.units, self.avail)
        lo, width = int(dist.offset), dist.pmf.shape[-1]
        # the mass left out of the window is below the bound of 2e-300 (floats: 0)
        assert oracle[:lo].sum() + oracle[lo + width:].sum() <= 2 * TAIL_MASS
        np.testing.assert_allclose(dist.pmf, oracle[lo: lo + width], rtol=0, atol=1e-15)
        mean = float((self.units * self.avail).sum())
        demand = np.round(mean + np.linspace(-60, 60, 25)).astype(int)
        k = np.arange(oracle.size)
        p_exact = np.array([oracle[d:].sum() for d in demand])
        short_exact = np.array([np.sum(np.maximum(d - k, 0) * oracle) for d in demand])
        p = p_meet_demand(dist.pmf, demand, offset=dist.offset)
        short = expected_shortfall(dist.pmf, demand, offset=dist.offset)
        np.testing.assert_allclose(p, p_exact, rtol=1e-11, atol=1e-15)
        np.testing.assert_allclose(short, short_exact, rtol=1e-11, atol=1e-13)

    @settings(max_examples=25, deadline=None)
    @given(st.lists(st.tuples(st.integers(min_value=0, max_value=3_000), availabilities),
                    min_size=1, max_size=4), st.floats(min_value=-1.0, max_value=1.0))
    def test_meets_demand_and_shortfall_as_direct_convolution(self, cohorts, where):
        units = np.array([n for n, _ in cohorts])
        avail = np.array([a for _, a in cohorts])
        avail = np.where(avail < 1e-300, 0.0, avail)   # as the module (scipy overflows there)
        dist = available_units_distribution(units, avail)
        oracle = direct_pmf(units, avail)
        mean = float((units * avail).sum())
        sd = float(np.sqrt((units * avail * (1 - avail)).sum()))
        demand = int(np.clip(round(mean + where * 6 * sd), 0, units.sum() + 1))
        k = np.arange(oracle.size)
        assert p_meet_demand(dist.pmf, demand, offset=dist.offset) == pytest.approx(
            oracle[demand:].sum(), rel=1e-11, abs=1e-14)
        assert expected_shortfall(dist.pmf, demand, offset=dist.offset) == pytest.approx(
            np.sum(np.maximum(demand - k, 0) * oracle), rel=1e-11, abs=1e-12)

    def test_demand_outside_the_window(self):
        dist = available_units_distribution(self.units, self.avail)
        mean = float((self.units * self.avail).sum())
        assert p_meet_demand(dist.pmf, 10, offset=dist.offset) == 1.0
        assert expected_shortfall(dist.pmf, 10, offset=dist.offset) == 0.0
        assert p_meet_demand(dist.pmf, 20_000, offset=dist.offset) == 0.0
        assert expected_shortfall(dist.pmf, 20_000, offset=dist.offset) == pytest.approx(
            20_000 - mean, rel=1e-13)

    def test_full_equals_the_pmf_over_all_counts(self):
        rng = np.random.default_rng(4)
        units, avail = rng.integers(0, 300, (3, 5, 4)), rng.uniform(0.5, 1.0, (3, 5, 4))
        dist = available_units_distribution(units, avail)
        full = dist.full()
        assert full.shape == (3, 5, units.sum(axis=-1).max() + 1)
        for idx in np.ndindex(3, 5):
            oracle = direct_pmf(units[idx], avail[idx])
            np.testing.assert_allclose(full[idx][: oracle.size], oracle, atol=1e-15)

    def test_groups_shared_between_rows_and_empty_groups(self):
        # the same cohort in every row (transformed once) and rows of different sizes
        units = np.array([[40, 0, 0], [40, 3, 0], [40, 0, 900], [0, 0, 0]])
        avail = np.array([0.8, 0.6, 0.9])
        dist = available_units_distribution(units, avail)
        p = p_meet_demand(dist.pmf, 30, offset=dist.offset)
        for r in range(3):
            oracle = direct_pmf(units[r], avail)
            assert p[r] == pytest.approx(oracle[30:].sum(), abs=1e-15)
        assert p[3] == 0.0 and int(dist.offset[3]) == 0 and dist.pmf[3, 0] == 1.0


class TestAvailableUnitsPmf:
    def test_hand_computed(self):
        # hand computation: Bin(2, 0.9) = [0.01, 0.18, 0.81], Bin(1, 0.5) = [0.5, 0.5];
        # convolution = [0.005, 0.095, 0.495, 0.405]
        np.testing.assert_allclose(
            available_units_pmf([2, 1], [0.9, 0.5]), [0.005, 0.095, 0.495, 0.405], atol=1e-15
        )

    def test_single_cohort_equals_scipy_binom(self):
        # binomial_pmf (Loader's algorithm) against scipy's: relative error about 1e-14
        k = np.arange(31)
        np.testing.assert_allclose(
            available_units_pmf([30], [0.83]), stats.binom.pmf(k, 30, 0.83), rtol=1e-13, atol=0
        )

    def test_single_cohort_among_empty_cohorts(self):
        k = np.arange(31)
        np.testing.assert_allclose(
            available_units_pmf([0, 30, 0], [0.5, 0.83, 0.7]),
            stats.binom.pmf(k, 30, 0.83),
            rtol=0,
            atol=1e-15,
        )

    @settings(max_examples=60, deadline=None)
    @given(small_fleets())
    def test_matches_brute_force_enumeration(self, fleet):
        units, avail = fleet
        result = available_units_pmf(units, avail)
        np.testing.assert_allclose(result, brute_force_pmf(units, avail), rtol=0, atol=1e-13)

    def test_brute_force_ten_units_all_different(self):
        avail = np.linspace(0.55, 0.99, 10)
        units = np.ones(10, dtype=int)
        np.testing.assert_allclose(
            available_units_pmf(units, avail), brute_force_pmf(units, avail), rtol=0, atol=1e-14
        )

    def test_fft_error_on_realistic_fleet(self):
        # measured FFT round-off against direct convolution: about 1e-16
        result = available_units_pmf(REAL_UNITS, REAL_AVAIL)
        oracle = direct_pmf(REAL_UNITS, REAL_AVAIL)
        assert result.shape == (REAL_UNITS.sum() + 1,)
        assert np.max(np.abs(result - oracle)) < 1e-14
        assert (result >= 0).all()

    def test_batch_shape_and_zero_padding(self):
        # bids x years x cohorts
        units = np.array([[[3, 2], [3, 0]], [[1, 1], [0, 0]]])
        avail = np.array([0.9, 0.6])
        result = available_units_pmf(units, avail)
        assert result.shape == (2, 2, 6)
        for idx in np.ndindex(2, 2):
            oracle = direct_pmf(units[idx], avail)
            np.testing.assert_allclose(result[idx][: oracle.size], oracle, atol=1e-15)
            assert (result[idx][oracle.size:] == 0.0).all()
        np.testing.assert_allclose(result.sum(axis=-1), 1.0, rtol=1e-14)

    def test_availability_batch_broadcasts_over_units(self):
        rng = np.random.default_rng(1)
        avail = rng.uniform(0.6, 0.99, size=(4, 7, 3))  # bids x years x cohorts
        units = np.array([12, 0, 30])
        result = available_units_pmf(units, avail)
        assert result.shape == (4, 7, 43)
        np.testing.assert_allclose(result[2, 5], direct_pmf(units, avail[2, 5]), atol=1e-14)

    def test_sums_to_one(self):
        rng = np.random.default_rng(2)
        result = available_units_pmf(rng.integers(0, 60, (50, 5)), rng.uniform(0, 1, (50, 5)))
        np.testing.assert_allclose(result.sum(axis=-1), 1.0, rtol=1e-14)

    def test_extreme_availabilities(self):
        # 3 sure units and 2 never-available ones: a point mass at 3 (up to FFT round-off)
        np.testing.assert_allclose(
            available_units_pmf([3, 2], [1.0, 0.0]), [0, 0, 0, 1, 0, 0], rtol=0, atol=1e-15
        )

    def test_empty_cohort_ignores_nan_availability(self):
        # a cohort not delivered yet may have NaN availability (age undefined)
        result = available_units_pmf([2, 0], [0.9, np.nan])
        np.testing.assert_allclose(result, [0.01, 0.18, 0.81], atol=1e-15)

    def test_nan_availability_propagates(self):
        result = available_units_pmf([[2, 1], [2, 1]], [[0.9, np.nan], [0.9, 0.5]])
        assert np.isnan(result[0]).all()
        assert not np.isnan(result[1]).any()

    def test_scalar_inputs_are_one_cohort(self):
        np.testing.assert_allclose(available_units_pmf(2, 0.5), [0.25, 0.5, 0.25])

    @pytest.mark.parametrize(("units", "avail", "name"), [
        ([2, -1], [0.5, 0.5], "units"),
        ([2, 1.5], [0.5, 0.5], "units"),
        ([2, 1], [0.5, 1.2], "availability"),
    ])
    def test_bad_arguments(self, units, avail, name):
        with pytest.raises(ValueError, match=name):
            available_units_pmf(units, avail)


class TestPMeetDemand:
    pmf = available_units_pmf([2, 1], [0.9, 0.5])

    def test_hand_computed(self):
        # hand computation: P(X >= 2) = 0.495 + 0.405 = 0.9
        assert p_meet_demand(self.pmf, 2) == pytest.approx(0.9, abs=1e-15)
        # P(X >= 3) = 0.405; demand above the fleet: 0
        np.testing.assert_allclose(p_meet_demand(self.pmf, [3, 4, 100]), [0.405, 0.0, 0.0])

    def test_zero_demand_is_exactly_one(self):
        assert p_meet_demand(self.pmf, 0) == 1.0
        big = available_units_pmf(REAL_UNITS, REAL_AVAIL)
        assert p_meet_demand(big, 0) == 1.0

    def test_single_cohort_equals_binom_sf(self):
        pmf = available_units_pmf([40], [0.8])
        demand = np.arange(0, 42)
        np.testing.assert_allclose(
            p_meet_demand(pmf, demand), stats.binom.sf(demand - 1, 40, 0.8), atol=1e-14
        )

    def test_demand_broadcasts_over_batch(self):
        pmf = available_units_pmf([[2, 1], [1, 1]], [0.9, 0.5])
        result = p_meet_demand(pmf, np.array([[2], [1]]))  # (2, 1) against batch (2,)
        assert result.shape == (2, 2)
        # hand computation: second fleet P(X >= 2) = 0.9 * 0.5 = 0.45
        assert result[0, 1] == pytest.approx(0.45)

    def test_nan_demand_and_nan_pmf(self):
        assert np.isnan(p_meet_demand(self.pmf, np.nan))
        nan_pmf = available_units_pmf([2], [np.nan])
        assert np.isnan(p_meet_demand(nan_pmf, 0))
        assert np.isnan(p_meet_demand(nan_pmf, 1))

    def test_scalar_returns_float(self):
        assert isinstance(p_meet_demand(self.pmf, 1), float)

    @pytest.mark.parametrize("demand", [-1, 1.5])
    def test_bad_demand(self, demand):
        with pytest.raises(ValueError, match="demand must be non-negative whole numbers"):
            p_meet_demand(self.pmf, demand)

    def test_bad_pmf(self):
        with pytest.raises(ValueError, match="pmf"):
            p_meet_demand(0.5, 1)
        with pytest.raises(ValueError, match="pmf must be >= 0"):
            p_meet_demand([0.5, -0.1], 1)

    @settings(max_examples=60, deadline=None)
    @given(small_fleets(max_units=12), st.data())
    def test_adding_a_unit_never_lowers_probability(self, fleet, data):
        units, avail = fleet
        c = data.draw(st.integers(min_value=0, max_value=len(units) - 1))
        more = units.copy()
        more[c] += 1
        demand = np.arange(units.sum() + 3)
        before = p_meet_demand(available_units_pmf(units, avail), demand)
        after = p_meet_demand(available_units_pmf(more, avail), demand)
        assert (after >= before - 1e-12).all()

    @settings(max_examples=40, deadline=None)
    @given(small_fleets())
    def test_bounds_and_monotone_in_demand(self, fleet):
        pmf = available_units_pmf(*fleet)
        p = p_meet_demand(pmf, np.arange(fleet[0].sum() + 2))
        assert ((p >= 0) & (p <= 1)).all()
        assert (np.diff(p) <= 1e-15).all()


class TestExpectedShortfall:
    pmf = available_units_pmf([2, 1], [0.9, 0.5])

    def test_hand_computed(self):
        # hand computation: 3*0.005 + 2*0.095 + 1*0.495 = 0.7
        assert expected_shortfall(self.pmf, 3) == pytest.approx(0.7, abs=1e-14)
        # demand 1: 1*0.005
        assert expected_shortfall(self.pmf, 1) == pytest.approx(0.005, abs=1e-15)
        # demand 5 above the fleet: 5 - E[X] = 5 - (1.8 + 0.5) = 2.7
        assert expected_shortfall(self.pmf, 5) == pytest.approx(2.7, abs=1e-14)

    def test_zero_demand_is_exactly_zero(self):
        assert expected_shortfall(self.pmf, 0) == 0.0
        big = available_units_pmf(REAL_UNITS, REAL_AVAIL)
        assert expected_shortfall(big, 0) == 0.0

    def test_single_cohort_against_scipy(self):
        n, a, d = 40, 0.8, 35
        k = np.arange(d)
        oracle = np.sum((d - k) * stats.binom.pmf(k, n, a))
        assert expected_shortfall(available_units_pmf([n], [a]), d) == pytest.approx(
            oracle, rel=1e-12
        )

    def test_nan(self):
        assert np.isnan(expected_shortfall(self.pmf, np.nan))
        assert np.isnan(expected_shortfall(available_units_pmf([2], [np.nan]), 1))

    @settings(max_examples=40, deadline=None)
    @given(small_fleets(), st.integers(min_value=0, max_value=15))
    def test_jensen_bounds(self, fleet, demand):
        units, avail = fleet
        pmf = available_units_pmf(units, avail)
        es = expected_shortfall(pmf, demand)
        mean = expected_available(units, avail)
        assert es >= max(0.0, demand - mean) - 1e-12
        assert es <= demand + 1e-12
        if demand >= units.sum():
            assert es == pytest.approx(demand - mean, abs=1e-12)


class TestExpectedAvailable:
    def test_reference(self):
        # hand computation: 55*0.85 + 27*0.8 + 34*0.75 + 50*0.92 = 139.85
        assert expected_available(REAL_UNITS, REAL_AVAIL) == pytest.approx(139.85, rel=1e-14)

    def test_equals_pmf_mean(self):
        pmf = available_units_pmf(REAL_UNITS, REAL_AVAIL)
        assert np.arange(pmf.size) @ pmf == pytest.approx(139.85, rel=1e-13)

    def test_batch(self):
        result = expected_available([[1, 2], [3, 0]], [0.5, 0.25])
        np.testing.assert_allclose(result, [1.0, 1.5])

    def test_empty_cohort_with_nan_is_zero(self):
        assert expected_available([4, 0], [0.5, np.nan]) == 2.0

    @given(small_fleets())
    def test_at_most_units(self, fleet):
        units, avail = fleet
        assert 0.0 <= expected_available(units, avail) <= units.sum() + 1e-12


class TestMoments:
    def test_against_pmf(self):
        mean, var, skew = available_units_moments(REAL_UNITS, REAL_AVAIL)
        pmf = available_units_pmf(REAL_UNITS, REAL_AVAIL)
        k = np.arange(pmf.size)
        m = k @ pmf
        v = ((k - m) ** 2) @ pmf
        g = ((k - m) ** 3) @ pmf / v**1.5
        assert mean == pytest.approx(m, rel=1e-12)
        # hand computation: 55*.85*.15 + 27*.8*.2 + 34*.75*.25 + 50*.92*.08 = 21.3875
        assert var == pytest.approx(21.3875, rel=1e-12)
        assert var == pytest.approx(v, rel=1e-10)
        assert skew == pytest.approx(g, rel=1e-8)

    def test_degenerate(self):
        _, var, skew = available_units_moments([3], [1.0])
        assert var == 0.0 and skew == 0.0


class TestRequiredFleetSize:
    def test_reference(self):
        # scipy: binom.sf(139, 173, 0.85) = 0.9423 < 0.95 <= binom.sf(139, 174, 0.85) = 0.9588
        assert required_fleet_size(0.85, 140, confidence=0.95) == 174

    def test_perfect_and_trivial(self):
        assert required_fleet_size(1.0, 25, confidence=0.99) == 25
        assert required_fleet_size(0.3, 0, confidence=0.99) == 0
        assert required_fleet_size(0.0, 0, confidence=0.99) == 0

    def test_impossible_returns_minus_one(self):
        result = required_fleet_size([0.0, 0.9], [5, 5], confidence=0.9)
        np.testing.assert_array_equal(result, [-1, 7])  # hand check via binom.sf below
        assert stats.binom.sf(4, 6, 0.9) < 0.9 <= stats.binom.sf(4, 7, 0.9)

    def test_impossible_raises_on_request(self):
        with pytest.raises(ValueError, match="no fleet size meets the demand"):
            required_fleet_size(0.0, 3, confidence=0.9, raise_exceptions=True)

    @pytest.mark.parametrize(("kwargs", "name"), [
        ({"availability": np.nan, "demand": 3, "confidence": 0.9}, "availability"),
        ({"availability": 0.9, "demand": -3, "confidence": 0.9}, "demand"),
        ({"availability": 0.9, "demand": 3, "confidence": 1.0}, "confidence"),
        ({"availability": 0.9, "demand": 3, "confidence": 0.0}, "confidence"),
    ])
    def test_bad_arguments(self, kwargs, name):
        with pytest.raises(ValueError, match=name):
            required_fleet_size(**kwargs)

    def test_vectorised_shape_and_dtype(self):
        result = required_fleet_size(
            np.array([[0.8], [0.9]]), np.array([10, 50, 100]), confidence=0.95
        )
        assert result.shape == (2, 3) and result.dtype == np.int64

    @settings(max_examples=60, deadline=None)
    @given(
        st.floats(min_value=0.05, max_value=1.0),
        st.integers(min_value=0, max_value=120),
        st.floats(min_value=0.01, max_value=0.999),
    )
    def test_matches_linear_search(self, a, d, c):
        # the probability is a sum of pmf values, exact to about 1e-15: an exact tie
        # (e.g. P(Bin(5, 0.5) >= 3) = 0.5 = c) may fall on either side
        tie = 1e-13
        n = required_fleet_size(a, d, confidence=c)
        assert n >= d
        assert stats.binom.sf(d - 1, n, a) >= c - tie
        if n > 0:
            assert stats.binom.sf(d - 1, n - 1, a) < c + tie

    def test_an_exact_tie_is_within_rounding(self):
        # P(Bin(5, 0.5) >= 3) = 0.5 exactly: 5 or 6 units, by 1 ulp of the sum
        assert required_fleet_size(0.5, 3, confidence=0.5) in (5, 6)
        assert required_fleet_size(0.5, 3, confidence=0.5 - 1e-12) == 5

    @given(st.floats(min_value=0.05, max_value=0.99), st.integers(min_value=1, max_value=100))
    def test_monotone_in_confidence(self, a, d):
        sizes = required_fleet_size(a, d, confidence=np.array([0.5, 0.8, 0.95, 0.99]))
        assert (np.diff(sizes) >= 0).all()


class TestSpareRatio:
    def test_reference(self):
        # hand computation: (174 - 140)/140 = 0.242857...
        assert spare_ratio(174, 140) == pytest.approx(34 / 140)
        # E3 (railforums) style: 4 in service + 10 % rounded up = 5 -> (5 - 4)/4 = 0.25
        assert spare_ratio(5, 4) == 0.25

    def test_sentinel_gives_nan(self):
        result = spare_ratio(required_fleet_size([0.0, 1.0], 10, confidence=0.9), 10)
        assert np.isnan(result[0]) and result[1] == 0.0

    @pytest.mark.parametrize(("n", "d", "name"), [(5, 0, "demand"), (-2, 4, "fleet_size")])
    def test_bad_arguments(self, n, d, name):
        with pytest.raises(ValueError, match=name):
            spare_ratio(n, d)


class TestNormalApproximationShortfall:
    def exact_and_approx(self, demand):
        pmf = available_units_pmf(REAL_UNITS, REAL_AVAIL)
        mean, var, skew = available_units_moments(REAL_UNITS, REAL_AVAIL)
        exact = expected_shortfall(pmf, demand)
        plain = normal_approximation_shortfall(mean, var, demand)
        refined = normal_approximation_shortfall(mean, var, demand, skewness=skew)
        return exact, plain, refined

    def test_measured_error_at_demand_140(self):
        # the numbers stated in the docstring: exact 1.9133, +0.40 % and +0.33 %
        exact, plain, refined = self.exact_and_approx(REAL_DEMAND)
        assert exact == pytest.approx(1.9133, abs=1e-4)
        assert plain / exact - 1 == pytest.approx(0.0040, abs=0.0002)
        assert refined / exact - 1 == pytest.approx(0.0033, abs=0.0002)

    def test_measured_error_over_demands(self):
        demand = np.arange(130, 161)
        exact, plain, refined = self.exact_and_approx(demand)
        rel_plain = np.abs(plain / exact - 1)
        rel_refined = np.abs(refined / exact - 1)
        assert rel_plain.max() < 0.24 and rel_refined.max() < 0.023
        big = demand >= 138  # shortfall >= 1 unit
        assert exact[big].min() > 1.0
        assert rel_plain[big].max() < 0.0093 and rel_refined[big].max() < 0.0055

    def test_absolute_error_all_demands(self):
        exact, plain, refined = self.exact_and_approx(np.arange(0, 171))
        assert np.abs(plain - exact).max() < 0.032
        assert np.abs(refined - exact).max() < 0.0063

    def test_zero_demand_and_zero_variance(self):
        assert normal_approximation_shortfall(50.0, 4.0, 0) == 0.0
        # deterministic count 10: shortfall max(0, D - 10)
        np.testing.assert_array_equal(
            normal_approximation_shortfall(10.0, 0.0, [0, 8, 12]), [0.0, 0.0, 2.0]
        )

    def test_nan_propagates(self):
        assert np.isnan(normal_approximation_shortfall(np.nan, 4.0, 3))

    def test_single_binomial_close(self):
        # Bin(100, 0.9), demand 90: approximation within 2 % of exact
        pmf = available_units_pmf([100], [0.9])
        mean, var, skew = available_units_moments([100], [0.9])
        exact = expected_shortfall(pmf, 90)
        assert normal_approximation_shortfall(mean, var, 90, skewness=skew) == pytest.approx(
            exact, rel=0.02
        )

    @pytest.mark.parametrize("name", ["mean", "variance", "demand"])
    def test_negative_raises(self, name):
        args = {"mean": 1.0, "variance": 1.0, "demand": 1.0, name: -1.0}
        with pytest.raises(ValueError, match=name):
            normal_approximation_shortfall(**args)

    @given(
        st.floats(min_value=0, max_value=200),
        st.floats(min_value=0, max_value=100),
        st.integers(min_value=0, max_value=250),
    )
    def test_non_negative(self, mean, var, demand):
        assert normal_approximation_shortfall(mean, var, demand) >= 0.0


def test_refined_normal_kernel_shortcuts_keep_every_value():
    """The kernel skips its z_0 terms, its zero-variance branch and its zero-demand
    branch when no element needs them (issue 15); oracle: the kernel's formula with
    every branch taken element by element."""
    from scipy.special import ndtr

    from fleetcalc.fleet_distribution import _refined_normal_shortfall

    def every_branch(mean, var, third, demand):
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            gap = demand - mean
            sigma = np.sqrt(var)
            z = gap / sigma
            skew = third / var * (1.0 / 6.0)
            phi = np.exp(np.square(z) * -0.5) * (1.0 / np.sqrt(2.0 * np.pi))
            out = ndtr(z) * gap + (skew * z + sigma) * phi
            z_0 = -mean / sigma
            near = z_0 > -9.0
            z_0 = z_0[near]
            phi_0 = np.exp(-0.5 * z_0 * z_0) * (1.0 / np.sqrt(2.0 * np.pi))
            out[near] -= sigma[near] * (z_0 * ndtr(z_0) + phi_0) + np.broadcast_to(
                third / (6.0 * var), out.shape)[near] * (z_0 * phi_0)
        out = np.where(var > 0, out, np.maximum(demand - mean, 0.0))
        return np.where(demand > 0, np.maximum(out, 0.0), 0.0)

    rng = np.random.default_rng(5)
    far = (rng.uniform(150, 200, 400), rng.uniform(5, 30, 400), rng.uniform(-5, 5, 400),
           rng.integers(1, 200, 400).astype(float))        # z_0 far below -9 everywhere
    cases = [far]
    near = [a.copy() for a in far]
    near[0][:9] = 2.0                                      # some z_0 above -9
    cases.append(near)
    zero = [a.copy() for a in far]
    zero[1][3] = 0.0                                       # a zero variance
    zero[3][5] = 0.0                                       # a zero demand
    zero[1][7] = np.nan                                    # and a NaN
    cases.append(zero)
    for mean, var, third, demand in cases:
        ours = _refined_normal_shortfall(mean, var, third, demand)
        expected = every_branch(mean, var, third, demand)
        np.testing.assert_array_equal(ours, expected)
