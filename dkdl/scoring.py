"""From answers to a profile, with the explanation and the what-if lines.

The rules reproduce the NZa DKDL-tool for every answer set (see the domain reference):
routing first (first match wins), otherwise three sums, three thresholds, one of twelve profiles.
All numbers come from the questionnaire file; this module only knows the shape of the model.
Plain Python, no UI imports.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # types only: the profile names need no pydantic (trainer start-up)
    from dkdl.questionnaire import Option, Question, Questionnaire


DK, DL, OB = "draagkracht", "draaglast", "ondersteuningsbehoefte"


class AnswerError(ValueError):
    """An answer set that cannot be scored; ``problems`` holds one Dutch sentence per problem."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass(frozen=True)
class Answers:
    """A validated answer set: option code per reached question, and the ticked checklist items.

    Only questions that routing reaches are kept. ``items`` is kept as given even when the
    checklist does not count (the scorer then warns), so a log shows what the nurse ticked.
    """

    options: Mapping[str, int]
    items: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Scores:
    draagkracht: int  # DK = max - deficit, as the NZa tool reports it
    draaglast: int
    ondersteuningsbehoefte: int
    deficit: int

    def as_dict(self) -> dict[str, int]:
        return {DK: self.draagkracht, DL: self.draaglast, OB: self.ondersteuningsbehoefte}


@dataclass(frozen=True)
class Result:
    profile: str
    label: str
    scores: Scores | None
    warnings: tuple[str, ...] = ()
    routed_by: str | None = None  # question id whose answer routed, for routing results


@dataclass(frozen=True)
class Contribution:
    question_id: str
    question_title: str
    option_code: int
    option_text: str
    weight: int
    item_id: str | None = None  # set for a checklist item


@dataclass(frozen=True)
class AxisExplanation:
    axis: str
    title: str
    total: int  # the model's sum (for draagkracht: DK, i.e. max - deficit)
    rule: str  # the sum and the threshold in words, to follow "<axis title>: "
    outcome: str  # which side of it, in words
    contributions: tuple[Contribution, ...]  # every answer on this axis, weight 0 included

    @property
    def tipping(self) -> tuple[Contribution, ...]:
        """The answers that pushed the sum: those with a weight above zero."""
        return tuple(c for c in self.contributions if c.weight > 0)


@dataclass(frozen=True)
class WhatIf:
    question_id: str
    description: str  # Dutch: "met 'volledig' bij Wassen/douchen (Q10)"
    profile: str
    label: str
    option_code: int | None = None
    item_id: str | None = None
    item_added: bool | None = None

    def apply(self, answers: Answers) -> Answers:
        """The answer set this alternative stands for."""
        options = dict(answers.options)
        items = set(answers.items)
        if self.option_code is not None:
            options[self.question_id] = self.option_code
        if self.item_id is not None:
            (items.add if self.item_added else items.discard)(self.item_id)
        return Answers(options, frozenset(items))


@dataclass(frozen=True)
class Verdict:
    """One question of a registration against the key."""

    question_id: str
    mine: int | None  # her option; None when her answers did not reach the question
    key: int | None  # the key's option; None when the key does not reach it
    same: bool  # same option, and for the checklist question the same items when they count


@dataclass(frozen=True)
class Explanation:
    result: Result
    axes: tuple[AxisExplanation, ...] = ()
    routing_reason: str | None = None


@dataclass(frozen=True)
class BandRange:
    """One ondersteuningsbehoefte band as whole sums: ``low`` to ``high`` inclusive."""

    id: str
    low: int
    high: int


ROUTING_NAMES = {
    "KINDZORG": "Kindzorg",
    "PTZ": "PTZ",
    "TIJDELIJK": "Tijdelijk",
    "GEEN_DKDL": "Geen DKDL",
}


def profile_name(code: str | None) -> str:
    """The one spelling of a profile for people: 'DKDL8' -> 'DKDL 8'; routing results by the
    name nurses use ('Kindzorg'); None -> '—'."""
    if code is None:
        return "—"
    number = profile_number(code)
    if number is not None:
        return f"DKDL {number}"
    return ROUTING_NAMES.get(code, code)


def profile_number(code: str) -> str | None:
    """'DKDL11' -> '11'; None for a routing result."""
    rest = code.removeprefix("DKDL")
    return rest if rest != code and rest.isdigit() else None


def dutch_number(x: float) -> str:
    """6.5 -> '6,5'; 3.0 -> '3'."""
    return f"{x:g}".replace(".", ",")


@dataclass
class Scorer:
    """A questionnaire compiled into lookup tables; score, explain and what-if against it."""

    questionnaire: Questionnaire
    _weights: dict[str, tuple[str, tuple[int, ...]]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        q = self.questionnaire
        self.question_ids = [x.id for x in q.questions]
        self.routing_ids = [x.id for x in q.questions if x.axis is None]
        self.scored_ids = [x.id for x in q.questions if x.axis is not None]
        self.n_options = {x.id: len(x.options) for x in q.questions}
        self._weights = {
            x.id: (x.axis, tuple(o.weight for o in x.options))
            for x in q.questions
            if x.axis is not None
        }
        self._routes: dict[tuple[str, int | None], str] = {}
        for rule in q.routing:  # first match wins: keep the first rule per (question, option)
            self._routes.setdefault((rule.question, rule.option), rule.result)
        checklist_q = next((x for x in q.questions if x.checklist is not None), None)
        checklist = checklist_q.checklist if checklist_q else None
        self.checklist_id = checklist_q.id if checklist_q else None
        self.items_key = f"{self.checklist_id}_items" if checklist_q else None
        self._checklist_option = checklist.when_option if checklist else None
        self.item_weights = {it.id: it.weight for it in checklist.items} if checklist else {}
        m = q.model
        self._dk_max = m.draagkracht_max
        self._dk_above = m.draagkrachtig_above
        self._dl_above = m.verhoogde_draaglast_above
        self._bands = [(b.id, b.up_to) for b in m.ob_bands]
        self._profiles = {
            (p.draagkrachtig, p.verhoogde_draaglast, p.band): (p.code, p.label) for p in q.profiles
        }
        self.labels = q.labels
        # the highest sum each axis can reach (draagkracht: its fixed maximum)
        ob_items = sum(self.item_weights.values())
        self.axis_max = {
            DK: m.draagkracht_max,
            DL: sum(max(o.weight for o in x.options) for x in q.questions if x.axis == DL),
            OB: sum(max(o.weight for o in x.options) for x in q.questions if x.axis == OB)
            + ob_items,
        }

    def band_ranges(self) -> list[BandRange]:
        """The OB bands as whole-number ranges, the last ending at the highest possible sum."""
        out, low = [], 0
        for band_id, up_to in self._bands:
            high = int(up_to) if up_to is not None else self.axis_max[OB]
            out.append(BandRange(band_id, low, high))
            low = high + 1
        return out

    def continuing_option(self, routing_qid: str) -> Option:
        """The option of a routing question after which the questionnaire goes on."""
        question = self.questionnaire.by_id[routing_qid]
        return next(o for o in question.options if (routing_qid, o.code) not in self._routes)

    def route_of(self, qid: str, code: int) -> str | None:
        """The routing result that option ``code`` of ``qid`` leads to, if any."""
        return self._routes.get((qid, code))

    # -- which questions are asked -------------------------------------------------------

    def reached(self, options: Mapping[str, int]) -> list[str]:
        """The questions to ask, in order, given the answers so far.

        A routing answer that fires ends the list after its question; an unanswered routing
        question does not (the questionnaire then simply goes on once it is answered).
        """
        out = []
        for qid in self.routing_ids:
            out.append(qid)
            if (qid, options.get(qid)) in self._routes:
                return out
        return out + self.scored_ids

    def checklist_counts(self, options: Mapping[str, int]) -> bool:
        """True when the checklist is shown and counted (e.g. Q12 = 2)."""
        return (
            self.checklist_id is not None
            and options.get(self.checklist_id) == self._checklist_option
        )

    # -- validation ----------------------------------------------------------------------

    def parse(self, raw: Mapping[str, object]) -> Answers:
        """Validate a raw answer mapping (as in ``dkdl score``); raise :class:`AnswerError`.

        Keys other than question ids, the checklist key and ``id`` are refused; answers to
        questions that routing does not reach are ignored, as the official tool ignores them.
        """
        problems: list[str] = []
        invalid: set[str] = set()  # answered but wrong: not also reported as missing
        options: dict[str, int] = {}
        n_options = self.n_options
        for key, value in raw.items():
            if key in n_options:
                if type(value) is not int:
                    invalid.add(key)
                    problems.append(
                        f"{key}: verwacht een optienummer (geheel getal), niet {value!r}"
                    )
                elif not 1 <= value <= n_options[key]:
                    invalid.add(key)
                    problems.append(
                        f"{key}: optie {value} bestaat niet (kies 1 t/m {n_options[key]})"
                    )
                else:
                    options[key] = value
            elif key != "id" and key != self.items_key:
                problems.append(f"onbekende vraag {key!r}")
        items: frozenset[str] = frozenset()
        if self.items_key is not None and self.items_key in raw:
            value = raw[self.items_key]
            if not isinstance(value, list) or not all(type(v) is str for v in value):
                problems.append(
                    f"{self.items_key}: verwacht een lijst met item-namen, niet {value!r}"
                )
            else:
                unknown = [v for v in value if v not in self.item_weights]
                if unknown:
                    problems.append(
                        f"{self.items_key}: onbekend item "
                        + ", ".join(repr(v) for v in unknown)
                        + " (bekend: "
                        + ", ".join(self.item_weights)
                        + ")"
                    )
                if len(set(value)) != len(value):
                    problems.append(f"{self.items_key}: een item staat er meer dan eens in")
                items = frozenset(value)
        reached = self.reached(options)
        missing = []
        for qid in reached:
            if qid in invalid:
                break  # what comes after depends on the answer we could not read
            if qid not in options:
                missing.append(qid)
        if missing:
            problems.append(
                "ontbrekend antwoord op " + ", ".join(missing) + " (verplicht bij deze antwoorden)"
            )
        if problems:
            raise AnswerError(problems)
        if len(options) > len(reached):
            options = {qid: options[qid] for qid in reached}
        if items and self.checklist_id not in options:
            items = frozenset()  # checklist question not reached: ignored like its question
        return Answers(options, items)

    # -- the model -----------------------------------------------------------------------

    def score(self, answers: Answers) -> Result:
        """Routing result, or the three sums and the profile; warnings for the tool's quirks."""
        options = answers.options
        for qid in self.routing_ids:
            code = options.get(qid)
            result = self._routes.get((qid, code))
            if result is not None:
                return Result(result, self.labels[result], None, (), qid)
            if code is None:
                raise AnswerError([f"ontbrekend antwoord op {qid}"])
        sums = {DK: 0, DL: 0, OB: 0}
        for qid, (axis, weights) in self._weights.items():
            code = options.get(qid)
            if code is None:
                raise AnswerError([f"ontbrekend antwoord op {qid}"])
            sums[axis] += weights[code - 1]
        warnings: tuple[str, ...] = ()
        if self.checklist_id is not None:
            if options[self.checklist_id] == self._checklist_option:
                if answers.items:
                    sums[OB] += sum(self.item_weights[i] for i in answers.items)
                else:
                    warnings = (self.warning_no_items(),)
            elif answers.items:
                warnings = (self.warning_items_ignored(),)
        return self.result_from_sums(sums[DK], sums[DL], sums[OB], warnings)

    # -- the compiled tables, for a scorer that decodes and adds up in one pass (dkdl score) --

    @property
    def routes(self) -> Mapping[tuple[str, int | None], str]:
        """``(routing question, option) -> result code``; the first matching rule won."""
        return self._routes

    @property
    def weights(self) -> Mapping[str, tuple[str, tuple[int, ...]]]:
        """``scored question -> (axis, weight per option code - 1)``."""
        return self._weights

    @property
    def checklist_option(self) -> int | None:
        """The option of the checklist question at which its items count."""
        return self._checklist_option

    def result_from_sums(
        self, deficit: int, dl: int, ob: int, warnings: tuple[str, ...] = ()
    ) -> Result:
        """The profile for the three sums (``deficit``: the draagkracht sum, before ``max -``),
        exactly as :meth:`score` finishes."""
        return self._result(self._dk_max - deficit, dl, ob, deficit, warnings)

    def _result(self, dk: int, dl: int, ob: int, deficit: int, warnings: tuple[str, ...]) -> Result:
        code, label = self._profiles[(dk > self._dk_above, dl > self._dl_above, self.band(ob))]
        return Result(code, label, Scores(dk, dl, ob, deficit), warnings)

    def band(self, ob: int) -> str:
        for band_id, up_to in self._bands:
            if up_to is None or ob <= up_to:
                return band_id
        raise AssertionError("the last band has no upper bound (checked on load)")

    def score_raw(self, raw: Mapping[str, object]) -> Result:
        """Validate and score in one go (``dkdl score``)."""
        return self.score(self.parse(raw))

    def warning_no_items(self) -> str:
        return (
            f"{self.checklist_id} = {self._checklist_option} (wel verpleegtechnische "
            "zorgvraag) maar geen item aangevinkt: de checklist telt 0 mee, zoals in de "
            "NZa-tool. Vink in de praktijk minstens één item aan."
        )

    def warning_items_ignored(self) -> str:
        return (
            f"{self.items_key} genegeerd: de checklist telt alleen mee bij "
            f"{self.checklist_id} = {self._checklist_option}, zoals in de NZa-tool."
        )

    # -- against the key -----------------------------------------------------------------

    def compare(self, mine: Answers, key: Answers) -> list[Verdict]:
        """Every question that her answers or the key reach, in questionnaire order, with both
        options and whether they agree. Checklist items are compared only where they count."""
        mine_reached, key_reached = set(self.reached(mine.options)), set(self.reached(key.options))
        verdicts = []
        for qid in self.question_ids:
            if qid not in mine_reached and qid not in key_reached:
                continue
            a = mine.options.get(qid) if qid in mine_reached else None
            b = key.options.get(qid) if qid in key_reached else None
            same = a is not None and a == b
            if same and qid == self.checklist_id and self.checklist_counts(mine.options):
                same = mine.items == key.items
            verdicts.append(Verdict(qid, a, b, same))
        return verdicts

    # -- explanation ---------------------------------------------------------------------

    def explain(self, answers: Answers) -> Explanation:
        """Why the profile came out: per axis the sum, the threshold, the side, the answers."""
        result = self.score(answers)
        q = self.questionnaire
        if result.routed_by is not None:
            question = q.by_id[result.routed_by]
            option = question.option(answers.options[result.routed_by])
            reason = (
                f"{question.id} {question.title}: \u201c{option.text}\u201d "
                "leidt direct naar "
                f"\u2018{result.label}\u2019; de overige vragen worden dan niet gesteld."
            )
            return Explanation(result, (), reason)
        contributions: dict[str, list[Contribution]] = {DK: [], DL: [], OB: []}
        for question in q.questions:
            if question.axis is None:
                continue
            code = answers.options[question.id]
            option = question.option(code)
            contributions[question.axis].append(
                Contribution(question.id, question.title, code, option.text, option.weight)
            )
            if question.checklist is not None and code == question.checklist.when_option:
                for item in question.checklist.items:
                    if item.id in answers.items:
                        contributions[question.axis].append(
                            Contribution(
                                question.id, question.title, code, item.text, item.weight, item.id
                            )
                        )
        s = result.scores
        assert s is not None
        m = q.model
        dk_ok = s.draagkracht > m.draagkrachtig_above
        dl_high = s.draaglast > m.verhoogde_draaglast_above
        band = self.band(s.ondersteuningsbehoefte)
        bands_text = []
        lower = 0.0
        for b in m.ob_bands:
            if b.up_to is None:
                bands_text.append(f"{b.id} boven {dutch_number(lower)}")
            else:
                bands_text.append(f"{b.id} t/m {dutch_number(b.up_to)}")
                lower = b.up_to
        axes = (
            AxisExplanation(
                DK,
                q.axis_title(DK),
                s.draagkracht,
                f"{m.draagkracht_max} \u2212 tekort {s.deficit} = {s.draagkracht}; "
                f"draagkrachtig bij meer dan {dutch_number(m.draagkrachtig_above)}",
                "draagkrachtig" if dk_ok else "verminderd draagkrachtig",
                tuple(contributions[DK]),
            ),
            AxisExplanation(
                DL,
                q.axis_title(DL),
                s.draaglast,
                f"{s.draaglast}; verhoogd bij meer dan {dutch_number(m.verhoogde_draaglast_above)}",
                "verhoogde draaglast" if dl_high else "geen verhoogde draaglast",
                tuple(contributions[DL]),
            ),
            AxisExplanation(
                OB,
                q.axis_title(OB),
                s.ondersteuningsbehoefte,
                f"{s.ondersteuningsbehoefte}; " + ", ".join(bands_text),
                f"{band} ondersteuningsbehoefte",
                tuple(contributions[OB]),
            ),
        )
        return Explanation(result, axes)

    # -- what-if -------------------------------------------------------------------------

    def what_if(self, answers: Answers) -> list[WhatIf]:
        """Every single change to an answered question (or checklist item) that changes the
        profile, with the profile it would give. Changes that would need answers not yet
        given (a routing question switched back to 'door') are left out."""
        current = self.score(answers).profile
        out: list[WhatIf] = []
        q = self.questionnaire
        for qid in self.reached(answers.options):
            question = q.by_id[qid]
            chosen = answers.options[qid]
            for option in question.options:
                if option.code == chosen:
                    continue
                base = WhatIf(qid, "", "", "", option_code=option.code)
                if question.checklist is not None and option.code == question.checklist.when_option:
                    # switching the checklist on only matters together with ticked items
                    for item in question.checklist.items:
                        alt = WhatIf(
                            qid,
                            "",
                            "",
                            "",
                            option_code=option.code,
                            item_id=item.id,
                            item_added=True,
                        )
                        self._add_if_changed(
                            out,
                            alt,
                            answers,
                            current,
                            question,
                            f"met \u2018{option.short}\u2019 bij {question.title} "
                            f"({qid}) en \u2018{item.short}\u2019",
                        )
                    continue
                self._add_if_changed(
                    out,
                    base,
                    answers,
                    current,
                    question,
                    f"met \u2018{option.short}\u2019 bij {question.title} ({qid})",
                )
            if question.checklist is not None and chosen == question.checklist.when_option:
                for item in question.checklist.items:
                    added = item.id not in answers.items
                    if not added and len(answers.items) == 1:
                        continue  # unticking the last item is the no-items quirk, not a choice
                    alt = WhatIf(qid, "", "", "", item_id=item.id, item_added=added)
                    verb = "aangevinkt" if added else "niet aangevinkt"
                    self._add_if_changed(
                        out,
                        alt,
                        answers,
                        current,
                        question,
                        f"met \u2018{item.short}\u2019 {verb} bij {question.title} ({qid})",
                    )
        return out

    def _add_if_changed(
        self,
        out: list[WhatIf],
        alt: WhatIf,
        answers: Answers,
        current: str,
        question: Question,
        description: str,
    ) -> None:
        changed = alt.apply(answers)
        if any(qid not in changed.options for qid in self.reached(changed.options)):
            return
        result = self.score(changed)
        if result.profile != current:
            out.append(
                WhatIf(
                    alt.question_id,
                    description,
                    result.profile,
                    result.label,
                    alt.option_code,
                    alt.item_id,
                    alt.item_added,
                )
            )
