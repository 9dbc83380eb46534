"""Rules for the fields of the tender value objects, and the checker.

Each field of a tender class is declared with :func:`spec`, which records its
documentation (meaning, unit, example: the tender-file reference is generated
from it) and its rules. A rule is a small callable ``rule(value) -> str | None``
returning the broken rule in words, or None.

The same rules serve twice:

* as an attrs validator, so a value object built in Python with a bad value
  raises :class:`~fleetcalc.exceptions.TenderError` at once;
* in :func:`problems_of`, which walks a whole tender and collects every
  problem with its key path, so a file gets all its problems reported at once.
"""

from __future__ import annotations

import math
import numbers
import re

import attrs

from fleetcalc.exceptions import Problem, TenderError

__all__ = [
    "MISSING",
    "INVALID",
    "spec",
    "problems_of",
    "raise_if_errors",
    "has_errors",
    "number",
    "integer",
    "text",
    "at_least",
    "greater_than",
    "at_most",
    "one_of",
    "currency_code",
    "money",
    "integer_list",
    "rate_table",
]

_CURRENCY = re.compile(r"^[A-Z]{3}$")


class _Missing:
    """Marks a required key that a tender file lacks (or holds in the wrong form)."""

    def __repr__(self):
        return "MISSING"


#: Placeholder for a required key that a file lacks; reported as "is required".
MISSING = _Missing()


class _Invalid:
    def __repr__(self):
        return "INVALID"


#: Placeholder for a value in the wrong shape (e.g. a number where a table is
#: needed), already reported by the file reader; the checker skips it.
INVALID = _Invalid()


def _is_number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def number(value):
    """A finite real number (not a bool, string, NaN or infinity)."""
    if not _is_number(value):
        return f"must be a number, not {type(value).__name__}"
    if not math.isfinite(value):
        return "must be a finite number (NaN and infinity are not allowed)"
    return None


def integer(value):
    """A whole number (an int, not a float or bool)."""
    if not (isinstance(value, numbers.Integral) and not isinstance(value, bool)):
        return f"must be a whole number, not {type(value).__name__}"
    return None


def text(value):
    """A non-empty string."""
    if not isinstance(value, str):
        return f"must be text, not {type(value).__name__}"
    if not value.strip():
        return "must not be empty"
    return None


def at_least(bound):
    """A number ``>= bound``."""

    def rule(value):
        return None if value >= bound else f"must be >= {bound}"

    rule.__doc__ = f">= {bound}"
    return rule


def greater_than(bound):
    """A number ``> bound``."""

    def rule(value):
        return None if value > bound else f"must be > {bound}"

    rule.__doc__ = f"> {bound}"
    return rule


def at_most(bound):
    """A number ``<= bound``."""

    def rule(value):
        return None if value <= bound else f"must be <= {bound}"

    rule.__doc__ = f"<= {bound}"
    return rule


def one_of(*choices):
    """One of the given values."""

    def rule(value):
        return None if value in choices else f"must be one of {', '.join(map(repr, choices))}"

    rule.__doc__ = "one of " + ", ".join(map(repr, choices))
    return rule


def currency_code(value):
    """An ISO 4217 code: three capital letters, e.g. ``USD``."""
    if not isinstance(value, str) or not _CURRENCY.match(value):
        return "must be an ISO 4217 currency code of three capital letters, e.g. 'USD'"
    return None


def money(*, minimum=None):
    """A plain number or a :class:`~fleetcalc.money.Money` with a finite amount."""
    from fleetcalc.money import Money  # the Money class is built on these rules

    def rule(value):
        amount = value.amount if isinstance(value, Money) else value
        if isinstance(value, Money):
            broken = currency_code(value.currency)
            if broken:
                return f"currency {value.currency!r} {broken}"
        broken = number(amount)
        if broken:
            return broken if not isinstance(value, Money) else f"amount {broken}"
        if minimum is not None and amount < minimum:
            return f"must be >= {minimum}"
        return None

    rule.__doc__ = "money" + (f" >= {minimum}" if minimum is not None else "")
    return rule


def integer_list(*, minimum=None):
    """A list of whole numbers, each ``>= minimum``."""

    def rule(value):
        if not isinstance(value, (list, tuple)):
            return f"must be a list of whole numbers, not {type(value).__name__}"
        for i, item in enumerate(value):
            if integer(item):
                return f"item {i} ({item!r}) must be a whole number"
            if minimum is not None and item < minimum:
                return f"item {i} ({item!r}) must be >= {minimum}"
        return None

    return rule


def rate_table(value):
    """A table of currency code -> positive finite number."""
    if not isinstance(value, dict):
        return f"must be a table of currency = rate, not {type(value).__name__}"
    return None


def _run_rules(rules, value):
    for rule in rules:
        broken = rule(value)
        if broken:
            return broken
    return None


def _validator(instance, attribute, value):
    rules = attribute.metadata.get("rules", ())
    if value is None and attribute.metadata.get("optional"):
        return
    broken = _run_rules(rules, value)
    if broken:
        raise TenderError([Problem(attribute.name, broken, value=value)])


def spec(doc, *, unit=None, example=None, default=attrs.NOTHING, rules=(), optional=False,
         factory=None, converter=None):
    """Declare a tender field: its meaning, unit, example, default and rules.

    Parameters
    ----------
    doc : str
        Meaning of the field, one sentence (shown in the tender-file reference).
    unit : str, optional
        Unit in brackets style, e.g. ``"USD"``, ``"year"``, ``"-"``.
    example : object, optional
        A valid value, for the reference.
    default : object, optional
        Default when the key is absent; without one the key is required.
    rules : tuple of callables
        Rules checked in order; the first broken one is reported.
    optional : bool
        If True, None is allowed (and is the default unless one is given).
    factory : callable, optional
        Default factory (for mutable-looking defaults such as tables).
    converter : callable, optional
        attrs converter (used to turn lists into tuples).
    """
    metadata = {"doc": doc, "unit": unit, "example": example, "rules": tuple(rules),
                "optional": optional}
    if optional and default is attrs.NOTHING and factory is None:
        default = None
    kwargs = {"metadata": metadata, "validator": _validator}
    if converter is not None:
        kwargs["converter"] = converter
    if factory is not None:
        kwargs["factory"] = factory
    else:
        kwargs["default"] = default
    return attrs.field(**kwargs)


def _field_problems(obj):
    """Problems of ``obj``'s fields, in field order, and whether its own scalars failed."""
    problems, own_failed = [], False
    for attribute in attrs.fields(type(obj)):
        value = getattr(obj, attribute.name)
        if value is None and attribute.metadata.get("optional"):
            continue
        if value is INVALID:
            own_failed = True
            continue  # already reported where the file was read
        if value is MISSING:
            problems.append(Problem(attribute.name, "is required"))
            own_failed = True
            continue
        if attrs.has(type(value)):
            problems += [p.with_prefix(attribute.name) for p in problems_of(value)]
            continue
        if isinstance(value, tuple) and value and all(
                attrs.has(type(v)) or v is INVALID for v in value):
            for i, item in enumerate(value):
                if item is not INVALID:
                    problems += [p.with_prefix(f"{attribute.name}[{i}]")
                                 for p in problems_of(item)]
            continue
        broken = _run_rules(attribute.metadata.get("rules", ()), value)
        if broken:
            problems.append(Problem(attribute.name, broken, value=value))
            own_failed = True
    return problems, own_failed


def problems_of(obj):
    """Every problem of a tender value object and of what it contains.

    Field rules are checked first, in field order; an object's cross-field
    rules (its ``_cross_problems()`` method) run only when its own scalar
    fields are valid, so a broken field is reported once and not again
    through every rule that reads it. Cross-field rules must therefore
    tolerate invalid *nested* objects (they skip what they cannot read).

    Parameters
    ----------
    obj : attrs instance
        A :class:`~fleetcalc.tender.Tender` or any part of one.

    Returns
    -------
    list of Problem
        Paths relative to ``obj``; errors and warnings.
    """
    problems, own_failed = _field_problems(obj)
    cross = getattr(obj, "_cross_problems", None)
    if cross is not None and not own_failed:
        problems += list(cross())
    return problems


def has_errors(obj):
    """True if ``obj`` is a placeholder or has any error (see :func:`problems_of`)."""
    if obj is MISSING or obj is INVALID:
        return True
    return any(p.severity == "error" for p in problems_of(obj))


def raise_if_errors(problems):
    """Raise :class:`TenderError` if any of ``problems`` is an error."""
    if any(p.severity == "error" for p in problems):
        raise TenderError(problems)
