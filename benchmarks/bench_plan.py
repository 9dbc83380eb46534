"""Benchmark: how the solve time of ``fleetcalc.plan`` grows with the horizon and the types.

Run from the repository root (not a test; it prints a table):

    python benchmarks/bench_plan.py            # full grid
    python benchmarks/bench_plan.py --quick    # fewer points

Instances are derived from the example (``examples/pakistan_locomotives_2026.toml``,
with its ``[plan]``, cohorts and rebuild options, see :func:`scaled_tender`):

* ``horizon``: the example's three plan types over ``H`` years (demand cut, or held at
  its last level beyond year 30);
* ``types``: ``J`` types over 30 years: the example's bids, then copies of them with the
  price 3 % higher per copy (distinct bidders).

Each point is a fresh child process (``python -c``) that builds the tender, runs
:func:`fleetcalc.plan` once and reports the time in HiGHS (``solve_seconds``, summed
over the verification rounds), the whole ``plan`` call, the optimality gap and the
rounds. HiGHS stops at a relative gap of 1e-4 or at the time limit (10 s per solve);
a point that reaches the limit shows its gap. Ratios are against the first point of
each series.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, sys, time, warnings
warnings.simplefilter("ignore")
sys.path.insert(0, {root!r})
sys.path.insert(0, {bench!r})
from bench_plan import scaled_tender
import fleetcalc
tender = scaled_tender({kind!r}, {size!r})
start = time.perf_counter()
result = fleetcalc.plan(tender)
total = time.perf_counter() - start
print(json.dumps({{"solve": result.solve_seconds, "total": total, "gap": result.optimality_gap,
                  "rounds": result.rounds, "npv": result.npv}}))
"""


def scaled_tender(kind, size):
    """The example with ``size`` years (``kind="horizon"``) or ``size`` types (``"types"``).

    Returns
    -------
    fleetcalc.Tender
    """
    import attrs

    import fleetcalc

    tender = fleetcalc.load_tender(ROOT / "examples" / "pakistan_locomotives_2026.toml")
    settings = tender.tender
    plan = tender.plan
    with attrs.validators.disabled():
        if kind == "horizon":
            levels = list(settings.demand.units_in_service)
            levels = (levels + [levels[-1]] * size)[:size]
            demand = attrs.evolve(settings.demand, units_in_service=tuple(levels))
            settings = attrs.evolve(settings, horizon_years=size, demand=demand)
            bids = tuple(b for b in tender.bids if b.bidder in plan.bids)
            return attrs.evolve(tender, tender=settings, bids=bids,
                                plan=attrs.evolve(plan, from_year=min(plan.from_year, size)))
        if kind == "types":
            base = [b for b in tender.bids if b.bidder in plan.bids]
            bids = []
            for j in range(size):
                bid = base[j % len(base)]
                copy = j // len(base)
                if copy:
                    bid = attrs.evolve(bid, bidder=f"{bid.bidder} #{copy + 1}",
                                       unit_price=bid.unit_price * 1.03 ** copy)
                bids.append(bid)
            return attrs.evolve(tender, bids=tuple(bids), uncertainty=(), correlation=None,
                                plan=attrs.evolve(plan, bids=tuple(b.bidder for b in bids)))
    raise ValueError(f"unknown kind {kind!r}")


def run_point(kind, size):
    """Run one point in a fresh interpreter; return its JSON figures."""
    code = CHILD.format(root=str(ROOT), bench=str(ROOT / "benchmarks"), kind=kind, size=size)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, check=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer points")
    args = parser.parse_args(argv)
    series = {"horizon": [10, 20, 30] if args.quick else [5, 10, 15, 20, 25, 30],
              "types": [1, 3] if args.quick else [1, 2, 3, 4, 6]}
    print(f"{'series':8} {'size':>5} {'solve [s]':>10} {'plan [s]':>9} {'ratio':>7} "
          f"{'gap':>9} {'rounds':>6}")
    for kind, sizes in series.items():
        first = None
        for size in sizes:
            point = run_point(kind, size)
            first = first or point["total"]
            print(f"{kind:8} {size:5d} {point['solve']:10.2f} {point['total']:9.2f} "
                  f"{point['total'] / first:7.2f} {point['gap']:9.2e} {point['rounds']:6d}",
                  flush=True)


if __name__ == "__main__":
    main()
