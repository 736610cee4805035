"""Trainer review on a demo log of 100,000 sessions: ours against bare sqlite3, in one run.

The demo log is made once with ``dkdl demo-data`` (``--sessions``, ``--nurses``, seed 1) into
the system's temp folder and reused by later runs. Then, alternating ours and the baseline for
``--rounds`` rounds, the script times:

- **table**: from nothing to the sessions table's first page as trainer mode opens a log:
  ``Review.open`` (file checks without ``PRAGMA quick_check``, case library, nurse identities)
  and the first 100 rows; baseline: a bare ``sqlite3`` connection, the count and the newest 100
  sessions joined with their nurse. The store's part (``open_log``) is printed apart, and the
  structure check trainer mode runs after the first page, in the background.
- **once per open review**: what the analyses read once (``Review.prepare``: key answers, first
  attempts, their answers compared with the key; and the same for every attempt when a filter
  first asks for it); baseline: the bare per-question count of the same sessions.
- **deep pages**: page 501 of the table sorted by another column than the date (a new sort each
  round), and the page after it; baseline: ``ORDER BY ... LIMIT 100 OFFSET ...``.
- **analysis views**, on an open review, each on a fresh filter: the summary (sessions,
  accuracy, confusion, cases), per question, per nurse, for the default (first attempts) and
  ``--attempts all``, and every view of one nurse. Baseline: bare ``sqlite3`` queries doing
  the same counting without the key comparison: finished keyed sessions (first attempts by a
  grouped minimum), their answers grouped by question and option, resp. nurse and question.
- **report**: ``dkdl report --out r.html`` as a child process (start-up included); baseline: a
  child ``python`` that opens the log with ``sqlite3``, does the grouped answer count and writes
  the rows to a file. Peak memory: the child's maximum resident set size (POSIX; on Windows
  the line says it is not measured).

Goals (issue 8): table <= 1 s; each analysis view <= 300 ms; report <= 5 s; peak <= 200 MB.
The machine is shared: read the medians and the ratios, and the load average printed last.

    python benchmarks/bench_review.py [--sessions 100000] [--nurses 200] [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dkdl.cli import main as dkdl_main  # noqa: E402
from dkdl.review import Review, ReviewFilter  # noqa: E402
from dkdl.store import open_log, verify_structure  # noqa: E402

KEYED = (
    "s.status = 'afgerond' AND s.mode IN ('oefenen', 'toets') AND s.case_id IS NOT NULL "
    "AND s.key_profile IS NOT NULL"
)
FIRST = (
    "SELECT min(s.id) AS id FROM sessions s WHERE " + KEYED + " GROUP BY s.nurse, "
    "s.installation, s.case_id"
)  # ties by id: close enough for a baseline (ours orders by start time, then id)


def demo_log(sessions: int, nurses: int) -> Path:
    from dkdl.store import KNOWN_MIGRATIONS

    schema = len(KNOWN_MIGRATIONS)  # a log of an older schema would be upgraded on every open
    path = Path(tempfile.gettempdir()) / f"dkdl-bench-review-{sessions}-{nurses}-s{schema}.db"
    if not path.exists():
        print(f"demo log: {path} (once; takes a while)")
        tmp = path.with_suffix(".tmp.db")
        tmp.unlink(missing_ok=True)
        code = dkdl_main(
            ["demo-data", "--db", str(tmp), "--sessions", str(sessions), "--nurses", str(nurses),
             "--seed", "1"]
        )  # fmt: skip
        if code:
            raise SystemExit(code)
        os.replace(tmp, path)
    return path


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


# -- the baselines: bare sqlite3, the same counting --------------------------------------------


def bare_table(path: Path) -> None:
    conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    conn.execute("SELECT count(*) FROM sessions").fetchone()
    conn.execute(
        "SELECT s.uuid, s.started_at, n.pseudonym, s.installation, s.mode, s.case_id, s.status, "
        "s.profile, s.key_profile, s.match, s.finished_at FROM sessions s JOIN nurses n "
        "ON n.id = s.nurse ORDER BY s.started_at DESC LIMIT 50"
    ).fetchall()
    conn.close()


def counted(first: bool) -> str:
    return f"SELECT s.id FROM sessions s WHERE {KEYED}" if not first else FIRST


def bare_summary(conn: sqlite3.Connection, first: bool) -> None:
    conn.execute(
        "SELECT s.case_id, s.key_profile, s.profile, count(*), sum(s.match) FROM sessions s "
        f"WHERE s.id IN ({counted(first)}) GROUP BY 1, 2, 3"
    ).fetchall()


def bare_questions(conn: sqlite3.Connection, first: bool, nurse: int | None = None) -> None:
    who = f" AND s.nurse = {int(nurse)}" if nurse is not None else ""
    conn.execute(
        "SELECT s.case_id, a.question, a.option, a.items, s.match, count(*) FROM sessions s "
        f"JOIN answers a ON a.session = s.id WHERE s.id IN ({counted(first)}){who} "
        "GROUP BY 1, 2, 3, 4, 5"
    ).fetchall()


def bare_deep_page(conn: sqlite3.Connection, offset: int) -> None:
    conn.execute(
        "SELECT s.uuid, s.started_at, n.pseudonym, s.mode, s.case_id, s.status, s.profile, "
        "s.key_profile, s.match, s.finished_at FROM sessions s JOIN nurses n ON n.id = s.nurse "
        f"ORDER BY n.pseudonym, s.id LIMIT 100 OFFSET {int(offset)}"
    ).fetchall()


def bare_nurses(conn: sqlite3.Connection, first: bool) -> None:
    conn.execute(
        "SELECT s.nurse, s.installation, substr(s.started_at, 1, 7), a.question, count(*) "
        f"FROM sessions s JOIN answers a ON a.session = s.id WHERE s.id IN ({counted(first)}) "
        "GROUP BY 1, 2, 3, 4"
    ).fetchall()


BARE_REPORT = (
    "import sqlite3, sys\n"
    "conn = sqlite3.connect(sys.argv[1])\n"
    "rows = conn.execute(sys.argv[3]).fetchall()\n"
    "with open(sys.argv[2], 'w', encoding='utf-8') as fh:\n"
    "    for r in rows:\n"
    "        fh.write(repr(r) + '\\n')\n"
)
BARE_REPORT_SQL = (
    "SELECT s.case_id, a.question, a.option, a.items, s.match, count(*) FROM sessions s "
    f"JOIN answers a ON a.session = s.id WHERE s.id IN ({FIRST}) GROUP BY 1, 2, 3, 4, 5"
)


def child(args: list[str]) -> tuple[float, float | None]:
    """Run a child process; (seconds, peak resident MB of the children so far, POSIX only)."""
    start = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True)
    elapsed = time.perf_counter() - start
    try:
        import resource
    except ImportError:  # Windows
        return elapsed, None
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, peak / 1024 if sys.platform != "darwin" else peak / 1024 / 1024


def report_peak(path: Path, out: Path) -> float | None:
    """Peak memory of one ``dkdl report`` child on its own (a fresh grandparent process, so
    the maximum is this report's, not an earlier child's)."""
    code = (
        "import resource, subprocess, sys\n"
        "subprocess.run(sys.argv[1:], check=True, capture_output=True)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    try:
        import resource  # noqa: F401
    except ImportError:
        return None
    args = [sys.executable, "-c", code, sys.executable, "-m", "dkdl", "report", "--db", str(path),
            "--out", str(out), "--force"]  # fmt: skip
    peak = int(subprocess.run(args, check=True, capture_output=True, text=True).stdout)
    return peak / 1024 if sys.platform != "darwin" else peak / 1024 / 1024


Row = tuple[str, list[float], list[float] | None, float | None]


def table(rows: list[Row]) -> None:
    """One table: median of ours, of the bare baseline, the ratio, and the goal's verdict."""
    print()
    print(
        f"{'step':40s} {'ours ms':>9s} {'bare ms':>9s} {'ratio':>7s}  {'ours min-max':>13s}  goal"
    )
    for name, ours, base, goal in rows:
        o = statistics.median(ours)
        b = statistics.median(base) if base else None
        ratio = f"{o / b:6.1f}x" if b else "      -"
        bare = f"{b * 1000:9.1f}" if b is not None else f"{'-':>9s}"
        spread = f"{min(ours) * 1000:.0f}-{max(ours) * 1000:.0f}"
        verdict = (
            "" if goal is None else (f"<= {goal:g} s ok" if o <= goal else f"<= {goal:g} s OVER")
        )
        print(f"{name:40s} {o * 1000:9.1f} {bare} {ratio}  {spread:>13s}  {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=100_000)
    parser.add_argument("--nurses", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    path = demo_log(args.sessions, args.nurses)
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    print(f"log: {path} ({path.stat().st_size / 1e6:.0f} MB), {args.rounds} rounds, medians")
    rows: list[Row] = []

    def open_and_page() -> None:
        # as trainer mode opens a log: SQLite's structure check follows in the background
        with Review.open(path, quick_check=False) as review:
            review.sessions_page(limit=100)

    def store_open() -> None:
        open_log(path, create=False, readonly=True, quick_check=False).close()

    ours_t, base_t, store_t, check_t = [], [], [], []
    for _ in range(args.rounds):
        ours_t.append(timed(open_and_page))
        base_t.append(timed(lambda: bare_table(path)))
        store_t.append(timed(store_open))
        check_t.append(timed(lambda: verify_structure(path)))
    rows.append(("table: open + first page", ours_t, base_t, 1.0))
    rows.append(("  of which the store's opening", store_t, None, None))
    rows.append(("  after it, in the background: quick_check", check_t, None, None))
    print("table done", flush=True)

    conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    o, b, o_all, b_all = [], [], [], []
    for _ in range(args.rounds):
        with Review.open(path, quick_check=False) as review:
            o.append(timed(review.prepare))
            b.append(timed(lambda: bare_questions(conn, True)))
            flt = ReviewFilter(attempts="all")
            o_all.append(timed(lambda flt=flt, review=review: review.analysis(flt).sessions))
            b_all.append(timed(lambda: bare_questions(conn, False)))
    rows.append(("analysis: once per open review (first)", o, b, None))
    rows.append(("analysis: once per open review (all)", o_all, b_all, None))
    print("preparation done", flush=True)

    with Review.open(path) as review:
        # deep pages sorted by something else than the date (the table's scroll bar): the
        # first one sorts, the next ones are cut from the kept order
        o, b, o_next, b_next = [], [], [], []
        for i in range(args.rounds):
            sort = ("nurse", "case", "duration", "profile", "match")[i % 5]
            o.append(timed(lambda s=sort: review.sessions_page(sort=s, offset=50_000, limit=100)))
            b.append(timed(lambda: bare_deep_page(conn, 50_000)))
            page = lambda s=sort: review.sessions_page(sort=s, offset=50_100, limit=100)  # noqa: E731
            o_next.append(timed(page))
            b_next.append(timed(lambda: bare_deep_page(conn, 50_100)))
        rows.append(("table: page at 50,000, new sort", o, b, 1.0))
        rows.append(("table: the page after it", o_next, b_next, 0.3))
        review.prepare()  # measured above: once per open review
        review.counted(ReviewFilter(attempts="all"))  # likewise, when every attempt is asked for
        for attempts in ("first", "all"):
            first = attempts == "first"
            views = {
                "summary, cases, confusion": (
                    lambda a: (a.sessions, a.cases, a.confusion),
                    bare_summary,
                ),
                "per question": (lambda a: a.questions, bare_questions),
                "per nurse": (lambda a: a.nurses, bare_nurses),
            }
            for view, (ours_fn, bare_fn) in views.items():
                o, b = [], []
                for i in range(args.rounds):
                    # a fresh filter each round, so nothing is reused from the last one
                    flt = ReviewFilter(attempts=attempts, until=_far_future(i))
                    o.append(timed(lambda flt=flt, fn=ours_fn: fn(review.analysis(flt))))
                    b.append(timed(lambda fn=bare_fn, first=first: fn(conn, first)))
                rows.append((f"analysis {view} ({attempts})", o, b, 0.3))
            # one nurse's figures (the filter a trainer sets most)
            o, b = [], []
            nurse = review.nurses()[0].display
            for i in range(args.rounds):
                flt = ReviewFilter(attempts=attempts, nurse=nurse, until=_far_future(i))
                o.append(timed(lambda flt=flt: review.analysis(flt).to_json()))
                b.append(timed(lambda first=first: bare_questions(conn, first, nurse=1)))
            rows.append((f"analysis, one nurse, every view ({attempts})", o, b, 0.3))
            print(f"analyses ({attempts}) done", flush=True)
    conn.close()

    with tempfile.TemporaryDirectory() as tmp:
        out, bare_out = Path(tmp) / "r.html", Path(tmp) / "bare.txt"
        o, b = [], []
        for _ in range(args.rounds):
            o.append(child([sys.executable, "-m", "dkdl", "report", "--db", str(path),
                            "--out", str(out), "--force"])[0])  # fmt: skip
            bare = [sys.executable, "-c", BARE_REPORT, str(path), str(bare_out), BARE_REPORT_SQL]
            b.append(child(bare)[0])
        rows.append(("dkdl report (html, child process)", o, b, 5.0))
        peak = report_peak(path, out)
    table(rows)
    print(
        "peak memory of dkdl report: "
        + ("not measured on this OS" if peak is None else f"{peak:.0f} MB")
        + (
            ""
            if peak is None
            else ("  (<= 200 MB ok)" if peak <= 200 else "  OVER the 200 MB goal")
        )
    )
    after = os.getloadavg() if hasattr(os, "getloadavg") else None
    if load and after:
        print(f"load average: {load[0]:.1f} at the start, {after[0]:.1f} at the end (2 cores)")


def _far_future(i: int):
    """A different, never-restricting 'until' per round (a new filter, the same sessions)."""
    from datetime import date

    return date(2999, 1, 1 + i % 28)


if __name__ == "__main__":
    main()
