"""The analyses over a filter: counts from :class:`dkdl.review.Review` turned into statistics.

The Review reads the counted sessions (:mod:`dkdl.review_index`, their answers compared with
the key); this module adds them up per question, case and nurse and applies
:mod:`dkdl.review_stats`. Definitions:
``docs/report.md``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Protocol

from dkdl.review_index import (
    Row,
    SessionIndex,
    checklist_category,
    fill_questions,
    nurse_figures,
    question_counts,
)
from dkdl.review_index import summary as index_summary
from dkdl.review_model import (
    CaseStats,
    NurseStats,
    QuestionStats,
    ReviewFilter,
)
from dkdl.review_stats import (
    flags_for,
    fleiss_kappa,
    group_difference,
    kappa_note,
    pair_agreement,
    share,
)

if TYPE_CHECKING:
    from dkdl.cases import Case
    from dkdl.review_model import Nurse
    from dkdl.review_stats import Thresholds
    from dkdl.scoring import Scorer


class Review(Protocol):
    """What the analyses need from :class:`dkdl.review.Review` (which reads the log)."""

    thresholds: Thresholds

    @property
    def scorer(self) -> Scorer:
        """The questionnaire's scorer (its ``questionnaire`` gives the questions)."""
        ...

    def counted(self, flt: ReviewFilter) -> tuple[list[Row], SessionIndex]:
        """The rows of the sessions the filter counts, and the index they come from."""
        ...

    def who_of(self) -> dict[tuple[int, str], int]: ...

    def case(self, case_id: str) -> Case | None: ...

    def nurse(self, key: int) -> Nurse: ...

    def notes(self, case_ids: Iterable[str] | None = None) -> list[str]: ...


Summary = tuple[int, int, dict[str, dict[str, int]], dict[str, CaseStats]]


def summary(review: Review, flt: ReviewFilter) -> Summary:
    """(sessions, matched, confusion, cases) from the counted sessions."""
    rows, index = review.counted(flt)
    return index_summary(rows, index, review.case)


def question_stats(review: Review, flt: ReviewFilter) -> dict[str, QuestionStats]:
    """Per question: answered, facility, options, agreement, kappa, discrimination, flags."""
    rows, index = review.counted(flt)
    counts = question_counts(rows, index)
    q = review.scorer.questionnaire
    stats = {x.id: QuestionStats(x.id, x.title) for x in q.questions}
    for x in q.questions:
        stats[x.id].options = {str(o.code): 0 for o in x.options}
    fill_questions(stats, counts, index.shape)
    position = {qid: pos for pos, qid in enumerate(index.shape.qids, start=1)}
    for qid, s in stats.items():
        pos = position[qid]
        per_case = counts.ratings.get(pos, {})
        subjects = [per_case[case_id] for case_id in sorted(per_case)]
        s.agreement, _, s.agreement_pairs = pair_agreement(subjects)
        rated = [case_id for case_id in per_case if sum(per_case[case_id].values()) >= 2]
        s.agreement_cases = len(rated)
        s.agreement_key_answers = len({_key_category(index, case_id, pos) for case_id in rated})
        s.kappa = fleiss_kappa(subjects)
        s.kappa_note = kappa_note(s.kappa, s.agreement_key_answers, review.thresholds)
        g = counts.groups.get(pos, [0, 0, 0, 0])
        s.discrimination = group_difference(*g)
        popular = max(s.wrong_options.items(), key=lambda kv: (kv[1], -_rank(kv[0])), default=None)
        text = _short(q.by_id[qid], popular[0]) if popular is not None else None
        s.flags = flags_for(
            answered=s.answered,
            facility=s.facility,
            wrong_option=popular,
            wrong_option_text=text,
            discrimination=s.discrimination,
            group_sizes=(g[1], g[3]),
            kappa=s.kappa,
            agreement=s.agreement,
            key_answers=s.agreement_key_answers,
            thresholds=review.thresholds,
        )
    return stats


def _key_category(index: SessionIndex, case_id: str, pos: int) -> object:
    """The case's key answer at question position ``pos`` as kappa's category: the option,
    and for the checklist question's counting option also the items (as the ratings are).
    Only asked for cases with ratings at ``pos``, which the key always reaches."""
    option, mask, nitems = index.keys[case_id][pos]
    shape = index.shape
    if pos == shape.checklist_pos and option == shape.checklist_option:
        return checklist_category(option, mask, nitems)
    return option


def _rank(code: str) -> float:
    """An option code's place when wrong options tie (the lower code first); a code that is
    not a whole number (a log of another questionnaire, or a crafted one) goes last."""
    try:
        return int(code)
    except ValueError:
        return float("inf")


def _short(question: Any, code: str) -> str | None:
    """The short text of the option with this code, or None when the question has none."""
    return next((o.short for o in question.options if str(o.code) == code), None)


def nurse_stats(review: Review, flt: ReviewFilter) -> dict[int, NurseStats]:
    """Per nurse: sessions, profile accuracy, facility, progress over time, per question.

    Progress is per week (the Monday's date) when the counted sessions span at most ten
    weeks, otherwise per month; periods are UTC calendar days."""
    rows, index = review.counted(flt)
    return nurse_figures(rows, index, review.who_of(), review.nurse)


class Analysis:
    """The analyses over one filter. Each part is computed on first use and then kept:
    :attr:`sessions`, :attr:`profile_accuracy`, :attr:`confusion`, :attr:`cases` (one query
    on the sessions), :attr:`questions` and :attr:`nurses` (one query on the answers each).
    :meth:`to_json` gives the figures of ``docs/report.md``."""

    def __init__(self, review: Review, flt: ReviewFilter):
        self.review = review
        self.filter = flt
        self._summary: Summary | None = None
        self._questions: dict[str, QuestionStats] | None = None
        self._nurses: dict[int, NurseStats] | None = None

    def _get_summary(self) -> Summary:
        if self._summary is None:
            self._summary = summary(self.review, self.filter)
        return self._summary

    @property
    def sessions(self) -> int:
        """The counted sessions."""
        return self._get_summary()[0]

    @property
    def profile_accuracy(self) -> float | None:
        """Share of counted sessions whose registered profile equals the key's."""
        total, matched = self._get_summary()[:2]
        return share(matched, total)

    @property
    def confusion(self) -> dict[str, dict[str, int]]:
        """Key profile -> registered profile -> number of counted sessions."""
        return self._get_summary()[2]

    @property
    def cases(self) -> dict[str, CaseStats]:
        """Per case id: sessions, profile accuracy, registered profiles."""
        return self._get_summary()[3]

    @property
    def questions(self) -> dict[str, QuestionStats]:
        """Per question id (questionnaire order)."""
        if self._questions is None:
            self._questions = question_stats(self.review, self.filter)
        return self._questions

    @property
    def nurses(self) -> dict[int, NurseStats]:
        """Per nurse (by :attr:`dkdl.review_model.Nurse.key`) over the counted sessions."""
        if self._nurses is None:
            self._nurses = nurse_stats(self.review, self.filter)
        return self._nurses

    @property
    def notes(self) -> list[str]:
        """Dutch notes on the counted cases that are missing from the library or changed."""
        return self.review.notes(self.cases)

    def flagged(self) -> list[QuestionStats]:
        """The questions with at least one flag, in questionnaire order."""
        return [s for s in self.questions.values() if s.flags]

    def to_json(self) -> dict[str, Any]:
        """The figures as JSON-ready data (DESIGN 4.3; every field in ``docs/report.md``)."""
        nurses = sorted(self.nurses.values(), key=lambda s: s.nurse.display.casefold())
        return {
            "filter": self.filter.as_dict(),
            "sessions": self.sessions,
            "profile_accuracy": self.profile_accuracy,
            "questions": {qid: s.as_dict() for qid, s in self.questions.items()},
            "confusion": {k: dict(sorted(v.items())) for k, v in sorted(self.confusion.items())},
            "cases": {cid: c.as_dict() for cid, c in sorted(self.cases.items())},
            "nurses": {s.nurse.display: s.as_dict() for s in nurses},
            "notes": self.notes,
        }
