"""The exceptions and problem records that fleetcalc raises.

Every problem with user input, from a file or from Python, is reported as a
:class:`Problem` (where, what value, which rule) and raised together with
all the others in one :class:`TenderError`.
"""

from __future__ import annotations

import json

import attrs

__all__ = ["Problem", "TenderError", "TenderWarning", "ServiceLifeWarning"]

_NO_VALUE = object()


def _as_written(value, depth=0):
    """A value as a tender file writes it: TOML-like, control characters escaped.

    Texts in double quotes with JSON escapes (``"\\u001b[31m"``), true/false,
    arrays in brackets (never a Python tuple), tables in braces.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value[:200])
    if isinstance(value, (list, tuple, dict)) and depth > 3:
        return "..."
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_as_written(v, depth + 1) for v in value[:20]) + (
            ", ...]" if len(value) > 20 else "]")
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_as_written(v, depth + 1)}"
                                for k, v in list(value.items())[:20]) + " }"
    if attrs.has(type(value)):
        return _as_written({a.name: getattr(value, a.name) for a in attrs.fields(type(value))
                            if getattr(value, a.name) is not None}, depth)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return repr(value)
    return repr(value) if isinstance(value, (int, float)) else json.dumps(str(value))


def _key(key):
    text = str(key)
    return text if text.replace("_", "").replace("-", "").isalnum() and text.isascii() else (
        json.dumps(text))


def _short_repr(value, limit=60):
    text = _as_written(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


@attrs.frozen
class Problem:
    """One problem found in a tender.

    Attributes
    ----------
    path : str
        Key path in the tender file, e.g. ``"bids[2].delivery"``.
    message : str
        The rule that is broken, in words, e.g. ``"must be >= 0"``.
    value : object, optional
        The offending value, shown in the message.
    severity : {"error", "warning"}
        Errors stop the evaluation; warnings are reported and evaluation goes on.
    source : str, optional
        The file the tender came from, if any.

    Examples
    --------
    >>> print(Problem("bids[0].quantity", "must be >= 1", value=0))
    bids[0].quantity = 0: must be >= 1
    """

    path: str
    message: str
    value: object = attrs.field(default=_NO_VALUE, eq=False)
    severity: str = "error"
    source: str | None = None

    def with_prefix(self, prefix):
        """Return the problem with ``prefix`` put before its path."""
        if not prefix:
            return self
        path = f"{prefix}.{self.path}" if self.path and not self.path.startswith("[") else (
            f"{prefix}{self.path}"
        )
        return attrs.evolve(self, path=path)

    def __str__(self):
        where = f"{self.source}: " if self.source else ""
        path = self.path or "(file)"
        if self.value is _NO_VALUE:
            return f"{where}{path}: {self.message}"
        return f"{where}{path} = {_short_repr(self.value)}: {self.message}"


class TenderError(ValueError):
    """A tender is invalid; ``problems`` lists every problem found.

    Raised by :func:`fleetcalc.load_tender`, by the value objects of
    :mod:`fleetcalc.tender` when built with invalid values, and by
    :func:`fleetcalc.evaluate`. The command line prints the problems and
    exits with status 2.

    Examples
    --------
    >>> err = TenderError([Problem("tender.horizon_years", "must be >= 1", value=0)])
    >>> err.problems[0].path
    'tender.horizon_years'
    """

    def __init__(self, problems):
        self.problems = tuple(problems)
        super().__init__(self._text())

    def _text(self):
        errors = [p for p in self.problems if p.severity == "error"]
        lines = [f"{len(errors)} problem{'s' if len(errors) != 1 else ''} in the tender:"]
        lines += [f"  - {p}" for p in errors]
        return "\n".join(lines)


class TenderWarning(UserWarning):
    """A tender is valid but something in it deserves a look (see the message)."""


class ServiceLifeWarning(TenderWarning):
    """A bid's units reach the end of their service life inside the horizon."""
