"""The PracticeLog contract, for every implementation (memory now; SQLite plugs in here)."""

import pytest

from dkdl.scoring import Answers
from dkdl.sessionlog import AFGEBROKEN, AFGEROND, BEZIG, MemoryLog
from dkdl.store import open_log

IMPLEMENTATIONS = {
    "memory": lambda tmp_path: MemoryLog(),
    "sqlite": lambda tmp_path: open_log(tmp_path / "log.db"),
}


@pytest.fixture(params=sorted(IMPLEMENTATIONS))
def log(request, tmp_path):
    return IMPLEMENTATIONS[request.param](tmp_path)


def test_nurse_is_remembered_trimmed(log):
    assert log.last_nurse() is None
    assert log.remember_nurse("  Anna  ") == "Anna"
    log.remember_nurse("Bram")
    assert log.last_nurse() == "Bram"
    log.remember_nurse("Anna")
    assert log.last_nurse() == "Anna"


@pytest.mark.parametrize(
    "name,message",
    [
        ("   ", "Vul een naam"),
        ("x" * 81, "hoogstens 80"),
        ("=HYPERLINK(1)", "begint niet met"),
        ("@anna", "begint niet met"),
        ("an\nna", "één regel"),
    ],
)
def test_unusable_pseudonyms_are_refused_in_dutch(log, name, message):
    with pytest.raises(ValueError, match=message):
        log.remember_nurse(name)
    assert log.last_nurse() is None


def test_session_lifecycle_records_answers_changes_and_result(log, questionnaire, scorer):
    nurse = log.remember_nurse("Anna")
    sid = log.start_session(nurse=nurse, mode="vrij", questionnaire=questionnaire)
    info = log.session(sid)
    assert (info.status, info.mode, info.case_id) == (BEZIG, "vrij", None)
    assert (info.questionnaire_version, info.questionnaire_hash) == (
        questionnaire.version,
        questionnaire.content_hash,
    )
    log.record_answer(sid, "Q1", 2, seconds=3.0)
    log.record_answer(sid, "Q1", 1, seconds=2.0)
    log.record_answer(sid, "Q1", 1, seconds=1.0)  # same answer again: not a change
    for qid in ["Q2", "Q3", "Q4", "Q5", "Q6", "Q7", "Q8", "Q9", "Q10", "Q11"]:
        log.record_answer(sid, qid, 1)
    log.record_answer(sid, "Q12", 2)
    log.record_answer(sid, "Q12", 2, items=("sonde",))  # ticks are stored as they come...
    log.record_answer(sid, "Q12", 2, items=("sonde", "injecties"))
    stored = log.answers(sid)
    assert stored["Q12"].changes == 0  # ...and are not changes of the answer
    assert stored["Q1"].option == 1 and stored["Q1"].changes == 1
    assert stored["Q1"].seconds == pytest.approx(6.0)
    assert stored["Q12"].items == ("sonde", "injecties")
    answers = Answers({q: r.option for q, r in stored.items()}, frozenset(stored["Q12"].items))
    result = scorer.score(answers)
    assert result.scores.ondersteuningsbehoefte == 3
    log.finish_session(sid, result, key_profile="DKDL2")
    info = log.session(sid)
    assert (info.status, info.profile, info.key_profile, info.match) == (
        AFGEROND,
        "DKDL1",
        "DKDL2",
        False,
    )
    assert info.finished_at is not None


def test_abandon_keeps_answers(log, questionnaire):
    sid = log.start_session(
        nurse=log.remember_nurse("Anna"), mode="vrij", questionnaire=questionnaire
    )
    log.record_answer(sid, "Q1", 1)
    log.abandon_session(sid)
    assert log.session(sid).status == AFGEBROKEN
    assert log.answers(sid)["Q1"].option == 1


def test_sessions_filter_by_nurse_in_start_order(log, questionnaire):
    a = log.start_session(
        nurse=log.remember_nurse("Anna"), mode="vrij", questionnaire=questionnaire
    )
    b = log.start_session(
        nurse=log.remember_nurse("Bram"), mode="vrij", questionnaire=questionnaire, test_id="t1"
    )
    assert [s.id for s in log.sessions()] == [a, b]
    assert [s.id for s in log.sessions("Bram")] == [b]
    assert log.session(b).test_id == "t1"


def test_unknown_mode_is_refused(log, questionnaire):
    with pytest.raises(ValueError):
        log.start_session(nurse="Anna", mode="spelen", questionnaire=questionnaire)


def test_every_session_records_the_logs_installation(log, questionnaire):
    """A log knows its laptop: one random UUID 4 per log, stamped on every session started."""
    import uuid

    installation = log.installation_id
    assert uuid.UUID(installation).version == 4
    first = log.start_session(nurse="Anna", mode="vrij", questionnaire=questionnaire)
    second = log.start_session(nurse="Bram", mode="vrij", questionnaire=questionnaire)
    assert log.session(first).installation == installation
    assert log.session(second).installation == installation
    assert log.installation_id == installation
    assert {s.installation for s in log.sessions()} == {installation}
    other = MemoryLog()
    assert other.installation_id != installation


def test_a_session_on_a_case_has_its_key_profile_even_when_abandoned(log, questionnaire, cases):
    """The schema promises key_profile is empty only in vrij: an abandoned case keeps it."""
    case = cases[0]
    sid = log.start_session(nurse="Anna", mode="oefenen", questionnaire=questionnaire, case=case)
    assert log.session(sid).key_profile == case.profile
    log.abandon_session(sid)
    info = log.session(sid)
    assert (info.status, info.key_profile, info.profile, info.match) == (
        AFGEBROKEN,
        case.profile,
        None,
        None,
    )
    free = log.start_session(nurse="Anna", mode="vrij", questionnaire=questionnaire)
    assert log.session(free).key_profile is None
