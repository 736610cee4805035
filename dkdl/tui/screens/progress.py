"""Mijn voortgang: her own figures, in tabs, and her earlier sessions to reopen.

The screen paints at once with "laden…" in each tab; the app computes her
:class:`~dkdl.progress.Progress` in a worker (:mod:`dkdl.tui.progress_routes`) and hands it
down with :meth:`ProgressScreen.show_progress`. Everything shown comes from that object; the
screen only lays it out. Enter on an earlier session asks the app to reopen its feedback
(:class:`~dkdl.tui.messages.SessionReopened`); :kbd:`z` asks for a weak-point case.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.markup import escape
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import DataTable, Header, Static, TabbedContent, TabPane

from dkdl.scoring import profile_name
from dkdl.tui.messages import CaseChosen, SessionReopened, WeakCaseWanted
from dkdl.tui.screens.progress_chart import ProfileChart
from dkdl.tui.text import bold_markup, difficulty
from dkdl.tui.trainer.text import pct, when
from dkdl.tui.widgets.footer import SteadyFooter

if TYPE_CHECKING:
    from dkdl.progress import Progress, Rate, WeakQuestion
    from dkdl.questionnaire import Questionnaire

TABS = {
    "overzicht": "Overzicht",
    "vragen": "Per vraag",
    "zwak": "Zwakke punten",
    "nog": "Nog te doen",
    "toetsen": "Toetsen",
    "eerder": "Eerdere",
}
LOADING = "Je oefeningen worden geteld…"
BAR = 10  # width of a toets result bar


def rate_text(rate: Rate, *, short: bool = False) -> str:
    """'70% (14 van 20)' (short: '70% (14/20)'); '—' when nothing was counted."""
    if rate.share is None:
        return "—"
    of = "/" if short else " van "
    return f"{pct(rate.share)} ({rate.right}{of}{rate.counted})"


def change(earlier: Rate, recent: Rate) -> tuple[str, str]:
    """('↑', 'success'), ('↓', 'error') or ('=', 'text') for recent against earlier in whole
    percents; ('', 'text') when one side has nothing counted."""
    if earlier.share is None or recent.share is None:
        return "", "text"
    before, now = round(earlier.share * 100), round(recent.share * 100)
    if now > before:
        return "↑", "success"
    if now < before:
        return "↓", "error"
    return "=", "text"


def change_markup(earlier: Rate, recent: Rate) -> str:
    mark, colour = change(earlier, recent)
    return f"[${colour}]{mark}[/]" if mark else ""


def bar(right: int, total: int) -> str:
    """A toets result as a bar of BAR cells: '███████░░░'."""
    filled = round(BAR * right / total) if total else 0
    return "█" * filled + "░" * (BAR - filled)


class ProgressScreen(Screen[None]):
    """One nurse's progress; read-only. ``progress`` is None until the app has counted."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Terug"),
        Binding("z", "weak_case", "Zwakke punten oefenen"),
        # one footer hint for the six tab keys: "1-6 Tabblad" (on the first; the rest hidden)
        *[
            Binding(str(n), f"tab('{tab}')", title, show=False)
            if n > 1
            else Binding(str(n), f"tab('{tab}')", "Tabblad", key_display="1-6")
            for n, (tab, title) in enumerate(TABS.items(), start=1)
        ],
    ]

    def __init__(
        self, nurse: str, questionnaire: Questionnaire, progress: Progress | None = None
    ) -> None:
        """``progress``: her figures when the app has them already (counted ahead): the
        overview then shows them in its first frame."""
        super().__init__()
        self.nurse = nurse
        self.questionnaire = questionnaire
        self.progress: Progress | None = progress
        self.filled: set[str] = set()  # the tabs showing ``progress``
        self.composed: set[str] = {"overzicht"}  # the tabs with their widgets mounted
        self._showing = asyncio.Lock()  # a tab is mounted whole before it is filled

    # -- layout --------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(id="pg-tabs", initial="overzicht"):
            with TabPane("Overzicht", id="overzicht"), VerticalScroll(classes="pg-pane"):
                yield Static(LOADING, id="pg-summary")
                yield Static("Per as: jouw antwoorden gelijk aan de sleutel", classes="section")
                yield Static(id="pg-axes", classes="para")
                yield ProfileChart(id="pg-chart")
            for tab, title in list(TABS.items())[1:]:
                yield TabPane(title, id=tab)  # its widgets are mounted when first shown
        yield SteadyFooter()

    def _tab_widgets(self, tab: str) -> list[Widget]:
        """The widgets of a tab other than the overview, still without her figures."""
        parts: dict[str, list[Widget]] = {
            "vragen": [
                Static(LOADING, id="pg-questions-note", classes="muted"),
                DataTable(id="pg-questions", cursor_type="row", zebra_stripes=True),
            ],
            "zwak": [Static(LOADING, id="pg-weak"), Vertical(id="pg-weak-list")],
            "nog": [
                Static(LOADING, id="pg-not-done-note", classes="muted"),
                DataTable(id="pg-not-done", cursor_type="row", zebra_stripes=True),
            ],
            "toetsen": [
                Static(LOADING, id="pg-toets-note", classes="muted"),
                DataTable(id="pg-toetsen", cursor_type="none", zebra_stripes=True),
            ],
            "eerder": [
                Static(LOADING, id="pg-sessions-note", classes="muted"),
                DataTable(id="pg-sessions", cursor_type="row", zebra_stripes=True),
            ],
        }
        return [VerticalScroll(*parts[tab], classes="pg-pane")]

    def on_mount(self) -> None:
        self.sub_title = f"Mijn voortgang: {self.nurse}"
        if self.progress is not None and "overzicht" not in self.filled:
            self.filled.add("overzicht")
            self._overview(self.progress)

    def action_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab

    @on(TabbedContent.TabActivated)
    async def tab_shown(self, event: TabbedContent.TabActivated) -> None:
        """Mount and fill the tab when first shown; a tab with a table gives it the focus, so
        ↑ ↓ and Enter work at once."""
        if event.pane.id:
            await self._show_tab(event.pane.id)
        tables = event.pane.query(DataTable)
        if tables and tables.first().cursor_type != "none":
            tables.first().focus()

    def action_weak_case(self) -> None:
        self.post_message(WeakCaseWanted())

    # -- told by the app when her figures are counted -------------------------------------

    def show_progress(self, progress: Progress) -> None:
        """Show ``progress``: the open tab at once (or when the screen is mounted), each other
        tab when it is first shown (her 2,000 earlier sessions need not wait for the overview)."""
        self.progress = progress
        self.filled = set()
        # (counted before the screen was up: this runs once it is)
        self.call_later(lambda: self._show_tab(self.query_one(TabbedContent).active))

    async def _show_tab(self, tab: str) -> None:
        """The tab's widgets mounted (once), then filled from ``progress`` if it is there."""
        async with self._showing:
            if tab not in self.composed:
                self.composed.add(tab)
                await self.query_one(f"#{tab}", TabPane).mount_all(self._tab_widgets(tab))
        progress = self.progress
        if progress is None or tab in self.filled:
            return
        self.filled.add(tab)
        if tab == "overzicht":
            self._overview(progress)
        elif tab == "vragen":
            self._questions(progress)
        elif tab == "zwak":
            self._weakest(progress)
        elif tab == "nog":
            self._not_done(progress)
        elif tab == "toetsen":
            self._toetsen(progress)
        elif tab == "eerder":
            self._sessions(progress)

    def _overview(self, progress: Progress) -> None:
        n = len(progress.sessions)
        if not n:
            summary = (
                "Je hebt nog geen casus afgerond. Oefen een casus of doe een toets: "
                "daarna zie je hier hoe het gaat."
            )
        else:
            right = sum(p.right for p in progress.sessions)
            summary = (
                f"[b]{n} {'casus' if n == 1 else 'casussen'} afgerond[/b] (oefenen en toets), "
                f"{right} daarvan met het profiel van de sleutel. "
                f"‘Recent’ is hieronder: je laatste {progress.recent}."
            )
        self.query_one("#pg-summary", Static).update(summary)
        self.query_one(ProfileChart).show(progress.sessions)
        lines = []
        for axis, earlier, recent, _overall in progress.axes:
            lines.append(
                f"[b]{escape(self.questionnaire.axis_title(axis))}[/b]: "
                f"eerder {rate_text(earlier, short=True)}, "
                f"recent {rate_text(recent, short=True)} {change_markup(earlier, recent)}".rstrip()
            )
        self.query_one("#pg-axes", Static).update("\n".join(lines) or "—")

    def _questions(self, progress: Progress) -> None:
        table = self.query_one("#pg-questions", DataTable)
        table.clear(columns=True)
        table.add_column("Vraag", key="vraag")
        table.add_column("Eerder", key="eerder")
        table.add_column("Recent", key="recent")
        table.add_column("", key="mark")
        table.add_column("Alles", key="alles")
        colours = self.app.get_css_variables()
        for q in progress.questions:
            mark, colour = change(q.earlier, q.recent)
            table.add_row(
                f"{q.qid} {escape(q.title)}",
                rate_text(q.earlier, short=True),
                rate_text(q.recent, short=True),
                Text(mark, style=f"bold {colours.get(colour, '')}"),
                rate_text(q.overall, short=True),
                key=q.qid,
            )
        self.query_one("#pg-questions-note", Static).update(
            "Hoe vaak jouw antwoord gelijk is aan de sleutel, per vraag; recent is je laatste "
            f"{progress.recent} casussen. Een vraag telt alleen als jij én de sleutel hem "
            "kregen (de routering kan eerder stoppen)."
        )

    def _weakest(self, progress: Progress) -> None:
        if not progress.weakest:
            intro = (
                "Nog geen zwakke punten: bij geen enkele vraag week je af van de sleutel."
                if progress.sessions
                else "Nog niets om te tellen: rond eerst een casus af."
            )
        else:
            intro = (
                "De vragen waarbij je het vaakst anders antwoordt dan de sleutel. "
                "[b]z[/b]: oefen een casus waarin het op deze vragen aankomt."
            )
        self.query_one("#pg-weak", Static).update(intro)
        box = self.query_one("#pg-weak-list", Vertical)
        box.remove_children()
        box.mount_all(
            widget
            for i, weak in enumerate(progress.weakest, start=1)
            for widget in self._weak_block(i, weak, progress)
        )

    def _weak_block(self, index: int, weak: WeakQuestion, progress: Progress) -> list[Static]:
        """A heading, and under it (indented) the official wording, her most frequent miss (how
        often), the key's answer there, and dkdl's own explanation under the core's label (not
        NZa text). A checklist miss (same option, other items) says so instead of showing the
        same option twice."""
        lines = [f"[dim]De vraag:[/] {bold_markup(weak.question_text)}"]
        mine, key = weak.her_option, weak.key_option
        times = next(
            (
                n
                for qid, pairs in progress.misses
                if qid == weak.qid
                for a, b, n in pairs
                if (a, b) == (mine, key)
            ),
            0,
        )
        often = f" ({times}×)" if times else ""
        if mine is not None and mine == key:
            lines.append(
                f"[dim]Jij vinkte het vaakst{often} andere handelingen aan dan de sleutel,[/] "
                f"bij {mine} ‘{bold_markup(weak.her_option_text)}’"
            )
        else:
            if mine is not None:
                mine_text = bold_markup(weak.her_option_text)
                lines.append(f"[dim]Jij koos het vaakst{often}:[/] {mine} ‘{mine_text}’")
            if key is not None:
                lines.append(
                    f"[dim]De sleutel daar:[/] {key} ‘{bold_markup(weak.key_option_text)}’"
                )
        label = progress.explanation_label
        if weak.explanation:
            lines.append(f"[i]{escape(label)}:[/i] {bold_markup(weak.explanation)}")
        return [
            Static(
                f"{index}. {weak.qid} {escape(weak.title)}: "
                f"{rate_text(weak.rate)} gelijk aan de sleutel",
                classes="section",
            ),
            *[Static(line, classes="pg-weak-line") for line in lines],
        ]

    def _not_done(self, progress: Progress) -> None:
        table = self.query_one("#pg-not-done", DataTable)
        table.clear(columns=True)
        table.add_columns("Casus", "Niveau", "Tags")
        for case in progress.not_done:
            table.add_row(
                escape(case.title),  # text, not markup
                difficulty(case.data.difficulty),
                escape(", ".join(case.situation_tags)),
                key=case.id,
            )
        n = len(progress.not_done)
        self.query_one("#pg-not-done-note", Static).update(
            f"{n} {'casus' if n == 1 else 'casussen'} nog niet afgerond (als oefening of in een "
            "toets). [b]Enter[/b]: oefen de aangewezen casus."
            if n
            else "Je hebt alle casussen minstens één keer afgerond."
        )

    def _toetsen(self, progress: Progress) -> None:
        table = self.query_one("#pg-toetsen", DataTable)
        table.clear(columns=True)
        table.add_columns("Datum", "Uitslag", "", "")
        for t in progress.toetsen:
            share = t.right / t.total if t.total else None
            table.add_row(
                when(t.started_at, short=True),
                f"{t.right} van {t.total}",
                f"{bar(t.right, t.total)} {pct(share)}",
                "" if t.finished else "niet af",
                key=t.toets_id,
            )
        self.query_one("#pg-toets-note", Static).update(
            "Je toetsen, oudste eerst: hoeveel casussen het profiel van de sleutel kregen."
            if progress.toetsen
            else "Je hebt nog geen toets gedaan."
        )

    def _sessions(self, progress: Progress) -> None:
        """Her finished casussen and vrije registraties, newest first; a vrije registratie has
        no key, so no ✓ or ✗ and no key profile."""
        table = self.query_one("#pg-sessions", DataTable)
        table.clear(columns=True)
        table.add_columns("", "Datum", "Soort", "Jij", "Sleutel", "Casus")
        colours = self.app.get_css_variables()
        right = Text("✓", style=f"bold {colours.get('success', 'green')}")
        wrong = Text("✗", style=f"bold {colours.get('error', 'red')}")
        rows: list[tuple[str, tuple]] = [
            (
                p.started_at,
                (
                    right if p.right else wrong,
                    when(p.started_at, short=True),
                    p.mode,
                    profile_name(p.profile),
                    profile_name(p.key_profile),
                    escape(p.case_title) if p.case_title else f"[dim]{escape(p.case_id)}[/]",
                    p.session_id,
                ),
            )
            for p in progress.sessions
        ]
        rows += [
            (
                f.started_at,
                (
                    "",
                    when(f.started_at, short=True),
                    "vrij",
                    profile_name(f.profile),
                    "—",
                    "[dim]vrije registratie[/]",
                    f.session_id,
                ),
            )
            for f in progress.free
        ]
        rows.sort(key=lambda row: row[0])  # stable: the order of each list within a moment
        for _, (*cells, session_id) in reversed(rows):  # newest first
            table.add_row(*cells, key=session_id)
        free = " en vrije registraties" if progress.free else ""
        self.query_one("#pg-sessions-note", Static).update(
            f"Je afgeronde casussen{free}, nieuwste eerst. [b]Enter[/b]: de feedback zoals je "
            "die zag (alleen bekijken; er wordt niets opgeslagen)."
            if rows
            else "Nog geen afgeronde casussen of vrije registraties."
        )

    # -- events --------------------------------------------------------------------------

    @on(DataTable.RowSelected, "#pg-not-done")
    def practise(self, event: DataTable.RowSelected) -> None:
        progress = self.progress
        if progress is not None:
            case = next((c for c in progress.not_done if c.id == event.row_key.value), None)
            if case is not None:
                self.post_message(CaseChosen(case))

    @on(DataTable.RowSelected, "#pg-sessions")
    def reopen(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value:
            self.post_message(SessionReopened(event.row_key.value))
