r"""The fleet-renewal decision problem as arrays: every coefficient of the plan.

:func:`build_problem` turns a tender into a :class:`PlanProblem`: for each
decision (a unit of a type bought for year ``k``; a unit of a cohort rebuilt or
retired in year ``r``) its net present cost, its capital cash per year, and the
availability it brings in every year. All money comes from the ledger of
:func:`fleetcalc.evaluate` (:func:`fleetcalc.evaluate.tender_arrays`,
:func:`fleetcalc.evaluate.cash_flows`,
:func:`fleetcalc.lifecycle.lifecycle_cash_flows`): a unit bought is costed as a
one-unit bid delivered in that year, so prices, payments, escalation,
commonality, ageing, overhauls and residual value follow the one formula of the
evaluation, and so do its money rules (issue 14): fixed-price milestones
deflated by the tender's inflation, exchange-rate paths, delivery terms and
duties, the perspective and priced emissions; the bid's loan (for the units its
drawdown period can pay) and its unconditional discount
(:func:`fleetcalc.evaluation_rules.apply_unconditional_discount`). The existing
cohorts' flows use the evaluation's exchange-rate factors
(:func:`fleetcalc.evaluate.cohort_conversion`). Rules that only compare bids
(required delivery and payment schedules, guarantee loading, corrections,
priced deviations, preference) are left out: see the methodology page.

Running costs of a unit-year sit in one place (``_running_costs``). They follow
the traffic (issue 13): a group's energy, maintenance and emissions are paid on
the units it *runs*, not on those in service. :func:`running_costs` puts the
plan's groups through the evaluation's kernel
(:func:`fleetcalc.fleet.allocate_km`: new units first, then the existing
cohorts cheapest per km first, a rebuilt unit with its cohort; what no
available unit runs is shortfall), so a plan costed exactly
(:mod:`fleetcalc.planning.verify`) is costed as :func:`fleetcalc.evaluate`
costs a bid. The program's linear coefficients (``buy_pv``, ``cohort_pv``,
``rebuild_pv``, ``retire_pv``, ``constant_pv``) take each unit as running
whenever it is available (``availability x`` the cost of a running
unit-year): the allocation when the traffic needs every available unit, an
upper bound otherwise; the plan returned is always costed exactly.

Conventions (years ``y = 1..H``, time points ``t = 0..T``)
----------------------------------------------------------
* A unit bought for year ``k`` enters service at ``t = k - 1`` (column
  ``k - 1`` of a bid's ``delivery``) and serves its service life.
* A unit retired in year ``r`` serves no more from year ``r`` on.
* A unit rebuilt in year ``r`` is paid at ``t = r - 1``, is down
  ``downtime_days`` in year ``r``, and from year ``r`` on has the age
  :math:`(1-\rho)\,a_r + (y - r)` (Kijima type I at the rebuild) and serves
  ``life_extension_years`` beyond its cohort's life.
* Capital spent in year ``y`` is the buyer's cash paid at ``t = y - 1`` for
  purchases (own share of the payments, debt service of the loans, delivery
  terms, duties), initial support and rebuilds (escalated and converted like
  overhauls), in the real terms of the evaluation.
"""

from __future__ import annotations

import attrs
import numpy as np

from fleetcalc import finance, fleet, schedules
from fleetcalc.evaluation_rules import apply_unconditional_discount
from fleetcalc.lifecycle import CATEGORIES, lifecycle_cash_flows
from fleetcalc.tender import PAYMENT_EVENTS
from fleetcalc.validation import validators_paused

__all__ = ["PlanProblem", "build_problem", "as_filed_decisions"]

_I = {name: i for i, name in enumerate(CATEGORIES)}
#: Categories paid on the km run (issue 13): a unit that does not run pays none.
_KM_ROWS = [_I["energy"], _I["maintenance"], _I["emissions"]]


@attrs.frozen
class PlanProblem:
    """Coefficients of the renewal plan; shapes use ``J`` types, ``C`` cohorts, ``H`` years.

    Availability arrays are per unit, ``(..., H)`` over years ``1..H``, 0 where
    the unit is not in service. Money is in the base currency; ``*_pv`` are
    present values at ``t = 0``, ``*_capital`` undiscounted cash per plan year.
    """

    horizon_years: int
    evaluation_year: int
    type_names: tuple
    type_models: tuple
    cohort_names: tuple
    demand: np.ndarray               # (H,) [units], whole (the chance constraint)
    demand_units: np.ndarray         # (H,) [units], real: locomotive-km / annual_km
    confidence: float
    from_year: int
    budget: np.ndarray               # (H,) [base currency], inf for none
    buy_cap: np.ndarray              # (J,) units per year
    buy_total: np.ndarray            # (J,) offered + option units
    buy_pv: np.ndarray               # (J, H) per unit bought for year k
    buy_capital: np.ndarray          # (J, H, H) per unit bought for year k, cash in year y
    buy_avail: np.ndarray            # (J, H, H)
    support_pv: np.ndarray           # (J, H) paid when the first unit enters in year k
    support: np.ndarray              # (J, H) [base currency] cash when first bought for year k
    cohort_units: np.ndarray         # (C,)
    cohort_avail: np.ndarray         # (C, H) original units
    cohort_pv: np.ndarray            # (C, H) running cost of one unit-year, PV
    rebuild_allowed: np.ndarray      # (C, H) bool
    retire_allowed: np.ndarray       # (C, H) bool
    rebuild_pv: np.ndarray           # (C, H) net PV of rebuilding one unit in year r
    rebuild_capital: np.ndarray      # (C, H) cash per unit rebuilt in year r
    rebuild_avail: np.ndarray        # (C, H, H) rebuilt in year r, availability in year y
    retire_pv: np.ndarray            # (C, H) net PV of retiring one unit in year r (<= 0)
    shortfall_pv: np.ndarray         # (H,) PV of one missing unit-day in year y
    constant_pv: float               # the existing fleet kept as it is
    as_filed: np.ndarray             # (J, H) the bids' offered schedules
    buy_run_pv: np.ndarray           # (J, H, H) PV of one unit bought for k *running* in y
    cohort_run_pv: np.ndarray        # (C, H) PV of one original unit running in year y
    rebuild_run_pv: np.ndarray       # (C, H, H) rebuilt in year r, running in year y
    cohort_priority: np.ndarray      # (C,) call order of the cohorts (cheapest per km first)


def _running_costs(*, units, maintenance_units, overhaul_counts, fuel, maintenance_per_km,
                   overhaul_cost, arrays, conversion=None):
    """Cash of groups ``(n, H + 1)`` at ``t = 0..H``: ``(km, overhaul)``.

    ``km`` is the energy, maintenance and priced emissions of ``units``
    *running* a full year each (:func:`fleetcalc.lifecycle.lifecycle_cash_flows`;
    pass the units in service to get the cost of a running unit-year);
    ``overhaul`` is paid per unit in service, whatever it runs. ``conversion``
    are the groups' exchange-rate factors
    (:func:`fleetcalc.evaluate.cohort_conversion`); emissions are priced as in
    the evaluation (``arrays.emission_cost_per_litre``, None when not).
    """
    n, h1 = np.shape(units)
    flows = lifecycle_cash_flows(
        unit_price=np.zeros(n), payment_shares=np.zeros((n, h1)), initial_support=np.zeros(n),
        first_delivery_time=np.zeros(n, dtype=int), units_in_service=units,
        annual_km=arrays.annual_km, fuel_litres_per_km=fuel, fuel_price=arrays.fuel_price,
        maintenance_per_km=maintenance_per_km, overhaul_counts=overhaul_counts,
        overhaul_cost=overhaul_cost, residual_units=np.zeros(n), horizon_years=h1 - 1,
        energy_escalation=arrays.escalation["energy"],
        maintenance_escalation=arrays.escalation["maintenance"],
        overhaul_escalation=arrays.escalation["overhaul"], maintenance_units=maintenance_units,
        emission_cost_per_litre=arrays.emission_cost_per_litre,
        conversion=None if conversion is None else conversion[..., :h1])
    km = flows[..., _KM_ROWS, :].sum(axis=-2)
    return km, flows.sum(axis=-2) - km


def running_costs(problem, units, avail):
    """Running cost PV of a plan's groups on the km they run, and their unserved units.

    Parameters
    ----------
    problem : PlanProblem
    units, avail : numpy.ndarray, shape (G, H)
        The plan's groups (:func:`fleetcalc.planning.verify.plan_fleet`):
        units in service and one unit's availability, years ``1..H``.

    Returns
    -------
    exact : float
        PV of energy, maintenance and emissions on the expected units
        running by :func:`fleetcalc.fleet.allocate_km` [base currency].
    linearised : float
        The same with every available unit running (units x availability),
        as the program's coefficients count it [base currency].
    unserved : numpy.ndarray, shape (H,)
        Expected missing units (unit-equivalents) of years ``1..H`` [units].
    """
    run = np.concatenate([problem.buy_run_pv.reshape(-1, problem.horizon_years),
                          problem.cohort_run_pv,
                          problem.rebuild_run_pv.reshape(-1, problem.horizon_years)])
    priority = np.concatenate([
        np.zeros(problem.buy_run_pv.shape[0] * problem.buy_run_pv.shape[1], dtype=int),
        problem.cohort_priority + 1,
        np.repeat(problem.cohort_priority + 1, problem.rebuild_run_pv.shape[1])])
    zero = np.zeros((units.shape[0], 1))
    alloc = fleet.allocate_km(np.concatenate([zero, units], axis=1).astype(np.int64),
                              np.concatenate([zero, avail], axis=1),
                              np.concatenate([[0.0], problem.demand_units]), priority)
    exact = float((alloc.running[:, 1:] * run).sum())
    linearised = float((units * avail * run).sum())
    return exact, linearised, np.asarray(alloc.unserved)[1:]


def _unit_tender(tender, bids):
    """The tender with one one-unit bid per (type, delivery year), money rules kept.

    Everything of issue 14 stays as the tender says (price basis and inflation,
    exchange-rate paths, delivery basis and duties, perspective, externalities).
    The bid's own payment milestones are paid (not ``required_payments``, a
    device for comparing bids), on its declared figures (no guarantee loading).
    A unit carries the bid's loan when every payment of it falls within the
    loan's drawdown period (``[t_0, t_0 + grace_years]``, :mod:`fleetcalc.loans`);
    a loan cannot disburse later, so later units are paid from own funds.
    """
    settings = tender.tender
    horizon = settings.horizon_years
    rules = attrs.evolve(settings.evaluation, required_delivery=None, required_payments=None,
                         delivery_adjustment_per_week=0.0, load_guarantees=False)
    eye = np.eye(horizon, dtype=np.int64)
    units = []
    for bid in bids:
        shares = [[sum(p.share for p in bid.payments if p.event == event)
                   for event in PAYMENT_EVENTS]] * horizon
        paid = schedules.payment_shares(eye, [1] * horizon, [bid.warranty_years] * horizon,
                                        shares, periods=horizon + bid.warranty_years + 1)
        first = (paid > 0).argmax(axis=1)         # t_0 of each unit's own loan
        last = paid.shape[1] - 1 - (paid[:, ::-1] > 0).argmax(axis=1)
        for k in range(horizon):
            offer = bid.financing
            if offer is not None and last[k] > first[k] + offer.grace_years:
                offer = None
            units.append(attrs.evolve(bid, bidder=f"{bid.bidder}#{k + 1}", quantity=1,
                                      delivery=tuple(int(x) for x in eye[k]),
                                      financing=offer))
    return attrs.evolve(tender, bids=tuple(units), uncertainty=(), correlation=None,
                        tender=attrs.evolve(settings, evaluation=rules, demand=None))


def _cohort_arrays(tender, arrays, plan):
    """Availability and running costs of the existing cohorts, original and rebuilt."""
    from fleetcalc.evaluate import (  # noqa: PLC0415 - one set of figures
        _cohort_intervals,
        _conversion_factors,
        _currency_of,
        _reliability,
        cohort_conversion,
    )

    settings = tender.tender
    horizon = settings.horizon_years
    cohorts = tender.fleet
    n = len(cohorts)
    years = np.arange(1, horizon + 1)
    rate = arrays.discount_rate
    df = finance.discount_factors(rate, np.arange(horizon + 1))
    if n == 0:
        z2, z3 = np.zeros((0, horizon)), np.zeros((0, horizon, horizon))
        return dict(cohort_units=np.zeros(0, dtype=int), cohort_avail=z2, cohort_pv=z2,
                    rebuild_allowed=z2.astype(bool), retire_allowed=z2.astype(bool),
                    rebuild_pv=z2, rebuild_capital=z2, rebuild_avail=z3,
                    retire_pv=z2, constant_pv=0.0, cohort_run_pv=z2, rebuild_run_pv=z3)
    base = settings.to_base
    entry = np.array([c.year_built - settings.evaluation_year for c in cohorts], dtype=float)
    life = np.array([c.service_life_years for c in cohorts], dtype=float)
    interval = _cohort_intervals(tender)   # a km interval in whole years, as evaluate's
    fig = _reliability(cohorts, settings)
    ages = schedules.group_ages(entry, horizon)                      # (C, H + 1)
    serving = schedules.group_in_service(entry, life, horizon)       # (C, H + 1)
    avail = fleet.unit_availability(ages, **{k: v[:, None] for k, v in fig.items()})
    growth = np.array([c.ageing.maintenance_cost_growth for c in cohorts])
    restoration = np.array([c.ageing.overhaul_restoration for c in cohorts])
    fuel = np.array([c.fuel_litres_per_km for c in cohorts], dtype=float)
    maint = np.array([base(c.maintenance_per_km, c.currency) for c in cohorts])
    ovh_cost = np.array([base(c.overhaul_cost, c.currency) for c in cohorts])
    conversion = cohort_conversion(settings, cohorts, horizon + 1)    # (C, cat, H + 1)

    def factor(a):
        return fleet.maintenance_age_factor(
            a, maintenance_cost_growth=growth[:, None], overhaul_interval_years=interval[:, None],
            overhaul_restoration=restoration[:, None])

    one = serving.astype(float)
    overhauls = schedules.group_overhaul_counts(np.ones(n), entry, interval, life, horizon)
    km_cash, ovh_cash = _running_costs(units=one, maintenance_units=one * factor(ages),
                                       overhaul_counts=overhauls, fuel=fuel,
                                       maintenance_per_km=maint, overhaul_cost=ovh_cost,
                                       arrays=arrays, conversion=conversion)  # (C, H + 1)
    in_service = serving[:, 1:].astype(bool)
    cohort_avail = np.where(in_service, np.nan_to_num(avail[:, 1:]), 0.0)
    run_pv = (km_cash * df)[:, 1:]                                    # a running unit-year
    unit_year_pv = run_pv * cohort_avail + (ovh_cash * df)[:, 1:]     # (C, H), linearised

    rebuild_allowed = np.zeros((n, horizon), dtype=bool)
    retire_allowed = np.zeros((n, horizon), dtype=bool)
    rebuild_pv = np.zeros((n, horizon))
    rebuild_capital = np.zeros((n, horizon))
    rebuild_avail = np.zeros((n, horizon, horizon))
    rebuild_run_pv = np.zeros((n, horizon, horizon))
    tail = np.cumsum(unit_year_pv[:, ::-1], axis=1)[:, ::-1]          # PV of years r..H
    retire_pv = -tail * in_service
    if plan.allow_retire:
        retire_allowed = in_service.copy()
    overhaul_esc = finance.escalation_factors(arrays.escalation["overhaul"],
                                              np.arange(horizon + 1))
    for c, cohort in enumerate(cohorts):
        rebuild = cohort.rebuild
        if rebuild is None or not plan.allow_rebuild:
            continue
        cost = base(rebuild.cost, cohort.currency)
        # a rebuild is priced like an overhaul: real, in its own currency, at its year's rate
        rate_path = _conversion_factors(
            settings, _currency_of(rebuild.cost, cohort.currency or settings.base_currency),
            horizon + 1)
        ext_life = life[c] + rebuild.life_extension_years
        for r in np.flatnonzero(in_service[c]) + 1:                   # rebuild year r
            rebuild_allowed[c, r - 1] = True
            equivalent = (1.0 - rebuild.restoration) * ages[c, r] + (np.arange(horizon + 1) - r)
            serves = (np.arange(horizon + 1) >= r) & (ages[c] < ext_life)
            eq = np.where(serves, equivalent, np.nan)[None, :]
            a = fleet.unit_availability(eq, **{k: v[c:c + 1, None] for k, v in fig.items()})
            a = np.where(serves, np.nan_to_num(a[0]), 0.0)
            a[r] *= 1.0 - rebuild.downtime_days / fleet.DAYS_PER_YEAR
            rebuild_avail[c, r - 1] = a[1:]
            ovh = schedules.group_overhaul_counts(np.ones(1), entry[c:c + 1], interval[c:c + 1],
                                                  np.array([ext_life]), horizon)[0]
            ovh = np.where(serves, ovh, 0.0)
            run_km, run_ovh = _running_costs(
                units=serves[None, :].astype(float),
                maintenance_units=(serves * fleet.maintenance_age_factor(
                    np.where(serves, equivalent, -1.0), maintenance_cost_growth=growth[c],
                    overhaul_interval_years=interval[c],
                    overhaul_restoration=restoration[c]))[None, :],
                overhaul_counts=ovh[None, :], fuel=fuel[c:c + 1],
                maintenance_per_km=maint[c:c + 1], overhaul_cost=ovh_cost[c:c + 1],
                arrays=arrays, conversion=conversion[c:c + 1])
            rebuild_run_pv[c, r - 1] = (run_km[0] * df)[1:]
            run = run_km[0] * a + run_ovh[0]          # linearised: running when available
            rebuild_capital[c, r - 1] = cost * overhaul_esc[r - 1] * rate_path[r - 1]
            paid = rebuild_capital[c, r - 1] * df[r - 1]
            # straight-line value of the rebuild left at H over its added service
            served_after = horizon - (r - 1)
            remaining = ext_life - ages[c, r]
            residual = (cost * overhaul_esc[r - 1] * rate_path[horizon]
                        * max(0.0, 1.0 - served_after / remaining))
            rebuild_pv[c, r - 1] = (paid + (run * df).sum() - tail[c, r - 1]
                                    - residual * df[horizon])
    return dict(cohort_units=np.array([c.units for c in cohorts], dtype=np.int64),
                cohort_avail=cohort_avail, cohort_pv=unit_year_pv,
                rebuild_allowed=rebuild_allowed, retire_allowed=retire_allowed,
                rebuild_pv=rebuild_pv, rebuild_capital=rebuild_capital,
                rebuild_avail=rebuild_avail, retire_pv=retire_pv,
                constant_pv=float((unit_year_pv * np.array([c.units for c in cohorts])[:, None]
                                   * in_service).sum()),
                cohort_run_pv=run_pv * in_service, rebuild_run_pv=rebuild_run_pv,
                years=years)


def build_problem(tender):
    """The :class:`PlanProblem` of a validated tender with ``[plan]`` and ``[tender.demand]``.

    Parameters
    ----------
    tender : fleetcalc.Tender

    Returns
    -------
    PlanProblem
    """
    from fleetcalc.evaluate import (  # noqa: PLC0415
        _cohort_priority,
        _conversion_factors,
        _currency_of,
        cash_flows,
        tender_arrays,
    )

    settings = tender.tender
    plan = tender.plan
    horizon = settings.horizon_years
    wanted = plan.bids or tuple(b.bidder for b in tender.bids)
    bids = [b for b in tender.bids if b.bidder in wanted]
    n_types = len(bids)
    with validators_paused():
        unit_tender = _unit_tender(tender, bids)
    arrays = tender_arrays(unit_tender)
    flows = cash_flows(arrays)                                        # (J*H, cat, T + 1)
    # the bid's unconditional discount lowers what is paid for the price (the evaluation's
    # "discount" line: the same rule on the price as paid, acquisition and financing)
    price = [_I["acquisition"], _I["financing"]]
    discount = np.repeat([b.evaluation.discount for b in bids], horizon)[:, None, None]
    flows[:, price] = apply_unconditional_discount(flows[:, price], rate=discount)
    rate = arrays.discount_rate
    periods = flows.shape[-1]
    df = finance.discount_factors(rate, np.arange(periods))
    pv = (flows * df).sum(axis=-1)                                    # (J*H, cat)
    support_cat = _I["initial_support"]
    # initial support is paid with a type's first units: its cash at t of each first year
    support_flow = flows[:, support_cat].reshape(n_types, horizon, periods)
    support = support_flow[np.arange(n_types)[:, None], np.arange(horizon)[None, :],
                           np.arange(horizon)[None, :]]                # (J, K) cash at k - 1
    support_pv = support * df[None, :horizon]
    # capital: the buyer's cash for the units (own share, debt service, delivery terms,
    # duties) in each plan year
    paid = flows[:, [_I["acquisition"], _I["financing"], _I["delivery_terms"], _I["duties"]],
                 :horizon].sum(axis=1)
    capital = paid.reshape(n_types, horizon, horizon)
    batch = arrays.fleet.batch_availability                           # (J*H, H, H + 1)
    units = arrays.fleet.batch_units
    rows = np.arange(n_types * horizon)
    own = batch[rows, rows % horizon, 1:]                             # (J*H, H)
    served = units[rows, rows % horizon, 1:] > 0
    buy_avail = np.where(served, np.nan_to_num(own), 0.0).reshape(n_types, horizon, horizon)
    # a one-unit bid runs every year it serves (no demand in the unit tender): its km
    # rows per year are the cost of a running unit-year; the program counts them at the
    # unit's availability (running_costs)
    buy_run_pv = ((flows[:, _KM_ROWS, :horizon + 1].sum(axis=1) * df[:horizon + 1])[:, 1:]
                  * served).reshape(n_types, horizon, horizon)
    buy_pv = (pv.sum(axis=-1) - pv[:, support_cat]).reshape(n_types, horizon) - (
        buy_run_pv * (1.0 - buy_avail)).sum(axis=-1)

    annual_km = float(settings.annual_km)
    demand = np.array(settings.demand.levels(horizon, annual_km), dtype=np.int64)
    demand_units = np.array(settings.demand.unit_equivalents(horizon, annual_km), dtype=float)
    confidence = plan.confidence if plan.confidence is not None else settings.demand.confidence
    budget = np.full(horizon, np.inf)
    if plan.budget is not None:
        budget[:] = np.asarray(plan.budget, dtype=float)
    offered = schedules.pad_delivery([b.delivery for b in bids], horizon)
    cap = np.array([plan.max_units_per_year if plan.max_units_per_year is not None
                    else int(max(b.delivery)) for b in bids], dtype=np.int64)
    total = np.array([b.quantity + plan.option_quantity for b in bids], dtype=np.int64)
    esc = finance.escalation_factors(arrays.escalation["shortfall"], np.arange(horizon + 1))
    cost_day = settings.demand.shortfall_cost_per_unit_day
    rate_path = _conversion_factors(settings, _currency_of(cost_day, settings.base_currency),
                                    horizon + 1)
    shortfall_pv = (settings.to_base(cost_day) * esc * rate_path
                    * finance.discount_factors(rate, np.arange(horizon + 1)))[1:]
    cohorts = _cohort_arrays(tender, arrays, plan)
    cohorts.pop("years", None)
    return PlanProblem(
        horizon_years=horizon, evaluation_year=settings.evaluation_year,
        type_names=tuple(b.bidder for b in bids), type_models=tuple(b.model for b in bids),
        cohort_names=tuple(c.name for c in tender.fleet), demand=demand,
        demand_units=demand_units, buy_run_pv=buy_run_pv,
        cohort_priority=_cohort_priority(tender) if tender.fleet else np.zeros(0, dtype=int),
        confidence=float(confidence), from_year=int(plan.from_year), budget=budget,
        buy_cap=cap, buy_total=total, buy_pv=buy_pv, buy_capital=capital, buy_avail=buy_avail,
        support_pv=support_pv, support=support, shortfall_pv=shortfall_pv,
        as_filed=offered, **cohorts)


def as_filed_decisions(problem):
    """Decisions of each type's bid as filed: its offered schedule, nothing rebuilt or retired.

    Returns
    -------
    list of dict
        One ``{"buy", "rebuild", "retire"}`` per type (integer arrays).
    """
    n_types, horizon = problem.as_filed.shape
    zero = np.zeros((len(problem.cohort_names), horizon), dtype=np.int64)
    out = []
    for j in range(n_types):
        buy = np.zeros((n_types, horizon), dtype=np.int64)
        buy[j] = problem.as_filed[j]
        out.append({"buy": buy, "rebuild": zero.copy(), "retire": zero.copy()})
    return out
