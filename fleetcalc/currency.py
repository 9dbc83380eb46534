r"""Exchange-rate paths and the real value of nominal amounts.

Pure, vectorised formulas; :mod:`fleetcalc.evaluate` and
:mod:`fleetcalc.financing` apply them. Every money figure of a tender is
converted at ``t = 0`` by :func:`fleetcalc.money.convert`; a flow of year
``t`` in currency ``c`` is then multiplied by the relative path
:math:`g_c(t) = \rho_c(t) / \rho_c(0)` of :func:`relative_path`.

Conventions
-----------
* Rates :math:`\rho_c(t)` are *real* (base currency per unit, at year-0
  price levels), like every price of the evaluation; a drift
  :math:`\delta_c` gives :math:`\rho_c(t) = \rho_c(0) (1 + \delta_c)^t`
  (``PKR = -0.03``: the rupee buys 3 % less base currency each year in real
  terms). A list gives :math:`\rho_c(t)` for ``t = 0, 1, ...``; its last
  value holds after it.
* A *fixed* (nominal) amount :math:`y_t` in currency :math:`c` paid at ``t``
  is :math:`y_t\,g_c(t)\,(1 + \pi_c)^{-t}` in real base currency, where
  :math:`\pi_c` is the inflation of :math:`c`: with the real rate defined as
  :math:`\rho^{real}_c = \rho^{nominal}_c P_c / P_{base}`, the base price
  level cancels. fleetcalc has one ``tender.inflation`` :math:`\pi`
  (:func:`real_factors`): it is exact for fixed amounts and loans in one
  currency whose inflation it is (USD prices and USD loans with the US
  inflation, whatever the base currency).
* Economic perspective: foreign-currency flows (any currency but the
  buyer's ``local_currency``) are multiplied by the shadow exchange rate
  factor (SERF; ADB, *Guidelines for the Economic Analysis of Projects*,
  2017, ch. 5: the premium of foreign exchange over its market price).
"""

from __future__ import annotations

import typing

import numpy as np

if typing.TYPE_CHECKING:
    from fleetcalc._arrays import Array, Numbers

__all__ = ["rate_path", "relative_path", "real_factors", "conversion_factors"]


def rate_path(rate0: Numbers, path: Numbers, periods: int) -> Array:
    r"""Exchange rate of a currency at ``t = 0 .. periods - 1`` [base/unit].

    Parameters
    ----------
    rate0 : float
        Rate at ``t = 0`` from ``tender.exchange_rates`` [base/unit].
    path : float, sequence of float or None
        A real drift per year :math:`\delta` [-/year], a list of rates for
        ``t = 0, 1, ...`` [base/unit], or None (flat).
    periods : int

    Returns
    -------
    numpy.ndarray, shape (periods,)

    Notes
    -----
    .. math:: \rho(t) = \rho(0)\,(1+\delta)^t

    Examples
    --------
    >>> rate_path(0.004, -0.5, 3).tolist()
    [0.004, 0.002, 0.001]
    >>> rate_path(0.004, [0.004, 0.003], 4).tolist()
    [0.004, 0.003, 0.003, 0.003]
    """
    t = np.arange(periods, dtype=float)
    if path is None:
        return np.full(periods, float(rate0))
    if np.ndim(path) == 0:
        return float(rate0) * (1.0 + float(path)) ** t
    values = np.asarray(path, dtype=float)[:periods]
    return np.concatenate([values, np.full(periods - values.size, values[-1])])


def relative_path(rate0: Numbers, path: Numbers, periods: int) -> Array:
    r"""Multiplier :math:`g(t) = \rho(t) / \rho(0)` of a flow converted at ``t = 0`` [-].

    Examples
    --------
    >>> relative_path(0.004, [0.004, 0.003], 3).tolist()
    [1.0, 0.75, 0.75]
    >>> relative_path(1.0, None, 2).tolist()  # flat: nothing changes
    [1.0, 1.0]
    """
    return rate_path(rate0, path, periods) / float(rate0)


def real_factors(inflation: Numbers, periods: int) -> Array:
    r"""Factor :math:`(1+\pi)^{-t}` turning a nominal amount of year ``t`` into real terms.

    Parameters
    ----------
    inflation : float or array_like
        General inflation of the base currency per year :math:`\pi` [-/year].
    periods : int

    Returns
    -------
    numpy.ndarray, shape (..., periods)

    Examples
    --------
    >>> real_factors(0.25, 3).tolist()
    [1.0, 0.8, 0.64]
    """
    return (1.0 + np.asarray(inflation, dtype=float)[..., None]) ** -np.arange(
        periods, dtype=float)


def conversion_factors(rate0: Numbers, path: Numbers, periods: int, *,
                       shadow_factor: Numbers = 1.0) -> Array:
    r"""Multiplier of year-``t`` flows in a currency after conversion at ``t = 0`` [-].

    :math:`g_c(t)\,\phi`: the relative path of :func:`relative_path` times
    the shadow exchange rate factor :math:`\phi` (1 in the financial
    perspective, and for the buyer's own currency).

    Parameters
    ----------
    rate0 : float
        Rate at ``t = 0`` [base/unit] (1 for the base currency).
    path : float, sequence of float or None
        Real drift per year, list of rates, or None (flat).
    periods : int
    shadow_factor : float
        SERF :math:`\phi` [-].

    Returns
    -------
    numpy.ndarray, shape (periods,)

    Examples
    --------
    >>> conversion_factors(0.004, -0.5, 3).tolist()
    [1.0, 0.5, 0.25]
    >>> conversion_factors(1.0, None, 2, shadow_factor=1.1).tolist()
    [1.1, 1.1]
    """
    return relative_path(rate0, path, periods) * float(shadow_factor)
