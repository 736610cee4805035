"""Her share of profiles right over time, oefenen and toets apart, as a textual-plotext chart
(the trainer's progress chart is drawn the same way: :mod:`dkdl.tui.trainer.charts`).

The periods follow the trainer's review: per week (the Monday) while her sessions span at most
ten weeks (70 days from her first session's moment to her last), else per calendar month, both on
the UTC date the log holds. The trainer counts its periods in its bit-packed session index
(:func:`dkdl.review_index.nurse_figures`), not from SessionPoints, so the two share the rule and
:func:`~dkdl.tui.trainer.charts.period_label`, not one function.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from textual_plotext import PlotextPlot

from dkdl.tui.trainer.charts import period_label

if TYPE_CHECKING:
    from dkdl.progress import SessionPoint

MODES = (("oefenen", "oefenen"), ("toets", "toets"))
WEEKLY_SPAN = timedelta(days=70)


def period_of(started_at: str, weekly: bool) -> str:
    """'2026-03-02' (the Monday of its week) or '2026-03' (its month)."""
    day = date.fromisoformat(started_at[:10])
    if weekly:
        return (day - timedelta(days=day.weekday())).isoformat()
    return started_at[:7]


def moment(started_at: str) -> datetime:
    """The log's ISO time as an aware datetime (UTC when it has no offset)."""
    when = datetime.fromisoformat(started_at)
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def shares_per_period(
    points: Sequence[SessionPoint],
) -> tuple[list[str], dict[str, list[float | None]]]:
    """The periods her sessions fall in, in order, and per mode the % of profiles right in
    each (None where she did no session of that mode)."""
    if not points:
        return [], {}
    # the trainer's rule (dkdl.review_index.nurse_figures): the time between her first and
    # last session, not their dates, decides
    weekly = moment(points[-1].started_at) - moment(points[0].started_at) <= WEEKLY_SPAN
    tally: dict[tuple[str, str], list[int]] = {}
    for p in points:
        cell = tally.setdefault((p.mode, period_of(p.started_at, weekly)), [0, 0])
        cell[0] += p.right
        cell[1] += 1
    periods = sorted({period for _, period in tally})
    series: dict[str, list[float | None]] = {}
    for mode, _ in MODES:
        row = [tally.get((mode, period)) for period in periods]
        if any(row):
            series[mode] = [None if c is None else round(100 * c[0] / c[1], 1) for c in row]
    return periods, series


class ProfileChart(PlotextPlot):
    """Per period, the % of her sessions with the key's profile: one line per mode."""

    DEFAULT_CSS = "ProfileChart { height: 13; min-height: 10; }"

    def show(self, points: Sequence[SessionPoint]) -> None:
        plt = self.plt
        plt.clear_data()
        periods, series = shares_per_period(points)
        for mode, label in MODES:
            values = series.get(mode)
            if not values:
                continue
            xs: list[float] = [i + 1 for i, v in enumerate(values) if v is not None]
            ys = [v for v in values if v is not None]
            plt.plot(xs, ys, marker="braille", label=f"{label}: profiel goed")
            if len(xs) == 1:  # one point draws no line: mark it
                plt.scatter(xs, ys, marker="●")
        if periods:
            step = max(1, len(periods) // 6)
            ticks: list[float] = [float(i) for i in range(1, len(periods) + 1, step)]
            plt.xticks(ticks, [period_label(periods[int(i) - 1]) for i in ticks])
            plt.xlim(0.5, len(periods) + 0.5)
        plt.ylim(0, 100)
        plt.yticks([0, 25, 50, 75, 100], ["0%", "25%", "50%", "75%", "100%"])
        plt.xlabel("")
        plt.title("Profiel gelijk aan de sleutel (% per periode)")
        self.refresh()
