"""Scaling of the Monte Carlo engine on a Dask ``LocalCluster`` of worker processes.

Run from the repository root (needs ``pip install fleetcalc[dask]``):

    python benchmarks/bench_dask.py                 # 1 and 2 workers, 400,000 draws
    python benchmarks/bench_dask.py --workers 1 2 4 --draws 1000000

For each cluster size ``w`` (worker processes of one thread each) it runs
``simulate(..., client=client)`` ``--repeat`` times and prints draws per
second and the speed-up against one worker, all measured in the same run
(baseline: the same simulation on a one-worker cluster; also shown: one
local thread, no Dask). The results are checked equal to the local run.
A fresh child process then runs the largest cluster from start to finish
and reports its whole-process time and its own peak RSS (the client
process; each worker process holds one copy of the model and one chunk).
Note the load (``uptime``): on a shared machine the scaling is bounded by
the idle cores, not by the engine.
"""

from __future__ import annotations

import argparse
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
from fleetcalc import simulation  # noqa: E402

EXAMPLE = ROOT / "examples" / "pakistan_locomotives_2026.toml"

CHILD = """
import resource, sys, time, warnings
warnings.simplefilter("ignore")
start = time.perf_counter()
from dask.distributed import Client, LocalCluster
import fleetcalc
from fleetcalc.simulation import simulate
if __name__ == "__main__":
    with LocalCluster(n_workers={workers}, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        result = simulate(fleetcalc.load_tender({example!r}), draws={draws}, seed=1,
                          client=client)
        result.summary
    print(time.perf_counter() - start,
          resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--draws", type=int, default=400_000)
    parser.add_argument("--chunk-size", type=int, default=simulation.DEFAULT_CHUNK_SIZE)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    from dask.distributed import Client, LocalCluster

    warnings.simplefilter("ignore")
    load = os.getloadavg()
    tender = fleetcalc.load_tender(EXAMPLE)
    model = simulation.build_model(tender)

    def timed(**kwargs):
        best, result = None, None
        for _ in range(args.repeat):
            start = time.perf_counter()
            result = simulation.simulate(tender, draws=args.draws, seed=1, model=model,
                                         chunk_size=args.chunk_size, **kwargs)
            wall = time.perf_counter() - start
            best = wall if best is None else min(best, wall)
        return best, result

    local_s, local = timed(workers=1)
    rows = []
    for w in args.workers:
        with LocalCluster(n_workers=w, threads_per_worker=1, processes=True,
                          dashboard_address=None) as cluster, Client(cluster) as client:
            client.run(lambda: None)                   # workers up
            timed(client=client)                        # warm up: model shipped, tables built
            wall, result = timed(client=client)
        assert np.array_equal(result.draws_evaluated_cost, local.draws_evaluated_cost)
        rows.append((w, wall))
    base = rows[0][1]
    print(f"fleetcalc Dask benchmark: {args.draws:,} draws of {EXAMPLE.name}, chunks of "
          f"{args.chunk_size:,} draws, {os.cpu_count()} CPUs, load average "
          + ", ".join(f"{x:.2f}" for x in load))
    print(f"  {'local, 1 thread (no Dask)':<28} {args.draws / local_s:>12,.0f} draws/s")
    for w, wall in rows:
        print(f"  {f'LocalCluster, {w} worker(s)':<28} {args.draws / wall:>12,.0f} draws/s"
              f"  {base / wall:5.2f}x one worker, {local_s / wall:5.2f}x local 1 thread")
    w = max(args.workers)
    code = CHILD.format(workers=w, example=str(EXAMPLE), draws=args.draws)
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    wall = time.perf_counter() - start
    _, rss = (float(x) for x in out.stdout.split()[-2:])
    print(f"  fresh process, {w} workers from start to finish: {wall:.2f} s, client peak RSS "
          f"{rss:,.0f} MiB; results equal to the local run: yes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
