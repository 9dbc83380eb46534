r"""Monte Carlo simulation of a tender's evaluated costs and availability.

:func:`simulate` draws the uncertain inputs of a tender's ``[[uncertainty]]``
(:mod:`fleetcalc.uncertainty`, :mod:`fleetcalc.sampling`) and evaluates every
bid for every draw, vectorised over draws x bids x years, in blocks of
:data:`~fleetcalc.sampling.BLOCK_SIZE` draws.

The deterministic evaluation is the single source of truth. The engine
(:class:`SimulationModel`) is built from :func:`fleetcalc.evaluate.tender_arrays`
and :func:`fleetcalc.evaluate.cash_flows`:

* cash flows are multilinear in the money and quantity fields of
  :class:`~fleetcalc.evaluate.TenderArrays` (price, support, fuel use, fuel
  price, km, maintenance and overhaul cost, shortfall): the model probes
  :func:`~fleetcalc.evaluate.cash_flows` at 0/1 values of the perturbed
  fields and recovers, for each bid and cost category, the discounted
  coefficient of each product of fields (a Moebius inversion over the
  subsets of fields), then checks the decomposition at a random point.
  A draw's present values are then a few products and one small
  ``einsum`` over years, with no cash-flow tensor;
* an exchange rate rescales every money field in its currency; a random
  walk multiplies a field's cash flows year by year; a drawn discount rate
  rescales the discount factors;
* the shortfall cost, when availability inputs are uncertain, uses the
  refined normal approximation of the available-unit count
  (:func:`fleetcalc.fleet_distribution.normal_approximation_shortfall`),
  anchored at the exact value: :math:`S(\theta) = S_{exact}(\theta_0) +
  S_{RNA}(\theta) - S_{RNA}(\theta_0)` (clipped at 0). A draw at the point
  values therefore reproduces the exact deterministic shortfall. Without
  uncertain availability inputs the exact deterministic shortfall is used.

Evaluation adjustments (:func:`fleetcalc.adjustments.evaluate_adjustments`)
move with the drawn money: the model probes ``evaluate_adjustments`` with the
unit prices, the drawn exchange rates and the price's present-value factor
set one at a time, and checks the decomposition at random points
(:func:`_build_adjustments`). The lines before the domestic preference, and
each bid's preference margin, are linear in the bid's unit price in the base
currency and in the rate of each drawn currency, and affine in the
present-value factor of the price (corrections and discounts are paid on the
bid's schedule, so a drawn discount rate moves them). Issue 12's rules hold
per draw:

* the MDB domestic preference: whether group C bids carry their margin is
  decided draw by draw by
  :func:`fleetcalc.evaluation_rules.domestic_preference_procedure` on that
  draw's evaluated costs (the lowest group can change between draws);
* ``load_guarantees``: the fuel use is the worse of the drawn declared figure
  and the guarantee plus tolerance, and the availability the fleet outlook
  uses is loaded in the guarantee years by the kernel of
  :func:`fleetcalc.adjustments.loaded_availability`, from the drawn
  reliability figures;
* expected availability damages are information, never part of the
  evaluated cost, so the engine has no damages term.

What stays at the point value: the year-by-year random-walk path of a rate
(the adjustments take the rate's drawn level, as ``evaluate`` would with that
rate), and a ``quantity_rule = "per_unit"`` line's life-cycle subtotal. With
no uncertain input every draw is the point evaluation.
"""

from __future__ import annotations

import concurrent.futures
import itertools
import json
import math
import os
import threading
import typing
import warnings

import attrs
import numpy as np
import pandas as pd
from scipy import sparse

from fleetcalc import ageing, availability, evaluation_rules, finance, fleet_distribution, sampling
from fleetcalc.adjustments import _loading_factor, evaluate_adjustments, loaded_availability
from fleetcalc.evaluate import (
    _evaluate_arrays,
    _evaluated_fuel,
    _existing_fleet_weights,
    _interval_years,
    _mtbf_hours,
    cash_flows,
    tender_arrays,
)
from fleetcalc.exceptions import Problem
from fleetcalc.fleet import DAYS_PER_YEAR, allocate_km
from fleetcalc.lifecycle import CATEGORIES
from fleetcalc.money import Money
from fleetcalc.tender import Bid, Tender
from fleetcalc.uncertainty import Role, _support, expanded_correlation, expanded_inputs, with_input
from fleetcalc.validation import problems_of, raise_if_errors, validators_paused

__all__ = ["DEFAULT_CHUNK_SIZE", "SimulationModel", "SimulationResult", "build_model",
           "simulate"]

#: Default draws per chunk (a task of the local pool or of Dask) [draws].
DEFAULT_CHUNK_SIZE = 8 * sampling.BLOCK_SIZE

_SHORTFALL = "shortfall_unit_days"
#: Draws per pass of the refined-normal kernel, so that its temporaries fit in cache.
_CACHE_DRAWS = 256
_PARAMS = ("mtbf_hours", "mean_downtime_hours", "scheduled_maintenance_days",
           "overhaul_downtime_days")


# --------------------------------------------------------------------------- work buffers

#: Per-thread work arrays, reused from block to block (see :func:`_work`).
_WORK = threading.local()


def _work(name, shape):
    """A float64 work array of ``shape``, owned by the calling thread and reused.

    A fresh process hands the large temporaries of each block back to the
    operating system when they are freed, and faults them in again on the
    next block (about 55,000 minor page faults per 32,768-draw chunk on the
    example). The engine's largest per-block arrays are taken from here
    instead and filled with ``out=``: one buffer per name and thread, grown
    when a larger block needs it, never shared between threads (a local
    thread pool or a Dask worker thread each has its own). Contents are
    garbage on return; a buffer never leaves the engine (results are fresh
    arrays).
    """
    store = getattr(_WORK, "arrays", None)
    if store is None:
        store = _WORK.arrays = {}
    size = math.prod(shape)
    buffer = store.get(name)
    if buffer is None or buffer.size < size:
        buffer = store[name] = np.empty(size)
    return buffer[:size].reshape(shape)


# --------------------------------------------------------------------------- model


@attrs.frozen(eq=False)
class _Dim:
    """One drawn dimension: an input's distribution and what it changes."""

    label: str
    entry: int
    parameters: dict
    scale: str
    role: Role
    targets: tuple
    path: int | None
    drift: float
    volatility: float


@attrs.frozen(eq=False)
class _Availability:
    """Units whose availability a draw can change, as flat cells (group x year)."""

    owners: tuple              # (kind, index) of the uncertain bids and cohorts
    point_params: np.ndarray   # (n_owners, 4) mtbf, mdt, sched, ovh at the point values
    item_owner: np.ndarray     # (I,) owner of each distinct (owner, multiplier, ovh) item
    item_mult: np.ndarray      # (I,) failure-rate multiplier of the item's age
    item_ovh: np.ndarray       # (I,) overhauls in the item's year (interval rule applied)
    item_under: np.ndarray | None  # (I,) loaded to its guarantee (None: no item is)
    item_floor: np.ndarray     # (I, 1) guarantee less tolerance of a loaded item [-]
    item_calendar: np.ndarray  # (I, 1) the guarantee's basis is calendar availability
    cell_item: np.ndarray      # (K,) item of each cell, cells sorted by column
    seg_matrix: object         # (S, I) scipy.sparse: units of each item in each segment
    seg_cols: np.ndarray       # (S,) column b * T + t (b = n_bids: every bid, a cohort)
    cell_bid: np.ndarray       # (K,) bid of a batch cell, -1 for a cohort cell
    cell_slot: np.ndarray      # (K,) group slot in the exact-mode arrays
    cell_t: np.ndarray         # (K,) year
    varying_bids: np.ndarray   # (B,) bool: the bid's own availability varies
    own_units: np.ndarray      # (B,) units-years of each bid's own units
    const_moments: np.ndarray  # (3, B, T) from the groups that do not vary
    demand: np.ndarray         # (T,)
    exact0: np.ndarray         # (B, T) exact expected shortfall [unit-day]
    approx0: np.ndarray        # (B, T) approximation at the point values [unit-day]
    own_point: np.ndarray      # (B,) own-unit availability at the point values
    all_units: np.ndarray      # (B, G, T) every group, for the exact mode
    all_point: np.ndarray      # (B, G, T) point availability, loaded (0 where no units)
    allocation: dict | None = None   # issue 13: what the exact mode needs to re-allocate km


@attrs.frozen(eq=False)
class _Adjustments:
    """Evaluation adjustments as functions of a draw's money (see :func:`_build_adjustments`).

    Each bid's lines before the domestic preference (part 0) and its domestic
    preference margin (part 1, added only where the group procedure applies
    it) are ``rho * L1 + L0``, with ``L = const + price * U + sum_c rate[c] *
    R_c`` linear in the unit price ``U`` [base currency] and the exchange-rate
    ratios ``R_c`` of the drawn currencies, and ``rho`` the present-value
    factor of the price.
    """

    currencies: tuple          # drawn currencies (rate dimensions), in order
    price_point: np.ndarray    # (B,) unit price at the point [base currency]
    const: np.ndarray          # (P, 2, B) L1 (rho-valued) and L0 (t = 0) [base currency]
    price: np.ndarray          # (P, 2, B) coefficient of the bid's own unit price [-]
    rate: np.ndarray           # (P, 2, R, B) coefficient of each drawn rate ratio [base currency]
    rho_weights: np.ndarray    # (B, T) discounted price paid per unit of contract price [-]
    rho0: np.ndarray           # (B,) present-value factor of the price at the point [-]
    groups: np.ndarray | None  # (B,) preference group 'A', 'B', 'C'; None: no preference
    responsive: np.ndarray     # (B,) bids the preference procedure ranks


@attrs.frozen(eq=False)
class SimulationModel:
    """A tender prepared for fast evaluation of many draws (see :func:`build_model`).

    Attributes
    ----------
    bidders : tuple of str
    labels : tuple of str
        The drawn dimensions: one per uncertain input, or per bid or cohort
        for ``bids[*]`` / ``fleet[*]`` inputs that are not ``shared``.
    point_cost : numpy.ndarray, shape (n_bids,)
        Deterministic evaluated cost [base currency].
    responsive : numpy.ndarray of bool, shape (n_bids,)
        Bids that can be ranked.
    """

    bidders: tuple
    labels: tuple
    dims: tuple
    cholesky: np.ndarray | None
    n_paths: int
    periods: int
    base_currency: str
    point_cost: np.ndarray
    point_availability: np.ndarray
    responsive: np.ndarray
    adjustment: np.ndarray
    fields: tuple
    field_point: dict
    field_offset: dict
    field_conv: dict
    field_floor: dict
    rate_members: dict
    terms: tuple
    discount_rate: float
    discount0: np.ndarray
    availability: _Availability | None
    adjustments: _Adjustments | None = None

    @property
    def n_dims(self):
        """Number of drawn dimensions."""
        return len(self.dims)

    def point_values(self):
        """Values of every dimension at the tender's point values (NaN: per target).

        Examples
        --------
        >>> import fleetcalc
        >>> model = build_model(fleetcalc.load_tender("examples/pakistan_locomotives_2026.toml"))
        >>> model.point_values().shape == (model.n_dims,)
        True
        """
        out = np.full(self.n_dims, np.nan)
        for i, dim in enumerate(self.dims):
            if dim.scale == "relative":
                out[i] = 1.0
            elif len({t.point for t in dim.targets}) == 1:
                out[i] = dim.targets[0].point
        return out

    def evaluate(self, values, *, paths=None, exact_shortfall=False):
        """Evaluated cost and own-unit availability of given input values.

        Parameters
        ----------
        values : array_like, shape (n, n_dims)
            Each dimension's value on its own scale (absolute value, or
            multiplier for ``relative``); NaN keeps the tender's point value.
        paths : array_like, shape (n, n_paths, periods), optional
            Multipliers of the random-walk inputs by year; default 1.
        exact_shortfall : bool, optional
            Compute the shortfall with the exact fleet distribution (slow;
            for few draws) instead of the anchored normal approximation.

        Returns
        -------
        cost : numpy.ndarray, shape (n, n_bids)
            Evaluated cost [base currency].
        availability : numpy.ndarray, shape (n, n_bids)
            Own-unit availability [-].
        """
        values = np.atleast_2d(np.asarray(values, dtype=float))
        return _evaluate(self, values, paths, exact_shortfall=exact_shortfall)


def _money_fields(cls):
    hints = typing.get_type_hints(cls)
    return [name for name, hint in hints.items() if Money in typing.get_args(hint)]


def _currency_members(tender, arrays):
    """{currency: [(arrays field, bid index or None)]} of every money value."""
    settings = tender.tender
    members = {}
    array_names = {a.name for a in attrs.fields(type(arrays))}
    for b, bid in enumerate(tender.bids):
        for name in _money_fields(Bid):
            if name not in array_names or np.shape(getattr(arrays, name)) != (len(tender.bids),):
                continue
            value = getattr(bid, name)
            code = value.currency if isinstance(value, Money) else bid.currency
            members.setdefault(code, []).append((name, b))
    diesel = settings.prices.diesel_per_litre
    code = diesel.currency if isinstance(diesel, Money) else settings.base_currency
    members.setdefault(code, []).append(("fuel_price", None))
    if settings.demand is not None:
        cost = settings.demand.shortfall_cost_per_unit_day
        code = cost.currency if isinstance(cost, Money) else settings.base_currency
        members.setdefault(code, []).append(("shortfall_cost_per_unit_day", None))
    return members


def _unit(arrays, name, n_bids, value):
    """A field of TenderArrays filled with ``value`` (its own shape)."""
    shape = np.shape(getattr(arrays, name))
    if shape == ():
        return float(value)
    return np.full(shape, float(value))


def _decompose(arrays, fields, n_bids):
    """Multilinear coefficients of cash flows in ``fields``: {subset: (B, C, T)}."""
    def flows_at(ones, twos=()):
        kwargs = {f: _unit(arrays, f, n_bids, 2.0 if f in twos else 1.0 if f in ones else 0.0)
                  for f in fields}
        return cash_flows(attrs.evolve(arrays, **kwargs))

    cache = {}

    def at(subset):
        key = frozenset(subset)
        if key not in cache:
            cache[key] = flows_at(key)
        return cache[key]

    full = at(fields)
    n_b, n_c, n_t = full.shape
    depends = np.zeros((n_b, n_c, len(fields)), dtype=bool)
    for k, f in enumerate(fields):
        changed = flows_at(set(fields), twos={f})
        depends[:, :, k] = np.any(changed != full, axis=-1)
    terms = {}
    for b in range(n_b):
        for c in range(n_c):
            relevant = [f for k, f in enumerate(fields) if depends[b, c, k]]
            for size in range(len(relevant) + 1):
                for subset in itertools.combinations(relevant, size):
                    coef = np.zeros(n_t)
                    for inner_size in range(size + 1):
                        for inner in itertools.combinations(subset, inner_size):
                            coef += (-1) ** (size - inner_size) * at(inner)[b, c]
                    if np.any(coef != 0):
                        terms.setdefault(frozenset(subset), np.zeros((n_b, n_c, n_t)))
                        terms[frozenset(subset)][b, c] = coef
    # check the decomposition at a random point
    rng = np.random.default_rng(20260101)
    trial = {f: np.asarray(_unit(arrays, f, n_bids, 1.0)) * rng.uniform(
        0.5, 1.5, np.shape(getattr(arrays, f))) for f in fields}
    expected = cash_flows(attrs.evolve(arrays, **{
        f: (float(v) if np.ndim(v) == 0 else v) for f, v in trial.items()}))
    rebuilt = np.zeros_like(expected)
    for subset, coef in terms.items():
        product = np.ones((n_b, 1, n_t))
        for f in subset:
            value = trial[f]
            if np.ndim(value) == 2:
                padded = np.zeros((n_b, n_t))
                padded[:, : value.shape[1]] = value
                product = product * padded[:, None, :]
            else:
                product = product * np.broadcast_to(value, (n_b,))[:, None, None]
        rebuilt += coef * product
    scale = max(float(np.abs(expected).max()), 1.0)
    if np.abs(rebuilt - expected).max() > 1e-9 * scale:
        raise RuntimeError("the cash flows are not multilinear in the uncertain fields "
                           f"{sorted(fields)}; the simulation cannot reproduce them")
    return terms


def _interval(unit, settings):
    """Overhaul interval of a bid or cohort that takes effect (0: none) [year].

    As evaluate's (``overhaul_interval_km`` read at ``annual_km``, issue 13).
    """
    return float(ageing.effective_overhaul_interval(float(_interval_years([unit], settings)[0]),
                                                    unit.service_life_years))


def _multiplier(ages, unit, settings):
    """Failure-rate multiplier and overhauls in the year of a unit at each age."""
    in_service = ages >= 0
    safe = np.where(in_service, ages, 0.0)
    interval = _interval(unit, settings)
    virtual = ageing.virtual_age(safe, overhaul_interval_years=interval,
                                 overhaul_restoration=unit.ageing.overhaul_restoration)
    return (ageing.failure_rate_multiplier(virtual,
                                           failure_rate_growth=unit.ageing.failure_rate_growth),
            ageing.overhauls_in_year(safe, interval))


def _point_figure(unit, name, settings):
    """A unit's reliability figure ``name`` as evaluate reads it (MTBF from ``mdbf_km``)."""
    if name == "mtbf_hours":
        return float(_mtbf_hours([unit], settings)[0])
    value = getattr(unit, name)
    return np.inf if value is None else float(value)


def _support_problems(tender, dims):
    """Drawn availability figures that ``evaluate`` would reject, from the supports.

    For every bid or cohort with a drawn availability figure, the least and
    greatest values of its MTBF, mean down time, scheduled maintenance days
    and overhaul days over the supports of their distributions must keep
    MTBF > 0, the times >= 0 and the planned downtime within the year
    (:func:`fleetcalc.availability.scheduled_downtime_share` <= 1). A
    distribution that could draw outside is a problem before the run; the
    engine never clips a drawn value.
    """
    items = {"bids": tender.bids, "fleet": tender.fleet}
    ranges, where = {}, {}
    for dim in dims:
        if dim.role != Role.AVAILABILITY:
            continue
        entry = tender.uncertainty[dim.entry]
        low, high = _support(entry)
        for t in dim.targets:
            factor = t.point if entry.scale == "relative" else 1.0
            with np.errstate(invalid="ignore"):
                ends = sorted((low * factor, high * factor)) if factor != 0 else [0.0, 0.0]
            ranges[(t.kind, t.index, t.field)] = ends
            where[(t.kind, t.index)] = f"uncertainty[{dim.entry}].distribution"
    problems = []
    for (kind, index), path in where.items():
        unit = items[kind][index]
        name = f"{kind}[{index}]"

        def span(field, unit=unit, kind=kind, index=index):
            value = getattr(unit, field)
            value = math.inf if value is None else float(value)
            return ranges.get((kind, index, field), (value, value))

        mtbf, mdt = span("mtbf_hours"), span("mean_downtime_hours")
        sched, ovh = span("scheduled_maintenance_days"), span("overhaul_downtime_days")
        interval = _interval(unit, tender.tender)
        if not mtbf[0] > 0:
            problems.append(Problem(path, f"can draw an MTBF of {mtbf[0]:g} h for {name}; "
                                    "mtbf_hours must be > 0 (truncate the distribution with "
                                    "low)"))
        for label, (least, _) in (("mean_downtime_hours", mdt),
                                  ("scheduled_maintenance_days", sched),
                                  ("overhaul_downtime_days", ovh)):
            if not least >= 0:
                problems.append(Problem(path, f"can draw {label} = {least:g} for {name}; it "
                                        "must be >= 0 (truncate the distribution with low)"))
        # the tender's own rule (LocomotiveType), at the greatest values drawn
        days = sched[1] + ovh[1] if interval else sched[1]      # in an overhaul year
        if not days <= DAYS_PER_YEAR:
            problems.append(Problem(path, f"can draw planned downtime of {days:g} days a "
                                    f"year for {name} (scheduled maintenance plus the "
                                    f"overhaul's days in its year), more than {DAYS_PER_YEAR:g}; "
                                    "evaluate would reject such a tender (lower high or "
                                    "truncate the distribution)"))
    return problems


def _loading_terms(tender):
    """{bid: (guarantee less tolerance, guarantee years, calendar basis)} of the bids whose
    availability is loaded to its guarantee (``load_guarantees``), else empty."""
    if not tender.tender.evaluation.load_guarantees:
        return {}
    out = {}
    for b, bid in enumerate(tender.bids):
        guarantee = bid.guarantees
        if guarantee is not None and guarantee.availability is not None:
            out[b] = (guarantee.availability - guarantee.availability_tolerance,
                      guarantee.guarantee_years, guarantee.availability_basis == "calendar")
    return out


def _build_availability(tender, arrays, dims):
    owners = []
    for dim in dims:
        if dim.role == Role.AVAILABILITY:
            for t in dim.targets:
                if (t.kind, t.index) not in owners:
                    owners.append((t.kind, t.index))
    if not owners:
        return None
    projection = arrays.fleet
    n_bids = len(tender.bids)
    batch_all = projection.batch_units.astype(float)                  # (B, H, T)
    kept = np.flatnonzero(batch_all.sum(axis=(0, 2)) > 0)             # delivery years used
    cohort_units = projection.cohort_units.astype(float)              # (C, T)
    n_c, periods = cohort_units.shape
    cohort_avail = np.where(cohort_units > 0, np.nan_to_num(projection.cohort_availability), 0)
    batch_units = batch_all[:, kept]                                  # (B, J, T)
    batch_avail = np.where(batch_units > 0,
                           np.nan_to_num(projection.batch_availability[:, kept]), 0.0)
    # what the fleet outlook is evaluated on: the worse of declared and guaranteed
    batch_loaded = np.where(batch_units > 0, np.nan_to_num(loaded_availability(
        tender, projection.batch_ages, projection.batch_availability)[:, kept]), 0.0)
    loading = _loading_terms(tender)
    items = {"bids": tender.bids, "fleet": tender.fleet}
    point = np.array([[_point_figure(items[k][i], n, tender.tender) for n in _PARAMS]
                      for k, i in owners])
    # cells of the varying groups: (column, owner, (multiplier, overhauls in the year),
    # units, bid, slot, t)
    cells = []
    for p, (kind, i) in enumerate(owners):
        if kind == "fleet":
            mult, ovh = _multiplier(projection.cohort_ages[i], tender.fleet[i], tender.tender)
            for t in np.flatnonzero(cohort_units[i] > 0):
                cells.append((n_bids * periods + t, p, (mult[t], ovh[t], False),
                              cohort_units[i, t], -1, i, t))
        else:
            ages = projection.batch_ages[i][kept]
            mult, ovh = _multiplier(ages, tender.bids[i], tender.tender)
            under = ages < loading[i][1] if i in loading else np.zeros(ages.shape, bool)
            for j, t in zip(*np.nonzero(batch_units[i] > 0)):
                cells.append((i * periods + t, p, (mult[j, t], ovh[j, t], bool(under[j, t])),
                              batch_units[i, j, t], i, n_c + j, t))
    if not cells:
        return None                  # no unit of a drawn figure is ever in service
    cells.sort(key=lambda c: c[0])
    columns = np.array([c[0] for c in cells], dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, columns[1:] != columns[:-1]])
    # cells of one owner at one failure-rate multiplier and overhaul count have one
    # availability: compute each distinct item once and sum its units into the segments
    distinct = {}
    cell_item = np.array([distinct.setdefault((c[1],) + c[2], len(distinct)) for c in cells],
                         dtype=np.int64)
    item_owner = np.array([o for o, _, _, _ in distinct], dtype=np.int64)
    item_mult = np.array([m for _, m, _, _ in distinct], dtype=float)
    item_ovh = np.array([v for _, _, v, _ in distinct], dtype=float)
    item_under = np.array([u for _, _, _, u in distinct], dtype=bool)
    owner_bid = np.array([i if k == "bids" else -1 for k, i in owners])[item_owner]
    item_floor = np.array([loading[b][0] if u else np.nan
                           for b, u in zip(owner_bid, item_under)], dtype=float)
    item_calendar = np.array([bool(u) and loading[b][2]
                              for b, u in zip(owner_bid, item_under)], dtype=bool)
    segment = np.cumsum(np.r_[True, columns[1:] != columns[:-1]]) - 1
    fixed_c = np.ones(n_c, dtype=bool)
    fixed_c[[i for k, i in owners if k == "fleet"]] = False
    varying = np.zeros(n_bids, dtype=bool)
    varying[[i for k, i in owners if k == "bids"]] = True
    const = np.zeros((3, n_bids, periods))
    for k, f in enumerate(_moment_terms(cohort_avail[fixed_c])):
        const[k] += (cohort_units[fixed_c] * f).sum(axis=0)
    for k, f in enumerate(_moment_terms(batch_loaded)):
        const[k] += np.where(~varying[:, None], (batch_units * f).sum(axis=1), 0.0)
    seg_cols = columns[starts]
    model = _Availability(
        owners=tuple(owners), point_params=point,
        item_owner=item_owner, item_mult=item_mult, item_ovh=item_ovh,
        item_under=item_under if item_under.any() else None,
        item_floor=item_floor[:, None], item_calendar=item_calendar[:, None],
        cell_item=cell_item,
        seg_matrix=sparse.csr_matrix(
            (np.array([c[3] for c in cells], dtype=float), (segment, cell_item)),
            shape=(len(starts), len(distinct))),
        seg_cols=seg_cols,
        cell_bid=np.array([c[4] for c in cells], dtype=np.int64),
        cell_slot=np.array([c[5] for c in cells], dtype=np.int64),
        cell_t=np.array([c[6] for c in cells], dtype=np.int64),
        varying_bids=varying,
        own_units=np.maximum(batch_units[:, :, 1:].sum(axis=(1, 2)), 1.0),
        # issue 13: the demand as unit-equivalents (real with loco_km) and the point
        # shortfall of the km allocation (fleetcalc.fleet.allocate_km)
        const_moments=const, demand=(projection.demand if projection.demand_units is None
                                     else projection.demand_units).astype(float),
        exact0=np.asarray(arrays.shortfall_unit_days, dtype=float), approx0=np.zeros(0),
        own_point=np.zeros(0),
        all_units=np.concatenate([np.broadcast_to(cohort_units, (n_bids,) + cohort_units.shape),
                                  batch_units], axis=1),
        all_point=np.concatenate([np.broadcast_to(cohort_avail, (n_bids,) + cohort_avail.shape),
                                  batch_loaded], axis=1))
    if projection.has_demand:
        # issue 13: the exact mode re-runs the km allocation (fleetcalc.fleet.allocate_km)
        # with the drawn availability; groups as in all_units (cohorts, kept batches)
        model = attrs.evolve(model, allocation={
            "arrays": arrays, "n_cohorts": n_c,
            "priority": np.concatenate([projection.cohort_priority + 1,
                                        np.zeros(len(kept), dtype=int)]),
            "batch_factor": arrays.batch_maintenance_factor[:, kept],
            **dict(zip(("litres", "weight"), _existing_fleet_weights(tender, projection)))})
    params0 = np.broadcast_to(point, (1,) + point.shape)
    own_fixed = np.where(varying, 0.0, _own(batch_units, batch_avail))
    model = attrs.evolve(model, own_point=own_fixed)
    sud0, own0 = _availability_block(model, params0, exact=False, anchored=False)
    return attrs.evolve(model, approx0=sud0[0].copy(),
                        own_point=np.where(varying, own0[0], own_fixed))


def _own(units, avail):
    """Own-unit availability: mean over the bid's units and years 1..H."""
    return (units[:, :, 1:] * avail[:, :, 1:]).sum(axis=(1, 2)) / np.maximum(
        units[:, :, 1:].sum(axis=(1, 2)), 1.0)


def _moment_terms(avail, work=False):
    """A, A(1 - A), A(1 - A)(1 - 2A): the cumulant terms of a Bernoulli unit.

    With ``work``, the two products are written into the thread's work buffers.
    """
    q = np.multiply(avail, avail, out=_work("q", avail.shape) if work else None)
    np.subtract(avail, q, out=q)
    third = np.multiply(avail, 2.0, out=_work("third", avail.shape) if work else None)
    np.subtract(1.0, third, out=third)
    np.multiply(q, third, out=third)
    return avail, q, third


def _item_availability(model, params):
    """Availability (I, n) of each distinct (owner, multiplier) item for params (n, k, 4).

    The formulas of :func:`fleetcalc.fleet.unit_availability`, through the
    kernels of :mod:`fleetcalc.availability` (no clipping: the supports were
    checked by :func:`_support_problems`).
    """
    n = params.shape[0]
    n_items = model.item_owner.size
    p = _work("params", params.shape[1:] + (n,))                       # (k, 4, n)
    p[...] = np.moveaxis(params, 0, -1)
    mtbf, mdt, sched, ovh = p[:, 0], p[:, 1], p[:, 2], p[:, 3]
    owner = model.item_owner

    def per_item(values, name):
        return np.take(values, owner, axis=0, out=_work(name, (n_items, n)))

    share = availability._scheduled_share(per_item(sched, "sched"), per_item(ovh, "ovh"),
                                          model.item_ovh[:, None], DAYS_PER_YEAR,
                                          out=_work("ovh", (n_items, n)))
    up = per_item(mtbf, "up")
    up /= model.item_mult[:, None]                                      # effective MTBF
    mdt = per_item(mdt, "mdt")
    fraction = availability._up_fraction(up, mdt, out=_work("fraction", (n_items, n)))
    declared = availability._annual_availability(up, mdt, share, up_fraction=fraction,
                                                 out=_work("declared", (n_items, n)))
    if model.item_under is None:
        return declared, declared
    # load_guarantees: the worse of declared and guaranteed in the guarantee years
    # (adjustments.loaded_availability), with A_c on the contract's definition
    on_contract = np.where(model.item_calendar, declared, fraction)
    factor = _loading_factor(model.item_floor, on_contract, model.item_under[:, None])
    return declared, np.multiply(declared, factor, out=_work("loaded", (n_items, n)))


def _availability_block(model, params, *, exact, anchored=True):
    """Shortfall [unit-day] (n, B, T) and own availability (n, B) for owner params (n, k, 4).

    Items are laid out item-major, ``(I, n)``, so that the sums over the
    cells of a bid and year (a sparse product) add contiguous rows. The
    draws go through in slices of :data:`_CACHE_DRAWS`, so the temporaries
    stay in the processor cache; every value depends on its own draw only.
    """
    n = params.shape[0]
    n_bids, _, periods = model.all_units.shape
    if exact:
        return _exact_block(model, params)
    approx = _work("approx", (n, n_bids, periods))
    own = np.empty((n, n_bids))
    demand = model.demand[:, None]
    for a in range(0, n, _CACHE_DRAWS):
        b = min(a + _CACHE_DRAWS, n)
        moments, own[a:b] = _moments(model, *_item_availability(model, params[a:b]))
        part = fleet_distribution._refined_normal_shortfall(moments[0], moments[1],
                                                            moments[2], demand)
        approx[a:b] = np.moveaxis(part, -1, 0)
    approx *= DAYS_PER_YEAR
    if not anchored:
        return approx, own
    approx -= model.approx0
    approx += model.exact0
    return np.maximum(approx, 0.0, out=approx), own


def _moments(model, declared, loaded):
    """Mean, variance and third cumulant (3 x (B, T, n)) of the available units, and own
    availability (n, B), from the items' availability (I, n): the moments from the
    loaded availability (what the fleet outlook is evaluated on), the bid's own
    availability from the declared one (as ``evaluate`` reports it)."""
    n = loaded.shape[1]
    n_bids, _, periods = model.all_units.shape
    columns = _work("columns", ((n_bids + 1) * periods, n))
    columns[...] = 0.0
    moments = []

    def own_of(columns):
        grid = columns.reshape(n_bids + 1, periods, n)
        return np.where(model.varying_bids[:, None],
                        grid[:n_bids, 1:].sum(axis=1) / model.own_units[:, None],
                        model.own_point[:, None]).T                      # (n, B)

    for k, term in enumerate(_moment_terms(loaded, work=True)):
        columns[model.seg_cols] = model.seg_matrix @ term
        grid = columns.reshape(n_bids + 1, periods, n)
        moment = _work(f"moment{k}", (n_bids, periods, n))
        np.add(model.const_moments[k][..., None], grid[:n_bids], out=moment)
        moment += grid[n_bids:]
        moments.append(moment)
        if k == 0 and declared is loaded:
            own = own_of(columns)
    if declared is not loaded:
        columns[model.seg_cols] = model.seg_matrix @ declared
        own = own_of(columns)
    return moments, own


def _exact_block(model, params):
    """Exact shortfall (n, B, T) with the fleet distribution, and own availability (n, B)."""
    avail, own = _exact_availability(model, params)
    # E[max(0, D - X)] for a real demand D: the unserved units of one block
    # (fleetcalc.fleet.allocate_km), exact from the same window pmf as fleet_outlook
    units = model.all_units.astype(np.int64)
    served = allocate_km(np.broadcast_to(units, avail.shape), avail, model.demand,
                         np.zeros(units.shape[-2], dtype=int))
    return DAYS_PER_YEAR * served.unserved, own


def _allocation_delta(model, params):
    """Change (n, B) of the PV of energy, maintenance, existing fleet and emissions when
    the km allocation follows the drawn availability (exact mode; issue 13).

    The same kernels as :func:`fleetcalc.evaluate.tender_arrays`:
    :func:`fleetcalc.fleet.allocate_km` on the drawn availability, then
    :func:`fleetcalc.evaluate.cash_flows`; the other fields at their point values.
    """
    ctx = model.allocation
    arrays = ctx["arrays"]
    avail, _ = _exact_availability(model, params)
    units = model.all_units.astype(np.int64)
    running = allocate_km(np.broadcast_to(units, avail.shape), avail, model.demand,
                          ctx["priority"]).running                     # (n, B, G, T)
    n_c = ctx["n_cohorts"]
    batches, cohorts = running[..., n_c:, :], running[..., :n_c, :]
    periods = arrays.units_in_service.shape[-1]
    drawn = attrs.evolve(
        arrays, units_in_service=batches.sum(axis=-2)[..., :periods],
        maintenance_units=(batches * ctx["batch_factor"]).sum(axis=-2)[..., :periods],
        existing_fuel_units=(cohorts * ctx["litres"][:, None]).sum(axis=-2)[..., :periods],
        existing_maintenance_units=(cohorts * ctx["weight"]).sum(axis=-2)[..., :periods])
    rows = [CATEGORIES.index(c) for c in ("energy", "maintenance", "existing_fleet",
                                          "emissions")]
    change = (cash_flows(drawn)[..., rows, :] - cash_flows(arrays)[..., rows, :]).sum(axis=-2)
    return finance.npv(arrays.discount_rate, change)


def _exact_availability(model, params):
    """Availability (n, B, G, T) of every group with the drawn figures, and own (n, B)."""
    n = params.shape[0]
    declared, item_avail = _item_availability(model, params)
    _, own = _moments(model, declared, item_avail)
    cell_avail = item_avail[model.cell_item]
    avail = np.broadcast_to(model.all_point, (n,) + model.all_point.shape).copy()
    batch = model.cell_bid >= 0
    avail[:, model.cell_bid[batch], model.cell_slot[batch], model.cell_t[batch]] = (
        cell_avail[batch].T)
    for k in np.flatnonzero(~batch):
        avail[:, :, model.cell_slot[k], model.cell_t[k]] = cell_avail[k][:, None]
    return avail, own


def _money_currency(value, default):
    return value.currency if isinstance(value, Money) else default


def _build_adjustments(tender, arrays, dims, fields, discount0, lcc, responsive):
    """The adjustment lines as functions of the drawn money, or None if none moves.

    Probes :func:`fleetcalc.adjustments.evaluate_adjustments` with the unit
    prices (``arrays.unit_price``), the exchange rates of the drawn
    currencies and the price's present-value factor ``rho`` (through
    ``pv_price``) set one at a time. The lines before the domestic
    preference and each bid's preference margin are linear in the prices and
    rates at a given ``rho``, and affine in ``rho``. Whether a margin applies
    is decided per draw by the MDB group procedure
    (:func:`fleetcalc.evaluation_rules.domestic_preference_procedure`, in
    :func:`_with_preference`), so that model is built whenever the tender has
    a domestic preference, even with no drawn money: a draw of availability
    or fuel can change which group is lowest. The decomposition is checked
    against ``evaluate_adjustments`` at two random points; the model refuses
    to run if it does not hold.
    """
    settings = tender.tender
    rules = settings.evaluation
    currencies = tuple(d.targets[0].field for d in dims if d.role == Role.RATE)
    if not (currencies or "unit_price" in fields or any(d.role == Role.DISCOUNT for d in dims)
            or (rules.domestic_preference and dims)):
        return None
    n_bids = len(tender.bids)
    bidders = [b.bidder for b in tender.bids]
    quantity = np.array([b.quantity for b in tender.bids], dtype=float)
    price0 = np.asarray(arrays.unit_price, dtype=float)
    groups = None
    if rules.domestic_preference:
        groups = evaluation_rules.preference_groups(
            np.array([bid.evaluation.domestic_value_added for bid in tender.bids]),
            threshold=rules.domestic_preference_threshold,
            explicit=[bid.evaluation.preference_group for bid in tender.bids])

    def probe(prices, ratios, rho):
        """(lines before the preference, margins, total) per bid at prices, ratios, rho."""
        rates = dict(settings.exchange_rates)
        for code, ratio in zip(currencies, ratios):
            rates[code] = rates[code] * ratio
        with validators_paused():
            changed = attrs.evolve(tender, tender=attrs.evolve(settings, exchange_rates=rates))
        contract = prices * quantity
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = evaluate_adjustments(changed, attrs.evolve(arrays, unit_price=prices),
                                          pv_price=rho * contract, lcc_npv=lcc)
        lines = result.lines
        kept = lines.loc[lines["stage"] != "domestic_preference"].groupby("bidder")["amount"]
        kept = kept.sum().reindex(bidders, fill_value=0.0).to_numpy(dtype=float)
        margin = (np.zeros(n_bids) if result.preference is None
                  else result.preference["margin"].to_numpy(dtype=float))
        return np.stack([kept, margin]), result.total

    def parts(prices, ratios):
        """(P, 2, B): the rho-valued and t = 0 parts of the lines and of the margins."""
        one, _ = probe(prices, ratios, 1.0)
        two, _ = probe(prices, ratios, 2.0)
        return np.stack([two - one, 2.0 * one - two], axis=1)

    x_rate = np.ones(len(currencies))

    def coefficients(x_price):
        base = parts(x_price, x_rate)
        price = np.zeros((2, 2, n_bids))
        for b in range(n_bids):
            step = x_price.copy()
            step[b] *= 2.0
            price[..., b] = (parts(step, x_rate) - base)[..., b] / x_price[b]
        rate = np.zeros((2, 2, len(currencies), n_bids))
        for c in range(len(currencies)):
            step = x_rate.copy()
            step[c] = 2.0
            rate[:, :, c] = parts(x_price, step) - base
        return base - price * x_price - rate.sum(axis=2), price, rate

    x_price = np.where(price0 > 0, price0, 1.0)
    const, price, rate = coefficients(x_price)
    if groups is not None and (groups == "C").any():
        # a margin is clipped at 0 on a base below zero (adjustments._preference): probe
        # the margins at prices large enough (x 2**10, an exact scaling) for every base
        # to be positive, and clip per draw
        const[1], price[1], rate[1] = (a[1] for a in coefficients(x_price * 1024.0))

    # present-value factor of the price: acquisition and financing per unit of contract price
    index = [CATEGORIES.index("acquisition"), CATEGORIES.index("financing")]
    per_price = (cash_flows(attrs.evolve(arrays, unit_price=np.ones(n_bids)))[:, index]
                 - cash_flows(attrs.evolve(arrays, unit_price=np.zeros(n_bids)))[:, index])
    rho_weights = per_price.sum(axis=1) / quantity[:, None] * discount0
    adjust = _Adjustments(
        currencies=currencies, price_point=price0, const=const, price=price, rate=rate,
        rho_weights=rho_weights, rho0=rho_weights.sum(axis=-1), groups=groups,
        responsive=np.asarray(responsive, dtype=bool))

    # check against evaluate_adjustments at two random points (the second at low prices)
    rng = np.random.default_rng(20260102)
    for scale in (1.0, 0.02):
        prices = x_price * scale * rng.uniform(0.5, 1.5, n_bids)
        ratios = rng.uniform(0.5, 1.5, len(currencies))
        for rho in (1.0, 2.0):
            _, expected = probe(prices, ratios, rho)
            rebuilt = _with_preference(adjust, lcc[None], prices[None], ratios[:, None],
                                       np.full((1, n_bids), rho))[0]
            expected = lcc + expected           # evaluated costs: the decision needs lcc
            tolerance = 1e-9 * max(float(np.abs(expected).max()), float(np.abs(
                prices * quantity).max()), 1.0)
            if np.abs(rebuilt - expected).max() > tolerance:
                raise RuntimeError(
                    "the evaluation adjustments are not linear in the drawn unit prices and "
                    f"exchange rates ({', '.join(currencies) or 'none'}); the simulation "
                    "cannot reproduce them")
    return adjust


def _lines_of(adjust, part, prices, ratios, rho):
    """Part ``part`` (0: lines before the preference, 1: margins) at (n, B) prices and rho."""
    lines = []
    for k in range(2):
        value = adjust.const[part, k] + adjust.price[part, k] * prices
        for c in range(len(adjust.currencies)):
            value = value + adjust.rate[part, k, c] * ratios[c][:, None]
        lines.append(value)
    return rho * lines[0] + lines[1]


def _with_preference(adjust, lcc, prices, ratios, rho):
    """Evaluated cost (n, B) of life-cycle costs ``lcc`` (n, B) with every adjustment.

    The lines before the domestic preference are added; then, draw by draw, the
    MDB group procedure (:func:`fleetcalc.evaluation_rules.domestic_preference_procedure`)
    decides whether group C bids carry their margin: it depends only on which
    ranked bid is lowest before the margin, so the procedure is called once per
    distinct lowest bid of the block (at most one call per bid) and its decision
    is given to every draw with that lowest bid.
    """
    before = lcc + _lines_of(adjust, 0, prices, ratios, rho)
    if adjust.groups is None or not adjust.responsive.any():
        return before
    # no margin on a base below zero (as adjustments._preference)
    margin = np.maximum(_lines_of(adjust, 1, prices, ratios, rho), 0.0)
    ranked = np.where(adjust.responsive, before, np.inf)
    lowest = np.argmin(ranked, axis=1)
    applied = np.zeros(before.shape, dtype=bool)
    for b in np.unique(lowest):
        rows = np.flatnonzero(lowest == b)
        first = rows[0]
        outcome = evaluation_rules.domestic_preference_procedure(
            np.where(adjust.responsive, before[first], np.nan), adjust.groups, margin[first])
        applied[rows] = outcome.applied
    return np.where(applied, before + margin, before)


def build_model(tender: Tender) -> SimulationModel:
    """Prepare a tender for fast evaluation of many draws.

    Parameters
    ----------
    tender : fleetcalc.Tender
        A valid tender; its ``[[uncertainty]]`` may be empty.

    Returns
    -------
    SimulationModel

    Raises
    ------
    TenderError
        If the tender or its uncertainty has problems.

    Examples
    --------
    >>> import fleetcalc
    >>> model = build_model(fleetcalc.load_tender("examples/pakistan_locomotives_2026.toml"))
    >>> cost, _ = model.evaluate([model.point_values()])
    >>> bool(np.allclose(cost[0], model.point_cost, rtol=1e-9))
    True
    """
    problems = problems_of(tender)          # the tender's rules include its uncertainty's
    raise_if_errors(problems)
    raw = expanded_inputs(tender)
    dims, n_paths = [], 0
    for entry_index, label, targets in raw:
        entry = tender.uncertainty[entry_index]
        path = None
        if entry.process is not None:
            path, n_paths = n_paths, n_paths + 1
        dims.append(_Dim(
            label=label, entry=entry_index,
            parameters={k: getattr(entry, k) for k in ("distribution", "low", "mode", "high",
                                                      "mean", "std")},
            scale=entry.scale, role=targets[0].role, targets=tuple(targets), path=path,
            drift=float(entry.drift), volatility=float(entry.volatility or 0.0)))
    raise_if_errors(_support_problems(tender, dims))
    arrays = tender_arrays(tender)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        point = _evaluate_arrays(tender, arrays, problems)
    bidders = tuple(b.bidder for b in tender.bids)
    ranking = point.ranking.reindex(list(bidders))
    n_bids = len(bidders)
    matrix = expanded_correlation(tender, raw)
    cholesky = None if np.all(matrix == np.eye(len(dims))) else np.linalg.cholesky(matrix)

    # linear fields: conversion from the input's own unit to TenderArrays
    linear = [d for d in dims if d.role == Role.LINEAR]
    offset, conv = {}, {}
    rules = tender.tender.evaluation
    floors = {}
    if rules.load_guarantees:
        # the worse-of rule (evaluate._evaluated_fuel) per draw: max(drawn declared, floor),
        # with the floor the guaranteed figure plus tolerance (0 where none is loaded)
        floor = np.array([_evaluated_fuel(attrs.evolve(bid, fuel_litres_per_km=0.0), rules)
                          for bid in tender.bids])
        if np.any(floor > 0):
            floors["fuel_litres_per_km"] = floor
    if linear:
        ones, twos = tender, tender
        if rules.load_guarantees:   # conversions of the declared figures, before loading
            with validators_paused():
                ones = twos = attrs.evolve(tender, tender=attrs.evolve(
                    tender.tender, evaluation=attrs.evolve(rules, load_guarantees=False)))
        for d in linear:
            ones = with_input(ones, d.label, 1.0)
            twos = with_input(twos, d.label, 2.0)
        a1, a2 = tender_arrays(ones), tender_arrays(twos)
        for d in linear:
            for t in d.targets:
                f = t.array
                v1 = np.broadcast_to(np.asarray(getattr(a1, f), dtype=float), (n_bids,))
                v2 = np.broadcast_to(np.asarray(getattr(a2, f), dtype=float), (n_bids,))
                conv[f] = v2 - v1
                offset[f] = v1 - conv[f]
    members = _currency_members(tender, arrays)
    rate_members = {d.targets[0].field: tuple(members.get(d.targets[0].field, ()))
                    for d in dims if d.role == Role.RATE}
    scaled = {t.array for d in linear for t in d.targets}
    scaled |= {f for group in rate_members.values() for f, _ in group}
    availability = _build_availability(tender, arrays, dims)
    if availability is not None and tender.tender.demand is not None:
        scaled.add(_SHORTFALL)
    fields = tuple(sorted(scaled))
    terms = (_decompose(arrays, fields, n_bids) if fields else {}) or {
        frozenset(): cash_flows(arrays)}
    periods = next(iter(terms.values())).shape[-1]
    discount0 = finance.discount_factors(arrays.discount_rate, np.arange(periods))
    packed = []
    for subset, coef in terms.items():
        weighted = coef * discount0
        static = tuple(f for f in subset if f != _SHORTFALL)
        packed.append((static, _SHORTFALL in subset, weighted, weighted.sum(axis=-1)))
    field_point = {}
    for f in fields:
        if f == _SHORTFALL:
            continue
        field_point[f] = np.broadcast_to(np.asarray(getattr(arrays, f), dtype=float),
                                         (n_bids,)).copy()
    field_floor = {f: v for f, v in floors.items() if f in field_point}
    adjustment = (ranking["evaluated_cost"] - ranking["lcc_npv"]).to_numpy(dtype=float)
    responsive = (ranking["responsive"].to_numpy(dtype=bool) if "responsive" in ranking
                  else np.ones(n_bids, dtype=bool))
    adjustments = _build_adjustments(tender, arrays, dims, fields, discount0,
                                     ranking["lcc_npv"].to_numpy(dtype=float), responsive)
    return SimulationModel(
        bidders=bidders, labels=tuple(d.label for d in dims), dims=tuple(dims),
        cholesky=cholesky, n_paths=n_paths, periods=periods,
        base_currency=tender.tender.base_currency,
        point_cost=ranking["evaluated_cost"].to_numpy(dtype=float),
        point_availability=ranking["availability"].to_numpy(dtype=float)
        if "availability" in ranking else np.full(n_bids, np.nan),
        responsive=responsive, adjustment=np.asarray(adjustment, dtype=float),
        fields=fields, field_point=field_point, field_offset=offset, field_conv=conv,
        field_floor=field_floor,
        rate_members=rate_members, terms=tuple(packed),
        discount_rate=float(arrays.discount_rate), discount0=discount0,
        availability=availability, adjustments=adjustments)


def _evaluate(model, values, paths, *, exact_shortfall=False, shortfall_pv=False):
    """Evaluated cost and own availability (n, B) of dimension values (n, d).

    With ``shortfall_pv``, also the present value of the shortfall cost (n, B).
    """
    n = values.shape[0]
    n_bids = len(model.bidders)
    periods = model.periods
    V = {f: np.broadcast_to(p, (n, n_bids)).copy() for f, p in model.field_point.items()}
    dyn = {}
    discount_ratio = None
    params = None
    if model.availability is not None:
        params = np.broadcast_to(model.availability.point_params,
                                 (n,) + model.availability.point_params.shape).copy()
        owner = {o: k for k, o in enumerate(model.availability.owners)}
    for i, dim in enumerate(model.dims):
        x = values[:, i]
        keep = np.isnan(x)
        if dim.role == Role.LINEAR:
            for t in dim.targets:
                cols = slice(None) if t.index is None else t.index
                local = x if dim.scale == "absolute" else x * t.point
                new = (model.field_offset[t.array][cols]
                       + model.field_conv[t.array][cols] * (local[:, None] if t.index is None
                                                            else local))
                V[t.array][:, cols] = np.where(keep[:, None] if t.index is None else keep,
                                               V[t.array][:, cols], new)
        elif dim.role == Role.DISCOUNT:
            rate = np.where(keep, model.discount_rate,
                            x if dim.scale == "absolute" else x * model.discount_rate)
            t = np.arange(periods)
            discount_ratio = ((1.0 + model.discount_rate) / (1.0 + rate[:, None])) ** t
            discount_ratio = discount_ratio[:, None, :]
        elif dim.role == Role.AVAILABILITY and params is not None:
            j = _PARAMS.index(dim.targets[0].field)
            for t in dim.targets:
                local = x if dim.scale == "absolute" else x * t.point
                k = owner[(t.kind, t.index)]
                params[:, k, j] = np.where(keep, params[:, k, j], local)
    for f, floor in model.field_floor.items():    # worse of declared and guaranteed
        np.maximum(V[f], floor, out=V[f])
    rate_ratio = {}
    for i, dim in enumerate(model.dims):
        path = None if dim.path is None or paths is None else paths[:, dim.path]
        if dim.role == Role.RATE:
            x = values[:, i]
            ratio = np.where(np.isnan(x), 1.0,
                             x / dim.targets[0].point if dim.scale == "absolute" else x)
            rate_ratio[dim.targets[0].field] = ratio
            for f, b in model.rate_members[dim.targets[0].field]:
                cols = slice(None) if b is None else b
                V[f][:, cols] *= ratio[:, None] if b is None else ratio
                if path is not None:
                    if f not in dyn:
                        dyn[f] = _work(f"dyn:{f}", (n, n_bids, periods))
                        dyn[f][...] = 1.0
                    dyn[f][:, cols] *= path[:, None, :] if b is None else path
        elif dim.role == Role.LINEAR and path is not None:
            for t in dim.targets:
                if t.array not in dyn:
                    dyn[t.array] = _work(f"dyn:{t.array}", (n, n_bids, periods))
                    dyn[t.array][...] = 1.0
                cols = slice(None) if t.index is None else t.index
                dyn[t.array][:, cols] *= path[:, None, :] if t.index is None else path
    shortfall = None
    moved = None
    availability = np.broadcast_to(model.point_availability, (n, n_bids))
    if model.availability is not None:
        sud, availability = _availability_block(model.availability, params,
                                                exact=exact_shortfall)
        if exact_shortfall and model.availability.allocation is not None:
            moved = _allocation_delta(model.availability, params)
        if sud.shape[-1] == periods:
            shortfall = sud
        else:
            shortfall = _work("shortfall", (n, n_bids, periods))
            shortfall[..., sud.shape[-1]:] = 0.0
            shortfall[..., : sud.shape[-1]] = sud
    pv = None
    pv_shortfall = np.zeros((n, n_bids))
    n_cat = model.terms[0][2].shape[1]
    term = _work("term", (n, n_bids, n_cat))
    for static, uses_shortfall, weighted, summed in model.terms:
        product = np.ones((n, n_bids))
        for f in static:
            product = product * V[f]
        factors = [dyn[f] for f in static if f in dyn]
        if uses_shortfall:
            factors.append(shortfall)
        if discount_ratio is not None:
            factors.append(discount_ratio)
        if factors:
            combined = factors[0]
            if len(factors) > 1:
                combined = np.multiply(combined, factors[1],
                                       out=_work("combined", (n, n_bids, periods)))
                for extra in factors[2:]:
                    combined *= extra
            np.einsum("nbt,bct->nbc", np.broadcast_to(combined, (n, n_bids, periods)),
                      weighted, out=term)
            term *= product[:, :, None]
        else:
            np.multiply(product[:, :, None], summed[None], out=term)
        if pv is None:
            pv = _work("pv", term.shape)
            pv[...] = term
        else:
            pv += term
        if uses_shortfall:
            pv_shortfall = pv_shortfall + term.sum(axis=-1)
    lcc = pv.sum(axis=-1)
    if moved is not None:
        lcc = lcc + moved
    adjust = model.adjustments
    if adjust is None:
        cost = lcc + model.adjustment
    else:
        prices = V["unit_price"] if "unit_price" in V else np.broadcast_to(
            adjust.price_point, (n, n_bids))
        ratios = np.array([rate_ratio[c] for c in adjust.currencies]).reshape(-1, n)
        if discount_ratio is None:
            rho = np.broadcast_to(adjust.rho0, (n, n_bids))
        else:
            rho = np.einsum("nt,bt->nb", discount_ratio[:, 0, :], adjust.rho_weights)
        rho = np.where(prices > 0, rho, 0.0)      # as evaluate: pv_price / contract, or 0
        cost = _with_preference(adjust, lcc, prices, ratios, rho)
    if shortfall_pv:
        return cost, np.array(availability, dtype=float), pv_shortfall
    return cost, np.array(availability, dtype=float)


# --------------------------------------------------------------------------- sampling


def _block_values(model, seed, block, rows=sampling.BLOCK_SIZE):
    """Values (rows, d) and path multipliers (rows, n_paths, T) of one block's first rows.

    The generator always draws the whole block (its numbers do not depend on
    ``rows``); only the first ``rows`` draws are transformed and evaluated.
    """
    size = sampling.BLOCK_SIZE
    scores, shocks = sampling.block_scores(
        seed, block, n_inputs=model.n_dims, n_paths=model.n_paths, steps=model.periods - 1,
        out=(_work("scores", (size, model.n_dims)),
             _work("shocks", (size, model.n_paths, model.periods - 1))))
    scores, shocks = scores[:rows], shocks[:rows]
    z = sampling.correlate(scores, model.cholesky)
    values = np.empty_like(z)
    for i, dim in enumerate(model.dims):
        values[:, i] = sampling.values_from_scores(z[:, i], **dim.parameters)
    paths = None
    if model.n_paths:
        paths = np.empty((z.shape[0], model.n_paths, model.periods))
        for dim in model.dims:
            if dim.path is not None:
                paths[:, dim.path] = sampling.random_walk(
                    shocks[:, dim.path], drift=dim.drift, volatility=dim.volatility)
    return values, paths


def _run_chunk(model, seed, blocks, draws):
    """Evaluate whole blocks; return (cost, availability) trimmed to ``draws``."""
    costs, avails = [], []
    for block in blocks:
        keep = min(sampling.BLOCK_SIZE, draws - block * sampling.BLOCK_SIZE)
        values, paths = _block_values(model, seed, block, keep)
        cost, avail = _evaluate(model, values, paths)
        costs.append(cost)
        avails.append(avail)
    return np.concatenate(costs), np.concatenate(avails)


# --------------------------------------------------------------------------- result


def _percentiles(values, q):
    return np.percentile(values, q, axis=0)


@attrs.frozen(eq=False)
class SimulationResult:
    """Distribution of every bid's evaluated cost and availability over the draws.

    Attributes
    ----------
    bidders : tuple of str
    draws, seed : int
    inputs : tuple of str
        The drawn dimensions.
    base_currency : str
    draws_evaluated_cost : numpy.ndarray, shape (draws, n_bids)
        Evaluated cost of each draw [base currency].
    draws_availability : numpy.ndarray, shape (draws, n_bids)
        Own-unit availability of each draw [-].
    point_cost : numpy.ndarray, shape (n_bids,)
        Deterministic evaluated cost [base currency].
    responsive : numpy.ndarray of bool, shape (n_bids,)
    tornado : pandas.DataFrame or None
        The tornado table of :func:`fleetcalc.sensitivity.tornado`, when
        attached (``attrs.evolve(result, tornado=...)``) for the report.
    """

    bidders: tuple
    draws: int
    seed: int
    inputs: tuple
    base_currency: str
    draws_evaluated_cost: np.ndarray
    draws_availability: np.ndarray
    point_cost: np.ndarray
    responsive: np.ndarray
    tornado: object = None

    @property
    def p_rank_first(self):
        """Probability that each bid ranks first (lowest cost among responsive bids) [-]."""
        cost = np.where(self.responsive, self.draws_evaluated_cost, np.inf)
        if not self.responsive.any():
            return np.zeros(len(self.bidders))
        winner = np.argmin(cost, axis=1)
        return np.bincount(winner, minlength=len(self.bidders)) / self.draws

    @property
    def summary(self):
        """One row per bid: ``bidder``, ``mean``, ``std``, ``p10``, ``p50``, ``p90``,
        ``p_rank_first``, ``availability_mean`` and more [base currency; -]."""
        cost, avail = self.draws_evaluated_cost, self.draws_availability
        pc = _percentiles(cost, [10, 50, 90])
        pa = _percentiles(avail, [10, 50, 90])
        ddof = 1 if self.draws > 1 else 0
        return pd.DataFrame({
            "bidder": list(self.bidders),
            "mean": cost.mean(axis=0),
            "std": cost.std(axis=0, ddof=ddof),
            "p10": pc[0], "p50": pc[1], "p90": pc[2],
            "p_rank_first": self.p_rank_first,
            "availability_mean": avail.mean(axis=0),
            "availability_std": avail.std(axis=0, ddof=ddof),
            "availability_p10": pa[0], "availability_p50": pa[1], "availability_p90": pa[2],
            "point": self.point_cost,
            "responsive": self.responsive,
        })

    @property
    def p_cheaper(self):
        """``p_cheaper.loc[a, b]``: probability that bid a costs less than bid b [-]."""
        cost = self.draws_evaluated_cost
        table = (cost[:, :, None] < cost[:, None, :]).mean(axis=0)
        np.fill_diagonal(table, np.nan)
        return pd.DataFrame(table, index=pd.Index(self.bidders, name="bidder"),
                            columns=list(self.bidders))

    def to_dict(self):
        """The result as plain Python data (the binding JSON shape).

        Returns
        -------
        dict
            ``{"simulation": {"draws", "seed", "base_currency", "inputs",
            "bids": [{"bidder", "mean", "std", "p10", "p50", "p90",
            "p_rank_first", "availability_mean", ...}], "p_cheaper": {a: {b: p}}}}``.
        """
        def number(x):
            x = float(x)
            return x if math.isfinite(x) else None

        bids = []
        for row in self.summary.to_dict(orient="records"):
            bids.append({k: (v if k == "bidder" else bool(v) if k == "responsive"
                             else number(v)) for k, v in row.items()})
        table = self.p_cheaper
        p_cheaper = {a: {b: float(table.loc[a, b]) for b in self.bidders if b != a}
                     for a in self.bidders}
        return {"simulation": {"draws": int(self.draws), "seed": int(self.seed),
                               "base_currency": self.base_currency,
                               "inputs": list(self.inputs), "bids": bids,
                               "p_cheaper": p_cheaper}}

    def to_json(self, *, indent=2):
        """The result as JSON text (see :meth:`to_dict`)."""
        return json.dumps(self.to_dict(), indent=indent, allow_nan=False)


# --------------------------------------------------------------------------- driver


def simulate(tender: Tender, *, draws: int, seed: int, chunk_size: int = DEFAULT_CHUNK_SIZE,
             client: typing.Any = None, progress: typing.Callable[..., object] | None = None,
             workers: int | None = None, model: SimulationModel | None = None
             ) -> SimulationResult:
    """Monte Carlo simulation of every bid's evaluated cost and availability.

    Parameters
    ----------
    tender : fleetcalc.Tender
        A valid tender with ``[[uncertainty]]`` entries (none: every draw is
        the deterministic evaluation).
    draws : int
        Number of draws (>= 1).
    seed : int
        Seed (>= 0); the same seed gives the same result whatever
        ``chunk_size``, ``workers`` or ``client``.
    chunk_size : int, optional
        Draws per task, a positive multiple of
        :data:`fleetcalc.sampling.BLOCK_SIZE` (4096); memory per task is
        bounded by one block's arrays.
    client : dask.distributed.Client, optional
        Run the chunks as tasks on this Dask cluster (``pip install
        fleetcalc[dask]``).
    progress : callable, optional
        Called as ``progress(done, total)`` [draws] after each chunk.
    workers : int, optional
        Threads of the local run; default the number of CPUs (at most 8).
    model : SimulationModel, optional
        A model from :func:`build_model` for this tender, to reuse it.

    Returns
    -------
    SimulationResult

    Raises
    ------
    TenderError
        If the tender or its uncertainty has problems.
    ValueError
        For invalid ``draws``, ``seed`` or ``chunk_size``.

    Examples
    --------
    >>> import fleetcalc
    >>> tender = fleetcalc.load_tender("examples/pakistan_locomotives_2026.toml")
    >>> result = simulate(tender, draws=1000, seed=1)
    >>> list(result.summary.columns[:4])
    ['bidder', 'mean', 'std', 'p10']
    >>> float(result.summary["p_rank_first"].sum())
    1.0
    """
    if isinstance(draws, bool) or not isinstance(draws, (int, np.integer)) or draws < 1:
        raise ValueError(f"draws must be a whole number >= 1, got {draws!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a whole number >= 0, got {seed!r}")
    block = sampling.BLOCK_SIZE
    if (isinstance(chunk_size, bool) or not isinstance(chunk_size, (int, np.integer))
            or chunk_size < block or chunk_size % block):
        raise ValueError(f"chunk_size must be a positive multiple of {block} draws (the seed "
                         f"block), got {chunk_size!r}")
    model = build_model(tender) if model is None else model
    n_blocks = -(-int(draws) // block)
    per_chunk = int(chunk_size) // block
    chunks = [list(range(k, min(k + per_chunk, n_blocks))) for k in range(0, n_blocks,
                                                                        per_chunk)]
    results: list[typing.Any] = [None] * len(chunks)
    done = 0

    def record(index, value):
        nonlocal done
        results[index] = value
        done += len(value[0])
        if progress is not None:
            progress(done, int(draws))

    if client is not None:
        shared = client.scatter(model, broadcast=True, hash=False)   # a fresh key per run
        futures = {client.submit(_run_chunk, shared, int(seed), blocks, int(draws),
                                 pure=False): k for k, blocks in enumerate(chunks)}
        from dask.distributed import as_completed  # noqa: PLC0415 - optional dependency
        for future in as_completed(futures):
            record(futures[future], future.result())
    else:
        n_workers = min(workers or min(os.cpu_count() or 1, 8), len(chunks))
        if n_workers <= 1:
            for k, blocks in enumerate(chunks):
                record(k, _run_chunk(model, int(seed), blocks, int(draws)))
        else:
            with concurrent.futures.ThreadPoolExecutor(n_workers) as pool:
                futures = {pool.submit(_run_chunk, model, int(seed), blocks, int(draws)): k
                           for k, blocks in enumerate(chunks)}
                for future in concurrent.futures.as_completed(futures):
                    record(futures[future], future.result())
    cost = np.concatenate([r[0] for r in results])
    avail = np.concatenate([r[1] for r in results])
    return SimulationResult(bidders=model.bidders, draws=int(draws), seed=int(seed),
                            inputs=model.labels, base_currency=model.base_currency,
                            draws_evaluated_cost=cost, draws_availability=avail,
                            point_cost=model.point_cost, responsive=model.responsive)
