"""What the practice app needs from a session log, and an in-memory log behind that interface.

The TUI talks only to :class:`PracticeLog`. :class:`MemoryLog` keeps everything in memory (tests,
and a fallback); :class:`dkdl.store.SqliteLog` writes every call through to SQLite at once. Both
pass the same contract tests (``tests/test_sessionlog_contract.py``).

No method takes or returns client-identifying data: a nurse is a pseudonym, a session holds
option codes and checklist item ids only.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # kept light: the start screen imports this module before anything loads
    from dkdl.cases import Case
    from dkdl.questionnaire import Questionnaire
    from dkdl.scoring import Result

MODES = ("oefenen", "vrij", "toets")
MAX_PSEUDONYM = 80


def check_pseudonym(text: str) -> str:
    """The pseudonym trimmed, or ValueError with a Dutch sentence saying what to change.

    Not empty, at most MAX_PSEUDONYM characters, one line, and (the app's own rule) not starting
    with = + - @, which spreadsheets read as a formula when a trainer opens an export.
    """
    name = text.strip()
    if not name:
        raise ValueError("Vul een naam of schuilnaam in.")
    if len(name) > MAX_PSEUDONYM:
        raise ValueError(f"Een naam of schuilnaam heeft hoogstens {MAX_PSEUDONYM} tekens.")
    if not name.isprintable():
        raise ValueError("Een naam of schuilnaam is één regel, zonder speciale tekens.")
    if name[0] in "=+-@":
        raise ValueError("Een naam of schuilnaam begint niet met =, +, - of @.")
    return name


BEZIG, AFGEROND, AFGEBROKEN = "bezig", "afgerond", "afgebroken"


def now() -> str:
    """UTC timestamp, ISO 8601 with seconds: sortable, portable, no time-zone surprises."""
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class SessionInfo:
    id: str
    nurse: str
    mode: str
    case_id: str | None
    case_hash: str | None
    questionnaire_id: str
    questionnaire_version: str
    questionnaire_hash: str
    started_at: str
    finished_at: str | None = None
    status: str = BEZIG
    profile: str | None = None
    key_profile: str | None = None
    match: bool | None = None
    test_id: str | None = None  # groups the sessions of one toets
    installation: str | None = None  # id of the log (laptop) it was started in; None: unknown


@dataclass(frozen=True)
class ToetsInfo:
    """A toets as planned when it started: its cases in order. Its sessions carry its id as
    ``test_id``; status bezig until its last case is finished (afgerond) or she stops."""

    id: str
    nurse: str
    case_ids: tuple[str, ...]
    started_at: str
    finished_at: str | None = None
    status: str = BEZIG


@dataclass(frozen=True)
class AnswerRecord:
    question_id: str
    option: int
    items: tuple[str, ...] = ()
    answered_at: str = ""
    seconds: float = 0.0
    changes: int = 0  # how often another option was chosen after the first choice


# what she chose at one question: the option and the ticked checklist items
Choice = tuple[int, tuple[str, ...]]


def unfinished(log: PracticeLog, nurse: str | None = None) -> list[SessionInfo]:
    """Sessions still ``bezig`` (left with 'later', or the app was killed), oldest first."""
    return [s for s in log.sessions(nurse) if s.status == BEZIG]


class PracticeLog(Protocol):
    """The session log as the practice app sees it. Every write is durable when it returns."""

    @property
    def installation_id(self) -> str:
        """This log's installation id (a UUID made once per log, i.e. per laptop); every session
        started in it records it."""

    def remember_nurse(self, pseudonym: str) -> str:
        """Register (or find) a nurse by pseudonym; returns it trimmed. Remembered as the last.
        ValueError (Dutch) when :func:`check_pseudonym` refuses it."""

    def last_nurse(self) -> str | None:
        """The pseudonym given last on this log, to pre-fill the start screen."""

    def start_session(
        self,
        *,
        nurse: str,
        mode: str,
        questionnaire: Questionnaire,
        case: Case | None = None,
        test_id: str | None = None,
    ) -> str:
        """Open a session (status bezig) and return its UUID. A session on a case records the
        case's key profile from the start (so an abandoned one has it too)."""

    def record_answer(
        self,
        session_id: str,
        question_id: str,
        option: int,
        items: tuple[str, ...] = (),
        seconds: float = 0.0,
    ) -> None:
        """Store an answer now. Choosing another option counts as a change; checklist items are
        stored as they are ticked and do not count as changes. The seconds add up."""

    def finish_session(self, session_id: str, result: Result, key_profile: str | None) -> None:
        """Mark afgerond with the registered profile, the key's and whether they match."""

    def abandon_session(self, session_id: str) -> None:
        """Mark afgebroken; the answers stay."""

    def session(self, session_id: str) -> SessionInfo:
        """One session by id (KeyError if unknown)."""

    def sessions(self, nurse: str | None = None) -> list[SessionInfo]:
        """Sessions, oldest first; of one nurse when given."""

    def answers(self, session_id: str) -> dict[str, AnswerRecord]:
        """The answers of a session, by question id."""

    def choices_of(self, session_ids: Sequence[str]) -> dict[str, dict[str, Choice]]:
        """What she chose in many sessions, in one read (for Mijn voortgang): session id ->
        question id -> (option, checklist items), the values :meth:`answers` holds (a session
        without answers maps to an empty dict); ids the log does not know are left out."""

    def start_toets(self, *, nurse: str, case_ids: Sequence[str]) -> str:
        """Store a toets (status bezig) with its planned cases in order; returns its UUID, the
        ``test_id`` of its sessions."""

    def finish_toets(self, toets_id: str) -> None:
        """Mark a toets afgerond (its last case is done)."""

    def abandon_toets(self, toets_id: str) -> None:
        """Mark a toets afgebroken; its sessions stay as they are."""

    def toets(self, toets_id: str) -> ToetsInfo:
        """One toets by id (KeyError if unknown)."""

    def toetsen(self, nurse: str | None = None) -> list[ToetsInfo]:
        """Toetsen, oldest first; of one nurse when given."""


@dataclass
class MemoryLog:
    """:class:`PracticeLog` in memory: nothing survives the process."""

    _sessions: dict[str, SessionInfo] = field(default_factory=dict)
    _answers: dict[str, dict[str, AnswerRecord]] = field(default_factory=dict)
    _nurses: list[str] = field(default_factory=list)
    _toetsen: dict[str, ToetsInfo] = field(default_factory=dict)
    _installation: str = field(default_factory=lambda: str(uuid.uuid4()))

    @property
    def installation_id(self) -> str:
        return self._installation

    def remember_nurse(self, pseudonym: str) -> str:
        name = check_pseudonym(pseudonym)
        if name in self._nurses:
            self._nurses.remove(name)
        self._nurses.append(name)
        return name

    def last_nurse(self) -> str | None:
        return self._nurses[-1] if self._nurses else None

    def start_session(
        self,
        *,
        nurse: str,
        mode: str,
        questionnaire: Questionnaire,
        case: Case | None = None,
        test_id: str | None = None,
    ) -> str:
        if mode not in MODES:
            raise ValueError(f"onbekende modus {mode!r}")
        session_id = str(uuid.uuid4())
        self._sessions[session_id] = SessionInfo(
            id=session_id,
            nurse=nurse,
            mode=mode,
            case_id=case.id if case else None,
            case_hash=case.content_hash if case else None,
            questionnaire_id=questionnaire.id,
            questionnaire_version=questionnaire.version,
            questionnaire_hash=questionnaire.content_hash,
            started_at=now(),
            key_profile=case.profile if case is not None and mode != "vrij" else None,
            test_id=test_id,
            installation=self._installation,
        )
        self._answers[session_id] = {}
        return session_id

    def record_answer(
        self,
        session_id: str,
        question_id: str,
        option: int,
        items: tuple[str, ...] = (),
        seconds: float = 0.0,
    ) -> None:
        answers = self._answers[session_id]
        old = answers.get(question_id)
        changed = old is not None and old.option != option
        answers[question_id] = AnswerRecord(
            question_id,
            option,
            tuple(items),
            now(),
            (old.seconds if old else 0.0) + seconds,
            (old.changes if old else 0) + (1 if changed else 0),
        )

    def finish_session(self, session_id: str, result: Result, key_profile: str | None) -> None:
        self._sessions[session_id] = replace(
            self._sessions[session_id],
            status=AFGEROND,
            finished_at=now(),
            profile=result.profile,
            key_profile=key_profile,
            match=None if key_profile is None else result.profile == key_profile,
        )

    def abandon_session(self, session_id: str) -> None:
        self._sessions[session_id] = replace(
            self._sessions[session_id], status=AFGEBROKEN, finished_at=now()
        )

    def session(self, session_id: str) -> SessionInfo:
        return self._sessions[session_id]

    def sessions(self, nurse: str | None = None) -> list[SessionInfo]:
        return [s for s in self._sessions.values() if nurse is None or s.nurse == nurse]

    def answers(self, session_id: str) -> dict[str, AnswerRecord]:
        return dict(self._answers[session_id])

    def choices_of(self, session_ids: Sequence[str]) -> dict[str, dict[str, Choice]]:
        return {
            sid: {q: (r.option, r.items) for q, r in self._answers[sid].items()}
            for sid in session_ids
            if sid in self._answers
        }

    def progress_mark(self, nurse: str) -> tuple:
        """What her figures are counted from, in short (see ``SqliteLog.progress_mark``)."""
        return (
            tuple((s.id, s.status) for s in self._sessions.values() if s.nurse == nurse),
            tuple((t.id, t.status) for t in self._toetsen.values() if t.nurse == nurse),
        )

    def start_toets(self, *, nurse: str, case_ids: Sequence[str]) -> str:
        check_pseudonym(nurse)
        if not case_ids:
            raise ValueError("een toets heeft minstens één casus")
        toets_id = str(uuid.uuid4())
        self._toetsen[toets_id] = ToetsInfo(toets_id, nurse, tuple(case_ids), now())
        return toets_id

    def finish_toets(self, toets_id: str) -> None:
        self._end_toets(toets_id, AFGEROND)

    def abandon_toets(self, toets_id: str) -> None:
        self._end_toets(toets_id, AFGEBROKEN)

    def _end_toets(self, toets_id: str, status: str) -> None:
        toets = self._toetsen[toets_id]
        if toets.status == BEZIG:
            self._toetsen[toets_id] = replace(toets, status=status, finished_at=now())

    def toets(self, toets_id: str) -> ToetsInfo:
        return self._toetsen[toets_id]

    def toetsen(self, nurse: str | None = None) -> list[ToetsInfo]:
        return [t for t in self._toetsen.values() if nurse is None or t.nurse == nurse]
