"""Toetsen travel with their sessions: import carries the ``toetsen`` and ``toets_cases`` rows
(validated like sessions, idempotent by UUID, a bezig toets updated when it got further), and a
log's bundle holds them."""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path

import pytest
from sqlite_utils import Database

from dkdl.cli import main
from dkdl.scoring import Answers
from dkdl.store import merge_bundle, migrations, open_log, read_bundle
from tests.conftest import digest, full


def _toets(log, questionnaire, scorer, nurse, cases, *, finish: bool) -> str:
    """A toets of ``cases`` by ``nurse``: every case answered and finished when ``finish``,
    otherwise only the first case, still open."""
    toets_id = log.start_toets(nurse=nurse, case_ids=[c.id for c in cases])
    for i, case in enumerate(cases):
        sid = log.start_session(
            nurse=nurse, mode="toets", questionnaire=questionnaire, case=case, test_id=toets_id
        )
        for qid, option in full().items():
            log.record_answer(sid, qid, option)
        if not finish:
            return toets_id
        log.finish_session(sid, scorer.score(Answers(full())), case.profile)
        if i == len(cases) - 1:
            log.finish_toets(toets_id)
    return toets_id


@pytest.fixture
def laptop(tmp_path, questionnaire, scorer, cases) -> tuple[Path, str, str]:
    """A laptop log with a finished toets of three cases and an open one of two."""
    path = tmp_path / "laptop.db"
    with open_log(path) as log:
        log.remember_nurse("Anna")
        done = _toets(log, questionnaire, scorer, "Anna", cases[:3], finish=True)
        open_ = _toets(log, questionnaire, scorer, "Anna", cases[3:5], finish=False)
    return path, done, open_


def _cli(args, capsys) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_import_carries_the_toetsen_with_their_plans(tmp_path, laptop, capsys):
    path, done, open_ = laptop
    target = tmp_path / "trainer.db"
    code, out, err = _cli(["import", "--db", target, path], capsys)
    assert code == 0, err
    assert "4 sessies toegevoegd" in out and "2 toetsen toegevoegd" in out
    with open_log(path, readonly=True) as mine, open_log(target, readonly=True) as theirs:
        assert theirs.toetsen() == mine.toetsen()
        assert theirs.toets(done).status == "afgerond" and len(theirs.toets(done).case_ids) == 3
        assert theirs.toets(open_).status == "bezig" and theirs.toets(open_).finished_at is None
        # the toets groups the same sessions as on the laptop, on the same laptop
        assert {s.test_id for s in theirs.sessions()} == {done, open_}
        assert {s.installation for s in theirs.sessions()} == {mine.installation_id}


def test_importing_again_adds_no_toets_and_ends_one_that_ended(
    tmp_path, laptop, capsys, questionnaire
):
    path, done, open_ = laptop
    target = tmp_path / "trainer.db"
    assert _cli(["import", "--db", target, path], capsys)[0] == 0
    with open_log(target, readonly=True) as log:
        before = log.toetsen()
    code, out, _ = _cli(["import", "--db", target, path], capsys)
    assert code == 0 and "toets" not in out and "4 waren er al" in out
    with open_log(target, readonly=True) as log:
        assert log.toetsen() == before
        assert log._read("SELECT count(*) FROM toets_cases")[0][0] == 5
    with open_log(path) as log:
        log.abandon_toets(open_)  # she stopped it on the laptop
        stopped = log.toets(open_)
    code, out, _ = _cli(["import", "--db", target, path], capsys)
    assert code == 0 and "1 toets bijgewerkt" in out
    with open_log(target, readonly=True) as log:
        assert log.toets(open_) == stopped and log.toets(done) == before[0]
    # a finished toets is never set back by an older copy that still has it bezig
    code, out, _ = _cli(["import", "--db", target, path], capsys)
    assert "bijgewerkt" not in out


BAD_TOETS = {
    "unknown status": ("UPDATE toetsen SET status = 'klaar' WHERE status = 'afgerond'",
                       "status 'klaar' is geen bezig, afgerond of afgebroken"),
    "not a time": ("UPDATE toetsen SET started_at = 'gisteren' || char(27) WHERE id = 1",
                   "started_at 'gisteren\\x1b' is geen UTC-tijd"),
    "formula as planned case": ("UPDATE toets_cases SET case_id = '=cmd()' WHERE position = 1",
                                "geplande casus '=cmd()' is geen casus-id"),
    "bezig with an end": ("UPDATE toetsen SET finished_at = started_at WHERE status = 'bezig'",
                          "eindtijd bij een toets die nog bezig is"),
    "gap in the plan": ("UPDATE toets_cases SET position = 7 WHERE position = 1 AND toets = 1",
                        "is niet 0, 1, 2, ..."),
    "not a UUID": ("UPDATE toetsen SET uuid = upper(uuid) WHERE id = 2", "is geen UUID"),
    "plan without a toets": ("INSERT INTO toets_cases VALUES (99, 0, 'x')",
                             "1 geplande casussen horen bij geen enkele toets"),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(BAD_TOETS))
def test_a_bad_toets_row_refuses_the_source(tmp_path, laptop, capsys, name):
    path, done, open_ = laptop
    sql, expected = BAD_TOETS[name]
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA ignore_check_constraints = ON")
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute(sql)
    conn.commit()
    conn.close()
    target = tmp_path / "trainer.db"
    with open_log(target) as log:
        log.remember_nurse("Trainer")
    before = digest(target)
    code, out, err = _cli(["import", "--db", target, path], capsys)
    assert code == 2 and out == ""
    assert f"{path}: bevat ongeldige gegevens; er is niets geïmporteerd" in err
    assert expected in err, err
    assert "\x1b" not in err and "Traceback" not in err
    assert digest(target) == before


def test_a_toets_row_is_named_in_the_message(tmp_path, laptop, capsys):
    path, done, _ = laptop
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA ignore_check_constraints = ON")
    conn.execute("UPDATE toetsen SET status = 'klaar' WHERE uuid = ?", (done,))
    conn.commit()
    conn.close()
    code, _, err = _cli(["import", "--db", tmp_path / "t.db", path], capsys)
    assert code == 2 and f"  - toets '{done}': status 'klaar'" in err


def test_the_bundle_of_a_log_holds_its_toetsen(tmp_path, laptop):
    path, done, open_ = laptop
    with open_log(path, readonly=True) as log:
        bundle = read_bundle(log)
        toetsen = log.toetsen()
    assert {t.toets_id for t in bundle.toetsen} == {done, open_}
    assert [t.case_ids for t in bundle.toetsen] == [t.case_ids for t in toetsen]
    with open_log(tmp_path / "copy.db") as copy:
        report = merge_bundle(copy, bundle)
        assert report.toetsen_added == 2 and copy.toetsen() == toetsen
        assert merge_bundle(copy, bundle).toetsen_added == 0  # again: nothing new


def test_a_source_from_before_toetsen_were_stored_imports_its_sessions(
    tmp_path, questionnaire, capsys
):
    """A log older than ``m003_toetsen`` has no toets tables: its toets sessions come in with
    their test_id, and no toets (nothing to carry, nothing refused)."""
    path = tmp_path / "oud.db"
    db = Database(sqlite3.connect(path))
    migrations.apply(db, stop_before="m003_toetsen")
    db.execute("INSERT INTO nurses (pseudonym, last_used) VALUES ('Anna', 1)")
    test_id = str(uuid.uuid4())
    db.execute(
        "INSERT INTO sessions (uuid, nurse, mode, case_id, case_hash, questionnaire_id, "
        "questionnaire_version, questionnaire_hash, started_at, test_id) "
        "VALUES (?, 1, 'toets', 'casus-a', ?, ?, ?, ?, '2026-01-05T10:00:00+00:00', ?)",
        (str(uuid.uuid4()), "ab" * 32, questionnaire.id, questionnaire.version,
         questionnaire.content_hash, test_id),
    )  # fmt: skip
    db.conn.commit()
    db.close()
    target = tmp_path / "trainer.db"
    code, out, err = _cli(["import", "--db", target, path], capsys)
    assert code == 0, err
    assert "1 sessie toegevoegd" in out and "toets" not in out
    with open_log(target, readonly=True) as log:
        assert [s.test_id for s in log.sessions()] == [test_id] and log.toetsen() == []
