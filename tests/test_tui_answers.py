"""The answer options of the question screen: one set, relabelled per question (issue 10's
speed work), must show and store exactly what the nurse chose, by key or by mouse."""

from __future__ import annotations

from dkdl.tui.widgets.options import AnswerSet, OptionButton
from tests.steps import new_app, to_questions

SIZE = (100, 40)


def shown(answer_set: AnswerSet) -> list[tuple[str, bool]]:
    """The options on screen: (text, on) per visible button."""
    return [(str(b.label), b.value) for b in answer_set.buttons if b.display]


async def test_moving_on_relabels_the_one_answer_set_and_mounts_nothing():
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await to_questions(pilot)
        answer_set = screen.answer_set
        buttons = list(screen.query(OptionButton))
        q = screen.questionnaire.by_id
        for code, qid in zip((1, 1, 1, 2), ("Q1", "Q2", "Q3", "Q4"), strict=True):
            assert answer_set.qid == qid
            texts = [text for text, _ in shown(answer_set)]
            assert len(texts) == len(q[qid].options)
            for text, option in zip(texts, q[qid].options, strict=True):
                assert text.startswith(f"{option.code}  ")
                assert option.text.replace("**", "") in text  # the official text, whole
            await pilot.press(str(code), "right")
            await pilot.pause()
        assert list(screen.query(OptionButton)) == buttons  # the same widgets throughout
        assert screen.query_one(AnswerSet) is answer_set and app.focused is answer_set
        # back to Q4: her answer is shown on, and the cursor is on it
        await pilot.press("left")
        await pilot.pause()
        assert answer_set.qid == "Q4"
        assert [on for _, on in shown(answer_set)] == [False, True, False]
        assert answer_set.highlighted == 1 and answer_set.pressed_index == 1


async def test_a_click_chooses_the_option_and_stores_it():
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await to_questions(pilot, [1, 1, 1])
        button = screen.answer_set.buttons[2]
        await pilot.click(button)
        await pilot.pause()
        assert screen.session.options["Q4"] == 3
        stored = app.practice_log.answers(screen.session.session_id)
        assert stored["Q4"].option == 3
        assert [on for _, on in shown(screen.answer_set)] == [False, False, True]
        assert screen.answer_set.highlighted == 2
        await pilot.click(screen.answer_set.buttons[0])  # another option: the first goes off
        await pilot.pause()
        assert screen.session.options["Q4"] == 1
        assert [on for _, on in shown(screen.answer_set)] == [True, False, False]


async def test_a_click_handled_after_moving_on_counts_for_the_question_it_was_on():
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await to_questions(pilot, [1, 1, 1, 1])  # at Q5, Q4 answered 1
        assert screen.answer_set.qid == "Q5"
        # a click on Q4's third option whose message arrives only now
        screen.answer_set.post_message(AnswerSet.Chosen("Q4", 3))
        await pilot.pause()
        assert screen.session.options["Q4"] == 3
        assert screen.session.current == "Q5"
        assert [on for _, on in shown(screen.answer_set)] == [False, False, False]  # Q5 open


async def test_the_cursor_follows_the_arrows_and_space_chooses_under_it():
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await to_questions(pilot, [1, 1, 1])
        first, second = screen.answer_set.buttons[:2]
        assert first._label_style() != second._label_style()  # the cursor is on the first
        plain = second._label_style()
        await pilot.press("down")
        await pilot.pause()
        assert screen.answer_set.highlighted == 1
        assert first._label_style() == plain and second._label_style() != plain
        await pilot.press("space")
        assert screen.session.options["Q4"] == 2  # stored before any message round
        await pilot.pause()
        assert [on for _, on in shown(screen.answer_set)] == [False, True, False]
