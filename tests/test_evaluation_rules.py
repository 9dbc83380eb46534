"""Tests for fleetcalc.evaluation_rules, including a worked MDB evaluation."""

from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from fleetcalc.evaluation_rules import (
    DeliveryAdjustment,
    apply_unconditional_discount,
    arithmetic_correction,
    combined_score,
    convert_to_single_currency,
    delivery_deviation_adjustment,
    domestic_preference_margin,
    domestic_preference_procedure,
    liquidated_damages,
    payment_schedule_adjustment,
    preference_groups,
    price_score,
    qualifies_for_domestic_preference,
    rank_bids,
    round_half_up,
)

prices = st.floats(min_value=1.0, max_value=1e10, allow_nan=False, allow_infinity=False)
shares = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
price_arrays = st.lists(prices, min_size=1, max_size=8).map(np.asarray)


@st.composite
def schedules(draw):
    """Two payment schedules (shares summing to 1) on common milestone times."""
    m = draw(st.integers(1, 6))
    times = np.cumsum(draw(st.lists(st.floats(0, 2), min_size=m, max_size=m)))
    bid = np.asarray(draw(st.lists(st.floats(0, 1), min_size=m, max_size=m)))
    req = np.asarray(draw(st.lists(st.floats(0, 1), min_size=m, max_size=m)))
    assume(bid.sum() > 1e-3 and req.sum() > 1e-3)
    return times, bid / bid.sum(), req / req.sum()


# --------------------------------------------------------------------------
# worked example: a World Bank-style evaluation of three bids, line by line
# --------------------------------------------------------------------------


class TestWorkedMdbEvaluation:
    """Three bids for 4 diesel locomotives + 1 spare-parts package.

    Evaluation currency USD; selling rates on the date stated in the bidding
    document: 1 EUR = 1.10 USD, 1 PKR = 0.0036 USD. Delivery adjustment 0.5 %
    per week after the earliest delivery date, acceptable range 8 weeks.
    Required payment schedule 10/80/10 % at 0, 1.0 and 1.5 years; BDS rate 8 %
    a year. Domestic preference 15 % of the (CIP) price of non-qualifying bids.

    Table order of the World Bank Standard Bid Evaluation Form (1996):
    corrections and discounts -> currency conversion -> priced adjustments
    -> domestic preference -> ranking. All figures below are hand-computed.
    """

    quantities = [4, 1]

    def test_evaluation(self):
        # ---- step 0: read-out prices --------------------------------------
        # Bid A (foreign, EUR):   read-out EUR 8,200,000
        # Bid B (domestic, USD + PKR): read-out USD 6,100,000 + PKR 1,000,000,000
        # Bid C (foreign, USD):   read-out USD 8,920,000
        read_a_eur = 8_200_000.0

        # ---- step 1a: arithmetic corrections (unit price prevails) --------
        # A: 4 x 2,000,000 + 1 x 150,000 = 8,150,000 EUR -> correction -50,000
        corr_a = arithmetic_correction(self.quantities, [2_000_000, 150_000])
        assert corr_a == 8_150_000.0
        assert corr_a - read_a_eur == -50_000.0
        # B, USD part: 4 x 1,500,000 + 100,000 = 6,100,000 (no error)
        # B, PKR part: 4 x 250,000,000 + 0 = 1,000,000,000 (no error)
        corr_b = arithmetic_correction(self.quantities, [[1_500_000, 100_000], [250_000_000, 0]])
        np.testing.assert_array_equal(corr_b, [6_100_000.0, 1_000_000_000.0])
        # C: 4 x 2,200,000 + 120,000 = 8,920,000 (no error)
        corr_c = arithmetic_correction(self.quantities, [2_200_000, 120_000])
        assert corr_c == 8_920_000.0

        # ---- step 1b: unconditional discounts -----------------------------
        # A: none -> EUR 8,150,000
        # B: 2 % on each currency part -> USD 5,978,000; PKR 980,000,000
        # C: lump sum USD 100,000 -> 8,820,000
        disc_a = apply_unconditional_discount(corr_a)
        disc_b = apply_unconditional_discount(corr_b, rate=0.02)
        disc_c = apply_unconditional_discount(corr_c, amount=100_000)
        assert disc_a == 8_150_000.0
        np.testing.assert_allclose(disc_b, [5_978_000.0, 980_000_000.0], rtol=1e-15)
        assert disc_c == 8_820_000.0

        # ---- step 2: conversion to USD at the selling rates ---------------
        # A: 8,150,000 x 1.10 = 8,965,000
        # B: 5,978,000 + 980,000,000 x 0.0036 = 5,978,000 + 3,528,000 = 9,506,000
        # C: 8,820,000
        rates_usd = {"USD": 1.0, "EUR": 1.10, "PKR": 0.0036}
        amounts = np.array(
            [  # USD, EUR, PKR
                [0.0, disc_a, 0.0],
                [disc_b[0], 0.0, disc_b[1]],
                [disc_c, 0.0, 0.0],
            ]
        )
        usd = convert_to_single_currency(amounts, [rates_usd[c] for c in ("USD", "EUR", "PKR")])
        np.testing.assert_allclose(usd, [8_965_000.0, 9_506_000.0, 8_820_000.0], rtol=1e-12)

        # ---- step 3a: delivery (0.5 %/week after the earliest date) -------
        # A: 4 weeks late: 8,965,000 x 0.005 x 4 = 179,300
        # B: 1 week early: no credit -> 0
        # C: 2 weeks late: 8,820,000 x 0.005 x 2 = 88,200
        delivery = delivery_deviation_adjustment(usd, [4, -1, 2], rate_per_week=0.005, max_weeks=8)
        np.testing.assert_allclose(delivery.adjustment, [179_300.0, 0.0, 88_200.0], rtol=1e-12)
        assert delivery.responsive.all()

        # ---- step 3b: payment schedule deviation (8 % a year) -------------
        # A, C accept 10/80/10; B asks 20/70/10: 10 % of 9,506,000 = 950,600
        # paid one year early -> 950,600 x ((1.08)^1 - 1) = 76,048
        required = np.array([0.10, 0.80, 0.10])
        asked = np.array([required, [0.20, 0.70, 0.10], required])
        payment = payment_schedule_adjustment(
            asked * usd[:, None], required * usd[:, None], times=[0.0, 1.0, 1.5], rate=0.08
        )
        np.testing.assert_allclose(payment, [0.0, 76_048.0, 0.0], rtol=1e-12, atol=1e-6)

        # evaluated price before domestic preference
        # A: 8,965,000 + 179,300 = 9,144,300
        # B: 9,506,000 + 76,048 = 9,582,048
        # C: 8,820,000 + 88,200 = 8,908,200   <- lowest without preference
        before_dp = usd + delivery.adjustment + payment
        np.testing.assert_allclose(before_dp, [9_144_300.0, 9_582_048.0, 8_908_200.0], rtol=1e-12)
        np.testing.assert_array_equal(rank_bids(before_dp), [2.0, 3.0, 1.0])

        # ---- step 4: domestic preference (15 % of the CIP price) ----------
        # domestic value added: A 0 %, B 35 %, C 10 % -> only B qualifies (>= 30 %)
        # A: 0.15 x 8,965,000 = 1,344,750; C: 0.15 x 8,820,000 = 1,323,000; B: 0
        qualifies = qualifies_for_domestic_preference([0.0, 0.35, 0.10])
        np.testing.assert_array_equal(qualifies, [False, True, False])
        dp = domestic_preference_margin(usd, qualifies)
        np.testing.assert_allclose(dp, [1_344_750.0, 0.0, 1_323_000.0], rtol=1e-12)

        # ---- step 5: evaluated prices and ranking -------------------------
        # A: 9,144,300 + 1,344,750 = 10,489,050  (rank 3)
        # B: 9,582,048 + 0         =  9,582,048  (rank 1: lowest evaluated)
        # C: 8,908,200 + 1,323,000 = 10,231,200  (rank 2)
        evaluated = round_half_up(before_dp + dp)
        np.testing.assert_array_equal(evaluated, [10_489_050.0, 9_582_048.0, 10_231_200.0])
        np.testing.assert_array_equal(rank_bids(evaluated), [3.0, 1.0, 2.0])

        # the adjustment lines add up to the evaluated price
        lines = np.stack([usd, delivery.adjustment, payment, dp])
        np.testing.assert_allclose(lines.sum(axis=0), evaluated, rtol=1e-12)


# --------------------------------------------------------------------------
# rounding
# --------------------------------------------------------------------------


class TestRoundHalfUp:
    @pytest.mark.parametrize(
        "x, d, expected",
        [(2.5, 0, 3.0), (-2.5, 0, -3.0), (2.675, 2, 2.68), (1.005, 2, 1.01),
         (1234.5, -1, 1230.0), (1235.0, -1, 1240.0), (0.0, 0, 0.0)],
    )
    def test_cases(self, x, d, expected):
        assert round_half_up(x, decimals=d) == expected

    def test_nan_passes_and_shape_kept(self):
        out = round_half_up([[1.5, np.nan], [np.inf, -0.4]])
        assert out.shape == (2, 2)
        np.testing.assert_array_equal(out, [[2.0, np.nan], [np.inf, -0.0]])

    def test_bad_decimals(self):
        with pytest.raises(ValueError, match="decimals must be an integer"):
            round_half_up(1.0, decimals=1.5)

    @given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False), st.integers(0, 4))
    def test_matches_decimal_and_is_close(self, x, d):
        got = round_half_up(x, decimals=d)
        expected = float(Decimal(repr(x)).quantize(Decimal(1).scaleb(-d), rounding=ROUND_HALF_UP))
        assert got == expected
        assert abs(got - x) <= 0.5 * 10.0**-d * (1 + 1e-9) + abs(x) * 1e-15


# --------------------------------------------------------------------------
# corrections, discounts, conversion
# --------------------------------------------------------------------------


class TestCorrectionsAndConversion:
    def test_arithmetic_correction_validation(self):
        with pytest.raises(ValueError, match="unit_prices must have 2 lines"):
            arithmetic_correction([1, 2], [1, 2, 3])
        with pytest.raises(ValueError, match="quantities must be >= 0"):
            arithmetic_correction([-1, 2], [1, 2])

    def test_discount_order(self):
        # hand: 1,000 x (1 - 10 %) - 50 = 850
        assert apply_unconditional_discount(1000.0, rate=0.10, amount=50.0) == 850.0
        with pytest.raises(ValueError, match="rate must be in"):
            apply_unconditional_discount(1000.0, rate=1.0)
        with pytest.raises(ValueError, match="amount must be >= 0"):
            apply_unconditional_discount(1000.0, amount=-1.0)

    def test_conversion(self):
        with pytest.raises(ValueError, match="exchange_rates must be > 0"):
            convert_to_single_currency([1.0, 2.0], [1.0, 0.0])
        with pytest.raises(ValueError, match="share the currency axis"):
            convert_to_single_currency([1.0, 2.0], [1.0, 1.0, 1.0])

    @given(st.lists(prices, min_size=1, max_size=5), st.floats(0.01, 100.0))
    def test_conversion_is_linear(self, amounts, rate):
        amounts = np.asarray(amounts)
        total = convert_to_single_currency(amounts, np.full(amounts.shape, rate))
        assert total == pytest.approx(amounts.sum() * rate, rel=1e-12)


# --------------------------------------------------------------------------
# delivery
# --------------------------------------------------------------------------


class TestDelivery:
    def test_rule(self):
        # hand: 1,000,000 x 0.5 % x 3 weeks = 15,000; early -> 0; 9 > 8 -> out
        res = delivery_deviation_adjustment(1_000_000.0, [3, -5, 0, 8, 9], rate_per_week=0.005, max_weeks=8)
        assert isinstance(res, DeliveryAdjustment)
        np.testing.assert_allclose(res.adjustment, [15_000, 0, 0, 40_000, np.nan])
        np.testing.assert_array_equal(res.responsive, [True, True, True, True, False])

    def test_scalar(self):
        adj, ok = delivery_deviation_adjustment(100.0, 2.0, rate_per_week=0.01, max_weeks=4)
        assert adj == pytest.approx(2.0) and ok is True

    def test_bad(self):
        with pytest.raises(ValueError, match="rate_per_week must be >= 0"):
            delivery_deviation_adjustment(1.0, 1.0, rate_per_week=-0.01, max_weeks=4)
        with pytest.raises(ValueError, match="max_weeks must be a scalar"):
            delivery_deviation_adjustment(1.0, 1.0, rate_per_week=0.01, max_weeks=[4, 5])

    @given(price_arrays, st.floats(-10, 20), st.floats(0, 0.02), st.floats(0, 16))
    def test_lines_add_up_and_never_negative(self, lines, weeks, rho, wmax):
        # the adjustment of a set of lines with the same delivery adds up to
        # the adjustment of their total
        res = delivery_deviation_adjustment(lines, weeks, rate_per_week=rho, max_weeks=wmax)
        total = delivery_deviation_adjustment(lines.sum(), weeks, rate_per_week=rho, max_weeks=wmax)
        if weeks <= wmax:
            assert np.all(res.adjustment >= 0)
            assert res.adjustment.sum() == pytest.approx(total.adjustment, rel=1e-9, abs=1e-9)
        else:
            assert not total.responsive and np.isnan(total.adjustment)


# --------------------------------------------------------------------------
# payment schedule
# --------------------------------------------------------------------------


class TestPaymentSchedule:
    def test_single_advance_compound(self):
        # hand: 200,000 advanced 1.5 years at 8 %: 200,000 x (1.08^1.5 - 1)
        # = 200,000 x (sqrt(1.259712) - 1) = 200,000 x 0.1223689 = 24,473.78
        got = payment_schedule_adjustment([300_000, 700_000], [100_000, 900_000], times=[0, 1.5], rate=0.08)
        assert got == pytest.approx(200_000 * (1.08**1.5 - 1))
        assert got == pytest.approx(24_473.78, abs=0.01)

    def test_split_advance(self):
        # hand: required 0/50/50 at 0, 1, 2; bid 50/50/0:
        # first 50 moved from t=1 to t=0 (1 yr), second 50 from t=2 to t=1 (1 yr)
        # -> 100 x 0.10 = 10 at 10 %
        got = payment_schedule_adjustment([50, 50, 0], [0, 50, 50], times=[0, 1, 2], rate=0.10)
        assert got == pytest.approx(10.0)

    def test_later_payments_earn_no_credit(self):
        assert payment_schedule_adjustment([0, 100], [100, 0], times=[0, 1], rate=0.1) == 0.0

    def test_vectorised_over_bids(self):
        got = payment_schedule_adjustment([[10, 90], [30, 70]], [10, 90], times=[0, 2], rate=0.05)
        np.testing.assert_allclose(got, [0.0, 20 * (1.05**2 - 1)])

    @pytest.mark.parametrize(
        "args, kw, match",
        [
            (([50, 60], [50, 50]), dict(times=[0, 1], rate=0.1), "same total"),
            (([50, 50], [50, 50]), dict(times=[1, 0], rate=0.1), "non-decreasing"),
            (([50, 50], [50, 50]), dict(times=[0, 1], rate=-0.1), "rate must be >= 0"),
            (([-50, 150], [50, 50]), dict(times=[0, 1], rate=0.1), "payments_bid must be >= 0"),
            (([50, 50, 0], [50, 50]), dict(times=[0, 1], rate=0.1), "must have 2 milestones"),
        ],
    )
    def test_bad(self, args, kw, match):
        with pytest.raises(ValueError, match=match):
            payment_schedule_adjustment(*args, **kw)

    @given(schedules(), st.floats(0, 0.3))
    def test_properties(self, sched, rate):
        times, bid, req = sched
        adj = payment_schedule_adjustment(bid, req, times=times, rate=rate)
        assert adj >= 0
        # same schedule -> 0
        assert payment_schedule_adjustment(req, req, times=times, rate=rate) == pytest.approx(0.0, abs=1e-12)
        # homogeneous: scaling amounts scales the adjustment
        assert payment_schedule_adjustment(1e6 * bid, 1e6 * req, times=times, rate=rate) == pytest.approx(
            1e6 * adj, rel=1e-9, abs=1e-6
        )
        # bounded by the interest on the whole price over the whole span
        span = times[-1] - times[0]
        assert adj <= (1 + rate) ** span - 1 + 1e-12
        # paying everything at the first milestone is the worst case
        first = np.zeros_like(req)
        first[0] = 1.0
        assert adj <= payment_schedule_adjustment(first, req, times=times, rate=rate) + 1e-12


# --------------------------------------------------------------------------
# domestic preference
# --------------------------------------------------------------------------


class TestDomesticPreference:
    def test_threshold_inclusive(self):
        np.testing.assert_array_equal(
            qualifies_for_domestic_preference([0.2999, 0.30, 1.0]), [False, True, True]
        )
        assert qualifies_for_domestic_preference(0.25, threshold=0.20) is True

    def test_bad(self):
        with pytest.raises(ValueError, match="domestic_value_added_share must be in"):
            qualifies_for_domestic_preference(1.2)
        with pytest.raises(ValueError, match="qualifies must be boolean"):
            domestic_preference_margin(100.0, 1)
        with pytest.raises(ValueError, match="margin must be <= 1"):
            domestic_preference_margin(100.0, True, margin=1.5)

    def test_works_margin(self):
        # hand: 7.5 % of 2,000,000 = 150,000
        assert domestic_preference_margin(2_000_000.0, False, margin=0.075) == pytest.approx(150_000.0)

    @given(price_arrays, st.data(), shares)
    def test_only_non_qualifying_bids_rise(self, base, data, margin):
        q = np.asarray(data.draw(st.lists(st.booleans(), min_size=len(base), max_size=len(base))))
        add = domestic_preference_margin(base, q, margin=margin)
        assert np.all(add[q] == 0.0)
        assert np.all(add[~q] >= 0.0)
        np.testing.assert_allclose(add[~q], margin * base[~q])
        evaluated = base + add
        assert np.all(evaluated >= base)


# --------------------------------------------------------------------------
# ranking and scoring
# --------------------------------------------------------------------------


class TestRankingAndScoring:
    def test_rank_with_mask(self):
        ranks = rank_bids([3.0, 1.0, 2.0], responsive=[True, False, True])
        np.testing.assert_array_equal(ranks, [2.0, np.nan, 1.0])

    def test_rank_bad(self):
        with pytest.raises(ValueError, match="responsive must be boolean"):
            rank_bids([1.0, 2.0], responsive=[1, 0])
        with pytest.raises(ValueError, match="responsive must match"):
            rank_bids([1.0, 2.0], responsive=[True, False, True])

    def test_scores_hand(self):
        # hand: ratio 100 x 80/100 = 80; linear 100 x (1 - 20/80) = 75
        np.testing.assert_allclose(price_score([80.0, 100.0], weight=100), [100.0, 80.0])
        np.testing.assert_allclose(price_score([80.0, 100.0], weight=100, method="linear"), [100.0, 75.0])
        np.testing.assert_allclose(price_score([np.nan, 100.0]), [np.nan, 1.0])
        # hand: 0.7 x 80 + 0.3 x 90 = 56 + 27 = 83
        assert combined_score(80.0, 90.0, technical_weight=0.3) == pytest.approx(83.0)

    def test_scores_bad(self):
        with pytest.raises(ValueError, match="method must be one of"):
            price_score([1.0], method="inverse")
        with pytest.raises(ValueError, match="evaluated_cost must be > 0"):
            price_score([0.0, 1.0])
        with pytest.raises(ValueError, match="technical_weight must be <= 1"):
            combined_score(1.0, 1.0, technical_weight=1.2)

    @given(price_arrays, st.floats(1, 100))
    def test_score_properties(self, costs, w):
        ratio = price_score(costs, weight=w)
        linear = price_score(costs, weight=w, method="linear")
        assert np.nanmax(ratio) == pytest.approx(w)
        assert np.all(ratio <= w * (1 + 1e-12)) and np.all(ratio > 0)
        assert np.all(linear <= ratio * (1 + 1e-12) + 1e-12) and np.all(linear >= 0)
        # the cheapest bid has the best score and rank 1
        ranks = rank_bids(costs)
        assert np.all(ratio[ranks == 1] == np.max(ratio))
        # ranks by score and by cost agree
        order_cost = np.argsort(costs, kind="stable")
        assert np.all(np.diff(ratio[order_cost]) <= 1e-12 * w)


# --------------------------------------------------------------------------
# liquidated damages
# --------------------------------------------------------------------------


class TestLiquidatedDamages:
    def test_availability_hand(self):
        # hand: guaranteed 92 %, achieved 90 %, tolerance 0.5 point:
        # 1.5 points x 20,000 = 30,000 (cap 100,000)
        got = liquidated_damages(0.92, 0.90, rate_per_point=20_000, cap=100_000, tolerance=0.005)
        assert got == pytest.approx(30_000.0)

    def test_fuel_relative_hand(self):
        # hand: guaranteed 4.0 L/km, measured 4.3 -> 7.5 % excess; 1 % tolerance
        # -> 6.5 points x 5,000 = 32,500
        got = liquidated_damages(4.0, 4.3, rate_per_point=5_000, cap=1e6, tolerance=0.01,
                                 sense="lower_is_better", relative=True)
        assert got == pytest.approx(32_500.0)
        # absolute fuel: 0.3 L/km over, point = 0.1 L/km -> 3 points
        assert liquidated_damages(4.0, 4.3, rate_per_point=1.0, cap=10, sense="lower_is_better",
                                  point=0.1) == pytest.approx(3.0)

    def test_part_points(self):
        # 0.92 - 0.885 = 3.5 points: started -> 4, completed -> 3
        kw = dict(rate_per_point=1.0, cap=100.0)
        assert liquidated_damages(0.92, 0.885, part_points="started", **kw) == 4.0
        assert liquidated_damages(0.92, 0.885, part_points="completed", **kw) == 3.0
        # 0.07 / 0.01 = 7.000000000000001 in floating point must stay 7
        assert liquidated_damages(0.97, 0.90, part_points="started", **kw) == 7.0

    def test_nan_and_no_cap(self):
        out = liquidated_damages([0.9, 0.9], [np.nan, 0.0], rate_per_point=1.0, cap=np.inf)
        assert np.isnan(out[0]) and out[1] == pytest.approx(90.0)

    @pytest.mark.parametrize(
        "kw, match",
        [
            (dict(sense="up"), "sense must be one of"),
            (dict(part_points="half"), "part_points must be one of"),
            (dict(cap=-1.0), "cap must be >= 0"),
            (dict(tolerance=-0.01), "tolerance must be >= 0"),
            (dict(point=0.0), "point must be > 0"),
            (dict(rate_per_point=-1.0), "rate_per_point must be >= 0"),
        ],
    )
    def test_bad(self, kw, match):
        args = dict(rate_per_point=1.0, cap=10.0)
        args.update(kw)
        with pytest.raises(ValueError, match=match):
            liquidated_damages(0.9, 0.8, **args)

    @given(
        shares, shares, st.floats(0, 1e6), st.floats(0, 1e7), st.floats(0, 0.1),
        st.sampled_from(["pro_rata", "started", "completed"]),
    )
    def test_capped_and_zero_within_tolerance(self, g, a, lam, cap, tol, parts):
        ld = liquidated_damages(g, a, rate_per_point=lam, cap=cap, tolerance=tol, part_points=parts)
        assert 0.0 <= ld <= cap
        if a >= g - tol:
            assert ld == 0.0

    @given(st.floats(0.5, 10), st.floats(0.5, 10), st.floats(0, 0.1), st.floats(0, 1e5))
    def test_lower_is_better_zero_within_tolerance_and_monotone(self, g, a, tol, lam):
        kw = dict(rate_per_point=lam, cap=np.inf, tolerance=tol, sense="lower_is_better", relative=True)
        ld = liquidated_damages(g, a, **kw)
        if a / g <= 1 + tol:
            assert ld == 0.0
        assert liquidated_damages(g, a * 1.1, **kw) >= ld


# --------------------------------------------------------------------------
# issue 12: domestic preference by groups, per-money price scores
# --------------------------------------------------------------------------


class TestPreferenceGroups:
    def test_groups_from_value_added_and_stated(self):
        # World Bank Guidelines (2011) App. 2 paras 2-5: A = domestic with >= 30 % DVA,
        # B = other domestic (stated by the committee), C = imported
        groups = preference_groups([0.30, 0.29, 0.0, 0.5], explicit=[None, "B", None, "C"])
        assert groups.tolist() == ["A", "B", "C", "C"]

    def test_unknown_group_is_refused(self):
        with pytest.raises(ValueError, match="'A', 'B' or 'C'"):
            preference_groups([0.1], explicit=["D"])

    def test_group_c_lowest_compared_again_with_margins(self):
        # Guidelines App. 2 para 6(b): C lowest (900 < 1000) -> margins on every C bid
        out = domestic_preference_procedure([1000.0, 900.0, 1200.0, 950.0],
                                            ["A", "C", "C", "B"], [0.0, 150.0, 200.0, 0.0])
        assert out.lowest_group == "C"
        assert out.applied.tolist() == [False, True, True, False]
        np.testing.assert_array_equal(out.compared, [1000.0, 1050.0, 1400.0, 950.0])

    def test_group_b_lowest_adds_nothing(self):
        # para 6(a): a group A or B bid lowest is selected; no margin is added
        out = domestic_preference_procedure([1000.0, 900.0, 880.0], ["A", "C", "B"],
                                            [0.0, 150.0, 0.0])
        assert out.lowest_group == "B" and not out.applied.any()

    def test_non_responsive_bids_are_ignored(self):
        out = domestic_preference_procedure([np.nan, 900.0, 1000.0], ["C", "C", "A"],
                                            [10.0, 150.0, 0.0])
        assert out.applied.tolist() == [False, True, False]
        assert np.isnan(out.compared[0])

    @given(st.lists(st.tuples(prices, st.sampled_from("ABC"), shares), min_size=1, max_size=6))
    def test_a_margin_never_lowers_a_bid_and_only_group_c_carries_one(self, bids):
        cost = np.array([b[0] for b in bids])
        groups = [b[1] for b in bids]
        margins = np.array([b[0] * b[2] * 0.15 for b in bids])
        out = domestic_preference_procedure(cost, groups, margins)
        assert np.all(out.compared >= cost)
        assert not np.any(out.applied & (np.array(groups) != "C"))
        # the group procedure never makes a group A or B bid lose to the margin's absence
        if out.lowest_group in ("A", "B"):
            np.testing.assert_array_equal(out.compared, cost)


class TestPerMoneyScores:
    def test_hand_case(self):
        # 2 points per million above the lowest (500 m): 502 m -> 96; 560 m -> 100 - 120 < 0 -> 0
        scores = price_score([500e6, 502e6, 560e6], weight=100, method="per_money",
                             points_per_million=2.0)
        np.testing.assert_allclose(scores, [100.0, 96.0, 0.0])

    def test_rate_is_required(self):
        with pytest.raises(ValueError, match="points_per_million"):
            price_score([1.0, 2.0], method="per_money")

    @given(price_arrays, st.floats(-1e9, 1e9), st.floats(0.0, 50.0),
           st.lists(st.floats(0, 100), min_size=8, max_size=8), st.floats(0.0, 1.0))
    def test_a_common_cost_moves_neither_scores_nor_combined_ranks(self, cost, common, rate,
                                                                    technical, weight):
        # issue 12 item 7: per-money scores depend only on cost differences, so a cost
        # common to every bid (e.g. the existing fleet) cannot move the award
        technical = np.array(technical[: cost.size])
        before = price_score(cost, weight=100, method="per_money", points_per_million=rate)
        after = price_score(cost + common, weight=100, method="per_money",
                            points_per_million=rate)
        np.testing.assert_allclose(after, before, rtol=0, atol=1e-6 * max(1.0, rate))
        rank_before = rank_bids(-combined_score(before, technical, technical_weight=weight))
        rank_after = rank_bids(-combined_score(after, technical, technical_weight=weight))
        close = np.isclose(combined_score(before, technical, technical_weight=weight)[:, None],
                           combined_score(before, technical, technical_weight=weight)[None, :],
                           rtol=0, atol=1e-5 * max(1.0, rate))
        assume(close.sum() == cost.size)  # no near-ties that rounding could swap
        np.testing.assert_array_equal(rank_after, rank_before)

    def test_ratio_scores_move_with_a_common_cost(self):
        # the review's finding (E7): ratio scores are not invariant, per-money ones are
        cost = np.array([500.0, 520.0])
        assert not np.allclose(price_score(cost, weight=100),
                               price_score(cost + 1000.0, weight=100))
