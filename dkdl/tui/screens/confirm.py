"""Modal questions: yes/no (:class:`ConfirmScreen`) or one of a few (:class:`ChoiceScreen`)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class ChoiceScreen(ModalScreen[str | None]):
    """A question with a few buttons; dismisses with the chosen key, or None on Escape."""

    BINDINGS = [
        Binding("escape", "cancel", "Terug"),
        Binding("left", "app.focus_previous", "Vorige knop", show=False),
        Binding("right", "app.focus_next", "Volgende knop", show=False),
    ]

    def __init__(
        self,
        title: str,
        text: str,
        choices: list[tuple[str, str, str]],  # (key, label, variant)
        cancel: str | None = None,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.text = text
        self.choices = choices
        self.cancel = cancel

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(self.title_text, id="dialog-title")
            yield Static(self.text, id="dialog-text")
            with Horizontal(id="dialog-buttons"):
                for key, label, variant in self.choices:
                    yield Button(label, id=f"choice-{key}", variant=variant)

    def on_mount(self) -> None:
        self.query(Button).first().focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id.removeprefix("choice-"))

    def action_cancel(self) -> None:
        self.dismiss(self.cancel)


class ConfirmScreen(ChoiceScreen):
    """Yes or no: dismisses with True or False (Escape = no)."""

    def __init__(self, title: str, text: str, yes: str = "Ja", no: str = "Nee") -> None:
        # the safe answer first (and focused), as in every dialog of the app
        super().__init__(title, text, [("nee", no, "primary"), ("ja", yes, "default")], "nee")

    def dismiss(self, result=None):  # type: ignore[override]
        return super().dismiss(result == "ja")
