"""The session log in SQLite (sqlite-utils 4): nothing lost, resumable.

:class:`SqliteLog` implements :class:`dkdl.sessionlog.PracticeLog` with the semantics of
:class:`dkdl.sessionlog.MemoryLog`; every write is committed before the method returns, so a
killed app loses no answer already given. :func:`dkdl.store.opening.open_log` checks a
file read-only first and only then writes (WAL mode, pending migrations), so a refused file
stays byte-for-byte as it was. Later write failures (disk full, read-only location, locked)
become a :class:`StoreError` too; the transaction is rolled back.

Write transactions start with ``BEGIN IMMEDIATE``: in WAL mode a deferred transaction that reads
and then writes can fail at once with "database is locked" when another process wrote in between;
taking the write lock up front lets the busy timeout do its work instead.

Schema: ``docs/schema.md``. No table holds client-identifying data.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from sqlite_utils import Database

from dkdl.sessionlog import (
    AFGEBROKEN,
    AFGEROND,
    BEZIG,
    MODES,
    AnswerRecord,
    Choice,
    SessionInfo,
    ToetsInfo,
    check_pseudonym,
    now,
)
from dkdl.store.files import (
    StoreError,
    read_only_error,
    translate,
)
from dkdl.store.rows import (
    ITEM_SEP,
    SESSION_SELECT,
    AnswerRow,
    SessionRow,
    ToetsRow,
    items_text,
    items_tuple,
    session_info,
)
from dkdl.store.schema import migrations
from dkdl.store.validate import (
    MAX_CHANGES,
    MAX_SECONDS,
    Vocabulary,
    answer_problems,
    known_vocabularies,
    pseudonym_problems,
    session_problems,
    show,
    toets_problems,
)
from dkdl.store.validate import is_time as valid_time

if TYPE_CHECKING:  # the store itself needs neither pydantic nor YAML (trainer start-up)
    from dkdl.cases import Case
    from dkdl.questionnaire import Questionnaire
    from dkdl.scoring import Result

# -- the log -----------------------------------------------------------------------------------


def _known_items(items: object, question: str, vocabulary: Vocabulary | None) -> bool:
    """Stored checklist items that are certainly fine: ids of the vocabulary's checklist, each
    once, on its checklist question (validate.py would accept them)."""
    if vocabulary is None or type(items) is not str or question != vocabulary.checklist:
        return False
    ids = items.split(ITEM_SEP)
    return len(set(ids)) == len(ids) and vocabulary.items.issuperset(ids)


class SqliteLog:
    """:class:`dkdl.sessionlog.PracticeLog` on a SQLite file; also what export/import need.

    Safe to call from worker threads (one connection, guarded by a lock). Every write method
    commits before it returns or raises :class:`StoreError` with nothing changed.
    """

    def __init__(
        self, db: Database, path: Path, *, readonly: bool = False, in_memory: bool = False
    ):
        self.db = db
        self.path = path
        self.readonly = readonly
        self.in_memory = in_memory  # read-only, from a copy upgraded in memory (an older file)
        self._lock = threading.RLock()
        self._ids: dict[str, int] = {}  # session UUID -> row id (rows are never deleted)
        self._installation: str | None = None
        self.invalid_sessions = 0  # rows left out by the last sessions() for failing validation

    # -- plumbing --------------------------------------------------------------------------

    def close(self) -> None:
        """Close the connection (SQLite then folds the WAL into the file)."""
        with self._lock:
            self.db.close()

    def __enter__(self) -> SqliteLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _write(self, what: str) -> Iterator[sqlite3.Connection]:
        """One write transaction (``BEGIN IMMEDIATE``; a savepoint when nested): committed on
        exit, rolled back on any error. SQLite errors become :class:`StoreError`."""
        if self.readonly:
            raise read_only_error(self.path)
        with self._lock:
            conn = self.db.conn
            try:
                if conn.in_transaction:
                    with self.db.atomic():
                        yield conn
                    return
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield conn
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
            except sqlite3.Error as exc:
                if conn.in_transaction:
                    with contextlib.suppress(sqlite3.Error):
                        conn.execute("ROLLBACK")
                raise translate(exc, self.path, what) from None

    def transaction(self, what: str = "het schrijven") -> contextlib.AbstractContextManager:
        """Group several writes (e.g. merging many sources) into one all-or-nothing transaction."""
        return self._write(what)

    def _read(self, sql: str, params: tuple | list = ()) -> list[tuple]:
        with self._lock:
            try:
                return self.db.conn.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise translate(exc, self.path, "het lezen") from None

    def _session_row_id(self, session_id: str) -> int:
        row_id = self._ids.get(session_id)
        if row_id is None:
            rows = self._read("SELECT id FROM sessions WHERE uuid = ?", (session_id,))
            if not rows:
                raise KeyError(session_id)
            row_id = self._ids[session_id] = rows[0][0]
        return row_id

    # -- PracticeLog -----------------------------------------------------------------------

    @property
    def installation_id(self) -> str:
        """This log's installation id (made once, by migration ``m004_installations``)."""
        if self._installation is None:
            self._installation = self._read("SELECT id FROM installation")[0][0]
        return self._installation

    def remember_nurse(self, pseudonym: str) -> str:
        """Register (or find) a nurse by pseudonym; returns it trimmed. Remembered as the last."""
        name = check_pseudonym(pseudonym)
        with self._write("de naam") as conn:
            conn.execute("INSERT OR IGNORE INTO nurses (pseudonym) VALUES (?)", (name,))
            conn.execute(
                "UPDATE nurses SET last_used = "
                "(SELECT coalesce(max(last_used), 0) + 1 FROM nurses) WHERE pseudonym = ?",
                (name,),
            )
        return name

    def last_nurse(self) -> str | None:
        """The pseudonym given last on this log; None when none was, or when that row fails
        validation (a crafted name would be pre-filled on the start screen)."""
        rows = self._read(
            "SELECT pseudonym FROM nurses WHERE last_used IS NOT NULL "
            "ORDER BY last_used DESC LIMIT 1"
        )
        return rows[0][0] if rows and not pseudonym_problems(rows[0][0]) else None

    def start_session(
        self,
        *,
        nurse: str,
        mode: str,
        questionnaire: Questionnaire,
        case: Case | None = None,
        test_id: str | None = None,
    ) -> str:
        """Open a session (status bezig), committed, and return its UUID."""
        if mode not in MODES:
            raise ValueError(f"onbekende modus {mode!r}")
        check_pseudonym(nurse)
        session_id = str(uuid.uuid4())
        installation = self.installation_id
        with self._write("de nieuwe sessie") as conn:
            conn.execute("INSERT OR IGNORE INTO nurses (pseudonym) VALUES (?)", (nurse,))
            cursor = conn.execute(
                "INSERT INTO sessions (uuid, nurse, mode, case_id, case_hash, questionnaire_id, "
                "questionnaire_version, questionnaire_hash, started_at, status, key_profile, "
                "test_id, installation) VALUES (?, (SELECT id FROM nurses WHERE pseudonym = ?), "
                "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    session_id,
                    nurse,
                    mode,
                    case.id if case else None,
                    case.content_hash if case else None,
                    questionnaire.id,
                    questionnaire.version,
                    questionnaire.content_hash,
                    now(),
                    BEZIG,
                    case.profile if case is not None and mode != "vrij" else None,
                    test_id,
                    installation,
                ),
            )
            row_id = cursor.lastrowid
        assert row_id is not None
        self._ids[session_id] = row_id
        return session_id

    def record_answer(
        self,
        session_id: str,
        question_id: str,
        option: int,
        items: tuple[str, ...] = (),
        seconds: float = 0.0,
    ) -> None:
        """Store an answer, committed; another option counts as a change (ticking or unticking
        checklist items does not), and the seconds add up."""
        row_id = self._session_row_id(session_id)
        stored_items = items_text(items)
        with self._write("het antwoord") as conn:
            conn.execute(
                "INSERT INTO answers (session, question, option, items, answered_at, seconds, "
                "changes) VALUES (?, ?, ?, ?, ?, ?, 0) "
                "ON CONFLICT (session, question) DO UPDATE SET "
                "changes = changes + (option IS NOT excluded.option),"
                " option = excluded.option, items = excluded.items,"
                " answered_at = excluded.answered_at, seconds = seconds + excluded.seconds",
                (row_id, question_id, option, stored_items, now(), max(0.0, float(seconds))),
            )

    def finish_session(self, session_id: str, result: Result, key_profile: str | None) -> None:
        """Mark afgerond with the registered profile, the key's and whether they match."""
        row_id = self._session_row_id(session_id)
        match = None if key_profile is None else int(result.profile == key_profile)
        with self._write("het afronden van de sessie") as conn:
            conn.execute(
                "UPDATE sessions SET status = ?, finished_at = ?, profile = ?, key_profile = ?, "
                "match = ? WHERE id = ?",
                (AFGEROND, now(), result.profile, key_profile, match, row_id),
            )

    def abandon_session(self, session_id: str) -> None:
        """Mark afgebroken; the answers stay."""
        row_id = self._session_row_id(session_id)
        with self._write("het afbreken van de sessie") as conn:
            conn.execute(
                "UPDATE sessions SET status = ?, finished_at = ? WHERE id = ?",
                (AFGEBROKEN, now(), row_id),
            )

    def session(self, session_id: str) -> SessionInfo:
        """One session by UUID (KeyError if unknown; :class:`StoreError` if its row is invalid)."""
        rows = self._read(SESSION_SELECT + " WHERE s.uuid = ?", (session_id,))
        if not rows:
            raise KeyError(session_id)
        row = SessionRow._make(rows[0])
        problems = session_problems(row, strict=False)
        if problems:
            raise StoreError(
                f"{self.path}: sessie {show(session_id)} is ongeldig ({'; '.join(problems)}).",
                self.path,
                "invalid",
            )
        return session_info(row)

    def sessions(self, nurse: str | None = None) -> list[SessionInfo]:
        """Sessions, oldest first (by start time, then order of entry); of one nurse if given.
        Rows that fail validation (:mod:`dkdl.store.validate`) are left out and counted in
        :attr:`invalid_sessions`, so a crafted row never reaches the app."""
        if nurse is None:
            rows = self._read(SESSION_SELECT + " ORDER BY s.started_at, s.id")
        else:
            rows = self._read(
                SESSION_SELECT + " WHERE n.pseudonym = ? ORDER BY s.started_at, s.id", (nurse,)
            )
        result = []
        invalid = 0
        for raw in rows:
            row = SessionRow._make(raw)
            if session_problems(row, strict=False):
                invalid += 1
                continue
            result.append(session_info(row))
        self.invalid_sessions = invalid
        return result

    def answers(self, session_id: str) -> dict[str, AnswerRecord]:
        """The answers of a session by question id (KeyError if the session is unknown); answer
        rows that fail validation are left out."""
        row_id = self._session_row_id(session_id)
        rows = self._read(
            "SELECT s.uuid, a.question, a.option, a.items, a.answered_at, a.seconds, a.changes, "
            "s.questionnaire_version FROM answers a JOIN sessions s ON s.id = a.session "
            "WHERE a.session = ?",
            (row_id,),
        )
        result = {}
        for raw in rows:
            answer = AnswerRow._make(raw[:-1])
            if answer_problems(answer, raw[-1], strict=False):
                continue
            result[answer.question] = AnswerRecord(
                answer.question,
                answer.option,
                items_tuple(answer.items),
                answer.answered_at,
                float(answer.seconds),
                answer.changes,
            )
        return result

    def choices_of(self, session_ids: Sequence[str]) -> dict[str, dict[str, Choice]]:
        """What she chose in many sessions: session UUID -> question id -> (option, checklist
        items); unknown UUIDs are left out. Two queries (the sessions, then all their answers)
        whatever the number; the UUIDs go in as one JSON array parameter.

        A row is left out exactly when :meth:`answers` leaves it out. The common row (a
        question and option of the session's questionnaire, items of its checklist, plain
        times) is recognised at once; any other goes through validate.py, which decides."""
        wanted = json.dumps(list(dict.fromkeys(session_ids)))
        sessions = self._read(
            "SELECT id, uuid, questionnaire_version FROM sessions "
            "WHERE uuid IN (SELECT value FROM json_each(?))",
            (wanted,),
        )
        rows = self._read(
            "SELECT a.session, a.question, a.option, a.items, a.answered_at, a.seconds, "
            "a.changes FROM answers a WHERE a.session IN (SELECT id FROM sessions "
            "WHERE uuid IN (SELECT value FROM json_each(?)))",
            (wanted,),
        )
        vocabularies = known_vocabularies()
        result: dict[str, dict[str, Choice]] = {}
        by_row: dict[int, tuple[dict[str, Choice], Vocabulary | None, str]] = {}
        for row_id, sid, version in sessions:
            per_session = result[sid] = {}
            by_row[row_id] = (per_session, vocabularies.get(version), version)
        current = None
        per_session, vocabulary, version = {}, None, ""
        pairs: frozenset[tuple[str, int]] = frozenset()
        for row_id, question, option, items, at, seconds, changes in rows:
            if row_id != current:  # rows come session by session (the primary key's order)
                current = row_id
                per_session, vocabulary, version = by_row[row_id]
                pairs = vocabulary.pairs if vocabulary is not None else frozenset()
            if (
                type(option) is int
                and (question, option) in pairs
                and (items is None or _known_items(items, question, vocabulary))
                and type(seconds) in (int, float)
                and 0 <= seconds <= MAX_SECONDS
                and type(changes) is int
                and 0 <= changes <= MAX_CHANGES
                and valid_time(at)
            ) or not answer_problems(
                AnswerRow("", question, option, items, at, seconds, changes),
                version,
                strict=False,
            ):
                per_session[question] = (option, items_tuple(items))
        return result

    def progress_mark(self, nurse: str) -> tuple:
        """A cheap tag of what her figures (Mijn voortgang) are counted from: it changes when a
        session or toets of hers is added, finished or abandoned, and when another connection
        (an import by a trainer into this file) commits anything. Equal tags: same figures."""
        with self._lock:
            try:
                conn = self.db.conn
                (version,) = conn.execute("PRAGMA data_version").fetchone()
                counts = [
                    conn.execute(
                        f"SELECT count(*), max(x.id), sum(x.status = ?), sum(x.status = ?) "
                        f"FROM {table} x JOIN nurses n ON n.id = x.nurse WHERE n.pseudonym = ?",
                        (AFGEROND, AFGEBROKEN, nurse),
                    ).fetchone()
                    for table in ("sessions", "toetsen")
                ]
            except sqlite3.Error as exc:
                raise translate(exc, self.path, "het lezen") from None
        return (version, *counts[0], *counts[1])

    # -- toetsen ---------------------------------------------------------------------------

    def start_toets(self, *, nurse: str, case_ids: Sequence[str]) -> str:
        """Store a toets (bezig) with its planned cases in order, committed; returns its UUID."""
        check_pseudonym(nurse)
        if not case_ids:
            raise ValueError("een toets heeft minstens één casus")
        toets_id = str(uuid.uuid4())
        with self._write("de nieuwe toets") as conn:
            conn.execute("INSERT OR IGNORE INTO nurses (pseudonym) VALUES (?)", (nurse,))
            cursor = conn.execute(
                "INSERT INTO toetsen (uuid, nurse, started_at, status) "
                "VALUES (?, (SELECT id FROM nurses WHERE pseudonym = ?), ?, ?)",
                (toets_id, nurse, now(), BEZIG),
            )
            conn.executemany(
                "INSERT INTO toets_cases (toets, position, case_id) VALUES (?, ?, ?)",
                [(cursor.lastrowid, i, case_id) for i, case_id in enumerate(case_ids)],
            )
        return toets_id

    def finish_toets(self, toets_id: str) -> None:
        """Mark a toets afgerond."""
        self._end_toets(toets_id, AFGEROND, "het afronden van de toets")

    def abandon_toets(self, toets_id: str) -> None:
        """Mark a toets afgebroken; its sessions stay as they are."""
        self._end_toets(toets_id, AFGEBROKEN, "het afbreken van de toets")

    def _end_toets(self, toets_id: str, status: str, what: str) -> None:
        with self._write(what) as conn:
            cursor = conn.execute(
                "UPDATE toetsen SET status = ?, finished_at = ? WHERE uuid = ? AND status = ?",
                (status, now(), toets_id, BEZIG),
            )
            if (
                not cursor.rowcount
                and not conn.execute("SELECT 1 FROM toetsen WHERE uuid = ?", (toets_id,)).fetchone()
            ):
                raise KeyError(toets_id)

    def toets(self, toets_id: str) -> ToetsInfo:
        """One toets by UUID (KeyError if unknown; a row that fails validation is left out, as
        unknown, and the toets goes on from its sessions)."""
        found = self._toetsen("WHERE t.uuid = ?", (toets_id,))
        if not found:
            raise KeyError(toets_id)
        return found[0]

    def toetsen(self, nurse: str | None = None) -> list[ToetsInfo]:
        """Toetsen, oldest first; of one nurse if given."""
        if nurse is None:
            return self._toetsen("", ())
        return self._toetsen("WHERE n.pseudonym = ?", (nurse,))

    def _toetsen(self, where: str, params: tuple) -> list[ToetsInfo]:
        rows = self._read(
            "SELECT t.id, t.uuid, n.pseudonym, t.started_at, t.finished_at, t.status "
            f"FROM toetsen t JOIN nurses n ON n.id = t.nurse {where} "
            "ORDER BY t.started_at, t.id",
            params,
        )
        plans: dict[int, list[str]] = {row_id: [] for row_id, *_ in rows}
        for toets, case_id in self._read(
            "SELECT c.toets, c.case_id FROM toets_cases c JOIN toetsen t ON t.id = c.toets "
            f"JOIN nurses n ON n.id = t.nurse {where} ORDER BY c.toets, c.position",
            params,
        ):
            plans[toets].append(case_id)
        result = []
        for row_id, uid, nurse, started, finished, status in rows:
            row = ToetsRow(uid, nurse, started, finished, status, tuple(plans[row_id]))
            if not toets_problems(row, strict=False):  # a crafted row never reaches the app
                result.append(ToetsInfo(uid, nurse, row.case_ids, started, finished, status))
        return result

    # -- for the app's start screen and the trainer ----------------------------------------

    def nurses(self) -> list[str]:
        """Every valid pseudonym in the log, alphabetically (a row that fails validation is
        left out, as :meth:`sessions` leaves out its sessions)."""
        rows = self._read("SELECT pseudonym FROM nurses ORDER BY pseudonym")
        return [r[0] for r in rows if not pseudonym_problems(r[0])]

    def practised_names(self) -> list[str]:
        """The valid pseudonyms with at least one session or toets, alphabetically ignoring
        case (one indexed query; Mijn voortgang names them when a typed name has none). A name
        given on the start screen but never used for a session is not among them."""
        rows = self._read(
            "SELECT pseudonym FROM nurses n WHERE EXISTS (SELECT 1 FROM sessions s "
            "WHERE s.nurse = n.id) OR EXISTS (SELECT 1 FROM toetsen t WHERE t.nurse = n.id)"
        )
        names = [r[0] for r in rows if not pseudonym_problems(r[0])]
        return sorted(names, key=lambda name: (name.casefold(), name))

    def has_practised(self, nurse: str) -> bool:
        """Whether a session or toets is stored under exactly ``nurse`` (any mode or status;
        a row :meth:`sessions` would leave out as invalid counts too). Only reads."""
        rows = self._read(
            "SELECT EXISTS (SELECT 1 FROM nurses n WHERE n.pseudonym = ? AND (EXISTS (SELECT 1 "
            "FROM sessions s WHERE s.nurse = n.id) OR EXISTS (SELECT 1 FROM toetsen t "
            "WHERE t.nurse = n.id)))",
            (nurse,),
        )
        return bool(rows[0][0])

    def counts(self) -> dict[str, int]:
        """Number of nurses, sessions and answers."""
        return {
            table: self._read(f"SELECT count(*) FROM {table}")[0][0]
            for table in ("nurses", "sessions", "answers")
        }

    def applied_migrations(self) -> list[str]:
        """Names of the schema migrations recorded in this file, in order."""
        with self._lock:
            return [m.name for m in migrations.applied(self.db)]
