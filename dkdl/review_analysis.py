"""The analyses over a filter: counts from :class:`dkdl.review.Review` turned into statistics.

The Review runs the SQL (grouped counts of the counted sessions and answers); this module adds
them up per question, case and nurse and applies :mod:`dkdl.review_stats`. Definitions:
``docs/report.md``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Protocol

from dkdl.review_model import (
    CaseStats,
    NurseStats,
    ProgressPoint,
    QuestionScore,
    QuestionStats,
    ReviewFilter,
    local_time,
)
from dkdl.review_stats import flags_for, fleiss_kappa, group_difference, pair_agreement, share

if TYPE_CHECKING:
    from dkdl.cases import Case
    from dkdl.questionnaire import Questionnaire
    from dkdl.review_model import Nurse
    from dkdl.review_stats import Thresholds


class Review(Protocol):
    """What the analyses need from :class:`dkdl.review.Review` (which runs the SQL)."""

    questionnaire: Questionnaire
    thresholds: Thresholds

    @property
    def checklist(self) -> tuple[str | None, int | None]: ...

    def counted_rows(self, flt: ReviewFilter, sql: str) -> list[tuple]: ...

    def answer_rows(self, flt: ReviewFilter, columns: Sequence[str]) -> list[tuple]: ...

    def case(self, case_id: str) -> Case | None: ...

    def nurse(self, key: int) -> Nurse: ...

    def notes(self, case_ids: Iterable[str] | None = None) -> list[str]: ...


Summary = tuple[int, int, dict[str, dict[str, int]], dict[str, CaseStats]]


def summary(review: Review, flt: ReviewFilter) -> Summary:
    """(sessions, matched, confusion, cases) from the counted sessions."""
    rows = review.counted_rows(
        flt,
        "SELECT case_id, key_profile, profile, count(*), sum(match) FROM rv_counted c "
        "GROUP BY 1, 2, 3",
    )
    sessions = matched = 0
    confusion: dict[str, dict[str, int]] = {}
    cases: dict[str, CaseStats] = {}
    for case_id, key_profile, profile, n, m in rows:
        sessions += n
        matched += m or 0
        reg = profile or "?"
        cell = confusion.setdefault(key_profile, {})
        cell[reg] = cell.get(reg, 0) + n
        stats = cases.get(case_id)
        if stats is None:
            case = review.case(case_id)
            stats = cases[case_id] = CaseStats(
                case_id, case.title if case else None, case.profile if case else key_profile
            )
        stats.sessions += n
        stats.matched += m or 0
        stats.profiles[reg] = stats.profiles.get(reg, 0) + n
    return sessions, matched, confusion, cases


def question_stats(review: Review, flt: ReviewFilter) -> dict[str, QuestionStats]:
    """Per question: answered, facility, options, agreement, kappa, discrimination, flags."""
    rows = review.answer_rows(
        flt, ["a.question", "c.case_id", "a.option", "{mask}", "{nitems}", "{correct}", "c.match"]
    )
    q = review.questionnaire
    checklist_id, checklist_option = review.checklist
    stats = {x.id: QuestionStats(x.id, x.title) for x in q.questions}
    for x in q.questions:
        stats[x.id].options = {str(o.code): 0 for o in x.options}
    ratings: dict[str, dict[str, dict[object, int]]] = {}
    groups: dict[str, list[int]] = {}  # right_correct, right_total, wrong_correct, wrong_total
    for qid, case_id, option, mask, nitems, ok, match, n in rows:
        s = stats[qid]
        s.answered += n
        code = str(option)
        s.options[code] = s.options.get(code, 0) + n
        if ok:
            s.correct += n
        else:
            s.wrong_options[code] = s.wrong_options.get(code, 0) + n
        # Kappa's categories: the options; the checklist option that counts is split by the
        # set of items (an item set with an unknown or doubled item is its own category).
        category: object = option
        if qid == checklist_id and option == checklist_option:
            category = (option, mask if bin(mask).count("1") == nitems else -nitems - 1)
        per_case = ratings.setdefault(qid, {}).setdefault(case_id, {})
        per_case[category] = per_case.get(category, 0) + n
        g = groups.setdefault(qid, [0, 0, 0, 0])
        if match:
            g[0] += n if ok else 0
            g[1] += n
        else:
            g[2] += n if ok else 0
            g[3] += n
    for qid, s in stats.items():
        subjects = list(ratings.get(qid, {}).values())
        s.agreement, _, s.agreement_pairs = pair_agreement(subjects)
        s.agreement_cases = sum(1 for r in subjects if sum(r.values()) >= 2)
        s.kappa = fleiss_kappa(subjects)
        g = groups.get(qid, [0, 0, 0, 0])
        s.discrimination = group_difference(*g)
        popular = max(s.wrong_options.items(), key=lambda kv: (kv[1], -int(kv[0])), default=None)
        text = q.by_id[qid].option(int(popular[0])).short if popular is not None else None
        s.flags = flags_for(
            answered=s.answered,
            facility=s.facility,
            wrong_option=popular,
            wrong_option_text=text,
            discrimination=s.discrimination,
            group_sizes=(g[1], g[3]),
            kappa=s.kappa,
            thresholds=review.thresholds,
        )
    return stats


def nurse_stats(review: Review, flt: ReviewFilter) -> dict[int, NurseStats]:
    """Per nurse: sessions, profile accuracy, facility, progress over time, per question.

    Progress is per week (the Monday's date) when the counted sessions span at most ten
    weeks, otherwise per month; periods are UTC calendar days."""
    span = review.counted_rows(flt, "SELECT min(started_at), max(started_at) FROM rv_counted c")
    first, last = span[0]
    weekly = bool(first) and local_time(last) - local_time(first) <= timedelta(days=70)
    period = (
        "date(c.started_at, 'weekday 0', '-6 days')" if weekly else "substr(c.started_at, 1, 7)"
    )
    per_period = review.counted_rows(
        flt, f"SELECT c.who, {period}, count(*), sum(c.match) FROM rv_counted c GROUP BY 1, 2"
    )
    per_question = review.answer_rows(flt, ["c.who", period, "a.question", "{correct}"])
    out: dict[int, NurseStats] = {}

    def stats_of(key: int) -> NurseStats:
        if key not in out:
            out[key] = NurseStats(review.nurse(key))
        return out[key]

    answered: dict[tuple[int, str], list[int]] = {}
    questions: dict[tuple[int, str], list[int]] = {}
    for who, per, qid, ok, n in per_question:
        cell = answered.setdefault((who, per), [0, 0])
        cell[0] += n
        cell[1] += n if ok else 0
        cell = questions.setdefault((who, qid), [0, 0])
        cell[0] += n
        cell[1] += n if ok else 0
    for who, per, n, m in per_period:
        s = stats_of(who)
        s.sessions += n
        s.matched += m or 0
        a_n, a_ok = answered.get((who, per), (0, 0))
        s.progress.append(ProgressPoint(per, n, m or 0, a_n, a_ok))
    for (who, qid), (n, ok) in questions.items():
        s = stats_of(who)
        s.answered += n
        s.correct += ok
        s.questions.append(QuestionScore(qid, n, ok))
    order = {x.id: i for i, x in enumerate(review.questionnaire.questions)}
    for s in out.values():
        s.progress.sort(key=lambda p: p.period)
        s.questions.sort(key=lambda x: order.get(x.question_id, 0))
    return out


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
