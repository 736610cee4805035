"""The practice app: one factory (:func:`make_app`) and the CLI entry (:func:`run_app`).

The app holds what every screen needs (questionnaire, scorer, case library, the log, the nurse,
the :class:`~dkdl.practice.Practice` rules) and routes between screens: screens show what they
are given and post messages (:mod:`dkdl.tui.messages`); the practice model applies the session
rules and writes the log. Heavy modules (pydantic models, YAML, SQLite) load in a worker after
the start screen is on the terminal, so start-up stays close to a bare Textual app.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.markup import escape
from textual.screen import Screen
from textual.worker import WorkerFailed

from dkdl.errors import UserError
from dkdl.safetext import safe_text
from dkdl.sessionlog import AFGEROND
from dkdl.tui.messages import (
    CaseChosen,
    GoHome,
    ModeChosen,
    NextCase,
    RetryCase,
    SessionFinished,
    SessionLeft,
    ToetsPlanned,
)
from dkdl.tui.progress_routes import PROGRESS_MODES, ProgressRoutes
from dkdl.tui.screens.start import StartScreen
from dkdl.tui.trainer.routes import TrainerRoutes

if TYPE_CHECKING:
    from dkdl.cases import Case, CaseLibrary
    from dkdl.practice import CaseHistory, Pending, Practice, Session
    from dkdl.questionnaire import Questionnaire
    from dkdl.scoring import Scorer
    from dkdl.sessionlog import PracticeLog
    from dkdl.tui.screens.question import QuestionScreen


@dataclass
class Loaded:
    log: PracticeLog
    questionnaire: Questionnaire
    library: CaseLibrary
    notice: str = ""  # shown on the start screen (e.g. case files that could not be read)


class DkdlApp(TrainerRoutes, ProgressRoutes, App[None]):
    TITLE = "DKDL oefenen"
    SUB_TITLE = "cliëntprofiel wijkverpleging"
    CSS_PATH = "dkdl.tcss"
    BINDINGS = [
        Binding("f1", "help", "Help"),
        Binding("ctrl+p", "command_palette", "Opdrachten", show=False, priority=True),
        Binding("f2", "toggle_dark", "Licht/donker", show=False),
        Binding("ctrl+q", "quit", "Afsluiten", show=False, priority=True),
    ]

    # set by _set_loaded (at once when made with data, else by the loading worker)
    practice_log: PracticeLog
    questionnaire: Questionnaire
    library: CaseLibrary
    scorer: Scorer
    practice: Practice

    def __init__(
        self,
        *,
        log: PracticeLog | None = None,
        questionnaire: Questionnaire | None = None,
        library: CaseLibrary | None = None,
        loader: Callable[[], Loaded] | None = None,
        nurse: str | None = None,
    ) -> None:
        super().__init__()
        self.loader = loader
        self.loaded = False
        self.nurse: str | None = nurse
        self._remembered: str | None = None  # the name set_nurse stored last
        self.log_notice = ""
        self.failure: UserError | None = None
        self._resume_checked: set[str] = set()
        if loader is None:
            assert log is not None and questionnaire is not None and library is not None
            self._set_loaded(Loaded(log, questionnaire, library))

    # -- loading -------------------------------------------------------------------------

    def _set_loaded(self, data: Loaded) -> None:
        from dkdl.practice import Practice
        from dkdl.scoring import Scorer

        self.practice_log = data.log
        self.questionnaire, self.library = data.questionnaire, data.library
        self.log_notice = data.notice
        self.scorer = Scorer(data.questionnaire)
        self.practice = Practice(data.log, self.scorer, data.library)
        if self.nurse is None:
            self.nurse = self._remembered = self.practice_log.last_nurse()
        self.loaded = True

    def on_mount(self) -> None:
        self.push_screen(StartScreen())

    def on_ready(self) -> None:
        # Load after the first frame is on the terminal, so loading never delays it.
        if not self.loaded:
            self._load()
        else:
            self._tell_start_screen()

    @work(thread=True, exclusive=True, group="load")
    def _load(self) -> None:
        assert self.loader is not None
        try:
            data = self.loader()
        except UserError as exc:  # a broken questionnaire file, an unusable log
            self.call_from_thread(self._fail, exc)
            return
        except Exception as exc:  # noqa: BLE001 - show the user one line, not a traceback
            self.call_from_thread(self._fail, UserError(f"laden mislukt: {exc}"))
            return
        self.call_from_thread(self._loaded, data)

    def _loaded(self, data: Loaded) -> None:
        self._set_loaded(data)
        self._tell_start_screen()

    def _tell_start_screen(self) -> None:
        """The start screen learns how many cases there are and who practised last."""
        n = len(self.library.cases)
        text = f"{n} casussen beschikbaar."
        if self.library.problems:
            text += (
                f" {len(self.library.problems)} casusbestand(en) met fouten overgeslagen "
                "(zie: dkdl cases validate)."
            )
        if self.log_notice:
            text += " " + self.log_notice
        for screen in self.screen_stack:
            if isinstance(screen, StartScreen):
                screen.show_status(text, self.nurse)

    def _fail(self, exc: UserError) -> None:
        self.failure = exc
        self.exit(return_code=exc.code)

    def _handle_exception(self, error: Exception) -> None:
        # A log that fails mid-session (disk full, file taken away) ends the app with its
        # message, like the CLI, instead of a traceback; answers given before are stored.
        # A worker's failure comes wrapped.
        if isinstance(error, WorkerFailed) and isinstance(error.error, UserError):
            error = error.error
        if isinstance(error, UserError):
            self._fail(error)
        else:
            super()._handle_exception(error)

    # -- nurse and resume ----------------------------------------------------------------

    def set_nurse(self, name: str) -> None:
        """Her name for what she does next, stored (and made the last one, pre-filled at the
        next start)."""
        self.nurse = self._remembered = self.practice_log.remember_nurse(name)

    def practising_nurse(self) -> str:
        """Her name for a new session. Stored now if she came through Mijn voortgang, which
        only reads (:meth:`view_progress_of`) and so left it unstored."""
        if self.nurse and self.nurse != self._remembered:
            self.set_nurse(self.nurse)
        return self.nurse or ""

    def on_mode_chosen(self, message: ModeChosen) -> None:
        if message.mode == "voortgang":  # looking only: her name is not stored
            self.view_progress_of(message.nurse)
            return
        self.set_nurse(message.nurse)
        self.precount_progress(self.nurse)
        self.offer_resume_then(lambda: self.open_mode(message.mode))

    def offer_resume_then(self, then: Callable[[], Any]) -> None:
        """Once per nurse: offer to resume (or abandon) what she left unfinished last."""
        from dkdl.tui.screens.confirm import ChoiceScreen

        nurse = self.nurse or ""
        if nurse in self._resume_checked:
            then()
            return
        self._resume_checked.add(nurse)
        pending = self.practice.pending(self.nurse)
        if not pending:
            then()
            return
        last = pending[-1]
        text, can_resume = self._pending_text(last)

        def chosen(choice: str | None) -> None:
            if choice == "hervatten" and can_resume:
                self.resume(last)
            elif choice == "afbreken":
                self.practice.abandon(last)
                self.notify("De onafgemaakte oefening is afgebroken.")
                then()
            else:
                then()

        self.push_screen(
            ChoiceScreen(
                "Onafgemaakte toets" if last.toets else "Onafgemaakte oefening",
                text,
                [  # safe first, destructive last, as in the other dialogs
                    ("hervatten", "Verder gaan", "primary"),
                    ("later", "Later", "default"),
                    ("afbreken", "Afbreken", "error"),
                ],
                cancel="later",
            ),
            chosen,
        )

    def _pending_text(self, pending: Pending) -> tuple[str, bool]:
        """The resume question in words, and whether going on is possible."""
        info = pending.session
        started = datetime.fromisoformat(pending.started_at).astimezone()  # the laptop's time
        when = f"begonnen {started:%d-%m-%Y om %H:%M}"
        if pending.toets is not None:
            planned = len(pending.toets.case_ids)
            finished = sum(
                1
                for s in self.practice_log.sessions(pending.toets.nurse)
                if s.test_id == pending.toets.id and s.status == AFGEROND
            )
            text = (
                f"Toets van {planned} {'casus' if planned == 1 else 'casussen'}, {when}: "
                f"{finished} af, de rest volgt. Je antwoorden zijn bewaard.\n"
                "Wil je verder waar je was, of de toets afbreken?"
            )
            return text, True
        assert info is not None
        case = self.practice.case_of(info)
        what = {"vrij": "Vrije registratie", "toets": "Toetscasus"}.get(info.mode, "Oefening")
        if case is not None:
            what += f" ‘{escape(case.title)}’"
        n = len(self.practice_log.answers(info.id))
        text = (
            f"{what}, {when}, {n} {'antwoord' if n == 1 else 'antwoorden'} bewaard.\n"
            "Wil je verder waar je was, of deze oefening afbreken?"
        )
        can_resume = case is not None or info.case_id is None
        if not can_resume:
            text += "\n(Deze casus is niet meer beschikbaar; verder gaan kan niet.)"
        return text, can_resume

    def resume(self, pending: Pending) -> None:
        """Go on with what she left: a session, or a whole toets."""
        try:
            session = self.practice.resume(pending)
        except ValueError as exc:
            self.notify(f"Verder gaan lukt niet: {exc}.", severity="warning", timeout=8)
            return
        info = pending.session
        if session.toets is not None and session.toets.dropped:
            gone = ", ".join(session.toets.dropped)
            self.notify(
                f"Niet meer beschikbaar, valt weg uit deze toets: {escape(gone)}.",
                severity="warning",
                timeout=8,
            )
        if info is not None and session.session_id == info.id:
            case = session.case
            if case is not None and info.case_hash != case.content_hash:
                self.notify(
                    "Deze casus is gewijzigd sinds je begon; de sleutel kan anders zijn.",
                    severity="warning",
                    timeout=8,
                )
            if info.questionnaire_hash != self.questionnaire.content_hash:
                self.notify(
                    "De vragenlijst is gewijzigd sinds je begon.", severity="warning", timeout=8
                )
        self.show_session(session)

    # -- routes --------------------------------------------------------------------------

    def open_mode(self, key: str) -> None:
        self.clear_notifications()  # a hint from the previous screen no longer applies
        if key == "oefenen":
            from dkdl.tui.screens.casechoice import CaseChoiceScreen

            self.push_screen(CaseChoiceScreen(self.library.cases, self._history()))
        elif key == "vrij":
            self.start_session("vrij")
        elif key == "toets":
            from dkdl.tui.screens.toets import ToetsSetupScreen

            self.push_screen(ToetsSetupScreen(self.library.cases))
        elif key in PROGRESS_MODES:
            self.open_progress_mode(key)

    def _history(self) -> dict[str, CaseHistory]:
        from dkdl.practice import case_history

        return case_history(self.practice_log, self.nurse)

    def on_case_chosen(self, message: CaseChosen) -> None:
        self.open_case(message.case)

    def open_case(self, case: Case) -> None:
        """Practise ``case``; if she left it halfway before, ask whether to go on with that."""
        from dkdl.practice import Pending
        from dkdl.tui.screens.confirm import ChoiceScreen

        paused = self.practice.paused_case(self.nurse, case)
        if not paused:
            self.start_session("oefenen", case)
            return
        info = paused[-1]
        n = len(self.practice_log.answers(info.id))

        def chosen(choice: str | None) -> None:
            if choice == "hervatten":
                self.resume(Pending(info))
            elif choice == "opnieuw":
                for old in paused:
                    self.practice.abandon(Pending(old))
                self.start_session("oefenen", case)

        self.push_screen(
            ChoiceScreen(
                "Al eerder begonnen",
                f"Je was al met ‘{escape(case.title)}’ bezig: {n} "
                f"{'antwoord' if n == 1 else 'antwoorden'} bewaard. Verder gaan waar je was, of "
                "opnieuw beginnen (de vorige poging wordt dan afgebroken)?",
                [
                    ("hervatten", "Verder gaan", "primary"),
                    ("opnieuw", "Opnieuw beginnen", "default"),
                ],
            ),
            chosen,
        )

    def start_session(self, mode: str, case: Case | None = None, *, replace: bool = False) -> None:
        """Open a session in the log and show its first question."""
        self.show_session(self.practice.start(self.practising_nurse(), mode, case), replace=replace)

    def show_session(self, session: Session, *, replace: bool = False) -> None:
        from dkdl.tui.screens.question import QuestionScreen

        self.clear_notifications()
        screen = QuestionScreen(session)
        if replace:
            self.switch_screen(screen)
        else:
            self.push_screen(screen)
        # A full garbage collection now, after the first question is painted, instead of in the
        # middle of answering: measured, Python's full collections otherwise landed on an
        # answer about once a session and took 90-130 ms (benchmarks/bench_tui.py).
        self.call_after_refresh(gc.collect)

    def on_toets_planned(self, message: ToetsPlanned) -> None:
        self.start_test(message.cases)

    def start_test(self, cases: list[Case]) -> None:
        """A toets of ``cases`` in this order (stored whole before its first case opens)."""
        self.show_session(self.practice.start_toets(self.practising_nurse(), cases))

    def on_session_finished(self, message: SessionFinished) -> None:
        """Score, store, and show what comes next (feedback, next toets case, summary)."""
        from dkdl.feedback import Feedback
        from dkdl.tui.screens.feedback import FeedbackScreen

        session = message.session
        done = self.practice.finish(session)
        toets = session.toets
        if toets is None or toets.finished:  # her figures changed: count them ahead
            nurse = self.nurse
            self.set_timer(0.3, lambda: self.precount_progress(nurse, again=True))
        if toets is None:
            reason = self.weak_reason_of(done.session_id)
            self.switch_screen(FeedbackScreen(Feedback(done, self.scorer), weak_reason=reason))
            return
        if not toets.finished:
            self.show_session(self.practice.next_in_toets(toets), replace=True)
            self.notify(f"Casus {toets.index} van {len(toets.cases)} klaar. Op naar de volgende.")
            return
        from dkdl.tui.screens.toets import ToetsSummaryScreen

        self.switch_screen(ToetsSummaryScreen(toets, self.scorer))

    def on_session_left(self, message: SessionLeft) -> None:
        """Esc on a question, answered in its dialog: keep it for later, or abandon it."""
        from dkdl.tui.screens.question import QuestionScreen

        session = message.session
        if message.choice == "afbreken":
            session.abandon()
        else:
            session.pause()
            self._resume_checked.discard(self.nurse or "")
        # pop everything above the question screen too (help, a palette command's screen)
        while len(self.screen_stack) > 1 and not isinstance(self.screen, QuestionScreen):
            self.pop_screen()
        if isinstance(self.screen, QuestionScreen):
            self.pop_screen()
        self._refresh_case_list()

    def _refresh_case_list(self) -> None:
        from dkdl.tui.screens.casechoice import CaseChoiceScreen

        for screen in self.screen_stack:
            if isinstance(screen, CaseChoiceScreen):
                screen.show_history(self._history())

    def on_retry_case(self, message: RetryCase) -> None:
        done = message.done
        self.start_session("oefenen" if done.case else "vrij", done.case, replace=True)

    def on_next_case(self, message: NextCase) -> None:
        cases = self.library.cases
        ids = [c.id for c in cases]
        case = message.case
        nxt = cases[(ids.index(case.id) + 1) % len(cases)] if case.id in ids else cases[0]
        self.start_session("oefenen", nxt, replace=True)

    def on_go_home(self, message: GoHome) -> None:
        self.to_start()

    def to_start(self) -> None:
        self.clear_notifications()
        while len(self.screen_stack) > 2 and not isinstance(self.screen, StartScreen):
            self.pop_screen()
        self._refresh_case_list()

    # -- app-wide actions ----------------------------------------------------------------

    def action_help(self) -> None:
        from dkdl.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.questionnaire if self.loaded else None))

    def action_toggle_dark(self) -> None:
        self.theme = "textual-light" if self.current_theme.dark else "textual-dark"

    def active_question_screen(self) -> QuestionScreen | None:
        from dkdl.tui.screens.question import QuestionScreen

        for screen in reversed(self.screen_stack):
            if isinstance(screen, QuestionScreen):
                return screen
        return None

    async def action_quit(self) -> None:
        screen = self.active_question_screen()
        if screen is None or not screen.session.options:
            self.exit()
            return
        from dkdl.tui.screens.confirm import ConfirmScreen

        def chosen(yes: bool | None) -> None:
            if yes:
                self.exit()

        self.push_screen(
            ConfirmScreen(
                "Afsluiten?",
                "Je oefening is nog niet af. Je antwoorden zijn bewaard; bij de volgende "
                "start kun je verder gaan.",
                yes="Afsluiten",
                no="Blijven",
            ),
            chosen,
        )

    def action_command_palette(self) -> None:
        from textual.command import CommandPalette

        if self.use_command_palette and not isinstance(self.screen, CommandPalette):
            self.push_screen(
                CommandPalette(placeholder="Zoek een opdracht…", id="--command-palette")
            )

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        from dkdl.tui.screens.question import QuestionScreen

        yield SystemCommand("Help", "Uitleg over de app en het DKDL-model (F1)", self.action_help)
        yield SystemCommand("Naar start", "Terug naar het startscherm", self._palette_start)
        if self.loaded and self.nurse and self.active_question_screen() is None:
            for key, title, text in (
                ("oefenen", "Oefenen met een casus", "Kies een casus en oefen"),
                ("vrij", "Vrije registratie", "Zonder casus: profiel met uitleg"),
                ("toets", "Toets", "Een reeks casussen, uitslag aan het eind"),
                ("zwakke-punten", "Oefen mijn zwakke punten", "Een casus bij wat je vaak mist"),
                ("voortgang", "Mijn voortgang", "Je resultaten en eerdere feedback"),
            ):
                yield SystemCommand(title, text, lambda k=key: self.open_mode(k))
        if isinstance(screen, QuestionScreen):
            if screen.session.case is not None:
                yield SystemCommand(
                    "Casus tonen/verbergen", "De casustekst (c)", screen.action_toggle_vignette
                )
            yield SystemCommand("Ga naar vraag…", "Spring naar een vraag (g)", screen.action_jump)
            yield SystemCommand("Stoppen", "Deze oefening verlaten (Esc)", screen.action_leave)
        yield SystemCommand(
            "Licht of donker", "Wissel licht en donker thema (F2)", self.action_toggle_dark
        )
        yield SystemCommand("Afsluiten", "De app sluiten (Ctrl+Q)", self.action_quit)

    def _palette_start(self) -> None:
        screen = self.active_question_screen()
        if screen is not None:
            screen.action_leave()
        else:
            self.to_start()


def make_app(
    *,
    log: PracticeLog,
    questionnaire: Questionnaire,
    library: CaseLibrary,
    nurse: str | None = None,
) -> DkdlApp:
    """The app on given data (tests pass a MemoryLog and a small library)."""
    return DkdlApp(log=log, questionnaire=questionnaire, library=library, nurse=nurse)


def loader_for(args: Any) -> Callable[[], Loaded]:
    """Load questionnaire, cases and log as ``args`` says (run in a worker thread)."""

    def load() -> Loaded:
        from dkdl import store
        from dkdl.cases import case_dirs, load_library
        from dkdl.questionnaire import load_questionnaire

        questionnaire = load_questionnaire(getattr(args, "questionnaire", None))
        library = load_library(case_dirs(getattr(args, "cases", None) or []), questionnaire)
        log = store.open_log(store.resolve_db_path(getattr(args, "db", None)))
        notice = ""
        if library.problems:  # a trainer's folder with a broken file: say so, skip the file
            n = len(library.problems)
            notice = (
                f"Let op: {n} {'probleem' if n == 1 else 'problemen'} in casusbestanden; "
                "die casussen ontbreken. Zie: dkdl cases validate"
            )
        return Loaded(log, questionnaire, library, notice)

    return load


def build_app(args: Any) -> DkdlApp:
    return DkdlApp(loader=loader_for(args))


def run_app(args: Any) -> int:
    app = build_app(args)
    code = app.run()
    if app.failure is not None:
        sys.stderr.write(f"dkdl: {safe_text(app.failure, multiline=True)}\n")
        return app.failure.code
    del code
    close = getattr(getattr(app, "practice_log", None), "close", None)
    if callable(close):
        close()
    return app.return_code or 0
