"""Feedback that teaches: her profile against the key's, why it came out, what would change it.

Everything shown comes from a :class:`dkdl.feedback.Feedback` (scores, explanation, per-question
verdicts and effects, what-if groups, maxima and bands); this screen only lays it out. Build it
from a model object: ``FeedbackScreen(Feedback(done, scorer))``; the trainer's session detail
uses it with ``review=True`` (only 'terug'), and so does an earlier session reopened from Mijn
voortgang. A case chosen for her weak points carries ``weak_reason``: the feedback says it again,
and 'volgende' asks for the next weak-point case.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.markup import escape
from textual.screen import Screen
from textual.widgets import Button, Digits, Header, Static

from dkdl.feedback import Feedback, WhatIfGroup
from dkdl.scoring import DK, DL, OB, Explanation, Result, dutch_number, profile_name, profile_number
from dkdl.tui.messages import GoHome, NextCase, RetryCase, WeakCaseWanted
from dkdl.tui.text import bold_markup
from dkdl.tui.widgets.balance import AxisBar, BalanceView, ObBar
from dkdl.tui.widgets.footer import SteadyFooter

MAX_CHANGES = 3  # what-if changes named per profile; more are counted


class ProfileCard(Vertical):
    """One profile, large: a heading, the number (or routing result) and the exact label."""

    def __init__(self, heading: str, result: Result, classes: str = "") -> None:
        super().__init__(classes=f"card {classes}")
        self.heading = heading
        self.result = result

    def compose(self) -> ComposeResult:
        code = self.result.profile
        number = profile_number(code)
        yield Static(f"[b]{self.heading}[/b]", classes="card-heading")
        if number is not None:
            with Horizontal(classes="card-big"):
                yield Static("Profiel\nDKDL", classes="card-word")
                yield Digits(number, classes="card-digits")
        else:
            yield Static(f"[b]{profile_name(code).upper()}[/b]", classes="card-routing")
        yield Static(self.result.label, classes="card-label")


class FeedbackScreen(Screen[None]):
    """Feedback after oefenen (with key) or vrije registratie (no key)."""

    # The way back first: the footer leaves out the keys at its end that do not fit (80 columns
    # hold esc, r, n and c; f1 and the rest follow when there is room). 'c' is "Casus" as on
    # the question screen; its button says "Casus lezen (c)".
    BINDINGS = [
        Binding("escape", "home", "Naar start"),
        Binding("escape", "back", "Terug"),  # reopened (review): back where she came from
        Binding("r", "retry", "Opnieuw"),
        Binding("n", "next_case", "Volgende casus"),
        Binding("n", "next_weak_case", "Volgende zwakke punt"),
        Binding("c", "case_text", "Casus"),
    ]

    def __init__(self, feedback: Feedback, *, review: bool = False, weak_reason: str = "") -> None:
        super().__init__()
        self.feedback = feedback
        self.done = feedback.done
        self.review = review  # opened from a toets summary, Mijn voortgang or the trainer
        self.weak_reason = weak_reason  # why the weak-point choice picked this case

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "next_case" and self.weak_reason:
            return False  # 'n' is the next weak-point case instead
        if action == "next_weak_case":
            return bool(self.weak_reason) and not self.review
        if action in ("next_case", "case_text"):
            return self.done.case is not None and (action == "case_text" or not self.review)
        if action == "retry":
            return not self.review
        if action in ("home", "back"):
            return self.review == (action == "back")
        return True

    # -- layout --------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        fb = self.feedback
        mine, key = fb.result, fb.key
        yield Header()
        with VerticalScroll(id="feedback"):
            with Horizontal(id="cards"):
                match = "" if key is None else ("match" if fb.right else "miss")
                yield ProfileCard(
                    "Jouw profiel" if key is not None else "Profiel", mine, classes=match
                )
                if key is not None:
                    yield ProfileCard("Profiel volgens de sleutel", key, classes="key")
            yield Static(self._verdict(), id="verdict")
            if self.weak_reason:
                yield Static(
                    f"[b]Oefen je zwakke punten:[/b] {escape(self.weak_reason)}", id="weak-reason"
                )
            if self.done.case_changed:
                yield Static(
                    "⚠ Deze casus is gewijzigd sinds deze oefening; de sleutel hieronder is de "
                    "huidige.",
                    classes="warning",
                )
            if mine.warnings:
                yield Static("\n".join(f"⚠ {w}" for w in mine.warnings), classes="warning")
            yield from self._why(fb.explanation)
            if fb.has_key:
                yield from self._per_question()
            else:
                yield from self._free_answers()
            yield from self._what_if()
            with Horizontal(id="actions"):
                if self.review:
                    yield Button("← Terug (Esc)", id="home", variant="primary")
                    if fb.has_key:
                        yield Button("Casus lezen (c)", id="case_text")
                else:
                    if fb.has_key:
                        yield Button("Opnieuw (r)", id="retry")
                        if self.weak_reason:
                            yield Button(
                                "Volgende zwakke punt (n)", id="next_weak_case", variant="primary"
                            )
                        else:
                            yield Button("Volgende casus (n)", id="next_case", variant="primary")
                        yield Button("Casus lezen (c)", id="case_text")
                    else:
                        yield Button("Nieuwe registratie (r)", id="retry", variant="primary")
                    yield Button("Naar start (Esc)", id="home")
        yield SteadyFooter()

    def on_mount(self) -> None:
        case = self.done.case
        self.sub_title = f"Feedback: {case.title}" if case else "Vrije registratie: uitslag"
        self.query_one("#feedback").focus()

    def _verdict(self) -> str:
        fb = self.feedback
        if fb.key is None:
            return (
                "Dit profiel volgt uit je antwoorden. Hieronder staat waarom, "
                "en welke ene wijziging een ander profiel had gegeven."
            )
        right, total = fb.tally()
        tally = f"{right} van {total} vragen gelijk aan de sleutel."
        skipped = len(fb.not_asked_by_key) + len(fb.not_asked_by_her)
        if skipped:
            tally += f" {skipped} {'vraag' if skipped == 1 else 'vragen'} door de routering niet "
            tally += "gesteld (één fout, bij de routeringsvraag)."
        if fb.right:
            return f"[b $success]✓ Goed: hetzelfde profiel als de sleutel.[/] {tally}"
        return (
            f"[b $error]✗ Ander profiel dan de sleutel[/] "
            f"(jij {profile_name(fb.result.profile)}, sleutel {profile_name(fb.key.profile)}). "
            f"{tally}"
        )

    # -- why -----------------------------------------------------------------------------

    def _why(self, explanation: Explanation) -> ComposeResult:
        fb = self.feedback
        yield Static("Waarom dit profiel", classes="section")
        if explanation.routing_reason is not None:
            yield Static(bold_markup(explanation.routing_reason), classes="para")
            return
        key_scores = fb.key.scores if fb.key is not None else None
        axes = {a.axis: a for a in explanation.axes}
        m = fb.questionnaire.model
        s = explanation.result.scores
        assert s is not None
        bars = [
            AxisBar(
                "Draagkracht",
                s.draagkracht,
                fb.axis_max(DK),
                m.draagkrachtig_above,
                axes[DK].outcome,
                True,
                f"draagkrachtig bij meer dan {dutch_number(m.draagkrachtig_above)}",
                None if key_scores is None else key_scores.draagkracht,
            ),
            AxisBar(
                "Draaglast",
                s.draaglast,
                fb.axis_max(DL),
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
            fb.bands(),
            None if key_scores is None else key_scores.ondersteuningsbehoefte,
            id="obbar",
        )
        yield Static("Wat gaf de doorslag", classes="section")
        checklist = fb.questionnaire.by_id.get(fb.scorer.checklist_id or "")
        for axis in explanation.axes:
            sign = "−" if axis.axis == DK else "+"
            lines = [f"[b]{axis.title}[/b]: {axis.rule} → [b]{axis.outcome}[/b]"]
            if axis.tipping:
                for c in axis.tipping:
                    if c.item_id and checklist is not None and checklist.checklist is not None:
                        item = next(i for i in checklist.checklist.items if i.id == c.item_id)
                        what = f"vinkje ‘{item.short}’"
                    else:
                        option = fb.questionnaire.by_id[c.question_id].option(c.option_code)
                        what = f"‘{option.short}’"
                    lines.append(
                        f"  • {c.question_id} {c.question_title}: {what} ({sign}{c.weight})"
                    )
            else:
                lines.append("  • geen enkel antwoord telde mee (alles 0)")
            yield Static("\n".join(lines), classes="para tipping")

    # -- per question --------------------------------------------------------------------

    def _per_question(self) -> ComposeResult:
        fb = self.feedback
        yield Static("Per vraag: jouw antwoord en de sleutel", classes="section")
        for line in fb.lines:
            question = line.question
            head = f"{question.id} {bold_markup(question.title)}"
            rows = []
            if line.same:
                rows.append(f"[$success]✓[/] [b]{head}[/b]: {bold_markup(line.mine)}")
            else:
                rows.append(f"[$error]✗[/] [b]{head}[/b]")
                rows.append(f"    jij:     {bold_markup(line.mine)}")
                rows.append(f"    sleutel: [b]{bold_markup(line.key)}[/b]")
                if line.effect:
                    rows.append(f"    [dim]effect:[/]  {line.effect} door jouw antwoord")
            if line.reason:
                rows.append(f"    [dim]toelichting:[/] {bold_markup(line.reason)}")
            yield Static("\n".join(rows), classes="qline " + ("right" if line.same else "wrong"))
        if fb.not_asked_by_key:
            yield Static(
                "[b]Niet gesteld door de routering[/b] (de sleutel stopt eerder; telt niet als "
                f"extra fout): {', '.join(fb.not_asked_by_key)}",
                classes="qline",
                id="not-asked",
            )
        if fb.not_asked_by_her:
            rows = [
                "[b]Niet gesteld door de routering[/b] (jouw antwoord sloeg ze over; telt niet "
                f"als extra fout): {', '.join(fb.not_asked_by_her)}. De sleutel:"
            ]
            for question, key, reason in fb.key_reasons_not_asked():
                row = f"    {question.id} {bold_markup(question.title)}: {bold_markup(key)}"
                if reason:
                    row += f" [dim]({bold_markup(reason)})[/]"
                rows.append(row)
            yield Static("\n".join(rows), classes="qline", id="not-asked")

    def _free_answers(self) -> ComposeResult:
        fb = self.feedback
        answers = self.done.answers
        yield Static("Jouw antwoorden", classes="section")
        lines = [
            f"{qid} {bold_markup(fb.questionnaire.by_id[qid].title)}: "
            f"{bold_markup(fb.option_text(answers, qid))}"
            for qid in fb.scorer.reached(answers.options)
        ]
        yield Static("\n".join(lines), classes="para")

    # -- what if -------------------------------------------------------------------------

    def _what_if(self) -> ComposeResult:
        fb = self.feedback
        groups = fb.what_if
        yield Static("Wat als… (één antwoord anders)", classes="section")
        going_on = fb.continuing()
        if going_on is not None:  # the alternatives that go on need more answers: say so
            question, option = going_on
            yield Static(
                f"Met ‘{option}’ bij {bold_markup(question.title)} ({question.id}) "
                "gaat de vragenlijst verder; welk profiel dan uitkomt, hangt af van de volgende "
                "vragen.",
                classes="para",
            )
        if not groups:
            if going_on is None:
                yield Static(
                    "Geen enkele wijziging van één antwoord geeft een ander profiel.",
                    classes="para",
                )
            return
        routing = set(fb.scorer.routing_ids)
        lines = []
        shortcuts = []
        for group in groups:
            if all(w.question_id in routing for w in group.changes):
                shortcuts.append(group)
                continue
            lines.append(self._group_line(group))
        if shortcuts:
            names = ", ".join(
                f"{g.name} ({'/'.join(sorted({w.question_id for w in g.changes}))})"
                for g in shortcuts
            )
            lines.append(f"• Via de routering: {names}; de rest wordt dan niet gevraagd.")
        yield Static("\n".join(lines), classes="para", id="whatif")

    def _group_line(self, group: WhatIfGroup) -> str:
        head = f"[b]{group.name}[/b]"
        if group.is_key:
            head += " [$success]← het profiel van de sleutel[/]"
        fb = self.feedback
        named = [
            bold_markup(fb.change_text(w))
            + (" [$success](zoals de sleutel)[/]" if fb.is_key_answer(w) else "")
            for w in group.changes
        ]
        more = len(named) - MAX_CHANGES
        text = "; ".join(named[:MAX_CHANGES])
        if more > 0:
            text += f" (en {more} andere {'wijziging' if more == 1 else 'wijzigingen'})"
        return f"• {head}: {text}"

    # -- actions -------------------------------------------------------------------------

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        actions = {
            "retry": self.action_retry,
            "next_case": self.action_next_case,
            "next_weak_case": self.action_next_weak_case,
            "case_text": self.action_case_text,
            "home": self.action_home,
        }
        actions[event.button.id or "home"]()

    def action_retry(self) -> None:
        if not self.review:
            self.post_message(RetryCase(self.done))

    def action_next_case(self) -> None:
        if self.done.case is not None and not self.review:
            self.post_message(NextCase(self.done.case))

    def action_next_weak_case(self) -> None:
        if self.weak_reason and not self.review:
            self.post_message(WeakCaseWanted())

    def action_case_text(self) -> None:
        from dkdl.tui.screens.casetext import CaseTextScreen

        if self.done.case is not None:
            self.app.push_screen(CaseTextScreen(self.done.case))

    def action_home(self) -> None:
        if self.review:
            self.dismiss()
        else:
            self.post_message(GoHome())

    def action_back(self) -> None:
        if self.review:
            self.dismiss()
