"""The privacy screen on case text: what looks like real client data (the app's own screening).

Casussen are fictional; a trainer who copies a real dossier into one should be stopped. The
screen looks for Dutch identifiers in the formats people write them: BSN, birth dates (numeric,
ISO and written out), postcodes (also in lower case), phone numbers (with any spacing, +31 and
0031), e-mail addresses and IBANs. It must not stop ordinary clinical text: doses such as
``1200 IE`` insuline or ``2000 ml``, years followed by a short word (``in 1943 en``), blood
pressures, times. The lists of real-world formats in tests/test_privacy.py hold both sides.
Plain Python, no UI imports.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_MONTHS = (
    "januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december"
    "|jan|feb|febr|mrt|apr|jun|jul|aug|sep|sept|okt|nov|dec"
)
_YEAR = r"(?:(?:19|20)\d{2}|['\u2019]\d{2})"

# Two letters after four digits that are not a postcode: units and abbreviations of care in any
# case ("1200 IE insuline", "2000 ml"), and, in lower case, the two-letter Dutch words that follow
# a year or a number ("sinds 1943 en"). "3512 JE" is a postcode, "1234 ab" too.
# fmt: off
_UNITS = frozenset({
    "ie", "iu", "eh", "ml", "mg", "kg", "kj", "cm", "mm", "km", "gr", "cc", "ug", "ng", "st",
    "pm", "am", "sa", "sd", "ss",
})
_SHORT_WORDS = frozenset({
    "en", "in", "op", "te", "om", "of", "is", "al", "na", "ze", "we", "je", "de", "er", "zo",
    "nu", "ik", "ga", "ja", "ad",
})
# fmt: on
# (SA, SD and SS are never used in Dutch postcodes.)


def _postcode(match: re.Match[str]) -> bool:
    letters = match.group(2)
    if letters.lower() in _UNITS:
        return False
    return not (letters.islower() and letters in _SHORT_WORDS)


def _phone(match: re.Match[str]) -> bool:
    digits = re.sub(r"\D", "", match.group(0))
    if digits.startswith("0031"):
        return len(digits) in (13, 14)  # 0031 + 9 digits (a '(0)' may be written too)
    if digits.startswith("31"):  # written as +31
        return len(digits) in (11, 12)
    return len(digits) == 10  # 0 + area or mobile code + number


_Check = Callable[[re.Match[str]], bool]
# Every pattern but the e-mail address needs a digit (and that one an "@"): text without one is
# not scanned for it, which makes the screen of a case library several times quicker.
_DIGIT = re.compile(r"\d")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
_SCREEN: list[tuple[re.Pattern[str], str, _Check | None]] = [
    (
        re.compile(r"(?<![\d.\-])(?:\d{9}|\d{4}[ .]\d{2}[ .]\d{3}|\d{3}[ .]\d{3}[ .]\d{3})(?!\d)"),
        "een nummer dat op een BSN lijkt",
        None,
    ),
    (
        re.compile(r"\b\d{1,2}([-/.])\d{1,2}\1(?:(?:19|20)\d{2}|\d{2})\b"),
        "een datum (geboortedatum?)",
        None,
    ),
    (
        re.compile(r"\b(?:19|20)\d{2}([-/.])(?:0?[1-9]|1[0-2])\1(?:0?[1-9]|[12]\d|3[01])\b"),
        "een datum (geboortedatum?)",
        None,
    ),
    (
        re.compile(rf"\b\d{{1,2}}[ -](?:{_MONTHS})\.?[ -]{_YEAR}(?!\d)", re.IGNORECASE),
        "een datum (geboortedatum?)",
        None,
    ),
    (
        re.compile(r"(?<![\d,.])\b([1-9]\d{3}) ?([A-Za-z]{2})\b(?![\d-])"),
        "iets dat op een postcode lijkt",
        _postcode,
    ),
    (
        re.compile(r"(?<![\w+])(?:\+31|0031|\(0|0)[\d \-.()]{8,16}\d"),
        "een telefoonnummer",
        _phone,
    ),
    (_EMAIL, "een e-mailadres", None),
    (
        re.compile(r"\bNL ?\d{2} ?[A-Z]{4}(?: ?\d){10}\b", re.IGNORECASE),
        "een rekeningnummer (IBAN)",
        None,
    ),
]


def identifying(text: str) -> list[tuple[str, str]]:
    """``(what, the text found)`` for everything in ``text`` that looks like client data."""
    found: list[tuple[str, str]] = []
    has_digit = _DIGIT.search(text) is not None
    has_at = "@" in text
    if not (has_digit or has_at):
        return found
    for pattern, what, check in _SCREEN:
        if not (has_at if pattern is _EMAIL else has_digit):
            continue
        for match in pattern.finditer(text):
            if check is None or check(match):
                found.append((what, match.group(0)))
                break  # one finding per kind per text is enough to act on
    return found
