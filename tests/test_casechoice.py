"""The nurse's case filter matches what she sees of a case, never what gives the answer away."""

from dkdl.tui.screens.casechoice import matches


def test_filter_does_not_search_case_ids_that_name_the_outcome(cases):
    """Case ids name the profile group ('ptz-…', 'kindzorg-…'): typing it must not list them."""
    by_id = {c.id: c for c in cases}
    ptz = by_id["ptz-hartfalen-01"]
    assert "ptz" not in ptz.title.lower() and "ptz" not in " ".join(ptz.situation_tags)
    assert not matches(ptz, "ptz")
    assert not matches(by_id["kindzorg-terminaal-01"], "kindzorg")
    assert not matches(by_id["tijdelijk-delier-01"], "tijdelijk")


def test_filter_still_finds_title_tags_and_level(cases):
    ptz = next(c for c in cases if c.id == "ptz-hartfalen-01")
    assert matches(ptz, "hartfalen")
    assert matches(ptz, "PALLIATIEF herindicatie")
    assert matches(ptz, "")
    assert not matches(ptz, "hartfalen sonde")
