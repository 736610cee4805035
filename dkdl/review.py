"""Trainer review: the sessions of a log, one session against the key, and the analyses.

A :class:`Review` opens a log read-only (through :func:`dkdl.store.open_log`, so a file that is
not a dkdl log is refused with a Dutch :class:`dkdl.store.StoreError`) together with the case
library that holds the key answers and toelichtingen (the log stores only case id, case hash and
key profile). The sessions table is paged by SQLite (:mod:`dkdl.review_table`, its SQL in
:mod:`dkdl.review_sql`); for the analyses each finished keyed session is read once, its answers
compared with the key, into an index in memory (:mod:`dkdl.review_index`): each nurse's first
attempts when first needed, every attempt when a filter asks for them. A few small TEMP tables
(nurse identities, first attempts) live on the read-only connection only, never in the file.
Each TEMP write is committed at once, so the connection never holds a read transaction open: it
sees what the app or an alias change writes later, and never keeps the WAL from folding in.

What counts (``docs/report.md``): finished (``afgerond``) sessions with a key (modes ``oefenen``
and ``toets``); by default each nurse's first finished attempt at each case; a question counts
for a session when both her answers and the key reach it; for the checklist question (Q12) the
same answer is the same option and, when the checklist counts, the same items.

Plain Python, no UI imports: the TUI trainer mode and ``dkdl report`` both build on this.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dkdl.review_analysis import Analysis
from dkdl.review_detail import build_detail
from dkdl.review_index import (
    Answer,
    Key,
    Row,
    SessionIndex,
    Shape,
)
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
    case_versions,
    parse_date,
    with_attempts,
)
from dkdl.review_sql import (
    JOIN_WHO,
    SORT_COLUMNS,
    answers_sql,
    filter_sql,
    item_sql,
    quote,
    sessions_sql,
)
from dkdl.review_stats import Thresholds
from dkdl.review_table import SessionsTable
from dkdl.sessionlog import AFGEROND
from dkdl.store import NurseKey, SqliteLog, nurse_identities, open_log, translate, verify_structure

if TYPE_CHECKING:  # the sessions table needs neither the cases nor pydantic (trainer start-up)
    from dkdl.cases import Case, CaseLibrary
    from dkdl.questionnaire import Questionnaire
    from dkdl.scoring import Scorer

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


# -- the review --------------------------------------------------------------------------------


class Review(SessionsTable):
    """Read-only trainer view of one log with the case library. Thread-safe (one lock)."""

    def __init__(
        self,
        log: SqliteLog,
        library: CaseLibrary | None = None,
        questionnaire: Questionnaire | None = None,
        *,
        thresholds: Thresholds | None = None,
        own_log: bool = False,
    ):
        """A review of ``log``. Without ``questionnaire`` only the sessions table, the nurses
        and the case ids can be read (trainer mode shows its first page so, while the
        questionnaire and the case files load); :meth:`use_library` hands them over later."""
        self.log = log
        self.path = log.path
        self.library: CaseLibrary | None = None
        self.questionnaire: Questionnaire | None = None
        self._scorer: Scorer | None = None
        self.thresholds = thresholds or Thresholds()
        self._own_log = own_log
        self._conn = log.db.conn
        self._lock = threading.RLock()
        self._first_ready = False
        self._first_ids: list[int] = []
        self._first_indexed = False
        self._keys_ready = False
        self._case_notes: dict[str, str] = {}
        self._index: SessionIndex | None = None
        self._people_indexed: set[int] = set()
        self._orders: OrderedDict[tuple[Any, ...], list[int]] = OrderedDict()
        self._orders_version: int | None = None
        self._cases: dict[str, Case] = {}
        with self._reading():
            self._conn.execute("PRAGMA temp_store = MEMORY")
            self._inst = "coalesce(s.installation, '')"
            # what the first page needs (names); the key answers wait for the analyses
            self._nurses = self._setup_identity()
        if library is not None or questionnaire is not None:  # a library alone is kept too
            self.use_library(library, questionnaire)

    @property
    def scorer(self) -> Scorer:
        """The questionnaire's scorer (ValueError before :meth:`use_library` gave one)."""
        return self._with_questions()[1]

    def _with_questions(self) -> tuple[Questionnaire, Scorer]:
        if self.questionnaire is None or self._scorer is None:
            raise ValueError("review has no questionnaire yet (Review.use_library)")
        return self.questionnaire, self._scorer

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
        ``quick_check=False`` leaves SQLite's structure check of the file and the check of its
        session rows to the caller (:func:`dkdl.store.verify_structure`), as trainer mode does
        after the first page."""
        from dkdl.cases import case_dirs, load_library
        from dkdl.questionnaire import load_questionnaire

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
            if quick_check:  # the rows every view relies on (trainer mode: after the first page)
                verify_structure(Path(path), quick_check=False)
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
        q, _ = self._with_questions()
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
        self._shape = Shape(
            tuple(x.id for x in q.questions),
            tuple(sorted((self._pos[r.question], r.option) for r in q.routing)),
            self._pos[self._checklist_id] if self._checklist_id else None,
            self._checklist_option,
            len(self._items),
            max(o.code for x in q.questions for o in x.options),
        )
        if self._shape.slot * len(q.questions) > 62:  # SQLite's integers have 64 bits
            raise ValueError("questionnaire too large for the review's packed answers")
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
        by_key = {i.key: i for i in identities}
        table = []
        for ident in identities:
            person = people.get(ident.person)
            if person is None:
                head = by_key[ident.person]
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
        self._who = {(row[0], row[1]): row[2] for row in table}
        self._first_ready = False
        self._first_indexed = False  # merged identities have other first attempts
        self._people_indexed = set()
        self._orders.clear()
        return {n.key: n for n in people.values()}

    def use_library(
        self, library: CaseLibrary | None, questionnaire: Questionnaire | None = None
    ) -> None:
        """Compare with ``library`` from now on (``None``: no cases), and read the questions
        of ``questionnaire`` if given (trainer mode opens the log first and hands both over
        once the files are read). The analyses and session details need a questionnaire."""
        from dkdl.scoring import Scorer

        with self._reading():
            if questionnaire is not None:
                self.questionnaire = questionnaire
                self._scorer = Scorer(questionnaire)
                self._setup_questions()
            self.library = library
            self._cases = {c.id: c for c in library.cases} if library is not None else {}
            self._keys_ready = False
            self._index = None

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
            self._keys_ready = False
            self._index = None  # sessions finished since, and the keys, are read again

    def _ensure_keys(self) -> None:
        self._with_questions()  # the key answers are kept by question position
        if not self._keys_ready:
            self._case_notes = self._setup_keys()
            self._keys_ready = True

    def _setup_keys(self) -> dict[str, str]:
        """Key answers of the cases the log mentions (by question position), for the index; a
        Dutch note per case that is missing from the library or changed since."""
        c = self._conn
        used = c.execute(
            "SELECT case_id, case_hash, key_profile, count(*) FROM sessions "
            "WHERE case_id IS NOT NULL AND status = ? GROUP BY 1, 2, 3",
            (AFGEROND,),
        ).fetchall()
        comparable, notes = case_versions(used, self._cases)
        self._comparable = comparable
        keys: dict[str, Key] = {}
        for case_id in comparable:
            key = keys[case_id] = {}
            for qid, answer in self._cases[case_id].data.key.items():
                mask = nitems = 0
                if qid == self._checklist_id and answer.answer == self._checklist_option:
                    mask = self._mask(answer.items)
                    nitems = len(answer.items)
                key[self._pos[qid]] = (answer.answer, mask, nitems)
        self._keys = keys
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

    def cases(self) -> list[Case]:
        """The cases of the library the review compares with (in library order)."""
        return list(self._cases.values())

    def case(self, case_id: str) -> Case | None:
        """The case from the library (None when the library lacks it)."""
        return self._cases.get(case_id)

    def notes(self, case_ids: Iterable[str] | None = None) -> list[str]:
        """Dutch notes on cases missing from the library or changed (of ``case_ids`` only)."""
        wanted = None if case_ids is None else set(case_ids)
        with self._reading():
            self._ensure_keys()
        return [
            note
            for cid, note in sorted(self._case_notes.items())
            if wanted is None or cid in wanted
        ]

    def _where(self, flt: ReviewFilter) -> tuple[list[str], list[Any]]:
        keys = self.nurse_keys(flt.nurse) if flt.nurse is not None else None
        return filter_sql(flt, keys)

    # -- one session against the key -------------------------------------------------------

    def session_detail(self, session_id: str) -> SessionDetail:
        """Her answers against the key with the toelichtingen (KeyError for an unknown UUID)."""
        with self._reading():
            row = self._conn.execute(
                "SELECT s.id, s.uuid, w.display, w.laptop, s.mode, s.case_id, s.case_hash, "
                "s.started_at, s.finished_at, s.status, s.profile, s.key_profile, s.match "
                f"FROM sessions s {JOIN_WHO} WHERE s.uuid = ?",
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
        self._first_ids = sorted(v[1] for v in best.values())
        c.executemany("INSERT INTO rv_first VALUES (?)", [(i,) for i in self._first_ids])
        c.commit()
        self._first_ready = True

    # -- the counted sessions: an index in memory (dkdl.review_index) --------------------------

    def _answers_of(self, session: int) -> list[Answer]:
        """One session's answers read one by one (option codes the packing cannot hold)."""
        mask, nitems = self._item_sql()
        rows = self._conn.execute(
            f"SELECT a.question, a.option, {mask}, {nitems} FROM answers a WHERE a.session = ?",
            (session,),
        )
        return [(self._pos[q], o, m, n) for q, o, m, n in rows if q in self._pos]

    def _add(self, index: SessionIndex, where: str | None) -> None:
        sessions = self._conn.execute(sessions_sql(where or "1"))
        packed = answers_sql(self._shape, self._checklist_id, self._item_sql(), where)
        answers = self._conn.cursor().execute(packed)
        index.add(sessions, answers, self._answers_of)

    def _ensure_index(self, flt: ReviewFilter) -> SessionIndex:
        """The index holds every session ``flt`` can count: each nurse's first attempts
        (looked up by id: few), every attempt of the nurses a filter names, or (once asked
        for) every finished keyed session, in one pass over the answers."""
        self._ensure_keys()
        if self._index is None:
            self._index = SessionIndex(self._shape, self._keys)
            self._first_indexed = False
            self._people_indexed = set()
        index = self._index
        if index.everything:
            return index
        if flt.attempts == "first":
            if not self._first_indexed:
                self._ensure_first()
                self._add(index, "s.id IN (SELECT id FROM rv_first)")
                self._first_indexed = True
            return index
        people = set(self.nurse_keys(flt.nurse)) if flt.nurse is not None else None
        if people is not None and len(people) <= 3:
            missing = sorted(people - self._people_indexed)
            if missing:
                pairs = [pair for pair, who in self._who.items() if who in missing]
                wanted = " OR ".join(
                    f"(s.nurse = {int(n)} AND coalesce(s.installation, '') = {quote(i)})"
                    for n, i in pairs
                )
                self._add(index, f"({wanted or '0'})")
                self._people_indexed |= set(missing)
            return index
        self._add(index, None)
        index.everything = True
        return index

    def counted(self, flt: ReviewFilter) -> tuple[list[Row], SessionIndex]:
        """The index rows of the sessions the analyses count under ``flt`` (and the index)."""
        with self._reading():
            index = self._ensure_index(flt)
            first = None
            if flt.attempts == "first":
                self._ensure_first()
                first = self._first_ids
            people = set(self.nurse_keys(flt.nurse)) if flt.nurse is not None else None
            rows = index.select(flt, self._who, people, first)
        return rows, index

    def prepare(self) -> None:
        """Read what the default analyses need (key answers, first attempts, their answers),
        so that the first view is quick; trainer mode calls it after the first page."""
        self.counted(ReviewFilter())

    def who_of(self) -> dict[tuple[int, str], int]:
        """(nurses row, installation) -> the person's :attr:`Nurse.key`."""
        return self._who

    def _item_sql(self) -> tuple[str, str]:
        return item_sql(self._checklist_id, self._checklist_option, self._items)

    # -- for the analyses (dkdl.review_analysis) --------------------------------------------

    def analysis(self, flt: ReviewFilter | None = None) -> Analysis:
        """The analyses over the filter. Parts are computed when first asked for."""
        return Analysis(self, flt or ReviewFilter())

    def nurse(self, key: int) -> Nurse:
        return self._nurses[key]
