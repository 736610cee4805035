"""TUI speed: (a) process start to the first screen, dkdl vs a bare Textual app, side by side;
(b) choosing an answer and moving to the next question (Pilot timing).

Run: ``python benchmarks/bench_tui.py [--rounds 7]``. Goals: (a) ratio ≤ 1.5, (b) < 50 ms.
``--against REF`` (a git ref, e.g. ``main~3``) times (b) for this checkout and for REF's dkdl
package in alternating fresh processes on the same cases, and prints both and the ratio: the
before/after of a speed change measured in one run, under the same load.

(a) Each round starts both programs as fresh subprocesses, alternating, each exiting on
``Ready`` (the first frame is on the terminal). dkdl goes through its real entry point
(``dkdl.cli`` parses arguments, then ``run_app``'s app is built), with a throw-away log file.
(b) In one headless app on a real SQLite log, a digit then →: (1) posted as key events and
timed until every widget has handled its messages, layout and refresh included (the app's
own time), and (2) the wall time of ``Pilot.press``, which adds Pilot's CPU-idle waits
(~40 ms a key even in a bare app, shown by timing the bare app's RadioSet the same two ways).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

BARE = """
from textual.app import App
from textual.widgets import Footer, Header, RadioSet
class Bare(App):
    def compose(self):
        yield Header()
        yield RadioSet("een", "twee", "drie", "vier", "vijf")
        yield Footer()
    def on_ready(self):
        self.exit()
Bare().run()
"""

DKDL = """
import sys
from dkdl.cli import build_parser
from dkdl.tui import app as tui
args = build_parser().parse_args(["--db", sys.argv[1]])
app = tui.build_app(args)
class Timed(type(app)):
    def on_ready(self):
        self.exit()
app.__class__ = Timed
app.run()
"""


def run_once(code: str, *extra: str) -> float:
    env = dict(os.environ, TERM=os.environ.get("TERM", "xterm-256color"))
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", code, *extra],
        check=True,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - t0


def bench_start(rounds: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "bench.db")
        run_once(BARE)
        run_once(DKDL, db)  # warm the OS file cache and create the log once
        bare, dkdl = [], []
        for i in range(rounds):
            pair = [("bare", BARE, ()), ("dkdl", DKDL, (db,))]
            if i % 2:
                pair.reverse()
            for name, code, extra in pair:
                (bare if name == "bare" else dkdl).append(run_once(code, *extra))
    mb, md = statistics.median(bare), statistics.median(dkdl)
    print(f"(a) start to first screen, {rounds} rounds (median):")
    print(f"    bare Textual app (Header, RadioSet of 5, Footer): {mb * 1000:7.0f} ms")
    print(f"    dkdl start screen:                                {md * 1000:7.0f} ms")
    print(f"    ratio: {md / mb:.2f}x (goal <= 1.5x)")


async def _settle(app, pilot, *keys: str) -> float:
    """Post each key as the terminal would and wait until every widget has handled its messages
    (layout and refresh included): the app's own time, without Pilot's CPU-idle waits."""
    from textual import events

    t0 = time.perf_counter()
    for key in keys:
        app.post_message(events.Key(key, key if len(key) == 1 else None))
        await pilot._wait_for_screen()
    return time.perf_counter() - t0


async def bench_bare_answer(n: int) -> tuple[list[float], list[float]]:
    """The bare app: choose with ↓ + Enter in its RadioSet (its nearest 'answer')."""
    namespace: dict = {}
    exec(BARE.replace("Bare().run()", ""), namespace)
    app = namespace["Bare"]()
    app.on_ready = lambda: None
    press, settle = [], []
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        for _ in range(n):
            t0 = time.perf_counter()
            await pilot.press("down", "enter")
            press.append(time.perf_counter() - t0)
            settle.append(await _settle(app, pilot, "down", "enter"))
    return press, settle


async def answer_times(n: int, *, press_rounds: bool = True) -> tuple[list[float], list[float]]:
    """Walk Q1..Q10 of one case ``n`` times: (Pilot.press wall times, settled times); with
    ``press_rounds`` every other walk is timed with Pilot.press, else all are settled."""
    from dkdl.cases import load_library
    from dkdl.questionnaire import load_questionnaire
    from dkdl.store import open_log
    from dkdl.tui.app import make_app

    questionnaire = load_questionnaire()
    library = load_library([ROOT / "tests" / "data" / "tui_cases"], questionnaire)
    # the real SQLite log, as a nurse has it: every answer (and every leave) is a commit
    tmp = tempfile.TemporaryDirectory()
    log = open_log(Path(tmp.name) / "bench.db")
    app = make_app(log=log, questionnaire=questionnaire, library=library, nurse="bench")
    press, settle = [], []
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        app.set_nurse("bench")
        for round_ in range(n):
            app.start_session("oefenen", library.by_id("tui-wondzorg-01"), replace=True)
            await pilot.pause()
            if app.screen.reading():
                await pilot.press("c")
            for code in (1, 1, 1, 1, 2, 1, 1, 2, 1, 2):  # Q1..Q10, each to the next question
                if press_rounds and round_ % 2:
                    t0 = time.perf_counter()
                    await pilot.press(str(code), "right")
                    press.append(time.perf_counter() - t0)
                else:
                    settle.append(await _settle(app, pilot, str(code), "right"))
    log.close()
    tmp.cleanup()
    return press, settle


def ms(values: list[float]) -> str:
    return f"median {statistics.median(values) * 1000:6.1f} ms, worst {max(values) * 1000:6.1f} ms"


def load() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg()) if hasattr(os, "getloadavg") else "?"


async def bench_answer(n: int) -> None:
    press, settle = await answer_times(n)
    bare_press, bare_settle = await bench_bare_answer(len(press))
    print(f"(b) choose an answer + next question ({len(settle)} + {len(press)} times):")
    print(f"    dkdl, key to screen settled:      {ms(settle)}  (goal < 50 ms)")
    print(f"    bare RadioSet ↓+Enter, settled:   {ms(bare_settle)}")
    print(f"    dkdl, Pilot.press wall time:      {ms(press)}")
    print(f"    bare RadioSet, Pilot.press:       {ms(bare_press)}  (Pilot's own CPU-idle waits)")


def _child(n: int) -> None:
    """In a fresh process: the settled times of ``n`` walks, as JSON, with the dkdl imported."""
    import dkdl

    _, settle = asyncio.run(answer_times(n, press_rounds=False))
    print(json.dumps({"dkdl": str(Path(dkdl.__file__).resolve().parent), "settle": settle}))


def bench_against(ref: str, rounds: int, walks: int) -> None:
    """(b) for this checkout and for ``ref``'s dkdl package, alternating fresh processes."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", ref, "dkdl", "questionnaires"],
        check=True,
        capture_output=True,
    ).stdout
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "ref"
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            if hasattr(tarfile, "data_filter"):
                tar.extractall(tree, filter="data")
            else:  # Python < 3.11.4; our own repository's tree
                tar.extractall(tree)
        trees = {"this checkout": ROOT, ref: tree}
        times: dict[str, list[float]] = {name: [] for name in trees}
        print(f"(b) answer + next, this checkout vs {ref}: {rounds} rounds of {walks} walks each")
        print(f"    load average before: {load()}")
        for i in range(rounds):
            names = list(trees) if i % 2 == 0 else list(reversed(trees))
            for name in names:
                env = dict(os.environ, PYTHONPATH=str(trees[name]))
                out = subprocess.run(
                    [sys.executable, __file__, "--child", str(walks)],
                    check=True,
                    capture_output=True,
                    text=True,
                    env=env,
                ).stdout
                result = json.loads(out.strip().splitlines()[-1])
                expected = (trees[name] / "dkdl").resolve()
                if Path(result["dkdl"]) != expected:
                    raise SystemExit(f"{name}: dkdl came from {result['dkdl']}, not {expected}")
                times[name].extend(result["settle"])
        print(f"    load average after:  {load()}")
        for name, values in times.items():
            print(f"    {name:>22}, key to screen settled: {ms(values)}  ({len(values)} answers)")
        ours, theirs = times["this checkout"], times[ref]
        print(
            f"    ratio {ref} / this checkout: median "
            f"{statistics.median(theirs) / statistics.median(ours):.2f}x, "
            f"worst {max(theirs) / max(ours):.2f}x"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--answers", type=int, default=4, help="cases walked in (b)")
    parser.add_argument("--against", metavar="REF", help="also time (b) on this git ref's dkdl")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        _child(args.child)
        return
    if args.against:
        bench_against(args.against, args.rounds, args.answers)
        return
    bench_start(args.rounds)
    if args.answers:
        asyncio.run(bench_answer(args.answers))


if __name__ == "__main__":
    main()
