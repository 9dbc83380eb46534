"""Malformed tenders through the command line's own entry point, in-process.

A seeded, bounded generator (``tests/malformed.py``) mutates the example and a
small rich tender: deleted keys, wrong types, extreme and non-finite values,
wrong shapes, broken TOML syntax, control characters in keys and names, huge
and deep structures. Each case must end in exit 2 with every error naming a
key path, or in exit 0 with finite output whose every null is explained;
never an uncaught exception, never longer than its time bound.
``benchmarks/fuzz_tenders.py --cases 10000`` runs the long version.
"""

import pytest

from tests.malformed import bases, judge, make_case, run_case

CASES = 240
SEED = 20261201


def _cases():
    import random

    rng = random.Random(SEED)
    base_texts = bases(example=False)  # the small tender keeps the run under ~30 s
    return [make_case(rng, bases=base_texts) for _ in range(CASES)]


@pytest.mark.parametrize("label, text, command", [
    pytest.param(*case, id=f"{i}") for i, case in enumerate(_cases())])
def test_a_malformed_tender_exits_2_with_a_key_path_or_0_with_finite_output(
        label, text, command):
    verdict, detail = run_case(text, command, timeout=10.0)
    assert verdict in ("ok", "exit2"), f"{verdict} [{' '.join(command)}] {label}: {detail}"


def test_the_example_survives_a_few_mutations_too():
    import random

    rng = random.Random(SEED + 1)
    (example,) = [b for b in bases(example=True) if b[0] == "example"]
    for _ in range(15):
        label, text, command = make_case(rng, bases=[example])
        verdict, detail = run_case(text, command, timeout=20.0)
        assert verdict in ("ok", "exit2"), f"{verdict} [{' '.join(command)}] {label}: {detail}"


@pytest.mark.parametrize("code, out, err, command, verdict", [
    (2, "", "error: t.toml: bids[A].unit_price = -1: must be >= 0\n", ["validate"], "exit2"),
    (2, "", "Traceback (most recent call last):\n", ["validate"], "bad_message"),
    (2, "", "error: must be a number, not str\n", ["validate"], "bad_message"),
    (2, "", "error: t.toml: bids[A].unit_price: must be a number, not str\n", ["validate"],
     "bad_message"),
    (2, "", "error: t.toml: (file): 3 problems\n", ["validate"], "bad_message"),
    (2, "", "error: t.toml: (file): TOML syntax error: x\n", ["validate"], "exit2"),
    (2, "", 'error: t.toml: tender."\\u001b": unknown key\n', ["validate"], "exit2"),
    (2, "", 'error: t.toml: tender."a\\nerror: x": unknown key\n', ["validate"], "exit2"),
    (2, "", 'error: t.toml: tender.exchange_rates.[2J = 1: bad\n', ["validate"], "bad_message"),
    (0, '{"bids": [{"cost_per_km": null}]}', "", ["compare", "--format", "json"],
     "unexplained"),
    (0, '{"bids": [{"cost_per_km": null, "null_reasons": {"cost_per_km": "no km"}}]}', "",
     ["compare", "--format", "json"], "ok"),
    (0, '{"bids": [{"lcc_npv": Infinity}]}', "", ["compare", "--format", "json"],
     "unexplained"),
    (0, "A  inf  2\n", "", ["compare"], "unexplained"),
    (1, "", "error: cannot write", ["compare"], "bad_exit"),
])
def test_the_oracle_flags_what_it_must(code, out, err, command, verdict):
    assert judge(code, out, err, command, source="t.toml")[0] == verdict
