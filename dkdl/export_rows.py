"""The rows of ``dkdl export``: which sessions, read from the log, with the key beside them.

One :class:`SessionFields` per session and one :class:`AnswerFields` per answer: her answer,
the question (axis, title, option text), the case key's option and items and whether her answer
equals the key (``correct``). Rows stream from SQLite one session at a time, so memory stays
flat whatever the size of the log. :mod:`dkdl.export` writes them in a format.
"""

from __future__ import annotations

import functools
import itertools
import operator
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from dkdl.cases import Case
from dkdl.questionnaire import Questionnaire
from dkdl.review import Review
from dkdl.review_model import KEYED_MODES, ReviewFilter
from dkdl.scoring import Answers, Scorer
from dkdl.store import ITEM_SEP, StoreError


class SessionFields(NamedTuple):
    """The session part of an export row, as read from the log."""

    session_id: str
    nurse: str
    laptop: int | None  # laptop 1, 2, ... as the review numbers them; None when unknown
    installation: str | None  # the laptop's installation id; None in logs from before it
    mode: str
    case_id: str | None
    case_hash: str | None
    questionnaire_id: str
    questionnaire_version: str
    questionnaire_hash: str
    started_at: str
    finished_at: str | None
    status: str
    profile: str | None
    key_profile: str | None
    match: int | None
    test_id: str | None


class AnswerFields(NamedTuple):
    """The answer part of an export row: her answer, the question, and the key."""

    question: str
    axis: str | None
    question_title: str | None
    option: int
    option_text: str | None
    items: str | None
    key_option: int | None
    key_items: str | None
    correct: bool | None
    answered_at: str
    seconds: float
    changes: int


SESSION_COLUMNS: tuple[str, ...] = SessionFields._fields
ANSWER_COLUMNS: tuple[str, ...] = AnswerFields._fields
COLUMNS: tuple[str, ...] = SESSION_COLUMNS + ANSWER_COLUMNS
SESSION_SHEET_COLUMNS: tuple[str, ...] = SESSION_COLUMNS + (
    "answers",
    "compared",
    "correct_answers",
)
TIME_COLUMNS = frozenset({"started_at", "finished_at", "answered_at"})
FLAG_COLUMNS = frozenset({"match", "correct"})
LIST_COLUMNS = frozenset({"items", "key_items"})


# -- what to export ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Selection:
    """Which sessions to export: the trainer review's filter (``dkdl report`` takes the same
    options). ``counted=False`` exports every session the filter's nurse, case, period and mode
    select, whatever its status and attempt; ``counted=True`` only those the analyses count
    (finished, with a key; each nurse's first attempt per case when ``attempts="first"``)."""

    filter: ReviewFilter = ReviewFilter()
    counted: bool = False


# -- the key and the questionnaire, looked up per session --------------------------------------


_Texts = tuple[str | None, str | None, str | None]  # axis, question title, option text


class KeyIndex:
    """What the export adds to the log's rows: question texts, and each case's key.

    Built from the questionnaire and the case library; a session of another questionnaire
    version, or of a case that is not in the library, gets empty fields.
    """

    def __init__(self, questionnaire: Questionnaire, cases: Iterable[Case]):
        self.questionnaire = questionnaire
        self.scorer = Scorer(questionnaire)
        axes = {a.id: a.title for a in questionnaire.axes}
        # (question, option) -> (axis, title, option text without Markdown); question -> the
        # same without an option text, for an option the question does not have
        self._texts: dict[tuple[str, int], _Texts] = {
            (q.id, o.code): (axes.get(q.axis or ""), q.title, o.text.replace("**", ""))
            for q in questionnaire.questions
            for o in q.options
        }
        self._titles: dict[str, _Texts] = {
            q.id: (axes.get(q.axis or ""), q.title, None) for q in questionnaire.questions
        }
        self.cases = {
            c.id: c for c in cases if c.data.questionnaire_version == questionnaire.version
        }
        checklist = self.scorer.checklist_id
        # the key's checklist items, in the key file's order, where the key shows the checklist
        self.key_items = {
            case_id: ITEM_SEP.join(case.data.key[checklist].items)
            for case_id, case in self.cases.items()
            if checklist in case.data.key and self.scorer.checklist_counts(case.answers.options)
        }
        self.version = questionnaire.version
        # Registrations repeat (most nurses agree on most cases): remember the comparison of
        # each distinct one, bounded so a huge log cannot grow it without end.
        self._verdicts = functools.lru_cache(maxsize=20_000)(self._compare)

    def key_of(self, session: SessionFields) -> Case | None:
        """The case whose key applies to this session, or None (no key, or unknown here)."""
        if session.case_id is None or session.mode not in KEYED_MODES:
            return None
        if session.questionnaire_version != self.questionnaire.version:
            return None
        case = self.cases.get(session.case_id)
        if case is None or session.key_profile not in (None, case.profile):
            return None  # as the review: a key that changed its profile since is not hers
        return case

    def answer_rows(self, session: SessionFields, answers: Sequence[tuple]) -> list[AnswerFields]:
        """Her answers (``question, option, items, answered_at, seconds, changes`` as stored)
        with the question, the key and ``correct``: a question counts only when both her
        answers and the key reach it; the checklist items count when she chose the option that
        shows the checklist (:meth:`dkdl.scoring.Scorer.compare` decides)."""
        same_version = session.questionnaire_version == self.version
        texts: dict[tuple[str, int], _Texts] = self._texts if same_version else _NOTHING
        titles: dict[str, _Texts] = self._titles if same_version else _NOTHING
        case = self.key_of(session)
        checklist = self.scorer.checklist_id
        verdicts: dict[str, tuple[int | None, bool | None]] = _NOTHING
        key_items = None
        if case is not None:
            ticked = None
            for question, _option, items, _at, _seconds, _changes in answers:
                if question == checklist:
                    ticked = items
            verdicts = self._verdicts(case.id, frozenset(map(_QUESTION_OPTION, answers)), ticked)
            key_items = self.key_items.get(case.id)
        out: list[AnswerFields] = []
        append = out.append
        for question, option, items, answered_at, seconds, changes in answers:
            axis, title, text = texts.get((question, option)) or titles.get(question, _NO_TEXT)
            key_option, correct = verdicts.get(question, _NO_VERDICT)
            append(
                AnswerFields(
                    question,
                    axis,
                    title,
                    option,
                    text,
                    items,
                    key_option,
                    key_items if key_option is not None and question == checklist else None,
                    correct,
                    answered_at,
                    seconds,
                    changes,
                )
            )
        return out

    def _compare(
        self, case_id: str, options: frozenset[tuple[str, int]], ticked: str | None
    ) -> dict[str, tuple[int | None, bool | None]]:
        """Per question: the key's option and ``correct`` (None where not both reach it)."""
        items = frozenset(ticked.split(ITEM_SEP)) if ticked else frozenset()
        verdicts = self.scorer.compare(Answers(dict(options), items), self.cases[case_id].answers)
        return {
            v.question_id: (v.key, v.same if v.mine is not None and v.key is not None else None)
            for v in verdicts
        }


_NOTHING: dict = {}
_NO_TEXT: _Texts = (None, None, None)
_NO_VERDICT = (None, None)
_QUESTION_OPTION = operator.itemgetter(0, 1)  # of an answer as stored: question, option


# -- reading the log ---------------------------------------------------------------------------

_SESSION_SQL = (
    "s.uuid, n.pseudonym, w.laptop, {installation}, "
    "s.mode, s.case_id, s.case_hash, s.questionnaire_id, s.questionnaire_version, "
    "s.questionnaire_hash, s.started_at, s.finished_at, s.status, s.profile, s.key_profile, "
    "s.match, s.test_id"
)
_ANSWER_SQL = "a.question, a.option, a.items, a.answered_at, a.seconds, a.changes"


def _stream(review: Review, sql: str, params: Sequence[Any]) -> Iterator[tuple]:
    """The rows of a read query on the review's connection, fetched in batches (memory stays
    flat); a SQLite failure becomes a Dutch :class:`StoreError` naming the log."""
    log = review.log
    try:
        cursor = log.db.conn.execute(sql, params)
        while batch := cursor.fetchmany(2000):
            yield from batch
    except sqlite3.Error as exc:
        raise StoreError(f"{log.path}: het lezen is niet gelukt ({exc}).", log.path) from None


def count_rows(review: Review, selection: Selection) -> int:
    """How many rows :func:`export_sessions` gives for ``selection`` (a session without answers
    counts as one row)."""
    joins, where, params = review.selection_sql(selection.filter, counted_only=selection.counted)
    sql = (
        "SELECT coalesce(sum(max(1, (SELECT count(*) FROM answers a WHERE a.session = s.id))), 0) "
        f"FROM sessions s {joins}{where}"
    )
    return int(next(_stream(review, sql, params))[0])


def export_sessions(
    review: Review, selection: Selection, keys: KeyIndex
) -> Iterator[tuple[SessionFields, list[AnswerFields]]]:
    """Each selected session (oldest first) with its answers in the order she gave them."""
    joins, where, params = review.selection_sql(selection.filter, counted_only=selection.counted)
    columns = {r[1] for r in review.log.db.conn.execute("PRAGMA table_info(sessions)")}
    installation = "s.installation" if "installation" in columns else "NULL"
    n_session = len(SESSION_COLUMNS)
    sql = (
        f"SELECT s.id, {_SESSION_SQL.format(installation=installation)}, {_ANSWER_SQL} "
        f"FROM sessions s {joins} JOIN nurses n ON n.id = s.nurse "
        f"LEFT JOIN answers a ON a.session = s.id{where} "
        "ORDER BY s.started_at, s.id, a.answered_at, a.question"
    )
    rows = _stream(review, sql, params)
    for _, group in itertools.groupby(rows, key=lambda row: row[0]):
        session_rows = list(group)
        session = SessionFields._make(session_rows[0][1 : 1 + n_session])
        # a session without answers comes as one row whose answer fields are NULL
        answers = [row[1 + n_session :] for row in session_rows if row[1 + n_session] is not None]
        yield session, keys.answer_rows(session, answers)


Records = Iterable[tuple[SessionFields, list[AnswerFields]]]
