"""The session log: importing 10,000 sessions, and bytes per session on disk.

Ours: what ``dkdl import --db TARGET SOURCE.db`` does in-process (open and check the new target,
open and check the source read-only, validate it, merge it in short batches, close). Baseline:
a bare ``sqlite3`` doing the least that could work: read the same rows from the source, create
the same tables in a new file, ``executemany`` them in one transaction, commit. Both run
alternately for several rounds; the script prints the medians and the ratio ours/baseline.

Size: the target after the import (WAL folded in, file closed), per session; and a log where
every session has all 12 answers, written both in bulk and answer by answer (as the app does).
Goals (issue 4): import of 10,000 sessions <= 3 s; <= 3 KB per session.

    python benchmarks/bench_store.py [--sessions 10000] [--nurses 25] [--rounds 5] [--no-size]
                                     [--profile-cost]

``--profile-cost`` also times ours with import's re-scoring of finished sessions switched off
(``dkdl/store/source.py``, the profile pass), alternating with ours, and prints what that pass
costs: the medians and their ratio.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dkdl.demo import demo_bundle  # noqa: E402
from dkdl.questionnaire import load_questionnaire  # noqa: E402
from dkdl.store import LogBundle, import_logs, merge_bundle, open_log  # noqa: E402
from dkdl.store import source as store_source  # noqa: E402

QUESTIONS = ["Q1", "Q2", "Q3", "Q4", "Q5", "Q6", "Q7", "Q8", "Q9", "Q10", "Q11", "Q12"]


def schema_sql(path: Path) -> list[str]:
    """The CREATE statements of our schema, taken from a fresh log."""
    with open_log(path) as log:
        rows = log.db.conn.execute(
            "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND tbl_name NOT LIKE '\\_%' "
            "ESCAPE '\\' ORDER BY rowid"
        ).fetchall()
    path.unlink()
    return [r[0] for r in rows]


def ours(source: Path, target: Path) -> float:
    start = time.perf_counter()
    with open_log(target) as log:
        reports = import_logs(log, [source])
    elapsed = time.perf_counter() - start
    assert reports[0].report.added > 0
    return elapsed


def baseline(source: Path, target: Path, ddl: list[str]) -> float:
    start = time.perf_counter()
    src = sqlite3.connect(source)
    nurses = src.execute("SELECT id, pseudonym FROM nurses").fetchall()
    sessions = src.execute(
        "SELECT id, uuid, nurse, mode, case_id, case_hash, questionnaire_id, "
        "questionnaire_version, questionnaire_hash, started_at, finished_at, status, profile, "
        "key_profile, match, test_id, installation FROM sessions"
    ).fetchall()
    answers = src.execute(
        "SELECT session, question, option, items, answered_at, seconds, changes FROM answers"
    ).fetchall()
    src.close()
    dst = sqlite3.connect(target)
    dst.execute("PRAGMA journal_mode = wal")
    for statement in ddl:
        dst.execute(statement)
    dst.execute("BEGIN")
    dst.executemany("INSERT INTO nurses (id, pseudonym) VALUES (?, ?)", nurses)
    dst.executemany(f"INSERT INTO sessions VALUES ({', '.join('?' * 17)})", sessions)
    dst.executemany("INSERT INTO answers VALUES (?, ?, ?, ?, ?, ?, ?)", answers)
    dst.commit()
    dst.close()
    return time.perf_counter() - start


def full_bundle(demo: LogBundle) -> LogBundle:
    """The demo sessions, each with all twelve answers (the size budget's worst case)."""
    answers = []
    for s in demo.sessions:
        at = s[8]
        for q in QUESTIONS:
            items = "sonde,injecties,complexe_wonden" if q == "Q12" else None
            answers.append((s[0], q, 2 if q == "Q12" else 1, items, at, 12.3, 0))
    return LogBundle(list(demo.sessions), answers)


def bytes_per_session(path: Path, sessions: int) -> float:
    return path.stat().st_size / sessions


def one_by_one(path: Path, sessions: int) -> float:
    """Size per session when written as the app writes: one commit per answer."""
    questionnaire = load_questionnaire()
    with open_log(path) as log:
        for i in range(sessions):
            sid = log.start_session(
                nurse=f"Verpleegkundige {i % 25}", mode="vrij", questionnaire=questionnaire
            )
            for q in QUESTIONS:
                items = ("sonde", "injecties", "complexe_wonden") if q == "Q12" else ()
                log.record_answer(sid, q, 2 if q == "Q12" else 1, items=items, seconds=12.3)
            log.abandon_session(sid)
    return bytes_per_session(path, sessions)


def load_average() -> str:
    """The 1-minute load average (the machine is shared), or '?' where the OS has none."""
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except (AttributeError, OSError):
        return "?"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--nurses", type=int, default=25)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--no-size", action="store_true", help="time the import only")
    parser.add_argument(
        "--profile-cost", action="store_true", help="also time ours without the profile pass"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        end = datetime(2026, 3, 1, tzinfo=UTC)
        start = time.perf_counter()
        bundle = demo_bundle(args.sessions, args.nurses, seed=1, end=end)
        made = time.perf_counter() - start
        source = folder / "source.db"
        with open_log(source) as log:
            merge_bundle(log, bundle)
        print(
            f"demo data: {args.sessions} sessions, {len(bundle.answers)} answers "
            f"({len(bundle.answers) / args.sessions:.1f} per session), generated in {made:.2f} s"
        )
        ddl = schema_sql(folder / "schema.db")
        ours_t, base_t, bare_t = [], [], []
        profiles = store_source._FINISHED_ANSWER_SETS
        for r in range(args.rounds):
            for name, fn in (("ours", ours), ("baseline", baseline)):
                target = folder / f"{name}-{r}.db"
                if name == "ours":
                    ours_t.append(fn(source, target))
                else:
                    base_t.append(fn(source, target, ddl))
            if args.profile_cost:  # the same import with no finished session to re-score
                store_source._FINISHED_ANSWER_SETS = "SELECT 1, 2, 3, 4, 5, 6, 7 WHERE 0"
                try:
                    bare_t.append(ours(source, folder / f"bare-{r}.db"))
                finally:
                    store_source._FINISHED_ANSWER_SETS = profiles
        ours_m, base_m = statistics.median(ours_t), statistics.median(base_t)
        for name, median, times in (("ours", ours_m, ours_t), ("baseline", base_m, base_t)):
            rounds = ", ".join(f"{t:.3f}" for t in times)
            print(f"import, {name + ':':9} median {median:.3f} s  (rounds: {rounds})")
        print(
            f"ratio ours/baseline: {ours_m / base_m:.2f}   goal: ours <= 3 s -> "
            f"{'ok' if ours_m <= 3 else 'TOO SLOW'}   (load average {load_average()})"
        )
        if bare_t:
            bare_m = statistics.median(bare_t)
            rounds = ", ".join(f"{t:.3f}" for t in bare_t)
            print(f"import, ours without the profile pass: median {bare_m:.3f} s  ({rounds})")
            print(f"profile pass: ours/without {ours_m / bare_m:.3f}, {ours_m - bare_m:+.3f} s")
        if args.no_size:
            return 0 if ours_m <= 3 else 1
        demo_size = bytes_per_session(folder / "ours-0.db", args.sessions)
        print(
            f"size after import (demo, {len(bundle.answers) / args.sessions:.1f} answers per "
            f"session): {demo_size:.0f} bytes per session"
        )
        full = folder / "full.db"
        with open_log(full) as log:
            merge_bundle(log, full_bundle(bundle))
        full_size = bytes_per_session(full, args.sessions)
        print(f"size, 12 answers per session, bulk: {full_size:.0f} bytes per session")
        n = min(args.sessions, 1000)
        single = one_by_one(folder / "single.db", n)
        print(
            f"size, 12 answers per session, one commit per answer ({n} sessions): "
            f"{single:.0f} bytes per session"
        )
        worst = max(demo_size, full_size, single)
        print(f"goal: <= 3072 bytes per session -> {'ok' if worst <= 3072 else 'TOO BIG'}")
        return 0 if ours_m <= 3 and worst <= 3072 else 1


if __name__ == "__main__":
    sys.exit(main())
