"""Snapshots of the key screens at 80×24 and 120×40, on the fixed test cases in tests/data.

Update only after looking at the report: ``pytest tests/test_tui_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dkdl.cases import load_library
from dkdl.questionnaire import load_questionnaire
from dkdl.sessionlog import MemoryLog
from dkdl.tui.app import make_app

CASES = Path(__file__).parent / "data" / "tui_cases"
SIZES = [(80, 24), (120, 40)]
CASE = "tui-wondzorg-01"


def new_app():
    questionnaire = load_questionnaire()
    library = load_library([CASES], questionnaire)
    return make_app(log=MemoryLog(), questionnaire=questionnaire, library=library)


async def _quiet(pilot) -> None:
    for widget in pilot.app.screen.query("Input"):
        widget.cursor_blink = False
    await pilot.pause()


async def _to_questions(pilot, codes) -> None:
    app = pilot.app
    app.set_nurse("Anna")
    app.start_session("oefenen", app.library.by_id(CASE))
    await pilot.pause()
    if app.screen.reading():
        await pilot.press("c")
    for code in codes:
        await pilot.press(str(code), "right")
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_start_screen(snap_compare, size):
    assert snap_compare(new_app(), terminal_size=size, run_before=_quiet)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_question(snap_compare, size):
    async def run_before(pilot):
        await _to_questions(pilot, [1, 1, 1])  # now at Q4, with Q1-Q3 answered

    assert snap_compare(new_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_checklist(snap_compare, size):
    async def run_before(pilot):
        await _to_questions(pilot, [1, 1, 1, 1, 2, 1, 1, 2, 1, 2, 1])
        await pilot.press("2")
        for box in pilot.app.screen.query("ItemCheckbox"):
            if box.item_id == "zwachtelen":
                box.value = True
        await pilot.pause()

    assert snap_compare(new_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_feedback(snap_compare, size):
    async def run_before(pilot):
        # Q5 'geen' instead of 'soms' and Q10 'volledig' instead of 'gedeeltelijk'
        await _to_questions(pilot, [1, 1, 1, 1, 1, 1, 1, 2, 1, 3, 1])
        await pilot.press("2")
        for box in pilot.app.screen.query("ItemCheckbox"):
            if box.item_id in ("zwachtelen", "complexe_wonden"):
                box.value = True
        await pilot.pause()
        await pilot.press("right")
        await pilot.pause()

    assert snap_compare(new_app(), terminal_size=size, run_before=run_before)
