"""The tender as frozen, validated value objects.

A :class:`Tender` holds the evaluation settings (:class:`TenderSettings`, the
``[tender]`` table of a tender file) and the bids (:class:`Bid`, the
``[[bids]]`` tables). Every field is declared with
:func:`fleetcalc.validation.spec`, which records its meaning, unit, default and
rules; the tender-file reference in the docs is generated from those records.

Build a tender from a file with :func:`fleetcalc.load_tender`, or in Python
with the classes directly; make variants with :func:`attrs.evolve`:

>>> import attrs, fleetcalc
>>> tender = fleetcalc.load_tender("examples/pakistan_locomotives_2026.toml")
>>> cheaper_fuel = attrs.evolve(
...     tender,
...     tender=attrs.evolve(tender.tender, discount_rate=0.10),
... )
>>> cheaper_fuel.tender.discount_rate
0.1
"""

from __future__ import annotations

import math

import attrs

from fleetcalc import ageing
from fleetcalc.exceptions import Problem
from fleetcalc.money import Money, convert, money
from fleetcalc.uncertainty import Correlation, UncertainInput, uncertainty_problems
from fleetcalc.validation import (
    MAX_EXCHANGE_RATE,
    at_least,
    at_most,
    currency_code,
    greater_than,
    has_errors,
    integer,
    integer_list,
    key_label,
    named_paths,
    negative_rate,
    number,
    one_of,
    percent_like,
    plural,
    problems_of,
    raise_if_errors,
    rate_table,
    spec,
    text,
    validators_are_paused,
)

__all__ = [
    "PAYMENT_EVENTS",
    "PaymentMilestone",
    "Prices",
    "Escalation",
    "Externalities",
    "Demand",
    "Commonality",
    "Ageing",
    "EvaluationRules",
    "PriceIndices",
    "Financing",
    "PricedAdjustment",
    "BidEvaluation",
    "Guarantees",
    "PriceAdjustment",
    "TenderSettings",
    "Bid",
    "Cohort",
    "Rebuild",
    "Plan",
    "Tender",
]

#: Contract events a payment milestone can be tied to (see :class:`PaymentMilestone`).
PAYMENT_EVENTS = ("signing", "delivery", "acceptance")

#: Tolerance on payment shares summing to 1 [-]; the one tolerance of every
#: share check (bids, required schedule, and the adjustments comparing them).
SHARE_TOLERANCE = 1e-9
_SHARE_TOLERANCE = SHARE_TOLERANCE

#: Longest horizon or loan tenor accepted [year]; arrays grow with it.
MAX_HORIZON_YEARS = 100

#: Most units in a bid or a cohort; the fleet distribution grows with the fleet.
MAX_UNITS = 20_000

#: Longest service life, overhaul interval, warranty, grace or guarantee [year].
MAX_YEARS = 100

#: Largest rate per year (discount, escalation, interest) [-/year]. Above 1 a
#: plausibility warning says it looks like a percent; (1 + 10)**100 = 1.4e104.
MAX_RATE = 10.0

#: Lowest discount and interest rate [-/year]: (1 - 0.5)**-100 = 1.3e30.
MIN_RATE = -0.5

#: Largest distance per locomotive per year [km/year].
MAX_ANNUAL_KM = 1e6

_RATE_RULES = (number, at_least(MIN_RATE), at_most(MAX_RATE))
_ESCALATION_RULES = (number, greater_than(-1), at_most(MAX_RATE))


def _tuple(value):
    return tuple(value) if isinstance(value, list) else value


def _money_currencies(obj):
    """(field name, currency) of every Money held directly by ``obj``."""
    return [(a.name, getattr(obj, a.name).currency) for a in attrs.fields(type(obj))
            if isinstance(getattr(obj, a.name), Money)]


def _check_on_init(self):
    """Cross-field rules when an object is built in Python with validators on."""
    if validators_are_paused():
        return
    raise_if_errors(problems_of(self))


@attrs.frozen
class PaymentMilestone:
    """A share of the contract price paid at a contract event.

    ``signing`` is paid at t = 0 on the whole contract; ``delivery`` and
    ``acceptance`` are paid per delivery batch, on that batch's value, at the
    batch's entry into service (t = k - 1) and at the end of its warranty
    (t = k - 1 + ``warranty_years``).

    Examples
    --------
    >>> PaymentMilestone(event="signing", share=0.1)
    PaymentMilestone(event='signing', share=0.1)
    """

    event: str = spec("Contract event that triggers the payment.", example="delivery",
                      rules=(text, one_of(*PAYMENT_EVENTS)))
    share: float = spec("Share of the price paid at the event, decimal.", unit="-",
                        example=0.8, rules=(number, at_least(0), at_most(1)))


@attrs.frozen
class Prices:
    """Year-0 prices of consumables; a plain number is in the base currency.

    Examples
    --------
    >>> Prices(diesel_per_litre=Money(257.08, "PKR")).diesel_per_litre.currency
    'PKR'
    """

    diesel_per_litre: float | Money = spec(
        "Price of diesel fuel at t = 0, per litre, as the railway pays it.",
        unit="currency/L", example={"amount": 257.08, "currency": "PKR"},
        rules=(money(minimum=0),))
    diesel_taxes_per_litre: float | Money = spec(
        "Taxes, levies and duty included in diesel_per_litre: a transfer removed in the "
        "economic perspective (tender.perspective).", unit="currency/L",
        example={"amount": 96.0, "currency": "PKR"}, default=0.0, rules=(money(minimum=0),))


@attrs.frozen
class Escalation:
    """Real escalation per year of each cost category's prices (default 0).

    A category's year-t price is its year-0 price times ``(1 + e)**t``. Rates
    are *real* (above general inflation), like the discount rate.

    Examples
    --------
    >>> Escalation(energy=0.01).maintenance
    0.0
    """

    energy: float = spec("Real escalation of the fuel price per year, decimal.", unit="-/year",
                         example=0.01, default=0.0, rules=_ESCALATION_RULES,
                         warnings=(percent_like,))
    maintenance: float = spec("Real escalation of maintenance cost per km per year, decimal.",
                              unit="-/year", example=0.0, default=0.0,
                              rules=_ESCALATION_RULES, warnings=(percent_like,))
    overhaul: float = spec("Real escalation of overhaul cost per year, decimal.",
                           unit="-/year", example=0.0, default=0.0,
                           rules=_ESCALATION_RULES, warnings=(percent_like,))
    shortfall: float = spec("Real escalation of the shortfall cost per unit-day per year, "
                            "decimal.", unit="-/year", example=0.0, default=0.0,
                            rules=_ESCALATION_RULES, warnings=(percent_like,))


#: IPCC 2006 Guidelines, vol. 2 ch. 3 (mobile combustion), table 3.4.1 (railways): diesel
#: 74 100 kg CO2/TJ; with the net calorific value 43.0 TJ/Gg (vol. 2 ch. 1, table 1.2) and a
#: density of 0.84 kg/L: 74.1 x 43.0e-6 x 0.84 = 2.676 kg CO2 per litre.
IPCC_2006_DIESEL_CO2_KG_PER_LITRE = 74_100 * 43.0e-6 * 0.84


@attrs.frozen(kw_only=True)
class Externalities:
    """Emission factors and prices of externalities (``[tender.externalities]``).

    Tonnes are always counted; their cost enters the evaluated cost only with
    ``[tender.evaluation].include_externalities = true`` or the economic
    perspective (EU 2014/24 art. 68(1)(b), (2)). Prices are real, in the base
    currency unless given as money tables.

    Examples
    --------
    >>> round(Externalities().co2_kg_per_litre, 3)
    2.676
    """

    co2_kg_per_litre: float = spec(
        "CO2 emitted per litre of diesel burnt (default: IPCC 2006 railway diesel factor, "
        "74 100 kg/TJ x 43.0 TJ/Gg x 0.84 kg/L).", unit="kg/L", example=2.676,
        default=IPCC_2006_DIESEL_CO2_KG_PER_LITRE, rules=(number, at_least(0), at_most(10)))
    nox_g_per_litre: float = spec("NOx emitted per litre of diesel burnt.", unit="g/L",
                                  example=50.0, default=0.0,
                                  rules=(number, at_least(0), at_most(1000)))
    pm_g_per_litre: float = spec("Particulate matter emitted per litre of diesel burnt.",
                                 unit="g/L", example=1.5, default=0.0,
                                 rules=(number, at_least(0), at_most(1000)))
    carbon_price_per_tonne: float | Money = spec(
        "Price of a tonne of CO2 at t = 0 (real).", unit="currency/t", example=40.0,
        default=0.0, rules=(money(minimum=0),))
    carbon_price_growth: float = spec("Real growth of the carbon price per year, decimal.",
                                      unit="-/year", example=0.02, default=0.0,
                                      rules=_ESCALATION_RULES, warnings=(percent_like,))
    nox_price_per_tonne: float | Money = spec("Damage cost of a tonne of NOx (real).",
                                              unit="currency/t", example=5000.0, default=0.0,
                                              rules=(money(minimum=0),))
    pm_price_per_tonne: float | Money = spec("Damage cost of a tonne of PM (real).",
                                             unit="currency/t", example=50000.0, default=0.0,
                                             rules=(money(minimum=0),))


def _rates(value):
    """A rate, or a non-empty list of rates (> -1)."""
    values = value if isinstance(value, (list, tuple)) else [value]
    if not values:
        return "must be a number or a non-empty list of numbers"
    if len(values) > MAX_HORIZON_YEARS:
        return f"has {len(values)} items; at most {MAX_HORIZON_YEARS} are allowed"
    for item in values:
        broken = number(item) or at_least(MIN_RATE)(item) or at_most(MAX_RATE)(item)
        if broken:
            return broken if len(values) == 1 else f"item {item!r} {broken}"
    return None


def _rate_paths(value):
    """{currency: drift > -1 or non-empty list of positive rates}."""
    if not isinstance(value, dict):
        return "must be a table of currency = drift or list of rates"
    for code, path in value.items():
        broken = currency_code(code)
        if broken:
            return f"key {code!r} {broken}"
        if isinstance(path, (list, tuple)):
            broken = _positive_numbers(list(path))
        else:
            broken = number(path) or greater_than(-1)(path) or at_most(MAX_RATE)(path)
        if broken:
            return f"{code}: {broken}"
    return None


_rate_paths.describe = (  # type: ignore[attr-defined]
    f"each drift > -1 and <= {MAX_RATE:g}, or each rate in a list >= 1e-06 and <= 1e+09")


def _boolean(value):
    """true or false."""
    return None if isinstance(value, bool) else "must be true or false"


def _positive_numbers(value):
    """A non-empty list of positive finite numbers."""
    if not isinstance(value, (list, tuple)) or not value:
        return "must be a non-empty list of numbers"
    if len(value) > MAX_HORIZON_YEARS + 1:
        return f"has {len(value)} items; at most {MAX_HORIZON_YEARS + 1} are allowed"
    for i, item in enumerate(value):
        broken = number(item) or at_least(1e-6)(item) or at_most(1e9)(item)
        if broken:
            return f"item {i} ({item!r}) {broken}"
    return None


def _demand_levels(value):
    """A whole number >= 0, or a list of them (one per year)."""
    if isinstance(value, (list, tuple)):
        return integer_list(minimum=0, maximum=MAX_UNITS, max_length=MAX_HORIZON_YEARS)(value)
    return integer(value) or at_least(0)(value) or at_most(MAX_UNITS)(value)


_demand_levels.describe = f"each >= 0 and <= {MAX_UNITS}"  # type: ignore[attr-defined]


#: Most locomotive-km to haul in a year [km/year]: every unit of the largest fleet
#: running the largest distance.
MAX_LOCO_KM = MAX_UNITS * MAX_ANNUAL_KM


def _loco_km_levels(value):
    """A number >= 0, or a list of them (one per year)."""
    values = value if isinstance(value, (list, tuple)) else [value]
    if not values:
        return "must be a number or a non-empty list of numbers"
    if len(values) > MAX_HORIZON_YEARS:
        return f"has {len(values)} items; at most {MAX_HORIZON_YEARS} (one per year)"
    for i, item in enumerate(values):
        broken = number(item) or at_least(0)(item) or at_most(MAX_LOCO_KM)(item)
        if broken:
            return broken if len(values) == 1 else f"item {i} ({item!r}) {broken}"
    return None


_loco_km_levels.describe = f"each >= 0 and <= {MAX_LOCO_KM:g}"  # type: ignore[attr-defined]


@attrs.frozen(kw_only=True)
class Demand:
    """Locomotives needed in service, and the cost of missing them.

    Examples
    --------
    >>> Demand(units_in_service=[180, 185], shortfall_cost_per_unit_day=2600).confidence
    0.95
    """

    units_in_service: int | tuple | None = spec(
        "Locomotives needed in service each day: a number, or a list with one number per "
        "year 1..H; the locomotive-km to haul are these x annual_km. Exactly one of "
        "units_in_service and loco_km.", unit="units", example=180, converter=_tuple,
        optional=True, rules=(_demand_levels,))
    loco_km: float | tuple | None = spec(
        "Locomotive-km to haul each year, from a traffic forecast: a number, or a list with "
        "one number per year 1..H. Exactly one of units_in_service and loco_km.",
        unit="km/year", example=16_000_000, converter=_tuple, optional=True,
        rules=(_loco_km_levels,))
    loco_km_growth: float = spec(
        "Growth per year of loco_km from year 1 (a single number only).", unit="-/year",
        example=0.02, default=0.0, rules=(number, greater_than(-1), at_most(MAX_RATE)))
    shortfall_cost_per_unit_day: float | Money = spec(
        "Cost of each missing locomotive-day (hire or lost revenue), base currency.",
        unit="currency/unit-day", example=2600, default=0.0, rules=(money(minimum=0),))
    confidence: float = spec("Probability of meeting demand used to size the fleet.",
                             unit="-", example=0.95, default=0.95,
                             rules=(number, greater_than(0), at_most(0.999999)))

    def __attrs_post_init__(self):
        _check_on_init(self)

    def _cross_problems(self):
        """Exactly one of units_in_service and loco_km."""
        if (self.units_in_service is None) == (self.loco_km is None):
            return [Problem("units_in_service", "give exactly one of units_in_service and "
                            "loco_km (both are the demand)",
                            value=self.units_in_service)]
        if self.loco_km_growth and isinstance(self.loco_km, tuple):
            return [Problem("loco_km_growth", "applies to a single loco_km number, not a list",
                            value=self.loco_km_growth)]
        return []

    def levels(self, horizon_years, annual_km=None):
        """Demand in years 1..H as a list of whole units (for P(meet demand) and sizing).

        With ``loco_km``, the unit-equivalents ``loco_km / annual_km`` rounded up.
        """
        if self.loco_km is not None:
            return [int(math.ceil(x - 1e-9)) for x in self.unit_equivalents(horizon_years,
                                                                            annual_km)]
        value = self.units_in_service
        return list(value) if isinstance(value, tuple) else [value] * horizon_years

    def km_levels(self, horizon_years, annual_km):
        """Locomotive-km to haul in years 1..H [km/year]."""
        if self.loco_km is None:
            return [float(x) * float(annual_km) for x in self.levels(horizon_years)]
        if isinstance(self.loco_km, tuple):
            return [float(x) for x in self.loco_km]
        return [float(self.loco_km) * (1.0 + self.loco_km_growth) ** k
                for k in range(horizon_years)]

    def unit_equivalents(self, horizon_years, annual_km):
        """Demand in years 1..H as unit-equivalents (km / annual_km, real) [units]."""
        if self.loco_km is None:
            return [float(x) for x in self.levels(horizon_years)]
        return [x / float(annual_km) for x in self.km_levels(horizon_years, annual_km)]


@attrs.frozen(kw_only=True)
class Commonality:
    """Savings for a bid whose ``platform`` matches an existing cohort's (default none).

    Shared spares pools, tooling and training: the shares are taken off the
    bid's initial support and maintenance cost.

    Examples
    --------
    >>> Commonality(initial_support=0.3).maintenance
    0.0
    """

    initial_support: float = spec("Share of initial support saved by platform commonality.",
                                  unit="-", example=0.30, default=0.0,
                                  rules=(number, at_least(0), at_most(1)))
    maintenance: float = spec("Share of maintenance cost saved by platform commonality.",
                              unit="-", example=0.05, default=0.0,
                              rules=(number, at_least(0), at_most(1)))


@attrs.frozen(kw_only=True)
class Ageing:
    """Age-dependent growth of failure rate and maintenance cost (default none).

    Multipliers :math:`(1+g)^v` of the virtual age :math:`v`, which an
    overhaul reduces by the share ``overhaul_restoration`` (Kijima type II);
    see :mod:`fleetcalc.ageing`. With the defaults, costs and failure rates
    do not change with age.

    Examples
    --------
    >>> Ageing(failure_rate_growth=0.03).overhaul_restoration
    0.0
    """

    failure_rate_growth: float = spec("Growth of the failure rate per year of virtual age.",
                                      unit="-/year", example=0.03, default=0.0,
                                      rules=(number, greater_than(-1), at_most(1)))
    maintenance_cost_growth: float = spec(
        "Growth of maintenance cost per km per year of virtual age.", unit="-/year",
        example=0.02, default=0.0, rules=(number, greater_than(-1), at_most(1)))
    overhaul_restoration: float = spec(
        "Share of the accumulated (virtual) age an overhaul removes: 1 as good as new, "
        "0 as bad as old.", unit="-", example=0.5, default=0.0,
        rules=(number, at_least(0), at_most(1)))


@attrs.frozen(kw_only=True)
class EvaluationRules:
    """How the procurement rules adjust bids before ranking (``[tender.evaluation]``).

    The defaults apply no adjustment: no required delivery or payment
    schedule, no domestic preference, guarantees not loaded, no scoring.

    Examples
    --------
    >>> EvaluationRules().domestic_preference_margin
    0.15
    """

    required_delivery: tuple | None = spec(
        "Units required in service by the start of year 1, 2, ... (the bidding document's "
        "schedule); later units are adjusted or non-responsive.", unit="units",
        example=[0, 10, 20, 20],
        optional=True, converter=_tuple,
        rules=(integer_list(minimum=0, maximum=MAX_UNITS, max_length=MAX_HORIZON_YEARS),))
    delivery_adjustment_per_week: float = spec(
        "Adjustment per week of delay of a unit, as a share of its price.", unit="-/week",
        example=0.001, default=0.0, rules=(number, at_least(0), at_most(1)))
    delivery_max_weeks: float | None = spec(
        "Delay beyond which a bid is non-responsive.", unit="week", example=26,
        optional=True, rules=(number, at_least(0), at_most(52 * MAX_HORIZON_YEARS)))
    required_payments: tuple[PaymentMilestone, ...] | None = spec(
        "The bidding document's payment schedule; earlier payments asked by a bid are "
        "charged interest at payment_deviation_rate.", unit="-",
        example=[{"event": "delivery", "share": 0.9}, {"event": "acceptance", "share": 0.1}],
        optional=True, converter=_tuple)
    payment_deviation_rate: float = spec(
        "Interest per year charged on payments a bid asks for earlier than required.",
        unit="-/year", example=0.08, default=0.0, rules=(number, at_least(0), at_most(MAX_RATE)),
        warnings=(percent_like,))
    domestic_preference: bool = spec(
        "Apply the domestic preference margin to bids that do not qualify.", example=True,
        default=False, rules=(_boolean,))
    domestic_preference_margin: float = spec(
        "Domestic preference margin, share of the base price (World Bank goods: 15 %).",
        unit="-", example=0.15, default=0.15, rules=(number, at_least(0), at_most(1)))
    domestic_preference_threshold: float = spec(
        "Domestic value added share from which a bid qualifies (World Bank: 30 %).",
        unit="-", example=0.30, default=0.30, rules=(number, at_least(0), at_most(1)))
    domestic_preference_base: str = spec(
        "Base of the margin, valued with the bid's present-value factor of price: "
        "price_adjusted_for_scope (corrected price less unconditional discounts plus the "
        "scope lines; World Bank/ADB), price_after_adjustments (plus every priced line) or "
        "price (corrected read-out price).",
        example="price_adjusted_for_scope", default="price_adjusted_for_scope",
        rules=(text, one_of("price_adjusted_for_scope", "price_after_adjustments", "price")))
    load_guarantees: bool = spec(
        "Evaluate each bid at the worse of its declared figure and its guarantee with "
        "tolerance (fuel consumption, availability in the guarantee years).", example=True,
        default=False, rules=(_boolean,))
    price_adjustment_in_evaluation: bool = spec(
        "Include the estimated effect of bids' price adjustment formulas in the evaluated "
        "cost; false (World Bank SBD: not taken into account in bid evaluation) reports it "
        "as information only.", example=False, default=False, rules=(_boolean,))
    price_basis: str | None = spec(
        "Price basis the bidding document requires of all bids: fixed or adjustable; a bid "
        "on the other basis is non-responsive.", example="fixed", optional=True,
        rules=(text, one_of("fixed", "adjustable")))
    required_quantity: int | None = spec(
        "Units the bidding document asks for; a bid for another quantity is non-responsive "
        "(or normalised per unit, see quantity_rule).", unit="units", example=50,
        optional=True, rules=(integer, at_least(1), at_most(MAX_UNITS)))
    quantity_rule: str = spec(
        "What a bid for a quantity other than required_quantity gets: non_responsive, or "
        "per_unit (its evaluated cost scaled by required_quantity / quantity).",
        example="non_responsive", default="non_responsive",
        rules=(text, one_of("non_responsive", "per_unit")))
    financing_discount_rate: float | None = spec(
        "Real rate at which a financing offer's saving is valued: the borrower's cost of "
        "comparable hard-currency debt; default the tender's discount_rate.", unit="-/year",
        example=0.06, optional=True, rules=_RATE_RULES, warnings=(percent_like,))
    delivery_basis: str | None = spec(
        "Incoterm (2020) to which every bid is brought for comparison; bids add the "
        "inland_transport, insurance and port_charges they state (World Bank goods: "
        "foreign goods CIP, domestic goods EXW, plus inland costs to the final "
        "destination); absent: bids are compared as quoted.", example="CIP", optional=True,
        rules=(text, one_of("EXW", "FCA", "FOB", "CIP", "DAP", "DDP")))
    include_duties: bool = spec(
        "Include import duties and taxes in the evaluated cost (false: World Bank goods "
        "compare bids excluding duties; they are a transfer in the economic perspective "
        "anyway).", example=False, default=False, rules=(_boolean,))
    include_externalities: bool = spec(
        "Include the priced emissions ([tender.externalities]) in the evaluated cost; the "
        "bidding document must state the method (EU 2014/24 art. 68(2)). The economic "
        "perspective always includes them.", example=True, default=False, rules=(_boolean,))
    grant_element_reference_rate: float = spec(
        "Discount rate of the grant element of financing offers (IMF/World Bank: 5 %).",
        unit="-/year", example=0.05, default=0.05, rules=_RATE_RULES,
        warnings=(percent_like,))
    technical_weight: float | None = spec(
        "Weight of the technical score in a combined score (best price-quality ratio); "
        "absent: no scoring.", unit="-", example=0.3, optional=True,
        rules=(number, at_least(0), at_most(1)))
    price_score_method: str = spec(
        "Price score: ratio (lowest cost / cost), linear (1 - (cost - lowest) / lowest) or "
        "per_money (price_points_per_million points lost per million above the lowest; "
        "the only one a cost common to all bids cannot move).",
        example="per_money", default="ratio", rules=(text, one_of("ratio", "linear",
                                                                   "per_money")))
    price_points_per_million: float | None = spec(
        "Price points lost per million of base currency of evaluated cost above the lowest "
        "(price_score_method = per_money).", unit="points/million", example=2.0,
        optional=True, rules=(number, at_least(0)))

    def _cross_problems(self):
        problems = []
        if self.price_score_method == "per_money" and self.price_points_per_million is None:
            problems.append(Problem("price_points_per_million", "is needed when "
                                    "price_score_method is per_money"))
        if self.required_delivery is not None and sum(self.required_delivery) <= 0:
            problems.append(Problem("required_delivery", "must require at least one unit",
                                    value=list(self.required_delivery)))
        if self.required_payments is not None:
            milestones = [p for p in self.required_payments if isinstance(p, PaymentMilestone)
                          and number(p.share) is None]
            total = sum(p.share for p in milestones)
            if abs(total - 1.0) > _SHARE_TOLERANCE:
                problems.append(Problem("required_payments", f"shares sum to {total:g}, not 1",
                                        value=[p.share for p in milestones]))
            events = [p.event for p in milestones]
            for event in sorted({e for e in events if events.count(e) > 1}):
                problems.append(Problem("required_payments", f"event {event!r} appears more "
                                        "than once; combine its shares"))
        return problems


@attrs.frozen(kw_only=True)
class PriceIndices:
    """Index paths for price adjustment of payments (``[tender.price_adjustment]``).

    Give the indices in real terms (deflated by general inflation), like every
    other price of the evaluation: the adjusted payments are real amounts.

    Examples
    --------
    >>> PriceIndices(labour=[100, 103], materials=[100, 101]).labour
    (100, 103)
    """

    labour: tuple = spec("Labour index at t = 0, 1, 2, ... (the last value holds after).",
                         example=[100, 103, 106], converter=_tuple,
                         rules=(_positive_numbers,))
    materials: tuple = spec("Materials index at t = 0, 1, 2, ... (the last value holds after).",
                            example=[100, 102, 104], converter=_tuple,
                            rules=(_positive_numbers,))


@attrs.frozen
class TenderSettings:
    """The evaluation settings: the ``[tender]`` table.

    Examples
    --------
    >>> s = TenderSettings(name="Demo", base_currency="USD", evaluation_year=2026,
    ...                    horizon_years=30, discount_rate=0.08, annual_km=90_000,
    ...                    prices=Prices(diesel_per_litre=1.0))
    >>> s.exchange_rates
    {}
    """

    name: str = spec("Name of the tender.", example="Mainline diesel-electric locomotives",
                     rules=(text,))
    base_currency: str = spec("ISO 4217 code of the currency of every result.", example="USD",
                              rules=(currency_code,))
    evaluation_year: int = spec("Calendar year of t = 0 (contract signature).", unit="year",
                                example=2026, rules=(integer, at_least(1900), at_most(2200)))
    horizon_years: int = spec("Evaluation period H; costs are counted for t = 0..H (year k "
                              "runs from t = k - 1 to t = k, calendar year "
                              "evaluation_year + k - 1).",
                              unit="year", example=30,
                              rules=(integer, at_least(1), at_most(MAX_HORIZON_YEARS)))
    discount_rate: float = spec("Real discount rate per year, decimal.", unit="-/year",
                                example=0.08, rules=_RATE_RULES,
                                warnings=(percent_like, negative_rate))
    annual_km: float = spec("Distance run per locomotive per year in service.", unit="km/year",
                            example=90_000, rules=(number, at_least(0), at_most(MAX_ANNUAL_KM)))
    prices: Prices = spec("Year-0 prices of consumables ([tender.prices]).",
                          example={"diesel_per_litre": {"amount": 257.08, "currency": "PKR"}})
    exchange_rates: dict = spec(
        "Value of one unit of each currency in the base currency, on one stated date.",
        unit="base currency/unit", example={"PKR": 0.00356}, factory=dict, rules=(rate_table,))
    escalation: Escalation = spec("Real escalation per year by cost category "
                                  "([tender.escalation]); each defaults to 0.",
                                  example={"energy": 0.01}, factory=Escalation)
    demand: Demand | None = spec(
        "Locomotives needed in service and the shortfall cost ([tender.demand]); without "
        "it no shortfall is costed.", example={"units_in_service": 180,
                                               "shortfall_cost_per_unit_day": 2600},
        optional=True)
    commonality: Commonality = spec(
        "Savings for bids sharing a platform with an existing cohort ([tender.commonality]).",
        example={"initial_support": 0.30, "maintenance": 0.05}, factory=Commonality)
    evaluation: EvaluationRules = spec(
        "Procurement evaluation rules ([tender.evaluation]); by default no adjustment.",
        example={"domestic_preference": True}, factory=EvaluationRules)
    price_adjustment: PriceIndices | None = spec(
        "Index paths for price adjustment of payments ([tender.price_adjustment]).",
        example={"labour": [100, 103], "materials": [100, 102]}, optional=True)
    inflation: float = spec(
        "General inflation per year of the currency of the nominal amounts (fixed-price "
        "bids' payments, loans), used only to express them in real terms; usually the "
        "base currency's.", unit="-/year", example=0.025,
        default=0.0, rules=(number, greater_than(-0.5), at_most(1)), warnings=(percent_like,))
    exchange_rate_paths: dict = spec(
        "Per currency, its real exchange-rate path against the base currency: a drift per "
        "year (PKR = -0.03: the rupee loses 3 % a year in real terms) or a list of rates "
        "[base/unit] for t = 0, 1, 2, ... (the last holds after); absent: flat at "
        "exchange_rates.", unit="-/year or base currency/unit", example={"PKR": -0.03},
        factory=dict, rules=(_rate_paths,))
    perspective: str = spec(
        "financial (the railway's cash) or economic (the country's resources: transfers "
        "removed, foreign currency at its shadow price, externalities included).",
        example="financial", default="financial", rules=(text, one_of("financial",
                                                                      "economic")))
    local_currency: str | None = spec(
        "The buyer's currency; flows in any other currency are foreign-currency flows "
        "(shadow_exchange_rate_factor); default base_currency.", example="PKR",
        optional=True, rules=(currency_code,))
    shadow_exchange_rate_factor: float = spec(
        "Shadow exchange rate factor applied to foreign-currency flows in the economic "
        "perspective.", unit="-", example=1.1, default=1.0,
        rules=(number, greater_than(0), at_most(10)))
    externalities: Externalities = spec(
        "Emission factors and prices of externalities ([tender.externalities]).",
        example={"carbon_price_per_tonne": 40.0}, factory=Externalities)

    def rate(self, currency):
        """Value of one unit of ``currency`` in the base currency [base/unit]."""
        return 1.0 if currency == self.base_currency else float(self.exchange_rates[currency])

    def to_base(self, value, currency=None):
        """A money value in the base currency (see :func:`fleetcalc.money.convert`).

        Parameters
        ----------
        value : float or Money
            A plain number is in ``currency`` (default: the base currency).
        currency : str, optional
            Currency of a plain number, e.g. the bid's.
        """
        return convert(value, currency=currency or self.base_currency,
                       exchange_rates=self.exchange_rates, base_currency=self.base_currency)

    def _cross_problems(self):
        problems = []
        if self.local_currency is not None and self.local_currency != self.base_currency and (
                self.local_currency not in self.exchange_rates):
            problems.append(Problem("local_currency", "has no rate in exchange_rates",
                                    value=self.local_currency))
        for code in self.exchange_rate_paths:
            if code != self.base_currency and code not in self.exchange_rates:
                problems.append(Problem(f"exchange_rate_paths.{code}", "has no rate in "
                                        "exchange_rates", value=code))
        for code, rate in self.exchange_rates.items():
            path = f"exchange_rates.{key_label(code)}"
            broken = currency_code(code)
            if broken:
                problems.append(Problem(path, f"key {broken}", value=code))
                continue
            broken = number(rate) or greater_than(0)(rate) or at_most(MAX_EXCHANGE_RATE)(rate)
            if broken and broken.startswith("must be between"):
                broken = f"must be > 0 and <= {MAX_EXCHANGE_RATE:g}"
            if broken:
                problems.append(Problem(path, broken, value=rate))
            elif code == self.base_currency and rate != 1:
                problems.append(Problem(path, "the base currency's rate must be 1", value=rate))
        return problems

    def __attrs_post_init__(self):
        _check_on_init(self)


@attrs.frozen(kw_only=True)
class Financing:
    """A financing offer attached to a bid (``[bids.financing]``).

    The loan pays ``share`` of each contract payment (drawdowns follow the
    payment schedule); the buyer pays the rest and then the debt service.
    Give a fixed ``interest_rate``, or a floating ``reference_rate`` (a number
    or one number per year 1, 2, ...) plus ``margin``. Loan cash flows are
    nominal and are expressed in real terms with ``tender.inflation``.

    Examples
    --------
    >>> Financing(share=0.85, interest_rate=0.055, tenor_years=12, grace_years=4).repayment
    'equal_principal'
    """

    lender: str | None = spec("Lender or programme, e.g. US EXIM, China EXIM.",
                              example="US EXIM (illustrative)", optional=True, rules=(text,))
    share: float = spec("Share of each contract payment financed by the loan.", unit="-",
                        example=0.85, rules=(number, greater_than(0), at_most(1)))
    currency: str | None = spec(
        "Loan currency (default the bid's currency); informational: with one exchange "
        "rate per currency it does not change the loan's cost in the base currency.",
        example="USD", optional=True, rules=(currency_code,))
    interest_rate: float | None = spec("Fixed interest rate per year, decimal.",
                                       unit="-/year", example=0.055, optional=True,
                                       rules=_RATE_RULES, warnings=(percent_like,))
    reference_rate: float | tuple | None = spec(
        "Floating rate: reference rate per year (a number, or one per year 1, 2, ...; the "
        "last value holds after the list ends).",
        unit="-/year", example=0.043, optional=True, converter=_tuple,
        rules=(_rates,))
    margin: float = spec("Margin over the reference rate per year, decimal.", unit="-/year",
                         example=0.012, default=0.0, rules=(number, at_least(-1), at_most(1)),
                         warnings=(percent_like,))
    tenor_years: int = spec("Final maturity from the first drawdown.", unit="year",
                            example=12, rules=(integer, at_least(1), at_most(MAX_HORIZON_YEARS)))
    grace_years: int = spec("Interest-only years from the first drawdown; covers the "
                            "drawdown period.", unit="year", example=4, default=0,
                            rules=(integer, at_least(0), at_most(MAX_YEARS)))
    repayment: str = spec("Repayment profile: equal_principal or annuity.",
                          example="equal_principal", default="equal_principal",
                          rules=(text, one_of("equal_principal", "annuity")))
    upfront_fee: float = spec("Front-end fee, share of the amount financed, at the first "
                              "drawdown.", unit="-", example=0.005, default=0.0,
                              rules=(number, at_least(0), at_most(1)))
    commitment_fee: float = spec("Fee per year on the undrawn balance.", unit="-/year",
                                 example=0.005, default=0.0,
                                 rules=(number, at_least(0), at_most(1)))
    export_credit_premium: float = spec(
        "Export-credit agency premium, share of the amount financed, at the first drawdown.",
        unit="-", example=0.04, default=0.0, rules=(number, at_least(0), at_most(1)))

    def _cross_problems(self):
        problems = []
        if (self.interest_rate is None) == (self.reference_rate is None):
            problems.append(Problem("interest_rate", "give either interest_rate (fixed) or "
                                    "reference_rate (floating), not both or neither"))
        if self.grace_years >= self.tenor_years:
            problems.append(Problem("grace_years", f"must be less than tenor_years "
                                    f"({self.tenor_years})", value=self.grace_years))
        if self.reference_rate is not None:
            rates = (self.reference_rate if isinstance(self.reference_rate, tuple)
                     else (self.reference_rate,))
            lowest = min(rates) + self.margin
            if lowest < MIN_RATE:
                problems.append(Problem("margin", f"gives an all-in rate of {lowest:g}; "
                                        f"reference_rate + margin must be >= {MIN_RATE:g}",
                                        value=self.margin))
        return problems


@attrs.frozen(kw_only=True)
class PricedAdjustment:
    """One priced adjustment of a bid: a scope deviation, spare parts, compliance...

    Examples
    --------
    >>> PricedAdjustment(name="Spare parts", amount=1.2e6, basis="listed spares").amount
    1200000.0
    """

    name: str = spec("Name of the adjustment line.", example="Missing spare parts",
                     rules=(text,))
    amount: float | Money = spec("Amount added for evaluation (negative for a credit); a "
                                 "plain number is in the bid's currency.", unit="currency",
                                 example=1_200_000, rules=(money(),))
    basis: str | None = spec("Why: the clause, the quantities and prices used.",
                             example="12 traction motors at the bid's unit price",
                             optional=True, rules=(text,))
    kind: str = spec(
        "What the line prices: scope (missing or extra scope; enters the price adjusted "
        "for scope, the domestic preference base), technical, performance, commercial or "
        "other.", example="scope", default="other",
        rules=(text, one_of("scope", "technical", "performance", "commercial", "other")))


@attrs.frozen(kw_only=True)
class BidEvaluation:
    """What the evaluation committee found in a bid (``[bids.evaluation]``).

    Examples
    --------
    >>> BidEvaluation(discount=0.02).arithmetic_correction
    0.0
    """

    arithmetic_correction: float | Money = spec(
        "Correction of arithmetic errors of the read-out price (added); a plain number is "
        "in the bid's currency.", unit="currency", example=-120_000, default=0.0,
        rules=(money(),))
    discount: float = spec("Unconditional discount offered, share of the price.", unit="-",
                           example=0.02, default=0.0, rules=(number, at_least(0), at_most(1)))
    priced_adjustments: tuple[PricedAdjustment, ...] = spec(
        "Priced deviations, technical compliance and spare-parts lines.",
        example=[{"name": "Spare parts", "amount": 1_200_000, "basis": "listed spares"}],
        factory=tuple, converter=_tuple)
    domestic_value_added: float = spec(
        "Domestic value added share, for the domestic preference.", unit="-", example=0.0,
        default=0.0, rules=(number, at_least(0), at_most(1)))
    technical_score: float | None = spec("Technical score, 0 to 100, for weighted scoring.",
                                         unit="points", example=82, optional=True,
                                         rules=(number, at_least(0), at_most(100)))
    non_responsive: str | None = spec(
        "Reason the committee found the bid non-responsive (it is then listed, not ranked).",
        example="No bid security", optional=True, rules=(text,))
    preference_group: str | None = spec(
        "Domestic preference group: A (domestic, value added >= threshold), B (other "
        "domestic) or C (foreign); default A or C from domestic_value_added.", example="B",
        optional=True, rules=(text, one_of("A", "B", "C")))


@attrs.frozen(kw_only=True)
class Guarantees:
    """Performance guarantees and their liquidated damages (``[bids.guarantees]``).

    Examples
    --------
    >>> Guarantees(availability=0.9, damages_per_point=100_000).damages_cap
    0.1
    """

    fuel_litres_per_km: float | None = spec(
        "Guaranteed fuel consumption; with load_guarantees the evaluation uses it plus "
        "fuel_tolerance.", unit="L/km", example=4.6, optional=True,
        rules=(number, greater_than(0)))
    fuel_tolerance: float = spec("Tolerance on the fuel guarantee, share.", unit="-",
                                 example=0.03, default=0.0,
                                 rules=(number, at_least(0), at_most(1)))
    availability: float | None = spec("Guaranteed annual availability of each unit.",
                                      unit="-", example=0.90, optional=True,
                                      rules=(number, greater_than(0), at_most(1)))
    availability_tolerance: float = spec(
        "Availability shortfall free of damages, decimal (0.01 = 1 point); below the "
        "guaranteed availability.", unit="-",
        example=0.01, default=0.0, rules=(number, at_least(0), at_most(1)))
    damages_per_point: float | Money = spec(
        "Damages per percentage point of the availability of the bid's units under "
        "guarantee (their unit-weighted mean) below the guarantee, per year; a plain "
        "number is in the bid's currency.", unit="currency/point",
        example=150_000, default=0.0, rules=(money(minimum=0),))
    damages_cap: float = spec("Cap of all damages, share of the contract price.", unit="-",
                              example=0.10, default=0.10,
                              rules=(number, at_least(0), at_most(10)))
    guarantee_years: int = spec("Years of service, from each unit's delivery, the "
                                "availability guarantee covers.", unit="year", example=5,
                                default=5, rules=(integer, at_least(1), at_most(MAX_YEARS)))
    availability_basis: str = spec(
        "Definition of the guaranteed availability: excluding_scheduled (scheduled "
        "maintenance and overhaul windows excluded from the time counted) or calendar.",
        example="excluding_scheduled", default="excluding_scheduled",
        rules=(text, one_of("excluding_scheduled", "calendar")))

    def _cross_problems(self):
        """The tolerance is a shortfall free of damages *below* the guaranteed figure."""
        if self.availability is not None and self.availability_tolerance >= self.availability:
            return [Problem("availability_tolerance",
                            f"must be below the guaranteed availability {self.availability:g} "
                            "(the guarantee less its tolerance is the availability the bid "
                            "is evaluated at when guarantees are loaded)",
                            value=self.availability_tolerance)]
        return []


@attrs.frozen(kw_only=True)
class PriceAdjustment:
    """Shares of the price adjustment formula P1 = P0 (a + b L1/L0 + c M1/M0).

    Examples
    --------
    >>> PriceAdjustment(a=0.15, b=0.35, c=0.5).b
    0.35
    """

    a: float = spec("Fixed, non-adjustable share.", unit="-", example=0.15,
                    rules=(number, at_least(0), at_most(1)))
    b: float = spec("Labour share.", unit="-", example=0.35,
                    rules=(number, at_least(0), at_most(1)))
    c: float = spec("Materials share.", unit="-", example=0.50,
                    rules=(number, at_least(0), at_most(1)))

    def _cross_problems(self):
        total = self.a + self.b + self.c
        if abs(total - 1.0) > 1e-9:
            return [Problem("a", f"a + b + c = {total:g}, not 1", value=self.a)]
        return []


def _reliability_problems(unit):
    """Rules shared by bids and cohorts: planned downtime fits in a year; overhauls happen."""
    if unit.mtbf_hours is not None and unit.mdbf_km is not None:
        return [Problem("mdbf_km", "give exactly one of mtbf_hours and mdbf_km (both state "
                        "the failure rate)", value=unit.mdbf_km)]
    if unit.overhaul_interval_years is not None and unit.overhaul_interval_km is not None:
        return [Problem("overhaul_interval_km", "give exactly one of overhaul_interval_years "
                        "and overhaul_interval_km", value=unit.overhaul_interval_km)]
    days = unit.scheduled_maintenance_days
    interval = unit.overhaul_interval_years
    if interval and not ageing.effective_overhaul_interval(interval,
                                                           unit.service_life_years):
        return [Problem("overhaul_interval_years", f"is not shorter than the service life "
                        f"({plural(unit.service_life_years, 'year')}): no overhaul is ever "
                        "performed, "
                        "and none is costed or counted as downtime", value=interval,
                        severity="warning")]
    if interval:   # the whole overhaul falls in its own year (issue 12)
        days = days + unit.overhaul_downtime_days
    if days > 365:
        return [Problem("scheduled_maintenance_days",
                        f"with overhaul downtime gives {days:g} days out of service in an "
                        "overhaul year, more than 365", value=unit.scheduled_maintenance_days)]
    return []


@attrs.frozen(kw_only=True)
class LocomotiveType:
    """Technical and running-cost figures shared by bids and existing cohorts.

    Not used alone: :class:`Bid` and :class:`Cohort` carry these fields.
    Without reliability figures a unit is taken as never failing; without
    ageing figures its costs and failure rate do not change with age.
    """

    model: str = spec("Locomotive model.", example="ES43ACi", rules=(text,))
    platform: str | None = spec(
        "Platform family, matched against existing cohorts for commonality savings.",
        example="GE Evolution", optional=True, rules=(text,))
    fuel_litres_per_km: float = spec("Diesel consumed per km run.", unit="L/km", example=4.6,
                                     rules=(number, at_least(0), at_most(1000)))
    maintenance_per_km: float | Money = spec(
        "Scheduled plus corrective maintenance cost per km run (at age 0 when ageing is "
        "given).", unit="currency/km", example=1.10, rules=(money(minimum=0),))
    service_life_years: int = spec("Service life of a unit from entry into service.",
                                   unit="year", example=30,
                                   rules=(integer, at_least(1), at_most(MAX_YEARS)))
    overhaul_interval_years: int | None = spec(
        "Years between overhauls of a unit; no overhauls when absent.", unit="year",
        example=8, optional=True, rules=(integer, at_least(1), at_most(MAX_YEARS)))
    overhaul_interval_km: float | None = spec(
        "km run between overhauls of a unit, instead of overhaul_interval_years: overhauls "
        "fall when a unit's cumulated km reach multiples of it.", unit="km",
        example=720_000, optional=True,
        rules=(number, at_least(1), at_most(MAX_ANNUAL_KM * MAX_YEARS)))
    overhaul_cost: float | Money = spec("Cost of one overhaul of one unit.", unit="currency",
                                        example=600_000, default=0.0,
                                        rules=(money(minimum=0),))
    mtbf_hours: float | None = spec(
        "Mean up-time between service-affecting failures (at age 0 when ageing is given); "
        "absent: never fails.", unit="h", example=1500, optional=True,
        rules=(number, at_least(1), at_most(1e7)))
    mdbf_km: float | None = spec(
        "Mean distance between service-affecting failures (EN 50126 / IEC 62278 RAM "
        "figure, at age 0 when ageing is given); instead of mtbf_hours: failures a year = "
        "km run / mdbf_km.", unit="km", example=20_000, optional=True,
        rules=(number, at_least(1), at_most(1e9)))
    mean_downtime_hours: float = spec(
        "Mean down time per failure: repair plus logistic delay.", unit="h", example=36,
        default=0.0, rules=(number, at_least(0), at_most(8760)))
    scheduled_maintenance_days: float = spec(
        "Days per year out of service for scheduled maintenance and examinations.",
        unit="day/year", example=18, default=0.0, rules=(number, at_least(0), at_most(365)))
    overhaul_downtime_days: float = spec("Days out of service per overhaul.", unit="day",
                                         example=45, default=0.0,
                                         rules=(number, at_least(0), at_most(365 * MAX_YEARS)))
    ageing: Ageing = spec("Age-dependent growth of failure rate and maintenance cost.",
                          example={"failure_rate_growth": 0.03,
                                   "maintenance_cost_growth": 0.02,
                                   "overhaul_restoration": 0.5}, factory=Ageing)


@attrs.frozen(kw_only=True)
class Bid(LocomotiveType):
    """One bidder's offer, with the figures the life-cycle cost needs.

    Money fields take a plain number (in ``currency``) or a :class:`Money`.

    Examples
    --------
    >>> bid = Bid(bidder="A", model="X", currency="USD", unit_price=3.9e6, quantity=2,
    ...           delivery=[2], fuel_litres_per_km=4.6, maintenance_per_km=1.1,
    ...           service_life_years=30)
    >>> bid.payments[0]
    PaymentMilestone(event='delivery', share=1.0)
    """

    bidder: str = spec("Name of the bidder; unique within the tender.", example="Wabtec (GE)",
                       rules=(text,))
    currency: str = spec("Currency of this bid's plain money numbers (ISO 4217).",
                         example="USD", rules=(currency_code,))
    unit_price: float | Money = spec("Price per locomotive.", unit="currency",
                                     example=3_900_000, rules=(money(minimum=0),))
    quantity: int = spec("Number of locomotives offered.", unit="units", example=50,
                         rules=(integer, at_least(1), at_most(MAX_UNITS)))
    delivery: tuple = spec(
        "Units entering service at the start of year 1, 2, 3, ...; sums to quantity.",
        unit="units", example=[0, 10, 20, 20], converter=_tuple,
        rules=(integer_list(minimum=0, maximum=MAX_UNITS, max_length=MAX_HORIZON_YEARS),))
    payments: tuple[PaymentMilestone, ...] = spec(
        "Payment milestones; shares sum to 1. Default: all on delivery.", unit="-",
        example=[{"event": "signing", "share": 0.1}, {"event": "delivery", "share": 0.8},
                 {"event": "acceptance", "share": 0.1}],
        factory=lambda: (PaymentMilestone("delivery", 1.0),), converter=_tuple)
    warranty_years: int = spec("Warranty period; the acceptance payment falls at its end.",
                               unit="year", example=2, default=0,
                               rules=(integer, at_least(0), at_most(MAX_YEARS)))
    initial_support: float | Money = spec(
        "One-off spares, tools, training and documentation, paid with the first batch.",
        unit="currency", example=4_000_000, default=0.0, rules=(money(minimum=0),))
    notes: str | None = spec("Free text shown in reports.", example="Illustrative offer.",
                             optional=True, rules=(text,))
    financing: Financing | None = spec("Financing offer ([bids.financing]).",
                                       example={"share": 0.85, "interest_rate": 0.055,
                                                "tenor_years": 12, "grace_years": 5},
                                       optional=True)
    evaluation: BidEvaluation = spec("Committee findings ([bids.evaluation]).",
                                     example={"discount": 0.02}, factory=BidEvaluation)
    guarantees: Guarantees | None = spec("Performance guarantees ([bids.guarantees]).",
                                         example={"availability": 0.9}, optional=True)
    price_adjustment: PriceAdjustment | None = spec(
        "Price adjustment formula shares; absent: fixed price.",
        example={"a": 0.15, "b": 0.35, "c": 0.5}, optional=True)
    price_basis: str = spec(
        "fixed: the money amounts (milestones) are nominal, deflated by tender.inflation "
        "into real terms; indexed: real amounts (indexed to general inflation). A bid with "
        "a price_adjustment formula is indexed.", example="fixed", default="fixed",
        rules=(text, one_of("fixed", "indexed")))
    incoterm: str | None = spec(
        "Incoterms 2020 rule of the quoted price (EXW, FCA, FOB, CIP, DAP, DDP).",
        example="FOB", optional=True, rules=(text, one_of("EXW", "FCA", "FOB", "CIP", "DAP",
                                                          "DDP")))
    inland_transport: float | Money = spec(
        "Transport per unit from the quoted delivery point to the tender's delivery_basis "
        "point (and on to the final destination), paid on delivery.", unit="currency",
        example=25_000, default=0.0, rules=(money(minimum=0),))
    insurance: float | Money = spec(
        "Transit insurance per unit needed to reach the delivery_basis, paid on delivery.",
        unit="currency", example=12_000, default=0.0, rules=(money(minimum=0),))
    port_charges: float | Money = spec(
        "Port, handling and clearance charges per unit, paid on delivery.",
        unit="currency", example=8_000, default=0.0, rules=(money(minimum=0),))
    import_duty_rate: float = spec(
        "Import duties and taxes on the goods, share of the unit price, paid on delivery.",
        unit="-", example=0.05, default=0.0, rules=(number, at_least(0), at_most(5)))
    import_duties: float | Money = spec(
        "Import duties and taxes per unit as a stated amount (added to the rate's).",
        unit="currency", example=0.0, default=0.0, rules=(money(minimum=0),))

    @property
    def indexed(self):
        """True when the bid's amounts are real: price_basis indexed, or a formula."""
        return self.price_basis == "indexed" or self.price_adjustment is not None

    def _cross_problems(self):
        problems = _reliability_problems(self)
        total = sum(self.delivery)
        if total != self.quantity:
            problems.append(Problem(
                "delivery", f"sums to {total} but quantity is {self.quantity}",
                value=list(self.delivery)))
        events = [p.event for p in self.payments if isinstance(p, PaymentMilestone)]
        for event in sorted({e for e in events if events.count(e) > 1}):
            problems.append(Problem("payments", f"event {event!r} appears more than once; "
                                                "combine its shares"))
        shares = [p.share for p in self.payments if isinstance(p, PaymentMilestone)]
        if (shares and all(number(s) is None for s in shares)
                and abs(sum(shares) - 1.0) > _SHARE_TOLERANCE):
            problems.append(Problem("payments", f"shares sum to {sum(shares):g}, not 1",
                                    value=shares))
        if not self.payments:
            problems.append(Problem("payments", "needs at least one milestone", value=[]))
        if (self.overhaul_interval_years is None and self.overhaul_interval_km is None
                and _amount(self.overhaul_cost) > 0):
            problems.append(Problem("overhaul_interval_years",
                                    "is needed when overhaul_cost is given (or "
                                    "overhaul_interval_km)"))
        return problems

    def __attrs_post_init__(self):
        _check_on_init(self)


def _budget(value):
    """A number >= 0, or a non-empty list of them (one per year)."""
    values = value if isinstance(value, (list, tuple)) else [value]
    if not values:
        return "must be a number or a non-empty list of numbers"
    for i, item in enumerate(values):
        broken = number(item) or at_least(0)(item)
        if broken:
            return broken if len(values) == 1 else f"item {i} ({item!r}) {broken}"
    return None


def _text_list(value):
    """A list of distinct non-empty strings."""
    if not isinstance(value, (list, tuple)):
        return "must be a list of bidder names"
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            return f"item {i} ({item!r}) must be a non-empty string"
    if len(set(value)) != len(value):
        return "names a bidder more than once"
    return None


@attrs.frozen(kw_only=True)
class Rebuild:
    """A life-extension overhaul of a cohort (``[fleet.rebuild]``), for ``fleetcalc plan``.

    A rebuilt unit is out of service ``downtime_days`` in its rebuild year,
    serves ``life_extension_years`` beyond its cohort's service life, and
    its age for failure rate and maintenance cost is cut by the share
    ``restoration`` (as Pakistan Railways rebuilt its HGMU-30 class).

    Examples
    --------
    >>> Rebuild(cost=1_200_000, life_extension_years=15).restoration
    0.5
    """

    cost: float | Money = spec("Cost of rebuilding one unit, paid at the start of the "
                               "rebuild year.", unit="currency", example=1_200_000,
                               rules=(money(minimum=0),))
    downtime_days: float = spec("Days a unit is out of service in its rebuild year.",
                                unit="day", example=120, default=0.0,
                                rules=(number, at_least(0), at_most(365)))
    life_extension_years: int = spec("Years of service added beyond the cohort's service "
                                     "life.", unit="year", example=15,
                                     rules=(integer, at_least(1), at_most(MAX_HORIZON_YEARS)))
    restoration: float = spec("Share of the unit's age the rebuild removes, for failure "
                              "rate and maintenance cost: 1 as good as new, 0 as bad as old.",
                              unit="-", example=0.5, default=0.5,
                              rules=(number, at_least(0), at_most(1)))


@attrs.frozen(kw_only=True)
class Plan:
    """Options of the fleet-renewal plan (``[plan]``, read by ``fleetcalc plan``).

    The plan chooses how many units of each bid's type to buy in each year,
    and which units of the existing cohorts to rebuild or retire, at the least
    net present cost, such that each year the probability of meeting
    ``[tender.demand]`` is at least ``confidence`` (see :mod:`fleetcalc.planning`).

    Examples
    --------
    >>> Plan(budget=[60e6, 80e6]).confidence is None
    True
    """

    bids: tuple | None = spec("Bidders whose locomotive types the plan may buy; default "
                              "every bid.", example=["Wabtec (GE Transportation)"],
                              optional=True, converter=_tuple, rules=(_text_list,))
    confidence: float | None = spec(
        "Probability of meeting demand required in every year; default "
        "tender.demand.confidence.", unit="-", example=0.95, optional=True,
        rules=(number, greater_than(0), at_most(0.999999)))
    budget: float | tuple | None = spec(
        "Capital budget per year (purchases, initial support and rebuilds paid in the year), "
        "base currency: a number for every year, or a list for years 1, 2, ...; default none.",
        unit="base currency/year", example=80_000_000, optional=True, converter=_tuple,
        rules=(_budget,))
    max_units_per_year: int | None = spec(
        "Most units of one type delivered in one year; default the largest yearly "
        "delivery of that bid.", unit="units/year", example=25, optional=True,
        rules=(integer, at_least(0), at_most(MAX_UNITS)))
    option_quantity: int = spec(
        "Units each bidder may supply beyond its offered quantity (contract options).",
        unit="units", example=20, default=0, rules=(integer, at_least(0), at_most(MAX_UNITS)))
    allow_rebuild: bool = spec("Whether cohorts with a [fleet.rebuild] may be rebuilt.",
                               example=True, default=True, rules=(_boolean,))
    allow_retire: bool = spec("Whether units of existing cohorts may be retired before the "
                              "end of their service life.", example=True, default=True,
                              rules=(_boolean,))
    from_year: int = spec(
        "First year (1..H) in which the confidence is required; earlier years (those the "
        "first deliveries come too late or too few to lift) are reported but not "
        "constrained; purchases may still be delivered in them.", unit="year",
        example=3, default=1, rules=(integer, at_least(1), at_most(MAX_HORIZON_YEARS)))


@attrs.frozen(kw_only=True)
class Cohort(LocomotiveType):
    """A class of locomotives the railway already runs (``[[fleet]]``).

    Cohorts age, are overhauled every ``overhaul_interval_years`` from
    ``year_built``, and retire at the end of their service life. Their
    running costs are a baseline common to every bid; their availability and
    retirements decide how much service the new units must provide.

    Examples
    --------
    >>> c = Cohort(name="GEU-40", model="ES43ACi", units=55, year_built=2017,
    ...            service_life_years=30, fuel_litres_per_km=4.7, maintenance_per_km=1.2)
    >>> c.currency is None
    True
    """

    name: str = spec("Name of the cohort (class), unique in the fleet.", example="GEU-40",
                     rules=(text,))
    units: int = spec("Units in the cohort at t = 0.", unit="units", example=55,
                      rules=(integer, at_least(0), at_most(MAX_UNITS)))
    year_built: int = spec("Calendar year the units entered service.", unit="year",
                           example=2017, rules=(integer, at_least(1900), at_most(2200)))
    currency: str | None = spec("Currency of this cohort's plain money numbers; default the "
                                "base currency.", example="PKR", optional=True,
                                rules=(currency_code,))
    rebuild: Rebuild | None = spec("Life-extension overhaul open to the cohort in a "
                                   "renewal plan ([fleet.rebuild]).", example={},
                                   optional=True)

    def _cross_problems(self):
        problems = _reliability_problems(self)
        if (self.overhaul_interval_years is None and self.overhaul_interval_km is None
                and _amount(self.overhaul_cost) > 0):
            problems.append(Problem("overhaul_interval_years",
                                    "is needed when overhaul_cost is given (or "
                                    "overhaul_interval_km)"))
        return problems

    def __attrs_post_init__(self):
        _check_on_init(self)


def _amount(value):
    return value.amount if isinstance(value, Money) else value


@attrs.frozen
class Tender:
    """A whole tender: the settings and the bids.

    Examples
    --------
    >>> import fleetcalc
    >>> tender = fleetcalc.load_tender("examples/pakistan_locomotives_2026.toml")
    >>> [bid.bidder for bid in tender.bids][:1]
    ['Wabtec (GE Transportation)']
    """

    tender: TenderSettings = spec("Evaluation settings ([tender]).", example={})
    bids: tuple[Bid, ...] = spec("The bids ([[bids]]), at least one.", example=[],
                                 converter=_tuple)
    fleet: tuple[Cohort, ...] = spec("The existing fleet ([[fleet]]), one table per cohort.",
                                     example=[], factory=tuple, converter=_tuple)
    uncertainty: tuple[UncertainInput, ...] = spec(
        "Uncertain inputs for the Monte Carlo simulation ([[uncertainty]]).", example=[],
        factory=tuple, converter=_tuple)
    correlation: Correlation | None = spec(
        "Correlation of uncertain inputs ([correlation]).", example={}, optional=True)
    plan: Plan | None = spec("Options of the fleet-renewal plan ([plan]).", example={},
                             optional=True)

    #: The cross-field rules below guard each bid, cohort and the settings
    #: (:func:`~fleetcalc.validation.has_errors`), so one broken bid does not
    #: hide the problems of the others.
    _cross_tolerates_broken_parts = True

    def _cross_problems(self):
        settings = self.tender
        problems = []
        if not self.bids:
            problems.append(Problem("bids", "needs at least one bid"))
        seen = {}
        for i, bid in enumerate(self.bids):
            bidder = getattr(bid, "bidder", None)
            if not isinstance(bidder, str):
                continue
            if bidder in seen:
                problems.append(Problem(f"bids[{i}].bidder",
                                        f"duplicates the bidder of bids[{seen[bidder]}]",
                                        value=bidder))
            seen.setdefault(bidder, i)
        if has_errors(settings):
            return problems  # the rules below read the settings
        known = set(settings.exchange_rates) | {settings.base_currency}
        for i, bid in enumerate(self.bids):
            where = f"bids[{i}]"
            if has_errors(bid):
                continue
            currencies = [("currency", bid.currency)] + _money_currencies(bid)
            for name, code in currencies:
                if code not in known:
                    problems.append(Problem(
                        f"{where}.{name}", f"currency {code!r} has no rate in "
                        "tender.exchange_rates", value=code))
            horizon = settings.horizon_years
            last = max((k + 1 for k, n in enumerate(bid.delivery) if n), default=0)
            if last > horizon:
                problems.append(Problem(
                    f"{where}.delivery", f"delivers units in year {last}, beyond the horizon "
                    f"of {plural(horizon, 'year')}", value=list(bid.delivery)))
            else:
                first = min((k + 1 for k, n in enumerate(bid.delivery) if n), default=None)
                if (first is not None and settings.demand is None
                        and first - 1 + bid.service_life_years < horizon):
                    problems.append(Problem(
                        f"{where}.service_life_years",
                        f"units delivered in year {first} retire at t = "
                        f"{first - 1 + bid.service_life_years}, inside the {horizon}-year "
                        "horizon; their missing service is not costed unless the tender "
                        "states demand", value=bid.service_life_years, severity="warning"))
        for name, code in _money_currencies(settings.prices):
            if code not in known:
                problems.append(Problem(f"tender.prices.{name}", f"currency {code!r} has no "
                                        "rate in tender.exchange_rates", value=code))
        for name, code in _money_currencies(settings.externalities):
            if code not in known:
                problems.append(Problem(f"tender.externalities.{name}", f"currency {code!r} "
                                        "has no rate in tender.exchange_rates", value=code))
        problems += self._delivery_terms_problems()
        problems += self._quantity_problems()
        problems += self._fleet_problems(known)
        problems += self._demand_problems(known)
        problems += self._plan_problems(known)
        problems += self._procurement_problems(known)
        problems += uncertainty_problems(self)
        return problems

    def _procurement_problems(self, known):
        """Financing, evaluation and price-adjustment rules that span bid and tender."""
        settings = self.tender
        rules = settings.evaluation
        problems = []
        for i, bid in enumerate(self.bids):
            where = f"bids[{i}]"
            if has_errors(bid):
                continue
            money_fields = [(f"evaluation.{n}", c) for n, c in _money_currencies(bid.evaluation)]
            money_fields += [(f"evaluation.priced_adjustments[{j}].amount", line.amount.currency)
                             for j, line in enumerate(bid.evaluation.priced_adjustments)
                             if isinstance(line.amount, Money)]
            if bid.guarantees is not None:
                money_fields += [(f"guarantees.{n}", c)
                                 for n, c in _money_currencies(bid.guarantees)]
            if bid.financing is not None and bid.financing.currency:
                money_fields.append(("financing.currency", bid.financing.currency))
            for name, code in money_fields:
                if code not in known:
                    problems.append(Problem(f"{where}.{name}", f"currency {code!r} has no rate "
                                            "in tender.exchange_rates", value=code))
            if bid.financing is not None:
                problems += self._drawdown_problems(where, bid, rules)
            if bid.price_adjustment is not None and settings.price_adjustment is None:
                problems.append(Problem(f"{where}.price_adjustment", "needs the index paths "
                                        "of [tender.price_adjustment]"))
            if rules.technical_weight is not None and bid.evaluation.technical_score is None:
                problems.append(Problem(f"{where}.evaluation.technical_score", "is needed "
                                        "because tender.evaluation.technical_weight is given"))
        from fleetcalc.tender_checks import evaluation_warnings  # noqa: PLC0415 - numpy

        problems += evaluation_warnings(self)
        return problems

    @staticmethod
    def _drawdown_problems(where, bid, rules):
        """The loan must be fully drawn within its grace period (drawdowns follow payments).

        Payments and deliveries as the ledger takes them: the required schedules when
        the evaluation prices deviations from them (see :mod:`fleetcalc.adjustments`).
        """
        payments = rules.required_payments if rules.required_payments is not None else (
            bid.payments)
        shares = {p.event: p.share for p in payments if isinstance(p, PaymentMilestone)}
        delivery = bid.delivery
        if rules.required_delivery is not None and rules.delivery_adjustment_per_week > 0:
            delivery, left = [], bid.quantity
            for n in rules.required_delivery:
                delivery.append(min(n, left))
                left -= delivery[-1]
        years = [k for k, n in enumerate(delivery) if n]
        times = [0] if shares.get("signing", 0) > 0 else []
        times += years if shares.get("delivery", 0) > 0 else []
        times += [k + bid.warranty_years for k in years] if shares.get("acceptance", 0) > 0 else []
        if not times:
            return []
        span = max(times) - min(times)
        if span > bid.financing.grace_years:
            return [Problem(f"{where}.financing.grace_years",
                            f"the loan draws from t = {min(times)} to t = {max(times)} with the "
                            f"payments, so its grace period must be at least "
                            f"{plural(span, 'year')}",
                            value=bid.financing.grace_years)]
        return []

    def _delivery_terms_problems(self):
        """Warnings: a bid quoted short of the delivery basis that states no cost to reach it."""
        basis = self.tender.evaluation.delivery_basis
        if basis is None:
            return []
        order = ("EXW", "FCA", "FOB", "CIP", "DAP", "DDP")
        problems = []
        for i, bid in enumerate(self.bids):
            if has_errors(bid):   # a broken bid (or its placeholder) is reported by its own
                continue
            if bid.incoterm is None:
                problems.append(Problem(f"bids[{i}].incoterm", f"is not stated; the tender "
                                        f"compares bids on {basis}", severity="warning"))
                continue
            costs = [bid.inland_transport, bid.insurance, bid.port_charges]
            amounts = [c.amount if isinstance(c, Money) else c for c in costs]
            if order.index(bid.incoterm) < order.index(basis) and not any(amounts):
                problems.append(Problem(
                    f"bids[{i}].incoterm", f"{bid.incoterm} is short of the delivery basis "
                    f"{basis}, but the bid states no inland_transport, insurance or "
                    "port_charges to reach it", value=bid.incoterm, severity="warning"))
        return problems

    def _quantity_problems(self):
        """Warn about bids offering another quantity than most bids do."""
        if getattr(self.tender.evaluation, "required_quantity", None) is not None:
            return []  # the evaluation rules judge each quantity against the required one
        quantities = [bid.quantity for bid in self.bids if not has_errors(bid)]
        if len(set(quantities)) < 2:
            return []
        usual = max(set(quantities), key=lambda q: (quantities.count(q), q))
        problems = []
        for i, bid in enumerate(self.bids):
            if has_errors(bid) or bid.quantity == usual:
                continue
            problems.append(Problem(
                f"bids[{i}].quantity",
                f"differs from the {plural(usual, 'unit')} most bids offer; the evaluation "
                f"compares the bids as offered (life-cycle costs of {bid.quantity} against "
                f"{usual} units, not per unit). State the quantity the bidding document "
                "requires in [tender.evaluation].required_quantity to have a different "
                "quantity treated as the rules say",
                value=bid.quantity, severity="warning"))
        return problems

    def _fleet_problems(self, known):
        settings = self.tender
        problems, names = [], {}
        for i, cohort in enumerate(self.fleet):
            where = f"fleet[{i}]"
            if has_errors(cohort):
                continue
            if cohort.name in names:
                problems.append(Problem(f"{where}.name", "duplicates the name of "
                                        f"fleet[{names[cohort.name]}]", value=cohort.name))
            names.setdefault(cohort.name, i)
            if cohort.year_built > settings.evaluation_year:
                problems.append(Problem(f"{where}.year_built", "must not be after "
                                        f"evaluation_year ({settings.evaluation_year}); "
                                        "new units belong in a bid",
                                        value=cohort.year_built))
            currencies = [("currency", cohort.currency)] if cohort.currency else []
            for name, code in currencies + _money_currencies(cohort):
                if code not in known:
                    problems.append(Problem(f"{where}.{name}", f"currency {code!r} has no "
                                            "rate in tender.exchange_rates", value=code))
        return problems

    def _plan_problems(self, known):
        """[plan] and [fleet.rebuild] rules that read the bids, the fleet and the horizon."""
        settings = self.tender
        problems = []
        for i, cohort in enumerate(self.fleet):
            rebuild = getattr(cohort, "rebuild", None)
            if isinstance(rebuild, Rebuild) and not has_errors(rebuild):
                for name, code in _money_currencies(rebuild):
                    if code not in known:
                        problems.append(Problem(f"fleet[{i}].rebuild.{name}", f"currency "
                                                f"{code!r} has no rate in "
                                                "tender.exchange_rates", value=code))
        plan = self.plan
        if plan is None or has_errors(plan):
            return problems
        if settings.demand is None:
            problems.append(Problem("plan", "needs [tender.demand]: the plan must meet a "
                                    "demand each year"))
        bidders = [getattr(b, "bidder", None) for b in self.bids]
        for name in plan.bids or ():
            if name not in bidders:
                problems.append(Problem("plan.bids", f"names {name!r}, which is not a bidder "
                                        f"(bidders: {', '.join(map(repr, bidders))}); "
                                        "`fleetcalc plan` needs every bidder it names",
                                        value=list(plan.bids), severity="warning"))
        horizon = settings.horizon_years
        if isinstance(plan.budget, tuple) and len(plan.budget) != horizon:
            problems.append(Problem("plan.budget", f"has {len(plan.budget)} years but the "
                                    f"horizon is {horizon}; give one number per year, or a "
                                    "single number", value=list(plan.budget)))
        if plan.from_year > horizon:
            problems.append(Problem("plan.from_year", f"is beyond the horizon of {horizon} "
                                    "years", value=plan.from_year))
        return problems

    def _demand_problems(self, known):
        settings = self.tender
        demand = settings.demand
        if demand is None:
            return []
        problems = []
        levels = demand.units_in_service if demand.loco_km is None else demand.loco_km
        key = "units_in_service" if demand.loco_km is None else "loco_km"
        if isinstance(levels, tuple) and len(levels) != settings.horizon_years:
            problems.append(Problem(
                f"tender.demand.{key}", f"has {plural(len(levels), 'year')} but the "
                f"horizon is {plural(settings.horizon_years, 'year')}; give one number per "
                "year, or a single number",
                value=list(levels)))
        cost = demand.shortfall_cost_per_unit_day
        if isinstance(cost, Money) and cost.currency not in known:
            problems.append(Problem("tender.demand.shortfall_cost_per_unit_day",
                                    f"currency {cost.currency!r} has no rate in "
                                    "tender.exchange_rates", value=cost.currency))
        for group, items in (("bids", self.bids), ("fleet", self.fleet)):
            for i, unit in enumerate(items):
                if (isinstance(unit, LocomotiveType) and not has_errors(unit)
                        and unit.mtbf_hours is None and unit.mdbf_km is None):
                    problems.append(Problem(
                        f"{group}[{i}].mtbf_hours", "is absent while demand is given: "
                        "availability is taken as 100 % (units never fail in service); give "
                        "mtbf_hours and mean_downtime_hours to cost failures", severity="warning"))
        return problems

    def __attrs_post_init__(self):
        _check_on_init(self)

    @property
    def warnings(self):
        """Warnings about the tender (e.g. service life ending inside the horizon).

        Key paths name bids by bidder and cohorts by name (``bids[CRRC Ziyang]``),
        see :func:`fleetcalc.validation.named_paths`.
        """
        return named_paths([p for p in problems_of(self) if p.severity == "warning"],
                           bids=self.bids, fleet=self.fleet)
