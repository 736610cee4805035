"""What the feedback after a session shows, computed once from a :class:`~dkdl.practice.Done`.

The feedback screen (and the trainer's session detail) only lays this out: per question her
answer against the key with its reason and its effect on the sums, the questions routing left
out (one mistake, listed once), the sums against their maxima and bands, and the what-if lines
grouped by the profile they give. Plain Python, no Textual.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from dkdl.practice import Done
from dkdl.questionnaire import Question
from dkdl.scoring import (
    DK,
    DL,
    OB,
    Answers,
    BandRange,
    Explanation,
    Scorer,
    Verdict,
    WhatIf,
    profile_name,
)

AXIS_WORD = {DK: "draagkracht", DL: "draaglast", OB: "ondersteuningsbehoefte"}


@dataclass(frozen=True)
class QuestionLine:
    """One question both she and the key were asked (or a routing question)."""

    question: Question
    same: bool
    mine: str  # "2 ‘gedeeltelijke hulp’" (with ticked items for the checklist)
    key: str
    reason: str | None  # the case's toelichting
    effect: str | None  # what her answer did to the sums: "draagkracht −1"


@dataclass(frozen=True)
class WhatIfGroup:
    """What-if changes that all give one profile."""

    profile: str  # code
    name: str  # "DKDL 8" or "Kindzorg"
    is_key: bool  # the key's profile
    changes: tuple[WhatIf, ...]
    fixes_hers: bool  # at least one change sets one of her answers to the key's


class Feedback:
    """Everything the feedback shows about one finished session."""

    def __init__(self, done: Done, scorer: Scorer) -> None:
        self.done = done
        self.scorer = scorer
        self.questionnaire = scorer.questionnaire
        self.case = done.case
        self.result = done.result
        self.key = done.case.result if done.case is not None else None

    # -- the verdict -----------------------------------------------------------------------

    @property
    def has_key(self) -> bool:
        return self.case is not None

    @property
    def right(self) -> bool:
        return self.key is not None and self.key.profile == self.result.profile

    @cached_property
    def explanation(self) -> Explanation:
        return self.scorer.explain(self.done.answers)

    @cached_property
    def verdicts(self) -> list[Verdict]:
        assert self.case is not None
        return self.scorer.compare(self.done.answers, self.case.answers)

    @cached_property
    def compared(self) -> list[Verdict]:
        """The questions both sides were asked: the ones that count as right or wrong. A
        routing mistake counts once, on the routing question."""
        return [v for v in self.verdicts if v.mine is not None and v.key is not None]

    @cached_property
    def not_asked_by_key(self) -> list[str]:
        """Questions she answered that the key's routing does not ask."""
        return [v.question_id for v in self.verdicts if v.key is None]

    @cached_property
    def not_asked_by_her(self) -> list[str]:
        """Questions the key answers that her routing did not ask."""
        return [v.question_id for v in self.verdicts if v.mine is None]

    def tally(self) -> tuple[int, int]:
        """(same as the key, questions compared)."""
        return sum(v.same for v in self.compared), len(self.compared)

    # -- per question ----------------------------------------------------------------------

    def option_text(self, answers: Answers, qid: str) -> str:
        code = answers.options[qid]
        question = self.questionnaire.by_id[qid]
        text = f"{code} ‘{question.option(code).short}’"
        if question.checklist is not None and self.scorer.checklist_counts(answers.options):
            names = [it.short for it in question.checklist.items if it.id in answers.items]
            text += " (" + (", ".join(names) or "niets aangevinkt") + ")"
        return text

    def _weight(self, answers: Answers, qid: str) -> int:
        question = self.questionnaire.by_id[qid]
        weight = question.option(answers.options[qid]).weight
        if question.checklist is not None and self.scorer.checklist_counts(answers.options):
            weight += sum(self.scorer.item_weights[i] for i in answers.items)
        return weight

    def effect(self, qid: str) -> str | None:
        """What her answer did to its axis compared with the key's: 'draagkracht −1'. None for
        a routing question or no difference."""
        assert self.case is not None
        axis = self.questionnaire.by_id[qid].axis
        if axis is None:
            return None
        diff = self._weight(self.done.answers, qid) - self._weight(self.case.answers, qid)
        if axis == DK:
            diff = -diff  # draagkracht is the maximum minus the deficit
        if not diff:
            return None
        return f"{AXIS_WORD[axis]} {'+' if diff > 0 else '−'}{abs(diff)}"

    @cached_property
    def lines(self) -> list[QuestionLine]:
        """Per compared question: her answer, the key's, the reason, the effect."""
        assert self.case is not None
        out = []
        for v in self.compared:
            qid = v.question_id
            out.append(
                QuestionLine(
                    self.questionnaire.by_id[qid],
                    v.same,
                    self.option_text(self.done.answers, qid),
                    self.option_text(self.case.answers, qid),
                    self.case.toelichting(qid),
                    None if v.same else self.effect(qid),
                )
            )
        return out

    def key_reasons_not_asked(self) -> list[tuple[Question, str, str | None]]:
        """The key's answers to questions her routing skipped, with their reasons."""
        assert self.case is not None
        return [
            (
                self.questionnaire.by_id[q],
                self.option_text(self.case.answers, q),
                self.case.toelichting(q),
            )
            for q in self.not_asked_by_her
        ]

    # -- the sums --------------------------------------------------------------------------

    def axis_max(self, axis: str) -> int:
        return self.scorer.axis_max[axis]

    def bands(self) -> list[BandRange]:
        return self.scorer.band_ranges()

    # -- what if ---------------------------------------------------------------------------

    def continuing(self) -> tuple[Question, str] | None:
        """After a routing result: the routing question and the option that goes on."""
        qid = self.result.routed_by
        if qid is None:
            return None
        return self.questionnaire.by_id[qid], self.scorer.continuing_option(qid).short

    def change_text(self, w: WhatIf) -> str:
        """One what-if change, short: "Q5 ‘soms geheugenproblemen’", "Q12 ‘Sonde’ aangevinkt"."""
        question = self.questionnaire.by_id[w.question_id]
        parts = []
        if w.option_code is not None:
            parts.append(f"‘{question.option(w.option_code).short}’")
        if w.item_id is not None and question.checklist is not None:
            item = next(i for i in question.checklist.items if i.id == w.item_id)
            if w.option_code is not None:
                parts.append(f"met ‘{item.short}’")
            else:
                parts.append(f"‘{item.short}’ {'aangevinkt' if w.item_added else 'uitgevinkt'}")
        return f"{w.question_id} " + " ".join(parts)

    def is_key_answer(self, w: WhatIf) -> bool:
        """The change sets one of her answers to the key's."""
        if self.case is None or w.option_code is None or w.item_id is not None:
            return False
        return self.case.answers.options.get(w.question_id) == w.option_code

    @cached_property
    def what_if(self) -> list[WhatIfGroup]:
        """Single changes that give another profile, grouped by that profile: the key's first,
        then groups that correct one of her answers, the model's own boundaries, and the
        routing shortcuts (a child, terminal, no information) last."""
        key_profile = self.key.profile if self.key is not None else None
        fixes = self.is_key_answer
        routing = set(self.scorer.routing_ids)
        groups: dict[str, list[WhatIf]] = {}
        for w in self.scorer.what_if(self.done.answers):
            groups.setdefault(w.profile, []).append(w)

        out = [
            WhatIfGroup(
                profile,
                profile_name(profile),
                profile == key_profile,
                tuple(sorted(changes, key=lambda w: not fixes(w))),
                any(fixes(w) for w in changes),
            )
            for profile, changes in groups.items()
        ]
        out.sort(
            key=lambda g: (
                not g.is_key,
                not g.fixes_hers,
                all(w.question_id in routing for w in g.changes),
            )
        )
        return out
