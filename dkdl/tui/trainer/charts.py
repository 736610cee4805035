"""Charts for the trainer: a one-line trend in block characters, and progress over time.

The progress chart uses textual-plotext (Textualize's widget around Plotext): lines with axes
and labels in the terminal, in the app's theme, offline. Percentages only, so the axes are
the same for every nurse.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual_plotext import PlotextPlot

if TYPE_CHECKING:
    from dkdl.review_model import ProgressPoint

BLOCKS = "▁▂▃▄▅▆▇█"
MONTHS = ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]


def spark(values: Sequence[float | None]) -> str:
    """Shares 0..1 as block characters, one per value ('·' where there is none)."""
    out = []
    for v in values:
        if v is None:
            out.append("·")
        else:
            out.append(BLOCKS[min(len(BLOCKS) - 1, max(0, round(v * (len(BLOCKS) - 1))))])
    return "".join(out)


def period_label(period: str) -> str:
    """'2026-03' -> 'mrt 26'; '2026-03-02' (a week's Monday) -> '2 mrt'."""
    parts = period.split("-")
    try:
        if len(parts) == 2:
            return f"{MONTHS[int(parts[1]) - 1]} {parts[0][2:]}"
        if len(parts) == 3:
            return f"{int(parts[2])} {MONTHS[int(parts[1]) - 1]}"
    except (ValueError, IndexError):
        pass
    return period


class ProgressChart(PlotextPlot):
    """Her share of profiles and of answers equal to the key, per period, as two lines."""

    DEFAULT_CSS = "ProgressChart { height: 14; min-height: 10; }"

    def __init__(self, points: Sequence[ProgressPoint], **kwargs) -> None:
        super().__init__(**kwargs)
        self.points = list(points)

    def on_mount(self) -> None:
        super().on_mount()
        plt = self.plt
        plt.clear_data()
        xs: list[float] = list(range(1, len(self.points) + 1))
        profile = [_percent(p.profile_accuracy) for p in self.points]
        answers = [_percent(p.facility) for p in self.points]
        if xs:
            plt.plot(xs, profile, marker="braille", label="profiel goed")
            plt.plot(xs, answers, marker="braille", label="antwoorden als de sleutel")
            step = max(1, len(xs) // 6)
            ticks = xs[::step]
            plt.xticks(ticks, [period_label(self.points[int(i) - 1].period) for i in ticks])
        plt.ylim(0, 100)
        plt.yticks([0, 25, 50, 75, 100], ["0%", "25%", "50%", "75%", "100%"])
        plt.xlabel("")
        plt.title("Voortgang (% gelijk aan de sleutel)")


def _percent(share: float | None) -> float:
    return 0.0 if share is None else round(share * 100, 1)
