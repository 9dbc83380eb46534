"""The renewal plan's result: year-by-year tables and the JSON of ``fleetcalc plan``."""

from __future__ import annotations

import attrs
import numpy as np

__all__ = ["PlanResult"]


def _number(value):
    value = float(value)
    return None if not np.isfinite(value) else value


@attrs.frozen
class PlanResult:
    """A verified fleet-renewal plan, and the tender as filed beside it.

    Attributes
    ----------
    confidence : float
        Probability of meeting demand required each year [-].
    npv : float
        Net present cost of the plan [base currency] (exact shortfall).
    optimality_gap : float
        Relative gap of the linearised program's plan to HiGHS's dual bound [-]; NaN
        when the plan is a bid as filed that the program could not find.
    source : str
        ``"milp"``, or ``"as filed: <bidder>"`` when a bid as filed is cheaper
        and feasible (it is one of the candidate plans).
    years : pandas.DataFrame
        One row per year: ``year``, ``calendar_year``, ``demand``,
        ``units_in_service``, ``p_meet_demand``, ``shortfall_unit_days``,
        ``capital_spent``, ``budget``.
    bought, rebuilt, retired : pandas.DataFrame
        Units per year (rows, ``year``) and type or cohort (columns).
    fleet : pandas.DataFrame
        Units in service per year (rows) and cohort or new type (columns).
    as_filed : pandas.DataFrame
        One row per bid in the plan: ``bidder``, ``npv``, ``feasible``,
        ``min_p_meet_demand``.
    rounds : int
        Solves needed before the exact check passed.
    solve_seconds : float
        Time spent in HiGHS [s].
    base_currency : str
    """

    confidence: float
    npv: float
    optimality_gap: float
    source: str
    years: object
    bought: object
    rebuilt: object
    retired: object
    fleet: object
    as_filed: object
    rounds: int
    solve_seconds: float
    base_currency: str

    @property
    def as_filed_best(self):
        """The bid as filed that the plan is compared with: the cheapest feasible, or cheapest."""
        frame = self.as_filed
        feasible = frame[frame["feasible"]]
        pool = feasible if len(feasible) else frame
        return pool.loc[pool["npv"].idxmin()]

    @property
    def gain(self):
        """NPV of the tender as filed minus the plan's [base currency]."""
        return float(self.as_filed_best["npv"] - self.npv)

    def to_dict(self):
        """The JSON of ``fleetcalc plan --format json`` (keys binding, issue 16)."""
        best = self.as_filed_best
        years = []
        for _, row in self.years.iterrows():
            y = int(row["year"])
            years.append({
                "year": y, "calendar_year": int(row["calendar_year"]),
                "bought": {k: int(v) for k, v in self.bought.loc[y].items() if v},
                "rebuilt": {k: int(v) for k, v in self.rebuilt.loc[y].items() if v},
                "retired": {k: int(v) for k, v in self.retired.loc[y].items() if v},
                "units_in_service": int(row["units_in_service"]),
                "p_meet_demand": _number(row["p_meet_demand"]),
                "capital_spent": _number(row["capital_spent"]),
                "budget": _number(row["budget"]),
            })
        return {"plan": {
            "confidence": float(self.confidence), "npv": float(self.npv),
            "optimality_gap": _number(self.optimality_gap),
            "as_filed": {"npv": float(best["npv"]), "feasible": bool(best["feasible"])},
            "years": years}}

    def table(self):
        """The year-by-year plan as one DataFrame for the terminal and CSV."""
        import pandas as pd  # noqa: PLC0415

        def joined(frame):
            return [", ".join(f"{k} {int(v)}" for k, v in row.items() if v)
                    for _, row in frame.iterrows()]

        out = self.years.copy()
        out.insert(2, "bought", joined(self.bought))
        out.insert(3, "rebuilt", joined(self.rebuilt))
        out.insert(4, "retired", joined(self.retired))
        return pd.DataFrame(out)
