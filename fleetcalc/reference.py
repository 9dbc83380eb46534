"""The tender-file reference, generated from the attrs classes' field specs.

Each field of the tender classes is declared with
:func:`fleetcalc.validation.spec`; this module turns those declarations into
the Markdown tables of the documentation, so the reference cannot drift from
the code (a test fails if a key has no documentation).
"""

from __future__ import annotations

import json
import typing

import attrs

from fleetcalc.money import Money
from fleetcalc.uncertainty import Correlation, UncertainInput
from fleetcalc.tender import (
    Ageing,
    Bid,
    BidEvaluation,
    EvaluationRules,
    Financing,
    Guarantees,
    PriceAdjustment,
    PricedAdjustment,
    PriceIndices,
    Cohort,
    Commonality,
    Demand,
    Escalation,
    PaymentMilestone,
    Prices,
    Tender,
    TenderSettings,
)

__all__ = ["TABLES", "field_rows", "tender_file_reference"]

#: (TOML table path, class) for every table of a tender file, in document order.
TABLES = (
    ("[tender]", TenderSettings),
    ("[tender.prices]", Prices),
    ("[tender.escalation]", Escalation),
    ("[tender.demand]", Demand),
    ("[tender.commonality]", Commonality),
    ("[tender.evaluation]", EvaluationRules),
    ("[tender.price_adjustment]", PriceIndices),
    ("[[bids]]", Bid),
    ("[[bids]].payments[]", PaymentMilestone),
    ("[bids.financing]", Financing),
    ("[bids.evaluation]", BidEvaluation),
    ("[bids.evaluation].priced_adjustments[]", PricedAdjustment),
    ("[bids.guarantees]", Guarantees),
    ("[bids].price_adjustment", PriceAdjustment),
    ("[[fleet]]", Cohort),
    ("ageing (in [[bids]] and [[fleet]])", Ageing),
    ("[[uncertainty]]", UncertainInput),
    ("[correlation]", Correlation),
)

_NESTED = {Tender}


def _type_name(annotation):
    """The TOML type of a field, in words (no ``|``: it would split a table cell)."""
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if Money in args or annotation is Money:
        return "money: number or {amount, currency}"
    if typing.get_origin(annotation) is tuple or annotation is tuple:
        inner = typing.get_args(annotation)
        return "array of tables" if inner and attrs.has(inner[0]) else "array of integers"
    if args and len(args) == 1:
        annotation = args[0]
    if attrs.has(annotation) or annotation is dict:
        return "table"
    return {str: "string", int: "integer", float: "number", bool: "boolean"}.get(
        annotation, getattr(annotation, "__name__", str(annotation)))


def _default(attribute):
    default = attribute.default
    if default is attrs.NOTHING:
        return "required"
    if isinstance(default, attrs.Factory):
        value = default.factory()
        if attrs.has(type(value)):
            return "all defaults"
        if isinstance(value, tuple) and value and attrs.has(type(value[0])):
            return json.dumps([attrs.asdict(v) for v in value])
        return json.dumps(value) if not isinstance(value, dict) or value else "{} (none)"
    if default is None:
        return "absent"
    return json.dumps(default)


def field_rows(cls):
    """``(key, type, unit, default, meaning, example)`` for each field of ``cls``."""
    hints = typing.get_type_hints(cls)
    rows = []
    for attribute in attrs.fields(cls):
        meta = attribute.metadata
        example = meta.get("example")
        doc = meta.get("doc", "") + (f" Range: `{meta['range']}`." if meta.get("range") else "")
        rows.append((attribute.name, _type_name(hints[attribute.name]), meta.get("unit") or "",
                     _default(attribute), doc,
                     "" if example is None else json.dumps(example)))
    return rows


def tender_file_reference():
    """Markdown tables of every key of a tender file.

    Examples
    --------
    >>> text = tender_file_reference()
    >>> "| `discount_rate` |" in text
    True
    """
    parts = []
    for table, cls in TABLES:
        parts.append(f"### `{table}`\n\n{(cls.__doc__ or '').strip().splitlines()[0]}\n")
        parts.append("| Key | Type | Unit | Default | Meaning | Example |")
        parts.append("|---|---|---|---|---|---|")
        for key, type_, unit, default, doc, example in field_rows(cls):
            unit = f"[{unit}]" if unit else ""
            example = f"`{example}`" if example else ""
            parts.append(f"| `{key}` | {type_} | {unit} | {default} | {doc} | {example} |")
        parts.append("")
    return "\n".join(parts)
