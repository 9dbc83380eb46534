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

Loading a file builds the objects first and checks them after: inside
:func:`validators_paused` the field rules and the cross-field checks of new
objects do not run. The pause holds for the current thread (or asyncio task)
only, in a :mod:`contextvars` variable, unlike ``attrs.validators.disabled()``,
which switches every validator of the process off.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import math
import numbers
import re
import typing
import weakref

import attrs

from fleetcalc.exceptions import Problem, TenderError, _short_repr

__all__ = [
    "validators_paused",
    "validators_are_paused",
    "MISSING",
    "INVALID",
    "MAX_MAGNITUDE",
    "kind_of",
    "key_label",
    "plural",
    "percent_like",
    "negative_rate",
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
    "integer_list",
    "rate_table",
    "named_paths",
]

_CURRENCY = re.compile(r"^[A-Z]{3}$")

#: Largest magnitude of any number in a tender (the number policy): amounts,
#: rates and parameters alike. Fields have narrower documented ranges; this
#: bound keeps every product of inputs the evaluation forms far below 1e300.
MAX_MAGNITUDE = 1e15


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


def kind_of(value):
    """What a value is, in plain words for messages (no Python type names).

    Examples
    --------
    >>> kind_of("x"), kind_of(1), kind_of(2.5), kind_of([1]), kind_of({})
    ('a text', 'a whole number', 'a number', 'an array', 'a table')
    """
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, str):
        return "a text"
    if isinstance(value, numbers.Integral):
        return "a whole number"
    if isinstance(value, numbers.Real):
        return "a number"
    if isinstance(value, (list, tuple)):
        return "an array"
    if isinstance(value, dict) or attrs.has(type(value)):
        return "a table"
    return "a value of another kind"


_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def key_label(key):
    """A key as a key path shows it: bare when TOML allows, else quoted and escaped.

    Examples
    --------
    >>> key_label("PKR"), key_label(""), key_label("a b")
    ('PKR', '""', '"a b"')
    """
    key = str(key)
    return key if _BARE_KEY.match(key) else json.dumps(key)


def plural(count, word):
    """``"1 year"``, ``"2 years"``.

    Examples
    --------
    >>> plural(1, "year"), plural(30, "year")
    ('1 year', '30 years')
    """
    return f"{count:g} {word}" if count == 1 else f"{count:g} {word}s"


def number(value):
    """A finite real number within ±1e15 (not a bool, text, NaN or infinity)."""
    if not _is_number(value):
        return f"must be a number, not {kind_of(value)}"
    # Compare before converting: an integer beyond float range cannot be converted.
    if isinstance(value, numbers.Integral) and abs(value) > MAX_MAGNITUDE:
        return f"must be between {-MAX_MAGNITUDE:g} and {MAX_MAGNITUDE:g}"
    if not math.isfinite(value):
        return "must be a finite number (NaN and infinity are not allowed)"
    if abs(value) > MAX_MAGNITUDE:
        return f"must be between {-MAX_MAGNITUDE:g} and {MAX_MAGNITUDE:g}"
    return None




def integer(value):
    """A whole number (not a decimal or true/false) within ±1e15."""
    if not (isinstance(value, numbers.Integral) and not isinstance(value, bool)):
        return f"must be a whole number, not {kind_of(value)}"
    if abs(value) > MAX_MAGNITUDE:
        return f"must be between {-MAX_MAGNITUDE:g} and {MAX_MAGNITUDE:g}"
    return None


def text(value):
    """A non-empty text."""
    if not isinstance(value, str):
        return f"must be a text, not {kind_of(value)}"
    if not value.strip():
        return "must not be empty"
    return None


def percent_like(value):
    """Warning: a rate above 1 is likely a percent typed for a decimal."""
    if value > 1:
        return (f"{value:g} looks like a percent: did you mean {value / 100:g}? "
                "(rates are decimals: 0.08 is 8 %)")
    return None


def negative_rate(value):
    """Warning: a negative discount rate weighs future costs above today's."""
    if value < 0:
        return (f"a negative rate weighs future costs more than today's; did you mean "
                f"{-value:g}?")
    return None


def at_least(bound):
    """A number ``>= bound``."""

    def rule(value):
        return None if value >= bound else f"must be >= {bound:g}"

    rule.__doc__ = f">= {bound}"
    rule.describe = f">= {bound:g}"
    return rule


def greater_than(bound):
    """A number ``> bound``."""

    def rule(value):
        return None if value > bound else f"must be > {bound:g}"

    rule.__doc__ = f"> {bound}"
    rule.describe = f"> {bound:g}"
    return rule


def at_most(bound):
    """A number ``<= bound``."""

    def rule(value):
        return None if value <= bound else f"must be <= {bound:g}"

    rule.__doc__ = f"<= {bound}"
    rule.describe = f"<= {bound:g}"
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


def integer_list(*, minimum=None, maximum=None, max_length=None):
    """A list of whole numbers, each in ``[minimum, maximum]``, at most ``max_length`` long."""

    def rule(value):
        if not isinstance(value, (list, tuple)):
            return f"must be an array of whole numbers, not {kind_of(value)}"
        if max_length is not None and len(value) > max_length:
            return f"has {len(value)} items; at most {max_length} are allowed"
        for i, item in enumerate(value):
            broken = integer(item)
            if broken:
                return f"item {i} ({_short(item)}) {broken}"
            if minimum is not None and item < minimum:
                return f"item {i} ({item}) must be >= {minimum}"
            if maximum is not None and item > maximum:
                return f"item {i} ({item}) must be <= {maximum}"
        return None

    bounds = [f">= {minimum}" if minimum is not None else None,
              f"<= {maximum}" if maximum is not None else None,
              f"at most {max_length} items" if max_length is not None else None]
    rule.describe = "each " + " and ".join(b for b in bounds if b) if any(bounds) else None
    return rule


def _short(value):
    return _short_repr(value, limit=40)


#: Largest exchange rate [base currency per unit] (the number policy).
MAX_EXCHANGE_RATE = 1e9


def rate_table(value):
    """A table of currency code -> positive finite number."""
    if not isinstance(value, dict):
        return f"must be a table of currency = rate, not {kind_of(value)}"
    return None


rate_table.describe = f"each rate > 0 and <= {MAX_EXCHANGE_RATE:g}"  # type: ignore[attr-defined]


def _run_rules(rules, value):
    for rule in rules:
        broken = rule(value)
        if broken:
            return broken
    return None


#: True while this thread (or task) builds objects whose rules run later.
_PAUSED: contextvars.ContextVar[bool] = contextvars.ContextVar("fleetcalc_validators_paused",
                                                              default=False)


@contextlib.contextmanager
def validators_paused() -> typing.Iterator[None]:
    """Build value objects without running their rules, in this thread (or task) only.

    The thread-safe replacement for ``attrs.validators.disabled()``: a file is
    structured inside it and checked after with :func:`problems_of`, while
    another thread building an invalid object still gets its error.

    Examples
    --------
    >>> import fleetcalc
    >>> with validators_paused():
    ...     money = fleetcalc.Money(amount=float("nan"), currency="USD")
    >>> print(problems_of(money)[0])
    amount = nan: must be a finite number (NaN and infinity are not allowed)
    """
    token = _PAUSED.set(True)
    try:
        yield
    finally:
        _PAUSED.reset(token)


def validators_are_paused() -> bool:
    """Whether value objects built now skip their rules (:func:`validators_paused`).

    Also true inside ``attrs.validators.disabled()`` (a caller's process-wide switch).
    """
    return _PAUSED.get() or attrs.validators.get_disabled()


def _validator(_instance, attribute, value):
    if _PAUSED.get():
        return
    rules = attribute.metadata.get("rules", ())
    if value is None and attribute.metadata.get("optional"):
        return
    broken = _run_rules(rules, value)
    if broken:
        raise TenderError([Problem(attribute.name, broken, value=value)])


def _range_text(rules):
    """The documented range of a field, from its rules (``">= 0 and <= 1"``)."""
    parts = [getattr(rule, "describe", None) for rule in rules]
    parts = [p for p in parts if p]
    if any(rule in (number, integer) for rule in rules) and not any(
            p.startswith("<") or "<=" in p for p in parts):
        parts.append(f"<= {MAX_MAGNITUDE:g}")
    if any(rule in (number, integer) for rule in rules) and not any(
            p.startswith(">") for p in parts):
        parts.insert(0, f">= {-MAX_MAGNITUDE:g}")
    return " and ".join(parts) or None


def spec(doc, *, unit=None, example=None, default=attrs.NOTHING, rules=(), optional=False,
         factory=None, converter=None, warnings=()):
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
    warnings : tuple of callables
        Plausibility checks ``check(value) -> str | None``, run when every rule
        holds; a text is reported as a warning (the value is used as given).

    Notes
    -----
    The metadata record ``range`` (the documented range, from the rules'
    ``describe`` texts) is shown in the tender-file reference.
    """
    metadata = {"doc": doc, "unit": unit, "example": example, "rules": tuple(rules),
                "optional": optional, "warnings": tuple(warnings),
                "range": _range_text(rules)}
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
    """Problems of ``obj``'s fields, in field order, and whether any part is broken.

    Returns ``(problems, own_failed, broken)``: ``own_failed`` when one of
    ``obj``'s own scalars is missing or breaks a rule, ``broken`` when that or
    any part it holds is missing, in the wrong shape or has an error.
    """
    problems, own_failed, broken = [], False, False
    for attribute in attrs.fields(type(obj)):
        value = getattr(obj, attribute.name)
        if value is None and attribute.metadata.get("optional"):
            continue
        if value is INVALID:
            own_failed = broken = True
            continue  # already reported where the file was read
        if value is MISSING:
            problems.append(Problem(attribute.name, "is required"))
            own_failed = broken = True
            continue
        if attrs.has(type(value)):
            sub, sub_broken = _problems_and_state(value)
            problems += [p.with_prefix(attribute.name) for p in sub]
            broken = broken or sub_broken
            continue
        if isinstance(value, tuple) and value and all(
                attrs.has(type(v)) or v is INVALID or v is MISSING for v in value):
            for i, item in enumerate(value):
                if item is INVALID or item is MISSING:
                    broken = True
                    continue
                sub, sub_broken = _problems_and_state(item)
                problems += [p.with_prefix(f"{attribute.name}[{i}]") for p in sub]
                broken = broken or sub_broken
            continue
        if isinstance(value, tuple) and any(v is INVALID or v is MISSING for v in value):
            own_failed = broken = True  # an array of tables given partly as scalars
            continue
        rule_broken = _run_rules(attribute.metadata.get("rules", ()), value)
        if rule_broken and rule_broken.startswith("must be between") and (
                attribute.metadata.get("range")):
            rule_broken = f"must be {attribute.metadata['range']}"  # the field's own range
        if rule_broken:
            problems.append(Problem(attribute.name, rule_broken, value=value))
            own_failed = broken = True
            continue
        for check in attribute.metadata.get("warnings", ()):
            said = check(value)
            if said:
                problems.append(Problem(attribute.name, said, value=value,
                                        severity="warning"))
    return problems, own_failed, broken


#: ``id(obj) -> (weak reference, problems, broken)``: a frozen value object's problems
#: never change, and reading a tender, its warnings and ``evaluate`` all check the same
#: object (a third of ``fleetcalc compare``'s own time before this cache). An entry
#: leaves with its object.
_CHECKED: dict = {}


def _problems_and_state(obj):
    """``(problems, broken)`` of ``obj`` (see :func:`problems_of`), once per object."""
    key = id(obj)
    entry = _CHECKED.get(key)
    if entry is not None and entry[0]() is obj:
        return list(entry[1]), entry[2]
    problems, broken = _checked_problems_and_state(obj)
    try:
        ref = weakref.ref(obj, lambda _, key=key: _CHECKED.pop(key, None))
    except TypeError:   # no weak references (not a value object): not cached
        return problems, broken
    _CHECKED[key] = (ref, tuple(problems), broken)
    return problems, broken


def _checked_problems_and_state(obj):
    problems, own_failed, broken = _field_problems(obj)
    cross = getattr(obj, "_cross_problems", None)
    # Cross-field rules read the parts they span: they run on a whole, sound
    # object only, never on the placeholder of a broken part. A class whose
    # rules guard every part themselves (the Tender, so that one broken bid
    # does not hide the problems of the others) says so.
    tolerant = getattr(obj, "_cross_tolerates_broken_parts", False)
    if cross is not None and not own_failed and (tolerant or not broken):
        problems += list(cross())
    broken = broken or any(p.severity == "error" for p in problems)
    return problems, broken


def problems_of(obj):
    """Every problem of a tender value object and of what it contains.

    Field rules are checked first, in field order; an object's cross-field
    rules (its ``_cross_problems()`` method) run only when its own fields and
    every part it holds are valid, so a broken field is reported once and not
    again through every rule that reads it, and no rule ever reads the
    placeholder of a part given in the wrong shape. (The :class:`Tender`'s
    rules guard each bid, cohort and the settings themselves, with
    :func:`has_errors`.) Plausibility warnings of a field run when its rules
    hold.

    Parameters
    ----------
    obj : attrs instance
        A :class:`~fleetcalc.tender.Tender` or any part of one.

    Returns
    -------
    list of Problem
        Paths relative to ``obj``; errors and warnings.
    """
    return _problems_and_state(obj)[0]


def has_errors(obj):
    """True if ``obj`` is a placeholder, holds one, or has any error (see :func:`problems_of`)."""
    if obj is MISSING or obj is INVALID or not attrs.has(type(obj)):
        return True
    return _problems_and_state(obj)[1]


def raise_if_errors(problems):
    """Raise :class:`TenderError` if any of ``problems`` is an error."""
    if any(p.severity == "error" for p in problems):
        raise TenderError(problems)


_ITEM_PATH = re.compile(r"^(bids|fleet)\[(\d+)\]")


def _item_names(items, key):
    """Index -> name for the items whose name can stand in a key path."""
    if not isinstance(items, (list, tuple)):
        return {}
    names = [item.get(key) if isinstance(item, dict) else getattr(item, key, None)
             for item in items]
    return {i: name for i, name in enumerate(names)
            if isinstance(name, str) and name and name == name.strip() and len(name) <= 80
            and name.isprintable() and not set(name) & set("[]\"") and names.count(name) == 1}


def named_paths(problems, *, bids=(), fleet=()):
    """Problems with ``bids[2]`` and ``fleet[0]`` named by bidder and cohort name.

    The key-path syntax is the one ``[[uncertainty]]`` uses:
    ``bids[CRRC Ziyang].unit_price``. A bid keeps its position (counted from 0)
    when its bidder is missing, not a text, duplicated, or holds characters a
    key path cannot show (brackets, quotes, control characters).

    Parameters
    ----------
    problems : iterable of Problem
    bids, fleet : sequence
        The bids and cohorts, as value objects or as the file's tables.

    Returns
    -------
    list of Problem

    Examples
    --------
    >>> from fleetcalc.exceptions import Problem
    >>> [str(p) for p in named_paths([Problem("bids[1].unit_price", "must be >= 0", value=-1)],
    ...                              bids=[{"bidder": "A"}, {"bidder": "CRRC Ziyang"}])]
    ['bids[CRRC Ziyang].unit_price = -1: must be >= 0']
    """
    names = {"bids": _item_names(bids, "bidder"), "fleet": _item_names(fleet, "name")}
    named = []
    for problem in problems:
        match = _ITEM_PATH.match(problem.path)
        if match and int(match.group(2)) in names[match.group(1)]:
            name = names[match.group(1)][int(match.group(2))]
            problem = attrs.evolve(
                problem, path=f"{match.group(1)}[{name}]{problem.path[match.end():]}")
        named.append(problem)
    return named
