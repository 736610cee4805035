"""Pictures for the feedback: draagkracht against draaglast, and the OB band as a bar.

Both widgets only draw numbers they are given (sums and thresholds come from the Scorer and the
questionnaire); colours are theme variables, so they read on light and dark themes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.content import Content
from textual.widget import Widget

from dkdl.scoring import BandRange, dutch_number


@dataclass(frozen=True)
class AxisBar:
    title: str
    value: int
    maximum: int
    threshold: float  # the outcome changes above this value
    outcome: str
    good_when_high: bool  # draagkracht: high is good; draaglast: high is a burden
    rule: str = ""  # the threshold in words, e.g. "draagkrachtig bij meer dan 6,5"
    key_value: int | None = None


class BalanceView(Widget):
    """Two bars: draagkracht and draaglast, each with its threshold marked."""

    DEFAULT_CSS = "BalanceView { height: auto; }"

    def __init__(self, bars: list[AxisBar], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.bars = bars

    def _bar(self, bar: AxisBar, width: int) -> str:
        above = bar.value > bar.threshold
        good = above if bar.good_when_high else not above
        colour = "$success" if good else "$error"
        cut = round(bar.threshold / bar.maximum * width)
        cells = []
        for i in range(width):
            if i == cut:
                cells.append("[b $foreground]┃[/]")
                continue
            filled = (i + 0.5) / width * bar.maximum < bar.value
            cells.append(f"[{colour}]█[/]" if filled else "[$foreground-muted]░[/]")
        return "".join(cells)

    def render(self) -> Content:
        width = max(20, min(self.size.width, 100))
        bar_width = max(14, min(40, width - 22))
        lines = []
        for bar in self.bars:
            key = "" if bar.key_value is None else f"   [dim](sleutel: {bar.key_value})[/]"
            lines.append(
                f"[b]{bar.title}[/] {bar.value} van {bar.maximum}{key}",
            )
            lines.append(
                f"{self._bar(bar, bar_width)}  → [b]{bar.outcome}[/]",
            )
            lines.append(
                f"[dim]┃ = drempel: {bar.rule or 'meer dan ' + dutch_number(bar.threshold)}[/]"
            )
        return Content.from_markup("\n".join(lines))

    def get_content_height(self, container, viewport, width: int) -> int:
        return 3 * len(self.bars)


BAND_COLOURS = ("$success", "$warning", "$error")


class ObBar(Widget):
    """The OB scale 0..max with the bands coloured, thresholds marked, her sum (and the key's)."""

    DEFAULT_CSS = "ObBar { height: auto; }"

    def __init__(
        self, value: int, bands: list[BandRange], key_value: int | None = None, **kw: Any
    ) -> None:
        super().__init__(**kw)
        self.value = value
        self.bands = bands
        self.key_value = key_value
        self.maximum = bands[-1].high

    def _colour(self, v: int) -> str:
        for i, band in enumerate(self.bands):
            if band.low <= v <= band.high:
                return BAND_COLOURS[min(i, len(BAND_COLOURS) - 1)]
        return "$foreground"

    def render(self) -> Content:
        n = self.maximum + 1
        cell = max(2, min(5, (max(self.size.width, 40) - 2) // n))
        numbers, bar, marks = [], [], []
        for v in range(n):
            colour = self._colour(v)
            edge = any(v == b.low for b in self.bands[1:])
            text = str(v) if (cell >= 3 or v % 2 == 0 or edge or v == self.value) else ""
            numbers.append(text.ljust(cell))
            # the bar ends at the value: cell v stands for the step from v to v + 1, so a 0 is
            # an empty bar and 5 stops where 5 is written, short of 6
            glyph = "█" if v < self.value else "░"
            bar.append(f"[{colour}]{glyph * cell}[/]")
            mark = ""
            if v == self.value:
                mark = "▲"
            if self.key_value is not None and v == self.key_value:
                mark = "▲△" if mark else "△"
            marks.append(mark.ljust(cell))
        legend = " · ".join(
            f"[{BAND_COLOURS[min(i, 2)]}]■[/] {b.id} "
            + (f"{b.low}–{b.high}" if b.high < self.maximum else f"{b.low}+")
            for i, b in enumerate(self.bands)
        )
        who = f"▲ jij: {self.value}"
        if self.key_value is not None:
            who += f"   △ sleutel: {self.key_value}"
        lines = ["".join(numbers), "".join(bar), "".join(marks).rstrip(), f"{legend}   {who}"]
        return Content.from_markup("\n".join(lines))

    def get_content_height(self, container, viewport, width: int) -> int:
        legend_len = 60 + (14 if self.key_value is not None else 0)
        return 4 + (1 if width < legend_len else 0)
