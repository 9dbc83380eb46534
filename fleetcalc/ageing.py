"""Ageing of locomotives: virtual age (Kijima type II) and cost/failure growth.

Pure, vectorised functions: inputs are scalars or numpy arrays that
broadcast against each other; a scalar input gives a Python ``float``.
Nothing here reads files, prints, or knows about tenders.

Conventions
-----------
* **Age of a unit in model year k is its age at the start of that year**:
  a unit in its first year in service has age 0, in its second year age 1,
  and so on (:func:`age_at_year_start`). Ages are in years [year].
* An overhaul due at real age ``n * I`` is treated as done at that instant,
  so the virtual age at age ``n * I`` is already the post-overhaul value
  (right-continuous). With the start-of-year convention, an overhaul every
  6 years takes effect in the year in which the unit has age 6, i.e. its
  seventh year in service.
* ``overhaul_restoration`` :math:`\\rho` is the share of the accumulated
  (virtual) age that an overhaul removes: 1 = "as good as new",
  0 = "as bad as old" (the overhaul does not rejuvenate the unit).
* Growth rates are decimals per year of virtual age (0.02, not 2).
* With zero growth the multipliers are exactly ``1.0``, so a tender with
  no ageing data gives bit-for-bit the same results as without ageing.
"""

from __future__ import annotations

import typing

import numpy as np

from fleetcalc._arrays import finish as _finish
from fleetcalc._arrays import first_bad as _first_bad
from fleetcalc._arrays import non_negative as _non_negative

if typing.TYPE_CHECKING:
    from typing import Any

    from fleetcalc._arrays import FloatOrArray, Numbers

__all__ = [
    "effective_overhaul_interval",
    "overhauls_in_year",
    "age_at_year_start",
    "virtual_age",
    "failure_rate_multiplier",
    "maintenance_cost_multiplier",
]

#: Tolerance on ``age / interval`` so that e.g. 0.3 / 0.1 counts 3 overhauls.
_RATIO_TOLERANCE = 1e-9


def _growth(name: str, value: Numbers) -> Any:
    """Convert to a float array and check ``value > -1`` (NaN allowed)."""
    arr = np.asarray(value, dtype=float)
    bad = arr <= -1
    if np.any(bad):
        raise ValueError(
            f"{name} must be > -1 (a decimal per year), got {_first_bad(arr, bad)!r}"
        )
    return arr


def effective_overhaul_interval(overhaul_interval_years: Numbers,
                                service_life_years: Numbers) -> FloatOrArray:
    r"""Overhaul interval that takes effect: 0 (none) unless shorter than the life.

    Parameters
    ----------
    overhaul_interval_years : float or array_like
        Declared overhaul interval :math:`I` [year]; ``None``, NaN or 0 for
        none.
    service_life_years : float or array_like
        Service life :math:`L` of the unit [year].

    Returns
    -------
    float or numpy.ndarray
        :math:`I` where :math:`0 < I < L`, else 0 [year] (0 = no overhaul:
        no overhaul downtime, cost or virtual-age reset).

    Raises
    ------
    ValueError
        If an interval or a life is negative.

    Notes
    -----
    The first overhaul of a unit falls at age :math:`I`; a unit retires at
    age :math:`L`, so with :math:`I \ge L` no overhaul is ever performed
    and none may be counted as downtime: the long-run overhaul rate
    :math:`1 / I` would otherwise charge downtime for an overhaul that
    never happens. This is the one place the rule lives; the deterministic
    evaluation and the Monte Carlo engine both call it.

    Examples
    --------
    >>> effective_overhaul_interval([8, 30, 40, 0], 30)
    array([8., 0., 0., 0.])
    >>> effective_overhaul_interval(None, 30)
    0.0
    """
    interval = np.asarray(np.nan if overhaul_interval_years is None
                          else overhaul_interval_years, dtype=float)
    interval = _non_negative("overhaul_interval_years", np.where(np.isnan(interval), 0.0,
                                                                 interval))
    life = _non_negative("service_life_years", service_life_years)
    return _finish(np.where((interval > 0) & (interval < life), interval, 0.0))


def _overhauls_in_year(age_years: Numbers, interval: Numbers) -> Any:
    """Kernel of :func:`overhauls_in_year`, without argument checks [1/year].

    ``interval`` is the effective interval (0: none); ``age_years`` >= 0.
    """
    never = ~(interval > 0)
    step = np.where(never, 1.0, interval)

    def before(x: Any) -> Any:  # overhauls j >= 1 with j I < x
        return np.maximum(np.ceil(x / step - _RATIO_TOLERANCE) - 1.0, 0.0)

    with np.errstate(invalid="ignore"):
        count = before(age_years + 1.0) - before(age_years)
    return np.where(never, 0.0, count)


def overhauls_in_year(age_years: Numbers, overhaul_interval_years: Numbers) -> FloatOrArray:
    r"""Overhauls of one unit in the model year it starts at a given age.

    Parameters
    ----------
    age_years : float or array_like
        Age :math:`a` of the unit at the start of the model year [year]
        (:func:`age_at_year_start`). NaN propagates.
    overhaul_interval_years : float or array_like
        Effective overhaul interval :math:`I` [year]
        (:func:`effective_overhaul_interval`); 0 for none.

    Returns
    -------
    float or numpy.ndarray
        Overhauls performed in the year [1/year]: the number of
        :math:`j \ge 1` with :math:`a \le jI < a + 1` (1 in an overhaul
        year, 0 otherwise, for whole ages and an interval of a year or more).

    Raises
    ------
    ValueError
        If an age or an interval is negative.

    Notes
    -----
    The overhaul schedule of :func:`fleetcalc.schedules.group_overhaul_counts`
    overhauls a unit at real ages :math:`jI` (paid at :math:`t = \tau + jI`),
    and :func:`virtual_age` takes each overhaul as done at the start of the
    year in which the unit has that age (right-continuous). The overhaul's
    downtime falls in that same year: with :math:`I = 6` the first
    overhaul, and its downtime, fall in the unit's seventh year in service,
    none in years 1-6 (issue 12: overhaul downtime is not spread as
    :math:`d_{ovh}/I` over every year). Over a life :math:`L` the unit has
    :math:`\lceil L / I \rceil - 1` overhaul years, as many as the schedule
    costs. One difference with the cost schedule: an existing unit whose
    overhaul falls exactly at the evaluation date (:math:`t = 0`, a cost
    before the evaluation) is out of service for it in year 1.

    Examples
    --------
    >>> overhauls_in_year(np.arange(14), 6).astype(int)
    array([0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0])
    >>> overhauls_in_year(5.0, 0)
    0.0
    """
    age = _non_negative("age_years", age_years)
    interval = _non_negative("overhaul_interval_years", overhaul_interval_years)
    return _finish(_overhauls_in_year(age, interval))


def age_at_year_start(year: Numbers, commissioning_year: Numbers) -> FloatOrArray:
    """Age of a unit at the start of a model year (fleetcalc's age convention).

    Parameters
    ----------
    year : int or array_like
        Model (calendar) year [year].
    commissioning_year : int or array_like
        Year the unit entered service [year]; its first year in service.

    Returns
    -------
    float or numpy.ndarray
        Age ``year - commissioning_year`` [year]; 0 in the first year in
        service. NaN for years before commissioning (unit not yet in
        service), so that downstream quantities are visibly undefined.

    Notes
    -----
    .. math:: a_k = k - k_0, \\qquad k \\ge k_0

    The age at the *start* of the year is used for all year-``k`` ageing
    factors; using the mid-year age would add half a year to every unit.

    Examples
    --------
    >>> age_at_year_start(2030, 2030)
    0.0
    >>> age_at_year_start(np.arange(2029, 2033), 2030)
    array([nan,  0.,  1.,  2.])
    """
    age = np.asarray(year, dtype=float) - np.asarray(commissioning_year, dtype=float)
    return _finish(np.where(age < 0, np.nan, age))


def virtual_age(age_years: Numbers, *, overhaul_interval_years: Numbers = None,
                overhaul_restoration: Numbers = 0.0) -> FloatOrArray:
    r"""Virtual age of a unit overhauled at fixed intervals (Kijima type II).

    Parameters
    ----------
    age_years : float or array_like
        Real age :math:`t` of the unit [year], at the start of the model
        year (see :func:`age_at_year_start`). NaN propagates.
    overhaul_interval_years : float or array_like, optional
        Overhaul interval :math:`I` [year], one value or one per unit type
        (broadcasts with ``age_years``). ``None``, NaN, 0 or ``inf`` mean
        "never overhauled" (virtual age = real age). Default ``None``.
    overhaul_restoration : float or array_like, optional
        Restoration factor :math:`\rho` [-] in ``[0, 1]``: share of the
        accumulated virtual age removed by an overhaul. 1 = as good as new,
        0 = as bad as old. Default 0.

    Returns
    -------
    float or numpy.ndarray
        Virtual age :math:`v(t)` [year], ``0 <= v(t) <= t``.

    Raises
    ------
    ValueError
        If ``age_years`` or ``overhaul_interval_years`` is negative, or
        ``overhaul_restoration`` is outside ``[0, 1]``.

    See Also
    --------
    failure_rate_multiplier, maintenance_cost_multiplier

    Notes
    -----
    Kijima's type II model [1]_ with degree of repair :math:`q = 1 - \rho`:
    the :math:`n`-th overhaul, at real age :math:`nI`, sets the virtual age
    to

    .. math:: v_n = (1 - \rho)\,(v_{n-1} + I), \qquad v_0 = 0,

    so an overhaul removes the share :math:`\rho` of *all* accumulated age,
    including age left over from earlier overhauls. (Type I,
    :math:`v_n = v_{n-1} + (1-\rho) I`, only removes age gained since the
    previous overhaul, so virtual age grows without bound; type II matches
    "an overhaul restores part of the age".) Between overhauls the
    virtual age grows one year per year. Summing the geometric series,

    .. math::
        v(t) = I \sum_{k=1}^{n} q^k + (t - nI)
             = I\,\frac{q\,(1 - q^n)}{1 - q} + (t - nI),
        \qquad n = \lfloor t / I \rfloor,\; q = 1 - \rho,

    with :math:`\sum_{k=1}^{n} q^k = n` for :math:`\rho = 0`, which gives
    :math:`v(t) = t`; :math:`\rho = 1` gives the age since the last
    overhaul, :math:`t - nI`. For :math:`\rho > 0` the post-overhaul virtual
    age tends to :math:`I (1-\rho)/\rho`. The overhaul at exactly
    :math:`t = nI` counts as done (right-continuous); ``t / I`` is taken
    with a 1e-9 tolerance so round-off such as ``0.3 / 0.1`` does not drop
    an overhaul.

    References
    ----------
    .. [1] M. Kijima, "Some results for repairable systems with general
       repair," *J. Appl. Probab.*, vol. 26, no. 1, pp. 89-102, 1989,
       doi: 10.2307/3214319.

    Examples
    --------
    Overhaul every 6 years restoring half the age:

    >>> virtual_age(np.arange(0, 14, 2), overhaul_interval_years=6,
    ...             overhaul_restoration=0.5)
    array([0. , 2. , 4. , 3. , 5. , 7. , 4.5])
    >>> virtual_age(10.0)
    10.0
    """
    t = _non_negative("age_years", age_years)
    rho = np.asarray(overhaul_restoration, dtype=float)
    bad_rho = (rho < 0) | (rho > 1)
    if np.any(bad_rho):
        raise ValueError(
            "overhaul_restoration must be a decimal share in [0, 1], got "
            f"{_first_bad(rho, bad_rho)!r}"
        )
    if overhaul_interval_years is None:
        return _finish(np.broadcast_arrays(t, rho)[0].astype(float, copy=True))
    interval = _non_negative("overhaul_interval_years", overhaul_interval_years)
    t, interval, rho = np.broadcast_arrays(t, interval, rho)

    never = np.isnan(interval) | (interval == 0) | np.isposinf(interval)
    step = np.where(never, 1.0, interval)
    with np.errstate(invalid="ignore", divide="ignore"):
        n = np.maximum(np.floor(t / step + _RATIO_TOLERANCE), 0.0)
        since = np.maximum(t - n * step, 0.0)
        # sum_{k=1}^{n} q^k with q = 1 - rho, written with expm1/log1p so that
        # small rho keeps full precision; rho = 0 and rho = 1 are exact.
        geometric = np.where(
            rho == 0,
            n,
            np.where(
                rho == 1,
                0.0,
                (1.0 - rho) * -np.expm1(n * np.log1p(-rho)) / rho,
            ),
        )
        v = step * geometric + since
    return _finish(np.where(never | (rho == 0), t, v))


def _multiplier(v: Numbers, g: Numbers) -> Any:
    """``(1 + g) ** v`` with NaN propagated from either input."""
    v, g = np.broadcast_arrays(v, g)
    out = np.power(1.0 + g, v)
    return np.where(np.isnan(v) | np.isnan(g), np.nan, out)


def failure_rate_multiplier(virtual_age: Numbers, *,
                            failure_rate_growth: Numbers) -> FloatOrArray:
    r"""Factor on the failure rate of a unit of a given virtual age.

    Parameters
    ----------
    virtual_age : float or array_like
        Virtual age :math:`v` [year] (see :func:`virtual_age`).
    failure_rate_growth : float or array_like
        Growth of the failure rate per year of virtual age, :math:`g_f`
        [1/year], decimal; 0 = no ageing.

    Returns
    -------
    float or numpy.ndarray
        Multiplier :math:`(1 + g_f)^{v}` [-]; exactly 1.0 when
        :math:`g_f = 0` and ``>= 1`` when :math:`g_f \ge 0`.

    Raises
    ------
    ValueError
        If ``virtual_age < 0`` or ``failure_rate_growth <= -1``.

    Notes
    -----
    .. math::
        \lambda(v) = \lambda_0 (1 + g_f)^{v}, \qquad
        \mathrm{MTBF}(v) = \frac{\mathrm{MTBF}_0}{(1 + g_f)^{v}}

    Exponential (log-linear) growth: each year of virtual age multiplies
    the failure rate by :math:`1 + g_f`. In Kijima's framework [1]_ the
    failure intensity is a function of virtual age; this is the
    log-linear (Cox-Lewis) intensity :math:`\lambda_0 e^{\beta v}` with
    :math:`\beta = \ln(1 + g_f)` [2]_. The effective MTBF for the year is
    ``MTBF / multiplier``.

    References
    ----------
    .. [1] M. Kijima, "Some results for repairable systems with general
       repair," *J. Appl. Probab.*, vol. 26, no. 1, pp. 89-102, 1989,
       doi: 10.2307/3214319.
    .. [2] D. R. Cox and P. A. W. Lewis, *The Statistical Analysis of
       Series of Events*. London: Methuen, 1966.

    Examples
    --------
    >>> round(failure_rate_multiplier(10.0, failure_rate_growth=0.02), 6)
    1.218994
    >>> failure_rate_multiplier(np.array([0.0, 5.0, 30.0]), failure_rate_growth=0.0)
    array([1., 1., 1.])
    """
    v = _non_negative("virtual_age", virtual_age)
    g = _growth("failure_rate_growth", failure_rate_growth)
    return _finish(_multiplier(v, g))


def maintenance_cost_multiplier(virtual_age: Numbers, *,
                                maintenance_cost_growth: Numbers) -> FloatOrArray:
    r"""Factor on the annual maintenance cost of a unit of a given virtual age.

    Parameters
    ----------
    virtual_age : float or array_like
        Virtual age :math:`v` [year] (see :func:`virtual_age`).
    maintenance_cost_growth : float or array_like
        Real growth of the maintenance cost per year of virtual age,
        :math:`g_m` [1/year], decimal; 0 = no ageing.

    Returns
    -------
    float or numpy.ndarray
        Multiplier :math:`(1 + g_m)^{v}` [-]; exactly 1.0 when
        :math:`g_m = 0` and ``>= 1`` when :math:`g_m \ge 0`.

    Raises
    ------
    ValueError
        If ``virtual_age < 0`` or ``maintenance_cost_growth <= -1``.

    Warnings
    --------
    This is growth with *age*, not with calendar time: do not also apply a
    price escalation for the same effect. Price escalation
    (``fleetcalc.finance.escalation_factors``) is a separate factor.

    Notes
    -----
    .. math:: C_m(v) = C_{m,0}\,(1 + g_m)^{v}

    Same virtual-age clock as :func:`failure_rate_multiplier`, so an
    overhaul with restoration :math:`\rho` also lowers maintenance cost
    (Kijima type II virtual age [1]_).

    References
    ----------
    .. [1] M. Kijima, "Some results for repairable systems with general
       repair," *J. Appl. Probab.*, vol. 26, no. 1, pp. 89-102, 1989,
       doi: 10.2307/3214319.

    Examples
    --------
    >>> round(maintenance_cost_multiplier(3.0, maintenance_cost_growth=0.1), 6)
    1.331
    """
    v = _non_negative("virtual_age", virtual_age)
    g = _growth("maintenance_cost_growth", maintenance_cost_growth)
    return _finish(_multiplier(v, g))
