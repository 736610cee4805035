"""The statistics of dkdl/review_stats.py against published and hand-computed figures."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dkdl.review_stats import (
    Thresholds,
    flags_for,
    fleiss_kappa,
    group_difference,
    kappa_informative,
    kappa_note,
    pair_agreement,
)
from tests.agreement_examples import (
    CAC_RAW4RATERS,
    GWET_CAC_RAW4RATERS,
    KAPPAETC_RVARY2,
    RVARY2,
    gwet_2014,
    stata_kappa,
)
from tests.agreement_examples import as_subjects as raw_subjects

# The worked example of the Wikipedia article "Fleiss' kappa": 10 subjects, 14 raters each,
# 5 categories; P-bar = 0.378, P_e = 0.213, kappa = 0.210.
WIKIPEDIA = [
    (0, 0, 0, 0, 14),
    (0, 2, 6, 4, 2),
    (0, 0, 3, 5, 6),
    (0, 3, 9, 2, 0),
    (2, 2, 8, 1, 1),
    (7, 7, 0, 0, 0),
    (3, 2, 6, 3, 0),
    (2, 5, 3, 2, 2),
    (6, 5, 2, 1, 0),
    (0, 2, 2, 3, 7),
]


def as_subjects(table):
    return [dict(enumerate(row)) for row in table]


def fleiss_1971(table):
    """Fleiss (1971) as published, for a constant number of raters: (P-bar - P_e) / (1 - P_e)."""
    n_subjects, m = len(table), sum(table[0])
    p = [sum(row[j] for row in table) / (n_subjects * m) for j in range(len(table[0]))]
    p_i = [(sum(x * x for x in row) - m) / (m * (m - 1)) for row in table]
    p_bar, p_e = sum(p_i) / n_subjects, sum(x * x for x in p)
    return (p_bar - p_e) / (1 - p_e)


def test_fleiss_kappa_wikipedia_worked_example():
    assert round(fleiss_kappa(as_subjects(WIKIPEDIA)), 3) == 0.210
    assert fleiss_kappa(as_subjects(WIKIPEDIA)) == pytest.approx(fleiss_1971(WIKIPEDIA))


def test_fleiss_kappa_unequal_raters_by_hand():
    # subjects with 3, 2 and 4 ratings over two categories:
    # disagreement = (2*1 + 1*2)/3 + 0 + (1*3 + 3*1)/4 = 4/3 + 3/2 = 17/6
    # N = 3, mean m = 3, p = 5/9 and 4/9, sum p q = 40/81
    # kappa = 1 - (17/6) / (3 * 2 * 40/81) = 1 - 229.5/240 = 7/160
    subjects = [{"a": 2, "b": 1}, {"a": 2}, {"a": 1, "b": 3}]
    assert fleiss_kappa(subjects) == pytest.approx(7 / 160)


def test_fleiss_kappa_leaves_out_single_ratings_and_knows_undefined():
    assert fleiss_kappa([{"a": 2, "b": 1}, {"a": 1}]) == pytest.approx(
        fleiss_kappa([{"a": 2, "b": 1}])
    )
    assert fleiss_kappa([]) is None
    assert fleiss_kappa([{"a": 1}, {"b": 1}]) is None  # no subject with two ratings
    assert fleiss_kappa([{"a": 3}, {"a": 2}]) is None  # one category only: no variation
    assert fleiss_kappa([{"a": 2}, {"b": 2}]) == pytest.approx(1.0)  # perfect agreement


@given(
    st.integers(min_value=2, max_value=8).flatmap(
        lambda m: st.lists(
            st.lists(st.integers(0, m), min_size=3, max_size=3).filter(lambda r: sum(r) <= m),
            min_size=2,
            max_size=8,
        ).map(lambda rows: [(r[0], r[1], r[2], m - sum(r)) for r in rows])
    )
)
def test_fleiss_kappa_equals_fleiss_1971_with_constant_raters(table):
    columns = [sum(row[j] for row in table) for j in range(4)]
    if sum(1 for c in columns if c) < 2:
        assert fleiss_kappa(as_subjects(table)) is None
    else:
        assert fleiss_kappa(as_subjects(table)) == pytest.approx(fleiss_1971(table))


def fleiss_cuzick_1979(subjects):
    """Fleiss & Cuzick (1979), two categories, n_i judges of subject i, x_i positive:
    kappa = 1 - sum(n_i p_i q_i) / (N (n_bar - 1) p_bar q_bar), p_i = x_i / n_i, in the form
    of the R function kappaFC that J. Jarecki published for it (2020). A formula, not a
    published worked example: none with unequal raters was at hand (docs/report.md)."""
    n = [s[0] + s[1] for s in subjects]
    x = [s[1] for s in subjects]
    big_n = len(subjects)
    n_bar = sum(n) / big_n
    p_bar = sum(x) / (big_n * n_bar)
    spread = sum(ni * (xi / ni) * (1 - xi / ni) for ni, xi in zip(n, x, strict=True))
    return 1 - spread / (big_n * (n_bar - 1) * p_bar * (1 - p_bar))


@given(
    st.lists(
        st.tuples(st.integers(0, 9), st.integers(0, 9)).filter(lambda r: sum(r) >= 2),
        min_size=2,
        max_size=12,
    )
)
def test_fleiss_kappa_equals_fleiss_cuzick_with_unequal_raters(subjects):
    # a different number of raters per subject, two categories: the published special case
    no, yes = sum(s[0] for s in subjects), sum(s[1] for s in subjects)
    ours = fleiss_kappa([{0: s[0], 1: s[1]} for s in subjects])
    if no == 0 or yes == 0:
        assert ours is None
    else:
        assert ours == pytest.approx(fleiss_cuzick_1979(subjects))


def test_the_published_data_give_the_published_figures_by_gwets_formula():
    """The rows of tests/agreement_examples.py are the published ones: Gwet's (2014) formula
    on them gives the figures irrCAC's README prints for ``cac.raw4raters`` (0.8181818,
    0.2387153, 0.76117) and Stata's ``kappaetc`` prints for ``rvary2`` (0.5833, 0.3586), to
    the printed precision. (Cross-checked when written with the Python package irrCAC 0.4.4,
    ``CAC(data).fleiss()``: 0.76117 and 0.35857; it is not a dependency.) The review computes
    the other published generalisation (Fleiss & Cuzick), so its figures differ: next tests."""
    pa, pe, kappa = gwet_2014(raw_subjects(CAC_RAW4RATERS))
    assert round(pa, 7) == GWET_CAC_RAW4RATERS["pa"]
    assert round(pe, 7) == GWET_CAC_RAW4RATERS["pe"]
    assert round(kappa, 5) == GWET_CAC_RAW4RATERS["kappa"]
    pa, _, kappa = gwet_2014(raw_subjects(RVARY2))
    assert (round(pa, 4), round(kappa, 4)) == (KAPPAETC_RVARY2["pa"], KAPPAETC_RVARY2["kappa"])


def test_fleiss_kappa_on_gwets_published_example_by_hand():
    """Gwet (2014, p. 120; irrCAC ``cac.raw4raters``): 12 subjects, 2 to 4 raters, 5
    categories. By hand, with the review's formula: subject 12 has one rating and is left out;
    the other 11 have 40 ratings, N (m_bar - 1) = 40 - 11 = 29. Disagreement: subject 2
    {2: 3, 3: 1} (3*1 + 1*3)/4 = 1.5, subject 6 {1, 2, 3, 4} 4*(1*3)/4 = 3, subject 8
    {1: 3, 2: 1} 1.5, the rest 0: 6. Category totals 9, 13, 10, 5, 3 of 40:
    sum p q = 1 - 384/1600 = 0.76. kappa = 1 - 6 / (29 * 0.76) = 401/551 = 0.7278, where
    Gwet's generalisation (each subject weighing the same) prints 0.76117."""
    ours = fleiss_kappa(raw_subjects(CAC_RAW4RATERS))
    assert ours == pytest.approx(401 / 551, abs=1e-12)
    assert round(ours, 4) == 0.7278
    assert abs(ours - GWET_CAC_RAW4RATERS["kappa"]) > 0.03  # the two definitions differ


def test_fleiss_kappa_on_statas_rvary2_equals_statas_kap():
    """Stata's example for a varying number of raters (``rvary2``: 10 subjects, 3 to 5
    raters, 3 categories). By hand: 47 ratings, N (m_bar - 1) = 47 - 10 = 37; disagreement
    sum_j x_ij (m_i - x_ij) / m_i for subjects 1-10 is 1.5, 2.4, 0, 1.6, 2.4, 1.6, 0, 1.6, 4/3,
    2.4, in all 1.5 + 3 * 2.4 + 3 * 1.6 + 4/3 = 89/6; category totals 20, 11, 16:
    sum p q = 1432/2209; kappa = 1 - (89/6) / (37 * 1432/2209) = 121303/317904 = 0.3816.
    Stata's ``kap rater1-rater5`` computation (kappa.ado restated in
    tests/agreement_examples.py) gives per category 0.2685, 0.6457, 0.2938 and combined the
    same 0.3816; ``kappaetc`` (Gwet's formula) prints 0.3586 on these data."""
    subjects = raw_subjects(RVARY2)
    ours = fleiss_kappa(subjects)
    assert ours == pytest.approx(121303 / 317904, abs=1e-12)
    per_category, combined = stata_kappa(subjects)
    assert ours == pytest.approx(combined, abs=1e-12)
    assert [round(per_category[c], 4) for c in (1, 2, 3)] == [0.2685, 0.6457, 0.2938]
    # each category's kappa is Fleiss & Cuzick's two-category kappa of that category vs the rest
    for c in (1, 2, 3):
        two = [(sum(s.values()) - s.get(c, 0), s.get(c, 0)) for s in subjects]
        assert per_category[c] == pytest.approx(fleiss_cuzick_1979(two))
        assert fleiss_kappa([{0: a, 1: b} for a, b in two]) == pytest.approx(per_category[c])


@given(
    st.integers(min_value=3, max_value=5).flatmap(
        lambda k: st.lists(
            st.lists(st.integers(0, 6), min_size=k, max_size=k).filter(lambda r: sum(r) >= 2),
            min_size=2,
            max_size=10,
        )
    )
)
def test_fleiss_kappa_equals_statas_kap_with_unequal_raters_and_many_categories(table):
    """3 to 5 categories, 2 to 30 raters per subject, varying: the review's kappa equals what
    Stata's kap computes (per category, Fleiss & Cuzick's analysis-of-variance form; combined
    weighted by p_j q_j), an independent expression of the same generalisation."""
    subjects = [{c: n for c, n in enumerate(row) if n} for row in table]
    used = {c for s in subjects for c in s}
    ours = fleiss_kappa(subjects)
    if len(used) < 2:
        assert ours is None
    else:
        assert ours == pytest.approx(stata_kappa(subjects)[1], abs=1e-9)


def test_fleiss_kappa_undefined_with_unequal_raters():
    # everyone on one category, 2 to 5 raters per subject: nothing to agree on beyond chance
    assert fleiss_kappa([{"a": 2}, {"a": 5}, {"a": 3}]) is None
    # many subjects, none with two ratings
    assert fleiss_kappa([{"a": 1}, {"b": 1}, {"c": 1}, {"a": 1}]) is None
    # a subject with one rating next to a one-category rest is still undefined
    assert fleiss_kappa([{"a": 3}, {"a": 2}, {"b": 1}]) is None


def test_pair_agreement():
    assert pair_agreement([{"a": 2, "b": 1}, {"a": 1}]) == (pytest.approx(1 / 3), 1, 3)
    assert pair_agreement([{"a": 1}]) == (None, 0, 0)
    assert pair_agreement([{"a": 2}, {"a": 1, "b": 1}]) == (0.5, 1, 2)


def test_group_difference():
    assert group_difference(3, 4, 1, 4) == 0.5
    assert group_difference(1, 4, 3, 4) == -0.5
    assert group_difference(1, 1, 0, 0) is None


def test_flags_name_their_reason_in_dutch():
    t = Thresholds()
    flags = flags_for(
        answered=40,
        facility=0.45,
        wrong_option=("2", 16),
        wrong_option_text="soms",
        discrimination=-0.2,
        group_sizes=(20, 20),
        kappa=0.15,
        agreement=0.58,
        key_answers=2,
        thresholds=t,
    )
    assert [f.kind for f in flags] == ["low_facility", "negative_discrimination", "low_agreement"]
    assert "45 %" in flags[0].reason and "optie 2 (soms)" in flags[0].reason
    assert "-0,20" in flags[1].reason
    # the words match the figures: kappa, the threshold and the share of agreeing pairs
    assert "kappa 0,15, onder 0,40; 58 % van de paren koos hetzelfde" in flags[2].reason
    assert "de sleutel bij deze vraag per casus verschilt" in flags[2].reason
    quiet = flags_for(
        answered=40,
        facility=0.45,
        wrong_option=("2", 5),  # 12 %: wrong answers spread, no popular wrong option
        wrong_option_text=None,
        discrimination=-0.2,
        group_sizes=(20, 2),  # too few sessions with a wrong profile to judge
        kappa=0.6,
        agreement=0.8,
        key_answers=3,
        thresholds=t,
    )
    assert quiet == []
    few = flags_for(
        answered=5,
        facility=0.0,
        wrong_option=("2", 5),
        wrong_option_text=None,
        discrimination=-1.0,
        group_sizes=(5, 5),
        kappa=-0.5,
        agreement=0.2,
        key_answers=2,
        thresholds=t,
    )
    assert few == []


def test_low_kappa_is_flagged_only_where_the_cases_differ_in_the_key():
    """The kappa paradox (Feinstein & Cicchetti 1990): two cases with the same key, 12 nurses
    each, 9 of 12 choosing the key's answer on both. Three quarters of the answers agree with
    the key and 60 % of the pairs agree, yet kappa is below 0 (one answer dominates, chance
    agreement is high): the review says so in words instead of a flag."""
    same_key = [{1: 9, 2: 3}, {1: 9, 2: 3}]
    kappa = fleiss_kappa(same_key)
    share, agreeing, pairs = pair_agreement(same_key)
    # p = (0.75, 0.25): sum p q = 0.375; disagreement per case 2 * 9 * 3 / 12 = 4.5;
    # kappa = 1 - 9 / (2 * 11 * 0.375) = 1 - 12/11 = -1/11
    assert kappa == pytest.approx(-1 / 11)
    assert (agreeing, pairs) == (2 * (36 + 3), 2 * 66)
    t = Thresholds()
    common = dict(
        answered=24,
        facility=0.75,
        wrong_option=("2", 6),
        wrong_option_text=None,
        discrimination=None,
        group_sizes=(0, 0),
        kappa=kappa,
        agreement=share,
        thresholds=t,
    )
    assert flags_for(key_answers=1, **common) == []
    note = kappa_note(kappa, 1, t)
    assert note is not None and "zegt hier weinig" in note
    assert "hetzelfde sleutelantwoord" in note
    # the same figures where the two cases have different keys: then the nurses do not tell
    # the cases apart, and the flag says so with the share of agreeing pairs
    (flag,) = flags_for(key_answers=2, **common)
    assert flag.kind == "low_agreement"
    assert "kappa -0,09, onder 0,40; 59 % van de paren koos hetzelfde" in flag.reason
    assert kappa_note(kappa, 2, t) is None
    # a kappa at or above the threshold needs no words, whatever the keys
    assert kappa_note(0.40, 1, t) is None
    assert kappa_note(None, 1, t) is None
    assert not kappa_informative(0) and not kappa_informative(1) and kappa_informative(2)


def test_a_kappa_that_rounds_to_zero_is_never_minus_zero_in_words():
    # the manual's screenshots once read "zijn het weinig eens (kappa -0,00, ...)"
    from dkdl.review_report import dec
    from dkdl.review_stats import decimal

    assert (decimal(-0.001), decimal(-0.004999), decimal(0.0)) == ("0,00", "0,00", "0,00")
    assert (decimal(-0.005 - 1e-9), decimal(-0.0909), decimal(0.213)) == ("-0,01", "-0,09", "0,21")
    assert (dec(-0.001), dec(None), dec(-1 / 11)) == ("0,00", "–", "-0,09")
    (flag,) = flags_for(
        answered=20,
        facility=0.9,
        wrong_option=None,
        wrong_option_text=None,
        discrimination=None,
        group_sizes=(0, 0),
        kappa=-0.0004,
        agreement=0.5,
        key_answers=2,
        thresholds=Thresholds(),
    )
    assert "kappa 0,00, onder 0,40" in flag.reason
