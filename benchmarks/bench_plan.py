"""Benchmark: how the solve time of ``fleetcalc.plan`` grows with the horizon and the types.

Run from the repository root (not a test; it prints a table):

    python benchmarks/bench_plan.py            # full grid
    python benchmarks/bench_plan.py --quick    # fewer points
    python benchmarks/bench_plan.py --quick --baseline-root /tmp/main   # before/after

Instances are derived from the example (``examples/pakistan_locomotives_2026.toml``,
with its ``[plan]``, cohorts and rebuild options, see :func:`scaled_tender`):

* ``horizon``: the example's three plan types over ``H`` years (a ``loco_km`` forecast
  with its growth, or a list of units cut or held at its last level beyond year 30);
* ``types``: ``J`` types over 30 years: the example's bids, then copies of them with the
  price 3 % higher per copy (distinct bidders).

Each point is a fresh child process (``python -c``) that builds the tender, runs
:func:`fleetcalc.plan` once and reports the time in HiGHS (``solve_seconds``, summed
over the verification rounds), the whole ``plan`` call, the optimality gap and the
rounds. HiGHS stops at the default relative gap (:data:`fleetcalc.planning.MIP_REL_GAP`,
0.1 % of the plan's NPV) or at the time budget (:data:`fleetcalc.planning.TIME_LIMIT`,
all rounds together); a point that reaches the budget shows its gap.

Ratios are against baselines measured in the same run, in fresh processes too: the
``plan`` time of each point over the first point of its series (``x first``), and over
``fleetcalc.evaluate`` of the example (``x eval``), a fixed amount of fleetcalc work
that shows how loaded the machine is. With ``--baseline-root`` the example's plan
(30 years, 3 types) is also run from another checkout (e.g. ``main`` before a change),
for a before/after line.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

EVALUATE = r"""
import json, sys, time, warnings
warnings.simplefilter("ignore")
sys.path.insert(0, {root!r})
import fleetcalc
tender = fleetcalc.load_tender({example!r})
start = time.perf_counter()
fleetcalc.evaluate(tender)
print(json.dumps({{"total": time.perf_counter() - start}}))
"""

CHILD = r"""
import json, sys, time, warnings
warnings.simplefilter("ignore")
sys.path.insert(0, {root!r})
sys.path.insert(0, {bench!r})
from bench_plan import scaled_tender
import fleetcalc
from fleetcalc.planning import PlanError
tender = scaled_tender({kind!r}, {size!r})
start = time.perf_counter()
try:
    result = fleetcalc.plan(tender)
except PlanError as exc:   # e.g. one type cannot carry the traffic: a point, not a crash
    print(json.dumps({{"error": str(exc)[:60], "total": time.perf_counter() - start}}))
    raise SystemExit(0)
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
            demand = settings.demand
            if demand.units_in_service is not None and not isinstance(
                    demand.units_in_service, int):
                levels = list(demand.units_in_service)
                levels = (levels + [levels[-1]] * size)[:size]
                demand = attrs.evolve(demand, units_in_service=tuple(levels))
            # a loco_km forecast (one number and a growth) holds for any horizon
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


def _run(code, root):
    env = dict(os.environ, PYTHONPATH=str(root))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, check=True, cwd=root)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_point(kind, size, root=ROOT):
    """Run one point in a fresh interpreter with fleetcalc from ``root``; its JSON figures."""
    return _run(CHILD.format(root=str(root), bench=str(ROOT / "benchmarks"), kind=kind,
                             size=size), root)


def run_evaluate(root=ROOT):
    """``fleetcalc.evaluate`` of the example in a fresh interpreter [s]."""
    example = str(ROOT / "examples" / "pakistan_locomotives_2026.toml")
    return _run(EVALUATE.format(root=str(root), example=example), root)["total"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer points")
    parser.add_argument("--baseline-root", type=Path,
                        help="another checkout: the example's plan run from it too")
    args = parser.parse_args(argv)
    series = {"horizon": [10, 20, 30] if args.quick else [5, 10, 15, 20, 25, 30],
              "types": [1, 3] if args.quick else [1, 2, 3, 4, 6]}
    reference = run_evaluate()
    print(f"baseline: fleetcalc.evaluate of the example {reference:.2f} s (fresh process)")
    print(f"{'series':8} {'size':>5} {'solve [s]':>10} {'plan [s]':>9} {'x first':>8} "
          f"{'x eval':>7} {'gap':>9} {'rounds':>6} {'NPV [m]':>10}")

    def line(label, size, point, first):
        if "error" in point:
            print(f"{label:8} {size:5d} no plan ({point['total']:.2f} s): {point['error']}",
                  flush=True)
            return
        gap = point["gap"] if point["gap"] is not None else float("nan")
        print(f"{label:8} {size:5d} {point['solve']:10.2f} {point['total']:9.2f} "
              f"{point['total'] / first:8.2f} {point['total'] / reference:7.1f} "
              f"{gap:9.2e} {point['rounds']:6d} {point['npv'] / 1e6:10.2f}", flush=True)

    for kind, sizes in series.items():
        first = None
        for size in sizes:
            point = run_point(kind, size)
            first = first or point["total"]
            line(kind, size, point, first)
    if args.baseline_root:
        ours = run_point("types", 3)
        before = run_point("types", 3, root=args.baseline_root.resolve())
        print(f"before/after on the example (30 years, 3 types), before = "
              f"{args.baseline_root}:")
        line("before", 3, before, before["total"])
        line("after", 3, ours, before["total"])


if __name__ == "__main__":
    main()
