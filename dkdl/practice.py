"""Practice sessions and toetsen: the rules a nurse meets, on top of the scorer and the log.

A :class:`Session` is one questionnaire being filled in (a case, a free registration, or one
case of a toets); a :class:`Toets` is a planned row of cases with feedback only at the end.
:class:`Practice` binds them to a log, the questionnaire's scorer and the case library, and is
what the app calls: start, resume, finish, abandon. Every answer is written to the
:class:`~dkdl.sessionlog.PracticeLog` the moment it is given; a toets is written when it starts,
so after a crash it resumes whole.

Plain Python: no Textual here (the TUI shows what these objects hold).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from dkdl.cases import Case, CaseLibrary
from dkdl.scoring import Answers, Result, Scorer
from dkdl.sessionlog import (
    AFGEROND,
    BEZIG,
    PracticeLog,
    SessionInfo,
    ToetsInfo,
)


def clock() -> float:
    """Seconds on a monotonic clock (a function of its own so tests can drive it)."""
    return time.monotonic()


@dataclass(frozen=True)
class Done:
    """A finished session: what the nurse answered and what it gave, with the case as it is now.

    ``case_changed``: the case file changed since the session (its key may differ from the one
    she was scored against); ``case`` is None for a free registration or a case no longer there.
    """

    case: Case | None
    session_id: str
    answers: Answers
    result: Result
    case_changed: bool = False

    @property
    def right(self) -> bool:
        """Her profile equals the key's (False without a key)."""
        return self.case is not None and self.result.profile == self.case.profile


def answers_from_records(scorer: Scorer, options: dict[str, int], items: set[str]) -> Answers:
    """The answer set as the model sees it: reached questions only; items only if they count."""
    reached = scorer.reached(options)
    kept = {q: options[q] for q in reached if q in options}
    return Answers(kept, frozenset(items) if scorer.checklist_counts(kept) else frozenset())


class Session:
    """One questionnaire being filled in: the answers so far and the question on screen.

    Each change the nurse makes goes to the log at once (:meth:`choose`, :meth:`tick`); the time
    a question is on screen is kept when she leaves it (:meth:`go_to`) and added to its stored
    answer by :meth:`store_times` (off the path from one question to the next), when the session
    pauses, finishes or is abandoned, or with its first answer.
    """

    def __init__(
        self,
        log: PracticeLog,
        scorer: Scorer,
        mode: str,
        session_id: str,
        case: Case | None,
        toets: Toets | None = None,
    ) -> None:
        self.log = log
        self.scorer = scorer
        self.mode = mode
        self.session_id = session_id
        self.case = case
        self.toets = toets
        self.options: dict[str, int] = {}
        self.items: set[str] = set()
        self.current = ""
        self.closed = False  # finished or abandoned: nothing more is written
        self._shown_at = clock()
        # seconds on questions left unanswered: added to the log with their first answer
        self._unlogged: dict[str, float] = {}

    # -- opening ---------------------------------------------------------------------------

    @classmethod
    def start(
        cls,
        log: PracticeLog,
        scorer: Scorer,
        *,
        nurse: str,
        mode: str,
        case: Case | None = None,
        toets: Toets | None = None,
    ) -> Session:
        """A new session, opened in the log; the first question is the first one."""
        session_id = log.start_session(
            nurse=nurse,
            mode=mode,
            questionnaire=scorer.questionnaire,
            case=case,
            test_id=toets.id if toets else None,
        )
        session = cls(log, scorer, mode, session_id, case, toets)
        session.current = scorer.question_ids[0]
        return session

    @classmethod
    def resume(
        cls,
        log: PracticeLog,
        scorer: Scorer,
        info: SessionInfo,
        case: Case | None,
        toets: Toets | None = None,
    ) -> Session:
        """A session left unfinished, with its stored answers, at the first open question."""
        session = cls(log, scorer, info.mode, info.id, case, toets)
        records = log.answers(info.id)
        session.options = {q: r.option for q, r in records.items()}
        cid = scorer.checklist_id
        if cid is not None and cid in records:
            session.items = set(records[cid].items)
        session.current = session.resume_point()
        return session

    # -- what is asked ---------------------------------------------------------------------

    def reached(self) -> list[str]:
        """The questions routing asks, in order, given the answers so far."""
        return self.scorer.reached(self.options)

    def checklist_shown(self) -> bool:
        return self.scorer.checklist_counts(self.options)

    def answers(self) -> Answers:
        """The answer set as the model sees it."""
        return answers_from_records(self.scorer, self.options, self.items)

    def missing(self) -> list[str]:
        """Reached questions still unanswered; the checklist question too if no item is ticked."""
        out = [q for q in self.reached() if q not in self.options]
        cid = self.scorer.checklist_id
        if cid is not None and self.checklist_shown() and not self.items and cid not in out:
            out.append(cid)
        return out

    def resume_point(self) -> str:
        """Where to go on: the first open question, else the last one asked."""
        missing = self.missing()
        return missing[0] if missing else self.reached()[-1]

    def is_last(self, qid: str | None = None) -> bool:
        reached = self.reached()
        return (qid or self.current) == reached[-1]

    def after(self, qid: str | None = None) -> str | None:
        """The question asked after ``qid`` (default: the current one), None after the last."""
        reached = self.reached()
        qid = qid or self.current
        if qid not in reached:
            return reached[0]
        i = reached.index(qid)
        return reached[i + 1] if i + 1 < len(reached) else None

    def before(self, qid: str | None = None) -> str | None:
        """The question asked before ``qid``, None before the first."""
        reached = self.reached()
        qid = qid or self.current
        i = reached.index(qid) if qid in reached else 0
        return reached[i - 1] if i > 0 else None

    def checklist_blocks(self) -> bool:
        """On the checklist question, with the checklist counting, and nothing ticked."""
        return (
            self.current == self.scorer.checklist_id and self.checklist_shown() and not self.items
        )

    # -- answering -------------------------------------------------------------------------

    def _items_for(self, qid: str) -> tuple[str, ...]:
        if qid == self.scorer.checklist_id and self.checklist_shown():
            return tuple(sorted(self.items))
        return ()

    def choose(self, code: int, qid: str | None = None) -> bool:
        """Option ``code`` for ``qid`` (default: the current question), stored at once.
        False (and nothing written) when it was already the answer."""
        qid = qid or self.current
        if self.options.get(qid) == code:
            return False
        if not 1 <= code <= self.scorer.n_options[qid]:
            raise ValueError(f"{qid} heeft geen antwoord {code}")
        self.options[qid] = code
        self.log.record_answer(self.session_id, qid, code, self._items_for(qid), self._time(qid))
        return True

    def tick(self, items: set[str] | frozenset[str]) -> bool:
        """The ticked checklist items, stored at once with the checklist answer (not counted as a
        change of it). False when nothing changed."""
        items = set(items)
        unknown = items - set(self.scorer.item_weights)
        if unknown:
            raise ValueError(f"onbekend item: {', '.join(sorted(unknown))}")
        if items == self.items:
            return False
        self.items = items
        cid = self.scorer.checklist_id
        if cid is not None and cid in self.options:
            self.log.record_answer(
                self.session_id, cid, self.options[cid], self._items_for(cid), self._time(cid)
            )
        return True

    def go_to(self, qid: str) -> None:
        """Leave the current question for ``qid`` (one that routing reaches). The time spent on
        the one she leaves is kept, not written: :meth:`store_times` writes it (the app calls
        it once the next question is on screen), or her next answer to it takes it along."""
        if qid not in self.reached():
            raise ValueError(f"{qid} wordt bij deze antwoorden niet gevraagd")
        self._keep_time()
        self.current = qid

    def _keep_time(self) -> None:
        """Add the seconds since the clock last started to the current question's kept time;
        restarts the clock."""
        if self.closed:
            return
        now = clock()
        self._unlogged[self.current] = self._unlogged.get(self.current, 0.0) + now - self._shown_at
        self._shown_at = now

    def store_times(self) -> None:
        """Add the kept seconds of answered questions to their stored answers (no change is
        counted). Unanswered questions keep theirs for their first answer. Only seconds wait
        in memory, never an answer: a crash before this loses at most a visit's time."""
        if self.closed:
            return
        for qid in [q for q in self._unlogged if q in self.options]:
            seconds = self._unlogged.pop(qid)
            self.log.record_answer(
                self.session_id, qid, self.options[qid], self._items_for(qid), round(seconds, 1)
            )

    def leave_question(self) -> None:
        """The current question goes off screen for good (pause, finish, abandon): its time
        and all kept times are stored."""
        self._keep_time()
        self.store_times()

    def _time(self, qid: str) -> float:
        """Seconds on ``qid`` since the clock last started plus its earlier unlogged visits;
        restarts the clock."""
        now = clock()
        spent = now - self._shown_at + self._unlogged.pop(qid, 0.0)
        self._shown_at = now
        return round(spent, 1)

    # -- ending ----------------------------------------------------------------------------

    def pause(self) -> None:
        """'Later verder' or the app closing: the time of this visit is kept; the session stays
        ``bezig`` and is offered again at the next start."""
        self.leave_question()

    def finish(self) -> Done:
        """Score and store the result. ValueError while questions are open."""
        missing = self.missing()
        if missing:
            raise ValueError("nog niet beantwoord: " + ", ".join(missing))
        self.leave_question()
        answers = self.answers()
        result = self.scorer.score(answers)
        key = self.case.profile if self.case is not None else None
        self.log.finish_session(self.session_id, result, key)
        self.closed = True
        return Done(self.case, self.session_id, answers, result)

    def abandon(self) -> None:
        """Stop: the session is marked afgebroken (answers stay); a toets it belongs to ends."""
        self.leave_question()
        self.log.abandon_session(self.session_id)
        self.closed = True
        if self.toets is not None:
            self.toets.abandon()


@dataclass
class Toets:
    """A toets: planned cases in order, the results of those done, the current one."""

    log: PracticeLog
    id: str
    nurse: str
    cases: list[Case | None]  # planned, in order; None: a case done, since gone from the library
    done: list[Done] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # planned cases no longer in the library
    stored: bool = True  # False: a toets from before toetsen were stored (only its sessions)

    @property
    def index(self) -> int:
        """0-based position of the current case (= the number done)."""
        return len(self.done)

    @property
    def current(self) -> Case | None:
        """The case to do now (None when all are done)."""
        return self.cases[self.index] if self.index < len(self.cases) else None

    @property
    def finished(self) -> bool:
        return self.index >= len(self.cases)

    @property
    def right(self) -> int:
        """Cases with the key's profile."""
        return sum(d.right for d in self.done)

    def position(self) -> str:
        """'casus 2 van 3' for the case on screen."""
        return f"casus {min(self.index + 1, len(self.cases))} van {len(self.cases)}"

    def record(self, done: Done) -> None:
        """One case finished; the toets is finished in the log after its last case."""
        self.done.append(done)
        if self.finished and self.stored:
            self.log.finish_toets(self.id)

    def abandon(self) -> None:
        if self.stored:
            self.log.abandon_toets(self.id)


@dataclass(frozen=True)
class CaseHistory:
    """How often she finished a case, and how the last time went."""

    times: int
    last_match: bool
    last_profile: str | None


def case_history(log: PracticeLog, nurse: str | None) -> dict[str, CaseHistory]:
    """Case id -> her finished sessions on it (the last one counts for the result)."""
    out: dict[str, CaseHistory] = {}
    if not nurse:
        return out
    for s in log.sessions(nurse):
        if s.status != AFGEROND or s.case_id is None:
            continue
        times = out[s.case_id].times if s.case_id in out else 0
        out[s.case_id] = CaseHistory(times + 1, bool(s.match), s.profile)
    return out


@dataclass(frozen=True)
class Pending:
    """Something she left unfinished: a session, a toets (with its open session, if any)."""

    session: SessionInfo | None
    toets: ToetsInfo | None = None

    @property
    def started_at(self) -> str:
        if self.toets is not None:
            return self.toets.started_at
        assert self.session is not None
        return self.session.started_at


@dataclass
class Practice:
    """The practice rules bound to one log, questionnaire (via its scorer) and case library."""

    log: PracticeLog
    scorer: Scorer
    library: CaseLibrary

    # -- starting --------------------------------------------------------------------------

    def start(self, nurse: str, mode: str, case: Case | None = None) -> Session:
        """A new oefenen or vrij session."""
        return Session.start(self.log, self.scorer, nurse=nurse, mode=mode, case=case)

    def start_toets(self, nurse: str, cases: Sequence[Case]) -> Session:
        """A toets of ``cases`` in this order, stored as a whole; returns its first session."""
        if not cases:
            raise ValueError("een toets heeft minstens één casus")
        toets_id = self.log.start_toets(nurse=nurse, case_ids=[c.id for c in cases])
        toets = Toets(self.log, toets_id, nurse, list(cases))
        return self.next_in_toets(toets)

    def next_in_toets(self, toets: Toets) -> Session:
        """The session for the toets's current case."""
        case = toets.current
        if case is None:
            raise ValueError("de toets is al af")
        return Session.start(
            self.log, self.scorer, nurse=toets.nurse, mode="toets", case=case, toets=toets
        )

    def finish(self, session: Session) -> Done:
        """Score and store ``session``; a toets case is added to its toets."""
        done = session.finish()
        if session.toets is not None:
            session.toets.record(done)
        return done

    # -- what is left open -----------------------------------------------------------------

    def pending(self, nurse: str | None) -> list[Pending]:
        """Her unfinished sessions and toetsen, oldest first; a toets is one entry."""
        toetsen = {t.id: t for t in self.log.toetsen(nurse) if t.status == BEZIG}
        out: dict[str, Pending] = {}
        for info in self.log.sessions(nurse):
            if info.mode == "toets" and info.test_id in toetsen:
                if info.status == BEZIG:
                    out[info.test_id] = Pending(info, toetsen[info.test_id])
            elif info.status == BEZIG:
                out[info.id] = Pending(info)
        for toets_id, toets in toetsen.items():
            out.setdefault(toets_id, Pending(None, toets))  # between two of its cases
        return sorted(out.values(), key=lambda p: p.started_at)

    def paused_case(self, nurse: str | None, case: Case) -> list[SessionInfo]:
        """Her unfinished oefenen sessions on ``case``, oldest first."""
        return [
            s
            for s in self.log.sessions(nurse)
            if s.status == BEZIG and s.mode == "oefenen" and s.case_id == case.id
        ]

    def case_of(self, info: SessionInfo) -> Case | None:
        return self.library.by_id(info.case_id) if info.case_id else None

    # -- resuming --------------------------------------------------------------------------

    def resume(self, pending: Pending) -> Session:
        """Go on where she was. A toets resumes whole: the cases done keep their results, the
        open one goes on with its answers, the rest follow. ValueError when it cannot go on
        (its case is gone)."""
        if pending.toets is not None:
            toets = self.resume_toets(pending.toets)
            if pending.session is not None and toets.current is not None:
                if pending.session.case_id == toets.current.id:
                    return Session.resume(
                        self.log, self.scorer, pending.session, toets.current, toets
                    )
                self.log.abandon_session(pending.session.id)  # not the case the plan expects
            if toets.finished:
                raise ValueError("alle casussen van deze toets zijn al gedaan")
            return self.next_in_toets(toets)
        info = pending.session
        assert info is not None
        case = self.case_of(info)
        if info.case_id and case is None:
            raise ValueError("deze casus is niet meer beschikbaar")
        legacy: Toets | None = None
        if info.mode == "toets" and info.test_id:
            # a toets from before toetsen were stored: only this case is known
            legacy = Toets(self.log, info.test_id, info.nurse, [case], stored=False)
        return Session.resume(self.log, self.scorer, info, case, legacy)

    def resume_toets(self, info: ToetsInfo) -> Toets:
        """The toets rebuilt from the log: the cases done with their results, in plan order,
        then the rest. A planned case no longer in the library is dropped if not yet done."""
        finished = {
            s.case_id: s
            for s in self.log.sessions(info.nurse)
            if s.test_id == info.id and s.status == AFGEROND
        }
        toets = Toets(self.log, info.id, info.nurse, [])
        for case_id in info.case_ids:
            case = self.library.by_id(case_id)
            if case_id in finished:
                toets.cases.append(case)
                toets.done.append(self.done_of(finished[case_id].id))
            elif case is not None:
                toets.cases.append(case)
            else:
                toets.dropped.append(case_id)
        return toets

    def abandon(self, pending: Pending) -> None:
        """Give up what she left: the session and the toets it belongs to are afgebroken."""
        if pending.session is not None:
            self.log.abandon_session(pending.session.id)
        if pending.toets is not None:
            self.log.abandon_toets(pending.toets.id)

    # -- looking back ----------------------------------------------------------------------

    def done_of(self, session_id: str) -> Done:
        """A finished session rebuilt from the log (answers, the case's key and reasons), for
        the feedback as she saw it. ``case_changed`` when the case file changed since."""
        info = self.log.session(session_id)
        if info.status != AFGEROND:
            raise ValueError(f"sessie {session_id} is niet afgerond")
        records = self.log.answers(session_id)
        options = {q: r.option for q, r in records.items()}
        cid = self.scorer.checklist_id
        items = set(records[cid].items) if cid is not None and cid in records else set()
        answers = answers_from_records(self.scorer, options, items)
        case = self.case_of(info)
        changed = case is not None and case.content_hash != info.case_hash
        return Done(case, session_id, answers, self.scorer.score(answers), changed)


__all__ = [
    "CaseHistory",
    "Done",
    "Pending",
    "Practice",
    "Session",
    "Toets",
    "answers_from_records",
    "case_history",
    "clock",
]
