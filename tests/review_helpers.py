"""Small logs for the review tests, written as the app writes them (tests/test_review*.py)."""

from __future__ import annotations

from pathlib import Path

from dkdl.cases import load_library
from dkdl.review import Review
from dkdl.scoring import Answers
from dkdl.store import open_log

CASES_DIR = Path(__file__).parent / "data" / "tui_cases"
W, K = "tui-wondzorg-01", "tui-kind-01"
W_KEY = dict(Q1=1, Q2=1, Q3=1, Q4=1, Q5=2, Q6=1, Q7=1, Q8=2, Q9=1, Q10=2, Q11=1, Q12=2)
W_ITEMS = ("complexe_wonden", "zwachtelen")


class Writer:
    """Writes sessions as the app does, with a chosen start time."""

    def __init__(self, path: Path, questionnaire, scorer, library):
        self.log = open_log(path)
        self.q = questionnaire
        self.scorer = scorer
        self.library = library

    def play(
        self,
        nurse: str,
        case_id: str | None,
        answers: dict[str, int],
        items: tuple[str, ...] = (),
        *,
        at: str,
        mode: str = "oefenen",
        status: str = "afgerond",
        first: dict[str, int] | None = None,
    ) -> str:
        """One session; ``first`` holds answers given before ``answers`` replaced them."""
        case = self.library.by_id(case_id) if case_id else None
        sid = self.log.start_session(nurse=nurse, mode=mode, questionnaire=self.q, case=case)
        for qid, option in (first or {}).items():
            self.log.record_answer(sid, qid, option)
        for qid, option in answers.items():
            ticked = items if qid == "Q12" and option == 2 else ()
            self.log.record_answer(sid, qid, option, ticked, seconds=3.0)
        if status == "afgerond":
            result = self.scorer.score(Answers(answers, frozenset(items)))
            self.log.finish_session(sid, result, case.profile if case else None)
        elif status == "afgebroken":
            self.log.abandon_session(sid)
        self.log.db.conn.execute(
            "UPDATE sessions SET started_at = ? WHERE uuid = ?", (at + "+00:00", sid)
        )
        self.log.db.conn.commit()
        return sid

    def review(self, **kwargs) -> Review:
        self.log.close()
        log = open_log(self.log.path, create=False, readonly=True)
        return Review(log, self.library, self.q, own_log=True, **kwargs)


def w_answers(**overrides):
    answers = dict(W_KEY)
    answers.update(overrides)
    return answers


def make_library(questionnaire):
    lib = load_library([CASES_DIR], questionnaire)
    assert not lib.problems
    return lib
