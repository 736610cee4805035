"""``dkdl report``: the review figures as one printable HTML page, Markdown, or JSON.

The HTML is one self-contained file (inline CSS, charts as inline SVG, no scripts, no links
out), so it opens offline and prints. Both text formats come from Jinja2 templates in
``dkdl/templates``; HTML autoescapes every value, Markdown escapes with :func:`md`. All text
that comes from the log or the case files (pseudonyms, case titles) also has its control
characters written out visibly first (:func:`clean`). The report speaks Dutch: trainers read
it in a group discussion. Figures and definitions: ``docs/report.md``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from dkdl.outfile import Target, open_output, termination_as_exception
from dkdl.review_analysis import Analysis
from dkdl.review_model import NurseStats, ProgressPoint, QuestionStats
from dkdl.review_stats import Thresholds, decimal
from dkdl.safetext import safe_text

FORMATS = {".html": "html", ".htm": "html", ".md": "md", ".json": "json"}

# What json.dumps(ensure_ascii=False) leaves raw although it acts on a terminal (it escapes
# the C0 controls itself).
_JSON_RAW = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&])")
_AUTOLINK = re.compile(r"(?i)(www|://)")


def format_of(path: Path) -> str | None:
    """``html``, ``md`` or ``json`` from the file name's suffix; None when it says nothing."""
    return FORMATS.get(path.suffix.lower())


def clean(value: object) -> str:
    """Text from a file on one line, every control character written out visibly
    (:func:`dkdl.safetext.safe_text`: ESC becomes ``\\x1b``), so none acts on a reader."""
    return safe_text("" if value is None else value)


def md(value: object) -> str:
    """Text made safe for Markdown (and for a Markdown table cell): control characters out,
    every character with a Markdown meaning backslash-escaped, HTML brackets included."""
    text = _MD_SPECIAL.sub(r"\\\1", clean(value))
    # no autolinks either (GitHub links 'www.' and 'x://' in plain text)
    return _AUTOLINK.sub(lambda m: m.group(0)[0] + "\u200b" + m.group(0)[1:], text)


def pct(value: float | None) -> str:
    """0.423 -> '42 %'; None -> '–'."""
    return "–" if value is None else f"{round(value * 100):d} %"


def dec(value: float | None, places: int = 2) -> str:
    """0.213 -> '0,21'; None -> '–'; never '-0,00' (:func:`dkdl.review_stats.decimal`)."""
    return "–" if value is None else decimal(value, places)


# -- charts (inline SVG; every value that is text goes through escape) -----------------------


def bar_chart(rows: Sequence[tuple[str, float | None, bool]], *, width: int = 520) -> Markup:
    """Horizontal bars 0-100 %: ``(label, share, highlighted)`` per row."""
    bar_h, gap, left, right = 18, 6, 46, 48
    height = len(rows) * (bar_h + gap) + gap + 16
    inner = width - left - right
    parts = [
        f'<svg class="chart" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img">'
    ]
    for x in (0, 0.5, 1):
        px = left + inner * x
        parts.append(
            f'<line x1="{px:.1f}" y1="4" x2="{px:.1f}" y2="{height - 14}" class="grid"/>'
            f'<text x="{px:.1f}" y="{height - 2}" class="axis">{round(x * 100)} %</text>'
        )
    for i, (label, value, hot) in enumerate(rows):
        y = gap + i * (bar_h + gap)
        w = 0 if value is None else max(0.0, min(1.0, value)) * inner
        parts.append(
            f'<text x="{left - 6}" y="{y + bar_h - 5}" class="label">{escape(label)}</text>'
            f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar_h}" '
            f'class="{"bar hot" if hot else "bar"}"/>'
            f'<text x="{left + w + 4:.1f}" y="{y + bar_h - 5}" class="value">'
            f"{escape(pct(value))}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def line_chart(points: Sequence[tuple[str, float | None]], *, width: int = 520) -> Markup:
    """A line 0-100 % over periods (``(period, share)``); gaps where a share is None."""
    height, left, right, top, bottom = 150, 40, 12, 10, 34
    inner_w, inner_h = width - left - right, height - top - bottom
    n = len(points)
    parts = [
        f'<svg class="chart" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img">'
    ]
    for y_share in (0, 0.5, 1):
        py = top + inner_h * (1 - y_share)
        parts.append(
            f'<line x1="{left}" y1="{py:.1f}" x2="{width - right}" y2="{py:.1f}" class="grid"/>'
            f'<text x="{left - 4}" y="{py + 4:.1f}" class="label">{round(y_share * 100)} %</text>'
        )
    coords = []
    for i, (period, value) in enumerate(points):
        px = left + (inner_w * (i + 0.5) / n if n else 0)
        if i == 0 or i == n - 1 or n <= 8 or i % max(1, n // 6) == 0:
            parts.append(
                f'<text x="{px:.1f}" y="{height - 18}" class="axis">{escape(period)}</text>'
            )
        if value is not None:
            py = top + inner_h * (1 - value)
            coords.append(f"{px:.1f},{py:.1f}")
            parts.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" class="dot"/>')
    if len(coords) > 1:
        parts.append(f'<polyline points="{" ".join(coords)}" class="line"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def sparkline(points: Sequence[ProgressPoint], *, width: int = 120, height: int = 24) -> Markup:
    """A nurse's profile accuracy per period, small enough for a table cell."""
    values = [p.profile_accuracy for p in points]
    n = len(values)
    parts = [
        f'<svg class="spark" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img">'
        f'<line x1="0" y1="{height / 2}" x2="{width}" y2="{height / 2}" class="grid"/>'
    ]
    coords = []
    for i, v in enumerate(values):
        if v is None:
            continue
        px = (width - 6) * (i + 0.5) / n + 3 if n else 3
        py = 3 + (height - 6) * (1 - v)
        coords.append(f"{px:.1f},{py:.1f}")
    if len(coords) == 1:
        x, y = coords[0].split(",")
        parts.append(f'<circle cx="{x}" cy="{y}" r="2" class="dot"/>')
    elif coords:
        parts.append(f'<polyline points="{" ".join(coords)}" class="line"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def text_bar(value: float | None, width: int = 10) -> str:
    """A bar of block characters for the Markdown report (10 blocks = 100 %)."""
    if value is None:
        return ""
    full = round(max(0.0, min(1.0, value)) * width)
    return "█" * full + "░" * (width - full)


# -- what the templates get ------------------------------------------------------------------


@dataclass(frozen=True)
class GroupPoint:
    period: str
    sessions: int
    matched: int

    @property
    def profile_accuracy(self) -> float | None:
        return self.matched / self.sessions if self.sessions else None


def group_progress(nurses: Sequence[NurseStats]) -> list[GroupPoint]:
    """Profile accuracy of the whole group per period (the nurses' periods added up)."""
    per: dict[str, list[int]] = {}
    for s in nurses:
        for p in s.progress:
            cell = per.setdefault(p.period, [0, 0])
            cell[0] += p.sessions
            cell[1] += p.matched
    return [GroupPoint(k, v[0], v[1]) for k, v in sorted(per.items())]


class _OptionTexts(dict[str, str]):
    """Option code -> short text; a code the questionnaire lacks (a hand-edited or foreign log,
    which the review counts as chosen) is named as such instead of failing the template."""

    def __missing__(self, code: str) -> str:
        return "onbekende optie"


def _option_texts(analysis: Analysis) -> dict[str, dict[str, str]]:
    q = analysis.review.scorer.questionnaire
    return {x.id: _OptionTexts({str(o.code): o.short for o in x.options}) for x in q.questions}


def context(analysis: Analysis, *, log_name: str, now: datetime | None = None) -> dict[str, Any]:
    """Everything the templates show."""
    review = analysis.review
    questions: list[QuestionStats] = list(analysis.questions.values())
    nurses = sorted(analysis.nurses.values(), key=lambda s: s.nurse.display.casefold())
    profiles = sorted(
        {p for row in analysis.confusion.values() for p in row} | set(analysis.confusion),
        key=_profile_order,
    )
    group = group_progress(nurses)
    flt = analysis.filter
    filter_lines = []
    if flt.nurse:
        filter_lines.append(f"verpleegkundige: {flt.nurse}")
    if flt.case:
        filter_lines.append(f"casus: {flt.case}")
    if flt.since:
        filter_lines.append(f"vanaf {flt.since.isoformat()}")
    if flt.until:
        filter_lines.append(f"tot en met {flt.until.isoformat()}")
    if flt.mode:
        filter_lines.append(f"modus: {flt.mode}")
    return {
        "a": analysis,
        "log_name": log_name,
        "generated": (now or datetime.now().astimezone()).strftime("%Y-%m-%d %H:%M"),
        "questionnaire": review.scorer.questionnaire,
        "questions": questions,
        "flagged": [s for s in questions if s.flags],
        "options_text": _option_texts(analysis),
        "profiles": profiles,
        "key_profiles": sorted(analysis.confusion, key=_profile_order),
        "cases": sorted(analysis.cases.values(), key=lambda c: c.case_id),
        "nurses": nurses,
        "group": group,
        "group_chart": line_chart([(g.period, g.profile_accuracy) for g in group]),
        "filter_lines": filter_lines,
        "first_only": flt.attempts == "first",
        "t": review.thresholds or Thresholds(),
        "facility_chart": bar_chart(
            [(s.question_id, s.facility, bool(s.flags)) for s in questions]
        ),
    }


def _profile_order(code: str) -> tuple[int, str]:
    digits = code[4:] if code.startswith("DKDL") else ""
    return (0, f"{int(digits):03d}") if digits.isdigit() else (1, code)


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("dkdl", "templates"),
        autoescape=lambda name: bool(name and name.endswith(".html.j2")),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(clean=clean, md=md, pct=pct, dec=dec, text_bar=text_bar, sparkline=sparkline)
    return env


def render(analysis: Analysis, fmt: str, *, log_name: str = "", now: datetime | None = None) -> str:
    """The report as text: ``fmt`` is ``html``, ``md`` or ``json``."""
    if fmt == "json":
        data = analysis.to_json()
        text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
        return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)
    if fmt not in ("html", "md"):
        raise ValueError(f"onbekend formaat {fmt!r}")
    template = _environment().get_template(f"report.{fmt}.j2")
    return template.render(context(analysis, log_name=clean(log_name), now=now))


def write_report(analysis: Analysis, target: Target, *, log_name: str = "") -> str:
    """Write the report to a checked ``--out`` (:func:`dkdl.outfile.check_target`; the format
    from its suffix) in one go, as every trainer's output is written; returns the format."""
    assert target.path is not None, "a report is always a file"
    fmt = format_of(target.path)
    if fmt is None:
        raise ValueError(f"{target.path}: onbekende extensie")
    data = render(analysis, fmt, log_name=log_name).encode("utf-8")
    with termination_as_exception(), open_output(target) as fh:
        fh.write(data)
    return fmt
