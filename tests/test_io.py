"""Bad input: every problem reported at once, with file, key path, value and rule."""

import io
import math
import textwrap

import pytest

import fleetcalc
from fleetcalc.cli import main
from tests.hand_cases import SMALL_TENDER_SETTINGS

VALID = SMALL_TENDER_SETTINGS + textwrap.dedent("""\
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

    [[bids]]
    bidder = "B"
    model = "M2"
    currency = "USD"
    unit_price = 3_000_000
    quantity = 3
    delivery = [3]
    fuel_litres_per_km = 5.0
    maintenance_per_km = 1.30
    service_life_years = 30
    """)


def problems(text):
    with pytest.raises(fleetcalc.TenderError) as info:
        fleetcalc.parse_tender(text, source="t.toml")
    return [p for p in info.value.problems if p.severity == "error"]


def one(text, path):
    found = [p for p in problems(text) if p.path == path]
    assert found, f"no problem at {path}"
    return str(found[0])


def test_the_template_is_valid():
    assert len(fleetcalc.parse_tender(VALID).bids) == 2


@pytest.mark.parametrize(("old", "new", "path", "words"), [
    ("unit_price = 3_900_000", "unit_prise = 3_900_000", "bids[A].unit_prise",
     "did you mean 'unit_price'"),
    ("discount_rate = 0.08", "discount_rate = nan", "tender.discount_rate", "finite"),
    ("annual_km = 90000", "annual_km = inf", "tender.annual_km", "finite"),
    ("unit_price = 3_900_000", "unit_price = -5", "bids[A].unit_price", ">= 0"),
    ("quantity = 3\ndelivery = [1, 2]", "quantity = -3\ndelivery = [1, 2]", "bids[A].quantity",
     ">= 1"),
    ('{ event = "delivery", share = 0.9 }', '{ event = "delivery", share = 0.8 }',
     "bids[A].payments", "sum to 0.9, not 1"),
    ('currency = "USD"\nunit_price = 3_000_000', 'currency = "EUR"\nunit_price = 3_000_000',
     "bids[B].currency", "'EUR' has no rate"),
    ("horizon_years = 10", "horizon_years = 0", "tender.horizon_years", ">= 1"),
    ("discount_rate = 0.08", "discount_rate = -1", "tender.discount_rate", ">= -0.5"),
    ("service_life_years = 30\n\n[[bids]]", "service_life_years = 0\n\n[[bids]]",
     "bids[A].service_life_years", ">= 1"),
    ("delivery = [3]", "delivery = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3]", "bids[B].delivery",
     "beyond the horizon of 10 years"),
    ('bidder = "B"', 'bidder = "A"', "bids[1].bidder", "duplicates the bidder of bids[0]"),
    ("delivery = [1, 2]", "delivery = [1, 1]", "bids[A].delivery",
     "sums to 2 but quantity is 3"),
    ('unit_price = 3_000_000', 'unit_price = "3 million"', "bids[B].unit_price",
     "must be a number"),
    ('diesel_per_litre = { amount = 257.08, currency = "PKR" }',
     'diesel_per_litre = { amount = 257.08, currency = "JPY" }',
     "tender.prices.diesel_per_litre", "'JPY' has no rate"),
    ('diesel_per_litre = { amount = 257.08, currency = "PKR" }',
     'diesel_per_litre = { amount = 257.08, curency = "PKR" }',
     "tender.prices.diesel_per_litre.curency", "did you mean 'currency'"),
    ('{ event = "signing", share = 0.1 }', '{ event = "award", share = 0.1 }',
     "bids[A].payments[0].event", "must be one of 'signing', 'delivery', 'acceptance'"),
    ("PKR = 0.00356", "PKR = 0", "tender.exchange_rates.PKR", "> 0"),
    ('base_currency = "USD"', 'base_currency = "usd"', "tender.base_currency", "ISO 4217"),
])
def test_each_bad_input_gets_its_message(old, new, path, words):
    assert old in VALID
    message = one(VALID.replace(old, new, 1), path)
    assert words in message
    assert message.startswith(f"t.toml: {path}")


def test_the_message_shows_the_value():
    message = one(VALID.replace("unit_price = 3_900_000", "unit_price = -5"), "bids[A].unit_price")
    assert message == "t.toml: bids[A].unit_price = -5: must be >= 0"


def test_every_problem_at_once():
    text = (VALID.replace("horizon_years = 10", "horizon_years = 0")
            .replace("unit_price = 3_900_000", "unit_prise = 3_900_000")
            .replace("delivery = [3]", "delivery = [2]")
            .replace('bidder = "B"', 'bidder = "A"'))
    paths = {p.path for p in problems(text)}
    # two bids named "A": a duplicated bidder cannot name a key path, positions do
    assert {"tender.horizon_years", "bids[0].unit_prise", "bids[0].unit_price",
            "bids[1].delivery"} <= paths


def test_missing_table_and_wrong_shapes():
    text = VALID.replace('[tender.prices]\ndiesel_per_litre = { amount = 257.08, currency = "PKR" }',
                         "").replace("delivery = [1, 2]", "delivery = 3")
    found = {p.path: str(p) for p in problems(text)}
    assert "is required" in found["tender.prices"]
    assert "array of whole numbers, not a whole number" in found["bids[A].delivery"]


def test_bids_must_be_tables():
    found = {p.path for p in problems("bids = [1, 2]\n" + VALID.split("[[bids]]")[0])}
    assert {"bids[0]", "bids[1]"} <= found


def test_no_bids_at_all():
    found = {p.path: p.message for p in problems(VALID.split("[[bids]]")[0])}
    assert found["bids"] == "is required"


def test_toml_syntax_error_gives_the_line():
    message = str(problems(VALID.replace("annual_km = 90000", "annual_km = = 9"))[0])
    assert "TOML syntax error" in message and "line 7" in message


def test_missing_file_is_a_tender_error(tmp_path):
    with pytest.raises(fleetcalc.TenderError, match="cannot read the file"):
        fleetcalc.load_tender(tmp_path / "nope.toml")


def test_python_api_raises_the_same_error():
    with pytest.raises(fleetcalc.TenderError) as info:
        fleetcalc.Bid(bidder="A", model="M", currency="USD", unit_price=-1, quantity=1,
                      delivery=[1], fuel_litres_per_km=1.0, maintenance_per_km=1.0,
                      service_life_years=10)
    assert info.value.problems[0].path == "unit_price"
    with pytest.raises(fleetcalc.TenderError, match="sums to 1 but quantity is 2"):
        fleetcalc.Bid(bidder="A", model="M", currency="USD", unit_price=1.0, quantity=2,
                      delivery=[1], fuel_litres_per_km=1.0, maintenance_per_km=1.0,
                      service_life_years=10)


def test_nan_from_python_is_rejected():
    with pytest.raises(fleetcalc.TenderError, match="finite"):
        fleetcalc.Escalation(energy=math.nan)


def test_service_life_inside_horizon_is_a_warning_not_an_error():
    tender = fleetcalc.parse_tender(VALID.replace("horizon_years = 10", "horizon_years = 40"))
    assert [p.path for p in tender.warnings] == ["bids[A].service_life_years",
                                                 "bids[B].service_life_years"]


def run_cli(*args):
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("command", ["compare", "validate"])
def test_cli_exits_2_with_every_problem_and_no_traceback(tmp_path, command):
    bad = tmp_path / "bad.toml"
    bad.write_text(VALID.replace("horizon_years = 10", "horizon_years = 0")
                   .replace('bidder = "B"', 'bidder = "A"'))
    code, out, err = run_cli(command, str(bad))
    assert code == 2
    assert out == ""
    assert "Traceback" not in err
    assert f"{bad}: error: tender.horizon_years = 0: must be >= 1" in err
    assert "2 problems; nothing was evaluated." in err


def test_cli_validate_says_valid(tmp_path):
    good = tmp_path / "good.toml"
    good.write_text(VALID)
    code, out, err = run_cli("validate", str(good))
    assert code == 0 and "valid (2 bids)" in out and err == ""


def test_cli_validate_reports_warnings_on_stderr(tmp_path):
    good = tmp_path / "good.toml"
    good.write_text(VALID.replace("horizon_years = 10", "horizon_years = 40"))
    code, out, err = run_cli("validate", str(good))
    assert code == 0 and "warning:" in err and "retire at t = 30" in err


@pytest.mark.filterwarnings("ignore::fleetcalc.TenderWarning")
def test_the_full_example_round_trips_through_toml(tmp_path):
    # every table (fleet, demand, financing, evaluation, guarantees, uncertainty) survives
    tender = fleetcalc.load_tender("examples/pakistan_locomotives_2026.toml")
    path = tmp_path / "again.toml"
    fleetcalc.write_tender(tender, path)
    again = fleetcalc.load_tender(path)
    assert again == tender
    assert fleetcalc.evaluate(again).to_dict() == fleetcalc.evaluate(tender).to_dict()


# Found by benchmarks/fuzz_tenders.py (seed 7) after issues 13-16 were merged: the delivery
# basis check read the incoterm of a bid that was itself broken (an unknown incoterm, or a
# bid given in the wrong shape) and ended in an internal error (exit 70).
EXAMPLE_TEXT = (__import__("pathlib").Path(__file__).resolve().parent.parent
                / "examples" / "pakistan_locomotives_2026.toml")


@pytest.mark.parametrize("old, new, path", [
    ('incoterm = "CIP"', 'incoterm = "XYZ"', "incoterm"),
    ('bidder = "CRRC Ziyang"', 'bidder = ["CRRC Ziyang"]', "bidder"),
])
def test_a_broken_bid_under_a_delivery_basis_is_reported_not_a_crash(tmp_path, old, new,
                                                                      path):
    text = EXAMPLE_TEXT.read_text(encoding="utf-8")
    assert 'delivery_basis = "CIP"' in text and old in text
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace(old, new, 1), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    assert main(["validate", str(bad)], stdout=out, stderr=err) == 2
    assert "internal error" not in err.getvalue()
    assert f".{path}" in err.getvalue()


def test_a_bid_that_is_not_a_table_under_a_delivery_basis_is_reported(tmp_path):
    import tomllib

    import tomli_w

    data = tomllib.loads(EXAMPLE_TEXT.read_text(encoding="utf-8"))
    data["bids"][3] = "x"
    bad = tmp_path / "bad.toml"
    bad.write_text(tomli_w.dumps(data), encoding="utf-8")
    err = io.StringIO()
    assert main(["validate", str(bad)], stdout=io.StringIO(), stderr=err) == 2
    assert "internal error" not in err.getvalue()
    assert "bids[3]" in err.getvalue()


def test_an_availability_tolerance_not_below_the_guarantee_is_an_error():
    # Found by benchmarks/fuzz_tenders.py (seed 9): a guarantee of 0.5 % with a 1-point
    # tolerance loaded a negative availability and ended in an internal error (exit 70).
    import attrs

    from fleetcalc.tender import Guarantees
    from fleetcalc.validation import problems_of, validators_paused

    with validators_paused():
        bad = Guarantees(availability=0.005, availability_tolerance=0.01)
    problems = [p for p in problems_of(bad) if p.severity == "error"]
    assert [p.path for p in problems] == ["availability_tolerance"]
    assert "below the guaranteed availability" in problems[0].message
    assert not [p for p in problems_of(attrs.evolve(bad, availability_tolerance=0.004))
                if p.severity == "error"]
