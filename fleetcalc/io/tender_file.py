"""Read and write tender files (TOML).

:func:`read_tender` reads a file, :func:`parse_tender` parses TOML text, and
:func:`dumps_tender` / :func:`write_tender` write a tender back. Reading
checks the file's shape against the attrs classes of :mod:`fleetcalc.tender`
(unknown keys with the nearest valid name, missing keys, tables and arrays
where they belong), structures it with cattrs with the validators paused,
then checks every rule at once: one :class:`~fleetcalc.exceptions.TenderError`
carries every problem, each with file, key path, value and rule. Nothing in a
file is executed.

Input size is bounded before parsing: a file larger than
:data:`MAX_FILE_BYTES`, or arrays and inline tables nested deeper than
:data:`MAX_NESTING`, are refused with a clear error, never a ``MemoryError``
or ``RecursionError``. Bids and cohorts are named in key paths by bidder and
cohort name (``bids[CRRC Ziyang].unit_price``).
"""

from __future__ import annotations

import difflib
import os
import tomllib
import types
import typing
from pathlib import Path

import attrs
import cattrs
import tomli_w
from cattrs.gen import make_dict_structure_fn

from fleetcalc.exceptions import Problem, TenderError
from fleetcalc.money import Money
from fleetcalc.tender import Tender
from fleetcalc.validation import (
    INVALID,
    MISSING,
    key_label,
    named_paths,
    problems_of,
    validators_paused,
)

__all__ = ["read_tender", "parse_tender", "dumps_tender", "write_tender", "structure_tender",
           "MAX_FILE_BYTES", "MAX_NESTING"]

#: Largest tender file read [byte] (the example is about 20 kB).
MAX_FILE_BYTES = 2 * 1024 * 1024

#: Deepest nesting of arrays and inline tables in a tender file (a correlation
#: matrix needs 2; the TOML parser recurses once per level).
MAX_NESTING = 16



def _nesting_depth(text):
    """Deepest nesting of ``[`` and ``{`` in TOML values, outside strings and comments.

    A table header (``[tender]``, ``[[bids]]``) counts 1 or 2; a cheap scan
    that stops at the first level beyond :data:`MAX_NESTING`, before the
    recursive parser sees the text.

    Examples
    --------
    >>> _nesting_depth("a = [[1, 2], [3]]\\nb = '[[[['")
    2
    """
    depth = deepest = 0
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in "\"'":
            triple = text[i:i + 3] == c * 3
            end = text.find(c * 3 if triple else c, i + (3 if triple else 1))
            while c == '"' and end > 0 and not triple and text[end - 1] == "\\" and (
                    len(text[i + 1:end]) - len(text[i + 1:end].rstrip("\\"))) % 2:
                end = text.find(c, end + 1)
            if end < 0:
                return deepest  # an unterminated string: the parser reports it
            i = end + (3 if triple else 1)
            continue
        if c == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        if c in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_NESTING:
                return deepest
        elif c in "]}":
            depth = max(depth - 1, 0)
        i += 1
    return deepest


_key_label = key_label


def _kind(annotation):
    """("table", cls), ("array", cls), ("money", Money) or ("scalar", None)."""
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) in (types.UnionType, typing.Union) and len(args) == 1:
        annotation = args[0]  # an optional table is checked like a table
    if isinstance(annotation, type) and attrs.has(annotation):
        return "table", annotation
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is tuple and args and isinstance(args[0], type) and attrs.has(args[0]):
        return "array", args[0]
    if origin in (types.UnionType, typing.Union) and Money in args:
        return "money", Money
    return "scalar", None


#: Most tables an array of tables (``[[bids]]``, ``payments``, ...) may hold; a longer
#: array is one problem, and its items are not checked one by one.
MAX_TABLES_IN_ARRAY = 1000


def _required(attribute):
    return attribute.default is attrs.NOTHING


def _shape(raw, cls, path):
    """Check ``raw`` against ``cls``; return (cleaned dict, problems)."""
    problems = []
    names = [a.name for a in attrs.fields(cls)]
    for key in raw:
        if key not in names:
            close = difflib.get_close_matches(key, names, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else (
                f"; valid keys: {', '.join(names)}")
            problems.append(Problem(_join(path, _key_label(key)), f"unknown key{hint}"))
    cleaned = {}
    hints = typing.get_type_hints(cls)
    for attribute in attrs.fields(cls):
        name = attribute.name
        where = _join(path, name)
        if name not in raw:
            if _required(attribute):
                cleaned[name] = MISSING
            continue
        value = raw[name]
        kind, inner = _kind(hints[name])
        if kind == "table" or (kind == "money" and isinstance(value, dict)):
            if isinstance(value, dict):
                cleaned[name], sub = _shape(value, inner, where)
                problems += sub
            else:
                problems.append(Problem(where, "must be a table", value=value))
                cleaned[name] = INVALID
        elif kind == "array":
            if isinstance(value, list) and len(value) > MAX_TABLES_IN_ARRAY:
                # one problem, not one per item: a hostile file cannot make the check slow
                problems.append(Problem(where, f"has {len(value)} items; at most "
                                               f"{MAX_TABLES_IN_ARRAY} are allowed"))
                cleaned[name] = INVALID
            elif isinstance(value, list):
                items = []
                for i, item in enumerate(value):
                    if isinstance(item, dict):
                        item, sub = _shape(item, inner, f"{where}[{i}]")
                        problems += sub
                    else:
                        problems.append(Problem(f"{where}[{i}]", "must be a table",
                                                value=item))
                        item = INVALID
                    items.append(item)
                cleaned[name] = items
            else:
                problems.append(Problem(where, "must be an array of tables", value=value))
                cleaned[name] = INVALID
        else:
            cleaned[name] = value
    return cleaned, problems


def _join(path, key):
    return f"{path}.{key}" if path else key


def _passthrough(value, _type):
    return value


def _make_converter():
    converter = cattrs.Converter()
    # Scalars are kept as the file gives them: the tender's rules report a
    # string where a number belongs, rather than cattrs silently converting it.
    for scalar in (float, int, str, bool, dict, tuple):
        converter.register_structure_hook(scalar, _passthrough)

    def is_money_union(annotation):
        return typing.get_origin(annotation) in (types.UnionType, typing.Union) and (
            Money in typing.get_args(annotation))

    def structure_money(value, annotation):
        if isinstance(value, dict):
            return converter.structure(value, Money)
        return value

    converter.register_structure_hook_func(is_money_union, structure_money)

    def placeholder_aware(cls):
        inner = make_dict_structure_fn(cls, converter)

        def hook(value, _type):
            if value is MISSING or value is INVALID:
                return value
            return inner(value, cls)

        return hook

    converter.register_structure_hook_factory(attrs.has, placeholder_aware)

    def is_array_of_tables(annotation):
        return _kind(annotation)[0] == "array"

    def array_hook(annotation):
        item = _kind(annotation)[1]

        def hook(value, _type):
            if value is MISSING or value is INVALID or value is None:
                return value
            return tuple(converter.structure(v, item) for v in value)

        return hook

    converter.register_structure_hook_factory(is_array_of_tables, array_hook)
    converter.register_unstructure_hook(
        Money, lambda m: {"amount": m.amount, "currency": m.currency})
    return converter


_CONVERTER = _make_converter()


def structure_tender(raw, *, source=None):
    """Build a :class:`~fleetcalc.tender.Tender` from plain data (parsed TOML).

    Parameters
    ----------
    raw : dict
        ``{"tender": {...}, "bids": [...]}`` as :mod:`tomllib` returns it.
    source : str, optional
        Name of the file, put on every problem.

    Returns
    -------
    Tender

    Raises
    ------
    TenderError
        With every problem found, errors and warnings.
    """
    cleaned, problems = _shape(raw, Tender, "")
    with validators_paused():
        tender = _CONVERTER.structure(cleaned, Tender)
    problems += problems_of(tender)
    problems = named_paths(problems, bids=raw.get("bids", ()), fleet=raw.get("fleet", ()))
    problems = [attrs.evolve(p, source=source) for p in problems]
    if any(p.severity == "error" for p in problems):
        raise TenderError(problems)
    return tender


def parse_tender(text: str, *, source: str | None = None) -> Tender:
    """Parse a tender from TOML text.

    Parameters
    ----------
    text : str
        The TOML document.
    source : str, optional
        File name for messages.

    Returns
    -------
    Tender

    Raises
    ------
    TenderError
        On a TOML syntax error (with its line and column) or any invalid value.

    Examples
    --------
    >>> try:
    ...     parse_tender("[tender]\\nname = 'x'\\n", source="t.toml")
    ... except TenderError as error:
    ...     print(*error.problems[:2], sep="\\n")
    t.toml: tender.base_currency: is required
    t.toml: tender.evaluation_year: is required
    """
    if _nesting_depth(text) > MAX_NESTING:
        raise TenderError([Problem("", f"arrays or inline tables are nested more than "
                                       f"{MAX_NESTING} levels deep", source=source)])
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TenderError([Problem("", f"TOML syntax error: {exc}", source=source)]) from None
    except ValueError as exc:  # e.g. an integer literal of more than 4300 digits
        raise TenderError([Problem("", f"TOML value cannot be read: {exc}",
                                   source=source)]) from None
    except RecursionError:  # pragma: no cover - the nesting bound comes first
        raise TenderError([Problem("", "the file is nested too deeply", source=source)]) from None
    deep = _too_deep(raw)
    if deep:
        raise TenderError([Problem("", f"tables are nested more than {MAX_NESTING} levels "
                                       f"deep (at {deep[:80]}...)", source=source)])
    return structure_tender(raw, source=source)


def _too_deep(raw):
    """The key path where parsed data nest beyond :data:`MAX_NESTING`, or None.

    Table headers such as ``[a.b.c.d...]`` nest without brackets in values;
    checked iteratively on the parsed data.
    """
    stack = [(raw, "", 0)]
    while stack:
        node, path, depth = stack.pop()
        if depth > MAX_NESTING:
            return path or "(file)"
        if isinstance(node, dict):
            stack += [(v, _join(path, _key_label(str(k))), depth + 1) for k, v in node.items()]
        elif isinstance(node, list):
            stack += [(v, f"{path}[{i}]", depth + 1) for i, v in enumerate(node)]
    return None


def read_tender(path: str | os.PathLike[str]) -> Tender:
    """Read a tender file.

    Parameters
    ----------
    path : str or os.PathLike
        A TOML tender file.

    Returns
    -------
    Tender

    Raises
    ------
    TenderError
        If the file cannot be read or has any problem.

    Examples
    --------
    >>> tender = read_tender("examples/pakistan_locomotives_2026.toml")
    >>> tender.tender.base_currency
    'USD'
    """
    path = Path(path)
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise TenderError([Problem("", f"is larger than {MAX_FILE_BYTES // 1024 // 1024} "
                                       "MiB; a tender file is a few tens of kB",
                                       source=str(path))])
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise TenderError([Problem("", f"cannot read the file: {reason}",
                                   source=str(path))]) from None
    return parse_tender(text, source=str(path))


def _drop_none(value):
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [_drop_none(v) for v in value]
    return value


def dumps_tender(tender: Tender) -> str:
    """Write a tender as TOML text that :func:`parse_tender` reads back identically.

    Examples
    --------
    >>> tender = read_tender("examples/pakistan_locomotives_2026.toml")
    >>> parse_tender(dumps_tender(tender)) == tender
    True
    """
    return tomli_w.dumps(_drop_none(_CONVERTER.unstructure(tender)))


def write_tender(tender: Tender, path: str | os.PathLike[str]) -> None:
    """Write a tender to a TOML file (see :func:`dumps_tender`)."""
    Path(path).write_text(dumps_tender(tender), encoding="utf-8")
