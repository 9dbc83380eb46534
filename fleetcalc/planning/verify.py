r"""Exact check and cost of a plan: the fleet distribution and the ledger, no approximation.

A plan is a dict of integer arrays ``buy (J, H)``, ``rebuild (C, H)`` and
``retire (C, H)``. :func:`plan_fleet` lays out its groups of units year by
year; :func:`evaluate_decisions` computes each year's
:math:`P(X_y \ge D_y)` and expected shortfall with the exact distribution of
available units (:func:`fleetcalc.fleet.fleet_outlook`, a sum of binomials),
the capital spent per year, and the plan's NPV, with energy, maintenance and
shortfall on the km allocation (:func:`fleetcalc.planning.problem.running_costs`).
The solver's result, the tender as filed and the brute-force oracle of the tests
are all costed here.
"""

from __future__ import annotations

import attrs
import numpy as np

from fleetcalc import fleet

__all__ = ["PlanCheck", "plan_fleet", "evaluate_decisions", "TOLERANCE"]

#: Slack allowed on P(meet demand) >= confidence for floating-point rounding [-].
TOLERANCE = 1e-9


@attrs.frozen
class PlanCheck:
    """A plan checked exactly; arrays over years ``1..H``."""

    npv: float
    units_in_service: np.ndarray
    p_meet_demand: np.ndarray
    shortfall_unit_days: np.ndarray
    capital_spent: np.ndarray
    meets_confidence: np.ndarray
    within_budget: np.ndarray

    @property
    def feasible(self):
        """Every constrained year meets the confidence and the budget."""
        return bool(self.meets_confidence.all() and self.within_budget.all())


def plan_fleet(problem, decisions):
    """Units and per-unit availability of every group, ``(G, H)`` each.

    Groups: each (type, delivery year), each cohort's original units, each
    (cohort, rebuild year).
    """
    buy = np.asarray(decisions["buy"], dtype=np.int64)
    rebuild = np.asarray(decisions["rebuild"], dtype=np.int64)
    retire = np.asarray(decisions["retire"], dtype=np.int64)
    horizon = problem.horizon_years
    new_units = buy[:, :, None] * (problem.buy_avail > 0)              # (J, K, H)
    gone = np.cumsum(rebuild + retire, axis=1)                        # (C, H)
    kept = (problem.cohort_units[:, None] - gone) * (problem.cohort_avail > 0)
    if (kept < 0).any():
        raise ValueError("a plan rebuilds or retires more units than a cohort has")
    rebuilt = rebuild[:, :, None] * (problem.rebuild_avail > 0)        # (C, R, H)
    units = np.concatenate([new_units.reshape(-1, horizon), kept,
                            rebuilt.reshape(-1, horizon)])
    avail = np.concatenate([problem.buy_avail.reshape(-1, horizon), problem.cohort_avail,
                            problem.rebuild_avail.reshape(-1, horizon)])
    return units, avail


def _capital(problem, decisions):
    buy = np.asarray(decisions["buy"], dtype=float)
    rebuild = np.asarray(decisions["rebuild"], dtype=float)
    capital = np.einsum("jk,jky->y", buy, problem.buy_capital)
    first = _first_years(buy)
    for j, k in enumerate(first):
        if k >= 0:
            capital[k] += problem.support[j, k]
    capital += (rebuild * problem.rebuild_capital).sum(axis=0)
    return capital


def _first_years(buy):
    """Index of each type's first delivery year, -1 when never bought."""
    bought = np.asarray(buy) > 0
    return np.where(bought.any(axis=1), bought.argmax(axis=1), -1)


def linear_npv(problem, decisions):
    """NPV of everything but shortfall: purchases, support, rebuilds, retirements, fleet."""
    buy = np.asarray(decisions["buy"], dtype=float)
    first = _first_years(buy)
    support = sum(problem.support_pv[j, k] for j, k in enumerate(first) if k >= 0)
    return float(problem.constant_pv + (buy * problem.buy_pv).sum() + support
                 + (np.asarray(decisions["rebuild"]) * problem.rebuild_pv).sum()
                 + (np.asarray(decisions["retire"]) * problem.retire_pv).sum())


def evaluate_decisions(problem, decisions):
    """Check a plan exactly and cost it.

    Parameters
    ----------
    problem : fleetcalc.planning.problem.PlanProblem
    decisions : dict
        ``buy (J, H)``, ``rebuild (C, H)``, ``retire (C, H)`` integer arrays [units].

    Returns
    -------
    PlanCheck
        ``p_meet_demand`` by the exact distribution of available units;
        ``npv`` [base currency] with the exact expected shortfall.
    """
    from fleetcalc.planning.problem import running_costs  # noqa: PLC0415

    units, avail = plan_fleet(problem, decisions)
    demand = np.concatenate([[0], problem.demand])
    zero = np.zeros((units.shape[0], 1))
    outlook = fleet.fleet_outlook(np.concatenate([zero, units], axis=1).astype(np.int64),
                                  np.concatenate([zero, avail], axis=1), demand)
    p = np.asarray(outlook.p_meet_demand)[1:]
    # issue 13: energy, maintenance and shortfall on the km allocation, as evaluate's
    running, linearised, unserved = running_costs(problem, units, avail)
    shortfall = fleet.DAYS_PER_YEAR * unserved
    years = np.arange(1, problem.horizon_years + 1)
    constrained = (years >= problem.from_year) & (problem.demand > 0)
    capital = _capital(problem, decisions)
    npv = (linear_npv(problem, decisions) - linearised + running
           + float((shortfall * problem.shortfall_pv).sum()))
    return PlanCheck(
        npv=npv, units_in_service=units.sum(axis=0), p_meet_demand=p,
        shortfall_unit_days=shortfall, capital_spent=capital,
        meets_confidence=~constrained | (p >= problem.confidence - TOLERANCE),
        within_budget=capital <= problem.budget * (1 + 1e-9) + 1e-6)
