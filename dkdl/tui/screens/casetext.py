"""The case text on its own screen: re-read a case from its feedback (Esc goes back)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.markup import escape
from textual.screen import Screen
from textual.widgets import Header, Static

from dkdl.cases import Case
from dkdl.tui.text import markdown_text
from dkdl.tui.widgets.footer import SteadyFooter


class CaseTextScreen(Screen[None]):
    BINDINGS = [
        Binding("escape", "close", "Terug"),
        Binding("c", "close", "Terug", show=False),
    ]

    def __init__(self, case: Case) -> None:
        super().__init__()
        self.case = case

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="case-text"):
            yield Static(f"[b]Casus:[/b] {escape(self.case.title)}", classes="pane-title")
            yield Static(markdown_text(self.case.data.vignette))
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.sub_title = f"Casus: {self.case.title}"
        self.query_one("#case-text").focus()

    def action_close(self) -> None:
        self.dismiss()
