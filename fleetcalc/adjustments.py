r"""Evaluation adjustments: the lines a committee adds to each bid before ranking.

Orchestration over :mod:`fleetcalc.evaluation_rules` (where each rule's
formula lives), in the order of the MDB evaluation forms (World Bank
Standard Bid Evaluation Form, 1996; ADB Guide on Bid Evaluation):

1. ``correction``: arithmetic corrections of the read-out price;
2. ``discount``: unconditional discounts;
3. ``conversion``: conversion to the base currency (an information line of
   amount 0: every amount is converted at the tender's single rate);
4. ``priced``: priced deviations, technical compliance and spare parts, as
   the committee priced them; ``delivery``: delay beyond the required
   schedule; ``payment``: interest on payments asked earlier than required;
5. ``guarantee``: expected liquidated damages receivable under the
   availability model (a credit);
6. ``domestic_preference``: the margin added, for comparison only, to bids
   that do not qualify.

Valuation (a convention; see the methodology): corrections and discounts
change the price, which is paid on the bid's schedule, so they are valued
with the bid's present-value factor of price
:math:`\rho = (PV_{acquisition} + PV_{financing}) / P_{contract}`; the
committee's priced lines, the delivery and payment adjustments and the
domestic preference margin are amounts at ``t = 0`` (as on the MDB forms);
damages receivable are discounted year by year. Every line is in the base
currency and ``evaluated_cost = lcc_npv + sum(lines)``.
"""

from __future__ import annotations

import attrs
import numpy as np
import pandas as pd

from fleetcalc import evaluation_rules, finance, fleet, schedules
from fleetcalc.tender import PAYMENT_EVENTS

__all__ = ["STAGES", "AdjustmentResult", "damage_schedules", "evaluate_adjustments"]

#: Adjustment stages, in the order they are applied (binding names).
STAGES = ("correction", "discount", "conversion", "priced", "delivery", "payment",
          "guarantee", "domestic_preference")

_WEEKS_PER_YEAR = 52.0


@attrs.frozen
class AdjustmentResult:
    """Adjustment lines and what they decide.

    Attributes
    ----------
    lines : pandas.DataFrame
        ``bidder``, ``stage``, ``name``, ``amount`` [base currency], ``basis``.
    total : numpy.ndarray, shape (n_bids,)
        Sum of each bid's lines [base currency].
    responsive : numpy.ndarray of bool, shape (n_bids,)
    reasons : tuple of tuple of str
        Why each bid is non-responsive (empty for responsive bids).
    price_score, combined_score : numpy.ndarray, shape (n_bids,)
        Scores [points]; NaN without scoring or for non-responsive bids.
    """

    lines: pd.DataFrame
    total: np.ndarray
    responsive: np.ndarray
    reasons: tuple
    price_score: np.ndarray
    combined_score: np.ndarray


def _money(tender, bid, value):
    return tender.tender.to_base(value, bid.currency)


def evaluate_adjustments(tender, arrays, *, pv_price, lcc_npv):
    """Adjustment lines of every bid.

    Parameters
    ----------
    tender : fleetcalc.Tender
    arrays : fleetcalc.evaluate.TenderArrays
    pv_price : numpy.ndarray, shape (n_bids,)
        Present value of the price as paid (acquisition plus financing) [base currency].
    lcc_npv : numpy.ndarray, shape (n_bids,)
        Life-cycle cost NPV [base currency], for the scores.

    Returns
    -------
    AdjustmentResult
    """
    settings = tender.tender
    rules = settings.evaluation
    base = settings.base_currency
    rows = []
    reasons = [[] for _ in tender.bids]

    def add(b, stage, name, amount, basis):
        rows.append({"bidder": tender.bids[b].bidder, "stage": stage, "name": name,
                     "amount": float(amount), "basis": basis})

    contract = arrays.unit_price * np.array([bid.quantity for bid in tender.bids])
    rho = np.divide(pv_price, contract, out=np.zeros_like(contract), where=contract > 0)
    price_after = np.zeros(len(tender.bids))
    for b, bid in enumerate(tender.bids):  # a few bids, each a handful of lines
        found = bid.evaluation
        correction = _money(tender, bid, found.arithmetic_correction)
        corrected = contract[b] + correction
        if correction:
            add(b, "correction", "Arithmetic correction", correction * rho[b],
                f"read-out price corrected by {correction:,.2f} {base}, paid on the bid's "
                f"schedule (PV factor {rho[b]:.4f})")
        if found.discount:
            add(b, "discount", "Unconditional discount", -found.discount * corrected * rho[b],
                f"{found.discount:.2%} of the corrected price, PV factor {rho[b]:.4f}")
        if bid.currency != base:
            add(b, "conversion", "Conversion to the base currency", 0.0,
                f"1 {bid.currency} = {settings.rate(bid.currency):g} {base} "
                "(tender.exchange_rates)")
        price_after[b] = corrected * (1.0 - found.discount)
        for line in found.priced_adjustments:
            amount = _money(tender, bid, line.amount)
            price_after[b] += amount
            add(b, "priced", line.name, amount, line.basis or "priced by the committee")
        if found.non_responsive:
            reasons[b].append(found.non_responsive)

    if rules.required_delivery is not None:
        required = schedules.pad_delivery([rules.required_delivery],
                                          max(len(rules.required_delivery),
                                              arrays.delivery.shape[1]))[0]
        for b, bid in enumerate(tender.bids):
            delays = schedules.unit_delays_years(arrays.delivery[b], required) * _WEEKS_PER_YEAR
            late = delays[delays > 0]
            if late.size:
                result = evaluation_rules.delivery_deviation_adjustment(
                    arrays.unit_price[b], late, rate_per_week=rules.delivery_adjustment_per_week,
                    max_weeks=late.max() if rules.delivery_max_weeks is None  # no limit
                    else rules.delivery_max_weeks)
                if not np.all(result.responsive):
                    reasons[b].append(f"delivery: units up to {late.max():g} weeks late, beyond "
                                      f"the limit of {rules.delivery_max_weeks:g} weeks")
                amount = float(np.nansum(result.adjustment))
                verdict = ("" if np.all(result.responsive)
                           else "; beyond the limit: non-responsive, not priced")
                add(b, "delivery", "Delivery deviation", amount,
                    f"{late.size} units late by {late.sum():g} unit-weeks in all at "
                    f"{rules.delivery_adjustment_per_week:.3%} of the unit price per week"
                    + verdict)

    if rules.required_payments is not None and rules.payment_deviation_rate > 0:
        def schedule(milestones_of):  # price shares due at each t, on each bid's deliveries
            shares = [[sum(p.share for p in milestones_of(bid) if p.event == event)
                       for event in PAYMENT_EVENTS] for bid in tender.bids]
            # validated to sum to 1 within tender.SHARE_TOLERANCE: one tolerance, so the
            # comparison of the two schedules below sees equal totals (issue 10)
            shares = [[s / sum(row) for s in row] for row in shares]
            return schedules.payment_shares(
                arrays.delivery, [b.quantity for b in tender.bids],
                [b.warranty_years for b in tender.bids], shares, periods=arrays.periods)

        required = schedule(lambda bid: rules.required_payments)
        offered = schedule(lambda bid: bid.payments)
        amounts = evaluation_rules.payment_schedule_adjustment(
            offered * arrays.unit_price[:, None], required * arrays.unit_price[:, None],
            times=np.arange(arrays.periods, dtype=float), rate=rules.payment_deviation_rate)
        for b in range(len(tender.bids)):
            if amounts[b]:
                add(b, "payment", "Payment schedule deviation", amounts[b],
                    f"interest at {rules.payment_deviation_rate:.2%} a year on payments asked "
                    "earlier than the bidding document's schedule")

    damages = _expected_damages(tender, arrays, contract)
    for b in np.flatnonzero(damages):
        guarantee = tender.bids[b].guarantees
        add(b, "guarantee", "Expected availability damages receivable", -damages[b],
            f"guaranteed availability {guarantee.availability:.1%} less "
            f"{guarantee.availability_tolerance:.1%} tolerance, for "
            f"{guarantee.guarantee_years} years from delivery, against the modelled "
            f"availability; cap {guarantee.damages_cap:.0%} of the price; present value")

    if rules.domestic_preference:
        dva = np.array([bid.evaluation.domestic_value_added for bid in tender.bids])
        qualifies = evaluation_rules.qualifies_for_domestic_preference(
            dva, threshold=rules.domestic_preference_threshold)
        corrected = contract + np.array([_money(tender, bid, bid.evaluation.arithmetic_correction)
                                         for bid in tender.bids])
        basis_price = price_after if rules.domestic_preference_base == (
            "price_after_adjustments") else corrected
        margin = evaluation_rules.domestic_preference_margin(
            basis_price, qualifies, margin=rules.domestic_preference_margin)
        for b in np.flatnonzero(margin):
            add(b, "domestic_preference", "Domestic preference margin", margin[b],
                f"{rules.domestic_preference_margin:.1%} of {basis_price[b]:,.2f} {base} "
                f"({rules.domestic_preference_base}); domestic value added "
                f"{dva[b]:.0%} < {rules.domestic_preference_threshold:.0%}")

    lines = pd.DataFrame(rows, columns=["bidder", "stage", "name", "amount", "basis"]).astype(
        {"amount": float})
    order = {s: i for i, s in enumerate(STAGES)}
    bidders = [bid.bidder for bid in tender.bids]
    lines = lines.assign(_b=lines["bidder"].map(bidders.index),
                         _s=lines["stage"].map(order)).sort_values(
        ["_b", "_s"], kind="stable").drop(columns=["_b", "_s"]).reset_index(drop=True)
    total = np.array([lines.loc[lines["bidder"] == name, "amount"].sum() for name in bidders])
    responsive = np.array([not r for r in reasons])
    price_score = combined = np.full(len(bidders), np.nan)
    if rules.technical_weight is not None:
        cost = lcc_npv + total
        # a price score needs a positive cost; others (and non-responsive bids) get none
        cost = np.where(responsive & (cost > 0), cost, np.nan)
        price_score = evaluation_rules.price_score(cost, weight=100.0,
                                                   method=rules.price_score_method)
        technical = np.array([np.nan if bid.evaluation.technical_score is None
                              else bid.evaluation.technical_score for bid in tender.bids])
        combined = evaluation_rules.combined_score(price_score, technical,
                                                   technical_weight=rules.technical_weight)
    return AdjustmentResult(lines, total, responsive, tuple(tuple(r) for r in reasons),
                            np.asarray(price_score, dtype=float),
                            np.asarray(combined, dtype=float))


def damage_schedules(tender, arrays):
    """Expected availability damages by year before the cap, and the caps.

    Used by :func:`evaluate_adjustments` and by the Monte Carlo engine
    (:mod:`fleetcalc.simulation`), which applies the cap and discounts per draw.

    Returns
    -------
    yearly : numpy.ndarray, shape (n_bids, H)
        Damages receivable in years ``1..H`` before the cap [base currency]
        (0 for bids without an availability guarantee).
    cap : numpy.ndarray, shape (n_bids,)
        Cap as a share of the contract price [-].
    guaranteed : numpy.ndarray of bool, shape (n_bids,)
        Bids with an availability guarantee.
    """
    projection = arrays.fleet
    n_bids = len(tender.bids)
    yearly = np.zeros((n_bids, arrays.horizon_years))
    cap = np.zeros(n_bids)
    guaranteed = np.zeros(n_bids, dtype=bool)
    for b, bid in enumerate(tender.bids):
        guarantee = bid.guarantees
        if guarantee is None or guarantee.availability is None:
            continue
        ages = projection.batch_ages[b][:, 1:]
        units = projection.batch_units[b][:, 1:] * (ages < guarantee.guarantee_years)
        achieved = fleet.unit_weighted_mean(projection.batch_availability[b][:, 1:], units,
                                            axis=0)
        rate = _money(tender, bid, guarantee.damages_per_point)
        damages = evaluation_rules.liquidated_damages(
            guarantee.availability, achieved, rate_per_point=rate, cap=np.inf,
            tolerance=guarantee.availability_tolerance)
        yearly[b] = np.nan_to_num(damages)
        cap[b] = guarantee.damages_cap
        guaranteed[b] = True
    return yearly, cap, guaranteed


def _expected_damages(tender, arrays, contract):
    """PV of expected availability damages receivable per bid [base currency]."""
    yearly, cap, guaranteed = damage_schedules(tender, arrays)
    out = np.zeros(len(tender.bids))
    for b in np.flatnonzero(guaranteed):
        capped = np.diff(np.minimum(np.cumsum(yearly[b]), cap[b] * contract[b]),
                         prepend=0.0)
        out[b] = finance.npv(arrays.discount_rate, np.r_[0.0, capped])
    return out
