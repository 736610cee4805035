"""Turning validation failures into one clear, Dutch message per problem.

Both the questionnaire loader and the case loader report problems as
``<file>: <field path>: <what is wrong>``; this module holds that one way of saying it.
"""

from __future__ import annotations

import errno
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from dkdl.safetext import control_chars, safe_text, shown

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
    "string_too_long": "is te lang (hoogstens {max_length} tekens)",
    "too_long": "is te lang (hoogstens {max_length})",
    "greater_than": "is te klein",
    "less_than": "is te groot",
    "string_unicode": "moet tekst zijn",
    "none_required": "moet leeg zijn",
    "enum": "is geen toegestane waarde",
    "set_type": "moet een lijst zijn",
    "tuple_type": "moet een lijst zijn",
    "bytes_type": "moet tekst zijn",
    "date_parsing": "moet een datum zijn (JJJJ-MM-DD)",
    "date_type": "moet een datum zijn (JJJJ-MM-DD)",
    "datetime_parsing": "moet een tijdstip zijn (ISO 8601)",
    "datetime_type": "moet een tijdstip zijn (ISO 8601)",
    "uuid_parsing": "moet een UUID zijn",
    "uuid_type": "moet een UUID zijn",
    "recursion_loop": "verwijst naar zichzelf",
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
        ctx = err.get("ctx", {})
        if err["type"] == "value_error":  # our own validators raise Dutch messages
            message = str(ctx.get("error", err["msg"]))
        elif message is None:  # pydantic's English is kept out; its type names the check
            message = f"is ongeldig (controle {err['type']!r})"
        elif "{" in message:
            message = message.format_map({k: ctx.get(k, "?") for k in ("max_length",)})
        got = err.get("input")
        if err["type"] not in ("missing",) and not isinstance(got, dict | list) and got is not None:
            message += f" (gevonden: {quoted(got)})"
        lines.append(f"{shown(file)}: {safe_text(field_path(loc))}: {safe_text(message)}")
    return lines


def quoted(value: object, limit: int = 60) -> str:
    """A value from a file for a message: its repr, shortened, without control codes."""
    text = repr(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return safe_text(text)


# PyYAML's English problems, by their start, in the words a trainer can act on.
_YAML_DUTCH = (
    (
        "mapping values are not allowed",
        "een ':' op een plek waar dat niet mag; zet tekst met ':' tussen aanhalingstekens",
    ),
    ("found character '\\t'", "een tab; spring in met spaties"),
    ("found a tab character", "een tab; spring in met spaties"),  # libyaml's words
    (
        "found character",
        "een teken waarmee niets mag beginnen; zet de tekst tussen aanhalingstekens",
    ),
    ("could not find expected ':'", "een ':' ontbreekt"),
    (
        "found unexpected end of stream",
        "het bestand houdt midden in een tekst op; sluit de aanhalingstekens",
    ),
    (
        "found unknown escape character",
        "een onbekende \\-code in een tekst tussen dubbele aanhalingstekens",
    ),
    ("expected <block end>", "de inspringing klopt niet"),
    ("expected ',' or ']'", "een lijst [ ... ] is niet goed gesloten"),
    ("expected ',' or '}'", "een mapping { ... } is niet goed gesloten"),
    ("found undefined alias", "een verwijzing (*naam) naar iets dat niet bestaat"),
    ("found duplicate anchor", "een anker (&naam) staat er twee keer in"),
    ("special characters are not allowed", "een stuurteken; haal het weg"),
    ("found unacceptable character", "een stuurteken; haal het weg"),
    ("control characters are not allowed", "een stuurteken; haal het weg"),  # libyaml
    ("did not find expected key", "de inspringing klopt niet"),  # libyaml
    ("found unhashable key", "een lijst of mapping als sleutel"),
)


def yaml_problem(file: Path | str, exc: Exception) -> str:
    """A YAML syntax error as one Dutch line with its position (PyYAML's English kept out)."""
    mark = getattr(exc, "problem_mark", None)
    where = f" (regel {mark.line + 1}, kolom {mark.column + 1})" if mark is not None else ""
    english = str(getattr(exc, "problem", None) or exc)
    what = next(
        (nl for en, nl in _YAML_DUTCH if english.startswith(en) or en in english),
        "controleer inspringing, dubbele punten en aanhalingstekens",
    )
    return f"{shown(file)}: geen geldige YAML{where}: {what}"


# OSError numbers in Dutch; the operating system's own (English) text is kept out.
_OS_DUTCH = {
    errno.ENOENT: "bestand niet gevonden",
    errno.EACCES: "geen toegang (rechten); vraag wie het bestand beheert om leesrechten",
    errno.EPERM: "geen toegang (rechten)",
    errno.EISDIR: "is een map, geen bestand",
    errno.ENOTDIR: "een deel van het pad is geen map",
    errno.ENOSPC: "de schijf is vol; maak ruimte vrij",
    errno.EROFS: "de schijf is alleen-lezen",
    errno.ELOOP: "te veel symbolische koppelingen achter elkaar",
    errno.ENAMETOOLONG: "de naam is te lang",
    errno.EBUSY: "is in gebruik door een ander programma",
    errno.EIO: "leesfout van de schijf",
    errno.EEXIST: "bestaat al",
}


def os_problem(exc: OSError) -> str:
    """What went wrong with a file, in Dutch, without the system's English text."""
    if exc.errno in _OS_DUTCH:
        return _OS_DUTCH[exc.errno]
    if isinstance(exc, PermissionError):
        return _OS_DUTCH[errno.EACCES]
    if isinstance(exc, FileNotFoundError):
        return _OS_DUTCH[errno.ENOENT]
    if isinstance(exc, IsADirectoryError):
        return _OS_DUTCH[errno.EISDIR]
    code = f" {exc.errno}" if exc.errno is not None else ""
    return f"kan het bestand niet gebruiken (systeemfout{code})"


def control_problems(raw: object) -> list[tuple[str, str]]:
    """``(field path, message)`` for every text in a parsed case file (keys included) that holds
    control characters (newlines and tabs are text). Shared parts (YAML aliases) are visited
    once, so a file of nested aliases cannot make this take exponential time."""
    problems: list[tuple[str, str]] = []
    seen: set[int] = set()

    def check(text: str, where: list[str | int], what: str) -> None:
        found = control_chars(text)
        if found:
            problems.append(
                (
                    safe_text(field_path(where)),
                    f"{what} een stuurteken ({', '.join(found)}); haal het weg",
                )
            )

    def walk(value: object, where: list[str | int]) -> None:
        if isinstance(value, str):
            check(value, where, "bevat")
        elif isinstance(value, dict | list):
            if id(value) in seen:
                return
            seen.add(id(value))
            pairs = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in pairs:
                if isinstance(key, str):
                    check(key, [*where, key], "de naam van dit veld bevat")
                walk(item, [*where, key if isinstance(key, str | int) else str(key)])

    walk(raw, [])
    return problems
