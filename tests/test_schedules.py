"""Tests of fleetcalc.schedules against slow, obvious loop versions (oracles)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fleetcalc import schedules


def loop_units_in_service(delivery, life):
    """Oracle: count unit by unit (convention: serve years k .. k+L-1)."""
    horizon = len(delivery)
    out = [0] * (horizon + 1)
    for k in range(1, horizon + 1):
        for year in range(k, min(k + life - 1, horizon) + 1):
            out[year] += delivery[k - 1]
    return out


def loop_overhauls(delivery, interval, life):
    """Oracle: overhauls at t = k-1 + j*I while j*I < L and t <= H."""
    horizon = len(delivery)
    out = [0] * (horizon + 1)
    if interval:
        for k in range(1, horizon + 1):
            j = 1
            while j * interval < life and k - 1 + j * interval <= horizon:
                out[k - 1 + j * interval] += delivery[k - 1]
                j += 1
    return out


def loop_payments(delivery, quantity, warranty, shares, periods):
    out = [0.0] * periods
    out[0] += shares[0] * quantity
    for k, units in enumerate(delivery, start=1):
        out[k - 1] += shares[1] * units
        out[k - 1 + warranty] += shares[2] * units
    return out


fleet = st.integers(1, 25).flatmap(
    lambda h: st.lists(st.integers(0, 9), min_size=h, max_size=h))


class TestUnitsInService:
    def test_hand_case(self):
        # hand computation: 2 units in year 1, 1 in year 2, life 2:
        # year 1: 2; year 2: 2 + 1; year 3: 1 (first batch retired); year 4: 0
        assert schedules.units_in_service([[2, 1, 0, 0]], [2]).tolist() == [[0, 2, 3, 1, 0]]

    @given(fleet, st.integers(1, 40))
    def test_matches_loop(self, delivery, life):
        got = schedules.units_in_service([delivery], [life])[0].tolist()
        assert got == loop_units_in_service(delivery, life)

    @given(fleet)
    def test_without_retirement_counts_never_fall(self, delivery):
        counts = schedules.units_in_service([delivery], [100])[0]
        assert np.all(np.diff(counts) >= 0)
        assert counts[-1] == sum(delivery)


class TestOverhauls:
    def test_hand_case(self):
        # hand computation: I = 2, L = 5; year-1 units at t = 2, 4; year-3 units at t = 4, 6
        assert schedules.overhaul_counts([[2, 0, 1, 0, 0, 0]], [2], [5]).tolist() == [
            [0, 0, 2, 0, 3, 0, 1]]

    @given(fleet, st.integers(0, 12), st.integers(1, 40))
    def test_matches_loop(self, delivery, interval, life):
        got = schedules.overhaul_counts([delivery], [interval], [life])[0].tolist()
        assert got == loop_overhauls(delivery, interval, life)

    def test_several_bids_with_different_intervals(self):
        got = schedules.overhaul_counts([[1, 0, 0, 0, 0], [0, 1, 0, 0, 0]], [2, 0], [30, 30])
        assert got.tolist() == [loop_overhauls([1, 0, 0, 0, 0], 2, 30),
                                loop_overhauls([0, 1, 0, 0, 0], 0, 30)]


class TestPayments:
    @settings(max_examples=60)
    @given(fleet, st.integers(0, 5), st.floats(0, 1), st.floats(0, 1))
    def test_matches_loop_and_adds_to_quantity(self, delivery, warranty, a, b):
        a, b = sorted((a, b))
        shares = [a, b - a, 1 - b]
        quantity = sum(delivery)
        periods = len(delivery) + warranty + 1
        got = schedules.payment_shares([delivery], [quantity], [warranty], [shares],
                                       periods=periods)[0]
        assert got == pytest.approx(loop_payments(delivery, quantity, warranty, shares, periods))
        assert got.sum() == pytest.approx(quantity)


class TestResidual:
    def test_hand_case(self):
        # hand computation: H = 2, 3 units enter in year 2 (age 1 at t = 2), life 4:
        # 3 * (1 - 1/4) = 2.25 unit prices
        assert schedules.residual_units([[0, 3]], [4]) == pytest.approx([2.25])

    def test_units_past_their_life_are_worth_nothing(self):
        assert schedules.residual_units([[5, 0, 0]], [3]) == pytest.approx([0.0])
