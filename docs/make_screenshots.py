"""Export the screenshots for docs/handleiding.md as SVG, made by the app itself.

Run from the repository root: ``python docs/make_screenshots.py``. Uses the fixed test cases in
tests/data/tui_cases and an in-memory log, so nothing is stored.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.steps import CASE, new_app, tick, to_questions  # noqa: E402 - after sys.path

OUT = ROOT / "docs" / "img"


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


if __name__ == "__main__":
    asyncio.run(main())
