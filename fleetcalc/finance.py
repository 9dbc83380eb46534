"""Discounting, escalation and annuity formulas.

Pure, vectorised functions: inputs broadcast with numpy, nothing here reads
files, prints, or knows about tenders. Every present value in fleetcalc is
computed by :func:`discount_factors` (per cash flow) or :func:`npv` (per
stream); every escalation by :func:`escalation_factors`.

Conventions
-----------
* Time points ``t = 0, 1, ..., H`` in years; ``t = 0`` is contract signature.
  Year ``k`` spans ``[k-1, k]``.
* A cash flow at time ``t`` has present value ``amount / (1 + r)**t``
  (end-of-period discounting, the convention of IEC 60300-3-3 Annex and of
  World Bank life-cycle-cost evaluation). Note that a spreadsheet's ``NPV``
  function treats its *first* value as arriving at ``t = 1``; fleetcalc's
  first value is at ``t = 0``, like :func:`numpy_financial.npv`.
* Rates are decimals per year (0.08, not 8). Costs are positive.
"""

from __future__ import annotations

import typing

import numpy as np

if typing.TYPE_CHECKING:
    from typing import Any

    from fleetcalc._arrays import FloatOrArray, Numbers

__all__ = [
    "discount_factors",
    "escalation_factors",
    "npv",
    "equivalent_annual_cost",
    "levelised_cost",
    "straight_line_residual_share",
]


def _check_rate(name: str, rate: Numbers) -> Any:
    rate = np.asarray(rate, dtype=float)
    if np.any(rate <= -1):
        raise ValueError(f"{name} must be greater than -1 (a decimal per year), got {rate!r}")
    return rate


def discount_factors(discount_rate: Numbers, years: Numbers) -> Any:
    r"""Discount factor of a cash flow at each time point.

    Parameters
    ----------
    discount_rate : float or array_like
        Discount rate per year, decimal [-]. Real or nominal, matching the
        cash flows (fleetcalc's tender rate is real). Broadcasts against
        ``years``; to vary the rate by bid, give shape ``(n_bids, 1)``.
    years : array_like
        Time points ``t`` [year] at which the cash flows occur.

    Returns
    -------
    numpy.ndarray or float
        Factors :math:`(1 + r)^{-t}` [-]; multiply an amount at ``t`` by its
        factor to get its present value at ``t = 0``.

    Raises
    ------
    ValueError
        If any rate is ``<= -1``.

    Notes
    -----
    .. math:: DF(t) = (1 + r)^{-t}

    End-of-period convention: an amount paid at ``t`` is discounted by ``t``
    whole years [1]_.

    References
    ----------
    .. [1] IEC 60300-3-3:2017, *Dependability management - Part 3-3:
       Application guide - Life cycle costing*, discounting of future costs.

    Examples
    --------
    >>> discount_factors(0.08, [0, 1, 2]).round(6)
    array([1.      , 0.925926, 0.857339])
    >>> float(discount_factors(0.0, 5))
    1.0
    """
    rate = _check_rate("discount_rate", discount_rate)
    return np.power(1.0 + rate, -np.asarray(years, dtype=float))


def escalation_factors(escalation_rate: Numbers, years: Numbers) -> Any:
    r"""Real price escalation factor at each time point.

    Parameters
    ----------
    escalation_rate : float or array_like
        Real escalation per year of a cost category, decimal [-]: the rise of
        that price above general inflation. 0 keeps the year-0 price.
    years : array_like
        Time points ``t`` [year].

    Returns
    -------
    numpy.ndarray or float
        Factors :math:`(1 + e)^{t}` [-] applied to a year-0 price.

    Notes
    -----
    .. math:: P(t) = P_0 (1 + e)^{t}

    Because the tender's discount rate is *real*, escalation is real too:
    a nominal price path with inflation :math:`f` and nominal escalation
    :math:`e_n` has real escalation :math:`(1+e_n)/(1+f) - 1` [1]_.

    References
    ----------
    .. [1] B. S. Blanchard and W. J. Fabrycky, *Systems Engineering and
       Analysis*, 5th ed., Prentice Hall, 2011, ch. 17 (life-cycle cost
       analysis; real and nominal rates).

    Examples
    --------
    >>> escalation_factors(0.01, [0, 1, 10]).round(6)
    array([1.      , 1.01    , 1.104622])
    """
    rate = _check_rate("escalation_rate", escalation_rate)
    return np.power(1.0 + rate, np.asarray(years, dtype=float))


def npv(discount_rate: Numbers, cash_flows: Numbers) -> Any:
    r"""Net present value of cash-flow streams that start at ``t = 0``.

    The same convention as :func:`numpy_financial.npv` (``cash_flows[..., 0]``
    arrives at ``t = 0``, unlike a spreadsheet's ``NPV``, whose first value is
    discounted one period), but vectorised over leading axes, which
    numpy-financial 1.0 does not do; the tests check it against
    ``numpy_financial.npv`` stream by stream.

    Parameters
    ----------
    discount_rate : float
        Discount rate per year, decimal [-].
    cash_flows : array_like
        Amounts [currency] at ``t = 0, 1, ...`` along the last axis; leading
        axes (bids, categories, draws) are kept.

    Returns
    -------
    numpy.ndarray or float
        :math:`\sum_t C_t (1+r)^{-t}` [currency], shape ``cash_flows.shape[:-1]``.

    Notes
    -----
    .. math:: NPV = \sum_{t=0}^{T} \frac{C_t}{(1 + r)^{t}}

    Examples
    --------
    >>> round(float(npv(0.08, [100.0, 108.0])), 6)
    200.0
    >>> npv(0.0, [[1.0, 2.0], [3.0, 4.0]])
    array([3., 7.])
    """
    flows = np.asarray(cash_flows, dtype=float)
    factors = discount_factors(discount_rate, np.arange(flows.shape[-1]))
    result = flows @ factors
    return float(result) if np.ndim(result) == 0 else result


def equivalent_annual_cost(present_value: Numbers, discount_rate: Numbers,
                           years: Numbers) -> FloatOrArray:
    r"""Uniform annual amount with the same present value (capital recovery).

    Parameters
    ----------
    present_value : float or array_like
        Present value at ``t = 0`` [currency], e.g. ``lcc_npv``.
    discount_rate : float or array_like
        Discount rate per year, decimal [-], > -1.
    years : int or array_like
        Number of equal end-of-year payments ``H`` [year], >= 1.

    Returns
    -------
    float or numpy.ndarray
        Equivalent annual cost [currency per year], paid at ``t = 1..H``.

    Notes
    -----
    .. math:: EAC = PV \cdot \frac{r}{1 - (1+r)^{-H}},
              \qquad EAC = PV / H \text{ if } r = 0

    The capital recovery factor, i.e. ``-numpy_financial.pmt(r, H, PV)``
    with ``when='end'`` [1]_. It is evaluated as
    :math:`r / (-\mathrm{expm1}(-H\,\mathrm{log1p}(r)))`, which is exact to
    double precision for every rate, where ``pmt``'s :math:`(1+r)^H - 1`
    loses digits for small rates (0.01 % error at :math:`r = 10^{-12}`, and
    0/0 below :math:`10^{-16}`); the tests check both agree for ordinary
    rates.

    References
    ----------
    .. [1] ASHRAE, *Pocket Guide*, 2013: uniform series present-worth factor
       :math:`[(1+d)^n - 1]/[d(1+d)^n]`, e.g. 6.14 for 10 years at 10 %.

    Examples
    --------
    >>> round(float(equivalent_annual_cost(6.144567, 0.10, 10)), 4)
    1.0
    >>> float(equivalent_annual_cost(300.0, 0.0, 30))
    10.0
    """
    rate = _check_rate("discount_rate", discount_rate)
    years = np.asarray(years, dtype=float)
    if np.any(years < 1):
        raise ValueError(f"years must be at least 1, got {years!r}")
    with np.errstate(divide="ignore", invalid="ignore"):
        denominator = -np.expm1(-years * np.log1p(rate))
        factor = np.where(rate == 0, 1.0 / years, rate / np.where(rate == 0, 1.0, denominator))
    result = np.asarray(present_value, dtype=float) * factor
    return float(result) if np.ndim(result) == 0 else result


def levelised_cost(present_value_cost: Numbers, present_value_output: Numbers) -> FloatOrArray:
    r"""Levelised cost: present value of cost per present value of output.

    Parameters
    ----------
    present_value_cost : float or array_like
        Present value of the costs [currency].
    present_value_output : float or array_like
        Present value of the output, each year's output discounted like a
        cash flow of the same year [km] (or another unit).

    Returns
    -------
    float or numpy.ndarray
        Cost per unit of output [currency per km]; NaN where the output is 0.

    Notes
    -----
    .. math:: c_{km} = \frac{\sum_t C_t (1+r)^{-t}}{\sum_t Q_t (1+r)^{-t}}

    The levelised cost is the constant price per km that, charged on every
    km run, recovers the life-cycle cost in present-value terms (the
    levelised-cost-of-energy construction, applied to locomotive-km).

    Examples
    --------
    >>> levelised_cost(1000.0, 250.0)
    4.0
    """
    cost = np.asarray(present_value_cost, dtype=float)
    output = np.asarray(present_value_output, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        result = np.where(output > 0, cost / np.where(output > 0, output, 1.0), np.nan)
    return float(result) if result.ndim == 0 else result


def straight_line_residual_share(age_years: Numbers,
                                 service_life_years: Numbers) -> FloatOrArray:
    r"""Share of the purchase price left at a given age (straight-line).

    Parameters
    ----------
    age_years : float or array_like
        Age of the unit at the valuation date [year].
    service_life_years : float or array_like
        Service life [year], > 0.

    Returns
    -------
    float or numpy.ndarray
        :math:`\max(0, 1 - a / L)` [-]; 0 for a unit at or past its life.

    Notes
    -----
    .. math:: RV = P \cdot \max\left(0,\ 1 - \frac{a}{L}\right)

    Straight-line depreciation to zero over the service life, the simplest
    residual-value rule of IEC 60300-3-3's disposal phase; fleetcalc books
    it at ``t = H`` as a negative cost.

    Examples
    --------
    >>> straight_line_residual_share([0, 10, 30, 40], 30).round(6)
    array([1.      , 0.666667, 0.      , 0.      ])
    """
    age = np.asarray(age_years, dtype=float)
    life = np.asarray(service_life_years, dtype=float)
    if np.any(life <= 0):
        raise ValueError(f"service_life_years must be > 0, got {service_life_years!r}")
    result = np.clip(1.0 - age / life, 0.0, 1.0)
    return float(result) if result.ndim == 0 else result
