"""fleetcalc.adjustments: the evaluation lines, against hand computations."""

import attrs
import pytest

import fleetcalc
from fleetcalc.adjustments import STAGES, contract_availability, evaluation_warnings
from fleetcalc.tender import BidEvaluation, Guarantees
from tests.hand_cases import small_tender

#: PV of the small tender's price payments at 10 %: 1.0 M at t0 (10 % of 2 M at signing,
#: 80 % of the first unit), 0.9 M at t1, 0.1 M at t2 (acceptance of the second unit).
PV_PRICE = 1_000_000 + 900_000 / 1.1 + 100_000 / 1.1**2


def lines_of(tender):
    result = fleetcalc.evaluate(tender)
    return result, {row.stage: row for row in result.adjustments.itertuples()}


def test_the_small_tender_pays_what_the_hand_computation_says(hand_tender):
    result = fleetcalc.evaluate(hand_tender)
    assert result.ranking.loc["A", "pv_acquisition"] == pytest.approx(PV_PRICE, rel=1e-12)


def test_an_unconditional_discount_is_valued_as_paid():
    # 5 % of the price, on the bid's payment schedule: -0.05 x PV of the payments
    result, lines = lines_of(small_tender(evaluation=BidEvaluation(discount=0.05)))
    assert lines["discount"].amount == pytest.approx(-0.05 * PV_PRICE, rel=1e-12)
    ranking = result.ranking.loc["A"]
    assert ranking["evaluated_cost"] == pytest.approx(
        ranking["lcc_npv"] - 0.05 * PV_PRICE, rel=1e-12)


def test_an_arithmetic_correction_is_valued_as_paid():
    # +100,000 on a 2 M contract: the PV factor of the price is PV_PRICE / 2 M
    _, lines = lines_of(small_tender(evaluation=BidEvaluation(arithmetic_correction=100_000)))
    assert lines["correction"].amount == pytest.approx(100_000 * PV_PRICE / 2_000_000,
                                                       rel=1e-12)


def test_correction_then_discount_on_the_corrected_price():
    _, lines = lines_of(small_tender(evaluation=BidEvaluation(arithmetic_correction=100_000,
                                                              discount=0.10)))
    rho = PV_PRICE / 2_000_000
    assert lines["discount"].amount == pytest.approx(-0.10 * 2_100_000 * rho, rel=1e-12)


def test_contract_availability_excludes_scheduled_windows_unless_calendar(hand_tender):
    bid = attrs.evolve(hand_tender.bids[0], mtbf_hours=900.0, mean_downtime_hours=100.0,
                       scheduled_maintenance_days=36.5)
    assert float(contract_availability(bid, 0.0)) == pytest.approx(0.9)
    assert float(contract_availability(bid, 0.0, basis="calendar")) == pytest.approx(0.81)


def test_expected_damages_are_information_only():
    # a guarantee the declared data meet (0.9 on the contract's definition): no damages
    tender = small_tender(mtbf_hours=900.0, mean_downtime_hours=100.0,
                          scheduled_maintenance_days=36.5,
                          guarantees=Guarantees(availability=0.9, damages_per_point=1000))
    result, lines = lines_of(tender)
    assert lines["guarantee"].amount == 0.0
    assert result.expected_damages["A"]["present_value"] == 0.0


def test_evaluation_warnings_name_the_regime(example_tender):
    # issue 13: the example is one regime (government-financed, no preference) and draws
    # no regime warning; with the MDB preference switched on beside its supplier
    # financing it mixes two regimes
    assert not [p for p in evaluation_warnings(example_tender)
                if p.path == "tender.evaluation.domestic_preference"]
    settings = example_tender.tender
    mixed = attrs.evolve(example_tender, tender=attrs.evolve(
        settings, evaluation=attrs.evolve(settings.evaluation, domestic_preference=True)))
    paths = [p.path for p in evaluation_warnings(mixed)]
    assert "tender.evaluation.domestic_preference" in paths      # preference and financing
    assert all(p.severity == "warning" for p in evaluation_warnings(mixed))


def test_stages_follow_the_form_order():
    assert STAGES.index("correction") < STAGES.index("discount") < STAGES.index("priced")
    assert STAGES[-1] == "domestic_preference"
