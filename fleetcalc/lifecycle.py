r"""Life-cycle cash flows by cost category, vectorised over bids and years.

The cost breakdown structure (IEC 60300-3-3) of fleetcalc. Every function is
pure: schedules (unit counts, shares) come from :mod:`fleetcalc.schedules`,
money figures are already in the base currency, and leading axes broadcast,
so the same code evaluates one tender or many Monte Carlo draws.

Cost categories (binding names, in ledger order)
------------------------------------------------
``acquisition``
    Contract price of the units, paid by milestone (with a loan: the buyer's
    own share of each payment, and the principal repayments).
``financing``
    Interest, fees and export-credit premium of a financing offer.
``initial_support``
    One-off spares, tools, training and documentation, paid with the first batch.
``energy``
    Fuel: units in service x km per unit x litres per km x fuel price, paid at
    the end of each year (``t = k``), escalated at the energy rate.
``maintenance``
    Scheduled plus corrective maintenance per km, paid at ``t = k``,
    escalated at the maintenance rate.
``overhaul``
    Periodic overhauls, paid when performed, escalated at the overhaul rate.
``shortfall``
    Expected missing locomotive-days against demand times their cost (hire or
    lost revenue), paid at ``t = k``, escalated at the shortfall rate; zero
    when the tender states no demand.
``existing_fleet``
    With a demand, the existing cohorts' running costs under this bid: fuel
    and maintenance on the km the existing units run (what the bid's new
    units do not run, :func:`fleetcalc.fleet.allocate_km`), and their
    overhauls, paid at ``t = k``; escalated as energy, maintenance and
    overhaul, the fuel at the same evaluated diesel price and exchange-rate
    path as ``energy`` (so the economic perspective removes its taxes too).
    Zero without a demand (no traffic to allocate).
``residual_value``
    Straight-line value of units still within their life at ``t = H``, as a
    negative cost.
``delivery_terms``
    Inland transport, insurance and port charges per unit that bring a bid
    from its Incoterm to the tender's delivery basis, paid on delivery.
``duties``
    Import duties and taxes (rate x unit price + stated amount per unit),
    paid on delivery; zero unless the rules include them (financial
    perspective and ``include_duties``).
``emissions``
    Priced externalities of the fuel burnt (litres x external cost per
    litre, :mod:`fleetcalc.emissions`), paid at ``t = k``; zero unless
    ``include_externalities`` or the economic perspective. With a demand,
    all the fuel burnt under the bid: its new units' and the existing units'
    it keeps running (whose fuel money is in ``existing_fleet``), each on the
    km actually run.

Every flow is finally multiplied by its exchange-rate factor
(``conversion``, :func:`fleetcalc.currency.conversion_factors`): 1 with flat
rates.
"""

from __future__ import annotations

import typing

import numpy as np

from fleetcalc.finance import escalation_factors

if typing.TYPE_CHECKING:
    from typing import Any

    from fleetcalc._arrays import Array, Numbers

__all__ = ["CATEGORIES", "lifecycle_cash_flows"]

#: Cost categories in ledger order (binding snake_case names).
CATEGORIES = (
    "acquisition",
    "financing",
    "initial_support",
    "energy",
    "maintenance",
    "overhaul",
    "shortfall",
    "existing_fleet",
    "residual_value",
    "delivery_terms",
    "duties",
    "emissions",
)

_INDEX = {name: i for i, name in enumerate(CATEGORIES)}


def lifecycle_cash_flows(
    *,
    unit_price: Numbers,
    payment_shares: Numbers,
    initial_support: Numbers,
    first_delivery_time: Numbers,
    units_in_service: Numbers,
    annual_km: Numbers,
    fuel_litres_per_km: Numbers,
    fuel_price: Numbers,
    maintenance_per_km: Numbers,
    overhaul_counts: Numbers,
    overhaul_cost: Numbers,
    residual_units: Numbers,
    horizon_years: Numbers,
    energy_escalation: Numbers = 0.0,
    maintenance_escalation: Numbers = 0.0,
    overhaul_escalation: Numbers = 0.0,
    maintenance_units: Numbers = None,
    shortfall_unit_days: Numbers = None,
    shortfall_cost_per_unit_day: Numbers = 0.0,
    shortfall_escalation: Numbers = 0.0,
    financing_shares: Numbers = None,
    delivered_units: Numbers = None,
    delivery_cost: Numbers = 0.0,
    duty_rate: Numbers = 0.0,
    duty_amount: Numbers = 0.0,
    emission_cost_per_litre: Numbers = None,
    conversion: Numbers = None,
    existing_fuel_units: Numbers = None,
    existing_maintenance_units: Numbers = None,
    existing_overhaul: Numbers = None,
) -> Array:
    r"""Cash flows of every bid by cost category and time point.

    All money is in the base currency, at year-0 real prices. Per-bid
    parameters have shape ``(..., n_bids)``; tender-wide ones broadcast as
    ``(..., 1)`` or scalars, where ``...`` are optional leading axes such as
    Monte Carlo draws.

    Parameters
    ----------
    unit_price : array_like, shape (..., n_bids)
        Price per locomotive [base currency].
    payment_shares : array_like, shape (n_bids, T + 1)
        Units-equivalent of the price paid at each ``t``
        (:func:`fleetcalc.schedules.payment_shares`) [-].
    initial_support : array_like, shape (..., n_bids)
        One-off support package [base currency].
    first_delivery_time : array_like of int, shape (n_bids,)
        Time at which the first batch enters service [year].
    units_in_service : array_like, shape (n_bids, H + 1)
        Units in service in year ``k = t`` [units].
    annual_km : array_like, shape (...,) or scalar
        km per unit per year in service [km/year].
    fuel_litres_per_km : array_like, shape (..., n_bids)
        Diesel per km [L/km].
    fuel_price : array_like, shape (...,) or scalar
        Diesel price at t = 0 [base currency/L].
    maintenance_per_km : array_like, shape (..., n_bids)
        Maintenance per km [base currency/km].
    overhaul_counts : array_like, shape (n_bids, H + 1)
        Overhauls at each ``t`` [units].
    overhaul_cost : array_like, shape (..., n_bids)
        Cost of one overhaul [base currency].
    residual_units : array_like, shape (n_bids,)
        Units-equivalent of the price left at ``t = H`` [-].
    horizon_years : int
        Evaluation period ``H`` [year].
    energy_escalation, maintenance_escalation, overhaul_escalation : float
        Real escalation per year of each category [-].
    maintenance_units : array_like, shape (n_bids, H + 1), optional
        Units in service weighted by their age factor of maintenance cost
        (:func:`fleetcalc.fleet.maintenance_age_factor`) [units]; default
        ``units_in_service`` (no ageing).
    shortfall_unit_days : array_like, shape (..., n_bids, H + 1), optional
        Expected missing locomotive-days in year ``k = t`` [unit-day];
        default none.
    shortfall_cost_per_unit_day : array_like, shape (...,) or scalar
        Cost of a missing locomotive-day [base currency/unit-day].
    shortfall_escalation : float
        Real escalation per year of the shortfall cost [-].
    financing_shares : array_like, shape (n_bids, T + 1), optional
        Units-equivalent of the price paid as interest, fees and premium at
        each ``t`` (:func:`fleetcalc.financing.financing_schedules`) [-].
    delivered_units : array_like, shape (n_bids, T + 1), optional
        Units delivered (paid on delivery) at each ``t`` [units]; default none.
    delivery_cost : array_like, shape (..., n_bids) or scalar
        Inland transport, insurance and port charges per unit [base currency].
    duty_rate : array_like, shape (n_bids,) or scalar
        Import duties and taxes as a share of the unit price [-].
    duty_amount : array_like, shape (..., n_bids) or scalar
        Import duties and taxes per unit as a stated amount [base currency].
    emission_cost_per_litre : array_like, shape (..., T + 1) or (..., 1), optional
        External cost of a litre burnt at each ``t`` [base currency/L];
        default none (no emissions cost).
    conversion : array_like, shape (n_bids, len(CATEGORIES), T + 1), optional
        Exchange-rate (and shadow-price) multiplier of each flow [-];
        default 1 everywhere. The existing fleet's fuel takes the ``energy``
        row (the same diesel); its ``existing_fleet`` row multiplies the
        existing fleet's maintenance and overhaul.
    existing_fuel_units : array_like, shape (..., n_bids, H + 1), optional
        Existing units running under each bid, weighted by their litres per
        km, :math:`\sum_c r_{c,t} f_c` [unit L/km]; default none. Their
        fuel is also priced in ``emissions``.
    existing_maintenance_units : array_like, shape (..., n_bids, H + 1), optional
        Existing units running weighted by their maintenance cost per km and
        age factor, :math:`\sum_c r_{c,t} m_c (1+g_c)^{v_{c,t}}` [unit
        currency/km]; default none.
    existing_overhaul : array_like, shape (..., n_bids, H + 1), optional
        Existing cohorts' overhaul cost in year ``k = t`` at year-0 prices
        [base currency]; default none.

    Returns
    -------
    numpy.ndarray, shape (..., n_bids, len(CATEGORIES), T + 1)
        Amounts [base currency] at ``t = 0..T``; ``T >= H`` when an
        acceptance payment falls after the horizon.

    Notes
    -----
    With :math:`n_t` units in service in year :math:`k = t`, annual distance
    :math:`D`, price :math:`p_0` and escalation :math:`e`:

    .. math::
        E_t &= n_t D f p_0 (1+e_E)^t \\
        M_t &= n_t D m (1+e_M)^t \\
        O_t &= o_t c_O (1+e_O)^t \\
        S_t &= u_t c_S (1+e_S)^t \\
        R_H &= -P \sum_k d_k \max(0, 1 - a_k/L) \\
        T_t &= \delta_t c_T, \quad
        X_t = \delta_t (\tau P + c_X), \quad
        Z_t = (n_t f + \textstyle\sum_c r_{c,t} f_c) D z_t

    where :math:`\delta_t` are the units delivered at ``t``, :math:`c_T`
    the delivery-terms cost per unit, :math:`\tau` and :math:`c_X` the duty
    rate and amount, :math:`z_t` the external cost per litre, and the
    existing fleet's cost (``existing_fleet``)

    .. math::
        F_t = D (\textstyle\sum_c r_{c,t} f_c) p_0 (1+e_E)^t
        + D \textstyle\sum_c r_{c,t} m_c (1+g_c)^{v} (1+e_M)^t + O^{ex}_t (1+e_O)^t

    where :math:`r_{c,t}` are its units running (expected). With a demand,
    :math:`n_t` is the bid's new units *running*
    (:func:`fleetcalc.fleet.allocate_km`), not those in service, so energy,
    maintenance and emissions follow the km actually run. The emissions
    :math:`Z_t` are those of all the fuel burnt under the bid (its new units
    and the existing units it keeps running); the existing fleet's fuel money
    is in :math:`F_t` only, each effect priced once.

    where :math:`u_t` are the expected missing locomotive-days of year
    :math:`k = t` and :math:`c_S` their cost. With ageing, :math:`n_t` in
    :math:`M_t` is replaced by the age-weighted units
    :math:`\sum_g n_{g,t} (1 + g_m)^{v_{g,t}}`.

    Running costs of year ``k`` are paid at its end, ``t = k`` (IEC
    60300-3-3 operation and support costs; World Bank "annual recurrent
    O&M cost").

    Examples
    --------
    One unit, delivered in year 1, horizon 2, life 2, all paid on delivery:

    >>> flows = lifecycle_cash_flows(
    ...     unit_price=[100.0], payment_shares=[[1.0, 0.0, 0.0]], initial_support=[5.0],
    ...     first_delivery_time=[0], units_in_service=[[0, 1, 1]], annual_km=10.0,
    ...     fuel_litres_per_km=[2.0], fuel_price=0.5, maintenance_per_km=[1.0],
    ...     overhaul_counts=[[0, 0, 0]], overhaul_cost=[0.0], residual_units=[0.0],
    ...     horizon_years=2)
    >>> dict(zip(CATEGORIES, flows[0].tolist()))  # doctest: +NORMALIZE_WHITESPACE
    {'acquisition': [100.0, 0.0, 0.0], 'financing': [0.0, 0.0, 0.0],
     'initial_support': [5.0, 0.0, 0.0],
     'energy': [0.0, 10.0, 10.0], 'maintenance': [0.0, 10.0, 10.0],
     'overhaul': [0.0, 0.0, 0.0], 'shortfall': [0.0, 0.0, 0.0],
     'existing_fleet': [0.0, 0.0, 0.0], 'residual_value': [0.0, 0.0, 0.0],
     'delivery_terms': [0.0, 0.0, 0.0], 'duties': [0.0, 0.0, 0.0],
     'emissions': [0.0, 0.0, 0.0]}
    """
    payment_shares = np.asarray(payment_shares, dtype=float)
    n_bids, periods = payment_shares.shape
    h1 = horizon_years + 1
    t = np.arange(periods)
    unit_price = np.asarray(unit_price, dtype=float)
    lead = np.broadcast_shapes(
        unit_price.shape[:-1], np.shape(initial_support)[:-1], np.shape(fuel_litres_per_km)[:-1],
        np.shape(maintenance_per_km)[:-1], np.shape(overhaul_cost)[:-1], np.shape(annual_km),
        np.shape(fuel_price),
        # per-draw unit arrays (..., n_bids, H + 1), e.g. a km allocation per draw
        *(np.shape(a)[:-2] for a in (units_in_service, maintenance_units, existing_fuel_units,
                                     existing_maintenance_units) if a is not None))

    def per_bid(x: Numbers) -> Any:  # (..., n_bids) -> (..., n_bids, 1)
        return np.asarray(x, dtype=float)[..., None]

    def tender_wide(x: Numbers) -> Any:  # (...) -> (..., 1, 1)
        return np.asarray(x, dtype=float)[..., None, None]

    flows = np.zeros(lead + (n_bids, len(CATEGORIES), periods))
    flows[..., _INDEX["acquisition"], :] = per_bid(unit_price) * payment_shares
    if financing_shares is not None:
        flows[..., _INDEX["financing"], :] = per_bid(unit_price) * np.asarray(
            financing_shares, dtype=float)
    support_at = (t[None, :] == np.asarray(first_delivery_time)[:, None]).astype(float)
    flows[..., _INDEX["initial_support"], :] = per_bid(initial_support) * support_at
    in_service = np.asarray(units_in_service, dtype=float)
    km = in_service * tender_wide(annual_km)                             # (..., B, H+1)
    years = t[:h1]
    flows[..., _INDEX["energy"], :h1] = (km * per_bid(fuel_litres_per_km)
                                         * tender_wide(fuel_price)
                                         * escalation_factors(energy_escalation, years))
    maintained = in_service if maintenance_units is None else np.asarray(
        maintenance_units, dtype=float)
    flows[..., _INDEX["maintenance"], :h1] = (
        maintained * tender_wide(annual_km) * per_bid(maintenance_per_km)
        * escalation_factors(maintenance_escalation, years))
    flows[..., _INDEX["overhaul"], :h1] = (
        np.asarray(overhaul_counts, dtype=float) * per_bid(overhaul_cost)
        * escalation_factors(overhaul_escalation, years))
    if shortfall_unit_days is not None:
        flows[..., _INDEX["shortfall"], :h1] = (
            np.asarray(shortfall_unit_days, dtype=float) * tender_wide(shortfall_cost_per_unit_day)
            * escalation_factors(shortfall_escalation, years))
    existing = 0.0
    existing_fuel = 0.0          # (..., B, H+1): money, converted as energy below
    existing_km_litres = 0.0     # (..., B, H+1): litres the existing units burn
    if existing_fuel_units is not None:
        existing_km_litres = np.asarray(existing_fuel_units, dtype=float) * tender_wide(annual_km)
        existing_fuel = (existing_km_litres * tender_wide(fuel_price)
                         * escalation_factors(energy_escalation, years))
    if existing_maintenance_units is not None:
        existing = existing + (np.asarray(existing_maintenance_units, dtype=float)
                               * tender_wide(annual_km)
                               * escalation_factors(maintenance_escalation, years))
    if existing_overhaul is not None:
        existing = existing + (np.asarray(existing_overhaul, dtype=float)
                               * escalation_factors(overhaul_escalation, years))
    flows[..., _INDEX["existing_fleet"], :h1] = existing
    flows[..., _INDEX["residual_value"], horizon_years] = (
        -unit_price * np.asarray(residual_units, dtype=float))
    if delivered_units is not None:
        delivered = np.asarray(delivered_units, dtype=float)
        flows[..., _INDEX["delivery_terms"], :] = delivered * per_bid(
            np.broadcast_to(delivery_cost, unit_price.shape))
        flows[..., _INDEX["duties"], :] = delivered * per_bid(
            np.asarray(duty_rate, dtype=float) * unit_price
            + np.broadcast_to(duty_amount, unit_price.shape))
    if emission_cost_per_litre is not None:
        cost = np.asarray(emission_cost_per_litre, dtype=float)[..., None, :h1]
        flows[..., _INDEX["emissions"], :h1] = (km * per_bid(fuel_litres_per_km)
                                                + existing_km_litres) * cost
    if conversion is not None:
        conversion = np.asarray(conversion, dtype=float)
        flows = flows * conversion
        existing_fuel = existing_fuel * conversion[..., _INDEX["energy"], :h1]
    flows[..., _INDEX["existing_fleet"], :h1] += existing_fuel
    return flows
