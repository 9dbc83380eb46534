"""Checks of a tender that need the calculation layer: its evaluation warnings.

:class:`fleetcalc.Tender` adds :func:`evaluation_warnings` to its problems
(its validation): a value-object module, so that the tender does not import
the orchestration in :mod:`fleetcalc.adjustments` (which re-exports both
functions, their former home).
"""

from __future__ import annotations

import numpy as np

from fleetcalc import fleet
from fleetcalc.exceptions import Problem
from fleetcalc.validation import has_errors

__all__ = ["contract_availability", "evaluation_warnings"]


def contract_availability(bid, ages, *, basis=None, annual_km=None):
    r"""Availability of a bid's units on the contract's definition.

    Parameters
    ----------
    bid : fleetcalc.Bid
    ages : array_like
        Ages at the start of the year [year]; negative: not in service (NaN).
    basis : {'excluding_scheduled', 'calendar'}, optional
        Default: the bid's ``guarantees.availability_basis`` (or
        ``'excluding_scheduled'``).
    annual_km : float, optional
        Km a year of an available unit [km], to read ``mdbf_km`` and
        ``overhaul_interval_km`` as the evaluation does
        (:func:`fleetcalc.fleet.mtbf_hours_from_mdbf`,
        :func:`fleetcalc.fleet.interval_years_from_km`); without it a bid
        stating only ``mdbf_km`` never fails.

    Returns
    -------
    numpy.ndarray
        ``'calendar'``: :math:`A = (1 - s)\,\mathrm{MTBF}/(\mathrm{MTBF} + \mathrm{MDT})`
        (:func:`fleetcalc.fleet.unit_availability`); ``'excluding_scheduled'``:
        the scheduled maintenance and overhaul windows :math:`s` are not
        counted, :math:`A = \mathrm{MTBF}/(\mathrm{MTBF} + \mathrm{MDT})` [-].

    Notes
    -----
    Contractual availability definitions usually count only the time a unit
    is due in service: planned maintenance and overhaul windows (and
    buyer-caused downtime) are excluded (CLC/TR 50126-3, IEC TR 62278-3
    guidance on RAM in rolling-stock tenders).

    Examples
    --------
    >>> import fleetcalc
    >>> bid = fleetcalc.Bid(bidder="A", model="X", currency="USD", unit_price=1.0,
    ...     quantity=1, delivery=[1], fuel_litres_per_km=1.0, maintenance_per_km=1.0,
    ...     service_life_years=30, mtbf_hours=900.0, mean_downtime_hours=100.0,
    ...     scheduled_maintenance_days=36.5)
    >>> round(float(contract_availability(bid, 0.0)), 6), round(float(
    ...     contract_availability(bid, 0.0, basis="calendar")), 6)
    (0.9, 0.81)
    """
    if basis is None:
        basis = (bid.guarantees.availability_basis if bid.guarantees is not None
                 else "excluding_scheduled")
    interval = bid.overhaul_interval_years or 0
    mtbf = bid.mtbf_hours if bid.mtbf_hours is not None else np.inf
    if annual_km is not None:   # issue 13: reliability and overhauls stated by distance
        if bid.mtbf_hours is None and bid.mdbf_km is not None:
            mtbf = float(fleet.mtbf_hours_from_mdbf(bid.mdbf_km, annual_km))
        if bid.overhaul_interval_km is not None:
            interval = float(fleet.interval_years_from_km(bid.overhaul_interval_km, annual_km))
    interval = interval if interval < bid.service_life_years else 0
    calendar = basis == "calendar"
    return fleet.unit_availability(
        np.asarray(ages, dtype=float),
        mtbf_hours=mtbf,
        mean_downtime_hours=bid.mean_downtime_hours,
        scheduled_maintenance_days=bid.scheduled_maintenance_days if calendar else 0.0,
        overhaul_downtime_days=bid.overhaul_downtime_days if calendar else 0.0,
        overhaul_interval_years=interval,
        failure_rate_growth=bid.ageing.failure_rate_growth,
        overhaul_restoration=bid.ageing.overhaul_restoration)


def evaluation_warnings(tender):
    """Warnings about the evaluation rules of a tender (they go with the tender's warnings).

    * an MDB domestic preference and supplier financing in one tender: the
      regime is for the analyst to state;
    * ratio or linear price scores with costs common to all bids (an existing
      fleet or demand): the scores, and the combined ranking, depend on which
      common costs are included;
    * a bid whose own reliability data give a modelled availability, over its
      guarantee years, below its guarantee less tolerance.

    Returns
    -------
    list of fleetcalc.exceptions.Problem
    """
    settings = tender.tender
    rules = settings.evaluation
    problems = []
    financed = [bid.bidder for bid in tender.bids
                if not has_errors(bid) and bid.financing is not None]
    if rules.domestic_preference and financed:
        problems.append(Problem(
            "tender.evaluation.domestic_preference",
            "an MDB domestic preference is applied and supplier financing offers are "
            f"evaluated ({', '.join(financed)}): in MDB-financed procurement there is no "
            "bidder financing to evaluate, and in a government-financed tender with supplier "
            "credit MDB preference rules do not apply; state the regime", value=True,
            severity="warning"))
    if (rules.technical_weight is not None and rules.price_score_method in ("ratio", "linear")
            and (tender.fleet or settings.demand is not None)):
        problems.append(Problem(
            "tender.evaluation.price_score_method",
            f"{rules.price_score_method} price scores depend on costs common to all bids "
            "(the existing fleet, demand shortfall): including or leaving them out can change "
            "the combined ranking; per_money scores cannot", value=rules.price_score_method,
            severity="warning"))
    for i, bid in enumerate(tender.bids):
        if has_errors(bid):
            continue
        guarantee = bid.guarantees
        if (guarantee is None or guarantee.availability is None
                or (bid.mtbf_hours is None and bid.mdbf_km is None)):
            continue
        ages = np.arange(guarantee.guarantee_years, dtype=float)
        ages = ages[ages < bid.service_life_years]
        modelled = float(np.mean(contract_availability(bid, ages,
                                                       annual_km=settings.annual_km)))
        floor = guarantee.availability - guarantee.availability_tolerance
        if modelled < floor:
            problems.append(Problem(
                f"bids[{i}].guarantees.availability",
                f"the bid's own reliability data give a modelled availability of "
                f"{modelled:.1%} ({guarantee.availability_basis}) over the "
                f"{guarantee.guarantee_years} guarantee years, below the guarantee of "
                f"{guarantee.availability:.1%} less {guarantee.availability_tolerance:.1%}: "
                "the declared data contradict the guarantee (a matter for clarification; "
                "expected damages are not credited)", value=guarantee.availability,
                severity="warning"))
    return problems
