"""The questionnaire: four official steps, one question at a time, the case beside it.

The screen presents and routes; which questions are asked comes from ``Scorer.reached`` on every
change, and each answer goes to the log the moment it is given.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.markup import escape
from textual.screen import Screen
from textual.widgets import Button, Checkbox, Header, Markdown, RadioSet, Static

from dkdl.errors import UserError
from dkdl.tui.state import Session
from dkdl.tui.text import bold_markup
from dkdl.tui.widgets.footer import SteadyFooter
from dkdl.tui.widgets.options import AnswerSet, ItemCheckbox, OptionButton

FREE_NOTE = (
    "[b]Vrije registratie[/b]: vul in voor een situatie die je voor ogen hebt. "
    "Noem geen namen of andere gegevens van cliënten; de app vraagt en bewaart ze niet."
)


class QuestionScreen(Screen):
    """One session's questionnaire. ``session`` holds all state; widgets only show it."""

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]

    BINDINGS = [
        # All navigation keys are priority bindings so that keys typed in quick succession are
        # handled in order (non-priority keys travel via the focused widget's queue).
        Binding("1", "choose(1)", "Kies", key_display="1-4", priority=True),
        *[Binding(str(n), f"choose({n})", show=False, priority=True) for n in range(2, 10)],
        Binding("right", "next", "Verder", key_display="→", priority=True),
        Binding("enter", "enter", "Verder", show=False, priority=True),
        Binding("space", "space", "Aanvinken", show=False, priority=True),
        Binding("left", "back", "Terug", key_display="←", priority=True),
        Binding("c", "toggle_vignette", "Casus"),
        # the case text beside the questions scrolls with PageUp/PageDown (keyboard users
        # could not reach its lower half otherwise)
        Binding("pagedown", "scroll_case(1)", "Casus verder", show=False),
        Binding("pageup", "scroll_case(-1)", "Casus terug", show=False),
        Binding("g", "jump", "Vragen"),
        Binding("h", "hint", "Hint"),
        Binding("escape", "leave", "Stoppen"),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        app = self.app
        self.scorer = app.scorer
        self.questionnaire = app.questionnaire
        self.practice_log = app.practice_log
        self.answer_set: AnswerSet | None = None

    # -- layout --------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        case = self.session.case
        yield Header()
        with Horizontal(id="body"):
            if case is not None:
                with VerticalScroll(id="vignette"):
                    yield Static(f"[b]Casus:[/b] {escape(case.title)}", classes="pane-title")
                    yield Markdown(case.data.vignette, id="vignette-text")
                    yield Button("Naar de vragen (c)", id="to-questions", compact=True)
            with Vertical(id="qpane"):
                if self.session.mode == "vrij":
                    yield Static(FREE_NOTE, id="free-note", classes="muted")
                yield Static(id="steps")
                yield Static(id="progress")
                yield Static(id="strip")
                with VerticalScroll(id="qscroll"):
                    yield Static(id="qtitle")
                    yield Static(id="qnote", classes="muted")
                    with Vertical(id="answers"):
                        # One answer set per question, shown one at a time: switching questions
                        # is then a display toggle, with no widgets mounted or removed.
                        for question in self.questionnaire.questions:
                            chosen = self.session.options.get(question.id)
                            answer_set = AnswerSet(
                                *[
                                    OptionButton(o.code, o.text, value=(o.code == chosen))
                                    for o in question.options
                                ],
                                id=f"set-{question.id}",
                            )
                            answer_set.display = False
                            yield answer_set
                    yield Static(
                        "Welke verpleegtechnische zorg? Vink [b]minstens één[/b] aan "
                        "(↑ ↓ kiest een regel, spatie of klik vinkt aan):",
                        id="checklist-label",
                    )
                    with Vertical(id="checklist"):
                        yield from self._checklist_items()
                with Horizontal(id="nav"):
                    yield Button("← Vorige", id="back", compact=True)
                    yield Button("Volgende →", id="next", compact=True, variant="primary")
        yield SteadyFooter(compact=True)

    def _checklist_items(self) -> ComposeResult:
        checklist_q = self.questionnaire.by_id.get(self.scorer.checklist_id or "")
        if checklist_q is not None and checklist_q.checklist is not None:
            for item in checklist_q.checklist.items:
                yield ItemCheckbox(item.id, item.text, item.id in self.session.items)

    def on_mount(self) -> None:
        self.sub_title = self._subtitle()
        first = self.session.current or self._resume_point()
        self.show_question(first)
        if self.session.case is not None and self.size.width < 110 and not self.session.options:
            # Narrow terminal, fresh start: read the case first; 'c' switches to the questions.
            self.add_class("-toggled")
            self.query_one("#to-questions").focus()

    def _subtitle(self) -> str:
        s = self.session
        if s.mode == "vrij":
            return "Vrije registratie"
        if s.test is not None:
            return f"Toets: casus {s.test.index + 1} van {len(s.test.cases)}"
        return f"Oefenen: {s.case.title}" if s.case else "Oefenen"

    def _resume_point(self) -> str:
        missing = self.session.missing(self.scorer)
        return missing[0] if missing else self.session.reached(self.scorer)[-1]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "toggle_vignette":
            return self.session.case is not None
        if action == "hint":
            return self.hint() is not None
        # the case fills the screen: keys scroll it, 'c' goes back
        return not (action in ("choose", "next", "back", "jump", "enter") and self.reading())

    def hint(self) -> str | None:
        """The case's hint, in oefenen only: a toets (and vrij) never offers it."""
        s = self.session
        if s.mode != "oefenen" or s.test is not None or s.case is None:
            return None
        return s.case.hint

    def action_hint(self) -> None:
        hint = self.hint()
        if hint is not None:
            self.notify(escape(hint), title="Hint van een collega", timeout=30)

    def reading(self) -> bool:
        """Narrow terminal with the case text shown instead of the questions."""
        return self.has_class("-narrow") and self.has_class("-toggled")

    # -- showing -------------------------------------------------------------------------

    def show_question(self, qid: str) -> None:
        """Put question ``qid`` on screen (it must be one that routing reaches)."""
        s = self.session
        self.log_time_on_current()
        s.current = qid
        question = self.questionnaire.by_id[qid]
        title = f"[b]{qid}  {bold_markup(question.title)}[/b]"
        self.query_one("#qtitle", Static).update(title)
        note = self.query_one("#qnote", Static)
        note.update(bold_markup(question.note or ""))
        note.display = bool(question.note)
        if self.answer_set is not None:
            self.answer_set.display = False
        answer_set = self.query_one(f"#set-{qid}", AnswerSet)
        answer_set.display = True
        self.answer_set = answer_set
        self.query_one("#qscroll").scroll_home(animate=False)
        answer_set.focus()
        self.refresh_chrome()

    def refresh_chrome(self) -> None:
        """Steps, 'vraag n van N', the question strip, the checklist and the next button."""
        s, scorer = self.session, self.scorer
        reached = s.reached(scorer)
        qid = s.current
        question = self.questionnaire.by_id[qid]
        reached_groups = {self.questionnaire.by_id[q].group for q in reached}
        steps = []
        for group in self.questionnaire.groups:
            if group.id == question.group:
                steps.append(f"[b reverse] {group.title} [/]")
            elif group.id in reached_groups:
                steps.append(group.title)
            else:
                steps.append(f"[dim strike]{group.title}[/]")
        self.query_one("#steps", Static).update(" › ".join(steps))
        n = reached.index(qid) + 1 if qid in reached else 0
        answered = sum(1 for q in reached if q in s.options)
        open_ = len(reached) - answered
        progress = f"[b]Vraag {n} van {len(reached)}[/b]  ·  {answered} beantwoord"
        if open_:
            progress += f", [$warning]{open_} open[/]"
        self.query_one("#progress", Static).update(progress)
        strip = []
        for q in reached:
            mark = "[$success]●[/]" if q in s.options else "[$warning]○[/]"
            label = f"[reverse]{q}[/]" if q == qid else q
            strip.append(f"[@click=screen.jump_to('{q}')]{mark}{label}[/]")
        self.query_one("#strip", Static).update(" ".join(strip))
        show_checklist = qid == scorer.checklist_id and scorer.checklist_counts(s.options)
        self.query_one("#checklist-label").display = show_checklist
        self.query_one("#checklist").display = show_checklist
        last = bool(reached) and qid == reached[-1]
        self.query_one("#next", Button).label = "Afronden ✓" if last else "Volgende →"

    # -- answering -----------------------------------------------------------------------

    def action_choose(self, number: int) -> None:
        question = self.questionnaire.by_id[self.session.current]
        if not 1 <= number <= len(question.options):
            self.notify(f"Deze vraag heeft {len(question.options)} antwoorden.", timeout=2)
            return
        self.answer(number)
        self.query_one(f"#set-{self.session.current}", AnswerSet).press(number - 1)

    @on(RadioSet.Changed)
    def radio_changed(self, event: RadioSet.Changed) -> None:
        qid = (event.radio_set.id or "").removeprefix("set-")
        if qid in self.questionnaire.by_id:
            self.answer(event.index + 1, qid)

    def answer(self, code: int, qid: str | None = None) -> None:
        """Record the choice for a question (once per actual change)."""
        s = self.session
        qid = qid or s.current
        if s.options.get(qid) == code:
            return
        s.options[qid] = code
        items: tuple[str, ...] = ()
        if qid == self.scorer.checklist_id:
            items = tuple(sorted(s.items)) if self.scorer.checklist_counts(s.options) else ()
        self.practice_log.record_answer(s.session_id, qid, code, items, s.time_on(qid))
        self.refresh_chrome()
        if qid == self.scorer.checklist_id and self.scorer.checklist_counts(s.options):
            self.call_after_refresh(self.query_one(ItemCheckbox).focus)

    @on(Checkbox.Changed, "ItemCheckbox")
    def item_changed(self) -> None:
        self.sync_items()

    def sync_items(self) -> None:
        """Each tick is an answer too: the ticked boxes become the session's items and are
        stored at once (not counted as a change of Q12). Called on every box change and before
        moving on, so a key pressed right after a tick never sees the old items."""
        s = self.session
        ticked = {box.item_id for box in self.query(ItemCheckbox) if box.value}
        if ticked == s.items:
            return  # nothing new (e.g. boxes set from the session on resume)
        s.items = ticked
        cid = self.scorer.checklist_id
        if cid is not None and cid in s.options:
            items = tuple(sorted(s.items))
            self.practice_log.record_answer(
                s.session_id, cid, s.options[cid], items, s.time_on(cid)
            )

    def log_time_on_current(self) -> None:
        """Leaving the current question: add the time spent to its logged answer (no change
        is counted), or keep it for its first answer."""
        s = self.session
        qid = s.current
        if not qid:
            s.time_on("")  # first question: just start the clock
            return
        if qid not in s.options:
            s.park_time(qid)
            return
        items: tuple[str, ...] = ()
        if qid == self.scorer.checklist_id and self.scorer.checklist_counts(s.options):
            items = tuple(sorted(s.items))
        self.practice_log.record_answer(s.session_id, qid, s.options[qid], items, s.time_on(qid))

    def on_unmount(self) -> None:
        # finished, left or quit: the last visit counts too. Not when the app is ending because
        # the log failed: its message is already on its way, the time is not worth a second one.
        if self.app.failure is None:
            try:
                self.log_time_on_current()
            except UserError as exc:
                self.app.failure = exc

    # -- moving --------------------------------------------------------------------------

    def _checklist_blocks(self) -> bool:
        self.sync_items()
        s, scorer = self.session, self.scorer
        if s.current == scorer.checklist_id and scorer.checklist_counts(s.options) and not s.items:
            self.notify(
                "Vink minstens één verpleegtechnische handeling aan, of kies antwoord 1.",
                severity="warning",
            )
            self.query_one(ItemCheckbox).focus()
            return True
        return False

    def action_next(self) -> None:
        if self._checklist_blocks():
            return
        reached = self.session.reached(self.scorer)
        qid = self.session.current
        if qid == reached[-1]:
            self.finish()
            return
        self.show_question(reached[reached.index(qid) + 1])

    def action_space(self) -> None:
        """Space ticks the focused checklist item or chooses the highlighted option, handled in
        the same queue as → so 'space →' typed quickly ticks before it moves on."""
        focused = self.focused
        if isinstance(focused, Checkbox):
            focused.toggle()
        elif isinstance(focused, RadioSet):
            focused.action_toggle_button()
        elif isinstance(focused, Button):
            focused.press()

    def action_enter(self) -> None:
        """Enter presses a focused button, ticks a checklist item, and otherwise goes on."""
        focused = self.focused
        if isinstance(focused, Button):
            focused.press()
        elif isinstance(focused, Checkbox):
            focused.toggle()
        else:
            self.action_next()

    def action_back(self) -> None:
        reached = self.session.reached(self.scorer)
        index = reached.index(self.session.current)
        if index == 0:
            self.notify("Dit is de eerste vraag.", timeout=2)
            return
        self.show_question(reached[index - 1])

    def jump_to(self, qid: str) -> None:
        if qid in self.session.reached(self.scorer) and qid != self.session.current:
            self.show_question(qid)

    def action_jump_to(self, qid: str) -> None:
        self.jump_to(qid)

    def action_jump(self) -> None:
        from dkdl.tui.screens.jump import JumpScreen

        s = self.session
        rows = [
            (q, self.questionnaire.by_id[q].title, q in s.options) for q in s.reached(self.scorer)
        ]

        def done(qid: str | None) -> None:
            if qid:
                self.jump_to(qid)

        self.app.push_screen(JumpScreen(rows, s.current), done)

    def action_scroll_case(self, direction: int) -> None:
        """Page the case text when it is on screen, else the question."""
        cases = [pane for pane in self.query("#vignette") if pane.display]
        pane = cases[0] if cases else self.query_one("#qscroll")
        (pane.scroll_page_down if direction > 0 else pane.scroll_page_up)(animate=False)

    def action_toggle_vignette(self) -> None:
        self.toggle_class("-toggled")
        self.refresh_bindings()
        if self.has_class("-narrow") and not self.has_class("-toggled"):
            self.answer_set.focus()
        elif self.has_class("-narrow"):
            self.query_one("#vignette").focus()

    @on(Button.Pressed, "#to-questions")
    def to_questions(self) -> None:
        self.action_toggle_vignette()

    @on(Button.Pressed, "#next")
    def next_pressed(self) -> None:
        self.action_next()

    @on(Button.Pressed, "#back")
    def back_pressed(self) -> None:
        self.action_back()

    # -- ending --------------------------------------------------------------------------

    def finish(self) -> None:
        s = self.session
        missing = s.missing(self.scorer)
        if missing:
            self.notify(
                "Nog niet beantwoord: " + ", ".join(missing) + ".",
                title="Nog niet klaar",
                severity="warning",
            )
            self.show_question(missing[0])
            return
        self.app.finish_session(self.session)

    def action_leave(self) -> None:
        self.app.leave_session(self)
