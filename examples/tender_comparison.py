"""Compare the bids of the illustrative Pakistan Railways tender from Python.

Run from the repository root:

    python examples/tender_comparison.py [TENDER.toml]

Prints the ranking and the present value of each bid by cost category, the
ranking with and without the financing offers, availability against demand, the
bids against doing nothing, the same locomotives under an MDB-financed tender,
and how the ranking moves with the discount rate (variants made with
attrs.evolve). Saves the chart of available locomotives against demand to
examples/output/available_vs_demand.png.
"""

import sys
from pathlib import Path

import attrs

import fleetcalc

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "output"


def main(path=HERE / "pakistan_locomotives_2026.toml", output=OUTPUT):
    tender = fleetcalc.load_tender(path)
    result = fleetcalc.evaluate(tender)
    currency = tender.tender.base_currency
    millions = 1e6

    print(f"{tender.tender.name}\n")
    print(f"Ranking (present values in {currency} million at t = 0):")
    ranking = result.ranking[["rank", "model", "evaluated_cost", "lcc_npv"]].copy()
    ranking[["evaluated_cost", "lcc_npv"]] /= millions
    print(ranking.to_string(float_format=lambda x: f"{x:,.2f}"))

    print(f"\nPresent value by cost category ({currency} million):")
    by_category = result.pv_by_category.loc[result.ranking.index] / millions
    by_category["total"] = by_category.sum(axis=1)
    print(by_category.to_string(float_format=lambda x: f"{x:,.2f}"))

    print("\nWith and without the financing offers (evaluated cost, USD million):")
    unfinanced = attrs.evolve(tender, bids=[attrs.evolve(b, financing=None)
                                            for b in tender.bids])
    without = fleetcalc.evaluate(unfinanced).ranking
    both = result.ranking[["rank", "evaluated_cost", "grant_element"]].join(
        without[["rank", "evaluated_cost"]].add_suffix("_without_financing"))
    both[["evaluated_cost", "evaluated_cost_without_financing"]] /= millions
    print(both.to_string(float_format=lambda x: f"{x:,.3f}"))

    print("\nAvailability and demand:")
    print(result.ranking[["availability", "p_meet_demand", "shortfall_unit_days"]].to_string(
        float_format=lambda x: f"{x:,.3f}"))

    if result.do_nothing is not None:
        print(f"\nAgainst doing nothing (the existing fleet alone; {currency} million):")
        frame = result.ranking[["evaluated_cost", "pv_existing_fleet", "pv_shortfall",
                                "incremental_npv"]] / millions
        print(frame.to_string(float_format=lambda x: f"{x:,.2f}"))
        print(f"  do nothing: {sum(result.do_nothing.values()) / millions:,.2f}")

    mdb_path = Path(path).parent / "pakistan_locomotives_2026_mdb.toml"
    if "_mdb" not in Path(path).name and mdb_path.exists():
        print(f"\nThe MDB-financed tender of the same locomotives ({mdb_path.name}; "
              f"{currency} million):")
        mdb = fleetcalc.evaluate(fleetcalc.load_tender(mdb_path)).ranking
        mdb = mdb[["rank", "evaluated_cost", "domestic_preference"]].copy()
        mdb[["evaluated_cost", "domestic_preference"]] /= millions
        print(mdb.to_string(float_format=lambda x: f"{x:,.2f}"))

    print("\nWinner by discount rate:")
    for rate in (0.04, 0.06, 0.08, 0.10, 0.12):
        variant = attrs.evolve(tender, tender=attrs.evolve(tender.tender, discount_rate=rate))
        first = fleetcalc.evaluate(variant).ranking.index[0]
        print(f"  {rate:5.0%}  {first}")

    if result.fleet_years is not None:
        from fleetcalc.reports.charts import available_vs_demand, render_png  # noqa: PLC0415 - matplotlib, only here

        output = Path(output)
        output.mkdir(exist_ok=True)
        chart = output / "available_vs_demand.png"
        chart.write_bytes(render_png(lambda ax=None: available_vs_demand(result, ax=ax)))
        print(f"\nChart of available locomotives against demand: {chart}")


if __name__ == "__main__":
    main(*sys.argv[1:2])
