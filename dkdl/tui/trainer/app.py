"""``dkdl --trainer``: trainer mode as an app of its own, on a log opened read-only.

The practice app is not started (it would open the log for writing); the questionnaire, the
cases and the log load in a worker after the first frame, as in the practice app.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Header, Static

from dkdl.errors import UserError
from dkdl.tui.trainer.routes import (
    TrainerData,
    TrainerRoutes,
    open_review,
    open_trainer_data,
    trainer_data,
)
from dkdl.tui.widgets.footer import SteadyFooter

if TYPE_CHECKING:
    from dkdl.cases import CaseLibrary
    from dkdl.questionnaire import Questionnaire
    from dkdl.scoring import Scorer


@dataclass
class TrainerLoaded:
    questionnaire: Questionnaire
    library: CaseLibrary
    data: TrainerData


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

    def __init__(self, loader: Callable[[], TrainerLoaded]) -> None:
        super().__init__()
        self.loader = loader
        self.failure: UserError | None = None
        self.questionnaire: Questionnaire | None = None
        self.library: CaseLibrary | None = None
        self.scorer: Scorer | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Logbestand openen…", id="t-loading", classes="para")
        yield SteadyFooter()

    def on_mount(self) -> None:
        # load at once, beside Textual's first frame: most of it (checking the file, the
        # review's counting) runs in SQLite, outside the interpreter lock
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

    def _loaded(self, loaded: TrainerLoaded) -> None:
        from dkdl.scoring import Scorer

        self.questionnaire, self.library = loaded.questionnaire, loaded.library
        self.scorer = Scorer(loaded.questionnaire)
        self._trainer_opened(loaded.data)

    def _fail(self, exc: UserError) -> None:
        self.failure = exc
        self.exit(return_code=exc.code)

    def _trainer_broken(self, exc: UserError) -> None:
        # trainer mode is the whole app here: the message, as when opening fails
        self._fail(exc)

    def _handle_exception(self, error: Exception) -> None:
        # a log that breaks while reading (file taken away): its message, not a traceback
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


def trainer_loader(args: Any) -> Callable[[], TrainerLoaded]:
    """Load questionnaire, cases and the log (read-only) as ``args`` says, in a worker."""

    def load() -> TrainerLoaded:
        from concurrent.futures import ThreadPoolExecutor

        from dkdl import store
        from dkdl.cases import CaseLibrary, case_dirs, load_library
        from dkdl.questionnaire import load_questionnaire

        path = Path(store.resolve_db_path(getattr(args, "db", None)))
        questionnaire = load_questionnaire(getattr(args, "questionnaire", None))
        # The log is opened and the first page read (mostly SQLite, which lets the other
        # thread run) while the case files are read; the review gets the library after.
        # SQLite's structure check follows after the first page (TrainerRoutes._verify_log).
        with ThreadPoolExecutor(1) as pool:
            opening = pool.submit(open_review, path, CaseLibrary([], []), questionnaire)
            try:
                library = load_library(case_dirs(getattr(args, "cases", None) or []), questionnaire)
            except BaseException:
                if opening.exception() is None:
                    opening.result().review.close()
                raise
            opened = opening.result()
        opened.review.use_library(library)
        return TrainerLoaded(
            questionnaire, library, trainer_data(path, opened, library, questionnaire)
        )

    return load


def make_trainer_app(
    *, path: Path, questionnaire: Questionnaire, library: CaseLibrary
) -> TrainerApp:
    """Trainer mode on given data (tests: a log built in tmp_path, a small library)."""
    return TrainerApp(
        lambda: TrainerLoaded(
            questionnaire, library, open_trainer_data(path, library, questionnaire)
        )
    )


def run_trainer(args: Any) -> int:
    app = TrainerApp(trainer_loader(args))
    app.run()
    app.close_trainer()
    if app.failure is not None:
        sys.stderr.write(f"dkdl: {app.failure}\n")
        return app.failure.code
    return app.return_code or 0
