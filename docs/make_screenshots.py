"""Export the screenshots for docs/handleiding.md as SVG, made by the app itself.

Run from the repository root: ``python docs/make_screenshots.py``. Uses the fixed test cases in
tests/data/tui_cases and an in-memory log, so nothing is stored. The trainer's screenshots read
a log of invented practice (``dkdl.demo``, fixed seed and end date) on the fixed test cases
(tests/data/tui_cases and tests/data/trainer_cases), made in a temporary folder and removed
afterwards: no real data, and the same images on every run.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.steps import CASE, new_app, tick, to_questions  # noqa: E402 - after sys.path

OUT = ROOT / "docs" / "img"

# trainer mode's log: invented practice on the fixed test cases, the same on every run
TRAINER_CASES = [ROOT / "tests" / "data" / "tui_cases", ROOT / "tests" / "data" / "trainer_cases"]
TRAINER_END = datetime(2026, 3, 1, tzinfo=UTC)
TRAINER_SEED = 1
TRAINER_SIZE = (120, 36)


async def shot(name: str, size: tuple[int, int], steps) -> None:
    app = new_app()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        for widget in app.screen.query("Input"):
            widget.cursor_blink = False
        await steps(app, pilot)
        await pilot.pause(0.2)
        app.save_screenshot(f"{name}.svg", str(OUT))
    print(OUT / f"{name}.svg")


async def start(app, pilot):
    app.screen.query_one("#nurse").value = "Anna"


async def questions(app, pilot, codes=(1, 1, 1)):
    await to_questions(pilot, codes)


async def reading(app, pilot):
    app.set_nurse("Anna")
    app.start_session("oefenen", app.library.by_id(CASE))
    await pilot.pause()


async def checklist(app, pilot):
    await questions(app, pilot, (1, 1, 1, 1, 2, 1, 1, 2, 1, 2, 1))
    await pilot.press("2")
    await tick(pilot, "zwachtelen")


async def feedback(app, pilot):
    await questions(app, pilot, (1, 1, 1, 1, 1, 1, 1, 2, 1, 3, 1))
    await pilot.press("2")
    await tick(pilot, "zwachtelen", "complexe_wonden")
    await pilot.press("right")


async def feedback_scrolled(app, pilot):
    await feedback(app, pilot)
    await pilot.pause()
    app.screen.query_one("#feedback").scroll_to(y=22, animate=False)


async def cases(app, pilot):
    app.set_nurse("Anna")
    app.open_mode("oefenen")


async def progress(app, pilot, tab="overzicht"):
    from dkdl.tui.screens.progress import ProgressScreen
    from tests.progress_steps import sample_progress

    app.set_nurse("Anna")
    screen = ProgressScreen("Anna", app.questionnaire)
    app.push_screen(screen)
    await pilot.pause()
    screen.show_progress(sample_progress(app, real_explanations=True))
    screen.action_tab(tab)
    await pilot.pause(0.5)  # the tab's underline slides into place


async def progress_weak(app, pilot):
    await progress(app, pilot, "zwak")


def build_trainer_log(path: Path):
    """A log of 300 invented sessions by 16 nurses over six months up to TRAINER_END; returns
    the questionnaire and case library to open it with."""
    from dkdl.cases import load_library
    from dkdl.demo import demo_bundle
    from dkdl.questionnaire import load_questionnaire
    from dkdl.store import open_log
    from dkdl.store.merge import merge_bundle

    questionnaire = load_questionnaire()
    library = load_library(TRAINER_CASES, questionnaire)
    bundle = demo_bundle(
        300,
        16,
        seed=TRAINER_SEED,
        end=TRAINER_END,
        questionnaire=questionnaire,
        cases=library.cases,
    )
    with open_log(path) as log:
        merge_bundle(log, bundle)
    return questionnaire, library


async def trainer_shot(name: str, log: Path, data, steps) -> None:
    from dkdl.tui.trainer.app import make_trainer_app

    questionnaire, library = data
    app = make_trainer_app(path=log, questionnaire=questionnaire, library=library)
    async with app.run_test(size=TRAINER_SIZE) as pilot:
        await settle(pilot)
        await steps(app, pilot)
        await settle(pilot)
        await pilot.pause(0.5)  # a tab's underline slides into place
        app.save_screenshot(f"{name}.svg", str(OUT))
    app.close_trainer()
    print(OUT / f"{name}.svg")


async def settle(pilot) -> None:
    """Let trainer mode's workers finish and their results reach the screen."""
    for _ in range(3):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def trainer_sessions(app, pilot):
    pass  # the table as it opens: all sessions, newest first


async def trainer_questions(app, pilot):
    await pilot.press("2")


async def trainer_question(app, pilot, question: str = "Q4"):
    await trainer_questions(app, pilot)
    await settle(pilot)
    table = app.screen.query_one("QuestionsPane DataTable")
    table.move_cursor(row=table.get_row_index(question))
    await pilot.press("enter")


async def trainer_nurse(app, pilot, name: str = "Lotte"):
    await pilot.press("5")
    await settle(pilot)
    # an invented nurse who improves over the months: the chart then tells a story
    key = next(k for k, s in app.screen.analysis.nurses.items() if s.nurse.display == name)
    table = app.screen.query_one("NursesPane DataTable")
    table.move_cursor(row=table.get_row_index(str(key)))
    await pilot.press("enter")


async def trainer_shots() -> None:
    # the table shows times in the computer's local time: fixed, so the images are too
    os.environ["TZ"] = "UTC"
    if hasattr(time, "tzset"):  # not on Windows; there the times follow the computer's zone
        time.tzset()
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "groep.db"
        data = build_trainer_log(log)
        await trainer_shot("trainer-sessies", log, data, trainer_sessions)
        await trainer_shot("trainer-vragen", log, data, trainer_questions)
        await trainer_shot("trainer-vraag", log, data, trainer_question)
        await trainer_shot("trainer-verpleegkundige", log, data, trainer_nurse)


async def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    await shot("start", (80, 24), start)
    await shot("casus-kiezen", (80, 24), cases)
    await shot("casus-lezen", (80, 24), reading)
    await shot("vraag-breed", (120, 36), questions)
    await shot("checklist", (80, 24), checklist)
    await shot("feedback", (100, 40), feedback)
    await shot("feedback-waarom", (100, 40), feedback_scrolled)
    await shot("voortgang", (100, 32), progress)
    await shot("voortgang-zwak", (100, 32), progress_weak)
    await trainer_shots()


if __name__ == "__main__":
    asyncio.run(main())
