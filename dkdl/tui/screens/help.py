"""F1: the Dutch help text (Markdown), with the questionnaire's own source and licence."""

from __future__ import annotations

from importlib.resources import files

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Markdown

from dkdl.tui.widgets.footer import SteadyFooter


def help_text(questionnaire=None) -> str:
    text = files("dkdl.tui").joinpath("help.md").read_text(encoding="utf-8")
    if questionnaire is not None:
        text += (
            "\n\n## Deze vragenlijst\n\n"
            f"**{questionnaire.title}**, versie {questionnaire.version}.\n\n"
            f"{questionnaire.source}\n\n{questionnaire.licence}\n"
        )
    return text


class HelpScreen(Screen):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Terug"),
        Binding("f1", "app.pop_screen", "Terug", show=False),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="help"):
            yield Markdown(help_text(self.app.questionnaire))
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.sub_title = "Help"
        self.query_one("#help").focus()
