"""Mijn voortgang's figures (dkdl/progress.py) on small hand-computed logs, on both logs."""

from __future__ import annotations

import sqlite3

import pytest

from dkdl.cases import CaseLibrary
from dkdl.practice import answers_from_records
from dkdl.progress import Rate, close_names, has_practised, practised_names, progress_of
from dkdl.sessionlog import MemoryLog
from dkdl.store import open_log

IMPLEMENTATIONS = {
    "memory": lambda tmp_path: MemoryLog(),
    "sqlite": lambda tmp_path: open_log(tmp_path / "log.db"),
}


@pytest.fixture(params=sorted(IMPLEMENTATIONS))
def log(request, tmp_path):
    return IMPLEMENTATIONS[request.param](tmp_path)


def case(cases, case_id):
    return next(c for c in cases if c.id == case_id)


def practise(log, scorer, nurse, the_case, changes=None, items=None, *, mode="oefenen", **kw):
    """A finished session of ``nurse`` on ``the_case``: the key's answers with ``changes``
    (and the Q12 items, when given). Answers are stored in questionnaire order, so an answer
    set whose Q1 routes stores the later answers too (she went back and changed Q1)."""
    options = dict(the_case.answers.options)
    options.update(changes or {})
    ticked = set(the_case.answers.items if items is None else items)
    sid = log.start_session(
        nurse=nurse, mode=mode, questionnaire=scorer.questionnaire, case=the_case, **kw
    )
    for qid, code in options.items():
        log.record_answer(
            sid, qid, code, tuple(sorted(ticked)) if qid == "Q12" and code == 2 else ()
        )
    result = scorer.score(answers_from_records(scorer, options, ticked))
    log.finish_session(sid, result, the_case.profile if mode != "vrij" else None)
    return sid


@pytest.fixture
def library(cases):
    ids = ["herstel-knieprothese-01", "wondzorg-huidscheur-01", "kindzorg-ileostoma-01"]
    return CaseLibrary([case(cases, i) for i in ids] + [case(cases, "ptz-hartfalen-01")], [])


def hand_log(log, scorer, library):
    """Anna's history (see test_figures_on_a_hand_computed_log for what each session is)."""
    a, b, c, d = library.cases
    assert a.answers.options["Q5"] == 1 and a.answers.options["Q12"] == 1
    assert b.answers.items == {"zwachtelen"} and c.profile == "KINDZORG"
    practise(log, scorer, "Anna", a, {"Q5": 2})  # 1: soms vergeetachtig: DKDL7, not DKDL1
    free = log.start_session(nurse="Anna", mode="vrij", questionnaire=scorer.questionnaire)
    log.record_answer(free, "Q1", 2)
    log.finish_session(free, scorer.score(answers_from_records(scorer, {"Q1": 2}, set())), None)
    gone = log.start_session(
        nurse="Anna", mode="oefenen", questionnaire=scorer.questionnaire, case=b
    )
    log.record_answer(gone, "Q1", 2)
    log.abandon_session(gone)  # abandoned: never counts
    practise(log, scorer, "Anna", b, items={"zwachtelen", "complexe_wonden"})  # 4: one item more
    practise(log, scorer, "Anna", a, {"Q1": 2})  # 5: Q1 changed to 2 after answering all
    toets = log.start_toets(nurse="Anna", case_ids=[c.id, d.id])
    practise(log, scorer, "Anna", c, mode="toets", test_id=toets)  # 6: right
    practise(log, scorer, "Bram", d, {"Q2": 1, "Q3": 1, **dict.fromkeys(a.answers.options, 1)})
    return toets


def test_figures_on_a_hand_computed_log(log, scorer, library):
    toets = hand_log(log, scorer, library)
    p = progress_of(log, scorer, library, "Anna", recent=2)
    # counted: 1, 4, 5, 6 (not the free registration, not the abandoned one, not Bram's)
    assert [s.case_id for s in p.sessions] == [
        "herstel-knieprothese-01",
        "wondzorg-huidscheur-01",
        "herstel-knieprothese-01",
        "kindzorg-ileostoma-01",
    ]
    assert [s.right for s in p.sessions] == [False, False, False, True]
    assert [s.mode for s in p.sessions] == ["oefenen", "oefenen", "oefenen", "toets"]
    assert p.sessions[0].profile == "DKDL7" and p.sessions[0].key_profile == "DKDL1"
    assert p.sessions[0].case_title == library.cases[0].title
    assert p.recent == 2
    # earlier = sessions 1 and 4; recent = 5 and 6
    q1 = p.question("Q1")
    assert (q1.earlier, q1.recent, q1.overall) == (Rate(2, 2), Rate(1, 2), Rate(3, 4))
    # session 5 routed out at Q1 (its stored Q2..Q12 are not answers); the key of 6 too
    q2 = p.question("Q2")
    assert (q2.earlier, q2.recent, q2.overall) == (Rate(2, 2), Rate(0, 0), Rate(2, 2))
    assert p.question("Q5").overall == Rate(1, 2)
    # Q12: the same option with another item is not the same answer
    assert p.question("Q12").overall == Rate(1, 2)
    assert p.question("Q10").overall == Rate(2, 2)
    assert p.question("Q2").recent.share is None and p.question("Q5").overall.share == 0.5
    assert [qp.qid for qp in p.questions] == [f"Q{i}" for i in range(1, 13)]
    assert p.question("Q10").title == "Wassen/douchen" and p.question("Q10").axis == (
        "ondersteuningsbehoefte"
    )
    axes = {axis: (earlier, recent, overall) for axis, earlier, recent, overall in p.axes}
    assert list(axes) == ["draagkracht", "draaglast", "ondersteuningsbehoefte"]
    assert axes["draagkracht"] == (Rate(5, 6), Rate(0, 0), Rate(5, 6))
    assert axes["draaglast"] == (Rate(4, 4), Rate(0, 0), Rate(4, 4))
    assert axes["ondersteuningsbehoefte"] == (Rate(7, 8), Rate(0, 0), Rate(7, 8))
    # weakest: Q5 and Q12 at 1/2 (one miss each; questionnaire order), then Q1 at 3/4
    assert [w.qid for w in p.weakest] == ["Q5", "Q12", "Q1"]
    q5, q12, q1w = p.weakest
    assert (q5.her_option, q5.key_option) == (2, 1)
    assert q5.her_option_text == "De cliënt heeft **soms** geheugenproblemen (bijv. af en toe " + (
        "vergeetachtig ten gevolge van het ouder worden)."
    )
    assert q5.key_option_text == "De cliënt heeft **geen** geheugenproblemen."
    assert q5.question_text == "Geheugen" and q5.rate == Rate(1, 2)
    assert "vergeetachtig" in q5.explanation and "verminderd draagkrachtig" in q5.explanation
    assert "geen tekst van de NZa" in p.explanation_label  # how the screen labels them
    assert (q12.her_option, q12.key_option) == (2, 2) and "Steunkousen" in q12.explanation
    assert (q1w.her_option, q1w.key_option) == (2, 1)
    assert [c.id for c in p.not_done] == ["ptz-hartfalen-01"]  # Bram's session is not hers
    assert len(p.toetsen) == 1
    t = p.toetsen[0]
    assert (t.toets_id, t.right, t.total, t.finished) == (toets, 1, 2, False)


def test_a_nurse_without_history_has_empty_figures(log, scorer, library):
    hand_log(log, scorer, library)
    p = progress_of(log, scorer, library, "Nieuw")
    assert p.sessions == () and p.weakest == () and p.toetsen == ()
    assert all(qp.overall == Rate(0, 0) for qp in p.questions)
    assert [c.id for c in p.not_done] == [c.id for c in library.cases]


def test_who_has_practised_is_read_from_sessions_and_toetsen_only(log, scorer, library):
    hand_log(log, scorer, library)
    log.remember_nurse("Cor")  # typed on the start screen, never practised
    free = log.start_session(nurse="Eva", mode="vrij", questionnaire=scorer.questionnaire)
    log.abandon_session(free)  # an abandoned vrije registratie is still a session of hers
    log.start_toets(nurse="dora", case_ids=[library.cases[0].id])  # a toets, no session yet
    assert practised_names(log) == ["Anna", "Bram", "dora", "Eva"]
    assert [has_practised(log, n) for n in ("Anna", "Eva", "dora", "Cor", "anna", "Nieuw")] == [
        True,
        True,
        True,
        False,
        False,
        False,
    ]


def test_a_crafted_name_in_the_file_is_not_offered(tmp_path, scorer, library):
    """A name another tool wrote that no pseudonym may be (a spreadsheet formula) is never
    named to her, though its toets row is there."""
    path = tmp_path / "log.db"
    with open_log(path) as log:
        hand_log(log, scorer, library)
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO nurses (pseudonym) VALUES ('=HYPERLINK(1)')")
        conn.execute(
            "INSERT INTO toetsen (uuid, nurse, started_at, status) VALUES "
            "(?, (SELECT id FROM nurses WHERE pseudonym = '=HYPERLINK(1)'), ?, 'bezig')",
            ("00000000-0000-4000-8000-000000000001", "2026-01-01T00:00:00+00:00"),
        )
    with open_log(path) as log:
        assert practised_names(log) == ["Anna", "Bram"]


def test_close_names_finds_a_typo_and_other_capitals():
    names = ["Anna", "Annemiek", "Bram", "wv-07"]
    assert close_names("Anan", names)[0] == "Anna"
    assert close_names("anna", names)[0] == "Anna"
    assert close_names("WV-07", names) == ["wv-07"]
    assert close_names("Zeynep", names) == []
    assert close_names("Anna", ["anna", "Anna"]) == ["Anna", "anna"]


def test_her_finished_free_registrations_are_listed_apart_and_never_counted(log, scorer, library):
    hand_log(log, scorer, library)
    counted_before = progress_of(log, scorer, library, "Anna")
    log.start_session(nurse="Anna", mode="vrij", questionnaire=scorer.questionnaire)  # open
    p = progress_of(log, scorer, library, "Anna")
    (free,) = [s for s in log.sessions("Anna") if s.mode == "vrij" and s.status == "afgerond"]
    assert [(f.session_id, f.started_at, f.profile) for f in p.free] == [
        (free.id, free.started_at, free.profile)
    ]
    assert free.profile == scorer.score(answers_from_records(scorer, {"Q1": 2}, set())).profile
    assert free.id not in {point.session_id for point in p.sessions}
    assert (p.sessions, p.questions) == (counted_before.sessions, counted_before.questions)
    assert progress_of(log, scorer, library, "Bram").free == ()


def test_recent_covers_everything_when_she_has_fewer_sessions(log, scorer, library):
    hand_log(log, scorer, library)
    p = progress_of(log, scorer, library, "Anna", recent=10)
    assert all(qp.earlier == Rate(0, 0) for qp in p.questions)
    assert p.question("Q1").recent == Rate(3, 4)


def test_a_case_gone_from_the_library_counts_for_the_profile_only(log, scorer, library):
    hand_log(log, scorer, library)
    smaller = CaseLibrary(library.cases[1:], [])  # the knee case is gone
    p = progress_of(log, scorer, smaller, "Anna", recent=2)
    assert len(p.sessions) == 4 and p.sessions[0].case_title == ""
    # only session 4 is compared per question: her Q5 mistake on the knee case is not counted
    assert p.question("Q5").overall == Rate(1, 1)
    assert p.question("Q12").overall == Rate(0, 1)
    assert p.question("Q1").overall == Rate(2, 2)


def test_a_changed_key_profile_is_not_compared_per_question(log, scorer, library):
    hand_log(log, scorer, library)
    knee = library.cases[0]
    other = type(knee)(
        knee.data, knee.path, knee.content_hash, knee.answers, library.cases[2].result
    )
    p = progress_of(log, scorer, CaseLibrary([other, *library.cases[1:]], []), "Anna", recent=2)
    assert p.question("Q5").overall == Rate(1, 1)  # sessions 1 and 5 are not compared
    assert p.question("Q1").overall == Rate(2, 2)
    assert len(p.sessions) == 4


def test_choices_of_reads_many_sessions_as_answers_does(log, scorer, library):
    hand_log(log, scorer, library)
    ids = [s.id for s in log.sessions("Anna")]
    batch = log.choices_of([*ids, "00000000-0000-4000-8000-000000000000"])
    assert set(batch) == set(ids)
    for sid in ids:
        assert batch[sid] == {q: (r.option, r.items) for q, r in log.answers(sid).items()}
    assert any(items for choices in batch.values() for _, items in choices.values())
    assert log.choices_of([]) == {}


@pytest.mark.parametrize(
    "column,value,question",
    [
        ("option", "'=1+2'", "Q5"),  # text where a number belongs
        ("option", "1.5", "Q5"),  # a real, not an integer
        ("items", "'zwachtelen,=cmd'", "Q12"),  # an item that is not an item
        ("items", "'zwachtelen,zwachtelen'", "Q12"),
        ("seconds", "-1", "Q12"),  # a column progress does not use: left out all the same
        ("answered_at", "'gisteren'", "Q5"),
    ],
)
def test_choices_of_leaves_out_a_crafted_row(tmp_path, scorer, library, column, value, question):
    with open_log(tmp_path / "log.db") as log:
        hand_log(log, scorer, library)
        fourth = [s.id for s in log.sessions("Anna") if s.status == "afgerond"][2]
        assert log.answers(fourth)["Q12"].items == ("complexe_wonden", "zwachtelen")
    conn = sqlite3.connect(tmp_path / "log.db")
    conn.execute("PRAGMA ignore_check_constraints = ON")
    conn.execute(
        f"UPDATE answers SET {column} = {value} WHERE question = ? AND session = "
        "(SELECT id FROM sessions WHERE uuid = ?)",
        (question, fourth),
    )
    conn.commit()
    conn.close()
    with open_log(tmp_path / "log.db") as log:
        choices = log.choices_of([fourth])[fourth]
        assert question not in log.answers(fourth)  # the other read refuses it...
        assert question not in choices and "Q4" in choices  # ...and so does this one
        p = progress_of(log, scorer, library, "Anna")
        assert p.question(question).overall.counted == 1  # only session 1 counts there


def test_an_option_the_questionnaire_does_not_have_is_not_an_answer(tmp_path, scorer, library):
    """An option number the questionnaire lacks (a hand-edited log) is left out by the log's
    reads, so her figures never count (or crash on) it."""
    with open_log(tmp_path / "log.db") as log:
        hand_log(log, scorer, library)
        fourth = [s.id for s in log.sessions("Anna") if s.status == "afgerond"][2]
    conn = sqlite3.connect(tmp_path / "log.db")
    conn.execute(
        "UPDATE answers SET option = 9 WHERE question = 'Q5' AND session = "
        "(SELECT id FROM sessions WHERE uuid = ?)",
        (fourth,),
    )
    conn.commit()
    conn.close()
    with open_log(tmp_path / "log.db") as log:
        assert "Q5" not in log.choices_of([fourth])[fourth]
        p = progress_of(log, scorer, library, "Anna")
        assert p.question("Q5").overall == Rate(0, 1)  # session 1 only
        assert p.weakest[0].qid == "Q5" and p.weakest[0].her_option == 2


def test_the_figures_add_up_what_her_feedback_showed(tmp_path, scorer, cases):
    """On demo practice (routing slips, item mistakes, toetsen, abandoned and free sessions),
    each question's figures are the sum of the feedback of each counted session: the same
    comparison she saw after every case, one way."""
    from datetime import UTC, datetime

    from dkdl.demo import demo_bundle
    from dkdl.feedback import Feedback
    from dkdl.practice import Practice
    from dkdl.store import merge_bundle

    library = CaseLibrary(cases, [])
    with open_log(tmp_path / "demo.db") as log:
        merge_bundle(log, demo_bundle(160, 3, seed=5, end=datetime(2026, 3, 1, tzinfo=UTC)))
        practice = Practice(log, scorer, library)
        for nurse in log.nurses():
            p = progress_of(log, scorer, library, nurse, recent=7)
            expected = {qid: [0, 0] for qid in scorer.question_ids}
            for point in p.sessions:
                feedback = Feedback(practice.done_of(point.session_id), scorer)
                assert feedback.right == point.right
                for v in feedback.compared:
                    expected[v.question_id][0] += v.same
                    expected[v.question_id][1] += 1
            assert {qp.qid: [qp.overall.right, qp.overall.counted] for qp in p.questions} == (
                expected
            )
            assert sum(qp.recent.counted for qp in p.questions) <= 7 * len(scorer.question_ids)
            assert len(p.sessions) > 10
