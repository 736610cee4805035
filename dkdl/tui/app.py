"""The practice app: one factory (:func:`make_app`) and the CLI entry (:func:`run_app`).

The app object holds what every screen needs (questionnaire, scorer, case library, the log, the
nurse) and the routes between screens. Screens present; the Scorer computes; the PracticeLog
stores. Heavy modules (pydantic models, YAML, SQLite) load in a worker after the start screen is
on the terminal, so start-up stays close to a bare Textual app.
"""

from __future__ import annotations

import gc
import sys
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.markup import escape
from textual.screen import Screen

from dkdl.errors import UserError
from dkdl.safetext import safe_text
from dkdl.tui.screens.start import StartScreen
from dkdl.tui.trainer.routes import TrainerRoutes

if TYPE_CHECKING:
    from dkdl.cases import Case, CaseLibrary
    from dkdl.questionnaire import Questionnaire
    from dkdl.scoring import Scorer
    from dkdl.sessionlog import PracticeLog, SessionInfo
    from dkdl.tui.state import Done, Session


@dataclass
class Loaded:
    log: PracticeLog
    questionnaire: Questionnaire
    library: CaseLibrary
    notice: str = ""  # shown on the start screen (e.g. case files that could not be read)


class DkdlApp(TrainerRoutes, App):
    TITLE = "DKDL oefenen"
    SUB_TITLE = "cliëntprofiel wijkverpleging"
    CSS_PATH = "dkdl.tcss"
    BINDINGS = [
        Binding("f1", "help", "Help"),
        Binding("ctrl+p", "command_palette", "Opdrachten", show=False, priority=True),
        Binding("f2", "toggle_dark", "Licht/donker", show=False),
        Binding("ctrl+q", "quit", "Afsluiten", show=False, priority=True),
    ]

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
        self.practice_log: PracticeLog = log  # type: ignore[assignment]
        self.questionnaire: Questionnaire = questionnaire  # type: ignore[assignment]
        self.library: CaseLibrary = library  # type: ignore[assignment]
        self.scorer: Scorer = None  # type: ignore[assignment]
        self.loader = loader
        self.nurse: str | None = nurse
        self.log_notice = ""
        self.failure: UserError | None = None
        self.test_run = None  # the TestRun in progress, if any
        self._resume_checked: set[str] = set()
        if loader is None:
            self._set_loaded(Loaded(log, questionnaire, library))  # type: ignore[arg-type]

    # -- loading -------------------------------------------------------------------------

    @property
    def loaded(self) -> bool:
        return self.scorer is not None

    def _set_loaded(self, data: Loaded) -> None:
        from dkdl.scoring import Scorer

        self.practice_log = data.log
        self.questionnaire, self.library = data.questionnaire, data.library
        self.log_notice = data.notice
        self.scorer = Scorer(data.questionnaire)
        if self.nurse is None:
            self.nurse = self.practice_log.last_nurse()

    def on_mount(self) -> None:
        self.push_screen(StartScreen())

    def on_ready(self) -> None:
        # Load after the first frame is on the terminal, so loading never delays it.
        if not self.loaded:
            self._load()

    @work(thread=True, exclusive=True, group="load")
    def _load(self) -> None:
        try:
            data = self.loader()  # type: ignore[misc]
        except UserError as exc:  # a broken questionnaire file, an unusable log
            self.call_from_thread(self._fail, exc)
            return
        except Exception as exc:  # noqa: BLE001 - show the user one line, not a traceback
            self.call_from_thread(self._fail, UserError(f"laden mislukt: {exc}"))
            return
        self.call_from_thread(self._loaded, data)

    def _loaded(self, data: Loaded) -> None:
        self._set_loaded(data)
        for screen in self.screen_stack:
            if isinstance(screen, StartScreen):
                screen.refresh_status()

    def _fail(self, exc: UserError) -> None:
        self.failure = exc
        self.exit(return_code=exc.code)

    def _handle_exception(self, error: Exception) -> None:
        # A log that fails mid-session (disk full, file taken away) ends the app with its
        # message, like the CLI, instead of a traceback; answers given before are stored.
        if isinstance(error, UserError):
            self._fail(error)
        else:
            super()._handle_exception(error)

    # -- nurse and resume ----------------------------------------------------------------

    def set_nurse(self, name: str) -> None:
        self.nurse = self.practice_log.remember_nurse(name)

    def offer_resume_then(self, then: Callable[[], Any]) -> None:
        """Once per nurse: offer to resume (or abandon) her latest unfinished session."""
        from dkdl.tui.screens.confirm import ChoiceScreen

        nurse = self.nurse or ""
        if nurse in self._resume_checked:
            then()
            return
        self._resume_checked.add(nurse)
        from dkdl.sessionlog import unfinished

        pending = unfinished(self.practice_log, self.nurse)
        if not pending:
            then()
            return
        info = pending[-1]
        case = self.library.by_id(info.case_id) if info.case_id else None
        what = {"vrij": "Vrije registratie", "toets": "Toetscasus"}.get(info.mode, "Oefening")
        if case is not None:
            what += f" ‘{escape(case.title)}’"
        n = len(self.practice_log.answers(info.id))
        started = datetime.fromisoformat(info.started_at).astimezone()  # the laptop's own time
        text = (
            f"{what}, begonnen {started:%d-%m-%Y om %H:%M}, "
            f"{n} {'antwoord' if n == 1 else 'antwoorden'} bewaard.\n"
            "Wil je verder waar je was, of deze oefening afbreken?"
        )
        if info.case_id and case is None:
            text += "\n(Deze casus is niet meer beschikbaar; verder gaan kan niet.)"

        def chosen(choice: str | None) -> None:
            if choice == "hervatten" and (case is not None or info.case_id is None):
                self.resume_session(info, case)
            elif choice == "afbreken":
                self.practice_log.abandon_session(info.id)
                self.notify("De onafgemaakte oefening is afgebroken.")
                then()
            else:
                then()

        self.push_screen(
            ChoiceScreen(
                "Onafgemaakte oefening",
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

    def resume_session(self, info: SessionInfo, case: Case | None) -> None:
        from dkdl.tui.screens.question import QuestionScreen
        from dkdl.tui.state import Session, TestRun

        records = self.practice_log.answers(info.id)
        session = Session(info.mode, info.id, case)
        if info.mode == "toets" and case is not None:
            # the rest of that toets is gone; this case still gets no feedback until its end
            self.test_run = session.test = TestRun(info.test_id or str(uuid.uuid4()), [case])
        session.options = {q: r.option for q, r in records.items()}
        cid = self.scorer.checklist_id
        if cid in records:
            session.items = set(records[cid].items)
        if info.case_id and case is None:
            self.notify(
                "Deze casus is niet meer beschikbaar; je krijgt de uitslag zonder sleutel.",
                severity="warning",
                timeout=8,
            )
        elif case is not None and info.case_hash != case.content_hash:
            self.notify(
                "Deze casus is gewijzigd sinds je begon; de sleutel kan anders zijn.",
                severity="warning",
                timeout=8,
            )
        if info.questionnaire_hash != self.questionnaire.content_hash:
            self.notify(
                "De vragenlijst is gewijzigd sinds je begon.", severity="warning", timeout=8
            )
        self.push_screen(QuestionScreen(session))

    # -- routes --------------------------------------------------------------------------

    def open_mode(self, key: str) -> None:
        self.clear_notifications()  # a hint from the previous screen no longer applies
        if key == "oefenen":
            from dkdl.tui.screens.casechoice import CaseChoiceScreen

            self.push_screen(CaseChoiceScreen())
        elif key == "vrij":
            self.start_session("vrij")
        elif key == "toets":
            from dkdl.tui.screens.toets import ToetsSetupScreen

            self.push_screen(ToetsSetupScreen())

    def open_case(self, case: Case) -> None:
        """Practise ``case``; if she left it halfway before, ask whether to go on with that."""
        from dkdl.sessionlog import unfinished
        from dkdl.tui.screens.confirm import ChoiceScreen

        paused = [
            s
            for s in unfinished(self.practice_log, self.nurse)
            if s.case_id == case.id and s.mode == "oefenen"
        ]
        if not paused:
            self.start_session("oefenen", case)
            return
        info = paused[-1]
        n = len(self.practice_log.answers(info.id))

        def chosen(choice: str | None) -> None:
            if choice == "hervatten":
                self.resume_session(info, case)
            elif choice == "opnieuw":
                for old in paused:
                    self.practice_log.abandon_session(old.id)
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
        from dkdl.tui.screens.question import QuestionScreen
        from dkdl.tui.state import Session

        self.clear_notifications()
        test = self.test_run if mode == "toets" else None
        session_id = self.practice_log.start_session(
            nurse=self.nurse or "",
            mode=mode,
            questionnaire=self.questionnaire,
            case=case,
            test_id=test.test_id if test else None,
        )
        screen = QuestionScreen(Session(mode, session_id, case, test=test))
        if replace:
            self.switch_screen(screen)
        else:
            self.push_screen(screen)
        # A full garbage collection now, after the first question is painted, instead of in the
        # middle of answering: measured, Python's full collections otherwise landed on an
        # answer about once a session and took 90-130 ms (benchmarks/bench_tui.py).
        self.call_after_refresh(gc.collect)

    def start_test(self, cases: list[Case]) -> None:
        from dkdl.tui.state import TestRun

        self.test_run = TestRun(str(uuid.uuid4()), list(cases))
        self.start_session("toets", self.test_run.current)

    def finish_session(self, session: Session) -> None:
        """Score, store, and show what comes next (feedback, next toets case, summary)."""
        from dkdl.tui.screens.feedback import FeedbackScreen
        from dkdl.tui.state import Done

        answers = session.answers(self.scorer)
        result = self.scorer.score(answers)
        key = session.case.profile if session.case is not None else None
        self.practice_log.finish_session(session.session_id, result, key)
        done = Done(session.case, session.session_id, answers, result)
        test = session.test
        if test is None:
            self.switch_screen(FeedbackScreen(done))
            return
        test.done.append(done)
        test.index += 1
        if not test.finished:
            self.start_session("toets", test.current, replace=True)
            self.notify(f"Casus {test.index} van {len(test.cases)} klaar. Op naar de volgende.")
            return
        from dkdl.tui.screens.toets import ToetsSummaryScreen

        self.test_run = None
        self.switch_screen(ToetsSummaryScreen(test.done))

    def leave_session(self, screen: Screen) -> None:
        """Esc on a question: confirm before leaving a half-done session."""
        from dkdl.tui.screens.confirm import ChoiceScreen

        session = screen.session  # type: ignore[attr-defined]

        def close() -> None:
            # pop everything above the question screen too (help, a palette command's screen)
            while len(self.screen_stack) > 1 and self.screen is not screen:
                self.pop_screen()
            if self.screen is screen:
                self.pop_screen()

        if not session.options:
            self.practice_log.abandon_session(session.session_id)
            self._leave_test(session)
            close()
            return

        def chosen(choice: str | None) -> None:
            if choice == "afbreken":
                self.practice_log.abandon_session(session.session_id)
                self._leave_test(session)
                close()
            elif choice == "later":
                self._leave_test(session)
                self._resume_checked.discard(self.nurse or "")
                close()

        self.push_screen(
            ChoiceScreen(
                "Toets verlaten?" if session.test else "Oefening verlaten?",
                "Je antwoorden tot nu toe zijn bewaard. Je kunt later verder gaan "
                "(de app vraagt het bij de volgende start), of de oefening nu afbreken."
                + ("\nLet op: de rest van de toets vervalt." if session.test else ""),
                [
                    ("blijven", "Blijven", "primary"),
                    ("later", "Later verder", "default"),
                    ("afbreken", "Afbreken", "error"),
                ],
                cancel="blijven",
            ),
            chosen,
        )

    def _leave_test(self, session: Session) -> None:
        if session.test is not None:
            self.test_run = None

    def retry(self, done: Done) -> None:
        self.start_session("oefenen" if done.case else "vrij", done.case, replace=True)

    def next_case(self, case: Case) -> None:
        cases = self.library.cases
        ids = [c.id for c in cases]
        nxt = cases[(ids.index(case.id) + 1) % len(cases)] if case.id in ids else cases[0]
        self.start_session("oefenen", nxt, replace=True)

    def to_start(self) -> None:
        self.clear_notifications()
        while len(self.screen_stack) > 2 and not isinstance(self.screen, StartScreen):
            self.pop_screen()
        if isinstance(self.screen, StartScreen):
            self.screen.refresh_status()

    # -- app-wide actions ----------------------------------------------------------------

    def action_help(self) -> None:
        from dkdl.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_toggle_dark(self) -> None:
        self.theme = "textual-light" if self.current_theme.dark else "textual-dark"

    def active_question_screen(self):
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

        if self.use_command_palette and not CommandPalette.is_open(self):
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
        if self.active_question_screen() is not None:
            self.active_question_screen().action_leave()
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


def loader_for(args) -> Callable[[], Loaded]:
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


def build_app(args) -> DkdlApp:
    return DkdlApp(loader=loader_for(args))


def run_app(args) -> int:
    app = build_app(args)
    code = app.run()
    if app.failure is not None:
        sys.stderr.write(f"dkdl: {safe_text(app.failure, multiline=True)}\n")
        return app.failure.code
    del code
    close = getattr(app.practice_log, "close", None)
    if callable(close):
        close()
    return app.return_code or 0
