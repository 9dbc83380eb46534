"""Tests for fleetcalc.loans: schedules, grant element, financing saving, price adjustment."""

import numpy as np
import numpy_financial as npf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fleetcalc.loans import (
    LoanSchedule,
    financing_pv_saving,
    floating_rate,
    grant_element,
    loan_schedule,
    price_adjustment_factor,
)

# --------------------------------------------------------------------------
# strategies
# --------------------------------------------------------------------------

rates = st.floats(min_value=0.0, max_value=0.25, allow_nan=False, allow_infinity=False)
amounts = st.floats(min_value=1.0, max_value=1e9, allow_nan=False, allow_infinity=False)
modes = st.sampled_from(["equal_principal", "annuity"])


@st.composite
def loans(draw):
    """A loan: tenor, grace < tenor, drawdowns within [t0, t0 + grace]."""
    tenor = draw(st.integers(min_value=1, max_value=25))
    grace = draw(st.integers(min_value=0, max_value=tenor - 1))
    t0 = draw(st.integers(min_value=0, max_value=3))
    n_draw = draw(st.integers(min_value=1, max_value=grace + 1))
    draws = draw(st.lists(st.floats(min_value=0.0, max_value=1e8), min_size=n_draw, max_size=n_draw))
    first = draw(amounts)
    drawdowns = np.zeros(t0 + n_draw)
    drawdowns[t0] = first
    drawdowns[t0 + 1 :] = draws[1:]
    return drawdowns, tenor, grace, t0


# --------------------------------------------------------------------------
# loan_schedule: hand computations and numpy-financial oracle
# --------------------------------------------------------------------------


class TestLoanScheduleReference:
    def test_equal_principal_two_years(self):
        # hand computation: 1,000,000 at 5% over 2 years equal principal:
        # interest 50,000 then 25,000; principal 500,000 twice.
        s = loan_schedule([1_000_000.0], interest_rate=0.05, tenor_years=2, grace_years=0)
        np.testing.assert_allclose(s.interest, [0, 50_000, 25_000])
        np.testing.assert_allclose(s.principal, [0, 500_000, 500_000])
        np.testing.assert_allclose(s.balance, [1_000_000, 500_000, 0])
        np.testing.assert_allclose(s.debt_service, [0, 550_000, 525_000])
        np.testing.assert_allclose(s.t, [0, 1, 2])

    def test_grace_period_interest_only(self):
        # hand computation: 1,000,000 at 6%, tenor 4, grace 2, equal principal:
        # interest 60,000 at t=1,2,3 (balance 1,000,000), 30,000 at t=4;
        # principal 500,000 at t=3 and t=4.
        s = loan_schedule([1_000_000.0], interest_rate=0.06, tenor_years=4, grace_years=2)
        np.testing.assert_allclose(s.interest, [0, 60_000, 60_000, 60_000, 30_000])
        np.testing.assert_allclose(s.principal, [0, 0, 0, 500_000, 500_000])

    def test_two_drawdowns_with_fees_and_premium(self):
        # hand computation: 600 drawn at t=0 and 400 at t=1, 10%, tenor 3,
        # grace 1, equal principal; committed C = 1,000.
        #   interest: t1 = 0.10*600 = 60; t2 = 0.10*1000 = 100; t3 = 0.10*500 = 50
        #   principal: 500 at t=2 and t=3
        #   upfront fee 1% of C = 10 at t0=0; premium 2% of C = 20 at t0
        #   commitment fee 0.5%/yr on undrawn: t1 = 0.005*400 = 2; t2 = 0
        s = loan_schedule(
            [600.0, 400.0],
            interest_rate=0.10,
            tenor_years=3,
            grace_years=1,
            upfront_fee=0.01,
            commitment_fee=0.005,
            export_credit_premium=0.02,
        )
        np.testing.assert_allclose(s.interest, [0, 60, 100, 50])
        np.testing.assert_allclose(s.principal, [0, 0, 500, 500])
        np.testing.assert_allclose(s.upfront_fee, [10, 0, 0, 0])
        np.testing.assert_allclose(s.commitment_fee, [0, 2, 0, 0])
        np.testing.assert_allclose(s.fees, [10, 2, 0, 0])
        np.testing.assert_allclose(s.premium, [20, 0, 0, 0])
        np.testing.assert_allclose(s.balance, [600, 1000, 500, 0])
        # debt service = 30, 62, 600, 550
        np.testing.assert_allclose(s.debt_service, [30, 62, 600, 550])

    def test_floating_rate_path_equal_principal(self):
        # hand computation: 1,200 at t=0, rates 4%, 5%, 6% in years 1..3,
        # equal principal of 400: interest 48, 0.05*800 = 40, 0.06*400 = 24.
        s = loan_schedule([1200.0], interest_rate=[0.04, 0.05, 0.06], tenor_years=3, grace_years=0)
        np.testing.assert_allclose(s.interest, [0, 48, 40, 24])
        np.testing.assert_allclose(s.principal, [0, 400, 400, 400])

    @pytest.mark.parametrize("rate", [0.0, 0.03, 0.08, 0.15])
    @pytest.mark.parametrize("tenor, grace", [(1, 0), (5, 0), (12, 2), (20, 5)])
    def test_annuity_matches_numpy_financial(self, rate, tenor, grace):
        principal = 2_500_000.0
        s = loan_schedule([principal], interest_rate=rate, tenor_years=tenor,
                          grace_years=grace, repayment="annuity")
        n = tenor - grace
        per = np.arange(1, n + 1)
        with np.errstate(divide="ignore", invalid="ignore"):
            ppmt = npf.ppmt(rate, per, n, -principal)
            ipmt = npf.ipmt(rate, per, n, -principal)
            pmt = npf.pmt(rate, n, -principal)
        np.testing.assert_allclose(s.principal[grace + 1 :], ppmt, rtol=1e-10)
        np.testing.assert_allclose(s.interest[grace + 1 :], ipmt, rtol=1e-10, atol=1e-6)
        np.testing.assert_allclose(s.debt_service[grace + 1 :], pmt, rtol=1e-10)
        # interest-only grace years
        np.testing.assert_allclose(s.interest[1 : grace + 1], rate * principal)
        np.testing.assert_allclose(s.principal[: grace + 1], 0.0)

    def test_floating_annuity_with_constant_path_equals_fixed(self):
        fixed = loan_schedule([100.0], interest_rate=0.07, tenor_years=6, grace_years=1,
                              repayment="annuity")
        path = loan_schedule([100.0], interest_rate=[0.07] * 6, tenor_years=6, grace_years=1,
                             repayment="annuity")
        np.testing.assert_allclose(fixed.debt_service, path.debt_service)

    def test_late_first_drawdown_is_a_shift(self):
        base = loan_schedule([100.0, 50.0], interest_rate=0.05, tenor_years=4, grace_years=1,
                             commitment_fee=0.01, upfront_fee=0.02)
        late = loan_schedule([0.0, 0.0, 100.0, 50.0], interest_rate=0.05, tenor_years=4,
                             grace_years=1, commitment_fee=0.01, upfront_fee=0.02)
        assert late.debt_service.shape == (7,)
        np.testing.assert_allclose(late.debt_service[2:], base.debt_service)
        np.testing.assert_allclose(late.debt_service[:2], 0.0)

    def test_output_long_enough_and_trailing_zeros_kept(self):
        s = loan_schedule([10.0, 0, 0, 0, 0, 0, 0], interest_rate=0.05, tenor_years=2, grace_years=0)
        assert s.balance.shape == (7,)
        np.testing.assert_allclose(s.balance[2:], 0.0)

    def test_batch_equals_loans_one_by_one(self):
        draws = np.array([[100.0, 0, 0], [60.0, 40.0, 0], [0.0, 80.0, 20.0]])
        kw = dict(interest_rate=[0.05, 0.08, 0.02], tenor_years=[3, 5, 4],
                  grace_years=[0, 2, 1], upfront_fee=[0.0, 0.01, 0.005],
                  commitment_fee=0.004, export_credit_premium=[0.0, 0.03, 0.01])
        for mode in ("equal_principal", "annuity"):
            batch = loan_schedule(draws, repayment=mode, **kw)
            L = batch.debt_service.shape[1]
            for i in range(3):
                one = loan_schedule(
                    draws[i], repayment=mode,
                    interest_rate=kw["interest_rate"][i], tenor_years=kw["tenor_years"][i],
                    grace_years=kw["grace_years"][i], upfront_fee=kw["upfront_fee"][i],
                    commitment_fee=0.004, export_credit_premium=kw["export_credit_premium"][i],
                )
                n = one.debt_service.shape[0]
                for field in ("interest", "principal", "fees", "premium", "balance", "debt_service"):
                    np.testing.assert_allclose(getattr(batch, field)[i, :n], getattr(one, field))
                    np.testing.assert_allclose(getattr(batch, field)[i, n:L], 0.0)

    def test_batch_with_rate_paths(self):
        draws = np.array([[100.0, 0.0], [100.0, 0.0]])
        path = np.array([[0.03, 0.04], [0.05, 0.06]])
        s = loan_schedule(draws, interest_rate=path, tenor_years=2, grace_years=0)
        # hand: interest 3 then 0.04*50 = 2; 5 then 0.06*50 = 3
        np.testing.assert_allclose(s.interest, [[0, 3, 2], [0, 5, 3]])
        shared = loan_schedule(draws, interest_rate=path[:1], tenor_years=2, grace_years=0)
        np.testing.assert_allclose(shared.interest, [[0, 3, 2], [0, 3, 2]])

    def test_result_is_frozen_and_read_only(self):
        s = loan_schedule([100.0], interest_rate=0.05, tenor_years=2, grace_years=0)
        assert isinstance(s, LoanSchedule)
        with pytest.raises(ValueError):
            s.interest[1] = 0.0
        with pytest.raises(AttributeError):
            s.interest = None


class TestLoanScheduleValidation:
    @pytest.mark.parametrize(
        "drawdowns, kwargs, match",
        [
            ([-1.0], {}, "drawdowns must be >= 0"),
            ([0.0, 0.0], {}, "at least one positive"),
            ([np.nan], {}, "drawdowns must be finite"),
            ([], {}, "drawdowns must be a non-empty"),
            ([100.0], {"repayment": "bullet"}, "repayment must be one of"),
            ([100.0], {"tenor_years": 0}, "tenor_years must be >= 1"),
            ([100.0], {"tenor_years": 2.5}, "tenor_years must be whole years"),
            ([100.0], {"grace_years": 3}, "grace_years must be < tenor_years"),
            ([100.0], {"grace_years": -1}, "grace_years must be >= 0"),
            ([100.0, 0.0, 5.0], {"grace_years": 1}, "within the grace period"),
            ([100.0], {"upfront_fee": -0.01}, "upfront_fee must be >= 0"),
            ([100.0], {"commitment_fee": [0.1, 0.2]}, "commitment_fee must be a scalar or have one"),
            ([100.0], {"interest_rate": -1.0}, "interest_rate must be > -1"),
            ([100.0], {"interest_rate": [0.05, 0.05]}, "must cover years 1..3"),
        ],
    )
    def test_bad_arguments(self, drawdowns, kwargs, match):
        args = dict(interest_rate=0.05, tenor_years=3, grace_years=0)
        args.update(kwargs)
        with pytest.raises(ValueError, match=match):
            loan_schedule(drawdowns, **args)

    def test_ambiguous_batch_rate_shape(self):
        with pytest.raises(ValueError, match="interest_rate for a batch"):
            loan_schedule([[1.0, 0.0], [1.0, 0.0]], interest_rate=[0.01, 0.02, 0.03],
                          tenor_years=2, grace_years=0)


# --------------------------------------------------------------------------
# loan_schedule: properties
# --------------------------------------------------------------------------


def _pv_at(values, rate, t0):
    # oracle: numpy-financial npv treats values[0] as t = 0
    return npf.npv(rate, np.asarray(values)[t0:])


class TestLoanScheduleProperties:
    @given(loans(), rates, modes)
    def test_principal_repays_drawdowns_and_balance_ends_at_zero(self, loan, rate, mode):
        drawdowns, tenor, grace, t0 = loan
        s = loan_schedule(drawdowns, interest_rate=rate, tenor_years=tenor, grace_years=grace,
                          repayment=mode)
        total = drawdowns.sum()
        assert s.principal.sum() == pytest.approx(total, rel=1e-9)
        assert s.balance[t0 + tenor] == 0.0
        assert np.all(s.balance >= -1e-9 * total)
        assert np.all(s.principal >= -1e-9 * total)
        n = len(s.t)
        for field in ("drawdown", "interest", "principal", "fees", "premium", "balance", "debt_service"):
            assert getattr(s, field).shape == (n,)
        np.testing.assert_allclose(s.debt_service, s.principal + s.interest + s.fees + s.premium)

    @given(loans(), rates, modes)
    def test_loan_at_discount_rate_has_pv_equal_to_drawdowns(self, loan, rate, mode):
        # PV at t0 of the debt service at the loan rate equals the PV of the
        # drawdowns; for a single drawdown at t0, the principal itself.
        drawdowns, tenor, grace, t0 = loan
        s = loan_schedule(drawdowns, interest_rate=rate, tenor_years=tenor, grace_years=grace,
                          repayment=mode)
        pv_ds = _pv_at(s.debt_service, rate, t0)
        pv_d = _pv_at(s.drawdown, rate, t0)
        assert pv_ds == pytest.approx(pv_d, rel=1e-9)

    @given(amounts, rates, st.integers(1, 30), modes)
    def test_single_drawdown_pv_equals_principal(self, principal, rate, tenor, mode):
        s = loan_schedule([principal], interest_rate=rate, tenor_years=tenor, grace_years=0,
                          repayment=mode)
        assert npf.npv(rate, s.debt_service) == pytest.approx(principal, rel=1e-9)

    @given(loans(), rates, rates, rates, modes)
    def test_higher_rate_never_lowers_pv_of_debt_service(self, loan, r1, r2, d, mode):
        drawdowns, tenor, grace, _ = loan
        lo, hi = sorted((r1, r2))
        kw = dict(tenor_years=tenor, grace_years=grace, repayment=mode)
        pv_lo = npf.npv(d, loan_schedule(drawdowns, interest_rate=lo, **kw).debt_service)
        pv_hi = npf.npv(d, loan_schedule(drawdowns, interest_rate=hi, **kw).debt_service)
        assert pv_hi >= pv_lo * (1 - 1e-12)

    @given(loans(), rates, st.floats(0, 0.05), st.floats(0, 0.02), st.floats(0, 0.1))
    def test_fees_add_exactly_their_amounts(self, loan, rate, fu, fc, prem):
        drawdowns, tenor, grace, t0 = loan
        kw = dict(interest_rate=rate, tenor_years=tenor, grace_years=grace)
        plain = loan_schedule(drawdowns, **kw)
        s = loan_schedule(drawdowns, upfront_fee=fu, commitment_fee=fc, export_credit_premium=prem, **kw)
        c = drawdowns.sum()
        assert s.upfront_fee[t0] == pytest.approx(fu * c)
        assert s.premium[t0] == pytest.approx(prem * c)
        undrawn = c - np.cumsum(s.drawdown)
        expected_cf = np.zeros_like(s.commitment_fee)
        expected_cf[t0 + 1 :] = fc * undrawn[t0:-1]
        np.testing.assert_allclose(s.commitment_fee, expected_cf, atol=1e-6)
        np.testing.assert_allclose(s.interest, plain.interest)
        np.testing.assert_allclose(s.principal, plain.principal)


# --------------------------------------------------------------------------
# floating_rate
# --------------------------------------------------------------------------


class TestFloatingRate:
    def test_margin_and_floor(self):
        # hand: max(ref, 0) + 1.5%
        np.testing.assert_allclose(floating_rate([0.02, -0.01, 0.05], 0.015, floor=0.0),
                                   [0.035, 0.015, 0.065])
        np.testing.assert_allclose(floating_rate([0.02, -0.01], 0.015), [0.035, 0.005])

    def test_per_loan_margin_broadcasts(self):
        r = floating_rate([[0.01, 0.02]], [[0.01], [0.02]])
        np.testing.assert_allclose(r, [[0.02, 0.03], [0.03, 0.04]])

    def test_feeds_loan_schedule(self):
        path = floating_rate([0.03, 0.04, 0.05], 0.01)
        s = loan_schedule([300.0], interest_rate=path, tenor_years=3, grace_years=0)
        # hand: 0.04*300 = 12, 0.05*200 = 10, 0.06*100 = 6
        np.testing.assert_allclose(s.interest, [0, 12, 10, 6])

    def test_bad(self):
        with pytest.raises(ValueError, match="reference_rates must be an array"):
            floating_rate(0.02, 0.01)
        with pytest.raises(ValueError, match="margin must be finite"):
            floating_rate([0.02], np.nan)


# --------------------------------------------------------------------------
# grant_element
# --------------------------------------------------------------------------


class TestGrantElement:
    def test_hand_bullet_loan(self):
        # hand computation: 100 at 1% bullet in 2 years; PV at 5% =
        # 1/1.05 + 101/1.05^2 = 0.952381 + 91.609977 = 92.562358 -> GE = 7.4376%
        assert grant_element([0.0, 1.0, 101.0], 100.0) == pytest.approx(0.0743764, abs=1e-7)

    def test_grant_is_one_and_market_loan_is_zero(self):
        assert grant_element([0.0, 0.0, 0.0], 100.0) == 1.0
        s = loan_schedule([100.0], interest_rate=0.05, tenor_years=10, grace_years=3)
        assert grant_element(s.debt_service, 100.0) == pytest.approx(0.0, abs=1e-12)

    def test_matches_npf_npv_oracle(self):
        s = loan_schedule([0.0, 0.0, 1000.0], interest_rate=0.02, tenor_years=8, grace_years=2,
                          upfront_fee=0.01)
        expected = 1 - npf.npv(0.05, s.debt_service[2:]) / 1000.0
        assert grant_element(s.debt_service, s.drawdown) == pytest.approx(expected, rel=1e-12)
        assert grant_element(s.debt_service, 1000.0, t_first_drawdown=2) == pytest.approx(expected, rel=1e-12)

    def test_multiple_disbursements_discounted(self):
        # a 5% loan drawn in two tranches, discounted at 5%: GE = 0 only if
        # the disbursements are discounted too (fleetcalc convention).
        s = loan_schedule([500.0, 500.0], interest_rate=0.05, tenor_years=6, grace_years=2)
        assert grant_element(s.debt_service, s.drawdown) == pytest.approx(0.0, abs=1e-12)
        # with the nominal face value 1,000 a market-rate loan would look
        # concessional: hand: PV at t0 of debt service = 500 + 500/1.05
        # = 976.190476 -> GE = 1 - 976.190476/1000 = 0.0238095 (spurious)
        assert grant_element(s.debt_service, 1000.0) == pytest.approx(0.0238095238)

    def test_vectorised_over_loans(self):
        draws = np.array([[100.0, 0.0], [100.0, 0.0]])
        s = loan_schedule(draws, interest_rate=[0.01, 0.05], tenor_years=5, grace_years=1)
        ge = grant_element(s.debt_service, s.drawdown, reference_rate=0.05)
        one = grant_element(s.debt_service[0], 100.0)
        np.testing.assert_allclose(ge, [one, 0.0], atol=1e-12)
        np.testing.assert_allclose(grant_element(s.debt_service, [100.0, 100.0]), ge, atol=1e-12)

    @given(loans(), rates, modes)
    def test_zero_when_rate_equals_reference(self, loan, rate, mode):
        drawdowns, tenor, grace, _ = loan
        s = loan_schedule(drawdowns, interest_rate=rate, tenor_years=tenor, grace_years=grace,
                          repayment=mode)
        assert grant_element(s.debt_service, s.drawdown, reference_rate=rate) == pytest.approx(0.0, abs=1e-9)

    @given(amounts, rates, rates, st.integers(1, 30), st.integers(0, 29))
    def test_positive_below_reference_rate(self, principal, rate, ref, tenor, grace):
        grace = min(grace, tenor - 1)
        s = loan_schedule([principal], interest_rate=rate, tenor_years=tenor, grace_years=grace)
        ge = grant_element(s.debt_service, principal, reference_rate=ref)
        if rate < ref - 1e-6:
            assert ge > 0
        elif rate > ref + 1e-6:
            assert ge < 0

    @pytest.mark.parametrize(
        "args, kwargs, match",
        [
            (([0.0, 1.0], 0.0), {}, "face_value must be > 0"),
            (([0.0, 1.0], [0.0, 0.0]), {}, "positive disbursement"),
            (([0.0, 1.0], 1.0), {"reference_rate": -1.0}, "reference_rate must be > -1"),
            (([0.0, np.nan], 1.0), {}, "debt_service must be finite"),
            (([0.0, 1.0], [1.0, 2.0, 3.0]), {}, "face_value must be a scalar"),
        ],
    )
    def test_bad(self, args, kwargs, match):
        with pytest.raises(ValueError, match=match):
            grant_element(*args, **kwargs)


# --------------------------------------------------------------------------
# financing_pv_saving
# --------------------------------------------------------------------------


class TestFinancingPvSaving:
    def test_hand(self):
        # hand computation: 100 at t=0 replaced by 102 at t=1; at 8%:
        # 100 - 102/1.08 = 100 - 94.444444 = 5.555556
        assert financing_pv_saving([100.0], [0.0, 102.0], discount_rate=0.08) == pytest.approx(5.5555556)

    @given(loans(), rates, modes)
    def test_zero_at_loan_rate(self, loan, rate, mode):
        drawdowns, tenor, grace, _ = loan
        s = loan_schedule(drawdowns, interest_rate=rate, tenor_years=tenor, grace_years=grace,
                          repayment=mode)
        saving = financing_pv_saving(s.drawdown, s.debt_service, discount_rate=rate)
        assert saving == pytest.approx(0.0, abs=1e-9 * drawdowns.sum())

    @given(loans(), rates, rates, modes)
    def test_sign_follows_rate_gap(self, loan, rate, d, mode):
        drawdowns, tenor, grace, _ = loan
        s = loan_schedule(drawdowns, interest_rate=rate, tenor_years=tenor, grace_years=grace,
                          repayment=mode)
        saving = financing_pv_saving(s.drawdown, s.debt_service, discount_rate=d)
        tol = 1e-9 * drawdowns.sum()
        if rate < d:
            assert saving >= -tol
        else:
            assert saving <= tol

    def test_vectorised_and_matches_npf(self):
        s = loan_schedule([[100.0, 0.0], [50.0, 50.0]], interest_rate=[0.02, 0.04],
                          tenor_years=4, grace_years=1, upfront_fee=0.01)
        got = financing_pv_saving(s.drawdown, s.debt_service, discount_rate=[0.08, 0.06])
        for i, d in enumerate((0.08, 0.06)):
            assert got[i] == pytest.approx(npf.npv(d, s.drawdown[i]) - npf.npv(d, s.debt_service[i]))

    def test_bad(self):
        with pytest.raises(ValueError, match="discount_rate must be > -1"):
            financing_pv_saving([1.0], [1.0], discount_rate=-2)
        with pytest.raises(ValueError, match="same leading shape"):
            financing_pv_saving([[1.0], [1.0]], [1.0], discount_rate=0.05)


# --------------------------------------------------------------------------
# price_adjustment_factor
# --------------------------------------------------------------------------


class TestPriceAdjustmentFactor:
    def test_hand(self):
        # hand computation: a=0.15, b=0.35, c=0.50;
        # year 1: 0.15 + 0.35*104/100 + 0.50*210/200 = 0.15 + 0.364 + 0.525 = 1.039
        # year 2: 0.15 + 0.35*1.10 + 0.50*0.95 = 0.15 + 0.385 + 0.475 = 1.010
        f = price_adjustment_factor([100, 104, 110], [200, 210, 190], a=0.15, b=0.35, c=0.50)
        np.testing.assert_allclose(f, [1.0, 1.039, 1.010])

    def test_leading_axis(self):
        f = price_adjustment_factor([[100, 110], [50, 50]], [[10, 10], [10, 12]], a=0.1, b=0.4, c=0.5)
        np.testing.assert_allclose(f, [[1.0, 1.04], [1.0, 1.1]])

    @given(
        st.lists(st.floats(1.0, 1000.0), min_size=1, max_size=20),
        st.floats(0.0, 1.0),
        st.floats(0.0, 1.0),
    )
    def test_properties(self, lab, share_a, split):
        a = share_a
        b = (1 - a) * split
        c = 1 - a - b
        lab = np.asarray(lab)
        f = price_adjustment_factor(lab, lab, a=a, b=b, c=c)
        assert f[0] == pytest.approx(1.0)
        # identical index paths: factor = a + (1-a) * I/I0
        np.testing.assert_allclose(f, a + (1 - a) * lab / lab[0], rtol=1e-12)
        # rising indices never lower the price
        rising = np.maximum.accumulate(lab)
        assert np.all(price_adjustment_factor(rising, rising, a=a, b=b, c=c) >= 1 - 1e-12)

    @pytest.mark.parametrize(
        "kw, match",
        [
            (dict(a=0.2, b=0.3, c=0.4), "a \\+ b \\+ c must equal 1"),
            (dict(a=-0.1, b=0.6, c=0.5), "a must be a finite scalar share >= 0"),
        ],
    )
    def test_bad_shares(self, kw, match):
        with pytest.raises(ValueError, match=match):
            price_adjustment_factor([1, 2], [1, 2], **kw)

    def test_bad_indices(self):
        with pytest.raises(ValueError, match="labour_index must be positive"):
            price_adjustment_factor([0, 2], [1, 2], a=0.1, b=0.4, c=0.5)
        with pytest.raises(ValueError, match="same years"):
            price_adjustment_factor([1, 2], [1, 2, 3], a=0.1, b=0.4, c=0.5)

    def test_sum_tolerance(self):
        # a + b + c = 1 within 1e-9 is accepted
        price_adjustment_factor([1, 2], [1, 2], a=0.1, b=0.2, c=0.7 + 5e-10)


@settings(max_examples=50)
@given(loans(), rates)
def test_npf_npv_oracle_for_internal_pv(loan, rate):
    """grant_element with a nominal single face value equals 1 - npv/face."""
    drawdowns, tenor, grace, t0 = loan
    single = np.zeros_like(drawdowns)
    single[t0] = drawdowns.sum()
    s = loan_schedule(single, interest_rate=rate, tenor_years=tenor, grace_years=grace)
    face = single.sum()
    expected = 1 - npf.npv(0.05, s.debt_service[t0:]) / face
    assert grant_element(s.debt_service, face, t_first_drawdown=t0) == pytest.approx(expected, rel=1e-9, abs=1e-12)
