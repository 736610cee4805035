"""Export of the log (CSV, JSON Lines, XLSX). Import lives in :mod:`dkdl.store.merge`, demo data
in :mod:`dkdl.demo`.

Plain functions over :class:`dkdl.store.SqliteLog`; no SQL here and no UI. Every message a user
can see is Dutch; a file that cannot be used raises :class:`dkdl.store.StoreError` naming it.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from dkdl.store import ANSWER_FIELDS, ITEM_SEP, SESSION_FIELDS, SqliteLog, StoreError

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
