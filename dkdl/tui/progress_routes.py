"""The app's side of Mijn voortgang and Oefen mijn zwakke punten (issue 13).

:class:`ProgressRoutes` is mixed into the practice app. Her figures are counted by the core
(:func:`dkdl.progress.progress_of`) in a thread worker, so the screen paints at once and fills in
when they are there; the weak-point case comes from :func:`dkdl.adaptive.next_weak_case`. An
earlier session is reopened with :meth:`dkdl.practice.Practice.done_of`, which only reads: no
session is started and nothing is written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import work
from textual.markup import escape
from textual.worker import get_current_worker

from dkdl.errors import UserError
from dkdl.tui.messages import NurseNamed, SessionReopened, WeakCaseWanted

if TYPE_CHECKING:
    from dkdl.adaptive import Suggestion
    from dkdl.progress import Progress

PROGRESS_MODES = ("voortgang", "zwakke-punten")


def counted_progress(app: Any, nurse: str) -> Progress:
    """Her figures from the app's log, scorer and library (runs in a worker thread)."""
    from dkdl.progress import progress_of

    return progress_of(app.practice_log, app.scorer, app.library, nurse)


def weak_suggestion(app: Any, progress: Progress) -> Suggestion | None:
    """The next weak-point case for her. The seed is the number of her counted sessions: the
    same history gives the same case, and each finished case moves the choice on."""
    from dkdl.adaptive import next_weak_case

    return next_weak_case(progress, app.library, app.scorer, seed=len(progress.sessions))


NAMES_LISTED = 6  # names with sessions said when hers has none (and none looks like it)


def unknown_name_text(name: str, names: list[str], close: list[str]) -> str:
    """The Dutch notice for Mijn voortgang asked under a name with no sessions: the names that
    look like it, else the names that have sessions here (at most :data:`NAMES_LISTED`)."""
    said = f"Onder de naam ‘{escape(name)}’ is op deze laptop nog niet geoefend."
    if close:
        quoted = [f"‘{escape(n)}’" for n in close]
        return f"{said} Bedoel je {' of '.join(quoted)}?"
    if not names:
        return f"{said} Kies eerst ‘Oefenen met een casus’; daarna zie je hier hoe het gaat."
    shown = ", ".join(escape(n) for n in names[:NAMES_LISTED])
    more = len(names) - NAMES_LISTED
    if more > 0:
        shown += f" en {more} andere"
    return f"{said} Namen met oefeningen: {shown}."


class ProgressRoutes:
    """Message handlers and workers of Mijn voortgang and the weak-point cases, for the app."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # session id -> why the weak-point choice picked its case (said again in its feedback)
        self.weak_reasons: dict[str, str] = {}
        # her figures counted ahead (see precount_progress): (log mark, figures)
        self.kept_progress: tuple[object, Progress] | None = None
        self._precounting: str | None = None  # the nurse a precount is running for
        self._waiting_for: str | None = None  # Mijn voortgang is open and waits for that count

    def open_progress_mode(self, key: str) -> None:
        """A start-menu entry of issue 13 (her name is set)."""
        if key == "voortgang":
            self.open_progress()
        elif key == "zwakke-punten":
            self.find_weak_case()

    # -- counting ahead ------------------------------------------------------------------

    def precount_progress(self, nurse: str | None, *, again: bool = False) -> None:
        """Count her figures now, in a worker, and keep them: once her name is known and after
        each session of hers ends, so Mijn voortgang shows them at once. Kept figures are only
        shown while the log's mark (:func:`dkdl.progress.progress_mark`) is the one they were
        counted at; else the screen counts anew. ``again``: also when a count for her is under
        way (it may have started before what just changed)."""
        app: Any = self
        if not nurse or not getattr(app, "loaded", False):
            return
        if self._precounting == nurse and not again:
            return  # under way
        if self._precounting is None and self.current_progress(nurse) is not None:
            return  # kept and current
        self._precounting = nurse
        self._precount(nurse)

    def on_nurse_named(self, message: NurseNamed) -> None:
        self.precount_progress(message.nurse)

    @work(thread=True, exclusive=True, group="precount", exit_on_error=False)
    def _precount(self, nurse: str) -> None:
        from dkdl.progress import progress_mark

        app: Any = self
        result: tuple[object, Progress] | None = None
        try:
            # the mark first: a write during the count makes it older than the figures, never
            # newer, so they are counted anew rather than shown stale
            mark = progress_mark(app.practice_log, nurse)
            if mark is not None:
                result = (mark, counted_progress(app, nurse))
        except Exception:  # noqa: BLE001 - the screen counts as usual, and says what fails
            result = None
        if not get_current_worker().is_cancelled:  # a newer precount replaced this one
            app.call_from_thread(self._precounted, nurse, result)

    def _precounted(self, nurse: str, result: tuple[object, Progress] | None) -> None:
        if self._precounting == nurse:
            self._precounting = None
        if result is not None:
            self.kept_progress = result
        if self._waiting_for == nurse:
            self._waiting_for = None
            current = self.current_progress(nurse)
            if current is not None:
                self._progress_counted(current)
            else:
                self._count_progress(nurse)

    def current_progress(self, nurse: str) -> Progress | None:
        """Her kept figures if the log has not changed for her since they were counted."""
        from dkdl.progress import progress_mark

        app: Any = self
        kept = self.kept_progress
        if kept is None or kept[1].nurse != nurse:
            return None
        mark = progress_mark(app.practice_log, nurse)
        return kept[1] if mark is not None and mark == kept[0] else None

    # -- Mijn voortgang ------------------------------------------------------------------

    def view_progress_of(self, name: str) -> None:
        """Mijn voortgang asked from the start menu under ``name``: looking changes no data, so
        the name is not stored (nor made the last one). A name with no session or toets in the
        log gets a notice saying so, with the names she may have meant; the screen stays."""
        from dkdl.progress import close_names, has_practised, practised_names

        app: Any = self
        log = app.practice_log
        if not has_practised(log, name):
            names = practised_names(log)
            app.notify(
                unknown_name_text(name, names, close_names(name, names)),
                severity="warning",
                timeout=10,
            )
            return
        app.nurse = name
        self.precount_progress(name)
        app.offer_resume_then(lambda: app.open_mode("voortgang"))

    def open_progress(self) -> None:
        """Show Mijn voortgang at once, with her kept figures when they are current; else they
        follow from the count under way, or from a worker."""
        from dkdl.tui.screens.progress import ProgressScreen

        app: Any = self
        nurse = app.nurse or ""
        current = self.current_progress(nurse)
        app.push_screen(ProgressScreen(nurse, app.questionnaire, current))
        if current is not None:
            return
        if self._precounting == nurse:
            self._waiting_for = nurse
        else:
            self._count_progress(nurse)

    @work(thread=True, exclusive=True, group="progress")
    def _count_progress(self, nurse: str) -> None:
        from dkdl.progress import progress_mark

        app: Any = self
        mark = progress_mark(app.practice_log, nurse)
        progress = counted_progress(app, nurse)
        if not get_current_worker().is_cancelled:  # a newer request replaced this one
            app.call_from_thread(self._progress_counted, progress, mark)

    def _progress_counted(self, progress: Progress, mark: object | None = None) -> None:
        from dkdl.tui.screens.progress import ProgressScreen

        app: Any = self
        if mark is not None:
            self.kept_progress = (mark, progress)
        for screen in app.screen_stack:
            if isinstance(screen, ProgressScreen) and screen.nurse == progress.nurse:
                screen.show_progress(progress)

    def on_session_reopened(self, message: SessionReopened) -> None:
        """An earlier session in its feedback, as she saw it; read-only."""
        from dkdl.feedback import Feedback
        from dkdl.tui.screens.feedback import FeedbackScreen

        app: Any = self
        try:
            done = app.practice.done_of(message.session_id)
            free = app.practice_log.session(message.session_id).mode == "vrij"
        except (KeyError, ValueError, UserError) as exc:  # gone, unreadable, or no longer fits
            app.notify(
                f"Deze oefening kan niet worden getoond: {escape(str(exc))}.",
                severity="warning",
                timeout=8,
            )
            return
        if done.case is None and not free:  # a vrije registratie never had a case
            app.notify(
                "Deze casus is niet meer beschikbaar: je ziet je antwoorden en je profiel, "
                "zonder de sleutel.",
                severity="warning",
                timeout=8,
            )
        app.push_screen(FeedbackScreen(Feedback(done, app.scorer), review=True))

    # -- Oefen mijn zwakke punten --------------------------------------------------------

    def on_weak_case_wanted(self, message: WeakCaseWanted) -> None:
        self.find_weak_case()

    def find_weak_case(self) -> None:
        """Ask the core for her next weak-point case (in a worker: it counts her history)."""
        app: Any = self
        self._choose_weak_case(app.nurse or "")

    @work(thread=True, exclusive=True, group="weak-case")
    def _choose_weak_case(self, nurse: str) -> None:
        app: Any = self
        suggestion = weak_suggestion(app, counted_progress(app, nurse))
        if not get_current_worker().is_cancelled:  # asked twice: one dialog
            app.call_from_thread(self._weak_case_chosen, suggestion)

    def _weak_case_chosen(self, suggestion: Suggestion | None) -> None:
        """Say which case and why; she starts it (or goes back)."""
        from dkdl.tui.screens.confirm import ChoiceScreen
        from dkdl.tui.screens.feedback import FeedbackScreen

        app: Any = self
        if suggestion is None:
            app.notify(
                "Er is nu geen casus om je zwakke punten mee te oefenen: er staan geen casussen "
                "in de bibliotheek die je niet net gedaan hebt. Kies zelf een casus via "
                "‘Oefenen met een casus’.",
                severity="warning",
                timeout=10,
            )
            return
        from_feedback = isinstance(app.screen, FeedbackScreen)

        def chosen(choice: str | None) -> None:
            if choice == "beginnen":
                self.start_weak_case(suggestion, replace=from_feedback)

        app.push_screen(
            ChoiceScreen(
                "Oefen je zwakke punten",
                f"Volgende casus: [b]{escape(suggestion.case.title)}[/b]\n\n"
                f"{escape(suggestion.reason)}",
                [("beginnen", "Beginnen", "primary"), ("terug", "Terug", "default")],
                cancel="terug",
            ),
            chosen,
        )

    def start_weak_case(self, suggestion: Suggestion, *, replace: bool = False) -> None:
        """An ordinary oefenen session on the suggested case; its feedback repeats the reason."""
        app: Any = self
        session = app.practice.start(app.practising_nurse(), "oefenen", suggestion.case)
        self.weak_reasons[session.session_id] = suggestion.reason
        app.show_session(session, replace=replace)

    def weak_reason_of(self, session_id: str) -> str:
        """Why this session's case was chosen for her weak points ('' for any other)."""
        return self.weak_reasons.get(session_id, "")
