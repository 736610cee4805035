"""``dkdl export``: the log as rows a trainer can use (CSV, Excel CSV, JSON Lines, XLSX).

One row per answer, with its session's fields, the question (axis, title, option text), the
case key's option and items and whether her answer equals the key (``correct``). The rows stream
from SQLite one session at a time, so memory stays flat whatever the size of the log.

Everything written comes from a file made elsewhere, so every text cell is made harmless for a
spreadsheet (a leading ``= + - @``, tab or CR gets a ``'`` in front) and for a terminal (control
characters written out visibly, as :mod:`dkdl.safetext` does everywhere). Where the output goes
is checked first: an existing file is replaced only with ``force``, a symlink is refused, a
device or FIFO is written through (never replaced), and a file is written beside its
destination and renamed into place only when complete.

No UI here; every message a user can see is Dutch (:class:`ExportError`, or
:class:`dkdl.store.StoreError` for the log itself).
"""

from __future__ import annotations

import contextlib
import csv
import functools
import io
import itertools
import json
import operator
import os
import signal
import sqlite3
import stat
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any, NamedTuple

from dkdl.cases import Case
from dkdl.errors import UserError
from dkdl.questionnaire import Questionnaire
from dkdl.review import Review
from dkdl.review_model import KEYED_MODES, ReviewFilter
from dkdl.safetext import safe_json, safe_text
from dkdl.scoring import Answers, Scorer
from dkdl.store import ITEM_SEP, StoreError

FORMATS = ("csv", "jsonl", "xlsx")
XLSX_MAX_ROWS = 1_048_576  # rows per sheet in Excel, header included


class SessionFields(NamedTuple):
    """The session part of an export row, as read from the log."""

    session_id: str
    nurse: str
    laptop: int | None  # laptop 1, 2, ... as the review numbers them; None when unknown
    installation: str | None  # the laptop's installation id; None in logs from before it
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


class AnswerFields(NamedTuple):
    """The answer part of an export row: her answer, the question, and the key."""

    question: str
    axis: str | None
    question_title: str | None
    option: int
    option_text: str | None
    items: str | None
    key_option: int | None
    key_items: str | None
    correct: bool | None
    answered_at: str
    seconds: float
    changes: int


SESSION_COLUMNS: tuple[str, ...] = SessionFields._fields
ANSWER_COLUMNS: tuple[str, ...] = AnswerFields._fields
COLUMNS: tuple[str, ...] = SESSION_COLUMNS + ANSWER_COLUMNS
SESSION_SHEET_COLUMNS: tuple[str, ...] = SESSION_COLUMNS + (
    "answers",
    "compared",
    "correct_answers",
)
TIME_COLUMNS = frozenset({"started_at", "finished_at", "answered_at"})
FLAG_COLUMNS = frozenset({"match", "correct"})
LIST_COLUMNS = frozenset({"items", "key_items"})


class ExportError(UserError):
    """A request that cannot be carried out: a Dutch message naming what is wrong."""


class Interrupted(BaseException):
    """SIGTERM (or Ctrl+Break) arrived during an export; raised so cleanup runs."""


# -- what to export ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Selection:
    """Which sessions to export: the trainer review's filter (``dkdl report`` takes the same
    options). ``counted=False`` exports every session the filter's nurse, case, period and mode
    select, whatever its status and attempt; ``counted=True`` only those the analyses count
    (finished, with a key; each nurse's first attempt per case when ``attempts="first"``)."""

    filter: ReviewFilter = ReviewFilter()
    counted: bool = False


# -- the key and the questionnaire, looked up per session --------------------------------------


_Texts = tuple[str | None, str | None, str | None]  # axis, question title, option text


class KeyIndex:
    """What the export adds to the log's rows: question texts, and each case's key.

    Built from the questionnaire and the case library; a session of another questionnaire
    version, or of a case that is not in the library, gets empty fields.
    """

    def __init__(self, questionnaire: Questionnaire, cases: Iterable[Case]):
        self.questionnaire = questionnaire
        self.scorer = Scorer(questionnaire)
        axes = {a.id: a.title for a in questionnaire.axes}
        # (question, option) -> (axis, title, option text without Markdown); question -> the
        # same without an option text, for an option the question does not have
        self._texts: dict[tuple[str, int], _Texts] = {
            (q.id, o.code): (axes.get(q.axis or ""), q.title, o.text.replace("**", ""))
            for q in questionnaire.questions
            for o in q.options
        }
        self._titles: dict[str, _Texts] = {
            q.id: (axes.get(q.axis or ""), q.title, None) for q in questionnaire.questions
        }
        self.cases = {
            c.id: c for c in cases if c.data.questionnaire_version == questionnaire.version
        }
        checklist = self.scorer.checklist_id
        # the key's checklist items, in the key file's order, where the key shows the checklist
        self.key_items = {
            case_id: ITEM_SEP.join(case.data.key[checklist].items)
            for case_id, case in self.cases.items()
            if checklist in case.data.key and self.scorer.checklist_counts(case.answers.options)
        }
        self.version = questionnaire.version
        # Registrations repeat (most nurses agree on most cases): remember the comparison of
        # each distinct one, bounded so a huge log cannot grow it without end.
        self._verdicts = functools.lru_cache(maxsize=20_000)(self._compare)

    def key_of(self, session: SessionFields) -> Case | None:
        """The case whose key applies to this session, or None (no key, or unknown here)."""
        if session.case_id is None or session.mode not in KEYED_MODES:
            return None
        if session.questionnaire_version != self.questionnaire.version:
            return None
        case = self.cases.get(session.case_id)
        if case is None or session.key_profile not in (None, case.profile):
            return None  # as the review: a key that changed its profile since is not hers
        return case

    def answer_rows(self, session: SessionFields, answers: Sequence[tuple]) -> list[AnswerFields]:
        """Her answers (``question, option, items, answered_at, seconds, changes`` as stored)
        with the question, the key and ``correct``: a question counts only when both her
        answers and the key reach it; the checklist items count when she chose the option that
        shows the checklist (:meth:`dkdl.scoring.Scorer.compare` decides)."""
        same_version = session.questionnaire_version == self.version
        texts: dict[tuple[str, int], _Texts] = self._texts if same_version else _NOTHING
        titles: dict[str, _Texts] = self._titles if same_version else _NOTHING
        case = self.key_of(session)
        checklist = self.scorer.checklist_id
        verdicts: dict[str, tuple[int | None, bool | None]] = _NOTHING
        key_items = None
        if case is not None:
            ticked = None
            for question, _option, items, _at, _seconds, _changes in answers:
                if question == checklist:
                    ticked = items
            verdicts = self._verdicts(case.id, frozenset(map(_QUESTION_OPTION, answers)), ticked)
            key_items = self.key_items.get(case.id)
        out: list[AnswerFields] = []
        append = out.append
        for question, option, items, answered_at, seconds, changes in answers:
            axis, title, text = texts.get((question, option)) or titles.get(question, _NO_TEXT)
            key_option, correct = verdicts.get(question, _NO_VERDICT)
            append(
                AnswerFields(
                    question,
                    axis,
                    title,
                    option,
                    text,
                    items,
                    key_option,
                    key_items if key_option is not None and question == checklist else None,
                    correct,
                    answered_at,
                    seconds,
                    changes,
                )
            )
        return out

    def _compare(
        self, case_id: str, options: frozenset[tuple[str, int]], ticked: str | None
    ) -> dict[str, tuple[int | None, bool | None]]:
        """Per question: the key's option and ``correct`` (None where not both reach it)."""
        items = frozenset(ticked.split(ITEM_SEP)) if ticked else frozenset()
        verdicts = self.scorer.compare(Answers(dict(options), items), self.cases[case_id].answers)
        return {
            v.question_id: (v.key, v.same if v.mine is not None and v.key is not None else None)
            for v in verdicts
        }


_NOTHING: dict = {}
_NO_TEXT: _Texts = (None, None, None)
_NO_VERDICT = (None, None)
_QUESTION_OPTION = operator.itemgetter(0, 1)  # of an answer as stored: question, option


# -- reading the log ---------------------------------------------------------------------------

_SESSION_SQL = (
    "s.uuid, n.pseudonym, w.laptop, {installation}, "
    "s.mode, s.case_id, s.case_hash, s.questionnaire_id, s.questionnaire_version, "
    "s.questionnaire_hash, s.started_at, s.finished_at, s.status, s.profile, s.key_profile, "
    "s.match, s.test_id"
)
_ANSWER_SQL = "a.question, a.option, a.items, a.answered_at, a.seconds, a.changes"


def _stream(review: Review, sql: str, params: Sequence[Any]) -> Iterator[tuple]:
    """The rows of a read query on the review's connection, fetched in batches (memory stays
    flat); a SQLite failure becomes a Dutch :class:`StoreError` naming the log."""
    log = review.log
    try:
        cursor = log.db.conn.execute(sql, params)
        while batch := cursor.fetchmany(2000):
            yield from batch
    except sqlite3.Error as exc:
        raise StoreError(f"{log.path}: het lezen is niet gelukt ({exc}).", log.path) from None


def count_rows(review: Review, selection: Selection) -> int:
    """How many rows :func:`export_sessions` gives for ``selection`` (a session without answers
    counts as one row)."""
    joins, where, params = review.selection_sql(selection.filter, counted_only=selection.counted)
    sql = (
        "SELECT coalesce(sum(max(1, (SELECT count(*) FROM answers a WHERE a.session = s.id))), 0) "
        f"FROM sessions s {joins}{where}"
    )
    return int(next(_stream(review, sql, params))[0])


def export_sessions(
    review: Review, selection: Selection, keys: KeyIndex
) -> Iterator[tuple[SessionFields, list[AnswerFields]]]:
    """Each selected session (oldest first) with its answers in the order she gave them."""
    joins, where, params = review.selection_sql(selection.filter, counted_only=selection.counted)
    columns = {r[1] for r in review.log.db.conn.execute("PRAGMA table_info(sessions)")}
    installation = "s.installation" if "installation" in columns else "NULL"
    n_session = len(SESSION_COLUMNS)
    sql = (
        f"SELECT s.id, {_SESSION_SQL.format(installation=installation)}, {_ANSWER_SQL} "
        f"FROM sessions s {joins} JOIN nurses n ON n.id = s.nurse "
        f"LEFT JOIN answers a ON a.session = s.id{where} "
        "ORDER BY s.started_at, s.id, a.answered_at, a.question"
    )
    rows = _stream(review, sql, params)
    for _, group in itertools.groupby(rows, key=lambda row: row[0]):
        session_rows = list(group)
        session = SessionFields._make(session_rows[0][1 : 1 + n_session])
        # a session without answers comes as one row whose answer fields are NULL
        answers = [row[1 + n_session :] for row in session_rows if row[1 + n_session] is not None]
        yield session, keys.answer_rows(session, answers)


# -- cell values: harmless in a spreadsheet and on a terminal ----------------------------------

_FORMULA_START = frozenset("=+-@\t\r")


def spreadsheet_text(text: str) -> str:
    """``text`` as a cell that does nothing: a ``'`` in front when a spreadsheet would run it as
    a formula, and control characters written out visibly (``\\x1b``) as everywhere dkdl shows
    text it did not write (:func:`dkdl.safetext.safe_text`)."""
    if text[:1] in _FORMULA_START:
        text = "'" + text
    return safe_text(text)


def _needs_care(value: object) -> bool:
    return type(value) is str and (value[:1] in _FORMULA_START or not value.isprintable())


def _flag(value: object) -> object:
    return None if value is None else int(bool(value))


def _excel_time(value: object) -> object:
    """``2026-03-01T09:15:00+00:00`` -> ``2026-03-01 09:15:00``, which Excel reads as a time."""
    if type(value) is str and len(value) == 25 and value[10] == "T" and value[19:] == "+00:00":
        return value[:10] + " " + value[11:19]
    return value


def _cell_maker(columns: Sequence[str], *, excel: bool) -> Callable[[Sequence[Any]], list[Any]]:
    """A function turning values in ``columns`` order into CSV cells: texts made safe, flags
    as 1/0, and with ``excel`` times as Excel reads them and decimal commas."""
    flags = [i for i, c in enumerate(columns) if c in FLAG_COLUMNS]
    times = [i for i, c in enumerate(columns) if c in TIME_COLUMNS] if excel else []
    start, text = _FORMULA_START, spreadsheet_text

    def cells(values: Sequence[Any]) -> list[Any]:
        # inlined _needs_care: this runs for every cell of a large export
        out = [
            ""
            if v is None
            else text(v)
            if v.__class__ is str and (v[:1] in start or not v.isprintable())
            else v
            for v in values
        ]
        for i in flags:
            out[i] = "" if values[i] is None else int(bool(values[i]))
        if excel:
            for i in times:
                out[i] = _excel_time(out[i])
            out = [repr(v).replace(".", ",") if v.__class__ is float else v for v in out]
        return out

    return cells


# -- writers -----------------------------------------------------------------------------------

Records = Iterable[tuple[SessionFields, list[AnswerFields]]]


# The answer columns fixed by (question, option): rendered once and reused, since the long
# option texts would otherwise be quoted again on every row.
_QUESTION_COLUMNS = ANSWER_COLUMNS[: ANSWER_COLUMNS.index("items")]
_REST_COLUMNS = ANSWER_COLUMNS[len(_QUESTION_COLUMNS) :]
_CACHE_LIMIT = 10_000  # distinct (question, option) pairs; a crafted log cannot grow it further


class _Lines(list):
    """A list that a csv.writer can write to."""

    write = list.append


def write_csv(records: Records, fh: IO[str], *, excel: bool = False) -> int:
    """CSV with a header row; ``excel``: ``;`` between fields, decimal commas and times Excel
    reads (the BOM is the caller's: it belongs to the file, not the text). Returns the rows."""
    delimiter, terminator = (";", "\r\n") if excel else (",", "\n")
    writer = csv.writer(fh, delimiter=delimiter, lineterminator=terminator)
    writer.writerow(COLUMNS)
    buffer = io.StringIO()
    renderer = csv.writer(buffer, delimiter=delimiter, lineterminator="")

    def render(cells: list[Any]) -> str:
        buffer.seek(0)
        buffer.truncate()
        renderer.writerow(cells)
        return buffer.getvalue()

    session_cells = _cell_maker(SESSION_COLUMNS, excel=excel)
    question_cells = _cell_maker(_QUESTION_COLUMNS, excel=excel)
    rest_cells = _cell_maker(_REST_COLUMNS, excel=excel)
    fragments: dict[tuple, str] = {}
    n_question = len(_QUESTION_COLUMNS)
    no_answer = delimiter * len(ANSWER_COLUMNS) + terminator
    lines = _Lines()  # one session's lines, written to the file at once
    rows = csv.writer(lines, delimiter=delimiter, lineterminator=terminator)
    add, writerow = lines.write, rows.writerow
    count = 0
    for session, answers in records:
        head = render(session_cells(session))
        if not answers:
            fh.write(head + no_answer)
            count += 1
            continue
        head += delimiter
        for answer in answers:
            key = answer[:n_question]
            fragment = fragments.get(key)
            if fragment is None:
                fragment = render(question_cells(key)) + delimiter
                if len(fragments) < _CACHE_LIMIT:
                    fragments[key] = fragment
            add(head + fragment)
            writerow(rest_cells(answer[n_question:]))
        fh.write("".join(lines))
        lines.clear()
        count += len(answers)
    return count


def _json_value(column: str, value: Any) -> Any:
    if value is None:
        return None
    if column in LIST_COLUMNS:
        return str(value).split(ITEM_SEP)
    if column in FLAG_COLUMNS:
        return bool(value)
    return value


def write_jsonl(records: Records, fh: IO[str]) -> int:
    """One JSON object per row: ``items``/``key_items`` as lists, ``match``/``correct`` as
    true/false/null; control characters escaped (``\\u001b``: the same value, but nothing that
    acts on a terminal, :func:`dkdl.safetext.safe_json`). Returns the rows."""
    dumps = json.dumps
    empty = dict.fromkeys(ANSWER_COLUMNS)
    count = 0
    for session, answers in records:
        head = {c: _json_value(c, v) for c, v in zip(SESSION_COLUMNS, session, strict=True)}
        if not answers:
            fh.write(safe_json(dumps(head | empty, ensure_ascii=False)) + "\n")
            count += 1
            continue
        for answer in answers:
            record = head | {
                c: _json_value(c, v) for c, v in zip(ANSWER_COLUMNS, answer, strict=True)
            }
            fh.write(safe_json(dumps(record, ensure_ascii=False)) + "\n")
        count += len(answers)
    return count


# Column widths in Excel (characters), by what the columns hold.
_WIDTHS = {
    "session_id": 38, "nurse": 18, "laptop": 8, "installation": 38, "mode": 9, "case_id": 28,
    "case_hash": 12,
    "questionnaire_id": 20, "questionnaire_version": 12, "questionnaire_hash": 12,
    "started_at": 19, "finished_at": 19, "status": 11, "profile": 11, "key_profile": 11,
    "match": 7, "test_id": 12, "question": 9, "axis": 22, "question_title": 40, "option": 7,
    "option_text": 60, "items": 24, "key_option": 10, "key_items": 24, "correct": 8,
    "answered_at": 19, "seconds": 9, "changes": 8, "answers": 9, "compared": 10,
    "correct_answers": 15,
}  # fmt: skip


def write_xlsx(records: Records, target: IO[bytes] | Path, rows: int) -> int:
    """Two sheets: ``antwoorden`` (one row per answer) and ``sessies`` (one per session, with
    how many answers, how many compared with the key and how many of those correct). Times are
    real dates (UTC), every column has a filter, widths fit the content, the header stays in
    view. ``rows`` (from :func:`count_rows`) sizes the filter. Returns the rows written."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    answers_ws = wb.create_sheet("antwoorden")
    sessions_ws = wb.create_sheet("sessies")
    bold = Font(bold=True)
    for ws, header in ((answers_ws, COLUMNS), (sessions_ws, SESSION_SHEET_COLUMNS)):
        ws.freeze_panes = "A2"
        for i, name in enumerate(header, start=1):
            ws.column_dimensions[get_column_letter(i)].width = _WIDTHS.get(name, 12)
        cells = []
        for name in header:
            cell = WriteOnlyCell(ws, value=name)
            cell.font = bold
            cells.append(cell)
        ws.append(cells)

    def maker(ws: Any, columns: Sequence[str]) -> Callable[[Sequence[Any]], list[Any]]:
        flags = [i for i, c in enumerate(columns) if c in FLAG_COLUMNS]
        times = [i for i, c in enumerate(columns) if c in TIME_COLUMNS]

        def text_cell(value: str) -> Any:
            cell = WriteOnlyCell(ws, value=spreadsheet_text(value))
            cell.data_type = "s"  # text stays text, whatever it looks like
            return cell

        def cells(values: Sequence[Any]) -> list[Any]:
            out = [text_cell(v) if _needs_care(v) else v for v in values]
            for i in flags:
                out[i] = _flag(values[i])
            for i in times:
                moment = _xlsx_time(values[i])
                if moment is not None:
                    cell = WriteOnlyCell(ws, value=moment)
                    cell.number_format = "yyyy-mm-dd hh:mm:ss"
                    out[i] = cell
            return out

        return cells

    try:
        return _fill_xlsx(wb, records, target, rows, maker)
    except BaseException:
        _discard(wb)
        raise


def _fill_xlsx(wb: Any, records: Records, target: IO[bytes] | Path, rows: int, maker: Any) -> int:
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.filters import AutoFilter

    answers_ws, sessions_ws = wb.worksheets
    answer_cells = maker(answers_ws, COLUMNS)
    session_cells = maker(sessions_ws, SESSION_SHEET_COLUMNS)
    empty = [None] * len(ANSWER_COLUMNS)
    count = sessions = 0
    for session, answers in records:
        compared = sum(1 for a in answers if a.correct is not None)
        right = sum(1 for a in answers if a.correct)
        sessions_ws.append(session_cells((*session, len(answers), compared, right)))
        sessions += 1
        if not answers:
            answers_ws.append(answer_cells((*session, *empty)))
            count += 1
            continue
        for answer in answers:
            answers_ws.append(answer_cells((*session, *answer)))
        count += len(answers)
    answers_ws.auto_filter = AutoFilter(ref=f"A1:{get_column_letter(len(COLUMNS))}{rows + 1}")
    sessions_ws.auto_filter = AutoFilter(
        ref=f"A1:{get_column_letter(len(SESSION_SHEET_COLUMNS))}{sessions + 1}"
    )
    wb.save(target)
    return count


def _discard(wb: Any) -> None:
    """After a failure or Ctrl+C: close openpyxl's half-written sheets and remove their
    temporary files now (left to the garbage collector, they print a traceback at exit)."""
    for ws in wb.worksheets:
        writer = getattr(ws, "_writer", None)
        if writer is None:
            continue
        with contextlib.suppress(Exception):
            if ws._rows is not None:
                ws._rows.close()
        with contextlib.suppress(Exception):
            writer.close()
        with contextlib.suppress(Exception):
            writer.cleanup()


def _xlsx_time(value: object) -> datetime | None:
    """A stored UTC time as a naive datetime for Excel (which has no time zones); None when the
    text is not such a time (it is then written as text)."""
    if type(value) is not str or len(value) != 25 or not value.endswith("+00:00"):
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=None)
    except ValueError:
        return None


# -- where the output goes ---------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A checked ``--out``: ``path`` None is standard output; ``through`` a device or FIFO that
    is written as it is (never replaced)."""

    path: Path | None
    through: bool = False
    force: bool = False


def check_target(out: Path | None, *, log_path: Path | None = None, force: bool = False) -> Target:
    """Refuse an ``--out`` that cannot or may not be written, in Dutch naming it: a folder, a
    symlink, a disk device, the log itself, a missing folder, or an existing file without
    ``force``."""
    if out is None:
        return Target(None)
    try:
        info = out.lstat()
    except FileNotFoundError:
        folder = out.parent if str(out.parent) else Path(".")
        if not folder.is_dir():
            raise ExportError(f"{out}: de map {folder} bestaat niet; maak haar eerst aan") from None
        return Target(out, force=force)
    except OSError as exc:
        raise ExportError(f"{out}: kan dit pad niet bekijken ({exc.strerror or exc})") from None
    mode = info.st_mode
    if stat.S_ISLNK(mode):
        raise ExportError(
            f"{out}: is een snelkoppeling (symbolische link) naar {os.readlink(out)}; dkdl "
            "schrijft daar niet doorheen. Geef het echte bestand als --out."
        )
    if stat.S_ISDIR(mode):
        raise ExportError(f"{out}: is een map; geef een bestandsnaam")
    if log_path is not None and _same_file(out, log_path):
        raise ExportError(f"{out}: dit is het logbestand zelf; kies een ander --out")
    if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
        return Target(out, through=True)
    if not stat.S_ISREG(mode):
        raise ExportError(f"{out}: is geen gewoon bestand (een schijf of socket); kies een bestand")
    if not force:
        raise ExportError(
            f"{out}: bestaat al. Kies een andere naam, of geef --force om het te vervangen."
        )
    return Target(out, force=True)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


@contextlib.contextmanager
def open_output(target: Target, stdout: IO[bytes] | None = None) -> Iterator[IO[bytes]]:
    """A binary stream for the export. A file is written to a temporary file beside it and
    renamed into place when the block succeeds (an existing file is only replaced with
    ``force``; a symlink put there meanwhile is replaced, never followed); on any failure or
    interruption the temporary file is removed."""
    if target.path is None:
        yield stdout if stdout is not None else sys.stdout.buffer
        return
    out = target.path
    if target.through:
        flags = os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
        try:
            fd = os.open(out, flags)
        except OSError as exc:
            raise ExportError(f"{out}: kan niet schrijven ({exc.strerror or exc})") from None
        if stat.S_ISREG(os.fstat(fd).st_mode):  # replaced by a file since the check
            os.close(fd)
            raise ExportError(f"{out}: is intussen een gewoon bestand geworden; probeer opnieuw")
        with os.fdopen(fd, "wb") as fh:
            yield fh
        return
    folder = out.parent if str(out.parent) else Path(".")
    try:
        fd, name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise ExportError(
            f"{out}: kan hier niet schrijven ({exc.strerror or exc}). Kies met --out een andere "
            "plek."
        ) from None
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
        _move_into_place(tmp, out, replace=target.force)
    except OSError as exc:
        raise ExportError(
            f"{out}: schrijven mislukt ({exc.strerror or exc}). Is de schijf vol, of staat het "
            "bestand open in een ander programma? Probeer het opnieuw."
        ) from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def _move_into_place(tmp: Path, out: Path, *, replace: bool) -> None:
    if replace:
        os.replace(tmp, out)
        return
    try:  # without --force: never replace a file that appeared while we wrote
        os.link(tmp, out)
    except FileExistsError:
        raise ExportError(
            f"{out}: bestaat al. Kies een andere naam, of geef --force om het te vervangen."
        ) from None
    except OSError:  # no hard links here (FAT, some network drives): rename, after a check
        if out.exists() or out.is_symlink():
            raise ExportError(
                f"{out}: bestaat al. Kies een andere naam, of geef --force om het te vervangen."
            ) from None
        os.rename(tmp, out)


@contextlib.contextmanager
def termination_as_exception() -> Iterator[None]:
    """Within the block, SIGTERM (and Ctrl+Break on Windows) raise :class:`Interrupted`, so
    ``finally`` blocks remove temporary files. Outside the main thread, or where a signal does
    not exist, nothing changes."""
    names = ("SIGTERM", "SIGBREAK", "SIGHUP")
    numbers = [getattr(signal, n) for n in names if hasattr(signal, n)]
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: object) -> None:
        raise Interrupted(signum)

    previous = {}
    for number in numbers:
        with contextlib.suppress(OSError, ValueError, RuntimeError):
            previous[number] = signal.signal(number, handler)
    try:
        yield
    finally:
        for number, old in previous.items():
            with contextlib.suppress(OSError, ValueError, RuntimeError):
                signal.signal(number, old)


# -- the export --------------------------------------------------------------------------------


def format_from_suffix(path: str) -> str | None:
    """``csv``, ``jsonl`` or ``xlsx`` from a file name's suffix (``.json``/``.ndjson`` too)."""
    suffix = Path(path).suffix.lower().lstrip(".")
    return {"json": "jsonl", "ndjson": "jsonl"}.get(suffix, suffix) if suffix else None


def export_log(
    review: Review,
    fmt: str,
    target: Target,
    selection: Selection | None = None,
    *,
    excel: bool = False,
    stdout: IO[bytes] | None = None,
) -> int:
    """Write the selected sessions' answers to ``target`` in ``fmt``; returns the rows.

    XLSX is refused (:class:`ExportError`) when the rows would not fit in an Excel sheet, before
    anything is written. ``excel`` makes the CSV Dutch Excel's: UTF-8 with BOM, ``;``, decimal
    commas.
    """
    if fmt not in FORMATS:
        raise ExportError(f"onbekend formaat {fmt!r} (kies uit {', '.join(FORMATS)})")
    if excel and fmt != "csv":
        raise ExportError("--excel hoort bij --format csv (XLSX opent Excel zo al goed)")
    if fmt == "xlsx" and target.path is None:
        raise ExportError("een XLSX-bestand kan niet naar het scherm; geef --out BESTAND.xlsx")
    selection = selection or Selection()
    rows = count_rows(review, selection) if fmt == "xlsx" else 0
    if rows + 1 > XLSX_MAX_ROWS:
        raise ExportError(
            f"{rows:,} regels passen niet in één Excel-blad (maximaal {XLSX_MAX_ROWS - 1:,} "
            "plus de kopregel). Kies minder met --nurse, --case, --since/--until of --mode, of "
            "exporteer als CSV (--format csv).".replace(",", ".")
        )
    keys = KeyIndex(review.questionnaire, review.library.cases)
    records = export_sessions(review, selection, keys)
    with termination_as_exception(), open_output(target, stdout) as fh:
        if fmt == "xlsx":
            return write_xlsx(records, fh, rows)
        text = io.TextIOWrapper(fh, encoding="utf-8", newline="", write_through=False)
        try:
            if excel:
                text.write("\ufeff")
            if fmt == "jsonl":
                return write_jsonl(records, text)
            return write_csv(records, text, excel=excel)
        finally:
            text.flush()
            text.detach()
