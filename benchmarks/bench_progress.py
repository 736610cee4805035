"""Mijn voortgang on a log with 2,000 finished sessions of one nurse: ours against bare sqlite3.

The log is made once into the system's temp folder (demo data, :mod:`dkdl.demo`) and reused by
later runs: her sessions (``--hers`` finished oefenen/toets sessions, plus the abandoned and free
ones the demo makes along the way) and ``--others`` sessions of 20 other nurses, so finding hers
is part of the work. Then, alternating ours and the baseline for ``--rounds`` rounds, it times:

- **progress_of**: :func:`dkdl.progress.progress_of` on an open log (her sessions, the batch
  read of her choices, the comparison with the keys, the weakest questions, the cases not
  done, her toetsen): what Mijn voortgang computes when it opens.
- **baseline**: one SQL query on a bare ``sqlite3`` connection doing the same counting: her
  counted sessions, the recent/earlier split, per question the answers that both her routing
  and the key reach and those equal to the key (Q12: same option and the same items), against
  a key table it first loads into a TEMP table (timed too). No validation, no objects: the
  floor for this work.
- **next_weak_case**: :func:`dkdl.adaptive.next_weak_case` on her progress (no baseline).
- **screen_open**: in the practice app, her name typed and Enter, a pause of ``PAUSE`` (1 s,
  in which the app counts her figures ahead), then "Mijn voortgang" chosen in the start menu:
  timed from the choice until the screen shows her figures (:func:`measure_screen`). The
  issue's goal: <= 300 ms. **screen_cold**: the same without the name step and the pause (the
  name was pre-filled and the entry chosen at once: the figures are counted after the choice).
  **bare_screen**, the baseline of both: a bare Textual app pushing a comparable static screen.

The two countings are checked to agree before anything is timed. Goal (issue 13): Mijn
voortgang opens in <= 300 ms; the core should stay well under that (aim: 150 ms), leaving time
for the screen. The machine is shared: read the medians and the ratio, not one run.

Each measurement is a function returning its times (seconds), so a screen-open timing can be
added beside them; :func:`main` prints one table.

    python benchmarks/bench_progress.py [--hers 2000] [--others 6000] [--rounds 7]
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dkdl.adaptive import next_weak_case  # noqa: E402
from dkdl.cases import CaseLibrary, case_dirs, load_library  # noqa: E402
from dkdl.demo import demo_bundle  # noqa: E402
from dkdl.progress import Progress, progress_of  # noqa: E402
from dkdl.questionnaire import load_questionnaire  # noqa: E402
from dkdl.scoring import Scorer  # noqa: E402
from dkdl.store import LogBundle, SqliteLog, merge_bundle, open_log  # noqa: E402

NURSE = "Wilma"  # not a demo name, so the other nurses never share it
END = datetime(2026, 3, 1, tzinfo=UTC)
RECENT = 10
PAUSE = 1.0  # seconds between her name (Enter) and choosing Mijn voortgang (screen_open)


def demo_log(hers: int, others: int) -> Path:
    """The benchmark's log (made once): ``hers`` counted sessions of NURSE among others'."""
    from dkdl.store import KNOWN_MIGRATIONS

    path = Path(tempfile.gettempdir()) / (
        f"dkdl-bench-progress-{hers}-{others}-m{len(KNOWN_MIGRATIONS)}.db"
    )
    if path.exists():
        return path
    part = path.with_suffix(".part")
    part.unlink(missing_ok=True)
    mine = demo_bundle(int(hers * 1.25) + 50, 1, seed=13, end=END)
    bundle = LogBundle()
    counted = 0
    for row in sorted(mine.sessions, key=lambda r: r.started_at):
        if counted >= hers:
            break
        bundle.sessions.append(row._replace(nurse=NURSE))
        if row.status == "afgerond" and row.mode in ("oefenen", "toets"):
            counted += 1
    if counted < hers:
        raise SystemExit(f"demo gave only {counted} counted sessions; raise the factor")
    kept = {row.session_id for row in bundle.sessions}
    bundle.answers = [a for a in mine.answers if a.session_id in kept]
    rest = demo_bundle(others, 20, seed=14, end=END)
    bundle.sessions += rest.sessions
    bundle.answers += rest.answers
    with open_log(part) as log:
        merge_bundle(log, bundle)
    part.replace(path)
    return path


# -- the baseline: one SQL query ---------------------------------------------------------------


def baseline_sql(scorer: Scorer) -> str:
    """The counting in one statement, on the key table :func:`run_baseline` loads first.
    Parameters: nurse, routing rules (JSON), recent, question positions (JSON). Rows:
    (question, earlier right, earlier counted, recent right, recent counted)."""
    items = list(scorer.item_weights)
    mask = " | ".join(
        f"((instr(',' || a.items || ',', ',{item},') > 0) << {bit})"
        for bit, item in enumerate(items)
    )
    checklist, when = scorer.checklist_id, scorer.checklist_option
    return f"""
WITH
  fire(question, option, pos) AS MATERIALIZED (
    SELECT value ->> 0, value ->> 1, value ->> 2 FROM json_each(?2)),
  pos(question, pos) AS MATERIALIZED (
    SELECT value ->> 0, value ->> 1 FROM json_each(?4)),
  mine AS MATERIALIZED (
    SELECT s.id, s.case_id, s.key_profile,
           row_number() OVER (ORDER BY s.started_at DESC, s.id DESC) <= ?3 AS recent
    FROM sessions s JOIN nurses n ON n.id = s.nurse
    WHERE n.pseudonym = ?1 AND s.status = 'afgerond' AND s.mode IN ('oefenen', 'toets')
      AND s.case_id IS NOT NULL AND s.key_profile IS NOT NULL AND s.profile IS NOT NULL),
  stop AS MATERIALIZED (
    SELECT m.id, min(f.pos) AS pos FROM mine m
    JOIN answers a ON a.session = m.id
    JOIN fire f ON f.question = a.question AND f.option = a.option GROUP BY m.id)
SELECT question, sum(NOT recent AND same), sum(NOT recent), sum(recent AND same), sum(recent)
FROM (
  SELECT m.recent AS recent, a.question AS question,
    a.option = k.option AND (a.question IS NOT '{checklist}' OR a.option IS NOT {when}
      OR (({mask}) = k.mask
          AND length(a.items) - length(replace(a.items, ',', '')) + 1 = k.nitems)) AS same
  FROM mine m
  CROSS JOIN answers a ON a.session = m.id
  CROSS JOIN temp.bench_key k
    ON k.case_id = m.case_id AND k.question = a.question AND k.profile = m.key_profile
  CROSS JOIN pos p ON p.question = a.question
  LEFT JOIN stop ON stop.id = m.id
  WHERE p.pos <= coalesce(stop.pos, 1000000)
)
GROUP BY question
"""


def baseline_params(scorer: Scorer, library: CaseLibrary) -> tuple[list[tuple], str, str]:
    """(key rows, routing rules as JSON, question positions as JSON) for the baseline."""
    items = list(scorer.item_weights)
    keys = []
    for case in library.cases:
        for qid, option in case.answers.options.items():
            mask = nitems = 0
            if qid == scorer.checklist_id and option == scorer.checklist_option:
                mask = sum(1 << items.index(i) for i in case.answers.items)
                nitems = len(case.answers.items)
            keys.append((case.id, case.profile, qid, option, mask, nitems))
    order = {qid: i for i, qid in enumerate(scorer.question_ids, start=1)}
    fire = [[qid, code, order[qid]] for (qid, code) in scorer.routes]
    return keys, json.dumps(fire), json.dumps(list(order.items()))


# -- the measurements (each returns its times in seconds) ---------------------------------------


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def run_progress(log: SqliteLog, scorer: Scorer, library: CaseLibrary) -> Progress:
    return progress_of(log, scorer, library, NURSE, recent=RECENT)


def run_baseline(
    conn: sqlite3.Connection, sql: str, params: tuple[list[tuple], str, str]
) -> list[tuple]:
    """Load the key table (a TEMP table: the file stays read-only) and run the one query."""
    keys, fire, order = params
    conn.execute("DROP TABLE IF EXISTS temp.bench_key")
    conn.execute(
        "CREATE TEMP TABLE bench_key (case_id TEXT, profile TEXT, question TEXT, option INTEGER,"
        " mask INTEGER, nitems INTEGER, PRIMARY KEY (case_id, question))"
    )
    conn.executemany("INSERT INTO temp.bench_key VALUES (?, ?, ?, ?, ?, ?)", keys)
    return conn.execute(sql, (NURSE, fire, RECENT, order)).fetchall()


def check_agreement(progress: Progress, rows: list[tuple]) -> None:
    """The baseline counts what progress_of counts (else the ratio means nothing)."""
    theirs = {q: (er, ec, rr, rc) for q, er, ec, rr, rc in rows}
    for qp in progress.questions:
        ours = (qp.earlier.right, qp.earlier.counted, qp.recent.right, qp.recent.counted)
        if ours != theirs.get(qp.qid, (0, 0, 0, 0)):
            raise SystemExit(f"{qp.qid}: progress_of {ours} but baseline {theirs.get(qp.qid)}")


def measure(path: Path, rounds: int) -> dict[str, list[float]]:
    """Ours and the baseline alternating, ``rounds`` times each; next_weak_case after."""
    q = load_questionnaire()
    scorer = Scorer(q)
    library = load_library(case_dirs(), q)
    sql = baseline_sql(scorer)
    params = baseline_params(scorer, library)
    times: dict[str, list[float]] = {"progress_of": [], "baseline": [], "next_weak_case": []}
    with open_log(path, readonly=True) as log:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            progress = run_progress(log, scorer, library)
            check_agreement(progress, run_baseline(conn, sql, params))
            for _ in range(rounds):
                times["progress_of"].append(timed(lambda: run_progress(log, scorer, library)))
                times["baseline"].append(timed(lambda: run_baseline(conn, sql, params)))
            for seed in range(rounds):
                times["next_weak_case"].append(
                    timed(lambda s=seed: next_weak_case(progress, library, scorer, seed=s))
                )
        finally:
            conn.close()
    print(
        f"her counted sessions: {len(progress.sessions)}; weakest: "
        + ", ".join(f"{w.qid} {w.rate.right}/{w.rate.counted}" for w in progress.weakest)
    )
    return times


# -- the screen: choosing Mijn voortgang until her figures are on it ----------------------------


def measure_screen(path: Path, rounds: int) -> dict[str, list[float]]:
    """Mijn voortgang in the practice app, from choosing it in the start menu until the screen
    shows her figures (the worker's progress_of included), against a bare Textual app pushing a
    comparable static screen (header, six tabs, the summary texts and a two-line plotext chart,
    its figures written in). Each round is a fresh app of each kind, alternating; one warm-up
    round of each is not counted. The log is a copy (choosing writes her name as the last one).
    The resume offer is taken as already answered, as after her first choice of the day."""
    import asyncio
    import shutil

    from textual.app import App, ComposeResult
    from textual.screen import Screen
    from textual.widgets import Footer, Header, Static, TabbedContent, TabPane
    from textual_plotext import PlotextPlot

    from dkdl.tui.app import make_app
    from dkdl.tui.screens.progress import LOADING, ProgressScreen

    q = load_questionnaire()
    library = load_library(case_dirs(), q)
    copy = Path(tempfile.mkdtemp(prefix="dkdl-bench-screen-")) / "log.db"
    shutil.copyfile(path, copy)
    size = (100, 32)

    class BareScreen(Screen[None]):
        def compose(self) -> ComposeResult:
            yield Header()
            with TabbedContent():
                with TabPane("Overzicht"):
                    yield Static("2000 casussen afgerond (oefenen en toets), 1500 goed.")
                    yield Static("Per as: jouw antwoorden gelijk aan de sleutel")
                    yield Static("Draagkracht: eerder 80%\nDraaglast: eerder 80%\nOb: 80%")
                    yield PlotextPlot()
                for title in ("Per vraag", "Zwakke punten", "Nog te doen", "Toetsen", "Eerdere"):
                    yield TabPane(title)
            yield Footer()

        def on_mount(self) -> None:
            plt = self.query_one(PlotextPlot).plt
            plt.plot(list(range(1, 11)), [50.0 + i * 3 for i in range(10)], marker="braille")
            plt.plot(list(range(1, 11)), [60.0 + i * 2 for i in range(10)], marker="braille")
            plt.ylim(0, 100)

    class BareApp(App[None]):
        def on_mount(self) -> None:
            self.push_screen(Screen())

    async def ours(warm: bool) -> float:
        with open_log(copy) as log:
            app = make_app(log=log, questionnaire=q, library=library)
            async with app.run_test(size=size) as pilot:
                await pilot.pause()
                while not app.screen.ready:  # the cases are loaded
                    await pilot.pause()
                name = app.screen.query_one("#nurse")
                name.value = NURSE
                app._resume_checked.add(NURSE)
                if warm:  # her name and Enter, then a moment before she picks the entry
                    name.focus()
                    await pilot.press("enter")
                    await asyncio.sleep(PAUSE)
                start = time.perf_counter()
                await app.screen.action_choose("voortgang")
                while True:
                    screen = app.screen
                    if (
                        isinstance(screen, ProgressScreen)
                        and "overzicht" in screen.filled
                        and str(screen.query_one("#pg-summary").render()) != LOADING
                    ):
                        break
                    await pilot.pause()
                await pilot.pause()  # the frame with her figures
                return time.perf_counter() - start

    async def bare() -> float:
        app = BareApp()
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            start = time.perf_counter()
            screen = BareScreen()
            app.push_screen(screen)
            while not screen.is_mounted or app.screen is not screen:
                await pilot.pause()
            await pilot.pause()
            return time.perf_counter() - start

    times: dict[str, list[float]] = {"screen_open": [], "screen_cold": [], "bare_screen": []}
    for round_ in range(rounds + 1):
        warm_s, cold_s = asyncio.run(ours(True)), asyncio.run(ours(False))
        bare_s = asyncio.run(bare())
        if round_:  # the first round warms up imports and caches for both
            times["screen_open"].append(warm_s)
            times["screen_cold"].append(cold_s)
            times["bare_screen"].append(bare_s)
    shutil.rmtree(copy.parent, ignore_errors=True)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hers", type=int, default=2000)
    parser.add_argument("--others", type=int, default=6000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args(argv)
    path = demo_log(args.hers, args.others)
    before = load_average()
    times = measure(path, args.rounds)
    times.update(measure_screen(path, args.rounds))
    bases = {"progress_of": "baseline", "screen_open": "bare_screen", "screen_cold": "bare_screen"}
    print(f"{'measurement':<16} {'median ms':>10} {'min ms':>8} {'x baseline':>11}")
    for name, values in times.items():
        med = statistics.median(values)
        base = statistics.median(times[bases[name]]) if name in bases else 0.0
        ratio = f"{med / base:.1f}" if base else ""
        print(f"{name:<16} {med * 1000:>10.1f} {min(values) * 1000:>8.1f} {ratio:>11}")
    print(f"load average before/after (shared machine): {before} / {load_average()}")
    return 0


def load_average() -> str:
    """The 1-minute load average (POSIX), to read the medians by; '?' where there is none."""
    return f"{os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else "?"


if __name__ == "__main__":
    raise SystemExit(main())
