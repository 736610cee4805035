"""The privacy screen on case text (issue 9), on lists of formats as people write them."""

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from dkdl.privacy import identifying

# Each of these in a vignette, title, tag, hint or toelichting must be flagged.
FLAGGED = [
    ("geboren 1943-03-12", "datum"),
    ("geboortedatum 12-03-1943", "datum"),
    ("geb. 12/3/1943", "datum"),
    ("geb. 12.03.1943", "datum"),
    ("geboren 12-03-43", "datum"),
    ("geboren op 12 maart 1943", "datum"),
    ("geboren 12 mrt. 1943", "datum"),
    ("geboren 12-mrt-1943", "datum"),
    ("sinds 3 Januari 2001 thuis", "datum"),
    ("geboren 12 maart '43", "datum"),
    ("bel 020 123 4567", "telefoonnummer"),
    ("bel 020-1234567", "telefoonnummer"),
    ("bel (020) 123 45 67", "telefoonnummer"),
    ("dochter: 06-12345678", "telefoonnummer"),
    ("dochter: 06 1234 5678", "telefoonnummer"),
    ("dochter: 0612345678", "telefoonnummer"),
    ("dochter: +31 6 12345678", "telefoonnummer"),
    ("dochter: +31 (0)20 123 4567", "telefoonnummer"),
    ("dochter: 0031 20 123 4567", "telefoonnummer"),
    ("woont in 1234 ab Ergens", "postcode"),
    ("postcode 1234AB", "postcode"),
    ("postcode 3512 JE Utrecht", "postcode"),
    ("Dorpsstraat 1, 9999 zz Dorp", "postcode"),
    ("BSN 123456789", "BSN"),
    ("BSN 1234.56.789", "BSN"),
    ("BSN 123 456 789", "BSN"),
    ("mail j.jansen@example.nl", "e-mailadres"),
    ("rekening NL91 ABNA 0417 1643 00", "IBAN"),
    ("rekening NL91ABNA0417164300", "IBAN"),
]

# Ordinary clinical and case text: none of it may be flagged.
NOT_FLAGGED = [
    "1200 IE insuline per dag",
    "Lantus 40 IE en Novorapid 3 x 8 IE",
    "2000 ml vocht per dag",
    "paracetamol 1000 mg 4 dd",
    "1500 kcal, 2000 IU vitamine D",
    "sinds 1943 en later",
    "in 2019 is zij verhuisd",
    "zij woont er sinds 1998 al",
    "RR 140/90, pols 72",
    "om 10.30 uur en om 06:30",
    "drie keer per dag, 2-3 keer per week",
    "score 6,5; kies 1 t/m 3",
    "zij is 85 jaar, BMI 31",
    "0,5 mg lorazepam",
    "op 12 maart komt de huisarts",
    "vanaf maart 1943",
    "Q12 = 2, item sonde",
    "wondoppervlak 4 x 3 cm",
    "ze loopt 1000 stappen",
    "100 mg/dag en 5 mmol/l",
    "vijf kinderen, drie kleinkinderen",
    "1-2-3 keer per nacht",
]


@pytest.mark.parametrize("text,kind", FLAGGED)
def test_real_world_formats_are_flagged(text, kind):
    found = identifying(text)
    assert found, text
    assert any(kind.lower() in what.lower() for what, _ in found), found


@pytest.mark.parametrize("text", NOT_FLAGGED)
def test_ordinary_case_text_is_not_flagged(text):
    assert identifying(text) == []


def test_the_built_in_cases_pass_the_screen():
    from dkdl.cases import builtin_cases_dir, load_library
    from dkdl.questionnaire import load_questionnaire

    library = load_library([builtin_cases_dir()], load_questionnaire())
    assert library.problems == []
    assert len(library.cases) >= 30


# Pieces of what the patterns look for, so that generated text often comes near a finding.
_PIECES = [
    *"0123456789 .-/+@()_',\u2019\n",
    *"aNLjEIml",
    "\u0661",  # an Arabic-Indic digit: \d matches it, so the quick skip must see it
    "\uff11",  # a fullwidth digit, likewise
    "\u0661\u0662-\u0660\u0663-\u0664\u0663",  # a date in those digits, and no ASCII digit
    "januari",
    "mrt.",
    "0031",
    "+31",
    "(0)",
    "NL91ABNA",
    "naam@zorg.nl",
    "1943",
    "IE",
]


@settings(max_examples=2000)
@example("\u0661\u0662-\u0660\u0663-\u0664\u0663")
@given(st.one_of(st.text(), st.lists(st.sampled_from(_PIECES), max_size=24).map("".join)))
def test_the_quick_skip_finds_exactly_what_every_pattern_finds(text):
    # identifying() skips the patterns that need a digit in text without one, and the e-mail
    # pattern without '@' (a quicker screen of a case library); the findings stay the same.
    from dkdl.privacy import _SCREEN

    every = []
    for pattern, what, check in _SCREEN:
        match = next((m for m in pattern.finditer(text) if check is None or check(m)), None)
        if match is not None:
            every.append((what, match.group(0)))
    assert identifying(text) == every
