"""The SQL fast pass of import validation only ever accepts what dkdl/store/validate.py accepts.

The fast pass (dkdl/store/sqlcheck.py) lets through the rows SQL can prove good; every other row
goes to validate.py. So a row the fast pass accepts must be one validate.py finds nothing wrong
with: these tests feed the same rows (good ones, and good ones with a column or two replaced by
awkward values) to both, also in a table whose columns are declared with collations and without
types, as a crafted file could have them. And the fast pass must take the ordinary rows, or it
would not be fast.
"""

from __future__ import annotations

import contextlib
import itertools
import random
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from dkdl.demo import demo_bundle
from dkdl.sessionlog import AFGEROND
from dkdl.store import StoreError, merge_bundle, open_log, sqlcheck
from dkdl.store.rows import ANSWER_FIELDS, SESSION_FIELDS, AnswerRow, SessionRow
from dkdl.store.source import SourceLog
from dkdl.store.validate import (
    CLOCK_SKEW,
    answer_problems,
    is_time,
    known_vocabularies,
    profile_problems,
    seconds_before,
    session_problems,
    too_early,
)

END = datetime(2026, 3, 1, tzinfo=UTC)
VERSION = "NR/REG-2407"

ANSWER_COLUMNS = (*AnswerRow._fields, "questionnaire_version")  # the answer's fields + its version
GOOD_UUID = "0b7c1f0e-3f8a-4c57-9d0e-6a2f4b1d7c93"
GOOD_HASH = "ab" * 32
TRICKY: list[object] = [
    None, 0, 1, 2, -1, 9, 1.0, 0.5, -0.5, 604800.0, 604800.5, 100000, 100001, 10**18,
    float("inf"), float("-inf"), b"abc", b"", "", " ", "x" * 81, "=1+1", "\x1b[31m", "é",
    "a\x00", "\x00", GOOD_UUID, GOOD_UUID.upper(), GOOD_UUID + " ", GOOD_UUID + "\x00",
    GOOD_UUID[:-1] + "g", "x" + GOOD_UUID[1:], GOOD_HASH, GOOD_HASH.upper(), GOOD_HASH + "\x00",
    GOOD_HASH[:-1], "2026-01-05T10:00:00+00:00", "2026-01-05T10:00:00Z",
    "2026-01-05T10:00:00.5+00:00", "2026-01-05T10:00:00+01:00", "2026-01-05t10:00:00+00:00",
    "2026-02-29T10:00:00+00:00", "2024-02-29T10:00:00+00:00", "2026-04-31T10:00:00+00:00",
    "0000-01-30T10:00:00+00:00", "0000-01-05T10:00:00+00:00", "2026-01-05T24:00:00+00:00",
    "2026-01-05T10:00:60+00:00", "2026-01-05T10:00:00+00:00\x00", " 2026-01-05T10:00:00+00:00",
    "2026-13-05T10:00:00+00:00", "2026-00-05T10:00:00+00:00", "2026-01-00T10:00:00+00:00",
    "oefenen", "OEFENEN", "oefenen ", "vrij", "toets", "bezig", "afgerond", "afgebroken",
    "Afgerond", "DKDL1", "dkdl1", "DKDL1 ", "GEEN_DKDL", "KINDZORG", "Q1", "Q12", "q1", "Q99",
    "Q1\x00", "sonde", "sonde,injecties", "sonde,sonde", "sonde,", ",sonde", "SONDE",
    "sonde,=cmd", VERSION, VERSION.lower(), VERSION + " ", "NR/REG-2607", "dkdl-casemix",
    "dkdl-casemix ", "casus-a", "-casus", "Casus-a", "casus a", "Anna", " Anna", "Anna ",
    "=Anna", "An\x1bna", "anna",
]  # fmt: skip


def _table(conn: sqlite3.Connection, name: str, columns: tuple[str, ...], collate: str) -> None:
    """A table without column types (values are stored as given) and with ``collate`` on every
    column, as a crafted file could declare them."""
    spec = ", ".join(f'"{c}" {collate}'.strip() for c in columns)
    conn.execute(f"CREATE TABLE {name} ({spec})")


def _good_rows(cases) -> tuple[list[tuple], list[tuple]]:
    bundle = demo_bundle(300, 4, seed=11, end=END, cases=cases)
    sessions = [tuple(s) for s in bundle.sessions]
    versions = {s[0]: s[6] for s in sessions}
    answers = [(*a, versions[a[0]]) for a in bundle.answers]
    return sessions, answers


def _mutated(rows: list[tuple], seed: int, count: int) -> list[tuple]:
    """``count`` copies of random good rows with one or two columns replaced by tricky values
    (or by a value of another row's column, which is good there and maybe not here)."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        row = list(rng.choice(rows))
        for _ in range(rng.choice((1, 1, 2))):
            column = rng.randrange(len(row))
            if rng.random() < 0.8:
                row[column] = rng.choice(TRICKY)
            else:
                row[column] = rng.choice(rows)[rng.randrange(len(row))]
        out.append(tuple(row))
    return out


def _accepted(conn, table: str, condition: str, params: dict) -> list[tuple]:
    return conn.execute(f"SELECT * FROM {table} WHERE ({condition}) IS 1", params).fetchall()


@pytest.mark.parametrize("collate", ["", "COLLATE NOCASE", "COLLATE RTRIM"])
def test_the_fast_pass_accepts_only_rows_validate_accepts(cases, collate):
    good_sessions, good_answers = _good_rows(cases)
    sessions = good_sessions + _mutated(good_sessions, seed=1, count=4000)
    answers = good_answers + _mutated(good_answers, seed=2, count=6000)
    conn = sqlite3.connect(":memory:")
    _table(conn, "s", SESSION_FIELDS, collate)
    _table(conn, "a", ANSWER_COLUMNS, collate)
    conn.executemany(f"INSERT INTO s VALUES ({', '.join('?' * len(SESSION_FIELDS))})", sessions)
    conn.executemany(f"INSERT INTO a VALUES ({', '.join('?' * len(ANSWER_COLUMNS))})", answers)
    vocabularies = known_vocabularies()
    params = sqlcheck.parameters(conn, "SELECT * FROM s", "SELECT * FROM a", vocabularies, {})

    passed = _accepted(conn, "s", sqlcheck.session_sql(), params)
    for row in passed:
        assert session_problems(SessionRow._make(row)) == [], row
    assert set(good_sessions) <= set(passed)  # the ordinary rows take the fast path
    assert len(passed) < len(set(sessions))  # and it does refuse some

    passed = _accepted(conn, "a", sqlcheck.answer_sql(), params)
    for row in passed:
        assert answer_problems(AnswerRow._make(row[:-1]), row[-1]) == [], row
    assert set(good_answers) <= set(passed)
    assert len(passed) < len(set(answers))


def test_the_fast_time_check_is_never_wider_than_validate():
    """Every date of years around the edges (0000, 1900 not leap, 2000 leap, ...), every month
    and day number 00-32, hours and seconds at and past their ends."""
    values = [
        f"{y}-{m:02d}-{d:02d}T{h}:{mi}:{s}+00:00"
        for y, m, d, h, mi, s in itertools.product(
            ("0000", "0001", "1900", "2000", "2023", "2024", "9999"),
            range(14),
            range(33),
            ("00", "23", "24"),
            ("59", "60"),
            ("00", "60"),
        )
    ]
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (x)")
    conn.executemany("INSERT INTO t VALUES (?)", [(v,) for v in values])
    passed = {x for (x,) in conn.execute(f"SELECT x FROM t WHERE ({sqlcheck.time_sql('x')}) IS 1")}
    assert {v for v in values if is_time(v)} - {v for v in values if v.startswith("0000")} == passed


def test_the_fast_clock_rule_is_never_wider_than_validate():
    """An end (or answer) time around CLOCK_SKEW before the start, in every form is_time takes:
    the fast pass accepts only what validate.py's rule accepts, and every ordinary pair."""
    start = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
    starts = [
        "2026-01-05T10:00:00+00:00",
        "2026-01-05T10:00:00Z",
        "2026-01-05T10:00:00.999+00:00",
        "2026-01-05T10:00:00.5Z",
        "0001-01-01T00:02:00+00:00",
    ]
    ends = [
        (start + timedelta(seconds=d)).isoformat(timespec="seconds")
        for d in range(-CLOCK_SKEW - 3, 4)
    ] + ["0001-01-01T00:00:00+00:00", "2026-01-05T09:55:00Z", "2026-01-05T09:55:00.5+00:00"]
    pairs = [(e, s) for e in ends for s in starts] + [(None, s) for s in starts]
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (e COLLATE NOCASE, s COLLATE RTRIM)")
    conn.executemany("INSERT INTO t VALUES (?, ?)", pairs)
    rule = sqlcheck.not_too_early("e", "s")
    passed = set(conn.execute(f"SELECT e, s FROM t WHERE {rule} IS 1").fetchall())
    assert not {(e, s) for e, s in passed if too_early(e, s)}
    assert len(passed) < len(pairs)  # and it does refuse some

    def exact(t: str | None) -> bool:  # as dkdl writes times
        return t is None or (t.endswith("+00:00") and "." not in t)

    ordinary = {
        (e, s)
        for e, s in pairs
        if exact(e) and exact(s) and (e is None or seconds_before(s, e) >= 1 - CLOCK_SKEW)
    }
    assert ordinary <= passed


def _make_source(path: Path, cases) -> Path:
    with open_log(path) as log:
        merge_bundle(log, demo_bundle(200, 3, seed=5, end=END, cases=cases))
    return path


def _reference_bad_rows(path: Path) -> int:
    """How many rows validate.py refuses, reading every row in Python (the slow way): each
    session, each answer, and each finished session's profile re-scored on its own."""
    source = SourceLog(path)
    try:
        bad, after = 0, -1
        while True:
            after, sessions, answers = source.read_batch(after, 1000)
            if not sessions:
                return bad
            versions = {s.session_id: s.questionnaire_version for s in sessions}
            bad += sum(1 for s in sessions if session_problems(s))
            for uuid, rows in answers.items():
                bad += sum(1 for a in rows if answer_problems(AnswerRow._make(a), versions[uuid]))
            for s in sessions:
                if s.status == AFGEROND:
                    stored = [a[1:4] for a in answers.get(s.session_id, ())]
                    args = s.questionnaire_version, s.questionnaire_id, s.profile, stored
                    bad += bool(profile_problems(*args))
    finally:
        source.close()


@pytest.mark.parametrize("seed", range(12))
def test_a_source_is_refused_exactly_when_a_row_is_bad(tmp_path, cases, seed):
    """The same source validated through the fast pass and row by row in Python: refused by
    both or by neither, with the same number of bad rows."""
    path = _make_source(tmp_path / "laptop.db", cases)
    rng = random.Random(seed)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA ignore_check_constraints = ON")
    columns = [c for c in SESSION_FIELDS[2:] if c != "installation"] + ["installation"]
    for _ in range(rng.choice((0, 1, 3))):
        if rng.random() < 0.25:  # an answer that is good on its own, but not under the profile
            conn.execute(
                "UPDATE answers SET option = 1 + (option % 2) WHERE question = ? AND session = "
                "(SELECT id FROM sessions WHERE status = 'afgerond' ORDER BY random() LIMIT 1)",
                (rng.choice(["Q1", "Q3", "Q10"]),),
            )
            continue
        table, column = rng.choice(
            [("sessions", c) for c in ["uuid", *columns]]
            + [("answers", c) for c in ANSWER_FIELDS[1:]]
            + [("nurses", "pseudonym")]
        )
        where = {
            "sessions": "id IN (SELECT id FROM sessions ORDER BY random() LIMIT 2)",
            "answers": "session = (SELECT id FROM sessions ORDER BY random() LIMIT 1) "
            "AND question = (SELECT question FROM answers ORDER BY random() LIMIT 1)",
            "nurses": "id = (SELECT id FROM nurses ORDER BY random() LIMIT 1)",
        }[table]
        with contextlib.suppress(sqlite3.IntegrityError):  # a duplicate: not this test's subject
            conn.execute(f'UPDATE {table} SET "{column}" = ? WHERE {where}', (rng.choice(TRICKY),))
    conn.commit()
    conn.close()
    expected = _reference_bad_rows(path)
    source = SourceLog(path)
    try:
        if expected == 0:
            assert source.validate() == 200
            return
        with pytest.raises(StoreError) as info:
            source.validate()
    finally:
        source.close()
    lines = str(info.value).splitlines()[1:]
    described = [line for line in lines if line.startswith("  - ")]
    more = int(lines[-1].split()[2]) if lines[-1].startswith("  en nog") else 0
    assert len(described) + more == expected
