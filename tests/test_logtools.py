"""dkdl export / import / demo-data: formats, idempotent and transactional merging, demo data."""

from __future__ import annotations

import json
import sqlite3
import statistics
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path

import pytest

from dkdl.cli import main
from dkdl.demo import demo_bundle
from dkdl.scoring import Answers
from dkdl.store import ITEM_SEP, merge_bundle, open_log
from tests.conftest import digest

END = datetime(2026, 3, 1, tzinfo=UTC)


def make_log(path: Path, cases, sessions: int, nurses: int = 3, seed: int = 1) -> Path:
    with open_log(path) as log:
        merge_bundle(log, demo_bundle(sessions, nurses, seed=seed, end=END, cases=cases))
    return path


def run_cli(args, capsys):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


# -- import ------------------------------------------------------------------------------------


def test_import_is_idempotent_and_reports(tmp_path, cases, capsys):
    a = make_log(tmp_path / "a.db", cases, sessions=20, seed=1)
    b = make_log(tmp_path / "b.db", cases, sessions=15, seed=2)
    target = tmp_path / "trainer.db"
    before_a, before_b = digest(a), digest(b)
    code, out, err = run_cli(["import", "--db", target, a, b], capsys)
    assert code == 0, err
    assert "a.db: 20 sessies toegevoegd" in out and "b.db: 15 sessies toegevoegd" in out
    with open_log(target, readonly=True) as log:
        counts = log.counts()
    assert counts["sessions"] == 35
    code, out, err = run_cli(["import", "--db", target, a, b], capsys)
    assert code == 0
    assert "0 sessies toegevoegd" in out and "20 waren er al" in out
    with open_log(target, readonly=True) as log:
        assert log.counts() == counts
    assert (digest(a), digest(b)) == (before_a, before_b)  # sources are only read


def test_import_keeps_every_field(tmp_path, cases):
    a = make_log(tmp_path / "a.db", cases, sessions=25, seed=3)
    target = tmp_path / "t.db"
    main(["import", "--db", str(target), str(a)])
    with open_log(a, readonly=True) as src, open_log(target, readonly=True) as dst:
        assert src.sessions() == dst.sessions()
        for info in src.sessions():
            assert src.answers(info.id) == dst.answers(info.id)


def test_import_with_one_bad_source_changes_nothing_and_names_it(tmp_path, cases, capsys):
    a = make_log(tmp_path / "a.db", cases, sessions=10, seed=1)
    target = make_log(tmp_path / "trainer.db", cases, sessions=5, seed=7)
    bad = tmp_path / "kapot.db"
    bad.write_bytes(b"\x00" * 100)
    before = digest(target)
    code, out, err = run_cli(["import", "--db", target, a, bad], capsys)
    assert code == 2 and str(bad) in err and "Traceback" not in err
    assert digest(target) == before


def test_import_of_inconsistent_content_is_rolled_back(tmp_path, cases, capsys):
    """A source whose rows break the target's rules (written past its CHECKs) fails mid-merge:
    the earlier, good source is rolled back too."""
    good = make_log(tmp_path / "a.db", cases, sessions=10, seed=1)
    odd = make_log(tmp_path / "odd.db", cases, sessions=10, seed=2)
    conn = sqlite3.connect(odd)
    conn.execute("PRAGMA ignore_check_constraints = ON")
    conn.execute("UPDATE sessions SET status = 'gepauzeerd' WHERE id = 3")
    conn.commit()
    conn.close()
    target = make_log(tmp_path / "trainer.db", cases, sessions=5, seed=7)
    before = digest(target)
    code, out, err = run_cli(["import", "--db", target, good, odd], capsys)
    assert code == 2
    assert str(odd) in err and "niets geïmporteerd" in err
    assert out == ""
    assert digest(target) == before


def test_import_refuses_the_target_itself(tmp_path, cases, capsys):
    target = make_log(tmp_path / "t.db", cases, sessions=2)
    code, _, err = run_cli(["import", "--db", target, target], capsys)
    assert code == 2 and "doelbestand" in err


def test_import_updates_a_session_that_got_further(tmp_path, questionnaire, scorer, capsys):
    laptop = tmp_path / "laptop.db"
    target = tmp_path / "trainer.db"
    with open_log(laptop) as log:
        sid = log.start_session(nurse="Anna", mode="vrij", questionnaire=questionnaire)
        log.record_answer(sid, "Q1", 2)
    main(["import", "--db", str(target), str(laptop)])
    with open_log(laptop) as log:
        log.finish_session(sid, scorer.score(Answers({"Q1": 2})), None)
    code, out, _ = run_cli(["import", "--db", target, laptop], capsys)
    assert code == 0 and "1 bijgewerkt" in out
    with open_log(target, readonly=True) as log:
        assert log.session(sid).status == "afgerond"
        assert log.session(sid).profile == "KINDZORG"
    code, out, _ = run_cli(["import", "--db", target, laptop], capsys)
    assert "1 waren er al" in out


# -- demo data ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(cases):
    return demo_bundle(1500, 6, seed=42, end=END, cases=cases)


def test_demo_data_is_reproducible(cases, demo):
    again = demo_bundle(1500, 6, seed=42, end=END, cases=cases)
    assert again.sessions == demo.sessions and again.answers == demo.answers


def test_demo_data_is_spread_over_months_and_modes(demo):
    starts = sorted(datetime.fromisoformat(s[8]) for s in demo.sessions)
    assert (starts[-1] - starts[0]).days > 120
    assert starts[-1] <= END
    months = Counter(s.strftime("%Y-%m") for s in starts)
    assert len(months) >= 5
    modes = Counter(s[2] for s in demo.sessions)
    assert modes["oefenen"] > modes["toets"] > modes["vrij"] > 0
    statuses = Counter(s[10] for s in demo.sessions)
    assert statuses["afgerond"] > 0.8 * len(demo.sessions) and statuses["afgebroken"] > 0
    assert len({s[1] for s in demo.sessions}) == 6
    tests = Counter(s[14] for s in demo.sessions if s[14])
    assert tests and set(tests.values()) == {3}


def test_demo_profiles_are_what_the_engine_and_key_say(demo, cases, scorer):
    by_id = {c.id: c for c in cases}
    answers = defaultdict(dict)
    items = {}
    for a in demo.answers:
        answers[a[0]][a[1]] = a[2]
        if a[3]:
            items[a[0]] = frozenset(a[3].split(ITEM_SEP))
    for s in demo.sessions:
        if s[10] != "afgerond":
            continue
        result = scorer.score(Answers(answers[s[0]], items.get(s[0], frozenset())))
        assert s[11] == result.profile
        if s[2] != "vrij":
            assert s[12] == by_id[s[3]].profile and s[4] == by_id[s[3]].content_hash
            assert s[13] == int(s[11] == s[12])
        else:
            assert s[12] is None and s[13] is None


def test_demo_errors_cluster_on_boundary_questions_and_fall_with_practice(demo, cases):
    by_id = {c.id: c for c in cases}
    sessions = {s[0]: s for s in demo.sessions}
    wrong, asked = Counter(), Counter()
    for a in demo.answers:
        s = sessions[a[0]]
        if s[2] == "vrij":
            continue
        key = by_id[s[3]].data.key.get(a[1])
        if key is None:
            continue
        asked[a[1]] += 1
        wrong[a[1]] += a[2] != key.answer
    rate = {q: wrong[q] / asked[q] for q in asked}
    boundary = statistics.mean(rate[q] for q in ("Q5", "Q6", "Q8", "Q10", "Q11"))
    plain = statistics.mean(rate[q] for q in ("Q1", "Q3", "Q9"))
    assert boundary > 2 * plain
    # per nurse: the first third of her sessions matches the key less often than the last third
    per_nurse = defaultdict(list)
    for s in sorted(demo.sessions, key=lambda s: s[8]):
        if s[13] is not None:
            per_nurse[s[1]].append(s[13])
    early = statistics.mean(statistics.mean(m[: len(m) // 3]) for m in per_nurse.values())
    late = statistics.mean(statistics.mean(m[-len(m) // 3 :]) for m in per_nurse.values())
    assert late > early + 0.1


def test_demo_data_cli(tmp_path, capsys):
    path = tmp_path / "demo.db"
    code, out, err = run_cli(
        ["demo-data", "--db", path, "--sessions", 50, "--nurses", 4, "--seed", 3], capsys
    )
    assert code == 0, err
    assert "50 verzonnen sessies van 4 verpleegkundigen" in out
    with open_log(path, readonly=True) as log:
        assert log.counts()["sessions"] == 50 and len(log.nurses()) == 4
        assert log.applied_migrations()
    before = digest(path)
    code, _, err = run_cli(["demo-data", "--db", path, "--sessions", 5, "--nurses", 1], capsys)
    assert code == 2 and "bevat al sessies" in err
    assert digest(path) == before


def test_demo_data_never_goes_to_the_default_log(monkeypatch, capsys):
    monkeypatch.delenv("DKDL_DB", raising=False)
    code, _, err = run_cli(["demo-data", "--sessions", 5, "--nurses", 1], capsys)
    assert code == 2 and "--db" in err


def test_demo_data_bad_numbers_are_usage_errors(tmp_path, capsys):
    with pytest.raises(SystemExit) as info:
        main(["demo-data", "--db", str(tmp_path / "d.db"), "--sessions", "0", "--nurses", "1"])
    assert info.value.code == 2
    assert "moet tussen 1 en" in capsys.readouterr().err


def test_db_before_or_after_the_command_and_env(tmp_path, cases, monkeypatch, capsysbinary):
    a = make_log(tmp_path / "a.db", cases, sessions=4, seed=1)
    b = make_log(tmp_path / "b.db", cases, sessions=6, seed=2)

    def sessions(argv):
        assert main(argv + ["--format", "jsonl", "--out", "-"]) == 0
        lines = capsysbinary.readouterr().out.splitlines()
        return len({json.loads(line)["session_id"] for line in lines})

    monkeypatch.setenv("DKDL_DB", str(b))
    assert sessions(["export"]) == 6
    assert sessions(["--db", str(a), "export"]) == 4
    assert sessions(["export", "--db", str(a)]) == 4
    assert sessions(["--db", str(b), "export", "--db", str(a)]) == 4


def test_demo_data_refuses_absurd_numbers_and_creates_no_file(tmp_path, capsys):
    path = tmp_path / "demo.db"
    with pytest.raises(SystemExit) as info:
        main(
            [
                "demo-data",
                "--db",
                str(path),
                "--sessions",
                "3",
                "--nurses",
                "1",
                "--months",
                "99999999",
            ]
        )
    assert info.value.code == 2
    assert "moet tussen 1 en 120 liggen" in capsys.readouterr().err
    assert not path.exists()


def test_import_refuses_a_pseudonym_the_app_would_refuse(tmp_path, cases, capsys):
    import sqlite3

    source = make_log(tmp_path / "laptop.db", cases, sessions=5, seed=4)
    with sqlite3.connect(source) as conn:  # written by something else than dkdl
        conn.execute("UPDATE nurses SET pseudonym = '=HYPERLINK(1)' WHERE id = 1")
    target = make_log(tmp_path / "trainer.db", cases, sessions=5, seed=7)
    before = digest(target)
    code, out, err = run_cli(["import", "--db", target, source], capsys)
    assert code == 2 and str(source) in err and "begint niet met" in err
    assert digest(target) == before
