"""Benchmark of the Monte Carlo engine on the Pakistan example with its uncertainties.

Run from the repository root (not a test; it prints a table):

    python benchmarks/bench_simulation.py            # full run (about a minute)
    python benchmarks/bench_simulation.py --quick    # smaller memory run

Reports:

* wall time and draws per second of ``simulate`` for 100,000 draws (local
  threads, and one thread);
* the speed-up over a baseline that loops the deterministic ``evaluate``
  once per draw (run on fewer draws and scaled);
* peak memory (resident set, ``resource.getrusage`` in a fresh subprocess)
  at 1,000,000 draws;
* the ratio of the engine's time to a bare numpy floor of the same shape:
  one discounting pass, an einsum over draws x bids x categories x years.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import fleetcalc  # noqa: E402
from fleetcalc import sampling, simulation  # noqa: E402
from fleetcalc.uncertainty import with_input  # noqa: E402

EXAMPLE = ROOT / "examples" / "pakistan_locomotives_2026.toml"


def _best_of(function, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def engine_time(tender, model, draws, workers, repeat=3):
    return _best_of(lambda: simulation.simulate(tender, draws=draws, seed=1, model=model,
                                                workers=workers), repeat)


def baseline_time_per_draw(tender, model, draws):
    """Loop: set every drawn input on the tender, then evaluate() (paths not applied)."""
    values, _ = simulation._block_values(model, 1, 0)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for row in values[:draws]:
            changed = tender
            for dim, x in zip(model.dims, row):
                changed = with_input(changed, dim.label, float(x), scale=dim.scale)
            fleetcalc.evaluate(changed)
    return (time.perf_counter() - start) / draws


def floor_time(model, draws, repeat=3):
    """One discounting pass over draws x bids x categories x years, chunk by chunk."""
    n_bids = len(model.bidders)
    n_cat = len(fleetcalc.CATEGORIES)
    block = sampling.BLOCK_SIZE
    flows = np.random.default_rng(0).random((block, n_bids, n_cat, model.periods))
    factors = model.discount0

    def run():
        for _ in range(-(-draws // block)):
            np.einsum("nbct,t->nb", flows, factors)

    return _best_of(run, repeat)


def peak_memory(draws):
    """Peak resident memory [MiB] of a fresh process running ``draws`` draws."""
    code = (
        "import resource, sys, fleetcalc\n"
        "from fleetcalc.simulation import simulate\n"
        f"t = fleetcalc.load_tender({str(EXAMPLE)!r})\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        f"r = simulate(t, draws={draws}, seed=1)\n"
        "s = r.summary\n"
        "after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "print(before / 1024, after / 1024)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    before, after = (float(x) for x in out.stdout.split())
    return before, after


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=100_000)
    parser.add_argument("--memory-draws", type=int, default=1_000_000)
    parser.add_argument("--baseline-draws", type=int, default=40)
    parser.add_argument("--quick", action="store_true", help="memory run at 200,000 draws")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    memory_draws = 200_000 if args.quick else args.memory_draws

    tender = fleetcalc.load_tender(EXAMPLE)
    start = time.perf_counter()
    model = simulation.build_model(tender)
    build = time.perf_counter() - start
    simulation.simulate(tender, draws=sampling.BLOCK_SIZE, seed=0, model=model)   # warm up

    n = args.draws
    threads = min(os.cpu_count() or 1, 8)
    t_local = engine_time(tender, model, n, None)
    t_one = engine_time(tender, model, n, 1)
    per_draw = baseline_time_per_draw(tender, model, args.baseline_draws)
    t_floor = floor_time(model, n)
    rss_before, rss_after = peak_memory(memory_draws)
    figures = {
        "draws": n, "dims": model.n_dims, "bids": len(model.bidders),
        "periods": model.periods, "threads": threads, "build_s": build,
        "engine_s": t_local, "engine_one_thread_s": t_one,
        "draws_per_s": n / t_local,
        "baseline_s_per_draw": per_draw, "baseline_scaled_s": per_draw * n,
        "speedup_vs_baseline": per_draw * n / t_local,
        "floor_s": t_floor, "engine_over_floor": t_local / t_floor,
        "memory_draws": memory_draws, "rss_start_mib": rss_before, "rss_peak_mib": rss_after,
    }
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    rows = [
        ("model build (once per tender)", f"{build:.3f} s", ""),
        (f"simulate {n:,} draws ({threads} threads)", f"{t_local:.3f} s",
         f"{n / t_local:,.0f} draws/s; target <= 2 s"),
        (f"simulate {n:,} draws (1 thread)", f"{t_one:.3f} s", f"{n / t_one:,.0f} draws/s"),
        (f"baseline: evaluate() per draw ({args.baseline_draws} draws, scaled)",
         f"{per_draw * n:.1f} s", f"{per_draw * 1e3:.1f} ms/draw"),
        ("speed-up over the baseline", f"{per_draw * n / t_local:,.0f}x", "target >= 100x"),
        (f"numpy floor: einsum {n:,} x {len(model.bidders)} x "
         f"{len(fleetcalc.CATEGORIES)} x {model.periods}", f"{t_floor:.3f} s", ""),
        ("engine / floor", f"{t_local / t_floor:.1f}", ""),
        (f"peak memory at {memory_draws:,} draws (RSS)", f"{rss_after:,.0f} MiB",
         f"{rss_before:,.0f} MiB before simulate; target < 1024 MiB"),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"fleetcalc Monte Carlo benchmark: {EXAMPLE.name}, {model.n_dims} drawn inputs, "
          f"{len(model.bidders)} bids, {model.periods} time points, {os.cpu_count()} CPUs")
    for name, value, note in rows:
        print(f"  {name:<{width}}  {value:>12}  {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
