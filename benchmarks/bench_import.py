"""Import that shares the file: lock hold, a practising nurse's wait, peak memory (issue 9).

For each source size, a demo source log is imported into a trainer's log while a second
process (a nurse practising on the trainer's file) stores an answer every 20 ms and times each
write. Two importers run in separate processes, one after the other, in the same run:

- ours: ``dkdl.store.import_logs`` (validation pass, then batches of ~0.1 s with pauses);
- baseline: bare ``sqlite3`` doing the same merge in one transaction (ATTACH the source, INSERT
  ... SELECT nurses, sessions, answers, COMMIT): the fastest way, holding the lock throughout.

Printed per importer: time, the longest write transaction (lock hold), the nurse's longest and
median wait, and the importer's peak memory (ru_maxrss; POSIX only). Goals: hold <= 0.2 s, the
nurse's wait <= 1 s, peak memory <= 150 MB at 30k sessions and flat as the source grows.

usage: python benchmarks/bench_import.py [--sizes 10000,30000] [--rounds 1]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dkdl.demo import demo_bundle  # noqa: E402
from dkdl.store import merge_bundle, open_log  # noqa: E402

NURSE = """
import sys, time, statistics, json
sys.path.insert(0, {root!r})
from pathlib import Path
from dkdl.questionnaire import load_questionnaire
from dkdl.store import open_log
log = open_log(Path({db!r}))
q = load_questionnaire()
sid = log.start_session(nurse=log.remember_nurse("Noor"), mode="vrij", questionnaire=q)
print("ready", flush=True)
waits, i = [], 0
stop = Path({stop!r})
while not stop.exists():
    t = time.perf_counter()
    log.record_answer(sid, "Q%d" % (i % 12 + 1), 1 + i % 2, seconds=0.5)
    waits.append(time.perf_counter() - t)
    i += 1
    time.sleep(0.02)
log.close()
print(json.dumps({{"n": len(waits), "max": max(waits), "median": statistics.median(waits)}}))
"""

PEAK = '''
def peak_mb():
    """This process's own peak resident memory: VmHWM (Linux; ru_maxrss would include the
    parent's memory at fork), else ru_maxrss."""
    try:
        for line in open("/proc/self/status", encoding="ascii"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    try:
        import resource
    except ImportError:  # Windows: no figure
        return float("nan")
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
'''

OURS = """
import sys, time, json
sys.path.insert(0, {root!r})
from pathlib import Path
from dkdl.store import import_logs, open_log
t = time.perf_counter()
with open_log(Path({target!r})) as log:
    (r,) = import_logs(log, [Path({source!r})])
took = time.perf_counter() - t
peak = peak_mb()
print(json.dumps({{"took": took, "hold": r.report.longest_hold, "batches": r.report.batches,
                  "added": r.report.added, "peak_mb": peak}}))
"""

BASELINE = """
import sys, time, json, sqlite3
t = time.perf_counter()
conn = sqlite3.connect({target!r}, timeout=10, isolation_level=None)
conn.execute("ATTACH DATABASE ? AS src", ({source_uri!r},))
conn.execute("BEGIN IMMEDIATE")
held = time.perf_counter()
conn.execute("INSERT OR IGNORE INTO nurses (pseudonym) SELECT pseudonym FROM src.nurses")
cols = ("mode, case_id, case_hash, questionnaire_id, questionnaire_version, "
        "questionnaire_hash, started_at, finished_at, status, profile, key_profile, match, "
        "test_id, installation")
added = conn.execute(
    "INSERT INTO sessions (uuid, nurse, " + cols + ") SELECT s.uuid, n.id, "
    + ", ".join("s." + c.strip() for c in cols.split(",")) + " FROM src.sessions s "
    "JOIN src.nurses sn ON sn.id = s.nurse JOIN nurses n ON n.pseudonym = sn.pseudonym "
    "WHERE s.uuid NOT IN (SELECT uuid FROM sessions)").rowcount
conn.execute(
    "INSERT INTO answers SELECT t.id, a.question, a.option, a.items, a.answered_at, a.seconds, "
    "a.changes FROM src.answers a JOIN src.sessions s ON s.id = a.session "
    "JOIN sessions t ON t.uuid = s.uuid WHERE NOT EXISTS "
    "(SELECT 1 FROM answers x WHERE x.session = t.id)")
conn.execute("COMMIT")
hold = time.perf_counter() - held
took = time.perf_counter() - t
peak = peak_mb()
print(json.dumps({{"took": took, "hold": hold, "batches": 1, "added": added, "peak_mb": peak}}))
"""


def run_one(kind: str, source: Path, target: Path, folder: Path) -> dict:
    """One import of ``source`` into ``target`` with a nurse practising on ``target``."""
    stop = folder / f"stop-{target.stem}"
    nurse = subprocess.Popen(
        [sys.executable, "-c", NURSE.format(root=str(ROOT), db=str(target), stop=str(stop))],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert nurse.stdout is not None and nurse.stdout.readline().strip() == "ready"
    time.sleep(0.3)  # the nurse is answering before the import starts
    code = PEAK + (OURS if kind == "ours" else BASELINE).format(
        root=str(ROOT),
        target=str(target),
        source=str(source),
        source_uri=source.resolve().as_uri() + "?mode=ro",
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    time.sleep(0.3)
    stop.write_text("stop")
    out, _ = nurse.communicate(timeout=60)
    if done.returncode != 0:
        raise SystemExit(f"{kind} failed: {done.stderr}")
    result = json.loads(done.stdout)
    result.update({f"nurse_{k}": v for k, v in json.loads(out.splitlines()[-1]).items()})
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,30000", help="source sizes in sessions")
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    end = datetime(2026, 3, 1, tzinfo=UTC)
    print(f"load average at start: {os.getloadavg()[0]:.2f}" if hasattr(os, "getloadavg") else "")
    print(f"{'sessions':>8}  {'importer':8}  {'time s':>7}  {'hold s':>7}  {'batches':>7}  "
          f"{'wait max s':>10}  {'wait med ms':>11}  {'peak MB':>7}")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for size in sizes:
            source = folder / f"source-{size}.db"
            with open_log(source) as log:
                merge_bundle(log, demo_bundle(size, max(25, size // 400), seed=size, end=end))
            results: dict[str, list[dict]] = {"ours": [], "baseline": []}
            for r in range(args.rounds):
                for kind in ("ours", "baseline"):
                    target = folder / f"{kind}-{size}-{r}.db"
                    with open_log(target) as log:  # a trainer's log with a little in it
                        merge_bundle(log, demo_bundle(50, 3, seed=7, end=end))
                    results[kind].append(run_one(kind, source, target, folder))
            for kind, runs in results.items():
                med = {k: statistics.median(x[k] for x in runs) for k in runs[0]}
                worst_wait = max(x["nurse_max"] for x in runs)
                print(
                    f"{size:>8}  {kind:8}  {med['took']:7.2f}  {med['hold']:7.3f}  "
                    f"{int(med['batches']):>7}  {worst_wait:10.3f}  "
                    f"{med['nurse_median'] * 1000:11.1f}  {med['peak_mb']:7.0f}"
                )
            ours = statistics.median(x["took"] for x in results["ours"])
            base = statistics.median(x["took"] for x in results["baseline"])
            hold = max(x["hold"] for x in results["ours"])
            wait = max(x["nurse_max"] for x in results["ours"])
            peak = max(x["peak_mb"] for x in results["ours"])
            print(
                f"{size:>8}  ratio time ours/baseline {ours / base:.2f}; goals: hold <= 0.2 s "
                f"{'ok' if hold <= 0.2 else 'OVER'}, wait <= 1 s {'ok' if wait <= 1 else 'OVER'}"
                f", peak <= 150 MB {'ok' if peak <= 150 else 'OVER'}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
