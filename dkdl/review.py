"""Trainer review: the sessions of a log, one session against the key, and the analyses.

A :class:`Review` opens a log read-only (through :func:`dkdl.store.open_log`, so a file that is
not a dkdl log is refused with a Dutch :class:`dkdl.store.StoreError`) together with the case
library that holds the key answers and toelichtingen (the log stores only case id, case hash and
key profile). SQLite does the counting; a few small TEMP tables (key answers, nurse identities,
the sessions of the current filter) live on the read-only connection only, never in the file.
Each TEMP write is committed at once, so the connection never holds a read transaction open:
it sees what the app or an alias change writes later, and never keeps the WAL from folding in.

What counts (``docs/report.md``): finished (``afgerond``) sessions with a key (modes ``oefenen``
and ``toets``); by default each nurse's first finished attempt at each case; a question counts
for a session when both her answers and the key reach it; for the checklist question (Q12) the
same answer is the same option and, when the checklist counts, the same items.

Plain Python, no UI imports: the TUI trainer mode and ``dkdl report`` both build on this.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from dkdl.cases import Case, CaseLibrary, case_dirs, load_library
from dkdl.questionnaire import Questionnaire, load_questionnaire
from dkdl.review_analysis import Analysis
from dkdl.review_detail import build_detail
from dkdl.review_model import (
    ATTEMPTS,
    KEYED_MODES,
    DetailRow,
    FilterError,
    Nurse,
    ReviewFilter,
    SessionDetail,
    SessionPage,
    SessionRow,
    parse_date,
    session_row,
    utc_bound,
    with_attempts,
)
from dkdl.review_stats import Thresholds
from dkdl.scoring import Scorer
from dkdl.sessionlog import AFGEROND
from dkdl.store import ITEM_SEP, NurseKey, SqliteLog, nurse_identities, open_log, translate

__all__ = [
    "ATTEMPTS",
    "KEYED_MODES",
    "SORT_COLUMNS",
    "Analysis",
    "DetailRow",
    "FilterError",
    "Nurse",
    "Review",
    "ReviewFilter",
    "SessionDetail",
    "SessionPage",
    "SessionRow",
    "Thresholds",
    "parse_date",
    "with_attempts",
]

_NO_STOP = 1_000_000  # routing position when no routing answer ended the questionnaire

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


# -- the review --------------------------------------------------------------------------------


class Review:
    """Read-only trainer view of one log with the case library. Thread-safe (one lock)."""

    # Answers are looked up per counted session when those are fewer than 1/seek_ratio of all
    # sessions (the first-attempt default); otherwise SQLite scans and groups them.
    seek_ratio = 4

    def __init__(
        self,
        log: SqliteLog,
        library: CaseLibrary,
        questionnaire: Questionnaire,
        *,
        thresholds: Thresholds | None = None,
        own_log: bool = False,
    ):
        self.log = log
        self.path = log.path
        self.library = library
        self.questionnaire = questionnaire
        self.scorer = Scorer(questionnaire)
        self.thresholds = thresholds or Thresholds()
        self._own_log = own_log
        self._conn = log.db.conn
        self._lock = threading.RLock()
        self._first_ready = False
        self._counted_for: ReviewFilter | None = None
        self._seek = False
        self._cases = {c.id: c for c in library.cases}
        with self._reading():
            self._conn.execute("PRAGMA temp_store = MEMORY")
            self._inst = "coalesce(s.installation, '')"
            self._setup_questions()
            self._nurses = self._setup_identity()
            self._case_notes = self._setup_keys()

    @contextmanager
    def _reading(self) -> Iterator[None]:
        """The lock, and a SQLite failure while reading (a damaged file, the file taken away)
        as the store's Dutch :class:`dkdl.store.StoreError` instead of SQLite's English."""
        with self._lock:
            try:
                yield
            except sqlite3.Error as exc:
                raise translate(exc, self.path, "het lezen") from None

    @classmethod
    def open(
        cls,
        path: Path | str,
        *,
        cases: Iterable[Path | str] = (),
        builtin: bool = True,
        questionnaire: Questionnaire | None = None,
        thresholds: Thresholds | None = None,
        quick_check: bool = True,
    ) -> Review:
        """Open the log at ``path`` read-only with the built-in cases (unless ``builtin`` is
        false), ``DKDL_CASES`` and the ``cases`` folders. Raises :class:`dkdl.store.StoreError`
        for a file that is not a usable dkdl log; the file is never written.

        The case files are read in a second thread while the store checks the log (SQLite
        releases the interpreter lock), so opening costs about the longer of the two.
        ``quick_check=False`` leaves SQLite's structure check of the file to the caller
        (:func:`dkdl.store.verify_structure`), as trainer mode does after the first page."""
        dirs = case_dirs(cases, builtin=builtin)
        loaded: list[tuple[Questionnaire, CaseLibrary]] = []
        failed: list[BaseException] = []

        def load() -> None:
            try:
                q = questionnaire or load_questionnaire()
                loaded.append((q, load_library(dirs, q)))
            except BaseException as exc:  # re-raised in the caller's thread
                failed.append(exc)

        reader = threading.Thread(target=load, name="dkdl-cases", daemon=True)
        reader.start()
        try:
            log = open_log(Path(path), create=False, readonly=True, quick_check=quick_check)
        finally:
            reader.join()
        try:
            if failed:
                raise failed[0]
            q, library = loaded[0]
            return cls(log, library, q, thresholds=thresholds, own_log=True)
        except BaseException:
            log.close()
            raise

    def close(self) -> None:
        if self._own_log:
            self.log.close()

    def __enter__(self) -> Review:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- set-up: questions, nurses, keys (TEMP tables on the read-only connection) ---------

    def _setup_questions(self) -> None:
        q = self.questionnaire
        self._pos = {x.id: i for i, x in enumerate(q.questions, start=1)}
        checklist_q = next((x for x in q.questions if x.checklist is not None), None)
        self._checklist_id = checklist_q.id if checklist_q else None
        self._checklist_option = (
            checklist_q.checklist.when_option if checklist_q and checklist_q.checklist else None
        )
        self._items = (
            [it.id for it in checklist_q.checklist.items]
            if checklist_q and checklist_q.checklist
            else []
        )
        c = self._conn
        c.execute("DROP TABLE IF EXISTS temp.rv_fire")
        c.execute(
            "CREATE TEMP TABLE rv_fire (question TEXT, option INTEGER, pos INTEGER, "
            "PRIMARY KEY (question, option))"
        )
        c.executemany(
            "INSERT OR IGNORE INTO rv_fire VALUES (?, ?, ?)",
            [(r.question, r.option, self._pos[r.question]) for r in q.routing],
        )
        c.commit()

    def _setup_identity(self) -> dict[int, Nurse]:
        """Nurses as the review tells them apart (:func:`dkdl.store.nurse_identities`): a
        pseudonym on one laptop, identities a trainer marked as one person merged. TEMP table
        ``rv_who`` maps each (nurses row, installation) to its person (``who``), the person's
        display name and the session's own laptop number."""
        c = self._conn
        identities = nurse_identities(self.log)
        row_of = {name: nid for nid, name in c.execute("SELECT id, pseudonym FROM nurses")}
        people: dict[NurseKey, Nurse] = {}
        table = []
        for ident in identities:
            person = people.get(ident.person)
            if person is None:
                head = next(i for i in identities if i.key == ident.person)
                key = len(people) + 1
                person = people[ident.person] = Nurse(
                    key, ident.person.pseudonym, head.laptop.number, ident.label
                )
            nurse_row = row_of.get(ident.key.pseudonym)
            if nurse_row is not None:
                table.append(
                    (
                        nurse_row,
                        ident.key.installation or "",
                        person.key,
                        person.display,
                        ident.laptop.number,
                        ident.key.pseudonym,
                    )
                )
        c.execute("DROP TABLE IF EXISTS temp.rv_who")
        c.execute(
            "CREATE TEMP TABLE rv_who (nurse INTEGER, inst TEXT, who INTEGER, display TEXT, "
            "laptop INTEGER, pseudonym TEXT, PRIMARY KEY (nurse, inst))"
        )
        c.executemany("INSERT INTO rv_who VALUES (?, ?, ?, ?, ?, ?)", table)
        c.commit()
        self._identity_names = {(row[5], row[2]) for row in table}
        self._first_ready = False
        self._counted_for = None
        return {n.key: n for n in people.values()}

    def reload_identities(self) -> None:
        """Read nurses and aliases again (after :func:`dkdl.store.add_alias` or
        :func:`dkdl.store.remove_alias`); earlier analyses keep their figures."""
        with self._reading():
            self._nurses = self._setup_identity()

    def refresh(self) -> None:
        """See what was written to the log since opening (sessions of a nurse practising on
        the same file, imports, aliases); earlier analyses keep their figures."""
        with self._reading():
            self._nurses = self._setup_identity()
            self._case_notes = self._setup_keys()

    def _setup_keys(self) -> dict[str, str]:
        """Key answers of the cases the log mentions, for comparison in SQL; a Dutch note per
        case that is missing from the library or changed since sessions were done on it."""
        c = self._conn
        used = c.execute(
            "SELECT case_id, case_hash, key_profile, count(*) FROM sessions "
            "WHERE case_id IS NOT NULL AND status = ? GROUP BY 1, 2, 3",
            (AFGEROND,),
        ).fetchall()
        notes: dict[str, str] = {}
        comparable: set[str] = set()
        changed: dict[str, int] = {}
        other_key: dict[str, int] = {}
        missing: dict[str, int] = {}
        for case_id, case_hash, key_profile, n in used:
            case = self._cases.get(case_id)
            if case is None:
                missing[case_id] = missing.get(case_id, 0) + n
                continue
            if key_profile is not None and key_profile != case.profile:
                other_key[case_id] = other_key.get(case_id, 0) + n
                continue
            comparable.add(case_id)
            if case_hash != case.content_hash:
                changed[case_id] = changed.get(case_id, 0) + n
        for case_id, n in missing.items():
            notes[case_id] = (
                f"casus {case_id}: niet gevonden in de casusmappen; de {n} afgeronde sessie(s) "
                "tellen mee voor het profiel, maar niet per vraag (geef de map met --cases)"
            )
        for case_id, n in other_key.items():
            notes[case_id] = (
                f"casus {case_id}: de sleutel is veranderd sinds {n} afgeronde sessie(s) (ander "
                "sleutelprofiel); die sessies tellen mee voor het profiel, maar niet per vraag"
            )
        for case_id, n in changed.items():
            notes.setdefault(
                case_id,
                f"casus {case_id}: het casusbestand is gewijzigd sinds {n} afgeronde sessie(s); "
                "die zijn per vraag vergeleken met de huidige sleutel (het sleutelprofiel is "
                "gelijk gebleven)",
            )
        self._comparable = comparable
        c.execute("DROP TABLE IF EXISTS temp.rv_key")
        c.execute(
            "CREATE TEMP TABLE rv_key (case_id TEXT, question TEXT, pos INTEGER, option INTEGER,"
            " mask INTEGER, nitems INTEGER, PRIMARY KEY (case_id, question))"
        )
        rows = []
        for case_id in comparable:
            case = self._cases[case_id]
            for qid, answer in case.data.key.items():
                mask = nitems = 0
                if qid == self._checklist_id and answer.answer == self._checklist_option:
                    mask = self._mask(answer.items)
                    nitems = len(answer.items)
                rows.append((case_id, qid, self._pos[qid], answer.answer, mask, nitems))
        c.executemany("INSERT INTO rv_key VALUES (?, ?, ?, ?, ?, ?)", rows)
        c.commit()
        return notes

    def _mask(self, items: Iterable[str]) -> int:
        return sum(1 << self._items.index(i) for i in set(items) if i in self._items)

    # -- nurses and cases ------------------------------------------------------------------

    def nurses(self) -> list[Nurse]:
        """Every nurse in the log, by display name."""
        return sorted(self._nurses.values(), key=lambda n: (n.display.casefold(), n.key))

    def nurse_keys(self, name: str) -> list[int]:
        """The nurses a ``--nurse`` value means: the one whose display name it is, else every
        nurse with that pseudonym on any laptop (case-insensitive). Empty when nobody matches."""
        wanted = name.strip().casefold()
        exact = [n.key for n in self._nurses.values() if n.display.casefold() == wanted]
        if exact:
            return exact
        return sorted(
            {who for pseudonym, who in self._identity_names if pseudonym.casefold() == wanted}
        )

    def case_ids(self) -> list[str]:
        """The case ids that occur in the log, sorted."""
        with self._reading():
            rows = self._conn.execute(
                "SELECT DISTINCT case_id FROM sessions WHERE case_id IS NOT NULL"
            ).fetchall()
        return sorted(r[0] for r in rows)

    def case(self, case_id: str) -> Case | None:
        """The case from the library (None when the library lacks it)."""
        return self._cases.get(case_id)

    def notes(self, case_ids: Iterable[str] | None = None) -> list[str]:
        """Dutch notes on cases missing from the library or changed (of ``case_ids`` only)."""
        wanted = None if case_ids is None else set(case_ids)
        return [
            note
            for cid, note in sorted(self._case_notes.items())
            if wanted is None or cid in wanted
        ]

    # -- the filter as SQL -------------------------------------------------------------------

    def _where(self, flt: ReviewFilter) -> tuple[list[str], list[Any]]:
        """SQL conditions on ``sessions s JOIN rv_who w`` for the filter (not ``attempts``)."""
        where: list[str] = []
        params: list[Any] = []
        if flt.nurse is not None:
            keys = self.nurse_keys(flt.nurse)
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

    def _join_who(self) -> str:
        return f"JOIN rv_who w ON w.nurse = s.nurse AND w.inst = {self._inst}"

    # -- the sessions table ------------------------------------------------------------------

    def sessions_page(
        self,
        flt: ReviewFilter | None = None,
        *,
        sort: str = "date",
        descending: bool = True,
        offset: int = 0,
        limit: int = 50,
        counted_only: bool = False,
    ) -> SessionPage:
        """One page of the sessions table: every session matching the filter (all statuses
        and attempts; with ``counted_only`` only those the analyses count), sorted by ``sort``
        (a key of :data:`SORT_COLUMNS`), and the total number matching."""
        flt = flt or ReviewFilter()
        if sort not in SORT_COLUMNS:
            raise FilterError(f"onbekende kolom {sort!r}; kies uit {', '.join(SORT_COLUMNS)}")
        offset, limit = max(0, int(offset)), max(0, int(limit))
        with self._reading():
            joins, clause, params = self.selection_sql(flt, counted_only=counted_only)
            base = f"FROM sessions s {joins}{clause}"
            if clause:
                total = self._conn.execute(f"SELECT count(*) {base}", params).fetchone()[0]
            else:
                total = self._conn.execute("SELECT count(*) FROM sessions").fetchone()[0]
            order = "DESC" if descending else "ASC"
            rows = self._conn.execute(
                "SELECT s.uuid, s.started_at, w.display, w.laptop, s.mode, s.case_id, s.status, "
                "s.profile, s.key_profile, s.match, s.finished_at "
                f"{base} ORDER BY {SORT_COLUMNS[sort]} {order}, s.id {order} LIMIT ? OFFSET ?",
                [*params, limit, offset],
            ).fetchall()
        return SessionPage([session_row(r) for r in rows], total, offset, limit)

    def selection_sql(
        self, flt: ReviewFilter, *, counted_only: bool = False
    ) -> tuple[str, str, list[Any]]:
        """The sessions :meth:`sessions_page` lists for ``flt``, as SQL for every reader of the
        same selection (the export too): the joins after ``FROM sessions s`` (giving
        ``w.display`` and ``w.laptop``), the `` WHERE ...`` clause (or "") and its parameters.
        Run it on ``self.log``'s connection (the joins use its TEMP tables)."""
        where, params = self._where(flt)
        with self._reading():
            if counted_only:
                self._ensure_first()
                where.append(
                    f"s.status = '{AFGEROND}' AND s.mode IN ('oefenen', 'toets') "
                    "AND s.case_id IS NOT NULL AND s.key_profile IS NOT NULL"
                )
                if flt.attempts == "first":
                    where.append("s.id IN (SELECT id FROM rv_first)")
        clause = (" WHERE " + " AND ".join(where)) if where else ""
        return self._join_who(), clause, params

    # -- one session against the key -------------------------------------------------------

    def session_detail(self, session_id: str) -> SessionDetail:
        """Her answers against the key with the toelichtingen (KeyError for an unknown UUID)."""
        with self._reading():
            row = self._conn.execute(
                "SELECT s.id, s.uuid, w.display, w.laptop, s.mode, s.case_id, s.case_hash, "
                "s.started_at, s.finished_at, s.status, s.profile, s.key_profile, s.match "
                f"FROM sessions s {self._join_who()} WHERE s.uuid = ?",
                (session_id,),
            ).fetchone()
            if row is None:
                raise KeyError(session_id)
            answers = self._conn.execute(
                "SELECT question, option, items, seconds, changes FROM answers WHERE session = ?",
                (row[0],),
            ).fetchall()
        case_id = row[5]
        case = self._cases.get(case_id) if case_id else None
        return build_detail(row[1:], answers, self.scorer, case)

    # -- the counted sessions -----------------------------------------------------------------

    def _ensure_first(self) -> None:
        """TEMP table ``rv_first``: each nurse's first finished keyed attempt at each case,
        over the whole log (a later period shows only attempts that were her first)."""
        if self._first_ready:
            return
        c = self._conn
        who = {(n, i): w for n, i, w in c.execute("SELECT nurse, inst, who FROM rv_who")}
        best: dict[tuple[int, str], tuple[str, int]] = {}
        # per (nurse, laptop, case) the first attempt, along the index sessions_person (m005);
        # identities a trainer merged into one person are then merged here
        rows = c.execute(
            "SELECT s.nurse, coalesce(s.installation, ''), s.case_id, min(s.started_at), s.id "
            "FROM sessions s WHERE s.status = ? AND s.key_profile IS NOT NULL "
            "AND s.case_id IS NOT NULL AND s.mode IN ('oefenen', 'toets') "
            "GROUP BY s.nurse, s.installation, s.case_id",
            (AFGEROND,),
        )
        for nurse, inst, case_id, started, sid in rows:
            key = (who[(nurse, inst)], case_id)
            mine = (started, sid)
            cur = best.get(key)
            if cur is None or mine < cur:
                best[key] = mine
        c.execute("DROP TABLE IF EXISTS temp.rv_first")
        c.execute("CREATE TEMP TABLE rv_first (id INTEGER PRIMARY KEY)")
        c.executemany("INSERT INTO rv_first VALUES (?)", sorted((v[1],) for v in best.values()))
        c.commit()
        self._first_ready = True

    def _ensure_counted(self, flt: ReviewFilter) -> None:
        """TEMP table ``rv_counted``: the sessions the analyses count under ``flt``, with the
        position of the routing answer that ended her questionnaire (``stop``)."""
        if self._counted_for == flt:
            return
        if flt.attempts == "first":
            self._ensure_first()
        where, params = self._where(flt)
        where += [
            "s.status = ?",
            "s.mode IN ('oefenen', 'toets')",
            "s.case_id IS NOT NULL",
            "s.key_profile IS NOT NULL",
        ]
        params.append(AFGEROND)
        first = "JOIN rv_first f ON f.id = s.id " if flt.attempts == "first" else ""
        c = self._conn
        c.execute("DROP TABLE IF EXISTS temp.rv_counted")
        c.execute(
            "CREATE TEMP TABLE rv_counted (id INTEGER PRIMARY KEY, who INTEGER, case_id TEXT, "
            "started_at TEXT, match INTEGER, profile TEXT, key_profile TEXT, stop INTEGER)"
        )
        c.execute(
            "INSERT INTO rv_counted SELECT s.id, w.who, s.case_id, s.started_at, s.match, "
            "s.profile, s.key_profile, coalesce((SELECT min(r.pos) FROM rv_fire r JOIN answers a"
            " ON a.session = s.id AND a.question = r.question AND a.option = r.option), "
            f"{_NO_STOP}) FROM sessions s {first}{self._join_who()} WHERE " + " AND ".join(where),
            params,
        )
        c.commit()
        self._counted_for = flt
        counted = c.execute("SELECT count(*) FROM rv_counted").fetchone()[0]
        everything = c.execute("SELECT count(*) FROM sessions").fetchone()[0]
        # Few counted sessions (the default, first attempts): look their answers up by session
        # (primary key) instead of letting SQLite scan every answer in the log.
        self._seek = counted * self.seek_ratio < everything

    def _item_sql(self) -> tuple[str, str]:
        """SQL for her checklist items as a bit mask and as a count (0 where they don't count)."""
        if not self._items:
            return "0", "0"
        padded = "(',' || coalesce(a.items, '') || ',')"
        mask = " + ".join(
            f"(instr({padded}, ',{item},') > 0) * {1 << i}" for i, item in enumerate(self._items)
        )
        count = (
            "(CASE WHEN coalesce(a.items, '') = '' THEN 0 ELSE "
            f"length(a.items) - length(replace(a.items, '{ITEM_SEP}', '')) + 1 END)"
        )
        gate = f"a.question = '{self._checklist_id}' AND a.option = {self._checklist_option}"
        return (
            f"(CASE WHEN {gate} THEN {mask} ELSE 0 END)",
            f"(CASE WHEN {gate} THEN {count} ELSE 0 END)",
        )

    # -- for the analyses (dkdl.review_analysis) --------------------------------------------

    def analysis(self, flt: ReviewFilter | None = None) -> Analysis:
        """The analyses over the filter. Parts are computed when first asked for."""
        return Analysis(self, flt or ReviewFilter())

    @property
    def checklist(self) -> tuple[str | None, int | None]:
        """The checklist question's id and the option with which its items count."""
        return self._checklist_id, self._checklist_option

    def nurse(self, key: int) -> Nurse:
        return self._nurses[key]

    def counted_rows(self, flt: ReviewFilter, sql: str) -> list[tuple]:
        """Run ``sql`` over TEMP ``rv_counted c``: the sessions the analyses count."""
        with self._reading():
            self._ensure_counted(flt)
            return self._conn.execute(sql).fetchall()

    def answer_rows(self, flt: ReviewFilter, columns: Sequence[str]) -> list[tuple]:
        """Counts of the counted answers per distinct ``columns``: rows ``(*values, count)``.

        ``columns`` are SQL over ``rv_counted c``, ``answers a`` and the key ``rv_key k``;
        ``{correct}`` (her answer is the key's, 0/1), ``{mask}`` and ``{nitems}`` (her
        checklist items where they count) are filled in. Only answers to questions that both
        her answers and the key reach. With few counted sessions (the first-attempt default)
        their answers are looked up by session and counted here (no sort); otherwise SQLite
        groups them."""
        with self._reading():
            self._ensure_counted(flt)
            mask, nitems = self._item_sql()
            correct = f"(a.option = k.option AND {mask} = k.mask AND {nitems} = k.nitems)"
            select = ", ".join(
                c.replace("{correct}", correct).replace("{mask}", mask).replace("{nitems}", nitems)
                for c in columns
            )
            source = (
                f" FROM rv_counted c {'CROSS JOIN' if self._seek else 'JOIN'} answers a "
                "ON a.session = c.id "
                "JOIN rv_key k ON k.case_id = c.case_id AND k.question = a.question "
                "WHERE k.pos <= c.stop"
            )
            if self._seek:
                counts = Counter(self._conn.execute(f"SELECT {select}{source}"))
                return [(*key, n) for key, n in counts.items()]
            group = ", ".join(str(i) for i in range(1, len(columns) + 1))
            sql = f"SELECT {select}, count(*){source} GROUP BY {group}"
            return self._conn.execute(sql).fetchall()
