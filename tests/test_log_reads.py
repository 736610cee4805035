"""The log's own reads leave out answers the questionnaire cannot have, so nothing downstream
(the feedback of an earlier session, Mijn voortgang, the trainer) meets them; reopening such a
session says which answer is missing instead of failing inside the scoring."""

import sqlite3

import pytest

from dkdl.cases import load_library
from dkdl.practice import Practice
from dkdl.store import open_log
from tests.steps import CASES
from tests.test_practice import KEY_WOND, WOND_ITEMS, answer_all


@pytest.fixture
def finished(tmp_path, questionnaire, scorer):
    """A log file with one finished session, closed; returns (path, session id, library)."""
    library = load_library([CASES], questionnaire)
    path = tmp_path / "log.db"
    log = open_log(path)
    p = Practice(log, scorer, library)
    s = p.start("Anna", "oefenen", library.by_id("tui-wondzorg-01"))
    answer_all(s, KEY_WOND, WOND_ITEMS)
    p.finish(s)
    log.close()
    return path, s.session_id, library


def craft(path, sql):
    """Change the file behind dkdl's back, as a hand edit or an old importer could."""
    conn = sqlite3.connect(path)
    conn.execute(sql)
    conn.commit()
    conn.close()


@pytest.mark.parametrize(
    "sql, question",
    [
        ("UPDATE answers SET option = 9 WHERE question = 'Q5'", "Q5"),
        ("UPDATE answers SET items = 'zwachtelen,infuus' WHERE question = 'Q12'", "Q12"),
        ("UPDATE answers SET items = 'zwachtelen' WHERE question = 'Q10'", "Q10"),
    ],
)
def test_an_answer_the_questionnaire_lacks_is_left_out_and_reopening_says_so(
    finished, scorer, sql, question
):
    path, sid, library = finished
    craft(path, sql)
    log = open_log(path)
    try:
        assert question not in log.answers(sid)
        assert question not in log.choices_of([sid])[sid]
        # Before: the bad option reached the scorer (IndexError, a traceback in the app). Now
        # the answer is missing, which done_of reports as a ValueError the screens show.
        with pytest.raises(ValueError, match=f"ontbrekend antwoord op {question}"):
            Practice(log, scorer, library).done_of(sid)
    finally:
        log.close()


@pytest.mark.parametrize("suffix", [".json", ".md", ".html"])
def test_a_report_on_such_a_log_is_written_and_names_the_unknown_option(finished, tmp_path, suffix):
    """The trainer's report counts the option as chosen (see docs/report.md) and names it as
    unknown; before, the HTML and Markdown templates ended in a traceback."""
    from dkdl.cli import main

    path, _sid, _library = finished
    craft(path, "UPDATE answers SET option = 9 WHERE question = 'Q5'")
    out = tmp_path / f"verslag{suffix}"
    assert main(["report", "--db", str(path), "--out", str(out), "--cases", str(CASES)]) == 0
    text = out.read_text(encoding="utf-8")
    if suffix != ".json":
        assert "optie 9 (onbekende optie)" in text


@pytest.mark.parametrize(
    "sql, words",
    [
        ("UPDATE sessions SET started_at = ''", "ongeldige begin- of eindtijd"),
        ("UPDATE sessions SET started_at = 12345", "ongeldige begin- of eindtijd"),
        ("UPDATE sessions SET finished_at = '2026-02-30T10:00:00+00:00'", "eindtijd"),
        ("UPDATE sessions SET nurse = 99", "zonder bestaande verpleegkundige"),
    ],
)
def test_report_and_trainer_refuse_a_log_whose_sessions_lack_time_or_nurse(
    finished, tmp_path, capsys, sql, words
):
    """The review counts the whole file at once: a session without a readable time or nurse
    ended `dkdl report` in a traceback (ValueError / KeyError). Now it is refused, named, and
    the file is left as it was."""
    from dkdl.cli import main
    from dkdl.store import StoreError, verify_structure
    from tests.conftest import digest

    path, _sid, _library = finished
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA ignore_check_constraints = ON")
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute(sql)
    conn.commit()
    conn.close()
    before = digest(path)
    out = tmp_path / "verslag.json"
    assert main(["report", "--db", str(path), "--out", str(out), "--cases", str(CASES)]) == 2
    err = capsys.readouterr().err
    assert words in err and str(path) in err and "Traceback" not in err
    assert not out.exists() and digest(path) == before
    with pytest.raises(StoreError, match=words):  # trainer mode's check after the first page
        verify_structure(path)
