"""Uncertain inputs of a tender (``[[uncertainty]]``) and their correlation.

Value objects and the rules that check them: what is uncertain and how (the
Monte Carlo engine in :mod:`fleetcalc.simulation` draws them, the sampling
functions are in :mod:`fleetcalc.sampling`). Each entry names an input by its
key path in the tender file:

``tender.prices.diesel_per_litre``, ``tender.exchange_rates.PKR``,
``tender.annual_km``, ``tender.discount_rate``,
``tender.demand.shortfall_cost_per_unit_day``
    tender-wide inputs (one value per draw);
``bids[*].mtbf_hours``
    the field of every bid: each bid gets its own, independent draw from the
    distribution (``shared = true``: one draw for all bids, a common factor);
``bids[CRRC Ziyang].maintenance_per_km``
    the field of one bid, selected by ``bidder``;
``fleet[*].mtbf_hours``, ``fleet[GEU-40].mtbf_hours``
    reliability figures of existing cohorts, selected by ``name``.

Bid fields that can be uncertain are the money and consumption figures the
life-cycle cost is linear in (``unit_price``, ``initial_support``,
``fuel_litres_per_km``, ``maintenance_per_km``, ``overhaul_cost``, and any
other number the evaluation carries per bid under the same name) and the
availability figures (``mtbf_hours``, ``mean_downtime_hours``,
``scheduled_maintenance_days``, ``overhaul_downtime_days``); cohorts take the
availability figures. Whole numbers that shape the schedules (``quantity``,
``delivery``, ``service_life_years``, ...) cannot follow a continuous law.

:func:`uncertainty_problems` checks the key paths against a tender; the
classes' own ``_cross_problems`` check the parameters.
"""

from __future__ import annotations

import difflib
import enum
import math
import re
import typing

import attrs
import numpy as np

from fleetcalc.exceptions import Problem
from fleetcalc.money import Money
from fleetcalc.validation import (
    has_errors,
    number,
    one_of,
    problems_of,
    raise_if_errors,
    spec,
    text,
    validators_are_paused,
    validators_paused,
)

__all__ = [
    "DISTRIBUTIONS",
    "PROCESSES",
    "AVAILABILITY_FIELDS",
    "LINEAR_FIELDS",
    "UncertainInput",
    "Correlation",
    "KeyPath",
    "Target",
    "Role",
    "parse_key_path",
    "resolve_targets",
    "input_value",
    "with_input",
    "expanded_inputs",
    "expanded_correlation",
    "correlation_matrix_problems",
    "uncertainty_problems",
]

#: Distributions an uncertain input can follow.
DISTRIBUTIONS = ("triangular", "uniform", "normal", "lognormal", "pert")

#: Year-to-year processes of a price path.
PROCESSES = ("random_walk",)

#: Parameters each distribution needs, and the optional ones it accepts.
_PARAMETERS = {
    "triangular": (("low", "mode", "high"), ()),
    "uniform": (("low", "high"), ()),
    "normal": (("mean", "std"), ("low", "high")),
    "lognormal": (("mean", "std"), ()),
    "pert": (("low", "mode", "high"), ()),
}

#: Availability figures of bids and cohorts that can be uncertain, with their bounds
#: (lower, lower strict, upper).
AVAILABILITY_FIELDS = {
    "mtbf_hours": (0.0, True, None),
    "mean_downtime_hours": (0.0, False, None),
    "scheduled_maintenance_days": (0.0, False, 365.0),
    "overhaul_downtime_days": (0.0, False, None),
}

#: Tender-wide inputs: key path after ``tender.`` -> (TenderArrays field, bounds, process).
_TENDER_INPUTS = {
    "prices.diesel_per_litre": ("fuel_price", (0.0, False, None), True),
    "annual_km": ("annual_km", (0.0, False, None), False),
    "discount_rate": ("discount_rate", (-1.0, True, None), False),
    "demand.shortfall_cost_per_unit_day": ("shortfall_cost_per_unit_day",
                                           (0.0, False, None), False),
}

#: Bid fields the life-cycle cost is linear in: each is also a field of
#: :class:`fleetcalc.evaluate.TenderArrays` of the same name (which the engine
#: scales; ``tests/test_uncertainty.py`` checks the two lists agree). Stated here,
#: in the value layer, so that checking a tender does not import the orchestration.
LINEAR_FIELDS = ("unit_price", "initial_support", "fuel_litres_per_km", "maintenance_per_km",
                 "overhaul_cost", "inland_transport", "insurance", "port_charges",
                 "import_duties")

#: Bid fields that are whole numbers shaping the schedules.
_SCHEDULE_FIELDS = ("quantity", "delivery", "payments", "warranty_years",
                    "service_life_years", "overhaul_interval_years", "units", "year_built")

_KEY = re.compile(r"^(bids|fleet)\[(.*)\]\.(.+)$")


def _floats(value):
    return tuple(value) if isinstance(value, list) else value


def _boolean(value):
    return None if isinstance(value, bool) else "must be true or false"


def _non_negative(value):
    return None if value >= 0 else "must be >= 0"


@attrs.frozen(kw_only=True)
class UncertainInput:
    r"""One uncertain input: which value, which distribution, which parameters.

    Parameters are on the scale given by ``scale``: ``absolute`` values are
    in the input's own unit and currency (e.g. PKR per litre for a diesel
    price given in PKR), ``relative`` ones multiply its point value (1.0 is
    the tender's value).

    Distributions (see ``docs/methodology/monte-carlo.md``):

    * ``triangular`` (low, mode, high) and ``pert`` (low, mode, high; a
      Beta law with :math:`\lambda = 4`);
    * ``uniform`` (low, high);
    * ``normal`` (mean, std; optional low/high truncate it);
    * ``lognormal`` (mean, std *of the value*, not of its logarithm).

    A ``process = "random_walk"`` (prices and exchange rates only) makes the
    input a path: the distribution gives its level at t = 0 and each year
    multiplies it by :math:`\exp(\ln(1 + \mu) - \sigma^2/2 + \sigma\varepsilon_t)`
    with ``drift`` :math:`\mu` and ``volatility`` :math:`\sigma`.

    Examples
    --------
    >>> UncertainInput(input="tender.prices.diesel_per_litre", distribution="triangular",
    ...                low=0.8, mode=1.0, high=1.4, scale="relative").scale
    'relative'
    >>> bad = UncertainInput(input="tender.annual_km", distribution="triangular",
    ...                      low=1.2, mode=1.0, high=1.4, scale="relative")
    Traceback (most recent call last):
    ...
    fleetcalc.exceptions.TenderError: 1 problem in the tender:
      - mode = 1.0: must be between low (1.2) and high (1.4)
    """

    input: str = spec("Key path of the input, e.g. tender.prices.diesel_per_litre, "
                      "bids[*].mtbf_hours or bids[CRRC Ziyang].maintenance_per_km.",
                      example="tender.prices.diesel_per_litre", rules=(text,))
    distribution: str = spec("Distribution: triangular, uniform, normal, lognormal or pert.",
                             example="triangular", rules=(text, one_of(*DISTRIBUTIONS)))
    scale: str = spec("absolute: parameters are values of the input (in its own unit and "
                      "currency); relative: multipliers of its point value.",
                      example="relative", default="absolute",
                      rules=(text, one_of("absolute", "relative")))
    low: float | None = spec("Lower bound (triangular, uniform, pert; truncates a normal).",
                             example=0.8, optional=True, rules=(number,))
    mode: float | None = spec("Most likely value (triangular, pert).", example=1.0,
                              optional=True, rules=(number,))
    high: float | None = spec("Upper bound (triangular, uniform, pert; truncates a normal).",
                              example=1.4, optional=True, rules=(number,))
    mean: float | None = spec("Mean (normal, lognormal).", example=1.0, optional=True,
                              rules=(number,))
    std: float | None = spec("Standard deviation (normal, lognormal).", example=0.1,
                             optional=True, rules=(number, _non_negative))
    shared: bool = spec("For bids[*] and fleet[*]: true draws one value for every bid or "
                        "cohort (a common factor); false draws each one independently.",
                        example=True, default=False, rules=(_boolean,))
    process: str | None = spec(
        "Year-to-year process of a price or exchange-rate path: random_walk (geometric); "
        "absent: the drawn level holds for every year.", example="random_walk",
        optional=True, rules=(text, one_of(*PROCESSES)))
    drift: float = spec("Expected growth of the path per year, on top of the tender's "
                        "escalation, decimal (random_walk).", unit="-/year", example=0.0,
                        default=0.0, rules=(number,))
    volatility: float | None = spec(
        "Standard deviation of the yearly log-change of the path (random_walk).",
        unit="-/sqrt(year)", example=0.15, optional=True, rules=(number, _non_negative))

    def _cross_problems(self):
        problems = []
        needed, accepted = _PARAMETERS[self.distribution]
        for name in ("low", "mode", "high", "mean", "std"):
            value = getattr(self, name)
            if name in needed and value is None:
                problems.append(Problem(name, f"is required by the {self.distribution} "
                                        f"distribution (it takes {', '.join(needed)})"))
            elif value is not None and name not in needed + accepted:
                problems.append(Problem(name, f"is not a parameter of the {self.distribution} "
                                        f"distribution (it takes {', '.join(needed)})",
                                        value=value))
        if problems:
            return problems
        low, mode, high = self.low, self.mode, self.high
        if low is not None and high is not None and low > high:
            problems.append(Problem("high", f"must be >= low ({low})", value=high))
        elif mode is not None and not low <= mode <= high:
            problems.append(Problem("mode", f"must be between low ({low}) and high ({high})",
                                    value=mode))
        if self.distribution == "lognormal" and self.mean <= 0:
            problems.append(Problem("mean", "must be > 0 for a lognormal distribution",
                                    value=self.mean))
        if self.distribution == "normal" and self.std > 0:
            from fleetcalc import _normal as stats  # noqa: PLC0415 - norm.cdf without scipy

            lo = -math.inf if low is None else low
            hi = math.inf if high is None else high
            if stats.norm.cdf(hi, self.mean, self.std) - stats.norm.cdf(
                    lo, self.mean, self.std) < 1e-9:
                problems.append(Problem("low", "the truncation interval holds no probability "
                                        "of the normal distribution", value=low))
        if self.process is None:
            if self.volatility is not None:
                problems.append(Problem("volatility", "needs process = \"random_walk\"",
                                        value=self.volatility))
            if self.drift != 0:
                problems.append(Problem("drift", "needs process = \"random_walk\"",
                                        value=self.drift))
        else:
            if self.volatility is None:
                problems.append(Problem("volatility", f"is required by process "
                                        f"{self.process!r}"))
            if self.drift <= -1:
                problems.append(Problem("drift", "must be > -1", value=self.drift))
        return problems

    def __attrs_post_init__(self):
        _check_on_init(self)


def correlation_matrix_problems(matrix, *, path="matrix"):
    """Problems of a correlation matrix (shape, symmetry, diagonal, range, definiteness).

    Parameters
    ----------
    matrix : array_like, shape (n, n)
        Correlation matrix [-].
    path : str, optional
        Key path put on the problems.

    Returns
    -------
    list of Problem
        Empty when the matrix is a valid correlation matrix.

    Examples
    --------
    >>> correlation_matrix_problems([[1.0, 0.5], [0.5, 1.0]])
    []
    >>> print(correlation_matrix_problems([[1.0, 0.9, 0.9], [0.9, 1.0, -0.9],
    ...                                    [0.9, -0.9, 1.0]])[0])
    matrix: is not positive definite (smallest eigenvalue -0.8); the correlations
    contradict each other
    """
    try:
        arr = np.array(matrix, dtype=float)
    except (TypeError, ValueError):
        return [Problem(path, "must be a square table of numbers, one row per input")]
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
        return [Problem(path, "must be a square table of numbers, one row per input")]
    if not np.all(np.isfinite(arr)):
        return [Problem(path, "must hold finite numbers")]
    problems = []
    n = arr.shape[0]
    for i in range(n):
        if arr[i, i] != 1.0:
            problems.append(Problem(f"{path}[{i}][{i}]", "must be 1 (the diagonal of a "
                                    "correlation matrix)", value=float(arr[i, i])))
        for j in range(n):
            if abs(arr[i, j]) > 1:
                problems.append(Problem(f"{path}[{i}][{j}]", "must be in [-1, 1]",
                                        value=float(arr[i, j])))
            elif j > i and abs(arr[i, j] - arr[j, i]) > 1e-12:
                problems.append(Problem(f"{path}[{j}][{i}]", f"must equal {path}[{i}][{j}] "
                                        f"({arr[i, j]}): the matrix must be symmetric",
                                        value=float(arr[j, i])))
    if problems:
        return problems
    smallest = float(np.linalg.eigvalsh(arr).min())
    if smallest <= 1e-10:
        problems.append(Problem(path, f"is not positive definite (smallest eigenvalue "
                                f"{smallest:.2g}); the correlations contradict each other"))
    return problems


@attrs.frozen(kw_only=True)
class Correlation:
    """Correlation of uncertain inputs through a Gaussian copula (``[correlation]``).

    ``matrix[i][j]`` is the correlation of the normal scores of
    ``inputs[i]`` and ``inputs[j]``; the matrix must be symmetric, with a
    unit diagonal, and positive definite. An input ``bids[*].x`` drawn per
    bid has each bid's draw correlated with the other inputs at the given
    value, and its bids uncorrelated with one another.

    Examples
    --------
    >>> Correlation(inputs=["a", "b"], matrix=[[1.0, 0.5], [0.5, 1.0]]).inputs
    ('a', 'b')
    """

    inputs: tuple = spec("Key paths of the correlated inputs, as in [[uncertainty]].",
                         example=["tender.prices.diesel_per_litre", "tender.exchange_rates.PKR"],
                         converter=_floats)
    matrix: tuple = spec("Correlation matrix (rank correlation of the normal scores), one "
                         "row per input; symmetric, unit diagonal, positive definite.",
                         example=[[1.0, -0.4], [-0.4, 1.0]],
                         converter=lambda rows: tuple(_floats(r) for r in rows)
                         if isinstance(rows, list) else rows)

    def _cross_problems(self):
        problems = []
        if not isinstance(self.inputs, tuple) or not all(isinstance(i, str)
                                                         for i in self.inputs):
            return [Problem("inputs", "must be a list of key paths", value=self.inputs)]
        if len(self.inputs) < 2:
            problems.append(Problem("inputs", "needs at least two inputs",
                                    value=list(self.inputs)))
        for i, name in enumerate(self.inputs):
            if self.inputs.index(name) != i:
                problems.append(Problem(f"inputs[{i}]", f"duplicates inputs"
                                        f"[{self.inputs.index(name)}]", value=name))
        matrix = self.matrix
        if not isinstance(matrix, tuple) or not all(isinstance(r, tuple) for r in matrix):
            return problems + [Problem("matrix", "must be a table of rows of numbers")]
        if len(matrix) != len(self.inputs) or any(len(r) != len(self.inputs) for r in matrix):
            return problems + [Problem("matrix", f"must be {len(self.inputs)} x "
                                       f"{len(self.inputs)}, one row and column per input")]
        if any(number(x) for row in matrix for x in row):
            return problems + [Problem("matrix", "must hold finite numbers only")]
        return problems + correlation_matrix_problems(matrix)

    def __attrs_post_init__(self):
        _check_on_init(self)


def _check_on_init(obj):
    if validators_are_paused():
        return
    raise_if_errors(problems_of(obj))


# --------------------------------------------------------------------------- key paths


@attrs.frozen
class KeyPath:
    """A parsed key path: ``kind`` (tender, bids, fleet), ``selector`` and ``field``.

    Examples
    --------
    >>> parse_key_path("bids[CRRC Ziyang].maintenance_per_km")
    KeyPath(kind='bids', selector='CRRC Ziyang', field='maintenance_per_km')
    """

    kind: str
    selector: str | None
    field: str


def parse_key_path(path):
    """Split a key path of ``[[uncertainty]]`` into a :class:`KeyPath`.

    Parameters
    ----------
    path : str
        E.g. ``"tender.exchange_rates.PKR"`` or ``"bids[*].mtbf_hours"``.

    Returns
    -------
    KeyPath

    Raises
    ------
    ValueError
        If the path has none of the forms ``tender.<key>``,
        ``bids[<bidder> or *].<key>``, ``fleet[<name> or *].<key>``.

    Examples
    --------
    >>> parse_key_path("tender.exchange_rates.PKR")
    KeyPath(kind='tender', selector=None, field='exchange_rates.PKR')
    """
    if path.startswith("tender."):
        return KeyPath("tender", None, path[len("tender."):])
    match = _KEY.match(path)
    if match is None or not match.group(2).strip():
        raise ValueError("must be tender.<key>, bids[<bidder> or *].<key> or "
                         "fleet[<name> or *].<key>")
    return KeyPath(match.group(1), match.group(2), match.group(3))


def _items(tender, kind):
    return tender.bids if kind == "bids" else tender.fleet


def _name(item, kind):
    return item.bidder if kind == "bids" else item.name


def _money_fields(cls):
    hints = typing.get_type_hints(cls)
    return {name for name, hint in hints.items()
            if Money in typing.get_args(hint) or hint is Money}


class Role(enum.StrEnum):
    """How the Monte Carlo engine applies a draw of an uncertain input (its dispatch)."""

    #: A number the cash flows are linear in: the engine scales a TenderArrays field.
    LINEAR = "linear"
    #: An exchange rate: every money value in that currency moves with it.
    RATE = "rate"
    #: The discount rate: the present values are discounted again.
    DISCOUNT = "discount"
    #: A reliability figure: the availability and the fleet are recomputed.
    AVAILABILITY = "availability"


@attrs.frozen
class Target:
    """What one uncertain input changes: a field of one bid, cohort or the tender.

    ``role`` is a :class:`Role`: ``LINEAR`` (a number the cash flows are linear
    in; ``array`` names the :class:`~fleetcalc.evaluate.TenderArrays` field),
    ``RATE`` (an exchange rate; ``field`` is the currency), ``DISCOUNT`` or
    ``AVAILABILITY``. ``index`` is the bid or cohort position (None for the
    tender). ``currency`` is the currency of a money value.
    """

    kind: str
    index: int | None
    field: str
    role: Role
    array: str | None
    currency: str | None
    point: float
    bounds: tuple


def _tender_target(tender, field):
    settings = tender.tender
    if field.startswith("exchange_rates."):
        code = field.split(".", 1)[1]
        if code == settings.base_currency:
            raise ValueError(f"{code} is the base currency (its rate is 1 by definition)")
        if code not in settings.exchange_rates:
            known = ", ".join(sorted(settings.exchange_rates)) or "none"
            raise ValueError(f"no exchange rate for {code!r} in tender.exchange_rates "
                             f"(rates: {known})")
        return [Target("tender", None, code, Role.RATE, None, code,
                       float(settings.exchange_rates[code]), (0.0, True, None))]
    if field not in _TENDER_INPUTS:
        close = difflib.get_close_matches(field, list(_TENDER_INPUTS), n=1)
        hint = f"; did you mean 'tender.{close[0]}'?" if close else ""
        raise ValueError(f"tender.{field} cannot be uncertain; tender-wide inputs: "
                         + ", ".join(f"tender.{k}" for k in _TENDER_INPUTS)
                         + ", tender.exchange_rates.<currency>" + hint)
    array, bounds, _ = _TENDER_INPUTS[field]
    if field == "demand.shortfall_cost_per_unit_day":
        if settings.demand is None:
            raise ValueError("the tender states no [tender.demand]")
        value = settings.demand.shortfall_cost_per_unit_day
    elif field == "prices.diesel_per_litre":
        value = settings.prices.diesel_per_litre
    else:
        value = getattr(settings, field)
    role = Role.DISCOUNT if field == "discount_rate" else Role.LINEAR
    currency = None
    if field in ("prices.diesel_per_litre", "demand.shortfall_cost_per_unit_day"):
        currency = value.currency if isinstance(value, Money) else settings.base_currency
    amount = value.amount if isinstance(value, Money) else value
    return [Target("tender", None, field, role, array, currency, float(amount), bounds)]


def _unit_target(tender, kind, index, item, field):
    cls = type(item)  # a Bid or a Cohort (the tender module imports this one)
    names = [a.name for a in attrs.fields(cls)]
    label = f"{kind}[{_name(item, kind)}]"
    if field not in names:
        close = difflib.get_close_matches(field, names, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ValueError(f"unknown field {field!r} of {'a bid' if kind == 'bids' else 'a cohort'}"
                         + hint)
    value = getattr(item, field)
    if field in _SCHEDULE_FIELDS:
        raise ValueError(f"{field} is a whole number that shapes the schedules; it cannot "
                         "follow a continuous distribution")
    amount = value.amount if isinstance(value, Money) else value
    if field in AVAILABILITY_FIELDS:
        if amount is None and getattr(item, "mdbf_km", None) is not None:
            raise ValueError(f"{label}.{field} is absent: the reliability is stated as "
                             "mdbf_km, which the Monte Carlo does not draw; state mtbf_hours "
                             "(= mdbf_km x 8760 / annual_km) to make it uncertain")
        if amount is None:
            raise ValueError(f"{label}.{field} is absent (the units never fail); give it a "
                             "value in the tender to make it uncertain")
        return Target(kind, index, field, Role.AVAILABILITY, None, None, float(amount),
                      AVAILABILITY_FIELDS[field])
    if isinstance(amount, bool) or not isinstance(amount, (int, float)):
        raise ValueError(f"{field} is not a number")
    if kind == "fleet":
        raise ValueError(f"{field} of an existing cohort enters no bid's evaluated cost (the "
                         "fleet's running costs are a baseline common to every bid); cohorts "
                         "take uncertain " + ", ".join(AVAILABILITY_FIELDS))
    if field not in LINEAR_FIELDS:
        raise ValueError(f"{field} cannot be uncertain; uncertain bid fields: "
                         + ", ".join(LINEAR_FIELDS + tuple(AVAILABILITY_FIELDS)))
    currency = None
    if field in _money_fields(cls):
        currency = value.currency if isinstance(value, Money) else item.currency
    return Target(kind, index, field, Role.LINEAR, field, currency, float(amount),
                  (0.0, False, None))


def resolve_targets(tender, path):
    """The targets (fields of the tender, of bids or of cohorts) a key path names.

    Parameters
    ----------
    tender : fleetcalc.Tender
    path : str
        Key path, as in ``[[uncertainty]]``.

    Returns
    -------
    list of Target
        One per bid or cohort matched (in tender order), or one for a
        tender-wide input.

    Raises
    ------
    ValueError
        With the reason, if the path names nothing that can be uncertain.

    Examples
    --------
    >>> import fleetcalc
    >>> tender = fleetcalc.load_tender("examples/pakistan_locomotives_2026.toml")
    >>> [t.index for t in resolve_targets(tender, "bids[*].mtbf_hours")][:3]
    [0, 1, 2]
    >>> resolve_targets(tender, "bids[Alstom].unit_price")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: no bid has bidder 'Alstom'; bidders: 'Wabtec (GE Transportation)', ...
    """
    key = parse_key_path(path)
    if key.kind == "tender":
        return _tender_target(tender, key.field)
    items = _items(tender, key.kind)
    noun = "bid" if key.kind == "bids" else "cohort"
    attribute = "bidder" if key.kind == "bids" else "name"
    if key.selector == "*":
        chosen = list(enumerate(items))
        if not chosen:
            raise ValueError(f"the tender has no {noun}")
    else:
        chosen = [(i, item) for i, item in enumerate(items)
                  if _name(item, key.kind) == key.selector]
        if not chosen:
            known = ", ".join(repr(_name(item, key.kind)) for item in items) or "none"
            raise ValueError(f"no {noun} has {attribute} {key.selector!r}; "
                             f"{attribute}s: {known}")
    return [_unit_target(tender, key.kind, i, item, key.field) for i, item in chosen]


def input_value(tender, path):
    """Point values of the input a key path names, one per target.

    Examples
    --------
    >>> import fleetcalc
    >>> tender = fleetcalc.load_tender("examples/pakistan_locomotives_2026.toml")
    >>> input_value(tender, "tender.exchange_rates.PKR")
    [0.00356]
    """
    return [t.point for t in resolve_targets(tender, path)]


def _set(value, new):
    """A field value with its amount replaced (a Money keeps its currency)."""
    return Money(float(new), value.currency) if isinstance(value, Money) else float(new)


def with_input(tender, path, value, *, scale="absolute"):
    """A copy of the tender with the input a key path names set to ``value``.

    Parameters
    ----------
    tender : fleetcalc.Tender
    path : str
        Key path, as in ``[[uncertainty]]``.
    value : float
        The new value: in the input's own unit and currency (``absolute``) or
        a multiplier of its point value (``relative``). ``bids[*]`` sets every
        bid.
    scale : {"absolute", "relative"}, optional

    Returns
    -------
    fleetcalc.Tender
        Made with :func:`attrs.evolve`; validators are not run.

    Examples
    --------
    >>> import fleetcalc
    >>> tender = fleetcalc.load_tender("examples/pakistan_locomotives_2026.toml")
    >>> cheaper = with_input(tender, "tender.prices.diesel_per_litre", 0.5, scale="relative")
    >>> cheaper.tender.prices.diesel_per_litre
    Money(amount=128.54, currency='PKR')
    """
    if scale not in ("absolute", "relative"):
        raise ValueError(f"scale must be 'absolute' or 'relative', got {scale!r}")
    targets = resolve_targets(tender, path)

    def new(target):
        return value * target.point if scale == "relative" else value

    with validators_paused():
        settings = tender.tender
        first = targets[0]
        if first.kind == "tender":
            if first.role == Role.RATE:
                rates = dict(settings.exchange_rates)
                rates[first.field] = float(new(first))
                return attrs.evolve(tender, tender=attrs.evolve(settings, exchange_rates=rates))
            if first.field == "prices.diesel_per_litre":
                prices = attrs.evolve(settings.prices, diesel_per_litre=_set(
                    settings.prices.diesel_per_litre, new(first)))
                return attrs.evolve(tender, tender=attrs.evolve(settings, prices=prices))
            if first.field == "demand.shortfall_cost_per_unit_day":
                demand = attrs.evolve(settings.demand, shortfall_cost_per_unit_day=_set(
                    settings.demand.shortfall_cost_per_unit_day, new(first)))
                return attrs.evolve(tender, tender=attrs.evolve(settings, demand=demand))
            return attrs.evolve(tender, tender=attrs.evolve(settings,
                                                            **{first.field: float(new(first))}))
        items = list(_items(tender, first.kind))
        for target in targets:
            item = items[target.index]
            items[target.index] = attrs.evolve(
                item, **{target.field: _set(getattr(item, target.field), new(target))})
        return attrs.evolve(tender, **{first.kind: tuple(items)})


# --------------------------------------------------------------------------- tender rules


def _support(entry):
    """(low, high) of an entry's distribution on its own scale; inf where unbounded."""
    d = entry.distribution
    if d in ("triangular", "uniform", "pert"):
        return entry.low, entry.high
    if d == "lognormal":
        return (0.0 if entry.std > 0 else entry.mean), math.inf if entry.std > 0 else entry.mean
    if entry.std == 0:
        return entry.mean, entry.mean
    return (-math.inf if entry.low is None else entry.low,
            math.inf if entry.high is None else entry.high)


def _bound_problems(entry, target, where):
    """The entry's distribution must stay within the field's bounds."""
    lower, strict, upper = target.bounds
    factor = target.point if entry.scale == "relative" else 1.0
    label = f"the {entry.distribution} distribution"
    if entry.distribution == "normal" and entry.std > 0 and factor != 0:
        from fleetcalc import _normal as stats  # noqa: PLC0415 - norm.cdf without scipy

        # unbounded tails: allow a negligible probability beyond the field's bounds
        mean, std = entry.mean * factor, entry.std * abs(factor)
        ends = sorted((-math.inf if entry.low is None else entry.low * factor,
                       math.inf if entry.high is None else entry.high * factor))
        if factor < 0:
            ends = sorted((math.inf if entry.high is None else entry.high * factor,
                           -math.inf if entry.low is None else entry.low * factor))
        mass = stats.norm.cdf(ends[1], mean, std) - stats.norm.cdf(ends[0], mean, std)
        for bound, side in ((lower, "below"), (upper, "above")):
            if bound is None:
                continue
            cut = stats.norm.cdf(min(max(bound, ends[0]), ends[1]), mean, std)
            share = (cut - stats.norm.cdf(ends[0], mean, std) if side == "below"
                     else stats.norm.cdf(ends[1], mean, std) - cut) / mass
            if share > 1e-9:
                return [Problem(where, f"{label} puts probability {share:.2g} {side} "
                                f"{bound:g}, the {'least' if side == 'below' else 'greatest'} "
                                f"value of {target.field}; give "
                                f"{'low' if side == 'below' else 'high'} to truncate it",
                                value=entry.distribution)]
        return []
    if entry.distribution == "lognormal" and entry.std > 0 and factor > 0 and (
            lower is None or lower <= 0) and upper is None:
        return []  # support (0, inf): within any lower bound <= 0
    low, high = _support(entry)
    ends = sorted((low * factor, high * factor)) if factor != 0 else [0.0, 0.0]
    if lower is not None and (ends[0] < lower or (strict and ends[0] <= lower)):
        return [Problem(where, f"{label} reaches {ends[0]:g}, but {target.field} must be "
                        f"{'>' if strict else '>='} {lower:g}", value=entry.distribution)]
    if upper is not None and ends[1] > upper:
        return [Problem(where, f"{label} reaches {ends[1]:g}, but {target.field} must be "
                        f"<= {upper:g}", value=entry.distribution)]
    return []


def _relative_looking(entry, targets, where):
    """Warn when absolute parameters look like multipliers of a point value far from 1.

    ``low = 0.8, mode = 1.0, high = 1.2`` on a diesel price of 300 draws
    prices near 1, not near 300: the entry most likely lacks
    ``scale = "relative"``.
    """
    if entry.scale != "absolute":
        return []
    parameters = [v for v in (entry.low, entry.mode, entry.high, entry.mean) if v is not None]
    points = [abs(t.point) for t in targets]
    if not parameters or not all(0.5 <= v <= 2 for v in parameters):
        return []
    if not points or not all(p > 4 or p < 0.25 for p in points):
        return []
    point = targets[0].point
    return [Problem(f"{where}.scale", f"is absolute, but the parameters "
                    f"({', '.join(f'{v:g}' for v in parameters)}) lie around 1 while the "
                    f"point value is {point:g}: the draws would be about {point:g} times "
                    "too small or large. Did you mean scale = \"relative\"?",
                    value=entry.scale, severity="warning")]


def expanded_inputs(tender):
    """The drawn dimensions of a tender's ``[[uncertainty]]``: one per independent draw.

    Returns
    -------
    list of (int, str, list of Target)
        ``(entry index, label, targets)``: an entry ``bids[*].x`` not
        ``shared`` gives one dimension per bid, labelled ``bids[<bidder>].x``.
    """
    dims = []
    for i, entry in enumerate(tender.uncertainty):
        targets = resolve_targets(tender, entry.input)
        key = parse_key_path(entry.input)
        if key.selector == "*" and not entry.shared:
            for target in targets:
                name = _name(_items(tender, key.kind)[target.index], key.kind)
                dims.append((i, f"{key.kind}[{name}].{key.field}", [target]))
        else:
            dims.append((i, entry.input, targets))
    return dims


def expanded_correlation(tender, dims=None):
    """Correlation matrix of the drawn dimensions (see :func:`expanded_inputs`)."""
    dims = expanded_inputs(tender) if dims is None else dims
    n = len(dims)
    matrix = np.eye(n)
    corr = tender.correlation
    if corr is None:
        return matrix
    where = {entry.input: i for i, entry in enumerate(tender.uncertainty)}
    position = {where[name]: k for k, name in enumerate(corr.inputs)}
    for a in range(n):
        for b in range(n):
            ea, eb = dims[a][0], dims[b][0]
            if a != b and ea != eb and ea in position and eb in position:
                matrix[a, b] = corr.matrix[position[ea]][position[eb]]
    return matrix


def uncertainty_problems(tender):
    """Problems of a tender's ``[[uncertainty]]`` and ``[correlation]`` against the tender.

    Checks that every key path names an existing bid, cohort, currency or
    field that can be uncertain (a number, not a schedule); that an input is
    not made uncertain twice; that a process is put only on a price or an
    exchange rate; that each distribution stays within its field's bounds;
    and that the correlation names inputs of ``[[uncertainty]]`` and stays
    positive definite once ``bids[*]`` inputs are expanded per bid.

    Parameters
    ----------
    tender : fleetcalc.Tender

    Returns
    -------
    list of Problem
        Paths from the tender root, e.g. ``uncertainty[2].input``.

    Examples
    --------
    >>> import attrs, fleetcalc
    >>> tender = fleetcalc.load_tender("examples/pakistan_locomotives_2026.toml")
    >>> entry = UncertainInput(input="bids[Alstom].unit_price", distribution="uniform",
    ...                        low=0.9, high=1.1, scale="relative")
    >>> from fleetcalc.validation import validators_paused
    >>> with validators_paused():  # building the tender would raise the problem
    ...     bad = attrs.evolve(tender, uncertainty=(entry,), correlation=None)
    >>> print(uncertainty_problems(bad)[0])  # doctest: +ELLIPSIS
    uncertainty[0].input = "bids[Alstom].unit_price": no bid has bidder 'Alstom'; bidders: ...
    """
    problems, seen, valid = [], {}, {}
    for i, entry in enumerate(tender.uncertainty):
        where = f"uncertainty[{i}]"
        if not isinstance(entry, UncertainInput) or has_errors(entry):
            continue
        try:
            targets = resolve_targets(tender, entry.input)
        except ValueError as exc:
            problems.append(Problem(f"{where}.input", str(exc), value=entry.input))
            continue
        except (AttributeError, TypeError, KeyError, OverflowError):
            continue  # the part of the tender it reads is itself invalid (reported there)
        if any(has_errors(tender.tender if t.index is None else _items(tender, t.kind)[t.index])
               for t in targets):
            continue  # bounds of a broken part would be checked against its bad value
        clash = False
        for target in targets:
            key = (target.kind, target.index, target.field)
            if key in seen:
                other = seen[key]
                problems.append(Problem(f"{where}.input", f"overlaps uncertainty[{other}] "
                                        f"({tender.uncertainty[other].input}): an input can "
                                        "be uncertain only once", value=entry.input))
                clash = True
                break
            seen[key] = i
        if clash:
            continue
        if entry.process is not None and not (
                targets[0].role == Role.RATE or targets[0].field == "prices.diesel_per_litre"):
            problems.append(Problem(f"{where}.process", "applies to prices and exchange "
                                    "rates only (tender.prices.*, tender.exchange_rates.*)",
                                    value=entry.process))
            continue
        bound = []
        for target in targets:
            bound = _bound_problems(entry, target, f"{where}.distribution")
            if bound:
                break
        problems += bound
        if not bound:
            valid[entry.input] = i
            problems += _relative_looking(entry, targets, where)
    corr = tender.correlation
    if corr is None or not isinstance(corr, Correlation) or has_errors(corr):
        return problems
    known = {e.input for e in tender.uncertainty
             if isinstance(e, UncertainInput) and isinstance(e.input, str)}
    missing = False
    for j, name in enumerate(corr.inputs):
        if name not in known:
            problems.append(Problem(f"correlation.inputs[{j}]", "is not the input of any "
                                    "[[uncertainty]] entry", value=name))
            missing = True
        elif name not in valid:
            missing = True
    if missing or len(valid) != len([e for e in tender.uncertainty]):
        return problems
    matrix = expanded_correlation(tender)
    if matrix.size and np.linalg.eigvalsh(matrix).min() <= 1e-10:
        problems.append(Problem("correlation.matrix", "is not positive definite once inputs "
                                "drawn per bid or cohort (bids[*], fleet[*]) are expanded, "
                                "each correlated with the others at the given value and not "
                                "with one another; lower the correlations or set shared = "
                                "true"))
    return problems
