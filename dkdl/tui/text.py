"""Small text helpers shared by screens: the questionnaire's ``**bold**`` as Textual markup,
levels in words, case texts as one renderable."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from textual.markup import escape

if TYPE_CHECKING:
    from rich.markdown import Markdown as RichMarkdown

_BOLD = re.compile(r"\*\*(.+?)\*\*")


def bold_markup(text: str) -> str:
    """Textual markup for a questionnaire text: escaped, with ``**x**`` rendered bold."""
    return _BOLD.sub(r"[b]\1[/b]", escape(text))


DIFFICULTY = {1: "eenvoudig", 2: "let op", 3: "grensgeval"}


def difficulty(level: int) -> str:
    return "●" * level + "○" * (3 - level) + " " + DIFFICULTY.get(level, "")


def markdown_text(text: str) -> RichMarkdown:
    """A case text (Markdown) as one renderable for a Static: painted in the same frame as the
    screen around it (Textual's Markdown widget mounts its blocks a frame later)."""
    from rich.markdown import Markdown

    return Markdown(text)
