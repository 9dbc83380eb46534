r"""Evaluation adjustments: the lines a committee adds to each bid before ranking.

Orchestration over :mod:`fleetcalc.evaluation_rules` (where each rule's
formula lives), in the order of the MDB evaluation forms (World Bank
Standard Bid Evaluation Form, 1996; ADB Guide on Bid Evaluation):

1. ``correction``: arithmetic corrections of the read-out price;
2. ``discount``: unconditional discounts;
3. ``conversion``: conversion to the base currency (an information line of
   amount 0: every amount is converted at the tender's single rate);
4. ``priced``: priced deviations, technical compliance and spare parts, as
   the committee priced them (each with its ``kind``); ``delivery``: delay
   beyond the required schedule; ``payment``: interest on payments asked
   earlier than required;
5. ``guarantee``: an information line of amount 0 with the expected
   liquidated damages (guarantees are loaded in the ledger, never credited);
6. ``quantity``: normalisation of a bid for another quantity
   (``quantity_rule = "per_unit"``);
7. ``domestic_preference``: the margin, for comparison only, by the group
   procedure (:func:`fleetcalc.evaluation_rules.domestic_preference_procedure`):
   a line for every bid when the tender applies a preference, with the
   margin where the procedure adds it and 0 elsewhere, saying why.

Each effect is priced once:

* **payments**: with ``required_payments`` the ledger pays every bid's price on
  the required schedule and the ``payment`` line prices the deviation;
  without it, the bid's own schedule is in the ledger and there is no line;
* **delay**: with ``required_delivery`` and ``delivery_adjustment_per_week > 0``
  the ledger takes the bid's units on the required schedule
  (:func:`evaluation_delivery`) and the ``delivery`` line is the only price
  of a delay (no credit for early delivery); otherwise the bid's own
  schedule is in the ledger and delay is priced through the fleet;
* **guarantees**: the ledger takes the worse of the declared figure and the
  guarantee with its tolerance (:func:`loaded_availability`, and the fuel in
  :mod:`fleetcalc.evaluate`); expected damages are information only
  (:func:`expected_damages`).

Valuation (a convention; see the methodology): corrections, discounts and the
domestic preference margin change or are proportional to the price, which is
paid on the bid's schedule, so they are valued with the bid's present-value
factor of price :math:`\rho = (PV_{acquisition} + PV_{financing}) / P_{contract}`;
the committee's priced lines and the delivery and payment adjustments are
amounts at ``t = 0`` (as on the MDB forms). Every line is in the base
currency and ``evaluated_cost = lcc_npv + total``.
"""

from __future__ import annotations

import typing

import attrs
import numpy as np

from fleetcalc import evaluation_rules, finance, fleet, schedules
from fleetcalc.tender import PAYMENT_EVENTS
from fleetcalc.tender_checks import contract_availability, evaluation_warnings

if typing.TYPE_CHECKING:
    import pandas as pd

__all__ = ["STAGES", "KINDS", "AdjustmentResult", "evaluate_adjustments", "evaluation_delivery",
           "contract_availability", "loaded_availability", "expected_damages",
           "damage_schedules", "evaluation_warnings"]

#: Adjustment stages, in the order they are applied (binding names).
STAGES = ("correction", "discount", "conversion", "priced", "delivery", "payment",
          "guarantee", "quantity", "domestic_preference")

#: Kinds of a committee's priced line (``[[bids.evaluation.priced_adjustments]].kind``).
KINDS = ("scope", "technical", "performance", "commercial", "other")

_WEEKS_PER_YEAR = 52.0
_COLUMNS = ["bidder", "stage", "name", "amount", "basis", "kind", "applied"]


@attrs.frozen
class AdjustmentResult:
    """Adjustment lines and what they decide.

    Attributes
    ----------
    lines : pandas.DataFrame
        ``bidder``, ``stage``, ``name``, ``amount`` [base currency], ``basis``,
        ``kind`` (of a priced line; ``None`` otherwise), ``applied`` (of a
        ``domestic_preference`` line; ``None`` otherwise).
    total : numpy.ndarray, shape (n_bids,)
        Sum of each bid's lines [base currency]: ``evaluated_cost - lcc_npv``,
        the domestic preference margin included where it applies.
    responsive : numpy.ndarray of bool, shape (n_bids,)
    reasons : tuple of tuple of str
        Why each bid is non-responsive (empty for responsive bids).
    price_score, combined_score : numpy.ndarray, shape (n_bids,)
        Scores [points]; NaN without scoring or for non-responsive bids.
    preference : pandas.DataFrame or None
        Domestic preference per bid (None when the tender applies none):
        ``bidder``, ``group``, ``margin`` (the amount it would carry)
        [base currency], ``applied`` (bool), ``amount`` (margin if applied,
        else 0), ``basis`` (whether it applied and why).
    before_preference : numpy.ndarray, shape (n_bids,)
        Evaluated cost before the domestic preference, ``lcc_npv`` plus the
        lines other than ``domestic_preference`` [base currency].
    expected_damages : tuple of dict or None
        Per bid, expected availability damages (information; see
        :func:`expected_damages`).
    """

    lines: pd.DataFrame
    total: np.ndarray
    responsive: np.ndarray
    reasons: tuple
    price_score: np.ndarray
    combined_score: np.ndarray
    preference: pd.DataFrame | None = None
    before_preference: np.ndarray | None = None
    expected_damages: tuple | None = None


def _money(tender, bid, value):
    return tender.tender.to_base(value, bid.currency)


# --------------------------------------------------------------------------
# schedules in the ledger
# --------------------------------------------------------------------------


def evaluation_delivery(tender):
    r"""Units of each bid entering service each year, as the ledger takes them.

    With ``[tender.evaluation].required_delivery`` and
    ``delivery_adjustment_per_week > 0`` the delivery line is the only price
    of a delay, so the ledger takes each bid's units **on the required
    schedule**: cumulatively :math:`\min(q, R(k))` with :math:`R(k)` the
    units required by year :math:`k` and :math:`q` the bid's quantity; units
    beyond the required total enter with the last required ones. The ledger
    then does not depend on the bid's own dates: early delivery earns no
    credit (World Bank SBD: "No credit will be given to deliveries before the
    earliest date") and a delay is not priced twice. Otherwise each bid's
    own schedule.

    Returns
    -------
    numpy.ndarray of int, shape (n_bids, H)

    Examples
    --------
    >>> import attrs, fleetcalc
    >>> tender = fleetcalc.load_tender("examples/pakistan_locomotives_2026.toml")
    >>> evaluation_delivery(tender)[:, :6].tolist()  # every bid on [0, 10, 20, 20]
    [[0, 10, 20, 20, 0, 0], [0, 10, 20, 20, 0, 0], [0, 10, 20, 20, 0, 0], [0, 10, 20, 20, 0, 0]]
    """
    settings = tender.tender
    rules = settings.evaluation
    horizon = settings.horizon_years
    own = schedules.pad_delivery([bid.delivery for bid in tender.bids], horizon)
    if rules.required_delivery is None or not rules.delivery_adjustment_per_week > 0:
        return own
    required = np.zeros(horizon, dtype=np.int64)
    wanted = np.asarray(rules.required_delivery, dtype=np.int64)
    required[: min(horizon, wanted.size)] = wanted[:horizon]
    required[-1] += wanted[horizon:].sum()       # required after the horizon: in year H
    last = int(np.flatnonzero(required)[-1])
    quantity = np.array([bid.quantity for bid in tender.bids])[:, None]
    cumulative = np.minimum(quantity, np.cumsum(required)[None, :])
    cumulative[:, last:] = quantity
    return np.diff(cumulative, axis=1, prepend=0)


def ledger_payments(tender):
    """Payment milestones each bid's price is paid on in the ledger.

    The required schedule (``[tender.evaluation].required_payments``) when
    given, for every bid: the payment line then prices each bid's deviation
    from it (World Bank SBD, deviation in payment schedule). Otherwise the
    bid's own milestones.
    """
    required = tender.tender.evaluation.required_payments
    return [required if required is not None else bid.payments for bid in tender.bids]


# --------------------------------------------------------------------------
# guarantees: loaded, never credited
# --------------------------------------------------------------------------


def loaded_availability(tender, ages, availability):
    r"""Availability of each bid's delivery batches at the worse of declared and guaranteed.

    Parameters
    ----------
    tender : fleetcalc.Tender
    ages : numpy.ndarray, shape (n_bids, G, H + 1)
        Ages of each bid's batches [year] (negative: not in service).
    availability : numpy.ndarray, shape (n_bids, G, H + 1)
        Calendar availability from the bid's own reliability data [-].

    Returns
    -------
    numpy.ndarray, shape (n_bids, G, H + 1)
        With ``[tender.evaluation].load_guarantees`` and an availability
        guarantee, in the guarantee years (age < ``guarantee_years``):
        :math:`A \min\big(1,\ (G - \tau) / A_c\big)`, with :math:`A_c` the
        availability on the contract's definition (:func:`contract_availability`):
        the declared data count only as far as the guarantee, less its
        tolerance, makes them enforceable; a declared figure worse than the
        guarantee is kept. Elsewhere unchanged.

    Notes
    -----
    MDB practice evaluates a performance figure at its guaranteed value when
    the guarantee is worse than the declared value: a bid is loaded by its
    guarantee, never credited with it (World Bank SBD Goods, Section III,
    evaluation of "performance and productivity of the equipment" at the
    guaranteed figures; ADB Guide on Bid Evaluation, 2018).
    """
    availability = np.array(availability, dtype=float, copy=True)
    if not tender.tender.evaluation.load_guarantees:
        return availability
    for b, bid in enumerate(tender.bids):
        guarantee = bid.guarantees
        if guarantee is None or guarantee.availability is None:
            continue
        floor = guarantee.availability - guarantee.availability_tolerance
        age = np.asarray(ages[b], dtype=float)
        under = (age >= 0) & (age < guarantee.guarantee_years)
        on_contract = contract_availability(bid, np.where(under, age, -1.0),
                                            annual_km=tender.tender.annual_km)
        factor = _loading_factor(floor, on_contract, under)
        availability[b] = np.where(under, availability[b] * factor, availability[b])
    return availability


def _loading_factor(floor, on_contract, under):
    r"""Kernel of :func:`loaded_availability`: :math:`\min(1, (G - \tau) / A_c)` [-].

    ``floor`` is the guarantee less its tolerance :math:`G - \tau` [-],
    ``on_contract`` the availability on the contract's definition
    :math:`A_c` [-] and ``under`` whether the year is in the guarantee
    period; 1 outside it or where :math:`A_c = 0`. Shared with the Monte
    Carlo engine, which applies it per draw.
    """
    on_contract = np.asarray(on_contract, dtype=float)
    return np.minimum(1.0, np.divide(floor, on_contract, out=np.ones_like(on_contract),
                                     where=under & (on_contract > 0)))


def expected_damages(tender, arrays):
    r"""Expected availability liquidated damages per bid, as information.

    The bid's own reliability data give the availability of its units under
    guarantee on the contract's definition (:func:`contract_availability`);
    each year their unit-weighted mean is compared with the guarantee less
    its tolerance (:func:`fleetcalc.evaluation_rules.liquidated_damages`),
    cumulated to the cap and discounted.

    Returns
    -------
    list of dict or None
        Per bid (None without an availability guarantee): ``present_value``
        [base currency], ``years`` (calendar years with damages),
        ``yearly`` [base currency, after the cap], ``cap`` [base currency],
        ``cap_binds``, ``modelled_availability`` (mean over the guarantee
        years), ``guaranteed``, ``tolerance``, ``basis``.

    Notes
    -----
    Never part of the evaluated cost: receipts are capped, need a bank
    guarantee and a claim to collect, and would reward a bidder for
    promising more than its own data support. With a binding cap the damages
    at the mean availability *exceed* the expected damages (the cap makes the
    damages concave), so they are not even a conservative estimate.
    """
    projection = arrays.fleet
    settings = tender.tender
    out = []
    for b, bid in enumerate(tender.bids):
        guarantee = bid.guarantees
        if guarantee is None or guarantee.availability is None:
            out.append(None)
            continue
        ages = projection.batch_ages[b][:, 1:]
        units = projection.batch_units[b][:, 1:] * ((ages >= 0)
                                                    & (ages < guarantee.guarantee_years))
        achieved = fleet.unit_weighted_mean(
            contract_availability(bid, ages, annual_km=settings.annual_km), units, axis=0)
        rate = _money(tender, bid, guarantee.damages_per_point)
        yearly = np.nan_to_num(evaluation_rules.liquidated_damages(
            guarantee.availability, achieved, rate_per_point=rate, cap=np.inf,
            tolerance=guarantee.availability_tolerance))
        cap = guarantee.damages_cap * _money(tender, bid, bid.unit_price) * bid.quantity
        capped = np.diff(np.minimum(np.cumsum(yearly), cap), prepend=0.0)
        years = np.flatnonzero(capped > 0)
        mean = fleet.unit_weighted_mean(achieved[np.isfinite(achieved)],
                                        units.sum(axis=0)[np.isfinite(achieved)], axis=0)
        out.append({
            "present_value": float(finance.npv(arrays.discount_rate, np.r_[0.0, capped])),
            "years": [int(settings.evaluation_year + y) for y in years],
            "yearly": [float(capped[y]) for y in years],
            "cap": float(cap),
            "cap_binds": bool(yearly.sum() > cap),
            "modelled_availability": float(mean) if np.isfinite(mean) else None,
            "guaranteed": float(guarantee.availability),
            "tolerance": float(guarantee.availability_tolerance),
            "basis": guarantee.availability_basis,
        })
    return out


def damage_schedules(tender, arrays):
    """Damages that enter the evaluated cost, by year before the cap, and the caps.

    Kept for the Monte Carlo engine (:mod:`fleetcalc.simulation`), which
    applies the cap and discounts per draw. Since guarantees are loaded and
    never credited (issue 12), no damages enter the evaluated cost: the
    schedules are zero and no bid is marked ``guaranteed``. The information
    figures are in :func:`expected_damages`.

    Returns
    -------
    yearly : numpy.ndarray, shape (n_bids, H)
        Zeros [base currency].
    cap : numpy.ndarray, shape (n_bids,)
        Cap as a share of the contract price [-].
    guaranteed : numpy.ndarray of bool, shape (n_bids,)
        All False.
    """
    n_bids = len(tender.bids)
    cap = np.array([bid.guarantees.damages_cap if bid.guarantees is not None else 0.0
                    for bid in tender.bids])
    return (np.zeros((n_bids, arrays.horizon_years)), cap, np.zeros(n_bids, dtype=bool))


# --------------------------------------------------------------------------
# responsiveness
# --------------------------------------------------------------------------


def _own_delays(tender):
    """Weeks late of each unit of each bid against the required schedule (own delivery)."""
    rules = tender.tender.evaluation
    out = []
    for bid in tender.bids:
        delays = schedules.unit_delays_years(list(bid.delivery), list(rules.required_delivery))
        out.append(delays * _WEEKS_PER_YEAR)
    return out


def _reasons(tender):
    """Why each bid is non-responsive, in the order the committee checks."""
    rules = tender.tender.evaluation
    reasons = [[] for _ in tender.bids]
    for b, bid in enumerate(tender.bids):
        if bid.evaluation.non_responsive:
            reasons[b].append(bid.evaluation.non_responsive)
        if rules.price_basis == "fixed" and bid.indexed:
            reasons[b].append("price basis: the bid asks for price adjustment where the "
                              "bidding document requires fixed prices (World Bank SBD Goods, "
                              "ITB 14: an adjustable price quotation is non-responsive)")
        if (rules.required_quantity is not None and bid.quantity != rules.required_quantity
                and rules.quantity_rule == "non_responsive"):
            reasons[b].append(f"quantity: offers {bid.quantity} units where the bidding "
                              f"document asks for {rules.required_quantity}")
    if rules.required_delivery is not None and rules.delivery_max_weeks is not None:
        for b, weeks in enumerate(_own_delays(tender)):
            if weeks.size and weeks.max() > rules.delivery_max_weeks:
                reasons[b].append(f"delivery: units up to {weeks.max():g} weeks late, beyond "
                                  f"the limit of {rules.delivery_max_weeks:g} weeks")
    return reasons


# --------------------------------------------------------------------------
# the lines
# --------------------------------------------------------------------------


def evaluate_adjustments(tender, arrays, *, pv_price, lcc_npv):
    """Adjustment lines of every bid.

    Parameters
    ----------
    tender : fleetcalc.Tender
    arrays : fleetcalc.evaluate.TenderArrays
    pv_price : numpy.ndarray, shape (n_bids,)
        Present value of the price as paid (acquisition plus financing) [base currency].
    lcc_npv : numpy.ndarray, shape (n_bids,)
        Life-cycle cost NPV [base currency], for the scores and the quantity rule.

    Returns
    -------
    AdjustmentResult
        ``lines`` and ``total`` are linear in the unit prices and exchange
        rates at a given present-value factor of price, and affine in that
        factor (the Monte Carlo engine relies on it), as long as the group
        of the lowest bid before the domestic preference does not change.
    """

    settings = tender.tender
    rules = settings.evaluation
    base = settings.base_currency
    n_bids = len(tender.bids)
    rows = []
    reasons = _reasons(tender)

    def add(b, stage, name, amount, basis, kind=None, applied=None):
        rows.append({"bidder": tender.bids[b].bidder, "stage": stage, "name": name,
                     "amount": float(amount), "basis": basis, "kind": kind,
                     "applied": applied})

    quantity = np.array([bid.quantity for bid in tender.bids], dtype=float)
    contract = arrays.unit_price * quantity
    rho = np.divide(pv_price, contract, out=np.zeros_like(contract), where=contract > 0)
    price_after = np.zeros(n_bids)
    price_scope = np.zeros(n_bids)
    corrected = np.zeros(n_bids)
    for b, bid in enumerate(tender.bids):  # a few bids, each a handful of lines
        found = bid.evaluation
        correction = _money(tender, bid, found.arithmetic_correction)
        corrected[b] = contract[b] + correction
        if correction:
            add(b, "correction", "Arithmetic correction", correction * rho[b],
                f"read-out price corrected by {correction:,.2f} {base}, paid on the bid's "
                f"schedule (PV factor {rho[b]:.4f})")
        discounted = evaluation_rules.apply_unconditional_discount(corrected[b],
                                                                   rate=found.discount)
        if found.discount:
            add(b, "discount", "Unconditional discount",
                (discounted - corrected[b]) * rho[b],
                f"{found.discount:.2%} of the corrected price, PV factor {rho[b]:.4f}")
        if bid.currency != base:
            add(b, "conversion", "Conversion to the base currency", 0.0,
                f"1 {bid.currency} = {settings.rate(bid.currency):g} {base} "
                "(tender.exchange_rates)")
        price_after[b] = price_scope[b] = discounted
        for line in found.priced_adjustments:
            amount = _money(tender, bid, line.amount)
            price_after[b] += amount
            if line.kind == "scope":
                price_scope[b] += amount
            add(b, "priced", line.name, amount, line.basis or "priced by the committee",
                kind=line.kind)

    if rules.required_delivery is not None and rules.delivery_adjustment_per_week > 0:
        for b, weeks in enumerate(_own_delays(tender)):
            late = weeks[weeks > 0]
            if reasons[b] or not late.size:
                continue  # a non-responsive bid gets no delivery line at all
            result = evaluation_rules.delivery_deviation_adjustment(
                arrays.unit_price[b], late, rate_per_week=rules.delivery_adjustment_per_week,
                max_weeks=late.max())
            add(b, "delivery", "Delivery deviation", float(np.sum(result.adjustment)),
                f"{late.size} units late by {late.sum():g} unit-weeks in all at "
                f"{rules.delivery_adjustment_per_week:.3%} of the unit price per week; the "
                "only price of the delay: the ledger takes the units on the required "
                "schedule (no credit for early delivery)")

    if rules.required_payments is not None and rules.payment_deviation_rate > 0:
        def schedule(milestones_of):  # price shares due at each t, on the ledger's deliveries
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
        for b in range(n_bids):
            if amounts[b]:
                add(b, "payment", "Payment schedule deviation", amounts[b],
                    f"interest at {rules.payment_deviation_rate:.2%} a year on payments asked "
                    "earlier than the bidding document's schedule; the ledger pays the price "
                    "on the required schedule, so this line is the only price of the "
                    "deviation")

    damages = expected_damages(tender, arrays)
    for b, info in enumerate(damages):
        if info is None:
            continue
        bid = tender.bids[b]
        modelled = ("n/a" if info["modelled_availability"] is None
                    else f"{info['modelled_availability']:.1%}")
        add(b, "guarantee", "Expected availability damages (information, not credited)", 0.0,
            f"expected damages PV {info['present_value']:,.0f} {base} "
            f"(cap {info['cap']:,.0f}{', binds' if info['cap_binds'] else ''}); modelled "
            f"availability {modelled} ({info['basis']}) against {info['guaranteed']:.1%} "
            f"less {info['tolerance']:.1%}; "
            + ("the bid is evaluated at the worse of declared and guaranteed"
               if rules.load_guarantees else "guarantees not loaded (load_guarantees)")
            + f"; {bid.guarantees.guarantee_years} guarantee years")

    if rules.required_quantity is not None and rules.quantity_rule == "per_unit":
        subtotal = lcc_npv + _totals(rows, tender)
        for b, bid in enumerate(tender.bids):
            if bid.quantity != rules.required_quantity:
                factor = rules.required_quantity / bid.quantity
                add(b, "quantity", "Normalisation to the required quantity",
                    (factor - 1.0) * subtotal[b],
                    f"{bid.quantity} units offered, {rules.required_quantity} required: the "
                    f"evaluated cost is scaled by {rules.required_quantity}/{bid.quantity} "
                    "(quantity_rule = per_unit)")

    responsive = np.array([not r for r in reasons])
    before = lcc_npv + _totals(rows, tender)
    preference = None
    if rules.domestic_preference:
        preference = _preference(tender, before, responsive, rho, corrected, price_scope,
                                 price_after)
        for b, row in enumerate(preference.itertuples()):
            add(b, "domestic_preference", "Domestic preference margin", row.amount,
                row.basis, applied=row.applied)
    lines = _frame(rows, tender)
    total = _totals(rows, tender)
    evaluated = lcc_npv + total
    price_score = combined = np.full(n_bids, np.nan)
    if rules.technical_weight is not None:
        cost = np.where(responsive, evaluated, np.nan)
        if rules.price_score_method != "per_money":
            cost = np.where(cost > 0, cost, np.nan)  # a ratio needs a positive cost
        price_score = evaluation_rules.price_score(
            cost, weight=100.0, method=rules.price_score_method,
            points_per_million=rules.price_points_per_million)
        technical = np.array([np.nan if bid.evaluation.technical_score is None
                              else bid.evaluation.technical_score for bid in tender.bids])
        combined = evaluation_rules.combined_score(price_score, technical,
                                                   technical_weight=rules.technical_weight)
    return AdjustmentResult(lines, total, responsive, tuple(tuple(r) for r in reasons),
                            np.asarray(price_score, dtype=float),
                            np.asarray(combined, dtype=float), preference, before,
                            tuple(damages))


def _frame(rows, tender):
    import pandas as pd  # noqa: PLC0415 - heavy; imported when the lines are built

    lines = pd.DataFrame(rows, columns=_COLUMNS).astype({"amount": float})
    order = {s: i for i, s in enumerate(STAGES)}
    bidders = [bid.bidder for bid in tender.bids]
    return lines.assign(_b=lines["bidder"].map(bidders.index),
                        _s=lines["stage"].map(order)).sort_values(
        ["_b", "_s"], kind="stable").drop(columns=["_b", "_s"]).reset_index(drop=True)


def _totals(rows, tender):
    total = np.zeros(len(tender.bids))
    index = {bid.bidder: b for b, bid in enumerate(tender.bids)}
    for row in rows:
        total[index[row["bidder"]]] += row["amount"]
    return total


def _preference(tender, evaluated, responsive, rho, corrected, price_scope, price_after):
    """The domestic preference by groups, one row per bid."""
    import pandas as pd  # noqa: PLC0415 - heavy; imported when the lines are built

    rules = tender.tender.evaluation
    base = tender.tender.base_currency
    bids = tender.bids
    dva = np.array([bid.evaluation.domestic_value_added for bid in bids])
    groups = evaluation_rules.preference_groups(
        dva, threshold=rules.domestic_preference_threshold,
        explicit=[bid.evaluation.preference_group for bid in bids])
    basis_price = {"price_adjusted_for_scope": price_scope,
                   "price_after_adjustments": price_after,
                   "price": corrected}[rules.domestic_preference_base]
    margin = evaluation_rules.domestic_preference_margin(
        basis_price * rho, groups != "C", margin=rules.domestic_preference_margin)
    margin = np.maximum(np.atleast_1d(margin), 0.0)  # no margin on a base below zero
    outcome = evaluation_rules.domestic_preference_procedure(
        np.where(responsive, evaluated, np.nan), groups, margin)
    rows = []
    for b, bid in enumerate(bids):
        if not responsive[b]:
            why = "not applied: the bid is non-responsive"
        elif groups[b] != "C":
            why = f"not applied: group {groups[b]} bids carry no margin"
        elif outcome.applied[b]:
            why = (f"applied: the lowest evaluated bid without the margin is in group C, so "
                   f"group C bids are compared again with {rules.domestic_preference_margin:.1%}"
                   f" of {basis_price[b]:,.2f} {base} ({rules.domestic_preference_base}) at "
                   f"PV factor {rho[b]:.4f}, for comparison only")
        else:
            why = (f"not applied: the lowest evaluated bid without the margin is in group "
                   f"{outcome.lowest_group} (World Bank Guidelines App. 2 para 6; "
                   f"Regulations Annex VI)")
        rows.append({"bidder": bid.bidder, "group": str(groups[b]), "margin": float(margin[b]),
                     "applied": bool(outcome.applied[b]),
                     "amount": float(margin[b]) if outcome.applied[b] else 0.0,
                     "basis": f"group {groups[b]}: {why}"})
    return pd.DataFrame(rows)

