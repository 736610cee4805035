"""Trainer mode to a usable table on a 100,000-session log, against a bare Textual app.

Run: ``python benchmarks/bench_trainer_tui.py [--db LOG] [--rounds 5]``. Goal: ≤ 1 s.

Each round starts both programs as fresh processes, alternating, and times them from the start
of the process until the screen with the first page of sessions has been drawn (the program
writes the moment to a file; its exit, and work it started in the background after the first
page, are not counted):
- dkdl: the real entry point (``dkdl --trainer --db LOG``): arguments, Textual, the log opened
  read-only and checked, the review's set-up, the first page of the sessions table (newest
  first) in the DataTable. The case titles come with the case files, read after the first page
  (until then the Casus column shows the case id): the time until they are in the table is the
  second figure. ``--also CHECKOUT`` times another checkout's dkdl (e.g. from before a change)
  in the same rounds (one that reads the cases first has both figures the same);
- bare: a Textual app with Header, DataTable and Footer that opens the same file read-only with
  ``sqlite3`` and shows the same first page (100 newest sessions with the nurse's name).
Without ``--db`` a demo log is made first (``dkdl demo-data``, about a minute).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BARE = """
import sqlite3, sys, time
from pathlib import Path
from textual.app import App
from textual.widgets import DataTable, Footer, Header

class Bare(App):
    def compose(self):
        yield Header()
        yield DataTable(cursor_type="row")
        yield Footer()

    def on_mount(self):
        uri = Path(sys.argv[1]).resolve().as_uri() + "?mode=ro"
        conn = sqlite3.connect(uri, uri=True)
        rows = conn.execute(
            "SELECT s.started_at, n.pseudonym, s.mode, s.case_id, s.profile, s.key_profile, "
            "s.match, s.finished_at FROM sessions s JOIN nurses n ON n.id = s.nurse "
            "ORDER BY s.started_at DESC, s.id DESC LIMIT 100"
        ).fetchall()
        table = self.query_one(DataTable)
        table.add_columns("Datum", "Naam", "Modus", "Casus", "Profiel", "Sleutel", "=", "Eind")
        table.add_rows([[str(v) for v in row] for row in rows])
        self.call_after_refresh(self.drawn)

    def drawn(self):
        Path(sys.argv[2]).write_text(repr(time.time()))
        self.exit()

Bare().run()
"""

DKDL = """
import sys, time
from pathlib import Path
from dkdl.cli import main
from dkdl.tui.trainer import screen

moment = Path(sys.argv[2])
shown = screen.TrainerScreen.show_page
changed = getattr(screen.TrainerScreen, "catalog_changed", None)

def show_page(self, request, page):
    shown(self, request, page)
    if not moment.exists():
        self.app.call_after_refresh(drawn, self.app)

def drawn(app):
    now = repr(time.time())
    moment.write_text(now)
    if changed is None:  # a dkdl that shows the titles with the first page
        Path(str(moment) + ".titles").write_text(now)
        app.exit()

def catalog_changed(self, catalog):
    changed(self, catalog)
    self.app.call_after_refresh(titled, self.app)

def titled(app):
    Path(str(moment) + ".titles").write_text(repr(time.time()))
    app.exit()

screen.TrainerScreen.show_page = show_page
if changed is not None:
    screen.TrainerScreen.catalog_changed = catalog_changed
sys.exit(main(["--trainer", "--db", sys.argv[1]]))
"""


def run_once(code: str, db: str, source: str | None = None) -> tuple[float, float]:
    """Seconds from starting the program to its first page drawn, and to the page with the
    case titles (the moments it wrote; the bare app has no titles: both the same)."""
    env = dict(os.environ, TERM=os.environ.get("TERM", "xterm-256color"))
    if source:  # another checkout of dkdl (e.g. before a change), first on the path
        env["PYTHONPATH"] = source
    with tempfile.TemporaryDirectory() as tmp:
        moment = Path(tmp) / "drawn"
        start = time.time()
        subprocess.run(
            [sys.executable, "-c", code, str(Path(db).resolve()), str(moment)],
            check=True,
            env=env,
            cwd=tmp,  # not a checkout: "python -c" puts the current folder first on the path
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        first = float(moment.read_text()) - start
        titles = Path(str(moment) + ".titles")
        return first, (float(titles.read_text()) - start if titles.exists() else first)


def make_demo(path: Path, sessions: int) -> None:
    from dkdl.cli import main

    print(f"demo-data: {sessions} sessions in {path} ...", flush=True)
    code = main(["demo-data", "--db", str(path), "--sessions", str(sessions), "--nurses", "60"])
    if code:
        raise SystemExit(code)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", help="an existing log (default: make a demo log)")
    parser.add_argument("--sessions", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--also", metavar="CHECKOUT", help="time this checkout's dkdl too, in the same rounds"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(args.db) if args.db else Path(tmp) / "demo.db"
        if not args.db:
            make_demo(db, args.sessions)
        run_once(BARE, str(db))  # warm the OS file cache
        run_once(DKDL, str(db))
        runs: list[tuple[str, str, str | None]] = [("bare", BARE, None), ("dkdl", DKDL, None)]
        if args.also:
            runs.append(("also", DKDL, args.also))
        times: dict[str, list[tuple[float, float]]] = {name: [] for name, _, _ in runs}
        for i in range(args.rounds):
            for name, code, source in runs[i % len(runs) :] + runs[: i % len(runs)]:
                times[name].append(run_once(code, str(db), source))
    mb = statistics.median(t for t, _ in times["bare"])
    print(f"trainer mode to a usable table, {args.rounds} rounds (median, worst):")
    labels = {
        "bare": "bare Textual app + sqlite3, first page",
        "dkdl": "dkdl --trainer, first page",
        "also": f"{args.also}, first page",
    }
    rows = []
    for name, _, _ in runs:
        rows.append((labels[name], [t for t, _ in times[name]], name != "bare"))
        if name != "bare":
            rows.append(("    ... with the case titles", [t for _, t in times[name]], True))
    for label, values, with_ratio in rows:
        m, worst = statistics.median(values), max(values)
        ratio = f"   ratio {m / mb:.2f}x" if with_ratio else ""
        print(f"    {label:40s} {m * 1000:6.0f} ms, {worst * 1000:.0f}{ratio}")
    md = statistics.median(t for t, _ in times["dkdl"])
    print(f"    dkdl {'within' if md <= 1.0 else 'OVER'} the 1 s goal (first page)")
    if hasattr(os, "getloadavg"):
        print(f"    load average at the end: {os.getloadavg()[0]:.1f} (2 cores)")


if __name__ == "__main__":
    main()
