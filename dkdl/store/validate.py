"""One validation of log rows: every column's type, range and vocabulary.

Used by import (every row of a source, before anything is written: a source with one bad row
is refused whole) and by the log's own reads (a row that fails is left out and counted, so a
crafted value never reaches the app as a crash or a control code). Rows come from files other
people made; nothing in them is trusted.

Vocabulary comes from the questionnaires dkdl ships (``questionnaires/casemix-*.yaml``): question
ids, option codes per question, checklist item ids, profile codes. A session of a questionnaire
version this dkdl does not know is refused on import (update dkdl), and read with the checks
that need no questionnaire. Import also re-scores each finished session's stored answers under
the questionnaire of its version (:func:`profile_problems`): the stored profile must be the one
they give.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, TypeGuard

from dkdl.sessionlog import AFGEBROKEN, AFGEROND, BEZIG, MODES, check_pseudonym
from dkdl.store.rows import ITEM_SEP, AnswerRow, SessionRow, ToetsRow

if TYPE_CHECKING:  # loaded only when import validates (trainer mode's start stays light)
    from dkdl.questionnaire import Questionnaire
    from dkdl.scoring import Scorer

STATUSES = (BEZIG, AFGEROND, AFGEBROKEN)
MAX_ID = 80  # case ids, questionnaire ids and versions, question and item ids
MAX_SECONDS = 7 * 24 * 3600.0  # a week on one question: more is not a time, it is an error
MAX_CHANGES = 100_000
MAX_ITEMS_TEXT = 2000
MAX_TOETS_CASES = 1000  # dkdl's own bound: a toets plans cases from one library
# The app's own rule (import): a session's or toets's end may lie up to this many seconds before
# its start. dkdl writes wall-clock UTC (dkdl.sessionlog.now), and a laptop's clock set back
# while a session is open (a time sync after weeks offline) does that; more is refused.
CLOCK_SKEW = 300

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_HASH = re.compile(r"[0-9a-f]{64}")
_CASE_ID = re.compile(r"[a-z0-9][a-z0-9-]*")
_CODE = re.compile(r"[A-Za-z0-9_]+")  # question, item and profile ids in any questionnaire
_TIME = re.compile(
    r"\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d"
    r"(\.\d{1,6})?(\+00:00|Z)"
)


@dataclass(frozen=True)
class Vocabulary:
    """What one questionnaire version allows in a log."""

    questionnaire_id: str
    options: dict[str, int]  # question id -> number of options
    checklist: str | None  # the question with the checklist
    items: frozenset[str]
    profiles: frozenset[str]
    pairs: frozenset[tuple[str, int]]  # every (question id, option code) that exists


@lru_cache(maxsize=1)
def known_questionnaires() -> dict[str, Questionnaire]:
    """The questionnaires dkdl ships, by version (loaded once)."""
    from dkdl.questionnaire import data_dir, load_questionnaire

    out = {}
    for path in sorted(data_dir().glob("casemix-*.yaml")):
        q = load_questionnaire(path)
        out[q.version] = q
    return out


@lru_cache(maxsize=1)
def known_scorers() -> dict[str, Scorer]:
    """A scorer for each questionnaire dkdl ships, by version (made once)."""
    from dkdl.scoring import Scorer

    return {version: Scorer(q) for version, q in known_questionnaires().items()}


@lru_cache(maxsize=1)
def known_vocabularies() -> dict[str, Vocabulary]:
    """The vocabularies of the questionnaires dkdl ships, by version (loaded once)."""
    out: dict[str, Vocabulary] = {}
    for q in known_questionnaires().values():
        checklist = next((x for x in q.questions if x.checklist is not None), None)
        out[q.version] = Vocabulary(
            q.id,
            {x.id: len(x.options) for x in q.questions},
            checklist.id if checklist else None,
            frozenset(i.id for i in checklist.checklist.items)
            if checklist and checklist.checklist
            else frozenset(),
            frozenset(q.labels),
            frozenset((x.id, o) for x in q.questions for o in range(1, len(x.options) + 1)),
        )
    return out


def show(value: object, limit: int = 40) -> str:
    """A value from a file, safe to print: quoted, control characters escaped, cut short."""
    if isinstance(value, str):
        text = repr(value[:limit] + ("…" if len(value) > limit else ""))
    else:
        text = repr(value)[:limit]
    return text


def _text(value: object) -> TypeGuard[str]:
    return type(value) is str and value.isprintable()


def is_time(value: object) -> bool:
    """ISO 8601 UTC with seconds, as dkdl writes it (``+00:00``; ``Z`` is accepted too)."""
    if type(value) is not str or len(value) > 40 or not _TIME.fullmatch(value):
        return False
    if value[8:10] < "29":  # the pattern already bounds every field; only late days can be bad
        return True
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def seconds_before(earlier: object, later: object) -> float | None:
    """How many seconds ``later`` lies after ``earlier`` (negative: before), both times as
    :func:`is_time` takes them; None when either is not such a time."""
    if not (is_time(earlier) and is_time(later)):
        return None
    assert isinstance(earlier, str) and isinstance(later, str)  # is_time took them
    try:
        return (datetime.fromisoformat(later) - datetime.fromisoformat(earlier)).total_seconds()
    except ValueError:  # year 0000, which the pattern lets through and Python has not
        return None


def too_early(time: object, start: object) -> bool:
    """``time`` lies more than :data:`CLOCK_SKEW` seconds before ``start`` (both times)."""
    seconds = seconds_before(start, time)
    return seconds is not None and seconds < -CLOCK_SKEW


def is_uuid(value: object) -> bool:
    """A UUID as dkdl writes it (lower-case hex, 8-4-4-4-12)."""
    return type(value) is str and _UUID.fullmatch(value) is not None


def is_hash(value: object) -> bool:
    """A SHA-256 in lower-case hex."""
    return type(value) is str and _HASH.fullmatch(value) is not None


def is_case_id(value: object) -> bool:
    """A case id: lower-case letters, digits and ``-``, at most MAX_ID characters."""
    return _text(value) and len(value) <= MAX_ID and _CASE_ID.fullmatch(value) is not None


def plain_text(value: object) -> TypeGuard[str]:
    """Printable text of at most MAX_ID characters (ids, versions)."""
    return _text(value) and len(value) <= MAX_ID


def plain_code(value: object) -> TypeGuard[str]:
    """An id of a questionnaire (question, item, profile): letters, digits, ``_``."""
    return plain_text(value) and _CODE.fullmatch(value) is not None


def pseudonym_problems(value: object) -> list[str]:
    """What is wrong with a stored pseudonym, in Dutch (empty: nothing): it must be text the
    app's own rule (:func:`dkdl.sessionlog.check_pseudonym`) takes unchanged."""
    if type(value) is not str:
        return [f"nurse {show(value)} is geen tekst"]
    try:
        if check_pseudonym(value) != value:
            return [f"schuilnaam {show(value)} met spaties aan begin of eind"]
    except ValueError as exc:
        return [f"schuilnaam {show(value)}: {exc}"]
    return []


def _time_problems(row: SessionRow | ToetsRow, strict: bool) -> list[str]:
    """Its start a time, its status one of the three, its end a time where there is one (with
    ``strict``: wherever it is no longer bezig): alike for a session and a toets."""
    problems = []
    if not is_time(row.started_at):
        problems.append(f"started_at {show(row.started_at)} is geen UTC-tijd (ISO 8601)")
    if row.status not in STATUSES:
        problems.append(f"status {show(row.status)} is geen bezig, afgerond of afgebroken")
    if (row.finished_at is not None or (strict and row.status != BEZIG)) and not is_time(
        row.finished_at
    ):
        problems.append(f"finished_at {show(row.finished_at)} is geen UTC-tijd (ISO 8601)")
    return problems


def session_problems(row: SessionRow, *, strict: bool = True) -> list[str]:
    """What is wrong with one session row, in Dutch (empty: nothing). ``strict`` (import): also
    require a questionnaire version this dkdl knows, and profiles from its vocabulary; without
    (the log's own reads): types, formats, ranges, lengths and control characters only."""
    problems: list[str] = []
    if not is_uuid(row.session_id):
        problems.append(f"session_id {show(row.session_id)} is geen UUID")
    problems += pseudonym_problems(row.nurse)
    if row.mode not in MODES:
        problems.append(f"mode {show(row.mode)} is geen oefenen, vrij of toets")
    if (row.case_id is not None or (strict and row.mode != "vrij")) and not is_case_id(row.case_id):
        problems.append(f"case_id {show(row.case_id)} is geen casus-id")
    if (row.case_hash is not None or (strict and row.mode != "vrij")) and not is_hash(
        row.case_hash
    ):
        problems.append(f"case_hash {show(row.case_hash)} is geen SHA-256")
    if strict and row.mode == "vrij" and (row.case_id is not None or row.case_hash is not None):
        problems.append("casus bij een vrije registratie")
    vocabulary = None
    if not (_text(row.questionnaire_version) and len(row.questionnaire_version) <= MAX_ID):
        problems.append(f"questionnaire_version {show(row.questionnaire_version)} is ongeldig")
    else:
        vocabulary = known_vocabularies().get(row.questionnaire_version) if strict else None
        if vocabulary is None and strict:
            problems.append(
                f"vragenlijstversie {show(row.questionnaire_version)} kent deze versie van dkdl "
                "niet (werk dkdl bij)"
            )
    if vocabulary is not None and row.questionnaire_id != vocabulary.questionnaire_id:
        problems.append(f"questionnaire_id {show(row.questionnaire_id)} past niet bij de versie")
    elif not (_text(row.questionnaire_id) and len(row.questionnaire_id) <= MAX_ID):
        problems.append(f"questionnaire_id {show(row.questionnaire_id)} is ongeldig")
    if not is_hash(row.questionnaire_hash):
        problems.append(f"questionnaire_hash {show(row.questionnaire_hash)} is geen SHA-256")
    problems += _time_problems(row, strict)
    profiles = vocabulary.profiles if vocabulary is not None else None
    for name, value in (("profile", row.profile), ("key_profile", row.key_profile)):
        if value is None:
            continue
        if not (_text(value) and len(value) <= MAX_ID and _CODE.fullmatch(value)) or (
            profiles is not None and value not in profiles
        ):
            problems.append(f"{name} {show(value)} is geen profiel")
    if row.match is not None and (type(row.match) is not int or row.match not in (0, 1)):
        problems.append(f"match {show(row.match)} is geen 0 of 1")
    if strict:
        problems.extend(_inconsistencies(row))
    if row.test_id is not None and not (
        is_uuid(row.test_id) if strict else _text(row.test_id) and len(row.test_id) <= MAX_ID
    ):
        problems.append(f"test_id {show(row.test_id)} is geen UUID")
    if row.installation is not None and not is_uuid(row.installation):
        problems.append(f"installation {show(row.installation)} is geen UUID")
    return problems


def _inconsistencies(row: SessionRow) -> list[str]:
    """Fields that do not fit each other (as the app never writes them), for import."""
    problems = []
    if row.status == BEZIG and row.finished_at is not None:
        problems.append("eindtijd bij een sessie die nog bezig is")
    if too_early(row.finished_at, row.started_at):
        problems.append(_early("finished_at", row.finished_at, row.started_at))
    if row.status == AFGEROND and row.profile is None:
        problems.append("afgeronde sessie zonder profiel")
    if row.status != AFGEROND and row.profile is not None:
        problems.append("profiel bij een sessie die niet is afgerond")
    if row.mode == "vrij" and row.key_profile is not None:
        problems.append("sleutelprofiel bij een vrije registratie")
    if row.mode != "vrij" and row.status == AFGEROND and row.key_profile is None:
        problems.append("afgeronde sessie op een casus zonder sleutelprofiel")
    if row.profile is None or row.key_profile is None:
        if row.match is not None:
            problems.append(f"match {show(row.match)} zonder profiel en sleutelprofiel")
    elif row.match is not None and row.match != int(row.profile == row.key_profile):
        problems.append("match klopt niet met profiel en sleutelprofiel")
    elif row.match is None:
        problems.append("match ontbreekt bij profiel en sleutelprofiel")
    if row.test_id is not None and row.mode != "toets":
        problems.append("test_id bij een sessie die geen toets is")
    return problems


def _early(name: str, time: object, start: object) -> str:
    return (
        f"{name} {show(time)} ligt meer dan {CLOCK_SKEW // 60} minuten vóór started_at "
        f"{show(start)}"
    )


def profile_problems(
    version: object,
    questionnaire_id: object,
    profile: object,
    answers: Iterable[Sequence[object]],
) -> list[str]:
    """What is wrong with the stored ``profile`` of a finished session of questionnaire
    ``version``/``questionnaire_id``, in Dutch (empty: nothing): its stored ``answers``
    (``(question, option, items)`` as stored) scored under the questionnaire dkdl ships for that
    version must give it. As the app scores them: answers to questions that routing skipped are
    stored but are no answers, and the checklist items count only where the checklist does.

    Finds nothing when there is nothing sound to score: a version dkdl does not know, a profile
    that is not one of its profiles, or an answer that is not a question, option or checklist of
    it. :func:`session_problems` and :func:`answer_problems` refuse each of those on import."""
    if type(version) is not str:
        return []
    scorer = known_scorers().get(version)
    if (
        scorer is None
        or questionnaire_id != scorer.questionnaire.id
        or type(profile) is not str
        or profile not in scorer.labels
    ):
        return []
    vocabulary = known_vocabularies()[version]
    pairs, checklist = vocabulary.pairs, vocabulary.checklist
    options: dict[str, int] = {}
    items: list[str] = []
    for question, option, stored_items in answers:
        if type(option) is not int or (question, option) not in pairs:
            return []
        options[question] = option  # type: ignore[index]  # a question id: it is in pairs
        if question == checklist:
            if stored_items is None:
                items = []
            elif type(stored_items) is str:
                items = stored_items.split(ITEM_SEP)
                if not vocabulary.items.issuperset(items):
                    return []
            else:
                return []
    from dkdl.practice import answers_from_records

    missing = [q for q in scorer.reached(options) if q not in options]
    if missing:
        why = f"er ontbreekt een antwoord op {', '.join(missing)}"
    else:
        scored = scorer.score(answers_from_records(scorer, options, set(items))).profile
        if scored == profile:
            return []
        why = f"die geven {scored}"
    return [f"opgeslagen profiel {profile} volgt niet uit de antwoorden ({why})"]


def answer_ok(row: AnswerRow, vocabulary: Vocabulary | None) -> bool:
    """A quick yes for the common answer row (no checklist items) of a known questionnaire;
    False means: ask :func:`answer_problems` (which may still find nothing wrong)."""
    seconds, changes = row.seconds, row.changes
    return (
        vocabulary is not None
        and row.items is None
        and type(row.option) is int
        and (row.question, row.option) in vocabulary.pairs
        and type(seconds) in (int, float)
        and 0 <= seconds <= MAX_SECONDS
        and type(changes) is int
        and 0 <= changes <= MAX_CHANGES
        and is_time(row.answered_at)
    )


def answer_problems(
    row: AnswerRow, version: str | None = None, *, strict: bool = True
) -> list[str]:
    """What is wrong with one answer row of a session of questionnaire ``version``; ``strict``
    as in :func:`session_problems`. When dkdl knows ``version``, its question ids, option
    ranges and checklist items are checked in either mode: an option the questionnaire lacks
    would break the scoring of whoever reads it (strict only adds: the version must be known)."""
    problems: list[str] = []
    vocabulary = known_vocabularies().get(version) if version is not None else None
    question: str | None = row.question
    if not (_text(question) and len(question) <= MAX_ID and _CODE.fullmatch(question)):
        problems.append(f"vraag {show(question)} is geen vraag-id")
        question = None
    elif vocabulary is not None and question not in vocabulary.options:
        problems.append(f"vraag {show(question)} bestaat niet in deze vragenlijst")
        question = None
    elif vocabulary is None and strict:
        problems.append(f"vraag {show(question)} hoort bij een onbekende vragenlijstversie")
    option = row.option
    if type(option) is not int or option < 1:
        problems.append(f"optie {show(option)} is geen optienummer")
    elif vocabulary is not None and question is not None and option > vocabulary.options[question]:
        problems.append(f"optie {option} bestaat niet bij {question}")
    if row.items is not None:
        problems.extend(items_problems(row.items, question, vocabulary))
    if not is_time(row.answered_at):
        problems.append(f"answered_at {show(row.answered_at)} is geen UTC-tijd (ISO 8601)")
    seconds = row.seconds
    if (
        type(seconds) not in (int, float)
        or not math.isfinite(seconds)
        or not 0 <= seconds <= MAX_SECONDS
    ):
        problems.append(f"seconds {show(seconds)} is geen aantal seconden")
    if type(row.changes) is not int or not 0 <= row.changes <= MAX_CHANGES:
        problems.append(f"changes {show(row.changes)} is geen aantal wijzigingen")
    return problems


def items_problems(items: object, question: str | None, vocabulary: Vocabulary | None) -> list[str]:
    """What is wrong with the checklist ``items`` (as stored) of an answer to ``question`` (None:
    not a question of the vocabulary); with a ``vocabulary``, the items must be its checklist's
    and ``question`` its checklist question."""
    if not (_text(items) and 0 < len(items) <= MAX_ITEMS_TEXT):
        return [f"items {show(items)} is geen lijst van items"]
    ids = items.split(ITEM_SEP)
    if len(set(ids)) != len(ids) or not all(_CODE.fullmatch(i) for i in ids):
        return [f"items {show(items)} is geen lijst van items"]
    problems = []
    if vocabulary is not None:
        if question is not None and question != vocabulary.checklist:
            problems.append(f"{question} heeft geen checklist-items")
        unknown = [i for i in ids if i not in vocabulary.items]
        if unknown:
            problems.append(f"onbekend checklist-item {show(unknown[0])}")
    return problems


def toets_problems(row: ToetsRow, *, strict: bool = True) -> list[str]:
    """What is wrong with one toets row (empty: nothing): the toets's UUID, who took it, its
    times and status as for a session, and its plan (at least one case, at most
    MAX_TOETS_CASES, each a case id). ``strict`` (import) also asks for fields that fit each
    other: an end time exactly when it is no longer bezig."""
    problems: list[str] = []
    if not is_uuid(row.toets_id):
        problems.append(f"toets_id {show(row.toets_id)} is geen UUID")
    problems += pseudonym_problems(row.nurse)
    problems += _time_problems(row, strict)
    if strict and row.status == BEZIG and row.finished_at is not None:
        problems.append("eindtijd bij een toets die nog bezig is")
    if strict and too_early(row.finished_at, row.started_at):
        problems.append(_early("finished_at", row.finished_at, row.started_at))
    if not 0 < len(row.case_ids) <= MAX_TOETS_CASES:
        problems.append(f"{len(row.case_ids)} casussen gepland (1 tot {MAX_TOETS_CASES})")
    bad = next((c for c in row.case_ids if not is_case_id(c)), None)
    if bad is not None:
        problems.append(f"geplande casus {show(bad)} is geen casus-id")
    return problems


@dataclass(frozen=True)
class BadRow:
    """One row that failed, for a Dutch report: which session (and question) or toets, and
    why."""

    session_id: object  # the session's UUID, or the toets's (``what="toets"``)
    question: object | None
    problems: tuple[str, ...]
    what: str = "sessie"

    def describe(self) -> str:
        where = f"{self.what} {show(self.session_id)}"
        if self.question is not None:
            where = f"antwoord op {show(self.question)} in {where}"
        return f"{where}: {'; '.join(self.problems)}"
