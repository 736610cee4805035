"""Snapshots of the key screens at 80×24 and 120×40, on the fixed test cases in tests/data.

Update only after looking at the report: ``pytest tests/test_tui_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

import pytest

from tests.steps import new_app, tick, to_questions

SIZES = [(80, 24), (120, 40)]


async def _quiet(pilot) -> None:
    for widget in pilot.app.screen.query("Input"):
        widget.cursor_blink = False
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_start_screen(snap_compare, size):
    assert snap_compare(new_app(), terminal_size=size, run_before=_quiet)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_question(snap_compare, size):
    async def run_before(pilot):
        await to_questions(pilot, [1, 1, 1])  # now at Q4, with Q1-Q3 answered

    assert snap_compare(new_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_checklist(snap_compare, size):
    async def run_before(pilot):
        await to_questions(pilot, [1, 1, 1, 1, 2, 1, 1, 2, 1, 2, 1])
        await pilot.press("2")
        await tick(pilot, "zwachtelen")

    assert snap_compare(new_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_feedback(snap_compare, size):
    async def run_before(pilot):
        # Q5 'geen' instead of 'soms' and Q10 'volledig' instead of 'gedeeltelijk'
        await to_questions(pilot, [1, 1, 1, 1, 1, 1, 1, 2, 1, 3, 1])
        await pilot.press("2")
        await tick(pilot, "zwachtelen", "complexe_wonden")
        await pilot.press("right")
        await pilot.pause()

    assert snap_compare(new_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize(
    "tab,size",
    [
        ("overzicht", (80, 24)),
        ("overzicht", (120, 40)),
        ("vragen", (80, 24)),
        ("zwak", (80, 24)),
        ("eerder", (80, 24)),
    ],
    ids=lambda v: v if isinstance(v, str) else f"{v[0]}x{v[1]}",
)
def test_progress_screen(snap_compare, tab, size):
    """Mijn voortgang on a hand-made Progress (fixed dates): the figures do not move."""
    from dkdl.tui.screens.progress import ProgressScreen
    from tests.progress_steps import sample_progress

    async def run_before(pilot):
        app = pilot.app
        app.set_nurse("Anna")
        screen = ProgressScreen("Anna", app.questionnaire)
        app.push_screen(screen)
        await pilot.pause()
        screen.show_progress(sample_progress(app))
        screen.action_tab(tab)
        await pilot.pause()  # the tab is filled when shown
        await pilot.wait_for_scheduled_animations()
        await pilot.pause()

    assert snap_compare(new_app(), terminal_size=size, run_before=run_before)


def _suggestion(app):
    """A weak-point suggestion made by hand (the snapshot does not follow the core's rule)."""
    from dkdl.adaptive import Suggestion

    return Suggestion(
        app.library.by_id("tui-wondzorg-01"),
        "Gekozen omdat je Geheugen vaak anders invult dan de sleutel.",
        ("Q5",),
    )


def test_weak_case_dialog(snap_compare):
    async def run_before(pilot):
        pilot.app.set_nurse("Anna")
        pilot.app._weak_case_chosen(_suggestion(pilot.app))
        await pilot.pause()

    assert snap_compare(new_app(), terminal_size=(80, 24), run_before=run_before)


def test_feedback_of_a_weak_point_case(snap_compare):
    from dkdl.tui.messages import SessionFinished

    async def run_before(pilot):
        app = pilot.app
        app.set_nurse("Anna")
        app.start_weak_case(_suggestion(app))
        await pilot.pause()
        session = app.screen.session
        options = dict(session.case.answers.options) | {"Q5": 1}
        for qid in app.scorer.question_ids:
            if qid in session.reached():
                session.choose(options[qid], qid)
        session.tick(session.case.answers.items)
        app.screen.post_message(SessionFinished(session))
        await pilot.pause()

    assert snap_compare(new_app(), terminal_size=(80, 24), run_before=run_before)
