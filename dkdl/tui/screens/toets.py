"""The toets: choose N cases (or let chance choose), answer them all, then the summary."""

from __future__ import annotations

import random

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.markup import escape
from textual.screen import Screen
from textual.widgets import Button, DataTable, Header, Input, Static

from dkdl.cases import Case
from dkdl.feedback import Feedback
from dkdl.practice import Toets
from dkdl.scoring import Scorer, profile_name
from dkdl.tui.messages import GoHome, ToetsPlanned
from dkdl.tui.text import difficulty
from dkdl.tui.widgets.footer import SteadyFooter
from dkdl.tui.widgets.options import TickBox


class CaseBox(TickBox):
    """One case to tick for a toets; looks like a checklist item."""

    def __init__(self, case: Case) -> None:
        label = Content.from_markup(
            f"{escape(case.title)}  [dim]{difficulty(case.data.difficulty)}[/]"
        )
        super().__init__(label)
        self.case = case


class ToetsSetupScreen(Screen[None]):
    BINDINGS = [Binding("escape", "app.pop_screen", "Terug")]

    def __init__(self, cases: list[Case]) -> None:
        super().__init__()
        self.cases = cases

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="toets-setup"):
            yield Static(
                "Een toets is een reeks casussen. Je ziet [b]pas aan het eind[/b] hoe je het "
                "deed: per casus en per vraag.",
                classes="para",
            )
            with Horizontal(id="random-row"):
                yield Static("Aantal casussen:", classes="inline-label")
                yield Input("5", id="count", type="integer", max_length=3)
                yield Button("Willekeurige toets", id="random", variant="primary")
            yield Static(
                "Of vink zelf casussen aan (↑ ↓ kiest, spatie vinkt aan, Tab verder) en start "
                "met die keuze:",
                classes="para",
            )
            with Vertical(id="pick"):
                for case in self.cases:
                    yield CaseBox(case)
            yield Button("Toets met gekozen casussen", id="chosen")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.sub_title = "Toets samenstellen"
        self.query_one("#count", Input).focus()  # the count first: type it, Enter starts

    @on(Button.Pressed, "#random")
    @on(Input.Submitted, "#count")
    def start_random(self) -> None:
        try:
            n = int(self.query_one("#count", Input).value or 0)
        except ValueError:
            n = 0
        if not 1 <= n <= len(self.cases):
            self.notify(f"Kies een aantal van 1 tot {len(self.cases)}.", severity="warning")
            return
        self.post_message(ToetsPlanned(random.sample(self.cases, n)))

    @on(Button.Pressed, "#chosen")
    def start_chosen(self) -> None:
        chosen = [box.case for box in self.query(CaseBox) if box.value]
        if not chosen:
            self.notify("Vink eerst één of meer casussen aan.", severity="warning")
            return
        self.post_message(ToetsPlanned(chosen))


class ToetsSummaryScreen(Screen[None]):
    """Per case: profile against the key; per question: how often right, and where not."""

    BINDINGS = [
        Binding("escape", "home", "Naar start"),
        # the table has the focus; the page keys still move the whole summary
        Binding("pagedown", "page(1)", "Verder", show=False, priority=True),
        Binding("pageup", "page(-1)", "Terug", show=False, priority=True),
    ]

    def __init__(self, toets: Toets, scorer: Scorer) -> None:
        super().__init__()
        self.toets = toets
        self.scorer = scorer
        self.feedback = [Feedback(d, scorer) for d in toets.done]

    def action_page(self, direction: int) -> None:
        pane = self.query_one("#summary")
        if direction > 0:
            pane.scroll_page_down(animate=False)
        else:
            pane.scroll_page_up(animate=False)

    def compose(self) -> ComposeResult:
        toets = self.toets
        yield Header()
        with VerticalScroll(id="summary"):
            yield Static(
                f"[b]Uitslag: {toets.right} van {len(toets.done)} casussen het juiste profiel.[/b]",
                id="score",
            )
            if toets.dropped:
                yield Static(
                    f"⚠ {len(toets.dropped)} geplande casus(sen) niet meer beschikbaar: "
                    + escape(", ".join(toets.dropped)),
                    classes="warning",
                )
            yield Static("Per casus (Enter of klik: de volledige feedback)", classes="section")
            yield DataTable(id="per-case", cursor_type="row")
            yield Static("Per vraag", classes="section")
            yield Static(self._per_question(), id="per-question", classes="para")
            yield Button("Naar start (Esc)", id="home", variant="primary")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.sub_title = "Toets: uitslag"
        table = self.query_one(DataTable)
        table.add_columns("", "Casus", "Jij", "Sleutel")
        for i, d in enumerate(self.toets.done):
            table.add_row(
                "✓" if d.right else "✗",
                escape(d.case.title) if d.case else "—",  # text, not markup
                profile_name(d.result.profile),
                profile_name(d.case.profile if d.case else None),
                key=str(i),
            )
        table.focus()

    def _per_question(self) -> str:
        """Per question: right out of asked on both sides (a routing mistake counts once, on
        the routing question), and the cases where it differed."""
        q = self.scorer.questionnaire
        lines = []
        compared = [(fb, {v.question_id: v for v in fb.compared}) for fb in self.feedback]
        for qid in self.scorer.question_ids:
            asked = wrong = 0
            where = []
            for fb, verdicts in compared:
                if fb.case is None or qid not in verdicts:
                    continue
                asked += 1
                if not verdicts[qid].same:
                    wrong += 1
                    where.append(escape(fb.case.title))
            if not asked:
                continue
            mark = "[$success]✓[/]" if not wrong else "[$error]✗[/]"
            line = f"{mark} [b]{qid}[/b] {q.by_id[qid].title}: {asked - wrong} van {asked} goed"
            if where:
                line += f"\n    [dim]anders dan de sleutel bij:[/] {'; '.join(where)}"
            lines.append(line)
        skipped = sum(
            len(fb.not_asked_by_key) + len(fb.not_asked_by_her)
            for fb in self.feedback
            if fb.has_key
        )
        if skipped:
            lines.append(
                f"[dim]{skipped} vraag/vragen niet gesteld door de routering (de fout telt "
                "één keer, bij de routeringsvraag).[/]"
            )
        return "\n".join(lines)

    @on(DataTable.RowSelected)
    def open_case(self, event: DataTable.RowSelected) -> None:
        from dkdl.tui.screens.feedback import FeedbackScreen

        index = int(event.row_key.value or 0)
        self.app.push_screen(FeedbackScreen(self.feedback[index], review=True))

    @on(Button.Pressed, "#home")
    def action_home(self) -> None:
        self.post_message(GoHome())
