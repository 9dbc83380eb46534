"""HiGHS in a child process: a solver crash becomes a clear error, not the end of the program.

The renewal plan's mixed-integer programme is solved by HiGHS through
:func:`scipy.optimize.milp`. HiGHS has known rare crashes (segmentation faults)
in its MIP presolve/postsolve (e.g. ``HighsMipSolverData::
transformNewIntegerFeasibleSolution``; scipy issue 22188, HiGHS issues 2109 and
3262); one was seen here about once in a few thousand random plan instances. A
crash in the calling process would end ``fleetcalc plan`` (or a user's script)
without a message, so the solve runs in a child process forked from a
``forkserver`` that has scipy already imported (about 10-30 ms a solve after the
first):

* the child returns the solution, the MIP dual bound and HiGHS' message;
* if the child dies (a signal), the solve is repeated once with HiGHS' presolve
  switched off (the crashing code path); if that dies too, the result is "no
  solution" with a message naming the crash, which :func:`fleetcalc.plan`
  reports as a :class:`fleetcalc.planning.PlanError`;
* where a child process cannot be started (a restricted environment), the solve
  runs in this process.

Nothing here changes the numbers: the same arguments reach the same HiGHS.
"""

from __future__ import annotations

import multiprocessing
import signal

__all__ = ["milp_isolated", "SolveOutcome"]

#: Seconds a child may take beyond HiGHS' own time limit (start-up, pickling).
_GRACE_SECONDS = 30.0

_context = None


class SolveOutcome:
    """What a solve returned: ``x`` (None if no solution), ``mip_dual_bound``, ``message``."""

    __slots__ = ("x", "mip_dual_bound", "message", "status")

    def __init__(self, x, mip_dual_bound, message, status):
        self.x = x
        self.mip_dual_bound = mip_dual_bound
        self.message = message
        self.status = status


def _outcome(result):
    return SolveOutcome(result.x, getattr(result, "mip_dual_bound", None), str(result.message),
                        int(result.status))


def _solve_here(target, args, kwargs):
    if target is None:
        from scipy.optimize import milp as target  # noqa: PLC0415 - heavy; used here only
    return _outcome(target(*args, **kwargs))


def _child(connection, target, args, kwargs):
    """Body of the child process: solve and send the outcome (or the exception's text)."""
    try:
        connection.send(("ok", _solve_here(target, args, kwargs)))
    except BaseException as error:
        connection.send(("error", f"{type(error).__name__}: {error}"))
    finally:
        connection.close()


def _get_context():
    global _context
    if _context is None:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["numpy", "scipy.optimize"])
        _context = context
    return _context


def _run_in_child(target, args, kwargs, *, timeout):
    """``("ok", outcome)``, ``("error", text)`` or ``("crash", text)``."""
    context = _get_context()
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(sender, target, args, kwargs), daemon=True)
    process.start()
    sender.close()
    try:
        if receiver.poll(timeout):
            try:
                return receiver.recv()
            except EOFError:
                pass
        else:
            process.kill()
            return "crash", f"the solver did not return within {timeout:.0f} s"
    finally:
        receiver.close()
        process.join(5.0)
    code = process.exitcode
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return "crash", f"the solver (HiGHS) crashed ({name})"
    return "crash", f"the solver's process ended with exit status {code}"


def milp_isolated(c, *, integrality, bounds, constraints, options, target=None):
    """:func:`scipy.optimize.milp` in a child process, retried without presolve after a crash.

    Parameters
    ----------
    c : numpy.ndarray
        Objective coefficients.
    integrality, bounds, constraints, options
        As for :func:`scipy.optimize.milp` (``options["time_limit"]`` [s] also
        bounds the wait for the child).
    target : callable, optional
        The solver (default :func:`scipy.optimize.milp`); a module-level function
        so that the child can import it (tests pass one that crashes).

    Returns
    -------
    SolveOutcome
        ``x`` is None when no solution was found or the solver crashed twice;
        ``message`` then says why.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy.optimize import Bounds
    >>> out = milp_isolated(np.array([1.0]), integrality=np.array([1]),
    ...                     bounds=Bounds([2.5], [10.0]), constraints=(),
    ...                     options={"time_limit": 5.0})
    >>> out.x.tolist(), out.status
    ([3.0], 0)
    """
    kwargs = {"integrality": integrality, "bounds": bounds, "constraints": constraints,
              "options": dict(options)}
    timeout = float(options.get("time_limit", 60.0)) + _GRACE_SECONDS
    reasons = []
    for attempt in range(2):
        if attempt:   # the crashes seen are in presolve/postsolve: solve without them
            kwargs["options"] = {**kwargs["options"], "presolve": False}
        try:
            kind, value = _run_in_child(target, (c,), kwargs, timeout=timeout)
        except (OSError, ValueError, RuntimeError, AssertionError):   # no child here (daemon)
            return _solve_here(target, (c,), kwargs)
        if kind == "ok":
            return value
        if kind == "error":
            raise RuntimeError(f"the MILP solver failed: {value}")
        reasons.append(value)
    return SolveOutcome(None, None, "; then, without presolve, ".join(reasons), -1)
