"""The practice model (dkdl/practice.py) against both logs, without Textual: sessions, toetsen,
resuming after a crash, and rebuilding a finished session's feedback from the log."""

from __future__ import annotations

import pytest

from dkdl import practice as practice_module
from dkdl.cases import load_library
from dkdl.practice import Practice, Session
from dkdl.sessionlog import AFGEBROKEN, AFGEROND, BEZIG, MemoryLog
from dkdl.store import open_log
from tests.steps import CASES

KEY_WOND = [1, 1, 1, 1, 2, 1, 1, 2, 1, 2, 1, 2]  # tui-wondzorg-01, with items below
WOND_ITEMS = {"complexe_wonden", "zwachtelen"}


@pytest.fixture(scope="module")
def library(questionnaire):
    return load_library([CASES], questionnaire)


class Logs:
    """Open (and re-open, as after a crash) the log of one implementation."""

    def __init__(self, kind: str, tmp_path):
        self.kind, self.path = kind, tmp_path / "log.db"
        self.memory = MemoryLog()
        self.opened: list = []

    def open(self):
        if self.kind == "memory":
            return self.memory
        log = open_log(self.path)
        self.opened.append(log)
        return log


@pytest.fixture(params=["memory", "sqlite"])
def logs(request, tmp_path):
    made = Logs(request.param, tmp_path)
    yield made
    for log in made.opened:
        log.close()


def answer_all(session: Session, codes, items=frozenset()) -> None:
    for code in codes:
        session.choose(code)
        if session.current == session.scorer.checklist_id and session.checklist_shown():
            session.tick(set(items))
        nxt = session.after()
        if nxt is not None:
            session.go_to(nxt)


def test_a_session_stores_each_answer_when_given_and_finishes(logs, scorer, library):
    log = logs.open()
    p = Practice(log, scorer, library)
    case = library.by_id("tui-wondzorg-01")
    s = p.start("Anna", "oefenen", case)
    assert s.current == "Q1" and log.session(s.session_id).status == BEZIG
    s.choose(1)
    assert log.answers(s.session_id)["Q1"].option == 1
    assert not s.choose(1)  # the same again: nothing new
    s.choose(2)
    assert log.answers(s.session_id)["Q1"].changes == 1
    s.choose(1)
    s.go_to("Q2")
    answer_all(s, KEY_WOND[1:], WOND_ITEMS)
    assert s.missing() == []
    done = p.finish(s)
    assert done.result.profile == "DKDL8" and done.right
    info = log.session(s.session_id)
    assert (info.status, info.profile, info.match) == (AFGEROND, "DKDL8", True)
    assert log.answers(s.session_id)["Q12"].items == ("complexe_wonden", "zwachtelen")


def test_finish_refuses_open_questions_and_the_checklist_needs_an_item(logs, scorer, library):
    p = Practice(logs.open(), scorer, library)
    s = p.start("Anna", "oefenen", library.by_id("tui-wondzorg-01"))
    answer_all(s, KEY_WOND[:11])
    assert s.current == "Q12"
    s.choose(2)
    assert s.checklist_blocks() and s.missing() == ["Q12"]
    with pytest.raises(ValueError, match="Q12"):
        s.finish()
    s.tick({"sonde"})
    assert not s.checklist_blocks()
    assert p.finish(s).answers.items == frozenset({"sonde"})
    with pytest.raises(ValueError, match="onbekend item"):
        s.tick({"geen-item"})


def test_routing_ends_the_questionnaire_and_going_back_keeps_answers(logs, scorer, library):
    p = Practice(logs.open(), scorer, library)
    s = p.start("Anna", "vrij")
    answer_all(s, [1, 1, 1, 3])
    assert s.current == "Q5"
    s.go_to("Q1")
    s.choose(2)  # kindzorg: only Q1 is asked
    assert s.reached() == ["Q1"] and s.is_last() and s.after() is None
    with pytest.raises(ValueError):
        s.go_to("Q4")  # not asked now
    s.choose(1)
    assert s.options["Q4"] == 3 and len(s.reached()) == 12


def test_seconds_sum_every_visit(logs, scorer, library, monkeypatch):
    now = [0.0]
    monkeypatch.setattr(practice_module, "clock", lambda: now[0])
    log = logs.open()
    s = Practice(log, scorer, library).start("Anna", "vrij")
    now[0] += 2
    s.choose(1)  # Q1 after 2 s
    now[0] += 1
    s.go_to("Q2")  # 1 s more on Q1
    now[0] += 2
    s.go_to("Q1")  # 2 s on Q2, unanswered: kept
    now[0] += 1
    s.go_to("Q2")  # 1 s more on Q1
    now[0] += 1
    s.choose(1)  # Q2: 2 s earlier + 1 s now
    s.store_times()  # the app does this once the next question is on screen
    stored = log.answers(s.session_id)
    assert stored["Q1"].seconds == pytest.approx(4.0)
    assert stored["Q2"].seconds == pytest.approx(3.0)
    assert stored["Q1"].changes == 0


def test_moving_on_keeps_the_time_until_store_times_but_never_an_answer(
    logs, scorer, library, monkeypatch
):
    now = [0.0]
    monkeypatch.setattr(practice_module, "clock", lambda: now[0])
    log = logs.open()
    s = Practice(log, scorer, library).start("Anna", "vrij")
    now[0] += 2
    s.choose(1)  # stored at once, with its 2 s
    assert log.answers(s.session_id)["Q1"].seconds == pytest.approx(2.0)
    now[0] += 3
    s.go_to("Q2")  # the 3 s on Q1 since the answer wait in memory
    assert log.answers(s.session_id)["Q1"].seconds == pytest.approx(2.0)
    s.store_times()
    assert log.answers(s.session_id)["Q1"].seconds == pytest.approx(5.0)
    s.store_times()  # nothing kept any more: nothing added
    assert log.answers(s.session_id)["Q1"].seconds == pytest.approx(5.0)
    now[0] += 1
    s.choose(2)  # Q2 stored at once
    assert log.answers(s.session_id)["Q2"].option == 2
    now[0] += 4
    s.go_to("Q1")
    s.pause()  # pausing stores every kept time (4 s on Q2)
    assert log.answers(s.session_id)["Q2"].seconds == pytest.approx(5.0)


def test_a_paused_session_resumes_with_its_answers_at_the_first_open_question(
    logs, scorer, library
):
    log = logs.open()
    p = Practice(log, scorer, library)
    case = library.by_id("tui-wondzorg-01")
    s = p.start("Anna", "oefenen", case)
    answer_all(s, [1, 1, 1, 2])
    s.pause()
    assert [i.id for i in p.paused_case("Anna", case)] == [s.session_id]
    p2 = Practice(logs.open(), scorer, library)
    (pending,) = p2.pending("Anna")
    again = p2.resume(pending)
    assert again.session_id == s.session_id and again.current == "Q5"
    assert again.options == {"Q1": 1, "Q2": 1, "Q3": 1, "Q4": 2}
    p2.abandon(pending)
    assert p2.pending("Anna") == []
    assert log.session(s.session_id).status == AFGEBROKEN


def test_a_toets_interrupted_by_a_crash_resumes_whole_and_counts_every_case(logs, scorer, library):
    """The bug of issue 10: toets of 2, case 1 wrong, crash in case 2, resume. Before, the
    summary said 'casus 1 van 1' and 'Uitslag: 1 van 1', the wrong case gone."""
    p = Practice(logs.open(), scorer, library)
    kind, wond = library.by_id("tui-kind-01"), library.by_id("tui-wondzorg-01")
    s = p.start_toets("Anna", [kind, wond])
    assert s.toets is not None and s.toets.position() == "casus 1 van 2"
    answer_all(s, [1, 1, 1, 1, 1, 1, 1, 2, 1, 1, 1, 1])  # an adult: the key is kindzorg
    first = p.finish(s)
    assert not first.right and not s.toets.finished
    s2 = p.next_in_toets(s.toets)
    assert s2.case is wond and s2.toets.position() == "casus 2 van 2"
    answer_all(s2, [1, 1, 1])
    del p, s, s2  # kill -9: nothing but the log survives

    p = Practice(logs.open(), scorer, library)
    (pending,) = p.pending("Anna")  # one toets, not a loose session
    resumed = p.resume(pending)
    toets = resumed.toets
    assert toets is not None and toets.position() == "casus 2 van 2"
    assert resumed.case is not None and resumed.case.id == "tui-wondzorg-01"
    assert resumed.options == {"Q1": 1, "Q2": 1, "Q3": 1} and resumed.current == "Q4"
    assert [d.case.id for d in toets.done] == ["tui-kind-01"]
    assert toets.done[0].result.profile == first.result.profile
    resumed.go_to("Q4")
    answer_all(resumed, KEY_WOND[3:], WOND_ITEMS)
    p.finish(resumed)
    assert toets.finished and len(toets.done) == 2 and toets.right == 1
    assert p.log.toets(toets.id).status == AFGEROND
    assert p.pending("Anna") == []


def test_a_toets_killed_between_two_cases_goes_on_with_the_next(logs, scorer, library):
    p = Practice(logs.open(), scorer, library)
    cases = [library.by_id("tui-kind-01"), library.by_id("tui-wondzorg-01")]
    s = p.start_toets("Anna", cases)
    answer_all(s, [2])
    p.finish(s)  # then the app dies before the second case opens
    p = Practice(logs.open(), scorer, library)
    (pending,) = p.pending("Anna")
    assert pending.session is None and pending.toets is not None
    nxt = p.resume(pending)
    assert nxt.case.id == "tui-wondzorg-01" and nxt.options == {}
    assert nxt.toets.position() == "casus 2 van 2" and nxt.toets.right == 1


def test_leaving_a_toets_for_later_keeps_it_and_abandoning_ends_it(logs, scorer, library):
    p = Practice(logs.open(), scorer, library)
    s = p.start_toets("Anna", [library.by_id("tui-wondzorg-01")])
    s.choose(1)
    s.pause()
    assert [x.toets.id for x in p.pending("Anna")] == [s.toets.id]
    s.abandon()
    assert p.log.toets(s.toets.id).status == AFGEBROKEN
    assert p.log.session(s.session_id).status == AFGEBROKEN
    assert p.pending("Anna") == []


def test_a_planned_case_gone_from_the_library_is_dropped_and_said(logs, scorer, questionnaire):
    full = load_library([CASES], questionnaire)
    p = Practice(logs.open(), scorer, full)
    s = p.start_toets("Anna", [full.by_id("tui-kind-01"), full.by_id("tui-wondzorg-01")])
    s.pause()
    smaller = type(full)([full.by_id("tui-wondzorg-01")], [])
    p = Practice(logs.open(), scorer, smaller)
    (pending,) = p.pending("Anna")
    resumed = p.resume(pending)  # its open case is gone: the next one starts
    assert resumed.toets.dropped == ["tui-kind-01"]
    assert resumed.case.id == "tui-wondzorg-01" and resumed.toets.position() == "casus 1 van 1"


def test_a_finished_session_is_rebuilt_from_the_log_as_she_saw_it(logs, scorer, library):
    p = Practice(logs.open(), scorer, library)
    case = library.by_id("tui-wondzorg-01")
    s = p.start("Anna", "oefenen", case)
    wrong = list(KEY_WOND)
    wrong[4], wrong[9] = 1, 3
    answer_all(s, wrong, WOND_ITEMS)
    done = p.finish(s)
    again = Practice(logs.open(), scorer, library).done_of(s.session_id)
    assert again == done
    assert again.case.toelichting("Q5")  # the reasons come with the case
    assert not again.case_changed
    unfinished = p.start("Anna", "vrij")
    with pytest.raises(ValueError, match="niet afgerond"):
        p.done_of(unfinished.session_id)


def test_toetsen_are_stored_with_their_plan(logs):
    log = logs.open()
    t = log.start_toets(nurse="Anna", case_ids=["b", "a", "c"])
    info = log.toets(t)
    assert (info.case_ids, info.status, info.nurse) == (("b", "a", "c"), BEZIG, "Anna")
    log.start_toets(nurse="Bram", case_ids=["x"])
    assert [x.id for x in log.toetsen("Anna")] == [t]
    assert len(log.toetsen()) == 2
    log.finish_toets(t)
    log.abandon_toets(t)  # finished stays finished
    assert log.toets(t).status == AFGEROND and log.toets(t).finished_at
    with pytest.raises(KeyError):
        log.toets("00000000-0000-0000-0000-000000000000")
    with pytest.raises(ValueError):
        log.start_toets(nurse="Anna", case_ids=[])
