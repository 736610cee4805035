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
import io
import json
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from dkdl.export_rows import (
    ANSWER_COLUMNS,
    COLUMNS,
    FLAG_COLUMNS,
    LIST_COLUMNS,
    SESSION_COLUMNS,
    SESSION_SHEET_COLUMNS,
    TIME_COLUMNS,
    AnswerFields,
    KeyIndex,
    Records,
    Selection,
    SessionFields,
    count_rows,
    export_sessions,
)
from dkdl.outfile import (
    Interrupted,
    OutputError,
    Target,
    check_target,
    open_output,
    termination_as_exception,
)
from dkdl.review import Review
from dkdl.safetext import safe_json, safe_text
from dkdl.store import ITEM_SEP

__all__ = [
    "ANSWER_COLUMNS",
    "COLUMNS",
    "FORMATS",
    "SESSION_COLUMNS",
    "SESSION_SHEET_COLUMNS",
    "AnswerFields",
    "ExportError",
    "Interrupted",
    "KeyIndex",
    "Selection",
    "SessionFields",
    "Target",
    "check_target",
    "export_log",
    "export_sessions",
    "spreadsheet_text",
]

FORMATS = ("csv", "jsonl", "xlsx")
XLSX_MAX_ROWS = 1_048_576  # rows per sheet in Excel, header included


class ExportError(OutputError):
    """A request that cannot be carried out: a Dutch message naming what is wrong."""


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
    keys = KeyIndex(review.scorer.questionnaire, review.cases())
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
