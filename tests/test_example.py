"""The example tender comparison script runs and shows what the evaluation computes."""

import importlib.util
from pathlib import Path

import attrs
import pytest

import fleetcalc

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.filterwarnings("ignore::fleetcalc.TenderWarning")
def test_example_script_prints_the_ranking_and_saves_the_chart(tmp_path, capsys):
    spec = importlib.util.spec_from_file_location("tender_comparison",
                                                  ROOT / "examples" / "tender_comparison.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    script.main(ROOT / "examples" / "pakistan_locomotives_2026.toml", output=tmp_path)
    out = capsys.readouterr().out
    ranking = fleetcalc.evaluate(fleetcalc.load_tender(
        ROOT / "examples" / "pakistan_locomotives_2026.toml")).ranking
    positions = [out.index(bidder) for bidder in ranking.index]
    assert positions == sorted(positions)  # printed in rank order
    for heading in ("Present value by cost category", "without the financing offers",
                    "Availability and demand", "Winner by discount rate",
                    "Against doing nothing", "The MDB-financed tender"):
        assert heading in out
    png = (tmp_path / "available_vs_demand.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000


@pytest.mark.filterwarnings("ignore::fleetcalc.TenderWarning")
def test_the_two_pakistan_files_are_one_regime_each_with_the_same_locomotives():
    """Issue 13: government-financed with supplier credit (no domestic preference) and
    MDB-financed (domestic preference, no supplier financing); everything else equal."""
    gov = fleetcalc.load_tender(ROOT / "examples" / "pakistan_locomotives_2026.toml")
    mdb = fleetcalc.load_tender(ROOT / "examples" / "pakistan_locomotives_2026_mdb.toml")
    assert not gov.tender.evaluation.domestic_preference
    assert any(b.financing is not None for b in gov.bids)
    assert mdb.tender.evaluation.domestic_preference
    assert all(b.financing is None for b in mdb.bids)
    strip = [(attrs.evolve(b, financing=None)) for b in gov.bids]
    assert strip == list(mdb.bids)
    assert gov.fleet == mdb.fleet and gov.tender.demand == mdb.tender.demand
    for path in ("pakistan_locomotives_2026.toml", "pakistan_locomotives_2026_mdb.toml"):
        # neither file draws the regime warning of a mixed regime
        assert not [w for w in fleetcalc.load_tender(ROOT / "examples" / path).warnings
                    if "state the regime" in str(w)]


@pytest.mark.filterwarnings("ignore::fleetcalc.TenderWarning")
def test_the_mdb_example_evaluates_with_demand_driven_km():
    result = fleetcalc.evaluate(fleetcalc.load_tender(
        ROOT / "examples" / "pakistan_locomotives_2026_mdb.toml"))
    ranking = result.ranking
    assert ranking["pv_existing_fleet"].gt(0).all()
    assert ranking["incremental_npv"].notna().all()
    assert (ranking["domestic_preference"] > 0).any()
