"""Hypothesis strategies for fleetcalc: valid tenders and their parts.

Built with ``@st.composite`` so that dependent rules hold by construction:
deliveries fit the horizon and sum to the quantity, payment shares sum to 1,
and every currency used has an exchange rate.
"""

from __future__ import annotations

import attrs
from hypothesis import strategies as st

from fleetcalc import (
    Ageing,
    Bid,
    Cohort,
    Demand,
    Escalation,
    Money,
    PaymentMilestone,
    Prices,
    Tender,
    TenderSettings,
)
from fleetcalc.tender import Financing

BASE = "USD"
OTHER_CURRENCIES = ("PKR", "CNY")

rates = st.floats(min_value=1e-4, max_value=10.0, allow_nan=False, allow_infinity=False)
discount_rates = st.floats(min_value=0.0, max_value=0.25, allow_nan=False)
escalations = st.floats(min_value=-0.05, max_value=0.08, allow_nan=False)


def amounts(max_value):
    """Non-negative finite money amounts."""
    return st.floats(min_value=0.0, max_value=max_value, allow_nan=False, allow_infinity=False,
                     allow_subnormal=False)


@st.composite
def money_values(draw, max_value, currencies=(BASE,) + OTHER_CURRENCIES):
    """A plain number or a :class:`Money` in one of ``currencies``."""
    amount = draw(amounts(max_value))
    if draw(st.booleans()):
        return amount
    return Money(amount, draw(st.sampled_from(currencies)))


@st.composite
def payment_schedules(draw):
    """Milestones whose shares sum to 1: two cut points of [0, 1]."""
    a, b = sorted(draw(st.lists(st.floats(0.0, 1.0), min_size=2, max_size=2)))
    shares = {"signing": a, "delivery": b - a, "acceptance": 1.0 - b}
    return tuple(PaymentMilestone(event, share) for event, share in shares.items())


@st.composite
def reliability(draw):
    """Reliability and ageing figures of a locomotive type (maybe none)."""
    if not draw(st.booleans()):
        return {}
    return {
        "mtbf_hours": draw(st.one_of(st.none(), st.floats(50.0, 5000.0))),
        "mean_downtime_hours": draw(st.floats(0.0, 300.0)),
        "scheduled_maintenance_days": draw(st.floats(0.0, 40.0)),
        "ageing": Ageing(failure_rate_growth=draw(st.floats(0.0, 0.08)),
                         maintenance_cost_growth=draw(st.floats(0.0, 0.05)),
                         overhaul_restoration=draw(st.floats(0.0, 1.0))),
    }


@st.composite
def financing_offers(draw, delivery, warranty, payments):
    """A loan whose grace period covers the drawdowns (they follow the payments)."""
    shares = {p.event: p.share for p in payments}
    years = [k for k, n in enumerate(delivery) if n]
    times = ([0] if shares["signing"] > 0 else []) + (years if shares["delivery"] > 0 else [])
    times += [k + warranty for k in years] if shares["acceptance"] > 0 else []
    grace = max(times) - min(times) + draw(st.integers(0, 3))
    return Financing(share=draw(st.floats(0.05, 1.0)), interest_rate=draw(st.floats(0.0, 0.15)),
                     tenor_years=grace + draw(st.integers(1, 10)), grace_years=grace,
                     repayment=draw(st.sampled_from(["equal_principal", "annuity"])),
                     upfront_fee=draw(st.floats(0.0, 0.02)),
                     export_credit_premium=draw(st.floats(0.0, 0.08)))


@st.composite
def cohorts(draw, index):
    """An existing cohort built before 2026."""
    return Cohort(name=f"Cohort {index}", model="old", units=draw(st.integers(0, 20)),
                  year_built=2026 - draw(st.integers(0, 30)),
                  service_life_years=draw(st.integers(1, 40)),
                  fuel_litres_per_km=draw(amounts(8.0)), maintenance_per_km=draw(amounts(3.0)),
                  **draw(reliability()))


@st.composite
def bids(draw, horizon, *, bidder, first_year_delivery=False, rich=False):
    """A valid bid whose deliveries fit in ``horizon`` years."""
    years = draw(st.integers(1, min(horizon, 6)))
    delivery = draw(st.lists(st.integers(0, 12), min_size=years, max_size=years))
    if first_year_delivery:
        delivery[0] = max(delivery[0], 1)
    if sum(delivery) == 0:
        delivery[-1] = 1
    interval = draw(st.one_of(st.none(), st.integers(1, 15)))
    payments = draw(payment_schedules())
    warranty = draw(st.integers(0, 4))
    extra = {}
    if rich:
        extra.update(draw(reliability()))
        if draw(st.booleans()):
            extra["financing"] = draw(financing_offers(delivery, warranty, payments))
    return Bid(
        bidder=bidder,
        model=f"model {bidder}",
        currency=draw(st.sampled_from((BASE,) + OTHER_CURRENCIES)),
        unit_price=draw(money_values(6e6)),
        quantity=sum(delivery),
        delivery=delivery,
        payments=payments,
        warranty_years=warranty,
        initial_support=draw(money_values(5e6)),
        fuel_litres_per_km=draw(amounts(8.0)),
        maintenance_per_km=draw(money_values(5.0)),
        overhaul_interval_years=interval,
        overhaul_cost=draw(money_values(1e6)) if interval else 0.0,
        service_life_years=draw(st.integers(1, 40)),
        **extra,
    )


@st.composite
def tenders(draw, *, min_bids=1, max_bids=4, first_year_delivery=False, rich=False):
    """A valid :class:`Tender` with 1-4 bids in up to three currencies.

    With ``rich``, also reliability and ageing, financing offers, an existing
    fleet and demand with a shortfall cost, each maybe.
    """
    horizon = draw(st.integers(1, 30))
    settings = TenderSettings(
        name="Property tender",
        base_currency=BASE,
        evaluation_year=2026,
        horizon_years=horizon,
        discount_rate=draw(discount_rates),
        annual_km=draw(amounts(200_000.0)),
        prices=Prices(diesel_per_litre=draw(money_values(400.0))),
        exchange_rates={code: draw(rates) for code in OTHER_CURRENCIES},
        escalation=Escalation(energy=draw(escalations), maintenance=draw(escalations),
                              overhaul=draw(escalations)),
        demand=(Demand(units_in_service=draw(st.integers(0, 40)),
                       shortfall_cost_per_unit_day=draw(amounts(5000.0)))
                if rich and draw(st.booleans()) else None),
        inflation=draw(st.floats(0.0, 0.05)) if rich else 0.0,
    )
    n_bids = draw(st.integers(min_bids, max_bids))
    offers = tuple(draw(bids(horizon, bidder=f"Bidder {i}",
                             first_year_delivery=first_year_delivery, rich=rich))
                   for i in range(n_bids))
    fleet = tuple(draw(cohorts(i)) for i in range(draw(st.integers(0, 2)))) if rich else ()
    return Tender(tender=settings, bids=offers, fleet=fleet)


MONEY_FIELDS = ("unit_price", "initial_support", "maintenance_per_km", "overhaul_cost")


def _scale(value, factor, currency=None):
    """Scale a money value; only those in ``currency`` when one is given."""
    if isinstance(value, Money):
        if currency is None or value.currency == currency:
            return attrs.evolve(value, amount=value.amount * factor)
        return value
    return value * factor if currency is None else value


def scale_money(tender, factor):
    """Every money amount of the tender times ``factor`` (rates unchanged)."""
    prices = attrs.evolve(tender.tender.prices,
                          diesel_per_litre=_scale(tender.tender.prices.diesel_per_litre, factor))
    demand = tender.tender.demand
    if demand is not None:
        demand = attrs.evolve(demand, shortfall_cost_per_unit_day=_scale(
            demand.shortfall_cost_per_unit_day, factor))
    settings = attrs.evolve(tender.tender, prices=prices, demand=demand)
    new_bids = tuple(attrs.evolve(b, **{f: _scale(getattr(b, f), factor) for f in MONEY_FIELDS})
                     for b in tender.bids)
    # issue 13: the existing cohorts' costs are in each bid's LCC (existing_fleet)
    cohort_fields = ("maintenance_per_km", "overhaul_cost")
    new_fleet = tuple(attrs.evolve(c, **{f: _scale(getattr(c, f), factor)
                                         for f in cohort_fields}) for c in tender.fleet)
    return attrs.evolve(tender, tender=settings, bids=new_bids, fleet=new_fleet)


def redenominate(tender, currency, factor):
    """Express ``currency`` in units ``factor`` times smaller: amounts x factor, rate / factor.

    A plain number of a bid whose ``currency`` is that currency is scaled too.
    """
    settings = tender.tender
    rates = dict(settings.exchange_rates)
    rates[currency] = rates[currency] / factor
    prices = attrs.evolve(settings.prices, diesel_per_litre=_scale(
        settings.prices.diesel_per_litre, factor, currency))
    settings = attrs.evolve(settings, exchange_rates=rates, prices=prices)

    def rescale_bid(bid):
        changes = {}
        for name in MONEY_FIELDS:
            value = getattr(bid, name)
            if isinstance(value, Money):
                changes[name] = _scale(value, factor, currency)
            elif bid.currency == currency:
                changes[name] = value * factor
        return attrs.evolve(bid, **changes)

    return attrs.evolve(tender, tender=settings, bids=tuple(rescale_bid(b) for b in tender.bids))


#: Inputs a generated tender can make uncertain (the key paths of ``[[uncertainty]]``).
UNCERTAIN_INPUTS = (
    "tender.prices.diesel_per_litre", "tender.annual_km", "tender.discount_rate",
    "tender.demand.shortfall_cost_per_unit_day", "tender.exchange_rates.PKR",
    "tender.exchange_rates.CNY", "bids[*].unit_price", "bids[*].initial_support",
    "bids[*].maintenance_per_km", "bids[*].fuel_litres_per_km", "bids[*].overhaul_cost",
    "bids[*].mtbf_hours", "bids[*].mean_downtime_hours",
    "bids[*].scheduled_maintenance_days", "bids[*].overhaul_downtime_days",
    "fleet[*].mtbf_hours", "fleet[*].scheduled_maintenance_days",
)


@st.composite
def collapsed_distributions(draw):
    """Parameters of a distribution with all its mass at the point value (relative 1)."""
    kind = draw(st.sampled_from(("triangular", "uniform", "pert", "normal", "lognormal")))
    if kind in ("normal", "lognormal"):
        return {"distribution": kind, "mean": 1.0, "std": 0.0}
    return {"distribution": kind, "low": 1.0, "high": 1.0,
            **({"mode": 1.0} if kind != "uniform" else {})}


@st.composite
def uncertain_tenders(draw, *, collapsed=True):
    """A rich tender with ``[[uncertainty]]`` entries on inputs it has, maybe correlated.

    Bids and cohorts may also get overhaul downtime. With ``collapsed``, every
    distribution has its mass at the point value (relative scale, 1.0); price
    and exchange-rate inputs may carry a random walk of zero volatility.
    Entries that the tender rejects (e.g. ``mtbf_hours`` of a unit without
    one) are dropped, so the result is a valid tender.
    """
    from fleetcalc.exceptions import TenderError
    from fleetcalc.uncertainty import UncertainInput, uncertainty_problems

    tender = draw(tenders(rich=True))

    def with_overhaul_days(unit):
        if unit.overhaul_interval_years and draw(st.booleans()):
            return attrs.evolve(unit, overhaul_downtime_days=draw(st.floats(0.0, 60.0)))
        return unit

    tender = attrs.evolve(tender, bids=tuple(with_overhaul_days(b) for b in tender.bids),
                          fleet=tuple(with_overhaul_days(c) for c in tender.fleet))
    paths = draw(st.lists(st.sampled_from(UNCERTAIN_INPUTS), unique=True, min_size=1,
                          max_size=8))
    entries = []
    for path in paths:
        extra = {}
        if (path.startswith("tender.exchange_rates") or path == "tender.prices.diesel_per_litre"
                ) and draw(st.booleans()):
            extra = {"process": "random_walk", "volatility": 0.0}
        if path.startswith(("bids[*]", "fleet[*]")) and draw(st.booleans()):
            extra["shared"] = True
        entry = UncertainInput(input=path, scale="relative", **draw(collapsed_distributions()),
                               **extra)
        try:
            alone = attrs.evolve(tender, uncertainty=(entry,), correlation=None)
        except TenderError:
            continue
        if not uncertainty_problems(alone):
            entries.append(entry)
    return attrs.evolve(tender, uncertainty=tuple(entries))
