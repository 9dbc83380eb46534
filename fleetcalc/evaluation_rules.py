r"""Multilateral-development-bank (MDB) bid-evaluation rules.

Pure, vectorised functions over arrays of bids (bids along the last axis
unless stated otherwise) for the steps of an MDB evaluation, in the order of
the World Bank *Standard Bid Evaluation Form* (1996):

1. read-out price, **arithmetic corrections** and **unconditional discounts**
   (:func:`arithmetic_correction`, :func:`apply_unconditional_discount`);
2. **conversion to a single currency** at the stated selling rates
   (:func:`convert_to_single_currency`);
3. **additions, adjustments and priced deviations**: delivery
   (:func:`delivery_deviation_adjustment`), payment schedule
   (:func:`payment_schedule_adjustment`), life-cycle cost (computed
   elsewhere in fleetcalc), ...;
4. **domestic preference** (:func:`qualifies_for_domestic_preference`,
   :func:`domestic_preference_margin`);
5. **ranking** of the evaluated prices (:func:`rank_bids`), or scoring for
   a price-quality ratio (:func:`price_score`, :func:`combined_score`).

Contract-stage amounts (:func:`liquidated_damages`) and the rounding
convention (:func:`round_half_up`) complete the module. Nothing here reads
files, prints, or imports the rest of fleetcalc. Money is positive and in one
currency per call; rates are decimals.

Non-responsive bids are carried as NaN evaluated prices: NaN passes through
the arithmetic and is ignored by :func:`rank_bids` and :func:`price_score`.
"""

from __future__ import annotations

import typing
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

import numpy as np

if typing.TYPE_CHECKING:
    from typing import Any

    from fleetcalc._arrays import Array, FloatOrArray, Numbers

__all__ = [
    "round_half_up",
    "arithmetic_correction",
    "apply_unconditional_discount",
    "convert_to_single_currency",
    "DeliveryAdjustment",
    "delivery_deviation_adjustment",
    "payment_schedule_adjustment",
    "qualifies_for_domestic_preference",
    "domestic_preference_margin",
    "preference_groups",
    "PreferenceOutcome",
    "domestic_preference_procedure",
    "rank_bids",
    "price_score",
    "combined_score",
    "liquidated_damages",
]

_PRICE_SCORE_METHODS = ("ratio", "linear", "per_money")
_SENSES = ("higher_is_better", "lower_is_better")
_PART_POINTS = ("pro_rata", "started", "completed")


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------


def _arr(name: str, value: Numbers, *, allow_nan: bool = False) -> Any:
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numeric, got {value!r}") from exc
    bad = np.isinf(arr) if allow_nan else ~np.isfinite(arr)
    if np.any(bad):
        rule = "infinite" if allow_nan else "NaN or infinite"
        raise ValueError(f"{name} must not be {rule}, got {value!r}")
    return arr


def _scalar(name: str, value: Numbers, *, low: Numbers = None,
            high: Numbers = None, low_strict: bool = False) -> Any:
    arr = _arr(name, value)
    if arr.ndim != 0:
        raise ValueError(f"{name} must be a scalar, got {value!r}")
    v = float(arr)
    if low is not None and (v <= low if low_strict else v < low):
        raise ValueError(f"{name} must be {'>' if low_strict else '>='} {low}, got {value!r}")
    if high is not None and v > high:
        raise ValueError(f"{name} must be <= {high}, got {value!r}")
    return v


def _out(result: Numbers) -> Any:
    result = np.asarray(result)
    if result.ndim == 0:
        return bool(result) if result.dtype == bool else float(result)
    return result


# --------------------------------------------------------------------------
# rounding
# --------------------------------------------------------------------------


def _round_one(x: Numbers, quantum: Numbers) -> Any:
    if not np.isfinite(x):
        return x
    return float(Decimal(repr(float(x))).quantize(quantum, rounding=ROUND_HALF_UP))


def round_half_up(x: Numbers, *, decimals: Numbers = 0) -> FloatOrArray:
    r"""Round money half away from zero, as written in decimal.

    Parameters
    ----------
    x : float or array_like
        Amounts [currency]; NaN and infinities pass through.
    decimals : int, optional
        Number of decimals to keep [-]; 0 rounds to the currency unit (the
        fleetcalc convention for evaluated prices), 2 to cents, -3 to
        thousands. Default 0.

    Returns
    -------
    float or numpy.ndarray
        Rounded amounts [currency].

    Raises
    ------
    ValueError
        If ``decimals`` is not an integer.

    Notes
    -----
    .. math:: \mathrm{round}(x) = \operatorname{sign}(x)\,
              \left\lfloor |x|\,10^{d} + \tfrac12 \right\rfloor 10^{-d}

    evaluated on the shortest decimal representation of the float
    (``repr``), so ``2.675`` rounds to ``2.68`` as a person would, not to
    ``2.67`` as :func:`numpy.round` (half to even, on the binary value) does.
    MDB procurement documents do not prescribe a rounding rule; evaluation
    reports quote evaluated prices to the currency unit, and commercial
    (half-up) rounding is the usual bookkeeping rule. This is a fleetcalc
    convention, applied only when presenting figures, never inside the
    calculation chain.

    Examples
    --------
    >>> print(round_half_up([2.675, 2.5, -2.5, 0.125], decimals=2))
    [ 2.68  2.5  -2.5   0.13]
    >>> print(round_half_up(1_234_567.5))
    1234568.0
    """
    if isinstance(decimals, bool) or int(decimals) != decimals:
        raise ValueError(f"decimals must be an integer, got {decimals!r}")
    quantum = Decimal(1).scaleb(-int(decimals))
    arr = np.asarray(x, dtype=float)
    result = np.vectorize(lambda v: _round_one(v, quantum), otypes=[float])(arr)
    return _out(result)


# --------------------------------------------------------------------------
# step 1: corrections and discounts
# --------------------------------------------------------------------------


def arithmetic_correction(quantities: Numbers, unit_prices: Numbers) -> FloatOrArray:
    r"""Price of each bid after correcting arithmetic errors.

    Parameters
    ----------
    quantities : array_like
        Quantities of the price-schedule lines [-], shape ``(n_lines,)``
        (the purchaser's quantities, identical for all bids), ``>= 0``.
    unit_prices : array_like
        Unit prices read from the bids [currency], shape ``(n_lines,)`` or
        ``(n_bids, n_lines)``; one currency per call (use one call per
        currency of a multi-currency bid).

    Returns
    -------
    float or numpy.ndarray
        Corrected price :math:`\sum_j q_j u_j` [currency] per bid. The
        correction is the corrected price minus the read-out price.

    Raises
    ------
    ValueError
        On non-finite inputs, negative quantities or mismatched lengths.

    Notes
    -----
    .. math:: P^{corr} = \sum_j q_j\, u_j

    World Bank / ADB rule: where the line total differs from quantity times
    unit price, the **unit price prevails** and the line total is corrected;
    where a subtotal is wrong, the line totals prevail; where words and
    figures differ, words prevail (unless they relate to an arithmetic error,
    then the above applies) [1]_, [2]_. The exception for an *obviously
    misplaced decimal point* in the unit price (then the line total prevails)
    needs the evaluator's judgement and is not automated: correct the unit
    price before calling.

    References
    ----------
    .. [1] World Bank, *Procurement Regulations for IPF Borrowers*, and the
       Standard Procurement Document *Request for Bids - Goods*, ITB
       "Correction of Arithmetical Errors".
    .. [2] ADB, *Guide on Bid Evaluation*, 2018, arithmetic corrections.

    Examples
    --------
    >>> print(arithmetic_correction([4, 1], [[2_000_000, 150_000],
    ...                                      [2_050_000, 100_000]]))
    [8150000. 8300000.]
    """
    q = _arr("quantities", quantities)
    u = _arr("unit_prices", unit_prices)
    if q.ndim != 1:
        raise ValueError(f"quantities must be 1-D (one per line), got shape {q.shape}")
    if np.any(q < 0):
        raise ValueError(f"quantities must be >= 0, got {quantities!r}")
    if u.ndim == 0 or u.shape[-1] != q.shape[0]:
        raise ValueError(
            f"unit_prices must have {q.shape[0]} lines along the last axis, got shape {u.shape}"
        )
    return _out(u @ q)


def apply_unconditional_discount(price: Numbers, *, rate: Numbers = 0.0,
                                 amount: Numbers = 0.0) -> FloatOrArray:
    r"""Price after the bidder's unconditional discount.

    Parameters
    ----------
    price : float or array_like
        Corrected price [currency] (NaN passes through).
    rate : float or array_like, optional
        Percentage discount as a decimal [-], ``0 <= rate < 1``; applied
        first. Default 0.
    amount : float or array_like, optional
        Lump-sum discount [currency], ``>= 0``; applied after ``rate``.
        Default 0.

    Returns
    -------
    float or numpy.ndarray
        :math:`P (1 - \delta) - A` [currency].

    Raises
    ------
    ValueError
        If ``rate`` is outside ``[0, 1)`` or ``amount`` is negative.

    Notes
    -----
    .. math:: P^{disc} = P^{corr} (1 - \delta) - A

    Only unconditional discounts enter the evaluated price; discounts
    conditional on the award of several lots are evaluated in the lot
    combination, not here [1]_. The bidder's letter governs how a discount
    applies; this function assumes it applies to the corrected price, as the
    Standard Bid Evaluation Form's "corrections and discounts" table does.

    References
    ----------
    .. [1] World Bank, *Standard Bid Evaluation Form, Procurement of Goods or
       Works*, 1996, table of corrections and unconditional discounts.

    Examples
    --------
    >>> print(apply_unconditional_discount([8_150_000.0, 8_300_000.0],
    ...                                    rate=[0.0, 0.02]))
    [8150000. 8134000.]
    """
    p = _arr("price", price, allow_nan=True)
    d = _arr("rate", rate)
    a = _arr("amount", amount)
    if np.any((d < 0) | (d >= 1)):
        raise ValueError(f"rate must be in [0, 1), got {rate!r}")
    if np.any(a < 0):
        raise ValueError(f"amount must be >= 0, got {amount!r}")
    return _out(p * (1.0 - d) - a)


# --------------------------------------------------------------------------
# step 2: single currency
# --------------------------------------------------------------------------


def convert_to_single_currency(amounts: Numbers, exchange_rates: Numbers) -> FloatOrArray:
    r"""Sum multi-currency bid prices in the evaluation currency.

    Parameters
    ----------
    amounts : array_like
        Bid prices per currency [units of each currency], shape
        ``(..., n_currencies)``; NaN passes through.
    exchange_rates : array_like
        Selling rates, units of evaluation currency per unit of each bid
        currency [evaluation currency / currency], shape
        ``(n_currencies,)`` (or broadcastable), ``> 0``.

    Returns
    -------
    float or numpy.ndarray
        :math:`\sum_c A_c x_c` [evaluation currency].

    Raises
    ------
    ValueError
        If an exchange rate is not positive and finite or the currency axes
        do not match.

    Notes
    -----
    .. math:: P^{eval} = \sum_{c} A_c\, x_c

    The World Bank and ADB convert at the **selling rates** published by a
    source and on a date stated in the bidding document (commonly 28 days
    before bid opening or the bid-opening date) [1]_, [2]_. The function
    does not choose the date; pass the rates of that date.

    References
    ----------
    .. [1] World Bank, *Procurement Regulations for IPF Borrowers*, 2016 (rev.
       2020), evaluation of bids: conversion to a single currency.
    .. [2] ADB, *Guide on Bid Evaluation*, 2018, currency conversion.

    Examples
    --------
    Bid of EUR 1,000,000 plus PKR 50,000,000; rates to USD:

    >>> round(convert_to_single_currency([1_000_000, 50_000_000],
    ...                                  [1.10, 0.0036]), 2)
    1280000.0
    """
    a = _arr("amounts", amounts, allow_nan=True)
    x = _arr("exchange_rates", exchange_rates)
    if np.any(x <= 0):
        raise ValueError(f"exchange_rates must be > 0, got {exchange_rates!r}")
    if a.ndim == 0 or x.ndim == 0 or x.shape[-1] not in (1, a.shape[-1]):
        raise ValueError(
            "amounts and exchange_rates must share the currency axis (last), got "
            f"shapes {a.shape} and {x.shape}"
        )
    return _out(np.sum(a * x, axis=-1))


# --------------------------------------------------------------------------
# step 3: priced adjustments
# --------------------------------------------------------------------------


class DeliveryAdjustment(NamedTuple):
    """Result of :func:`delivery_deviation_adjustment`.

    Attributes
    ----------
    adjustment : float or numpy.ndarray
        Amount added to the bid price for evaluation [currency]; NaN for a
        non-responsive bid.
    responsive : bool or numpy.ndarray
        False where the offered delivery is beyond the acceptable range.
    """

    adjustment: object
    responsive: object


def delivery_deviation_adjustment(price: Numbers, weeks_late: Numbers, *,
                                  rate_per_week: Numbers, max_weeks: Numbers) -> Any:
    r"""Evaluation adjustment for delivery later than the earliest date.

    Parameters
    ----------
    price : float or array_like
        Price the percentage applies to [currency], as the bidding document
        states (EXW, CIP or the delivered price of the late items).
    weeks_late : float or array_like
        Offered delivery minus the earliest acceptable delivery date [week];
        negative or zero = on time or early.
    rate_per_week : float
        Adjustment per week as a decimal of ``price`` [1/week], ``>= 0``
        (e.g. 0.005 for 0.5 % per week).
    max_weeks : float
        Width of the acceptable delivery range, latest minus earliest
        acceptable date [week], ``>= 0``.

    Returns
    -------
    DeliveryAdjustment
        ``(adjustment, responsive)``: the adjustment
        :math:`P \rho \max(w, 0)` [currency] for responsive bids and NaN
        otherwise, and the boolean responsiveness mask.

    Raises
    ------
    ValueError
        On a negative rate or range, or non-finite inputs.

    Notes
    -----
    .. math::

        \Delta_{del} = \begin{cases}
            P\,\rho\,\max(w, 0) & w \le w_{\max} \\
            \text{non-responsive} & w > w_{\max}
        \end{cases}

    Bidding documents on the World Bank goods template: "No credit will be
    given to deliveries before the earliest date, and Tenders offering
    delivery after the final date shall be treated as non-responsive. Within
    this acceptable period, an adjustment ... will be added, for evaluation
    purposes only, to the Tender price of Tenders offering deliveries later
    than the 'Earliest Delivery Date'" [1]_. Partial weeks count pro rata;
    round ``weeks_late`` first if the document counts whole weeks.

    References
    ----------
    .. [1] World Bank, *Standard Bidding Documents, Procurement of Goods*,
       ITB/BDS "Evaluation of Bids", time schedule (delivery) criterion.

    Examples
    --------
    >>> adj, ok = delivery_deviation_adjustment([1_000_000.0] * 3, [-2, 4, 12],
    ...                                         rate_per_week=0.005, max_weeks=8)
    >>> print(adj, ok)
    [    0. 20000.    nan] [ True  True False]
    """
    p = _arr("price", price, allow_nan=True)
    w = _arr("weeks_late", weeks_late)
    rho = _scalar("rate_per_week", rate_per_week, low=0.0)
    wmax = _scalar("max_weeks", max_weeks, low=0.0)
    responsive = w <= wmax
    adjustment = np.where(responsive, p * rho * np.maximum(w, 0.0), np.nan)
    if p.ndim or w.ndim:
        responsive = np.broadcast_to(responsive, np.broadcast_shapes(p.shape, w.shape)).copy()
    return DeliveryAdjustment(_out(adjustment), _out(responsive))


def payment_schedule_adjustment(payments_bid: Numbers, payments_required: Numbers, *,
                                times: Numbers, rate: Numbers) -> FloatOrArray:
    r"""Interest on payments the bidder asks for earlier than required.

    Parameters
    ----------
    payments_bid : array_like
        Amounts the bidder asks to be paid at each milestone [currency],
        shape ``(n_milestones,)`` or ``(n_bids, n_milestones)``, ``>= 0``.
    payments_required : array_like
        Amounts due at each milestone under the bidding document's schedule
        [currency], same milestones, broadcast against ``payments_bid``. The
        two schedules of a bid must add up to the same total (to 1e-9
        relative); shares of the price [-] may be used instead of amounts,
        giving the adjustment as a share.
    times : array_like
        Milestone times from contract signature [year], shape
        ``(n_milestones,)``, non-decreasing (months / 12 for monthly dates).
    rate : float
        Interest rate per annum stated in the bid data sheet, decimal [-],
        ``>= 0``.

    Returns
    -------
    float or numpy.ndarray
        Amount added to the bid price for evaluation [currency], ``>= 0``.

    Raises
    ------
    ValueError
        On negative or non-finite amounts, unsorted times, a negative rate,
        mismatched shapes, or schedules with different totals.

    Notes
    -----
    Both schedules are matched unit of money by unit of money in payment
    order (first paid, first matched). If a unit is paid by the bidder's
    schedule at :math:`s` and by the required schedule at :math:`q`:

    .. math::

        \Delta_{pay} = \int_0^{P} \Big[(1 + i)^{\max(q(u) - s(u),\ 0)} - 1\Big]\, du
        = \sum_k \ell_k \Big[(1 + i)^{\max(q_k - s_k,\ 0)} - 1\Big]

    over the segments :math:`k` of length :math:`\ell_k` of the merged
    cumulative schedules. For a single amount :math:`X` advanced from
    :math:`q` to :math:`s` this is :math:`X[(1+i)^{q-s} - 1]`: the compound
    interest the purchaser would have earned until the required date.
    Payments later than required earn no credit, mirroring the delivery rule.
    World Bank wording: "the bid price will be adjusted by adding interest
    earned for any earlier payments involved in the terms outlined in the
    bid as compared with those stipulated in this invitation, at the rate per
    annum specified in the BDS" [1]_.

    References
    ----------
    .. [1] World Bank, *Standard Bidding Documents, Procurement of Goods*,
       ITB/BDS "Evaluation of Bids", deviation in payment schedule.

    Examples
    --------
    Required 10/80/10 % at 0, 1 and 1.5 years; the bidder asks 30/60/10 %:
    20 % of 1,000,000 is advanced by one year at 8 %:

    >>> round(payment_schedule_adjustment([300_000, 600_000, 100_000],
    ...                                   [100_000, 800_000, 100_000],
    ...                                   times=[0.0, 1.0, 1.5], rate=0.08), 2)
    16000.0
    """
    b = _arr("payments_bid", payments_bid)
    q = _arr("payments_required", payments_required)
    tm = _arr("times", times)
    i = _scalar("rate", rate, low=0.0)
    if tm.ndim != 1 or tm.shape[0] == 0:
        raise ValueError(f"times must be a non-empty 1-D array, got {times!r}")
    if np.any(np.diff(tm) < 0):
        raise ValueError(f"times must be non-decreasing, got {times!r}")
    m = tm.shape[0]
    for name, arr, raw in (("payments_bid", b, payments_bid),
                           ("payments_required", q, payments_required)):
        if arr.ndim == 0 or arr.shape[-1] != m:
            raise ValueError(f"{name} must have {m} milestones along the last axis, "
                             f"got shape {arr.shape}")
        if np.any(arr < 0):
            raise ValueError(f"{name} must be >= 0, got {raw!r}")
    shape = np.broadcast_shapes(b.shape, q.shape)
    b = np.broadcast_to(b, shape)
    q = np.broadcast_to(q, shape)
    cb = np.cumsum(b, axis=-1)
    cq = np.cumsum(q, axis=-1)
    tb, tq = cb[..., -1], cq[..., -1]
    if np.any(np.abs(tb - tq) > 1e-9 * np.maximum(np.abs(tb), 1.0)):
        raise ValueError(
            "payments_bid and payments_required must add up to the same total, got "
            f"{tb!r} and {tq!r}"
        )
    u = np.sort(np.concatenate([np.zeros(shape[:-1] + (1,)), cb, cq], axis=-1), axis=-1)
    seg = np.diff(u, axis=-1)
    mid = 0.5 * (u[..., 1:] + u[..., :-1])
    js = np.minimum((cb[..., None, :] <= mid[..., :, None]).sum(axis=-1), m - 1)
    jq = np.minimum((cq[..., None, :] <= mid[..., :, None]).sum(axis=-1), m - 1)
    lead = np.maximum(tm[jq] - tm[js], 0.0)
    return _out(np.sum(seg * (np.power(1.0 + i, lead) - 1.0), axis=-1))


# --------------------------------------------------------------------------
# step 4: domestic preference
# --------------------------------------------------------------------------


def qualifies_for_domestic_preference(domestic_value_added_share: Numbers, *,
                                      threshold: Numbers = 0.30) -> FloatOrArray:
    r"""Whether a bid's goods qualify for the domestic preference.

    Parameters
    ----------
    domestic_value_added_share : float or array_like
        Share of the EXW price made of domestic labour, raw materials and
        components [-], in ``[0, 1]``.
    threshold : float, optional
        Minimum share [-]. Default 0.30 (World Bank goods).

    Returns
    -------
    bool or numpy.ndarray
        True where :math:`s \ge` ``threshold``.

    Raises
    ------
    ValueError
        If a share or the threshold is outside ``[0, 1]`` or not finite.

    Notes
    -----
    .. math:: \text{qualifies} \iff s_{DVA} \ge s_{\min}

    World Bank goods: domestically manufactured goods with at least 30 %
    domestic value added (labour, raw materials and components from the
    Borrower's country, as a share of the EXW price) form the preferred
    group [1]_. Some editions word it "more than 30 percent"; the boundary
    case is inclusive here. OPEC Fund group A uses 20 %.

    References
    ----------
    .. [1] World Bank, *Guidelines: Procurement of Goods, Works and Non-
       Consulting Services*, 2011, Appendix 2 "Domestic Preference"; World
       Bank, *Procurement Regulations for IPF Borrowers*, 2016 (rev. 2020),
       Annex VI.

    Examples
    --------
    >>> print(qualifies_for_domestic_preference([0.10, 0.30, 0.45]))
    [False  True  True]
    """
    s = _arr("domestic_value_added_share", domestic_value_added_share)
    thr = _scalar("threshold", threshold, low=0.0, high=1.0)
    if np.any((s < 0) | (s > 1)):
        raise ValueError(
            f"domestic_value_added_share must be in [0, 1], got {domestic_value_added_share!r}"
        )
    return _out(s >= thr)


def domestic_preference_margin(base_price: Numbers, qualifies: Numbers, *,
                               margin: Numbers = 0.15) -> FloatOrArray:
    r"""Domestic-preference amount added to non-qualifying bids.

    Parameters
    ----------
    base_price : float or array_like
        Price the margin applies to [currency]: for World Bank goods, the
        CIP price of imported goods (excluding import duties); NaN passes
        through.
    qualifies : bool or array_like of bool
        True for bids that qualify for the preference (see
        :func:`qualifies_for_domestic_preference`).
    margin : float, optional
        Preference margin [-], in ``[0, 1]``. Default 0.15 (World Bank goods;
        7.5 % for works).

    Returns
    -------
    float or numpy.ndarray
        :math:`m \cdot P_{base}` for non-qualifying bids, 0 for qualifying
        ones [currency]; added to the evaluated price for comparison only,
        never to the contract price.

    Raises
    ------
    ValueError
        On a margin outside ``[0, 1]``, an infinite price, or a non-boolean
        ``qualifies``.

    Notes
    -----
    .. math:: \Delta_{DP} = m\, P_{base}\, [\text{not qualifies}]

    The World Bank adds 15 % of the CIP price to bids of imported goods
    (7.5 % of the bid price for works with eligible domestic contractors),
    for comparison purposes only, after all other adjustments [1]_; ADB
    applies the same margins [2]_.

    References
    ----------
    .. [1] World Bank, *Procurement Regulations for IPF Borrowers*, 2016 (rev.
       2020), Annex VI "Domestic Preference".
    .. [2] ADB, *Guidance Note on Domestic Preferences*, 2018; ADB, *Guide on
       Bid Evaluation*, 2018.

    Examples
    --------
    >>> print(domestic_preference_margin([1_000.0, 1_000.0], [True, False]))
    [  0. 150.]
    """
    p = _arr("base_price", base_price, allow_nan=True)
    q = np.asarray(qualifies)
    if q.dtype != bool:
        raise ValueError(f"qualifies must be boolean, got {qualifies!r}")
    m = _scalar("margin", margin, low=0.0, high=1.0)
    return _out(np.where(q, 0.0, m * p))


def preference_groups(domestic_value_added_share: Numbers, *, threshold: Numbers = 0.30,
                      explicit: Numbers = None) -> Array:
    r"""Domestic-preference group of each bid: ``'A'``, ``'B'`` or ``'C'``.

    Parameters
    ----------
    domestic_value_added_share : array_like
        Domestic value added share of each bid [-], in ``[0, 1]``.
    threshold : float, optional
        Share from which a bid is in group A [-]. Default 0.30.
    explicit : sequence of str or None, optional
        A group stated by the committee for a bid (``'A'``, ``'B'``, ``'C'``),
        or None to classify it from its share. Default: none stated.

    Returns
    -------
    numpy.ndarray of str
        The groups.

    Raises
    ------
    ValueError
        On a share outside ``[0, 1]`` or an unknown group.

    Notes
    -----
    World Bank goods: Group A, goods manufactured in the Borrower's country
    with domestic value added of at least the threshold; Group B, other goods
    manufactured in the Borrower's country; Group C, goods to be imported [1]_.
    A share alone cannot tell B from C (both are below the threshold), so a
    bid is put in B only when the committee says so.

    References
    ----------
    .. [1] World Bank, *Guidelines: Procurement of Goods, Works and Non-
       Consulting Services*, 2011, Appendix 2 "Domestic Preference", paras 2-5
       (bid groups); World Bank, *Procurement Regulations for IPF Borrowers*,
       2016 (rev. 2020), Annex VI.

    Examples
    --------
    >>> print(preference_groups([0.35, 0.10, 0.0], explicit=[None, "B", None]))
    ['A' 'B' 'C']
    """
    qualifies = np.atleast_1d(qualifies_for_domestic_preference(
        domestic_value_added_share, threshold=threshold))
    groups = np.where(qualifies, "A", "C").astype("<U1")
    if explicit is not None:
        if len(explicit) != groups.size:
            raise ValueError(f"explicit must have one entry per bid ({groups.size}), "
                             f"got {explicit!r}")
        for i, group in enumerate(explicit):
            if group is None:
                continue
            if group not in ("A", "B", "C"):
                raise ValueError(f"explicit groups must be 'A', 'B' or 'C', got {group!r}")
            groups[i] = group
    return groups


class PreferenceOutcome(NamedTuple):
    """Result of :func:`domestic_preference_procedure`.

    Attributes
    ----------
    compared : numpy.ndarray
        Evaluated cost used for the ranking [currency]: the evaluated cost,
        plus the margin where it applies; NaN for excluded bids.
    applied : numpy.ndarray of bool
        Where the margin was added.
    lowest_group : str or None
        Group of the lowest evaluated bid without the margin (None if no bid
        is ranked).
    """

    compared: np.ndarray
    applied: np.ndarray
    lowest_group: object


def domestic_preference_procedure(evaluated_cost: Numbers, groups: Numbers,
                                  margins: Numbers) -> Any:
    r"""The World Bank / ADB comparison of bid groups with a domestic preference.

    Parameters
    ----------
    evaluated_cost : array_like, shape (n_bids,)
        Evaluated cost of each bid without any margin [currency]; NaN for a
        bid that is not ranked (non-responsive).
    groups : array_like of str, shape (n_bids,)
        ``'A'``, ``'B'`` or ``'C'`` (:func:`preference_groups`).
    margins : array_like, shape (n_bids,)
        Margin each bid would carry if it applied [currency], ``>= 0``
        (:func:`domestic_preference_margin`, valued as the price enters the
        evaluated cost).

    Returns
    -------
    PreferenceOutcome

    Raises
    ------
    ValueError
        On mismatched shapes, an unknown group or a negative margin.

    Notes
    -----
    1. The lowest evaluated bid of each group is found without the margin,
       and these are compared with each other.
    2. If the lowest is in group A or B, it is the lowest evaluated bid: no
       margin is added to any bid.
    3. If it is in group C, every group C bid is compared again with the
       group A bids after adding, *for this comparison only*, the margin to
       each group C bid:

    .. math:: E^{DP}_i = E_i + M_i\,[g_i = C \wedge g_{\min} = C]

    The bids are then ranked on :math:`E^{DP}`. Text implemented: World Bank
    *Guidelines* (2011) Appendix 2 para 6 and *Procurement Regulations for
    IPF Borrowers* Annex VI; ADB *Guide on Bid Evaluation* (2018) and
    *Guidance Note on Domestic Preferences* (2018), which follow the same
    steps. Group B bids never carry a margin.

    Examples
    --------
    A group C bid lowest by 100 000 on 1 000 000: a margin of 150 000 flips
    the award to the group A bid; had the A bid been lowest, nothing is added:

    >>> out = domestic_preference_procedure([1_000_000.0, 900_000.0], ["A", "C"],
    ...                                     [0.0, 150_000.0])
    >>> print(out.compared, out.applied, out.lowest_group)
    [1000000. 1050000.] [False  True] C
    >>> domestic_preference_procedure([800_000.0, 900_000.0], ["A", "C"],
    ...                               [0.0, 150_000.0]).applied.tolist()
    [False, False]
    """
    e = _arr("evaluated_cost", evaluated_cost, allow_nan=True)
    g = np.asarray(groups)
    m = _arr("margins", margins)
    if e.ndim != 1 or g.shape != e.shape or m.shape != e.shape:
        raise ValueError(f"evaluated_cost, groups and margins must be 1-D of one length, got "
                         f"shapes {e.shape}, {g.shape} and {m.shape}")
    if not np.isin(g, ["A", "B", "C"]).all():
        raise ValueError(f"groups must be 'A', 'B' or 'C', got {groups!r}")
    if np.any(m < 0):
        raise ValueError(f"margins must be >= 0, got {margins!r}")
    valid = np.isfinite(e)
    if not valid.any():
        return PreferenceOutcome(e.copy(), np.zeros(e.shape, dtype=bool), None)
    lowest = int(np.argmin(np.where(valid, e, np.inf)))
    lowest_group = str(g[lowest])
    applied = valid & (g == "C") & (lowest_group == "C")
    return PreferenceOutcome(np.where(applied, e + m, e), applied, lowest_group)


# --------------------------------------------------------------------------
# step 5: ranking and scoring
# --------------------------------------------------------------------------


def rank_bids(evaluated_price: Numbers, *, responsive: Numbers = None) -> Array:
    r"""Rank of each bid by evaluated price (1 = lowest evaluated bid).

    Parameters
    ----------
    evaluated_price : array_like
        Evaluated prices [currency] along the last axis; NaN marks a bid
        excluded from ranking.
    responsive : array_like of bool, optional
        False excludes a bid (non-responsive or disqualified). Default None
        (all bids with a finite price are ranked).

    Returns
    -------
    numpy.ndarray
        Ranks as floats, 1 for the lowest; equal prices share the lower rank
        ("min" ranking); NaN for excluded bids.

    Raises
    ------
    ValueError
        On an infinite price, a non-boolean or mis-shaped ``responsive``.

    Notes
    -----
    .. math:: \text{rank}_i = 1 + \#\{ j : E_j < E_i \}

    Award goes to the lowest evaluated substantially responsive bid [1]_.
    Ties are left to the evaluation committee (no tie rule is prescribed).

    References
    ----------
    .. [1] World Bank, *Procurement Regulations for IPF Borrowers*, 2016 (rev.
       2020), provisions on the "Most Advantageous Bid".

    Examples
    --------
    >>> print(rank_bids([12.0, 10.0, float("nan"), 10.0, 11.0]))
    [ 4.  1. nan  1.  3.]
    """
    e = _arr("evaluated_price", evaluated_price, allow_nan=True)
    if e.ndim == 0:
        raise ValueError(f"evaluated_price must be an array of bids, got {evaluated_price!r}")
    valid = np.isfinite(e)
    if responsive is not None:
        r = np.asarray(responsive)
        if r.dtype != bool:
            raise ValueError(f"responsive must be boolean, got {responsive!r}")
        try:
            valid = valid & np.broadcast_to(r, e.shape)
        except ValueError as exc:
            raise ValueError(
                f"responsive must match evaluated_price shape {e.shape}, got {r.shape}"
            ) from exc
    v = np.where(valid, e, np.inf)
    rank = 1.0 + np.sum(v[..., None, :] < v[..., :, None], axis=-1)
    return np.where(valid, rank, np.nan)


def price_score(evaluated_cost: Numbers, *, weight: Numbers = 1.0, method: str = "ratio",
                points_per_million: Numbers = None) -> FloatOrArray:
    r"""Price score of each bid relative to the lowest evaluated cost.

    Parameters
    ----------
    evaluated_cost : array_like
        Evaluated cost per bid [currency], ``> 0`` (any sign for
        ``'per_money'``), along the last axis; NaN
        (excluded bid) scores NaN and is ignored for the minimum.
    weight : float, optional
        Score of the lowest bid [points], e.g. 100 for a 0-100 scale.
        Default 1.
    method : {'ratio', 'linear', 'per_money'}, optional
        ``'ratio'``: :math:`w\,C_{\min}/C` (World Bank QCBS formula).
        ``'linear'``: :math:`w\,\max(0,\ 1 - (C - C_{\min})/C_{\min})`, which
        penalises expensive bids harder and reaches 0 at twice the minimum.
        ``'per_money'``: :math:`\max(0,\ w - \pi (C - C_{\min}) / 10^6)`, which
        depends only on cost differences.
    points_per_million : float, optional
        :math:`\pi`, points lost per million of currency above the lowest cost
        [points/million], ``>= 0``; needed by ``'per_money'`` only.

    Returns
    -------
    numpy.ndarray
        Scores [points].

    Raises
    ------
    ValueError
        On a non-positive cost, a negative weight or an unknown method.

    Notes
    -----
    .. math::

        S_i = w \frac{C_{\min}}{C_i} \qquad\text{or}\qquad
        S_i = w \max\Big(0,\ 1 - \frac{C_i - C_{\min}}{C_{\min}}\Big)

    The ratio form is the World Bank's financial score
    :math:`S_f = 100 F_m / F` [1]_. The ratio and linear forms depend on the
    level of the costs, not only their differences: a cost common to every
    bid (e.g. running the existing fleet) moves the scores, and with a
    technical score can change the combined ranking. The per-money form
    :math:`S_i = \max(0,\ w - \pi\,(C_i - C_{\min})/10^6)` is invariant to any
    common cost; its rate must be stated in the bidding document (EU
    Directive 2014/24/EU art. 67(5): the weighting of each criterion is
    specified in advance). Scoring with a price-quality ratio is
    allowed under EU Directive 2014/24/EU art. 67(2) ("best price-quality
    ratio") [2]_ and under the World Bank's rated criteria.

    References
    ----------
    .. [1] World Bank, *Procurement Regulations for IPF Borrowers*, 2016 (rev.
       2020), QCBS financial evaluation (consulting services).
    .. [2] Directive 2014/24/EU of the European Parliament and of the Council
       of 26 February 2014 on public procurement, OJ L 94, 28.3.2014, art. 67.

    Examples
    --------
    >>> print(price_score([100.0, 125.0, 200.0], weight=100).round(2))
    [100.  80.  50.]
    >>> print(price_score([100.0, 125.0, 200.0], weight=100, method="linear").round(2))
    [100.  75.   0.]
    >>> print(price_score([5e8, 5.02e8, 5.6e8], weight=100, method="per_money",
    ...                   points_per_million=2.0).round(2))
    [100.  96.   0.]
    """
    if method not in _PRICE_SCORE_METHODS:
        raise ValueError(
            f"method must be one of {', '.join(_PRICE_SCORE_METHODS)}, got {method!r}"
        )
    c = _arr("evaluated_cost", evaluated_cost, allow_nan=True)
    if c.ndim == 0:
        raise ValueError(f"evaluated_cost must be an array of bids, got {evaluated_cost!r}")
    if method != "per_money" and np.any(c <= 0):
        raise ValueError(f"evaluated_cost must be > 0, got {evaluated_cost!r}")
    w = _scalar("weight", weight, low=0.0)
    valid = np.isfinite(c)
    if not np.all(valid.any(axis=-1)):
        return np.full(c.shape, np.nan)
    cmin = np.min(np.where(valid, c, np.inf), axis=-1, keepdims=True)
    if method == "per_money":
        if points_per_million is None:
            raise ValueError("points_per_million is needed with method='per_money'")
        rate = _scalar("points_per_million", points_per_million, low=0.0)
        return np.maximum(0.0, w - rate * (c - cmin) / 1e6)
    if method == "ratio":
        return w * cmin / c
    return w * np.maximum(0.0, 1.0 - (c - cmin) / cmin)


def combined_score(price_score: Numbers, technical_score: Numbers, *,
                   technical_weight: Numbers) -> FloatOrArray:
    r"""Weighted price-quality score.

    Parameters
    ----------
    price_score : float or array_like
        Price score per bid [points] (see :func:`price_score`).
    technical_score : float or array_like
        Technical (quality) score per bid on the same scale [points].
    technical_weight : float
        Weight of the technical score [-], in ``[0, 1]``; the price score
        gets ``1 - technical_weight``.

    Returns
    -------
    float or numpy.ndarray
        :math:`(1 - w_T) S_P + w_T S_T` [points].

    Raises
    ------
    ValueError
        If ``technical_weight`` is outside ``[0, 1]``.

    Notes
    -----
    .. math:: S = (1 - w_T)\, S_P + w_T\, S_T

    The World Bank QCBS combination :math:`S = T w + P p` with
    :math:`w + p = 1` [1]_; EU "best price-quality ratio" [2]_.

    References
    ----------
    .. [1] World Bank, *Procurement Regulations for IPF Borrowers*, 2016 (rev.
       2020), QCBS (consulting services).
    .. [2] Directive 2014/24/EU, art. 67(2).

    Examples
    --------
    >>> print(combined_score([100.0, 80.0], [70.0, 95.0], technical_weight=0.3))
    [91.  84.5]
    """
    p = _arr("price_score", price_score, allow_nan=True)
    t = _arr("technical_score", technical_score, allow_nan=True)
    w = _scalar("technical_weight", technical_weight, low=0.0, high=1.0)
    return _out((1.0 - w) * p + w * t)


# --------------------------------------------------------------------------
# contract stage: performance liquidated damages
# --------------------------------------------------------------------------


def liquidated_damages(
    guaranteed: Numbers,
    achieved: Numbers,
    *,
    rate_per_point: Numbers,
    cap: Numbers,
    tolerance: Numbers = 0.0,
    sense: str = "higher_is_better",
    relative: bool = False,
    point: Numbers = 0.01,
    part_points: str = "pro_rata",
) -> FloatOrArray:
    r"""Performance liquidated damages for a shortfall against a guarantee.

    Parameters
    ----------
    guaranteed : float or array_like
        Guaranteed value [-] or [unit]: availability as a decimal (0.92), or
        fuel consumption [L/km], [g/kWh], ... ``> 0`` when ``relative``.
    achieved : float or array_like
        Measured value, same unit; NaN passes through.
    rate_per_point : float or array_like
        Damages per point of shortfall [currency/point], ``>= 0``.
    cap : float or array_like
        Maximum damages [currency], ``>= 0`` (``numpy.inf`` for none);
        usually a share of the contract price.
    tolerance : float or array_like, optional
        Shortfall free of damages, in the unit of the deviation (absolute
        unit, or share of the guarantee when ``relative``) [-], ``>= 0``.
        Default 0.
    sense : {'higher_is_better', 'lower_is_better'}, optional
        ``'higher_is_better'`` for availability or reliability (shortfall =
        guaranteed - achieved); ``'lower_is_better'`` for consumption
        (shortfall = achieved - guaranteed).
    relative : bool, optional
        False: deviation in the unit of the guarantee (percentage points of
        availability). True: deviation as a share of the guarantee (per cent
        excess fuel consumption). Default False.
    point : float, optional
        Size of one point in the deviation's unit, ``> 0``. Default 0.01 (one
        percentage point of a decimal, or 1 % of the guarantee).
    part_points : {'pro_rata', 'started', 'completed'}, optional
        How a fraction of a point counts: pro rata (default), as a whole
        point ("or part thereof"), or not at all ("each full point").

    Returns
    -------
    float or numpy.ndarray
        Damages :math:`\min(\text{cap},\ \lambda N)` [currency], ``>= 0``.

    Raises
    ------
    ValueError
        On negative rates, caps or tolerances, a non-positive ``point`` or
        guarantee (when ``relative``), or an unknown option.

    Notes
    -----
    Shortfall beyond the tolerance, in the deviation's unit:

    .. math::

        \text{availability:}\quad x &= (G - \tau) - A \\
        \text{fuel (relative):}\quad x &= A/G - (1 + \tau) \\
        N &= \max(x, 0) / \text{point} \\
        LD &= \min\big(\text{cap},\ \lambda N\big)

    (the other two combinations follow the same pattern). Availability and
    fuel-consumption guarantees with per-point damages and an aggregate cap
    are standard in rolling-stock supply contracts; EN 50126 / IEC 62278-3
    frame the demonstration of the guaranteed RAM values. Damages are zero
    whenever the achieved value meets the guarantee less the tolerance.

    Examples
    --------
    Availability guaranteed 92 %, achieved 89.5 %, 0.5 point tolerance,
    10,000 per point, cap 25,000; a second unit achieved 85 % (capped):

    >>> print(liquidated_damages([0.92, 0.92], [0.895, 0.85], rate_per_point=10_000,
    ...                          cap=25_000, tolerance=0.005).round(2))
    [20000. 25000.]

    Fuel consumption guaranteed 5.0 L/km, measured 5.25 L/km (5 % excess),
    2,000 per per cent of excess:

    >>> round(liquidated_damages(5.0, 5.25, rate_per_point=2_000, cap=1e6,
    ...                          sense="lower_is_better", relative=True), 2)
    10000.0
    """
    if sense not in _SENSES:
        raise ValueError(f"sense must be one of {', '.join(_SENSES)}, got {sense!r}")
    if part_points not in _PART_POINTS:
        raise ValueError(f"part_points must be one of {', '.join(_PART_POINTS)}, "
                         f"got {part_points!r}")
    g = _arr("guaranteed", guaranteed)
    a = _arr("achieved", achieved, allow_nan=True)
    lam = _arr("rate_per_point", rate_per_point)
    cp = np.asarray(cap, dtype=float)
    tol = _arr("tolerance", tolerance)
    pt = _scalar("point", point, low=0.0, low_strict=True)
    if np.any(lam < 0):
        raise ValueError(f"rate_per_point must be >= 0, got {rate_per_point!r}")
    if np.any(np.isnan(cp)) or np.any(cp < 0):
        raise ValueError(f"cap must be >= 0 (numpy.inf for no cap), got {cap!r}")
    if np.any(tol < 0):
        raise ValueError(f"tolerance must be >= 0, got {tolerance!r}")
    if relative and np.any(g <= 0):
        raise ValueError(f"guaranteed must be > 0 when relative=True, got {guaranteed!r}")
    if relative:
        ratio = a / g
        x = (1.0 - tol) - ratio if sense == "higher_is_better" else ratio - (1.0 + tol)
    else:
        x = (g - tol) - a if sense == "higher_is_better" else a - (g + tol)
    n = np.maximum(x, 0.0) / pt
    if part_points != "pro_rata":
        n = np.round(n, 9)  # 0.07 / 0.01 = 7.000000000000001 must count as 7
        n = np.ceil(n) if part_points == "started" else np.floor(n)
    return _out(np.minimum(cp, lam * n))
