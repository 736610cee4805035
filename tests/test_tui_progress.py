"""Pilot tests of Mijn voortgang and Oefen mijn zwakke punten (issue 13): the start-menu entries,
the screen filled from the core's figures, an earlier session reopened in its feedback without a
write to the log, and the weak-point case with its reason."""

from __future__ import annotations

import sqlite3
from dataclasses import replace

import pytest

from dkdl.cases import load_library
from dkdl.questionnaire import load_questionnaire
from dkdl.tui.app import make_app
from dkdl.tui.messages import SessionFinished
from dkdl.tui.screens.confirm import ChoiceScreen
from dkdl.tui.screens.feedback import FeedbackScreen
from dkdl.tui.screens.progress import ProgressScreen
from dkdl.tui.screens.question import QuestionScreen
from dkdl.tui.screens.start import StartScreen
from tests.progress_steps import finish, sample_progress
from tests.steps import CASES, new_app

SIZE = (100, 40)


def text_of(screen, selector: str) -> str:
    """The text a widget shows; of a container, the text of every Static in it."""
    widget = screen.query_one(selector)
    if widget.children:
        return "\n".join(str(w.render()) for w in widget.query("Static"))
    return str(widget.render())


async def choose(app, pilot, key: str, nurse: str = "Anna") -> None:
    """From the start screen: her name, then a menu entry; wait for the app's workers."""
    await pilot.pause()
    assert isinstance(app.screen, StartScreen)
    app.screen.query_one("#nurse").value = nurse
    await app.screen.action_choose(key)
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def show_tab(pilot, screen, tab: str) -> None:
    """Open a tab of Mijn voortgang (each is filled when first shown)."""
    screen.action_tab(tab)
    await pilot.pause()


def log_rows(path) -> tuple[int, ...]:
    """Rows in every table of the log that a session touches."""
    with sqlite3.connect(path) as conn:
        return tuple(
            conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
            for table in ("sessions", "answers", "nurses", "toetsen")
        )


async def test_mijn_voortgang_opens_from_the_start_screen_with_her_figures():
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        finish(app, "tui-wondzorg-01")  # as the key
        wrong = finish(app, "tui-wondzorg-01", Q5=1)  # 'geen' instead of 'soms' geheugen
        finish(app, "tui-kind-01", nurse="Bert")  # someone else's: not hers
        assert not wrong.right
        await choose(app, pilot, "voortgang")
        screen = app.screen
        assert isinstance(screen, ProgressScreen)
        assert screen.progress is not None and screen.progress.nurse == "Anna"
        summary = text_of(screen, "#pg-summary")
        assert "2 casussen afgerond" in summary and "1 daarvan" in summary
        # per question: Q5 once right, once not; both among her last ten, nothing earlier
        await show_tab(pilot, screen, "vragen")
        row = screen.query_one("#pg-questions").get_row("Q5")
        assert (row[1], row[2], row[4]) == ("—", "50% (1/2)", "50% (1/2)")
        # her weakest question is Q5, with the official option texts and dkdl's own label
        await show_tab(pilot, screen, "zwak")
        weak = text_of(screen, "#pg-weak-list")
        label = screen.progress.explanation_label
        assert "Q5" in weak and f"{label}:" in weak and "geen tekst van de NZa" in label
        q5 = app.questionnaire.by_id["Q5"]
        assert q5.option(1).text.split("**")[0][:20] in weak
        # not done: the case she has not finished (Bert's does not count for her)
        await show_tab(pilot, screen, "nog")
        not_done = screen.query_one("#pg-not-done")
        assert not_done.row_count == 1
        assert not_done.get_row_at(0)[0] == "Testcasus: kind met sondevoeding"
        await show_tab(pilot, screen, "toetsen")
        assert "Je hebt nog geen toets gedaan" in text_of(screen, "#pg-toets-note")


async def test_the_screen_paints_before_the_figures_are_counted():
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        app.set_nurse("Anna")
        screen = ProgressScreen("Anna", app.questionnaire)
        app.push_screen(screen)
        await pilot.pause()
        assert "geteld" in text_of(screen, "#pg-summary")  # painted, waiting for the worker
        screen.show_progress(sample_progress(app))
        await pilot.pause()
        assert "14 casussen afgerond" in text_of(screen, "#pg-summary")


async def test_the_layout_of_a_hand_made_progress():
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        progress = sample_progress(app)
        screen = ProgressScreen("Anna", app.questionnaire)
        app.push_screen(screen)
        await pilot.pause()
        screen.show_progress(progress)
        await pilot.pause()
        axes = text_of(screen, "#pg-axes").splitlines()
        assert axes[0].startswith("Draagkracht: eerder 50% (10/20), recent 80% (8/10) ↑")
        assert axes[1].endswith("↓")  # draaglast 75% -> 60%
        assert axes[2] == "Ondersteuningsbehoefte: eerder —, recent 70% (7/10)"  # no arrow
        await show_tab(pilot, screen, "eerder")
        sessions = screen.query_one("#pg-sessions")
        assert sessions.row_count == 14
        newest = sessions.get_row_at(0)
        assert newest[1].startswith("09-04-26") or newest[1].startswith("10-04-26")
        await show_tab(pilot, screen, "toetsen")
        toetsen = screen.query_one("#pg-toetsen")
        assert [toetsen.get_row_at(i)[1] for i in range(3)] == ["3 van 5", "4 van 5", "1 van 5"]
        assert toetsen.get_row_at(2)[3] == "niet af"
        await show_tab(pilot, screen, "zwak")
        weak = text_of(screen, "#pg-weak-list")
        assert weak.index("1. Q5") < weak.index("2. Q10")
        assert weak.count(f"{progress.explanation_label}:") == 2
        await pilot.press("2")
        assert screen.query_one("TabbedContent").active == "vragen"


async def test_an_earlier_session_reopens_in_its_feedback_and_nothing_is_written(
    questionnaire, tmp_path
):
    from dkdl.store import open_log

    path = tmp_path / "log.db"
    library = load_library([CASES], questionnaire)
    with open_log(path) as log:
        app = make_app(log=log, questionnaire=questionnaire, library=library)
        async with app.run_test(size=SIZE) as pilot:
            wrong = finish(app, "tui-wondzorg-01", Q5=1, Q10=3)
            finish(app, "tui-kind-01")
            await choose(app, pilot, "voortgang")
            before = log_rows(path)
            screen = app.screen
            await pilot.press("6")
            await pilot.pause()
            table = screen.query_one("#pg-sessions")
            assert app.focused is table
            await pilot.press("down", "enter")  # the older one: wondzorg, answered wrong
            await pilot.pause()
            feedback = app.screen
            assert isinstance(feedback, FeedbackScreen) and feedback.review
            assert feedback.done.session_id == wrong.session_id
            assert feedback.done.answers == wrong.answers  # her answers, as she gave them
            lines = {line.question.id: line for line in feedback.feedback.lines}
            assert not lines["Q5"].same and not lines["Q10"].same
            text = " ".join(str(s.render()) for s in feedback.query(".qline"))
            assert "soms geheugenproblemen" in text  # the key's answer at Q5
            assert "Vergeet soms een afspraak" in text  # the case's reason
            assert not feedback.query("#retry") and not feedback.query("#next_case")
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen is screen
            assert log_rows(path) == before


async def test_a_changed_case_is_said_when_its_old_session_reopens():
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        done = finish(app, "tui-wondzorg-01")
        log = app.practice_log
        log._sessions[done.session_id] = replace(
            log._sessions[done.session_id], case_hash="an-older-version"
        )
        await choose(app, pilot, "voortgang")
        await pilot.press("6")
        await pilot.pause()
        assert app.focused is app.screen.query_one("#pg-sessions")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, FeedbackScreen)
        assert any("gewijzigd" in str(w.render()) for w in app.screen.query(".warning"))


@pytest.mark.parametrize("size", [(40, 12), (60, 18)])
async def test_the_new_menu_entries_are_reachable_on_small_terminals(size):
    app = new_app()
    async with app.run_test(size=size) as pilot:
        finish(app, "tui-wondzorg-01")  # Mijn voortgang opens for a name that practised
        await pilot.pause()
        app.screen.query_one("#nurse").value = "Anna"
        menu = app.screen.query_one("#menu")
        menu.focus()
        await pilot.pause()
        ids = [menu.get_option_at_index(i).id for i in range(menu.option_count)]
        for _ in range(ids.index("voortgang")):
            await pilot.press("down")
        await pilot.pause()
        assert menu.highlighted == ids.index("voortgang")
        assert "Mijn&#160;voortgang" in app.export_screenshot()  # scrolled into view
        await pilot.press("enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ProgressScreen)
        assert app.screen.progress is not None


async def test_the_menu_is_one_line_per_entry_at_80x24_and_all_entries_show():
    app = new_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        menu = app.screen.query_one("#menu")
        assert menu.one_line
        assert menu.region.bottom <= 23  # above the footer: every entry on screen
        assert menu.option_count == 8


async def test_weak_points_with_no_case_to_suggest_says_so(monkeypatch):
    import dkdl.tui.progress_routes as routes

    monkeypatch.setattr(routes, "weak_suggestion", lambda app, progress: None)
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await choose(app, pilot, "zwakke-punten")
        assert isinstance(app.screen, StartScreen)
        notes = [n.message for n in app._notifications]
        assert any("geen casus" in n for n in notes)
        assert app.practice_log.sessions() == []


def expected_suggestion(app, nurse: str = "Anna"):
    """What the core suggests for her now, asked the way the app asks it."""
    from dkdl.tui.progress_routes import counted_progress, weak_suggestion

    return weak_suggestion(app, counted_progress(app, nurse))


async def answer_as_key(app, pilot) -> None:
    """Answer the open question screen's case as its key, and finish."""
    screen = app.screen
    assert isinstance(screen, QuestionScreen)
    case = screen.session.case
    if screen.reading():
        await pilot.press("c")
    for qid in app.scorer.question_ids:
        if qid in screen.session.reached():
            screen.session.choose(case.answers.options[qid], qid)
    if screen.session.checklist_shown():
        screen.session.tick(case.answers.items)
    screen.post_message(SessionFinished(screen.session))
    await pilot.pause()


async def test_weak_points_start_a_case_with_its_reason_and_say_it_again_in_the_feedback():
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        finish(app, "tui-wondzorg-01", Q5=1)  # a miss at Q5
        expected = expected_suggestion(app)
        assert expected is not None
        await choose(app, pilot, "zwakke-punten")
        dialog = app.screen
        assert isinstance(dialog, ChoiceScreen)
        said = str(dialog.query_one("#dialog-text").render())
        assert expected.case.title in said and expected.reason in said
        sessions_before = len(app.practice_log.sessions())
        await pilot.press("enter")  # Beginnen has the focus
        await pilot.pause()
        question = app.screen
        assert isinstance(question, QuestionScreen)
        assert question.session.case is expected.case and question.session.mode == "oefenen"
        assert len(app.practice_log.sessions()) == sessions_before + 1  # an ordinary session
        await answer_as_key(app, pilot)
        feedback = app.screen
        assert isinstance(feedback, FeedbackScreen) and not feedback.review
        assert expected.reason in str(feedback.query_one("#weak-reason").render())
        assert "zwakke punt" in str(feedback.query_one("#next_weak_case").label)
        keys = {k.key: k.description for k in feedback.query("FooterKey") if k.display}
        assert keys["n"] == "Volgende zwakke punt"
        following = expected_suggestion(app)
        await pilot.press("n")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        if following is None:
            assert isinstance(app.screen, FeedbackScreen)
        else:
            assert isinstance(app.screen, ChoiceScreen)
            assert following.reason in str(app.screen.query_one("#dialog-text").render())
            await pilot.press("escape")  # Terug: back on the feedback, nothing started
            await pilot.pause()
            assert app.screen is feedback
            assert len(app.practice_log.sessions()) == sessions_before + 1


async def test_weak_points_terug_starts_nothing():
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        finish(app, "tui-wondzorg-01", Q10=3)
        await choose(app, pilot, "zwakke-punten")
        assert isinstance(app.screen, ChoiceScreen)
        before = len(app.practice_log.sessions())
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, StartScreen)
        assert len(app.practice_log.sessions()) == before


async def test_z_on_mijn_voortgang_asks_for_a_weak_point_case():
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        finish(app, "tui-wondzorg-01", Q5=1)
        await choose(app, pilot, "voortgang")
        assert isinstance(app.screen, ProgressScreen)
        await pilot.press("z")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ChoiceScreen)


def test_help_and_manual_quote_the_weak_point_rule_as_the_core_states_it():
    from pathlib import Path

    from dkdl.adaptive import RULE
    from dkdl.tui.screens.help import help_text

    def words(text: str) -> str:
        return " ".join(text.replace("> ", " ").split())

    manual = (Path(__file__).parents[1] / "docs" / "handleiding.md").read_text(encoding="utf-8")
    assert words(RULE) in words(help_text())
    assert words(RULE) in words(manual)
    assert "## Mijn voortgang" in help_text()


async def test_enter_on_a_case_not_done_yet_practises_it():
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        finish(app, "tui-wondzorg-01")
        await choose(app, pilot, "voortgang")
        await pilot.press("4")
        await pilot.pause()
        assert app.focused is app.screen.query_one("#pg-not-done")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, QuestionScreen)
        assert app.screen.session.case.id == "tui-kind-01"
        assert app.screen.session.mode == "oefenen"


def test_the_chart_shares_per_week_or_month_by_mode():
    from dkdl.progress import SessionPoint
    from dkdl.tui.screens.progress_chart import shares_per_period

    def point(day: str, mode: str, right: bool) -> SessionPoint:
        return SessionPoint("s", f"{day}T09:00:00+00:00", mode, "c", "", "DKDL1", "DKDL1", right)

    weeks = [
        point("2026-03-02", "oefenen", True),  # a Monday
        point("2026-03-08", "oefenen", False),  # the Sunday of that week
        point("2026-03-09", "toets", True),
        point("2026-03-10", "oefenen", True),
    ]
    periods, series = shares_per_period(weeks)
    assert periods == ["2026-03-02", "2026-03-09"]
    assert series == {"oefenen": [50.0, 100.0], "toets": [None, 100.0]}
    months = [point("2026-01-15", "oefenen", False), point("2026-04-01", "oefenen", True)]
    assert shares_per_period(months) == (["2026-01", "2026-04"], {"oefenen": [0.0, 100.0]})
    assert shares_per_period([]) == ([], {})
    # as the trainer's review: ten weeks (70 days) between the moments, not the dates
    at = "2026-03-02T09:00:00+00:00", "2026-05-11T09:00:00+00:00"  # 70 days apart
    ten = [replace(weeks[0], started_at=at[0]), replace(weeks[0], started_at=at[1])]
    assert shares_per_period(ten)[0] == ["2026-03-02", "2026-05-11"]
    later = replace(ten[1], started_at="2026-05-11T09:00:01+00:00")
    assert shares_per_period([ten[0], later])[0] == ["2026-03", "2026-05"]


# -- counting ahead (her figures kept while the log has not changed for her) ----------------


async def name_entered(app, pilot, nurse: str = "Anna") -> None:
    """Her name typed on the start screen and Enter; the count ahead done."""
    await pilot.pause()
    assert isinstance(app.screen, StartScreen)
    app.screen.query_one("#nurse").value = nurse
    app.screen.query_one("#nurse").focus()
    await pilot.press("enter")
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def no_counting(monkeypatch) -> list[str]:
    """From now on, every count of her figures is recorded (and still done)."""
    import dkdl.tui.progress_routes as routes

    counts: list[str] = []
    real = routes.counted_progress

    def counting(app, nurse):
        counts.append(nurse)
        return real(app, nurse)

    monkeypatch.setattr(routes, "counted_progress", counting)
    return counts


async def test_her_name_counts_ahead_and_mijn_voortgang_shows_them_without_counting(monkeypatch):
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        finish(app, "tui-wondzorg-01")
        await name_entered(app, pilot)
        assert app.kept_progress is not None and len(app.kept_progress[1].sessions) == 1
        counts = no_counting(monkeypatch)
        await choose(app, pilot, "voortgang")
        assert counts == []  # the kept figures, as they are current
        assert "1 casus afgerond" in text_of(app.screen, "#pg-summary")


async def test_a_session_finished_after_the_count_ahead_is_in_the_figures(monkeypatch):
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        finish(app, "tui-wondzorg-01")
        await name_entered(app, pilot)
        # finished straight through the model: the app is not told, only the log knows
        finish(app, "tui-kind-01", Q5=1)
        counts = no_counting(monkeypatch)
        await choose(app, pilot, "voortgang")
        assert counts == ["Anna"]  # counted anew
        screen = app.screen
        assert isinstance(screen, ProgressScreen)
        assert "2 casussen afgerond" in text_of(screen, "#pg-summary")
        # someone else's session does not make hers stale
        finish(app, "tui-kind-01", nurse="Bert")
        assert app.current_progress("Anna") is screen.progress


async def test_a_session_finished_in_the_app_is_counted_ahead_for_the_next_opening(monkeypatch):
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await name_entered(app, pilot)
        app.set_nurse("Anna")
        session = app.practice.start("Anna", "oefenen", app.library.by_id("tui-wondzorg-01"))
        case = session.case
        for qid in app.scorer.question_ids:
            if qid in session.reached() and qid in case.answers.options:
                session.choose(case.answers.options[qid], qid)
        if session.checklist_shown():
            session.tick(case.answers.items)
        app.post_message(SessionFinished(session))
        await pilot.pause(0.5)  # the count ahead starts a moment after the feedback
        await app.workers.wait_for_complete()
        counts = no_counting(monkeypatch)
        app.push_screen(StartScreen())
        await pilot.pause()
        app.screen.show_status("", "Anna")
        await choose(app, pilot, "voortgang")
        assert counts == []
        assert "1 casus afgerond" in text_of(app.screen, "#pg-summary")


async def test_a_trainer_import_into_the_open_file_makes_the_kept_figures_stale(tmp_path):
    from dkdl.store import open_log

    path = tmp_path / "log.db"
    with open_log(path) as log:
        questionnaire = load_questionnaire()
        library = load_library([CASES], questionnaire)
        app = make_app(log=log, questionnaire=questionnaire, library=library)
        async with app.run_test(size=SIZE) as pilot:
            finish(app, "tui-wondzorg-01")
            await name_entered(app, pilot)
            mark = app.kept_progress[0]
            assert app.current_progress("Anna") is not None
            with open_log(path) as other:  # another writer to the same file
                other.remember_nurse("Bert")
            assert app.current_progress("Anna") is None
            await name_entered(app, pilot)  # counts again: current once more
            assert app.kept_progress[0] != mark and app.current_progress("Anna") is not None
            finish(app, "tui-kind-01")  # the app's own write, told to nobody
            assert app.current_progress("Anna") is None
            await choose(app, pilot, "voortgang")
            assert "2 casussen afgerond" in text_of(app.screen, "#pg-summary")


async def test_weak_points_say_how_often_and_a_checklist_miss_in_words():
    """Her usual miss comes with how often she made it (not 'vaak' after one slip), and a
    checklist miss (her option and the key's both 2, other items) is said in words instead
    of showing the same option twice."""
    from dkdl.progress import Rate, WeakQuestion

    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        progress = sample_progress(app)
        q12 = app.questionnaire.by_id["Q12"]
        items_miss = WeakQuestion(
            "Q12",
            q12.title,
            q12.title,
            Rate(1, 3),
            2,
            2,
            q12.option(2).text,
            q12.option(2).text,
            "uitleg",
        )
        progress = replace(
            progress,
            weakest=(progress.weakest[0], items_miss),
            misses=(("Q5", ((1, 2, 6),)), ("Q12", ((2, 2, 2),))),
        )
        screen = ProgressScreen("Anna", app.questionnaire)
        app.push_screen(screen)
        await pilot.pause()
        screen.show_progress(progress)
        await show_tab(pilot, screen, "zwak")
        weak = text_of(screen, "#pg-weak-list")
        assert "Jij koos het vaakst (6×): 1" in weak
        assert "De sleutel daar: 2" in weak
        assert "Jij vinkte het vaakst (2×) andere handelingen aan dan de sleutel" in weak
        assert weak.count("De sleutel daar:") == 1  # not for the checklist miss


# -- Mijn voortgang only reads: a name is never stored by looking ------------------------------


def nurse_rows(path) -> list[tuple]:
    """Every row of the nurses table, whole (pseudonym and last_used)."""
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT * FROM nurses ORDER BY id").fetchall()


def notices(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_mijn_voortgang_under_a_name_never_practised_stores_nothing_and_says_so(
    questionnaire, tmp_path
):
    from dkdl.store import open_log

    path = tmp_path / "log.db"
    library = load_library([CASES], questionnaire)
    with open_log(path) as log:
        app = make_app(log=log, questionnaire=questionnaire, library=library)
        async with app.run_test(size=SIZE) as pilot:
            finish(app, "tui-wondzorg-01")
            finish(app, "tui-kind-01", nurse="Bram")
            app.set_nurse("Bram")
            before = nurse_rows(path)
            await choose(app, pilot, "voortgang", nurse="Anan")  # a typo of Anna
            assert isinstance(app.screen, StartScreen)  # no screen of figures for nobody
            assert nurse_rows(path) == before
            said = notices(app)[-1]
            assert "‘Anan’" in said and "nog niet geoefend" in said and "Bedoel je ‘Anna’?" in said
            await choose(app, pilot, "voortgang", nurse="Zeynep")  # like no name here
            said = notices(app)[-1]
            assert "‘Zeynep’" in said and "Namen met oefeningen: Anna, Bram." in said
            assert nurse_rows(path) == before
            assert log.last_nurse() == "Bram"  # the start screen pre-fills as before
            assert app.nurse == "Bram"


async def test_mijn_voortgang_on_an_empty_log_says_to_practise_first(questionnaire, tmp_path):
    from dkdl.store import open_log

    path = tmp_path / "log.db"
    library = load_library([CASES], questionnaire)
    with open_log(path) as log:
        app = make_app(log=log, questionnaire=questionnaire, library=library)
        async with app.run_test(size=SIZE) as pilot:
            await choose(app, pilot, "voortgang", nurse="Anna")
            assert isinstance(app.screen, StartScreen)
            assert "Kies eerst ‘Oefenen met een casus’" in notices(app)[-1]
            assert nurse_rows(path) == []


async def test_looking_at_her_progress_writes_nothing_and_practising_from_it_stores_her_name(
    questionnaire, tmp_path
):
    from dkdl.store import open_log

    path = tmp_path / "log.db"
    library = load_library([CASES], questionnaire)
    with open_log(path) as log:
        app = make_app(log=log, questionnaire=questionnaire, library=library)
        async with app.run_test(size=SIZE) as pilot:
            finish(app, "tui-wondzorg-01", nurse="Bram")
            app.set_nurse("Bram")
            finish(app, "tui-wondzorg-01")  # Anna's, never named on the start screen
            before, rows = nurse_rows(path), log_rows(path)
            await choose(app, pilot, "voortgang", nurse="Anna")
            screen = app.screen
            assert isinstance(screen, ProgressScreen) and screen.nurse == "Anna"
            assert "1 casus afgerond" in text_of(screen, "#pg-summary")
            assert (nurse_rows(path), log_rows(path)) == (before, rows)
            assert log.last_nurse() == "Bram"
            await show_tab(pilot, screen, "nog")
            await pilot.press("enter")  # practise the case she has not done
            await pilot.pause()
            assert isinstance(app.screen, QuestionScreen)
            assert app.screen.session.case.id == "tui-kind-01"
            assert log.session(app.screen.session.session_id).nurse == "Anna"
            assert log.last_nurse() == "Anna"  # practising stores her name, as from the menu


# -- the feedback's footer at 80x24: the way back is always there ------------------------------


def footer_keys(screen) -> dict[str, str]:
    """The keys the footer shows (laid out whole), key -> description."""
    return {k.key: k.description for k in screen.query("FooterKey") if k.display}


@pytest.mark.parametrize("kind", ["oefenen", "zwakke-punten", "vrij", "eerder"])
async def test_the_feedback_footer_shows_the_way_back_at_80x24(kind):
    from dkdl.feedback import Feedback

    app = new_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.set_nurse("Anna")
        if kind == "vrij":
            session = app.practice.start("Anna", "vrij")
            session.choose(2, "Q1")  # Kindzorg: done at once
            done = app.practice.finish(session)
        else:
            done = finish(app, "tui-wondzorg-01", Q5=1)
        reason = "Gekozen omdat je bij Geheugen 1 van de 1 keer anders antwoordde." * (
            kind == "zwakke-punten"
        )
        screen = FeedbackScreen(
            Feedback(done, app.scorer), review=kind == "eerder", weak_reason=reason
        )
        app.push_screen(screen)
        await pilot.pause()
        await pilot.pause()  # the footer fits its keys after its first refresh
        keys = footer_keys(screen)
        if kind == "eerder":  # reopened from Mijn voortgang: esc goes back there
            assert keys == {"escape": "Terug", "c": "Casus", "ctrl+p": "Opdrachten", "f1": "Help"}
        else:
            assert keys["escape"] == "Naar start" and keys["r"] == "Opnieuw"
        if kind in ("oefenen", "zwakke-punten"):
            assert keys["c"] == "Casus"
            assert keys["n"] == ("Volgende zwakke punt" if reason else "Volgende casus")
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is not screen
        assert isinstance(app.screen, StartScreen)


# -- Eerdere lists her vrije registraties too ---------------------------------------------------


async def test_eerdere_lists_a_vrije_registratie_and_reopens_it_without_a_write(
    questionnaire, tmp_path
):
    from dkdl.store import open_log

    path = tmp_path / "log.db"
    library = load_library([CASES], questionnaire)
    with open_log(path) as log:
        app = make_app(log=log, questionnaire=questionnaire, library=library)
        async with app.run_test(size=SIZE) as pilot:
            finish(app, "tui-wondzorg-01")
            session = app.practice.start("Anna", "vrij")
            session.choose(2, "Q1")  # Kindzorg
            free = app.practice.finish(session)
            await choose(app, pilot, "voortgang")
            screen = app.screen
            assert isinstance(screen, ProgressScreen)
            assert "1 casus afgerond" in text_of(screen, "#pg-summary")  # still not counted
            await show_tab(pilot, screen, "eerder")
            table = screen.query_one("#pg-sessions")
            assert table.row_count == 2
            newest = table.get_row_at(0)  # the vrije registratie came last
            assert newest[0] == "" and newest[2] == "vrij" and newest[4] == "—"
            assert newest[3] == "Kindzorg" and "vrije registratie" in newest[5]
            assert table.get_row_at(1)[2] == "oefenen"
            assert "casussen en vrije registraties" in text_of(screen, "#pg-sessions-note")
            before = log_rows(path)
            app._notifications.clear()
            await pilot.press("enter")  # the highlighted row: the vrije registratie
            await pilot.pause()
            feedback = app.screen
            assert isinstance(feedback, FeedbackScreen) and feedback.review
            assert feedback.done.session_id == free.session_id
            assert feedback.done.result.profile == free.result.profile
            assert feedback.sub_title == "Vrije registratie: uitslag"
            assert notices(app) == []  # no 'casus niet meer beschikbaar': it never had one
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen is screen
            assert log_rows(path) == before


async def test_a_weak_point_session_resumed_in_the_same_run_says_its_reason_again():
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        finish(app, "tui-wondzorg-01", Q5=1)
        expected = expected_suggestion(app)
        await choose(app, pilot, "zwakke-punten")
        await pilot.press("enter")  # Beginnen
        await pilot.pause()
        question = app.screen
        question.session.choose(question.session.case.answers.options["Q1"], "Q1")
        question.action_leave()
        await pilot.pause()
        app.screen.dismiss("later")
        await pilot.pause()
        await choose(app, pilot, "oefenen")
        assert isinstance(app.screen, ChoiceScreen)
        await pilot.press("enter")  # Verder gaan
        await pilot.pause()
        assert app.screen.session.session_id == question.session.session_id
        await answer_as_key(app, pilot)
        assert app.screen.weak_reason == expected.reason


# -- known gap: a weak-point session resumed after a restart ------------------------------------


@pytest.mark.xfail(
    strict=True,
    reason="known gap: the log does not record that a session was chosen for her weak points "
    "(the reason lives in app.weak_reasons, for this run only); recomputing it cannot tell such "
    "a session from the same case chosen by hand, and storing it needs a schema migration",
)
async def test_a_weak_point_session_resumed_after_a_restart_says_its_reason_again(
    questionnaire, tmp_path
):
    from dkdl.store import open_log

    path = tmp_path / "log.db"
    library = load_library([CASES], questionnaire)
    with open_log(path) as log:
        app = make_app(log=log, questionnaire=questionnaire, library=library)
        async with app.run_test(size=SIZE) as pilot:
            finish(app, "tui-wondzorg-01", Q5=1)
            expected = expected_suggestion(app)
            await choose(app, pilot, "zwakke-punten")
            await pilot.press("enter")  # Beginnen
            await pilot.pause()
            question = app.screen
            assert isinstance(question, QuestionScreen)
            question.session.choose(question.session.case.answers.options["Q1"], "Q1")
            question.action_leave()
            await pilot.pause()
            app.screen.dismiss("later")  # Later verder
            await pilot.pause()
            assert isinstance(app.screen, StartScreen)
    with open_log(path) as log:  # the next day: a new start of the app
        app = make_app(log=log, questionnaire=questionnaire, library=library)
        async with app.run_test(size=SIZE) as pilot:
            await choose(app, pilot, "oefenen")
            assert isinstance(app.screen, ChoiceScreen)  # go on with what she left?
            await pilot.press("enter")  # Verder gaan
            await pilot.pause()
            await answer_as_key(app, pilot)
            feedback = app.screen
            assert isinstance(feedback, FeedbackScreen)
            assert feedback.weak_reason == expected.reason
