"""Orchestration: from a :class:`~fleetcalc.tender.Tender` to an evaluation.

:func:`evaluate` validates the tender, turns it into arrays
(:func:`tender_arrays`), computes the cash flows of every bid with
:func:`fleetcalc.lifecycle.lifecycle_cash_flows`, discounts them with
:mod:`fleetcalc.finance` and ranks the bids. It holds no formula of its own.
"""

from __future__ import annotations

import warnings

import attrs
import numpy as np

from fleetcalc import finance, schedules
from fleetcalc.exceptions import ServiceLifeWarning
from fleetcalc.lifecycle import CATEGORIES, lifecycle_cash_flows
from fleetcalc.money import convert
from fleetcalc.result import EvaluationResult
from fleetcalc.tender import PAYMENT_EVENTS
from fleetcalc.validation import problems_of, raise_if_errors

__all__ = ["TenderArrays", "tender_arrays", "cash_flows", "evaluate"]


@attrs.frozen
class TenderArrays:
    """A tender as arrays over bids, in the base currency.

    Money fields are converted with the tender's exchange rates; schedules
    are unit counts over time. The Monte Carlo engine perturbs these arrays;
    :func:`cash_flows` turns them into cash flows.
    """

    bidders: tuple
    horizon_years: int
    discount_rate: float
    annual_km: float
    fuel_price: float
    escalation: dict
    unit_price: np.ndarray
    initial_support: np.ndarray
    fuel_litres_per_km: np.ndarray
    maintenance_per_km: np.ndarray
    overhaul_cost: np.ndarray
    delivery: np.ndarray
    units_in_service: np.ndarray
    overhaul_counts: np.ndarray
    payment_shares: np.ndarray
    first_delivery_time: np.ndarray
    residual_units: np.ndarray

    @property
    def periods(self):
        """Number of time points ``T + 1`` of the cash-flow axis."""
        return self.payment_shares.shape[1]


def tender_arrays(tender):
    """Convert a validated tender to :class:`TenderArrays`.

    Parameters
    ----------
    tender : fleetcalc.Tender

    Returns
    -------
    TenderArrays
    """
    settings = tender.tender
    bids = tender.bids
    horizon = settings.horizon_years

    def base(value, bid=None):
        return convert(value, currency=bid.currency if bid else settings.base_currency,
                       exchange_rates=settings.exchange_rates,
                       base_currency=settings.base_currency)

    def money_array(name):
        return np.array([base(getattr(bid, name), bid) for bid in bids])

    delivery = schedules.pad_delivery([bid.delivery for bid in bids], horizon)
    life = np.array([bid.service_life_years for bid in bids])
    warranty = np.array([bid.warranty_years for bid in bids])
    interval = np.array([bid.overhaul_interval_years or 0 for bid in bids])
    shares = np.array([[sum(p.share for p in bid.payments if p.event == event)
                        for event in PAYMENT_EVENTS] for bid in bids])
    # The time axis reaches the last acceptance payment, which may fall after H.
    last_payment = max(horizon, int(np.max(horizon - 1 + warranty)))
    return TenderArrays(
        bidders=tuple(bid.bidder for bid in bids),
        horizon_years=horizon,
        discount_rate=float(settings.discount_rate),
        annual_km=float(settings.annual_km),
        fuel_price=base(settings.prices.diesel_per_litre),
        escalation=attrs.asdict(settings.escalation),
        unit_price=money_array("unit_price"),
        initial_support=money_array("initial_support"),
        fuel_litres_per_km=np.array([float(bid.fuel_litres_per_km) for bid in bids]),
        maintenance_per_km=money_array("maintenance_per_km"),
        overhaul_cost=money_array("overhaul_cost"),
        delivery=delivery,
        units_in_service=schedules.units_in_service(delivery, life),
        overhaul_counts=schedules.overhaul_counts(delivery, interval, life),
        payment_shares=schedules.payment_shares(
            delivery, [bid.quantity for bid in bids], warranty, shares,
            periods=last_payment + 1),
        first_delivery_time=schedules.first_delivery_time(delivery),
        residual_units=schedules.residual_units(delivery, life),
    )


def cash_flows(arrays):
    """Cash flows ``(n_bids, n_categories, T + 1)`` of :class:`TenderArrays`."""
    return lifecycle_cash_flows(
        unit_price=arrays.unit_price,
        payment_shares=arrays.payment_shares,
        initial_support=arrays.initial_support,
        first_delivery_time=arrays.first_delivery_time,
        units_in_service=arrays.units_in_service,
        annual_km=arrays.annual_km,
        fuel_litres_per_km=arrays.fuel_litres_per_km,
        fuel_price=arrays.fuel_price,
        maintenance_per_km=arrays.maintenance_per_km,
        overhaul_counts=arrays.overhaul_counts,
        overhaul_cost=arrays.overhaul_cost,
        residual_units=arrays.residual_units,
        horizon_years=arrays.horizon_years,
        energy_escalation=arrays.escalation["energy"],
        maintenance_escalation=arrays.escalation["maintenance"],
        overhaul_escalation=arrays.escalation["overhaul"],
    )


def evaluate(tender):
    """Evaluate every bid of a tender on net-present-value life-cycle cost.

    Parameters
    ----------
    tender : fleetcalc.Tender
        A tender, e.g. from :func:`fleetcalc.load_tender`.

    Returns
    -------
    EvaluationResult
        ``.ranking`` and ``.cash_flows`` DataFrames, ``.to_dict()``.

    Raises
    ------
    TenderError
        If the tender has problems (all are listed).

    Warns
    -----
    ServiceLifeWarning
        When a bid's units retire inside the horizon.

    Examples
    --------
    >>> import fleetcalc
    >>> result = fleetcalc.evaluate(fleetcalc.load_tender(
    ...     "examples/pakistan_locomotives_2026.toml"))
    >>> int(result.ranking["rank"].min())
    1
    """
    problems = problems_of(tender)
    raise_if_errors(problems)
    for problem in problems:
        warnings.warn(str(problem), ServiceLifeWarning, stacklevel=2)
    arrays = tender_arrays(tender)
    flows = cash_flows(arrays)
    years = np.arange(arrays.periods)
    rate = arrays.discount_rate
    present_values = flows * finance.discount_factors(rate, years)
    pv_by_category = finance.npv(rate, flows)
    km_run = arrays.units_in_service * arrays.annual_km
    return EvaluationResult.from_arrays(
        tender=tender,
        categories=CATEGORIES,
        amounts=flows,
        present_values=present_values,
        pv_by_category=pv_by_category,
        pv_km=finance.npv(rate, km_run),
        warnings=tuple(str(p) for p in problems),
    )
