"""Another laptop's log as an import source: read-only, streamed in batches, validated whole.

A source is never written and never copied into memory (memory stays flat whatever its size): an
older schema is read as it is, with the installation rule of ``m004_installations`` applied in
the query. All reads happen in one read transaction, so the validation pass and the merge pass
see the same rows even if the laptop's app is writing to the file meanwhile.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from dkdl.store.files import StoreError, check_file, connect_ro, translate
from dkdl.store.rows import (
    SESSION_COLUMNS,
    SESSION_FIELDS,
    TOETS_CASES_SELECT,
    TOETS_SELECT,
    AnswerRow,
    SessionRow,
    ToetsRow,
    toets_rows,
)
from dkdl.store.schema import legacy_installation
from dkdl.store.sqlcheck import answer_sql, parameters, session_sql
from dkdl.store.validate import (
    BadRow,
    answer_problems,
    known_vocabularies,
    profile_problems,
    session_problems,
    show,
    toets_problems,
)

REPORTED = 5  # bad rows described in the message; the rest are counted

# An answer with its session's UUID and questionnaire version, in AnswerRow order (+ version).
_ANSWERS = (
    "SELECT s.uuid AS session_id, a.question AS question, a.option AS option, a.items AS items, "
    "a.answered_at AS answered_at, a.seconds AS seconds, a.changes AS changes, "
    "s.questionnaire_version AS questionnaire_version, a.session AS session_row "
    "FROM answers a JOIN sessions s ON s.id = a.session"
)

# Each finished session's stored answers as one JSON text ([question, option, items] each; a
# value of another type than dkdl writes becomes NULL or 0, which profile_problems leaves to the
# row checks), then the finished sessions grouped by questionnaire, profile and those answers:
# each distinct answer set is scored once (there are far fewer than sessions). Every grouping
# and comparison is byte for byte, whatever collation a crafted file declares.
_FINISHED_ANSWER_SETS = """
SELECT min(id), uuid, version, qid, profile, answers, count(*) FROM (
    SELECT s.id AS id, s.uuid AS uuid, s.questionnaire_version AS version,
        s.questionnaire_id AS qid, s.profile AS profile,
        json_group_array(json_array(
            CASE WHEN typeof(a.question) = 'text' THEN a.question END,
            CASE WHEN typeof(a.option) = 'integer' THEN a.option END,
            CASE WHEN a.items IS NULL THEN NULL WHEN typeof(a.items) = 'text' THEN a.items
                ELSE 0 END
        )) FILTER (WHERE a.session IS NOT NULL) AS answers
    FROM sessions s LEFT JOIN answers a ON a.session = s.id
    WHERE s.status COLLATE BINARY = 'afgerond' AND typeof(s.profile) = 'text'
    GROUP BY s.id
)
GROUP BY version COLLATE BINARY, qid COLLATE BINARY, profile COLLATE BINARY, answers
ORDER BY 1
"""


class SourceLog:
    """A log file opened for import. Use as a context manager; call :meth:`validate` first."""

    def __init__(self, path: Path):
        self.path = path
        checked = check_file(path)
        if not checked.exists:
            raise StoreError(
                f"{path}: logbestand niet gevonden. Controleer het pad.", path, "missing"
            )
        if not checked.applied:
            raise StoreError(
                f"{path}: dit is geen dkdl-logbestand (het bestand of de database is leeg). Er is "
                "niets geïmporteerd. Controleer het pad of vraag om een nieuwe kopie.",
                path,
                "not_ours",
            )
        try:
            self.conn = connect_ro(path)
        except sqlite3.Error as exc:
            raise translate(exc, path, "het lezen") from None
        try:
            self.conn.execute("BEGIN")
            self.conn.execute("SELECT count(*) FROM sessions").fetchone()  # starts the snapshot
            self._installation: str | None = None
            self.has_toetsen = "m003_toetsen" in checked.applied
            if "m004_installations" in checked.applied:
                installation = "s.installation"
            else:  # an older log: the laptop it lives on, as its own upgrade would decide
                installation = "CASE WHEN n.last_used IS NOT NULL THEN :installation END"
                self._installation = legacy_installation(self.conn)
            # every session as a SessionRow (after its row id), for both passes
            self._sessions = (
                "SELECT s.id AS id, s.uuid AS session_id, n.pseudonym AS nurse, "
                + ", ".join(f"s.{c} AS {c}" for c in SESSION_COLUMNS if c != "installation")
                + f", {installation} AS installation "
                "FROM sessions s LEFT JOIN nurses n ON n.id = s.nurse"
            )
        except sqlite3.Error as exc:
            self.close()
            raise self._unreadable(exc) from None

    def __enter__(self) -> SourceLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.conn.close()

    def _unreadable(self, exc: sqlite3.Error) -> StoreError:
        if isinstance(exc, sqlite3.OperationalError) and "no such" in str(exc):
            return StoreError(
                f"{self.path}: dit is geen bruikbaar dkdl-logbestand (de tabellen zijn anders "
                "ingedeeld dan dkdl ze maakt). Er is niets geïmporteerd. Vraag om een nieuwe "
                "kopie.",
                self.path,
                "not_ours",
            )
        return translate(exc, self.path, "het lezen")

    def read_batch(
        self, after: int, size: int
    ) -> tuple[int, list[SessionRow], dict[str, list[tuple]]]:
        """Up to ``size`` sessions with row id above ``after``, in row order, with all their
        answers by session UUID (plain tuples in :class:`AnswerRow` order: the merge reads them
        by position, and making 100,000 named tuples costs more than it gives); and the last
        row id read (``after`` when there are no more)."""
        try:
            rows = self.conn.execute(
                self._sessions + " WHERE s.id > :after ORDER BY s.id LIMIT :size",
                {"installation": self._installation, "after": after, "size": size},
            ).fetchall()
            if not rows:
                return after, [], {}
            if any(type(r[0]) is not int for r in rows):
                raise self._no_row_ids()
            first, last = rows[0][0], rows[-1][0]
            answers = self.conn.execute(
                "SELECT s.uuid, a.question, a.option, a.items, a.answered_at, a.seconds, "
                "a.changes FROM answers a JOIN sessions s ON s.id = a.session "
                "WHERE a.session BETWEEN ? AND ?",
                (first, last),
            ).fetchall()
        except sqlite3.Error as exc:
            raise self._unreadable(exc) from None
        per_session: dict[str, list[tuple]] = {}
        for answer in answers:
            per_session.setdefault(answer[0], []).append(answer)
        return last, [SessionRow._make(r[1:]) for r in rows], per_session

    def read_toetsen(self, after: int, size: int) -> tuple[int, list[ToetsRow]]:
        """Up to ``size`` toetsen with row id above ``after``, in row order, each with its plan;
        and the last row id read. A source from before ``m003_toetsen`` has none."""
        if not self.has_toetsen:
            return after, []
        try:
            rows = self.conn.execute(
                TOETS_SELECT + " WHERE t.id > ? ORDER BY t.id LIMIT ?", (after, size)
            ).fetchall()
            if not rows:
                return after, []
            if any(type(r[0]) is not int for r in rows):
                raise self._no_row_ids()
            cases = self.conn.execute(
                TOETS_CASES_SELECT + " WHERE toets BETWEEN ? AND ? ORDER BY toets, position",
                (rows[0][0], rows[-1][0]),
            ).fetchall()
        except sqlite3.Error as exc:
            raise self._unreadable(exc) from None
        return rows[-1][0], toets_rows(rows, cases)

    def _no_row_ids(self) -> StoreError:
        return StoreError(
            f"{self.path}: dit is geen bruikbaar dkdl-logbestand (sessies zonder geldig "
            "rijnummer). Er is niets geïmporteerd.",
            self.path,
            "not_ours",
        )

    def validate(self) -> int:
        """Check every row; raise :class:`StoreError` naming the source and describing the first
        bad rows in Dutch, so nothing of a bad source is ever merged. Returns the sessions.

        SQL (:mod:`dkdl.store.sqlcheck`) passes the rows that are certainly good in one scan per
        table; only the others are read into Python, where :mod:`dkdl.store.validate` decides."""
        bad: list[BadRow] = []
        more = 0

        def found(
            row_id: object,
            question: object,
            problems: list[str],
            what: str = "sessie",
            rows: int = 1,
        ):
            """``rows`` bad rows alike, the first of them ``row_id``."""
            nonlocal more
            if len(bad) < REPORTED:
                bad.append(BadRow(row_id, question, tuple(problems), what))
                rows -= 1
            more += rows

        try:
            for problem in self._structure_problems():
                bad.append(BadRow("-", None, (problem,)))
            params = parameters(
                self.conn,
                self._sessions,
                _ANSWERS,
                known_vocabularies(),
                {"installation": self._installation},
            )
            suspects = self.conn.execute(
                f"SELECT * FROM ({self._sessions}) WHERE {session_sql()} IS NOT 1 "
                "OR typeof(id) <> 'integer' ORDER BY id",
                params,
            )
            width = len(SESSION_FIELDS)
            for row in suspects:
                if type(row[0]) is not int:
                    raise self._no_row_ids()
                session = SessionRow._make(row[1 : 1 + width])
                problems = session_problems(session)
                if problems:
                    found(session.session_id, None, problems)
            suspects = self.conn.execute(
                f"SELECT * FROM ({_ANSWERS}) WHERE {answer_sql()} IS NOT 1 "
                "ORDER BY session_row, question",
                params,
            )
            for row in suspects:
                answer = AnswerRow._make(row[:7])
                problems = answer_problems(answer, row[7])
                if problems:
                    found(answer.session_id, answer.question, problems)
            after = -1
            while True:  # toetsen: few (one per three sessions at most), checked in Python
                after, toetsen = self.read_toetsen(after, 2000)
                if not toetsen:
                    break
                for toets in toetsen:
                    problems = toets_problems(toets)
                    if problems:
                        found(toets.toets_id, None, problems, "toets")
            for _, uuid, version, qid, profile, answers, count in self.conn.execute(
                _FINISHED_ANSWER_SETS
            ):
                problems = profile_problems(version, qid, profile, json.loads(answers))
                if problems:
                    found(uuid, None, problems, rows=count)
            sessions = self.conn.execute("SELECT count(*) FROM sessions").fetchone()[0]
        except sqlite3.Error as exc:
            raise self._unreadable(exc) from None
        if bad:
            lines = [f"  - {b.describe()}" for b in bad]
            if more:
                lines.append(f"  en nog {more} ongeldige {'rij' if more == 1 else 'rijen'}")
            raise StoreError(
                f"{self.path}: bevat ongeldige gegevens; er is niets geïmporteerd. Laat dit "
                "bestand weg of vraag om een nieuwe kopie.\n" + "\n".join(lines),
                self.path,
                "invalid",
            )
        return sessions

    def _structure_problems(self) -> list[str]:
        """Problems no single row shows: duplicates, answers without a session."""
        problems = []
        dup = self.conn.execute(
            "SELECT uuid FROM sessions GROUP BY uuid HAVING count(*) > 1 LIMIT 1"
        ).fetchone()
        if dup:
            problems.append(f"sessie-UUID {show(dup[0])} komt meer dan eens voor")
        dup = self.conn.execute(
            "SELECT session, question FROM answers GROUP BY session, question "
            "HAVING count(*) > 1 LIMIT 1"
        ).fetchone()
        if dup:
            problems.append(f"vraag {show(dup[1])} is meer dan eens beantwoord in één sessie")
        stray = self.conn.execute(
            "SELECT count(*) FROM answers WHERE session NOT IN (SELECT id FROM sessions)"
        ).fetchone()[0]
        if stray:
            problems.append(f"{stray} antwoorden horen bij geen enkele sessie")
        if self.has_toetsen:
            problems += self._toets_structure_problems()
        return problems

    def _toets_structure_problems(self) -> list[str]:
        """Toetsen twice, plans that are not positions 0, 1, 2, ... of an existing toets, and
        sessions of a toets that another nurse took."""
        problems = []
        dup = self.conn.execute(
            "SELECT uuid FROM toetsen GROUP BY uuid HAVING count(*) > 1 LIMIT 1"
        ).fetchone()
        if dup:
            problems.append(f"toets-UUID {show(dup[0])} komt meer dan eens voor")
        stray = self.conn.execute(
            "SELECT count(*) FROM toets_cases WHERE toets NOT IN (SELECT id FROM toetsen)"
        ).fetchone()[0]
        if stray:
            problems.append(f"{stray} geplande casussen horen bij geen enkele toets")
        gap = self.conn.execute(
            "SELECT t.uuid FROM toets_cases c JOIN toetsen t ON t.id = c.toets GROUP BY c.toets "
            "HAVING sum(typeof(c.position) <> 'integer') > 0 OR min(c.position) <> 0 "
            "OR max(c.position) <> count(*) - 1 LIMIT 1"
        ).fetchone()
        if gap:
            problems.append(f"de planning van toets {show(gap[0])} is niet 0, 1, 2, ...")
        other = self.conn.execute(
            "SELECT t.uuid FROM toetsen t JOIN sessions s ON s.test_id = t.uuid "
            "WHERE s.nurse IS NOT t.nurse LIMIT 1"
        ).fetchone()
        if other:
            problems.append(f"toets {show(other[0])} heeft sessies van een andere schuilnaam")
        return problems
