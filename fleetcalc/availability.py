"""Availability of a single locomotive: inherent, operational and annual.

Pure, vectorised functions: inputs are scalars or numpy arrays that
broadcast against each other; a scalar input gives a Python ``float``.
Nothing here reads files, prints, or knows about tenders.

Conventions
-----------
* Availability is a decimal share of time in ``[0, 1]`` [-], never per cent.
* Up and down times are in hours [h]; planned maintenance and overhaul
  downtimes are in days [day] per year.
* ``mean_downtime_hours`` (MDT) is the *whole* mean down time per failure:
  active repair plus logistic and administrative delay (IEC 60050-192,
  "mean down time"). ``mttr_hours`` is active repair only.
* NaN passes through every formula (it is never replaced); negative
  times raise :class:`ValueError`.
* ``mtbf_hours = inf`` means "never fails" and gives an up-time share of
  exactly 1. The ratio ``0 / (0 + 0)`` (zero up time *and* zero down time)
  is undefined and gives NaN.

The derivation of :func:`annual_availability` is in the methodology page
``docs/methodology/availability.md``.
"""

from __future__ import annotations

import typing

import numpy as np

from fleetcalc._arrays import finish as _finish
from fleetcalc._arrays import first_bad as _first_bad
from fleetcalc._arrays import non_negative as _non_negative
from fleetcalc._arrays import share as _share

if typing.TYPE_CHECKING:
    from typing import Any

    from fleetcalc._arrays import FloatOrArray, Numbers

__all__ = [
    "inherent_availability",
    "operational_availability",
    "scheduled_downtime_share",
    "annual_availability",
]

#: Round-off tolerance above 1 accepted (and then clipped) for a scheduled share.
_SHARE_TOLERANCE = 1e-12


def _up_fraction(up: Numbers, down: Numbers, out: Any = None) -> Any:
    """Long-run up-time share ``up / (up + down)`` of an alternating process.

    ``up = inf`` with finite ``down`` gives exactly 1; ``inf / inf`` and
    ``0 / 0`` give NaN; NaN propagates. ``out``: an array of the broadcast
    shape to write into (the Monte Carlo engine's work buffers).
    """
    up, down = np.broadcast_arrays(up, down)
    with np.errstate(invalid="ignore", divide="ignore"):
        if out is None:
            ratio = up / (up + down)
        else:
            ratio = np.divide(up, np.add(up, down, out=out), out=out)
    never_fails = np.isposinf(up)
    if not never_fails.any():
        return ratio
    return np.where(never_fails & np.isfinite(down), 1.0, ratio)


def _scheduled_share(scheduled_maintenance_days: Numbers, overhaul_downtime_days: Numbers,
                     overhauls_per_year: Numbers, days_per_year: Numbers,
                     out: Any = None) -> Any:
    """Kernel of :func:`scheduled_downtime_share`, without argument checks [-].

    Callers guarantee non-negative inputs and a share ``<= 1 + 1e-12`` (the
    Monte Carlo engine checks the supports of drawn inputs before a run);
    round-off above 1 is clipped exactly as in the public function. ``out``:
    an array of the broadcast shape to write into.
    """
    if out is None:
        share = (scheduled_maintenance_days + overhauls_per_year * overhaul_downtime_days)
        return np.minimum(share / days_per_year, 1.0)
    share = np.multiply(overhauls_per_year, overhaul_downtime_days, out=out)
    np.add(scheduled_maintenance_days, share, out=share)
    np.divide(share, days_per_year, out=share)
    return np.minimum(share, 1.0, out=share)


def _annual_availability(mtbf_hours: Numbers, mean_downtime_hours: Numbers,
                         scheduled_share: Numbers, out: Any = None,
                         up_fraction: Any = None) -> Any:
    r"""Kernel of :func:`annual_availability`, without argument checks [-].

    ``out``: an array of the broadcast shape to write into; ``up_fraction``:
    :math:`\mathrm{MTBF}/(\mathrm{MTBF}+\mathrm{MDT})` when the caller has it.
    """
    if up_fraction is None:
        up_fraction = _up_fraction(mtbf_hours, mean_downtime_hours)
    if out is None:
        return (1.0 - scheduled_share) * up_fraction
    result = np.subtract(1.0, scheduled_share, out=out)
    return np.multiply(result, up_fraction, out=result)


def inherent_availability(mtbf_hours: Numbers, mttr_hours: Numbers) -> FloatOrArray:
    r"""Inherent availability: up-time share counting active repair only.

    Parameters
    ----------
    mtbf_hours : float or array_like
        Mean time between failures, MTBF [h]. ``inf`` = never fails.
    mttr_hours : float or array_like
        Mean time to restoration by active corrective maintenance, MTTR [h]
        (no logistic or administrative delay, no preventive maintenance).

    Returns
    -------
    float or numpy.ndarray
        Inherent availability :math:`A_i` [-], in ``[0, 1]``.

    Raises
    ------
    ValueError
        If any ``mtbf_hours`` or ``mttr_hours`` is negative.

    See Also
    --------
    operational_availability : counts all downtime, including delays.
    annual_availability : the availability fleetcalc uses for a year.

    Notes
    -----
    .. math:: A_i = \frac{\mathrm{MTBF}}{\mathrm{MTBF} + \mathrm{MTTR}}

    This is the steady-state availability of IEC 60050-192 (the quotient of
    mean up time by mean up time plus mean down time; expressions in
    IEC 61703) with the down time restricted to active repair, as defined
    for *inherent availability* by Barringer [1]_ and the DAU glossary.
    With ``mtbf_hours = inf`` the result is exactly 1; ``0 / (0 + 0)`` gives
    NaN (undefined).

    References
    ----------
    .. [1] H. P. Barringer, "Availability, reliability, maintainability, and
       capability," Triplex Chapter of the Vibration Institute, Beaumont,
       TX, USA, Feb. 1997.

    Examples
    --------
    >>> round(inherent_availability(1000.0, 10.0), 6)
    0.990099
    >>> inherent_availability([500.0, 1000.0, np.inf], 10.0).round(4)
    array([0.9804, 0.9901, 1.    ])
    """
    mtbf = _non_negative("mtbf_hours", mtbf_hours)
    mttr = _non_negative("mttr_hours", mttr_hours)
    return _finish(_up_fraction(mtbf, mttr))


def operational_availability(mtbm_hours: Numbers, mdt_hours: Numbers) -> FloatOrArray:
    r"""Operational availability: up-time share counting all downtime.

    Parameters
    ----------
    mtbm_hours : float or array_like
        Mean time between maintenance actions, corrective *and* preventive,
        MTBM [h]. ``inf`` = never maintained.
    mdt_hours : float or array_like
        Mean down time per maintenance action, MDT [h], including logistic
        and administrative delay.

    Returns
    -------
    float or numpy.ndarray
        Operational availability :math:`A_o` [-], in ``[0, 1]``.

    Raises
    ------
    ValueError
        If any ``mtbm_hours`` or ``mdt_hours`` is negative.

    See Also
    --------
    inherent_availability : active repair only.
    annual_availability : splits planned maintenance from failures.

    Notes
    -----
    .. math:: A_o = \frac{\mathrm{MTBM}}{\mathrm{MTBM} + \mathrm{MDT}}

    Operational availability in the sense of Barringer [1]_ and of the SEBoK
    glossary ("counts all sources of downtime"); it is the IEC 60050-192
    steady-state availability with every down state counted.

    References
    ----------
    .. [1] H. P. Barringer, "Availability, reliability, maintainability, and
       capability," Triplex Chapter of the Vibration Institute, Beaumont,
       TX, USA, Feb. 1997.

    Examples
    --------
    >>> round(operational_availability(400.0, 24.0), 6)
    0.943396
    """
    mtbm = _non_negative("mtbm_hours", mtbm_hours)
    mdt = _non_negative("mdt_hours", mdt_hours)
    return _finish(_up_fraction(mtbm, mdt))


def scheduled_downtime_share(
    scheduled_maintenance_days: Numbers,
    *,
    overhaul_downtime_days: Numbers = 0.0,
    overhauls_per_year: Numbers = 0.0,
    days_per_year: Numbers = 365.0,
) -> FloatOrArray:
    r"""Share of the year a unit spends in planned maintenance and overhaul.

    Parameters
    ----------
    scheduled_maintenance_days : float or array_like
        Days per year in planned (preventive) maintenance and examinations
        [day].
    overhaul_downtime_days : float or array_like, optional
        Days out of service per overhaul [day]. Default 0.
    overhauls_per_year : float or array_like, optional
        Overhauls per year [1/year]; for an overhaul every ``I`` years use
        ``1 / I`` (long-run average), or 1 in an overhaul year and 0
        otherwise (year-by-year). Default 0.
    days_per_year : float, optional
        Length of the year [day]. Default 365.

    Returns
    -------
    float or numpy.ndarray
        Scheduled downtime share :math:`s` [-], in ``[0, 1]``.

    Raises
    ------
    ValueError
        If any input is negative, ``days_per_year`` is not positive, or the
        planned downtime exceeds the year (:math:`s > 1`).

    Warnings
    --------
    fleetcalc does **not** clip a share above 1 to 1: planned downtime longer
    than the year is a data error (typically hours entered as days, or an
    overhaul duration counted once per year when it happens once per
    interval), and clipping would silently turn it into zero availability.
    Only round-off (``s <= 1 + 1e-12``) is clipped.

    Notes
    -----
    .. math:: s = \frac{d_\mathrm{sched} + n_\mathrm{oh}\, d_\mathrm{oh}}{D}

    with :math:`d_\mathrm{sched}` the planned maintenance days per year,
    :math:`n_\mathrm{oh}` overhauls per year, :math:`d_\mathrm{oh}` days per
    overhaul and :math:`D` days per year. Planned downtime is "preventive
    maintenance time" in IEC 60050-192 and is excluded from inherent but
    included in operational availability (EN 50126-1 / IEC 62278 RAM
    terms).

    Examples
    --------
    >>> round(scheduled_downtime_share(18.0), 6)
    0.049315
    >>> round(scheduled_downtime_share(18.0, overhaul_downtime_days=60.0,
    ...                                overhauls_per_year=1 / 6), 6)
    0.076712
    """
    sched = _non_negative("scheduled_maintenance_days", scheduled_maintenance_days)
    oh_days = _non_negative("overhaul_downtime_days", overhaul_downtime_days)
    oh_rate = _non_negative("overhauls_per_year", overhauls_per_year)
    days = np.asarray(days_per_year, dtype=float)
    bad_days = ~(days > 0)
    if np.any(bad_days):
        raise ValueError(f"days_per_year must be > 0, got {_first_bad(days, bad_days)!r}")
    share = (sched + oh_rate * oh_days) / days
    too_long = share > 1.0 + _SHARE_TOLERANCE
    if np.any(too_long):
        raise ValueError(
            "scheduled_maintenance_days + overhauls_per_year * overhaul_downtime_days "
            f"must not exceed days_per_year (share <= 1), got share "
            f"{_first_bad(share, too_long)!r}"
        )
    return _finish(_scheduled_share(sched, oh_days, oh_rate, days))


def annual_availability(mtbf_hours: Numbers, mean_downtime_hours: Numbers,
                        scheduled_share: Numbers) -> FloatOrArray:
    r"""Annual availability of a unit with planned downtime and failures.

    Parameters
    ----------
    mtbf_hours : float or array_like
        Mean time between (immobilising) failures while in operation-eligible
        time, MTBF [h]. ``inf`` = never fails. For an ageing unit pass the
        effective MTBF, ``MTBF / failure_rate_multiplier``.
    mean_downtime_hours : float or array_like
        Mean down time per failure, MDT [h]: active repair plus logistic
        and administrative delay.
    scheduled_share : float or array_like
        Share of the year in planned maintenance and overhaul, :math:`s` [-]
        (see :func:`scheduled_downtime_share`).

    Returns
    -------
    float or numpy.ndarray
        Annual availability :math:`A` [-], in ``[0, 1]``: the expected share
        of the year in which the unit is able to run.

    Raises
    ------
    ValueError
        If a time is negative or ``scheduled_share`` is outside ``[0, 1]``.

    See Also
    --------
    scheduled_downtime_share, inherent_availability

    Notes
    -----
    .. math::
        A = (1 - s)\,\frac{\mathrm{MTBF}}{\mathrm{MTBF} + \mathrm{MDT}}

    Derivation. The unit spends the share :math:`s` of the year in planned
    maintenance or overhaul. In the remaining share :math:`1 - s` it
    alternates between up periods (mean MTBF) and failure down periods
    (mean MDT). Each up-down pair is a renewal cycle, so by the
    renewal-reward theorem [2]_ the long-run share of that time spent up is
    :math:`\mathrm{MTBF}/(\mathrm{MTBF}+\mathrm{MDT})` — the steady-state
    availability of IEC 60050-192 [1]_. Multiplying gives
    :math:`A`.

    Assumptions: failures occur only in operation-eligible time (not during
    planned maintenance); up and down periods are independent of the
    planned-maintenance calendar; the alternating process is in steady
    state within the year (MTBF and MDT are short compared to a year).
    With ``mtbf_hours = inf``, :math:`A = 1 - s` exactly. NaN propagates.

    References
    ----------
    .. [1] IEC 60050-192:2015, *International Electrotechnical Vocabulary -
       Part 192: Dependability*, entry "steady-state availability";
       expressions in IEC 61703:2016.
    .. [2] S. M. Ross, *Stochastic Processes*, 2nd ed. New York: Wiley,
       1996, sec. 3.6 (renewal reward processes; alternating renewal
       processes).

    Examples
    --------
    >>> round(annual_availability(1000.0, 10.0, 0.05), 6)
    0.940594
    >>> annual_availability(np.inf, 10.0, [0.0, 0.1]).round(6)
    array([1. , 0.9])
    """
    mtbf = _non_negative("mtbf_hours", mtbf_hours)
    mdt = _non_negative("mean_downtime_hours", mean_downtime_hours)
    share = _share("scheduled_share", scheduled_share)
    return _finish(_annual_availability(mtbf, mdt, share))
