"""The toets: choose N cases (or let chance choose), answer them all, then the summary."""

from __future__ import annotations

import random

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.markup import escape
from textual.screen import Screen
from textual.widgets import Button, DataTable, Header, Input, SelectionList, Static

from dkdl.tui.state import Done
from dkdl.tui.text import difficulty, profile_short
from dkdl.tui.widgets.footer import SteadyFooter


class ToetsSetupScreen(Screen):
    BINDINGS = [Binding("escape", "app.pop_screen", "Terug")]

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
                "Of kies zelf casussen (spatie of klik vinkt aan) en start met die keuze:",
                classes="para",
            )
            yield SelectionList[str](id="pick")
            yield Button("Toets met gekozen casussen", id="chosen")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.sub_title = "Toets samenstellen"
        self.query_one(SelectionList).add_options(
            [
                (f"{escape(c.title)}  [dim]{difficulty(c.data.difficulty)}[/]", c.id)
                for c in self.app.library.cases
            ]
        )
        self.query_one("#random", Button).focus()

    @on(Button.Pressed, "#random")
    @on(Input.Submitted, "#count")
    def start_random(self) -> None:
        cases = self.app.library.cases
        try:
            n = int(self.query_one("#count", Input).value or 0)
        except ValueError:
            n = 0
        if not 1 <= n <= len(cases):
            self.notify(f"Kies een aantal van 1 tot {len(cases)}.", severity="warning")
            return
        self.app.start_test(random.sample(cases, n))

    @on(Button.Pressed, "#chosen")
    def start_chosen(self) -> None:
        ids = self.query_one(SelectionList).selected
        if not ids:
            self.notify("Vink eerst één of meer casussen aan.", severity="warning")
            return
        library = self.app.library
        self.app.start_test([library.by_id(i) for i in ids])


class ToetsSummaryScreen(Screen):
    """Per case: profile against the key; per question: how often right, and where not."""

    BINDINGS = [
        Binding("escape", "home", "Naar start"),
        # the table has the focus; the page keys still move the whole summary
        Binding("pagedown", "page(1)", "Verder", show=False, priority=True),
        Binding("pageup", "page(-1)", "Terug", show=False, priority=True),
    ]

    def action_page(self, direction: int) -> None:
        pane = self.query_one("#summary")
        (pane.scroll_page_down if direction > 0 else pane.scroll_page_up)(animate=False)

    def __init__(self, done: list[Done]) -> None:
        super().__init__()
        self.done = done

    def compose(self) -> ComposeResult:
        scorer = self.app.scorer
        right = sum(1 for d in self.done if d.case and d.result.profile == d.case.profile)
        yield Header()
        with VerticalScroll(id="summary"):
            yield Static(
                f"[b]Uitslag: {right} van {len(self.done)} casussen het juiste profiel.[/b]",
                id="score",
            )
            yield Static("Per casus (Enter of klik: de volledige feedback)", classes="section")
            yield DataTable(id="per-case", cursor_type="row")
            yield Static("Per vraag", classes="section")
            yield Static(self._per_question(scorer), id="per-question", classes="para")
            yield Button("Naar start (Esc)", id="home", variant="primary")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.sub_title = "Toets: uitslag"
        table = self.query_one(DataTable)
        table.add_columns("", "Casus", "Jij", "Sleutel")
        for i, d in enumerate(self.done):
            ok = d.case is not None and d.result.profile == d.case.profile
            table.add_row(
                "✓" if ok else "✗",
                escape(d.case.title) if d.case else "—",  # text, not markup
                profile_short(d.result.profile),
                profile_short(d.case.profile if d.case else None),
                key=str(i),
            )
        table.focus()

    def _per_question(self, scorer) -> str:
        q = self.app.questionnaire
        lines = []
        verdicts = {
            id(d): {v.question_id: v for v in scorer.compare(d.answers, d.case.answers)}
            for d in self.done
            if d.case is not None
        }
        for qid in scorer.question_ids:
            asked = wrong = 0
            where = []
            for d in self.done:
                if d.case is None:
                    continue
                verdict = verdicts[id(d)].get(qid)
                if verdict is None or verdict.mine is None or verdict.key is None:
                    continue  # asked on one side only: the routing question already counts it
                asked += 1
                if not verdict.same:
                    wrong += 1
                    where.append(escape(d.case.title))
            if not asked:
                continue
            mark = "[$success]✓[/]" if not wrong else "[$error]✗[/]"
            line = f"{mark} [b]{qid}[/b] {q.by_id[qid].title}: {asked - wrong} van {asked} goed"
            if where:
                line += f"\n    [dim]anders dan de sleutel bij:[/] {'; '.join(where)}"
            lines.append(line)
        return "\n".join(lines)

    @on(DataTable.RowSelected)
    def open_case(self, event: DataTable.RowSelected) -> None:
        from dkdl.tui.screens.feedback import FeedbackScreen

        self.app.push_screen(FeedbackScreen(self.done[int(event.row_key.value)], review=True))

    @on(Button.Pressed, "#home")
    def action_home(self) -> None:
        self.app.to_start()
