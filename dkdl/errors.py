"""Turning validation failures into one clear, Dutch message per problem.

Both the questionnaire loader and the case loader report problems as
``<file>: <field path>: <what is wrong>``; this module holds that one way of saying it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # kept light: the CLI imports this module before it knows what it needs
    from pydantic import ValidationError

# Pydantic's English messages, by error type, in the words a trainer reads.
_DUTCH = {
    "missing": "ontbreekt",
    "extra_forbidden": "onbekend veld",
    "int_type": "moet een geheel getal zijn",
    "int_parsing": "moet een geheel getal zijn",
    "int_from_float": "moet een geheel getal zijn",
    "float_type": "moet een getal zijn",
    "float_parsing": "moet een getal zijn",
    "string_type": "moet tekst zijn",
    "bool_type": "moet true of false zijn",
    "bool_parsing": "moet true of false zijn",
    "list_type": "moet een lijst zijn",
    "dict_type": "moet een mapping (sleutel: waarde) zijn",
    "model_type": "moet een mapping (sleutel: waarde) zijn",
    "too_short": "is te kort of leeg",
    "string_too_short": "mag niet leeg zijn",
    "greater_than_equal": "is te klein",
    "less_than_equal": "is te groot",
    "string_pattern_mismatch": "heeft niet de juiste vorm",
    "literal_error": "is geen toegestane waarde",
}


class UserError(Exception):
    """A failure the user can act on: its message (Dutch) is shown as is, with exit ``code``."""

    code = 2


class LoadError(UserError):
    """A file could not be loaded; ``problems`` holds one line per problem, file and field named."""

    def __init__(self, problems: Sequence[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


def field_path(loc: Iterable[str | int]) -> str:
    """``('questions', 3, 'options', 1, 'weight')`` -> ``questions[3].options[1].weight``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(bestand)"


def describe_validation_error(file: Path | str, exc: ValidationError) -> list[str]:
    """One ``file: field: message`` line per pydantic error, in Dutch where we know the type."""
    lines = []
    for err in exc.errors(include_url=False):
        loc = [p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-"))]
        message = _DUTCH.get(err["type"])
        if err["type"] == "value_error":
            message = str(err.get("ctx", {}).get("error", err["msg"]))
        elif message is None:
            message = err["msg"]
        got = err.get("input")
        if err["type"] not in ("missing",) and not isinstance(got, dict | list) and got is not None:
            message += f" (gevonden: {got!r})"
        lines.append(f"{file}: {field_path(loc)}: {message}")
    return lines


def yaml_problem(file: Path | str, exc: Exception) -> str:
    """A YAML syntax error as one line with its position."""
    mark = getattr(exc, "problem_mark", None)
    where = f" (regel {mark.line + 1}, kolom {mark.column + 1})" if mark is not None else ""
    what = getattr(exc, "problem", None) or str(exc)
    return f"{file}: geen geldige YAML{where}: {what}"
