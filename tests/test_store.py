"""The SQLite session log: opening, bad files, durability, concurrency, merging, size."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlite_utils import Database

from dkdl.cli import main
from dkdl.demo import demo_bundle
from dkdl.sessionlog import unfinished
from dkdl.store import (
    KNOWN_MIGRATIONS,
    LogBundle,
    StoreError,
    check_file,
    default_db_path,
    merge_bundle,
    migrations,
    open_log,
    read_bundle,
    resolve_db_path,
)
from dkdl.store import files as store_files
from dkdl.store import opening as store_opening
from tests.conftest import digest

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ["Q1", "Q2", "Q3", "Q4", "Q5", "Q6", "Q7", "Q8", "Q9", "Q10", "Q11", "Q12"]
END = datetime(2026, 3, 1, tzinfo=UTC)


def make_log(path: Path, cases, sessions: int = 40, seed: int = 1) -> Path:
    """A closed log file with demo sessions in it."""
    with open_log(path) as log:
        merge_bundle(log, demo_bundle(sessions, 3, seed=seed, end=END, cases=cases))
    return path


def run_cli(args: list[str], capsys) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


# -- where and how the file is made --------------------------------------------------------


def test_db_path_precedence(monkeypatch, tmp_path):
    monkeypatch.delenv("DKDL_DB", raising=False)
    assert resolve_db_path(None) == default_db_path()
    assert default_db_path().name == "dkdl.db"
    monkeypatch.setenv("DKDL_DB", str(tmp_path / "env.db"))
    assert resolve_db_path(None) == tmp_path / "env.db"
    assert resolve_db_path(str(tmp_path / "cli.db")) == tmp_path / "cli.db"


def test_new_file_is_private_in_wal_with_foreign_keys_and_migrations(tmp_path):
    path = tmp_path / "sub" / "log.db"
    with open_log(path) as log:
        conn = log.db.conn
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000
        assert log.applied_migrations() == list(KNOWN_MIGRATIONS)
        rows = list(log.db.query("SELECT migration_set, name FROM _sqlite_migrations"))
        assert rows == [{"migration_set": "dkdl", "name": n} for n in KNOWN_MIGRATIONS]
    if os.name == "posix":
        assert path.stat().st_mode & 0o777 == 0o600


def test_open_without_create_refuses_a_missing_file(tmp_path):
    with pytest.raises(StoreError, match="niet gevonden"):
        open_log(tmp_path / "nope.db", create=False)
    assert not (tmp_path / "nope.db").exists()


def test_empty_file_is_initialised(tmp_path):
    path = tmp_path / "empty.db"
    path.write_bytes(b"")
    with open_log(path) as log:
        assert log.counts() == {"nurses": 0, "sessions": 0, "answers": 0}


def test_older_schema_is_upgraded_automatically(tmp_path):
    path = tmp_path / "old.db"
    db = Database(path)
    migrations.apply(db, stop_before=KNOWN_MIGRATIONS[-1])
    db.close()
    assert check_file(path).pending == (KNOWN_MIGRATIONS[-1],)
    before = digest(path)
    with open_log(path, readonly=True) as log:  # read-only: upgraded in memory only
        assert log.applied_migrations() == list(KNOWN_MIGRATIONS)
    assert digest(path) == before
    with open_log(path) as log:
        assert log.applied_migrations() == list(KNOWN_MIGRATIONS)
        assert "sessions_nurse" in {i.name for i in log.db.table("sessions").indexes}


def test_directory_is_refused(tmp_path):
    with pytest.raises(StoreError, match="is een map"):
        open_log(tmp_path)


def test_readonly_log_refuses_writes(tmp_path, cases):
    path = make_log(tmp_path / "log.db", cases, sessions=3)
    before = digest(path)
    with open_log(path, readonly=True) as log, pytest.raises(StoreError, match="alleen-lezen"):
        log.remember_nurse("Anna")
    assert digest(path) == before


def test_works_from_a_worker_thread(tmp_path, questionnaire):
    log = open_log(tmp_path / "log.db")
    sid = log.start_session(nurse="Anna", mode="vrij", questionnaire=questionnaire)
    errors = []

    def work():
        try:
            log.record_answer(sid, "Q1", 1)
        except Exception as exc:  # pragma: no cover - the assertion below shows it
            errors.append(exc)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert not errors
    assert log.answers(sid)["Q1"].option == 1
    log.close()


def test_unknown_session_is_a_key_error(tmp_path):
    with open_log(tmp_path / "log.db") as log:
        with pytest.raises(KeyError):
            log.record_answer("00000000-0000-4000-8000-000000000000", "Q1", 1)
        with pytest.raises(KeyError):
            log.session("00000000-0000-4000-8000-000000000000")


def test_resume_list_and_nurses(tmp_path, questionnaire):
    qn = questionnaire
    with open_log(tmp_path / "log.db") as log:
        a = log.start_session(nurse=log.remember_nurse("Anna"), mode="vrij", questionnaire=qn)
        b = log.start_session(nurse=log.remember_nurse("Bram"), mode="vrij", questionnaire=qn)
        log.abandon_session(b)
        assert [s.id for s in unfinished(log)] == [a]
        assert unfinished(log, "Bram") == []
        assert log.nurses() == ["Anna", "Bram"]


# -- bad files: clear message, non-zero exit, no traceback, file unchanged ----------------


def _not_sqlite(path: Path, cases) -> None:
    path.write_bytes(b"naam;vraag;antwoord\nAnna;Q1;1\n" * 50)


def _corrupt(path: Path, cases) -> None:
    make_log(path, cases, sessions=60)
    with path.open("r+b") as fh:
        fh.seek(4096 * 3)
        fh.write(b"\x5a" * 4096 * 4)


def _truncated(path: Path, cases) -> None:
    make_log(path, cases, sessions=60)
    size = path.stat().st_size
    with path.open("r+b") as fh:
        fh.truncate(size // 2)


def _not_ours(path: Path, cases) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE recepten (naam TEXT, bereidingstijd INTEGER)")
    conn.execute("INSERT INTO recepten VALUES ('erwtensoep', 180)")
    conn.commit()
    conn.close()


def _newer(path: Path, cases) -> None:
    make_log(path, cases, sessions=5)
    conn = sqlite3.connect(path)
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
        "VALUES ('dkdl', 'm099_from_the_future', '2030-01-01')"
    )
    conn.commit()
    conn.close()


BAD_FILES = {
    "not-sqlite": (_not_sqlite, "geen SQLite"),
    "corrupt": (_corrupt, "beschadigd"),
    "truncated": (_truncated, "beschadigd"),
    "not-ours": (_not_ours, "ander programma"),
    "newer-schema": (_newer, "nieuwere versie van dkdl"),
}


@pytest.mark.parametrize("kind", sorted(BAD_FILES))
@pytest.mark.parametrize("command", ["import", "export", "demo-data"])
def test_bad_file_is_refused_and_left_unchanged(kind, command, tmp_path, cases, capsys):
    make_file, phrase = BAD_FILES[kind]
    bad = tmp_path / "bad.db"
    make_file(bad, cases)
    before = digest(bad)
    good = make_log(tmp_path / "good.db", cases, sessions=3)
    args = {
        "import": ["import", "--db", str(bad), str(good)],
        "export": ["export", "--db", str(bad), "--format", "csv", "--out", str(tmp_path / "x")],
        "demo-data": ["demo-data", "--db", str(bad), "--sessions", "3", "--nurses", "1"],
    }[command]
    code, out, err = run_cli(args, capsys)
    assert code == 2
    assert phrase in err and str(bad) in err
    assert "Traceback" not in err + out
    assert digest(bad) == before
    assert not (tmp_path / "x").exists()


def test_bad_file_in_the_app_path_raises_store_error(tmp_path, cases):
    bad = tmp_path / "bad.db"
    _not_ours(bad, cases)
    with pytest.raises(StoreError, match="ander programma"):
        open_log(bad)


def test_bad_source_in_a_subprocess_prints_no_traceback(tmp_path, cases):
    bad = tmp_path / "bad.db"
    _not_sqlite(bad, cases)
    before = digest(bad)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "dkdl",
            "export",
            "--db",
            str(bad),
            "--out",
            str(tmp_path / "x.csv"),
        ],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "geen SQLite" in proc.stderr and "Traceback" not in proc.stderr
    assert digest(bad) == before


def test_read_only_location_is_refused_before_writing(tmp_path, cases, monkeypatch, capsys):
    path = make_log(tmp_path / "log.db", cases, sessions=3)
    before = digest(path)
    monkeypatch.setattr(store_opening, "writable", lambda p: False)
    code, out, err = run_cli(
        ["demo-data", "--db", str(path), "--sessions", "2", "--nurses", "1"], capsys
    )
    assert code == 2 and "alleen-lezen" in err and str(path) in err
    assert "Traceback" not in err
    assert digest(path) == before
    with pytest.raises(StoreError, match="alleen-lezen"):
        open_log(tmp_path / "new.db")  # a new file: the folder is read-only too


def test_write_refused_by_sqlite_becomes_store_error(tmp_path, cases, monkeypatch):
    """A location that only turns out read-only when SQLite writes (e.g. a locked USB stick)."""
    path = make_log(tmp_path / "log.db", cases, sessions=3)
    before = digest(path)
    monkeypatch.setattr(
        store_opening,
        "connect_rw",
        lambda p: sqlite3.connect(store_files.ro_uri(p), uri=True, check_same_thread=False),
    )
    log = open_log(path)
    with pytest.raises(StoreError, match="alleen-lezen"):
        log.remember_nurse("Anna")
    log.close()
    assert digest(path) == before


def _without_root_powers() -> list[str] | None:
    """A command prefix under which file permissions apply: none needed for a normal user;
    for root, Linux ``setpriv`` dropping the capability to override them; None if neither."""
    if os.name != "posix":
        return None
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search"] if setpriv else None


def test_read_only_folder_for_real(tmp_path, cases):
    prefix = _without_root_powers()
    if prefix is None:
        pytest.skip("needs POSIX permissions (and setpriv when running as root)")
    folder = tmp_path / "ro"
    folder.mkdir()
    path = make_log(folder / "log.db", cases, sessions=3)
    before = digest(path)
    path.chmod(0o400)
    folder.chmod(0o500)
    try:
        write = subprocess.run(
            [*prefix, sys.executable, "-m", "dkdl", "demo-data", "--db", str(path),
             "--sessions", "2", "--nurses", "1"],
            capture_output=True, text=True, encoding="utf-8", cwd=ROOT, timeout=60,
        )  # fmt: skip
        read = subprocess.run(
            [*prefix, sys.executable, "-m", "dkdl", "export", "--db", str(path),
             "--format", "jsonl", "--out", "-"],
            capture_output=True, text=True, encoding="utf-8", cwd=ROOT, timeout=60,
        )  # fmt: skip
    finally:
        folder.chmod(0o700)
        path.chmod(0o600)
    assert write.returncode == 2, write.stderr
    assert "alleen-lezen" in write.stderr and "Traceback" not in write.stderr
    assert read.returncode == 0, read.stderr  # reading a read-only log still works
    assert len({json.loads(line)["session_id"] for line in read.stdout.splitlines()}) == 3
    assert digest(path) == before


def test_read_only_copy_with_unmerged_wal_is_refused_not_read_short(tmp_path, cases):
    """A log copied with its -wal into a read-only place: reading it as immutable would skip the
    sessions still in the -wal, so it is refused with what to do instead."""
    prefix = _without_root_powers()
    if prefix is None:
        pytest.skip("needs POSIX permissions (and setpriv when running as root)")
    live = tmp_path / "live.db"
    folder = tmp_path / "ro"
    folder.mkdir()
    with open_log(live) as log:
        merge_bundle(log, demo_bundle(3, 1, seed=3, end=END, cases=cases))
        wal = live.with_name("live.db-wal")
        assert wal.stat().st_size > 0  # the sessions are still in the -wal
        shutil.copy(live, folder / "log.db")
        shutil.copy(wal, folder / "log.db-wal")
    folder.chmod(0o500)
    try:
        read = subprocess.run(
            [*prefix, sys.executable, "-m", "dkdl", "export", "--db", str(folder / "log.db"),
             "--format", "jsonl", "--out", "-"],
            capture_output=True, text=True, encoding="utf-8", cwd=ROOT, timeout=60,
        )  # fmt: skip
    finally:
        folder.chmod(0o700)
    assert read.returncode == 2 and read.stdout == ""
    assert "log.db-wal" in read.stderr and "Kopieer" in read.stderr


def make_disk_full(monkeypatch) -> None:
    """Every connection opened from now on can grow its file by no page at all."""
    real = store_opening.configure

    def configure(conn):
        real(conn)
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {max(pages, 1)}")

    monkeypatch.setattr(store_opening, "configure", configure)


def test_disk_full_during_import_changes_nothing(tmp_path, cases, monkeypatch, capsys):
    target = make_log(tmp_path / "target.db", cases, sessions=5, seed=1)
    source = make_log(tmp_path / "source.db", cases, sessions=200, seed=9)
    before = digest(target)
    make_disk_full(monkeypatch)
    code, out, err = run_cli(["import", "--db", str(target), str(source)], capsys)
    assert code == 2
    assert "schijf is vol" in err and str(target) in err
    assert "Traceback" not in err
    assert digest(target) == before
    with open_log(target, readonly=True) as log:
        assert log.counts()["sessions"] == 5


def test_disk_full_while_practising_keeps_earlier_answers(tmp_path, questionnaire, monkeypatch):
    open_log(tmp_path / "log.db").close()
    make_disk_full(monkeypatch)
    log = open_log(tmp_path / "log.db")
    sid = log.start_session(nurse="Anna", mode="vrij", questionnaire=questionnaire)
    stored = 0
    with pytest.raises(StoreError, match="schijf is vol") as info:
        for i in range(5000):
            log.record_answer(sid, f"Q{i}", 1, seconds=1.0)
            stored += 1
    assert str(tmp_path / "log.db") in str(info.value)
    log.close()
    # Every answer written before the disk filled is still in the file. (Counted in the table:
    # the made-up question ids Q13, Q14, ... are left out by the log's own reads.)
    conn = sqlite3.connect(tmp_path / "log.db")
    assert conn.execute("SELECT count(*) FROM answers").fetchone()[0] == stored
    conn.close()


# -- nothing lost, side by side ----------------------------------------------------------------

WORKER = Path(__file__).resolve().parent / "log_worker.py"


def test_killed_app_loses_no_answer_and_the_session_is_resumable(tmp_path):
    path = tmp_path / "log.db"
    n = 7
    proc = subprocess.Popen(
        [sys.executable, str(WORKER), "practise", str(path), str(n)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    try:
        session_id = proc.stdout.readline().split()[1]
        answered = [proc.stdout.readline().split()[1] for _ in range(n)]
        assert answered == QUESTIONS[:n]
    finally:
        proc.kill()  # SIGKILL on POSIX, TerminateProcess on Windows: no cleanup runs
        proc.wait(timeout=30)
        proc.stdout.close()
        proc.stderr.close()
    with open_log(path) as log:
        info = log.session(session_id)
        assert info.status == "bezig"
        assert [s.id for s in unfinished(log, "Anna")] == [session_id]
        answers = log.answers(session_id)
        assert sorted(answers, key=QUESTIONS.index) == QUESTIONS[:n]
        assert all(a.seconds == 2.5 for a in answers.values())
        assert log.last_nurse() == "Anna"
        log.abandon_session(session_id)  # the start screen's other choice
        assert log.session(session_id).status == "afgebroken"


def test_two_processes_side_by_side_never_see_a_locked_database(tmp_path):
    path = tmp_path / "log.db"
    open_log(path).close()
    procs = [
        subprocess.Popen(
            [sys.executable, str(WORKER), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        for args in (
            ("write", str(path), "Anna", "25"),
            ("write", str(path), "Bram", "25"),
            ("read", str(path), "2.5"),
        )
    ]
    results = [p.communicate(timeout=120) for p in procs]
    for proc, (out, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err
        assert "locked" not in err and "bezet" not in err
        assert out.splitlines()[-1].startswith("done")
    with open_log(path) as log:
        assert log.counts() == {"nurses": 2, "sessions": 50, "answers": 600}


# -- size ----------------------------------------------------------------------------------------


def test_at_most_3_kb_per_session_with_twelve_answers(tmp_path, questionnaire, cases):
    """Both as the app writes (one commit per answer) and as an import writes (in bulk)."""
    empty = tmp_path / "empty.db"
    open_log(empty).close()
    base = empty.stat().st_size
    items = ("sonde", "injecties", "complexe_wonden")
    app = tmp_path / "app.db"
    with open_log(app) as log:
        for i in range(40):
            sid = log.start_session(
                nurse=f"Verpleegkundige {i % 5}",
                mode="oefenen",
                questionnaire=questionnaire,
                case=cases[i % len(cases)],
            )
            for qid in QUESTIONS:
                log.record_answer(sid, qid, 2, items=items if qid == "Q12" else (), seconds=9.5)
            log.finish_session(sid, cases[0].result, cases[1].profile)
    assert (app.stat().st_size - base) / 40 <= 3072
    bulk = tmp_path / "bulk.db"
    with open_log(app, readonly=True) as src, open_log(bulk) as dst:
        bundle = read_bundle(src)
        for n in range(1, 10):  # the same sessions under new UUIDs: 400 in all
            # new UUIDs derived from the old ones: never equal to an original or another copy
            copy = {
                s[0]: str(uuid.uuid5(uuid.NAMESPACE_URL, f"{s[0]}/{n}")) for s in bundle.sessions
            }
            merge_bundle(
                dst,
                LogBundle(
                    [(copy[s[0]], *s[1:]) for s in bundle.sessions],
                    [(copy[a[0]], *a[1:]) for a in bundle.answers],
                ),
            )
        merge_bundle(dst, bundle)
        assert dst.counts()["answers"] == 400 * 12
    assert (bulk.stat().st_size - base) / 400 <= 3072


def test_a_folder_that_cannot_be_made_is_named(tmp_path, capsys):
    blocker = tmp_path / "niet-een-map"
    blocker.write_text("x", encoding="utf-8")
    code, out, err = run_cli(
        ["import", "--db", str(blocker / "log.db"), str(tmp_path / "nope.db")], capsys
    )
    assert code == 2 and "kan de map" in err and "Traceback" not in err
    assert blocker.read_text(encoding="utf-8") == "x"


def test_too_long_pseudonym_is_a_value_error(tmp_path):
    with open_log(tmp_path / "log.db") as log, pytest.raises(ValueError, match="hoogstens"):
        log.remember_nurse("x" * 81)
