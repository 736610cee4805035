"""Trainer mode to a usable table on a 100,000-session log, against a bare Textual app.

Run: ``python benchmarks/bench_trainer_tui.py [--db LOG] [--rounds 5]``. Goal: ≤ 1 s.

Each round starts both programs as fresh processes, alternating, and times them until the
first page of sessions is on the screen (then they exit):
- dkdl: the real entry point (``dkdl --trainer --db LOG``): arguments, Textual, the
  questionnaire and the cases, the log opened read-only and checked, the review's set-up, the
  first page of the sessions table (newest first) in the DataTable;
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
import sqlite3, sys
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
        self.call_after_refresh(self.exit)

Bare().run()
"""

DKDL = """
import sys
from dkdl.cli import main
from dkdl.tui.trainer import screen

shown = screen.TrainerScreen.show_page

def show_page(self, request, page):
    shown(self, request, page)
    self.app.call_after_refresh(self.app.exit)

screen.TrainerScreen.show_page = show_page
sys.exit(main(["--trainer", "--db", sys.argv[1]]))
"""


def run_once(code: str, db: str) -> float:
    env = dict(os.environ, TERM=os.environ.get("TERM", "xterm-256color"))
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", code, db],
        check=True,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - t0


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
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(args.db) if args.db else Path(tmp) / "demo.db"
        if not args.db:
            make_demo(db, args.sessions)
        run_once(BARE, str(db))  # warm the OS file cache
        run_once(DKDL, str(db))
        bare, dkdl = [], []
        for i in range(args.rounds):
            pair = [("bare", BARE), ("dkdl", DKDL)]
            if i % 2:
                pair.reverse()
            for name, code in pair:
                (bare if name == "bare" else dkdl).append(run_once(code, str(db)))
    mb, md = statistics.median(bare), statistics.median(dkdl)
    print(f"trainer mode to a usable table, {args.rounds} rounds (median, worst):")
    print(
        f"    bare Textual app + sqlite3, first page: {mb * 1000:6.0f} ms, {max(bare) * 1000:.0f}"
    )
    print(
        f"    dkdl --trainer, first page:             {md * 1000:6.0f} ms, {max(dkdl) * 1000:.0f}"
    )
    print(f"    ratio: {md / mb:.2f}x; dkdl {'within' if md <= 1.0 else 'OVER'} the 1 s goal")


if __name__ == "__main__":
    main()
