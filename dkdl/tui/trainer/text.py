"""Dutch formatting for the trainer's screens: numbers, shares, dates, durations."""

from __future__ import annotations

from datetime import datetime

MODE_NAMES = {"oefenen": "oefenen", "toets": "toets", "vrij": "vrij"}
STATUS_NAMES = {"afgerond": "afgerond", "afgebroken": "afgebroken", "bezig": "bezig"}


def number(n: int) -> str:
    """12345 -> '12.345' (Dutch thousands separator)."""
    return f"{n:,}".replace(",", ".")


def pct(x: float | None) -> str:
    """0.423 -> '42%'; None -> '—'."""
    return "—" if x is None else f"{round(x * 100)}%"


def decimal(x: float | None, places: int = 2) -> str:
    """0.213 -> '0,21'; None -> '—'; never '-0,00'."""
    if x is None:
        return "—"
    text = f"{x:.{places}f}"
    if float(text) == 0:
        text = f"{0:.{places}f}"
    return text.replace(".", ",")


def when(iso: str | None, *, short: bool = False) -> str:
    """A UTC timestamp from the log in this computer's time: '21-11-2026 16:59' (short:
    '21-11-26 16:59')."""
    if not iso:
        return "—"
    try:
        moment = datetime.fromisoformat(iso).astimezone()
    except ValueError:
        return "?"
    return moment.strftime("%d-%m-%y %H:%M" if short else "%d-%m-%Y %H:%M")


def duration(seconds: float | None) -> str:
    """'12:05' (minutes:seconds), '1:02:03' past an hour; None -> '—'."""
    if seconds is None or seconds < 0:
        return "—"
    s = round(seconds)
    h, rest = divmod(s, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def bar(share: float | None, width: int) -> str:
    """A horizontal bar of ``width`` cells for a share 0..1, in eighths: '█████▍    '."""
    if share is None:
        return " " * width
    share = min(max(share, 0.0), 1.0)
    eighths = round(share * width * 8)
    full, part = divmod(eighths, 8)
    partial = " ▏▎▍▌▋▊▉"[part] if part else ""
    return ("█" * full + partial).ljust(width)
