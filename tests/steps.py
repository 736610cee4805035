"""Steps that drive the practice app on the fixed test cases, shared by the snapshot tests, the
user guide's screenshots (docs/make_screenshots.py) and the kill-test worker."""

from __future__ import annotations

from pathlib import Path

from dkdl.cases import load_library
from dkdl.questionnaire import load_questionnaire
from dkdl.sessionlog import MemoryLog
from dkdl.tui.app import make_app

CASES = Path(__file__).parent / "data" / "tui_cases"
CASE = "tui-wondzorg-01"


def new_app():
    """The practice app on tests/data/tui_cases with an in-memory log."""
    questionnaire = load_questionnaire()
    library = load_library([CASES], questionnaire)
    return make_app(log=MemoryLog(), questionnaire=questionnaire, library=library)


async def to_questions(pilot, codes=(), case_id: str = CASE, nurse: str = "Anna"):
    """Start ``case_id`` as ``nurse``, show the questions (a narrow terminal opens on the case
    text) and answer ``codes`` in order, each followed by →. Returns the question screen."""
    app = pilot.app
    app.set_nurse(nurse)
    app.start_session("oefenen", app.library.by_id(case_id))
    await pilot.pause()
    if app.screen.reading():
        await pilot.press("c")
    for code in codes:
        await pilot.press(str(code), "right")
    await pilot.pause()
    return app.screen


async def tick(pilot, *items: str) -> None:
    """Tick these checklist items (and no others) on the current question screen."""
    for box in pilot.app.screen.query("ItemCheckbox"):
        box.value = box.item_id in items
    await pilot.pause()
