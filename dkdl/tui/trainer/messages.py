"""The messages trainer screens post to the app (toolong's pattern: one module of messages).

Screens say what the trainer wants; the app (:class:`dkdl.tui.trainer.routes.TrainerRoutes`)
does the slow part in a worker and hands the result down to the screen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:  # the practice app imports this module at start-up: keep it light
    from dkdl.review_model import NurseStats, QuestionStats, ReviewFilter


class TrainerWanted(Message):
    """Start screen: open trainer mode on this app's log."""


class TableShown(Message):
    """The first page of sessions is on the screen: the app may start its background work
    (the file's structure check, what the analysis tabs need first)."""


class PageWanted(Message):
    """The sessions table needs rows: the page at ``offset`` of this filter and order."""

    def __init__(self, flt: ReviewFilter, sort: str, descending: bool, offset: int) -> None:
        super().__init__()
        self.flt = flt
        self.sort = sort
        self.descending = descending
        self.offset = offset


class SessionChosen(Message):
    """Open one session (its UUID) in detail."""

    def __init__(self, session_id: str) -> None:
        super().__init__()
        self.session_id = session_id


class AnalysisWanted(Message):
    """The analyses (per question, per case, per nurse) over this filter."""

    def __init__(self, flt: ReviewFilter) -> None:
        super().__init__()
        self.flt = flt


class NurseChosen(Message):
    """Open one nurse's progress and weakest questions. ``stats``: her figures under the
    current filter, ``group``: the group's per question (both already on screen); the app
    adds her progress over all her attempts."""

    def __init__(self, stats: NurseStats, group: dict[str, QuestionStats], flt: ReviewFilter):
        super().__init__()
        self.stats = stats
        self.group = group
        self.flt = flt


class AliasWanted(Message):
    """The trainer wants to say that ``display`` (a nurse as shown) is the same person as
    another name."""

    def __init__(self, display: str) -> None:
        super().__init__()
        self.display = display


class AliasUndoWanted(Message):
    """Undo an alias the trainer made (she picks which)."""
