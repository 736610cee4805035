"""Merging logs: other laptops' sessions into this log, all or nothing, idempotent by UUID.

A log travels as a :class:`LogBundle` of :class:`SessionRow` and :class:`AnswerRow`
(:mod:`dkdl.store.rows`). :func:`merge_bundle` adds what the target lacks; :func:`import_logs`
reads other laptops' files read-only and merges them; :func:`describe_import` says in Dutch what
that did.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from dkdl.sessionlog import BEZIG, check_pseudonym
from dkdl.store.files import StoreError, read_only_error, translate
from dkdl.store.log import SqliteLog
from dkdl.store.rows import (
    ANSWER_SELECT,
    SESSION_COLUMNS,
    SESSION_SELECT,
    TOETS_CASES_SELECT,
    TOETS_SELECT,
    AnswerRow,
    SessionRow,
    ToetsRow,
    toets_rows,
)
from dkdl.store.source import SourceLog

ANSWERED_AT = AnswerRow._fields.index("answered_at")


@dataclass
class LogBundle:
    """Sessions, answers and toetsen keyed by UUID and nurse pseudonym (as :class:`SessionRow`,
    :class:`AnswerRow` and :class:`ToetsRow`; plain tuples in the same order are accepted
    too)."""

    sessions: list[SessionRow] = field(default_factory=list)
    answers: list[AnswerRow] = field(default_factory=list)
    toetsen: list[ToetsRow] = field(default_factory=list)


@dataclass
class MergeReport:
    """What :func:`merge_bundle` did."""

    added: int = 0
    updated: int = 0
    present: int = 0
    answers_added: int = 0
    nurses_added: int = 0
    laptops_filled: int = 0  # sessions present without a laptop that now know it
    toetsen_added: int = 0
    toetsen_updated: int = 0  # bezig here, finished or stopped in the source
    batches: int = 0  # write transactions the import took
    longest_hold: float = 0.0  # seconds the longest of them held the write lock
    freed: float = field(default=0.0, repr=False)  # when the last of them gave the lock back
    checkpointed: int = field(default=0, repr=False)  # sessions written at the last checkpoint


def read_bundle(log: SqliteLog) -> LogBundle:
    """Everything in ``log`` as a :class:`LogBundle` (for merging into another log)."""
    sessions = [SessionRow._make(r) for r in log._read(SESSION_SELECT + " ORDER BY s.id")]
    answers = [AnswerRow._make(r) for r in log._read(ANSWER_SELECT)]
    toetsen = toets_rows(
        log._read(TOETS_SELECT + " ORDER BY t.id"),
        log._read(TOETS_CASES_SELECT + " ORDER BY toets, position"),
    )
    return LogBundle(sessions, answers, toetsen)


def merge_bundle(log: SqliteLog, bundle: LogBundle) -> MergeReport:
    """Add the bundle's sessions that this log lacks (by UUID) with their answers, in one
    transaction: on any error nothing changes (:class:`StoreError`, or ``ValueError`` for a
    bundle that does not hang together). For bundles dkdl made itself (demo data, tests); files
    from elsewhere go through :func:`import_logs`, which validates every row first.

    A session this log has as ``bezig`` is replaced by a copy that got further (finished,
    or more or later answers): a trainer who imports a laptop twice gets the finished
    version. Anything else already present is left alone, so merging again adds nothing.
    """
    sessions = [SessionRow(*row) for row in bundle.sessions]
    for name in {row.nurse for row in sessions}:  # the app's rule; ValueError refuses the merge
        if check_pseudonym(name) != name:
            raise ValueError(f"schuilnaam {name!r} met spaties aan begin of eind")
    per_session: dict[str, list[AnswerRow]] = {}
    for answer in map(AnswerRow._make, bundle.answers):
        per_session.setdefault(answer.session_id, []).append(answer)
    stray = set(per_session) - {row.session_id for row in sessions}
    if stray:
        raise ValueError(f"antwoorden bij onbekende sessie {sorted(stray)[0]}")
    toetsen = [ToetsRow(*row[:5], tuple(row[5])) for row in bundle.toetsen]
    for toets in toetsen:
        if check_pseudonym(toets.nurse) != toets.nurse or not toets.case_ids:
            raise ValueError(f"toets {toets.toets_id!r}: schuilnaam of planning ongeldig")
    report = MergeReport()
    with log._write("de import") as conn:
        try:
            for start in range(0, len(sessions), MAX_BATCH):
                _merge_batch(conn, sessions[start : start + MAX_BATCH], per_session, report)
            for start in range(0, len(toetsen), MAX_BATCH):
                _merge_toetsen(conn, toetsen[start : start + MAX_BATCH], report)
        except sqlite3.IntegrityError as exc:
            raise ValueError(str(exc)) from None
    return report


def _merge_batch(
    conn: sqlite3.Connection,
    sessions: list[SessionRow],
    per_session: Mapping[str, Sequence[tuple]],
    report: MergeReport,
) -> None:
    """Merge ``sessions`` (with their answers from ``per_session``) inside the caller's write
    transaction, adding to ``report``. Looks up only these sessions and nurses in the target, so
    the work per batch does not grow with the target."""
    nurse_ids = _nurse_ids(conn, {row.nurse for row in sessions}, report)
    existing = {
        u: (i, st, inst)
        for i, u, st, inst in conn.execute(
            "SELECT id, uuid, status, installation FROM sessions "
            "WHERE uuid IN (SELECT value FROM json_each(?))",
            (json.dumps([row.session_id for row in sessions]),),
        )
    }
    new_rows, replace_ids, laptops = [], [], []
    for row in sessions:
        values = (row.session_id, nurse_ids[row.nurse], *row[2:])
        found = existing.get(row.session_id)
        if found is None:
            new_rows.append(values)
        elif found[1] == BEZIG and _got_further(
            conn, found[0], row.status, per_session.get(row.session_id, ())
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
    answer_rows = [(sid, *a[1:]) for u, sid in ids.items() for a in per_session.get(u, ())]
    conn.executemany(
        "INSERT INTO answers (session, question, option, items, answered_at, seconds, "
        "changes) VALUES (?, ?, ?, ?, ?, ?, ?)",
        answer_rows,
    )
    report.added += len(new_rows)
    report.updated += len(replace_ids)
    report.answers_added += len(answer_rows)
    report.laptops_filled += len(laptops)


def _got_further(
    conn: sqlite3.Connection, row_id: int, status: str, answers: Sequence[tuple]
) -> bool:
    """Whether a copy (``status``, ``answers``) of the ``bezig`` session ``row_id`` is further
    along: finished, or with more answers, or with a later last answer."""
    if status != BEZIG:
        return True
    count, last = conn.execute(
        "SELECT count(*), max(answered_at) FROM answers WHERE session = ?", (row_id,)
    ).fetchone()
    their_last = max((a[ANSWERED_AT] for a in answers), default=None)
    return len(answers) > count or (their_last is not None and (last is None or their_last > last))


def _nurse_ids(conn: sqlite3.Connection, names: set[str], report: MergeReport) -> dict[str, int]:
    """The target's row ids of these pseudonyms, adding the ones it lacks."""
    ordered = sorted(names)
    added = conn.executemany(
        "INSERT OR IGNORE INTO nurses (pseudonym) VALUES (?)", [(n,) for n in ordered]
    ).rowcount
    report.nurses_added += max(added, 0)
    return dict(
        conn.execute(
            "SELECT pseudonym, id FROM nurses WHERE pseudonym IN (SELECT value FROM json_each(?))",
            (json.dumps(ordered),),
        )
    )


def _merge_toetsen(conn: sqlite3.Connection, toetsen: list[ToetsRow], report: MergeReport) -> None:
    """Merge ``toetsen`` (with their plans) inside the caller's write transaction: a toets this
    log lacks is added whole; one it has as ``bezig`` takes the source's end when the source's
    copy is finished or stopped (its plan was fixed when it started); anything else stays."""
    nurse_ids = _nurse_ids(conn, {t.nurse for t in toetsen}, report)
    existing = dict(
        conn.execute(
            "SELECT uuid, status FROM toetsen WHERE uuid IN (SELECT value FROM json_each(?))",
            (json.dumps([t.toets_id for t in toetsen]),),
        )
    )
    new = [t for t in toetsen if t.toets_id not in existing]
    ended = [
        (t.status, t.finished_at, t.toets_id)
        for t in toetsen
        if existing.get(t.toets_id) == BEZIG and t.status != BEZIG
    ]
    conn.executemany(
        "UPDATE toetsen SET status = ?, finished_at = ? WHERE uuid = ? AND status = 'bezig'",
        ended,
    )
    for toets in new:
        row_id = conn.execute(
            "INSERT INTO toetsen (uuid, nurse, started_at, finished_at, status) "
            "VALUES (?, ?, ?, ?, ?)",
            (toets.toets_id, nurse_ids[toets.nurse], *toets[2:5]),
        ).lastrowid
        conn.executemany(
            "INSERT INTO toets_cases (toets, position, case_id) VALUES (?, ?, ?)",
            [(row_id, i, case_id) for i, case_id in enumerate(toets.case_ids)],
        )
    report.toetsen_added += len(new)
    report.toetsen_updated += len(ended)


# -- import ------------------------------------------------------------------------------------

# A write transaction of the import aims at BATCH_SECONDS of holding the write lock (issue: at
# most about 0.2 s). Between two, the import leaves the lock free for PAUSE_SECONDS (reading the
# next batch counts). SQLite's busy handler polls a waiting writer after 1, 2, 5, 10, 15, 20, 25,
# 25, 25, 50, ... ms: one that started waiting during a batch of at most 0.2 s polls at least
# every 50 ms, so a pause of 60 ms lets it in before the next batch.
BATCH_SECONDS = 0.1
PAUSE_SECONDS = 0.06
FIRST_BATCH, MIN_BATCH, MAX_BATCH = 200, 20, 5000
# The import checkpoints itself (see _import_settings) after about this many sessions: some 4 MB
# of WAL, as SQLite's own automatic checkpoint (1000 pages).
CHECKPOINT_SESSIONS = 2000
TOETS_BATCH = 500  # toetsen per transaction: a row and a plan each, far below BATCH_SECONDS


class _Misfit(Exception):
    """A validated batch that the target's constraints still refuse (a tampered target)."""


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

    First every source is opened read-only and every row validated (:mod:`dkdl.store.validate`):
    a source that is not a usable log, or has one bad row, raises :class:`StoreError` naming it
    and describing the first bad rows, and nothing is written. Then each source is merged in short
    transactions (:data:`BATCH_SECONDS`) with pauses between them, so a nurse practising on the
    same file never waits long; memory stays flat whatever the sources' size. Each session comes
    with all its answers in one transaction; an import that is interrupted (killed, disk full) is
    completed by importing again, since sessions are matched by UUID.
    """
    opened: list[SourceLog] = []
    try:
        for source in sources:
            if _same_file(source, target.path):
                raise StoreError(
                    f"{source}: dit is het doelbestand zelf; importeer alleen logbestanden van "
                    "andere laptops.",
                    source,
                )
            opened.append(SourceLog(source))
            opened[-1].validate()
        if target.readonly:
            raise read_only_error(target.path)
        reports: list[SourceReport] = []
        for src in opened:
            try:
                reports.append(SourceReport(src.path, _import_source(target, src)))
            except StoreError as exc:
                if not reports:
                    raise
                done = ", ".join(str(r.path) for r in reports)
                raise StoreError(
                    f"{exc} (De bronnen ervoor zijn wel geïmporteerd: {done}.)", exc.path, exc.kind
                ) from None
        return reports
    finally:
        for src in opened:
            src.close()


def _import_source(target: SqliteLog, source: SourceLog) -> MergeReport:
    """Merge one validated source in batches sized to hold the write lock ~BATCH_SECONDS:
    its sessions (each with all its answers), then its toetsen (each with its plan)."""
    report = MergeReport()
    after, size = -1, FIRST_BATCH
    costs: deque[float] = deque(maxlen=3)  # seconds of lock per session, last batches
    with _import_settings(target):
        while True:
            after, sessions, per_session = source.read_batch(after, size)
            if not sessions:
                break
            hold = _batch(target, source, report, _merge_batch, sessions, per_session, report)
            # The next size from the slowest of the last batches per session (a target grows
            # and the machine is shared: one quick batch must not double the next one's hold).
            costs.append(hold / len(sessions))
            size = max(MIN_BATCH, min(MAX_BATCH, 2 * size, int(BATCH_SECONDS / max(costs))))
        after = -1
        while True:
            after, toetsen = source.read_toetsen(after, TOETS_BATCH)
            if not toetsen:
                return report
            _batch(target, source, report, _merge_toetsen, toetsen, report)


def _batch(
    target: SqliteLog,
    source: SourceLog,
    report: MergeReport,
    merge: Callable[..., None],
    *args: object,
) -> float:
    """One write transaction of an import (``merge(conn, *args)``), after a pause that lets a
    waiting writer in; returns how long it held the lock. A failure says what was imported
    before it."""
    pause = PAUSE_SECONDS - (time.perf_counter() - report.freed)  # work since counts
    if pause > 0 and report.batches:
        time.sleep(pause)
    try:
        with target._write("de import") as conn:
            held = time.perf_counter()  # the lock is ours from here (BEGIN IMMEDIATE)
            try:
                merge(conn, *args)
            except sqlite3.IntegrityError:
                raise _Misfit from None
    except _Misfit:
        raise StoreError(
            f"{source.path}: de sessies passen niet in het logbestand {target.path} ("
            + ("er is niets geïmporteerd" if not report.batches else "een deel is geïmporteerd")
            + "). Controleer of het doelbestand een dkdl-logbestand is.",
            source.path,
        ) from None
    except StoreError as exc:
        if not report.batches:
            raise
        raise StoreError(
            f"{exc} Van {source.path} is een deel geïmporteerd ({report.added} sessies, elk "
            "compleet); importeer opnieuw om de rest toe te voegen.",
            exc.path,
            exc.kind,
        ) from None
    report.freed = time.perf_counter()
    hold = report.freed - held
    report.batches += 1
    report.longest_hold = max(report.longest_hold, hold)
    if report.added + report.updated >= report.checkpointed + CHECKPOINT_SESSIONS:
        _checkpoint(target)  # while the lock is free: the pause is spent on it
        report.checkpointed = report.added + report.updated
    return hold


@contextlib.contextmanager
def _import_settings(target: SqliteLog) -> Iterator[None]:
    """The target's connection while an import writes its batches (in WAL mode only): commits
    without waiting for the disk (``synchronous = NORMAL``: a power cut can undo the last
    batches, never half of one, and importing again adds them) and no automatic checkpoint
    inside a commit (the import checkpoints between batches, with the lock free). Restored
    afterwards, with a checkpoint that puts everything imported safely on disk, unless another
    connection is just then in a read that began before the last batches: a PASSIVE checkpoint
    may then neither copy nor sync them (SQLite syncs the WAL only when it can copy a frame),
    and they reach the disk with the file's next commit (any connection's, under FULL) or next
    checkpoint; importing again adds them if a power cut came first."""
    conn = target.db.conn
    with target._lock:
        try:
            wal = conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            if wal:
                sync = int(conn.execute("PRAGMA synchronous").fetchone()[0])
                auto = int(conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0])
                conn.execute("PRAGMA synchronous = NORMAL")
                conn.execute("PRAGMA wal_autocheckpoint = 0")
        except sqlite3.Error as exc:
            raise translate(exc, target.path, "de import") from None
    if not wal:
        yield
        return
    try:
        yield
    finally:
        with target._lock, contextlib.suppress(sqlite3.Error):
            conn.execute(f"PRAGMA synchronous = {sync}")
            conn.execute(f"PRAGMA wal_autocheckpoint = {auto}")
        _checkpoint(target)


def _checkpoint(target: SqliteLog) -> None:
    """Copy the WAL into the file as far as no reader needs it (``PASSIVE``: never waits for
    and never blocks another connection). It syncs the WAL to disk first. A failure here
    loses nothing (the WAL keeps the data), so it is left to the next checkpoint."""
    with target._lock, contextlib.suppress(sqlite3.Error):
        target.db.conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()


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
    if r.toetsen_added:
        parts.append(_n(r.toetsen_added, "toets toegevoegd", "toetsen toegevoegd"))
    if r.toetsen_updated:
        parts.append(_n(r.toetsen_updated, "toets bijgewerkt", "toetsen bijgewerkt"))
    return f"{item.path}: " + ", ".join(parts)
