"""Pilot tests of trainer mode: the sessions table (filtering, sorting, paging), opening a
session, the analysis tabs, the way in from the start screen, and the log left untouched.

Logs are built in tmp_path from synthetic practice (``dkdl.demo``) on four fixed test cases
(``tests/data/tui_cases`` and ``tests/data/trainer_cases``: a second case of each kind), with a
fixed end date, so the figures depend neither on the day nor on the built-in case library.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, OptionList, Select, TabbedContent

from dkdl.cases import load_library
from dkdl.demo import demo_bundle
from dkdl.review import Review
from dkdl.store import StoreError, open_log, verify_structure
from dkdl.store.merge import merge_bundle
from dkdl.tui.app import make_app
from dkdl.tui.screens.feedback import FeedbackScreen
from dkdl.tui.screens.start import StartScreen
from dkdl.tui.trainer.app import TrainerApp, make_trainer_app, trainer_loader
from dkdl.tui.trainer.detail import SessionDetailScreen
from dkdl.tui.trainer.dialogs import FilterScreen, PickScreen
from dkdl.tui.trainer.screen import PAGE, TrainerScreen
from dkdl.tui.trainer.views import NurseView, QuestionView
from tests.conftest import digest

# the screen tests' two cases and a second case of each kind
CASES = [
    Path(__file__).parent / "data" / "tui_cases",
    Path(__file__).parent / "data" / "trainer_cases",
]
SIZE = (120, 40)
END = datetime(2026, 3, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def library(questionnaire):
    return load_library(CASES, questionnaire)


def build_log(path: Path, questionnaire, library, sessions: int = 60, nurses: int = 4) -> Path:
    bundle = demo_bundle(
        sessions, nurses, seed=11, end=END, questionnaire=questionnaire, cases=library.cases
    )
    with open_log(path) as log:
        merge_bundle(log, bundle)
    return path


@pytest.fixture
def small_log(tmp_path, questionnaire, library):
    return build_log(tmp_path / "groep.db", questionnaire, library)


def trainer(path: Path, questionnaire, library) -> TrainerApp:
    return make_trainer_app(path=path, questionnaire=questionnaire, library=library)


async def settle(pilot) -> None:
    """Let the workers finish and their results reach the screen."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def table_ready(pilot) -> TrainerScreen:
    for _ in range(100):
        await settle(pilot)
        screen = pilot.app.screen
        if isinstance(screen, TrainerScreen) and screen.total is not None:
            return screen
    raise AssertionError(f"trainer table not shown; screen: {pilot.app.screen}")


def expected(path: Path, questionnaire, library, **flt):
    from dkdl.review import ReviewFilter

    with Review(open_log(path, readonly=True), library, questionnaire, own_log=True) as review:
        return review.sessions_page(ReviewFilter(**flt), limit=10_000)


async def test_the_table_shows_the_log_newest_first_and_nothing_is_written(
    small_log, questionnaire, library
):
    before = digest(small_log)
    app = trainer(small_log, questionnaire, library)
    async with app.run_test(size=SIZE) as pilot:
        screen = await table_ready(pilot)
        table = screen.query_one(DataTable)
        assert screen.total == 60
        assert table.row_count == 60
        starts = [row.started_at for row in screen.rows]
        assert starts == sorted(starts, reverse=True)
        status = str(screen.query_one("#t-status").render())
        assert "Sessies 1–60 van 60" in status
    assert digest(small_log) == before  # read-only: the log is byte-for-byte the same


async def test_filtering_on_a_nurse_and_a_period(small_log, questionnaire, library):
    everyone = expected(small_log, questionnaire, library)
    name = everyone.rows[0].nurse
    hers = expected(small_log, questionnaire, library, nurse=name)
    assert 0 < hers.total < everyone.total
    app = trainer(small_log, questionnaire, library)
    async with app.run_test(size=SIZE) as pilot:
        screen = await table_ready(pilot)
        await pilot.press("f")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, FilterScreen)
        dialog.query_one("#f-nurse", Select).value = name
        await pilot.press("ctrl+s")
        screen = await table_ready(pilot)
        assert screen.total == hers.total
        assert {row.nurse for row in screen.rows} == {name}
        assert name in str(screen.query_one("#t-filter").render())

        # a period typed as a Dutch date; a wrong date is named and changes nothing
        await pilot.press("f")
        await pilot.pause()
        app.screen.query_one("#f-since", Input).focus()
        await pilot.press(*"31-13-2026", "enter")
        await pilot.pause()
        assert isinstance(app.screen, FilterScreen)
        assert "geen datum" in str(app.screen.query_one("#f-problem").render())
        app.screen.query_one("#f-since", Input).value = "01-02-2026"
        await pilot.press("enter")
        screen = await table_ready(pilot)
        assert screen.flt.since is not None and screen.flt.nurse == name
        assert all(row.started_at.date() >= screen.flt.since for row in screen.rows)
        assert (
            screen.total
            == expected(small_log, questionnaire, library, nurse=name, since=screen.flt.since).total
        )

        # x: everything again
        await pilot.press("x")
        screen = await table_ready(pilot)
        assert screen.total == everyone.total


async def test_sorting_by_a_column_and_reversing(small_log, questionnaire, library):
    app = trainer(small_log, questionnaire, library)
    async with app.run_test(size=SIZE) as pilot:
        await table_ready(pilot)
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, PickScreen)
        keys = [key for key, _ in app.screen.choices]
        app.screen.query_one(OptionList).highlighted = keys.index("nurse")
        await pilot.press("enter")
        screen = await table_ready(pilot)
        names = [row.nurse.casefold() for row in screen.rows]
        assert names == sorted(names)
        await pilot.press("o")
        screen = await table_ready(pilot)
        names = [row.nurse.casefold() for row in screen.rows]
        assert names == sorted(names, reverse=True)


async def test_paging_through_a_log_longer_than_a_page(tmp_path, questionnaire, library):
    path = build_log(tmp_path / "groot.db", questionnaire, library, sessions=PAGE * 2 + 30)
    app = trainer(path, questionnaire, library)
    async with app.run_test(size=SIZE) as pilot:
        screen = await table_ready(pilot)
        table = screen.query_one(DataTable)
        assert table.row_count == PAGE  # never more than a page in the widget
        first_page = [row.session_id for row in screen.rows]
        table.move_cursor(row=PAGE - 1)
        await pilot.press("down")  # past the last row: the next page
        screen = await table_ready(pilot)
        assert screen.page_offset == PAGE
        assert not set(first_page) & {row.session_id for row in screen.rows}
        assert table.cursor_row == 0
        await pilot.press("up")  # before the first row: back, on its last row
        screen = await table_ready(pilot)
        assert screen.page_offset == 0 and table.cursor_row == PAGE - 1
        await pilot.press("ctrl+end")
        screen = await table_ready(pilot)
        assert screen.page_offset == 2 * PAGE and table.row_count == 30
        assert "Sessies 201–230 van 230" in str(screen.query_one("#t-status").render())


async def test_opening_a_session_shows_her_answers_against_the_key(
    small_log, questionnaire, library
):
    rows = expected(small_log, questionnaire, library).rows
    wrong = next(r for r in rows if r.status == "afgerond" and r.match is False)
    app = trainer(small_log, questionnaire, library)
    async with app.run_test(size=SIZE) as pilot:
        screen = await table_ready(pilot)
        table = screen.query_one(DataTable)
        table.move_cursor(row=[r.session_id for r in screen.rows].index(wrong.session_id))
        await pilot.press("enter")
        await settle(pilot)
        detail = app.screen
        assert isinstance(detail, SessionDetailScreen)
        assert detail.detail.session_id == wrong.session_id
        text = str(detail.query_one("#t-lines").render())
        assert "✗" in text and "sleutel:" in text
        assert "anders dan de sleutel" in str(detail.query_one("#t-meta").render())
        # v: the feedback as she saw it, with her profile and the key's
        await pilot.press("v")
        await pilot.pause()
        assert isinstance(app.screen, FeedbackScreen)
        assert app.screen.done.result.profile == wrong.profile
        await pilot.press("escape")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, TrainerScreen)


async def test_the_first_page_comes_before_the_case_files_and_waits_for_nothing(
    small_log, questionnaire, library
):
    # dkdl --trainer shows the first page before it reads the questionnaire and the case
    # files: the Casus column has the case ids until then, the titles replace them in place,
    # and a session opened meanwhile opens once the key answers are there.
    import threading

    from dkdl.tui.trainer.routes import open_review, trainer_data

    release = threading.Event()

    def rest():
        release.wait(10)
        return questionnaire, library

    app = TrainerApp(lambda: trainer_data(small_log, open_review(small_log), rest))
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(100):  # not settle(): its wait would wait for rest()
            await pilot.pause(0.02)
            screen = app.screen
            if isinstance(screen, TrainerScreen) and screen.total is not None:
                break
        assert isinstance(screen, TrainerScreen) and screen.total == 60
        table = screen.query_one(DataTable)
        first = screen.rows[0]
        title = library.by_id(first.case_id).title
        assert str(table.get_cell(first.session_id, "case")) == first.case_id
        await pilot.press("enter")  # opening a session waits for the key answers
        await pilot.pause(0.1)
        assert app.screen is screen
        release.set()
        for _ in range(100):
            await pilot.pause(0.02)
            if isinstance(app.screen, SessionDetailScreen):
                break
        await settle(pilot)
        assert isinstance(app.screen, SessionDetailScreen)
        assert app.screen.detail.session_id == first.session_id
        assert str(table.get_cell(first.session_id, "case")) == title
        assert screen.catalog.case_title(first.case_id) == title


async def test_analysis_tabs_question_and_nurse_views(small_log, questionnaire, library):
    from dkdl.review import ReviewFilter

    with Review(open_log(small_log, readonly=True), library, questionnaire, own_log=True) as r:
        figures = r.analysis(ReviewFilter())
        counted = figures.sessions
        q5 = figures.questions["Q5"].answered
    app = trainer(small_log, questionnaire, library)
    async with app.run_test(size=SIZE) as pilot:
        screen = await table_ready(pilot)
        await pilot.press("2")
        await settle(pilot)
        assert screen.analysis is not None and screen.analysis.sessions == counted
        summary = str(screen.query_one("QuestionsPane .pane-summary").render())
        assert f"{counted} afgeronde sessies met sleutel geteld" in summary
        table = screen.query_one("QuestionsPane DataTable", DataTable)
        assert table.row_count == 12
        table.move_cursor(row=4)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, QuestionView)
        assert app.screen.stats.question_id == "Q5" and app.screen.stats.answered == q5
        await pilot.press("escape")
        await pilot.press("5")
        await settle(pilot)
        nurses = screen.query_one("NursesPane DataTable", DataTable)
        assert nurses.row_count == 4
        await pilot.press("enter")
        await settle(pilot)
        view = app.screen
        assert isinstance(view, NurseView)
        # her progress counts every attempt, so it has at least as many sessions
        assert view.trend is not None and view.trend.sessions >= view.stats.sessions
        await pilot.press("h")  # her sessions in the table
        screen = await table_ready(pilot)
        assert screen.flt.nurse == view.stats.nurse.display
        assert {row.nurse for row in screen.rows} == {view.stats.nurse.display}


async def test_from_the_start_screen_and_back(tmp_path, questionnaire, library):
    path = build_log(tmp_path / "laptop.db", questionnaire, library, sessions=12, nurses=2)
    log = open_log(path)
    app = make_app(log=log, questionnaire=questionnaire, library=library)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, StartScreen)
        await app.screen.action_choose("trainer")  # no name needed to review
        screen = await table_ready(pilot)
        assert screen.total == 12
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, StartScreen)
        assert app.trainer is None  # the review connection is closed
    log.close()


async def test_a_file_that_is_not_a_log_is_refused_in_dutch(tmp_path):
    from argparse import Namespace

    bad = tmp_path / "notities.db"
    bad.write_text("dit is geen database", encoding="utf-8")
    before = digest(bad)
    app = TrainerApp(trainer_loader(Namespace(db=str(bad))))
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(200):
            if app.failure is not None:
                break
            await pilot.pause(0.05)
    assert app.failure is not None and app.failure.code == 2
    assert "geen dkdl-logbestand" in str(app.failure)
    assert digest(bad) == before


async def test_a_damaged_log_is_named_after_the_first_page(tmp_path, questionnaire, library):
    # Trainer mode shows the first page before SQLite's structure check of the whole file
    # (PRAGMA quick_check) has run; the check follows in the background and a damaged file
    # is then named in Dutch and trainer mode closes, the file untouched.
    from argparse import Namespace

    path = build_log(tmp_path / "groep.db", questionnaire, library, sessions=300)
    data = bytearray(path.read_bytes())
    pages = len(data) // 4096
    data[(pages - 10) * 4096 : (pages - 5) * 4096] = b"\x5a" * 4096 * 5  # the newest answers
    path.write_bytes(bytes(data))
    before = digest(path)
    args = Namespace(db=str(path), cases=CASES)
    app = TrainerApp(trainer_loader(args))
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(200):
            if app.failure is not None:
                break
            await pilot.pause(0.05)
    assert app.failure is not None and app.failure.code == 2
    assert "beschadigd" in str(app.failure)
    for english in ("malformed", "disk image", "not a database"):
        assert english not in str(app.failure)
    assert digest(path) == before
    # the file opens without the structure check, which then finds the damage
    with open_log(path, create=False, readonly=True, quick_check=False):
        pass
    with pytest.raises(StoreError, match="beschadigd") as info:
        verify_structure(path)
    assert info.value.kind == "corrupt"
    assert digest(path) == before


def test_the_first_page_is_read_without_pydantic_or_yaml(small_log):
    # Trainer mode's start-up goal (benchmarks/bench_trainer_tui.py) depends on this: the
    # first page needs Textual, sqlite-utils and the log, not the questionnaire's models.
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "import dkdl.cli, dkdl.tui.trainer.app, dkdl.tui.trainer.screen\n"
        "from dkdl.tui.trainer.routes import open_review\n"
        "opened = open_review(Path(sys.argv[1]))\n"
        "heavy = ('pydantic', 'yaml', 'dkdl.cases', 'dkdl.questionnaire')\n"
        "print(opened.first.total, sorted(m for m in heavy if m in sys.modules))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(small_log)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["60", "[]"]


async def test_keys_pressed_while_the_log_opens_give_the_view_chosen(
    small_log, questionnaire, library
):
    # dkdl --trainer shows its screen while the log opens ('Logbestand openen…'): a tab or an
    # order chosen meanwhile is what the trainer sees once the log is open.
    import threading

    from dkdl.review import ReviewFilter
    from dkdl.tui.trainer.routes import open_trainer_data

    gate = threading.Event()

    def loader():
        gate.wait(10)
        return open_trainer_data(small_log, library, questionnaire)

    with Review(open_log(small_log, readonly=True), library, questionnaire, own_log=True) as r:
        counted = r.analysis(ReviewFilter()).sessions
    app = TrainerApp(loader)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.1)
        screen = app.screen
        assert isinstance(screen, TrainerScreen) and app.trainer is None
        assert "Logbestand openen" in str(screen.query_one("#t-filter").render())
        for key in ("enter", "x", "o", "2"):  # nothing to open or clear yet; newest last
            await pilot.press(key)
        await pilot.pause(0.1)
        await pilot.press("f")  # the filter's names are not there yet: it says so
        await pilot.pause(0.1)
        assert app.screen is screen
        assert any("nog gelezen" in str(n.message) for n in app._notifications)
        gate.set()
        for _ in range(100):
            await settle(pilot)
            if screen.analysis is not None and screen.total is not None:
                break
        assert app.screen is screen
        assert screen.query_one("#t-tabs", TabbedContent).active == "vragen"
        assert screen.analysis is not None and screen.analysis.sessions == counted
        summary = str(screen.query_one("QuestionsPane .pane-summary").render())
        assert f"{counted} afgeronde sessies met sleutel geteld" in summary
        # and the table, behind the tab, in the order chosen: oldest first
        assert screen.total == 60 and not screen.descending
        starts = [row.started_at for row in screen.rows]
        assert starts == sorted(starts)


@pytest.mark.parametrize("error", [RuntimeError("Symlink loop"), OSError(5, "I/O error")])
async def test_case_files_that_fail_after_the_first_page_end_the_app_in_dutch(small_log, error):
    # dkdl --trainer reads the questionnaire and the case files after the first page; any
    # failure there (not only the app's own UserError) is named in one Dutch line, as it was
    # when they were read before the first page, and a session opened meanwhile stops waiting.
    import threading

    from dkdl.tui.trainer.routes import open_review, trainer_data

    release = threading.Event()
    opened = []

    def rest():
        release.wait(10)
        raise error

    def loader():
        opened.append(trainer_data(small_log, open_review(small_log), rest))
        return opened[0]

    app = TrainerApp(loader)
    try:
        async with app.run_test(size=SIZE) as pilot:
            for _ in range(500):
                await pilot.pause(0.02)
                if isinstance(app.screen, TrainerScreen) and app.screen.total is not None:
                    break
            await pilot.press("enter")  # waits for the case files
            await pilot.pause(0.1)
            release.set()
            for _ in range(100):
                if app.failure is not None:
                    break
                await pilot.pause(0.05)
    finally:
        data = opened[0]
        waited = data.ready.is_set()
        data.failed = True
        data.ready.set()  # never leave the waiting worker behind (the test would hang)
    assert waited, "a worker still waits for the case files"
    assert app.failure is not None and app.failure.code == 2
    assert str(app.failure) == f"laden mislukt: {error}"


def test_a_refused_file_is_named_without_its_control_codes(tmp_path, monkeypatch, capsys):
    # The file name comes from elsewhere (a log sent by e-mail): dkdl --trainer names it on
    # the terminal with its control codes written out, as the practice app and the commands do.
    from argparse import Namespace

    from dkdl.tui.trainer import app as trainer_app

    bad = tmp_path / "groep\x1b]0;titel\x07\x1b[31m.db"
    bad.write_text("dit is geen database", encoding="utf-8")
    run = trainer_app.TrainerApp.run
    monkeypatch.setattr(trainer_app.TrainerApp, "run", lambda self: run(self, headless=True))
    code = trainer_app.run_trainer(Namespace(db=str(bad)))
    err = capsys.readouterr().err
    assert code == 2
    assert "geen dkdl-logbestand" in err
    assert "\x1b" not in err and "\x07" not in err
    assert "groep\\x1b]0;titel\\x07\\x1b[31m.db" in err


async def test_a_damaged_log_is_what_is_named_when_the_case_files_fail_after_it(
    tmp_path, questionnaire, library
):
    # The structure check finds the damage while the case files are still being read; that
    # reading then fails too (here: any error). The trainer is told what is wrong with the
    # log, not the later failure it caused.
    import threading

    from dkdl.tui.trainer.routes import open_review, trainer_data

    path = build_log(tmp_path / "groep.db", questionnaire, library, sessions=300)
    data = bytearray(path.read_bytes())
    pages = len(data) // 4096
    data[(pages - 10) * 4096 : (pages - 5) * 4096] = b"\x5a" * 4096 * 5
    path.write_bytes(bytes(data))
    named = threading.Event()

    def rest():
        named.wait(10)
        raise RuntimeError("later failure")

    app = TrainerApp(lambda: trainer_data(path, open_review(path), rest))
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(200):
            if app.failure is not None:
                break
            await pilot.pause(0.05)
        named.set()
        await pilot.pause(0.5)
    assert app.failure is not None and "beschadigd" in str(app.failure)


async def test_leaving_trainer_mode_while_a_tab_is_computed_keeps_the_app(
    tmp_path, questionnaire, library, monkeypatch
):
    # From the start screen: Vragen asked, esc before its figures are there. Leaving closes
    # the review's connection under the worker still reading; that worker's failure is no
    # failure (nobody waits for its figures). It ended the practice app with a traceback.
    import threading

    from dkdl.review import Review as ReviewClass

    path = build_log(tmp_path / "laptop.db", questionnaire, library, sessions=12, nurses=2)
    release = threading.Event()
    reading: list[object] = []  # the workers waiting in counted(): prepare's, the tab's
    counted = ReviewClass.counted

    def slow_counted(self, flt):
        if threading.current_thread() is not threading.main_thread():
            reading.append(flt)
            release.wait(10)
        return counted(self, flt)

    log = open_log(path)
    app = make_app(log=log, questionnaire=questionnaire, library=library)
    monkeypatch.setattr(ReviewClass, "counted", slow_counted)  # also prepare()'s reading
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await app.screen.action_choose("trainer")
        for _ in range(100):  # not table_ready(): its wait would wait for the slow reading
            await pilot.pause(0.02)
            screen = app.screen
            if isinstance(screen, TrainerScreen) and screen.total is not None:
                break
        assert isinstance(screen, TrainerScreen) and screen.total == 12
        await pilot.press("2")
        for _ in range(250):
            if len(reading) == 2:
                break
            await pilot.pause(0.02)
        assert len(reading) == 2  # the tab's worker is reading when trainer mode closes
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, StartScreen) and app.trainer is None
        release.set()
        await settle(pilot)
        assert app.is_running and app.failure is None
        assert isinstance(app.screen, StartScreen)
    log.close()


async def test_a_log_failing_in_a_worker_ends_trainer_mode_with_its_message(
    small_log, questionnaire, library, monkeypatch
):
    # A read that fails in a worker (the file taken away) ends dkdl --trainer with the
    # store's Dutch message, as a failure outside a worker does, not with a traceback:
    # Textual hands a worker's exception over wrapped (WorkerFailed).
    from dkdl.review import Review as ReviewClass

    def gone(self, *args, **kwargs):
        raise StoreError(f"{small_log}: het lezen is niet gelukt (het bestand is weg).")

    app = trainer(small_log, questionnaire, library)
    async with app.run_test(size=SIZE) as pilot:
        await table_ready(pilot)
        monkeypatch.setattr(ReviewClass, "sessions_page", gone)
        await pilot.press("o")  # the other order: a page from the worker
        for _ in range(100):
            if app.failure is not None:
                break
            await pilot.pause(0.02)
    assert app.failure is not None and "het bestand is weg" in str(app.failure)
    assert app.return_code == app.failure.code
