"""Pilot tests of the practice TUI: whole flows, routing, the checklist rule, going back,
leaving and confirming, answers reaching the log at once, and the resume offer.

They run on a fixed small case library (``tests/data/tui_cases``) and a MemoryLog, so content
changes in the built-in cases do not break them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual import events

from dkdl.cases import load_library
from dkdl.sessionlog import AFGEBROKEN, AFGEROND, BEZIG, MemoryLog
from dkdl.tui.app import make_app
from dkdl.tui.screens.casechoice import CaseChoiceScreen
from dkdl.tui.screens.confirm import ChoiceScreen
from dkdl.tui.screens.feedback import FeedbackScreen
from dkdl.tui.screens.help import HelpScreen
from dkdl.tui.screens.question import QuestionScreen
from dkdl.tui.screens.start import StartScreen
from dkdl.tui.screens.toets import ToetsSummaryScreen
from tests.steps import CASES, tick

SIZE = (100, 40)


@pytest.fixture(scope="module")
def library(questionnaire):
    lib = load_library([CASES], questionnaire)
    assert not lib.problems
    return lib


def app_for(questionnaire, library, log=None, nurse=None):
    return make_app(
        log=log if log is not None else MemoryLog(),
        questionnaire=questionnaire,
        library=library,
        nurse=nurse,
    )


async def open_case(app, pilot, case_id="tui-wondzorg-01", nurse="Anna"):
    """From the start screen: name, Oefenen, pick the case, go to the questions."""
    await pilot.pause()
    assert isinstance(app.screen, StartScreen)
    app.screen.query_one("#nurse").value = nurse
    await app.screen.action_choose("oefenen")
    await pilot.pause()
    assert isinstance(app.screen, CaseChoiceScreen)
    app.start_session("oefenen", app.library.by_id(case_id))
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, QuestionScreen)
    if screen.reading():
        await pilot.press("c")
    return screen


async def answer_all(pilot, codes):
    for code in codes:
        await pilot.press(str(code), "right")


KEY_WOND = [1, 1, 1, 1, 2, 1, 1, 2, 1, 2, 1, 2]  # the key of tui-wondzorg-01 (Q1..Q12)


async def test_whole_case_to_feedback_with_the_key_answers(questionnaire, library):
    log = MemoryLog()
    app = app_for(questionnaire, library, log)
    async with app.run_test(size=SIZE) as pilot:
        await open_case(app, pilot)
        await answer_all(pilot, KEY_WOND[:-1])
        await pilot.press("2")
        await tick(pilot, "complexe_wonden", "zwachtelen")
        await pilot.press("right")
        await pilot.pause()
        fb = app.screen
        assert isinstance(fb, FeedbackScreen)
        assert fb.done.result.profile == "DKDL8"
        text = " ".join(str(w.render()) for w in fb.query("Static"))
        assert "Goed: hetzelfde profiel als de sleutel" in text
        assert "12 van 12 vragen gelijk" in text
        assert "Vergeet soms een afspraak" in text  # a toelichting
        assert "Wat als" in text
        session = log.sessions("Anna")[-1]
        assert session.status == AFGEROND and session.profile == "DKDL8" and session.match


async def test_feedback_shows_wrong_answers_tipping_and_what_if(questionnaire, library):
    app = app_for(questionnaire, library)
    async with app.run_test(size=SIZE) as pilot:
        await open_case(app, pilot)
        wrong = list(KEY_WOND)
        wrong[4] = 1  # Q5 'geen' geheugenproblemen instead of 'soms'
        wrong[9] = 3  # Q10 'volledig' instead of 'gedeeltelijk'
        await answer_all(pilot, wrong[:-1])
        await pilot.press("2")
        await tick(pilot, "complexe_wonden", "zwachtelen")
        await pilot.press("right")
        await pilot.pause()
        fb = app.screen
        assert isinstance(fb, FeedbackScreen)
        # draagkrachtig (no problems), geen verhoogde DL, OB = 4 + 2 = 6 -> hoog: DKDL3
        assert fb.done.result.profile == "DKDL3"
        text = "\n".join(str(w.render()) for w in fb.query("Static"))
        assert "Ander profiel dan de sleutel" in text
        assert "10 van 12 vragen gelijk" in text
        assert "Q10 Wassen/douchen" in text and "sleutel: 3" not in text
        assert "sleutel: 2 ‘gedeeltelijke hulp van derden’" in text  # reads as Dutch
        assert "effect:  ondersteuningsbehoefte +2" in text  # what Q10 did to the sum
        assert "effect:  draagkracht +2" in text  # Q5 'geen' instead of 'soms': no deficit 2
        assert "Wat gaf de doorslag" in text and "(+4)" in text  # volledig wassen weighs 4
        whatif = str(fb.query_one("#whatif").render()).splitlines()
        # grouped by profile: one line each; changes back to the key's answer said in words
        assert whatif[0].startswith("• DKDL 9: Q5 ‘soms geheugenproblemen’ (zoals de sleutel)")
        assert "Q10 ‘gedeeltelijke hulp van derden’ (zoals de sleutel)" in whatif[1]
        assert len([x for x in whatif if x.startswith("• DKDL 9")]) == 1
        # the routing shortcuts: one line, last
        assert whatif[-1].startswith("• Via de routering: Kindzorg (Q1), PTZ (Q2)")
        assert sum("(Q1)" in x for x in whatif) == 1
        assert fb.query_one("#obbar").value == 6
        assert fb.query_one("#obbar").key_value == 4


@pytest.mark.parametrize(
    "codes, profile",
    [
        ([2], "KINDZORG"),
        ([1, 2], "PTZ"),
        ([1, 1, 2], "TIJDELIJK"),
        ([1, 1, 3], "GEEN_DKDL"),
    ],
)
async def test_routing_shortcuts_end_the_questionnaire(questionnaire, library, codes, profile):
    app = app_for(questionnaire, library)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(app, pilot)
        for code in codes[:-1]:
            await pilot.press(str(code), "right")
        await pilot.press(str(codes[-1]))
        assert screen.session.reached() == [f"Q{i}" for i in range(1, len(codes) + 1)]
        assert str(screen.query_one("#next").label) == "Afronden ✓"
        assert f"Vraag {len(codes)} van {len(codes)}" in str(screen.query_one("#progress").render())
        await pilot.press("right")
        await pilot.pause()
        assert isinstance(app.screen, FeedbackScreen)
        assert app.screen.done.result.profile == profile


async def test_checklist_only_when_q12_is_2_and_needs_an_item(questionnaire, library):
    log = MemoryLog()
    app = app_for(questionnaire, library, log)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(app, pilot)
        await answer_all(pilot, KEY_WOND[:-1])
        assert screen.session.current == "Q12"
        assert not screen.query_one("#checklist").display
        await pilot.press("1")
        assert not screen.query_one("#checklist").display
        await pilot.press("2")
        assert screen.query_one("#checklist").display
        await pilot.press("right")  # no item ticked: refused
        await pilot.pause()
        assert isinstance(app.screen, QuestionScreen) and screen.session.current == "Q12"
        await tick(pilot, "sonde")
        await pilot.press("right")
        await pilot.pause()
        assert isinstance(app.screen, FeedbackScreen)
        sid = app.screen.done.session_id
        assert log.answers(sid)["Q12"].items == ("sonde",)
        assert app.screen.done.answers.items == frozenset({"sonde"})


async def test_going_back_keeps_answers_and_routing_re_evaluates(questionnaire, library):
    app = app_for(questionnaire, library)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(app, pilot)
        await answer_all(pilot, [1, 1, 1, 3])
        assert screen.session.current == "Q5"
        await pilot.press("left", "left")
        assert screen.session.current == "Q3"
        assert (screen.answer_set.qid, screen.answer_set.pressed_index) == ("Q3", 0)
        assert screen.session.options == {"Q1": 1, "Q2": 1, "Q3": 1, "Q4": 3}
        await pilot.press("left", "left", "2")  # Q1 = 2: kindzorg, only Q1 is asked
        assert screen.session.reached() == ["Q1"]
        await pilot.press("1")  # back to adult: the later answers are still there
        assert len(screen.session.reached()) == 12
        assert screen.session.options["Q4"] == 3
        screen.jump_to("Q4")
        await pilot.pause()
        assert screen.session.current == "Q4"
        assert (screen.answer_set.qid, screen.answer_set.pressed_index) == ("Q4", 2)
        strip = str(screen.query_one("#strip").render())
        assert "○Q5" in strip and "●Q4" in strip  # unanswered questions are marked


async def test_clicking_a_question_in_the_strip_goes_there(questionnaire, library):
    app = app_for(questionnaire, library)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(app, pilot)
        await answer_all(pilot, [1, 1, 1, 3])
        assert screen.session.current == "Q5"
        strip = screen.query_one("#strip")
        plain = str(strip.render())
        # a click on the "2" of "●Q2" (found where the strip shows it) opens Q2 with its answer
        await pilot.click("#strip", offset=(plain.index("Q2") + 1, 0))
        await pilot.pause()
        assert screen.session.current == "Q2"
        assert (screen.answer_set.qid, screen.answer_set.pressed_index) == ("Q2", 0)
        # a click on the mark of an open question later on opens that one
        plain = str(strip.render())
        await pilot.click("#strip", offset=(plain.index("Q7") - 1, 0))
        await pilot.pause()
        assert screen.session.current == "Q7"
        # the space between two questions goes nowhere
        plain = str(strip.render())
        await pilot.click("#strip", offset=(plain.index("Q4") - 2, 0))
        await pilot.pause()
        assert screen.session.current == "Q7"


@pytest.mark.parametrize("width", [8, 13, 20, 31, 47, 60, 100])
def test_strip_click_positions_follow_the_strip_s_word_wrap(width):
    from textual.content import Content

    from dkdl.tui.screens.question import strip_question_at

    questions = tuple(f"Q{n}" for n in range(1, 13))
    strip = Content(" ").join(Content(f"○{q}") for q in questions)
    for y, line in enumerate(strip.wrap(width)):
        text = line.plain.ljust(width + 2)
        for x, char in enumerate(text):
            expected = None
            if char != " ":
                start = text.rfind(" ", 0, x) + 1
                expected = text[start + 1 : text.index(" ", x)]
            assert strip_question_at(questions, x, y, width) == expected, (width, y, x)
    assert strip_question_at(questions, 0, len(strip.wrap(width)), width) is None


async def test_finishing_with_open_questions_jumps_to_the_first(questionnaire, library):
    app = app_for(questionnaire, library)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(app, pilot)
        await pilot.press("1", "right", "1", "right", "1", "right")
        screen.jump_to("Q12")
        await pilot.pause()
        await pilot.press("1", "right")
        await pilot.pause()
        assert isinstance(app.screen, QuestionScreen)
        assert screen.session.current == "Q4"


async def test_answers_reach_the_log_the_moment_they_are_given(questionnaire, library):
    log = MemoryLog()
    app = app_for(questionnaire, library, log)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(app, pilot)
        sid = screen.session.session_id
        assert log.session(sid).status == BEZIG
        await pilot.press("1")
        assert log.answers(sid)["Q1"].option == 1
        await pilot.press("right", "2")
        assert log.answers(sid)["Q2"].option == 2
        await pilot.press("1")  # changed: counted as a change
        assert log.answers(sid)["Q2"].option == 1 and log.answers(sid)["Q2"].changes == 1


async def test_leave_confirm_abandon_and_stay(questionnaire, library):
    log = MemoryLog()
    app = app_for(questionnaire, library, log)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(app, pilot)
        sid = screen.session.session_id
        await pilot.press("1", "right")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceScreen)
        await pilot.press("escape")  # = blijven
        await pilot.pause()
        assert app.screen is screen and log.session(sid).status == BEZIG
        await pilot.press("escape")
        await pilot.pause()
        await pilot.click("#choice-afbreken")
        await pilot.pause()
        assert isinstance(app.screen, CaseChoiceScreen)
        assert log.session(sid).status == AFGEBROKEN
        assert log.answers(sid)["Q1"].option == 1  # the answers stay


async def test_quit_during_a_session_asks_first(questionnaire, library):
    app = app_for(questionnaire, library)
    async with app.run_test(size=SIZE) as pilot:
        await open_case(app, pilot)
        await pilot.press("1")
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert app.is_running and app.screen.__class__.__name__ == "ConfirmScreen"
        await pilot.click("#choice-nee")
        await pilot.pause()
        assert isinstance(app.screen, QuestionScreen)


async def test_resume_offer_restores_answers(questionnaire, library):
    log = MemoryLog()
    app = app_for(questionnaire, library, log)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(app, pilot)
        await answer_all(pilot, [1, 1, 1, 2])
        await pilot.press("escape")
        await pilot.pause()
        await pilot.click("#choice-later")
        await pilot.pause()
    sid = log.sessions("Anna")[-1].id
    assert log.session(sid).status == BEZIG

    app = app_for(questionnaire, library, log)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.screen.query_one("#nurse").value == "Anna"  # remembered
        await app.screen.action_choose("oefenen")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceScreen)
        await pilot.click("#choice-hervatten")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, QuestionScreen)
        assert screen.session.session_id == sid
        assert screen.session.options == {"Q1": 1, "Q2": 1, "Q3": 1, "Q4": 2}
        assert screen.session.current == "Q5"


async def test_resume_offer_can_abandon(questionnaire, library):
    log = MemoryLog()
    sid = log.start_session(nurse="Bea", mode="vrij", questionnaire=questionnaire, case=None)
    log.record_answer(sid, "Q1", 1)
    app = app_for(questionnaire, library, log)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.query_one("#nurse").value = "Bea"
        await app.screen.action_choose("vrij")
        await pilot.pause()
        await pilot.click("#choice-afbreken")
        await pilot.pause()
        assert log.session(sid).status == AFGEBROKEN
        assert isinstance(app.screen, QuestionScreen)  # then the chosen mode opens
        assert app.screen.session.mode == "vrij"


async def test_name_is_required(questionnaire, library):
    app = app_for(questionnaire, library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await app.screen.action_choose("oefenen")
        await pilot.pause()
        assert isinstance(app.screen, StartScreen)


async def test_vrije_registratie_shows_profile_and_explanation_without_key(questionnaire, library):
    log = MemoryLog()
    app = app_for(questionnaire, library, log)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.query_one("#nurse").value = "Anna"
        await app.screen.action_choose("vrij")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, QuestionScreen) and screen.session.case is None
        assert "noem geen namen" in str(screen.query_one("#free-note").render()).lower()
        await answer_all(pilot, [1, 1, 1, 1, 2, 1, 2, 3, 1, 2, 1, 1])
        await pilot.pause()
        fb = app.screen
        assert isinstance(fb, FeedbackScreen)
        assert fb.done.result.profile == "DKDL10"
        text = "\n".join(str(w.render()) for w in fb.query("Static"))
        assert "sleutel" not in text.lower()
        assert "Jouw antwoorden" in text and "Wat gaf de doorslag" in text
        assert log.sessions("Anna")[-1].key_profile is None


async def test_toets_feedback_only_at_the_end(questionnaire, library):
    log = MemoryLog()
    app = app_for(questionnaire, library, log)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.set_nurse("Anna")
        app.start_test([library.by_id("tui-kind-01"), library.by_id("tui-wondzorg-01")])
        await pilot.pause()
        screen = app.screen
        if screen.reading():
            await pilot.press("c")
        await pilot.press("2", "right")  # kindzorg: correct
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, QuestionScreen)  # no feedback in between
        assert screen.session.case.id == "tui-wondzorg-01"
        if screen.reading():
            await pilot.press("c")
        await answer_all(pilot, [1, 1, 1, 1, 1, 1, 1, 2, 1, 1, 1, 1])  # DKDL1: wrong
        await pilot.pause()
        summary = app.screen
        assert isinstance(summary, ToetsSummaryScreen)
        assert "1 van 2 casussen" in str(summary.query_one("#score").render())
        per_q = str(summary.query_one("#per-question").render())
        assert "Q5 Geheugen: 0 van 1 goed" in per_q
        assert "Q1 Medische kindzorg thuis: 2 van 2 goed" in per_q
        sessions = log.sessions("Anna")
        assert len({s.test_id for s in sessions}) == 1 and all(s.mode == "toets" for s in sessions)


async def test_help_and_palette(questionnaire, library):
    app = app_for(questionnaire, library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        md = app.screen.query_one("Markdown")
        assert "NR/REG-2407" in md.source and "MIT" in md.source
        await pilot.press("escape")
        await pilot.pause()
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Help" in titles and "Afsluiten" in titles


async def test_case_list_filter_and_history(questionnaire, library):
    log = MemoryLog()
    app = app_for(questionnaire, library, log)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(app, pilot, "tui-kind-01")
        await pilot.press("2", "right")
        await pilot.pause()
        await pilot.press("escape")  # feedback -> start
        await pilot.pause()
        await app.screen.action_choose("oefenen")
        await pilot.pause()
        choice = app.screen
        assert isinstance(choice, CaseChoiceScreen)
        table = choice.query_one("DataTable")
        assert table.row_count == 2
        row = table.get_row("tui-kind-01")
        assert row[2].startswith("✓")
        await pilot.press("w", "o", "n", "d")
        await pilot.pause()
        assert table.row_count == 1
        await pilot.press("enter")  # Enter in the filter starts the one case left
        await pilot.pause()
        assert isinstance(app.screen, QuestionScreen)
        assert app.screen.session.case.id == "tui-wondzorg-01"
        del screen


async def test_case_filter_without_match_says_so(questionnaire, library):
    app = app_for(questionnaire, library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.query_one("#nurse").value = "Anna"
        await app.screen.action_choose("oefenen")
        await pilot.pause()
        await pilot.press("x", "y", "z", "enter")
        await pilot.pause()
        assert isinstance(app.screen, CaseChoiceScreen)  # nothing to start
        assert "Geen casus gevonden met ‘xyz’" in str(app.screen.query_one("#count").render())


async def test_checklist_ticks_reach_the_log_at_once(questionnaire, library):
    log = MemoryLog()
    app = app_for(questionnaire, library, log)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(app, pilot)
        await answer_all(pilot, KEY_WOND[:11])
        await pilot.press("2")
        await tick(pilot, "zwachtelen")
        stored = log.answers(screen.session.session_id)["Q12"]
        assert (stored.option, stored.items, stored.changes) == (2, ("zwachtelen",), 0)
        await tick(pilot, "zwachtelen", "injecties")
        stored = log.answers(screen.session.session_id)["Q12"]
        assert stored.items == ("injecties", "zwachtelen")


class FailingLog(MemoryLog):
    """A log whose disk fills up after the first answers."""

    def record_answer(self, session_id, question_id, *args, **kwargs):
        if question_id == "Q3":
            from dkdl.store import StoreError

            raise StoreError("log.db: de schijf is vol. Maak ruimte vrij en start dkdl opnieuw.")
        super().record_answer(session_id, question_id, *args, **kwargs)


async def test_a_failing_log_ends_the_app_with_its_message_not_a_traceback(questionnaire, library):
    log = FailingLog()
    app = app_for(questionnaire, library, log)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(app, pilot)
        session_id = screen.session.session_id
        await answer_all(pilot, [1, 1])
        app.post_message(events.Key("1", "1"))  # Q3: the write fails; the app ends itself
    assert app.failure is not None and "de schijf is vol" in str(app.failure)
    assert app.return_code == 2
    assert [q for q in log.answers(session_id)] == ["Q1", "Q2"]  # given before: kept


async def test_the_real_entry_point_loads_log_and_cases_from_the_command_line(tmp_path):
    """build_app(args) as `dkdl --db FILE --cases DIR` makes it: SQLite log, merged cases."""
    from dkdl.cli import build_parser
    from dkdl.store import open_log
    from dkdl.tui.app import build_app

    db = tmp_path / "log.db"
    args = build_parser().parse_args(["--db", str(db), "--cases", str(CASES)])
    app = build_app(args)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(50):
            await pilot.pause(0.05)
            if app.loaded:
                break
        assert app.loaded and app.failure is None
        assert app.library.by_id("tui-wondzorg-01") is not None  # own folder
        assert len(app.library.cases) > 30  # and the built-in set
        app.practice_log.remember_nurse("Anna")
        app.practice_log.close()
    with open_log(db) as log:
        assert log.last_nurse() == "Anna"


async def test_an_unusable_log_file_ends_with_a_message(tmp_path):
    from dkdl.cli import build_parser
    from dkdl.tui.app import build_app

    db = tmp_path / "log.db"
    db.write_bytes(b"dit is geen database" * 100)
    app = build_app(build_parser().parse_args(["--db", str(db)]))
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(50):
            await pilot.pause(0.05)
            if app.failure is not None:
                break
    assert app.failure is not None and str(db) in str(app.failure)
    assert db.read_bytes() == b"dit is geen database" * 100


async def test_killing_the_real_app_loses_no_answer_and_the_next_start_offers_resume(tmp_path):
    """SIGKILL (proc.kill) the app in a separate process mid-session, then start it again."""
    import subprocess
    import sys

    from dkdl.cli import build_parser
    from dkdl.store import open_log
    from dkdl.tui.app import build_app

    db = tmp_path / "log.db"
    worker = Path(__file__).parent / "app_worker.py"
    proc = subprocess.Popen(
        [sys.executable, str(worker), str(db), "4"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        encoding="utf-8",
    )
    try:
        answered = [proc.stdout.readline().split()[-1] for _ in range(4)]
    finally:
        proc.kill()
        proc.wait(timeout=30)
    assert answered == ["Q1", "Q2", "Q3", "Q4"]

    with open_log(db) as log:
        (info,) = log.sessions("Anna")
        assert info.status == BEZIG
        assert {q: r.option for q, r in log.answers(info.id).items()} == {
            "Q1": 1,
            "Q2": 1,
            "Q3": 1,
            "Q4": 1,
        }

    args = build_parser().parse_args(["--db", str(db), "--cases", str(CASES)])
    app = build_app(args)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(200):
            if app.loaded:
                break
            await pilot.pause(0.05)
        assert app.screen.query_one("#nurse").value == "Anna"
        await app.screen.action_choose("oefenen")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceScreen)  # verder gaan / afbreken / later
        await pilot.click("#choice-hervatten")
        await pilot.pause()
        assert app.screen.session.session_id == info.id
        assert app.screen.session.current == "Q5"
        app.practice_log.close()


async def test_case_text_with_square_brackets_is_shown_as_text(questionnaire, tmp_path):
    """Trainer text is not markup: '[/b]' in a title must neither crash nor vanish."""
    import yaml

    data = yaml.safe_load((CASES / "tui-wondzorg-01.yaml").read_text(encoding="utf-8"))
    data["title"] = "Wond [zie ook casus 2] met [/b] erin"
    folder = tmp_path / "eigen"
    folder.mkdir()
    (folder / "tui-wondzorg-01.yaml").write_text(
        yaml.safe_dump(data, allow_unicode=True), encoding="utf-8"
    )
    library = load_library([folder], questionnaire)
    assert library.problems == []
    app = app_for(questionnaire, library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.query_one("#nurse").value = "Anna"
        await app.screen.action_choose("oefenen")
        await pilot.pause()
        from textual.content import Content

        table = app.screen.query_one("DataTable")
        shown = Content.from_markup(table.get_row_at(0)[0]).plain  # as the table renders it
        assert shown == "Wond [zie ook casus 2] met [/b] erin"
        app.start_session("oefenen", library.cases[0])
        await pilot.pause()
        title = app.screen.query_one(".pane-title")
        assert "[zie ook casus 2] met [/b] erin" in str(title.render())


async def test_naar_start_from_the_help_screen_over_a_question_leaves_that_question(
    questionnaire, library
):
    log = MemoryLog()
    app = app_for(questionnaire, library, log)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(app, pilot)
        sid = screen.session.session_id
        await answer_all(pilot, [1, 1])
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        app._palette_start()  # the palette's "Naar start"
        await pilot.pause()
        await pilot.click("#choice-afbreken")
        await pilot.pause()
        assert log.session(sid).status == AFGEBROKEN
        assert not any(isinstance(s, QuestionScreen) for s in app.screen_stack)


@pytest.mark.parametrize("width", [10, 12, 40])
async def test_tiny_terminals_do_not_crash(questionnaire, library, width):
    app = app_for(questionnaire, library)
    async with app.run_test(size=(width, 20)) as pilot:
        await pilot.pause()
        app.set_nurse("Anna")
        app.start_session("oefenen", library.by_id("tui-wondzorg-01"))
        await pilot.pause()
        await pilot.press("c", "1", "right")
        await pilot.pause()
        assert app.screen.session.options == {"Q1": 1}


async def test_a_resumed_toets_case_still_gives_feedback_only_as_a_toets(questionnaire, library):
    log = MemoryLog()
    case = library.by_id("tui-wondzorg-01")
    sid = log.start_session(
        nurse="Anna", mode="toets", questionnaire=questionnaire, case=case, test_id="t-1"
    )
    for qid, code in zip([f"Q{i}" for i in range(1, 12)], KEY_WOND, strict=False):
        log.record_answer(sid, qid, code)
    app = app_for(questionnaire, library, log)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.query_one("#nurse").value = "Anna"
        await app.screen.action_choose("oefenen")
        await pilot.pause()
        await pilot.click("#choice-hervatten")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, QuestionScreen) and screen.session.current == "Q12"
        await pilot.press("2")
        await tick(pilot, "zwachtelen")
        await pilot.press("right")
        await pilot.pause()
        assert isinstance(app.screen, ToetsSummaryScreen)
        assert log.session(sid).status == AFGEROND


async def test_seconds_sum_every_visit_to_a_question(questionnaire, library, monkeypatch):
    import dkdl.practice as practice

    clock = [0.0]
    monkeypatch.setattr(practice, "clock", lambda: clock[0])
    log = MemoryLog()
    app = app_for(questionnaire, library, log)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(app, pilot)
        sid = screen.session.session_id
        clock[0] += 2
        await pilot.press("1")  # Q1 answered after 2 s
        clock[0] += 1
        await pilot.press("right")  # 1 s more on Q1
        clock[0] += 2
        await pilot.press("left")  # 2 s on Q2, unanswered
        clock[0] += 1
        await pilot.press("right")  # 1 s more on Q1
        clock[0] += 1
        await pilot.press("1")  # Q2 answered: its 2 s earlier plus 1 s now
        stored = log.answers(sid)
        assert stored["Q1"].seconds == pytest.approx(4.0)
        assert stored["Q2"].seconds == pytest.approx(3.0)
        assert stored["Q1"].changes == 0


async def test_toets_summary_counts_a_routing_error_once(questionnaire, library):
    app = app_for(questionnaire, library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.set_nurse("Anna")
        app.start_test([library.by_id("tui-kind-01")])
        await pilot.pause()
        if app.screen.reading():
            await pilot.press("c")
        await answer_all(pilot, [1, 1, 1, 1, 1, 1, 1, 2, 1, 1, 1, 1])  # an adult: routing wrong
        await pilot.pause()
        summary = app.screen
        assert isinstance(summary, ToetsSummaryScreen)
        per_q = str(summary.query_one("#per-question").render())
        assert "Q1 Medische kindzorg thuis: 0 van 1 goed" in per_q
        assert "Q5" not in per_q  # the key never asks it: not a second mistake


async def test_page_down_scrolls_the_case_beside_the_questions(questionnaire, library):
    app = app_for(questionnaire, library)
    async with app.run_test(size=(120, 20)) as pilot:  # wide: case beside the questions
        screen = await open_case(app, pilot)
        pane = screen.query_one("#vignette")
        assert pane.display and pane.scroll_y == 0 and pane.max_scroll_y > 0
        await pilot.press("pagedown")
        await pilot.pause()
        assert pane.scroll_y > 0
        assert screen.session.current == "Q1"  # still on the question


async def test_opening_a_case_left_halfway_offers_to_go_on(questionnaire, library):
    log = MemoryLog()
    app = app_for(questionnaire, library, log)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(app, pilot)
        first = screen.session.session_id
        await answer_all(pilot, [1, 1, 1])
        await pilot.press("escape")
        await pilot.pause()
        await pilot.click("#choice-later")
        await pilot.pause()
        assert isinstance(app.screen, CaseChoiceScreen)
        app.screen.query_one("DataTable").move_cursor(row=1)  # tui-wondzorg-01
        app.screen.query_one("DataTable").action_select_cursor()
        await pilot.pause()
        assert isinstance(app.screen, ChoiceScreen)
        await pilot.click("#choice-hervatten")
        await pilot.pause()
        assert app.screen.session.session_id == first and app.screen.session.current == "Q4"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.click("#choice-later")
        await pilot.pause()
        app.screen.query_one("DataTable").action_select_cursor()
        await pilot.pause()
        await pilot.click("#choice-opnieuw")
        await pilot.pause()
        assert log.session(first).status == AFGEBROKEN
        assert app.screen.session.session_id != first and app.screen.session.options == {}


async def test_space_then_right_typed_at_once_ticks_before_moving_on(questionnaire, library):
    log = MemoryLog()
    app = app_for(questionnaire, library, log)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(app, pilot)
        await answer_all(pilot, KEY_WOND[:11])
        await pilot.press("2", "tab")  # the checklist appears; Tab to its first item
        await pilot.pause()
        for key in ("space", "right"):  # no pause between them, as a fast typist does
            app.post_message(events.Key(key, " " if key == "space" else None))
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, FeedbackScreen)
        assert log.answers(screen.session.session_id)["Q12"].items == ("zwachtelen",)


def _hinted_library(questionnaire, tmp_path):
    """The fixed test cases, with a hint added to the wound case (in a temporary folder)."""
    import yaml

    folder = tmp_path / "eigen"
    folder.mkdir()
    for path in CASES.glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if data["id"] == "tui-wondzorg-01":
            data["hint"] = "Een collega twijfelt over de [b]wond[/b]: hoe lang is die al open?"
        (folder / path.name).write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    library = load_library([folder], questionnaire)
    assert library.problems == []
    return library


def _messages(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_hint_on_request_in_oefenen_only(questionnaire, tmp_path):
    library = _hinted_library(questionnaire, tmp_path)
    app = app_for(questionnaire, library)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(app, pilot)
        assert any(b.binding.action == "hint" for b in app.active_bindings.values())
        assert not any("collega twijfelt" in m for m in _messages(app))  # not unasked
        await pilot.press("h")
        await pilot.pause()
        shown = [m for m in _messages(app) if "collega twijfelt" in m]
        from textual.content import Content

        # trainer text is shown as text, not read as markup
        assert shown and "[b]wond[/b]" in Content.from_markup(shown[0]).plain
        assert screen.session.options == {}  # 'h' answered nothing


async def test_hint_never_in_a_toets(questionnaire, tmp_path):
    library = _hinted_library(questionnaire, tmp_path)
    app = app_for(questionnaire, library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.set_nurse("Anna")
        app.start_test([library.by_id("tui-wondzorg-01")])
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, QuestionScreen) and screen.session.case.hint
        if screen.reading():
            await pilot.press("c")
        assert not any(b.binding.action == "hint" for b in app.active_bindings.values())
        await pilot.press("h")
        await pilot.pause()
        assert not any("collega twijfelt" in m for m in _messages(app))
        await answer_all(pilot, KEY_WOND[:-1] + [1])  # Q12 = 1: no checklist to tick
        await pilot.pause()
        assert isinstance(app.screen, ToetsSummaryScreen)
        await pilot.press("h")
        await pilot.pause()
        assert not any("collega twijfelt" in m for m in _messages(app))


async def test_no_hint_key_for_a_case_without_hint(questionnaire, library):
    app = app_for(questionnaire, library)
    async with app.run_test(size=SIZE) as pilot:
        await open_case(app, pilot)
        assert not any(b.binding.action == "hint" for b in app.active_bindings.values())
        await pilot.press("h")
        await pilot.pause()
        assert _messages(app) == []


async def test_a_toets_killed_in_its_second_case_resumes_whole(questionnaire, library, tmp_path):
    """Issue 10's bug: toets of 2, case 1 wrong, the app dies in case 2, resume. It must say
    'casus 2 van 2' and the summary must count both cases (it said 'Uitslag: 1 van 1')."""
    from dkdl.store import open_log

    db = tmp_path / "log.db"
    log = open_log(db)
    app = app_for(questionnaire, library, log)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.set_nurse("Anna")
        app.start_test([library.by_id("tui-kind-01"), library.by_id("tui-wondzorg-01")])
        await pilot.pause()
        if app.screen.reading():
            await pilot.press("c")
        await answer_all(pilot, [1, 1, 1, 1, 1, 1, 1, 2, 1, 1, 1, 1])  # an adult: wrong
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, QuestionScreen) and screen.sub_title == "Toets: casus 2 van 2"
        if screen.reading():
            await pilot.press("c")
        await answer_all(pilot, [1, 1, 1])
        # the crash: nothing of this app survives but what the log holds
    log.close()

    log = open_log(db)
    app = app_for(questionnaire, library, log)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await app.screen.action_choose("oefenen")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceScreen)
        assert "Toets van 2 casussen" in str(app.screen.query_one("#dialog-text").render())
        await pilot.click("#choice-hervatten")
        await pilot.pause()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, QuestionScreen)
        assert screen.sub_title == "Toets: casus 2 van 2"
        assert screen.session.options == {"Q1": 1, "Q2": 1, "Q3": 1}
        if screen.reading():
            await pilot.press("c")
        await answer_all(pilot, KEY_WOND[3:-1])
        await pilot.press("2")
        await tick(pilot, "complexe_wonden", "zwachtelen")
        await pilot.press("right")
        await pilot.pause()
        summary = app.screen
        assert isinstance(summary, ToetsSummaryScreen)
        assert "Uitslag: 1 van 2 casussen" in str(summary.query_one("#score").render())
        assert summary.query_one("DataTable").row_count == 2
    log.close()
