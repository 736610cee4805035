"""A separate process using the session log, for the kill and side-by-side tests.

    python tests/log_worker.py practise DB N     answer N questions, then sleep (to be killed)
    python tests/log_worker.py write DB NAME K   K sessions of 12 answers each, as fast as it can
    python tests/log_worker.py read DB SECONDS   read sessions and answers in a loop

Prints one line per committed step (flushed), and ``done`` at the end.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dkdl.questionnaire import load_questionnaire  # noqa: E402
from dkdl.store import open_log  # noqa: E402

QUESTIONS = ["Q1", "Q2", "Q3", "Q4", "Q5", "Q6", "Q7", "Q8", "Q9", "Q10", "Q11", "Q12"]


def practise(db: str, n: int) -> None:
    log = open_log(Path(db))
    questionnaire = load_questionnaire()
    sid = log.start_session(
        nurse=log.remember_nurse("Anna"), mode="vrij", questionnaire=questionnaire
    )
    print("session", sid, flush=True)
    for qid in QUESTIONS[:n]:
        log.record_answer(sid, qid, 1, seconds=2.5)
        print("answered", qid, flush=True)
    time.sleep(120)  # the test kills us here


def write(db: str, name: str, sessions: int) -> None:
    log = open_log(Path(db))
    questionnaire = load_questionnaire()
    nurse = log.remember_nurse(name)
    for _ in range(sessions):
        sid = log.start_session(nurse=nurse, mode="vrij", questionnaire=questionnaire)
        for qid in QUESTIONS:
            log.record_answer(sid, qid, 1, seconds=1.0)
        log.abandon_session(sid)
        print("wrote", sid, flush=True)
    log.close()
    print("done", flush=True)


def read(db: str, seconds: float) -> None:
    log = open_log(Path(db))
    deadline = time.monotonic() + seconds
    rounds = 0
    while time.monotonic() < deadline:
        for info in log.sessions():
            log.answers(info.id)
        rounds += 1
    log.close()
    print("done", rounds, flush=True)


if __name__ == "__main__":
    command, db, arg = sys.argv[1], sys.argv[2], sys.argv[3:]
    if command == "practise":
        practise(db, int(arg[0]))
    elif command == "write":
        write(db, arg[0], int(arg[1]))
    else:
        read(db, float(arg[0]))
