"""Moving logs between laptops: export (CSV, JSON Lines, XLSX), import/merge, demo data.

Plain functions over :class:`dkdl.store.SqliteLog`; no SQL here and no UI. Every message a user
can see is Dutch; a file that cannot be used raises :class:`dkdl.store.StoreError` naming it.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import os
import random
import sys
import tempfile
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

from dkdl.cases import Case, case_dirs, load_library
from dkdl.questionnaire import Questionnaire, load_questionnaire
from dkdl.scoring import Answers, Scorer
from dkdl.sessionlog import AFGEBROKEN, AFGEROND, BEZIG
from dkdl.store import (
    ANSWER_FIELDS,
    ITEM_SEP,
    SESSION_FIELDS,
    LogBundle,
    MergeReport,
    SqliteLog,
    StoreError,
    open_log,
)

FORMATS = ("csv", "jsonl", "xlsx")
EXPORT_FIELDS = SESSION_FIELDS + ANSWER_FIELDS
_MATCH = SESSION_FIELDS.index("match")
_ITEMS = len(SESSION_FIELDS) + ANSWER_FIELDS.index("items")


# -- export ------------------------------------------------------------------------------------


def format_from_suffix(path: str) -> str | None:
    """``csv``, ``jsonl`` or ``xlsx`` from a file name's suffix (``.json``/``.ndjson`` too)."""
    suffix = Path(path).suffix.lower().lstrip(".")
    return {"json": "jsonl", "ndjson": "jsonl"}.get(suffix, suffix) if suffix else None


def export_log(log: SqliteLog, fmt: str, out: Path | None, stdout: IO[bytes] | None = None) -> int:
    """Write every answer with its session's fields (one row per answer; a session without
    answers gives one row with empty answer fields). ``out=None`` writes CSV/JSONL to ``stdout``.

    A file is written next to its destination and renamed into place at the end, so a failed
    export never leaves half a file. Returns the number of rows.
    """
    if fmt not in FORMATS:
        raise ValueError(f"onbekend formaat {fmt!r} (kies uit {', '.join(FORMATS)})")
    rows = log.export_rows()
    if out is None:
        if fmt == "xlsx":
            raise ValueError("een XLSX-bestand kan niet naar het scherm; geef --out BESTAND")
        target = stdout if stdout is not None else sys.stdout.buffer
        text = io.TextIOWrapper(target, encoding="utf-8", newline="", write_through=True)
        try:
            return _write_text(fmt, rows, text)
        finally:
            text.detach()
    with _replace_atomically(out) as tmp:
        if fmt == "xlsx":
            return _write_xlsx(rows, tmp)
        with tmp.open("w", encoding="utf-8", newline="") as fh:
            return _write_text(fmt, rows, fh)


@contextlib.contextmanager
def _replace_atomically(out: Path) -> Iterator[Path]:
    """A temporary path beside ``out``; renamed to ``out`` if the block succeeds."""
    folder = out.parent if str(out.parent) else Path(".")
    try:
        fd, name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise StoreError(
            f"{out}: kan hier niet schrijven ({exc.strerror or exc}). Kies met --out een andere "
            "plek.",
            out,
        ) from None
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.replace(tmp, out)
    except OSError as exc:
        raise StoreError(
            f"{out}: schrijven mislukt ({exc.strerror or exc}). Is de schijf vol, of staat het "
            "bestand open in een ander programma? Probeer het opnieuw.",
            out,
        ) from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def _json_row(row: tuple) -> dict[str, Any]:
    record = dict(zip(EXPORT_FIELDS, row, strict=True))
    record["match"] = None if row[_MATCH] is None else bool(row[_MATCH])
    items = row[_ITEMS]
    record["items"] = items.split(ITEM_SEP) if items else []
    return record


def _write_text(fmt: str, rows: Iterable[tuple], fh: IO[str]) -> int:
    count = 0
    if fmt == "jsonl":
        dumps = json.dumps
        for row in rows:
            fh.write(dumps(_json_row(row), ensure_ascii=False) + "\n")
            count += 1
        return count
    writer = csv.writer(fh, lineterminator="\n")
    writer.writerow(EXPORT_FIELDS)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
        count += 1
    return count


def _write_xlsx(rows: Iterable[tuple], path: Path) -> int:
    """Two sheets for trainers in Excel: ``antwoorden`` (one row per answer) and ``sessies``."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    answers_ws = wb.create_sheet("antwoorden")
    sessions_ws = wb.create_sheet("sessies")
    bold = Font(bold=True)
    for ws, header in (
        (answers_ws, EXPORT_FIELDS),
        (sessions_ws, SESSION_FIELDS + ("answers",)),
    ):
        ws.freeze_panes = "A2"
        cells = []
        for name in header:
            cell = WriteOnlyCell(ws, value=name)
            cell.font = bold
            cells.append(cell)
        ws.append(cells)

    def safe(ws, value: Any) -> Any:
        # openpyxl would store a text starting with '=' as a formula; keep it text
        if isinstance(value, str) and value.startswith("="):
            cell = WriteOnlyCell(ws, value=value)
            cell.data_type = "s"
            return cell
        return value

    count = 0
    n_session = len(SESSION_FIELDS)
    current: list[Any] | None = None
    answered = 0
    for row in rows:
        values = list(row)
        values[_MATCH] = None if row[_MATCH] is None else bool(row[_MATCH])
        answers_ws.append([safe(answers_ws, v) for v in values])
        count += 1
        if current is None or current[0] != values[0]:
            if current is not None:
                sessions_ws.append([safe(sessions_ws, v) for v in current] + [answered])
            current, answered = values[:n_session], 0
        if values[n_session] is not None:
            answered += 1
    if current is not None:
        sessions_ws.append([safe(sessions_ws, v) for v in current] + [answered])
    wb.save(path)
    return count


# -- import ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceReport:
    path: Path
    report: MergeReport


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def import_logs(target: SqliteLog, sources: Sequence[Path]) -> list[SourceReport]:
    """Merge the sessions of ``sources`` (other laptops' logs) into ``target``.

    All sources are opened read-only and read first; then everything is merged in one
    transaction. A source that is not a usable log, or whose content does not fit, raises
    :class:`StoreError` naming that source, and the target is left unchanged. Importing the
    same files again adds nothing (sessions are matched by UUID).
    """
    bundles: list[tuple[Path, LogBundle]] = []
    for source in sources:
        if _same_file(source, target.path):
            raise StoreError(
                f"{source}: dit is het doelbestand zelf; importeer alleen logbestanden van "
                "andere laptops.",
                source,
            )
        with open_log(source, create=False, readonly=True) as log:
            bundles.append((source, log.bundle()))
    reports: list[SourceReport] = []
    with target.transaction("de import"):
        for source, bundle in bundles:
            try:
                reports.append(SourceReport(source, target.merge(bundle)))
            except ValueError as exc:
                raise StoreError(
                    f"{source}: bevat gegevens die niet kloppen ({exc}). Er is niets "
                    "geïmporteerd. Laat dit bestand weg of vraag om een nieuwe kopie.",
                    source,
                ) from None
    return reports


def _n(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def describe_import(item: SourceReport) -> str:
    """One Dutch line: what importing this source added."""
    r = item.report
    parts = [
        _n(r.added, "sessie", "sessies")
        + " toegevoegd ("
        + _n(r.answers_added, "antwoord", "antwoorden")
        + ")"
    ]
    if r.updated:
        parts.append(f"{r.updated} bijgewerkt (verder gekomen dan de vorige import)")
    if r.present:
        parts.append(f"{r.present} waren er al")
    if r.nurses_added:
        parts.append(_n(r.nurses_added, "nieuwe naam", "nieuwe namen"))
    return f"{item.path}: " + ", ".join(parts)


# -- demo data ---------------------------------------------------------------------------------

DEMO_NAMES = (
    "Anouk", "Bram", "Charlotte", "Daan", "Esra", "Fleur", "Gijs", "Hanna", "Iris", "Jasper",
    "Kim", "Lotte", "Mohamed", "Noor", "Olga", "Pim", "Roos", "Sanne", "Thijs", "Yara",
)  # fmt: skip

# Chance of an answer against the key for a beginner on a case of medium difficulty. The
# boundary questions of the reference (soms vergeetachtig, weinig contacten, stabiel zonder
# mantelzorg, gedeeltelijk vs volledig, bestellen is geen medicatiehulp) are missed most.
ERROR_RATE = {
    "Q1": 0.01, "Q2": 0.06, "Q3": 0.03, "Q4": 0.12, "Q5": 0.30, "Q6": 0.28, "Q7": 0.10,
    "Q8": 0.32, "Q9": 0.08, "Q10": 0.26, "Q11": 0.24, "Q12": 0.10,
}  # fmt: skip
ITEMS_ERROR_RATE = 0.25  # the Q12 checklist: an item forgotten or one too many
DIFFICULTY_FACTOR = {1: 0.6, 2: 1.0, 3: 1.5}


@dataclass
class _Nurse:
    name: str
    ability: float  # < 1: fewer errors than average from the start
    pace: float  # seconds per question scale
    planned: int = 1  # sessions this nurse will do in the period
    done: int = 0

    def error_factor(self) -> float:
        """Errors fall with practice, over the whole period: to about half after a third of the
        nurse's sessions, towards a third at the end."""
        return self.ability * (0.3 + 0.7 * math.exp(-self.done / max(6.0, self.planned / 3)))


def demo_bundle(
    sessions: int,
    nurses: int,
    *,
    seed: int | None = None,
    months: int = 6,
    end: datetime | None = None,
    questionnaire: Questionnaire | None = None,
    cases: Sequence[Case] | None = None,
) -> LogBundle:
    """Synthetic practice on the built-in cases: ``sessions`` sessions by ``nurses`` nurses over
    ``months`` months up to ``end`` (default: today). Same seed and end, same data (UUIDs too).

    Mostly ``oefenen`` on a case, some ``toets`` series of three cases, a few ``vrij``; about
    one in twelve sessions abandoned halfway, and the last session of some nurses still
    ``bezig``. Profiles are computed with :class:`dkdl.scoring.Scorer`; key profiles come from
    the cases.
    """
    if sessions < 1 or nurses < 1:
        raise ValueError("het aantal sessies en verpleegkundigen moet minstens 1 zijn")
    q = questionnaire or load_questionnaire()
    if cases is None:
        cases = load_library(case_dirs(), q).cases
    cases = [c for c in cases if c.data.questionnaire_version == q.version]
    if not cases:
        raise ValueError("geen casussen gevonden voor deze vragenlijst")
    rng = random.Random(seed)
    scorer = Scorer(q)
    if end is None:
        end = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    span = timedelta(days=30 * months)
    people = [
        _Nurse(_demo_name(i), rng.uniform(0.6, 1.4), rng.uniform(0.7, 1.4)) for i in range(nurses)
    ]
    share = [rng.uniform(0.4, 2.0) for _ in people]
    owners = rng.choices(range(nurses), weights=share, k=sessions)
    per_nurse: dict[int, int] = {}
    for owner in owners:
        per_nurse[owner] = per_nurse.get(owner, 0) + 1
    bundle = LogBundle()
    for index, count in sorted(per_nurse.items()):
        nurse = people[index]
        nurse.planned = count
        first = end - span + timedelta(days=rng.uniform(0, 30 * months / 3))
        times = sorted(_working_time(rng, first, end) for _ in range(count))
        i = 0
        while i < count:
            if count - i >= 3 and rng.random() < 0.06:  # a toets: three cases back to back
                test_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
                start = times[i]
                for case in rng.sample(list(cases), 3):
                    _demo_session(bundle, rng, scorer, q, nurse, "toets", case, start, test_id)
                    start += timedelta(minutes=rng.uniform(6, 14))
                i += 3
                continue
            mode = "vrij" if rng.random() < 0.08 else "oefenen"
            case = rng.choice(cases)
            last = i == count - 1 and rng.random() < 0.15
            _demo_session(bundle, rng, scorer, q, nurse, mode, case, times[i], None, last)
            i += 1
    bundle.sessions.sort(key=lambda s: s[8])
    return bundle


def _demo_name(i: int) -> str:
    name = DEMO_NAMES[i % len(DEMO_NAMES)]
    return name if i < len(DEMO_NAMES) else f"{name} {i // len(DEMO_NAMES) + 1}"


def _working_time(rng: random.Random, first: datetime, end: datetime) -> datetime:
    """A moment between ``first`` and ``end`` on a weekday between 8 and 17 o'clock (UTC)."""
    days = max((end - first).days, 1)
    while True:
        day = first + timedelta(days=rng.randrange(days))
        if day.weekday() < 5 or rng.random() < 0.1:
            break
    return day.replace(hour=rng.randrange(8, 17), minute=rng.randrange(60), second=0)


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _answer_for(
    rng: random.Random, question, key_option: int | None, difficulty: int, nurse: _Nurse
) -> int:
    """The nurse's option: the key's, or (by the error model) a neighbouring one."""
    n = len(question.options)
    if key_option is None:  # not in the key (after a routing slip): a plausible answer
        return 1 if rng.random() < 0.6 else rng.randint(1, n)
    rate = ERROR_RATE.get(question.id, 0.15) * DIFFICULTY_FACTOR.get(difficulty, 1.0)
    if rng.random() >= min(rate * nurse.error_factor(), 0.9):
        return key_option
    neighbours = [o for o in (key_option - 1, key_option + 1) if 1 <= o <= n]
    return rng.choice(neighbours)


def _items_for(
    rng: random.Random, key_items: Sequence[str], all_items: Sequence[str], nurse: _Nurse
) -> list[str]:
    items = list(key_items) if key_items else [rng.choice(all_items)]
    if rng.random() < ITEMS_ERROR_RATE * nurse.error_factor():
        if len(items) > 1 and rng.random() < 0.6:
            items.remove(rng.choice(items))
        else:
            extra = [i for i in all_items if i not in items]
            if extra:
                items.append(rng.choice(extra))
    return items


def _demo_session(
    bundle: LogBundle,
    rng: random.Random,
    scorer: Scorer,
    q: Questionnaire,
    nurse: _Nurse,
    mode: str,
    case: Case,
    start: datetime,
    test_id: str | None,
    still_open: bool = False,
) -> None:
    """Append one synthetic session and its answers to ``bundle``."""
    session_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    key = case.data.key
    difficulty = case.data.difficulty if mode != "vrij" else 2
    checklist_q = next((x for x in q.questions if x.checklist is not None), None)
    checklist = checklist_q.checklist if checklist_q else None
    all_items = [it.id for it in checklist.items] if checklist else []
    options: dict[str, int] = {}
    items: list[str] = []
    answers = []
    moment = start
    while True:
        pending = [x for x in scorer.reached(options) if x not in options]
        if not pending:
            break
        question = q.by_id[pending[0]]
        k = key.get(question.id)
        option = _answer_for(rng, question, k.answer if k else None, difficulty, nurse)
        options[question.id] = option
        row_items = None
        if (
            checklist_q is not None
            and checklist is not None
            and question.id == checklist_q.id
            and option == checklist.when_option
        ):
            items = _items_for(rng, k.items if k else [], all_items, nurse)
            row_items = ITEM_SEP.join(items)
        # seconds per question: lognormal around 14 s, longer on hard cases, faster with practice
        seconds = rng.lognormvariate(math.log(14 * nurse.pace), 0.6) * (1 + difficulty / 4)
        seconds *= 0.6 + 0.4 * math.exp(-nurse.done / 20)
        seconds = round(seconds, 1)
        changes = 1 if rng.random() < 0.07 else (2 if rng.random() < 0.01 else 0)
        moment += timedelta(seconds=seconds)
        answers.append((session_id, question.id, option, row_items, _iso(moment), seconds, changes))
    status, finished, profile, key_profile, match = AFGEROND, None, None, None, None
    if still_open or rng.random() < 0.08:
        answers = answers[: rng.randint(1, max(1, len(answers) - 1))]
        status = BEZIG if still_open else AFGEBROKEN
        if status == AFGEBROKEN:
            finished = _iso(moment + timedelta(seconds=rng.uniform(5, 60)))
    else:
        result = scorer.score(Answers(options, frozenset(items)))
        profile = result.profile
        finished = _iso(moment + timedelta(seconds=rng.uniform(5, 40)))
        if mode != "vrij":
            key_profile = case.profile
            match = int(profile == key_profile)
    bundle.sessions.append(
        (
            session_id,
            nurse.name,
            mode,
            None if mode == "vrij" else case.id,
            None if mode == "vrij" else case.content_hash,
            q.id,
            q.version,
            q.content_hash,
            _iso(start),
            finished,
            status,
            profile,
            key_profile,
            match,
            test_id,
        )
    )
    bundle.answers.extend(answers)
    nurse.done += 1
