"""What the trainer review shows: the filter and the plain data the views get.

Filled by :class:`dkdl.review.Review` and :mod:`dkdl.review_analysis`; plain dataclasses, no
SQL, no UI. Shares are ``None`` where there is nothing to divide.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time
from typing import Any

from dkdl.errors import UserError
from dkdl.review_stats import Flag, share
from dkdl.sessionlog import MODES

KEYED_MODES = ("oefenen", "toets")
ATTEMPTS = ("first", "all")


class FilterError(UserError):
    """A filter value that cannot be used (a date that is not a date, an unknown mode, ...):
    a Dutch message naming it; the CLI exits with status 2."""

    code = 2


# -- the filter --------------------------------------------------------------------------------


def parse_date(text: str, what: str = "datum") -> date:
    """``YYYY-MM-DD`` as a date, or :class:`FilterError` in Dutch."""
    try:
        return date.fromisoformat(text.strip())
    except (ValueError, AttributeError):
        raise FilterError(
            f"{what} {text!r} is geen datum; schrijf jaar-maand-dag, bijvoorbeeld 2026-03-01"
        ) from None


@dataclass(frozen=True)
class ReviewFilter:
    """Which sessions a view shows. Every field is optional; ``None`` means no restriction.

    ``nurse``: a nurse's display name (``Anna (laptop 2)``) or pseudonym (all nurses of that
    name); ``case``: a case id; ``since``/``until``: dates, inclusive, in local time;
    ``mode``: ``oefenen``, ``toets`` or ``vrij``; ``attempts``: ``first`` (each nurse's first
    finished attempt at each case, the default) or ``all`` (for the analyses; the sessions
    table shows every attempt unless asked for counted sessions only).
    """

    nurse: str | None = None
    case: str | None = None
    since: date | None = None
    until: date | None = None
    mode: str | None = None
    attempts: str = "first"

    def __post_init__(self) -> None:
        if self.mode is not None and self.mode not in MODES:
            raise FilterError(f"onbekende modus {self.mode!r}; kies uit {', '.join(MODES)}")
        if self.attempts not in ATTEMPTS:
            raise FilterError(f"onbekende keuze voor pogingen {self.attempts!r}; kies first of all")
        if self.since and self.until and self.since > self.until:
            raise FilterError(
                f"de begindatum {self.since.isoformat()} ligt na de einddatum "
                f"{self.until.isoformat()}"
            )

    @classmethod
    def parse(
        cls,
        *,
        nurse: str | None = None,
        case: str | None = None,
        since: str | None = None,
        until: str | None = None,
        mode: str | None = None,
        attempts: str | None = None,
    ) -> ReviewFilter:
        """A filter from command-line text; :class:`FilterError` (Dutch) for bad values."""
        return cls(
            nurse=(nurse.strip() or None) if nurse else None,
            case=(case.strip() or None) if case else None,
            since=parse_date(since, "--since") if since else None,
            until=parse_date(until, "--until") if until else None,
            mode=mode,
            attempts=attempts or "first",
        )

    def as_dict(self) -> dict[str, str | None]:
        """The filter as JSON-ready values (dates as ``YYYY-MM-DD``)."""
        return {
            "nurse": self.nurse,
            "case": self.case,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "mode": self.mode,
            "attempts": self.attempts,
        }


def utc_bound(day: date) -> str:
    """Local midnight at the start of ``day`` as the log's UTC ISO text."""
    local = datetime.combine(day, time.min).astimezone()
    return local.astimezone(UTC).isoformat(timespec="seconds")


# -- what the views get ------------------------------------------------------------------------


@dataclass(frozen=True)
class Nurse:
    """A nurse as the review tells nurses apart: a pseudonym on one laptop (installation),
    with aliases merged. ``key`` is stable within one :class:`Review`."""

    key: int
    pseudonym: str
    laptop: int | None  # laptop number in this log (1, 2, ...); None when the log has none
    display: str  # the pseudonym, with "(laptop N)" where the name alone is ambiguous


@dataclass(frozen=True)
class SessionRow:
    """One line of the sessions table."""

    session_id: str  # the session's UUID
    started_at: datetime  # local time
    nurse: str  # display name
    laptop: int | None
    mode: str
    case_id: str | None
    status: str
    profile: str | None
    key_profile: str | None
    match: bool | None
    duration: float | None  # seconds from start to finish; None while bezig


@dataclass(frozen=True)
class SessionPage:
    rows: list[SessionRow]
    total: int  # sessions matching the filter (all pages)
    offset: int
    limit: int


@dataclass(frozen=True)
class DetailRow:
    """One question of a session against the key, as the nurse saw it in her feedback."""

    question_id: str
    title: str
    mine: int | None  # her option; None when her answers did not reach the question
    mine_text: str | None
    mine_items: tuple[str, ...]  # checklist items she ticked (only where they count)
    key: int | None  # the key's option; None when the key does not reach it or is unknown
    key_text: str | None
    key_items: tuple[str, ...]
    same: bool | None  # None when there is no key to compare with
    toelichting: str | None
    seconds: float | None
    changes: int | None


@dataclass(frozen=True)
class SessionDetail:
    session_id: str
    nurse: str
    laptop: int | None
    mode: str
    case_id: str | None
    case_title: str | None
    started_at: datetime
    finished_at: datetime | None
    status: str
    profile: str | None
    profile_label: str | None
    key_profile: str | None
    key_label: str | None
    match: bool | None
    rows: list[DetailRow]
    skipped: list[tuple[str, int]]  # answers stored for questions her routing skipped
    notes: list[str]  # Dutch: the case is missing, or changed since the session


@dataclass
class QuestionStats:
    question_id: str
    title: str
    answered: int = 0
    correct: int = 0
    options: dict[str, int] = field(default_factory=dict)
    wrong_options: dict[str, int] = field(default_factory=dict)  # chosen against the key
    agreement: float | None = None
    agreement_cases: int = 0  # cases with two or more ratings
    agreement_pairs: int = 0
    agreement_key_answers: int = 0  # different key answers among the agreement_cases
    kappa: float | None = None
    kappa_note: str | None = None  # Dutch: why a low kappa says little here (not flagged)
    discrimination: float | None = None
    flags: list[Flag] = field(default_factory=list)

    @property
    def facility(self) -> float | None:
        return share(self.correct, self.answered)

    def as_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "answered": self.answered,
            "correct": self.correct,
            "facility": self.facility,
            "options": dict(self.options),
            "wrong_options": dict(self.wrong_options),
            "agreement": self.agreement,
            "agreement_cases": self.agreement_cases,
            "agreement_pairs": self.agreement_pairs,
            "agreement_key_answers": self.agreement_key_answers,
            "kappa": self.kappa,
            "kappa_note": self.kappa_note,
            "discrimination": self.discrimination,
            "flags": [f.as_dict() for f in self.flags],
        }


@dataclass
class CaseStats:
    case_id: str
    title: str | None  # None when the case is not in the library
    key_profile: str | None
    sessions: int = 0
    matched: int = 0
    profiles: dict[str, int] = field(default_factory=dict)

    @property
    def profile_accuracy(self) -> float | None:
        return share(self.matched, self.sessions)

    def as_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "key_profile": self.key_profile,
            "sessions": self.sessions,
            "profile_accuracy": self.profile_accuracy,
            "profiles": dict(self.profiles),
        }


@dataclass(frozen=True)
class ProgressPoint:
    period: str  # "2026-03" (month) or "2026-03-02" (the Monday of a week)
    sessions: int
    matched: int
    answered: int
    correct: int

    @property
    def profile_accuracy(self) -> float | None:
        return share(self.matched, self.sessions)

    @property
    def facility(self) -> float | None:
        return share(self.correct, self.answered)

    def as_dict(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "sessions": self.sessions,
            "profile_accuracy": self.profile_accuracy,
            "facility": self.facility,
        }


@dataclass(frozen=True)
class QuestionScore:
    question_id: str
    answered: int
    correct: int

    @property
    def facility(self) -> float | None:
        return share(self.correct, self.answered)


@dataclass
class NurseStats:
    nurse: Nurse
    sessions: int = 0
    matched: int = 0
    answered: int = 0
    correct: int = 0
    progress: list[ProgressPoint] = field(default_factory=list)
    questions: list[QuestionScore] = field(default_factory=list)

    @property
    def profile_accuracy(self) -> float | None:
        return share(self.matched, self.sessions)

    @property
    def facility(self) -> float | None:
        return share(self.correct, self.answered)

    def weakest(self, n: int = 3) -> list[QuestionScore]:
        """Her questions with the lowest facility (ties: more answers first), at most ``n``,
        only those she answered against the key at least once."""
        scored = [q for q in self.questions if q.answered and q.correct < q.answered]
        scored.sort(key=lambda q: (q.correct / q.answered, -q.answered, _qnum(q.question_id)))
        return scored[:n]

    def as_dict(self) -> dict[str, Any]:
        return {
            "pseudonym": self.nurse.pseudonym,
            "laptop": self.nurse.laptop,
            "sessions": self.sessions,
            "profile_accuracy": self.profile_accuracy,
            "facility": self.facility,
            "progress": [p.as_dict() for p in self.progress],
            "weakest": [
                {"question": q.question_id, "answered": q.answered, "facility": q.facility}
                for q in self.weakest()
            ],
        }


def _qnum(question_id: str) -> int:
    digits = "".join(ch for ch in question_id if ch.isdigit())
    return int(digits) if digits else 0


def local_time(text: str) -> datetime:
    """The log's UTC ISO text as a local, timezone-aware datetime."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone()


def with_attempts(flt: ReviewFilter, attempts: str) -> ReviewFilter:
    """The same filter counting ``first`` or ``all`` attempts."""
    return replace(flt, attempts=attempts)


def session_row(r: Sequence[Any]) -> SessionRow:
    """A sessions-table row from the SQL of :meth:`dkdl.review.Review.sessions_page`: uuid,
    started, display name, laptop, mode, case, status, profile, key profile, match, finished."""
    uuid, started, display, laptop, mode, case_id, status, profile, key_profile, match, fin = r
    start = local_time(started)
    duration = (local_time(fin) - start).total_seconds() if fin else None
    match_ = None if match is None else bool(match)
    return SessionRow(
        uuid, start, display, laptop, mode, case_id, status, profile, key_profile, match_, duration
    )


def case_versions(
    used: Sequence[tuple[str, str | None, str | None, int]], cases: dict[str, Any]
) -> tuple[set[str], dict[str, str]]:
    """Which cases' answers can be compared with the library's key, and a Dutch note per case
    that is missing from the library or changed since sessions were done on it. ``used``:
    (case id, case hash, key profile, finished sessions) as the log has them."""
    comparable: set[str] = set()
    changed: dict[str, int] = {}
    other_key: dict[str, int] = {}
    missing: dict[str, int] = {}
    for case_id, case_hash, key_profile, n in used:
        case = cases.get(case_id)
        if case is None:
            missing[case_id] = missing.get(case_id, 0) + n
            continue
        if key_profile is not None and key_profile != case.profile:
            other_key[case_id] = other_key.get(case_id, 0) + n
            continue
        comparable.add(case_id)
        if case_hash != case.content_hash:
            changed[case_id] = changed.get(case_id, 0) + n
    notes: dict[str, str] = {}
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
    return comparable, notes
