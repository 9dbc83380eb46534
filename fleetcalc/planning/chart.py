"""Chart of a renewal plan: the fleet by cohort over time against demand."""

from __future__ import annotations

import numpy as np

from fleetcalc.reports.charts import _axes, _styled

__all__ = ["plan_chart"]


@_styled
def plan_chart(result, *, ax=None):
    """Stacked units in service by cohort and new type, per calendar year, with demand.

    Parameters
    ----------
    result : fleetcalc.PlanResult
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; default a new figure (Agg canvas, no display).

    Returns
    -------
    matplotlib.figure.Figure
        Save it with ``figure.savefig("plan.png")``.

    Examples
    --------
    >>> import fleetcalc  # doctest: +SKIP
    >>> figure = plan_chart(fleetcalc.plan(fleetcalc.load_tender(
    ...     "examples/pakistan_locomotives_2026.toml")))  # doctest: +SKIP
    """
    ax = _axes(ax, figsize=(9.0, 4.8))
    fleet = result.fleet
    years = result.years["calendar_year"].to_numpy()
    columns = [c for c in fleet.columns if fleet[c].any()]
    values = np.array([fleet[c].to_numpy() for c in columns], dtype=float)
    ax.stackplot(years, values, labels=columns, step=None, alpha=0.85)
    ax.step(years, result.years["demand"].to_numpy(), where="mid", color="black",
            linewidth=2.0, label="demand (units in service)")
    ax.set_xlabel("year")
    ax.set_ylabel("units in service")
    ax.set_title(f"Renewal plan: fleet by cohort against demand "
                 f"(P(meet demand) >= {result.confidence:g} each constrained year)")
    ax.legend(loc="upper right", fontsize=7, frameon=False)
    ax.set_xlim(years.min(), years.max())
    return ax.figure
