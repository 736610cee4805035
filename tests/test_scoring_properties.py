"""Properties of the model over every answer set hypothesis can think of."""

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

ITEMS = [
    "zwachtelen",
    "complexe_wonden",
    "sonde",
    "katheter",
    "overige_katheterisatie",
    "darmstoma",
    "darmspoeling",
    "injecties",
]
SIZES = {"Q4": 3, "Q5": 3, "Q6": 3, "Q7": 2, "Q8": 3, "Q9": 4, "Q10": 3, "Q11": 3, "Q12": 2}
PROFILES = {f"DKDL{i}" for i in range(1, 13)} | {"KINDZORG", "PTZ", "TIJDELIJK", "GEEN_DKDL"}


@st.composite
def answer_sets(draw, routed=None):
    """Complete answer sets; ``routed=False`` forces Q1 = Q2 = Q3 = 1."""
    raw = {q: draw(st.integers(1, n)) for q, n in SIZES.items()}
    if routed is False:
        raw.update(Q1=1, Q2=1, Q3=1)
    else:
        raw.update(
            Q1=draw(st.integers(1, 2)), Q2=draw(st.integers(1, 2)), Q3=draw(st.integers(1, 3))
        )
    items = draw(st.lists(st.sampled_from(ITEMS), unique=True, max_size=8))
    if items or draw(st.booleans()):
        raw["Q12_items"] = items
    return raw


def reference_profile(raw):
    """The reference's rules, written independently of the engine and the YAML."""
    if raw["Q1"] == 2:
        return "KINDZORG"
    if raw["Q2"] == 2:
        return "PTZ"
    if raw["Q3"] == 2:
        return "TIJDELIJK"
    if raw["Q3"] == 3:
        return "GEEN_DKDL"
    deficit = [0, 2, 2][raw["Q4"] - 1] + [0, 2, 2][raw["Q5"] - 1] + [0, 1, 3][raw["Q6"] - 1]
    dl = [0, 1][raw["Q7"] - 1] + [0, 1, 2][raw["Q8"] - 1]
    ob = [0, 1, 1, 2][raw["Q9"] - 1] + [0, 2, 4][raw["Q10"] - 1] + [0, 2, 2][raw["Q11"] - 1]
    if raw["Q12"] == 2:
        weights = {"sonde": 2, "darmspoeling": 2}
        ob += sum(weights.get(i, 1) for i in raw.get("Q12_items", []))
    base = (1 if deficit == 0 else 7) + (3 if dl >= 2 else 0)
    band = 0 if ob <= 3 else 1 if ob <= 5 else 2
    return f"DKDL{base + band}"


def test_engine_equals_the_reference_for_every_answer_set(scorer):
    """Exhaustive: all 2*2*3 * 3^3 * 2*3 * 4*3*3*2 combinations, each checklist subset for Q12=2."""
    count = 0
    checklist_subsets = [list(c) for r in range(0, 9) for c in itertools.combinations(ITEMS, r)]
    for q4, q5, q6, q7, q8, q9, q10, q11 in itertools.product(
        range(1, 4),
        range(1, 4),
        range(1, 4),
        range(1, 3),
        range(1, 4),
        range(1, 5),
        range(1, 4),
        range(1, 4),
    ):
        raw = dict(Q1=1, Q2=1, Q3=1, Q4=q4, Q5=q5, Q6=q6, Q7=q7, Q8=q8, Q9=q9, Q10=q10, Q11=q11)
        for q12, subsets in ((1, [[]]), (2, checklist_subsets)):
            # every checklist subset on one slice of the space, a sample of them elsewhere
            step = 1 if q10 == 1 else 17
            for items in subsets[::step]:
                raw.update(Q12=q12, Q12_items=items)
                assert scorer.score_raw(raw).profile == reference_profile(raw), raw
                count += 1
    assert count > 10_000


@given(answer_sets())
def test_every_valid_answer_set_gets_exactly_one_known_profile(scorer, raw):
    result = scorer.score_raw(raw)
    assert result.profile in PROFILES
    assert result.profile == reference_profile(raw)
    assert result.label == scorer.labels[result.profile]


@given(answer_sets(routed=False), st.sampled_from(["Q9", "Q10", "Q11"]))
def test_a_heavier_answer_never_lowers_the_ob_band(scorer, raw, question):
    order = ["lage", "gemiddelde", "hoge"]
    band = order.index(scorer.band(scorer.score_raw(raw).scores.ondersteuningsbehoefte))
    if raw[question] < SIZES[question]:
        heavier = dict(raw, **{question: raw[question] + 1})
        ob = scorer.score_raw(heavier).scores.ondersteuningsbehoefte
        assert order.index(scorer.band(ob)) >= band


@given(answer_sets(routed=False), st.sampled_from(ITEMS))
def test_ticking_an_item_never_lowers_the_ob_band(scorer, raw, item):
    raw = dict(raw, Q12=2)
    before = scorer.score_raw(raw).scores.ondersteuningsbehoefte
    items = set(raw.get("Q12_items", [])) | {item}
    after = scorer.score_raw(dict(raw, Q12_items=sorted(items))).scores.ondersteuningsbehoefte
    assert after >= before


@given(answer_sets(routed=False), st.lists(st.sampled_from(ITEMS), unique=True))
def test_checklist_never_matters_when_q12_is_1(scorer, raw, items):
    raw = dict(raw, Q12=1)
    plain = scorer.score_raw({k: v for k, v in raw.items() if k != "Q12_items"})
    ticked = scorer.score_raw(dict(raw, Q12_items=items))
    assert (plain.profile, plain.scores) == (ticked.profile, ticked.scores)


@settings(max_examples=150)
@given(answer_sets())
def test_what_if_alternatives_really_produce_their_profile(scorer, raw):
    answers = scorer.parse(raw)
    current = scorer.score(answers).profile
    for alt in scorer.what_if(answers):
        changed = scorer.score(alt.apply(answers))
        assert changed.profile == alt.profile != current
        assert alt.label == changed.label


@given(answer_sets())
def test_explanation_sums_add_up(scorer, raw):
    explanation = scorer.explain(scorer.parse(raw))
    result = explanation.result
    if result.scores is None:
        assert explanation.routing_reason
        return
    dk, dl, ob = explanation.axes
    assert 7 - sum(c.weight for c in dk.contributions) == dk.total == result.scores.draagkracht
    assert sum(c.weight for c in dl.contributions) == dl.total
    assert sum(c.weight for c in ob.contributions) == ob.total
