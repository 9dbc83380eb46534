"""Distribution of the number of available locomotives in a fleet.

A fleet is split into cohorts (e.g. units of one type and one age); each of
the :math:`n_c` units of cohort :math:`c` is available with probability
:math:`A_c` (its annual availability, :mod:`fleetcalc.availability`),
independently of every other unit. The number of available units is then

.. math:: X = \\sum_c X_c, \\qquad X_c \\sim \\mathrm{Binomial}(n_c, A_c),

a Poisson-binomial variable. This module computes its exact pmf, the
probability of meeting a demand, the expected shortfall, the fleet size
needed for a confidence level, and a normal approximation for Monte Carlo.

Pure, vectorised functions; nothing here reads files or prints.

Conventions
-----------
* The cohort axis is the **last** axis of ``units`` and ``availability``;
  leading axes (bids, years, draws, ...) are batch axes and are kept.
* A pmf is an array whose last axis is the count ``k = 0, 1, ..., K``.
* Demand :math:`D` is a number of units [unit] that must be available at
  the same time. Shortfalls are in units; multiply an annual expected
  shortfall by the days in the year to get unit-days.
* A cohort with 0 units contributes nothing, whatever its availability
  (even NaN, e.g. a cohort not yet delivered). NaN availability of a
  cohort with units propagates to NaN results.
"""

from __future__ import annotations

import math
import typing

import attrs
import numpy as np

from fleetcalc._arrays import finish as _finish
from fleetcalc._arrays import first_bad as _first_bad
from fleetcalc._arrays import share as _share

if typing.TYPE_CHECKING:
    from typing import Any

    from fleetcalc._arrays import Array, FloatOrArray, Numbers

__all__ = [
    "CountDistribution",
    "available_units_distribution",
    "available_units_pmf",
    "binomial_pmf",
    "p_meet_demand",
    "expected_shortfall",
    "expected_available",
    "available_units_moments",
    "required_fleet_size",
    "spare_ratio",
    "normal_approximation_shortfall",
]

#: Availabilities below this are treated as 0 in the pmf (the effect is below
#: double-precision resolution; kept from the scipy-based version).
_TINY_AVAILABILITY = 1e-300

#: Largest fleet size searched by :func:`required_fleet_size` (keeps int64 exact).
_MAX_FLEET = 2**52

#: Probability mass dropped on each side of a count's window (Bernstein bound).
TAIL_MASS = 1e-300

#: ``-ln(TAIL_MASS)``: the exponent of the tail bound.
_TAIL_LOG = -math.log(TAIL_MASS)

#: ``ln(sqrt(2 pi))``.
_LN_SQRT_2PI = 0.91893853320467274178032973640562


def _small_stirling_errors() -> Any:
    """``stirlerr(n)`` for ``n = 0..15``, from ``ln n!`` in 50-digit decimal arithmetic.

    Gives :data:`_STIRLING_SMALL` (kept as literals so that importing costs
    nothing; ``tests/test_fleet_distribution.py`` checks them against this).
    """
    from decimal import Decimal, localcontext  # noqa: PLC0415

    with localcontext() as ctx:
        ctx.prec = 50
        ln_sqrt_2pi = Decimal("0.91893853320467274178032973640561763986139747363778")
        table = [0.0]  # n = 0 is never used (k = 0 and k = n are separate cases)
        for n in range(1, 16):
            d = Decimal(n)
            table.append(float(Decimal(math.factorial(n)).ln() - (d + Decimal("0.5")) * d.ln()
                               + d - ln_sqrt_2pi))
    return np.array(table)


#: ``ln n! - ln(sqrt(2 pi n) (n/e)^n)`` for ``n = 0..15`` (0 for n = 0, unused).
_STIRLING_SMALL = np.array([
    0.0, 0.08106146679532726, 0.0413406959554093, 0.02767792568499834,
    0.020790672103765093, 0.016644691189821193, 0.013876128823070748, 0.01189670994589177,
    0.010411265261972096, 0.009255462182712733, 0.00833056343336287, 0.007573675487951841,
    0.00694284010720953, 0.006408994188004207, 0.0059513701127588475, 0.005554733551962801])


def _stirling_error(n: Numbers) -> Any:
    r"""``ln n! - ln(sqrt(2 pi n) (n/e)^n)`` for whole ``n >= 1`` (Loader's ``stirlerr``)."""
    small = n <= 15
    with np.errstate(divide="ignore", invalid="ignore"):
        nn = n * n
        series = (1.0 / 12 - (1.0 / 360 - (1.0 / 1260 - (1.0 / 1680 - (1.0 / 1188) / nn) / nn)
                              / nn) / nn) / n
    if not small.any():
        return series
    return np.where(small, _STIRLING_SMALL[np.clip(n, 0, 15).astype(np.int64)], series)


def _deviance(x: Numbers, m: Numbers) -> Any:
    r"""``x ln(x / m) + m - x`` for ``x > 0``, ``m > 0``, accurate when ``x`` is near ``m``.

    Loader's ``bd0``: a series in ``v = (x - m)/(x + m)`` where ``|v| < 0.1``
    (terms fall by ``v**2 < 0.01``; as many as needed for 1e-17), else the
    direct formula.
    """
    d = x - m
    s = x + m
    with np.errstate(divide="ignore", invalid="ignore"):
        v = d / s
        near = np.abs(v) < 0.1
        out = x * np.log(x / m) + m - x
        if near.any():
            vn, xn, dn = v[near], x[near], d[near]
            v2 = vn * vn
            series = dn * vn
            term = 2.0 * xn * vn
            worst = float(v2.max(initial=0.0))
            n_terms = 1 if worst == 0.0 else max(1, min(12, math.ceil(-37.0 / math.log(worst))))
            for j in range(1, n_terms + 1):  # fixed small count, vectorised over elements
                term *= v2
                series += term / (2 * j + 1)
            out[near] = series
    return out


def binomial_pmf(k: Numbers, n: Numbers, p: Numbers) -> Array:
    r"""Binomial pmf, accurate to about 1e-13 relative, in plain numpy.

    Parameters
    ----------
    k : array_like of int
        Counts [unit]; outside ``0..n`` the pmf is 0.
    n : array_like of int
        Trials [unit], ``>= 0``.
    p : array_like of float
        Success probability [-], in ``[0, 1]``.

    Returns
    -------
    numpy.ndarray
        :math:`\binom{n}{k} p^k (1-p)^{n-k}`, broadcast shape.

    Notes
    -----
    Loader's saddle-point form [1]_ (the algorithm of R's ``dbinom``), free of
    the cancellation of :math:`\ln\Gamma` differences at large :math:`n`:

    .. math::
        P(k) = \sqrt{\frac{n}{2\pi k (n-k)}}\,
        \exp\!\big(\delta(n) - \delta(k) - \delta(n-k)
        - D(k, np) - D(n-k, nq)\big), \quad 0 < k < n,

    with the Stirling error :math:`\delta(m) = \ln m! - \ln(\sqrt{2\pi m}
    (m/e)^m)` (a table for :math:`m \le 15`, computed once in 50-digit decimal
    arithmetic, and its asymptotic series above) and the deviance
    :math:`D(x, M) = x\ln(x/M) + M - x` (a series near :math:`x = M`);
    :math:`P(0) = q^n`, :math:`P(n) = p^n` through :math:`D` when
    :math:`p` or :math:`q < 0.1`. Measured against ``scipy.stats.binom.pmf``
    and 50-digit decimal arithmetic in ``tests/test_fleet_distribution.py``:
    relative error below 1e-13 wherever the pmf is above 1e-280 (as
    accurate as scipy's, which it replaces so that no scipy import is needed).

    References
    ----------
    .. [1] C. Loader, "Fast and accurate computation of binomial
       probabilities," 2000 (the basis of R's ``dbinom``).

    Examples
    --------
    >>> binomial_pmf([0, 1, 2], 2, 0.9).round(12)
    array([0.01, 0.18, 0.81])
    """
    k, n, p = np.broadcast_arrays(np.asarray(k, dtype=float), np.asarray(n, dtype=float),
                                  np.asarray(p, dtype=float))
    shape = k.shape
    k, n, p = k.ravel(), n.ravel(), p.ravel()
    q = 1.0 - p
    out = np.zeros(k.shape)
    inside = (k >= 0) & (k <= n)
    trivial = inside & ((p == 0) | (q == 0) | (n == 0))
    out[trivial] = (((p[trivial] == 0) | (n[trivial] == 0)) & (k[trivial] == 0)) | (
        (q[trivial] == 0) & (k[trivial] == n[trivial]))
    body = inside & ~trivial
    kb, nb, pb, qb = k[body], n[body], p[body], q[body]
    res = np.empty(kb.shape)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        mid = (kb > 0) & (kb < nb)
        km, nm, pm, qm = kb[mid], nb[mid], pb[mid], qb[mid]
        lc = (_stirling_error(nm) - _stirling_error(km) - _stirling_error(nm - km)
              - _deviance(km, nm * pm) - _deviance(nm - km, nm * qm))
        lf = 2.0 * _LN_SQRT_2PI + np.log(km) + np.log1p(-km / nm)
        res[mid] = np.exp(lc - 0.5 * lf)
        zero = kb == 0
        nz, pz, qz = nb[zero], pb[zero], qb[zero]
        small_p = pz < 0.1
        log0 = nz * np.log(np.where(small_p, 1.0, qz))
        if small_p.any():
            log0[small_p] = -_deviance(nz[small_p], nz[small_p] * qz[small_p]) - (
                nz[small_p] * pz[small_p])
        res[zero] = np.exp(log0)
        full = (kb == nb) & (kb > 0)
        nf, pf, qf = nb[full], pb[full], qb[full]
        small_q = qf < 0.1
        logn = nf * np.log(np.where(small_q, 1.0, pf))
        if small_q.any():
            logn[small_q] = -_deviance(nf[small_q], nf[small_q] * pf[small_q]) - (
                nf[small_q] * qf[small_q])
        res[full] = np.exp(logn)
    out[body] = res
    return out.reshape(shape)


def _half_width(variance: Numbers) -> Any:
    r"""Half-width ``x`` with ``P(|X - mu| >= x) <= 2 TAIL_MASS`` (Bernstein).

    For a sum of independent Bernoulli units,
    :math:`P(X - \mu \ge x) \le \exp(-x^2 / (2(\sigma^2 + x/3)))`; solved
    for the bound equal to ``TAIL_MASS``: :math:`x = L/3 + \sqrt{L^2/9 + 2L\sigma^2}`,
    :math:`L = -\ln(\mathrm{TAIL\_MASS})`.
    """
    third = _TAIL_LOG / 3.0
    return third + np.sqrt(third * third + 2.0 * _TAIL_LOG * variance)


def _window(n: Numbers, mean: Numbers, variance: Numbers) -> Any:
    """Integer count window ``[lo, hi]`` inside ``[0, n]`` holding all but 2e-300 of the mass."""
    x = _half_width(variance)
    lo = np.maximum(np.floor(mean - x), 0.0).astype(np.int64)
    hi = np.minimum(np.ceil(mean + x), n).astype(np.int64)
    return lo, np.maximum(hi, lo)


def _fast_len(n: Numbers) -> Any:
    """Smallest 5-smooth integer >= ``n`` (a fast FFT length)."""
    if n <= 16:
        return max(int(n), 1)
    best = 1 << (int(n) - 1).bit_length()
    p5 = 1
    while p5 < best:
        p35 = p5
        while p35 < best:
            quotient = -(-n // p35)
            p2 = 1 << (int(quotient) - 1).bit_length()
            best = min(best, p2 * p35)
            p35 *= 3
        p5 *= 5
    return int(best)


@attrs.frozen(eq=False)
class CountDistribution:
    """The pmf of a count over a window of counts: ``pmf[..., i] = P(X = offset + i)``.

    Attributes
    ----------
    pmf : numpy.ndarray
        Probabilities [-], shape ``(..., W)``; zero-padded where a batch
        element's window is shorter than ``W``.
    offset : numpy.ndarray of int64
        Count of the first entry of each batch element [unit], shape ``(...)``.
    total : numpy.ndarray of int64
        Largest possible count of each batch element (its units) [unit].

    The counts outside the window carry less than ``2 * TAIL_MASS`` = 2e-300
    of probability (Bernstein's inequality).
    """

    pmf: np.ndarray
    offset: np.ndarray
    total: np.ndarray

    def full(self) -> Any:
        """The pmf over counts ``0..K`` (``K`` the largest total), as :func:`available_units_pmf`.
        """
        size = int(self.total.max(initial=0)) + 1
        pmf = self.pmf.reshape(-1, self.pmf.shape[-1])
        offset = self.offset.reshape(-1)
        out = np.zeros((offset.size, size))
        cols = offset[:, None] + np.arange(pmf.shape[1])
        rows = np.broadcast_to(np.arange(offset.size)[:, None], cols.shape)
        keep = cols < size
        out[rows[keep], cols[keep]] = pmf[keep]
        out[np.isnan(pmf).any(axis=1)] = np.nan
        return out.reshape(self.offset.shape + (size,))


def _convolve_rows(n: Numbers, a: Numbers) -> Any:
    """Windowed pmf of ``sum_g Bin(n[r, g], a[r, g])`` for rows ``r``; no checks, no NaN.

    Returns ``(pmf (R, W), offset (R,), total (R,))``.
    """
    rows = n.shape[0]
    totals = n.sum(axis=1)
    mean = (n * a).sum(axis=1)
    var = (n * a * (1.0 - a)).sum(axis=1)
    lo, hi = _window(totals, mean, var)
    width = hi - lo + 1
    # unique non-empty groups (n, a) over all rows
    used = n > 0
    pairs = np.stack([n[used].astype(float), a[used]], axis=1)
    if pairs.size:
        uniq, inverse = np.unique(pairs, axis=0, return_inverse=True)
    else:
        uniq, inverse = np.zeros((0, 2)), np.zeros(0, dtype=np.int64)
    n_u, a_u = uniq[:, 0].astype(np.int64), uniq[:, 1]
    g_lo, g_hi = _window(n_u, n_u * a_u, n_u * a_u * (1.0 - a_u))
    g_width = g_hi - g_lo + 1
    slot = np.full(n.shape, -1, dtype=np.int64)
    slot[used] = inverse.ravel()
    # non-empty groups first in each row, then keep only as many slots as needed
    order = np.argsort(~used, axis=1, kind="stable")
    n_groups = used.sum(axis=1)
    slot = np.take_along_axis(slot, order, axis=1)[:, : max(int(n_groups.max(initial=0)), 1)]
    out_width = int(width.max(initial=1))
    pmf = np.zeros((rows, out_width))
    # rows by FFT size (powers of two): a small fleet is not padded to a large one's length
    widths = np.concatenate([g_width, [1]])                   # slot -1: no group
    need = np.maximum(width, widths[slot].max(axis=1))
    bucket = np.ceil(np.log2(np.maximum(need, 1))).astype(np.int64)
    for b in np.unique(bucket):
        r_b = np.flatnonzero(bucket == b)
        size = _fast_len(int(need[r_b].max()))
        s_b = slot[r_b]
        members = np.unique(s_b[s_b >= 0])
        local = np.full(len(uniq) + 1, len(members), dtype=np.int64)  # -1 -> identity row
        local[members] = np.arange(len(members))
        s_local = local[s_b]
        # each member group's pmf over its window, folded modulo the FFT size
        w = g_width[members]
        start = np.concatenate([[0], np.cumsum(w)[:-1]]) if len(w) else np.zeros(0, np.int64)
        owner = np.repeat(np.arange(len(members)), w)
        k = g_lo[members][owner] + (np.arange(int(w.sum())) - start[owner])
        folded = np.zeros((len(members) + 1, size))
        folded[-1, 0] = 1.0                                     # identity: a point mass at 0
        folded[owner, k % size] = binomial_pmf(k, n_u[members][owner], a_u[members][owner])
        lo_b, width_b = lo[r_b], width[r_b]
        cols = np.arange(int(width_b.max()))
        take = (lo_b[:, None] + cols) % size
        valid = cols < width_b[:, None]
        single = n_groups[r_b] <= 1
        result = np.zeros((len(r_b), len(cols)))
        if single.any():   # one group (or none): its pmf directly, without FFT round-off
            src = folded[s_local[single, 0]]
            result[single] = np.take_along_axis(src, take[single], axis=1)
        many = ~single
        if many.any():
            spectra = np.fft.rfft(folded, axis=1)
            acc = spectra[s_local[many, 0]]
            for g in range(1, s_local.shape[1]):   # few group slots, vectorised over rows
                acc *= spectra[s_local[many, g]]
            conv = np.fft.irfft(acc, n=size, axis=1)
            result[many] = np.take_along_axis(conv, take[many], axis=1)
        result = np.where(valid, np.maximum(result, 0.0), 0.0)
        with np.errstate(invalid="ignore"):
            result /= result.sum(axis=1, keepdims=True)
        pmf[r_b, : len(cols)] = result
    return pmf, lo, totals


def available_units_distribution(units: Numbers, availability: Numbers) -> Any:
    r"""Distribution of the number of available units over the counts that matter.

    Parameters
    ----------
    units : array_like of int
        Units per cohort :math:`n_c` [unit], cohorts on the last axis.
    availability : array_like of float
        Availability per cohort :math:`A_c` [-], broadcastable with ``units``.

    Returns
    -------
    CountDistribution
        ``pmf`` of shape ``(..., W)`` with ``P(X = offset + i)``; ``W`` the
        widest window of the batch. NaN rows where a cohort with units has
        NaN availability.

    Raises
    ------
    ValueError
        As :func:`available_units_pmf`.

    See Also
    --------
    available_units_pmf : the same pmf over all counts ``0..K``.

    Notes
    -----
    The exact pmf :math:`\left(\mathop{*}_{c} \mathrm{Bin}(n_c, A_c)
ight)(k)`
    restricted to a window :math:`[\mu - x, \mu + x] \cap [0, \sum n_c]`,
    where Bernstein's inequality bounds the mass outside by
    :math:`2 \cdot 10^{-300}` (:data:`TAIL_MASS` each side): about
    :math:`\pm 37\sigma` plus 460 units, so the window grows like
    :math:`\sqrt{K}`, not :math:`K`. Each cohort's pmf (:func:`binomial_pmf`)
    is evaluated on its own such window and folded modulo the FFT length
    ``N >= W``; the product of the cohorts' DFTs then gives the convolution
    modulo ``N``, which equals the linear one inside the window up to the
    dropped tail mass (the DFT approach to the Poisson-binomial
    distribution, Hong [1]_). Cohorts with no units are skipped; identical
    cohorts (same units and availability, e.g. an existing cohort seen by
    every bid) are transformed once. Round-off is cleaned as in
    :func:`available_units_pmf`. A batch element with one cohort is that
    cohort's pmf, with no FFT.

    References
    ----------
    .. [1] Y. Hong, "On computing the distribution function for the Poisson
       binomial distribution," *Comput. Stat. Data Anal.*, vol. 59,
       pp. 41-51, 2013, doi: 10.1016/j.csda.2012.10.006.

    Examples
    --------
    >>> dist = available_units_distribution([2, 1], [0.9, 0.5])
    >>> dist.pmf.round(6), int(dist.offset)
    (array([0.005, 0.095, 0.495, 0.405]), 0)
    """
    n, a = _cohorts(units, availability)
    a = np.where(a < _TINY_AVAILABILITY, 0.0, a)
    batch_shape = n.shape[:-1]
    nan_rows = np.isnan(a).any(axis=-1)
    n2 = n.reshape(-1, n.shape[-1])
    a2 = np.nan_to_num(a.reshape(-1, a.shape[-1]), nan=0.0)
    if n2.shape[1] == 0:
        n2, a2 = np.zeros((n2.shape[0], 1), dtype=np.int64), np.zeros((n2.shape[0], 1))
    pmf, offset, total = _convolve_rows(n2, a2)
    pmf = np.where(nan_rows.reshape(-1, 1), np.nan, pmf)
    return CountDistribution(pmf=pmf.reshape(batch_shape + pmf.shape[-1:]),
                             offset=offset.reshape(batch_shape),
                             total=total.reshape(batch_shape))
def _counts(name: str, value: Numbers, *, allow_nan: bool = False) -> Any:
    """Check non-negative integer counts; return a float array (NaN kept if allowed)."""
    arr = np.asarray(value, dtype=float)
    nan = np.isnan(arr)
    bad = (arr < 0) | np.isinf(arr) | (~nan & (arr != np.floor(arr)))
    if not allow_nan:
        bad |= nan
    if np.any(bad):
        raise ValueError(
            f"{name} must be non-negative whole numbers, got {_first_bad(arr, bad)!r}"
        )
    return arr




def _cohorts(units: Numbers, availability: Numbers) -> Any:
    """Validate and broadcast; cohort axis last, at least 1-d; int units."""
    n = _counts("units", units)
    a = _share("availability", availability)
    n, a = np.broadcast_arrays(n, a)
    if n.ndim == 0:
        n, a = n[np.newaxis], a[np.newaxis]
    # An empty cohort contributes nothing: its availability is irrelevant.
    a = np.where(n == 0, 0.0, a)
    return n.astype(np.int64), a


def _pmf_array(pmf: Numbers) -> Any:
    arr = np.asarray(pmf, dtype=float)
    if arr.ndim == 0 or arr.shape[-1] == 0:
        raise ValueError(
            f"pmf must have a last axis of counts 0..K (length >= 1), got shape {arr.shape!r}"
        )
    bad = arr < 0
    if np.any(bad):
        raise ValueError(f"pmf must be >= 0, got {_first_bad(arr, bad)!r}")
    return arr


def available_units_pmf(units: Numbers, availability: Numbers) -> FloatOrArray:
    r"""Exact pmf of the number of available units of a multi-cohort fleet.

    Parameters
    ----------
    units : array_like of int
        Units per cohort :math:`n_c` [unit], shape ``(..., n_cohorts)``;
        cohorts on the last axis.
    availability : array_like of float
        Availability of a unit of each cohort :math:`A_c` [-], in ``[0, 1]``;
        broadcastable with ``units`` (e.g. ``units`` of shape
        ``(n_cohorts,)`` and ``availability`` of shape
        ``(n_bids, n_years, n_cohorts)``).

    Returns
    -------
    numpy.ndarray
        :math:`P(X = k)` for ``k = 0 .. K`` on the last axis, with
        ``K = max`` over the batch of :math:`\sum_c n_c`; shape
        ``(..., K + 1)``. Batch elements with fewer units are zero-padded.
        Each row sums to 1 (NaN rows where a cohort with units has NaN
        availability).

    Raises
    ------
    ValueError
        If ``units`` are not non-negative whole numbers or ``availability``
        is outside ``[0, 1]``.

    See Also
    --------
    p_meet_demand, expected_shortfall, normal_approximation_shortfall

    Notes
    -----
    .. math::
        P(X = k) = \left(\mathop{*}_{c} \mathrm{Bin}(n_c, A_c)\right)(k),
        \qquad \mathrm{Bin}(n, A)(j) = \binom{n}{j} A^j (1-A)^{n-j}

    The binomial pmfs (:func:`binomial_pmf`) are convolved by multiplying
    their discrete Fourier transforms over the window of counts that holds
    all but 2e-300 of the mass (:func:`available_units_distribution`, the
    DFT approach to the Poisson-binomial distribution, Hong [1]_); the pmf
    is 0 outside that window. FFT round-off (about 1e-16 absolute) is
    cleaned by clipping negative values to 0 and renormalising; the tests
    bound the absolute error against brute-force enumeration and direct
    convolution at 1e-13 (measured about 1e-16). The error is absolute:
    probabilities far below 1e-15 (deep tails) are not resolved relative
    to their size. A single cohort is returned directly from
    :func:`binomial_pmf`. Availabilities below 1e-300 are treated as 0
    (the effect is below double-precision resolution). Memory is
    ``(batch) x (K + 1)``; prefer :func:`available_units_distribution` for
    large fleets.

    References
    ----------
    .. [1] Y. Hong, "On computing the distribution function for the Poisson
       binomial distribution," *Comput. Stat. Data Anal.*, vol. 59,
       pp. 41-51, 2013, doi: 10.1016/j.csda.2012.10.006.

    Examples
    --------
    Two units at 0.9 and one at 0.5:

    >>> available_units_pmf([2, 1], [0.9, 0.5]).round(6)
    array([0.005, 0.095, 0.495, 0.405])
    >>> available_units_pmf([[2, 1], [1, 0]], [0.9, 0.5]).round(6)
    array([[0.005, 0.095, 0.495, 0.405],
           [0.1  , 0.9  , 0.   , 0.   ]])
    """
    return available_units_distribution(units, availability).full()


def p_meet_demand(pmf: Numbers, demand: Numbers, *, offset: Numbers = 0) -> FloatOrArray:
    r"""Probability that at least ``demand`` units are available.

    Parameters
    ----------
    pmf : array_like
        Pmf of the number of available units, counts ``offset + 0..W-1`` on
        the last axis (from :func:`available_units_pmf`, or the ``pmf`` of
        :func:`available_units_distribution`).
    demand : int or array_like of int
        Demand :math:`D` [unit], non-negative whole numbers; broadcast
        against the batch axes ``pmf.shape[:-1]``. NaN gives NaN.
    offset : int or array_like of int, optional
        Count of the first entry of ``pmf`` [unit], broadcast against the
        batch axes (the ``offset`` of a :class:`CountDistribution`);
        default 0.

    Returns
    -------
    float or numpy.ndarray
        :math:`P(X \ge D)` [-], in ``[0, 1]``; exactly 1 for :math:`D = 0`.

    Raises
    ------
    ValueError
        If ``pmf`` has no count axis or negative values, or ``demand`` is not
        a non-negative whole number.

    Notes
    -----
    .. math:: P(X \ge D) = \sum_{k = D}^{K} P(X = k)

    A demand above ``K`` gives 0. This is the survival function of the
    Poisson-binomial count [1]_. Counts outside a windowed pmf (below
    ``offset``) count as 0: with :func:`available_units_distribution` they
    hold less than 1e-300.

    References
    ----------
    .. [1] Y. Hong, "On computing the distribution function for the Poisson
       binomial distribution," *Comput. Stat. Data Anal.*, vol. 59,
       pp. 41-51, 2013, doi: 10.1016/j.csda.2012.10.006.

    Examples
    --------
    >>> pmf = available_units_pmf([2, 1], [0.9, 0.5])
    >>> round(p_meet_demand(pmf, 2), 6)
    0.9
    >>> p_meet_demand(pmf, [0, 3, 4]).round(6)
    array([1.   , 0.405, 0.   ])

    A windowed pmf, ``P(X = 2 + i)``:

    >>> round(p_meet_demand([0.2, 0.8], 3, offset=2), 6)
    0.8
    """
    p = _pmf_array(pmf)
    d = _counts("demand", demand, allow_nan=True)
    counts = np.asarray(offset)[..., np.newaxis] + np.arange(p.shape[-1])
    with np.errstate(invalid="ignore"):
        mask = counts >= d[..., np.newaxis]
    prob = np.clip(np.sum(np.where(mask, p, 0.0), axis=-1), 0.0, 1.0)
    row_nan = np.isnan(p).any(axis=-1)
    # every count of the pmf meets the demand: exactly 1 (a pmf sums to 1)
    prob = np.where(d <= np.asarray(offset), np.where(row_nan, np.nan, 1.0), prob)
    return _finish(np.where(np.isnan(d), np.nan, prob))


def expected_shortfall(pmf: Numbers, demand: Numbers, *,
                       offset: Numbers = 0) -> FloatOrArray:
    r"""Expected number of units missing to meet a demand.

    Parameters
    ----------
    pmf : array_like
        Pmf of the number of available units, counts ``offset + 0..W-1`` on
        the last axis (as :func:`p_meet_demand`).
    demand : int or array_like of int
        Demand :math:`D` [unit], non-negative whole numbers; broadcast
        against the batch axes. NaN gives NaN.
    offset : int or array_like of int, optional
        Count of the first entry of ``pmf`` [unit]; default 0.

    Returns
    -------
    float or numpy.ndarray
        :math:`E[\max(0, D - X)]` [unit]; exactly 0 for :math:`D = 0`.
        This is the time-average number of missing units; times the days
        in the year it is the expected shortfall in unit-days per year.

    Raises
    ------
    ValueError
        If ``pmf`` has no count axis or negative values, or ``demand`` is not
        a non-negative whole number.

    Notes
    -----
    .. math::
        E[(D - X)^+] = \sum_{k=0}^{D-1} (D - k)\,P(X = k)
                     = \sum_{j=0}^{D-1} P(X \le j)

    The discrete loss function of inventory theory (expected units short)
    [1]_, here of available locomotives against the demand.

    References
    ----------
    .. [1] E. A. Silver, D. F. Pyke and R. Peterson, *Inventory Management
       and Production Planning and Scheduling*, 3rd ed. New York: Wiley,
       1998.

    Examples
    --------
    >>> pmf = available_units_pmf([2, 1], [0.9, 0.5])
    >>> round(expected_shortfall(pmf, 3), 6)
    0.7
    >>> expected_shortfall(pmf, [0, 1])
    array([0.   , 0.005])
    """
    p = _pmf_array(pmf)
    d = _counts("demand", demand, allow_nan=True)
    counts = np.asarray(offset)[..., np.newaxis] + np.arange(p.shape[-1])
    missing = np.maximum(d[..., np.newaxis] - counts, 0.0)
    return _finish(np.sum(missing * p, axis=-1))


def expected_available(units: Numbers, availability: Numbers) -> FloatOrArray:
    r"""Expected number of available units of a multi-cohort fleet.

    Parameters
    ----------
    units : array_like of int
        Units per cohort :math:`n_c` [unit], cohorts on the last axis.
    availability : array_like of float
        Availability per cohort :math:`A_c` [-], broadcastable with
        ``units``.

    Returns
    -------
    float or numpy.ndarray
        :math:`E[X] = \sum_c n_c A_c` [unit], batch shape.

    Raises
    ------
    ValueError
        As :func:`available_units_pmf`.

    Notes
    -----
    .. math:: E[X] = \sum_c n_c A_c

    Linearity of expectation; needs no independence assumption.

    Examples
    --------
    >>> round(expected_available([55, 27, 34, 50], [0.85, 0.80, 0.75, 0.92]), 6)
    139.85
    """
    n, a = _cohorts(units, availability)
    return _finish(np.sum(n * a, axis=-1))


def available_units_moments(units: Numbers, availability: Numbers) -> Any:
    r"""Mean, variance and skewness of the number of available units.

    Parameters
    ----------
    units : array_like of int
        Units per cohort :math:`n_c` [unit], cohorts on the last axis.
    availability : array_like of float
        Availability per cohort :math:`A_c` [-], broadcastable with
        ``units``.

    Returns
    -------
    mean : float or numpy.ndarray
        :math:`\mu` [unit].
    variance : float or numpy.ndarray
        :math:`\sigma^2` [unit²].
    skewness : float or numpy.ndarray
        :math:`\gamma` [-]; 0 when :math:`\sigma = 0`.

    Notes
    -----
    For independent units the cumulants add:

    .. math::
        \mu = \sum_c n_c A_c, \quad
        \sigma^2 = \sum_c n_c A_c (1 - A_c), \quad
        \gamma = \frac{\sum_c n_c A_c (1 - A_c)(1 - 2A_c)}{\sigma^3}

    These are the inputs of :func:`normal_approximation_shortfall`.

    Examples
    --------
    >>> mean, var, skew = available_units_moments([10], [0.5])
    >>> float(mean), float(var), float(skew)
    (5.0, 2.5, 0.0)
    """
    n, a = _cohorts(units, availability)
    mean = np.sum(n * a, axis=-1)
    var = np.sum(n * a * (1.0 - a), axis=-1)
    third = np.sum(n * a * (1.0 - a) * (1.0 - 2.0 * a), axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        skew = np.where(var > 0, third / var**1.5, np.where(np.isnan(var), np.nan, 0.0))
    return _finish(mean), _finish(var), _finish(skew)


def required_fleet_size(availability: Numbers, demand: Numbers, *, confidence: Numbers,
                        raise_exceptions: bool = False) -> FloatOrArray:
    r"""Smallest homogeneous fleet that meets a demand with a given confidence.

    Parameters
    ----------
    availability : float or array_like
        Availability of every unit :math:`A` [-], in ``[0, 1]``. NaN is not
        allowed (the result is an integer).
    demand : int or array_like of int
        Demand :math:`D` [unit], non-negative whole numbers.
    confidence : float or array_like
        Required probability :math:`c` [-] of meeting the demand, in
        ``(0, 1)``, e.g. 0.95.
    raise_exceptions : bool, optional
        If True, raise :class:`ValueError` where no fleet size is enough.
        Default False: return -1 there.

    Returns
    -------
    int or numpy.ndarray of int64
        Fleet size :math:`n` [unit], ``n >= D``; **-1 where impossible**
        (:math:`A = 0` and :math:`D > 0`).

    Raises
    ------
    ValueError
        For invalid arguments, or (with ``raise_exceptions=True``) when no
        fleet size meets the demand.

    Warnings
    --------
    Check for the sentinel ``-1`` before using the result in arithmetic
    (e.g. ``np.where(n < 0, np.nan, n)``); :func:`spare_ratio` maps it to
    NaN. Following numpy-financial, a solver without a solution does not
    raise unless asked to.

    See Also
    --------
    spare_ratio

    Notes
    -----
    .. math::
        n^\ast = \min\{\, n \ge D : P(\mathrm{Bin}(n, A) \ge D) \ge c \,\}

    :math:`P(\mathrm{Bin}(n, A) \ge D)` is summed from :func:`binomial_pmf`
    over the window of counts holding all but 2e-300 of the mass (the
    smaller of the two tails, so that neither sum loses digits to
    :math:`1 - P`); it equals ``scipy.stats.binom.sf(D - 1, n, A)`` to about
    1e-15 (tested). It is non-decreasing in
    :math:`n`, so :math:`n^\ast` is found by doubling an upper bound from
    :math:`\lceil D / A \rceil` and then integer bisection, vectorised over
    all inputs (about :math:`\log_2 n^\ast` steps). :math:`D = 0` gives 0.

    Examples
    --------
    >>> required_fleet_size(0.85, 140, confidence=0.95)
    174
    >>> required_fleet_size([1.0, 0.9, 0.0], 10, confidence=0.9)
    array([10, 13, -1])
    """
    a = _share("availability", availability, allow_nan=False)
    d = _counts("demand", demand)
    c = np.asarray(confidence, dtype=float)
    bad_c = ~((c > 0) & (c < 1))
    if np.any(bad_c):
        raise ValueError(
            f"confidence must be in the open interval (0, 1), got {_first_bad(c, bad_c)!r}"
        )
    a, d, c = np.broadcast_arrays(a, d, c)
    impossible = (a == 0) & (d > 0)
    if raise_exceptions and np.any(impossible):
        raise ValueError(
            "no fleet size meets the demand: availability = "
            f"{_first_bad(a, impossible)!r} with demand = {_first_bad(d, impossible)!r} "
            "(availability must be > 0 when demand > 0)"
        )
    a_ok = np.where(a == 0, 1.0, a)  # A = 0: impossible, or D = 0 (answer 0)
    d_int = d.astype(np.int64)

    def meets(n: Numbers) -> Any:
        return _binomial_sf(d_int, n, a_ok) >= c

    lo = np.maximum(d_int - 1, 0)  # P(Bin(D-1, A) >= D) = 0 < c: always too small
    start = np.maximum(d_int, np.ceil(d_int / a_ok))
    too_small = start > _MAX_FLEET
    if np.any(too_small):
        raise ValueError(
            f"availability = {_first_bad(a, too_small)!r} is too small for demand = "
            f"{_first_bad(d, too_small)!r}: the fleet size would exceed {_MAX_FLEET:.0e}"
        )
    hi = start.astype(np.int64)
    ok = meets(hi)
    while not ok.all():
        if np.any(hi[~ok] > _MAX_FLEET):
            raise ValueError(
                f"confidence = {_first_bad(c, ~ok)!r} needs a fleet size above "
                f"{_MAX_FLEET:.0e} (availability = {_first_bad(a, ~ok)!r})"
            )
        hi = np.where(ok, hi, 2 * hi)
        ok = meets(hi)
    while np.any(hi - lo > 1):
        mid = (lo + hi) // 2
        ok_mid = meets(mid)
        hi = np.where(ok_mid, mid, hi)
        lo = np.where(ok_mid, lo, mid)
    size = np.where(d_int == 0, 0, hi)
    size = np.where(impossible, -1, size).astype(np.int64)
    return int(size) if size.ndim == 0 else size


def spare_ratio(fleet_size: Numbers, demand: Numbers) -> FloatOrArray:
    r"""Spare ratio of a fleet: spare units per unit of demand.

    Parameters
    ----------
    fleet_size : int or array_like
        Fleet size :math:`n` [unit]; the sentinel -1 of
        :func:`required_fleet_size` ("impossible") gives NaN.
    demand : int or array_like
        Demand :math:`D` [unit], > 0.

    Returns
    -------
    float or numpy.ndarray
        :math:`(n - D) / D` [-], decimal (0.15 = 15 % spares); negative if
        the fleet is smaller than the demand.

    Raises
    ------
    ValueError
        If ``demand <= 0`` or ``fleet_size`` is negative other than -1.

    Notes
    -----
    .. math:: r = \frac{n - D}{D}

    The "fixed spare ratio" rule of thumb (10-20 %) is this ratio; with
    :func:`required_fleet_size` it follows from availability and a
    confidence level instead.

    Examples
    --------
    >>> round(spare_ratio(174, 140), 6)
    0.242857
    >>> spare_ratio([115, -1], 100)
    array([0.15,  nan])
    """
    n = np.asarray(fleet_size, dtype=float)
    d = np.asarray(demand, dtype=float)
    bad_n = (n < 0) & (n != -1)
    if np.any(bad_n):
        raise ValueError(
            f"fleet_size must be >= 0 (or -1 for impossible), got {_first_bad(n, bad_n)!r}"
        )
    bad_d = d <= 0
    if np.any(bad_d):
        raise ValueError(f"demand must be > 0, got {_first_bad(d, bad_d)!r}")
    n, d = np.broadcast_arrays(n, d)
    return _finish(np.where(n == -1, np.nan, (n - d) / d))


def _binomial_sf(demand: Numbers, n: Numbers, a: Numbers) -> Any:
    """``P(Bin(n, a) >= demand)`` for arrays of whole ``demand``, ``n`` and ``a`` in [0, 1]."""
    demand, n, a = np.broadcast_arrays(np.asarray(demand, dtype=np.int64),
                                       np.asarray(n, dtype=np.int64), np.asarray(a, dtype=float))
    lo, hi = _window(n, n * a, n * a * (1.0 - a))
    k = lo[..., None] + np.arange(int((hi - lo).max(initial=0)) + 1)
    valid = k <= hi[..., None]
    pmf = np.where(valid, binomial_pmf(np.where(valid, k, 0), n[..., None], a[..., None]), 0.0)
    below = k < demand[..., None]
    upper = np.where(below, 0.0, pmf).sum(axis=-1)
    lower = np.where(below, pmf, 0.0).sum(axis=-1)
    return np.where(demand <= 0, 1.0, np.where(demand <= n * a, 1.0 - lower, upper))


def _normal_loss(z: Numbers) -> Any:
    """Integral of the standard normal cdf: ``z * Phi(z) + phi(z)``."""
    from scipy import special  # noqa: PLC0415 - heavy; only the Monte Carlo needs it

    return z * special.ndtr(z) + np.exp(-0.5 * z * z) / np.sqrt(2.0 * np.pi)


def _skew_term(z: Numbers) -> Any:
    """Integral of ``(1 - z**2) * phi(z)``: ``z * phi(z)``."""
    return z * np.exp(-0.5 * z * z) / np.sqrt(2.0 * np.pi)


def normal_approximation_shortfall(mean: Numbers, variance: Numbers, demand: Numbers, *,
                                   skewness: Numbers = 0.0) -> FloatOrArray:
    r"""Expected shortfall from a continuity-corrected (refined) normal law.

    Closed-form replacement for :func:`expected_shortfall` when only the
    moments of the available-unit count are known (e.g. per Monte Carlo
    draw).

    Parameters
    ----------
    mean : float or array_like
        Mean number of available units :math:`\mu` [unit], ``>= 0``.
    variance : float or array_like
        Variance :math:`\sigma^2` [unit²], ``>= 0``.
    demand : float or array_like
        Demand :math:`D` [unit], ``>= 0``; a whole number in the intended
        use (the continuity correction assumes integer counts).
    skewness : float or array_like, optional
        Skewness :math:`\gamma` [-] of the count; 0 (default) gives the
        continuity-corrected normal approximation, the value from
        :func:`available_units_moments` gives the refined normal
        approximation (RNA) of Volkova [1]_.

    Returns
    -------
    float or numpy.ndarray
        Approximate :math:`E[\max(0, D - X)]` [unit], ``>= 0``; exactly 0 for
        :math:`D = 0`.

    Raises
    ------
    ValueError
        If ``mean``, ``variance`` or ``demand`` is negative.

    Notes
    -----
    With the continuity correction :math:`P(X \le j) \approx
    G\big((j + \tfrac12 - \mu)/\sigma\big)`, where
    :math:`G(z) = \Phi(z) + \tfrac{\gamma}{6}(1 - z^2)\varphi(z)` is the
    refined normal cdf [1]_, [2]_ (:math:`G = \Phi` for :math:`\gamma = 0`),

    .. math::
        E[(D - X)^+] = \sum_{j=0}^{D-1} P(X \le j)
        \approx \int_0^D G\!\left(\frac{x - \mu}{\sigma}\right) dx
        = \sigma \left[ \Psi(z) + \frac{\gamma}{6} z\,\varphi(z)
          \right]_{z_0}^{z_D},

    by the midpoint rule (each term is :math:`G` at the midpoint of
    :math:`[j, j+1]`), with :math:`z_D = (D - \mu)/\sigma`,
    :math:`z_0 = -\mu/\sigma` and the normal loss integral
    :math:`\Psi(z) = z\Phi(z) + \varphi(z)` [3]_, using
    :math:`\Psi' = \Phi` and :math:`(z\varphi)' = (1 - z^2)\varphi`. For
    :math:`\sigma = 0` the result is :math:`\max(0, D - \mu)`. Negative
    values (possible with large :math:`|\gamma|`) are clipped to 0.

    Measured error against the exact :func:`expected_shortfall` for the
    fleet 55 units at 0.85, 27 at 0.80, 34 at 0.75 and 50 at 0.92
    (:math:`\mu = 139.85`, :math:`\sigma^2 = 21.39`, :math:`\gamma = -0.139`;
    ``tests/test_fleet_distribution.py``):

    * demand 140 (exact 1.9133 units): relative error +0.40 % with
      :math:`\gamma = 0` and +0.33 % with the skewness term;
    * demands 138-160 (shortfall >= 1 unit): below 0.93 % and 0.55 %;
    * demands 130-160 (shortfall >= 0.036 unit): below 24 % and 2.3 %; the
      plain normal law underestimates the left tail (-24 % at 130);
    * all demands 0-170: absolute error below 0.032 and 0.0063 unit.

    Prefer the skewness term (refined normal) wherever the moments are
    available; both are unreliable in *relative* terms for shortfalls far
    below 0.01 unit.

    References
    ----------
    .. [1] A. Yu. Volkova, "A refinement of the central limit theorem for
       sums of independent random indicators," *Theory Probab. Appl.*,
       vol. 40, no. 4, pp. 791-794, 1996.
    .. [2] Y. Hong, "On computing the distribution function for the Poisson
       binomial distribution," *Comput. Stat. Data Anal.*, vol. 59,
       pp. 41-51, 2013, doi: 10.1016/j.csda.2012.10.006.
    .. [3] E. A. Silver, D. F. Pyke and R. Peterson, *Inventory Management
       and Production Planning and Scheduling*, 3rd ed. New York: Wiley,
       1998 (unit normal loss function :math:`G_u(k)`).

    Examples
    --------
    >>> round(normal_approximation_shortfall(139.85, 21.3875, 140), 3)
    1.921
    >>> normal_approximation_shortfall(10.0, 0.0, [0, 12])
    array([0., 2.])
    """
    mu = np.asarray(mean, dtype=float)
    var = np.asarray(variance, dtype=float)
    d = np.asarray(demand, dtype=float)
    gamma = np.asarray(skewness, dtype=float)
    for name, arr in (("mean", mu), ("variance", var), ("demand", d)):
        bad = arr < 0
        if np.any(bad):
            raise ValueError(f"{name} must be >= 0, got {_first_bad(arr, bad)!r}")
    mu, var, d, gamma = np.broadcast_arrays(mu, var, d, gamma)
    # one formula: the engine's kernel, with the third cumulant gamma sigma^3
    third = gamma * var * np.sqrt(var)
    flat = [np.array(a, dtype=float).reshape(-1) for a in (mu, var, third, d)]   # in place
    approx = _refined_normal_shortfall(*flat).reshape(mu.shape)
    undefined = np.isnan(mu) | np.isnan(var) | np.isnan(d) | (np.isnan(gamma) & (var > 0))
    return _finish(np.where(undefined, np.nan, approx))


def _refined_normal_shortfall(mean: Numbers, var: Numbers, third: Numbers,
                              demand: Numbers) -> Any:
    r"""Kernel of :func:`normal_approximation_shortfall` for the Monte Carlo engine [unit].

    The same refined normal formula, without argument checks, with the third
    cumulant :math:`\kappa_3 = \gamma\sigma^3` (``third``) in place of the
    skewness and rearranged with :math:`\sigma z_D = D - \mu` so that it runs
    in place on large arrays:

    .. math:: \sigma\Big[\Psi(z) + \frac{\gamma}{6} z\varphi(z)\Big]_{z_0}^{z_D},
              \qquad \sigma\Psi(z_D) = (D - \mu)\Phi(z_D) + \sigma\varphi(z_D).

    The :math:`z_0` terms are skipped where :math:`z_0 \le -9`, element by
    element (they are then below 1e-17), so each value depends on its own
    inputs only. Zero variance gives :math:`\max(0, D - \mu)`; the result
    is clipped at 0 and is 0 where ``demand <= 0``. Callers pass
    ``mean >= 0``, ``var >= 0`` and ``demand >= 0``.
    """
    from scipy.special import ndtr  # noqa: PLC0415 - heavy; only for this approximation
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        gap = demand - mean                                   # sigma * z_D
        sigma = np.sqrt(var)
        z = gap / sigma
        skew = third / var
        skew *= 1.0 / 6.0                                     # gamma * sigma / 6
        phi = np.square(z)
        phi *= -0.5
        np.exp(phi, out=phi)
        phi *= 1.0 / np.sqrt(2.0 * np.pi)
        out = ndtr(z)
        out *= gap
        skew *= z
        skew += sigma
        skew *= phi
        out += skew                                           # sigma * [Psi + gamma/6 z phi](z_D)
        # z_0 = -mean / sigma > -9 exactly where mean / sigma < 9 (negation is exact): one
        # division and a reduction tell whether any element needs its z_0 terms
        ratio = np.divide(mean, sigma, out=z) if isinstance(z, np.ndarray) else mean / sigma
        if ratio.size and np.fmin.reduce(ratio, axis=None) < 9.0:
            z_0 = -mean / sigma
            near = z_0 > -9.0                                 # else the z_0 terms are < 1e-17
            z_0 = z_0[near]
            phi_0 = np.exp(-0.5 * z_0 * z_0) * (1.0 / np.sqrt(2.0 * np.pi))
            out[near] -= sigma[near] * (z_0 * ndtr(z_0) + phi_0) + np.broadcast_to(
                third / (6.0 * var), out.shape)[near] * (z_0 * phi_0)
    if not (np.size(var) and np.min(var) > 0):               # NaN or 0 somewhere
        out = np.where(var > 0, out, np.maximum(demand - mean, 0.0))
    np.maximum(out, 0.0, out=out)
    if np.all(np.asarray(demand) > 0):
        return out
    return np.where(demand > 0, out, 0.0)
