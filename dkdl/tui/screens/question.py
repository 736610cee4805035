"""The questionnaire: four official steps, one question at a time, the case beside it.

The screen shows a :class:`~dkdl.practice.Session` and passes the nurse's choices to it (the
session stores each one at once); which questions are asked comes from the session on every
change. Finishing and leaving are requests to the app (:mod:`dkdl.tui.messages`).
"""

from __future__ import annotations

import contextlib

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.markup import escape
from textual.screen import Screen
from textual.widgets import Button, Checkbox, Header, Static

from dkdl.errors import UserError
from dkdl.practice import Session
from dkdl.scoring import profile_name
from dkdl.tui.messages import SessionFinished, SessionLeft
from dkdl.tui.text import bold_markup, markdown_text
from dkdl.tui.widgets.footer import SteadyFooter
from dkdl.tui.widgets.options import AnswerSet, ItemCheckbox, option_label

FREE_NOTE = (
    "[b]Vrije registratie[/b]: vul in voor een situatie die je voor ogen hebt. "
    "Noem geen namen of andere gegevens van cliënten; de app vraagt en bewaart ze niet."
)


class QuestionScreen(Screen[None]):
    """One session's questionnaire. ``session`` holds all state; widgets only show it."""

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (20, "-tall")]

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
        self.scorer = session.scorer
        self.questionnaire = session.scorer.questionnaire
        self.answer_set = AnswerSet(
            max(len(q.options) for q in self.questionnaire.questions), id="answer-set"
        )
        self._labels: dict[str, list[Content]] = {}  # per question, made when first shown
        self._parsed: dict[str, Content] = {}  # see _content
        self._chrome: tuple = ()  # what the step line, progress and strip show now
        self._steps_shown = ""
        self._strip_shown: tuple[str, ...] = ()  # the questions in the strip, left to right

    # -- layout --------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        case = self.session.case
        yield Header()
        with Horizontal(id="body"):
            if case is not None:
                with VerticalScroll(id="vignette"):
                    yield Static(f"[b]Casus:[/b] {escape(case.title)}", classes="pane-title")
                    # a Static, not a Markdown widget: painted in the same frame as the rest
                    yield Static(markdown_text(case.data.vignette), id="vignette-text")
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
                    # one answer set for all questions, relabelled when the question
                    # changes: moving on mounts, removes and refocuses nothing
                    yield self.answer_set
                    yield Static(id="route-note")
                    yield Static(
                        "Welke verpleegtechnische zorg? Vink [b]minstens één[/b] aan "
                        "(Tab of ↓ naar de lijst, spatie vinkt aan, Tab verder):",
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
        self._progress = self.query_one("#progress", Static)
        self._strip = self.query_one("#strip", Static)
        self._checklist_label = self.query_one("#checklist-label", Static)
        self._checklist = self.query_one("#checklist", Vertical)
        self._items = list(self.query(ItemCheckbox))
        self._next = self.query_one("#next", Button)
        self._qscroll = self.query_one("#qscroll", VerticalScroll)
        self._route_note = self.query_one("#route-note", Static)
        # the breakpoint classes from the terminal's size now, not after the first Resize: the
        # first frame is then already the right layout (no second paint)
        width, height = self.app.size
        for value, breakpoints in (
            (width, self.HORIZONTAL_BREAKPOINTS),
            (height, self.VERTICAL_BREAKPOINTS),
        ):
            names = [name for _, name in breakpoints or []]
            on = set(self._get_breakpoint_classes(value, breakpoints or []))
            self.update_classes({name: name in on for name in names}, animate=False)
        self.sub_title = self._subtitle()
        self.show_question(self.session.current or self.session.resume_point(), leave=False)
        if self.session.case is not None and width < 110 and not self.session.options:
            # Narrow terminal, fresh start: read the case first; 'c' switches to the questions.
            self.add_class("-toggled")
            self.query_one("#to-questions").focus()

    def _subtitle(self) -> str:
        s = self.session
        if s.mode == "vrij":
            return "Vrije registratie"
        if s.toets is not None:
            return f"Toets: {s.toets.position()}"
        return f"Oefenen: {s.case.title}" if s.case else "Oefenen"

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
        if s.mode != "oefenen" or s.toets is not None or s.case is None:
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

    def show_question(self, qid: str, *, leave: bool = True) -> None:
        """Put question ``qid`` on screen (one that routing reaches); the session keeps the
        time spent on the one she leaves."""
        if leave:
            self.session.go_to(qid)
            # the seconds spent on the question she left can wait until this one is painted
            self.call_after_refresh(self.session.store_times)
        else:
            self.session.current = qid
        question = self.questionnaire.by_id[qid]
        self.query_one("#qtitle", Static).update(f"[b]{qid}  {bold_markup(question.title)}[/b]")
        note = self.query_one("#qnote", Static)
        if question.note:
            note.update(bold_markup(question.note))
        note.display = bool(question.note)
        labels = self._labels.get(qid)
        if labels is None:
            labels = self._labels[qid] = [option_label(o.code, o.text) for o in question.options]
        self.answer_set.show(qid, labels, self.session.options.get(qid))
        self._qscroll.scroll_home(animate=False)
        self.answer_set.focus()
        self.refresh_chrome()

    def refresh_chrome(self) -> None:
        """Steps, 'vraag n van N', the question strip, the routing note, the checklist and the
        next button. Each widget is touched only when what it shows has changed, and without a
        new layout when its size cannot change: choosing an answer then costs no reflow of the
        screen (measured: the reflows were most of an answer's time)."""
        s, scorer = self.session, self.scorer
        reached = s.reached()
        qid = s.current
        question = self.questionnaire.by_id[qid]
        answered = tuple(q for q in reached if q in s.options)
        signature = (qid, tuple(reached), answered, s.options.get(qid))
        if signature == self._chrome:
            return
        old = self._chrome
        self._chrome = signature
        same_route = bool(old) and old[1] == signature[1]
        if not same_route or old[0] != qid:
            self._update_steps(reached, question.group, same_route)
        n = reached.index(qid) + 1 if qid in reached else 0
        open_ = len(reached) - len(answered)
        progress = f"[b]Vraag {n} van {len(reached)}[/b]  ·  {len(answered)} beantwoord"
        if open_:
            progress += f", [$warning]{open_} open[/]"
        self._update(self._progress, self._content(progress), same_route)
        strip = []
        for q in reached:
            mark = "●" if q in s.options else "○"
            label = f"[reverse]{q}[/]" if q == qid else q
            # underlined in the text colour as the links it had were, but not a link: a click
            # is mapped to the question under it (on_strip_click); per-question links made
            # the strip twice as slow to paint
            strip.append(self._content(f"[underline]{mark}{label}[/]"))
        self._strip_shown = tuple(reached)
        # same questions, same width
        self._update(self._strip, Content(" ").join(strip), same_route)
        self._update_route_note(qid)
        show_checklist = qid == scorer.checklist_id and s.checklist_shown()
        for widget in (self._checklist_label, self._checklist):
            if widget.display != show_checklist:
                widget.display = show_checklist
        label = "Afronden ✓" if bool(reached) and qid == reached[-1] else "Volgende →"
        if str(self._next.label) != label:
            self._next.label = label

    def _content(self, markup: str) -> Content:
        """``markup`` parsed, once per distinct text: the chrome repeats the same few pieces
        (measured: parsing the strip's markup took as long as painting it)."""
        content = self._parsed.get(markup)
        if content is None:
            if len(self._parsed) > 512:
                self._parsed.clear()
            content = self._parsed[markup] = Content.from_markup(markup)
        return content

    def _update(self, widget: Static, content: Content, same_size: bool) -> None:
        """Show ``content``; a new layout only when its height may change (it wraps now, or
        wrapped before)."""
        width = widget.content_region.width
        fits = width > 0 and content.cell_length <= width
        widget.update(content, layout=not (same_size and fits and widget.size.height == 1))

    def _update_steps(self, reached: list[str], current_group: str, same_size: bool) -> None:
        reached_groups = {self.questionnaire.by_id[q].group for q in reached}
        steps = []
        for group in self.questionnaire.groups:
            if group.id == current_group:
                steps.append(f"[b reverse] {group.title} [/]")
            elif group.id in reached_groups:
                steps.append(group.title)
            else:
                steps.append(f"[dim strike]{group.title}[/]")
        markup = " › ".join(steps)
        if markup != self._steps_shown:
            self._steps_shown = markup
            self._update(self.query_one("#steps", Static), self._content(markup), same_size)

    def _update_route_note(self, qid: str) -> None:
        """Under a routing question whose answer ends the questionnaire: say so in words."""
        note = self._route_note
        code = self.session.options.get(qid)
        result = self.scorer.route_of(qid, code) if code is not None else None
        if result is None:
            if note.display:
                note.display = False
            return
        skipped = [
            g.title
            for g in self.questionnaire.groups
            if g.id not in {self.questionnaire.by_id[q].group for q in self.session.reached()}
        ]
        note.update(
            f"[b]→ Uitkomst: {escape(self.scorer.labels[result])}[/b] "
            f"({escape(profile_name(result))}). De vragen over "
            + _dutch_list([g.lower() for g in skipped])
            + " worden dan niet gesteld; dit is de laatste vraag."
        )
        note.display = True

    # -- answering -----------------------------------------------------------------------

    def action_choose(self, number: int) -> None:
        question = self.questionnaire.by_id[self.session.current]
        if not 1 <= number <= len(question.options):
            self.notify(f"Deze vraag heeft {len(question.options)} antwoorden.", timeout=2)
            return
        self.answer(number)

    @on(AnswerSet.Chosen)
    def option_clicked(self, event: AnswerSet.Chosen) -> None:
        # for the question the option showed when clicked, even if she has moved on since
        self.answer(event.code, event.qid)

    def answer(self, code: int, qid: str | None = None) -> None:
        """Pass the choice to the session (stored there at once, once per actual change),
        then show it."""
        qid = qid or self.session.current
        if self.session.choose(code, qid):
            self.refresh_chrome()
        if qid == self.answer_set.qid:
            self.answer_set.show_chosen(code)

    @on(Checkbox.Changed, "ItemCheckbox")
    def item_changed(self) -> None:
        self.sync_items()

    def sync_items(self) -> None:
        """The ticked boxes become the session's items (stored at once, not a change of Q12).
        Called on every box change and before moving on, so a key pressed right after a tick
        never sees the old items."""
        if self._checklist.display:  # hidden boxes cannot change (each change syncs)
            self.session.tick({box.item_id for box in self._items if box.value})

    def on_unmount(self) -> None:
        # finished, left or quit: the last visit counts too (the session ignores this once it
        # is closed). Not when the log itself failed: its message is already on its way.
        with contextlib.suppress(UserError):
            self.session.pause()

    # -- moving --------------------------------------------------------------------------

    def _checklist_blocks(self) -> bool:
        self.sync_items()
        if self.session.checklist_blocks():
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
        nxt = self.session.after()
        if nxt is None:
            self.finish()
        else:
            self.show_question(nxt)

    def action_space(self) -> None:
        """Space ticks the focused checklist item or chooses the highlighted option, handled in
        the same queue as → so 'space →' typed quickly ticks before it moves on."""
        focused = self.focused
        if isinstance(focused, Checkbox):
            focused.toggle()
        elif isinstance(focused, AnswerSet):
            if focused.highlighted is not None:
                self.answer(focused.highlighted + 1)
        elif isinstance(focused, Button):
            focused.press()

    def action_enter(self) -> None:
        """Enter presses a focused button, ticks a checklist item, chooses the highlighted
        option (as in any list) and goes on."""
        focused = self.focused
        if isinstance(focused, Button):
            focused.press()
        elif isinstance(focused, Checkbox):
            focused.toggle()
        elif isinstance(focused, AnswerSet):
            index = focused.highlighted
            if index is not None and index != focused.pressed_index:
                self.answer(index + 1)
                if self.session.checklist_blocks():
                    return  # 'wel': the checklist comes first
            self.action_next()
        else:
            self.action_next()

    def action_back(self) -> None:
        before = self.session.before()
        if before is None:
            self.notify("Dit is de eerste vraag.", timeout=2)
            return
        self.show_question(before)

    def jump_to(self, qid: str) -> None:
        if qid in self.session.reached() and qid != self.session.current:
            self.show_question(qid)

    def action_jump_to(self, qid: str) -> None:
        self.jump_to(qid)

    @on(events.Click, "#strip")
    def on_strip_click(self, event: events.Click) -> None:
        """A click on a question in the strip goes there (a click between two does nothing)."""
        offset = event.get_content_offset(self._strip)
        if offset is not None:
            qid = strip_question_at(
                self._strip_shown, offset.x, offset.y, self._strip.content_region.width
            )
            if qid is not None:
                event.stop()
                self.jump_to(qid)

    def action_jump(self) -> None:
        from dkdl.tui.screens.jump import JumpScreen

        s = self.session
        rows = [(q, self.questionnaire.by_id[q].title, q in s.options) for q in s.reached()]

        def done(qid: str | None) -> None:
            if qid:
                self.jump_to(qid)

        self.app.push_screen(JumpScreen(rows, s.current), done)

    def action_scroll_case(self, direction: int) -> None:
        """Page the case text when it is on screen, else the question."""
        cases = [pane for pane in self.query("#vignette") if pane.display]
        pane = cases[0] if cases else self.query_one("#qscroll")
        if direction > 0:
            pane.scroll_page_down(animate=False)
        else:
            pane.scroll_page_up(animate=False)

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
        missing = self.session.missing()
        if missing:
            self.notify(
                "Nog niet beantwoord: " + ", ".join(missing) + ".",
                title="Nog niet klaar",
                severity="warning",
            )
            self.show_question(missing[0])
            return
        self.post_message(SessionFinished(self.session))

    def action_leave(self) -> None:
        """Esc: with answers given, ask first (later verder, or afbreken)."""
        from dkdl.tui.screens.confirm import ChoiceScreen

        session = self.session
        if not session.options:
            self.post_message(SessionLeft(session, "afbreken"))
            return

        def chosen(choice: str | None) -> None:
            if choice in ("later", "afbreken"):
                self.post_message(SessionLeft(session, choice))

        in_toets = session.toets is not None
        self.app.push_screen(
            ChoiceScreen(
                "Toets verlaten?" if in_toets else "Oefening verlaten?",
                "Je antwoorden tot nu toe zijn bewaard. Je kunt later verder gaan "
                "(de app vraagt het bij de volgende start), of "
                + ("de toets nu afbreken." if in_toets else "de oefening nu afbreken."),
                [
                    ("blijven", "Blijven", "primary"),
                    ("later", "Later verder", "default"),
                    ("afbreken", "Afbreken", "error"),
                ],
                cancel="blijven",
            ),
            chosen,
        )


def _dutch_list(words: list[str]) -> str:
    """'a, b en c'."""
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " en " + words[-1]


def strip_question_at(questions: tuple[str, ...], x: int, y: int, width: int) -> str | None:
    """The question whose entry ("●Q4": mark and id) lies at column ``x`` of line ``y`` of the
    strip, laid out as the strip's word wrap does at ``width`` (entries never break: they are
    far shorter than any width the strip is shown at); None between or after the entries."""
    line = column = 0
    for index, qid in enumerate(questions):
        size = 1 + len(qid)
        if index and column + 1 + size > width:
            line, column = line + 1, 0
        elif index:
            column += 1
        if line == y and column <= x < column + size:
            return qid
        column += size
    return None
