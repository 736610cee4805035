"""UI state of a practice session, kept in plain dataclasses (not scattered over widgets).

Screens read and change this state; every change that matters is written through the
:class:`~dkdl.sessionlog.PracticeLog` by the screen at the moment it happens.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from dkdl.cases import Case
from dkdl.scoring import Answers, Result, Scorer


def clock() -> float:
    """Seconds on a monotonic clock (a function of its own so tests can drive it)."""
    return time.monotonic()


@dataclass(frozen=True)
class Done:
    """A finished session: what the nurse answered and what it gave."""

    case: Case | None
    session_id: str
    answers: Answers
    result: Result


@dataclass
class TestRun:
    """A toets: several cases in a row, feedback only at the end."""

    test_id: str
    cases: list[Case]
    index: int = 0
    done: list[Done] = field(default_factory=list)

    @property
    def current(self) -> Case:
        return self.cases[self.index]

    @property
    def finished(self) -> bool:
        return self.index >= len(self.cases)


@dataclass
class Session:
    """One questionnaire being filled in: answers so far and where the nurse is."""

    mode: str  # oefenen, vrij or toets
    session_id: str
    case: Case | None
    options: dict[str, int] = field(default_factory=dict)
    items: set[str] = field(default_factory=set)
    current: str = ""
    shown_at: float = field(default_factory=lambda: clock())
    test: TestRun | None = None
    # seconds spent on questions that had no answer yet when she left them; added to the log
    # with their first answer, so the log's 'seconds' sums every visit
    unlogged: dict[str, float] = field(default_factory=dict)

    def reached(self, scorer: Scorer) -> list[str]:
        return scorer.reached(self.options)

    def checklist_shown(self, scorer: Scorer) -> bool:
        return scorer.checklist_counts(self.options)

    def answers(self, scorer: Scorer) -> Answers:
        """The answer set as the model sees it: reached questions only; items only if counted."""
        reached = self.reached(scorer)
        options = {q: self.options[q] for q in reached if q in self.options}
        items = frozenset(self.items) if scorer.checklist_counts(options) else frozenset()
        return Answers(options, items)

    def missing(self, scorer: Scorer) -> list[str]:
        """Reached questions still unanswered; the checklist question too if no item is ticked."""
        out = [q for q in self.reached(scorer) if q not in self.options]
        if self.checklist_shown(scorer) and not self.items and scorer.checklist_id not in out:
            out.append(scorer.checklist_id)
        return out

    def time_on(self, qid: str) -> float:
        """Seconds on ``qid`` since the clock last started, plus earlier unlogged visits to it;
        restarts the clock. For the log, with an answer."""
        now = clock()
        spent = now - self.shown_at + self.unlogged.pop(qid, 0.0)
        self.shown_at = now
        return round(spent, 1)

    def park_time(self, qid: str) -> None:
        """Leaving ``qid`` unanswered: keep the time for its first answer; restart the clock."""
        now = clock()
        self.unlogged[qid] = self.unlogged.get(qid, 0.0) + now - self.shown_at
        self.shown_at = now
