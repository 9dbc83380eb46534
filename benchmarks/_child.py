"""Run one ``fleetcalc`` command in a fresh process and measure it from outside and inside.

Shared by ``bench_startup.py`` and ``bench_scale.py``. The child is a new
interpreter (``python -c``) that runs ``fleetcalc.cli.main`` (a module or a
package, before or after the CLI's move) and writes one JSON line to
stderr: the time of the command after its own imports, the resident set
after ``import fleetcalc.cli`` and the peak resident set of the whole
process. The peak is ``VmHWM`` of ``/proc/self/status``, the high-water mark
of the child's own address space: unlike ``ru_maxrss`` it does not start
from the parent's (a child created by ``vfork``/``posix_spawn`` inherits the
parent's peak in ``ru_maxrss``). The parent times the whole process (wall
clock, and CPU from ``os.wait4``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time

#: The child's program: argv[1:] are the command's arguments.
CHILD = r"""
import sys, time
def _status(key):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key):
                return int(line.split()[1]) / 1024.0
    return float("nan")
start = time.perf_counter()
from fleetcalc.cli import main
import os
for name in filter(None, os.environ.get("BENCH_PREIMPORT", "").split(",")):
    __import__(name)
imported = time.perf_counter()
rss_imported = _status("VmRSS")
try:
    status = main(sys.argv[1:])
except SystemExit as exc:
    status = exc.code
done = time.perf_counter()
import json
sys.stderr.write("\n" + json.dumps({"status": status, "import_s": imported - start,
    "command_s": done - imported, "rss_imported_mib": rss_imported,
    "peak_mib": _status("VmHWM")}) + "\n")
"""

#: Baseline programs, each a list of ``python`` arguments.
BASELINES = {"python -c pass": ["-c", "pass"],
             'python -c "import numpy"': ["-c", "import numpy"]}


#: Bytecode cache of the children, outside the source trees (see :func:`_env`).
PYCACHE = os.path.join(tempfile.gettempdir(), "fleetcalc-bench-pycache")


def _env(root, preimport=()):
    """The child's environment: ``root`` on the path, bytecode cached.

    An installed package has its ``.pyc`` files; a source tree run with
    ``PYTHONDONTWRITEBYTECODE`` compiles every module in every process (about
    as long as the rest of ``--help``). The children therefore cache bytecode,
    under :data:`PYCACHE` (``PYTHONPYCACHEPREFIX``) so that no source tree gets
    a ``__pycache__``; the first of the repeated runs warms it.
    """
    env = dict(os.environ)
    env["PYTHONPATH"] = str(root)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = PYCACHE
    env["BENCH_PREIMPORT"] = ",".join(preimport)
    env.pop("PYTHONSTARTUP", None)
    return env


def run_once(args, *, root, command=True, cwd=None, preimport=()):
    """Run ``python [CHILD] args`` (or ``python args`` if not ``command``); return figures.

    The child runs in ``root`` (``python -c`` puts the working directory first
    on ``sys.path``, before ``PYTHONPATH``), so that it imports that checkout.
    Modules in ``preimport`` are imported before the command's timer starts
    (e.g. ``pandas``, so that the command time is the work that scales).
    """
    argv = [sys.executable] + (["-c", CHILD] + list(args) if command else list(args))
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd or root, env=_env(root, preimport),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    stderr = proc.stderr.read()
    proc.stderr.close()
    out = {"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime}
    if command:
        lines = [line for line in stderr.splitlines() if line.startswith("{")]
        if proc.returncode != 0 or not lines:
            raise RuntimeError(f"{' '.join(args)} failed ({proc.returncode}):\n{stderr[-2000:]}")
        out.update(json.loads(lines[-1]))
        if out["status"] not in (0, None):
            raise RuntimeError(f"{' '.join(args)} exited {out['status']}:\n{stderr[-2000:]}")
    elif proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{stderr[-2000:]}")
    return out


def best_of(args, *, root, repeat, command=True, cwd=None, preimport=()):
    """Best (minimum) of each figure over ``repeat`` fresh processes; peak memory: the largest."""
    runs = [run_once(args, root=root, command=command, cwd=cwd, preimport=preimport)
            for _ in range(repeat)]
    best = {key: min(r[key] for r in runs) for key in ("wall_s", "cpu_s")}
    if command:
        best["command_s"] = min(r["command_s"] for r in runs)
        best["import_s"] = min(r["import_s"] for r in runs)
        best["peak_mib"] = max(r["peak_mib"] for r in runs)
        best["rss_imported_mib"] = min(r["rss_imported_mib"] for r in runs)
    best["median_wall_s"] = sorted(r["wall_s"] for r in runs)[len(runs) // 2]
    return best


def load():
    """The load average (1, 5, 15 min) and the CPU count, for the record."""
    return os.getloadavg(), os.cpu_count()
