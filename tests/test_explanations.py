"""dkdl's own explanations per question (questionnaires/uitleg-*.yaml, dkdl/explanations.py):
one for every question, numbers from the model, quotes from the questionnaire, claims true."""

from __future__ import annotations

import re

import pytest

from dkdl.errors import LoadError
from dkdl.explanations import QUOTE, explanations_path, load_explanations, parse_explanations
from dkdl.questionnaire import data_dir, parse_questionnaire
from dkdl.scoring import Answers, Scorer
from tests.conftest import full

TEXT = explanations_path("NR/REG-2407").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def explanations(scorer):
    return load_explanations(scorer)


def score(scorer, items=(), **overrides):
    return scorer.score(Answers(full(**overrides), frozenset(items)))


def modified_scorer(*replacements):
    """A scorer on the questionnaire file with some text replaced (another model)."""
    text = (data_dir() / "casemix-nr-reg-2407.yaml").read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text
        text = text.replace(old, new)
    return Scorer(parse_questionnaire(text))


def test_every_question_has_an_explanation_labelled_as_dkdls_own(scorer, explanations):
    assert set(explanations.rules) == set(scorer.question_ids)
    assert all(len(text) > 40 for text in explanations.rules.values())
    assert "Uitleg van dkdl" in explanations.label and "geen tekst van de NZa" in (
        explanations.label
    )


def test_a_boundary_has_its_own_text_in_either_direction(explanations):
    assert explanations.explain("Q5", 2, 1) == explanations.explain("Q5", 1, 2)
    assert explanations.explain("Q5", 2, 1) != explanations.rules["Q5"]
    assert explanations.explain("Q5") == explanations.rules["Q5"]
    assert explanations.explain("Q9", 2, 3) == explanations.rules["Q9"]  # no text of its own


def test_the_examples_of_the_issue_are_explained(explanations):
    q5 = explanations.explain("Q5", 2, 1)
    assert "af en toe vergeetachtig" in q5 and "verminderd draagkrachtig" in q5
    q12 = explanations.explain("Q12", 2, 2)
    assert "Steunkousen" in q12 and "eigen lezing" in q12  # dkdl's reading, said so
    assert "Het bestellen van medicatie valt hier niet onder." in explanations.explain("Q11", 1, 2)


def test_every_quote_is_the_questionnaires_wording(scorer, explanations):
    q = scorer.questionnaire
    wording = [x.title for x in q.questions] + [x.note or "" for x in q.questions]
    wording += [o.text for x in q.questions for o in x.options]
    wording += [it.text for x in q.questions if x.checklist for it in x.checklist.items]
    wording += list(q.labels.values())
    plain = " ".join(" ".join(wording).replace("**", "").split()).casefold()
    texts = list(explanations.rules.values()) + list(explanations.boundaries.values())
    quotes = [m for t in texts for m in QUOTE.findall(t) + re.findall(r"“([^”]*)”", t)]
    assert len(quotes) > 30
    for quote in quotes:
        assert quote.rstrip("…").casefold() in plain, quote


def test_the_numbers_follow_the_model(explanations):
    """The same file on a model with other weights and bands says the other numbers."""
    assert "‘volledig geholpen worden’ 4" in explanations.rules["Q10"]
    assert "lage t/m 3, gemiddelde vanaf 4, hoge vanaf 6" in explanations.rules["Q10"]
    other = modified_scorer(
        ("weight: 4\n        text: De cliënt moet", "weight: 5\n        text: De cliënt moet"),
        ("{id: lage, up_to: 3.5}", "{id: lage, up_to: 4.5}"),
        (
            "nza_variable: VR_technisch_sonde\n          weight: 2",
            "nza_variable: VR_technisch_sonde\n          weight: 3",
        ),
        (
            "nza_variable: VR_technisch_darmspoeling\n          weight: 2",
            "nza_variable: VR_technisch_darmspoeling\n          weight: 3",
        ),
    )
    changed = parse_explanations(TEXT, other)
    assert "‘volledig geholpen worden’ 5" in changed.rules["Q10"]
    assert "lage t/m 4, gemiddelde vanaf 5, hoge vanaf 6" in changed.rules["Q10"]
    assert "‘Sonde’ en ‘Darmspoeling’ 2" in explanations.rules["Q12"]
    assert "‘Sonde’ en ‘Darmspoeling’ 3" in changed.rules["Q12"]


def test_the_claims_in_the_texts_hold_in_the_model(scorer, explanations):
    """What the sentences say about the model, checked against the scorer."""
    base = score(scorer)
    assert base.profile == "DKDL1"
    # Q4/Q5/Q6: any answer other than the first makes the client verminderd draagkrachtig
    for qid in ("Q4", "Q5", "Q6"):
        for code in range(2, scorer.n_options[qid] + 1):
            assert score(scorer, **{qid: code}).profile == "DKDL7", (qid, code)
    assert "tekort van 0" in explanations.rules["Q5"]
    # Q7/Q8: verhoogd from 2: stabiel only without mantelzorg, verslechteren on its own
    assert "verhoogd vanaf 2" in explanations.rules["Q7"]
    # the Q7 rule must not suggest that verslechteren needs geen mantelzorg too
    assert "‘verslechteren’ (2) is hij dat op zichzelf al" in explanations.rules["Q7"]
    assert "‘(relatief) stabiel’ (1) alleen samen met ‘geen mantelzorg’" in explanations.rules["Q7"]
    assert "‘verbeteren’ (0) nooit" in explanations.rules["Q7"]
    assert score(scorer, Q7=2, Q8=1).profile == "DKDL1"
    assert score(scorer, Q8=2).scores.draaglast == 1 and score(scorer, Q8=2).profile == "DKDL1"
    assert score(scorer, Q7=2, Q8=2).profile == "DKDL4"
    assert score(scorer, Q8=3).profile == "DKDL4" and score(scorer, Q8=1, Q7=2).profile == "DKDL1"
    # Q12: sonde and darmspoeling weigh the double, every other item the same as zwachtelen
    w = scorer.item_weights
    assert w["sonde"] == w["darmspoeling"] == 2 * w["zwachtelen"]
    others = set(w) - {"sonde", "darmspoeling"}
    assert {w[i] for i in others} == {w["zwachtelen"]}
    # Q12 = 1: the checklist does not count
    assert score(scorer, items=["sonde"], Q12=1).scores.ondersteuningsbehoefte == 2
    # Q1/Q2/Q3 route as the texts say
    assert "‘Medische kindzorg thuis’" in explanations.rules["Q1"]
    assert score(scorer, Q1=2).profile == "KINDZORG"
    assert score(scorer, Q2=2).profile == "PTZ"


@pytest.mark.parametrize(
    "old,new,message",
    [
        ("weegt {w:Q5.2},", "weegt 2,", "getal '2' ingetypt"),
        ("{w:Q10.3}", "{w:Q10.9}", "plaatshouder {w:Q10.9} bestaat niet"),
        ("‘af en toe vergeetachtig", "‘vaak vergeetachtig", "staat niet in de vragenlijst"),
        ("  Q11:\n    rule:", "  Q99:\n    rule:", "questions.Q11: ontbreekt"),
        (
            "      - options: [2, 3]\n        text: >-\n          Soms",
            "      - options: [1, 3]\n        text: >-\n          Soms",
            None,
        ),
        (
            "options: [1, 2]\n        text: >-\n          ‘Soms’",
            "options: [1, 1]\n        text: >-\n          ‘Soms’",
            "twee keer dezelfde optie",
        ),
        ("questionnaire_version: NR/REG-2407", "questionnaire_version: NR/REG-9999", "is niet"),
        ('label: "Uitleg', 'labels: "Uitleg', "label"),
    ],
)
def test_a_broken_file_is_refused_naming_the_field(scorer, old, new, message):
    assert old in TEXT
    broken = TEXT.replace(old, new, 1)
    if message is None:  # still valid (another pair of options is fine)
        parse_explanations(broken, scorer)
        return
    with pytest.raises(LoadError) as info:
        parse_explanations(broken, scorer, "uitleg.yaml")
    assert any(message in p and p.startswith("uitleg.yaml: ") for p in info.value.problems), (
        info.value.problems
    )


def test_a_control_code_in_the_file_is_refused(scorer):
    with pytest.raises(LoadError):
        parse_explanations(TEXT.replace("Alleen de leeftijd", "Alleen \x1b[31mde leeftijd"), scorer)
