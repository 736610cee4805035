"""Full-screen views opened from the analysis tabs: one question, one nurse."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.markup import escape
from textual.screen import Screen
from textual.widgets import Header, Static

from dkdl.tui.trainer.charts import ProgressChart, period_label
from dkdl.tui.trainer.text import bar, decimal, number, pct
from dkdl.tui.widgets.footer import SteadyFooter

if TYPE_CHECKING:
    from dkdl.review_model import NurseStats, QuestionStats


def kappa_words(kappa: float | None) -> str:
    """Fleiss' own rule of thumb (Fleiss, Levin & Paik 2003), in words."""
    if kappa is None:
        return "niet te berekenen"
    if kappa < 0.40:
        return "zwak"
    if kappa <= 0.75:
        return "redelijk tot goed"
    return "uitstekend"


class QuestionView(Screen):
    """One question over the current filter: options, agreement, discrimination, flags."""

    BINDINGS = [Binding("escape", "app.pop_screen", "Terug")]

    def __init__(self, stats: QuestionStats, question: Any, filter_text: str) -> None:
        super().__init__()
        self.stats = stats
        self.question = question
        self.filter_text = filter_text

    def compose(self) -> ComposeResult:
        s = self.stats
        yield Header()
        with VerticalScroll(id="t-view"):
            yield Static(
                f"[b]{s.question_id} {escape(s.title)}[/b]\n[dim]Filter: {self.filter_text}[/]\n"
                f"{number(s.answered)} antwoorden geteld · als de sleutel: "
                f"[b]{pct(s.facility)}[/b]",
                classes="para",
            )
            yield Static("Gekozen opties", classes="section")
            yield Static(self._options(), classes="para", id="t-options")
            yield Static("Overeenstemming tussen verpleegkundigen", classes="section")
            yield Static(self._agreement(), classes="para")
            yield Static("Onderscheidend vermogen", classes="section")
            yield Static(self._discrimination(), classes="para")
            yield Static("Signalen", classes="section")
            yield Static(
                "\n".join(f"[b $error]⚑[/] {escape(f.reason)}" for f in s.flags)
                or "Geen signalen bij deze vraag.",
                classes="para",
                id="t-flags",
            )
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.sub_title = f"Vraag {self.stats.question_id}"
        self.query_one("#t-view").focus()

    def _options(self) -> str:
        s = self.stats
        total = sum(s.options.values())
        width = 20 if self.app.size.width >= 110 else 12
        lines = []
        for option in self.question.options:
            code = str(option.code)
            n = s.options.get(code, 0)
            wrong = s.wrong_options.get(code, 0)
            share = n / total if total else None
            against = f" [dim]· {number(wrong)}× tegen de sleutel[/]" if wrong else ""
            lines.append(
                f"{code} {escape(option.keyword[:20]):<20} [$primary]{bar(share, width)}[/] "
                f"{pct(share):>4} ({number(n)}){against}"
            )
        lines.append(
            "[dim]Bij vraag 12 telt ook het aanvinken: 'wel' met andere handelingen dan de "
            "sleutel is tegen de sleutel.[/]"
            if self.question.checklist is not None
            else ""
        )
        return "\n".join(line for line in lines if line)

    def _agreement(self) -> str:
        s = self.stats
        if not s.agreement_cases:
            return (
                "Geen casus met twee of meer verpleegkundigen bij dit filter: overeenstemming "
                "is niet te berekenen."
            )
        kappa = (
            f"Fleiss' kappa: [b]{decimal(s.kappa)}[/b] ({kappa_words(s.kappa)})"
            if s.kappa is not None
            else "Fleiss' kappa: niet te berekenen (iedereen koos hetzelfde)"
        )
        # a low kappa over cases that all have the same key says little (review_stats)
        note = f"\n[b]{escape(s.kappa_note)}[/b]" if s.kappa_note else ""
        return (
            f"Over {number(s.agreement_cases)} casussen met twee of meer verpleegkundigen: "
            f"{pct(s.agreement)} van de {number(s.agreement_pairs)} paren koos hetzelfde.\n"
            f"{kappa}. Kappa corrigeert voor toevallige overeenstemming: 1 is volledig eens, "
            "0 niet beter dan toeval. Richtlijn van Fleiss: onder 0,40 zwak, 0,40–0,75 "
            f"redelijk tot goed, boven 0,75 uitstekend.{note}"
        )

    def _discrimination(self) -> str:
        d = self.stats.discrimination
        if d is None:
            return (
                "Niet te berekenen: er zijn geen sessies met een goed of geen met een fout profiel."
            )
        return (
            f"[b]{decimal(d)}[/b]: het deel 'als de sleutel' bij wie het profiel goed had, min dat "
            "bij wie het profiel fout had. Positief: wie deze vraag goed beantwoordt, komt vaker "
            "op het goede profiel. Rond 0 of negatief: de vraag zegt weinig over het profiel, of "
            "de vraag of de sleutel verwart."
        )


class NurseView(Screen[str | None]):
    """One nurse: progress over time as a chart, her weakest questions against the group.

    Dismisses with "sessies" when the trainer wants to see her sessions."""

    BINDINGS = [
        Binding("escape", "dismiss_none", "Terug"),
        Binding("h", "her_sessions", "Haar sessies"),
    ]

    def __init__(
        self,
        stats: NurseStats,
        trend: NurseStats | None,
        group: dict[str, QuestionStats],
        filter_text: str,
    ) -> None:
        """``stats``: her figures under the filter; ``trend``: the same over all her attempts
        (progress needs the repeats, not only first attempts); ``group``: the group's."""
        super().__init__()
        self.stats = stats
        self.trend = trend
        self.group = group
        self.filter_text = filter_text

    def compose(self) -> ComposeResult:
        s = self.stats
        yield Header()
        with VerticalScroll(id="t-view"):
            yield Static(
                f"[b]{escape(s.nurse.display)}[/b]\n[dim]Filter: {self.filter_text}[/]\n"
                f"{number(s.sessions)} sessies geteld · profiel goed [b]{pct(s.profile_accuracy)}"
                f"[/b] · antwoorden als de sleutel [b]{pct(s.facility)}[/b]",
                classes="para",
            )
            yield Static("Voortgang over al haar pogingen", classes="section")
            points = self.trend.progress if self.trend is not None else []
            if len(points) >= 2:
                yield ProgressChart(points, id="t-chart")
            yield Static(self._periods(), classes="para", id="t-periods")
            yield Static("Haar zwakste vragen", classes="section")
            yield Static(self._weakest(), classes="para", id="t-weakest")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.sub_title = f"Voortgang van {self.stats.nurse.display}"
        self.query_one("#t-view").focus()

    def _periods(self) -> str:
        points = self.trend.progress if self.trend is not None else []
        if not points:
            return "Geen afgeronde sessies met sleutel bij dit filter."
        if len(points) < 2:
            p = points[0]
            return (
                f"Eén periode ({period_label(p.period)}): {number(p.sessions)} sessies, profiel "
                f"goed {pct(p.profile_accuracy)}. Voor een verloop zijn meer perioden nodig."
            )
        cells = [
            f"{period_label(p.period)}: {pct(p.profile_accuracy)} ({number(p.sessions)})"
            for p in points
        ]
        return "[dim]Profiel goed per periode (sessies):[/] " + " · ".join(cells)

    def _weakest(self) -> str:
        weakest = self.stats.weakest(5)
        if not weakest:
            return "Geen vraag anders dan de sleutel beantwoord bij dit filter."
        lines = []
        for q in weakest:
            group = self.group.get(q.question_id)
            title = group.title if group else ""
            others = f" · groep {pct(group.facility)}" if group else ""
            lines.append(
                f"[b]{q.question_id}[/b] {escape(title)}: [b]{pct(q.facility)}[/b] als de "
                f"sleutel ({number(q.correct)} van {number(q.answered)}){others}"
            )
        return "\n".join(lines)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)

    def action_her_sessions(self) -> None:
        self.dismiss("sessies")
