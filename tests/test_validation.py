"""The number policy and the messages: malformed tenders give exit 2 and a key path.

Each case here was a traceback, a hang, a silent mistake or a confusing
message before (issue 10); each test names the key path and the rule.
"""

import io
import json
import math

import pytest

import fleetcalc
from fleetcalc.cli import main
from fleetcalc.io import parse_tender
from fleetcalc.io.tender_file import MAX_FILE_BYTES, MAX_NESTING
from fleetcalc.validation import integer, kind_of, number, plural
from tests.malformed import SMALL

FINANCED_BID = "[bids.financing]"


def problems(text):
    with pytest.raises(fleetcalc.TenderError) as info:
        parse_tender(text, source="t.toml")
    return info.value.problems


def errors_at(text):
    """Key path -> message of every error."""
    return {p.path: p.message for p in problems(text) if p.severity == "error"}


def replaced(old, new, *, text=SMALL):
    assert old in text, old
    return text.replace(old, new, 1)


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


# --- size and nesting bounds --------------------------------------------------------


@pytest.mark.parametrize("opener, closer", [("[", "]"), ("{a=", "}")])
def test_deep_nesting_is_refused_before_the_parser_recurses(opener, closer):
    text = SMALL + f"\ndeep = {opener * 5000}1{closer * 5000}\n"
    (problem,) = problems(text)
    assert problem.path == "" and f"nested more than {MAX_NESTING} levels" in problem.message


def test_deep_table_headers_are_refused():
    header = ".".join(["a"] * 500)
    (problem,) = problems(SMALL + f"\n[tender.{header}]\nx = 1\n")
    assert f"tables are nested more than {MAX_NESTING} levels" in problem.message


def test_nesting_inside_strings_and_comments_does_not_count():
    text = replaced('name = "T"', 'name = "[[[[[[[[[[[[[[[[[[[[[[" # {{{{{{{{{{{{{{{{{{{{{{')
    assert parse_tender(text).tender.name == "[" * 22


def test_an_integer_literal_of_thousands_of_digits_is_an_error():
    (problem,) = problems(replaced("horizon_years = 10", "horizon_years = " + "9" * 5000))
    assert "cannot be read" in problem.message and "4300 digits" in problem.message


def test_a_file_beyond_the_size_bound_is_refused_without_reading_it_all(tmp_path):
    path = tmp_path / "big.toml"
    path.write_bytes(b"#" * (MAX_FILE_BYTES + 10))
    code, out, err = run("validate", str(path))
    assert code == 2 and "is larger than 2 MiB" in err


def test_dev_zero_is_refused():
    code, out, err = run("validate", "/dev/zero")
    assert code == 2 and "is larger than" in err


# --- numbers beyond range: errors with the range, never an overflow -------------------


@pytest.mark.parametrize("old, new, path, words", [
    ("unit_price = 3_900_000", "unit_price = " + "9" * 400, "bids[A].unit_price",
     ">= 0 and <= 1e+15"),
    ("quantity = 3\ndelivery = [1, 2]", f"quantity = 3\ndelivery = [1, {2**53}]",
     "bids[A].delivery", "between"),
    ("quantity = 3\ndelivery = [1, 2]", "quantity = 3\ndelivery = [1, 200000]",
     "bids[A].delivery", "<= 20000"),
    ("overhaul_interval_years = 8", f"overhaul_interval_years = {2**70}",
     "bids[A].overhaul_interval_years", ">= 1 and <= 100"),
    ("guarantees = { availability = 0.9, damages_per_point = 100000 }",
     f"guarantees = {{ availability = 0.9, damages_per_point = 100000, "
     f"guarantee_years = {2**64} }}", "bids[A].guarantees.guarantee_years", "<= 100"),
    ("required_delivery = [2, 4]", "required_delivery = [0, 2000000000]",
     "tender.evaluation.required_delivery", "<= 20000"),
    ("units_in_service = 4", f"units_in_service = {2**63 - 1}",
     "tender.demand.units_in_service", "<= 20000"),
    ("PKR = 0.00356", "PKR = 1e200", "tender.exchange_rates.PKR", "<= 1e+09"),
    ("discount_rate = 0.08", "discount_rate = 8e98", "tender.discount_rate", "<= 10"),
    ("discount_rate = 0.08", "discount_rate = 800", "tender.discount_rate", "<= 10"),
    ("interest_rate = 0.055", "interest_rate = 1e30", "bids[A].financing.interest_rate",
     "<= 10"),
    ("maintenance_cost_growth = 0.02", "maintenance_cost_growth = 1e5",
     "bids[A].ageing.maintenance_cost_growth", "<= 1"),
    ("mtbf_hours = 1500", "mtbf_hours = 5e-324", "bids[A].mtbf_hours", ">= 1"),
    ("[tender.prices]", "[tender.escalation]\nenergy = 1e12\n\n[tender.prices]",
     "tender.escalation.energy", "<= 10"),
    ("annual_km = 90000", "annual_km = 1e14", "tender.annual_km", "<= 1e+06"),
])
def test_numbers_outside_their_range_are_errors(old, new, path, words):
    found = errors_at(replaced(old, new))
    assert path in found, found
    assert words in found[path]


def test_the_normal_truncation_beyond_range_is_an_error():
    text = replaced("std = 0.1\nlow = 0.5\nhigh = 1.5", "std = 0.1\nlow = 0.5\nhigh = 1" + "0" * 30)
    assert errors_at(text)["uncertainty[1].high"] == "must be >= -1e+15 and <= 1e+15"


def test_every_rule_of_a_number_field_is_in_the_key_reference_metadata():
    import attrs

    from fleetcalc.tender import TenderSettings
    meta = attrs.fields_dict(TenderSettings)["discount_rate"].metadata
    assert meta["range"] == ">= -0.5 and <= 10"


# --- a table as a scalar, a scalar as a table: no cross-check on a placeholder ---------


@pytest.mark.parametrize("old, new, path", [
    ("evaluation = { technical_score = 70 }", "evaluation = 100", "bids[B].evaluation"),
    ("[bids.financing]\nshare = 0.85\ninterest_rate = 0.055\ntenor_years = 12\n"
     "grace_years = 4\n", "financing = true\n", "bids[A].financing"),
    ("[tender.evaluation]\n", "[tender.evaluation_x]\n", "tender.evaluation"),
    ("[tender.demand]\n", "[tender.demand_x]\n", "tender.demand"),
    ("priced_adjustments = [{ name = \"x\", amount = 1000 }]", "priced_adjustments = [false]",
     "bids[A].evaluation.priced_adjustments[0]"),
    ("payments = [{ event = \"signing\", share = 0.1 }, { event = \"delivery\", share = 0.9 }]",
     "payments = 1", "bids[A].payments"),
    ("required_payments = [{ event = \"delivery\", share = 0.9 }",
     "required_payments = [{ event = \"delivery\" }", "tender.evaluation.required_payments[0].share"),
    ('input = "tender.prices.diesel_per_litre"', "input = [1]", "uncertainty[0].input"),
])
def test_wrong_shapes_are_errors_not_tracebacks(old, new, path):
    text = replaced(old, new)
    if new.startswith("[tender."):  # the table is a scalar instead: evaluation = "x"
        text = text.replace("[tender]\n", f"[tender]\n{path.split('.')[1]} = \"x\"\n", 1)
    found = errors_at(text)
    assert path in found, found


def test_an_uncertain_input_given_as_an_array_beside_a_correlation_is_an_error():
    text = replaced('input = "tender.prices.diesel_per_litre"', "input = [1]") + (
        '\n[correlation]\ninputs = ["tender.prices.diesel_per_litre", "bids[*].mtbf_hours"]\n'
        "matrix = [[1.0, 0.3], [0.3, 1.0]]\n")
    assert errors_at(text)["uncertainty[0].input"] == "must be a text, not an array"


def test_shares_one_billionth_short_of_one_meet_a_required_schedule():
    text = replaced("{ event = \"delivery\", share = 0.9 }]\nfuel",
                    "{ event = \"delivery\", share = 0.899999999 }]\nfuel")
    result = fleetcalc.evaluate(parse_tender(text))
    assert math.isfinite(result.ranking.loc["A", "evaluated_cost"])


# --- messages -------------------------------------------------------------------------


def test_bids_and_cohorts_are_named_in_key_paths():
    found = errors_at(replaced("unit_price = 1_000_000_000", "unit_price = -1")
                      .replace("units = 5", "units = -5"))
    assert {"bids[B].unit_price", "fleet[Old].units"} <= set(found)


def test_messages_use_plain_words_not_python_types():
    text = replaced('model = "M1"', "model = 5").replace("quantity = 3\ndelivery = [3]",
                                                         'quantity = "3"\ndelivery = [3]')
    found = errors_at(text)
    assert found["bids[A].model"] == "must be a text, not a whole number"
    assert found["bids[B].quantity"] == "must be a whole number, not a text"
    assert kind_of(2.5) == "a number" and kind_of(True) == "true/false"
    assert number("x") == "must be a number, not a text"
    assert integer([1]) == "must be a whole number, not an array"


def test_values_are_shown_as_the_file_writes_them():
    found = {p.path: str(p) for p in problems(replaced("delivery = [1, 2]", 'delivery = [1, "x"]')
                                              .replace('bidder = "B"', 'bidder = "B\\u001b[2J"'))}
    assert found["bids[A].delivery"] == ('t.toml: bids[A].delivery = [1, "x"]: item 1 ("x") '
                                         "must be a whole number, not a text")
    # a bidder with a control character keeps its position in key paths
    assert "bids[1].bidder" not in found and "(" not in found["bids[A].delivery"].split(":")[1]


def test_one_year_is_singular():
    assert plural(1, "year") == "1 year" and plural(2, "year") == "2 years"
    text = replaced("grace_years = 4", "grace_years = 0")
    assert errors_at(text)["bids[A].financing.grace_years"].endswith("at least 1 year")


def test_an_empty_or_odd_top_level_key_has_a_quoted_key_path():
    found = errors_at('"" = 1\n"\\u001b[2J" = 2\n' + SMALL)
    assert '""' in found and found['""'].startswith("unknown key")
    assert '"\\u001b[2J"' in found


def test_an_odd_currency_key_is_quoted_in_its_key_path():
    found = errors_at(replaced("PKR = 0.00356", 'PKR = 0.00356\n"\\u001b[2J" = 1\n"" = 2'))
    assert {'tender.exchange_rates."\\u001b[2J"', 'tender.exchange_rates.""'} <= set(found)


def test_warnings_carry_the_key_path_and_the_value():
    tender = parse_tender(replaced("discount_rate = 0.08", "discount_rate = 7"))
    (warning,) = [w for w in tender.warnings if w.path == "tender.discount_rate"]
    assert str(warning).startswith("tender.discount_rate = 7: 7 looks like a percent: did you "
                                   "mean 0.07?")


# --- plausibility warnings ------------------------------------------------------------


def warnings_of(text):
    return {p.path: p.message for p in parse_tender(text).warnings}


@pytest.mark.parametrize("old, new, path", [
    ("discount_rate = 0.08", "discount_rate = 7", "tender.discount_rate"),
    ("payment_deviation_rate = 0.08", "payment_deviation_rate = 8",
     "tender.evaluation.payment_deviation_rate"),
    ("interest_rate = 0.055", "interest_rate = 5.5", "bids[A].financing.interest_rate"),
    ("[tender.prices]", "[tender.escalation]\nenergy = 2\n\n[tender.prices]",
     "tender.escalation.energy"),
])
def test_rates_above_one_look_like_percents(old, new, path):
    assert "looks like a percent" in warnings_of(replaced(old, new))[path]


def test_a_negative_discount_rate_is_a_warning():
    message = warnings_of(replaced("discount_rate = 0.08", "discount_rate = -0.05"))[
        "tender.discount_rate"]
    assert "did you mean 0.05?" in message


def test_an_absolute_range_around_one_on_a_far_point_value_warns():
    text = replaced('high = 1.3\nscale = "relative"', "high = 1.3")
    message = warnings_of(text)["uncertainty[0].scale"]
    assert "257.08" in message and 'scale = "relative"' in message


def test_a_relative_range_does_not_warn():
    assert "uncertainty[0].scale" not in warnings_of(SMALL)


def test_a_bid_for_another_quantity_warns_and_names_required_quantity():
    text = SMALL.replace("quantity = 3\ndelivery = [1, 2]", "quantity = 2\ndelivery = [1, 1]")
    text = text.replace('[[bids]]\nbidder = "B"', '[[bids]]\nbidder = "C"\nmodel = "M3"\n'
                        'currency = "USD"\nunit_price = 3e6\nquantity = 3\ndelivery = [3]\n'
                        'fuel_litres_per_km = 5.0\nmaintenance_per_km = 1.3\n'
                        'service_life_years = 30\nmtbf_hours = 1000\n'
                        'evaluation = { technical_score = 60 }\n\n[[bids]]\nbidder = "B"')
    found = warnings_of(text)
    assert set(found) >= {"bids[A].quantity"} and "bids[B].quantity" not in found
    assert "[tender.evaluation].required_quantity" in found["bids[A].quantity"]
    assert "not per unit" in found["bids[A].quantity"]


NO_MTBF_B = replaced("mtbf_hours = 1200\n", "", text=replaced(
    'input = "bids[*].mtbf_hours"', 'input = "bids[A].mtbf_hours"'))


def test_absent_reliability_with_demand_warns_of_full_availability():
    found = warnings_of(NO_MTBF_B)
    assert "availability is taken as 100 %" in found["bids[B].mtbf_hours"]


def test_warnings_reach_compare_and_validate(tmp_path):
    path = tmp_path / "t.toml"
    path.write_text(replaced("discount_rate = 0.08", "discount_rate = 7"), encoding="utf-8")
    for command in ("validate", "compare"):
        code, out, err = run(command, str(path))
        assert code == 0 and "tender.discount_rate = 7: 7 looks like a percent" in err


def test_warnings_reach_evaluate_callers_named_by_bidder():
    tender = parse_tender(NO_MTBF_B)
    with pytest.warns(fleetcalc.TenderWarning, match=r"bids\[B\]\.mtbf_hours"):
        fleetcalc.evaluate(tender)


# --- the fleet-size search and allocation bounds --------------------------------------


def test_huge_demand_is_refused_before_the_fleet_size_search(tmp_path):
    path = tmp_path / "t.toml"
    path.write_text(replaced("units_in_service = 4", f"units_in_service = {2**63 - 1}"),
                    encoding="utf-8")
    code, out, err = run("compare", str(path))
    assert code == 2 and "tender.demand.units_in_service" in err


def test_json_of_compare_is_finite(tmp_path):
    path = tmp_path / "t.toml"
    path.write_text(SMALL, encoding="utf-8")
    code, out, err = run("compare", str(path), "--format", "json")
    data = json.loads(out, parse_constant=lambda name: pytest.fail(name))
    assert code == 0 and data["bids"]


# --- validators paused per thread, not per process -------------------------------------


def test_validators_paused_holds_in_its_own_thread_only():
    """Two threads load files (validators paused) while a third builds invalid objects.

    With ``attrs.validators.disabled()`` (process-wide) the third thread's objects were
    built unchecked whenever a load was under way; with the context variable each one
    still raises its error, and the loads still succeed.
    """
    import threading
    from pathlib import Path

    from fleetcalc.validation import validators_are_paused, validators_paused

    text = Path("examples/pakistan_locomotives_2026.toml").read_text(encoding="utf-8")
    stop = threading.Event()
    loaded, errors, failures = [], [], []

    def load():
        while not stop.is_set():
            try:
                loaded.append(parse_tender(text).tender.name)
            except Exception as exc:   # reported by the assertion below
                failures.append(exc)

    def build_invalid():
        for _ in range(300):
            try:
                fleetcalc.Money(amount=float("nan"), currency="USD")
            except fleetcalc.TenderError as exc:
                errors.append(exc)
            else:
                failures.append("an invalid Money was built without its error")

    loaders = [threading.Thread(target=load) for _ in range(2)]
    builder = threading.Thread(target=build_invalid)
    for thread in loaders:
        thread.start()
    builder.start()
    builder.join()
    stop.set()
    for thread in loaders:
        thread.join()
    assert failures == []
    assert len(errors) == 300
    assert loaded and not validators_are_paused()
    with validators_paused():
        assert validators_are_paused()
        fleetcalc.Money(amount=float("nan"), currency="USD")   # no error while paused
    assert not validators_are_paused()


def test_a_huge_array_of_tables_is_one_problem_and_quick():
    """Fuzz case (seed 2, #681): 100,000 scalars in ``payments`` gave 100,000 problems and
    took ~9 s; an array of tables beyond its bound is now one problem."""
    import time
    from pathlib import Path

    from fleetcalc.exceptions import TenderError
    from fleetcalc.io import parse_tender
    from fleetcalc.io.tender_file import MAX_TABLES_IN_ARRAY

    text = Path("examples/pakistan_locomotives_2026.toml").read_text(encoding="utf-8")
    assert "\npayments = [" in text
    text = text.replace("\npayments = [", "\npayments = [" + "1e12, " * 100_000, 1)
    start = time.perf_counter()
    with pytest.raises(TenderError) as caught:
        parse_tender(text)
    assert time.perf_counter() - start < 5
    [problem] = [p for p in caught.value.problems if p.path.endswith(".payments")]
    assert f"at most {MAX_TABLES_IN_ARRAY}" in problem.message
    assert "100003 items" in problem.message  # 3 milestones + 100,000 scalars
