"""A log made elsewhere may not claim what its answers do not give: import re-scores every
finished session's stored answers (routing as the app applies it) and refuses a stored profile
they do not give, and an end time before the start time (beyond the app's clock-skew rule)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from dkdl.cases import load_library
from dkdl.cli import main
from dkdl.practice import Practice
from dkdl.store import import_logs, open_log, read_bundle
from dkdl.store import log as store_log
from dkdl.store.validate import CLOCK_SKEW
from tests.conftest import digest
from tests.steps import CASES
from tests.test_log_trust import make_log, tamper
from tests.test_practice import KEY_WOND, WOND_ITEMS, answer_all

CASE = "tui-wondzorg-01"  # its key: KEY_WOND with WOND_ITEMS, profile DKDL8


class Clock:
    """The log's wall clock (``dkdl.sessionlog.now`` as the store calls it), set by hand."""

    def __init__(self, start: datetime):
        self.at = start

    def __call__(self) -> str:
        return self.at.isoformat(timespec="seconds")


@pytest.fixture
def clock(monkeypatch) -> Clock:
    moment = Clock(datetime(2026, 2, 2, 9, 0, tzinfo=UTC))
    monkeypatch.setattr(store_log, "now", moment)
    return moment


def practise(path: Path, questionnaire, scorer, clock: Clock) -> dict[str, str]:
    """A laptop's log written by the app itself: session ids by what they show."""
    library = load_library([CASES], questionnaire)
    case = library.by_id(CASE)
    out = {}
    with open_log(path) as log:
        p = Practice(log, scorer, library)
        s = p.start("Anna", "oefenen", case)
        answer_all(s, KEY_WOND, WOND_ITEMS)
        clock.at += timedelta(minutes=4)
        assert p.finish(s).result.profile == "DKDL8"
        out["dkdl8"] = s.session_id
        # every question answered (checklist items too), then back to Q1: a child. Q2-Q12 stay
        # stored, but routing skips them, so they are no answers: the profile is KINDZORG.
        s = p.start("Anna", "oefenen", case)
        answer_all(s, KEY_WOND, WOND_ITEMS)
        s.go_to("Q1")
        s.choose(2)
        clock.at += timedelta(minutes=3)
        assert p.finish(s).result.profile == "KINDZORG"
        out["kindzorg"] = s.session_id
        s = p.start("Bea", "vrij")
        answer_all(s, [1, 1, 1, 2, 2, 3, 2, 3, 4, 3, 3, 1])
        clock.at += timedelta(minutes=2)
        assert p.finish(s).result.profile == "DKDL12"
        out["vrij"] = s.session_id
        s = p.start_toets("Bea", [case])
        answer_all(s, KEY_WOND, WOND_ITEMS)
        clock.at += timedelta(minutes=5)
        p.finish(s)
        assert s.toets is not None and s.toets.finished
        out["toets"] = s.session_id
    return out


@pytest.fixture
def laptop(tmp_path, questionnaire, scorer, clock) -> tuple[Path, dict[str, str]]:
    path = tmp_path / "laptop.db"
    return path, practise(path, questionnaire, scorer, clock)


@pytest.fixture
def trainer(tmp_path, cases) -> Path:
    return make_log(tmp_path / "trainer.db", cases, sessions=5, seed=7)


def refused(capsys, source: Path, target: Path) -> str:
    """Import ``source`` into ``target`` from the command line; it must be refused with a Dutch
    message naming the source, no traceback, and the target unchanged. Returns the message."""
    before = digest(target)
    assert main(["import", "--db", str(target), str(source)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"dkdl: {source}: bevat ongeldige gegevens; er is niets geïmporteerd")
    assert "Traceback" not in err
    assert digest(target) == before
    return err


def test_a_log_the_app_wrote_imports_whole_with_its_profiles(laptop, trainer):
    path, ids = laptop
    with open_log(trainer) as log:
        [item] = import_logs(log, [path])
        assert item.report.added == 4 and item.report.toetsen_added == 1
        with open_log(path) as source:
            mine = {s.session_id: s for s in read_bundle(source).sessions}
        theirs = {s.session_id: s for s in read_bundle(log).sessions}
    assert [theirs[i].profile for i in ids.values()] == ["DKDL8", "KINDZORG", "DKDL12", "DKDL8"]
    assert all(theirs[i] == mine[i] for i in ids.values())


CLAIMS = {
    "a profile the answers do not give": (
        "dkdl8",
        "UPDATE sessions SET profile = 'DKDL3', match = 0 WHERE uuid = :id",
        "opgeslagen profiel DKDL3 volgt niet uit de antwoorden (die geven DKDL8)",
    ),
    "the right profile with match set to agree": (
        "dkdl8",
        "UPDATE sessions SET profile = 'DKDL9', key_profile = 'DKDL9', match = 1 WHERE uuid = :id",
        "opgeslagen profiel DKDL9 volgt niet uit de antwoorden (die geven DKDL8)",
    ),
    "an answer changed under its profile": (
        "dkdl8",
        "UPDATE answers SET option = 3 WHERE question = 'Q10' "
        "AND session = (SELECT id FROM sessions WHERE uuid = :id)",
        "opgeslagen profiel DKDL8 volgt niet uit de antwoorden (die geven DKDL9)",
    ),
    "a checklist item added": (
        "dkdl8",
        "UPDATE answers SET items = 'complexe_wonden,sonde,zwachtelen' WHERE question = 'Q12' "
        "AND session = (SELECT id FROM sessions WHERE uuid = :id)",
        "opgeslagen profiel DKDL8 volgt niet uit de antwoorden (die geven DKDL9)",
    ),
    "an answer missing": (
        "dkdl8",
        "DELETE FROM answers WHERE question = 'Q7' "
        "AND session = (SELECT id FROM sessions WHERE uuid = :id)",
        "opgeslagen profiel DKDL8 volgt niet uit de antwoorden (er ontbreekt een antwoord op Q7)",
    ),
    "the routing answer that gave its profile changed": (
        "kindzorg",
        "UPDATE answers SET option = 1 WHERE question = 'Q1' "
        "AND session = (SELECT id FROM sessions WHERE uuid = :id)",
        "opgeslagen profiel KINDZORG volgt niet uit de antwoorden (die geven DKDL8)",
    ),
    "a free registration's profile": (
        "vrij",
        "UPDATE sessions SET profile = 'DKDL1' WHERE uuid = :id",
        "opgeslagen profiel DKDL1 volgt niet uit de antwoorden (die geven DKDL12)",
    ),
}


@pytest.mark.parametrize("name", sorted(CLAIMS))
def test_a_profile_its_answers_do_not_give_refuses_the_source(
    laptop, trainer, tmp_path, cases, capsys, name
):
    path, ids = laptop
    which, sql, expected = CLAIMS[name]
    conn = sqlite3.connect(path)
    assert conn.execute(sql, {"id": ids[which]}).rowcount == 1
    conn.commit()
    conn.close()
    good = make_log(tmp_path / "goed.db", cases, seed=1)
    err = refused(capsys, path, trainer)
    assert f"  - sessie '{ids[which]}': {expected}" in err.splitlines(), err
    assert len(err.splitlines()) == 2  # that one session, nothing else wrong
    # and with a good source before it, neither is merged
    before = digest(trainer)
    assert main(["import", "--db", str(trainer), str(good), str(path)]) == 2
    assert expected in capsys.readouterr().err
    assert digest(trainer) == before


def test_answers_routing_skips_and_items_that_do_not_count_are_no_answers(laptop, trainer, capsys):
    """What the app itself may leave stored (answers beyond a routing answer, checklist items
    beside Q12 = 1, as the NZa tool ignores them) changes nothing: the source imports."""
    path, ids = laptop
    conn = sqlite3.connect(path)
    stored = conn.execute(
        "SELECT count(*) FROM answers WHERE session = (SELECT id FROM sessions WHERE uuid = ?)",
        (ids["kindzorg"],),
    ).fetchone()[0]
    assert stored == 12  # Q2-Q12 stay stored after Q1 = 2 (they would give DKDL8)
    conn.close()
    tamper(
        path,
        "UPDATE answers SET items = 'sonde' WHERE question = 'Q12' AND option = 1 AND session = "
        f"(SELECT id FROM sessions WHERE uuid = '{ids['vrij']}')",
    )
    assert main(["import", "--db", str(trainer), str(path)]) == 0
    assert "4 sessies toegevoegd" in capsys.readouterr().out


def test_many_sessions_claiming_wrong_profiles_are_described_first_and_counted(
    tmp_path, cases, trainer, capsys
):
    path = make_log(tmp_path / "laptop.db", cases, sessions=40, seed=3)
    # every finished session claims another profile, match made to agree with its key
    tamper(
        path,
        "UPDATE sessions SET profile = CASE profile WHEN 'DKDL1' THEN 'DKDL2' ELSE 'DKDL1' END "
        "WHERE status = 'afgerond'",
        "UPDATE sessions SET match = (profile = key_profile) WHERE key_profile IS NOT NULL "
        "AND status = 'afgerond'",
    )
    conn = sqlite3.connect(path)
    finished = conn.execute("SELECT count(*) FROM sessions WHERE status = 'afgerond'").fetchone()
    conn.close()
    assert finished[0] > 10
    lines = refused(capsys, path, trainer).splitlines()
    assert len([x for x in lines if "volgt niet uit de antwoorden (die geven" in x]) == 5
    assert lines[-1] == f"  en nog {finished[0] - 5} ongeldige rijen"


def _shift(path: Path, table: str, seconds: int) -> str:
    """Move the end of the first finished session (or toets) ``seconds`` from its start; returns
    its UUID."""
    conn = sqlite3.connect(path)
    uuid, started = conn.execute(
        f"SELECT uuid, started_at FROM {table} WHERE status = 'afgerond' ORDER BY id LIMIT 1"
    ).fetchone()
    end = datetime.fromisoformat(started) + timedelta(seconds=seconds)
    conn.execute(
        f"UPDATE {table} SET finished_at = ? WHERE uuid = ?",
        (end.isoformat(timespec="seconds"), uuid),
    )
    conn.commit()
    conn.close()
    return uuid


@pytest.mark.parametrize("table, what", [("sessions", "sessie"), ("toetsen", "toets")])
def test_an_end_long_before_the_start_is_refused(laptop, trainer, capsys, table, what):
    path, _ = laptop
    uuid = _shift(path, table, -(CLOCK_SKEW + 60))
    err = refused(capsys, path, trainer)
    assert f"  - {what} '{uuid}': finished_at '" in err
    assert "ligt meer dan 5 minuten vóór started_at '" in err


@pytest.mark.parametrize("table", ["sessions", "toetsen"])
def test_an_end_a_little_before_the_start_is_the_apps_clock_rule(laptop, trainer, table):
    path, _ = laptop
    _shift(path, table, -CLOCK_SKEW)
    assert main(["import", "--db", str(trainer), str(path)]) == 0


@pytest.mark.parametrize("back, imported", [(2, True), (CLOCK_SKEW // 60 + 1, False)])
def test_a_laptop_clock_set_back_while_practising(
    tmp_path, questionnaire, scorer, clock, trainer, capsys, back, imported
):
    """The app writes wall-clock UTC, so a clock set back while a session is open gives an end
    before the start: up to CLOCK_SKEW that is the app's own rule for a clock adjustment and
    the log imports; further back it is refused like any impossible time."""
    library = load_library([CASES], questionnaire)
    path = tmp_path / "laptop.db"
    with open_log(path) as log:
        p = Practice(log, scorer, library)
        s = p.start("Anna", "vrij")
        answer_all(s, [2])
        clock.at -= timedelta(minutes=back, seconds=30)  # a time sync after weeks offline
        p.finish(s)
        info = log.session(s.session_id)
    assert info.finished_at is not None and info.finished_at < info.started_at
    if imported:
        assert main(["import", "--db", str(trainer), str(path)]) == 0
    else:
        err = refused(capsys, path, trainer)
        assert f"sessie '{s.session_id}': finished_at" in err


def test_a_correct_log_still_imports_exactly(tmp_path, cases):
    """Demo data has every kind of session (routing results, checklists, toetsen, stopped and
    open ones): nothing is refused and every row arrives as it was."""
    path = make_log(tmp_path / "laptop.db", cases, sessions=300, seed=4)
    with open_log(tmp_path / "trainer.db") as log:
        [item] = import_logs(log, [path])
        with open_log(path) as source:
            mine = read_bundle(source)
        theirs = read_bundle(log)
    assert item.report.added == len(mine.sessions) == 300
    assert sorted(theirs.sessions) == sorted(mine.sessions)
    assert sorted(theirs.answers) == sorted(mine.answers)
    assert sorted(theirs.toetsen) == sorted(mine.toetsen)
    assert {"afgerond", "afgebroken"} <= {s.status for s in mine.sessions}
    assert {"KINDZORG", "DKDL1"} <= {s.profile for s in mine.sessions}
