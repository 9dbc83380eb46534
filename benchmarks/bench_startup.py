"""Benchmark: whole-process time of the start-up commands (issue 15, item 1).

Run from the repository root (not a test; it prints a table):

    python benchmarks/bench_startup.py                  # best of 7
    python benchmarks/bench_startup.py --repeat 15
    python benchmarks/bench_startup.py --baseline-root /tmp/main   # before/after

Each figure is the best of ``--repeat`` fresh processes (``python -c`` running
``fleetcalc.cli.main``), measured by the parent (wall clock and CPU time of
the child) with the child's own peak resident set (``_child.py``):

* ``fleetcalc --help``, ``fleetcalc validate`` and ``fleetcalc compare`` of
  the example (targets: 0.3 s, 0.3 s and 0.6 s whole process);
* baselines in the same run: ``python -c pass`` and ``python -c "import
  numpy"``; every command is also given as a ratio to the numpy baseline
  (wall clock and CPU time), which is what carries over to another machine
  or another load;
* with ``--baseline-root DIR``, the same commands from another checkout (for
  example ``git archive <commit> | tar -x -C DIR``), and the speed-up.

The machine is shared and timings are noisy: the load average is printed
with the results; compare ratios, not seconds, between runs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _child import BASELINES, best_of, load  # noqa: E402

EXAMPLE = ROOT / "examples" / "pakistan_locomotives_2026.toml"

#: (label, arguments, target whole-process seconds).
COMMANDS = [
    ("fleetcalc --help", ["--help"], 0.3),
    ("fleetcalc validate EXAMPLE", ["validate", str(EXAMPLE)], 0.3),
    ("fleetcalc compare EXAMPLE", ["compare", str(EXAMPLE)], 0.6),
]


def measure(root, repeat):
    """Figures of every baseline and command, interleaved round by round."""
    results = {}
    for label, args in BASELINES.items():
        results[label] = best_of(args, root=root, repeat=repeat, command=False)
    for label, args, _ in COMMANDS:
        results[label] = best_of(args, root=root, repeat=repeat)
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--baseline-root", type=Path,
                        help="another checkout to measure the same commands from")
    args = parser.parse_args(argv)
    before = load()
    now = measure(ROOT, args.repeat)
    base = measure(args.baseline_root, args.repeat) if args.baseline_root else None
    after = load()
    numpy_s = now['python -c "import numpy"']["wall_s"]
    numpy_cpu = now['python -c "import numpy"']["cpu_s"]
    print(f"bench_startup: best of {args.repeat} fresh processes; {after[1]} CPUs; "
          f"load average {before[0][0]:.2f} before, {after[0][0]:.2f} after")
    header = (f"{'command':30s} {'wall s':>7s} {'median':>7s} {'CPU s':>6s} {'peak MiB':>8s} "
              f"{'x numpy':>7s} {'CPU x np':>8s} {'target':>6s}")
    if base:
        header += f" {'before s':>8s} {'CPU s':>6s} {'speed-up':>8s}"
    print(header)
    for label in list(BASELINES) + [c[0] for c in COMMANDS]:
        r = now[label]
        target = next((t for c, _, t in COMMANDS if c == label), None)
        line = (f"{label:30s} {r['wall_s']:7.3f} {r['median_wall_s']:7.3f} {r['cpu_s']:6.3f} "
                f"{r.get('peak_mib', float('nan')):8.1f} {r['wall_s'] / numpy_s:7.2f} "
                f"{r['cpu_s'] / numpy_cpu:8.2f} ")
        line += (f"{target:6.2f}" + (" ok" if r["wall_s"] <= target else " MISSED")
                 if target else f"{'':6s}")
        if base:
            b = base[label]
            line += f" {b['wall_s']:8.3f} {b['cpu_s']:6.3f} {b['wall_s'] / r['wall_s']:8.2f}"
        print(line)
    for label, _, _ in COMMANDS:
        r = now[label]
        print(f"  {label}: imports {r['import_s']:.3f} s, command {r['command_s']:.3f} s "
              "(in the child)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
