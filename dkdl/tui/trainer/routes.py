"""The app's side of trainer mode: open the log read-only, answer the screens' messages.

:class:`TrainerRoutes` is mixed into the practice app (trainer mode from the start screen) and
into :class:`dkdl.tui.trainer.app.TrainerApp` (``dkdl --trainer``). Every query runs in a
thread worker through the review core (:class:`dkdl.review.Review`); its result is handed down
to the trainer screen, which drops answers to questions it no longer asks.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work
from textual.worker import get_current_worker

from dkdl.errors import UserError
from dkdl.tui.trainer import messages as msg

if TYPE_CHECKING:
    from dkdl.cases import CaseLibrary
    from dkdl.questionnaire import Questionnaire
    from dkdl.review import Review
    from dkdl.review_model import ReviewFilter, SessionDetail, SessionPage
    from dkdl.tui.trainer.catalog import Catalog


Rest = Callable[[], "tuple[Questionnaire, CaseLibrary]"]


@dataclass
class TrainerData:
    """What trainer mode has open: the review of one log (read-only) and the names to show."""

    review: Review
    catalog: Catalog
    first: SessionPage | None = None  # the table's first page, fetched with the opening
    started: bool = False  # the background work after the first page has been started
    # the questionnaire and the case library, when they are still to be read (after the first
    # page: ``dkdl --trainer``); the session details and analyses wait for ``ready``
    rest: Rest | None = None
    ready: threading.Event = field(default_factory=threading.Event)
    failed: bool = False  # reading ``rest`` failed: nothing more will be ready


@dataclass
class Opened:
    """A log opened for review with what the first screen shows of it (no library needed)."""

    review: Review
    nurses: list[tuple[str, int]]
    first: SessionPage


def open_review(path: Path, log: Any = None) -> Opened:
    """Open ``path`` read-only for review (unless ``log`` is that log, already open) and read
    the names and the table's first page (run in a worker): no questionnaire or case library
    needed yet (:meth:`dkdl.review.Review.use_library`). :class:`dkdl.store.StoreError` for a
    file that is not a usable log."""
    from dkdl.review import Review
    from dkdl.review_model import ReviewFilter
    from dkdl.store import open_log
    from dkdl.tui.trainer.screen import PAGE

    if log is None:
        # SQLite's structure check (a read of the whole file) runs after the first page is
        # shown (TrainerRoutes._verify_log): the review never writes to the file
        log = open_log(path, create=False, readonly=True, quick_check=False)
    try:
        review = Review(log, own_log=True)
    except BaseException:
        log.close()
        raise
    try:
        nurses = [(n.display, n.key) for n in review.nurses()]
        first = review.sessions_page(ReviewFilter(), limit=PAGE)
        return Opened(review, nurses, first)
    except BaseException:
        review.close()
        raise


def catalog_of(
    path: Path, nurses: list[tuple[str, int]], case_ids: list[str], library: Any, questionnaire: Any
) -> Catalog:
    """The names trainer mode shows: case titles from ``library`` (a case the library lacks,
    or every case while the library is still being read, by its id)."""
    from dkdl.tui.trainer.catalog import Catalog

    cases = {case.id: case.title for case in library.cases} if library is not None else {}
    for case_id in case_ids:
        cases.setdefault(case_id, case_id)
    return Catalog(path.name, nurses, cases, questionnaire)


def trainer_data(path: Path, opened: Opened, rest: Rest) -> TrainerData:
    """What trainer mode has open after :func:`open_review`; ``rest`` reads the questionnaire
    and the case library, after the first page."""
    catalog = catalog_of(path, opened.nurses, [], None, None)  # the case ids come with ``rest``
    return TrainerData(opened.review, catalog, opened.first, rest=rest)


def open_trainer_data(path: Path, library: Any, questionnaire: Any, log: Any = None) -> TrainerData:
    """:func:`open_review` with the questionnaire and the library at hand (ready at once)."""
    opened = open_review(path, log)
    opened.review.use_library(library, questionnaire)
    catalog = catalog_of(path, opened.nurses, opened.review.case_ids(), library, questionnaire)
    data = TrainerData(opened.review, catalog, opened.first)
    data.ready.set()
    return data


def feedback_of(detail: SessionDetail, review: Review) -> Any:
    """The finished session as the feedback screen takes it, or None when it cannot be shown
    as she saw it (not finished, a free registration, or her answers no longer give the
    profile the log recorded, e.g. after a change of questionnaire)."""
    from dkdl.feedback import Feedback
    from dkdl.practice import Done
    from dkdl.scoring import AnswerError, Answers

    if detail.status != "afgerond":
        return None
    options = {r.question_id: r.mine for r in detail.rows if r.mine is not None}
    items = frozenset(i for r in detail.rows for i in r.mine_items)
    answers = Answers(options, items)
    try:
        result = review.scorer.score(answers)
    except AnswerError:
        return None
    if result.profile != detail.profile:
        return None
    case = review.case(detail.case_id) if detail.case_id and detail.key_profile else None
    return Feedback(Done(case, detail.session_id, answers, result), review.scorer)


class TrainerRoutes:
    """Message handlers and workers of trainer mode, for an App subclass."""

    trainer: TrainerData | None = None

    # -- opening -------------------------------------------------------------------------

    def on_trainer_wanted(self, message: msg.TrainerWanted) -> None:
        """From the start screen: trainer mode on the log this app writes to."""
        app: Any = self
        path = getattr(app.practice_log, "path", None)
        if path is None:
            app.notify("Deze app heeft geen logbestand om te bekijken.", severity="warning")
            return
        app.notify("Logbestand openen…", timeout=3)
        self._open_trainer(Path(path))

    @work(thread=True, exclusive=True, group="trainer-open")
    def _open_trainer(self, path: Path) -> None:
        app: Any = self
        try:
            data = open_trainer_data(path, app.library, app.questionnaire)
        except UserError as exc:
            app.call_from_thread(app.notify, str(exc), severity="error", timeout=10)
            return
        app.call_from_thread(self._trainer_opened, data)

    def _trainer_opened(self, data: TrainerData) -> None:
        from dkdl.review_model import ReviewFilter
        from dkdl.tui.trainer.screen import TrainerScreen

        app: Any = self
        self.close_trainer()
        self.trainer = data
        app.clear_notifications()
        app.push_screen(TrainerScreen(data.catalog, ReviewFilter(), data.first))
        data.first = None

    def on_table_shown(self, message: msg.TableShown) -> None:
        """The first page is on the screen: check the file's structure, read the questionnaire
        and the cases if still needed, then what the analysis tabs need first, all in the
        background (once per opened log)."""
        if self.trainer is not None and not self.trainer.started:
            self.trainer.started = True
            self._verify_log(self.trainer.review.path)
            self._complete(self.trainer)

    @work(thread=True, exclusive=True, group="trainer-complete")
    def _complete(self, data: TrainerData) -> None:
        """The questionnaire and the case library to the review (``dkdl --trainer`` reads
        them after the first page), the case titles to the screen; then what the analysis
        tabs need first, read while the trainer looks at the table."""
        app: Any = self
        if data.rest is not None:
            try:
                questionnaire, library = data.rest()
                data.review.use_library(library, questionnaire)
                case_ids = data.review.case_ids()
            except Exception as exc:  # noqa: BLE001 - one line for the user, as when loading
                failure = exc if isinstance(exc, UserError) else UserError(f"laden mislukt: {exc}")
                data.failed = True  # the workers waiting for the questions give up
                data.ready.set()
                app.call_from_thread(self._trainer_broken, failure)
                return
            catalog = catalog_of(
                data.review.path, data.catalog.nurses, case_ids, library, questionnaire
            )
            data.rest = None
            app.call_from_thread(self._catalog_in, data, catalog)
        data.ready.set()
        with contextlib.suppress(UserError):  # the tab that needs it will say so
            data.review.prepare()

    def _catalog_in(self, data: TrainerData, catalog: Catalog) -> None:
        """The case titles and the questions, once read: to the data and the screen."""
        if self.trainer is data:
            data.catalog = catalog
            self._to_screen("catalog_changed", catalog)

    @contextlib.contextmanager
    def _while_open(self, data: TrainerData) -> Iterator[None]:
        """A worker's reading of ``data``: a failure once trainer mode has closed it (esc
        closes the review's connection under a worker still reading) is dropped, as is the
        answer nobody waits for; while it is open, the failure is the app's to handle."""
        try:
            yield
        except UserError:
            if self.trainer is data:
                raise

    def _questions_ready(self) -> TrainerData | None:
        """In a worker: the open trainer data once its questionnaire and cases are with the
        review (waits while they are read); None when trainer mode closed or reading failed."""
        data = self.trainer
        if data is None:
            return None
        data.ready.wait()
        return None if data.failed or self.trainer is not data else data

    @work(thread=True, exclusive=True, group="trainer-verify")
    def _verify_log(self, path: Path) -> None:
        """SQLite's structure check of the log (``PRAGMA quick_check``), after the first page:
        a damaged file is named and trainer mode closes, as an opening check would have."""
        from dkdl.store import StoreError, verify_structure

        app: Any = self
        try:
            verify_structure(Path(path))
        except StoreError as exc:
            app.call_from_thread(self._trainer_broken, exc)

    def _trainer_broken(self, exc: UserError) -> None:
        """The log turned out unusable while trainer mode was open: say so, leave it."""
        from dkdl.tui.trainer.screen import TrainerScreen

        app: Any = self
        app.notify(str(exc), severity="error", timeout=15)
        stack = app.screen_stack
        first = next((i for i, s in enumerate(stack) if isinstance(s, TrainerScreen)), None)
        if first is not None:
            for _ in range(len(stack) - max(first, 1)):
                app.pop_screen()
        self.close_trainer()

    def close_trainer(self) -> None:
        if self.trainer is not None:
            self.trainer.failed = True  # workers waiting for the questionnaire give up
            self.trainer.ready.set()
            self.trainer.review.close()
            self.trainer = None

    def action_trainer_leave(self) -> None:
        """Esc on the trainer's main screen: back to the start screen (or quit)."""
        from dkdl.tui.trainer.screen import TrainerScreen

        app: Any = self
        if isinstance(app.screen, TrainerScreen):
            if len(app.screen_stack) > 2:  # opened from the start screen
                app.pop_screen()
                self.close_trainer()
            else:
                app.exit()

    def _to_screen(self, method: str, *args: Any) -> None:
        """Hand a worker's result down to the trainer screen, if it is still open."""
        from dkdl.tui.trainer.screen import TrainerScreen

        app: Any = self
        for screen in app.screen_stack:
            if isinstance(screen, TrainerScreen):
                getattr(screen, method)(*args)

    # -- the sessions table and the analyses ---------------------------------------------

    def on_page_wanted(self, message: msg.PageWanted) -> None:
        self._page(message)

    @work(thread=True, exclusive=True, group="trainer-page")
    def _page(self, request: msg.PageWanted) -> None:
        from dkdl.tui.trainer.screen import PAGE

        app: Any = self
        data = self.trainer
        if data is None:
            return
        with self._while_open(data):
            page = data.review.sessions_page(
                request.flt,
                sort=request.sort,
                descending=request.descending,
                offset=request.offset,
                limit=PAGE,
            )
            if not get_current_worker().is_cancelled:
                app.call_from_thread(self._to_screen, "show_page", request, page)

    def on_analysis_wanted(self, message: msg.AnalysisWanted) -> None:
        self._analysis(message.flt)

    @work(thread=True, exclusive=True, group="trainer-analysis")
    def _analysis(self, flt: ReviewFilter) -> None:
        app: Any = self
        data = self._questions_ready()
        if data is None:
            return
        with self._while_open(data):
            analysis = data.review.analysis(flt)
            # compute every part here, in the worker, not when a tab reads it
            analysis.sessions, analysis.questions, analysis.nurses  # noqa: B018
            if not get_current_worker().is_cancelled:
                app.call_from_thread(self._to_screen, "show_analysis", analysis)

    def on_nurse_chosen(self, message: msg.NurseChosen) -> None:
        self._nurse(message)

    @work(thread=True, exclusive=True, group="trainer-nurse")
    def _nurse(self, request: msg.NurseChosen) -> None:
        from dataclasses import replace

        app: Any = self
        data = self._questions_ready()
        if data is None:
            return
        nurse = request.stats.nurse
        flt = replace(request.flt, nurse=nurse.display, attempts="all")
        with self._while_open(data):
            trend = data.review.analysis(flt).nurses.get(nurse.key)
            if not get_current_worker().is_cancelled:
                app.call_from_thread(self._show_nurse, request, trend)

    def _show_nurse(self, request: msg.NurseChosen, trend: Any) -> None:
        from dkdl.tui.trainer.catalog import describe
        from dkdl.tui.trainer.screen import TrainerScreen
        from dkdl.tui.trainer.views import NurseView

        app: Any = self
        screens = [s for s in app.screen_stack if isinstance(s, TrainerScreen)]
        if not screens or self.trainer is None:
            return
        main = screens[-1]
        display = request.stats.nurse.display

        def back(choice: str | None) -> None:
            if choice == "sessies":
                main.show_nurse_sessions(display)

        text = describe(request.flt, self.trainer.catalog)
        app.push_screen(NurseView(request.stats, trend, request.group, text), back)

    # -- one session ---------------------------------------------------------------------

    def on_session_chosen(self, message: msg.SessionChosen) -> None:
        self._detail(message.session_id)

    @work(thread=True, exclusive=True, group="trainer-detail")
    def _detail(self, session_id: str) -> None:
        app: Any = self
        data = self._questions_ready()
        if data is None:
            return
        review = data.review
        with self._while_open(data):
            try:
                detail = review.session_detail(session_id)
            except KeyError:
                app.call_from_thread(app.notify, "Deze sessie staat niet (meer) in het logbestand.")
                return
            feedback = feedback_of(detail, review)
            app.call_from_thread(self._show_detail, detail, feedback)

    def _show_detail(self, detail: SessionDetail, feedback: Any) -> None:
        from dkdl.tui.trainer.detail import SessionDetailScreen

        app: Any = self
        app.push_screen(SessionDetailScreen(detail, feedback))

    # -- the trainer's one write: "these two names are one person" -----------------------

    def on_alias_wanted(self, message: msg.AliasWanted) -> None:
        self._alias_choices(message.display)

    @work(thread=True, exclusive=True, group="trainer-alias")
    def _alias_choices(self, display: str) -> None:
        from dkdl.store import NOT_COLLECTED, collected, nurse_identities

        app: Any = self
        if self.trainer is None:
            return
        if not collected(self.trainer.review.log):  # a laptop's own log: never an alias
            app.call_from_thread(app.notify, NOT_COLLECTED, severity="warning", timeout=10)
            return
        identities = nurse_identities(self.trainer.review.log)
        me = next((i for i in identities if i.label == display), None)
        if me is None:
            return
        others = [i for i in identities if i.person != me.person]
        app.call_from_thread(self._ask_alias, me, others)

    def _ask_alias(self, me: Any, others: list[Any]) -> None:
        from dkdl.tui.screens.confirm import ConfirmScreen
        from dkdl.tui.trainer.dialogs import PickScreen

        app: Any = self
        if not others:
            app.notify("Er is geen andere naam om mee te koppelen.")
            return

        def named(i: Any) -> str:
            return f"{i.key.pseudonym} ({i.laptop.label}, {i.sessions} sessies)"

        def picked(choice: str | None) -> None:
            if choice is None:
                return
            other = others[int(choice)]

            def confirmed(yes: bool | None) -> None:
                if yes:
                    self._alias_change(me.key, other.key, True)

            app.push_screen(
                ConfirmScreen(
                    "Zelfde persoon?",
                    f"‘{named(me)}’ en ‘{named(other)}’ zijn dezelfde verpleegkundige. In alle "
                    "overzichten tellen hun sessies dan samen (één eerste poging per casus). "
                    "Dit wordt alleen in dit logbestand vastgelegd, niet in de logs van de "
                    "laptops, en kan ongedaan worden gemaakt (u).",
                    yes="Koppelen",
                    no="Annuleren",
                ),
                confirmed,
            )

        app.push_screen(
            PickScreen(
                f"Zelfde persoon als {me.label}",
                [(str(n), named(i)) for n, i in enumerate(others)],
                note="Kies de naam waaronder zij ook heeft geoefend.",
            ),
            picked,
        )

    def on_alias_undo_wanted(self, message: msg.AliasUndoWanted) -> None:
        self._alias_list()

    @work(thread=True, exclusive=True, group="trainer-alias")
    def _alias_list(self) -> None:
        from dkdl.store import aliases, installations

        app: Any = self
        if self.trainer is None:
            return
        log = self.trainer.review.log
        pairs = aliases(log)
        laptops = {i.id: i.label for i in installations(log)}
        app.call_from_thread(self._ask_unalias, pairs, laptops)

    def _ask_unalias(self, pairs: list[Any], laptops: dict[Any, str]) -> None:
        from dkdl.tui.trainer.dialogs import PickScreen

        app: Any = self
        if not pairs:
            app.notify("Er zijn geen koppelingen om ongedaan te maken.")
            return

        def named(key: Any) -> str:
            return f"{key.pseudonym} ({laptops.get(key.installation, 'laptop onbekend')})"

        def picked(choice: str | None) -> None:
            if choice is not None:
                a, b = pairs[int(choice)]
                self._alias_change(a, b, False)

        app.push_screen(
            PickScreen(
                "Koppeling ongedaan maken",
                [(str(n), f"{named(a)} = {named(b)}") for n, (a, b) in enumerate(pairs)],
                note="Kies de koppeling die niet klopt; de namen tellen dan weer apart.",
            ),
            picked,
        )

    @work(thread=True, exclusive=True, group="trainer-alias")
    def _alias_change(self, a: Any, b: Any, join: bool) -> None:
        """Record (or undo) that ``a`` and ``b`` are one person, through the store; then the
        review reads its nurses again and the screen counts anew."""
        from dataclasses import replace

        from dkdl.store import add_alias, remove_alias

        app: Any = self
        if self.trainer is None:
            return
        review = self.trainer.review
        try:
            (add_alias if join else remove_alias)(review.log, a, b)
        except (UserError, ValueError) as exc:
            app.call_from_thread(app.notify, str(exc), severity="error", timeout=10)
            return
        review.reload_identities()
        nurses = [(n.display, n.key) for n in review.nurses()]
        catalog = replace(self.trainer.catalog, nurses=nurses)
        self.trainer.catalog = catalog
        done = (
            f"‘{a.pseudonym}’ en ‘{b.pseudonym}’ tellen nu als één verpleegkundige. "
            "u: ongedaan maken."
            if join
            else f"‘{a.pseudonym}’ en ‘{b.pseudonym}’ tellen weer apart."
        )
        app.call_from_thread(self._to_screen, "names_changed", catalog)
        app.call_from_thread(app.notify, done, timeout=8)
