"""The portable shape of a log: named row types and their conversions.

A log travels between laptops (export, import, demo data) as rows of sessions and answers keyed
by session UUID and nurse pseudonym, never by the integer ids inside one file. The rows are
NamedTuples, so code reads them by name (``row.status``) and tuple consumers (CSV writers,
``executemany``) still take them as they are.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from dkdl.sessionlog import SessionInfo

ITEM_SEP = ","


class SessionRow(NamedTuple):
    """One session as it travels: ``match`` as 0/1/None, times as ISO 8601 UTC text."""

    session_id: str
    nurse: str
    mode: str
    case_id: str | None
    case_hash: str | None
    questionnaire_id: str
    questionnaire_version: str
    questionnaire_hash: str
    started_at: str
    finished_at: str | None
    status: str
    profile: str | None
    key_profile: str | None
    match: int | None
    test_id: str | None
    installation: str | None = None  # the laptop (log) it was practised on; None: unknown


class AnswerRow(NamedTuple):
    """One answer as it travels: ``items`` as stored (comma-joined item ids, or None)."""

    session_id: str
    question: str
    option: int
    items: str | None
    answered_at: str
    seconds: float
    changes: int


class ToetsRow(NamedTuple):
    """One toets as it travels: its UUID (the ``test_id`` of its sessions), who took it, its
    times and status, and the planned case ids in order (``toets_cases``)."""

    toets_id: str
    nurse: str
    started_at: str
    finished_at: str | None
    status: str
    case_ids: tuple[str, ...]


SESSION_FIELDS: tuple[str, ...] = SessionRow._fields
ANSWER_FIELDS: tuple[str, ...] = AnswerRow._fields[1:]

# the session columns after ``uuid`` and ``nurse``, in SESSION_FIELDS order
SESSION_COLUMNS: tuple[str, ...] = SESSION_FIELDS[2:]

SESSION_SELECT = (
    "SELECT s.uuid, n.pseudonym, "
    + ", ".join(f"s.{c}" for c in SESSION_COLUMNS)
    + " FROM sessions s JOIN nurses n ON n.id = s.nurse"
)
TOETS_SELECT = (
    "SELECT t.id, t.uuid, n.pseudonym, t.started_at, t.finished_at, t.status "
    "FROM toetsen t LEFT JOIN nurses n ON n.id = t.nurse"
)
TOETS_CASES_SELECT = "SELECT toets, position, case_id FROM toets_cases"

ANSWER_SELECT = (
    "SELECT s.uuid, a.question, a.option, a.items, a.answered_at, a.seconds, a.changes "
    "FROM answers a JOIN sessions s ON s.id = a.session"
)


def toets_rows(toetsen: Iterable[tuple], cases: Iterable[tuple]) -> list[ToetsRow]:
    """Rows of :data:`TOETS_SELECT` and :data:`TOETS_CASES_SELECT` (ordered by toets and
    position) as :class:`ToetsRow`; the case ids in the order read."""
    plans: dict[object, list[str]] = {}
    for toets, _position, case_id in cases:
        plans.setdefault(toets, []).append(case_id)
    return [
        ToetsRow(uid, nurse, started, finished, status, tuple(plans.get(row_id, ())))
        for row_id, uid, nurse, started, finished, status in toetsen
    ]


def items_text(items: Iterable[str]) -> str | None:
    """Checklist item ids as stored: comma-joined, None when there are none."""
    items = tuple(items)
    for item in items:
        if not item or ITEM_SEP in item:
            raise ValueError(f"ongeldig checklist-item {item!r}")
    return ITEM_SEP.join(items) if items else None


def items_tuple(text: str | None) -> tuple[str, ...]:
    """The stored item text back as a tuple of ids."""
    return tuple(text.split(ITEM_SEP)) if text else ()


def session_info(row: SessionRow) -> SessionInfo:
    """A :class:`SessionRow` as the practice app's :class:`SessionInfo` (``match`` as bool)."""
    return SessionInfo(
        id=row.session_id,
        nurse=row.nurse,
        mode=row.mode,
        case_id=row.case_id,
        case_hash=row.case_hash,
        questionnaire_id=row.questionnaire_id,
        questionnaire_version=row.questionnaire_version,
        questionnaire_hash=row.questionnaire_hash,
        started_at=row.started_at,
        finished_at=row.finished_at,
        status=row.status,
        profile=row.profile,
        key_profile=row.key_profile,
        match=None if row.match is None else bool(row.match),
        test_id=row.test_id,
        installation=row.installation,
    )
