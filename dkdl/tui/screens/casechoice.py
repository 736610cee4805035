"""Choosing a case: title, difficulty, tags and how she did before; filterable."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.markup import escape
from textual.screen import Screen
from textual.widgets import DataTable, Header, Input, Static

from dkdl.cases import Case
from dkdl.practice import CaseHistory
from dkdl.scoring import profile_name
from dkdl.tui.messages import CaseChosen
from dkdl.tui.text import difficulty
from dkdl.tui.widgets.footer import SteadyFooter


def history_text(history: dict[str, CaseHistory]) -> dict[str, str]:
    """Case id -> '✓ DKDL 8 (2×)': the last result, and how often when more than once."""
    out = {}
    for case_id, h in history.items():
        last = f"{'✓' if h.last_match else '✗'} {profile_name(h.last_profile)}"
        out[case_id] = f"{last} ({h.times}×)" if h.times > 1 else last
    return out


def matches(case: Case, needle: str) -> bool:
    """Every word of the filter occurs in what she sees of the case: title, tags, level.

    Not the case id: ids name the outcome (``ptz-…``, ``kindzorg-…``, ``tijdelijk-…``), so
    typing "ptz" would list exactly the PTZ cases and give the answer away.
    """
    if not needle:
        return True
    hay = " ".join(
        [case.title, " ".join(case.situation_tags), difficulty(case.data.difficulty)]
    ).lower()
    return all(word in hay for word in needle.lower().split())


class CaseChoiceScreen(Screen[None]):
    """The cases to choose from, with her history on each; posts :class:`CaseChosen`."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Terug"),
        Binding("ctrl+f", "focus_filter", "Filter"),
    ]

    def __init__(self, cases: list[Case], history: dict[str, CaseHistory]) -> None:
        super().__init__()
        self.cases = cases
        self.history = history

    def show_history(self, history: dict[str, CaseHistory]) -> None:
        """Her history changed (a case finished or left): show it."""
        self.history = history
        if self.is_mounted:
            self.fill()

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="choice"):
            yield Static(
                "Kies een casus: [b]Enter[/b] of klik om te beginnen. "
                "Typ om te filteren op titel, tag of niveau.",
                classes="muted",
            )
            yield Input(
                placeholder="Filter, bijv. wondzorg of grensgeval",
                id="filter",
                select_on_focus=False,
            )
            yield DataTable(id="cases", cursor_type="row", zebra_stripes=True)
            yield Static(id="count", classes="muted")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.sub_title = "Oefenen: kies een casus"
        self.fill()
        self.query_one(DataTable).focus()

    def on_resize(self) -> None:
        self.fill()

    def fill(self) -> None:
        done = history_text(self.history)
        needle = self.query_one("#filter", Input).value.strip()
        table = self.query_one(DataTable)
        cursor = table.cursor_row
        table.clear(columns=True)
        # Title, level and history must fit in the width; tags take what is left (or scroll).
        width = max(self.size.width, 60) - 6
        table.add_column("Casus", key="title", width=max(24, width - 15 - 14 - 12 - 6))
        table.add_column("Niveau", key="niveau", width=15)
        table.add_column("Eerder", key="eerder", width=14)
        table.add_column("Tags", key="tags")
        shown = 0
        for case in self.cases:
            if not matches(case, needle):
                continue
            shown += 1
            table.add_row(
                escape(case.title),  # plain text: a title is not markup
                difficulty(case.data.difficulty),
                done.get(case.id, "—"),
                escape(", ".join(case.situation_tags)),
                key=case.id,
                height=None,
            )
        if shown:
            table.move_cursor(row=min(cursor, shown - 1))
        total = len(self.cases)
        count = f"{shown} van {total} casussen" + (" (gefilterd)" if needle else "")
        if needle and not shown:
            count = f"Geen casus gevonden met ‘{escape(needle)}’. Wis het filter om alles te zien."
        self.query_one("#count", Static).update(count)

    @on(Input.Changed, "#filter")
    def filter_changed(self) -> None:
        self.fill()

    @on(Input.Submitted, "#filter")
    def filter_done(self) -> None:
        """Enter in the filter starts the highlighted case, as Enter in the list does."""
        table = self.query_one(DataTable)
        if table.row_count:
            table.focus()
            table.action_select_cursor()

    @on(DataTable.RowSelected)
    def chosen(self, event: DataTable.RowSelected) -> None:
        case = next((c for c in self.cases if c.id == event.row_key.value), None)
        if case is not None:
            self.post_message(CaseChosen(case))

    def on_key(self, event) -> None:
        # ↓ in the filter goes to the list; typing while the list has focus goes to the filter.
        if event.key == "down" and isinstance(self.focused, Input):
            self.query_one(DataTable).focus()
            event.stop()
            return
        char = event.character
        if isinstance(self.focused, DataTable) and char and char.isprintable() and char != " ":
            box = self.query_one("#filter", Input)
            box.focus()
            box.insert_text_at_cursor(char)
            event.stop()

    def action_focus_filter(self) -> None:
        self.query_one("#filter").focus()
