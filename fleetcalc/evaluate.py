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

from fleetcalc import (
    ageing,
    currency,
    emissions,
    evaluation_rules,
    finance,
    fleet,
    fleet_distribution,
    schedules,
)
from fleetcalc import loans as loan_formulas
from fleetcalc.adjustments import (
    evaluate_adjustments,
    evaluation_delivery,
    ledger_payments,
    loaded_availability,
)
from fleetcalc.exceptions import ServiceLifeWarning, TenderWarning
from fleetcalc.financing import FinancingSchedules, financing_schedules, price_adjustment_factors
from fleetcalc.fleet import FleetOutlook
from fleetcalc.lifecycle import CATEGORIES, lifecycle_cash_flows
from fleetcalc.money import Money
from fleetcalc.result import EvaluationResult, calendar_year
from fleetcalc.tender import PAYMENT_EVENTS, Tender
from fleetcalc.validation import named_paths, problems_of, raise_if_errors, validators_paused

__all__ = ["TenderArrays", "FleetProjection", "tender_arrays", "cash_flows",
           "fleet_baseline_cash_flows", "cohort_conversion", "evaluate", "perspectives"]


@attrs.frozen
class TenderArrays:
    """A tender as arrays over bids, in the base currency.

    Money fields are converted with the tender's exchange rates (and reduced
    by platform commonality); schedules are unit counts over time. The Monte
    Carlo engine perturbs these arrays; :func:`cash_flows` turns them into
    cash flows.
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
    maintenance_units: np.ndarray
    shortfall_unit_days: np.ndarray
    shortfall_cost_per_unit_day: float
    fleet: FleetProjection
    contract_payment_shares: np.ndarray
    financing_shares: np.ndarray
    financing: FinancingSchedules
    delivered_units: np.ndarray | None = None
    inland_transport: np.ndarray | float = 0.0
    insurance: np.ndarray | float = 0.0
    port_charges: np.ndarray | float = 0.0
    duty_rate: np.ndarray | float = 0.0
    import_duties: np.ndarray | float = 0.0
    emission_cost_per_litre: np.ndarray | None = None
    conversion: np.ndarray | None = None
    financing_discount_rate: float | None = None
    co2_kg_per_litre: float = 0.0
    running_units: np.ndarray | None = None
    existing_fuel_units: np.ndarray | None = None
    existing_maintenance_units: np.ndarray | None = None
    existing_overhaul: np.ndarray | None = None
    batch_maintenance_factor: np.ndarray | None = None

    @property
    def periods(self):
        """Number of time points ``T + 1`` of the cash-flow axis."""
        return self.payment_shares.shape[1]


@attrs.frozen
class FleetProjection:
    """Groups of units (existing cohorts, and each bid's delivery batches) by year.

    Shapes: existing cohorts ``(C, H + 1)``; bid batches ``(B, H, H + 1)``;
    outlook arrays ``(B, H + 1)``.
    """

    cohort_names: tuple
    cohort_units: np.ndarray
    cohort_ages: np.ndarray
    cohort_availability: np.ndarray
    cohort_maintenance_factor: np.ndarray
    batch_units: np.ndarray
    batch_ages: np.ndarray
    batch_availability: np.ndarray
    demand: np.ndarray
    has_demand: bool
    outlook: FleetOutlook
    demand_units: np.ndarray | None = None
    cohort_priority: np.ndarray | None = None
    allocation: fleet.KmAllocation | None = None
    baseline_allocation: fleet.KmAllocation | None = None


def _mtbf_hours(units, settings):
    """MTBF [h] of bids or cohorts ``(n,)``: given, from ``mdbf_km`` at ``annual_km``, or inf."""
    given = np.array([np.nan if u.mtbf_hours is None else u.mtbf_hours for u in units],
                     dtype=float)
    mdbf = np.array([np.nan if u.mdbf_km is None else u.mdbf_km for u in units], dtype=float)
    return np.where(np.isnan(given), fleet.mtbf_hours_from_mdbf(mdbf, float(settings.annual_km)),
                    given)


def _interval_years(units, settings):
    """Overhaul interval [year] ``(n,)``: given, from ``overhaul_interval_km``, or 0 (real)."""
    km = np.array([np.nan if u.overhaul_interval_km is None else u.overhaul_interval_km
                   for u in units], dtype=float)
    years = np.array([u.overhaul_interval_years or 0 for u in units], dtype=float)
    return np.where(np.isnan(km), years,
                    fleet.interval_years_from_km(km, float(settings.annual_km)))


def _reliability(units, settings):
    """Reliability and ageing figures of bids or cohorts as arrays ``(n,)``."""
    return {
        "mtbf_hours": _mtbf_hours(units, settings),
        "mean_downtime_hours": np.array([u.mean_downtime_hours for u in units], dtype=float),
        "scheduled_maintenance_days": np.array([u.scheduled_maintenance_days for u in units],
                                               dtype=float),
        "overhaul_downtime_days": np.array([u.overhaul_downtime_days for u in units],
                                           dtype=float),
        "overhaul_interval_years": ageing.effective_overhaul_interval(
            _interval_years(units, settings),
            np.array([u.service_life_years for u in units], dtype=float)),
        "failure_rate_growth": np.array([u.ageing.failure_rate_growth for u in units]),
        "overhaul_restoration": np.array([u.ageing.overhaul_restoration for u in units]),
    }


def _project_fleet(tender, delivery, life):
    """Ages, availability and the outlook against demand of every bid's fleet."""
    settings = tender.tender
    horizon = settings.horizon_years
    bids, cohorts = tender.bids, tender.fleet
    n_bids = len(bids)

    # existing cohorts: one group each, entered at year_built - evaluation_year
    entry = np.array([c.year_built - settings.evaluation_year for c in cohorts], dtype=float)
    c_life = np.array([c.service_life_years for c in cohorts], dtype=float)
    c_ages = schedules.group_ages(entry, horizon)
    c_serving = schedules.group_in_service(entry, c_life, horizon)
    c_units = np.array([c.units for c in cohorts], dtype=np.int64)[:, None] * c_serving
    c_fig = _reliability(cohorts, settings)
    c_avail = fleet.unit_availability(c_ages, **{k: v[:, None] for k, v in c_fig.items()})
    c_maint = fleet.maintenance_age_factor(
        c_ages, maintenance_cost_growth=np.array(
            [c.ageing.maintenance_cost_growth for c in cohorts])[:, None],
        overhaul_interval_years=c_fig["overhaul_interval_years"][:, None],
        overhaul_restoration=c_fig["overhaul_restoration"][:, None])

    # bids: one group per delivery year k, entered at k - 1
    b_ages = np.broadcast_to(schedules.group_ages(np.arange(horizon), horizon),
                             (n_bids, horizon, horizon + 1))
    b_serving = schedules.group_in_service(np.arange(horizon)[None, :], life[:, None], horizon)
    b_units = delivery[:, :, None] * b_serving
    b_fig = _reliability(bids, settings)
    b_avail = fleet.unit_availability(b_ages, **{k: v[:, None, None] for k, v in b_fig.items()})
    b_loaded = loaded_availability(tender, b_ages, b_avail)  # what the outlook is evaluated on

    demand_given = settings.demand is not None
    annual_km = float(settings.annual_km)
    levels = settings.demand.levels(horizon, annual_km) if demand_given else [0] * horizon
    demand = np.array([0] + list(levels), dtype=np.int64)
    units = np.concatenate([np.broadcast_to(c_units, (n_bids,) + c_units.shape), b_units],
                           axis=1)
    avail = np.concatenate([np.broadcast_to(c_avail, (n_bids,) + c_avail.shape), b_loaded],
                           axis=1)
    outlook = fleet.fleet_outlook(units, avail, demand)
    extra = {}
    if demand_given:
        # the traffic to haul, as unit-equivalents (real); column 0 is before year 1
        need = np.array([0.0] + settings.demand.unit_equivalents(horizon, annual_km))
        priority = _cohort_priority(tender)
        order = np.concatenate([priority + 1, np.zeros(horizon, dtype=int)])  # new units first
        extra = {
            "demand_units": need, "cohort_priority": priority,
            "allocation": fleet.allocate_km(units, avail, need, order,
                                            whole_fleet=outlook.distribution),
            "baseline_allocation": fleet.allocate_km(c_units[None], c_avail[None], need,
                                                     priority),
        }
    return FleetProjection(
        cohort_names=tuple(c.name for c in cohorts), cohort_units=c_units, cohort_ages=c_ages,
        cohort_availability=c_avail, cohort_maintenance_factor=c_maint, batch_units=b_units,
        batch_ages=b_ages, batch_availability=b_avail, demand=demand,
        has_demand=demand_given, outlook=outlook, **extra)


def _cohort_running_cost(tender):
    """Running cost per km of each existing cohort at age 0 (fuel + maintenance) [base/km].

    At the diesel price paid (taxes included) and year-0 rates: the order in which the
    railway calls on its cohorts, the same in the financial and the economic view.
    """
    settings = tender.tender
    fuel_price = settings.to_base(settings.prices.diesel_per_litre)
    return np.array([c.fuel_litres_per_km * fuel_price
                     + settings.to_base(c.maintenance_per_km, c.currency)
                     for c in tender.fleet], dtype=float)


def _cohort_priority(tender):
    """Call order of the existing cohorts: cheapest running cost per km first (0, 1, ...)."""
    cost = _cohort_running_cost(tender)
    order = np.argsort(cost, kind="stable")
    priority = np.empty(len(cost), dtype=int)
    priority[order] = np.arange(len(cost))
    return priority


def _pad(array, periods):
    """Zero-pad the time axis of ``array`` to ``periods``."""
    out = np.zeros(array.shape[:-1] + (periods,))
    out[..., : array.shape[-1]] = array
    return out


def _evaluated_fuel(bid, rules):
    """Fuel use evaluated: declared, or when loaded the worse of declared and guarantee.

    The guarantee counts with its tolerance.
    """
    guarantee = bid.guarantees
    if rules.load_guarantees and guarantee is not None and (
            guarantee.fuel_litres_per_km is not None):
        return max(float(bid.fuel_litres_per_km),
                   guarantee.fuel_litres_per_km * (1.0 + guarantee.fuel_tolerance))
    return float(bid.fuel_litres_per_km)


def _currency_of(value, default):
    """Currency of a money value: a Money's own, else ``default``."""
    return value.currency if isinstance(value, Money) else default


def _conversion_factors(settings, code, periods):
    """Exchange-rate (and, economic perspective, SERF) multipliers of flows in ``code``."""
    local = settings.local_currency or settings.base_currency
    serf = (settings.shadow_exchange_rate_factor
            if settings.perspective == "economic" and code != local else 1.0)
    if code == settings.base_currency:
        return currency.conversion_factors(1.0, None, periods, shadow_factor=serf)
    return currency.conversion_factors(settings.rate(code),
                                       settings.exchange_rate_paths.get(code), periods,
                                       shadow_factor=serf)


def _money_terms(tender, periods):
    """Money conventions of the evaluation (perspective, currency paths, emissions).

    Returns a dict of the ``conversion`` factors ``(n_bids, n_categories,
    periods)``, the per-bid currency factors of contract payments and loans
    (long enough for the loans), the diesel price actually evaluated [base/L]
    and the emission cost per litre [base/L] (None when not evaluated).
    """
    settings = tender.tender
    bids = tender.bids
    economic = settings.perspective == "economic"
    base_code = settings.base_currency
    longest = periods + max([b.financing.tenor_years for b in bids if b.financing is not None],
                            default=0) + 1

    def factors(code, length=periods):
        return _conversion_factors(settings, code, length)

    index = {c: i for i, c in enumerate(CATEGORIES)}
    conversion = np.ones((len(bids), len(CATEGORIES), periods))
    diesel = settings.prices.diesel_per_litre
    fuel_code = _currency_of(diesel, base_code)
    for b, bid in enumerate(bids):
        own = bid.currency
        conversion[b, index["energy"]] = factors(fuel_code)
        conversion[b, index["residual_value"]] = factors(_currency_of(bid.unit_price, own))
        for category, name in (("initial_support", "initial_support"),
                               ("maintenance", "maintenance_per_km"),
                               ("overhaul", "overhaul_cost"),
                               ("delivery_terms", "inland_transport"),
                               ("duties", "unit_price")):
            conversion[b, index[category]] = factors(_currency_of(getattr(bid, name), own))
        # existing_fleet: 1 here; its fuel takes the energy row in the cash flows, and
        # its maintenance and overhaul are converted per cohort (_existing_fleet_weights)
        if settings.demand is not None:
            conversion[b, index["shortfall"]] = factors(
                _currency_of(settings.demand.shortfall_cost_per_unit_day, base_code))
    bid_factors = np.array([factors(_currency_of(bid.unit_price, bid.currency), longest)
                            for bid in bids])
    loan_factors = np.array([
        factors((bid.financing.currency or bid.currency) if bid.financing is not None
                else bid.currency, longest) for bid in bids])
    fuel_price = settings.to_base(diesel)
    if economic:
        fuel_price -= settings.to_base(settings.prices.diesel_taxes_per_litre)
    ext = settings.externalities
    priced = economic or settings.evaluation.include_externalities
    emission_cost = None
    if priced:
        emission_cost = emissions.cost_per_litre(
            np.arange(periods), co2_kg_per_litre=ext.co2_kg_per_litre,
            carbon_price_per_tonne=settings.to_base(ext.carbon_price_per_tonne),
            carbon_price_growth=ext.carbon_price_growth,
            nox_g_per_litre=ext.nox_g_per_litre,
            nox_price_per_tonne=settings.to_base(ext.nox_price_per_tonne),
            pm_g_per_litre=ext.pm_g_per_litre,
            pm_price_per_tonne=settings.to_base(ext.pm_price_per_tonne))
    duties_in = settings.evaluation.include_duties and not economic
    return {"conversion": conversion, "bid_factors": bid_factors, "loan_factors": loan_factors,
            "fuel_price": fuel_price, "emission_cost": emission_cost, "duties_in": duties_in}


def _commonality_mask(tender):
    """True for bids whose platform matches an existing cohort's."""
    platforms = {c.platform for c in tender.fleet if c.platform}
    return np.array([bool(b.platform) and b.platform in platforms for b in tender.bids])


def tender_arrays(tender: Tender) -> TenderArrays:
    """Convert a validated tender to :class:`TenderArrays`.

    Parameters
    ----------
    tender : fleetcalc.Tender

    Returns
    -------
    TenderArrays
        Its ``fleet.outlook.distribution``
        (:class:`fleetcalc.fleet_distribution.CountDistribution`, bids x years x
        counts) is the distribution of available units. It is computed once
        for given fleet inputs: :func:`fleetcalc.fleet.fleet_outlook` keeps the
        last few, so calling this again for the same tender (or for a tender
        differing only in money, fuel or distance) reuses it.
    """
    settings = tender.tender
    bids = tender.bids
    horizon = settings.horizon_years

    base = settings.to_base

    def money_array(name):
        return np.array([base(getattr(bid, name), bid.currency) for bid in bids])

    delivery = evaluation_delivery(tender)   # the required schedule when delay is a line
    life = np.array([bid.service_life_years for bid in bids])
    warranty = np.array([bid.warranty_years for bid in bids])
    interval = np.array([bid.overhaul_interval_years or 0 for bid in bids])
    age_interval = _interval_years(bids, settings)   # real years, also for a km interval
    shares = np.array([[sum(p.share for p in milestones if p.event == event)
                        for event in PAYMENT_EVENTS] for milestones in ledger_payments(tender)])
    # The time axis reaches the last acceptance payment, which may fall after H.
    last_payment = max(horizon, int(np.max(horizon - 1 + warranty)))
    common = _commonality_mask(tender)
    saving = settings.commonality
    projection = _project_fleet(tender, delivery, life)
    maintenance_factor = fleet.maintenance_age_factor(
        projection.batch_ages,
        maintenance_cost_growth=np.array([b.ageing.maintenance_cost_growth
                                          for b in bids])[:, None, None],
        overhaul_interval_years=age_interval[:, None, None],
        overhaul_restoration=np.array([b.ageing.overhaul_restoration
                                       for b in bids])[:, None, None])
    demand = settings.demand
    contract_shares = schedules.payment_shares(
        delivery, [bid.quantity for bid in bids], warranty, shares, periods=last_payment + 1)
    if settings.evaluation.price_adjustment_in_evaluation:
        contract_shares = contract_shares * price_adjustment_factors(tender, last_payment + 1)
    money = _money_terms(tender, last_payment + 1)
    loans = financing_schedules(
        tender, contract_shares, inflation=settings.inflation,
        reference_rate=settings.evaluation.grant_element_reference_rate,
        fixed=np.array([not bid.indexed for bid in bids]),
        bid_factors=money["bid_factors"], loan_factors=money["loan_factors"])
    periods = loans.acquisition_shares.shape[1]
    if periods > last_payment + 1:
        money = _money_terms(tender, periods)
    fuel = np.array([_evaluated_fuel(bid, settings.evaluation) for bid in bids])
    on_delivery = np.zeros((len(bids), len(PAYMENT_EVENTS)))
    on_delivery[:, PAYMENT_EVENTS.index("delivery")] = 1.0
    delivered = schedules.payment_shares(delivery, [bid.quantity for bid in bids], warranty,
                                         on_delivery, periods=periods)
    to_basis = settings.evaluation.delivery_basis is not None   # else: compared as quoted
    duties_in = money["duties_in"]
    in_service = schedules.units_in_service(delivery, life)
    maintenance_units = (projection.batch_units * maintenance_factor).sum(axis=1)
    shortfall_unit_days = projection.outlook.shortfall_unit_days
    traffic = {}
    if projection.has_demand:
        # km from traffic: the bid's new units run first, then the cheapest cohorts
        n_cohorts = len(tender.fleet)
        running = projection.allocation.running                       # (B, C + H, H + 1)
        batches = running[:, n_cohorts:]
        in_service = batches.sum(axis=1)
        maintenance_units = (batches * maintenance_factor).sum(axis=1)
        shortfall_unit_days = fleet.DAYS_PER_YEAR * projection.allocation.unserved
        traffic = dict(running_units=in_service, batch_maintenance_factor=maintenance_factor,
                       **_existing_fleet_arrays(tender, projection, running[:, :n_cohorts]))
    overhauls = schedules.overhaul_counts(delivery, interval, life)
    by_km = np.array([b.overhaul_interval_km is not None for b in bids])
    if by_km.any():
        # overhauls when each batch's cumulated km per unit pass multiples of the interval
        km_units = (projection.allocation.running[:, len(tender.fleet):]
                    if projection.has_demand else projection.batch_units)
        per_unit = np.divide(km_units * settings.annual_km, projection.batch_units,
                             out=np.zeros(km_units.shape), where=projection.batch_units > 0)
        km_interval = np.array([b.overhaul_interval_km or np.nan for b in bids])
        counts = fleet.overhaul_counts_by_km(projection.batch_units, per_unit,
                                             km_interval[:, None]).sum(axis=1)
        overhauls = np.where(by_km[:, None], counts, overhauls)
    return TenderArrays(
        bidders=tuple(bid.bidder for bid in bids),
        horizon_years=horizon,
        discount_rate=float(settings.discount_rate),
        annual_km=float(settings.annual_km),
        fuel_price=money["fuel_price"],
        escalation=attrs.asdict(settings.escalation),
        unit_price=money_array("unit_price"),
        initial_support=money_array("initial_support") * np.where(
            common, 1.0 - saving.initial_support, 1.0),
        fuel_litres_per_km=fuel,
        maintenance_per_km=money_array("maintenance_per_km") * np.where(
            common, 1.0 - saving.maintenance, 1.0),
        overhaul_cost=money_array("overhaul_cost"),
        delivery=delivery,
        units_in_service=in_service,
        overhaul_counts=overhauls,
        payment_shares=loans.acquisition_shares,
        contract_payment_shares=_pad(loans.contract_real, periods),
        financing_shares=loans.financing_shares,
        financing=loans,
        first_delivery_time=schedules.first_delivery_time(delivery),
        residual_units=schedules.residual_units(delivery, life),
        maintenance_units=maintenance_units,
        shortfall_unit_days=shortfall_unit_days,
        shortfall_cost_per_unit_day=base(demand.shortfall_cost_per_unit_day) if demand else 0.0,
        fleet=projection,
        delivered_units=delivered,
        inland_transport=money_array("inland_transport") * to_basis,
        insurance=money_array("insurance") * to_basis,
        port_charges=money_array("port_charges") * to_basis,
        duty_rate=np.array([bid.import_duty_rate if duties_in else 0.0 for bid in bids]),
        import_duties=money_array("import_duties") * duties_in,
        emission_cost_per_litre=money["emission_cost"],
        conversion=money["conversion"],
        financing_discount_rate=settings.evaluation.financing_discount_rate,
        co2_kg_per_litre=float(settings.externalities.co2_kg_per_litre),
        **traffic,
    )


def _cohort_intervals(tender):
    """Whole-year overhaul intervals of the cohorts (a km interval at ``annual_km``)."""
    years = _interval_years(tender.fleet, tender.tender)
    return np.where(years > 0, np.maximum(np.rint(years), 1), 0).astype(np.int64)


def _cohort_paths(tender, name):
    """Exchange-rate factors ``(C, H + 1)`` of each cohort's money field ``name`` [-].

    The path of the field's currency (:func:`_conversion_factors`, as the
    bids' flows and :func:`fleet_baseline_cash_flows`); 1 with flat rates.
    """
    settings = tender.tender
    h1 = settings.horizon_years + 1
    return np.array([_conversion_factors(
        settings, _currency_of(getattr(c, name), c.currency or settings.base_currency), h1)
        for c in tender.fleet], dtype=float).reshape(len(tender.fleet), h1)


def _cohort_overhaul_money(tender):
    """Overhaul cost of the existing cohorts by year ``(C, H + 1)`` [base currency].

    At year-0 prices, each year's amount converted at its currency's
    exchange-rate path (:func:`_cohort_paths`).
    """
    settings = tender.tender
    cohorts = tender.fleet
    horizon = settings.horizon_years
    entry = np.array([c.year_built - settings.evaluation_year for c in cohorts])
    counts = schedules.group_overhaul_counts(
        np.array([c.units for c in cohorts]), entry, _cohort_intervals(tender),
        np.array([c.service_life_years for c in cohorts]), horizon)
    cost = np.array([settings.to_base(c.overhaul_cost, c.currency) for c in cohorts],
                    dtype=float)
    return (np.asarray(counts, dtype=float)[..., :horizon + 1] * cost[:, None]
            * _cohort_paths(tender, "overhaul_cost"))


def _existing_fleet_weights(tender, projection):
    """Litres per km ``(C,)`` and maintenance weights ``(C, H + 1)`` of the existing cohorts.

    The weights turn a cohort's expected units running into
    ``existing_fleet`` cash flows (:func:`fleetcalc.lifecycle.lifecycle_cash_flows`):
    fuel :math:`f_c` [L/km], and maintenance :math:`m_c (1+g_c)^{v_{c,t}} x_{c,t}`
    [base currency/km], the cost per km in base currency times the age
    factor (:attr:`FleetProjection.cohort_maintenance_factor`) and the
    exchange-rate factor :math:`x_{c,t}` of its currency's path. The fuel's
    money and exchange-rate path are the bids' ``energy`` ones (the same
    diesel), applied in the cash flows. Used by :func:`tender_arrays`, the
    do-nothing baseline and the Monte Carlo's exact mode.
    """
    cohorts = tender.fleet
    settings = tender.tender
    litres = np.array([c.fuel_litres_per_km for c in cohorts], dtype=float)
    per_km = np.array([settings.to_base(c.maintenance_per_km, c.currency) for c in cohorts],
                      dtype=float)
    weight = (per_km[:, None] * projection.cohort_maintenance_factor
              * _cohort_paths(tender, "maintenance_per_km"))                 # (C, H + 1)
    return litres, weight


def _existing_fleet_arrays(tender, projection, running):
    """The existing cohorts' use under each bid, as the weights of ``existing_fleet``.

    ``running`` (B, C, H + 1): expected units of each cohort running. Returns
    litre-weighted and maintenance-weighted running units (B, H + 1) and
    the cohorts' overhaul money (B, H + 1) (:func:`_existing_fleet_weights`).
    """
    litres, weight = _existing_fleet_weights(tender, projection)
    overhaul = _cohort_overhaul_money(tender).sum(axis=0)
    n_bids = running.shape[0]
    return {
        "existing_fuel_units": (running * litres[:, None]).sum(axis=-2),
        "existing_maintenance_units": (running * weight).sum(axis=-2),
        "existing_overhaul": np.broadcast_to(overhaul, (n_bids, overhaul.shape[-1])).copy(),
    }


def cash_flows(arrays: TenderArrays) -> np.ndarray:
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
        maintenance_units=arrays.maintenance_units,
        shortfall_unit_days=arrays.shortfall_unit_days,
        shortfall_cost_per_unit_day=arrays.shortfall_cost_per_unit_day,
        shortfall_escalation=arrays.escalation["shortfall"],
        financing_shares=arrays.financing_shares,
        delivered_units=arrays.delivered_units,
        delivery_cost=arrays.inland_transport + arrays.insurance + arrays.port_charges,
        duty_rate=arrays.duty_rate,
        duty_amount=arrays.import_duties,
        emission_cost_per_litre=arrays.emission_cost_per_litre,
        conversion=arrays.conversion,
        existing_fuel_units=arrays.existing_fuel_units,
        existing_maintenance_units=arrays.existing_maintenance_units,
        existing_overhaul=arrays.existing_overhaul,
    )


def do_nothing_cash_flows(tender, arrays):
    """Cash flows ``(1, n_categories, H + 1)`` of the do-nothing baseline, or None.

    The existing fleet alone carries the demand (cheapest cohorts first,
    :func:`fleetcalc.fleet.allocate_km`); what it cannot run is shortfall.
    Same formulas and money rules as a bid's
    (:func:`fleetcalc.lifecycle.lifecycle_cash_flows`: the evaluated diesel
    price of the perspective, exchange-rate paths, emissions when priced)
    with no purchase. None without a demand (nothing to carry).
    """
    projection = arrays.fleet
    if not projection.has_demand:
        return None
    horizon = arrays.horizon_years
    alloc = projection.baseline_allocation
    existing = _existing_fleet_arrays(tender, projection, alloc.running)
    zeros = np.zeros((1, horizon + 1))
    # the rows used here (energy, shortfall, existing_fleet, emissions) are the same for
    # every bid: the diesel's, the shortfall cost's currency paths, 1 and 1
    conversion = (None if arrays.conversion is None
                  else np.asarray(arrays.conversion)[:1, :, :horizon + 1])
    return lifecycle_cash_flows(
        unit_price=np.zeros(1), payment_shares=zeros, initial_support=np.zeros(1),
        first_delivery_time=np.zeros(1, dtype=int), units_in_service=zeros,
        annual_km=arrays.annual_km, fuel_litres_per_km=np.zeros(1), fuel_price=arrays.fuel_price,
        maintenance_per_km=np.zeros(1), overhaul_counts=zeros, overhaul_cost=np.zeros(1),
        residual_units=np.zeros(1), horizon_years=horizon,
        energy_escalation=arrays.escalation["energy"],
        maintenance_escalation=arrays.escalation["maintenance"],
        overhaul_escalation=arrays.escalation["overhaul"],
        shortfall_unit_days=fleet.DAYS_PER_YEAR * alloc.unserved,
        shortfall_cost_per_unit_day=arrays.shortfall_cost_per_unit_day,
        shortfall_escalation=arrays.escalation["shortfall"],
        emission_cost_per_litre=arrays.emission_cost_per_litre,
        conversion=conversion,
        **existing)


def fleet_baseline_cash_flows(tender, arrays):
    """Running costs of the existing cohorts, ``(n_cohorts, n_categories, H + 1)``.

    The same cost formulas as the bids' (:func:`fleetcalc.lifecycle.lifecycle_cash_flows`)
    with no purchase, support, shortfall or residual value: a baseline common
    to every bid, reported beside the ranking and not added to any bid.
    """
    settings = tender.tender
    cohorts = tender.fleet
    horizon = settings.horizon_years
    projection = arrays.fleet
    n = len(cohorts)
    entry = np.array([c.year_built - settings.evaluation_year for c in cohorts])

    def base(value, cohort):
        return settings.to_base(value, cohort.currency)

    units = np.array([c.units for c in cohorts])
    return lifecycle_cash_flows(
        unit_price=np.zeros(n), payment_shares=np.zeros((n, horizon + 1)),
        initial_support=np.zeros(n), first_delivery_time=np.zeros(n, dtype=int),
        units_in_service=projection.cohort_units, annual_km=arrays.annual_km,
        fuel_litres_per_km=np.array([c.fuel_litres_per_km for c in cohorts], dtype=float),
        fuel_price=arrays.fuel_price,
        maintenance_per_km=np.array([base(c.maintenance_per_km, c) for c in cohorts]),
        overhaul_counts=schedules.group_overhaul_counts(
            units, entry, _cohort_intervals(tender),
            np.array([c.service_life_years for c in cohorts]), horizon),
        overhaul_cost=np.array([base(c.overhaul_cost, c) for c in cohorts]),
        residual_units=np.zeros(n), horizon_years=horizon,
        energy_escalation=arrays.escalation["energy"],
        maintenance_escalation=arrays.escalation["maintenance"],
        overhaul_escalation=arrays.escalation["overhaul"],
        maintenance_units=projection.cohort_units * projection.cohort_maintenance_factor,
        emission_cost_per_litre=arrays.emission_cost_per_litre,
        conversion=cohort_conversion(settings, cohorts, horizon + 1),
    )


def cohort_conversion(settings, cohorts, periods):
    """Exchange-rate (and shadow-price) factors of the existing cohorts' flows.

    Energy in the diesel price's currency, maintenance and overhauls in each
    cohort's, emissions in the base currency; the ledger convention of
    :func:`fleet_baseline_cash_flows` (and of the renewal plan's cohorts).

    Parameters
    ----------
    settings : fleetcalc.tender.TenderSettings
    cohorts : sequence of fleetcalc.tender.Cohort
    periods : int
        Time points ``t = 0..periods - 1``.

    Returns
    -------
    numpy.ndarray, shape (n_cohorts, len(CATEGORIES), periods)
        Multipliers [-]; 1 with flat exchange rates in the financial perspective.

    Examples
    --------
    >>> import fleetcalc
    >>> tender = fleetcalc.load_tender("examples/pakistan_locomotives_2026.toml")
    >>> cohort_conversion(tender.tender, tender.fleet, 31).shape == (6, len(CATEGORIES), 31)
    True
    """
    index = {c: i for i, c in enumerate(CATEGORIES)}
    conversion = np.ones((len(cohorts), len(CATEGORIES), periods))
    fuel_code = _currency_of(settings.prices.diesel_per_litre, settings.base_currency)
    for i, c in enumerate(cohorts):
        conversion[i, index["energy"]] = _conversion_factors(settings, fuel_code, periods)
        for category, name in (("maintenance", "maintenance_per_km"),
                               ("overhaul", "overhaul_cost")):
            conversion[i, index[category]] = _conversion_factors(
                settings, _currency_of(getattr(c, name), c.currency or settings.base_currency),
                periods)
    return conversion


def evaluate(tender: Tender, *, arrays: TenderArrays | None = None) -> EvaluationResult:
    """Evaluate every bid of a tender on net-present-value life-cycle cost.

    Parameters
    ----------
    tender : fleetcalc.Tender
        A tender, e.g. from :func:`fleetcalc.load_tender`.
    arrays : TenderArrays, optional
        ``tender_arrays(tender)`` if the caller already has it (e.g. the
        Monte Carlo model builder), so that it is not computed again; it
        must come from this very tender. Its ``fleet.outlook.distribution``
        is the distribution of available units the evaluation used.

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
    for problem in named_paths(problems, bids=tender.bids, fleet=tender.fleet):
        category = (ServiceLifeWarning if problem.path.endswith("service_life_years")
                    else TenderWarning)
        warnings.warn(str(problem), category, stacklevel=2)
    return _evaluate_arrays(tender, tender_arrays(tender) if arrays is None else arrays,
                            problems)


def perspectives(tender):
    """Evaluated cost and rank of every bid in the financial and the economic perspective.

    The tender as given, evaluated once with ``perspective = "financial"`` (the
    railway's cash) and once with ``"economic"`` (transfers removed, foreign
    currency at its shadow price, externalities priced), side by side.

    Parameters
    ----------
    tender : fleetcalc.Tender

    Returns
    -------
    pandas.DataFrame
        Index ``bidder`` (input order); columns ``financial_cost``,
        ``financial_rank``, ``economic_cost``, ``economic_rank``,
        ``pv_emissions`` (economic) [base currency], ``co2_tonnes`` [t].

    Examples
    --------
    >>> import fleetcalc
    >>> table = perspectives(fleetcalc.load_tender("examples/pakistan_locomotives_2026.toml"))
    >>> list(table.columns)[:2]
    ['financial_cost', 'financial_rank']
    """
    import pandas as pd  # noqa: PLC0415 - heavy; only where output frames are built

    out = {}
    for view in ("financial", "economic"):
        changed = attrs.evolve(tender, tender=attrs.evolve(tender.tender, perspective=view))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ranking = evaluate(changed).ranking.reindex([b.bidder for b in tender.bids])
        out[f"{view}_cost"] = ranking["evaluated_cost"]
        out[f"{view}_rank"] = ranking["rank"]
        if view == "economic":
            out["pv_emissions"] = ranking["pv_emissions"]
            out["co2_tonnes"] = ranking["co2_tonnes"]
    return pd.DataFrame(out).rename_axis("bidder")


def _evaluate_arrays(tender, arrays, problems):
    """:func:`evaluate` of a tender already validated (``problems``) and converted."""
    import pandas as pd  # noqa: PLC0415 - heavy; only where output frames are built

    flows = cash_flows(arrays)
    years = np.arange(arrays.periods)
    rate = arrays.discount_rate
    present_values = flows * finance.discount_factors(rate, years)
    pv_by_category = finance.npv(rate, flows)
    km_run = arrays.units_in_service * arrays.annual_km    # with demand: the km run
    fleet_frame, fleet_years, fleet_summary = _fleet_frames(tender, arrays)
    index = {c: i for i, c in enumerate(CATEGORIES)}
    lcc = pv_by_category.sum(axis=1)
    adjustments = evaluate_adjustments(
        tender, arrays, lcc_npv=lcc,
        pv_price=pv_by_category[:, index["acquisition"]] + pv_by_category[:, index["financing"]])
    financing_frame, financing_summary = _financing_frames(tender, arrays)
    baseline = None
    do_nothing = do_nothing_cash_flows(tender, arrays)
    do_nothing_pv = None
    incremental = np.full(len(tender.bids), np.nan)
    if do_nothing is not None:
        do_nothing_pv = finance.npv(rate, do_nothing)[0]               # (n_categories,)
        incremental = lcc + adjustments.total - do_nothing_pv.sum()
    elif tender.fleet:
        baseline = pd.DataFrame(finance.npv(rate, fleet_baseline_cash_flows(tender, arrays)),
                                index=pd.Index([c.name for c in tender.fleet], name="cohort"),
                                columns=list(CATEGORIES))
        baseline = baseline.loc[:, (baseline != 0).any(axis=0)]
        baseline.attrs["co2_tonnes"] = _cohort_co2(tender, arrays)
    return _result_from_arrays(
        tender=tender,
        categories=CATEGORIES,
        amounts=flows,
        present_values=present_values,
        pv_by_category=pv_by_category,
        pv_km=finance.npv(rate, km_run),
        warnings=tuple(str(p) for p in problems),
        fleet_summary=fleet_summary,
        fleet=fleet_frame,
        fleet_years=fleet_years,
        fleet_baseline=baseline,
        adjustments=adjustments,
        financing=financing_frame,
        financing_summary=financing_summary,
        price_adjustment_effect=_price_adjustment_effect(tender, arrays),
        guarantee_loading=_guarantee_loading(tender, lcc),
        emissions=_emission_frame(tender, arrays),
        incremental_npv=incremental,
        do_nothing=None if do_nothing_pv is None else dict(zip(CATEGORIES, do_nothing_pv)),
    )


def _cohort_co2(tender, arrays):
    """Tonnes of CO2 of each existing cohort over years 1..H (dict by cohort name)."""
    litres = (np.asarray(arrays.fleet.cohort_units, dtype=float)[:, 1:] * arrays.annual_km
              * np.array([c.fuel_litres_per_km for c in tender.fleet], dtype=float)[:, None])
    tonnes = emissions.tonnes(litres, tender.tender.externalities.co2_kg_per_litre).sum(axis=1)
    return {c.name: float(t) for c, t in zip(tender.fleet, tonnes)}


def _emission_frame(tender, arrays):
    """Litres burnt and tonnes emitted per bid and year (``k = t``, t = 1..H).

    The litres of the km actually run: the bid's units, and with a demand
    also the existing units it keeps running (``existing_litres``), as the
    ``emissions`` cash flows price them.
    """
    import pandas as pd  # noqa: PLC0415 - heavy; only where output frames are built

    settings = tender.tender
    ext = settings.externalities
    own = (np.asarray(arrays.units_in_service, dtype=float) * arrays.annual_km
           * np.asarray(arrays.fuel_litres_per_km, dtype=float)[:, None])[:, 1:]
    existing = np.zeros_like(own)
    if arrays.existing_fuel_units is not None:
        existing = (np.asarray(arrays.existing_fuel_units, dtype=float)
                    * arrays.annual_km)[:, 1:own.shape[1] + 1]
    litres = own + existing
    n_bids, horizon = litres.shape
    years = np.arange(1, horizon + 1)
    return pd.DataFrame({
        "bidder": np.repeat(np.array(arrays.bidders, dtype=object), horizon),
        "year": np.tile(years, n_bids),
        "calendar_year": np.tile(calendar_year(settings.evaluation_year, years), n_bids),
        "litres": litres.reshape(-1),
        "existing_litres": existing.reshape(-1),
        "co2_tonnes": emissions.tonnes(litres, ext.co2_kg_per_litre).reshape(-1),
        "nox_tonnes": emissions.tonnes(litres, g_per_litre=ext.nox_g_per_litre).reshape(-1),
        "pm_tonnes": emissions.tonnes(litres, g_per_litre=ext.pm_g_per_litre).reshape(-1),
    })


def _guarantee_loading(tender, lcc):
    """Part of each bid's LCC NPV due to loading its guarantees (0 without loading)."""
    rules = tender.tender.evaluation
    if not rules.load_guarantees:
        return np.zeros(len(tender.bids))
    with validators_paused():
        declared = attrs.evolve(tender, tender=attrs.evolve(
            tender.tender, evaluation=attrs.evolve(rules, load_guarantees=False)))
    arrays = tender_arrays(declared)
    return lcc - finance.npv(arrays.discount_rate, cash_flows(arrays)).sum(axis=1)


def _price_adjustment_effect(tender, arrays):
    """PV of the estimated effect of each bid's price adjustment formula [base currency].

    Information when ``price_adjustment_in_evaluation`` is false (World Bank
    SBD: not taken into account in bid evaluation); the part of ``lcc_npv``
    it makes up when true. Before financing; NaN for fixed-price bids.
    """
    periods = arrays.contract_payment_shares.shape[1]
    factors = price_adjustment_factors(tender, periods)
    shares = arrays.contract_payment_shares
    if tender.tender.evaluation.price_adjustment_in_evaluation:
        effect = shares * (1.0 - 1.0 / factors)
    else:
        effect = shares * (factors - 1.0)
    pv = finance.npv(arrays.discount_rate, effect) * arrays.unit_price
    return np.where([bid.price_adjustment is not None for bid in tender.bids], pv, np.nan)


def _financing_frames(tender, arrays):
    """Loan schedules (nominal, base currency) and per-bid financing results."""
    import pandas as pd  # noqa: PLC0415 - heavy; only where output frames are built

    loans = arrays.financing
    n_bids = len(tender.bids)
    if not loans.financed.any():
        return None, {"grant_element": np.full(n_bids, np.nan),
                      "financing_pv_saving": np.full(n_bids, np.nan)}
    price = arrays.unit_price[:, None]
    length = loans.nominal["debt_service"].shape[1]
    to_real = loans.real_factors[:, :length]
    rate = _financing_rate(arrays)
    saving = loan_formulas.financing_pv_saving(
        loans.nominal["drawdown"] * to_real, loans.nominal["debt_service"] * to_real,
        discount_rate=rate)
    rows = []
    for b in np.flatnonzero(loans.financed):
        frame = pd.DataFrame({"bidder": tender.bids[b].bidder, "year": np.arange(length),
                              "calendar_year": calendar_year(tender.tender.evaluation_year,
                                                             np.arange(length)),
                              **{name: values[b] * price[b] for name, values
                                 in loans.nominal.items()}})
        last = np.flatnonzero((frame[["drawdown", "debt_service", "balance"]] != 0).any(axis=1))
        rows.append(frame.iloc[: (last.max() + 1) if last.size else 1])  # a zero-price loan
    summary = {"grant_element": loans.grant_element,
               "financing_pv_saving": np.where(loans.financed, saving * price[:, 0], np.nan)}
    return pd.concat(rows, ignore_index=True), summary


def _financing_rate(arrays):
    """Real rate at which the financing saving is valued [-/year]."""
    return (arrays.discount_rate if arrays.financing_discount_rate is None
            else arrays.financing_discount_rate)


def _fleet_frames(tender, arrays):
    """The fleet projection as tables: by cohort, by year, and a summary per bid."""
    import pandas as pd  # noqa: PLC0415 - heavy; only where output frames are built

    settings = tender.tender
    projection = arrays.fleet
    outlook = projection.outlook
    horizon = settings.horizon_years
    bidders = [b.bidder for b in tender.bids]
    years = np.arange(1, horizon + 1)
    n_bids, n_cohorts = len(bidders), len(projection.cohort_names)
    # groups (bids, existing cohorts + the bid's new units, years 1..H)
    own_units = projection.batch_units[:, :, 1:]
    units = np.concatenate([np.broadcast_to(projection.cohort_units[:, 1:],
                                            (n_bids, n_cohorts, horizon)),
                            own_units.sum(axis=1)[:, None]], axis=1)
    ages = np.concatenate([np.broadcast_to(projection.cohort_ages[:, 1:],
                                           (n_bids, n_cohorts, horizon)),
                           fleet.unit_weighted_mean(projection.batch_ages[:, :, 1:], own_units,
                                                    axis=1)[:, None]], axis=1)
    avail = np.concatenate([np.broadcast_to(projection.cohort_availability[:, 1:],
                                            (n_bids, n_cohorts, horizon)),
                            fleet.unit_weighted_mean(projection.batch_availability[:, :, 1:],
                                                     own_units, axis=1)[:, None]], axis=1)
    names = np.array([list(projection.cohort_names) + [f"new: {bid.model}"]
                      for bid in tender.bids], dtype=object).reshape(n_bids, n_cohorts + 1)
    # rows in the order bid, year, cohort (existing cohorts, then the new units)
    b, k, c = np.nonzero(np.swapaxes(units, 1, 2) > 0)
    n = units[b, c, k]
    frame = pd.DataFrame({
        "bidder": np.array(bidders, dtype=object)[b], "year": years[k],
        "calendar_year": settings.evaluation_year + years[k] - 1,
        "cohort": names[b, c], "units": n, "mean_age": ages[b, c, k],
        "availability": avail[b, c, k], "available_units": n * avail[b, c, k],
        "demand": projection.demand[1:][k], "p_meet_demand": outlook.p_meet_demand[b, 1 + k]})
    by_year = pd.DataFrame({
        "bidder": np.repeat(bidders, horizon),
        "year": np.tile(years, len(bidders)),
        "calendar_year": np.tile(settings.evaluation_year + years - 1, len(bidders)),
        "demand": np.tile(projection.demand[1:], len(bidders)),
        "units": outlook.units[:, 1:].reshape(-1),
        "available_units": outlook.expected_available[:, 1:].reshape(-1),
        "p_meet_demand": outlook.p_meet_demand[:, 1:].reshape(-1),
        "shortfall_unit_days": outlook.shortfall_unit_days[:, 1:].reshape(-1),
    })
    own = fleet.unit_weighted_mean(projection.batch_availability[:, :, 1:],
                         projection.batch_units[:, :, 1:], axis=(1, 2))
    summary = {
        "availability": own,
        "fleet_availability": outlook.expected_available[:, 1:].sum(axis=1)
        / np.maximum(outlook.units[:, 1:].sum(axis=1), 1),
        "p_meet_demand": outlook.p_meet_demand[:, 1:].mean(axis=1),
        "shortfall_unit_days": outlook.shortfall_unit_days[:, 1:].sum(axis=1),
    }
    if projection.has_demand:
        peak = int(projection.demand.max())
        size = fleet_distribution.required_fleet_size(
            np.nan_to_num(own, nan=0.0), peak, confidence=settings.demand.confidence)
        summary["required_fleet_size"] = np.where(size >= 0, size, np.nan)
        summary["spare_ratio"] = (fleet_distribution.spare_ratio(size, peak) if peak > 0
                                  else np.full(len(bidders), np.nan))
    else:
        summary["p_meet_demand"] = np.full(len(bidders), np.nan)
        summary["required_fleet_size"] = np.full(len(bidders), np.nan)
        summary["spare_ratio"] = np.full(len(bidders), np.nan)
    return frame, by_year, summary


def _rank(values):
    """Rank 1 = lowest; ties share the lower rank ("competition" ranking); NaN: no rank.

    :func:`fleetcalc.evaluation_rules.rank_bids` as the nullable integers of ``ranking``.
    """
    import pandas as pd  # noqa: PLC0415 - heavy; only where output frames are built

    return pd.array(evaluation_rules.rank_bids(np.asarray(values, dtype=float)), dtype="Int64")


def _result_from_arrays(*, tender, categories, amounts, present_values, pv_by_category,
                        pv_km, warnings=(), fleet_summary=None, fleet=None, fleet_years=None,
                        fleet_baseline=None, adjustments=None, financing=None,
                        financing_summary=None, price_adjustment_effect=None,
                        guarantee_loading=None, emissions=None, incremental_npv=None,
                        do_nothing=None):
    """Build the result from the engine's arrays (bids x categories x time).

    The evaluated cost, the ranks, the equivalent annual cost and the cost per
    km are computed here (with :mod:`fleetcalc.finance` and
    :func:`fleetcalc.evaluation_rules.rank_bids`); :class:`EvaluationResult`
    only holds them.
    """
    import pandas as pd  # noqa: PLC0415 - heavy; only where output frames are built

    settings = tender.tender
    bidders = [bid.bidder for bid in tender.bids]
    by_category = pd.DataFrame(pv_by_category, index=pd.Index(bidders, name="bidder"),
                               columns=list(categories))
    lcc = by_category.sum(axis=1).to_numpy()
    n_bids = len(bidders)
    total = adjustments.total if adjustments is not None else np.zeros(n_bids)
    responsive = (adjustments.responsive if adjustments is not None
                  else np.ones(n_bids, dtype=bool))
    evaluated = lcc + total
    margin = np.zeros(n_bids)
    if adjustments is not None and adjustments.preference is not None:
        margin = adjustments.preference["amount"].to_numpy(dtype=float)
    nan = np.full(n_bids, np.nan)
    scores = {
        "price_score": adjustments.price_score if adjustments is not None else nan,
        "technical_score": np.array([np.nan if b.evaluation.technical_score is None
                                     else b.evaluation.technical_score
                                     for b in tender.bids]),
        "combined_score": adjustments.combined_score if adjustments is not None else nan,
    }
    ranking = pd.DataFrame({
        "rank": _rank(np.where(responsive, evaluated, np.nan)),
        "model": [bid.model for bid in tender.bids],
        "evaluated_cost": evaluated,
        "lcc_npv": lcc,
        "adjustments": total,
        "responsive": responsive,
        "non_responsive_reason": ["; ".join(r) if r else None
                                  for r in (adjustments.reasons if adjustments is not None
                                            else [()] * n_bids)],
        **{f"pv_{c}": by_category[c].to_numpy() for c in categories},
        "equivalent_annual_cost": finance.equivalent_annual_cost(
            lcc, settings.discount_rate, settings.horizon_years),
        "cost_per_km": finance.levelised_cost(lcc, pv_km),
        **(fleet_summary or {}),
        **(financing_summary or {}),
        **scores,
        "combined_rank": _rank(-scores["combined_score"]),
        "domestic_preference": margin,
        "evaluated_cost_before_preference": evaluated - margin,
        "preference_group": (list(adjustments.preference["group"])
                             if adjustments is not None
                             and adjustments.preference is not None else [None] * n_bids),
        "price_adjustment_effect": (nan if price_adjustment_effect is None
                                    else price_adjustment_effect),
        "guarantee_loading": (np.zeros(n_bids) if guarantee_loading is None
                              else guarantee_loading),
        "co2_tonnes": (nan if emissions is None else emissions.groupby(
            "bidder", sort=False)["co2_tonnes"].sum().reindex(bidders).to_numpy()),
        "incremental_npv": nan if incremental_npv is None else incremental_npv,
    }, index=by_category.index)
    ranking = ranking.sort_values(["rank"], kind="stable", na_position="last")

    # Ledger rows ordered bid (input order), year, category: move time before category.
    amounts = np.swapaxes(amounts, 1, 2)
    present_values = np.swapaxes(present_values, 1, 2)
    bid_i, year, cat_i = (a.reshape(-1) for a in np.indices(amounts.shape))
    keep = amounts.reshape(-1) != 0
    ledger = pd.DataFrame({
        "bidder": np.asarray(bidders, dtype=object)[bid_i[keep]],
        "year": year[keep],
        "calendar_year": calendar_year(settings.evaluation_year, year[keep]),
        "category": np.asarray(categories, dtype=object)[cat_i[keep]],
        "amount": amounts.reshape(-1)[keep],
        "present_value": present_values.reshape(-1)[keep],
    })
    lines = None if adjustments is None else adjustments.lines
    damages = (dict(zip(bidders, adjustments.expected_damages))
               if adjustments is not None and adjustments.expected_damages is not None
               else {})
    return EvaluationResult(tender=tender, ranking=ranking, pv_by_category=by_category,
               cash_flows=ledger, warnings=tuple(warnings), fleet=fleet,
               fleet_years=fleet_years, fleet_baseline=fleet_baseline,
               adjustments=lines, financing=financing, expected_damages=damages,
               emissions=emissions, do_nothing=do_nothing)
