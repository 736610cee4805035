"""Modal questions, typed by what they dismiss with: one of a few keys (:class:`ChoiceScreen`,
``ModalScreen[str | None]``) or yes/no (:class:`ConfirmScreen`, ``ModalScreen[bool]``)."""

from __future__ import annotations

from typing import Generic, TypeVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static
from textual.widgets.button import ButtonVariant

T = TypeVar("T")


class _Dialog(ModalScreen[T], Generic[T]):
    """A title, a text and a row of buttons; the first button has the focus."""

    BINDINGS = [
        Binding("escape", "cancel", "Terug"),
        Binding("left", "app.focus_previous", "Vorige knop", show=False),
        Binding("right", "app.focus_next", "Volgende knop", show=False),
    ]

    def __init__(
        self,
        title: str,
        text: str,
        choices: list[tuple[str, str, ButtonVariant]],
        results: dict[str, T],
        on_cancel: T,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.text = text
        self.choices = choices  # (key, label, variant)
        self.results = results  # what each button dismisses with
        self.on_cancel = on_cancel  # what Escape dismisses with

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
        self.chosen((event.button.id or "").removeprefix("choice-"))

    def chosen(self, key: str) -> None:
        self.dismiss(self.results[key])

    def action_cancel(self) -> None:
        self.dismiss(self.on_cancel)


class ChoiceScreen(_Dialog[str | None]):
    """A question with a few buttons; dismisses with the chosen key, or ``cancel`` on Escape."""

    def __init__(
        self,
        title: str,
        text: str,
        choices: list[tuple[str, str, ButtonVariant]],
        cancel: str | None = None,
    ) -> None:
        super().__init__(title, text, choices, {key: key for key, _, _ in choices}, cancel)


class ConfirmScreen(_Dialog[bool]):
    """Yes or no: dismisses with True or False (Escape = no)."""

    def __init__(self, title: str, text: str, yes: str = "Ja", no: str = "Nee") -> None:
        # the safe answer first (and focused), as in every dialog of the app
        choices: list[tuple[str, str, ButtonVariant]] = [
            ("nee", no, "primary"),
            ("ja", yes, "default"),
        ]
        super().__init__(title, text, choices, {"nee": False, "ja": True}, False)
