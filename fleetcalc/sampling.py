r"""Random draws for the Monte Carlo engine: marginals, copula, price paths, seeds.

Pure, vectorised functions; nothing here prints or opens files.

Every draw starts as a vector of independent standard normal scores. A
Gaussian copula correlates them (:func:`correlate`), and each score is then
mapped to its input's distribution by the inverse of its cdf
(:func:`values_from_scores`), so a specified correlation of the scores
holds whatever the marginal laws. Year-to-year shocks of price paths are
further independent normals (:func:`random_walk`).

Reproducibility: draws come in fixed blocks of :data:`BLOCK_SIZE`; block
``k`` of seed ``s`` always uses the generator
``numpy.random.Generator(PCG64(SeedSequence(s, spawn_key=(k,))))`` (the
``k``-th child of ``SeedSequence(s).spawn``), and always draws a whole
block. Any split of the blocks over chunks, threads or machines therefore
gives the same numbers.
"""

from __future__ import annotations

import functools
import typing

import numpy as np
from scipy import special

if typing.TYPE_CHECKING:
    from typing import Any

    from fleetcalc._arrays import Array, FloatOrArray, Numbers

__all__ = [
    "BLOCK_SIZE",
    "block_generator",
    "block_scores",
    "correlate",
    "values_from_scores",
    "quantile",
    "scipy_distribution",
    "pert_shape",
    "random_walk",
]

#: Draws per seed block [draws]: the unit of reproducibility.
BLOCK_SIZE = 4096

#: Normal scores tabulated for the PERT quantile (beyond: exact betaincinv).
_Z_MAX = 8.0
_TABLE_POINTS = 32769


def block_generator(seed: Numbers, block: Numbers) -> Any:
    """Random generator of one block of draws.

    Parameters
    ----------
    seed : int
        Seed of the simulation (>= 0).
    block : int
        Block number ``k`` (draws ``k * BLOCK_SIZE`` to ``(k + 1) * BLOCK_SIZE - 1``).

    Returns
    -------
    numpy.random.Generator
        PCG64 seeded with the ``k``-th child of ``SeedSequence(seed)``.

    Examples
    --------
    >>> a = block_generator(7, 3).standard_normal(2)
    >>> b = np.random.Generator(np.random.PCG64(np.random.SeedSequence(7).spawn(4)[3]))
    >>> bool(np.all(a == b.standard_normal(2)))
    True
    """
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed,
                                                                      spawn_key=(block,))))


def block_scores(seed: Numbers, block: Numbers, *, n_inputs: Numbers, n_paths: Numbers = 0,
                 steps: Numbers = 0, block_size: Numbers = BLOCK_SIZE,
                 out: Any = None) -> Any:
    """Independent standard normal scores of one block of draws.

    Parameters
    ----------
    seed, block : int
        See :func:`block_generator`.
    n_inputs : int
        Uncertain inputs (copula dimensions).
    n_paths : int, optional
        Inputs with a year-to-year process.
    steps : int, optional
        Years of each path (``T``).
    block_size : int, optional
        Draws of the block; keep the default for reproducible results.
    out : tuple of numpy.ndarray, optional
        C-contiguous float64 arrays of the two shapes below to fill (the
        generator fills them with the same numbers as it would return).

    Returns
    -------
    scores : numpy.ndarray, shape (block_size, n_inputs)
    shocks : numpy.ndarray, shape (block_size, n_paths, steps)

    Examples
    --------
    >>> scores, shocks = block_scores(1, 0, n_inputs=3, n_paths=1, steps=30)
    >>> scores.shape, shocks.shape
    ((4096, 3), (4096, 1, 30))
    """
    rng = block_generator(seed, block)
    if out is not None:
        return rng.standard_normal(out=out[0]), rng.standard_normal(out=out[1])
    scores = rng.standard_normal((block_size, n_inputs))
    shocks = rng.standard_normal((block_size, n_paths, steps))
    return scores, shocks


def correlate(scores: Numbers, cholesky: Numbers) -> FloatOrArray:
    r"""Correlate independent normal scores: :math:`z = L\,\varepsilon`.

    Parameters
    ----------
    scores : array_like, shape (n, d)
        Independent standard normal scores.
    cholesky : array_like, shape (d, d) or None
        Lower Cholesky factor :math:`L` of the correlation matrix
        (``numpy.linalg.cholesky``); None for independence.

    Returns
    -------
    numpy.ndarray, shape (n, d)
        Standard normal scores with correlation :math:`L L^T`.

    Examples
    --------
    >>> L = np.linalg.cholesky([[1.0, 0.8], [0.8, 1.0]])
    >>> z = correlate(np.random.default_rng(0).standard_normal((100_000, 2)), L)
    >>> round(float(np.corrcoef(z.T)[0, 1]), 2)
    0.8
    """
    scores = np.asarray(scores, dtype=float)
    if cholesky is None:
        return scores
    lower = np.asarray(cholesky, dtype=float)
    # z_j = sum_k L_jk eps_k, term by term: no BLAS call (a 12 x 12 product gains nothing
    # from threads), and each draw depends on its own scores only
    out = np.empty_like(scores)
    for j in range(lower.shape[0]):
        column = out[:, j]
        np.multiply(scores[:, 0], lower[j, 0], out=column)
        for k in range(1, j + 1):
            if lower[j, k] != 0.0:
                column += scores[:, k] * lower[j, k]
    return out


def pert_shape(low: Numbers, mode: Numbers, high: Numbers, *, lamb: Numbers = 4.0) -> Any:
    r"""Beta shape parameters :math:`(\alpha, \beta)` of a PERT distribution.

    Examples
    --------
    >>> pert_shape(0.0, 0.25, 1.0)
    (2.0, 4.0)
    """
    width = high - low
    return 1.0 + lamb * (mode - low) / width, 1.0 + lamb * (high - mode) / width


def _lognormal(mean: Numbers, std: Numbers) -> Any:
    sigma2 = np.log1p((std / mean) ** 2)
    return np.log(mean) - 0.5 * sigma2, np.sqrt(sigma2)


def _beta_exact(z: Numbers, alpha: Numbers, beta: Numbers) -> Any:
    r"""Beta quantile ``x`` at ``u = Phi(z)`` and ``1 - x``, each from its accurate tail.

    Below the median :math:`x = I^{-1}_{\\Phi(z)}(\alpha, \beta)`; above it
    :math:`1 - x = I^{-1}_{\\Phi(-z)}(\beta, \alpha)`, so the upper tail does
    not lose digits to ``Phi(z)`` rounding towards 1.
    """
    upper = z > 0
    low = special.betaincinv(alpha, beta, special.ndtr(np.where(upper, 0.0, z)))
    high = special.betaincinv(beta, alpha, special.ndtr(-np.where(upper, z, 0.0)))
    x = np.where(upper, 1.0 - high, low)
    return x, np.where(upper, high, 1.0 - low)


@functools.lru_cache(maxsize=64)
def _beta_table(alpha: Numbers, beta: Numbers) -> Any:
    r"""Exact Beta quantiles and their slopes in z on a grid of normal scores.

    Returns the grid step, the quantiles :math:`x_i = I^{-1}_{\\Phi(z_i)}(\alpha, \beta)`
    (``scipy.special.betaincinv``) and the slopes
    :math:`dx/dz = \varphi(z_i) / f(x_i)` with :math:`f` the Beta density.
    """
    grid = np.linspace(-_Z_MAX, _Z_MAX, _TABLE_POINTS)
    x, y = _beta_exact(grid, alpha, beta)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        log_pdf = (alpha - 1) * np.log(x) + (beta - 1) * np.log(y) - special.betaln(alpha, beta)
        slope = np.exp(-0.5 * grid * grid - 0.5 * np.log(2.0 * np.pi) - log_pdf)
    slope = np.where(np.isfinite(slope), slope, 0.0)
    return grid[1] - grid[0], x, slope


def _beta_quantile(z: Numbers, u: Numbers, alpha: Numbers, beta: Numbers) -> Any:
    """Beta quantile at ``u = Phi(z)``: cubic Hermite interpolation in z of an exact table.

    ``u`` is unused (kept for callers).

    Each value depends on its own score only (no reduction over the draws),
    so any split of the draws gives the same numbers.
    """
    step, table, slope = _beta_table(float(alpha), float(beta))
    position = (np.clip(z, -_Z_MAX, _Z_MAX) + _Z_MAX) * (1.0 / step)
    index = np.minimum(position.astype(np.intp), _TABLE_POINTS - 2)
    t = position - index
    x0, x1 = table[index], table[index + 1]
    m0, m1 = slope[index] * step, slope[index + 1] * step
    # Hermite basis in t: h00, h10, h01, h11
    t2 = t * t
    t3 = t2 * t
    x = (2 * t3 - 3 * t2 + 1) * x0 + (t3 - 2 * t2 + t) * m0 + (3 * t2 - 2 * t3) * x1 + (
        t3 - t2) * m1
    np.clip(x, 0.0, 1.0, out=x)
    outside = np.abs(z) >= _Z_MAX
    if np.any(outside):
        x = np.where(outside, _beta_exact(z, alpha, beta)[0], x)
    return x


def values_from_scores(scores: Numbers, *, distribution: Numbers, low: Numbers = None,
                       mode: Numbers = None, high: Numbers = None, mean: Numbers = None,
                       std: Numbers = None) -> FloatOrArray:
    r"""Map standard normal scores to values of a distribution (inverse-cdf transform).

    Parameters
    ----------
    scores : array_like
        Standard normal scores :math:`z` [-].
    distribution : {"triangular", "uniform", "normal", "lognormal", "pert"}
    low, mode, high, mean, std : float, optional
        Parameters as in :class:`fleetcalc.uncertainty.UncertainInput`.

    Returns
    -------
    numpy.ndarray
        :math:`F^{-1}(\Phi(z))`, same shape as ``scores``; a zero-width
        distribution gives its single value.

    Notes
    -----
    With :math:`u = \Phi(z)` (and :math:`1 - u = \Phi(-z)` to keep the
    upper tail accurate):

    * triangular: :math:`a + \sqrt{u (b-a)(c-a)}` for :math:`u < (c-a)/(b-a)`,
      else :math:`b - \sqrt{(1-u)(b-a)(b-c)}`;
    * uniform: :math:`a + (b - a) u`;
    * normal: :math:`\mu + \sigma z`; truncated to :math:`[a, b]`:
      :math:`\mu + \sigma\,\Phi^{-1}(\Phi(\alpha) + u(\Phi(\beta) - \Phi(\alpha)))`;
    * lognormal: :math:`\exp(m + s z)` with :math:`s^2 = \ln(1 + \sigma^2/\mu^2)`,
      :math:`m = \ln\mu - s^2/2` (so the value has mean :math:`\mu` and
      standard deviation :math:`\sigma`);
    * PERT: :math:`a + (b - a) I^{-1}_u(\alpha, \beta)` with
      :math:`\alpha = 1 + 4(c - a)/(b - a)`, :math:`\beta = 1 + 4(b - c)/(b - a)`
      (Vose 2008, ch. 9). The Beta quantile is a cubic Hermite
      interpolation in :math:`z` of exact values (``scipy.special.betaincinv``)
      and their slopes :math:`dx/dz = \varphi(z)/f(x)` on 32,769 normal scores
      in :math:`[-8, 8]` (exact ``betaincinv`` beyond): it agrees with
      ``betaincinv`` to about 1e-12 (measured and bounded in
      ``tests/test_sampling.py``) at a small fraction of its cost.

    Examples
    --------
    >>> values_from_scores([0.0], distribution="triangular", low=0.8, mode=1.0, high=1.2)
    array([1.])
    >>> values_from_scores([0.0, 1.0], distribution="normal", mean=10.0, std=2.0)
    array([10., 12.])
    """
    z = np.asarray(scores, dtype=float)
    if distribution in ("triangular", "uniform", "pert") and high == low:
        return np.full(z.shape, float(low))
    if distribution in ("normal", "lognormal") and std == 0:
        return np.full(z.shape, float(mean))
    if distribution == "normal":
        if low is None and high is None:
            return mean + std * z
        a = -np.inf if low is None else (low - mean) / std
        b = np.inf if high is None else (high - mean) / std
        fa, fb = special.ndtr(a), special.ndtr(b)
        return np.clip(mean + std * special.ndtri(fa + special.ndtr(z) * (fb - fa)),
                       -np.inf if low is None else low, np.inf if high is None else high)
    if distribution == "lognormal":
        m, s = _lognormal(mean, std)
        return np.exp(m + s * z)
    width = high - low
    if distribution == "pert":
        alpha, beta = pert_shape(low, mode, high)
        return low + width * _beta_quantile(z, None, alpha, beta)
    u = special.ndtr(z)
    if distribution == "uniform":
        return low + width * u
    if distribution == "triangular":
        left = mode - low
        lower = low + np.sqrt(u * width * left)
        upper = high - np.sqrt(special.ndtr(-z) * width * (high - mode))
        return np.where(u * width < left, lower, upper)
    raise ValueError(f"distribution must be one of triangular, uniform, normal, lognormal, "
                     f"pert; got {distribution!r}")


def quantile(q: Numbers, **parameters: Any) -> Any:
    """Quantile of a distribution given as in :func:`values_from_scores`.

    Examples
    --------
    >>> float(quantile(0.5, distribution="uniform", low=1.0, high=3.0))
    2.0
    """
    return values_from_scores(special.ndtri(np.asarray(q, dtype=float)), **parameters)


def scipy_distribution(*, distribution: Numbers, low: Numbers = None,
                       mode: Numbers = None, high: Numbers = None,
                       mean: Numbers = None, std: Numbers = None) -> Any:
    """The same distribution as a frozen ``scipy.stats`` object (an oracle for tests).

    Raises
    ------
    ValueError
        For a zero-width distribution (scipy has no point mass).

    Examples
    --------
    >>> round(float(scipy_distribution(distribution="pert", low=0.0, mode=0.25,
    ...                                high=1.0).mean()), 6)
    0.333333
    """
    if distribution in ("triangular", "uniform", "pert") and high == low or (
            distribution in ("normal", "lognormal") and std == 0):
        raise ValueError("a zero-width distribution has no scipy.stats equivalent")
    from scipy import stats  # noqa: PLC0415 - an oracle only; 0.3 s of start-up
    if distribution == "triangular":
        return stats.triang((mode - low) / (high - low), loc=low, scale=high - low)
    if distribution == "uniform":
        return stats.uniform(loc=low, scale=high - low)
    if distribution == "pert":
        alpha, beta = pert_shape(low, mode, high)
        return stats.beta(alpha, beta, loc=low, scale=high - low)
    if distribution == "lognormal":
        m, s = _lognormal(mean, std)
        return stats.lognorm(s, scale=np.exp(m))
    if distribution == "normal":
        if low is None and high is None:
            return stats.norm(mean, std)
        a = -np.inf if low is None else (low - mean) / std
        b = np.inf if high is None else (high - mean) / std
        return stats.truncnorm(a, b, loc=mean, scale=std)
    raise ValueError(f"unknown distribution {distribution!r}")


def random_walk(shocks: Numbers, *, drift: Numbers, volatility: Numbers) -> Array:
    r"""Multipliers of a geometric random walk, starting at 1.

    Parameters
    ----------
    shocks : array_like, shape (..., T)
        Independent standard normal shocks :math:`\varepsilon_1..\varepsilon_T`.
    drift : float
        Expected growth per year :math:`\mu` [-/year], decimal.
    volatility : float
        Standard deviation of the yearly log-change :math:`\sigma` [-].

    Returns
    -------
    numpy.ndarray, shape (..., T + 1)
        :math:`M_0 = 1`, :math:`M_t = M_{t-1}\exp(\ln(1+\mu) - \sigma^2/2 + \sigma\varepsilon_t)`,
        so :math:`E[M_t] = (1 + \mu)^t` (Glasserman 2003, sec. 3.2).
        Laid out year-major in memory (``np.moveaxis`` of a (T + 1, ...)
        array): the draws of one year are contiguous.

    Examples
    --------
    >>> random_walk(np.zeros((1, 2)), drift=0.1, volatility=0.0).round(6)
    array([[1.  , 1.1 , 1.21]])
    """
    eps = np.asarray(shocks, dtype=float)
    # year-major: the running sum adds whole rows of draws, year after year (the same
    # additions as np.cumsum along the years, which runs one draw at a time), then the
    # years go back last
    by_year = np.moveaxis(eps, -1, 0)
    step = np.multiply(by_year, volatility, out=np.empty(by_year.shape))
    step += np.log1p(drift) - 0.5 * volatility**2
    out = np.empty((by_year.shape[0] + 1,) + by_year.shape[1:])
    out[0] = 0.0
    if len(step):
        out[1] = step[0]
    for t in range(1, len(step)):
        np.add(out[t:t + 1], step[t:t + 1], out=out[t + 1:t + 2])
    np.exp(out, out=out)
    return np.moveaxis(out, 0, -1)
