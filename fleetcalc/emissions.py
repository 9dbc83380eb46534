r"""Emissions from fuel burnt and their price (externalities).

Pure, vectorised formulas. Emissions are proportional to the diesel burnt;
their cost is the emissions times a unit price, with a real growth of the
carbon price. This is the lifetime-cost method of the Clean Vehicles
Directive 2009/33/EC (art. 6 and annex, as quoted by clean-fleets.eu):
*lifetime mileage x consumption or emission per km x unit cost*, applied year
by year and discounted with the rest of the life-cycle cost (EU 2014/24
art. 68(1)(b): external costs "if their monetary value can be determined and
verified").

Units: litres [L], factors per litre (CO2 in kg/L, NOx and PM in g/L),
tonnes [t], prices per tonne [base currency/t].
"""

from __future__ import annotations

import typing

import numpy as np

from fleetcalc.finance import escalation_factors

if typing.TYPE_CHECKING:
    from fleetcalc._arrays import Array, FloatOrArray, Numbers

__all__ = ["tonnes", "cost_per_litre", "lifetime_cost"]


def tonnes(litres: Numbers, kg_per_litre: Numbers = None, *,
           g_per_litre: Numbers = None) -> FloatOrArray:
    r"""Tonnes emitted by burning ``litres`` of fuel [t].

    Give the factor in kg/L (CO2) or in g/L (NOx, PM).

    Notes
    -----
    .. math:: m = V\,f_{kg} / 10^3 = V\,f_{g} / 10^6

    Examples
    --------
    >>> float(tonnes(1000.0, 2.676))        # a thousand litres of diesel
    2.676
    >>> float(tonnes(1000.0, g_per_litre=50.0))
    0.05
    """
    litres = np.asarray(litres, dtype=float)
    if g_per_litre is not None:
        return litres * float(g_per_litre) / 1e6
    return litres * float(kg_per_litre) / 1e3


def cost_per_litre(years: Numbers, *, co2_kg_per_litre: Numbers,
                   carbon_price_per_tonne: Numbers, carbon_price_growth: Numbers = 0.0,
                   nox_g_per_litre: Numbers = 0.0, nox_price_per_tonne: Numbers = 0.0,
                   pm_g_per_litre: Numbers = 0.0, pm_price_per_tonne: Numbers = 0.0) -> Array:
    r"""External cost of one litre of diesel burnt in year ``t`` [currency/L], real.

    Notes
    -----
    .. math::
        c(t) = \frac{f_{CO_2}}{10^3} p_{CO_2} (1+g)^t
             + \frac{f_{NO_x}}{10^6} p_{NO_x} + \frac{f_{PM}}{10^6} p_{PM}

    Examples
    --------
    >>> cost_per_litre([0, 1], co2_kg_per_litre=2.5, carbon_price_per_tonne=40.0,
    ...                carbon_price_growth=0.1).round(6).tolist()
    [0.1, 0.11]
    """
    years = np.asarray(years, dtype=float)
    return np.asarray(float(co2_kg_per_litre) / 1e3 * float(carbon_price_per_tonne)
            * escalation_factors(carbon_price_growth, years)
            + float(nox_g_per_litre) / 1e6 * float(nox_price_per_tonne)
            + float(pm_g_per_litre) / 1e6 * float(pm_price_per_tonne), dtype=float)


def lifetime_cost(lifetime_km: Numbers, consumption_per_km: Numbers,
                  unit_cost: Numbers) -> float:
    r"""Clean Vehicles Directive lifetime cost of one emission or of energy [currency].

    Parameters
    ----------
    lifetime_km : float
        Lifetime mileage [km].
    consumption_per_km : float
        Consumption or emission per km [unit/km], e.g. kg CO2/km.
    unit_cost : float
        Cost per unit of consumption or emission [currency/unit].

    Notes
    -----
    .. math:: C = D_{life} \times e_{km} \times c

    (Directive 2009/33/EC, art. 6(1)(b) and annex: undiscounted.)

    Examples
    --------
    >>> lifetime_cost(1_000_000, 4.6 * 2.676, 0.040)   # 4.6 L/km, 2.676 kg/L, EUR 40/t
    492384.0
    """
    return float(lifetime_km) * float(consumption_per_km) * float(unit_cost)
