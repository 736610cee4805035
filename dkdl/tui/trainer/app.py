"""``dkdl --trainer``: trainer mode as an app of its own, on a log opened read-only.

The practice app is not started (it would open the log for writing). The log is opened in a
worker after the first frame and its first page shown; the questionnaire and the case files
(the case titles, the keys) are read after that, while the trainer looks at the table
(:meth:`dkdl.tui.trainer.routes.TrainerRoutes.on_table_shown`).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.screen import Screen
from textual.worker import WorkerFailed

from dkdl.errors import UserError
from dkdl.safetext import safe_text
from dkdl.tui.trainer.routes import (
    TrainerData,
    TrainerRoutes,
    open_review,
    open_trainer_data,
    trainer_data,
)

if TYPE_CHECKING:
    from dkdl.cases import CaseLibrary
    from dkdl.questionnaire import Questionnaire


class TrainerApp(TrainerRoutes, App):
    TITLE = "DKDL trainer"
    SUB_TITLE = "oefeningen bekijken"
    CSS_PATH = "../dkdl.tcss"
    BINDINGS = [
        Binding("f1", "help", "Help"),
        Binding("ctrl+p", "command_palette", "Opdrachten", show=False, priority=True),
        Binding("f2", "toggle_dark", "Licht/donker", show=False),
        Binding("ctrl+q", "quit", "Afsluiten", show=False, priority=True),
    ]

    def __init__(self, loader: Callable[[], TrainerData]) -> None:
        super().__init__()
        self.loader = loader
        self.failure: UserError | None = None

    def get_default_screen(self) -> Screen:
        # the trainer screen itself is the first frame ("Sessies laden…"): its layout is
        # done while the log opens, and the first page only fills the table
        from dkdl.review_model import ReviewFilter
        from dkdl.tui.trainer.catalog import Catalog
        from dkdl.tui.trainer.screen import TrainerScreen

        return TrainerScreen(Catalog(""), ReviewFilter(), waiting=True)

    def on_mount(self) -> None:
        # load at once, beside Textual's first frame: much of it (reading the first page and
        # the names) runs in SQLite, outside the interpreter lock
        self._load()

    @work(thread=True, exclusive=True, group="load")
    def _load(self) -> None:
        try:
            loaded = self.loader()
        except UserError as exc:
            self.call_from_thread(self._fail, exc)
            return
        except Exception as exc:  # noqa: BLE001 - one line for the user, not a traceback
            self.call_from_thread(self._fail, UserError(f"laden mislukt: {exc}"))
            return
        self.call_from_thread(self._loaded, loaded)

    def _loaded(self, data: TrainerData) -> None:
        from dkdl.tui.trainer.screen import TrainerScreen

        self.close_trainer()
        self.trainer = data
        screen = self.screen_stack[0]
        assert isinstance(screen, TrainerScreen)  # the default screen
        screen.opened(data.catalog, data.first)
        data.first = None

    def _fail(self, exc: UserError) -> None:
        if self.failure is not None:  # the first failure is the one to name (a damaged log,
            return  # then the background reading it broke): the app is ending already
        self.failure = exc
        # after the next refresh: a log refused at once would otherwise end the app while
        # its first screen is still being mounted (Textual's tabs then fail to find theirs)
        self.call_after_refresh(self.exit, return_code=exc.code)

    def _trainer_broken(self, exc: UserError) -> None:
        # trainer mode is the whole app here: the message, as when opening fails
        self._fail(exc)

    def _handle_exception(self, error: Exception) -> None:
        # a log that breaks while reading (file taken away): its message, not a traceback;
        # a worker's failure comes wrapped
        if isinstance(error, WorkerFailed) and isinstance(error.error, UserError):
            error = error.error
        if isinstance(error, UserError):
            self._fail(error)
        else:
            super()._handle_exception(error)

    def action_help(self) -> None:
        from dkdl.tui.trainer.help import TrainerHelpScreen

        if not isinstance(self.screen, TrainerHelpScreen):
            self.push_screen(TrainerHelpScreen())

    def action_toggle_dark(self) -> None:
        self.theme = "textual-light" if self.current_theme.dark else "textual-dark"


def trainer_loader(args: Any) -> Callable[[], TrainerData]:
    """Open the log (read-only) as ``args`` says, in a worker; the questionnaire and the cases
    are read after the first page."""

    def rest() -> tuple[Questionnaire, CaseLibrary]:
        from dkdl.cases import case_dirs, load_library
        from dkdl.questionnaire import load_questionnaire

        questionnaire = load_questionnaire(getattr(args, "questionnaire", None))
        dirs = case_dirs(getattr(args, "cases", None) or [])
        return questionnaire, load_library(dirs, questionnaire)

    def load() -> TrainerData:
        from dkdl import store

        path = Path(store.resolve_db_path(getattr(args, "db", None)))
        return trainer_data(path, open_review(path), rest)

    return load


def make_trainer_app(
    *, path: Path, questionnaire: Questionnaire, library: CaseLibrary
) -> TrainerApp:
    """Trainer mode on given data (tests: a log built in tmp_path, a small library)."""
    return TrainerApp(lambda: open_trainer_data(path, library, questionnaire))


def run_trainer(args: Any) -> int:
    app = TrainerApp(trainer_loader(args))
    app.run()
    app.close_trainer()
    if app.failure is not None:
        # it may name a file from elsewhere: its control codes written out, not sent
        sys.stderr.write(f"dkdl: {safe_text(app.failure, multiline=True)}\n")
        return app.failure.code
    return app.return_code or 0
