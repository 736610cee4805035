"""The SQL text the trainer review runs (:class:`dkdl.review.Review`), built in one place.

The filter as conditions, the sessions table's sort columns, the checklist items as SQL, and
the two reads that fill :class:`dkdl.review_index.SessionIndex`: the finished keyed sessions,
and each session's answers packed into integers (:class:`dkdl.review_index.Shape`). Values
from a filter are always parameters; what is written into the text comes from the
questionnaire (ids, option codes), quoted. Plain Python, no connection.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from dkdl.review_index import Shape
from dkdl.review_model import ReviewFilter, utc_bound
from dkdl.sessionlog import AFGEROND
from dkdl.store import ITEM_SEP

SORT_COLUMNS = {
    "date": "s.started_at",
    "nurse": "w.display COLLATE NOCASE",
    "laptop": "w.laptop",
    "mode": "s.mode",
    "case": "s.case_id",
    "status": "s.status",
    "profile": "s.profile",
    "key_profile": "s.key_profile",
    "match": "s.match",
    "duration": "(julianday(s.finished_at) - julianday(s.started_at))",
}

# sessions the analyses may count: finished, with a key (modes oefenen and toets)
KEYED = (
    f"s.status = '{AFGEROND}' AND s.mode IN ('oefenen', 'toets') AND s.case_id IS NOT NULL "
    "AND s.key_profile IS NOT NULL"
)

JOIN_WHO = "JOIN rv_who w ON w.nurse = s.nurse AND w.inst = coalesce(s.installation, '')"


def quote(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def filter_sql(flt: ReviewFilter, nurse_keys: list[int] | None) -> tuple[list[str], list[Any]]:
    """Conditions on ``sessions s`` joined with ``rv_who w`` (:data:`JOIN_WHO`) for the filter
    (not its ``attempts``), and their parameters; ``nurse_keys``: the persons ``flt.nurse``
    means."""
    where: list[str] = []
    params: list[Any] = []
    if flt.nurse is not None:
        keys = nurse_keys or []
        where.append(f"w.who IN ({', '.join('?' * len(keys))})" if keys else "0")
        params += keys
    if flt.case is not None:
        where.append("s.case_id = ?")
        params.append(flt.case)
    if flt.since is not None:
        where.append("s.started_at >= ?")
        params.append(utc_bound(flt.since))
    if flt.until is not None:
        where.append("s.started_at < ?")
        params.append(utc_bound(flt.until + timedelta(days=1)))
    if flt.mode is not None:
        where.append("s.mode = ?")
        params.append(flt.mode)
    return where, params


def item_sql(checklist_id: str | None, option: int | None, items: list[str]) -> tuple[str, str]:
    """SQL over ``answers a`` for her checklist items as a bit mask (in the order of
    ``items``) and as a count; both 0 unless she chose the checklist's counting option."""
    if not items or checklist_id is None or option is None:
        return "0", "0"
    padded = "(',' || coalesce(a.items, '') || ',')"
    mask = " + ".join(
        f"(instr({padded}, {quote(',' + item + ',')}) > 0) * {1 << i}"
        for i, item in enumerate(items)
    )
    count = (
        "(CASE WHEN coalesce(a.items, '') = '' THEN 0 ELSE "
        f"length(a.items) - length(replace(a.items, {quote(ITEM_SEP)}, '')) + 1 END)"
    )
    gate = f"a.question = {quote(checklist_id)} AND a.option = {int(option)}"
    return (
        f"(CASE WHEN {gate} THEN {mask} ELSE 0 END)",
        f"(CASE WHEN {gate} THEN {count} ELSE 0 END)",
    )


def sessions_sql(where: str) -> str:
    """The finished keyed sessions (``s``) matching ``where``, in id order, as
    :meth:`dkdl.review_index.SessionIndex.add` takes them."""
    return (
        "SELECT s.id, s.nurse, coalesce(s.installation, ''), s.case_id, s.started_at, "
        "s.mode, s.match, s.profile, s.key_profile, "
        "date(s.started_at, 'weekday 0', '-6 days') "
        f"FROM sessions s WHERE {KEYED} AND {where} ORDER BY s.id"
    )


def answers_sql(
    shape: Shape, checklist_id: str | None, items: tuple[str, str], where: str | None
) -> str:
    """Each session's answers packed into integers (:class:`Shape`), in id order: of the
    finished keyed sessions matching ``where`` (looked up by id), or with ``where`` None of
    every session in one pass along the answers' primary key. ``items``: :func:`item_sql`."""
    mask, nitems = items
    shift = " ".join(
        f"WHEN {quote(qid)} THEN {shape.slot * (pos - 1)}"
        for pos, qid in enumerate(shape.qids, start=1)
    )
    columns = (
        f"a.session, sum((a.option & {(1 << shape.slot) - 1}) << CASE a.question {shift} "
        "END), min(a.option), max(a.option), sum(a.option), "
        f"max(CASE WHEN a.question = {quote(checklist_id or '')} "
        f"THEN {mask} + ({nitems} << {shape.items}) END)"
    )
    if where is None:
        return f"SELECT {columns} FROM answers a GROUP BY a.session ORDER BY a.session"
    return (
        f"SELECT {columns} FROM sessions s JOIN answers a ON a.session = s.id "
        f"WHERE {KEYED} AND {where} GROUP BY a.session ORDER BY a.session"
    )
