"""The review's agreement figures on published rating data, through a real log and
:meth:`dkdl.review.Review.analysis`, as a trainer's file would give them.

Each published data set (tests/agreement_examples.py) becomes a log: every subject a case
(a copy of the test case ``tui-wondzorg-01`` under another id, so every key is the same),
every rater a nurse who registers the cases she rated, her rating being her answer to one
question and every other answer the key's. The figures by hand are in each test's docstring;
the kappa is the same number tests/test_review_stats.py derives for the data themselves.
"""

from __future__ import annotations

import pytest
import yaml

from dkdl.cases import load_library
from dkdl.review import ReviewFilter
from dkdl.scoring import Answers
from tests.agreement_examples import CAC_RAW4RATERS, RVARY2, Raw
from tests.review_helpers import CASES_DIR, W_ITEMS, W, Writer, w_answers


def copies_of_w(folder, n: int) -> list[str]:
    """``n`` cases equal to W but for their id (written to ``folder``)."""
    text = (CASES_DIR / f"{W}.yaml").read_text(encoding="utf-8")
    folder.mkdir()
    ids = [f"gepubliceerd-{i:02d}" for i in range(1, n + 1)]
    for case_id in ids:
        (folder / f"{case_id}.yaml").write_text(
            text.replace(f"id: {W}", f"id: {case_id}"), encoding="utf-8"
        )
    return ids


def log_of(tmp, questionnaire, scorer, raw: Raw, answer) -> Writer:
    """A log of ``raw``: rater j is nurse ``vk{j}``; ``answer(rating)`` gives her answers and
    ticked items for that rating."""
    ids = copies_of_w(tmp / "casussen", len(raw))
    library = load_library([tmp / "casussen"], questionnaire)
    assert not library.problems
    writer = Writer(tmp / "groep.db", questionnaire, scorer, library)
    minute = 0
    for case_id, row in zip(ids, raw, strict=True):
        for rater, rating in enumerate(row, start=1):
            if rating is None:
                continue
            answers, items = answer(rating)
            minute += 1
            at = f"2026-03-02T{9 + minute // 60:02d}:{minute % 60:02d}:00"
            writer.play(f"vk{rater}", case_id, answers, items, at=at)
    return writer


@pytest.fixture(scope="module")
def rvary2(tmp_path_factory, questionnaire, scorer):
    """Stata's ``rvary2`` as answers to Q5 (Geheugen, options 1-3; the key says 2)."""
    writer = log_of(
        tmp_path_factory.mktemp("rvary2"),
        questionnaire,
        scorer,
        RVARY2,
        lambda rating: (w_answers(Q5=rating), W_ITEMS),
    )
    with writer.review() as review:
        yield review


# Gwet's five categories as answers to Q12 (the checklist), whose option 2 counts as another
# category for every other set of ticked items (docs/report.md).
Q12_CATEGORIES = {
    1: (1, ()),
    2: (2, W_ITEMS),  # the key's answer
    3: (2, ("complexe_wonden",)),
    4: (2, ("zwachtelen",)),
    5: (2, ("sonde",)),
}


@pytest.fixture(scope="module")
def gwet(tmp_path_factory, questionnaire, scorer):
    """Gwet's (2014) ``cac.raw4raters`` as answers to Q12."""

    def answer(rating):
        option, items = Q12_CATEGORIES[rating]
        return w_answers(Q12=option), items

    writer = log_of(tmp_path_factory.mktemp("gwet"), questionnaire, scorer, CAC_RAW4RATERS, answer)
    with writer.review() as review:
        yield review


def test_statas_rvary2_through_the_review(rvary2, scorer):
    """Q5 over 10 cases with 3 to 5 nurses each (47 sessions).

    - kappa: 121303/317904 = 0.3816, by hand in tests/test_review_stats.py (Stata's ``kap``
      gives the same; Gwet's formula, as ``kappaetc`` prints it, 0.3586).
    - agreement: agreeing pairs per case C(3,2) = 3, 1 + 3, 10, 6, 3 + 1, 6, 10, 6, 1, 3 + 1:
      54 of sum C(m_i, 2) = 6 + 8 * 10 + 3 = 89 pairs.
    - facility: 11 of the 47 answers are the key's 2.
    - discrimination: W's profile DKDL8 stays with Q5 = 3 and becomes DKDL2 with Q5 = 1
      (checked below), so the right-profile group is the 11 answers of 2 and the 16 of 3,
      facility 11/27, and the wrong-profile group the 20 answers of 1, facility 0:
      11/27 - 0 = 11/27.
    """
    key = dict(w_answers())
    assert scorer.score(Answers({**key, "Q5": 3}, frozenset(W_ITEMS))).profile == "DKDL8"
    assert scorer.score(Answers({**key, "Q5": 1}, frozenset(W_ITEMS))).profile == "DKDL2"
    a = rvary2.analysis()
    assert a.sessions == 47
    q5 = a.questions["Q5"]
    assert (q5.answered, q5.correct, q5.options) == (47, 11, {"1": 20, "2": 11, "3": 16})
    assert q5.kappa == pytest.approx(121303 / 317904, abs=1e-12)
    assert round(q5.kappa, 4) == 0.3816
    assert q5.agreement == pytest.approx(54 / 89)
    assert (q5.agreement_cases, q5.agreement_pairs) == (10, 89)
    assert q5.discrimination == pytest.approx(11 / 27)
    # every case is a copy of W (one key answer, 2): kappa 0.38 is below 0.40 but not read as
    # low agreement; the answers against the key are (11 of 47 as the key, option 1 by 43 %)
    assert q5.agreement_key_answers == 1
    assert [f.kind for f in q5.flags] == ["low_facility"]
    assert q5.kappa_note is not None
    # Q4: every nurse gave the key's 1, 3 to 5 per case: full agreement, kappa undefined
    q4 = a.questions["Q4"]
    assert (q4.agreement, q4.kappa) == (1.0, None)
    assert q4.discrimination == pytest.approx(0.0)  # 1 - 1: right in both groups


def test_gwets_example_through_the_review(gwet, scorer):
    """Q12 over 12 cases with 1 to 4 nurses each (41 sessions), five categories.

    - kappa: 401/551 = 0.7278, by hand in tests/test_review_stats.py; case 12 has one session
      and carries no pair (Gwet's own formula gives 0.76117 on these data).
    - agreement: agreeing pairs per case 3, 3, 6, 6, 6, 0, 6, 3, 6, 3, 1 (and 0 in case 12):
      43 of 3 + 8 * 6 + 3 + 1 = 55 pairs, over 11 cases with two or more sessions.
    - facility: category 2, the key's answer, 13 of 41.
    - discrimination: the profile is the key's DKDL8 for categories 2 and 5 (``sonde`` alone
      is also verpleegtechnisch) and DKDL7 for 1, 3 and 4 (checked below); right-profile group
      13 + 3 = 16 sessions of which 13 answer as the key, wrong-profile group 9 + 11 + 5 = 25
      of which none: 13/16 - 0 = 13/16.
    """
    key = dict(w_answers())
    for category, profile in ((1, "DKDL7"), (3, "DKDL7"), (4, "DKDL7"), (5, "DKDL8")):
        option, items = Q12_CATEGORIES[category]
        answers = Answers({**key, "Q12": option}, frozenset(items))
        assert scorer.score(answers).profile == profile
    a = gwet.analysis()
    assert a.sessions == 41
    q12 = a.questions["Q12"]
    assert (q12.answered, q12.correct, q12.options) == (41, 13, {"1": 9, "2": 32})
    assert q12.kappa == pytest.approx(401 / 551, abs=1e-12)
    assert round(q12.kappa, 4) == 0.7278
    assert q12.agreement == pytest.approx(43 / 55)
    assert (q12.agreement_cases, q12.agreement_pairs) == (11, 55)
    assert q12.discrimination == pytest.approx(13 / 16)


def test_kappa_is_null_without_a_case_with_two_nurses(rvary2):
    """One nurse's sessions: one per case, so no pair anywhere: agreement and kappa undefined
    (``None``, ``null`` in the JSON), facility still counted (vk1 answered 1 on 9 cases, 2 on
    1: facility 1/10)."""
    a = rvary2.analysis(ReviewFilter(nurse="vk1"))
    q5 = a.questions["Q5"]
    assert (q5.answered, q5.correct) == (10, 1)
    assert (q5.agreement, q5.kappa) == (None, None)
    assert (q5.agreement_cases, q5.agreement_pairs) == (0, 0)
    assert a.to_json()["questions"]["Q5"]["kappa"] is None


# -- the kappa paradox: a low kappa is flagged only where the cases differ in the key ----------


def variants_of_w(folder, scorer, keys: dict[str, dict[str, str]]) -> None:
    """Cases equal to W but for their id and the key lines given (``Q5: "{answer: 3}"``);
    each case's stated profile is the one its key gives (the library checks it)."""
    text = (CASES_DIR / f"{W}.yaml").read_text(encoding="utf-8")
    folder.mkdir()
    for case_id, lines in keys.items():
        out = []
        for line in text.replace(f"id: {W}", f"id: {case_id}").splitlines():
            qid = line.strip().split(":")[0]
            out.append(
                f"  {qid}: {lines[qid]}" if line.startswith("  Q") and qid in lines else line
            )
        case = "\n".join(out) + "\n"
        key = yaml.safe_load(case)["key"]
        answers = Answers({q: v["answer"] for q, v in key.items()}, frozenset(key["Q12"]["items"]))
        profile = scorer.score(answers).profile
        case = case.replace("expected_profile: DKDL8", f"expected_profile: {profile}")
        (folder / f"{case_id}.yaml").write_text(case, encoding="utf-8")


def group_log(tmp, questionnaire, scorer, keys, ratings) -> Writer:
    """A log of twelve nurses per case: ``ratings`` case id -> list of (answers, items)."""
    variants_of_w(tmp / "casussen", scorer, keys)
    library = load_library([tmp / "casussen"], questionnaire)
    assert not library.problems
    writer = Writer(tmp / "groep.db", questionnaire, scorer, library)
    minute = 0
    for case_id, given in ratings.items():
        for nurse, (answers, items) in enumerate(given, start=1):
            minute += 1
            writer.play(f"vk{nurse}", case_id, answers, items, at=f"2026-03-02T10:{minute:02d}:00")
    return writer


def q5(options: dict[int, int]) -> list:
    return [(w_answers(Q5=o), W_ITEMS) for o, n in options.items() for _ in range(n)]


def test_same_key_on_every_case_a_low_kappa_is_explained_not_flagged(
    tmp_path, questionnaire, scorer
):
    """Two cases with W's key (Q5 = 2), twelve nurses each, nine of them answering 2 and three
    answering 1 on both: 75 % as the key, 2 * (C(9,2) + C(3,2)) = 78 of 2 * C(12,2) = 132
    pairs (59 %) agree, yet kappa = 1 - 9 / (2 * 11 * 0.375) = -1/11 (tests/test_review_stats.py).
    Before, Q5 got a low-agreement flag saying the nurses 'zijn het weinig eens'."""
    keys = {"gelijk-a": {}, "gelijk-b": {}}
    ratings = {case_id: q5({2: 9, 1: 3}) for case_id in keys}
    with group_log(tmp_path, questionnaire, scorer, keys, ratings).review() as review:
        a = review.analysis()
        s = a.questions["Q5"]
        assert (s.answered, s.correct) == (24, 18)
        assert s.kappa == pytest.approx(-1 / 11)  # the figure itself is unchanged
        assert s.agreement == pytest.approx(78 / 132)
        assert (s.agreement_cases, s.agreement_key_answers) == (2, 1)
        assert s.flags == []
        assert s.kappa_note is not None and "hetzelfde sleutelantwoord" in s.kappa_note
        assert "zegt hier weinig" in s.kappa_note
        q = a.to_json()["questions"]["Q5"]
        assert (q["flags"], q["agreement_key_answers"]) == ([], 1)
        assert q["kappa_note"] == s.kappa_note
        assert a.flagged() == []


def test_different_keys_and_poor_agreement_are_flagged_with_the_pair_share(
    tmp_path, questionnaire, scorer
):
    """Two cases differing only in Q5's key (2 and 3; W's profile DKDL8 stays with Q5 = 3),
    twelve nurses each: on the first seven answer 2 and five 3, on the second seven 3 and five
    2. Kappa: p = (1/2, 1/2), disagreement 2 * 2 * 7 * 5 / 12 = 35/3, kappa = 1 - (35/3) /
    (2 * 11 * 1/2) = -2/33 = -0,06; pairs 2 * (21 + 10) = 62 of 132 (47 %)."""
    keys = {"sleutel-2": {}, "sleutel-3": {"Q5": '{answer: 3, toelichting: "Vaak."}'}}
    ratings = {"sleutel-2": q5({2: 7, 3: 5}), "sleutel-3": q5({3: 7, 2: 5})}
    with group_log(tmp_path, questionnaire, scorer, keys, ratings).review() as review:
        assert review.case("sleutel-3").data.key["Q5"].answer == 3
        s = review.analysis().questions["Q5"]
        assert s.kappa == pytest.approx(-2 / 33)
        assert s.agreement == pytest.approx(62 / 132)
        assert (s.agreement_cases, s.agreement_key_answers) == (2, 2)
        assert s.kappa_note is None
        (flag,) = [f for f in s.flags if f.kind == "low_agreement"]
        assert "kappa -0,06, onder 0,40; 47 % van de paren koos hetzelfde" in flag.reason
        assert "weinig eens" in flag.reason
        # one case alone has one key answer: kappa is not read as agreement there
        one = review.analysis(ReviewFilter(case="sleutel-2")).questions["Q5"]
        assert one.agreement_key_answers == 1
        assert [f.kind for f in one.flags if f.kind == "low_agreement"] == []


def test_checklist_keys_that_differ_only_in_items_are_different_key_answers(
    tmp_path, questionnaire, scorer
):
    """Q12 = 2 with other ticked items is another answer (as in facility and kappa), so two
    cases whose keys differ only in the items count two key answers."""
    keys = {
        "twee-handelingen": {},
        "een-handeling": {
            "Q12": '{answer: 2, items: [complexe_wonden], toelichting: "Alleen wondzorg."}'
        },
    }
    ratings = {
        "twee-handelingen": [(w_answers(), W_ITEMS)] * 3,
        "een-handeling": [(w_answers(), ("complexe_wonden",))] * 3,
    }
    with group_log(tmp_path, questionnaire, scorer, keys, ratings).review() as review:
        s = review.analysis().questions["Q12"]
        assert (s.agreement_cases, s.agreement_key_answers, s.kappa) == (2, 2, 1.0)
        assert review.analysis().questions["Q5"].agreement_key_answers == 1
