"""Merging logs: other laptops' sessions into this log, all or nothing, idempotent by UUID.

A log travels as a :class:`LogBundle` of :class:`SessionRow` and :class:`AnswerRow`
(:mod:`dkdl.store.rows`). :func:`merge_bundle` adds what the target lacks; :func:`import_logs`
reads other laptops' files read-only and merges them; :func:`describe_import` says in Dutch what
that did.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from dkdl.sessionlog import BEZIG, check_pseudonym
from dkdl.store.files import StoreError
from dkdl.store.log import SqliteLog, open_log
from dkdl.store.rows import ANSWER_SELECT, SESSION_COLUMNS, SESSION_SELECT, AnswerRow, SessionRow


@dataclass
class LogBundle:
    """Sessions and answers keyed by session UUID and nurse pseudonym (as :class:`SessionRow`
    and :class:`AnswerRow`; plain tuples in the same order are accepted too)."""

    sessions: list[SessionRow] = field(default_factory=list)
    answers: list[AnswerRow] = field(default_factory=list)


@dataclass
class MergeReport:
    """What :func:`merge_bundle` did."""

    added: int = 0
    updated: int = 0
    present: int = 0
    answers_added: int = 0
    nurses_added: int = 0
    laptops_filled: int = 0  # sessions present without a laptop that now know it


def read_bundle(log: SqliteLog) -> LogBundle:
    """Everything in ``log`` as a :class:`LogBundle` (for merging into another log)."""
    sessions = [SessionRow._make(r) for r in log._read(SESSION_SELECT + " ORDER BY s.id")]
    answers = [AnswerRow._make(r) for r in log._read(ANSWER_SELECT)]
    return LogBundle(sessions, answers)


def merge_bundle(log: SqliteLog, bundle: LogBundle) -> MergeReport:
    """Add the bundle's sessions that this log lacks (by UUID) with their answers.

    A session this log has as ``bezig`` is replaced by a copy that got further (finished,
    or more or later answers): a trainer who imports a laptop twice gets the finished
    version. Anything else already present is left alone, so merging again adds nothing.
    One transaction: on any error nothing changes (:class:`StoreError`, or ``ValueError``
    for a bundle that does not hang together).
    """
    report = MergeReport()
    with log._write("de import") as conn:
        try:
            _merge_rows(conn, bundle, report)
        except sqlite3.IntegrityError as exc:
            raise ValueError(str(exc)) from None
    return report


def _merge_rows(conn: sqlite3.Connection, bundle: LogBundle, report: MergeReport) -> None:
    """The body of :func:`merge_bundle`, inside its transaction."""
    sessions = [SessionRow(*row) for row in bundle.sessions]
    before = conn.execute("SELECT count(*) FROM nurses").fetchone()[0]
    names = {row.nurse for row in sessions}
    for name in names:  # the same rule as in the app; ValueError makes the merge refuse
        if check_pseudonym(name) != name:
            raise ValueError(f"schuilnaam {name!r} met spaties aan begin of eind")
    conn.executemany("INSERT OR IGNORE INTO nurses (pseudonym) VALUES (?)", [(n,) for n in names])
    report.nurses_added = conn.execute("SELECT count(*) FROM nurses").fetchone()[0] - before
    nurse_ids = dict(conn.execute("SELECT pseudonym, id FROM nurses"))
    existing = {
        u: (i, st, inst)
        for i, u, st, inst in conn.execute("SELECT id, uuid, status, installation FROM sessions")
    }
    per_session: dict[str, list[AnswerRow]] = {}
    for answer in map(AnswerRow._make, bundle.answers):
        per_session.setdefault(answer.session_id, []).append(answer)
    stray = set(per_session) - {row.session_id for row in sessions}
    if stray:
        raise ValueError(f"antwoorden bij onbekende sessie {sorted(stray)[0]}")
    new_rows, replace_ids, laptops = [], [], []
    for row in sessions:
        nurse_id = nurse_ids.get(row.nurse)
        if nurse_id is None:
            raise ValueError(f"ongeldige schuilnaam {row.nurse!r} bij sessie {row.session_id}")
        values = (row.session_id, nurse_id, *row[2:])
        found = existing.get(row.session_id)
        if found is None:
            new_rows.append(values)
        elif found[1] == BEZIG and _got_further(
            conn, found[0], row.status, per_session.get(row.session_id, [])
        ):
            conn.execute(
                "UPDATE sessions SET nurse = ?, "
                + ", ".join(f"{c} = ?" for c in SESSION_COLUMNS)
                + " WHERE id = ?",
                (*values[1:-1], row.installation or found[2], found[0]),
            )
            conn.execute("DELETE FROM answers WHERE session = ?", (found[0],))
            replace_ids.append((row.session_id, found[0]))
        else:
            report.present += 1
            if found[2] is None and row.installation is not None:
                laptops.append((row.installation, found[0]))  # an old import learns its laptop
    conn.executemany("UPDATE sessions SET installation = ? WHERE id = ?", laptops)
    max_id = conn.execute("SELECT coalesce(max(id), 0) FROM sessions").fetchone()[0]
    conn.executemany(
        f"INSERT INTO sessions (uuid, nurse, {', '.join(SESSION_COLUMNS)}) "
        f"VALUES ({', '.join('?' * (2 + len(SESSION_COLUMNS)))})",
        new_rows,
    )
    ids = dict(conn.execute("SELECT uuid, id FROM sessions WHERE id > ?", (max_id,)))
    ids.update(replace_ids)
    answer_rows = [(ids[a.session_id], *a[1:]) for u in ids for a in per_session.get(u, ())]
    conn.executemany(
        "INSERT INTO answers (session, question, option, items, answered_at, seconds, "
        "changes) VALUES (?, ?, ?, ?, ?, ?, ?)",
        answer_rows,
    )
    report.added = len(new_rows)
    report.updated = len(replace_ids)
    report.answers_added = len(answer_rows)
    report.laptops_filled = len(laptops)


def _got_further(
    conn: sqlite3.Connection, row_id: int, status: str, answers: list[AnswerRow]
) -> bool:
    """Whether a copy (``status``, ``answers``) of the ``bezig`` session ``row_id`` is further
    along: finished, or with more answers, or with a later last answer."""
    if status != BEZIG:
        return True
    count, last = conn.execute(
        "SELECT count(*), max(answered_at) FROM answers WHERE session = ?", (row_id,)
    ).fetchone()
    their_last = max((a.answered_at for a in answers), default=None)
    return len(answers) > count or (their_last is not None and (last is None or their_last > last))


# -- import ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceReport:
    path: Path
    report: MergeReport


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def import_logs(target: SqliteLog, sources: Sequence[Path]) -> list[SourceReport]:
    """Merge the sessions of ``sources`` (other laptops' logs) into ``target``.

    All sources are opened read-only and read first; then everything is merged in one
    transaction. A source that is not a usable log, or whose content does not fit, raises
    :class:`StoreError` naming that source, and the target is left unchanged. Importing the
    same files again adds nothing (sessions are matched by UUID).
    """
    bundles: list[tuple[Path, LogBundle]] = []
    for source in sources:
        if _same_file(source, target.path):
            raise StoreError(
                f"{source}: dit is het doelbestand zelf; importeer alleen logbestanden van "
                "andere laptops.",
                source,
            )
        with open_log(source, create=False, readonly=True) as log:
            bundles.append((source, read_bundle(log)))
    reports: list[SourceReport] = []
    with target.transaction("de import"):
        for source, bundle in bundles:
            try:
                reports.append(SourceReport(source, merge_bundle(target, bundle)))
            except ValueError as exc:
                raise StoreError(
                    f"{source}: bevat gegevens die niet kloppen ({exc}). Er is niets "
                    "geïmporteerd. Laat dit bestand weg of vraag om een nieuwe kopie.",
                    source,
                ) from None
    return reports


def _n(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def describe_import(item: SourceReport) -> str:
    """One Dutch line: what importing this source added."""
    r = item.report
    parts = [
        _n(r.added, "sessie", "sessies")
        + " toegevoegd ("
        + _n(r.answers_added, "antwoord", "antwoorden")
        + ")"
    ]
    if r.updated:
        parts.append(f"{r.updated} bijgewerkt (verder gekomen dan de vorige import)")
    if r.present:
        parts.append(f"{r.present} waren er al")
    if r.laptops_filled:
        parts.append(_n(r.laptops_filled, "sessie kreeg haar laptop", "sessies kregen hun laptop"))
    if r.nurses_added:
        parts.append(_n(r.nurses_added, "nieuwe naam", "nieuwe namen"))
    return f"{item.path}: " + ", ".join(parts)
