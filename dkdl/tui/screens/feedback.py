"""Feedback that teaches: her profile against the key's, why it came out, what would change it.

Everything shown comes from the Scorer (score, explain, what_if) and the case (key, toelichting);
this screen only lays it out.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Digits, Header, Static

from dkdl.scoring import DK, DL, OB, Answers, Explanation, Result, dutch_number
from dkdl.tui.state import Done
from dkdl.tui.text import bold_markup, profile_short
from dkdl.tui.widgets.balance import AxisBar, BalanceView, Band, ObBar
from dkdl.tui.widgets.footer import SteadyFooter


def outcome(w) -> str:
    """'profiel DKDL 9', or the routing result by name, for a sentence: 'was het … geworden'."""
    if w.profile.startswith("DKDL"):
        return f"[b]profiel DKDL {w.profile.removeprefix('DKDL')}[/b]"
    return f"[b]‘{w.label}’[/b]"


class ProfileCard(Vertical):
    """One profile, large: a heading, the number (or routing result) and the exact label."""

    def __init__(self, heading: str, result: Result, classes: str = "") -> None:
        super().__init__(classes=f"card {classes}")
        self.heading = heading
        self.result = result

    def compose(self) -> ComposeResult:
        code = self.result.profile
        yield Static(f"[b]{self.heading}[/b]", classes="card-heading")
        if code.startswith("DKDL"):
            with Horizontal(classes="card-big"):
                yield Static("Profiel\nDKDL", classes="card-word")
                yield Digits(code[4:], classes="card-digits")
        else:
            yield Static(f"[b]{profile_short(code).upper()}[/b]", classes="card-routing")
        yield Static(self.result.label, classes="card-label")


class FeedbackScreen(Screen):
    """Feedback after oefenen (with key) or vrije registratie (no key)."""

    BINDINGS = [
        Binding("r", "retry", "Opnieuw"),
        Binding("n", "next_case", "Volgende casus"),
        Binding("escape", "home", "Naar start"),
    ]

    def __init__(self, done: Done, *, review: bool = False) -> None:
        super().__init__()
        self.done = done
        self.review = review  # opened from a toets summary: only 'terug'
        app = self.app
        self.scorer = app.scorer
        self.questionnaire = app.questionnaire

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "next_case":
            return self.done.case is not None and not self.review
        if action == "retry":
            return not self.review
        return True

    # -- layout --------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        done = self.done
        case = done.case
        mine = done.result
        key = case.result if case is not None else None
        explanation = self.scorer.explain(done.answers)
        yield Header()
        with VerticalScroll(id="feedback"):
            with Horizontal(id="cards"):
                match = "" if key is None else ("match" if key.profile == mine.profile else "miss")
                yield ProfileCard(
                    "Jouw profiel" if key is not None else "Profiel", mine, classes=match
                )
                if key is not None:
                    yield ProfileCard("Profiel volgens de sleutel", key, classes="key")
            yield Static(self._verdict(), id="verdict")
            if mine.warnings:
                yield Static("\n".join(f"⚠ {w}" for w in mine.warnings), classes="warning")
            yield from self._why(explanation)
            if case is not None:
                yield from self._per_question()
            else:
                yield from self._free_answers()
            yield from self._what_if()
            with Horizontal(id="actions"):
                if self.review:
                    yield Button("← Terug naar de uitslag", id="home", variant="primary")
                else:
                    if case is not None:
                        yield Button("Opnieuw (r)", id="retry")
                        yield Button("Volgende casus (n)", id="next_case", variant="primary")
                    else:
                        yield Button("Nieuwe registratie (r)", id="retry", variant="primary")
                    yield Button("Naar start (Esc)", id="home")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.sub_title = (
            f"Feedback: {self.done.case.title}" if self.done.case else "Vrije registratie: uitslag"
        )
        self.query_one("#feedback").focus()

    def _verdict(self) -> str:
        done = self.done
        if done.case is None:
            return (
                "Dit profiel volgt uit je antwoorden. Hieronder staat waarom, "
                "en welke ene wijziging een ander profiel had gegeven."
            )
        key = done.case.result
        right, total = self._count_right()
        tally = f"{right} van {total} vragen gelijk aan de sleutel."
        if key.profile == done.result.profile:
            return f"[b $success]✓ Goed: hetzelfde profiel als de sleutel.[/] {tally}"
        return (
            f"[b $error]✗ Ander profiel dan de sleutel[/] "
            f"(jij {profile_short(done.result.profile)}, sleutel {profile_short(key.profile)}). "
            f"{tally}"
        )

    # -- why -----------------------------------------------------------------------------

    def _why(self, explanation: Explanation) -> ComposeResult:
        yield Static("Waarom dit profiel", classes="section")
        if explanation.routing_reason is not None:
            yield Static(bold_markup(explanation.routing_reason), classes="para")
            return
        key_scores = None
        if self.done.case is not None and self.done.case.result.scores is not None:
            key_scores = self.done.case.result.scores
        axes = {a.axis: a for a in explanation.axes}
        m = self.questionnaire.model
        s = explanation.result.scores
        assert s is not None
        dl_max = sum(
            max(o.weight for o in q.options) for q in self.questionnaire.questions if q.axis == DL
        )
        bars = [
            AxisBar(
                "Draagkracht",
                s.draagkracht,
                m.draagkracht_max,
                m.draagkrachtig_above,
                axes[DK].outcome,
                True,
                f"draagkrachtig bij meer dan {dutch_number(m.draagkrachtig_above)}",
                None if key_scores is None else key_scores.draagkracht,
            ),
            AxisBar(
                "Draaglast",
                s.draaglast,
                dl_max,
                m.verhoogde_draaglast_above,
                axes[DL].outcome,
                False,
                f"verhoogde draaglast bij meer dan {dutch_number(m.verhoogde_draaglast_above)}",
                None if key_scores is None else key_scores.draaglast,
            ),
        ]
        yield Static("[b]Draagkracht tegenover draaglast[/b]", classes="subsection")
        yield BalanceView(bars, id="balance")
        yield Static(
            f"[b]Ondersteuningsbehoefte: {s.ondersteuningsbehoefte}[/b] → {axes[OB].outcome}",
            classes="subsection",
        )
        yield ObBar(
            s.ondersteuningsbehoefte,
            self._bands(),
            None if key_scores is None else key_scores.ondersteuningsbehoefte,
            id="obbar",
        )
        yield Static("Wat gaf de doorslag", classes="section")
        for axis in explanation.axes:
            sign = "−" if axis.axis == DK else "+"
            lines = [f"[b]{axis.title}[/b]: {axis.rule} → [b]{axis.outcome}[/b]"]
            if axis.tipping:
                for c in axis.tipping:
                    what = (
                        f"vinkje ‘{self._item_short(c.item_id)}’"
                        if c.item_id
                        else f"‘{self._short(c.question_id, c.option_code)}’"
                    )
                    lines.append(
                        f"  • {c.question_id} {c.question_title}: {what} ({sign}{c.weight})"
                    )
            else:
                lines.append("  • geen enkel antwoord telde mee (alles 0)")
            yield Static("\n".join(lines), classes="para tipping")

    def _bands(self) -> list[Band]:
        q = self.questionnaire
        ob_max = sum(max(o.weight for o in x.options) for x in q.questions if x.axis == OB)
        ob_max += sum(
            it.weight for x in q.questions if x.checklist is not None for it in x.checklist.items
        )
        bands, low = [], 0
        for b in q.model.ob_bands:
            high = int(b.up_to) if b.up_to is not None else ob_max
            bands.append(Band(b.id, low, high))
            low = high + 1
        return bands

    # -- per question --------------------------------------------------------------------

    def _short(self, qid: str, code: int | None) -> str:
        if code is None:
            return "—"
        return self.questionnaire.by_id[qid].option(code).short

    def _answer_text(self, answers: Answers, qid: str, reached: list[str]) -> str:
        if qid not in reached or qid not in answers.options:
            return "[dim]niet gesteld[/]"
        code = answers.options[qid]
        text = f"{code} ‘{self._short(qid, code)}’"
        if qid == self.scorer.checklist_id and self.scorer.checklist_counts(answers.options):
            question = self.questionnaire.by_id[qid]
            names = [
                it.short
                for it in question.checklist.items  # type: ignore[union-attr]
                if it.id in answers.items
            ]
            text += " (" + ", ".join(names) + ")"
        return text

    def _item_short(self, item_id: str) -> str:
        checklist = self.questionnaire.by_id[self.scorer.checklist_id or ""].checklist
        return next(it.short for it in checklist.items if it.id == item_id)  # type: ignore[union-attr]

    def _verdicts(self):
        case = self.done.case
        assert case is not None
        return self.scorer.compare(self.done.answers, case.answers)

    def _count_right(self) -> tuple[int, int]:
        verdicts = self._verdicts()
        return sum(v.same for v in verdicts), len(verdicts)

    def _per_question(self) -> ComposeResult:
        case = self.done.case
        assert case is not None
        mine, key = self.done.answers, case.answers
        my_reached = self.scorer.reached(mine.options)
        key_reached = self.scorer.reached(key.options)
        yield Static("Per vraag: jouw antwoord en de sleutel", classes="section")
        for verdict in self._verdicts():
            qid, same = verdict.question_id, verdict.same
            question = self.questionnaire.by_id[qid]
            head = f"{qid} {bold_markup(question.title)}"
            reason = case.toelichting(qid)
            lines = []
            if same:
                lines.append(
                    f"[$success]✓[/] [b]{head}[/b]: {self._answer_text(mine, qid, my_reached)}"
                )
            else:
                lines.append(f"[$error]✗[/] [b]{head}[/b]")
                lines.append(f"    jij:     {self._answer_text(mine, qid, my_reached)}")
                lines.append(f"    sleutel: [b]{self._answer_text(key, qid, key_reached)}[/b]")
            if reason:
                lines.append(f"    [dim]toelichting:[/] {bold_markup(reason)}")
            yield Static("\n".join(lines), classes="qline " + ("right" if same else "wrong"))

    def _free_answers(self) -> ComposeResult:
        answers = self.done.answers
        reached = self.scorer.reached(answers.options)
        yield Static("Jouw antwoorden", classes="section")
        lines = [
            f"{qid} {bold_markup(self.questionnaire.by_id[qid].title)}: "
            f"{self._answer_text(answers, qid, reached)}"
            for qid in reached
        ]
        yield Static("\n".join(lines), classes="para")

    # -- what if -------------------------------------------------------------------------

    def _what_if(self) -> ComposeResult:
        alternatives = self.scorer.what_if(self.done.answers)
        yield Static("Wat als… (één antwoord anders)", classes="section")
        routed_by = self.done.result.routed_by
        if routed_by is not None:  # the alternatives that go on need more answers: say so
            question = self.questionnaire.by_id[routed_by]
            routed = {r.option for r in self.questionnaire.routing if r.question == routed_by}
            go_on = next(o for o in question.options if o.code not in routed)
            yield Static(
                f"Met ‘{go_on.short}’ bij {bold_markup(question.title)} ({routed_by}) "
                "gaat de vragenlijst verder; welk profiel dan uitkomt, hangt af van de volgende "
                "vragen.",
                classes="para",
            )
        if not alternatives:
            if routed_by is None:
                yield Static(
                    "Geen enkele wijziging van één antwoord geeft een ander profiel.",
                    classes="para",
                )
            return
        key_profile = self.done.case.result.profile if self.done.case else None
        routing = set(self.scorer.routing_ids)
        # the key's profile first; the routing shortcuts (a child, terminal, no information)
        # teach least about the model, so they come last
        alternatives.sort(key=lambda w: (w.profile != key_profile, w.question_id in routing))
        lines = []
        for w in alternatives:
            line = f"• {w.description[:1].upper()}{w.description[1:]} was het {outcome(w)} geworden"
            if w.profile == key_profile:
                line += " [$success]← het profiel van de sleutel[/]"
            lines.append(line)
        yield Static("\n".join(lines), classes="para", id="whatif")

    # -- actions -------------------------------------------------------------------------

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        actions = {
            "retry": self.action_retry,
            "next_case": self.action_next_case,
            "home": self.action_home,
        }
        actions[event.button.id]()

    def action_retry(self) -> None:
        if not self.review:
            self.app.retry(self.done)

    def action_next_case(self) -> None:
        if self.done.case is not None and not self.review:
            self.app.next_case(self.done.case)

    def action_home(self) -> None:
        if self.review:
            self.dismiss()
        else:
            self.app.to_start()
