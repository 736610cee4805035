"""A DataTable that shows one page of a long list and asks for the next one at its edges.

The rows of 100,000 sessions never sit in the widget at once: the table holds one page, and
moving past its last (or first) row posts :class:`PagedTable.EdgeReached`, so the screen can
ask for the neighbouring page. To the trainer it reads as one long list.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable


class PagedTable(DataTable):
    """Row cursor over one page; ↓/PgDn past the end and ↑/PgUp before the start ask for more."""

    BINDINGS = [
        Binding("ctrl+home", "first_page", "Eerste", show=False),
        Binding("ctrl+end", "last_page", "Laatste", show=False),
    ]

    class EdgeReached(Message):
        """``where`` is 1 (after the last row), -1 (before the first), "first" or "last"."""

        def __init__(self, table: PagedTable, where: int | str) -> None:
            super().__init__()
            self.table = table
            self.where = where

        @property
        def control(self) -> PagedTable:
            return self.table

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("cursor_type", "row")
        kwargs.setdefault("zebra_stripes", True)
        super().__init__(**kwargs)

    def action_cursor_down(self) -> None:
        if self.row_count and self.cursor_row >= self.row_count - 1:
            self.post_message(self.EdgeReached(self, 1))
            return
        super().action_cursor_down()

    def action_cursor_up(self) -> None:
        if self.cursor_row <= 0:
            self.post_message(self.EdgeReached(self, -1))
            return
        super().action_cursor_up()

    def action_page_down(self) -> None:
        if self.row_count and self.cursor_row >= self.row_count - 1:
            self.post_message(self.EdgeReached(self, 1))
            return
        super().action_page_down()

    def action_page_up(self) -> None:
        if self.cursor_row <= 0:
            self.post_message(self.EdgeReached(self, -1))
            return
        super().action_page_up()

    def action_first_page(self) -> None:
        self.post_message(self.EdgeReached(self, "first"))

    def action_last_page(self) -> None:
        self.post_message(self.EdgeReached(self, "last"))
