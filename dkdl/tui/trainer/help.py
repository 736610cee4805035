"""F1 in trainer mode: the trainer's help text (Markdown, Dutch)."""

from __future__ import annotations

from importlib.resources import files

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Header, Markdown

from dkdl.tui.screens.help import HelpScreen
from dkdl.tui.widgets.footer import SteadyFooter


def trainer_help_text() -> str:
    return files("dkdl.tui.trainer").joinpath("help.md").read_text(encoding="utf-8")


class TrainerHelpScreen(HelpScreen):
    """The practice app's help screen, with the trainer's text."""

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="help"):
            yield Markdown(trainer_help_text())
        yield SteadyFooter()

    def on_mount(self) -> None:
        super().on_mount()
        self.sub_title = "Help bij de trainersweergave"
