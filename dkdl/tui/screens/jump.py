"""Jump to any question: a list of the questions routing reaches, answered or not."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option


class JumpScreen(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "dismiss_none", "Terug")]

    def __init__(self, rows: list[tuple[str, str, bool]], current: str) -> None:
        super().__init__()
        self.rows = rows  # (question id, title, answered)
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static("Ga naar vraag", id="dialog-title")
            yield OptionList(
                *[
                    Option(
                        Content.from_markup(
                            ("[$success]●[/]" if answered else "[$warning]○[/]")
                            + f" [b]{qid}[/b] $title"
                            + ("" if answered else " [dim](nog niet beantwoord)[/]"),
                            title=title,
                        ),
                        id=qid,
                    )
                    for qid, title, answered in self.rows
                ],
                id="jump-list",
            )
            yield Static("[dim]Enter of klik: naar die vraag · Esc: terug[/]")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        ids = [qid for qid, _, _ in self.rows]
        if self.current in ids:
            options.highlighted = ids.index(self.current)
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
