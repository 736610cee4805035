"""What the ``dkdl`` commands share: the failure type, Dutch argparse, loading questionnaire and
cases. Imported by :mod:`dkdl.cli`, :mod:`dkdl.cli_cases` and :mod:`dkdl.cli_log`, never the
other way round, so the command modules form no import circle.

Kept light: the domain modules (pydantic, PyYAML) are imported inside the functions that need
them, because ``dkdl`` alone starts the app and its start-up time is a measured goal.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from dkdl.errors import UserError

if TYPE_CHECKING:
    from dkdl.cases import CaseLibrary
    from dkdl.questionnaire import Questionnaire

# argparse speaks English; the few sentences a user can meet, in Dutch.
_ARGPARSE_DUTCH = {
    "usage: ": "gebruik: ",
    "options": "opties",
    "positional arguments": "argumenten",
    "show this help message and exit": "toon deze hulptekst en stop",
    "show program's version number and exit": "toon het versienummer en stop",
    "unrecognized arguments: %s": "onbekende argumenten: %s",
    "the following arguments are required: %s": "deze argumenten zijn verplicht: %s",
    "expected one argument": "verwacht één waarde",
    "invalid choice: %(value)r (choose from %(choices)s)": (
        "ongeldige keuze: %(value)r (kies uit %(choices)s)"
    ),
    "%(prog)s: error: %(message)s\n": "%(prog)s: fout: %(message)s\n",
    "invalid %(type)s value: %(value)r": "ongeldige waarde: %(value)r",
    "ambiguous option: %(option)s could match %(matches)s": (
        "dubbelzinnige optie: %(option)s past op %(matches)s"
    ),
}


def _dutch(message: str) -> str:
    return _ARGPARSE_DUTCH.get(message, message)


argparse._ = _dutch  # type: ignore[attr-defined]


class Fail(UserError):
    """A user-facing failure of a command: message to standard error, exit status ``code``."""

    def __init__(self, message: str, code: int = 2):
        super().__init__(message)
        self.code = code


def questionnaire(args: argparse.Namespace) -> Questionnaire:
    """The questionnaire ``--questionnaire`` names (the built-in one without it); a broken file
    becomes :class:`Fail` with the loader's Dutch message."""
    from dkdl.errors import LoadError
    from dkdl.questionnaire import load_questionnaire

    try:
        return load_questionnaire(getattr(args, "questionnaire", None))
    except LoadError as exc:
        raise Fail(str(exc)) from None


def library(args: argparse.Namespace, dirs: list[Path] | None = None) -> CaseLibrary:
    """The case library: the built-in cases plus ``--cases``/``DKDL_CASES``, or only ``dirs``."""
    from dkdl.cases import case_dirs, load_library

    if dirs is None:
        dirs = case_dirs(getattr(args, "cases", None) or [])
    return load_library(dirs, questionnaire(args))
