"""The trainer's export: `dkdl export` to CSV against a bare sqlite3 + csv loop, in one run.

Ours: what ``dkdl export --db LOG --out FILE.csv`` does in-process (load the questionnaire and
the case library, open and check the log read-only, stream every answer with its session, the
question texts, the key and ``correct``, make every text cell safe, write beside the target and
rename). Baseline: a bare ``sqlite3`` query of the same rows (sessions joined with nurses and
answers, same order) written with ``csv.writer``, nothing added. Both run alternately for
several rounds; the script prints the medians and the ratio ours/baseline (goal: <= 2).

Memory: ``dkdl export`` once more in a child process, its peak resident size (goal: flat, well
under 200 MB, whatever the size of the log). POSIX only; elsewhere the line says so.

    python benchmarks/bench_export.py [--sessions 100000] [--nurses 40] [--rounds 3]
                                      [--log FILE]   # reuse (or keep) the demo log
"""

from __future__ import annotations

import argparse
import csv
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dkdl.cli import main as dkdl_main  # noqa: E402
from dkdl.demo import demo_bundle  # noqa: E402
from dkdl.store import merge_bundle, open_log  # noqa: E402

BASELINE_SQL = (
    "SELECT s.uuid, n.pseudonym, s.mode, s.case_id, s.case_hash, s.questionnaire_id, "
    "s.questionnaire_version, s.questionnaire_hash, s.started_at, s.finished_at, s.status, "
    "s.profile, s.key_profile, s.match, s.test_id, a.question, a.option, a.items, "
    "a.answered_at, a.seconds, a.changes "
    "FROM sessions s JOIN nurses n ON n.id = s.nurse LEFT JOIN answers a ON a.session = s.id "
    "ORDER BY s.started_at, s.id, a.answered_at, a.question"
)


def make_log(path: Path, sessions: int, nurses: int) -> None:
    start = time.perf_counter()
    bundle = demo_bundle(sessions, nurses, seed=1, end=datetime(2026, 3, 1, tzinfo=UTC))
    with open_log(path) as log:
        merge_bundle(log, bundle)
    print(f"demo log made in {time.perf_counter() - start:.1f} s: {path}")


def ours(log: Path, out: Path) -> float:
    start = time.perf_counter()
    code = dkdl_main(["export", "--db", str(log), "--out", str(out), "--force"])
    elapsed = time.perf_counter() - start
    assert code == 0
    return elapsed


def baseline(log: Path, out: Path) -> float:
    start = time.perf_counter()
    conn = sqlite3.connect(f"file:{log.as_posix()}?mode=ro", uri=True)
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        cursor = conn.execute(BASELINE_SQL)
        writer.writerow([d[0] for d in cursor.description])
        for row in cursor:
            writer.writerow(["" if v is None else v for v in row])
    conn.close()
    return time.perf_counter() - start


# Measured from a small wrapper process: a child's peak size includes what it inherited when
# forked, and this script holds the demo data (hundreds of MB) while it runs.
_WRAPPER = """
import resource, subprocess, sys
subprocess.run(sys.argv[1:], check=True, capture_output=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def peak_memory_mb(log: Path, out: Path) -> float | None:
    """Peak resident size of ``dkdl export`` in a child process (MB), or None off POSIX."""
    try:
        import resource  # noqa: F401  (POSIX only)
    except ImportError:
        return None
    command = [sys.executable, "-m", "dkdl", "export", "--db", str(log), "--out", str(out)]
    done = subprocess.run(
        [sys.executable, "-c", _WRAPPER, *command, "--force"],
        check=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    kb = int(done.stdout.split()[-1])  # KB on Linux, bytes on macOS
    return kb / (1024 * 1024) if sys.platform == "darwin" else kb / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=100_000)
    parser.add_argument("--nurses", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--log", type=Path, help="demo log to reuse (made if missing)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        log = (args.log or folder / "demo.db").resolve()
        if not log.exists():
            make_log(log, args.sessions, args.nurses)
        with open_log(log, create=False, readonly=True) as opened:
            counts = opened.counts()
        print(f"log: {counts['sessions']} sessions, {counts['answers']} answers")
        ours_t, base_t = [], []
        for _ in range(args.rounds):
            ours_t.append(ours(log, folder / "ours.csv"))
            base_t.append(baseline(log, folder / "base.csv"))
        rows_ours = sum(1 for _ in (folder / "ours.csv").open(encoding="utf-8-sig")) - 1
        rows_base = sum(1 for _ in (folder / "base.csv").open(encoding="utf-8")) - 1
        assert rows_ours == rows_base, (rows_ours, rows_base)
        ours_m, base_m = statistics.median(ours_t), statistics.median(base_t)
        for name, median, times in (("ours", ours_m, ours_t), ("baseline", base_m, base_t)):
            rounds = ", ".join(f"{t:.2f}" for t in times)
            print(f"export {rows_ours} rows, {name + ':':9} median {median:.2f} s  ({rounds})")
        ratio = ours_m / base_m
        print(
            f"ratio ours/baseline: {ratio:.2f}   goal: <= 2 -> {'ok' if ratio <= 2 else 'TOO SLOW'}"
        )
        peak = peak_memory_mb(log, folder / "peak.csv")
        if peak is None:
            print("peak memory: not measured here (needs the POSIX resource module)")
        else:
            print(f"peak memory of `dkdl export` (child process): {peak:.0f} MB   goal: <= 200 MB")
        return 0 if ratio <= 2 and (peak is None or peak <= 200) else 1


if __name__ == "__main__":
    sys.exit(main())
