"""Run seeded malformed tenders through the command line and print the counts.

``python benchmarks/fuzz_tenders.py --cases 10000 [--seed 0] [--timeout 10]``

Each case is one malformed tender (see ``tests/malformed.py``) run through
``fleetcalc.cli.main`` in-process. Counts: ok (exit 0, finite output, every
null explained), exit 2 (an error message naming a key path), tracebacks,
hangs (over the time bound), unexplained null/inf/nan, bad messages and bad
exit codes. Exit status 1 if any case failed.
"""

from __future__ import annotations

import argparse
import collections
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.malformed import run_cases

LABELS = {"ok": "ok", "exit2": "exit 2", "traceback": "tracebacks", "hang": "hangs",
          "unexplained": "unexplained null/inf/nan", "bad_message": "bad messages",
          "bad_exit": "other exit codes", "bad_output": "invalid output"}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=10.0,
                        help="time bound per case [s]")
    parser.add_argument("--show", type=int, default=40, help="failures to list")
    args = parser.parse_args(argv)
    start = time.perf_counter()

    def progress(i, verdict):
        if (i + 1) % 500 == 0:
            print(f"  {i + 1} cases, {time.perf_counter() - start:.0f} s", file=sys.stderr)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        counts, failures = run_cases(args.cases, seed=args.seed, timeout=args.timeout,
                                     on_case=progress)
    print(f"{args.cases} cases, seed {args.seed}, {time.perf_counter() - start:.0f} s")
    for key, label in LABELS.items():
        print(f"  {label:26} {counts.get(key, 0):6}")
    signatures = collections.Counter((v, (d or "")[:160]) for _, v, _, _, d in failures)
    if failures:
        print(f"\n{len(signatures)} distinct failures; first cases:")
        for i, verdict, label, command, detail in failures[: args.show]:
            print(f"  #{i} {verdict} [{command}] {label}\n      {detail}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
