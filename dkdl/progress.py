"""Mijn voortgang: one nurse's own figures, computed from her sessions in the log.

What counts is what the trainer's review counts (``docs/report.md``), applied to every attempt
of hers rather than the first per case:

- **Counted sessions**: her finished (``afgerond``) sessions with a key, i.e. modes ``oefenen``
  and ``toets`` on a case; ``vrij``, open and abandoned sessions never count. Her finished
  ``vrij`` sessions are listed apart (:attr:`Progress.free`), so she can see their feedback
  again; they have no key, so nothing in them is compared.
- **A question counts for a session** when both her answers and the key reach it (routing can
  end the questionnaire early on either side); the same answer is the same option and, for the
  checklist question (Q12) with the checklist counting, the same items. This is
  :meth:`dkdl.scoring.Scorer.compare`, the one comparison the feedback uses too.
- A session counts per question only when its case is in the library and the case's key still
  gives the profile the session was scored against (as in the review: a key that changed its
  profile since is not the key she answered); it always counts for the profile.
- **Recent** (the app's own choice, not an NZa notion): her last ``recent`` counted sessions
  (default 10); **earlier**: all her counted sessions before those. A nurse who practises twice a
  week sees the last five weeks or so against what came before.
- **Per axis**: her answers to the questions of that axis (draagkracht Q4-Q6, draaglast Q7-Q8,
  ondersteuningsbehoefte Q9-Q12), counted as per question.
- **Weakest questions**: at most three questions with at least one answer against the key,
  lowest overall share first (ties: more answers against the key first, then questionnaire
  order). Each carries the wrong answer she gave most often, the key's answer in those cases
  and dkdl's own explanation of the rule behind it (:mod:`dkdl.explanations`; not NZa text:
  label it as dkdl's, :data:`dkdl.explanations.LABEL`).

Plain Python, no Textual. One read of her sessions, one batch read of their answers
(:meth:`dkdl.sessionlog.PracticeLog.choices_of`) and one of her toetsen.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from difflib import get_close_matches
from typing import TYPE_CHECKING

from dkdl.explanations import explanations_for
from dkdl.practice import answers_from_records
from dkdl.scoring import Answers
from dkdl.sessionlog import AFGEROND, Choice, PracticeLog, SessionInfo

if TYPE_CHECKING:
    from dkdl.cases import Case, CaseLibrary
    from dkdl.scoring import Scorer

KEYED_MODES = ("oefenen", "toets")
DEFAULT_RECENT = 10
WEAKEST = 3


@dataclass(frozen=True)
class Rate:
    """A share of answers (or profiles) equal to the key."""

    right: int
    counted: int

    @property
    def share(self) -> float | None:
        """right / counted; None when nothing was counted."""
        return self.right / self.counted if self.counted else None


@dataclass(frozen=True)
class SessionPoint:
    """One finished oefenen/toets session of hers, with a key."""

    session_id: str
    started_at: str  # ISO 8601 UTC, as in the log
    mode: str  # "oefenen" | "toets"
    case_id: str
    case_title: str  # "" when the case is no longer in the library
    profile: str  # hers
    key_profile: str
    right: bool  # profile == key_profile


@dataclass(frozen=True)
class FreeSession:
    """One finished vrije registratie of hers: no case and no key, so never counted."""

    session_id: str
    started_at: str  # ISO 8601 UTC, as in the log
    profile: str  # the profile her answers gave


@dataclass(frozen=True)
class QuestionProgress:
    qid: str  # "Q1".."Q12"
    title: str  # the questionnaire's title, e.g. "Wassen/douchen"
    axis: str | None  # None for the routing questions (Q1-Q3)
    earlier: Rate  # sessions before her last `recent` counted sessions
    recent: Rate  # her last `recent` counted sessions
    overall: Rate


@dataclass(frozen=True)
class WeakQuestion:
    qid: str
    title: str
    question_text: str  # the official wording: the title, with the questionnaire's note if any
    rate: Rate  # overall
    her_option: int | None  # the wrong option she chose most often (None if no wrong answer)
    key_option: int | None  # the key's option in those answers
    her_option_text: str  # official text of her_option ("" if None), with its ** emphasis
    key_option_text: str
    explanation: str  # dkdl's own explanation of the rule (Dutch), labelled as such by the UI


@dataclass(frozen=True)
class ToetsResult:
    toets_id: str
    started_at: str
    right: int  # profiles right
    total: int  # planned cases
    finished: bool


@dataclass(frozen=True)
class Progress:
    nurse: str
    sessions: tuple[SessionPoint, ...]  # chronological, counted sessions only
    questions: tuple[QuestionProgress, ...]  # Q1..Q12 in questionnaire order
    axes: tuple[tuple[str, Rate, Rate, Rate], ...]  # (axis, earlier, recent, overall)
    weakest: tuple[WeakQuestion, ...]  # at most 3, weakest first
    not_done: tuple[Case, ...]  # library cases with no finished oefenen/toets session of hers
    toetsen: tuple[ToetsResult, ...]  # chronological
    recent: int  # the N used for "recent"
    # per question id, the (her option, key option) pairs of her answers against the key, with
    # how often: what :mod:`dkdl.adaptive` aims at (an item mistake at Q12 is (2, 2))
    misses: tuple[tuple[str, tuple[tuple[int, int, int], ...]], ...] = ()
    # the case ids of her counted sessions, most recent last (for "not one she has just done")
    history: tuple[str, ...] = ()
    # how a screen labels the explanations in `weakest`: dkdl's own words, not NZa text
    explanation_label: str = ""
    # her finished vrije registraties, chronological (listed with her earlier sessions)
    free: tuple[FreeSession, ...] = ()

    def question(self, qid: str) -> QuestionProgress:
        """One question's figures (KeyError for an unknown id)."""
        for q in self.questions:
            if q.qid == qid:
                return q
        raise KeyError(qid)


def counted(info: SessionInfo) -> bool:
    """A session of hers that counts: finished, oefenen or toets, with a key and a case."""
    return (
        info.status == AFGEROND
        and info.mode in KEYED_MODES
        and info.key_profile is not None
        and info.profile is not None
        and info.case_id is not None
    )


def her_answers(scorer: Scorer, choices: dict[str, Choice]) -> Answers:
    """Her stored choices as the model sees them (reached questions; items if they count).
    An option or item the questionnaire does not have (a log the app did not write) is not an
    answer: it is left out, and the question then counts as not reached."""
    n_options = scorer.n_options
    options = {q: o for q, (o, _) in choices.items() if 1 <= o <= n_options.get(q, 0)}
    cid = scorer.checklist_id
    items = set(choices[cid][1]) & set(scorer.item_weights) if cid in options else set()
    return answers_from_records(scorer, options, items)


def question_text(scorer: Scorer, qid: str) -> str:
    """The official wording of a question as the questionnaire holds it: its title, and the
    questionnaire's own note in brackets ("Medicatiegebruik (Het bestellen van medicatie valt
    hier niet onder.)"). The questionnaire has no separate question sentence; the options carry
    the rest of the wording."""
    question = scorer.questionnaire.by_id[qid]
    return f"{question.title} ({question.note})" if question.note else question.title


def progress_of(
    log: PracticeLog,
    scorer: Scorer,
    library: CaseLibrary,
    nurse: str,
    *,
    recent: int = DEFAULT_RECENT,
) -> Progress:
    """Her figures (see the module docstring for what counts).

    ``recent``: how many of her last counted sessions make up "recent" (below 1 counts as 1).
    The default of 10 is the app's own choice, not an NZa notion; the UI says which N it used
    (:attr:`Progress.recent`)."""
    recent = max(1, int(recent))
    q = scorer.questionnaire
    cases = {c.id: c for c in library.cases}
    mine = [s for s in log.sessions(nurse) if s.nurse == nurse]
    infos = sorted((s for s in mine if counted(s)), key=lambda s: s.started_at)
    points = []
    for s in infos:
        assert s.case_id is not None and s.profile is not None and s.key_profile is not None
        case = cases.get(s.case_id)
        points.append(
            SessionPoint(
                s.id,
                s.started_at,
                s.mode,
                s.case_id,
                case.title if case is not None else "",
                s.profile,
                s.key_profile,
                s.profile == s.key_profile,
            )
        )
    first_recent = max(0, len(infos) - recent)
    comparable = [
        (i, s)
        for i, s in enumerate(infos)
        if s.case_id in cases and cases[s.case_id].profile == s.key_profile
    ]
    chosen = log.choices_of([s.id for _, s in comparable])

    qids = scorer.question_ids
    # per question: [earlier right, earlier counted, recent right, recent counted]
    tally = {qid: [0, 0, 0, 0] for qid in qids}
    misses: dict[str, Counter[tuple[int, int]]] = {qid: Counter() for qid in qids}
    # sessions with the same choices on the same case compare the same way: count those
    # first (per part), then compare each distinct one once
    groups: Counter[tuple[int, str, frozenset]] = Counter()
    for i, s in comparable:
        part = 2 if i >= first_recent else 0
        groups[(part, s.case_id, frozenset(chosen.get(s.id, {}).items()))] += 1  # type: ignore[index]
    for (part, case_id, choices), n in groups.items():
        case = cases[case_id]
        for v in scorer.compare(her_answers(scorer, dict(choices)), case.answers):
            if v.mine is None or v.key is None:
                continue  # not reached by her answers or by the key: not counted
            cell = tally[v.question_id]
            cell[part + 1] += n
            if v.same:
                cell[part] += n
            else:
                misses[v.question_id][(v.mine, v.key)] += n

    questions = tuple(
        QuestionProgress(
            x.id,
            x.title,
            x.axis,
            Rate(tally[x.id][0], tally[x.id][1]),
            Rate(tally[x.id][2], tally[x.id][3]),
            Rate(tally[x.id][0] + tally[x.id][2], tally[x.id][1] + tally[x.id][3]),
        )
        for x in q.questions
    )
    axes = tuple(
        (
            axis.id,
            _sum(qp.earlier for qp in questions if qp.axis == axis.id),
            _sum(qp.recent for qp in questions if qp.axis == axis.id),
            _sum(qp.overall for qp in questions if qp.axis == axis.id),
        )
        for axis in q.axes
    )
    weakest = _weakest(scorer, questions, misses)
    done = {s.case_id for s in mine if s.status == AFGEROND and s.mode in KEYED_MODES}
    not_done = tuple(c for c in library.cases if c.id not in done)
    toetsen = _toetsen(log, nurse, mine, infos)
    free = tuple(
        FreeSession(s.id, s.started_at, s.profile)
        for s in sorted(mine, key=lambda s: s.started_at)
        if s.status == AFGEROND and s.mode == "vrij" and s.profile is not None
    )
    return Progress(
        nurse,
        tuple(points),
        questions,
        axes,
        weakest,
        not_done,
        toetsen,
        recent,
        tuple(
            (qid, tuple((a, b, n) for (a, b), n in sorted(misses[qid].items())))
            for qid in qids
            if misses[qid]
        ),
        tuple(s.case_id for s in infos if s.case_id is not None),
        explanations_for(scorer).label,
        free,
    )


def has_practised(log: PracticeLog, nurse: str) -> bool:
    """Whether the log holds anything under ``nurse``: a session (of any mode or status) or a
    toets. Only reads; Mijn voortgang opens for such a name and for no other. A log with its
    own ``has_practised`` (the SQLite log: one indexed query) answers itself."""
    own = getattr(log, "has_practised", None)
    if own is not None:
        return bool(own(nurse))
    return any(s.nurse == nurse for s in log.sessions(nurse)) or any(
        t.nurse == nurse for t in log.toetsen(nurse)
    )


def practised_names(log: PracticeLog) -> list[str]:
    """The names with at least one session or toets in the log, alphabetically (ignoring
    case). Only reads; a name typed but never used for a session is not among them. A log with
    its own ``practised_names`` (the SQLite log: one query) answers itself."""
    own = getattr(log, "practised_names", None)
    if own is not None:
        return list(own())
    names = {s.nurse for s in log.sessions()} | {t.nurse for t in log.toetsen()}
    return sorted(names, key=lambda name: (name.casefold(), name))


def close_names(name: str, names: Iterable[str], *, n: int = 3) -> list[str]:
    """Of ``names``, at most ``n`` that look like ``name`` (a typo, other capitals), closest
    first: :func:`difflib.get_close_matches` on the case-folded names."""
    by_folded: dict[str, list[str]] = {}
    for known in names:
        by_folded.setdefault(known.casefold(), []).append(known)
    matches = get_close_matches(name.casefold(), list(by_folded), n=n, cutoff=0.6)
    return [known for folded in matches for known in sorted(by_folded[folded])][:n]


def progress_mark(log: PracticeLog, nurse: str) -> object | None:
    """A cheap tag of what :func:`progress_of` counts for her: figures counted when the log had
    an equal tag are still current (a log's ``progress_mark``: her sessions and toetsen added,
    finished or abandoned, or another writer to the file). None when the log cannot tell: then
    count anew."""
    mark = getattr(log, "progress_mark", None)
    return None if mark is None else mark(nurse)


def _sum(rates: Iterable[Rate]) -> Rate:
    right = total = 0
    for r in rates:
        right += r.right
        total += r.counted
    return Rate(right, total)


def most_common_miss(pairs: Counter[tuple[int, int]]) -> tuple[int, int] | None:
    """The (her option, key option) pair she gave most often; ties: lowest options first."""
    if not pairs:
        return None
    return min(pairs, key=lambda pair: (-pairs[pair], pair))


def _weakest(
    scorer: Scorer,
    questions: tuple[QuestionProgress, ...],
    misses: dict[str, Counter[tuple[int, int]]],
) -> tuple[WeakQuestion, ...]:
    order = {qid: i for i, qid in enumerate(scorer.question_ids)}
    candidates = [qp for qp in questions if qp.overall.counted > qp.overall.right]
    candidates.sort(
        key=lambda qp: (
            qp.overall.right / qp.overall.counted,
            -(qp.overall.counted - qp.overall.right),
            order[qp.qid],
        )
    )
    rules = explanations_for(scorer)
    out = []
    for qp in candidates[:WEAKEST]:
        question = scorer.questionnaire.by_id[qp.qid]
        pair = most_common_miss(misses[qp.qid])
        her, key = pair if pair is not None else (None, None)
        out.append(
            WeakQuestion(
                qp.qid,
                qp.title,
                question_text(scorer, qp.qid),
                qp.overall,
                her,
                key,
                question.option(her).text if her is not None else "",
                question.option(key).text if key is not None else "",
                rules.explain(qp.qid, her, key),
            )
        )
    return tuple(out)


def _toetsen(
    log: PracticeLog, nurse: str, mine: list[SessionInfo], infos: list[SessionInfo]
) -> tuple[ToetsResult, ...]:
    """Her toetsen in order: the stored ones with their plan, and toetsen from before toetsen
    were stored (only their sessions: total = the sessions done, finished when all are)."""
    right: Counter[str] = Counter()
    for s in infos:
        if s.test_id is not None and s.mode == "toets" and s.profile == s.key_profile:
            right[s.test_id] += 1
    out = [
        ToetsResult(t.id, t.started_at, right[t.id], len(t.case_ids), t.status == AFGEROND)
        for t in log.toetsen(nurse)
        if t.nurse == nurse
    ]
    stored = {t.toets_id for t in out}
    legacy: dict[str, list[SessionInfo]] = {}
    for s in mine:
        if s.mode == "toets" and s.test_id and s.test_id not in stored:
            legacy.setdefault(s.test_id, []).append(s)
    for test_id, sessions in legacy.items():
        out.append(
            ToetsResult(
                test_id,
                min(s.started_at for s in sessions),
                right[test_id],
                len(sessions),
                all(s.status == AFGEROND for s in sessions),
            )
        )
    out.sort(key=lambda t: t.started_at)
    return tuple(out)


__all__ = [
    "DEFAULT_RECENT",
    "FreeSession",
    "Progress",
    "QuestionProgress",
    "Rate",
    "SessionPoint",
    "ToetsResult",
    "WeakQuestion",
    "close_names",
    "counted",
    "has_practised",
    "her_answers",
    "most_common_miss",
    "practised_names",
    "progress_mark",
    "progress_of",
    "question_text",
]
