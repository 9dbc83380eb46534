"""Benchmark: ``fleetcalc compare`` as the fleet and the horizon grow.

Run from the repository root (not a test; it prints a table):

    python benchmarks/bench_scale.py            # full run (a few minutes)
    python benchmarks/bench_scale.py --quick    # fewer points, one repeat

Three series of tenders derived from the example
(``examples/pakistan_locomotives_2026.toml``, see :func:`scaled_tender`):

* ``units``: the first bid at ``N`` units delivered over years 2-4 (the
  other bids as in the example); demand scaled with that bid's fleet;
* ``cohorts``: every existing cohort at ``N`` units (the 20,000-unit limit
  of a bid or cohort at the top point); demand scaled with the fleet;
* ``horizon``: the example with a horizon of ``H`` years (demand after year
  30 held at its last level).

Each point is a fresh child process that runs the ``compare`` command (JSON
output to a file in a temporary folder) and reports its own figures: the time of the
command after the imports (pandas imported beforehand, so that this is the
work that grows with the tender), and its peak resident set (``VmHWM`` of
``/proc/self/status``: the high-water mark of the child's own address
space, which unlike ``ru_maxrss`` does not start from the parent's). The
parent times the whole process. The exponent of time and memory in ``N``
(or ``H``) is the slope of a least-squares line on log-log axes over the
points, for the command time and the "work" memory (peak minus the resident
set after the imports), and for the whole process. Ratios are against a baseline measured in the same run: the
example itself (``compare``, whole process) and ``python -c "import numpy"``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "pakistan_locomotives_2026.toml"


def scaled_tender(kind, size):
    """The example tender scaled in fleet size or horizon.

    Parameters
    ----------
    kind : {"units", "cohorts", "horizon"}
        See the module docstring.
    size : int
        Units ``N`` (``units``, ``cohorts``) or horizon ``H`` [year] (``horizon``).

    Returns
    -------
    fleetcalc.Tender
    """
    import attrs

    import fleetcalc

    tender = fleetcalc.load_tender(EXAMPLE)
    # compare ignores the uncertainty section; dropped so that bids can be removed
    tender = attrs.evolve(tender, uncertainty=(), correlation=None)
    settings = tender.tender
    loco_km = settings.demand.loco_km   # issue 13: the example's demand is traffic
    demand = None if loco_km is not None else list(settings.demand.units_in_service)
    own = sum(c.units for c in tender.fleet)

    def spread(units):
        """Delivery of ``units`` over years 2-4 in the example's proportions 10:20:20."""
        first = units // 5
        second = (units - first) // 2
        return (0, first, second, units - first - second)

    def with_demand(scale):
        if demand is None:   # a traffic forecast: the locomotive-km scaled with the fleet
            km = (tuple(k * scale for k in loco_km) if isinstance(loco_km, tuple)
                  else loco_km * scale)
            return attrs.evolve(settings, demand=attrs.evolve(settings.demand, loco_km=km))
        levels = tuple(max(1, round(d * scale)) for d in demand)
        return attrs.evolve(settings, demand=attrs.evolve(settings.demand,
                                                          units_in_service=levels))

    if kind == "units":
        first = attrs.evolve(tender.bids[0], quantity=size, delivery=spread(size))
        scale = (own + size) / (own + tender.bids[0].quantity)
        return attrs.evolve(tender, tender=with_demand(scale),
                            bids=(first,) + tender.bids[1:])
    if kind == "cohorts":
        fleet = tuple(attrs.evolve(c, units=size) for c in tender.fleet)
        scale = (len(fleet) * size + tender.bids[0].quantity) / (
            own + tender.bids[0].quantity)
        return attrs.evolve(tender, tender=with_demand(scale), fleet=fleet)
    if kind == "horizon":
        if demand is None:   # a number grown by loco_km_growth covers any horizon
            if isinstance(loco_km, tuple):
                km = tuple((list(loco_km) + [loco_km[-1]] * size)[:size])
                settings = attrs.evolve(settings, demand=attrs.evolve(settings.demand,
                                                                      loco_km=km))
            settings = attrs.evolve(settings, horizon_years=size)
            return attrs.evolve(tender, tender=settings)
        levels = tuple((demand + [demand[-1]] * size)[:size])
        settings = attrs.evolve(settings, horizon_years=size, demand=attrs.evolve(
            settings.demand, units_in_service=levels))
        return attrs.evolve(tender, tender=settings)
    raise ValueError(f"unknown kind {kind!r}")


sys.path.insert(0, str(Path(__file__).resolve().parent))

from _child import BASELINES, best_of, load  # noqa: E402

#: Points of each series: fleet units N, or horizon H [year].
SERIES = {
    "units": (1_250, 2_500, 5_000, 10_000, 20_000),
    "cohorts": (1_250, 2_500, 5_000, 10_000, 20_000),
    "horizon": (25, 50, 75, 100),
}
QUICK = {"units": (2_500, 20_000), "cohorts": (2_500, 20_000), "horizon": (25, 100)}

#: Targets at the top points: whole-process seconds and peak MiB.
TARGETS = {("units", 20_000): (2.0, 500.0), ("cohorts", 20_000): (2.0, 500.0)}


def write_tenders(series, directory):
    """Write every point's tender file (in a child process, so this one stays small)."""
    points = [(kind, size) for kind, sizes in series.items() for size in sizes]
    code = (
        "import sys, json\n"
        f"sys.path.insert(0, {str(Path(__file__).resolve().parent)!r})\n"
        "from bench_scale import scaled_tender\n"
        "import fleetcalc\n"
        "for kind, size, path in json.loads(sys.argv[1]):\n"
        "    fleetcalc.write_tender(scaled_tender(kind, size), path)\n")
    jobs = [(kind, size, str(Path(directory) / f"{kind}_{size}.toml")) for kind, size in points]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    subprocess.run([sys.executable, "-c", code, json.dumps(jobs)], cwd=ROOT, env=env,
                   check=True)
    return {(kind, size): path for kind, size, path in jobs}


def slope(xs, ys):
    """Least-squares slope of log(y) on log(x): the exponent of y in x."""
    import math

    lx = [math.log(x) for x in xs]
    ly = [math.log(max(y, 1e-9)) for y in ys]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly)) / sum((a - mx) ** 2 for a in lx)


def measure(root, files, repeat):
    """Figures of ``compare --format json`` of every tender file, from ``root``'s code."""
    return {point: best_of(["compare", path, "--format", "json", "--force", "--output",
                            str(Path(path).with_suffix(".json"))],
                           root=root, repeat=repeat, preimport=("pandas",))
            for point, path in files.items()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="two points a series, one repeat")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--baseline-root", type=Path,
                        help="another checkout to run the same points from (before/after)")
    parser.add_argument("--baseline-points", default="units:20000,cohorts:5000,horizon:100",
                        help="points run from --baseline-root (kind:size,...)")
    args = parser.parse_args(argv)
    series = QUICK if args.quick else SERIES
    repeat = 1 if args.quick else args.repeat
    before = load()
    with tempfile.TemporaryDirectory() as tmp:
        files = write_tenders(series, tmp)
        # (the output goes to a file: `--output` never writes over a device, issue 10)
        example = best_of(["compare", str(EXAMPLE), "--format", "json", "--force", "--output",
                           str(Path(tmp) / "example.json")], root=ROOT, repeat=repeat,
                          preimport=("pandas",))
        numpy_run = best_of(BASELINES['python -c "import numpy"'], root=ROOT, repeat=repeat,
                            command=False)
        now = measure(ROOT, files, repeat)
        base = {}
        if args.baseline_root:
            wanted = [(k, int(s)) for k, s in (p.split(":") for p in
                                               args.baseline_points.split(",") if p)]
            extra = {p: files[p] for p in wanted if p in files}
            missing = [p for p in wanted if p not in files]
            if missing:
                extra.update(write_tenders({k: (s,) for k, s in missing}, tmp))
            base = measure(args.baseline_root, extra, repeat)
    after = load()
    print(f"bench_scale: compare --format json, best of {repeat} fresh processes; "
          f"{after[1]} CPUs; load average {before[0][0]:.2f} before, {after[0][0]:.2f} after")
    print(f"baselines: example compare {example['wall_s']:.3f} s whole process "
          f"({example['command_s']:.3f} s command, {example['peak_mib']:.0f} MiB peak); "
          f"python -c 'import numpy' {numpy_run['wall_s']:.3f} s")
    print(f"{'series':8s} {'size':>7s} {'wall s':>7s} {'command s':>9s} {'peak MiB':>8s} "
          f"{'work MiB':>8s} {'x example':>9s} {'target':>14s}")
    for (kind, size), r in now.items():
        work = r["peak_mib"] - r["rss_imported_mib"]
        target = TARGETS.get((kind, size))
        verdict = ""
        if target:
            ok = r["wall_s"] <= target[0] and r["peak_mib"] <= target[1]
            verdict = f"{target[0]:.0f} s {target[1]:.0f} MiB " + ("ok" if ok else "MISSED")
        print(f"{kind:8s} {size:7d} {r['wall_s']:7.3f} {r['command_s']:9.3f} "
              f"{r['peak_mib']:8.1f} {work:8.1f} {r['wall_s'] / example['wall_s']:9.2f} "
              f"{verdict:>14s}")
    print("exponents (slope on log-log axes over the points of a series; 1 = linear):")
    for kind in series:
        pts = [(size, now[(kind, size)]) for size in series[kind]]
        xs = [s for s, _ in pts]
        print(f"  {kind:8s} command time {slope(xs, [r['command_s'] for _, r in pts]):5.2f}, "
              f"work memory {slope(xs, [r['peak_mib'] - r['rss_imported_mib'] for _, r in pts]):5.2f}"
              f", whole-process time {slope(xs, [r['wall_s'] for _, r in pts]):5.2f}, "
              f"peak memory {slope(xs, [r['peak_mib'] for _, r in pts]):5.2f}")
    if base:
        print(f"before/after from {args.baseline_root}:")
        for point, b in base.items():
            r = now.get(point)
            if r is None:
                continue
            print(f"  {point[0]:8s} {point[1]:7d} before {b['wall_s']:7.3f} s {b['peak_mib']:8.1f}"
                  f" MiB; after {r['wall_s']:7.3f} s {r['peak_mib']:8.1f} MiB; "
                  f"speed-up {b['wall_s'] / r['wall_s']:.1f}x, memory "
                  f"{b['peak_mib'] / r['peak_mib']:.1f}x less")
    return 0


if __name__ == "__main__":
    sys.exit(main())
