"""Small text helpers shared by screens: the questionnaire's ``**bold**`` as Textual markup."""

from __future__ import annotations

import re

from textual.markup import escape

_BOLD = re.compile(r"\*\*(.+?)\*\*")


def bold_markup(text: str) -> str:
    """Textual markup for a questionnaire text: escaped, with ``**x**`` rendered bold."""
    return _BOLD.sub(r"[b]\1[/b]", escape(text))


DIFFICULTY = {1: "eenvoudig", 2: "let op", 3: "grensgeval"}


def difficulty(level: int) -> str:
    return "●" * level + "○" * (3 - level) + " " + DIFFICULTY.get(level, "")


def profile_short(code: str | None) -> str:
    """'DKDL4' -> 'DKDL 4'; routing codes as the nurse knows them."""
    if code is None:
        return "—"
    if code.startswith("DKDL"):
        return f"DKDL {code[4:]}"
    return {
        "KINDZORG": "Kindzorg",
        "PTZ": "PTZ",
        "TIJDELIJK": "Tijdelijk",
        "GEEN_DKDL": "Geen DKDL",
    }.get(code, code)
