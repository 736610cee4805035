"""The DKDL model: routing, sums, thresholds, labels, quirks, explanation and what-if."""

import pytest

from dkdl.scoring import AnswerError, Answers
from tests.conftest import full

# Reference §3.6, worked examples.
WORKED = [
    ("A", full(), (0, 1, 2), "DKDL1"),
    ("B", full(Q7=2), (0, 2, 2), "DKDL4"),
    (
        "C",
        full(Q4=1, Q5=2, Q6=2, Q7=1, Q8=3, Q9=2, Q10=3, Q11=2, Q12=2, Q12_items=["injecties"]),
        (3, 2, 8),
        "DKDL12",
    ),
    (
        "D",
        full(
            Q4=3,
            Q5=1,
            Q6=1,
            Q7=2,
            Q8=1,
            Q9=1,
            Q10=1,
            Q11=2,
            Q12=2,
            Q12_items=["complexe_wonden", "zwachtelen"],
        ),
        (2, 1, 4),
        "DKDL8",
    ),
]


@pytest.mark.parametrize("name,raw,sums,profile", WORKED, ids=[w[0] for w in WORKED])
def test_worked_examples(scorer, name, raw, sums, profile):
    result = scorer.score_raw(raw)
    deficit, dl, ob = sums
    assert result.profile == profile
    assert result.scores.deficit == deficit
    assert result.scores.draagkracht == 7 - deficit
    assert result.scores.draaglast == dl
    assert result.scores.ondersteuningsbehoefte == ob
    assert result.warnings == ()


LABELS = {
    "KINDZORG": "Medische kindzorg thuis",
    "PTZ": "Palliatief-terminale zorgvraag < 3 maanden",
    "TIJDELIJK": "Tijdelijk DKDL profiel",
    "GEEN_DKDL": "Geen DKDL beschikbaar",
}


@pytest.mark.parametrize(
    "raw,code",
    [
        ({"Q1": 2}, "KINDZORG"),
        ({"Q1": 1, "Q2": 2}, "PTZ"),
        ({"Q1": 1, "Q2": 1, "Q3": 2}, "TIJDELIJK"),
        ({"Q1": 1, "Q2": 1, "Q3": 3}, "GEEN_DKDL"),
    ],
)
def test_routing_groups_need_nothing_else(scorer, raw, code):
    result = scorer.score_raw(raw)
    assert (result.profile, result.label, result.scores) == (code, LABELS[code], None)


def test_routing_first_match_wins_and_ignores_the_rest(scorer):
    # Q1 = 2 wins over Q2 = 2; later answers (even invalid-for-routing ones) are ignored
    assert scorer.score_raw({"Q1": 2, "Q2": 2, "Q3": 3, "Q4": 3}).profile == "KINDZORG"
    assert scorer.score_raw({"Q1": 1, "Q2": 2, "Q3": 2}).profile == "PTZ"
    assert scorer.score_raw(full(Q3=3)).profile == "GEEN_DKDL"


# One answer set per DKDL profile: (draagkrachtig?, verhoogde draaglast?, OB band).
def _profile_set(dk_ok, dl_high, band):
    ob = {0: dict(Q10=1), 1: dict(Q10=3), 2: dict(Q10=3, Q11=2)}[band]
    return full(Q5=1 if dk_ok else 2, Q7=2 if dl_high else 1, **ob)


@pytest.mark.parametrize("number", range(1, 13))
def test_each_dkdl_profile_and_its_exact_label(scorer, number):
    base, band = divmod(number - 1, 3)
    raw = _profile_set(base in (0, 1), base in (1, 3), band)
    result = scorer.score_raw(raw)
    dk = "Draagkrachtig" if base in (0, 1) else "Verminderd draagkrachtig"
    dl = "verhoogde draaglast" if base in (1, 3) else "geen verhoogde draaglast"
    ob = ["lage", "gemiddelde", "hoge"][band]
    assert result.profile == f"DKDL{number}"
    assert result.label == f"Profiel DKDL {number}: {dk}, {dl}, {ob} ondersteuningsbehoefte"


@pytest.mark.parametrize(
    "raw,ob,band",
    [
        (full(Q10=2, Q9=2), 3, "lage"),  # OB 3
        (full(Q10=2, Q9=4), 4, "gemiddelde"),  # OB 4
        (full(Q10=2, Q12=2, Q12_items=["zwachtelen", "injecties"]), 4, "gemiddelde"),
        (full(Q10=2, Q11=2, Q9=2), 5, "gemiddelde"),  # OB 5
        (full(Q10=2, Q11=2, Q9=4), 6, "hoge"),  # OB 6
        (full(Q10=3, Q12=2, Q12_items=["sonde"]), 6, "hoge"),  # sonde counts double
        (full(Q10=3, Q12=2, Q12_items=["darmspoeling"]), 6, "hoge"),  # so does darmspoeling
        (full(Q10=3, Q12=2, Q12_items=["katheter"]), 5, "gemiddelde"),
    ],
)
def test_ob_band_boundaries(scorer, raw, ob, band):
    result = scorer.score_raw(raw)
    assert result.scores.ondersteuningsbehoefte == ob
    assert result.label.endswith(f"{band} ondersteuningsbehoefte")


@pytest.mark.parametrize(
    "q7,q8,dl,verhoogd",
    [
        (1, 1, 0, False),
        (1, 2, 1, False),
        (2, 1, 1, False),
        (2, 2, 2, True),  # stabiel without mantelzorg
        (1, 3, 2, True),  # verslechteren
        (2, 3, 3, True),
    ],
)
def test_draaglast_boundary(scorer, q7, q8, dl, verhoogd):
    result = scorer.score_raw(full(Q7=q7, Q8=q8))
    assert result.scores.draaglast == dl
    assert result.profile == ("DKDL4" if verhoogd else "DKDL1")


@pytest.mark.parametrize(
    "changes,deficit",
    [
        ({}, 0),
        ({"Q5": 2}, 2),
        ({"Q6": 2}, 1),
        ({"Q4": 2}, 2),
        ({"Q6": 3}, 3),
        ({"Q4": 3, "Q5": 3, "Q6": 3}, 7),
    ],
)
def test_draagkracht_none_against_any(scorer, changes, deficit):
    result = scorer.score_raw(full(**changes))
    assert result.scores.deficit == deficit
    assert result.profile == ("DKDL1" if deficit == 0 else "DKDL7")


def test_quirk_q12_2_without_items_scores_zero_and_warns(scorer):
    with_items = scorer.score_raw(full(Q12=2))
    assert with_items.profile == "DKDL1"
    assert with_items.scores.ondersteuningsbehoefte == 2
    assert len(with_items.warnings) == 1 and "geen item aangevinkt" in with_items.warnings[0]


def test_quirk_items_with_q12_1_are_ignored_and_warned(scorer):
    result = scorer.score_raw(full(Q12=1, Q12_items=["sonde", "darmspoeling"]))
    assert result.scores.ondersteuningsbehoefte == 2
    assert result.profile == "DKDL1"
    assert len(result.warnings) == 1 and "genegeerd" in result.warnings[0]


@pytest.mark.parametrize(
    "raw,fragment",
    [
        ({"Q1": 1, "Q2": 1, "Q3": 1, "Q13": 1}, "onbekende vraag 'Q13'"),
        (full(Q4=4), "Q4: optie 4 bestaat niet (kies 1 t/m 3)"),
        (full(Q4=0), "Q4: optie 0 bestaat niet"),
        (full(Q4="2"), "Q4: verwacht een optienummer"),
        (full(Q4=True), "Q4: verwacht een optienummer"),
        (full(Q4=2.0), "Q4: verwacht een optienummer"),
        ({"Q1": 1, "Q2": 1}, "ontbrekend antwoord op Q3"),
        ({"Q1": 1, "Q2": 1, "Q3": 1, "Q4": 1}, "ontbrekend antwoord op Q5, Q6, Q7"),
        (full(Q12=2, Q12_items=["infuus"]), "onbekend item 'infuus'"),
        (full(Q12=2, Q12_items="sonde"), "Q12_items: verwacht een lijst"),
        (full(Q12=2, Q12_items=["sonde", "sonde"]), "meer dan eens"),
    ],
)
def test_invalid_answer_sets_are_named_in_dutch(scorer, raw, fragment):
    with pytest.raises(AnswerError) as info:
        scorer.score_raw(raw)
    assert fragment in str(info.value)


def test_invalid_routing_answer_does_not_also_list_every_later_question(scorer):
    with pytest.raises(AnswerError) as info:
        scorer.score_raw({"Q1": 9})
    assert info.value.problems == ["Q1: optie 9 bestaat niet (kies 1 t/m 2)"]


def test_reached_follows_routing(scorer):
    assert scorer.reached({}) == [f"Q{i}" for i in range(1, 13)]
    assert scorer.reached({"Q1": 2}) == ["Q1"]
    assert scorer.reached({"Q1": 1, "Q2": 2}) == ["Q1", "Q2"]
    assert scorer.reached({"Q1": 1, "Q2": 1, "Q3": 3}) == ["Q1", "Q2", "Q3"]


def test_explanation_names_sums_thresholds_and_tipping_answers(scorer):
    raw = WORKED[2][1]  # case C
    explanation = scorer.explain(scorer.parse(raw))
    dk, dl, ob = explanation.axes
    assert (dk.total, dk.outcome) == (4, "verminderd draagkrachtig")
    assert dk.rule == "7 \u2212 tekort 3 = 4; draagkrachtig bij meer dan 6,5"
    assert dl.rule == "2; verhoogd bij meer dan 1,5"
    assert ob.rule == "8; lage t/m 3,5, gemiddelde t/m 5,5, hoge boven 5,5"
    assert [(c.question_id, c.option_code, c.weight) for c in dk.tipping] == [
        ("Q5", 2, 2),
        ("Q6", 2, 1),
    ]
    assert (dl.total, dl.outcome) == (2, "verhoogde draaglast")
    assert [c.question_id for c in dl.tipping] == ["Q8"]
    assert (ob.total, ob.outcome) == (8, "hoge ondersteuningsbehoefte")
    assert [(c.question_id, c.item_id, c.weight) for c in ob.tipping] == [
        ("Q9", None, 1),
        ("Q10", None, 4),
        ("Q11", None, 2),
        ("Q12", "injecties", 1),
    ]
    assert sum(c.weight for c in ob.contributions) == ob.total


def test_explanation_of_a_routing_result(scorer):
    explanation = scorer.explain(scorer.parse({"Q1": 1, "Q2": 2}))
    assert explanation.axes == ()
    assert "Palliatief-terminale zorgvraag < 3 maanden" in explanation.routing_reason


def test_what_if_names_the_boundary(scorer):
    answers = scorer.parse(WORKED[3][1])  # case D: OB 4, DKDL8
    alternatives = {(w.question_id, w.option_code, w.item_id): w for w in scorer.what_if(answers)}
    assert alternatives[("Q4", 1, None)].profile == "DKDL2"  # no psychic problem
    assert alternatives[("Q11", 1, None)].profile == "DKDL7"  # OB 4 -> 2
    assert alternatives[("Q12", None, "sonde")].profile == "DKDL9"  # +2 -> OB 6
    assert alternatives[("Q10", 3, None)].description == (
        "met \u2018volledig geholpen worden\u2019 bij Wassen/douchen (Q10)"
    )
    # Q5 'soms' would not change anything (already verminderd): not listed
    assert ("Q5", 2, None) not in alternatives


def test_what_if_from_routing_result_lists_only_complete_alternatives(scorer):
    answers = scorer.parse({"Q1": 2})
    assert scorer.what_if(answers) == []  # Q1 = 1 would need Q2..Q12


def test_answers_is_immutable_value(scorer):
    a = scorer.parse(full())
    assert isinstance(a, Answers)
    assert a == scorer.parse(full())


def test_compare_against_the_key(scorer):
    key = scorer.parse(full(Q12=2, Q12_items=["sonde"]))
    mine = scorer.parse(full(Q5=2, Q12=2, Q12_items=["injecties"]))
    verdicts = {v.question_id: v for v in scorer.compare(mine, key)}
    assert len(verdicts) == 12
    assert (verdicts["Q5"].mine, verdicts["Q5"].key, verdicts["Q5"].same) == (2, 1, False)
    assert verdicts["Q12"].same is False  # same option, other items
    assert verdicts["Q1"].same is True
    # items that do not count (Q12 = 1) do not make answers differ
    plain = scorer.parse(full())
    ticked = scorer.parse(full(Q12_items=["sonde"]))
    assert all(v.same for v in scorer.compare(ticked, plain))
    # routed away: questions only the key reaches are listed with mine = None
    routed = {v.question_id: v for v in scorer.compare(scorer.parse({"Q1": 2}), key)}
    assert routed["Q4"].mine is None and routed["Q4"].key == 1 and not routed["Q4"].same


def test_axis_maxima_and_band_ranges_come_from_the_questionnaire(scorer):
    # draagkracht 7 by definition; draaglast: no mantelzorg 1 + verslechteren 2; OB: the
    # highest options of Q9-Q12 plus every checklist item (sonde and darmspoeling weigh 2)
    assert scorer.axis_max == {"draagkracht": 7, "draaglast": 3, "ondersteuningsbehoefte": 18}
    assert [(b.id, b.low, b.high) for b in scorer.band_ranges()] == [
        ("lage", 0, 3),
        ("gemiddelde", 4, 5),
        ("hoge", 6, 18),
    ]


def test_the_option_that_goes_on_after_a_routing_question(scorer):
    assert scorer.continuing_option("Q1").code == 1
    assert scorer.continuing_option("Q3").code == 1
    assert scorer.route_of("Q1", 2) == "KINDZORG" and scorer.route_of("Q1", 1) is None


def test_one_spelling_of_profiles():
    from dkdl.scoring import profile_name, profile_number

    assert profile_name("DKDL11") == "DKDL 11" and profile_number("DKDL11") == "11"
    assert profile_name("KINDZORG") == "Kindzorg" and profile_number("KINDZORG") is None
    assert profile_name(None) == "—"


def test_short_option_labels_read_as_dutch_and_are_never_cut_inside_a_word(questionnaire):
    import re

    shorts = {(q.id, o.code): o.short for q in questionnaire.questions for o in q.options}
    assert shorts[("Q10", 2)] == "gedeeltelijke hulp van derden"
    assert shorts[("Q7", 2)] == "geen mantelzorg"
    assert shorts[("Q5", 2)] == "soms geheugenproblemen"
    for q in questionnaire.questions:
        for o in q.options:
            plain = " ".join(o.text.replace("**", "").split())
            words = o.short.removesuffix("…").split()
            # the label's words stand in the text in this order, each one whole
            assert re.search(r"(?<!\w)" + r"\s+".join(map(re.escape, words)) + r"(?!\w)", plain), (
                q.id,
                o.code,
                o.short,
            )


def test_option_keywords_for_tight_columns(questionnaire):
    assert [o.keyword for o in questionnaire.by_id["Q5"].options] == [
        "geen",
        "soms",
        "vaak/altijd",
    ]
    assert questionnaire.by_id["Q1"].options[0].keyword == "is 18 jaar of ouder"  # no bold
