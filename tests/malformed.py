"""A seeded, bounded generator of malformed tender files, and the fuzz oracle.

Used by ``tests/test_fuzz.py`` (a few hundred cases in the normal run) and by
``benchmarks/fuzz_tenders.py`` (10,000 and more). Each case starts from a valid
tender (the example, or a small one) and applies one to three mutations:
deleted keys, wrong types, extreme and non-finite values, wrong shapes, tables
as scalars and scalars as tables, control characters in keys and names, huge
and deep structures, and broken TOML syntax. The case is run through the
command line's own entry point, in-process, and judged by :func:`judge`:

* exit 2 with every error line naming a key path (or the file), or
* exit 0 with output whose every number is finite and whose every ``null``
  is explained (a ``null_reasons`` entry next to it, or a documented meaning
  in :data:`fleetcalc.result.DOCUMENTED_NULLS`);
* never an uncaught exception, never more than ``timeout`` seconds.
"""

from __future__ import annotations

import copy
import io
import json
import math
import random
import re
import signal
import tempfile
import textwrap
import tomllib
import traceback
from pathlib import Path

import tomli_w

from tests.hand_cases import SMALL_TENDER_SETTINGS

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "pakistan_locomotives_2026.toml"

SMALL = SMALL_TENDER_SETTINGS + textwrap.dedent("""\
    [tender.demand]
    units_in_service = 4
    shortfall_cost_per_unit_day = 2600

    [tender.evaluation]
    required_delivery = [2, 4]
    delivery_adjustment_per_week = 0.001
    required_payments = [{ event = "delivery", share = 0.9 }, { event = "acceptance", share = 0.1 }]
    payment_deviation_rate = 0.08
    technical_weight = 0.3

    [[bids]]
    bidder = "A"
    model = "M1"
    currency = "USD"
    unit_price = 3_900_000
    quantity = 3
    delivery = [1, 2]
    payments = [{ event = "signing", share = 0.1 }, { event = "delivery", share = 0.9 }]
    fuel_litres_per_km = 4.6
    maintenance_per_km = 1.10
    service_life_years = 30
    overhaul_interval_years = 8
    overhaul_cost = 600000
    mtbf_hours = 1500
    mean_downtime_hours = 36
    evaluation = { technical_score = 80, priced_adjustments = [{ name = "x", amount = 1000 }] }
    guarantees = { availability = 0.9, damages_per_point = 100000 }
    ageing = { failure_rate_growth = 0.03, maintenance_cost_growth = 0.02 }

    [bids.financing]
    share = 0.85
    interest_rate = 0.055
    tenor_years = 12
    grace_years = 4

    [[bids]]
    bidder = "B"
    model = "M2"
    currency = "PKR"
    unit_price = 1_000_000_000
    quantity = 3
    delivery = [3]
    fuel_litres_per_km = 5.0
    maintenance_per_km = 300
    service_life_years = 30
    mtbf_hours = 1200
    evaluation = { technical_score = 70 }

    [[fleet]]
    name = "Old"
    model = "U20C"
    units = 5
    year_built = 2000
    service_life_years = 35
    fuel_litres_per_km = 5.5
    maintenance_per_km = 2.0
    mtbf_hours = 800

    [[uncertainty]]
    input = "tender.prices.diesel_per_litre"
    distribution = "triangular"
    low = 0.8
    mode = 1.0
    high = 1.3
    scale = "relative"

    [[uncertainty]]
    input = "bids[*].mtbf_hours"
    distribution = "normal"
    mean = 1.0
    std = 0.1
    low = 0.5
    high = 1.5
    scale = "relative"
    """)

#: Values put in place of a leaf: wrong types, extremes, non-finite, odd text.
BAD_VALUES = [
    "", " ", "x", "7", "USD", "\x1b[31mred\x1b[0m", "line\nerror: forged", "\u202eevil",
    "=HYPERLINK(\"x\")", True, False, [], [1], [[1]], ["a"], [True], {}, {"a": 1},
    {"amount": 1}, 0, -1, 1, 2, 7, 100, 10**6, 2**31, 2**53, 2**63 - 1, 10**30, 10**400,
    -(10**400), 0.0, -0.0, -1e-9, 1e-9, 5e-324, 1e-300, 1e300, 1.7e308, -1.7e308,
    math.nan, math.inf, -math.inf, 0.5, 1 - 1e-9, 1 + 1e-9, 8e98, -0.5, 3.5,
]

#: In-range extremes a number is set to (the evaluation must stay finite).
EDGE_VALUES = [0, 1, 1e-6, 0.999999, -0.5, 10, 100, 365, 8760, 20_000, 1e6, 1e7, 1e9, 1e15,
               2200, 1900]

#: Text keys: control characters, empty, unknown.
BAD_KEYS = ["", " ", "\x1b[2J", "a\nerror: forged", "\u202ekey", "bidderx", "tender", "0"]

#: Factors a number is multiplied by.
FACTORS = [0, -1, 1e-300, 1e-9, 1e3, 1e9, 1e30, 1e100, 1e300, 100, 2**53]


def _paths(node, prefix=()):
    """Every (path, value) in a parsed TOML document."""
    yield prefix, node
    if len(prefix) > 12:
        return
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node[:20]):
            yield from _paths(value, (*prefix, i))


def _get(doc, path):
    for key in path:
        doc = doc[key]
    return doc


def _set(doc, path, value):
    _get(doc, path[:-1])[path[-1]] = value


def _delete(doc, path):
    parent = _get(doc, path[:-1])
    if isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent.pop(path[-1])


def _deep(depth, *, table):
    value = 1
    for _ in range(depth):
        value = {"a": value} if table else [value]
    return value


def mutate_document(doc, rng):
    """Apply one structural mutation to a parsed document (in place); return a label."""
    paths = [p for p, _ in _paths(doc) if p]
    path = rng.choice(paths)
    value = _get(doc, path)
    op = rng.choice(["delete", "bad", "bad", "bad", "scale", "shape", "key", "deep", "dup",
                     "big", "empty", "edge", "edge", "edge"])
    if op == "delete":
        _delete(doc, path)
    elif op == "bad":
        _set(doc, path, copy.deepcopy(rng.choice(BAD_VALUES)))
    elif op == "scale" and isinstance(value, (int, float)) and not isinstance(value, bool):
        factor = rng.choice(FACTORS)
        new = value * factor
        if isinstance(value, int) and isinstance(factor, int):
            new = int(new)
        _set(doc, path, new)
    elif op == "edge" and isinstance(value, (int, float)) and not isinstance(value, bool):
        new = rng.choice(EDGE_VALUES)
        _set(doc, path, int(new) if isinstance(value, int) and new == int(new) else new)
    elif op == "shape":
        if isinstance(value, dict):
            _set(doc, path, rng.choice([1, "x", True, [value], [1, 2]]))
        elif isinstance(value, list):
            _set(doc, path, rng.choice([1, "x", {"a": 1}, value[:1] * 3, []]))
        else:
            _set(doc, path, rng.choice([{"amount": value}, [value], {"x": value}, [value] * 2]))
    elif op == "key" and isinstance(value, dict):
        value[rng.choice(BAD_KEYS)] = rng.choice(BAD_VALUES[:8] + [1, 2.5])
    elif op == "deep":
        _set(doc, path, _deep(rng.choice([50, 500, 5000]), table=rng.random() < 0.5))
    elif op == "dup" and isinstance(doc.get("bids"), list) and doc["bids"]:
        bid = copy.deepcopy(rng.choice(doc["bids"]))
        if isinstance(bid, dict):
            bid["bidder"] = rng.choice(["Z", "A", "\x07bell", "Zz"])
            if isinstance(bid.get("quantity"), int):
                bid["quantity"] = max(1, bid["quantity"] - 1)
                if isinstance(bid.get("delivery"), list) and bid["delivery"]:
                    bid["delivery"] = [bid["quantity"]]
        doc["bids"].append(bid)
    elif op == "big" and isinstance(value, list):
        _set(doc, path, [rng.choice([0, 1, 2**53, 10**12])] * rng.choice([2, 1000, 100_000]))
    elif op == "empty" and isinstance(value, (dict, list)):
        _set(doc, path, type(value)())
    else:
        _set(doc, path, copy.deepcopy(rng.choice(BAD_VALUES)))
        op = "bad"
    return f"{op} {'.'.join(map(str, path))}"


def _dumps(doc):
    """TOML text of a mutated document (its own serialiser cannot write every value)."""
    try:
        return tomli_w.dumps(doc)
    except (TypeError, ValueError, RecursionError):
        return "broken = [\n"


def mutate_text(text, rng):
    """Apply one textual mutation (broken syntax, huge literals, deep nesting); return it."""
    op = rng.choice(["truncate", "insert", "deep", "huge_int", "long", "nul", "dupkey",
                     "bom", "emptykey"])
    if op == "truncate":
        return text[: rng.randrange(len(text))], op
    if op == "insert":
        at = rng.randrange(len(text))
        return text[:at] + rng.choice(["[", "]", "=", "\"", "{", "\x00", "\x1b", "\n[[bids]]\n",
                                       "'''", "\\"]) + text[at:], op
    if op == "deep":
        depth = rng.choice([100, 1000, 20_000])
        opener, closer = ("[", "]") if rng.random() < 0.5 else ("{a=", "}")
        return text + f"\ndeep = {opener * depth}1{closer * depth}\n", op
    if op == "huge_int":
        return text.replace("= 30\n", f"= {'9' * rng.choice([20, 400, 5000])}\n", 1), op
    if op == "long":
        return text.replace('name = "T"', 'name = "' + "x" * 100_000 + '"', 1), op
    if op == "nul":
        return text + "\x00" * 10, op
    if op == "dupkey":
        return text.replace("[tender]\n", "[tender]\nname = 'dup'\n", 1), op
    if op == "bom":
        return "\ufeff" + text, op
    return text.replace("[tender]\n", '[tender]\n"" = 1\n', 1).replace(
        "[tender.prices]", '[tender.prices]\n"\x1b" = 2', 1), op


class Timeout(Exception):
    """A case ran longer than its time bound."""


def _alarm(signum, frame):
    raise Timeout


def make_case(rng, *, bases):
    """One malformed tender: (label, TOML text, command-line arguments before the file)."""
    name, text = rng.choice(bases)
    command = rng.choices(
        [["validate"], ["compare", "--format", "json"], ["compare", "--format", "csv"],
         ["compare"], ["simulate", "--draws", "20", "--format", "json", "--no-progress"]],
        weights=[3, 5, 1, 1, 1])[0]
    labels = [name]
    if rng.random() < 0.15:
        text, op = mutate_text(text, rng)
        labels.append(op)
    else:
        doc = tomllib.loads(text)
        for _ in range(rng.choice([1, 1, 2, 3])):
            try:
                labels.append(mutate_document(doc, rng))
            except RecursionError:  # a deep structure from an earlier mutation: stop there
                break
        text = _dumps(doc)
    return " | ".join(labels), text, command


def _walk_json(node, path, bad, inherited=None):
    if isinstance(node, dict):
        # a row's ``null_reasons`` also explains the nulls of its ``values``
        # (rows of ``evaluation_table``: {bidder: value})
        explained = {**(inherited or {}), **(node.get("null_reasons") or {})}
        from fleetcalc.result import DOCUMENTED_NULLS, UNEXPLAINED

        for key, value in node.items():
            if value is None and key not in explained and key not in DOCUMENTED_NULLS:
                bad.append(f"unexplained null at {path}.{key}")
            if key in explained and explained[key] == UNEXPLAINED:
                bad.append(f"null without a rule's reason at {path}.{key}")
            _walk_json(value, f"{path}.{key}", bad,
                       (node.get("null_reasons") or {}) if key == "values" else None)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            _walk_json(value, f"{path}[{i}]", bad)
    elif isinstance(node, float) and not math.isfinite(node):
        bad.append(f"non-finite number at {path}")


#: A key path: keys (bare or quoted) joined by dots, items in brackets, then
#: " = value: rule" or ": rule".
_KEY_PATH = re.compile(r'^(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*")(?:\[[^\]\n]*\])*'
                       r'(?:\.(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*")(?:\[[^\]\n]*\])*)*'
                       r'(?= = |: )')

#: Whole-file problems, the only ones without a key path.
_FILE_LEVEL = ("TOML syntax error", "TOML value cannot be read", "nested more than",
               "is larger than", "cannot read the file")


def key_path_of(line, source):
    """The key path an ``error:`` line names (None if it names none)."""
    if source and line.startswith(f"{source}: "):  # the CLI's "FILE: error: ..." form
        line = line[len(source) + 2:]
    body = line[len("error:"):].strip()
    if source and body.startswith(f"{source}: "):
        body = body[len(source) + 2:]
    if body.startswith("(file): "):
        return "(file)" if any(w in body for w in _FILE_LEVEL) else None
    match = _KEY_PATH.match(body)
    return match.group(0) if match else None


def judge(code, out, err, command, *, source=None):
    """``(verdict, detail)``: ``ok``, ``exit2``, or a failure kind with its detail."""
    if code == 2:
        lines = [line for line in err.splitlines()
                 if line.startswith("error:") or (source and line.startswith(f"{source}: error:"))]
        if not lines:
            return "bad_message", err[-500:]
        for line in lines:
            if key_path_of(line, source) is None:
                return "bad_message", line[:300]
        for word in ("not str", "not int", "not float", "not dict", "not list", "not bool",
                     "1 years", "Traceback"):
            if word in err:
                return "bad_message", word
        return "exit2", None
    if code != 0:
        return "bad_exit", f"exit {code}: {err[-500:]}"
    if "json" in command:
        bad = []
        try:
            data = json.loads(out, parse_constant=lambda name: bad.append(name))
        except ValueError as exc:
            return "bad_output", f"invalid JSON: {exc}"
        _walk_json(data, "$", bad)
        if bad:
            return "unexplained", "; ".join(bad[:3])
    else:
        for word in ("inf", "nan", "NaN"):
            for token in out.replace(",", " ").split():
                if token.lower().strip("-+") == word.lower():
                    return "unexplained", f"{word} in {command[0]} output"
    return "ok", None


def run_case(text, command, *, timeout=10.0, folder=None):
    """Run one case through :func:`fleetcalc.cli.main`; return ``(verdict, detail)``."""
    from fleetcalc.cli import main

    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        path = Path(tmp) / "fuzz.toml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        out, err = io.StringIO(), io.StringIO()
        previous = signal.signal(signal.SIGALRM, _alarm)
        signal.setitimer(signal.ITIMER_REAL, timeout)
        try:
            code = main([*command, str(path)], stdout=out, stderr=err)
        except Timeout:
            return "hang", None
        except SystemExit as exc:
            code = exc.code
        except BaseException as exc:
            if isinstance(exc, KeyboardInterrupt):
                raise
            tb = traceback.extract_tb(exc.__traceback__)[-1]
            return "traceback", f"{type(exc).__name__} at {tb.filename}:{tb.lineno}: {exc}"[:300]
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
        return judge(code, out.getvalue(), err.getvalue(), command, source=str(path))


def bases(*, example=True):
    """The valid tenders cases start from."""
    found = [("small", SMALL)]
    if example:
        found.append(("example", EXAMPLE.read_text(encoding="utf-8")))
    return found


def run_cases(n, *, seed=0, example=True, timeout=10.0, on_case=None):
    """Run ``n`` seeded cases; return ``{verdict: count}`` and the failures."""
    rng = random.Random(seed)
    counts, failures = {}, []
    base_texts = bases(example=example)
    for i in range(n):
        label, text, command = make_case(rng, bases=base_texts)
        verdict, detail = run_case(text, command, timeout=timeout)
        counts[verdict] = counts.get(verdict, 0) + 1
        if verdict not in ("ok", "exit2"):
            failures.append((i, verdict, label, " ".join(command), detail))
        if on_case is not None:
            on_case(i, verdict)
    return counts, failures
