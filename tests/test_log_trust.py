"""Logs from elsewhere are untrusted: every row validated, bad sources refused whole, tampered
targets refused, the log's own reads never hand a crafted row to the app, Dutch messages."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from dkdl.cli import main
from dkdl.demo import demo_bundle
from dkdl.store import StoreError, import_logs, merge_bundle, open_log, read_bundle
from dkdl.store import merge as store_merge
from tests.conftest import digest

ROOT = Path(__file__).resolve().parents[1]
END = datetime(2026, 3, 1, tzinfo=UTC)


def make_log(path: Path, cases, sessions: int = 20, seed: int = 1) -> Path:
    with open_log(path) as log:
        merge_bundle(log, demo_bundle(sessions, 3, seed=seed, end=END, cases=cases))
    return path


def tamper(path: Path, *statements: str) -> None:
    """Write past the file's CHECK constraints, as a crafted file would be."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA ignore_check_constraints = ON")
    for sql in statements:
        conn.execute(sql)
    conn.commit()
    conn.close()


CRAFTED = {
    "formula as option": (
        "UPDATE answers SET option = '=1+2' WHERE question = 'Q2'",
        "optie '=1+2' is geen optienummer",
    ),
    "text as seconds": (
        "UPDATE answers SET seconds = 'abc' WHERE question = 'Q1'",
        "seconds 'abc' is geen aantal seconden",
    ),
    "unknown question": (
        "UPDATE answers SET question = 'Q99' WHERE question = 'Q1'",
        "vraag 'Q99' bestaat niet",
    ),
    "option out of range": (
        "UPDATE answers SET option = 9 WHERE question = 'Q1'",
        "optie 9 bestaat niet bij Q1",
    ),
    "unknown checklist item": (
        "UPDATE answers SET items = 'sonde,=cmd' WHERE question = 'Q12'",
        "is geen lijst van items",
    ),
    "date that is not a date": (
        "UPDATE sessions SET started_at = '2026-02-30T10:00:00+00:00' WHERE id = 2",
        "started_at '2026-02-30T10:00:00+00:00' is geen UTC-tijd",
    ),
    "local time instead of UTC": (
        "UPDATE sessions SET started_at = '2026-01-05T10:00:00+01:00' WHERE id = 2",
        "is geen UTC-tijd",
    ),
    "formula as case id": (
        "UPDATE sessions SET case_id = '=HYPERLINK(\"x\")' WHERE mode = 'oefenen'",
        "is geen casus-id",
    ),
    "formula as profile": (
        "UPDATE sessions SET profile = '=1+1' WHERE status = 'afgerond'",
        "profile '=1+1' is geen profiel",
    ),
    "control characters": (
        "UPDATE nurses SET pseudonym = pseudonym || char(27) || ']52;c;ZWNobw==' || char(7)",
        "\\x1b]52",
    ),
    "unknown mode": ("UPDATE sessions SET mode = 'spel' WHERE id = 1", "mode 'spel'"),
    "not a UUID": (
        "UPDATE sessions SET uuid = 'x' || substr(uuid, 2) WHERE id = 1",
        "is geen UUID",
    ),
    "match that lies": (
        "UPDATE sessions SET match = 1 - match WHERE match IS NOT NULL",
        "match klopt niet",
    ),
}


@pytest.mark.parametrize("name", sorted(CRAFTED))
def test_a_source_with_a_bad_row_is_refused_whole(tmp_path, cases, capsys, name):
    sql, expected = CRAFTED[name]
    good = make_log(tmp_path / "goed.db", cases, seed=1)
    bad = make_log(tmp_path / "laptop.db", cases, seed=2)
    tamper(bad, sql)
    target = make_log(tmp_path / "trainer.db", cases, sessions=5, seed=7)
    before = digest(target)
    code = main(["import", "--db", str(target), str(good), str(bad)])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.startswith(f"dkdl: {bad}: bevat ongeldige gegevens; er is niets geïmporteerd")
    assert expected in err, err
    assert "\x1b" not in err and "\x07" not in err  # described, never passed through
    assert "Traceback" not in err
    assert digest(target) == before  # the good source was not merged either


def test_many_bad_rows_are_described_first_and_counted(tmp_path, cases, capsys):
    bad = make_log(tmp_path / "laptop.db", cases, sessions=30, seed=2)
    tamper(bad, "UPDATE answers SET seconds = -1")
    target = tmp_path / "trainer.db"
    assert main(["import", "--db", str(target), str(bad)]) == 2
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert len([line for line in lines if line.startswith("  - antwoord op")]) == 5
    assert lines[-1].startswith("  en nog ") and lines[-1].endswith("ongeldige rijen")


def test_an_unknown_questionnaire_version_is_refused_with_advice(tmp_path, cases, capsys):
    bad = make_log(tmp_path / "nieuw.db", cases, seed=2)
    tamper(bad, "UPDATE sessions SET questionnaire_version = 'NR/REG-2607'")
    assert main(["import", "--db", str(tmp_path / "t.db"), str(bad)]) == 2
    assert "'NR/REG-2607' kent deze versie van dkdl niet (werk dkdl bij)" in capsys.readouterr().err


def test_duplicates_and_stray_answers_are_refused(tmp_path, cases, capsys):
    bad = make_log(tmp_path / "laptop.db", cases, seed=2)
    tamper(
        bad,
        "PRAGMA foreign_keys = OFF",
        "INSERT INTO answers (session, question, option, answered_at) "
        "VALUES (99999, 'Q1', 1, '2026-01-01T00:00:00+00:00')",
    )
    assert main(["import", "--db", str(tmp_path / "t.db"), str(bad)]) == 2
    assert "1 antwoorden horen bij geen enkele sessie" in capsys.readouterr().err


@pytest.mark.parametrize("kind", ["trigger", "view"])
def test_a_target_with_a_trigger_or_view_is_refused_untouched(tmp_path, cases, capsys, kind):
    source = make_log(tmp_path / "laptop.db", cases, seed=2)
    target = make_log(tmp_path / "trainer.db", cases, sessions=5, seed=7)
    ddl = {
        "trigger": "CREATE TRIGGER t AFTER INSERT ON answers BEGIN "
        "UPDATE answers SET option = 1 WHERE session = new.session; END",
        "view": "CREATE VIEW v AS SELECT * FROM sessions",
    }[kind]
    tamper(target, ddl)
    before = digest(target)
    assert main(["import", "--db", str(target), str(source)]) == 2
    err = capsys.readouterr().err
    assert f"bevat een {kind}" in err and "niet van dkdl" in err
    assert digest(target) == before
    with pytest.raises(StoreError, match="niet van dkdl"):
        open_log(target)  # the practice app refuses it as well


@pytest.mark.parametrize("content", [b"", "empty sqlite"])
def test_an_empty_source_is_not_a_log(tmp_path, cases, capsys, content):
    source = tmp_path / "leeg.db"
    if content == "empty sqlite":
        sqlite3.connect(source).execute("VACUUM").connection.close()
    else:
        source.write_bytes(content)
    target = make_log(tmp_path / "trainer.db", cases, sessions=3, seed=7)
    before = digest(target)
    assert main(["import", "--db", str(target), str(source)]) == 2
    err = capsys.readouterr().err
    assert f"{source}: dit is geen dkdl-logbestand" in err
    assert digest(target) == before


def test_the_logs_own_reads_leave_out_a_crafted_row(tmp_path, cases, questionnaire):
    """A row that got into the log unvalidated (an older dkdl's import) never reaches the app."""
    path = make_log(tmp_path / "log.db", cases, sessions=10)
    tamper(
        path,
        "UPDATE sessions SET started_at = 'gisteren' || char(27) || '[31m' WHERE id = 3",
        "UPDATE answers SET option = '=1+2' WHERE session = 4 AND question = 'Q1'",
    )
    with open_log(path) as log:
        sessions = log.sessions()
        assert len(sessions) == 9 and log.invalid_sessions == 1
        for info in sessions:
            datetime.fromisoformat(info.started_at)  # what the app does with it
        fourth = next(
            s for s in sessions if s.id == log._read("SELECT uuid FROM sessions WHERE id = 4")[0][0]
        )
        answers = log.answers(fourth.id)
        assert "Q1" not in answers and all(type(a.option) is int for a in answers.values())
        bad = log._read("SELECT uuid FROM sessions WHERE id = 3")[0][0]
        with pytest.raises(StoreError, match="is ongeldig") as info:
            log.session(bad)
        assert "\x1b" not in str(info.value)


@pytest.mark.parametrize(
    "name", ["An\x1b[31mna", '=HYPERLINK("http://x")', " Anouk", "x" * 81, "Bram\nKees"]
)
def test_a_crafted_pseudonym_is_never_handed_to_the_app(tmp_path, cases, name):
    """A pseudonym that got into the log unvalidated is not pre-filled on the start screen
    (last_nurse) nor listed (nurses): it would reach the terminal as a control code."""
    path = make_log(tmp_path / "log.db", cases, sessions=10)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA ignore_check_constraints = ON")
    conn.execute("UPDATE nurses SET pseudonym = ?, last_used = 99 WHERE id = 1", (name,))
    conn.commit()
    conn.close()
    with open_log(path) as log:
        assert log.last_nurse() is None
        assert name not in log.nurses() and len(log.nurses()) == 2
        log.remember_nurse("Noor")
        assert log.last_nurse() == "Noor"


def test_messages_about_a_corrupt_log_carry_no_english(tmp_path, cases, capsys):
    path = make_log(tmp_path / "log.db", cases, sessions=40)
    data = bytearray(path.read_bytes())
    data[4096:] = b"\xff" * (len(data) - 4096)  # every page after the header page
    path.write_bytes(bytes(data))
    code = main(["export", "--db", str(path), "--format", "csv", "--out", "-"])
    err = capsys.readouterr().err
    assert code == 2 and "beschadigd" in err
    for english in ("malformed", "database disk image", "file is not a database", "error"):
        assert english not in err


def test_an_interrupted_import_is_completed_by_importing_again(tmp_path, cases, monkeypatch):
    """Each batch is one transaction with whole sessions; a failure after some batches leaves
    those (complete) and says so; importing again adds exactly the rest."""
    source = make_log(tmp_path / "laptop.db", cases, sessions=600, seed=3)
    reference = tmp_path / "reference.db"
    with open_log(reference) as log:
        import_logs(log, [source])
    target = tmp_path / "trainer.db"
    real = store_merge._merge_batch
    calls = []

    def failing(conn, *args):
        calls.append(1)
        if len(calls) == 2:
            raise sqlite3.OperationalError("disk I/O error")
        return real(conn, *args)

    monkeypatch.setattr(store_merge, "FIRST_BATCH", 100)
    monkeypatch.setattr(store_merge, "_merge_batch", failing)
    with open_log(target) as log, pytest.raises(StoreError) as info:
        import_logs(log, [source])
    message = str(info.value)
    assert "is een deel geïmporteerd (100 sessies, elk compleet)" in message
    assert "importeer opnieuw" in message and "I/O" not in message
    monkeypatch.setattr(store_merge, "_merge_batch", real)
    with open_log(target) as log:
        assert log.counts()["sessions"] == 100
        (report,) = import_logs(log, [source])
        assert (report.report.added, report.report.present) == (500, 100)
    with open_log(target, readonly=True) as a, open_log(reference, readonly=True) as b:
        assert a.counts() == b.counts()
        mine, theirs = read_bundle(a), read_bundle(b)
        assert sorted(mine.sessions) == sorted(theirs.sessions)
        assert sorted(mine.answers) == sorted(theirs.answers)


def _without_root_powers() -> list[str] | None:
    if os.name != "posix":
        return None
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search"] if setpriv else None


def test_a_read_only_shm_left_by_a_reader_does_not_keep_the_log_refused(tmp_path, cases):
    """Reading a read-only log leaves -shm/-wal with its read-only mode; once the log is
    writable again, dkdl uses it (and does not blame the log)."""
    prefix = _without_root_powers()
    if prefix is None:
        pytest.skip("needs POSIX permissions (and setpriv when running as root)")
    path = make_log(tmp_path / "log.db", cases, sessions=3)
    path.chmod(0o444)

    def dkdl(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*prefix, sys.executable, "-m", "dkdl", *args],
            capture_output=True, text=True, encoding="utf-8", cwd=ROOT, timeout=60,
        )  # fmt: skip

    read = dkdl("export", "--db", str(path), "--format", "csv", "--out", "-")
    assert read.returncode == 0, read.stderr
    shm = path.with_name("log.db-shm")
    assert shm.exists() and not os.stat(shm).st_mode & 0o200  # the reader left it read-only
    path.chmod(0o644)
    write = dkdl("demo-data", "--db", str(path), "--sessions", "2", "--nurses", "1")
    # demo-data refuses a file with sessions: that refusal proves the log opened for writing
    assert write.returncode == 2 and "bevat al sessies" in write.stderr, write.stderr


WORKER = """
import sys, time
sys.path.insert(0, {root!r})
from pathlib import Path
from dkdl.questionnaire import load_questionnaire
from dkdl.store import open_log
log = open_log(Path({db!r}))
q = load_questionnaire()
sid = log.start_session(nurse=log.remember_nurse("Noor"), mode="vrij", questionnaire=q)
print("ready", flush=True)
waits, end = [], time.monotonic() + {seconds}
i = 0
while time.monotonic() < end:
    t = time.perf_counter()
    log.record_answer(sid, "Q%d" % (i % 12 + 1), 1 + i % 2, seconds=0.5)
    waits.append(time.perf_counter() - t)
    i += 1
    time.sleep(0.02)
log.close()
print("done", len(waits), max(waits), flush=True)
"""


def test_a_nurse_practising_during_a_large_import_never_waits_long(tmp_path, cases):
    """A real second process answers every 20 ms on the trainer's file while a large source is
    imported: each answer is stored, none waits more than a second for the lock."""
    source = make_log(tmp_path / "laptop.db", cases, sessions=6000, seed=5)
    target = make_log(tmp_path / "trainer.db", cases, sessions=5, seed=7)
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER.format(root=str(ROOT), db=str(target), seconds=6)],
        stdout=subprocess.PIPE, text=True, encoding="utf-8",
    )  # fmt: skip
    assert worker.stdout is not None
    assert worker.stdout.readline().strip() == "ready"
    started = time.monotonic()
    with open_log(target) as log:
        (report,) = import_logs(log, [source])
    took = time.monotonic() - started
    out, _ = worker.communicate(timeout=60)
    _, answers, longest = out.split()
    assert report.report.added == 6000 and report.report.batches > 1
    assert report.report.longest_hold < 0.5  # aim 0.1 s; generous for a loaded test machine
    assert float(longest) < 1.0, f"an answer waited {float(longest):.2f} s (import {took:.1f} s)"
    with open_log(target, readonly=True) as log:
        noor = log.sessions("Noor")
        assert len(noor) == 1 and len(log.answers(noor[0].id)) == min(int(answers), 12)


def test_an_import_leaves_the_target_connection_as_it_found_it(tmp_path, cases):
    """While importing, commits do not wait for the disk and checkpoints happen between
    batches; afterwards the connection is back to waiting for the disk on every commit
    (synchronous FULL, automatic checkpoints) and the import is checkpointed into the file."""
    source = make_log(tmp_path / "laptop.db", cases, sessions=300, seed=3)
    with open_log(tmp_path / "trainer.db") as log:
        conn = log.db.conn
        before = [
            conn.execute(f"PRAGMA {p}").fetchone()[0] for p in ("synchronous", "wal_autocheckpoint")
        ]
        (report,) = import_logs(log, [source])
        after = [
            conn.execute(f"PRAGMA {p}").fetchone()[0] for p in ("synchronous", "wal_autocheckpoint")
        ]
        busy, frames, done = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    assert report.report.added == 300
    assert before == after == [2, 1000]
    assert busy == 0 and frames == done  # nothing of the import left only in the WAL


def test_sessions_without_a_row_number_are_refused_before_anything_is_merged(
    tmp_path, cases, capsys
):
    """A crafted sessions table whose ids are not row numbers: refused in the validation pass,
    so an earlier good source is not merged either."""
    good = make_log(tmp_path / "goed.db", cases, seed=1)
    bad = tmp_path / "laptop.db"
    make_log(bad, cases, seed=2)
    conn = sqlite3.connect(bad)
    conn.executescript(
        "PRAGMA foreign_keys = OFF; PRAGMA legacy_alter_table = ON;"
        "ALTER TABLE sessions RENAME TO s_old;"
        "CREATE TABLE sessions AS SELECT * FROM s_old;"
        "UPDATE sessions SET id = 'x' || id WHERE id = 3;"
        "DROP TABLE s_old;"
    )
    conn.close()
    target = make_log(tmp_path / "trainer.db", cases, sessions=5, seed=7)
    before = digest(target)
    assert main(["import", "--db", str(target), str(good), str(bad)]) == 2
    err = capsys.readouterr().err
    assert "geen bruikbaar dkdl-logbestand" in err and "Traceback" not in err
    assert digest(target) == before
