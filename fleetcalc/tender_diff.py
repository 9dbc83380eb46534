"""Key-by-key differences between two tenders, and their effect on each bid.

:func:`flatten_tender` lists every input of a tender by key path
(``tender.discount_rate``, ``bids[CRRC Ziyang].unit_price``,
``bids[CRRC Ziyang].payments[0].share``); :func:`key_changes` compares two
such lists; :func:`diff_tenders` evaluates both tenders and reports how each
bid's evaluated cost and rank moved and, one change at a time applied to the
old tender, how much each change contributed.

Key paths name bids by bidder and existing cohorts by name, as
``[[uncertainty]]`` inputs do; other arrays of tables by position from 0.
Values are JSON-ready: a money value with a currency is
``{"amount": ..., "currency": ...}``, an array is a list, and an absent
optional key or table is None (JSON null).
"""

from __future__ import annotations

import re
import warnings

import attrs

from fleetcalc.money import Money

__all__ = ["flatten_tender", "key_changes", "rank_moves", "diff_tenders",
           "MAX_CONTRIBUTIONS"]

#: Most one-at-a-time re-evaluations :func:`diff_tenders` runs by default.
MAX_CONTRIBUTIONS = 40


def _json_value(value):
    if isinstance(value, Money):
        return {"amount": value.amount, "currency": value.currency}
    if isinstance(value, tuple):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    return value


def _walk(obj, path, out):
    if attrs.has(type(obj)) and not isinstance(obj, Money):
        for attribute in attrs.fields(type(obj)):
            value = getattr(obj, attribute.name)
            where = f"{path}.{attribute.name}" if path else attribute.name
            if attribute.name == "exchange_rates" and isinstance(value, dict):
                for code, rate in sorted(value.items()):
                    out[f"{where}.{code}"] = rate
            elif attribute.name in ("bids", "fleet") and not path:
                key = "bidder" if attribute.name == "bids" else "name"
                for item in value:
                    _walk(item, f"{attribute.name}[{getattr(item, key)}]", out)
            elif (isinstance(value, tuple) and value
                  and all(attrs.has(type(v)) and not isinstance(v, Money) for v in value)):
                for i, item in enumerate(value):
                    _walk(item, f"{where}[{i}]", out)
            elif attrs.has(type(value)) and not isinstance(value, Money):
                _walk(value, where, out)
            else:
                out[where] = _json_value(value)
    return out


def flatten_tender(tender):
    """Every input of a tender by key path, with JSON-ready values.

    Parameters
    ----------
    tender : fleetcalc.Tender

    Returns
    -------
    dict of str to object
        In the order of the tender's classes; an absent optional key or
        table is None.

    Examples
    --------
    >>> import fleetcalc
    >>> flat = flatten_tender(fleetcalc.load_tender("examples/pakistan_locomotives_2026.toml"))
    >>> flat["tender.discount_rate"], flat["bids[CRRC Ziyang].payments[0].event"]
    (0.08, 'signing')
    >>> flat["tender.prices.diesel_per_litre"]
    {'amount': 257.08, 'currency': 'PKR'}
    """
    return _walk(tender, "", {})


def key_changes(old, new):
    """The keys whose values differ between two flattened tenders.

    Parameters
    ----------
    old, new : dict
        From :func:`flatten_tender`.

    Returns
    -------
    list of dict
        ``{"path", "old", "new"}`` in the new tender's key order, then keys
        only in the old one; a side without the key has None.

    Examples
    --------
    >>> key_changes({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": None})
    [{'path': 'b', 'old': 2, 'new': 3}]
    """
    changes, done = [], set()
    for path in [*new, *(p for p in old if p not in new)]:
        if path in done:
            continue
        before, after = old.get(path), new.get(path)
        if before is None and after is None:  # a table absent on one side: one change
            inner_old, inner_new = _inner(old, path), _inner(new, path)
            if inner_old or inner_new:
                done.update(_outer(path, inner_old) | _outer(path, inner_new))
                before, after = inner_old or None, inner_new or None
        if before != after:
            changes.append({"path": path, "old": before, "new": after})
    return changes


def _inner(flat, path):
    """The keys under ``path`` (a table), relative to it."""
    return {p[len(path) + 1:] if p[len(path)] == "." else p[len(path):]: v
            for p, v in flat.items()
            if p.startswith(path) and p[len(path):len(path) + 1] in (".", "[")}


def _outer(path, inner):
    return {path + (k if k.startswith("[") else "." + k) for k in inner}


def rank_moves(old_ranking, new_ranking):
    """How each bidder's rank moved between two rankings.

    Parameters
    ----------
    old_ranking, new_ranking : list of dict
        ``{"bidder", "rank", ...}`` (rank None: not ranked).

    Returns
    -------
    list of dict
        ``{"bidder", "old_rank", "new_rank"}`` for every bidder in either
        ranking whose rank differs (None: absent or not ranked).

    Examples
    --------
    >>> rank_moves([{"bidder": "A", "rank": 1}, {"bidder": "B", "rank": 2}],
    ...            [{"bidder": "A", "rank": 2}, {"bidder": "B", "rank": 1}])
    [{'bidder': 'A', 'old_rank': 1, 'new_rank': 2}, {'bidder': 'B', 'old_rank': 2, 'new_rank': 1}]
    """
    old = {row["bidder"]: row.get("rank") for row in old_ranking}
    new = {row["bidder"]: row.get("rank") for row in new_ranking}
    moves = []
    for bidder in [*new, *(b for b in old if b not in new)]:
        if old.get(bidder) != new.get(bidder):
            moves.append({"bidder": bidder, "old_rank": old.get(bidder),
                          "new_rank": new.get(bidder)})
    return moves


def ranking_rows(result):
    """``{"bidder", "rank", "evaluated_cost", "responsive"}`` per bid, in rank order.

    Parameters
    ----------
    result : fleetcalc.EvaluationResult

    Returns
    -------
    list of dict
        ``rank`` None for a bid that is not ranked (non-responsive);
        ``evaluated_cost`` in the base currency, None if not finite.
    """
    import math  # noqa: PLC0415

    import pandas as pd  # noqa: PLC0415

    rows = []
    for bidder, row in result.ranking.iterrows():
        cost = float(row["evaluated_cost"])
        rows.append({"bidder": bidder,
                     "rank": None if pd.isna(row["rank"]) else int(row["rank"]),
                     "evaluated_cost": cost if math.isfinite(cost) else None,
                     "responsive": bool(row["responsive"])})
    return rows


_SEGMENT = re.compile(r"\.?([A-Za-z_][A-Za-z0-9_]*)|\[([^\]]*)\]")


def _segments(path):
    """``bids[X].payments[0].share`` -> ``["bids", "[X]", "payments", "[0]", "share"]``."""
    parts = []
    for match in _SEGMENT.finditer(path):
        parts.append(match.group(1) if match.group(1) is not None else f"[{match.group(2)}]")
    return parts


def _application_path(path, old, new):
    """The part of the tender to copy from new to old to apply the change at ``path``.

    An array of tables is copied whole (items are matched by position); a
    table absent on one side is copied whole; a named bid or cohort present
    on one side only is the whole array (bids added or removed are not
    applied).
    """
    parts = _segments(path)
    for i in range(1, len(parts) + 1):
        prefix = _join(parts[:i])
        if i < len(parts) and (old.get(prefix, 0) is None or new.get(prefix, 0) is None):
            return prefix
        if i < len(parts) and parts[i].startswith("[") and parts[i][1:-1].isdigit():
            return prefix
    return path


def _join(parts):
    out = ""
    for part in parts:
        out += part if part.startswith("[") or not out else f".{part}"
    return out


def _get(obj, parts):
    for part in parts:
        if part.startswith("["):
            token = part[1:-1]
            if isinstance(obj, dict):
                obj = obj[token]
            elif token.isdigit() and not (obj and hasattr(obj[0], "bidder")) and not (
                    obj and hasattr(obj[0], "units")):
                obj = obj[int(token)]
            else:
                obj = next(item for item in obj
                           if getattr(item, "bidder", None) == token
                           or (hasattr(item, "units") and getattr(item, "name", None) == token))
        else:
            obj = getattr(obj, part)
    return obj


def _set(obj, parts, value):
    if not parts:
        return value
    part, rest = parts[0], parts[1:]
    if part.startswith("["):
        token = part[1:-1]
        if isinstance(obj, dict):
            return {**obj, token: _set(obj[token], rest, value)}
        items = list(obj)
        for i, item in enumerate(items):
            named = getattr(item, "bidder", None) == token or (
                hasattr(item, "units") and getattr(item, "name", None) == token)
            if named or (token.isdigit() and i == int(token) and not hasattr(item, "bidder")
                         and not hasattr(item, "units")):
                items[i] = _set(item, rest, value)
                return tuple(items)
        raise KeyError(part)
    return attrs.evolve(obj, **{part: _set(getattr(obj, part), rest, value)})


def _evaluate(tender):
    from fleetcalc.evaluate import evaluate  # noqa: PLC0415
    from fleetcalc.exceptions import TenderWarning  # noqa: PLC0415

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TenderWarning)
        return evaluate(tender)


def _costs(result):
    return {row["bidder"]: row["evaluated_cost"] for row in ranking_rows(result)}


def diff_tenders(old, new, *, contributions=True, max_contributions=MAX_CONTRIBUTIONS):
    """Key-by-key changes from ``old`` to ``new`` and their effect on each bid.

    Both tenders are evaluated. With ``contributions``, each change (a key,
    or a whole array of tables or optional table when it is the unit that
    changed) is applied alone to ``old`` with :func:`attrs.evolve` and
    ``old`` re-evaluated: the difference in each bid's evaluated cost is the
    change's contribution. What the one-at-a-time contributions do not
    explain (changes acting together) is each bid's ``interaction``.

    Parameters
    ----------
    old, new : fleetcalc.Tender
        Valid tenders; bids are matched by bidder.
    contributions : bool
        Compute the one-at-a-time contributions.
    max_contributions : int
        Skip the contributions (with a note) when more changes than this
        would need re-evaluating.

    Returns
    -------
    dict
        The binding JSON shape of ``fleetcalc diff --format json``::

            {"old": {"name"}, "new": {"name"},
             "base_currency": str,
             "changes": [{"path", "old", "new"}],
             "bids_added": [bidder], "bids_removed": [bidder],
             "bids": [{"bidder", "old_rank", "new_rank", "old_evaluated_cost",
                       "new_evaluated_cost", "change"}],
             "rank_moves": [{"bidder", "old_rank", "new_rank"}],
             "contributions": [{"path", "keys", "effect": {bidder: float|None},
                                "note": str|None}],
             "interaction": {bidder: float|None},
             "contributions_note": str|None}

        Costs in the base currency of ``new``; a rank or cost is None where
        the bid is absent, not ranked, or (in ``effect``) where the change
        alone gives an invalid tender (``note`` says why).

    Examples
    --------
    >>> import attrs, fleetcalc
    >>> old = fleetcalc.load_tender("examples/pakistan_locomotives_2026.toml")
    >>> new = attrs.evolve(old, tender=attrs.evolve(old.tender, discount_rate=0.06))
    >>> diff = diff_tenders(old, new)
    >>> diff["changes"]
    [{'path': 'tender.discount_rate', 'old': 0.08, 'new': 0.06}]
    >>> [c["path"] for c in diff["contributions"]]
    ['tender.discount_rate']
    """
    from fleetcalc.exceptions import TenderError  # noqa: PLC0415

    old_flat, new_flat = flatten_tender(old), flatten_tender(new)
    old_bidders = [b.bidder for b in old.bids]
    new_bidders = [b.bidder for b in new.bids]
    added = [b for b in new_bidders if b not in old_bidders]
    removed = [b for b in old_bidders if b not in new_bidders]
    skip_bids = tuple(f"bids[{b}]" for b in added + removed)
    changes = [c for c in key_changes(old_flat, new_flat)
               if not c["path"].startswith(skip_bids)]
    old_result, new_result = _evaluate(old), _evaluate(new)
    old_rows, new_rows = ranking_rows(old_result), ranking_rows(new_result)
    old_by = {r["bidder"]: r for r in old_rows}
    new_by = {r["bidder"]: r for r in new_rows}
    bids = []
    for bidder in [*(r["bidder"] for r in new_rows), *removed]:
        before, after = old_by.get(bidder, {}), new_by.get(bidder, {})
        cost_old, cost_new = before.get("evaluated_cost"), after.get("evaluated_cost")
        bids.append({"bidder": bidder, "old_rank": before.get("rank"),
                     "new_rank": after.get("rank"), "old_evaluated_cost": cost_old,
                     "new_evaluated_cost": cost_new,
                     "change": None if cost_old is None or cost_new is None
                     else cost_new - cost_old})
    applied = []
    for change in changes:
        path = change["path"]
        unit = _application_path(path, old_flat, new_flat)
        if all(a["path"] != unit for a in applied):
            applied.append({"path": unit, "keys": []})
        next(a for a in applied if a["path"] == unit)["keys"].append(path)
    result = {"old": {"name": old.tender.name}, "new": {"name": new.tender.name},
              "base_currency": new.tender.base_currency, "changes": changes,
              "bids_added": added, "bids_removed": removed, "bids": bids,
              "rank_moves": rank_moves(old_rows, new_rows), "contributions": [],
              "interaction": {}, "contributions_note": None}
    if not contributions:
        result["contributions_note"] = "not computed"
        return result
    if len(applied) > max_contributions:
        result["contributions_note"] = (f"{len(applied)} changes; the one-at-a-time "
                                        f"contributions are computed up to {max_contributions}")
        return result
    base = _costs(old_result)
    common = [b for b in new_bidders if b in old_bidders]
    explained = dict.fromkeys(common, 0.0)
    for item in applied:
        parts = _segments(item["path"])
        effect, note = dict.fromkeys(common), None
        try:
            value = _get(new, parts)
            changed = _set(old, parts, value)
            costs = _costs(_evaluate(changed))
            for bidder in common:
                if costs.get(bidder) is not None and base.get(bidder) is not None:
                    effect[bidder] = costs[bidder] - base[bidder]
        except TenderError as exc:
            errors = [str(p) for p in exc.problems if p.severity == "error"]
            note = "not valid alone: " + "; ".join(errors[:3])
        except (KeyError, StopIteration, AttributeError, IndexError, TypeError):
            note = "cannot be applied alone to the old tender"
        for bidder, value in effect.items():
            if value is not None and explained[bidder] is not None:
                explained[bidder] += value
            elif value is None:
                explained[bidder] = None
        result["contributions"].append({"path": item["path"], "keys": item["keys"],
                                        "effect": effect, "note": note})
    total = {b["bidder"]: b["change"] for b in bids}
    result["interaction"] = {
        bidder: (None if explained[bidder] is None or total.get(bidder) is None
                 else total[bidder] - explained[bidder]) for bidder in common}
    return result
