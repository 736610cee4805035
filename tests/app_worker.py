"""The real app in a separate process, driven headless, for the kill test.

    python tests/app_worker.py DB N

Starts dkdl as the command line does (``--db DB --cases tests/data/tui_cases``), types the
pseudonym, opens a case, answers N questions with the keyboard and prints ``answered QID``
after each one has gone through the app; then waits to be killed.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from dkdl.cli import build_parser  # noqa: E402
from dkdl.tui.app import build_app  # noqa: E402


async def main(db: str, n: int) -> None:
    args = build_parser().parse_args(["--db", db, "--cases", str(HERE / "data" / "tui_cases")])
    app = build_app(args)
    async with app.run_test(size=(100, 40)) as pilot:
        for _ in range(200):  # at most ~10 s to load
            if app.loaded:
                break
            await pilot.pause(0.05)
        app.screen.query_one("#nurse").value = "Anna"
        await app.screen.action_choose("oefenen")
        await pilot.pause()
        app.start_session("oefenen", app.library.by_id("tui-wondzorg-01"))
        await pilot.pause()
        if app.screen.reading():
            await pilot.press("c")
        for _ in range(n):
            qid = app.screen.session.current
            await pilot.press("1", "right")
            print("answered", qid, flush=True)
        await asyncio.sleep(120)  # the test kills us here


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
