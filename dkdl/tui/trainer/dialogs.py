"""The trainer's dialogs, each typed by what it gives back: a choice from a list, a filter."""

from __future__ import annotations

from datetime import date, datetime

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.markup import escape
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from dkdl.review_model import ReviewFilter


class PickScreen(ModalScreen[str | None]):
    """Choose one of a few (key, label): dismisses with the key, or None on Escape."""

    BINDINGS = [Binding("escape", "cancel", "Terug")]

    def __init__(
        self, title: str, choices: list[tuple[str, str]], current: str | None = None, note: str = ""
    ) -> None:
        super().__init__()
        self.title_text = title
        self.choices = choices
        self.current = current
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(self.title_text, id="dialog-title")
            if self.note:
                yield Static(self.note, id="dialog-text")
            yield OptionList(
                *[Option(escape(label), id=key) for key, label in self.choices], id="pick-list"
            )
            yield Static("[dim]Enter of klik: kiezen · Esc: terug[/]")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        keys = [key for key, _ in self.choices]
        if self.current in keys:
            options.highlighted = keys.index(self.current)
        options.focus()

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


def parse_day(text: str) -> date | None:
    """'21-11-2026', '21-11-26' or '2026-11-21' -> a date; '' -> None; ValueError (Dutch)."""
    text = text.strip()
    if not text:
        return None
    for fmt in ("%d-%m-%Y", "%d-%m-%y", "%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"‘{text}’ is geen datum; schrijf bijvoorbeeld 21-11-2026.")


ALL = "__alle__"


class FilterScreen(ModalScreen[ReviewFilter | None]):
    """Which sessions: nurse, case, mode and period. Dismisses with the new filter, or None."""

    BINDINGS = [
        Binding("escape", "cancel", "Terug"),
        Binding("ctrl+s", "apply", "Toepassen"),
    ]

    def __init__(
        self,
        current: ReviewFilter,
        nurses: list[tuple[str, str]],  # (label, pseudonym)
        cases: list[tuple[str, str]],  # (label, case id)
    ) -> None:
        super().__init__()
        self.current = current
        self.nurses = nurses
        self.cases = cases

    def compose(self) -> ComposeResult:
        c = self.current
        # one line per field (compact widgets), so the dialog fits 80×24 whole
        with VerticalScroll(id="dialog", classes="filter-dialog"):
            yield Static("Sessies filteren", id="dialog-title")
            with Horizontal(classes="f-row"):
                yield Label("Verpleegkundige", classes="f-label")
                yield Select(
                    [("alle verpleegkundigen", ALL), *self.nurses],
                    value=c.nurse if c.nurse is not None else ALL,
                    allow_blank=False,
                    compact=True,
                    id="f-nurse",
                )
            with Horizontal(classes="f-row"):
                yield Label("Casus", classes="f-label")
                yield Select(
                    [("alle casussen", ALL), *self.cases],
                    value=c.case if c.case is not None else ALL,
                    allow_blank=False,
                    compact=True,
                    id="f-case",
                )
            with Horizontal(classes="f-row"):
                yield Label("Modus", classes="f-label")
                yield Select(
                    [
                        ("alle modi", ALL),
                        ("oefenen", "oefenen"),
                        ("toets", "toets"),
                        ("vrije registratie", "vrij"),
                    ],
                    value=c.mode if c.mode is not None else ALL,
                    allow_blank=False,
                    compact=True,
                    id="f-mode",
                )
            with Horizontal(classes="f-row"):
                yield Label("Vanaf", classes="f-label")
                yield Input(
                    c.since.strftime("%d-%m-%Y") if c.since else "",
                    placeholder="dd-mm-jjjj (leeg: geen grens)",
                    compact=True,
                    id="f-since",
                )
            with Horizontal(classes="f-row"):
                yield Label("Tot en met", classes="f-label")
                yield Input(
                    c.until.strftime("%d-%m-%Y") if c.until else "",
                    placeholder="dd-mm-jjjj (leeg: geen grens)",
                    compact=True,
                    id="f-until",
                )
            with Horizontal(classes="f-row"):
                yield Label("Analyses tellen", classes="f-label")
                yield Select(
                    [("eerste poging per casus", "first"), ("alle pogingen", "all")],
                    value=c.attempts,
                    allow_blank=False,
                    compact=True,
                    id="f-attempts",
                )
            yield Static("", id="f-problem", classes="warning")
            with Horizontal(id="dialog-buttons"):
                yield Button("Toepassen", id="apply", variant="primary")
                yield Button("Alles tonen", id="clear")
                yield Button("Annuleren", id="cancel")
            yield Static("[dim]Tab: volgend veld · Enter of Ctrl+S: toepassen · Esc: terug[/]")

    def on_mount(self) -> None:
        self.query_one("#f-nurse", Select).focus()

    def _value(self, select_id: str) -> str | None:
        value = self.query_one(select_id, Select).value
        return None if value == ALL or value is Select.NULL else str(value)

    def build(self) -> ReviewFilter:
        """The filter the fields describe; ValueError (Dutch) for a bad date or period."""
        since = parse_day(self.query_one("#f-since", Input).value)
        until = parse_day(self.query_one("#f-until", Input).value)
        if since and until and since > until:
            raise ValueError("De begindatum ligt na de einddatum.")
        return ReviewFilter(
            nurse=self._value("#f-nurse"),
            case=self._value("#f-case"),
            mode=self._value("#f-mode"),
            since=since,
            until=until,
            attempts=self._value("#f-attempts") or "first",
        )

    @on(Input.Submitted)
    @on(Button.Pressed, "#apply")
    def action_apply(self) -> None:
        try:
            flt = self.build()
        except ValueError as exc:
            self.query_one("#f-problem", Static).update(str(exc))
            return
        self.dismiss(flt)

    @on(Button.Pressed, "#clear")
    def clear(self) -> None:
        self.dismiss(ReviewFilter(attempts=self.current.attempts))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
