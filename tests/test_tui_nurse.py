"""The nurse's second round (issue 10): each finding as a test of what she sees or presses."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Button

from dkdl.scoring import BandRange
from dkdl.tui.screens.casetext import CaseTextScreen
from dkdl.tui.screens.feedback import FeedbackScreen
from dkdl.tui.screens.question import QuestionScreen
from dkdl.tui.screens.start import StartScreen
from dkdl.tui.screens.toets import CaseBox, ToetsSetupScreen, ToetsSummaryScreen
from dkdl.tui.widgets.balance import ObBar
from dkdl.tui.widgets.options import AnswerSet, ItemCheckbox
from tests.steps import new_app, tick, to_questions

KEY_WOND = [1, 1, 1, 1, 2, 1, 1, 2, 1, 2, 1]  # tui-wondzorg-01, Q1..Q11
SIZE = (100, 40)


async def test_choosing_wel_keeps_the_cursor_off_the_items_and_tab_leaves_the_list():
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await to_questions(pilot, KEY_WOND)
        await pilot.press("2")
        await pilot.pause()
        assert isinstance(app.focused, AnswerSet)  # not on an item Space would tick unseen
        await pilot.press("space")
        assert screen.session.items == set()
        await pilot.press("tab")  # into the list
        assert isinstance(app.focused, ItemCheckbox)
        await pilot.press("down", "tab")  # Tab leaves the list, not to the next item
        assert isinstance(app.focused, Button)
        await pilot.press("shift+tab")  # back into the list (its last item)...
        assert isinstance(app.focused, ItemCheckbox)
        await pilot.press("shift+tab")  # ...and out of it, to the answers before it
        assert isinstance(app.focused, AnswerSet)


async def test_down_from_the_last_option_enters_the_checklist_and_lists_do_not_wrap():
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await to_questions(pilot, KEY_WOND)
        await pilot.press("2", "down")
        assert isinstance(app.focused, ItemCheckbox)
        assert screen.answer_set is not None
        screen.answer_set.focus()
        await pilot.press("up", "up", "up")
        assert screen.answer_set.highlighted == 0  # no wrap-around to the last option


async def test_enter_on_a_highlighted_option_chooses_it_and_moves_on():
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await to_questions(pilot)
        await pilot.press("enter")  # the cursor is on option 1: chosen, then on to Q2
        await pilot.pause()
        assert screen.session.options == {"Q1": 1} and screen.session.current == "Q2"
        await pilot.press("down", "enter")  # option 2 of Q2: PTZ, the last question: finish
        await pilot.pause()
        await pilot.pause()
        assert screen.session.options == {"Q1": 1, "Q2": 2}
        assert isinstance(app.screen, FeedbackScreen)


async def test_a_routing_answer_is_said_in_words_and_the_steps_follow():
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await to_questions(pilot)
        note = screen.query_one("#route-note")
        assert not note.display
        await pilot.press("2")
        await pilot.pause()
        text = str(note.render())
        assert note.display and "Medische kindzorg thuis" in text
        assert "draagkracht, draaglast en ondersteuningsbehoefte worden dan niet gesteld" in text
        steps = str(screen.query_one("#steps").render())
        assert "Draagkracht" in steps  # still named, struck through (markup gone in render)
        assert str(screen.query_one("#next").label) == "Afronden ✓"
        await pilot.press("1")
        await pilot.pause()
        assert not note.display


async def test_one_routing_mistake_is_one_mistake_in_the_feedback_and_the_summary():
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await to_questions(pilot, [1, 1, 1, 1, 1, 1, 1, 2, 1, 1, 1, 1], case_id="tui-kind-01")
        await pilot.pause()
        fb = app.screen
        assert isinstance(fb, FeedbackScreen)
        verdict = str(fb.query_one("#verdict").render())
        assert "0 van 1 vragen gelijk" in verdict
        not_asked = str(fb.query_one("#not-asked").render())
        assert "Niet gesteld door de routering" in not_asked
        assert "Q2, Q3, Q4" in not_asked and "Q12" in not_asked
        wrong = [w for w in fb.query(".qline.wrong")]
        assert len(wrong) == 1  # Q1 only, not eleven errors


async def test_each_wrong_answer_shows_what_it_did_to_the_sums():
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        codes = list(KEY_WOND)
        codes[5] = 2  # Q6 'weinig' instead of 'heeft' contacts: one more deficit
        await to_questions(pilot, codes)
        await pilot.press("2")
        await tick(pilot, "complexe_wonden", "zwachtelen")
        await pilot.press("right")
        await pilot.pause()
        fb = app.screen
        assert isinstance(fb, FeedbackScreen)
        q6 = next(str(w.render()) for w in fb.query(".qline.wrong") if "Q6" in str(w.render()))
        assert "jij:     2" in q6 and "sleutel: 1" in q6
        assert "draagkracht −1" in q6


async def test_the_case_text_can_be_reread_from_the_feedback():
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await to_questions(pilot, [2], case_id="tui-kind-01")
        await pilot.press("right")
        await pilot.pause()
        assert isinstance(app.screen, FeedbackScreen)
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, CaseTextScreen)
        assert app.screen.case.id == "tui-kind-01"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, FeedbackScreen)


def test_the_ob_bar_ends_at_its_value():
    bands = [BandRange("lage", 0, 3), BandRange("gemiddelde", 4, 5), BandRange("hoge", 6, 18)]

    class Bars(App):
        def compose(self) -> ComposeResult:
            yield ObBar(0, bands, id="zero")
            yield ObBar(5, bands, id="five")

    async def run() -> None:
        app = Bars()
        async with app.run_test(size=(100, 20)) as pilot:
            await pilot.pause()
            zero = str(app.query_one("#zero").render()).splitlines()
            five = str(app.query_one("#five").render()).splitlines()
            assert "█" not in zero[1]  # a 0 is an empty bar
            cell = five[0].index("1")  # width of one step on the scale
            filled = five[1].count("█")
            assert filled == 5 * cell  # ends where 5 is written, short of 6
            assert five[0][filled] == "5"

    import asyncio

    asyncio.run(run())


@pytest.mark.parametrize("size", [(40, 12), (60, 18)])
async def test_small_terminals_keep_the_options_reachable_and_the_footer_whole(size):
    app = new_app()
    async with app.run_test(size=size) as pilot:
        screen = await to_questions(pilot)
        await pilot.pause()
        assert screen.has_class("-short")
        answer_set = screen.answer_set
        assert answer_set is not None
        scroll = screen.query_one("#qscroll")
        # the options are within the question pane on screen (or scroll there with the focus)
        await pilot.press("down")
        await pilot.pause()
        option = list(answer_set.query("OptionButton"))[1]
        assert scroll.region.contains_region(option.region) or scroll.max_scroll_y > 0
        keys = [k for k in screen.query("FooterKey") if k.display]
        footer = screen.query_one("SteadyFooter")
        assert sum(k.outer_size.width for k in keys) <= footer.size.width  # none cut
        assert keys and keys[0].key_display == "←"
        await pilot.press("space")  # the option reached is chosen
        assert screen.session.options == {"Q1": 2}


async def test_start_menu_does_not_wrap_to_afsluiten():
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        menu = app.screen.query_one("#menu")
        menu.focus()
        menu.highlighted = 0
        await pilot.press("up")
        assert menu.highlighted == 0
        menu.highlighted = menu.option_count - 1
        await pilot.press("down")
        assert menu.highlighted == menu.option_count - 1


async def test_afsluiten_in_the_start_menu_asks_when_a_session_is_open():
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await to_questions(pilot, [1])
        app.push_screen(StartScreen())  # e.g. a trainer's entry on top of an open session
        await pilot.pause()
        await app.screen.action_choose("afsluiten")
        await pilot.pause()
        assert app.is_running and app.screen.__class__.__name__ == "ConfirmScreen"


async def test_toets_setup_starts_on_the_count_and_ticks_like_the_checklist():
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.query_one("#nurse").value = "Anna"
        await app.screen.action_choose("toets")
        await pilot.pause()
        setup = app.screen
        assert isinstance(setup, ToetsSetupScreen)
        assert app.focused is setup.query_one("#count")
        box = setup.query_one(CaseBox)
        box.focus()
        await pilot.press("space")
        assert box.value and "✓" in str(box.render())
        item_type = ItemCheckbox.__mro__[1]
        assert isinstance(box, item_type)  # the same widget as a checklist item
        setup.query_one("#chosen", Button).press()
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, QuestionScreen)
        assert app.screen.sub_title == "Toets: casus 1 van 1"


async def test_one_spelling_of_profiles_and_help_says_the_source_once():
    from dkdl.tui.screens.help import help_text

    app = new_app()
    text = help_text(app.questionnaire)
    assert text.count("NR/REG-2407") == 1 or text.count("github.com/nzanl") == 1
    assert text.count("## Bron") == 1
    assert "## Sneltoetsen" in text and "## Toetsen" not in text
    async with app.run_test(size=SIZE) as pilot:
        app.set_nurse("Anna")
        app.start_test([app.library.by_id("tui-kind-01")])
        await pilot.pause()
        if app.screen.reading():
            await pilot.press("c")
        await pilot.press("2", "right")
        await pilot.pause()
        summary = app.screen
        assert isinstance(summary, ToetsSummaryScreen)
        row = summary.query_one("DataTable").get_row_at(0)
        assert row[2:] == ["Kindzorg", "Kindzorg"]


async def test_the_question_screen_paints_whole_in_its_first_frame():
    app = new_app()
    async with app.run_test(size=(120, 40)) as pilot:
        app.set_nurse("Anna")
        app.start_session("oefenen", app.library.by_id("tui-wondzorg-01"))
        await pilot.pause()  # one frame
        screen = app.screen
        assert isinstance(screen, QuestionScreen) and screen.has_class("-wide")
        vignette = screen.query_one("#vignette-text")
        assert vignette.region.height > 5  # the case text is there, not mounted a frame later
        assert [k for k in screen.query("FooterKey") if k.display]
