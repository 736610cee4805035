"""Oefen mijn zwakke punten (dkdl/adaptive.py): the next case on constructed histories."""

from __future__ import annotations

import pytest

from dkdl.adaptive import RULE, next_weak_case
from dkdl.cases import CaseLibrary
from dkdl.progress import progress_of
from dkdl.scoring import Answers
from dkdl.sessionlog import MemoryLog
from tests.test_progress import case, practise

KNEE = "herstel-knieprothese-01"  # Q5 = 1, draagkrachtig: Q5 = 2 would give DKDL7
SINUS = "jongvolwassene-sinus-01"  # Q5 = 1, draagkrachtig
HOUSE = "aanleunwoning-darm-01"  # Q5 = 1, draagkrachtig
MIGRANT = "arbeidsmigrant-voet-01"  # Q5 = 1, but Q4 = 2: Q5 = 2 changes nothing
FORGETFUL = "wondzorg-vergeetachtig-01"  # Q5 = 2
CHILD = "kindzorg-ileostoma-01"  # routes at Q1: Q5 not asked


def profile_with(scorer, the_case, qid, option):
    options = dict(the_case.answers.options)
    options[qid] = option
    return scorer.score(Answers(options, the_case.answers.items)).profile


@pytest.fixture
def weak_at_q5(scorer, cases):
    """Anna misses Q5 (soms for geen) three times on the knee case, then does the migrant
    case right: Q5 is her weakest question."""
    log = MemoryLog()
    for _ in range(3):
        practise(log, scorer, "Anna", case(cases, KNEE), {"Q5": 2})
    practise(log, scorer, "Anna", case(cases, MIGRANT))
    return log


def test_weak_at_q5_gives_a_case_whose_key_turns_on_q5(scorer, cases, weak_at_q5):
    library = CaseLibrary(cases, [])
    progress = progress_of(weak_at_q5, scorer, library, "Anna")
    assert progress.weakest[0].qid == "Q5"
    for seed in range(20):
        s = next_weak_case(progress, library, scorer, seed=seed)
        assert s is not None
        assert s.targets == ("Q5",)
        assert s.reason == (
            "Gekozen omdat je bij Geheugen 3 van de 4 keer anders antwoordde dan de sleutel."
        )
        key = s.case.answers.options.get("Q5")
        assert key == 1  # the key has the answer she misses...
        assert profile_with(scorer, s.case, "Q5", 2) != s.case.profile  # ...and it matters


def test_the_reason_gives_her_figures_and_does_not_say_often_for_one_miss(scorer, cases):
    """Her weakest question can be one she mostly gets right: one miss in ten is not 'vaak'."""
    log = MemoryLog()
    practise(log, scorer, "Anna", case(cases, KNEE), {"Q5": 2})
    for _ in range(9):
        practise(log, scorer, "Anna", case(cases, KNEE))
    library = CaseLibrary(cases, [])
    progress = progress_of(log, scorer, library, "Anna")
    assert [w.qid for w in progress.weakest] == ["Q5"]
    s = next_weak_case(progress, library, scorer, seed=0)
    assert s is not None and s.targets == ("Q5",)
    assert s.reason == (
        "Gekozen omdat je bij Geheugen 1 van de 10 keer anders antwoordde dan de sleutel."
    )
    assert "vaak" not in s.reason


def test_a_case_just_done_is_not_chosen_again(scorer, cases, weak_at_q5):
    library = CaseLibrary([case(cases, i) for i in (KNEE, SINUS, MIGRANT, CHILD)], [])
    progress = progress_of(weak_at_q5, scorer, library, "Anna")
    # knee and sinus both turn on Q5; knee was done (three times, not the very last session)
    picks = {next_weak_case(progress, library, scorer, seed=s).case.id for s in range(20)}
    assert picks == {SINUS}
    practise(weak_at_q5, scorer, "Anna", case(cases, SINUS), {"Q5": 2})
    progress = progress_of(weak_at_q5, scorer, library, "Anna")
    # sinus is now her last case and knee and the migrant case are among her last three: no
    # case left exercises Q5 (the child case routes before it), so one she has not done yet
    s = next_weak_case(progress, library, scorer, seed=1)
    assert s is not None and s.case.id == CHILD and s.targets == ()
    assert s.reason == "Gekozen omdat je deze casus nog niet hebt gedaan."
    # with nothing to avoid, knee and sinus turn on Q5 again; sinus was done fewer times
    s = next_weak_case(progress, library, scorer, seed=1, avoid_last=0)
    assert s is not None and s.case.id == SINUS


def test_turning_on_the_miss_comes_before_only_exercising_it(scorer, cases, weak_at_q5):
    library = CaseLibrary([case(cases, i) for i in (MIGRANT, HOUSE, FORGETFUL)], [])
    progress = progress_of(weak_at_q5, scorer, library, "Anna")
    s = next_weak_case(progress, library, scorer, seed=3, avoid_last=0)
    assert s is not None and s.case.id == HOUSE  # migrant only exercises Q5


def test_the_choice_is_deterministic_for_a_seed(scorer, cases, weak_at_q5):
    library = CaseLibrary(cases, [])
    progress = progress_of(weak_at_q5, scorer, library, "Anna")
    first = [next_weak_case(progress, library, scorer, seed=s).case.id for s in range(30)]
    again = [next_weak_case(progress, library, scorer, seed=s).case.id for s in range(30)]
    assert first == again
    assert len(set(first)) > 1  # the seed breaks the ties among equally fitting cases


def test_an_items_miss_at_q12_aims_at_cases_where_an_item_decides(scorer, cases):
    log = MemoryLog()
    wound = case(cases, "wondzorg-huidscheur-01")  # Q12 = 2 with zwachtelen
    for _ in range(2):
        practise(log, scorer, "Anna", wound, items={"zwachtelen", "complexe_wonden"})
    library = CaseLibrary(cases, [])
    progress = progress_of(log, scorer, library, "Anna")
    assert progress.weakest[0].qid == "Q12"
    s = next_weak_case(progress, library, scorer, seed=5)
    assert s is not None and s.targets == ("Q12",)
    assert s.reason == (
        "Gekozen omdat je bij Verpleegtechnische zorgvraag 2 van de 2 keer anders antwoordde "
        "dan de sleutel, het vaakst met andere aangevinkte handelingen."
    )
    assert s.case.id != wound.id and s.case.answers.options["Q12"] == 2
    changed = [
        scorer.score(Answers(s.case.answers.options, s.case.answers.items ^ {item})).profile
        for item in scorer.item_weights
        if s.case.answers.items ^ {item}
    ]
    assert any(p != s.case.profile for p in changed)


def test_without_history_a_case_not_done_yet(scorer, cases):
    log = MemoryLog()
    library = CaseLibrary([case(cases, i) for i in (KNEE, SINUS, MIGRANT)], [])
    progress = progress_of(log, scorer, library, "Nieuw")
    s = next_weak_case(progress, library, scorer, seed=0)
    assert s is not None and s.targets == ()
    assert s.reason == "Gekozen omdat je deze casus nog niet hebt gedaan."
    practise(log, scorer, "Nieuw", case(cases, KNEE))  # right: still no weak points
    progress = progress_of(log, scorer, library, "Nieuw")
    picks = {next_weak_case(progress, library, scorer, seed=x).case.id for x in range(20)}
    assert picks == {SINUS, MIGRANT}


def test_all_done_without_misses_gives_the_least_done_case(scorer, cases):
    log = MemoryLog()
    library = CaseLibrary([case(cases, i) for i in (KNEE, SINUS, MIGRANT)], [])
    for case_id in (KNEE, SINUS, MIGRANT, SINUS, MIGRANT, SINUS):
        practise(log, scorer, "Anna", case(cases, case_id))
    progress = progress_of(log, scorer, library, "Anna")
    s = next_weak_case(progress, library, scorer, seed=0, avoid_last=1)
    assert s is not None and s.case.id == KNEE  # once; migrant twice; sinus was the last
    assert "het minst vaak" in s.reason


def test_nothing_to_offer_gives_none(scorer, cases, weak_at_q5):
    library = CaseLibrary([case(cases, KNEE), case(cases, MIGRANT)], [])
    progress = progress_of(weak_at_q5, scorer, library, "Anna")
    assert next_weak_case(progress, library, scorer, seed=0) is None
    assert next_weak_case(progress, CaseLibrary([], []), scorer, seed=0) is None


def test_the_rule_is_written_down_in_dutch_as_the_apps_own():
    assert "zwakste vraag" in RULE and "geen regel van de NZa" in RULE
