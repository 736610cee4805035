"""F1: the Dutch help text (Markdown), with the questionnaire's own source and licence."""

from __future__ import annotations

from importlib.resources import files
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Markdown

from dkdl.tui.widgets.footer import SteadyFooter

if TYPE_CHECKING:
    from dkdl.questionnaire import Questionnaire


def help_text(questionnaire: Questionnaire | None = None) -> str:
    """The help text. Once the questionnaire is loaded, its own source and licence (which name
    its version) take the place of the built-in 'Bron' section, so the source is said once."""
    text = files("dkdl.tui").joinpath("help.md").read_text(encoding="utf-8")
    if questionnaire is not None:
        text = text[: text.index("## Bron")] + (
            "## Bron\n\n"
            f"**{questionnaire.title}**, versie {questionnaire.version}.\n\n"
            f"{questionnaire.source}\n\n{questionnaire.licence}\n"
        )
    return text


class HelpScreen(Screen[None]):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Terug"),
        Binding("f1", "app.pop_screen", "Terug", show=False),
    ]

    def __init__(self, questionnaire: Questionnaire | None = None) -> None:
        super().__init__()
        self.questionnaire = questionnaire  # its source and licence, once loaded

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="help"):
            yield Markdown(help_text(self.questionnaire))
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.sub_title = "Help"
        self.query_one("#help").focus()
