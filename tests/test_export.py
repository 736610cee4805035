"""dkdl export: the trainer's columns (key, correct, texts), filters, Excel CSV and XLSX, and the
safety of what is written and where (issues 8 and 9)."""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import stat
import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from dkdl import export, outfile
from dkdl.cases import CaseLibrary, load_library
from dkdl.cli import main
from dkdl.demo import demo_bundle
from dkdl.export import (
    ANSWER_COLUMNS,
    COLUMNS,
    SESSION_SHEET_COLUMNS,
    Target,
    check_target,
    export_log,
    spreadsheet_text,
)
from dkdl.outfile import OutputError
from dkdl.review import Review
from dkdl.scoring import Answers, Scorer
from dkdl.store import merge_bundle, open_log
from tests.conftest import digest

ROOT = Path(__file__).resolve().parents[1]
TEST_CASES = ROOT / "tests" / "data" / "tui_cases"
END = datetime(2026, 3, 1, tzinfo=UTC)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def run_cli(args, capsys):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def test_library(questionnaire):
    lib = load_library([TEST_CASES], questionnaire)
    assert not lib.problems
    return lib


@pytest.fixture(scope="module")
def library(test_library):
    return {c.id: c for c in test_library.cases}


def _session(log, scorer, nurse, mode, case, answers, *, finish=True, items=()):
    """A session through the PracticeLog calls; ``answers`` are (question, option) in order."""
    sid = log.start_session(nurse=nurse, mode=mode, questionnaire=scorer.questionnaire, case=case)
    for question, option in answers:
        chosen = items if question == "Q12" and option == 2 else ()
        log.record_answer(sid, question, option, items=chosen, seconds=4.5)
    if finish:
        options = dict(answers)
        reached = {q: o for q, o in options.items() if q in scorer.reached(options)}
        result = scorer.score(Answers(reached, frozenset(items)))
        log.finish_session(sid, result, case.profile if case and mode != "vrij" else None)
    else:
        log.abandon_session(sid)
    return sid


@pytest.fixture
def trained(tmp_path, questionnaire, library):
    """A log with the cases of the routing and checklist rules, and their session ids."""
    scorer = Scorer(questionnaire)
    wond, kind = library["tui-wondzorg-01"], library["tui-kind-01"]
    key = dict(wond.answers.options)
    path = tmp_path / "log.db"
    ids = {}
    with open_log(path) as log:
        mine = {**key, "Q5": 1}  # one wrong option
        ids["anna"] = _session(
            log, scorer, "Anna", "oefenen", wond, list(mine.items()), items=("complexe_wonden",)
        )
        # Q1 changed to 'child' after Q2 was answered: Q2 is stored but routing skips it
        ids["bea"] = _session(
            log, scorer, "Bea", "oefenen", wond, [("Q1", 1), ("Q2", 1), ("Q1", 2)]
        )
        # the key routes at Q1; her Q2 and Q3 are answers the key does not reach
        ids["kind"] = _session(
            log, scorer, "Anna", "oefenen", kind, [("Q1", 1), ("Q2", 1), ("Q3", 1)], finish=False
        )
        ids["gone"] = _session(log, scorer, "Bea", "oefenen", wond, [("Q1", 1)], finish=False)
        ids["vrij"] = _session(log, scorer, "Anna", "vrij", None, [("Q1", 2)])
        ids["empty"] = log.start_session(nurse="Bea", mode="vrij", questionnaire=questionnaire)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE sessions SET case_id = 'weg-01' WHERE uuid = ?", (ids["gone"],))
    conn.close()
    return path, ids


def _csv_rows(path: Path, **fmt) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh, **fmt))


def _by(rows, session_id):
    return {r["question"]: r for r in rows if r["session_id"] == session_id}


# -- the trainer's columns ---------------------------------------------------------------------


def test_every_answer_row_carries_question_key_and_correct(trained, tmp_path, capsys):
    path, ids = trained
    out = tmp_path / "x.csv"
    code, _, err = run_cli(["export", "--db", path, "--out", out, "--cases", TEST_CASES], capsys)
    assert code == 0, err
    rows = _csv_rows(out)
    assert list(rows[0]) == list(COLUMNS)
    anna = _by(rows, ids["anna"])
    assert anna["Q4"]["correct"] == "1" and anna["Q4"]["key_option"] == "1"
    assert anna["Q4"]["axis"] == "Draagkracht"
    assert anna["Q4"]["question_title"] == "Psychisch functioneren en gedrag"
    assert anna["Q4"]["option_text"].startswith("De cliënt heeft geen psychische")  # no '**'
    assert anna["Q5"]["option"] == "1" and anna["Q5"]["key_option"] == "2"
    assert anna["Q5"]["correct"] == "0"
    # Q12: same option, one item missing -> not correct; the key's items in the key's order
    assert anna["Q12"]["option"] == "2" and anna["Q12"]["key_option"] == "2"
    assert anna["Q12"]["items"] == "complexe_wonden"
    assert anna["Q12"]["key_items"] == "complexe_wonden,zwachtelen"
    assert anna["Q12"]["correct"] == "0"
    assert anna["Q1"]["axis"] == ""  # routing questions have no axis
    assert sum(r["correct"] == "1" for r in anna.values()) == 10
    # routing: her Q1 = 2 ends her questionnaire; her stored Q2 is no answer
    bea = _by(rows, ids["bea"])
    assert bea["Q1"]["correct"] == "0" and bea["Q1"]["key_option"] == "1"
    assert bea["Q2"]["correct"] == "" and bea["Q2"]["key_option"] == "1"
    # the key routes at Q1: her Q2 has no key option and does not count
    kind = _by(rows, ids["kind"])
    assert kind["Q1"]["key_option"] == "2" and kind["Q1"]["correct"] == "0"
    assert kind["Q2"]["key_option"] == "" and kind["Q2"]["correct"] == ""
    # a case not in the library, and a free registration: no key fields, texts still there
    for session in ("gone", "vrij"):
        row = _by(rows, ids[session])["Q1"]
        assert row["key_option"] == row["correct"] == row["key_items"] == ""
        assert row["question_title"] == "Medische kindzorg thuis"
    empty = _by(rows, ids["empty"])
    assert list(empty) == [""] and all(empty[""][c] == "" for c in ANSWER_COLUMNS)
    with open_log(path, readonly=True) as log:
        installation = log.installation_id
    assert {(r["laptop"], r["installation"]) for r in rows} == {("1", installation)}


def test_no_key_when_the_cases_key_profile_changed_since(trained, tmp_path, capsys):
    """As the review: a session done when the case's key gave another profile is not compared
    with today's key (its answers were right or wrong against a key that no longer exists)."""
    path, ids = trained
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE sessions SET key_profile = 'DKDL1' WHERE uuid = ?", (ids["anna"],))
    conn.close()
    out = tmp_path / "x.csv"
    code, _, err = run_cli(["export", "--db", path, "--out", out, "--cases", TEST_CASES], capsys)
    assert code == 0, err
    rows = _csv_rows(out)
    anna = _by(rows, ids["anna"])
    assert all(r["key_option"] == r["correct"] == "" for r in anna.values())
    assert anna["Q5"]["question_title"]  # the question texts stay
    assert _by(rows, ids["bea"])["Q1"]["key_option"] == "1"  # other sessions keep their key


def test_empty_selection_says_so(trained, tmp_path, capsys):
    path, _ = trained
    out = tmp_path / "x.csv"
    code, _, err = run_cli(["export", "--db", path, "--out", out, "--nurse", "Niemand"], capsys)
    assert code == 0 and "geen sessies bij deze keuze" in err
    assert out.read_text(encoding="utf-8").startswith("session_id,")  # the header only
    assert len(out.read_text(encoding="utf-8").splitlines()) == 1


def test_jsonl_has_lists_and_booleans(trained, questionnaire, test_library):
    path, ids = trained
    buffer = io.BytesIO()
    with open_log(path, readonly=True) as log:
        review = Review(log, test_library, questionnaire)
        rows = export_log(review, "jsonl", Target(None), stdout=buffer)
    records = [json.loads(line) for line in buffer.getvalue().decode("utf-8").splitlines()]
    assert len(records) == rows
    q12 = next(r for r in records if r["session_id"] == ids["anna"] and r["question"] == "Q12")
    assert q12["items"] == ["complexe_wonden"]
    assert q12["key_items"] == ["complexe_wonden", "zwachtelen"]
    assert q12["correct"] is False and q12["match"] is False
    bea_q2 = next(r for r in records if r["session_id"] == ids["bea"] and r["question"] == "Q2")
    assert bea_q2["correct"] is None and bea_q2["seconds"] == 4.5


def test_export_of_a_demo_log_has_every_answer(tmp_path, cases, questionnaire):
    path = tmp_path / "log.db"
    with open_log(path) as log:
        merge_bundle(log, demo_bundle(30, 3, seed=1, end=END, cases=cases))
    buffer = io.BytesIO()
    with open_log(path, readonly=True) as log:
        review = Review(log, CaseLibrary(list(cases), []), questionnaire)
        rows = export_log(review, "jsonl", Target(None), stdout=buffer)
        answers = log.counts()["answers"]
        empty = sum(1 for s in log.sessions() if not log.answers(s.id))
    assert rows == answers + empty == len(buffer.getvalue().splitlines())
    records = [json.loads(line) for line in buffer.getvalue().splitlines()]
    keyed = [r for r in records if r["mode"] != "vrij" and r["status"] == "afgerond"]
    # a finished session whose every counted answer is right has the key's profile
    by_session: dict[str, list] = {}
    for r in keyed:
        by_session.setdefault(r["session_id"], []).append(r)
    for rs in by_session.values():
        if all(r["correct"] is not False for r in rs):
            assert rs[0]["match"] is True


# -- filters -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_log(tmp_path_factory, cases):
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    with open_log(path) as log:
        merge_bundle(log, demo_bundle(400, 4, seed=7, end=END, cases=cases))
    return path


def _sessions(path: Path) -> list[dict[str, str]]:
    seen: dict[str, dict[str, str]] = {}
    for row in _csv_rows(path):
        seen.setdefault(row["session_id"], row)
    return list(seen.values())


def test_filters_select_as_report_does(demo_log, tmp_path, capsys):
    def export_with(*extra):
        out = tmp_path / "f.csv"
        code, _, err = run_cli(
            ["export", "--db", demo_log, "--out", out, "--force", *extra], capsys
        )
        assert code == 0, err
        return _sessions(out)

    everything = export_with()
    nurse = everything[0]["nurse"]
    assert {s["nurse"] for s in export_with("--nurse", nurse)} == {nurse}
    case = next(s["case_id"] for s in everything if s["case_id"])
    assert {s["case_id"] for s in export_with("--case", case)} == {case}
    assert {s["mode"] for s in export_with("--mode", "toets")} == {"toets"}

    def local_day(s):  # the review's periods are in local time
        return datetime.fromisoformat(s["started_at"]).astimezone().date().isoformat()

    days = sorted(local_day(s) for s in everything)
    middle = days[len(days) // 2]
    period = export_with("--since", middle, "--until", middle)
    assert period and {local_day(s) for s in period} == {middle}
    assert len(period) == days.count(middle)
    # every finished attempt with a key; and of those, each nurse's first per case
    all_attempts = export_with("--attempts", "all")
    assert {(s["status"], s["mode"] in ("oefenen", "toets")) for s in all_attempts} == {
        ("afgerond", True)
    }
    first = export_with("--attempts", "first")
    pairs = [(s["nurse"], s["laptop"], s["case_id"]) for s in first]
    assert len(pairs) == len(set(pairs)) < len(all_attempts)
    earliest = {}
    for s in sorted(all_attempts, key=lambda s: s["started_at"]):
        earliest.setdefault((s["nurse"], s["laptop"], s["case_id"]), s["session_id"])
    assert {s["session_id"] for s in first} == set(earliest.values())


@pytest.mark.parametrize(
    ("args", "phrase"),
    [
        (["--since", "gisteren"], "geen datum"),
        (["--until", "2026-02-30"], "geen datum"),
        (["--since", "2026-03-02", "--until", "2026-03-01"], "ligt na de einddatum"),
        (["--mode", "spelen"], "ongeldige keuze"),
        (["--attempts", "some"], "ongeldige keuze"),
        (["--excel", "--format", "jsonl"], "--excel hoort bij CSV"),
    ],
)
def test_bad_filter_values_are_refused_in_dutch(demo_log, tmp_path, capsys, args, phrase):
    out = tmp_path / "x.csv"
    with pytest.raises(SystemExit) if "ongeldige" in phrase else _no_exit():
        code, _, err = run_cli(["export", "--db", demo_log, "--out", out, *args], capsys)
        assert code == 2 and phrase in err and "Traceback" not in err
    if "ongeldige" in phrase:
        assert phrase in capsys.readouterr().err
    assert not out.exists()


class _no_exit:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


# -- Excel -------------------------------------------------------------------------------------


def test_excel_csv_is_what_dutch_excel_opens(trained, tmp_path, capsys):
    path, ids = trained
    out = tmp_path / "x.csv"
    code, _, err = run_cli(
        ["export", "--db", path, "--out", out, "--excel", "--cases", TEST_CASES], capsys
    )
    assert code == 0, err
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf" + b"session_id;nurse;laptop;")
    assert b"\r\n" in data and data.count(b"\n") == data.count(b"\r\n")
    rows = _csv_rows(out, delimiter=";")
    row = _by(rows, ids["anna"])["Q12"]
    assert row["seconds"] == "4,5"  # decimal comma
    assert row["items"] == "complexe_wonden" and row["key_items"] == "complexe_wonden,zwachtelen"
    assert len(row["answered_at"]) == 19 and row["answered_at"][10] == " "  # Excel reads it
    datetime.strptime(row["started_at"], "%Y-%m-%d %H:%M:%S")


def test_xlsx_has_dates_filters_and_widths(trained, tmp_path, capsys):
    path, ids = trained
    out = tmp_path / "x.xlsx"
    code, _, err = run_cli(["export", "--db", path, "--out", out, "--cases", TEST_CASES], capsys)
    assert code == 0, err
    wb = load_workbook(out)
    assert wb.sheetnames == ["antwoorden", "sessies"]
    ws = wb["antwoorden"]
    header = [c.value for c in ws[1]]
    assert header == list(COLUMNS)
    assert ws.auto_filter.ref == f"A1:{ws.cell(1, len(COLUMNS)).column_letter}{ws.max_row}"
    assert ws.freeze_panes == "A2"
    col = {name: i + 1 for i, name in enumerate(header)}
    text_width = ws.column_dimensions[ws.cell(1, col["option_text"]).column_letter].width
    assert text_width >= 40 and ws.column_dimensions["A"].width >= 36
    started = ws.cell(2, col["started_at"])
    assert isinstance(started.value, datetime) and started.number_format == "yyyy-mm-dd hh:mm:ss"
    assert abs(started.value - datetime.now(UTC).replace(tzinfo=None)).total_seconds() < 3600
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    q5 = next(
        r
        for r in rows
        if r[col["session_id"] - 1] == ids["anna"] and r[col["question"] - 1] == "Q5"
    )
    assert q5[col["correct"] - 1] == 0 and q5[col["key_option"] - 1] == 2
    assert isinstance(q5[col["seconds"] - 1], float)
    sessions = wb["sessies"]
    assert [c.value for c in sessions[1]] == list(SESSION_SHEET_COLUMNS)
    assert sessions.auto_filter.ref.startswith("A1:")
    anna = next(r for r in sessions.iter_rows(min_row=2, values_only=True) if r[0] == ids["anna"])
    assert anna[-3:] == (12, 12, 10)  # answers, compared with the key, correct


def test_xlsx_beyond_the_row_limit_is_refused_with_advice(trained, tmp_path, capsys, monkeypatch):
    path, _ = trained
    monkeypatch.setattr(export, "XLSX_MAX_ROWS", 5)
    out = tmp_path / "x.xlsx"
    code, _, err = run_cli(["export", "--db", path, "--out", out], capsys)
    assert code == 2
    assert "passen niet in één Excel-blad" in err and "--format csv" in err and "--nurse" in err
    assert not out.exists() and list(tmp_path.glob(".x.xlsx*")) == []
    code, _, err = run_cli(["export", "--db", path, "--out", out, "--nurse", "Bea"], capsys)
    assert code == 0, err  # Bea's 4 rows and the header fit


# -- formulas and control characters -----------------------------------------------------------


CRAFTED = {
    "nurse": '=HYPERLINK("http://example.invalid","klik")',
    "case_id": "+cmd|' /C calc'!A0",
    "profile": "@SUM(1+1)*cmd|' /C calc'!A0",
    "test_id": "\t=1+2",
    "key_profile": "\r=1+2",
    "items": "-2+3",
    "option": "=1+2",
    "answered_at": "=NOW()",
    "question": "\x1b]52;c;aGVsbG8=\x07Q1",
}


@pytest.fixture
def crafted(trained):
    """The trained log with formulas and control codes in text and number columns."""
    path, ids = trained
    with sqlite3.connect(path) as conn:
        conn.execute(
            "UPDATE nurses SET pseudonym = ? WHERE pseudonym = 'Anna'", (CRAFTED["nurse"],)
        )
        conn.execute(
            "UPDATE sessions SET case_id = ?, profile = ?, test_id = ?, key_profile = ? "
            "WHERE uuid = ?",
            (CRAFTED["case_id"], CRAFTED["profile"], CRAFTED["test_id"], CRAFTED["key_profile"],
             ids["anna"]),
        )  # fmt: skip
        conn.execute(
            "UPDATE answers SET items = ?, option = ?, answered_at = ? WHERE question = 'Q12'",
            (CRAFTED["items"], CRAFTED["option"], CRAFTED["answered_at"]),
        )
        conn.execute(
            "UPDATE answers SET question = ? WHERE question = 'Q11'", (CRAFTED["question"],)
        )
    conn.close()
    return path


def _assert_harmless(value):
    if isinstance(value, str):
        assert not value.startswith(FORMULA_START), value
        assert value.isprintable(), value


def test_formulas_are_neutralised_in_csv_and_excel_csv(crafted, tmp_path, capsys):
    for extra, fmt in (([], {}), (["--excel"], {"delimiter": ";"})):
        out = tmp_path / "x.csv"
        code, _, err = run_cli(["export", "--db", crafted, "--out", out, "--force", *extra], capsys)
        assert code == 0, err
        rows = _csv_rows(out, **fmt)
        cells = [v for row in rows for v in row.values()]
        for value in cells:
            _assert_harmless(value)
        for name, text in CRAFTED.items():
            if name != "question":
                assert "'" + text.replace("\t", "\\t").replace("\r", "\\r") in cells, name
        assert "\\x1b]52;c;aGVsbG8=\\x07Q1" in cells  # ESC and BEL written out, text kept


def test_formulas_are_text_in_xlsx(crafted, tmp_path, capsys):
    out = tmp_path / "x.xlsx"
    code, _, err = run_cli(["export", "--db", crafted, "--out", out], capsys)
    assert code == 0, err  # no traceback on control characters (openpyxl refuses them)
    wb = load_workbook(out)
    seen = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", cell.value
                _assert_harmless(cell.value)
                seen.append(cell.value)
    assert "'" + CRAFTED["nurse"] in seen and "'" + CRAFTED["option"] in seen


def test_jsonl_keeps_text_but_never_control_codes(crafted, tmp_path, capsys):
    code = main(["export", "--db", str(crafted), "--format", "jsonl", "--out", "-"])
    out = capsys.readouterr().out
    assert code == 0 and "\x1b" not in out and "\x07" not in out
    records = [json.loads(line) for line in out.splitlines()]
    assert CRAFTED["nurse"] in {r["nurse"] for r in records}  # data, not a spreadsheet
    assert CRAFTED["question"] in {r["question"] for r in records}  # escaped, the same value


def test_spreadsheet_text():
    assert spreadsheet_text("=1+2") == "'=1+2"
    assert spreadsheet_text("-5") == "'-5"
    assert spreadsheet_text("Anna") == "Anna"
    assert spreadsheet_text("a\x1b[31mb\x9b") == "a\\x1b[31mb\\x9b"
    assert spreadsheet_text("\t=1") == "'\\t=1"
    assert spreadsheet_text("\u202eAnna") == "\\u202eAnna"  # bidi override written out


# -- where the output goes ---------------------------------------------------------------------


def test_existing_file_is_refused_without_force(trained, tmp_path, capsys):
    path, _ = trained
    out = tmp_path / "x.csv"
    out.write_text("van iemand anders\n", encoding="utf-8")
    before = digest(out)
    code, _, err = run_cli(["export", "--db", path, "--out", out], capsys)
    assert code == 2 and str(out) in err and "--force" in err and "bestaat al" in err
    assert digest(out) == before
    code, _, err = run_cli(["export", "--db", path, "--out", out, "--force"], capsys)
    assert code == 0, err
    assert out.read_text(encoding="utf-8").startswith("session_id,")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".x.csv")] == []


def test_file_appearing_during_the_export_is_not_replaced(tmp_path):
    tmp, out = tmp_path / "tmp", tmp_path / "out.csv"
    tmp.write_text("nieuw", encoding="utf-8")
    out.write_text("van iemand anders", encoding="utf-8")
    with pytest.raises(OutputError, match="bestaat al"):
        outfile._move_into_place(tmp, out, replace=False)
    assert out.read_text(encoding="utf-8") == "van iemand anders"


def test_symlink_is_refused_and_its_target_untouched(trained, tmp_path, capsys):
    path, _ = trained
    victim = tmp_path / "belangrijk.txt"
    victim.write_text("niet aankomen", encoding="utf-8")
    link = tmp_path / "x.csv"
    try:
        link.symlink_to(victim)
    except (OSError, NotImplementedError):
        pytest.skip("symlinks cannot be made here")
    for extra in ([], ["--force"]):
        code, _, err = run_cli(["export", "--db", path, "--out", link, *extra], capsys)
        assert code == 2 and "symbolische link" in err and str(link) in err
    assert link.is_symlink() and victim.read_text(encoding="utf-8") == "niet aankomen"
    with pytest.raises(OutputError, match="symbolische link"):  # a dangling one too
        victim.unlink()
        check_target(link, force=True)


def test_folder_and_missing_folder_are_refused(trained, tmp_path, capsys):
    path, _ = trained
    code, _, err = run_cli(["export", "--db", path, "--out", tmp_path], capsys)
    assert code == 2 and "is een map" in err
    code, _, err = run_cli(["export", "--db", path, "--out", tmp_path / "nee" / "x.csv"], capsys)
    assert code == 2 and "bestaat niet" in err


@pytest.mark.skipif(not Path("/dev/null").exists(), reason="needs /dev/null")
def test_device_is_written_through_not_replaced(trained, capsys):
    path, _ = trained
    code, _, err = run_cli(
        ["export", "--db", path, "--out", "/dev/null", "--format", "csv"], capsys
    )
    assert code == 0, err
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    code, _, err = run_cli(
        ["export", "--db", path, "--out", "/dev/null", "--format", "xlsx"], capsys
    )
    assert code == 0, err
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_is_written_through(trained, tmp_path, capsys):
    path, _ = trained
    fifo = tmp_path / "pijp"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    code, _, err = run_cli(["export", "--db", path, "--out", fifo, "--format", "csv"], capsys)
    reader.join(timeout=30)
    assert code == 0, err
    assert received and received[0].startswith(b"session_id,")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


# -- interruptions -----------------------------------------------------------------------------

_SLOW_EXPORT = """
import sys, time
from pathlib import Path
from dkdl import export

real = export.export_sessions

def slow(*args, **kwargs):
    for n, record in enumerate(real(*args, **kwargs)):
        yield record
        if n == 2:
            Path(sys.argv[1]).write_text("ready")
            time.sleep(60)

export.export_sessions = slow
from dkdl.cli import main
sys.exit(main(sys.argv[2:]))
"""


@pytest.mark.skipif(os.name == "nt", reason="POSIX signals")
@pytest.mark.parametrize(("fmt", "signum", "code"), [("csv", 15, 143), ("xlsx", 2, 130)])
def test_interrupted_export_leaves_no_files_and_no_traceback(trained, tmp_path, fmt, signum, code):
    import signal
    import time

    path, _ = trained
    folder = tmp_path / "uit"
    folder.mkdir()
    scratch = tmp_path / "tmp"  # openpyxl's own temporary files go here
    scratch.mkdir()
    ready = tmp_path / "ready"
    out = folder / f"x.{fmt}"
    env = {**os.environ, "TMPDIR": str(scratch), "TEMP": str(scratch), "TMP": str(scratch)}
    proc = subprocess.Popen(
        [sys.executable, "-c", _SLOW_EXPORT, str(ready), "export", "--db", str(path),
         "--out", str(out)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not ready.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert ready.exists(), proc.communicate()
    assert list(folder.iterdir()), "the temporary file should exist while writing"
    proc.send_signal(signal.SIGTERM if signum == 15 else signal.SIGINT)
    _, err = proc.communicate(timeout=90)  # a loaded shared machine can be slow
    text = err.decode("utf-8")
    assert proc.returncode == code, text
    assert "Traceback" not in text and "export afgebroken" in text
    assert list(folder.iterdir()) == []
    assert list(scratch.iterdir()) == []
