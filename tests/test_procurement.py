"""Financing offers and evaluation adjustments inside the evaluation."""

import attrs
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fleetcalc
from fleetcalc.tender import (
    BidEvaluation,
    EvaluationRules,
    Financing,
    Guarantees,
    PaymentMilestone,
    PriceAdjustment,
    PricedAdjustment,
    PriceIndices,
)
from tests.strategies import tenders
from tests.test_evaluate import small_tender
from tests.test_io import VALID, problems

pytestmark = pytest.mark.filterwarnings("ignore::fleetcalc.exceptions.TenderWarning")
fast = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
EXAMPLE = "examples/pakistan_locomotives_2026.toml"


def with_rules(tender, **rules):
    return attrs.evolve(tender, tender=attrs.evolve(
        tender.tender, evaluation=EvaluationRules(**rules)))


def loan(**changes):
    return Financing(**{"share": 0.8, "interest_rate": 0.10, "tenor_years": 6,
                        "grace_years": 2, **changes})


class TestFinancingInTheLedger:
    def test_a_loan_at_the_discount_rate_without_fees_changes_nothing(self):
        # PV of debt service at the loan's own rate equals the drawdowns (loans.py
        # property), so with r = discount rate the price's present value is unchanged
        plain = fleetcalc.evaluate(small_tender()).ranking.loc["A"]
        financed = fleetcalc.evaluate(small_tender(financing=loan())).ranking.loc["A"]
        assert financed["pv_acquisition"] + financed["pv_financing"] == pytest.approx(
            plain["pv_acquisition"], rel=1e-12)
        assert financed["lcc_npv"] == pytest.approx(plain["lcc_npv"], rel=1e-12)
        assert financed["financing_pv_saving"] == pytest.approx(0.0, abs=1e-6)

    def test_buyer_pays_the_price_once_and_interest_goes_to_financing(self):
        # undiscounted: own share + principal = contract price (2 x 1,000,000)
        result = fleetcalc.evaluate(small_tender(financing=loan(upfront_fee=0.01)))
        by_category = result.cash_flows.groupby("category")["amount"].sum()
        assert by_category["acquisition"] == pytest.approx(2_000_000, rel=1e-12)
        schedule = result.financing
        expected = (schedule["interest"] + schedule["fees"] + schedule["premium"]).sum()
        assert by_category["financing"] == pytest.approx(expected, rel=1e-12)
        # hand computation: upfront fee 1 % of the 1.6 M financed (0.8 x the price)
        assert schedule["fees"].iloc[0] == pytest.approx(16_000)

    def test_cheap_loan_saves_and_has_a_positive_grant_element(self):
        row = fleetcalc.evaluate(small_tender(financing=loan(interest_rate=0.02))).ranking
        assert row.loc["A", "financing_pv_saving"] > 0
        assert row.loc["A", "grant_element"] > 0

    def test_grant_element_is_zero_at_the_reference_rate(self):
        tender = with_rules(small_tender(financing=loan(interest_rate=0.05)))
        assert fleetcalc.evaluate(tender).ranking.loc["A", "grant_element"] == pytest.approx(
            0.0, abs=1e-12)

    @fast
    @given(st.floats(0.0, 0.15), st.floats(0.001, 0.1))
    def test_a_higher_interest_rate_never_lowers_the_lcc(self, rate, step):
        low = fleetcalc.evaluate(small_tender(financing=loan(interest_rate=rate)))
        high = fleetcalc.evaluate(small_tender(financing=loan(interest_rate=rate + step)))
        assert high.ranking.loc["A", "lcc_npv"] >= low.ranking.loc["A", "lcc_npv"] - 1e-6

    def test_inflation_deflates_nominal_debt_service(self):
        base = fleetcalc.evaluate(small_tender(financing=loan())).ranking.loc["A"]
        tender = small_tender(financing=loan())
        inflated = attrs.evolve(tender, tender=attrs.evolve(tender.tender, inflation=0.03))
        row = fleetcalc.evaluate(inflated).ranking.loc["A"]
        # the same nominal 10 % loan is cheaper in real terms when prices rise 3 % a year
        assert row["pv_acquisition"] + row["pv_financing"] < (
            base["pv_acquisition"] + base["pv_financing"])


class TestAdjustments:
    def test_discount_and_correction_are_valued_on_the_payment_schedule(self):
        tender = small_tender(evaluation=BidEvaluation(arithmetic_correction=-100_000,
                                                       discount=0.05))
        result = fleetcalc.evaluate(tender)
        row = result.ranking.loc["A"]
        rho = row["pv_acquisition"] / 2_000_000  # PV factor of the price
        lines = result.adjustments.set_index("stage")["amount"]
        assert lines["correction"] == pytest.approx(-100_000 * rho)
        assert lines["discount"] == pytest.approx(-0.05 * 1_900_000 * rho)
        assert row["evaluated_cost"] == pytest.approx(row["lcc_npv"] + lines.sum())

    def test_domestic_preference_only_for_bids_that_do_not_qualify(self):
        tender = small_tender()
        local = attrs.evolve(tender.bids[0], bidder="Local",
                             evaluation=BidEvaluation(domestic_value_added=0.4))
        tender = with_rules(attrs.evolve(tender, bids=(tender.bids[0], local)),
                            domestic_preference=True)
        result = fleetcalc.evaluate(tender)
        lines = result.adjustments.query("stage == 'domestic_preference'")
        assert lines["bidder"].tolist() == ["A"]
        # 15 % of the price after adjustments (2 x 1,000,000; no other line)
        assert lines["amount"].iloc[0] == pytest.approx(0.15 * 2_000_000)
        assert result.ranking.index[0] == "Local"

    def test_delivery_delay_is_priced_and_beyond_the_limit_non_responsive(self):
        # required [2]: both units in year 1; the bid delivers [1, 1]: one unit 52 weeks late
        tender = with_rules(small_tender(), required_delivery=[2],
                            delivery_adjustment_per_week=0.001, delivery_max_weeks=60)
        line = fleetcalc.evaluate(tender).adjustments.query("stage == 'delivery'")
        assert line["amount"].iloc[0] == pytest.approx(0.001 * 52 * 1_000_000)
        strict = with_rules(small_tender(), required_delivery=[2],
                            delivery_adjustment_per_week=0.001, delivery_max_weeks=26)
        row = fleetcalc.evaluate(strict).ranking.loc["A"]
        assert not row["responsive"] and pd_na(row["rank"])
        assert "beyond the limit of 26 weeks" in row["non_responsive_reason"]

    def test_earlier_payments_are_charged_interest(self):
        # Hand computation (World Bank: interest on earlier payments, matched in payment
        # order). Required: all on acceptance, 1 M at t = 1 and 1 M at t = 2. The bid asks
        # 1.0 M at t = 0, 0.9 M at t = 1, 0.1 M at t = 2: the first million is paid a year
        # early (1 M x 10 %), the next 0.9 M a year early (0.9 M x 10 %), the rest on time.
        tender = with_rules(small_tender(), payment_deviation_rate=0.10,
                            required_payments=[PaymentMilestone("acceptance", 1.0)])
        amount = fleetcalc.evaluate(tender).adjustments.query("stage == 'payment'")["amount"]
        assert amount.iloc[0] == pytest.approx(100_000 + 90_000)

    def test_priced_adjustment_in_another_currency(self):
        tender = small_tender(exchange_rates={"PKR": 0.004}, evaluation=BidEvaluation(
            priced_adjustments=[PricedAdjustment(name="Spares", amount=fleetcalc.Money(
                1_000_000, "PKR"))]))
        line = fleetcalc.evaluate(tender).adjustments.query("stage == 'priced'")
        assert line["amount"].iloc[0] == pytest.approx(4_000.0)

    def test_expected_availability_damages_are_a_credit_and_capped(self):
        # the units' availability is (1 - 36.5/365) * 0.9 = 0.81; guarantee 0.9, no tolerance:
        # 9 points a year at 1,000 per point -> 9,000 in each year with units under
        # guarantee; the cap, 1 % of the 2 M price = 20,000, bites in year 3
        tender = small_tender(mtbf_hours=900.0, mean_downtime_hours=100.0,
                              scheduled_maintenance_days=36.5,
                              guarantees=Guarantees(availability=0.9, damages_per_point=1000,
                                                    damages_cap=0.01, guarantee_years=2))
        line = fleetcalc.evaluate(tender).adjustments.query("stage == 'guarantee'")
        # years 1-3 hold units aged < 2: year 1 (unit 1 age 0), year 2 (ages 1, 0), year 3 (age 1)
        expected = 9000 / 1.1 + 9000 / 1.1**2 + (20_000 - 18_000) / 1.1**3
        assert line["amount"].iloc[0] == pytest.approx(-expected, rel=1e-9)

    def test_loaded_fuel_guarantee(self):
        tender = with_rules(small_tender(guarantees=Guarantees(fuel_litres_per_km=5.0,
                                                               fuel_tolerance=0.1)),
                            load_guarantees=True)
        energy = fleetcalc.evaluate(tender).cash_flows.query("category == 'energy'")
        # 10,000 km x 5.0 x 1.1 L/km x 1 USD/L for the one unit of year 1
        assert energy["amount"].iloc[0] == pytest.approx(55_000)

    def test_price_adjustment_formula_on_payments(self):
        tender = small_tender()
        tender = attrs.evolve(tender, tender=attrs.evolve(
            tender.tender, price_adjustment=PriceIndices(labour=[100, 110], materials=[100, 90])))
        tender = attrs.evolve(tender, bids=[attrs.evolve(
            tender.bids[0], price_adjustment=PriceAdjustment(a=0.2, b=0.3, c=0.5))])
        flows = fleetcalc.evaluate(tender).cash_flows.query("category == 'acquisition'")
        # t = 1: 900,000 x (0.2 + 0.3 x 1.1 + 0.5 x 0.9) = 900,000 x 0.98
        assert flows.set_index("year")["amount"][1] == pytest.approx(882_000)

    def test_scores_rank_beside_cost(self):
        tender = small_tender(evaluation=BidEvaluation(technical_score=80))
        other = attrs.evolve(tender.bids[0], bidder="B", unit_price=1_100_000,
                             evaluation=BidEvaluation(technical_score=100))
        tender = with_rules(attrs.evolve(tender, bids=(tender.bids[0], other)),
                            technical_weight=0.5)
        ranking = fleetcalc.evaluate(tender).ranking
        assert ranking.loc["A", "price_score"] == pytest.approx(100.0)
        assert ranking.loc["B", "combined_score"] == pytest.approx(
            0.5 * 100 * ranking.loc["A", "evaluated_cost"] / ranking.loc["B", "evaluated_cost"]
            + 50)
        assert ranking.loc["B", "combined_rank"] == 1 and ranking.loc["A", "rank"] == 1


def pd_na(value):
    import pandas as pd
    return pd.isna(value)


@fast
@given(tenders(), st.floats(0, 0.2), st.floats(-1e6, 1e6), st.booleans())
def test_adjustments_add_up_to_evaluated_cost_minus_lcc(tender, discount, correction, prefer):
    bids = tuple(attrs.evolve(b, evaluation=BidEvaluation(discount=discount,
                                                           arithmetic_correction=correction))
                 for b in tender.bids)
    tender = with_rules(attrs.evolve(tender, bids=bids), domestic_preference=prefer)
    result = fleetcalc.evaluate(tender)
    totals = result.adjustments.groupby("bidder")["amount"].sum().reindex(
        result.ranking.index, fill_value=0.0)
    # (lcc + total) - lcc cancels: allow the rounding of the larger magnitude
    scale = 1e-12 * (1.0 + result.ranking["lcc_npv"].abs().max())
    np.testing.assert_allclose(result.ranking["evaluated_cost"] - result.ranking["lcc_npv"],
                               totals, rtol=1e-9, atol=max(1e-6, scale))


@pytest.fixture(scope="module")
def data():
    return fleetcalc.evaluate(fleetcalc.load_tender(EXAMPLE)).to_dict()


class TestExampleJson:
    def test_financing_grant_element_and_adjustments(self, data):
        for bid in data["bids"]:
            assert "financing" in bid["pv_by_category"]
            assert "grant_element" in bid and "adjustments" in bid
        financed = [b for b in data["bids"] if b["grant_element"] is not None]
        assert len(financed) == 3
        assert any(b["adjustments"] for b in data["bids"])

    def test_non_responsive_bid_with_reason(self, data):
        assert data["non_responsive"][0]["bidder"] == "Late Bidder Ltd (fictitious)"
        assert "weeks late" in data["non_responsive"][0]["reasons"][0]


@pytest.mark.parametrize(("old", "new", "path", "words"), [
    ("service_life_years = 30\n\n[[bids]]",
     "service_life_years = 30\nfinancing = { share = 0.8, interest_rate = 0.05, "
     "tenor_years = 10 }\n\n[[bids]]", "bids[A].financing.grace_years",
     "grace period must be at least 1 year"),
    ("service_life_years = 30\n\n[[bids]]",
     "service_life_years = 30\nfinancing = { share = 0.8, interest_rate = 0.05, "
     "reference_rate = 0.04, tenor_years = 10, grace_years = 2 }\n\n[[bids]]",
     "bids[A].financing.interest_rate", "not both or neither"),
    ("service_life_years = 30\n\n[[bids]]",
     "service_life_years = 30\nprice_adjustment = { a = 0.5, b = 0.3, c = 0.3 }\n\n[[bids]]",
     "bids[A].price_adjustment.a", "a + b + c = 1.1, not 1"),
    ("service_life_years = 30\n\n[[bids]]",
     "service_life_years = 30\nprice_adjustment = { a = 0.5, b = 0.2, c = 0.3 }\n\n[[bids]]",
     "bids[A].price_adjustment", "needs the index paths"),
    ("[tender.prices]", "[tender.evaluation]\ntechnical_weight = 0.3\n\n[tender.prices]",
     "bids[A].evaluation.technical_score", "is needed"),
    ("[tender.prices]", "[tender.evaluation]\ndomestic_preference = 1\n\n[tender.prices]",
     "tender.evaluation.domestic_preference", "true or false"),
    # found in review: these escaped as tracebacks
    ("[tender.prices]", "[tender.evaluation]\nrequired_payments = [{ event = \"delivery\", "
     "share = 0.9 }]\npayment_deviation_rate = 0.08\n\n[tender.prices]",
     "tender.evaluation.required_payments", "shares sum to 0.9, not 1"),
    ("[tender.prices]", "[tender.evaluation]\nrequired_delivery = [0, 0]\n\n[tender.prices]",
     "tender.evaluation.required_delivery", "at least one unit"),
    ("service_life_years = 30\n\n[[bids]]",
     "service_life_years = 30\nfinancing = { share = 0.8, reference_rate = 0.04, margin = -2.0, "
     "tenor_years = 10, grace_years = 2 }\n\n[[bids]]", "bids[A].financing.margin",
     "must be >= -1"),
    ("horizon_years = 10", "horizon_years = 100000", "tender.horizon_years", "<= 100"),
    ("quantity = 3\ndelivery = [1, 2]", "quantity = 1000000\ndelivery = [1, 2]",
     "bids[A].quantity", "<= 20000"),
    ("annual_km = 90000", "annual_km = 90000\ninflation = 100", "tender.inflation", "<= 1"),
])
def test_procurement_input_errors(old, new, path, words):
    assert old in VALID
    found = {p.path: str(p) for p in problems(VALID.replace(old, new, 1))}
    assert path in found and words in found[path], found


class TestRegressions:
    """Bugs found in review; each test came before its fix."""

    def test_delivery_adjustment_without_a_limit(self):
        # review: delivery_max_weeks absent passed max_weeks=inf, which the rule rejected
        tender = with_rules(small_tender(), required_delivery=[2],
                            delivery_adjustment_per_week=0.001)
        line = fleetcalc.evaluate(tender).adjustments.query("stage == 'delivery'")
        assert line["amount"].iloc[0] == pytest.approx(0.001 * 52 * 1_000_000)

    def test_domestic_preference_base_excludes_delivery_and_payment_lines(self):
        # review: the margin's base is the price after corrections, discounts and priced
        # adjustments (World Bank form order), not after the delivery/payment lines:
        # 15 % of 2,000,000 = 300,000 here
        tender = with_rules(small_tender(), domestic_preference=True, required_delivery=[2],
                            delivery_adjustment_per_week=0.001, payment_deviation_rate=0.10,
                            required_payments=[PaymentMilestone("acceptance", 1.0)])
        lines = fleetcalc.evaluate(tender).adjustments.set_index("stage")["amount"]
        assert lines["delivery"] > 0 and lines["payment"] > 0
        assert lines["domestic_preference"] == pytest.approx(300_000)

    def test_scores_skip_bids_without_a_positive_cost(self):
        # review: price_score raised for a valid tender whose evaluated cost is <= 0
        tender = small_tender(evaluation=BidEvaluation(technical_score=80, priced_adjustments=[
            PricedAdjustment(name="Credit", amount=-1e9)]))
        other = attrs.evolve(tender.bids[0], bidder="B",
                             evaluation=BidEvaluation(technical_score=90))
        tender = with_rules(attrs.evolve(tender, bids=(tender.bids[0], other)),
                            technical_weight=0.5)
        ranking = fleetcalc.evaluate(tender).ranking
        assert np.isnan(ranking.loc["A", "price_score"])
        assert ranking.loc["B", "price_score"] == pytest.approx(100.0)

    def test_loan_under_inflation_by_hand(self):
        # Hand computation: the whole 2 M price paid at signing, financed 100 % at 10 %
        # nominal, repaid in one instalment at t = 1; inflation 10 %:
        #   drawdown t0: 2,000,000 (money of t0 = real); debt service t1: 2,200,000 nominal
        #   real at t1: principal 2,000,000 / 1.1 -> acquisition; interest 200,000 / 1.1
        tender = small_tender(payments=[PaymentMilestone("signing", 1.0)],
                              financing=loan(share=1.0, tenor_years=1, grace_years=0))
        tender = attrs.evolve(tender, tender=attrs.evolve(tender.tender, inflation=0.10))
        flows = fleetcalc.evaluate(tender).cash_flows.set_index(["year", "category"])["amount"]
        assert (0, "acquisition") not in flows.index  # the loan paid it all
        assert flows[(1, "acquisition")] == pytest.approx(2_000_000 / 1.1)
        assert flows[(1, "financing")] == pytest.approx(200_000 / 1.1)
