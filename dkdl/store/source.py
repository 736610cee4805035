"""Another laptop's log as an import source: read-only, streamed in batches, validated whole.

A source is never written and never copied into memory (memory stays flat whatever its size): an
older schema is read as it is, with the installation rule of ``m004_installations`` applied in
the query. All reads happen in one read transaction, so the validation pass and the merge pass
see the same rows even if the laptop's app is writing to the file meanwhile.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from dkdl.store.files import StoreError, check_file, connect_ro, translate
from dkdl.store.rows import SESSION_COLUMNS, AnswerRow, SessionRow
from dkdl.store.schema import legacy_installation
from dkdl.store.validate import (
    BadRow,
    answer_ok,
    answer_problems,
    known_vocabularies,
    session_problems,
    show,
)

REPORTED = 5  # bad rows described in the message; the rest are counted


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
            params: tuple = ()
            if "m004_installations" in checked.applied:
                installation = "s.installation"
            else:  # an older log: the laptop it lives on, as its own upgrade would decide
                installation = "CASE WHEN n.last_used IS NOT NULL THEN ? END"
                params = (legacy_installation(self.conn),)
            self._session_sql = (
                "SELECT s.id, s.uuid, n.pseudonym, "
                + ", ".join(f"s.{c}" for c in SESSION_COLUMNS if c != "installation")
                + f", {installation} FROM sessions s LEFT JOIN nurses n ON n.id = s.nurse "
                "WHERE s.id > ? ORDER BY s.id LIMIT ?"
            )
            self._session_params = params
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

    def read_batch(self, after: int, size: int) -> tuple[int, list[SessionRow], list[AnswerRow]]:
        """Up to ``size`` sessions with row id above ``after``, in row order, with all their
        answers; and the last row id read (``after`` when there are no more)."""
        try:
            rows = self.conn.execute(
                self._session_sql, (*self._session_params, after, size)
            ).fetchall()
            if not rows:
                return after, [], []
            if any(type(r[0]) is not int for r in rows):
                raise StoreError(
                    f"{self.path}: dit is geen bruikbaar dkdl-logbestand (sessies zonder geldig "
                    "rijnummer). Er is niets geïmporteerd.",
                    self.path,
                    "not_ours",
                )
            first, last = rows[0][0], rows[-1][0]
            answers = self.conn.execute(
                "SELECT s.uuid, a.question, a.option, a.items, a.answered_at, a.seconds, "
                "a.changes FROM answers a JOIN sessions s ON s.id = a.session "
                "WHERE a.session BETWEEN ? AND ?",
                (first, last),
            ).fetchall()
        except sqlite3.Error as exc:
            raise self._unreadable(exc) from None
        return last, [SessionRow._make(r[1:]) for r in rows], [AnswerRow._make(a) for a in answers]

    def validate(self) -> int:
        """Check every row; raise :class:`StoreError` naming the source and describing the first
        bad rows in Dutch, so nothing of a bad source is ever merged. Returns the sessions."""
        bad: list[BadRow] = []
        more = 0
        sessions = 0
        try:
            for problem in self._structure_problems():
                bad.append(BadRow("-", None, (problem,)))
        except sqlite3.Error as exc:
            raise self._unreadable(exc) from None
        after = -1
        while True:
            after, batch, answers = self.read_batch(after, 2000)
            if not batch:
                break
            sessions += len(batch)
            versions = {s.session_id: s.questionnaire_version for s in batch}
            for s in batch:
                problems = session_problems(s)
                if problems:
                    if len(bad) < REPORTED:
                        bad.append(BadRow(s.session_id, None, tuple(problems)))
                    else:
                        more += 1
            vocabularies = known_vocabularies()
            for a in answers:
                version = versions.get(a.session_id)
                if answer_ok(a, vocabularies.get(version) if version is not None else None):
                    continue
                problems = answer_problems(a, version)
                if problems:
                    if len(bad) < REPORTED:
                        bad.append(BadRow(a.session_id, a.question, tuple(problems)))
                    else:
                        more += 1
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
        return problems
