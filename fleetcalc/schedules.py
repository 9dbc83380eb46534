r"""Fleet and payment schedules: who is in service, overhauled and paid, when.

Pure, vectorised functions over arrays of shape ``(n_bids, ...)``; they know
nothing about tender objects. Quantities are unit counts or shares; money
is applied later (:mod:`fleetcalc.lifecycle`).

Timing conventions (binding, see the methodology)
-------------------------------------------------
* Time points ``t = 0..H`` [year]; year ``k`` spans ``[k-1, k]``.
* ``delivery[b, k-1]`` units of bid ``b`` enter service at the *start* of
  year ``k`` (``t = k - 1``), ``k = 1..H``.
* They are in service in years ``k .. k + L - 1`` (``L`` = service life),
  cut at ``H``.
* A unit entering service in year ``k`` is overhauled at
  ``t = k - 1 + j I`` for ``j = 1, 2, ...`` while ``j I < L`` and ``t <= H``.
* Its residual value is counted at ``t = H`` at age ``a = H - (k - 1)``.
"""

from __future__ import annotations

import typing

import numpy as np

from fleetcalc.finance import straight_line_residual_share

if typing.TYPE_CHECKING:
    from typing import Any

    from fleetcalc._arrays import Array, FloatOrArray, Numbers

__all__ = [
    "group_ages",
    "group_in_service",
    "group_overhaul_counts",
    "pad_delivery",
    "units_in_service",
    "overhaul_counts",
    "payment_shares",
    "first_delivery_time",
    "residual_units",
    "unit_ages",
    "unit_delays_years",
]


def pad_delivery(deliveries: Numbers, horizon_years: Numbers) -> Array:
    """Stack per-bid delivery lists into a zero-padded integer array.

    Parameters
    ----------
    deliveries : sequence of sequence of int
        Units entering service at the start of year 1, 2, ... for each bid.
    horizon_years : int
        Horizon ``H`` [year]; every list must fit in it.

    Returns
    -------
    numpy.ndarray of int, shape (n_bids, H)
        ``delivery[b, k-1]``: units of bid ``b`` entering service in year ``k``.

    Examples
    --------
    >>> pad_delivery([[1, 2], [3]], 4)
    array([[1, 2, 0, 0],
           [3, 0, 0, 0]])
    """
    out = np.zeros((len(deliveries), horizon_years), dtype=np.int64)
    for b, batch in enumerate(deliveries):  # ragged input: one row copy per bid
        batch = np.asarray(batch, dtype=np.int64)
        if batch.size > horizon_years and batch[horizon_years:].any():
            raise ValueError(f"delivery of bid {b} goes beyond the horizon of {horizon_years}")
        out[b, : min(batch.size, horizon_years)] = batch[:horizon_years]
    return out


def group_ages(entry_times: Numbers, horizon_years: Numbers) -> FloatOrArray:
    r"""Age at the start of each year of groups of units that entered service together.

    Parameters
    ----------
    entry_times : array_like, shape (..., n_groups)
        Time ``tau`` [year] at which each group entered service: ``k - 1`` for
        units delivered in year ``k``; ``year_built - evaluation_year`` (zero or
        negative) for an existing cohort.
    horizon_years : int
        Horizon ``H`` [year].

    Returns
    -------
    numpy.ndarray, shape (..., n_groups, H + 1)
        Age :math:`a_k = (k - 1) - 	au` [year] in year ``k = t`` (column 0,
        before any year, is NaN). Negative where the group has not yet entered
        service.

    Examples
    --------
    >>> group_ages([0, -9], 2)
    array([[nan,  0.,  1.],
           [nan,  9., 10.]])
    """
    tau = np.asarray(entry_times, dtype=float)[..., None]
    k = np.arange(horizon_years + 1, dtype=float)
    ages = (k - 1.0) - tau
    ages[..., 0] = np.nan
    return ages


def group_in_service(entry_times: Numbers, service_life_years: Numbers,
                     horizon_years: Numbers) -> FloatOrArray:
    r"""Whether each group is in service in each year.

    A group that entered service at ``tau`` serves while
    :math:`0 \le a_k < L`, i.e. years ``tau + 1 .. tau + L``.

    Parameters
    ----------
    entry_times : array_like, shape (..., n_groups)
        Entry time ``tau`` [year] (see :func:`group_ages`).
    service_life_years : array_like, broadcastable to ``entry_times``
        Service life ``L`` [year].
    horizon_years : int
        Horizon ``H`` [year].

    Returns
    -------
    numpy.ndarray of bool, shape (..., n_groups, H + 1)

    Examples
    --------
    >>> group_in_service([0, -9], [2, 10], 3).astype(int)
    array([[0, 1, 1, 0],
           [0, 1, 0, 0]])
    """
    ages = group_ages(entry_times, horizon_years)
    life = np.asarray(service_life_years, dtype=float)[..., None]
    with np.errstate(invalid="ignore"):
        return (ages >= 0) & (ages < life)


def group_overhaul_counts(units: Numbers, entry_times: Numbers, overhaul_interval_years: Numbers,
                          service_life_years: Numbers, horizon_years: Numbers) -> Array:
    r"""Overhauls of groups of units at each time point.

    A group that entered service at ``tau`` is overhauled at
    :math:`t = 	au + jI`, :math:`j = 1, 2, \dots`, while :math:`jI < L`,
    for :math:`1 \le t \le H` (overhauls before the evaluation are past).

    Parameters
    ----------
    units : array_like, shape (..., n_groups)
        Units in each group.
    entry_times : array_like, shape (..., n_groups)
        Entry time ``tau`` [year].
    overhaul_interval_years : array_like, broadcastable
        Interval ``I`` [year]; 0 means no overhauls.
    service_life_years : array_like, broadcastable
        Service life ``L`` [year].
    horizon_years : int
        Horizon ``H`` [year].

    Returns
    -------
    numpy.ndarray, shape (..., n_groups, H + 1)
        Units overhauled at ``t`` [units].

    Examples
    --------
    Two units delivered at t = 0 with I = 2, L = 5 (overhauls at t = 2, 4), and
    five units built 7 years before t = 0 with I = 4 (their second overhaul, at
    age 8, falls at t = 1):

    >>> group_overhaul_counts([2, 5], [0, -7], [2, 4], [5, 30], 4)
    array([[0, 0, 2, 0, 2],
           [0, 5, 0, 0, 0]])
    """
    tau = np.asarray(entry_times, dtype=np.int64)[..., None]
    interval = np.asarray(overhaul_interval_years, dtype=np.int64)[..., None]
    life = np.asarray(service_life_years, dtype=np.int64)[..., None]
    t = np.arange(horizon_years + 1)
    elapsed = t - tau                               # years since entry at time t
    step = np.where(interval > 0, interval, 1)
    due = ((interval > 0) & (elapsed > 0) & (elapsed % step == 0) & (elapsed < life)
           & (t >= 1))
    counts = np.where(due, np.asarray(units)[..., None], 0)
    return counts.astype(np.int64)


def _batch_entry_times(horizon_years: Numbers) -> Any:
    """Entry time ``k - 1`` of the batch delivered in year ``k = 1..H``."""
    return np.arange(horizon_years)


def units_in_service(delivery: Numbers, service_life_years: Numbers) -> FloatOrArray:
    r"""Units in service in each year.

    Parameters
    ----------
    delivery : array_like of int, shape (n_bids, H)
        Units entering service at the start of year ``k`` in column ``k-1``.
    service_life_years : array_like of int, shape (n_bids,)
        Service life ``L`` [year] of each bid's units.

    Returns
    -------
    numpy.ndarray of int, shape (n_bids, H + 1)
        ``n[b, t]``: units in service during year ``k = t`` (column 0, before
        any year, is 0).

    Notes
    -----
    .. math:: n_k = \sum_{j=1}^{k} d_j \, [k - j < L]

    Each delivery batch is a group entering at ``j - 1``
    (:func:`group_in_service`).

    Examples
    --------
    >>> units_in_service([[2, 1, 0, 0]], [2])
    array([[0, 2, 3, 1, 0]])
    """
    delivery = np.asarray(delivery, dtype=np.int64)
    horizon = delivery.shape[1]
    life = np.asarray(service_life_years, dtype=np.int64).reshape(-1, 1)
    serving = group_in_service(_batch_entry_times(horizon)[None, :], life, horizon)
    return (delivery[:, :, None] * serving).sum(axis=1)


def overhaul_counts(delivery: Numbers, overhaul_interval_years: Numbers,
                    service_life_years: Numbers) -> FloatOrArray:
    r"""Number of unit overhauls at each time point.

    Parameters
    ----------
    delivery : array_like of int, shape (n_bids, H)
        Units entering service at the start of year ``k`` in column ``k-1``.
    overhaul_interval_years : array_like of int, shape (n_bids,)
        Interval ``I`` [year] between overhauls; 0 means no overhauls.
    service_life_years : array_like of int, shape (n_bids,)
        Service life ``L`` [year].

    Returns
    -------
    numpy.ndarray of int, shape (n_bids, H + 1)
        ``o[b, t]``: overhauls performed at time ``t`` (paid at ``t``).

    Notes
    -----
    A unit entering service in year ``k`` is overhauled at
    ``t = k - 1 + j I`` for ``j >= 1`` with ``j I < L`` and ``t <= H``:

    .. math:: o_t = \sum_{j \ge 1,\ jI < L} d_{t - jI + 1}

    No overhaul falls at or after the end of the unit's life, since the unit
    is retired then.

    Examples
    --------
    >>> overhaul_counts([[2, 0, 1, 0, 0, 0]], [2], [5])
    array([[0, 0, 2, 0, 3, 0, 1]])
    """
    delivery = np.asarray(delivery, dtype=np.int64)
    horizon = delivery.shape[1]
    interval = np.asarray(overhaul_interval_years, dtype=np.int64).reshape(-1, 1)
    life = np.asarray(service_life_years, dtype=np.int64).reshape(-1, 1)
    return group_overhaul_counts(delivery, _batch_entry_times(horizon)[None, :], interval,
                                 life, horizon).sum(axis=1)


def payment_shares(delivery: Numbers, quantity: Numbers, warranty_years: Numbers,
                   shares: Numbers, *, periods: Numbers) -> Array:
    r"""Share of one unit's price paid at each time point (acquisition).

    Parameters
    ----------
    delivery : array_like of int, shape (n_bids, H)
        Units entering service at the start of year ``k`` in column ``k-1``.
    quantity : array_like of int, shape (n_bids,)
        Units in the contract.
    warranty_years : array_like of int, shape (n_bids,)
        Warranty ``W`` [year]; the acceptance share is paid at its end.
    shares : array_like, shape (n_bids, 3)
        Shares of the price paid at ``signing``, ``delivery`` and
        ``acceptance`` (columns in that order) [-].
    periods : int
        Length of the returned time axis (``T + 1``), at least
        ``H + max(W)``.

    Returns
    -------
    numpy.ndarray, shape (n_bids, periods)
        ``q[b, t]`` in units-equivalent: acquisition at ``t`` is
        ``unit_price * q[b, t]``.

    Notes
    -----
    .. math::
        q_0 \mathrel{+}= s_{sign} N, \quad
        q_{k-1} \mathrel{+}= s_{del}\, d_k, \quad
        q_{k-1+W} \mathrel{+}= s_{acc}\, d_k

    Examples
    --------
    >>> payment_shares([[2, 1]], [3], [1], [[0.1, 0.8, 0.1]], periods=4).round(6)
    array([[1.9, 1. , 0.1, 0. ]])
    """
    delivery = np.asarray(delivery, dtype=float)
    n_bids, horizon = delivery.shape
    shares = np.asarray(shares, dtype=float).reshape(n_bids, 3)
    warranty = np.asarray(warranty_years, dtype=np.int64).reshape(-1)
    out = np.zeros((n_bids, periods))
    out[:, 0] += shares[:, 0] * np.asarray(quantity, dtype=float)
    out[:, :horizon] += shares[:, 1:2] * delivery
    rows = np.repeat(np.arange(n_bids), horizon)
    cols = (np.arange(horizon)[None, :] + warranty[:, None]).reshape(-1)
    np.add.at(out, (rows, cols), (shares[:, 2:3] * delivery).reshape(-1))
    return out


def unit_delays_years(delivery: Numbers, required: Numbers) -> Array:
    r"""Delay of each unit against a required delivery schedule, unit by unit.

    Units are matched in order: the :math:`i`-th unit delivered is compared
    with the :math:`i`-th unit required. Units beyond the required quantity
    have no delay; early units earn no credit.

    Parameters
    ----------
    delivery : array_like of int, shape (H,)
        Units of one bid entering service at the start of year 1, 2, ...
    required : array_like of int, shape (H',)
        Units required by the start of year 1, 2, ...

    Returns
    -------
    numpy.ndarray, shape (n_units,)
        :math:`\max(0, k^{bid}_i - k^{req}_i)` [year] for each delivered unit.

    Examples
    --------
    >>> unit_delays_years([0, 2, 1], [2, 1])
    array([1., 1., 1.])
    """
    years = np.arange(1, max(len(delivery), len(required)) + 1)
    offered = np.repeat(years[: len(delivery)], np.asarray(delivery, dtype=np.int64))
    wanted = np.repeat(years[: len(required)], np.asarray(required, dtype=np.int64))
    delays = np.zeros(offered.size)
    n = min(offered.size, wanted.size)
    delays[:n] = np.maximum(0, offered[:n] - wanted[:n])
    return delays


def first_delivery_time(delivery: Numbers) -> Any:
    """Time ``t = k_first - 1`` at which each bid's first batch enters service.

    Examples
    --------
    >>> first_delivery_time([[0, 0, 3], [1, 0, 0]])
    array([2, 0])
    """
    delivery = np.asarray(delivery)
    return np.argmax(delivery > 0, axis=1)


def unit_ages(horizon_years: Numbers) -> Any:
    """Age at ``t = H`` of a unit entering service in year ``k = 1..H``: ``H - (k - 1)``.

    Examples
    --------
    >>> unit_ages(3)
    array([3, 2, 1])
    """
    return horizon_years - np.arange(horizon_years)


def residual_units(delivery: Numbers, service_life_years: Numbers) -> FloatOrArray:
    r"""Residual value at ``t = H`` in units-equivalent of the unit price.

    Parameters
    ----------
    delivery : array_like of int, shape (n_bids, H)
        Units entering service at the start of year ``k`` in column ``k-1``.
    service_life_years : array_like of int, shape (n_bids,)
        Service life ``L`` [year].

    Returns
    -------
    numpy.ndarray, shape (n_bids,)
        :math:`\sum_k d_k \max(0, 1 - a_k / L)` with :math:`a_k = H - (k-1)`;
        the residual value is ``unit_price`` times this.

    Examples
    --------
    >>> residual_units([[0, 3]], [4]).round(6)
    array([2.25])
    """
    delivery = np.asarray(delivery, dtype=float)
    life = np.asarray(service_life_years, dtype=float).reshape(-1, 1)
    share = straight_line_residual_share(unit_ages(delivery.shape[1])[None, :], life)
    return (delivery * share).sum(axis=1)
