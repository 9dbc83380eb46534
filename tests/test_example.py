"""The example tender comparison script runs and shows what the evaluation computes."""

import importlib.util
from pathlib import Path

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
                    "Availability and demand", "Winner by discount rate"):
        assert heading in out
    png = (tmp_path / "available_vs_demand.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000
