r"""Fleet projection: availability of ageing groups of units against demand.

Pure, vectorised functions that chain :mod:`fleetcalc.ageing`,
:mod:`fleetcalc.availability` and :mod:`fleetcalc.fleet_distribution`. A
*group* is a set of identical units that entered service together: a
delivery batch of a bid, or an existing cohort. Arrays are shaped
``(..., n_groups, H + 1)`` with year ``k = t`` on the last axis.

Model
-----
For a unit of age :math:`a` (at the start of year :math:`k`) with
overhaul interval :math:`I` and restoration :math:`\rho`:

.. math::
    v &= \text{virtual\_age}(a; I, \rho) \quad \text{(Kijima type II)} \\
    \mathrm{MTBF}(a) &= \mathrm{MTBF}_0 / (1 + g_f)^{v} \\
    s &= (d_{sched} + n_{ovh}(a)\, d_{ovh}) / 365 \\
    A(a) &= (1 - s)\,\frac{\mathrm{MTBF}(a)}{\mathrm{MTBF}(a) + \mathrm{MDT}}

and its maintenance cost per km is :math:`m_0 (1 + g_m)^{v}`. The number of
available units of a fleet of independent units is a sum of binomials over
groups, computed exactly (:func:`fleetcalc.fleet_distribution.available_units_pmf`).
"""

from __future__ import annotations

import collections
import threading
import typing

import attrs
import numpy as np

from fleetcalc import ageing, availability, fleet_distribution

if typing.TYPE_CHECKING:
    from typing import Any

    from fleetcalc._arrays import Array, FloatOrArray, Numbers

__all__ = ["DAYS_PER_YEAR", "unit_availability", "maintenance_age_factor",
           "unit_weighted_mean", "FleetOutlook", "fleet_outlook", "expected_served",
           "KmAllocation", "allocate_km", "demand_units", "mtbf_hours_from_mdbf",
           "interval_years_from_km", "overhaul_counts_by_km"]

#: Days in a model year, for shortfall locomotive-days and downtime shares [day/year].
DAYS_PER_YEAR = 365.0


def _interval(overhaul_interval_years: Numbers) -> Any:
    """Interval as float with 0 (no overhauls) kept as 0."""
    return np.asarray(overhaul_interval_years, dtype=float)


def unit_availability(ages: Numbers, *, mtbf_hours: Numbers, mean_downtime_hours: Numbers,
                      scheduled_maintenance_days: Numbers, overhaul_downtime_days: Numbers,
                      overhaul_interval_years: Numbers, failure_rate_growth: Numbers,
                      overhaul_restoration: Numbers) -> Array:
    r"""Annual availability of a unit at each age.

    Parameters
    ----------
    ages : array_like
        Age at the start of the year [year]; NaN or negative (not in service)
        give NaN.
    mtbf_hours : array_like
        MTBF at age 0 [h]; ``inf`` for a unit taken as never failing.
    mean_downtime_hours : array_like
        Mean down time per failure (repair plus logistic delay) [h].
    scheduled_maintenance_days : array_like
        Planned maintenance days per year [day].
    overhaul_downtime_days : array_like
        Days out of service per overhaul [day].
    overhaul_interval_years : array_like
        Overhaul interval [year]; 0 for none.
    failure_rate_growth : array_like
        Growth of the failure rate per year of virtual age [-/year].
    overhaul_restoration : array_like
        Share of the virtual age an overhaul removes [-].

    Returns
    -------
    numpy.ndarray
        :math:`A(a)` [-] in [0, 1]; NaN where the unit is not in service.

    Notes
    -----
    .. math:: A(a) = (1 - s)\,\frac{\mathrm{MTBF}_0 (1+g_f)^{-v(a)}}
              {\mathrm{MTBF}_0 (1+g_f)^{-v(a)} + \mathrm{MDT}},
              \qquad s = \frac{d_{sched} + n_{ovh}(a)\, d_{ovh}}{365}

    Overhaul downtime falls in the year of the overhaul, :math:`n_{ovh}(a)\,d_{ovh}`
    days with :math:`n_{ovh}(a)` the overhauls in the year the unit starts at
    age :math:`a` (:func:`fleetcalc.ageing.overhauls_in_year`: 1 where
    :math:`a = jI`), not spread over every year as :math:`d_{ovh}/I`
    (issue 12); the share is
    :func:`fleetcalc.availability.scheduled_downtime_share`.

    Examples
    --------
    >>> round(float(unit_availability(0.0, mtbf_hours=1000.0, mean_downtime_hours=10.0,
    ...     scheduled_maintenance_days=36.5, overhaul_downtime_days=0.0,
    ...     overhaul_interval_years=0, failure_rate_growth=0.0, overhaul_restoration=0.0)), 6)
    0.891089
    """
    ages = np.asarray(ages, dtype=float)
    in_service = ages >= 0
    safe_ages = np.where(in_service, ages, 0.0)
    interval = _interval(overhaul_interval_years)
    per_year = ageing.overhauls_in_year(safe_ages, interval)   # in the overhaul's own year
    share = availability.scheduled_downtime_share(
        scheduled_maintenance_days, overhaul_downtime_days=overhaul_downtime_days,
        overhauls_per_year=per_year, days_per_year=DAYS_PER_YEAR)
    virtual = ageing.virtual_age(safe_ages, overhaul_interval_years=interval,
                                 overhaul_restoration=overhaul_restoration)
    multiplier = ageing.failure_rate_multiplier(virtual, failure_rate_growth=failure_rate_growth)
    mtbf = np.asarray(mtbf_hours, dtype=float) / multiplier
    result = availability.annual_availability(mtbf, mean_downtime_hours, share)
    return np.where(in_service, result, np.nan)


def maintenance_age_factor(ages: Numbers, *, maintenance_cost_growth: Numbers,
                           overhaul_interval_years: Numbers,
                           overhaul_restoration: Numbers) -> Array:
    r"""Multiplier of maintenance cost per km at each age.

    Parameters
    ----------
    ages : array_like
        Age at the start of the year [year]; negative or NaN give 0 (the unit
        is not in service and costs nothing).
    maintenance_cost_growth : array_like
        Growth per year of virtual age [-/year].
    overhaul_interval_years : array_like
        Overhaul interval [year]; 0 for none.
    overhaul_restoration : array_like
        Share of the virtual age an overhaul removes [-].

    Returns
    -------
    numpy.ndarray
        :math:`(1 + g_m)^{v(a)}` [-]; exactly 1.0 when the growth is 0.

    Examples
    --------
    >>> maintenance_age_factor([0.0, 10.0], maintenance_cost_growth=0.02,
    ...     overhaul_interval_years=0, overhaul_restoration=0.0).round(6)
    array([1.      , 1.218994])
    """
    ages = np.asarray(ages, dtype=float)
    in_service = ages >= 0
    virtual = ageing.virtual_age(np.where(in_service, ages, 0.0),
                                 overhaul_interval_years=_interval(overhaul_interval_years),
                                 overhaul_restoration=overhaul_restoration)
    factor = ageing.maintenance_cost_multiplier(virtual,
                                                maintenance_cost_growth=maintenance_cost_growth)
    return np.where(in_service, factor, 0.0)


def unit_weighted_mean(values: Numbers, units: Numbers, axis: Numbers) -> Any:
    r"""Mean of a per-group quantity weighted by the groups' units.

    Parameters
    ----------
    values : array_like
        A quantity per group (availability, age...); NaN where a group has no
        units is ignored.
    units : array_like
        Units of each group, same shape [units].
    axis : int or tuple of int
        Axes to average over.

    Returns
    -------
    numpy.ndarray or float
        :math:`\sum_g n_g x_g / \sum_g n_g`; NaN where there are no units.

    Examples
    --------
    >>> float(unit_weighted_mean([0.9, np.nan, 0.8], [10, 0, 30], axis=0))
    0.825
    """
    values = np.asarray(values, dtype=float)
    units = np.asarray(units, dtype=float)
    total = units.sum(axis=axis)
    weighted = np.where(units > 0, np.nan_to_num(values) * units, 0.0).sum(axis=axis)
    result = np.divide(weighted, total, out=np.full(np.shape(total), np.nan), where=total > 0)
    return float(result) if np.ndim(result) == 0 else result


@attrs.frozen
class FleetOutlook:
    """Fleet projection arrays, shape ``(..., H + 1)`` (column 0 is before year 1).

    Attributes
    ----------
    units : numpy.ndarray
        Units in service [units].
    expected_available : numpy.ndarray
        Expected available units :math:`E[X]` [units].
    p_meet_demand : numpy.ndarray
        :math:`P(X \\ge D)` [-].
    shortfall_unit_days : numpy.ndarray
        Expected missing locomotive-days :math:`365\\,E[\\max(0, D - X)]` [unit-day].
    distribution : fleetcalc.fleet_distribution.CountDistribution or None
        The distribution of the available units behind these figures, shape
        ``(..., H + 1, W)`` over the window of counts that matter; kept so
        that it is computed once per evaluation.
    """

    units: np.ndarray
    expected_available: np.ndarray
    p_meet_demand: np.ndarray
    shortfall_unit_days: np.ndarray
    distribution: fleet_distribution.CountDistribution | None = None


#: Outlooks of the last few distinct inputs (an evaluation and the tender
#: arrays a simulation builds from the same tender share one computation).
_OUTLOOK_CACHE: collections.OrderedDict[typing.Any, typing.Any] = collections.OrderedDict()
_OUTLOOK_CACHE_SIZE = 4
_OUTLOOK_CACHE_BYTES = 64 * 2**20   # largest pmf kept [byte]
_OUTLOOK_LOCK = threading.Lock()
#: Allocations of the last few distinct inputs (:func:`allocate_km`).
_ALLOCATION_CACHE: collections.OrderedDict[typing.Any, typing.Any] = collections.OrderedDict()


def _digest(*arrays: Numbers) -> bytes:
    """Key of the exact contents (dtype, shape, bytes) of arrays."""
    import hashlib  # noqa: PLC0415 - loads OpenSSL; only when an outlook is computed

    h = hashlib.blake2b(digest_size=20)
    for arr in arrays:
        arr = np.ascontiguousarray(arr)
        h.update(f"{arr.dtype.str}{arr.shape}".encode())
        h.update(arr.view(np.uint8).reshape(-1).data if arr.size else b"")
    return h.digest()


def _read_only(outlook: Numbers) -> Any:
    for value in (outlook.units, outlook.expected_available, outlook.p_meet_demand,
                  outlook.shortfall_unit_days, outlook.distribution.pmf,
                  outlook.distribution.offset, outlook.distribution.total):
        value.flags.writeable = False
    return outlook


def fleet_outlook(units: Numbers, unit_availability: Numbers, demand: Numbers) -> Any:
    r"""Available units against demand, year by year, for fleets of groups.

    Parameters
    ----------
    units : array_like of int, shape (..., n_groups, H + 1)
        Units of each group in service in each year [units].
    unit_availability : array_like, shape (..., n_groups, H + 1)
        Availability of one unit of each group in each year [-]; ignored
        (may be NaN) where the group has no units.
    demand : array_like of int, shape (H + 1,)
        Units needed in service each year [units] (column 0 is ignored).

    Returns
    -------
    FleetOutlook
        With its ``distribution``. The outlooks of the last four distinct
        fleets (inputs of at most 3 dimensions, pmf up to 64 MiB) are kept,
        with read-only arrays, so evaluating a tender and building its
        simulation compute the distribution once.

    Notes
    -----
    Units are independent, so the count available in a year is
    :math:`X = \sum_g \mathrm{Binomial}(n_g, A_g)`, computed exactly by
    convolution over the counts that hold all but 2e-300 of its mass
    (:func:`fleetcalc.fleet_distribution.available_units_distribution`; groups
    with no units in a year are skipped, so the work grows with the groups in
    service, not with the horizon squared); then

    .. math::
        P(X \ge D), \qquad \text{shortfall} = 365\, E[\max(0, D - X)]
        \ \text{[unit-day]}.

    Examples
    --------
    >>> out = fleet_outlook([[[0, 2]]], [[[np.nan, 0.5]]], [0, 1])
    >>> out.p_meet_demand.round(3).tolist(), out.shortfall_unit_days.round(3).tolist()
    ([[1.0, 0.75]], [[0.0, 91.25]])
    """
    units = np.asarray(units, dtype=np.int64)
    avail = np.asarray(unit_availability, dtype=float)
    avail = np.where(units > 0, avail, 0.0)
    # groups on the last axis for the distribution: (..., H + 1, n_groups)
    units_t = np.swapaxes(units, -1, -2)
    avail_t = np.swapaxes(avail, -1, -2)
    demand = np.asarray(demand, dtype=np.int64).copy()
    demand[..., 0] = 0
    # one fleet (bids x groups x years) is kept; batches of Monte Carlo draws are not
    key = _digest(units_t, avail_t, demand) if avail_t.ndim <= 3 else None
    with _OUTLOOK_LOCK:
        if key in _OUTLOOK_CACHE:
            _OUTLOOK_CACHE.move_to_end(key)
            return _OUTLOOK_CACHE[key]
    dist = fleet_distribution.available_units_distribution(units_t, avail_t)
    outlook = FleetOutlook(
        units=units_t.sum(axis=-1),
        expected_available=(units_t * avail_t).sum(axis=-1),
        p_meet_demand=fleet_distribution.p_meet_demand(dist.pmf, demand, offset=dist.offset),
        shortfall_unit_days=DAYS_PER_YEAR * fleet_distribution.expected_shortfall(
            dist.pmf, demand, offset=dist.offset),
        distribution=dist,
    )
    if key is not None and dist.pmf.nbytes <= _OUTLOOK_CACHE_BYTES:
        outlook = _read_only(outlook)   # shared by every caller from now on
        with _OUTLOOK_LOCK:
            _OUTLOOK_CACHE[key] = outlook
            while len(_OUTLOOK_CACHE) > _OUTLOOK_CACHE_SIZE:
                _OUTLOOK_CACHE.popitem(last=False)
    return outlook


def demand_units(loco_km: Numbers, annual_km: Numbers) -> FloatOrArray:
    r"""Demand in locomotive-km expressed as unit-equivalents in service.

    Parameters
    ----------
    loco_km : array_like
        Locomotive-km to haul in a year [km/year].
    annual_km : array_like
        Distance one available locomotive runs in a year [km/year], > 0.

    Returns
    -------
    numpy.ndarray
        :math:`D = L / a` [units] (real, not rounded).

    Examples
    --------
    >>> float(demand_units(9_000_000, 90_000))
    100.0
    """
    return np.asarray(loco_km, dtype=float) / np.asarray(annual_km, dtype=float)


def expected_served(pmf: Numbers, offset: Numbers, demand: Numbers) -> Array:
    r"""Expected units running, :math:`E[\min(D, X)]`, from a window pmf.

    Parameters
    ----------
    pmf : array_like, shape (..., W)
        :math:`P(X = \text{offset} + i)` [-] (a
        :class:`fleetcalc.fleet_distribution.CountDistribution` window).
    offset : array_like of int, shape (...)
        Count of the first entry [units].
    demand : array_like, shape (...)
        Units (or unit-equivalents, real) needed [units], >= 0.

    Returns
    -------
    numpy.ndarray, shape (...)
        :math:`\sum_i p_i \min(D, \text{offset} + i)` [units]. The mass
        outside the window (< 2e-300) is ignored.

    Examples
    --------
    Two units each available with probability 0.5, demand 1:
    :math:`P(X \ge 1) = 0.75` units run on average.

    >>> float(expected_served([0.25, 0.5, 0.25], 0, 1))
    0.75
    """
    pmf = np.asarray(pmf, dtype=float)
    counts = np.asarray(offset)[..., None] + np.arange(pmf.shape[-1])
    served: Array = (pmf * np.minimum(counts, np.asarray(demand, dtype=float)[..., None])).sum(
        axis=-1)
    return served


@attrs.frozen
class KmAllocation:
    r"""Expected use of each group of units against a demand, by year.

    Attributes
    ----------
    running : numpy.ndarray, shape (..., n_groups, H + 1)
        Expected units of each group running [units]; times ``annual_km``
        gives its km [km/year].
    served : numpy.ndarray, shape (..., H + 1)
        Expected units running in all, :math:`E[\min(D, X)]` [units].
    unserved : numpy.ndarray, shape (..., H + 1)
        Expected missing units, :math:`E[\max(0, D - X)] = D - \text{served}` [units].
    """

    running: np.ndarray
    served: np.ndarray
    unserved: np.ndarray


def allocate_km(units: Numbers, unit_availability: Numbers, demand: Numbers,
                priority: Numbers, *, whole_fleet: Any = None) -> KmAllocation:
    r"""Which available units run the demand: the kernel of the fleet's kilometres.

    Available units are called on in ``priority`` order (lower first: a
    bid's new units, then existing cohorts cheapest running cost per km
    first); each runs at most its full year; what no available unit can run
    is unserved.

    Parameters
    ----------
    units : array_like of int, shape (..., n_groups, H + 1)
        Units of each group in service [units].
    unit_availability : array_like, shape (..., n_groups, H + 1)
        Availability of one unit of each group [-]; ignored where a group
        has no units.
    demand : array_like, shape (..., H + 1)
        Unit-equivalents to run each year, :math:`D` [units], real >= 0
        (locomotive-km / ``annual_km``, :func:`demand_units`).
    priority : array_like of int, shape (n_groups,)
        Rank of each group in the call order; groups of equal rank form a
        *block* sharing its km in proportion to their expected available units.
    whole_fleet : fleetcalc.fleet_distribution.CountDistribution, optional
        The distribution of all the groups' available units, shape
        ``(..., H + 1)`` (``fleet_outlook(units, unit_availability,
        ...).distribution``), when the caller has it: the last prefix is then
        taken from it, not computed again (the same counts; round-off may
        differ in the last digits).

    Returns
    -------
    KmAllocation

    Notes
    -----
    Let :math:`S_j` be the available units of the blocks of rank
    :math:`\le j` (a sum of binomials, computed exactly with
    :func:`fleetcalc.fleet_distribution.available_units_distribution`). The
    units of block :math:`j` that run are
    :math:`\min(D, S_j) - \min(D, S_{j-1})`, so exactly

    .. math::
        r_j = E[\min(D, S_j)] - E[\min(D, S_{j-1})],
        \qquad \sum_j r_j + E[\max(0, D - S_J)] = D

    and group :math:`g` of block :math:`j` runs
    :math:`r_j\, n_g A_g / \sum_{h \in j} n_h A_h`. The last block's
    :math:`S_J` is the whole fleet, the distribution behind
    :func:`fleet_outlook`'s ``p_meet_demand`` and shortfall. The
    pro-rata split inside a block is exact when the block is one group.

    Examples
    --------
    Demand 1; first group 1 unit at 0.5, second group 1 unit at 0.5:
    the first runs 0.5; the second runs only when the first is down and it
    is up, 0.25; 0.25 is unserved.

    >>> out = allocate_km([[0, 1], [0, 1]], [[np.nan, 0.5], [np.nan, 0.5]], [0, 1], [0, 1])
    >>> out.running[:, 1].tolist(), float(out.unserved[1])
    ([0.5, 0.25], 0.25)
    """
    units = np.asarray(units, dtype=np.int64)
    avail = np.where(units > 0, np.asarray(unit_availability, dtype=float), 0.0)
    avail = np.nan_to_num(avail, nan=0.0)
    demand = np.asarray(demand, dtype=float)
    priority = np.asarray(priority)
    shape = np.broadcast_shapes(units.shape, avail.shape)
    units = np.broadcast_to(units, shape)
    avail = np.broadcast_to(avail, shape)
    if shape[-2] == 0:     # no groups: nothing runs
        zeros = np.zeros(shape[:-2] + shape[-1:])
        return KmAllocation(running=np.zeros(shape), served=zeros,
                            unserved=np.maximum(demand + zeros, 0.0))
    key = _digest(units, avail, demand, priority) if len(shape) <= 3 else None
    with _OUTLOOK_LOCK:
        if key in _ALLOCATION_CACHE:
            _ALLOCATION_CACHE.move_to_end(key)
            cached: KmAllocation = _ALLOCATION_CACHE[key]
            return cached
    ranks = np.unique(priority)
    # one distribution per prefix of blocks, all prefixes in one batch; the last prefix
    # (the whole fleet) from the caller's distribution when given
    batched = ranks[:-1] if whole_fleet is not None else ranks
    served_parts = []
    if len(batched):
        upto = priority[None, :] <= batched[:, None]                # (R, G)
        pick = (slice(None),) + (None,) * (len(shape) - 2) + (slice(None), None)
        prefix_units = np.where(upto[pick], units[None], 0)
        dist = fleet_distribution.available_units_distribution(
            np.swapaxes(prefix_units, -1, -2),
            np.swapaxes(np.broadcast_to(avail[None], prefix_units.shape), -1, -2))
        served_parts.append(expected_served(np.nan_to_num(dist.pmf), dist.offset, demand))
    if whole_fleet is not None:
        served_parts.append(expected_served(np.nan_to_num(whole_fleet.pmf), whole_fleet.offset,
                                            demand)[None])
    served_all = np.concatenate(served_parts, axis=0)               # (R, ..., H+1)
    running = np.zeros(shape)
    expected = units * avail                                  # E[X_g]
    previous = np.zeros(shape[:-2] + shape[-1:])
    for i, rank in enumerate(ranks):
        served = served_all[i]
        block = priority == rank
        in_block = np.where(block[:, None], expected, 0.0)
        block_mean = in_block.sum(axis=-2)
        # each member's share of its block (<= 1: no overflow for a tiny block mean)
        share = np.divide(in_block, block_mean[..., None, :],
                          out=np.zeros(shape), where=block_mean[..., None, :] > 0)
        running = running + share * (served - previous)[..., None, :]
        previous = served
    result = KmAllocation(running=running, served=previous,
                          unserved=np.maximum(demand - previous, 0.0))
    if key is not None:
        with _OUTLOOK_LOCK:
            _ALLOCATION_CACHE[key] = result
            while len(_ALLOCATION_CACHE) > _OUTLOOK_CACHE_SIZE:
                _ALLOCATION_CACHE.popitem(last=False)
    return result


#: Share of an overhaul interval by which cumulated km may fall short and still count [-].
_KM_TOLERANCE = 1e-9

#: Hours in a model year [h/year].
HOURS_PER_YEAR = 24.0 * DAYS_PER_YEAR


def mtbf_hours_from_mdbf(mdbf_km: Numbers, annual_km: Numbers) -> FloatOrArray:
    r"""Up-time between failures of a unit that runs ``annual_km`` while up.

    Parameters
    ----------
    mdbf_km : array_like
        Mean distance between service-affecting failures [km] (EN 50126 /
        IEC 62278 RAM requirement); NaN or ``inf``: never fails.
    annual_km : array_like
        Distance an available unit runs in a year of up-time [km/year], > 0.

    Returns
    -------
    numpy.ndarray
        :math:`\mathrm{MTBF} = \mathrm{MDBF} \cdot 8760 / a` [h], so that
        failures a year :math:`= 8760\,A_{up}/\mathrm{MTBF} = a\,A_{up}/\mathrm{MDBF}`
        = km run / MDBF; ``inf`` for NaN input.

    Examples
    --------
    20,000 km between failures at 87,600 km a year: a failure every 2,000 h.

    >>> float(mtbf_hours_from_mdbf(20_000, 87_600))
    2000.0
    """
    mdbf = np.asarray(mdbf_km, dtype=float)
    return np.where(np.isnan(mdbf), np.inf, mdbf * HOURS_PER_YEAR / np.asarray(annual_km,
                                                                               dtype=float))


def interval_years_from_km(interval_km: Numbers, annual_km: Numbers) -> FloatOrArray:
    r"""Overhaul interval in years of a unit that runs ``annual_km`` a year.

    Parameters
    ----------
    interval_km : array_like
        km between overhauls [km]; NaN: none (gives 0).
    annual_km : array_like
        km a year [km/year], > 0.

    Returns
    -------
    numpy.ndarray
        :math:`I_{km} / a` [year] (real), 0 where none; used for the ageing
        restoration and the overhaul downtime share.

    Examples
    --------
    >>> float(interval_years_from_km(720_000, 90_000))
    8.0
    """
    interval = np.asarray(interval_km, dtype=float)
    return np.where(np.isnan(interval), 0.0, interval / np.asarray(annual_km, dtype=float))


def overhaul_counts_by_km(units: Numbers, km_per_unit: Numbers, interval_km: Numbers,
                          start_km: Numbers = 0.0) -> Array:
    r"""Overhauls when a group's cumulated km per unit pass multiples of the interval.

    Parameters
    ----------
    units : array_like, shape (..., H + 1)
        Units of the group in service [units].
    km_per_unit : array_like, shape (..., H + 1)
        Expected km run per unit of the group in year ``k`` [km/year].
    interval_km : array_like, shape (...)
        km between overhauls [km]; NaN or 0: none.
    start_km : array_like, shape (...)
        km per unit already run at t = 0 [km].

    Returns
    -------
    numpy.ndarray, shape (..., H + 1)
        Units overhauled in year ``k`` :math:`= n_k (\lfloor K_k / I \rfloor
        - \lfloor K_{k-1} / I \rfloor)` with :math:`K_k = K_0 + \sum_{j \le k}`
        km per unit [units]; expected km are used, so the year is the one in
        which the *expected* cumulated km pass the threshold.

    Examples
    --------
    Two units running 300,000 km a year, interval 720,000 km: overhauls
    in year 3 (900,000 km) and year 5 (1,500,000 km).

    >>> overhaul_counts_by_km([0, 2, 2, 2, 2, 2], [0, 3e5, 3e5, 3e5, 3e5, 3e5], 720_000).tolist()
    [0.0, 0.0, 0.0, 2.0, 0.0, 2.0]
    """
    units = np.asarray(units, dtype=float)
    interval = np.asarray(interval_km, dtype=float)[..., None]
    cumulated = np.asarray(start_km, dtype=float)[..., None] + np.cumsum(
        np.asarray(km_per_unit, dtype=float), axis=-1)
    valid = np.isfinite(interval) & (interval > 0)
    # a threshold reached to 1e-9 of an interval counts (expected km carry round-off)
    passes = np.floor(np.divide(cumulated, interval, out=np.zeros(cumulated.shape),
                                where=valid) + _KM_TOLERANCE)
    before = np.concatenate([np.floor(np.divide(
        np.asarray(start_km, dtype=float)[..., None], interval,
        out=np.zeros(interval.shape), where=valid) + _KM_TOLERANCE)
        * np.ones(passes.shape[:-1] + (1,)), passes[..., :-1]], axis=-1)
    return np.where(units > 0, units * (passes - before), 0.0)
