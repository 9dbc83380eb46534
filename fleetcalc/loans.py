r"""Loan schedules, grant element, financing saving and price adjustment.

Pure, vectorised functions for the financing side of a locomotive tender:
supplier's credit, export-credit-agency (ECA) cover or an MDB loan that pays
the contract instalments, and the contract price-adjustment formula. Nothing
here reads files, prints, or imports the rest of fleetcalc.

Conventions
-----------
* Time points ``t = 0, 1, ..., H`` in years on the fleetcalc grid
  (``t = 0`` is contract signature); year ``k`` spans ``[k-1, k]``.
* **Annual periods.** One interest payment and at most one principal
  instalment per year, at year end. Semi-annual instalments (usual for ECA
  credits) are not modelled; use an equivalent annual rate
  :math:`(1 + r_{1/2})^2 - 1` if needed.
* A drawdown ``D_t`` is disbursed at ``t``; the first time with a positive
  drawdown is :math:`t_0`. Interest for year ``k`` accrues on the balance
  outstanding at :math:`t = k-1` (after that time's drawdown and repayment)
  and is paid at :math:`t = k`.
* The grace period counts from :math:`t_0`: years :math:`t_0+1 ..
  t_0+g` carry interest only; principal is repaid at
  :math:`t_0+g+1 .. t_0+n` (``n`` = tenor). All drawdowns must fall in
  :math:`[t_0, t_0+g]`.
* Costs, drawdowns and debt service are positive amounts [currency]; rates
  are decimals per year. Present values use end-of-period discounting
  :math:`A/(1+r)^t`.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass

import numpy as np
import numpy_financial as npf

from fleetcalc._arrays import finish as _scalar_or_array

if typing.TYPE_CHECKING:
    from typing import Any

    from fleetcalc._arrays import FloatOrArray, Numbers

__all__ = [
    "LoanSchedule",
    "loan_schedule",
    "floating_rate",
    "grant_element",
    "financing_pv_saving",
    "price_adjustment_factor",
]

_REPAYMENT_MODES = ("equal_principal", "annuity")


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------


def _as_float_array(name: str, value: Numbers) -> Any:
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numeric, got {value!r}") from exc
    return arr


def _finite(name: str, arr: Numbers, value: Numbers) -> Any:
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite (no NaN or infinity), got {value!r}")


def _per_loan(name: str, value: Numbers, n_loans: Numbers, *, minimum: Numbers = None,
              integer: bool = False, strict: bool = False) -> Any:
    """Broadcast a scalar or per-loan parameter to shape ``(n_loans,)``."""
    arr = _as_float_array(name, value)
    _finite(name, arr, value)
    if arr.ndim > 1 or (arr.ndim == 1 and arr.shape[0] not in (1, n_loans)):
        raise ValueError(
            f"{name} must be a scalar or have one value per loan ({n_loans}), "
            f"got shape {arr.shape}"
        )
    arr = np.broadcast_to(arr, (n_loans,)).astype(float)
    if minimum is not None:
        bad = arr <= minimum if strict else arr < minimum
        if np.any(bad):
            op = ">" if strict else ">="
            raise ValueError(f"{name} must be {op} {minimum}, got {value!r}")
    if integer:
        if np.any(arr != np.round(arr)):
            raise ValueError(f"{name} must be whole years, got {value!r}")
        arr = arr.astype(np.int64)
    return arr




def _present_value_at(values: Numbers, rate: Numbers, t_ref: Numbers) -> Any:
    """PV at ``t_ref`` of ``values[..., t]`` paid at ``t = 0..L-1``.

    ``rate`` and ``t_ref`` broadcast against ``values.shape[:-1]``.
    Equivalent to ``npf.npv(rate, values[t_ref:])`` when nothing is paid
    before ``t_ref``.
    """
    t = np.arange(values.shape[-1], dtype=float)
    rate = np.asarray(rate, dtype=float)[..., None]
    t_ref = np.asarray(t_ref, dtype=float)[..., None]
    return np.sum(values * np.power(1.0 + rate, -(t - t_ref)), axis=-1)


# --------------------------------------------------------------------------
# loan schedule
# --------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class LoanSchedule:
    r"""Per-year cash flows of one loan or a batch of loans (read-only).

    Every field is a read-only array over the time points ``t = 0..L-1``
    along its last axis; a batch of loans adds a leading axis of length
    ``n_loans``. Amounts are positive and in the loan currency.

    Attributes
    ----------
    t : numpy.ndarray
        Time points ``0..L-1`` [year].
    drawdown : numpy.ndarray
        Amount disbursed at ``t`` [currency].
    interest : numpy.ndarray
        Interest paid at ``t`` on the balance outstanding over year ``t``
        [currency].
    principal : numpy.ndarray
        Principal repaid at ``t`` [currency].
    upfront_fee : numpy.ndarray
        Front-end (arrangement) fee, paid at :math:`t_0` [currency].
    commitment_fee : numpy.ndarray
        Commitment fee on the undrawn balance, paid at year end [currency].
    fees : numpy.ndarray
        ``upfront_fee + commitment_fee`` [currency].
    premium : numpy.ndarray
        Export-credit premium, paid at :math:`t_0` [currency].
    balance : numpy.ndarray
        Outstanding principal at the end of ``t`` (after that time's drawdown
        and repayment) [currency].
    debt_service : numpy.ndarray
        ``principal + interest + fees + premium`` paid at ``t`` [currency].
    """

    t: np.ndarray
    drawdown: np.ndarray
    interest: np.ndarray
    principal: np.ndarray
    upfront_fee: np.ndarray
    commitment_fee: np.ndarray
    fees: np.ndarray
    premium: np.ndarray
    balance: np.ndarray
    debt_service: np.ndarray


def _annuity_payment(rate: Numbers, n_periods: Numbers, balance: Numbers) -> Any:
    r"""Level end-of-year payment repaying ``balance`` over ``n_periods`` years.

    :func:`numpy_financial.pmt` (sign reversed), with its ``r -> 0`` limit
    :math:`B/n \cdot (1 + r(n+1)/2)` where :math:`|n r| < 10^{-8}`, since
    ``pmt`` loses all precision (NaN) for tiny non-zero rates.
    """
    small = np.abs(rate * n_periods) < 1e-8
    safe_rate = np.where(small, 0.05, rate)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        pmt = -npf.pmt(safe_rate, n_periods, balance)
    limit = balance / n_periods * (1.0 + rate * (n_periods + 1.0) / 2.0)
    return np.where(small, limit, pmt)


def _rate_path(interest_rate: Numbers, n_loans: Numbers, n_years_needed: Numbers,
               n_years_out: Numbers, batch: Numbers) -> Any:
    """Interest rates as an ``(n_loans, n_years_out)`` array; column k-1 = year k."""
    rate = _as_float_array("interest_rate", interest_rate)
    _finite("interest_rate", rate, interest_rate)
    if np.any(rate <= -1.0):
        raise ValueError(
            f"interest_rate must be > -1 (a decimal per year), got {interest_rate!r}"
        )
    if rate.ndim == 0:
        path = np.full((n_loans, 1), float(rate))
    elif rate.ndim == 1 and batch:
        if rate.shape[0] not in (1, n_loans):
            raise ValueError(
                "interest_rate for a batch of loans must be a scalar, one rate per "
                f"loan ({n_loans}) or a 2-D path (n_loans or 1, years), got shape {rate.shape}"
            )
        path = np.broadcast_to(rate, (n_loans,))[:, None].astype(float)
    elif rate.ndim == 1:
        path = rate[None, :]
    elif rate.ndim == 2 and batch:
        if rate.shape[0] not in (1, n_loans):
            raise ValueError(
                f"interest_rate path must have 1 or {n_loans} rows (one per loan), "
                f"got shape {rate.shape}"
            )
        path = np.broadcast_to(rate, (n_loans, rate.shape[1])).astype(float)
    else:
        raise ValueError(
            "interest_rate must be a scalar, a per-loan vector or a path by year, "
            f"got shape {rate.shape}"
        )
    if path.shape[1] > 1 and path.shape[1] < n_years_needed:
        raise ValueError(
            f"interest_rate path must cover years 1..{n_years_needed} (the last "
            f"repayment), got {path.shape[1]} values"
        )
    # constant rates and paths shorter than the output hold their last value;
    # the extra years carry no balance, so the value there is irrelevant.
    if path.shape[1] < n_years_out:
        pad = np.repeat(path[:, -1:], n_years_out - path.shape[1], axis=1)
        path = np.concatenate([path, pad], axis=1)
    return path[:, :n_years_out]


def loan_schedule(
    drawdowns: Numbers,
    *,
    interest_rate: Numbers,
    tenor_years: Numbers,
    grace_years: Numbers,
    repayment: str = "equal_principal",
    upfront_fee: Numbers = 0.0,
    commitment_fee: Numbers = 0.0,
    export_credit_premium: Numbers = 0.0,
) -> Any:
    r"""Drawdown, interest, repayment and fee schedule of a term loan.

    Parameters
    ----------
    drawdowns : array_like
        Amounts drawn at ``t = 0..T`` [currency], shape ``(T+1,)`` for one
        loan or ``(n_loans, T+1)`` for a batch (e.g. one loan per bid). In a
        tender the drawdowns follow the contract payment schedule. Each loan
        needs at least one positive drawdown; the first positive one is at
        :math:`t_0`. Amounts must be ``>= 0`` and finite.
    interest_rate : float or array_like
        All-in interest rate per year, decimal [-], ``> -1``. One of:

        * a scalar (fixed rate for every loan);
        * for a batch, shape ``(n_loans,)``: one fixed rate per loan;
        * a path by year: shape ``(Y,)`` for one loan, or ``(1, Y)`` /
          ``(n_loans, Y)`` for a batch, where element ``k-1`` is the rate of
          year ``k`` (interest paid at ``t = k``) on the fleetcalc calendar,
          not counted from :math:`t_0`. ``Y`` must reach the last repayment
          year :math:`t_0 + n`; later values are unused. Build it with
          :func:`floating_rate`.
    tenor_years : int or array_like of int
        Final maturity ``n`` counted from :math:`t_0` [year], ``>= 1``.
    grace_years : int or array_like of int
        Grace period ``g`` counted from :math:`t_0` [year], ``0 <= g < n``.
        Interest only is paid during the grace period; the last drawdown must
        be at or before :math:`t_0 + g`.
    repayment : {'equal_principal', 'annuity'}, optional
        ``'equal_principal'``: :math:`n - g` equal principal instalments
        (declining debt service, the ECA/OECD Arrangement norm).
        ``'annuity'``: level principal-plus-interest instalments
        (:func:`numpy_financial.pmt`); with a floating rate the instalment is
        re-computed each year on the remaining balance and term.
    upfront_fee : float or array_like, optional
        Front-end fee as a share of the committed amount [-], paid at
        :math:`t_0`. Default 0.
    commitment_fee : float or array_like, optional
        Commitment fee per year on the undrawn committed balance, decimal
        [-]. The fee for year ``k`` is charged on the amount undrawn at
        ``t = k-1`` and paid at ``t = k``, from :math:`t_0` on. Default 0.
    export_credit_premium : float or array_like, optional
        ECA premium as a share of the committed amount [-], paid at
        :math:`t_0`. Default 0.

    Returns
    -------
    LoanSchedule
        Read-only arrays over ``t = 0..L-1`` with
        :math:`L = \max(T+1, \max_i(t_{0,i} + n_i) + 1)`, so the last
        repayment always fits; a batch keeps its leading axis.

    Raises
    ------
    ValueError
        On negative or non-finite drawdowns, a loan with no drawdown,
        non-integer or inconsistent tenor/grace, drawdowns after the end of
        grace, negative fees, an interest rate ``<= -1``, a rate path too
        short, or an unknown ``repayment``.

    Notes
    -----
    Committed amount :math:`C = \sum_t D_t`; balance :math:`B_t`, with
    :math:`B_{-1} = 0`:

    .. math::

        I_t &= r_t\, B_{t-1} \\
        P_t &= \begin{cases}
            C/(n-g) & \text{equal principal} \\
            \mathrm{pmt}(r_t,\ t_0+n-t+1,\ B_{t-1}) - I_t & \text{annuity}
        \end{cases}
        \quad t_0+g < t \le t_0+n \\
        B_t &= B_{t-1} + D_t - P_t \\
        F_t &= f_u C\,[t=t_0] + f_c \Big(C - \sum_{s<t} D_s\Big)[t > t_0] \\
        X_t &= p\, C\,[t=t_0] \\
        DS_t &= P_t + I_t + F_t + X_t

    The last instalment repays the remaining balance exactly, so
    :math:`B_{t_0+n} = 0` and :math:`\sum_t P_t = C`. Instalment structure
    and equal-principal repayment follow the OECD Arrangement on Officially
    Supported Export Credits [1]_ (equal semi-annual principal, here
    annualised); the annuity uses :func:`numpy_financial.pmt` [2]_.

    The ECA premium is paid in full at :math:`t_0` on the committed amount.
    In practice premia are often financed (added to the loan) or paid pro
    rata with each drawdown; paying upfront is the conservative choice for
    comparing bids. A commitment starting before :math:`t_0` (signature well
    before the first disbursement) is not modelled.

    References
    ----------
    .. [1] OECD, *Arrangement on Officially Supported Export Credits*,
       TAD/PG, Chapter II (repayment terms, equal principal instalments).
    .. [2] numpy-financial, ``pmt``/``ppmt``/``ipmt``,
       https://numpy.org/numpy-financial/

    Examples
    --------
    1,000,000 drawn at t = 0, 5 %, 2-year tenor, no grace, equal principal:

    >>> s = loan_schedule([1_000_000.0], interest_rate=0.05, tenor_years=2,
    ...                   grace_years=0)
    >>> print(s.interest.round(2))
    [    0. 50000. 25000.]
    >>> print(s.principal.round(2))
    [     0. 500000. 500000.]
    >>> print(s.balance.round(2))
    [1000000.  500000.       0.]

    Two loans (bids) at once, the second as an annuity with a 1 % front-end fee:

    >>> b = loan_schedule([[100.0, 0.0], [100.0, 0.0]], interest_rate=[0.05, 0.10],
    ...                   tenor_years=2, grace_years=0,
    ...                   repayment="annuity", upfront_fee=[0.0, 0.01])
    >>> print(b.debt_service.round(4))
    [[ 0.     53.7805 53.7805]
     [ 1.     57.619  57.619 ]]
    """
    if repayment not in _REPAYMENT_MODES:
        raise ValueError(
            f"repayment must be one of {', '.join(_REPAYMENT_MODES)}, got {repayment!r}"
        )
    draws = _as_float_array("drawdowns", drawdowns)
    if draws.ndim not in (1, 2) or draws.shape[-1] == 0:
        raise ValueError(
            "drawdowns must be a non-empty 1-D array over t or a 2-D array "
            f"(n_loans, t), got shape {draws.shape}"
        )
    _finite("drawdowns", draws, drawdowns)
    if np.any(draws < 0):
        raise ValueError(f"drawdowns must be >= 0, got {drawdowns!r}")
    batch = draws.ndim == 2
    draws2 = np.atleast_2d(draws)
    n_loans, n_in = draws2.shape
    if n_loans == 0:
        raise ValueError("drawdowns must hold at least one loan, got 0 rows")
    positive = draws2 > 0
    if not np.all(positive.any(axis=1)):
        raise ValueError("drawdowns must contain at least one positive amount per loan")

    tenor = _per_loan("tenor_years", tenor_years, n_loans, minimum=1, integer=True)
    grace = _per_loan("grace_years", grace_years, n_loans, minimum=0, integer=True)
    if np.any(grace >= tenor):
        raise ValueError(
            f"grace_years must be < tenor_years, got grace_years={grace_years!r}, "
            f"tenor_years={tenor_years!r}"
        )
    f_up = _per_loan("upfront_fee", upfront_fee, n_loans, minimum=0.0)
    f_com = _per_loan("commitment_fee", commitment_fee, n_loans, minimum=0.0)
    prem = _per_loan("export_credit_premium", export_credit_premium, n_loans, minimum=0.0)

    t0 = positive.argmax(axis=1)
    t_last_draw = n_in - 1 - positive[:, ::-1].argmax(axis=1)
    if np.any(t_last_draw > t0 + grace):
        raise ValueError(
            "drawdowns must all fall within the grace period [t0, t0 + grace_years]; "
            f"last drawdown at t={t_last_draw.tolist()}, t0={t0.tolist()}, "
            f"grace_years={grace.tolist()}"
        )
    t_end = t0 + tenor
    n_out = int(max(n_in, t_end.max() + 1))
    rates = _rate_path(interest_rate, n_loans, int(t_end.max()), n_out - 1, batch)

    committed = draws2.sum(axis=1)
    D = np.zeros((n_loans, n_out))
    D[:, :n_in] = draws2
    cum_drawn = np.cumsum(D, axis=1)
    n_rep = (tenor - grace).astype(float)
    rep_start = t0 + grace + 1

    interest = np.zeros((n_loans, n_out))
    principal = np.zeros((n_loans, n_out))
    com_fee = np.zeros((n_loans, n_out))
    balance = np.zeros((n_loans, n_out))
    balance[:, 0] = D[:, 0]
    rows = np.arange(n_loans)
    for t in range(1, n_out):
        b_prev = balance[:, t - 1]
        r_t = rates[:, t - 1]
        interest[:, t] = r_t * b_prev
        com_fee[:, t] = np.where(t - 1 >= t0, f_com * (committed - cum_drawn[:, t - 1]), 0.0)
        repaying = (t >= rep_start) & (t <= t_end)
        if repayment == "equal_principal":
            p = committed / n_rep
        else:
            remaining = np.maximum(t_end - t + 1, 1).astype(float)
            p = _annuity_payment(r_t, remaining, b_prev) - interest[:, t]
        p = np.where(t == t_end, b_prev, p)  # last instalment clears the balance
        principal[:, t] = np.where(repaying, p, 0.0)
        balance[:, t] = b_prev + D[:, t] - principal[:, t]

    up_fee = np.zeros((n_loans, n_out))
    premium = np.zeros((n_loans, n_out))
    up_fee[rows, t0] = f_up * committed
    premium[rows, t0] = prem * committed
    fees = up_fee + com_fee
    debt_service = principal + interest + fees + premium

    def _out(arr: Numbers) -> Any:
        arr = arr if batch else arr[0]
        arr = np.array(arr, dtype=float)
        arr.flags.writeable = False
        return arr

    t_axis = np.arange(n_out, dtype=float)
    t_axis.flags.writeable = False
    return LoanSchedule(
        t=t_axis,
        drawdown=_out(D),
        interest=_out(interest),
        principal=_out(principal),
        upfront_fee=_out(up_fee),
        commitment_fee=_out(com_fee),
        fees=_out(fees),
        premium=_out(premium),
        balance=_out(balance),
        debt_service=_out(debt_service),
    )


def floating_rate(reference_rates: Numbers, margin: Numbers, *,
                  floor: Numbers = None) -> FloatOrArray:
    r"""All-in floating interest rate path: reference rate plus margin.

    Parameters
    ----------
    reference_rates : array_like
        Reference rate (e.g. SOFR, EURIBOR, CIRR-free benchmark) for each
        year, decimal per year [-]; element ``k-1`` applies to year ``k``.
        A leading axis (loans, scenarios) is kept.
    margin : float or array_like
        Lender's margin (spread) per year, decimal [-]; broadcasts against
        ``reference_rates`` (give shape ``(n_loans, 1)`` for one margin per
        loan).
    floor : float, optional
        Floor applied to the *reference* rate before adding the margin, a
        common loan clause (e.g. 0.0). Default None (no floor).

    Returns
    -------
    numpy.ndarray
        :math:`\max(\rho_k, \text{floor}) + m` by year [-], ready for
        ``loan_schedule(..., interest_rate=...)``.

    Raises
    ------
    ValueError
        If an input is not finite or a resulting rate is ``<= -1``.

    Notes
    -----
    .. math:: r_k = \max(\rho_k,\ \rho_{\min}) + m

    The variable-rate option of MDB loans (e.g. IBRD flexible loan: reference
    rate plus a fixed or variable spread) and of floating-rate ECA loans.

    Examples
    --------
    >>> print(floating_rate([0.03, 0.04, -0.005], 0.012, floor=0.0).round(4))
    [0.042 0.052 0.012]
    """
    ref = _as_float_array("reference_rates", reference_rates)
    _finite("reference_rates", ref, reference_rates)
    m = _as_float_array("margin", margin)
    _finite("margin", m, margin)
    if ref.ndim == 0:
        raise ValueError(
            f"reference_rates must be an array by year, got scalar {reference_rates!r}"
        )
    if floor is not None:
        fl = _as_float_array("floor", floor)
        _finite("floor", fl, floor)
        ref = np.maximum(ref, fl)
    rate = ref + m
    if np.any(rate <= -1.0):
        raise ValueError(f"reference_rates + margin must be > -1, got {rate!r}")
    return rate


# --------------------------------------------------------------------------
# concessionality
# --------------------------------------------------------------------------


def grant_element(debt_service: Numbers, face_value: Numbers, *,
                  reference_rate: Numbers = 0.05,
                  t_first_drawdown: Numbers = None) -> FloatOrArray:
    r"""Grant element of a loan: its concessionality as a share of face value.

    Parameters
    ----------
    debt_service : array_like
        Debt service paid at ``t = 0..L-1`` [currency] along the last axis,
        e.g. ``loan_schedule(...).debt_service`` (principal + interest + fees
        + premium); a leading axis of loans is kept. Pass
        ``principal + interest`` only for the DAC/IMF definition that
        ignores fees.
    face_value : float or array_like
        Either the nominal face value [currency] disbursed at once at
        ``t_first_drawdown`` (scalar, or one per loan), or the disbursement
        schedule on the same grid as ``debt_service`` (same shape), in which
        case the face value is the present value of the disbursements at the
        first disbursement.
    reference_rate : float or array_like, optional
        Discount rate per year, decimal [-]. Default 0.05, the IMF unified
        discount rate for the grant element under the debt limits policy.
        Use the OECD differentiated discount rate (DDR) for tied-aid
        concessionality under the OECD Arrangement.
    t_first_drawdown : int or array_like, optional
        Time :math:`t_0` [year] at which the present values are taken. Default
        None: ``0`` for a scalar face value, the first positive disbursement
        for a schedule.

    Returns
    -------
    float or numpy.ndarray
        Grant element [-]: 0 for a loan at the reference rate, 1 for a grant,
        negative for a loan dearer than the reference rate.

    Raises
    ------
    ValueError
        On non-finite inputs, a face value ``<= 0``, or a reference rate
        ``<= -1``.

    Notes
    -----
    .. math::

        GE = \frac{FV - \sum_t DS_t (1+d)^{-(t-t_0)}}{FV},
        \qquad FV = \sum_t D_t (1+d)^{-(t-t_0)}

    The IMF defines the grant element as the face value minus the present
    value of debt service, as a share of the face value [1]_; the IMF/IDA
    calculators assume the loan is fully disbursed at the start. With one
    disbursement fleetcalc uses that definition exactly (face value = nominal
    amount). With several disbursements (a loan drawn along a contract
    payment schedule) fleetcalc discounts each disbursement to :math:`t_0` at
    the reference rate as well, so that a loan at exactly the reference rate
    has ``GE = 0`` whatever its drawdown profile; the nominal face value would
    show a spurious positive grant element. Pass the nominal sum as a scalar
    to reproduce the "fully disbursed" convention. The IMF and World Bank
    have used a unified 5 % discount rate since 11 October 2013 [1]_, [2]_;
    the OECD Arrangement's tied-aid concessionality level uses the currency's
    differentiated discount rate (DDR) [3]_.

    References
    ----------
    .. [1] IMF, "Concessionality and the Design of Debt Limits in
       IMF-Supported Programs in Low-Income Countries", web page with the
       grant-element (concessionality) calculator, last updated Oct. 2013,
       https://www.imf.org/external/np/pdr/conc/
    .. [2] IMF, "Unification of Discount Rates Used in External Debt Analysis
       for Low-Income Countries", IMF Policy Paper 2013/026, Oct. 2013.
    .. [3] OECD, *Arrangement on Officially Supported Export Credits*,
       Chapter III (tied aid), Annex on the calculation of the concessionality
       level.

    Examples
    --------
    A 100 loan at 1 %, 1 bullet repayment after 2 years, discounted at 5 %:

    >>> round(grant_element([0.0, 1.0, 101.0], 100.0), 4)
    0.0744
    """
    ds = _as_float_array("debt_service", debt_service)
    _finite("debt_service", ds, debt_service)
    if ds.ndim == 0 or ds.shape[-1] == 0:
        raise ValueError(f"debt_service must be an array over t, got {debt_service!r}")
    d = _as_float_array("reference_rate", reference_rate)
    _finite("reference_rate", d, reference_rate)
    if np.any(d <= -1.0):
        raise ValueError(f"reference_rate must be > -1, got {reference_rate!r}")
    fv_in = _as_float_array("face_value", face_value)
    _finite("face_value", fv_in, face_value)
    lead = ds.shape[:-1]
    if fv_in.shape == ds.shape:
        if np.any(fv_in < 0):
            raise ValueError(f"face_value disbursements must be >= 0, got {face_value!r}")
        pos = fv_in > 0
        if not np.all(pos.any(axis=-1)):
            raise ValueError("face_value schedule must contain a positive disbursement")
        t0 = pos.argmax(axis=-1) if t_first_drawdown is None else t_first_drawdown
        face = _present_value_at(fv_in, d, t0)
    else:
        t0 = 0 if t_first_drawdown is None else t_first_drawdown
        face = np.broadcast_to(fv_in, lead) if fv_in.ndim <= len(lead) else None
        if face is None:
            raise ValueError(
                f"face_value must be a scalar, one value per loan {lead} or a schedule "
                f"of shape {ds.shape}, got shape {fv_in.shape}"
            )
    t0 = _as_float_array("t_first_drawdown", t0)
    _finite("t_first_drawdown", t0, t_first_drawdown)
    if np.any(np.asarray(face) <= 0):
        raise ValueError(f"face_value must be > 0, got {face_value!r}")
    pv_ds = _present_value_at(ds, d, t0)
    return _scalar_or_array((face - pv_ds) / face)


def financing_pv_saving(payments_replaced: Numbers, debt_service: Numbers, *,
                        discount_rate: Numbers) -> FloatOrArray:
    r"""Present-value saving from financing payments with a loan.

    Parameters
    ----------
    payments_replaced : array_like
        Contract payments at ``t = 0..`` [currency] that the loan pays
        instead of the purchaser (usually the loan's drawdowns), last axis
        over ``t``.
    debt_service : array_like
        The purchaser's debt service at ``t = 0..`` [currency] on the same
        grid (lengths may differ; the shorter is padded with zeros).
    discount_rate : float or array_like
        The tender's discount rate per year, decimal [-], ``> -1``; one per
        row with shape ``(n_loans,)``.

    Returns
    -------
    float or numpy.ndarray
        :math:`PV(\text{payments replaced}) - PV(\text{debt service})` at
        ``t = 0`` [currency]. Positive: the loan is worth taking at this
        discount rate; zero for a fee-free loan at exactly the discount rate.

    Raises
    ------
    ValueError
        On non-finite inputs, mismatched leading shapes or a rate ``<= -1``.

    Notes
    -----
    .. math::

        S = \sum_t \frac{D_t}{(1+r)^t} - \sum_t \frac{DS_t}{(1+r)^t}

    End-of-period discounting at the purchaser's discount rate, the rate
    used in the life-cycle-cost evaluation of the bids (World Bank "net
    present value basis"). This is the financing analogue of the grant
    element: a grant element computed at the tender discount rate times the
    PV of the drawdowns.

    Examples
    --------
    100 drawn at t = 0 and repaid at 2 % after one year, valued at 8 %:

    >>> round(financing_pv_saving([100.0], [0.0, 102.0], discount_rate=0.08), 4)
    5.5556
    """
    pay = _as_float_array("payments_replaced", payments_replaced)
    ds = _as_float_array("debt_service", debt_service)
    _finite("payments_replaced", pay, payments_replaced)
    _finite("debt_service", ds, debt_service)
    if pay.ndim == 0 or ds.ndim == 0:
        raise ValueError("payments_replaced and debt_service must be arrays over t")
    if pay.shape[:-1] != ds.shape[:-1]:
        raise ValueError(
            "payments_replaced and debt_service must have the same leading shape, "
            f"got {pay.shape} and {ds.shape}"
        )
    r = _as_float_array("discount_rate", discount_rate)
    _finite("discount_rate", r, discount_rate)
    if np.any(r <= -1.0):
        raise ValueError(f"discount_rate must be > -1, got {discount_rate!r}")
    n = max(pay.shape[-1], ds.shape[-1])
    pad = [(0, 0)] * (pay.ndim - 1)
    pay = np.pad(pay, pad + [(0, n - pay.shape[-1])])
    ds = np.pad(ds, pad + [(0, n - ds.shape[-1])])
    return _scalar_or_array(_present_value_at(pay - ds, r, 0.0))


# --------------------------------------------------------------------------
# contract price adjustment
# --------------------------------------------------------------------------


def price_adjustment_factor(labour_index: Numbers, materials_index: Numbers, *, a: Numbers,
                            b: Numbers, c: Numbers) -> FloatOrArray:
    r"""Contract price adjustment factor :math:`P_1/P_0` by year.

    Parameters
    ----------
    labour_index : array_like
        Labour cost index path [-]; position 0 along the last axis is the
        base value :math:`L_0` (the index at the base date, typically 28
        days before bid submission).
    materials_index : array_like
        Materials cost index path [-], base :math:`M_0` at position 0; same
        length as ``labour_index`` (leading axes broadcast).
    a : float
        Fixed, non-adjustable share [-] (typically 0.10-0.15).
    b : float
        Labour share [-].
    c : float
        Materials share [-].

    Returns
    -------
    numpy.ndarray
        :math:`a + b L_t/L_0 + c M_t/M_0` [-]; 1 at position 0. The adjusted
        price is :math:`P_0` times the factor; the adjustment paid is
        :math:`P_0(\text{factor} - 1)`.

    Raises
    ------
    ValueError
        If a share is negative, ``a + b + c`` differs from 1 by more than
        1e-9, an index is not positive and finite, or the paths' lengths
        differ.

    Notes
    -----
    .. math:: \frac{P_1}{P_0} = a + b\,\frac{L_1}{L_0} + c\,\frac{M_1}{M_0},
              \qquad a + b + c = 1

    The World Bank goods general conditions of contract (price adjustment
    clause, :math:`P_1 = P_0(a + bL_1/L_0 + cM_1/M_0) - P_0` as the
    adjustment) and the FIDIC sub-clause 13.8 ("Adjustments for Changes in
    Cost") form [1]_, [2]_, with one labour and one materials index.

    References
    ----------
    .. [1] World Bank, *Standard Procurement Document, Request for Bids -
       Goods*, Section VIII General Conditions, price adjustment.
    .. [2] FIDIC, *Conditions of Contract for Construction*, 1999, Sub-Clause
       13.8, Adjustments for Changes in Cost.

    Examples
    --------
    >>> print(price_adjustment_factor([100, 104, 110], [200, 210, 190],
    ...                               a=0.15, b=0.35, c=0.50).round(4))
    [1.     1.039  1.01  ]
    """
    shares = {"a": a, "b": b, "c": c}
    for name, val in shares.items():
        arr = _as_float_array(name, val)
        if arr.ndim != 0 or not np.isfinite(arr) or arr < 0:
            raise ValueError(f"{name} must be a finite scalar share >= 0, got {val!r}")
    total = float(a) + float(b) + float(c)
    if abs(total - 1.0) > 1e-9:
        raise ValueError(f"a + b + c must equal 1 (to 1e-9), got a={a}, b={b}, c={c} "
                         f"(sum {total!r})")
    lab = _as_float_array("labour_index", labour_index)
    mat = _as_float_array("materials_index", materials_index)
    for name, arr, raw in (("labour_index", lab, labour_index),
                           ("materials_index", mat, materials_index)):
        if arr.ndim == 0 or arr.shape[-1] == 0:
            raise ValueError(f"{name} must be an index path with the base at position 0, "
                             f"got {raw!r}")
        if not np.all(np.isfinite(arr)) or np.any(arr <= 0):
            raise ValueError(f"{name} must be positive and finite, got {raw!r}")
    if lab.shape[-1] != mat.shape[-1]:
        raise ValueError(
            "labour_index and materials_index must cover the same years, got lengths "
            f"{lab.shape[-1]} and {mat.shape[-1]}"
        )
    return a + b * lab / lab[..., :1] + c * mat / mat[..., :1]
