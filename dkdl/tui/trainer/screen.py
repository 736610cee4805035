"""The trainer's main screen: the sessions table and the analyses, over one filter.

Tabs: Sessies (the table, one page at a time), Vragen (per question), Casussen (per case),
Profielen (key profile against registered profile), Verpleegkundigen (per nurse). The filter
line above the tabs says which sessions count; ``f`` changes it, ``x`` clears it. The screen
holds what it shows and posts messages for everything else (:mod:`dkdl.tui.trainer.messages`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static, TabbedContent, TabPane

from dkdl.review_model import ReviewFilter
from dkdl.scoring import profile_name
from dkdl.tui.trainer import messages as msg
from dkdl.tui.trainer.analysis import (
    AnalysisPane,
    CasesPane,
    NursesPane,
    ProfilesPane,
    QuestionsPane,
)
from dkdl.tui.trainer.catalog import Catalog, describe
from dkdl.tui.trainer.table import PagedTable
from dkdl.tui.trainer.text import duration, number
from dkdl.tui.widgets.footer import SteadyFooter

if TYPE_CHECKING:
    from dkdl.review_analysis import Analysis
    from dkdl.review_model import SessionPage, SessionRow

PAGE = 100  # rows the table holds at once

# the review's sort keys, in the trainer's words
SORT_NAMES = {
    "date": "datum",
    "nurse": "verpleegkundige",
    "laptop": "laptop",
    "mode": "modus",
    "case": "casus",
    "profile": "geregistreerd profiel",
    "key_profile": "profiel van de sleutel",
    "match": "gelijk aan de sleutel",
    "duration": "duur",
    "status": "status",
}

TABS = ("sessies", "vragen", "casussen", "profielen", "verpleegkundigen")


def match_mark(row: SessionRow, colours: dict[str, str]) -> Text:
    """✓ / ✗ in the theme's colours (a DataTable cell takes Rich text, not Textual markup)."""
    if row.status == "afgebroken":
        return Text("afgebr", style="dim")
    if row.status == "bezig":
        return Text("bezig", style="dim")
    if row.match is None:
        return Text("—", style="dim")
    if row.match:
        return Text("✓", style=f"bold {colours.get('success', 'green')}")
    return Text("✗", style=f"bold {colours.get('error', 'red')}")


def short_profile(profile: str | None) -> str:
    """The profile in a narrow column: 'DKDL11' -> '11', routing codes abbreviated."""
    if profile is None:
        return "—"
    if profile.startswith("DKDL"):
        return profile[4:]
    return {"KINDZORG": "Kind", "PTZ": "PTZ", "TIJDELIJK": "Tijd", "GEEN_DKDL": "Geen"}.get(
        profile, profile
    )


class TrainerScreen(Screen):
    """Sessions and analyses of one log, read-only."""

    BINDINGS = [
        Binding("escape", "app.trainer_leave", "Terug"),
        Binding("f1", "help", "Help"),
        Binding("f", "filter", "Filter"),
        Binding("x", "clear_filter", "Alles"),
        Binding("s", "sort", "Sorteren"),
        Binding("o", "reverse", "Omkeren", show=False),
        Binding("z", "alias", "Zelfde persoon"),
        Binding("u", "unalias", "Koppeling terug"),
        Binding("1", "tab('sessies')", "Sessies", show=False),
        Binding("2", "tab('vragen')", "Vragen", show=False),
        Binding("3", "tab('casussen')", "Casussen", show=False),
        Binding("4", "tab('profielen')", "Profielen", show=False),
        Binding("5", "tab('verpleegkundigen')", "Verpleegkundigen", show=False),
    ]

    def __init__(
        self,
        catalog: Catalog,
        flt: ReviewFilter,
        first: SessionPage | None = None,
        *,
        waiting: bool = False,
    ) -> None:
        """``first``: the first page of ``flt`` (newest first), when the app has it already;
        ``waiting``: the log is still being opened, the app calls :meth:`opened`."""
        super().__init__()
        self._first = first
        self._waiting = waiting
        self._columns_made = False
        self.catalog = catalog
        self.flt = flt
        self.sort = "date"
        self.descending = True
        self.total: int | None = None  # None while the first page is on its way
        self.page_offset = 0
        self.rows: list[SessionRow] = []
        self.analysis: Analysis | None = None
        self._cursor_to: int | str = 0
        self._wide = False

    # -- layout --------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="t-filter")
        with TabbedContent(id="t-tabs", initial="sessies"):
            with TabPane("Sessies", id="sessies"), Vertical(id="t-sessions"):
                yield PagedTable(id="t-table")
                yield Static("Sessies laden…", id="t-status", classes="muted")
            # the analysis panes are mounted when their tab is first shown (_pane)
            yield TabPane("Vragen", id="vragen")
            yield TabPane("Casussen", id="casussen")
            yield TabPane("Profielen", id="profielen")
            yield TabPane("Verpleegkundigen", id="verpleegkundigen")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self._columns()
        self._columns_made = True
        self.query_one(PagedTable).focus()
        if self._waiting:
            self.query_one("#t-filter", Static).update("Logbestand openen…")
            self._status()
            return
        self.opened(self.catalog, self._first)
        self._first = None

    def opened(self, catalog: Catalog, first: SessionPage | None) -> None:
        """The log is open: its names, and the first page of the unfiltered table (newest
        first) if the app has it (else it is asked for)."""
        self._waiting = False
        self.catalog = catalog
        if not self._columns_made:  # opened before the screen was mounted: on_mount shows it
            self._first = first
            return
        self.sub_title = f"{catalog.source} (alleen lezen)"
        self._show_filter()
        request = msg.PageWanted(self.flt, self.sort, self.descending, 0)
        if first is not None and (self.flt, self.sort, self.descending) == (
            ReviewFilter(),
            "date",
            True,
        ):
            self.show_page(request, first)
        else:  # no page yet, or the trainer chose another view while the log opened
            self._ask(0)
        if self.analysis is None and self.query_one(TabbedContent).active != "sessies":
            # a tab chosen while the log opened: its request then found no log to read
            self.post_message(msg.AnalysisWanted(self.flt))
        # after the first paint: the app's background work must not delay the table
        self.call_after_refresh(self.post_message, msg.TableShown())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        tab = {"sort": "sessies", "reverse": "sessies"}.get(action)
        tab = tab or {"alias": "verpleegkundigen", "unalias": "verpleegkundigen"}.get(action)
        if tab is None:
            return True
        # Textual also asks while the screen is still composing or already torn down (seen in
        # CI under load): then there are no tabs, and a tab's keys are simply not in force.
        tabs = self.query(TabbedContent)
        return bool(tabs) and tabs.first().active == tab

    def _columns(self) -> None:
        """Columns that fit the width: at 80 the profiles share a column and the laptop
        column is left out (an ambiguous name carries its laptop anyway)."""
        table = self.query_one(PagedTable)
        table.clear(columns=True)
        width = max(self.app.size.width, 80)
        wide = width >= 110
        cols: list[tuple[str, str, int]] = [
            ("Datum", "date", 16 if wide else 14),
            ("Naam", "nurse", 18 if wide else 11),
            ("Modus", "mode", 7),
            ("Casus", "case", 0),
        ]
        if wide:
            cols += [("Profiel", "profile", 9), ("Sleutel", "key_profile", 9)]
        else:
            cols.append(("Jij/sl.", "profile", 9))
        cols += [("Gelijk", "match", 6), ("Duur", "duration", 7 if wide else 5)]
        if wide:
            cols.append(("Laptop", "laptop", 6))
        used = sum(w for _, _, w in cols) + 2 * len(cols) + 1  # cell padding, scrollbar
        for label, key, w in cols:
            table.add_column(label, key=key, width=w or max(12, width - used))
        self._wide = wide

    def on_resize(self) -> None:
        if (self.app.size.width >= 110) != self._wide:
            self._columns()
            self._fill(keep_cursor=True)

    # -- data handed down by the app -----------------------------------------------------

    def show_page(self, request: msg.PageWanted, page: SessionPage) -> None:
        """Rows for the table (dropped if the filter or order changed meanwhile)."""
        if (request.flt, request.sort, request.descending) != (
            self.flt,
            self.sort,
            self.descending,
        ):
            return
        self.total = page.total
        self.page_offset = page.offset
        self.rows = page.rows
        self._fill()

    def show_analysis(self, analysis: Analysis) -> None:
        """The analyses over the current filter, for the other tabs."""
        if analysis.filter != self.flt:
            return
        self.analysis = analysis
        for pane in self.query(AnalysisPane):
            pane.show(analysis)

    def _fill(self, keep_cursor: bool = False) -> None:
        table = self.query_one(PagedTable)
        cursor = table.cursor_row
        table.clear()
        colours = self.app.get_css_variables()
        for row in self.rows:  # names and titles as plain Text: they are not markup
            cells: list[Any] = [
                row.started_at.strftime("%d-%m-%Y %H:%M" if self._wide else "%d-%m-%y %H:%M"),
                Text(row.nurse),
                row.mode,
                Text(self.catalog.case_title(row.case_id)),
            ]
            if self._wide:
                cells += [profile_name(row.profile), profile_name(row.key_profile)]
            else:
                cells.append(f"{short_profile(row.profile)}/{short_profile(row.key_profile)}")
            cells += [match_mark(row, colours), duration(row.duration)]
            if self._wide:
                cells.append(str(row.laptop) if row.laptop is not None else "—")
            table.add_row(*cells, key=row.session_id)
        if self.rows:
            if keep_cursor:
                target = cursor
            elif self._cursor_to in ("last", -1):
                target = len(self.rows) - 1
            else:
                target = 0
            table.move_cursor(row=min(max(target, 0), len(self.rows) - 1), animate=False)
        self._status()

    def _status(self) -> None:
        status = self.query_one("#t-status", Static)
        if self.total is None:
            status.update("Sessies laden…")
            return
        order = f"{SORT_NAMES[self.sort]}, {'aflopend' if self.descending else 'oplopend'}"
        if not self.total:
            text = "Geen sessies bij dit filter. [b]x[/b]: alles tonen, [b]f[/b]: filter wijzigen."
        else:
            first = self.page_offset + 1
            last = self.page_offset + len(self.rows)
            text = (
                f"Sessies {number(first)}–{number(last)} van {number(self.total)} · "
                f"{order} · Enter: details"
            )
        status.update(text)

    def _show_filter(self) -> None:
        self.query_one("#t-filter", Static).update(
            f"[b]Filter:[/b] {describe(self.flt, self.catalog)}"
        )

    # -- asking the app ------------------------------------------------------------------

    def _ask(self, offset: int) -> None:
        self.post_message(msg.PageWanted(self.flt, self.sort, self.descending, offset))

    @on(PagedTable.EdgeReached)
    def edge(self, event: PagedTable.EdgeReached) -> None:
        if not self.total:
            return
        where = event.where
        if where == 1:
            offset = self.page_offset + PAGE
        elif where == -1:
            offset = self.page_offset - PAGE
        elif where == "first":
            offset = 0
        else:
            offset = (self.total - 1) // PAGE * PAGE
        if offset < 0 or offset >= self.total or offset == self.page_offset:
            if where in ("first", "last") and self.rows:
                table = self.query_one(PagedTable)
                table.move_cursor(row=0 if where == "first" else len(self.rows) - 1)
            return
        self._cursor_to = where
        self._ask(offset)

    @on(DataTable.RowSelected, "#t-table")
    def open_session(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.post_message(msg.SessionChosen(event.row_key.value))

    @on(DataTable.HeaderSelected, "#t-table")
    def header_clicked(self, event: DataTable.HeaderSelected) -> None:
        key = event.column_key.value
        if key in SORT_NAMES:
            self._set_sort(key)

    def _pane(self, tab: TabPane) -> AnalysisPane | None:
        """The analysis pane of ``tab``, mounted on first use (the table comes first)."""
        found = tab.query(AnalysisPane)
        if found:
            return found.first()
        factories: dict[str, Callable[[], AnalysisPane]] = {
            "vragen": QuestionsPane,
            "casussen": lambda: CasesPane(self.catalog),
            "profielen": ProfilesPane,
            "verpleegkundigen": NursesPane,
        }
        if tab.id not in factories:
            return None
        pane = factories[tab.id]()
        tab.mount(pane)
        if self.analysis is not None:
            pane.call_after_refresh(pane.show, self.analysis)
        return pane

    @on(TabbedContent.TabActivated)
    def tab_shown(self, event: TabbedContent.TabActivated) -> None:
        self.refresh_bindings()
        if event.pane.id != "sessies" and self.analysis is None:
            self.post_message(msg.AnalysisWanted(self.flt))
        pane = self._pane(event.pane)
        if pane is not None:
            pane.call_after_refresh(pane.focus_main)
        elif event.pane.id == "sessies":
            self.query_one(PagedTable).focus()

    @on(QuestionsPane.Chosen)
    def question_chosen(self, event: QuestionsPane.Chosen) -> None:
        from dkdl.tui.trainer.views import QuestionView

        if self.analysis is None or self.catalog.questionnaire is None:
            return
        stats = self.analysis.questions[event.question_id]
        question = self.catalog.questionnaire.by_id[event.question_id]
        text = describe(self.flt, self.catalog)
        self.app.push_screen(QuestionView(stats, question, text))

    @on(CasesPane.Chosen)
    def case_chosen(self, event: CasesPane.Chosen) -> None:
        if event.case_id != self.flt.case:
            self.set_filter(replace(self.flt, case=event.case_id))

    @on(NursesPane.Chosen)
    def nurse_chosen(self, event: NursesPane.Chosen) -> None:
        if self.analysis is None:
            return
        stats = self.analysis.nurses.get(event.nurse)
        if stats is not None:
            self.post_message(msg.NurseChosen(stats, self.analysis.questions, self.flt))

    def action_alias(self) -> None:
        panes = self.query(NursesPane)
        key = panes.first().current() if panes else None
        stats = self.analysis.nurses.get(key) if self.analysis and key is not None else None
        if stats is not None:
            self.post_message(msg.AliasWanted(stats.nurse.display))

    def action_unalias(self) -> None:
        self.post_message(msg.AliasUndoWanted())

    def catalog_changed(self, catalog: Catalog) -> None:
        """The case titles and the questions, read after the first page: shown in place."""
        self.catalog = catalog
        for pane in self.query(CasesPane):
            pane.catalog = catalog
        self._show_filter()
        table = self.query_one(PagedTable)
        for row in self.rows:
            if row.case_id is not None:
                title = Text(catalog.case_title(row.case_id))
                table.update_cell(row.session_id, "case", title, update_width=False)

    def names_changed(self, catalog: Catalog) -> None:
        """Nurses were joined or split (an alias): new names, figures computed again."""
        self.catalog = catalog
        known = {name for name, _ in catalog.nurses}
        nurse = self.flt.nurse if self.flt.nurse in known else None
        self.set_filter(replace(self.flt, nurse=nurse))

    def show_nurse_sessions(self, display: str) -> None:
        """From a nurse's view: her sessions in the table."""
        self.set_filter(replace(self.flt, nurse=display))
        self.action_tab("sessies")

    # -- actions -------------------------------------------------------------------------

    def _reload(self) -> None:
        self.total = None
        self._cursor_to = 0
        self._status()
        self._show_filter()
        self._ask(0)

    def _set_sort(self, key: str) -> None:
        if key == self.sort:
            self.descending = not self.descending
        else:
            self.sort = key
            self.descending = key == "date"  # newest first; the rest A→Z, low→high
        self._reload()

    def action_sort(self) -> None:
        from dkdl.tui.trainer.dialogs import PickScreen  # on first use: a quicker start-up

        def chosen(key: str | None) -> None:
            if key is not None:
                self._set_sort(key)

        self.app.push_screen(
            PickScreen(
                "Sorteren op",
                list(SORT_NAMES.items()),
                self.sort,
                note="Dezelfde kolom nog eens kiezen keert de volgorde om (of: o).",
            ),
            chosen,
        )

    def action_reverse(self) -> None:
        self._set_sort(self.sort)

    def action_filter(self) -> None:
        from dkdl.tui.trainer.dialogs import FilterScreen  # on first use: a quicker start-up

        if self._waiting or self.catalog.questionnaire is None:
            # the dialog lists the nurses and the cases: not all known yet (dkdl --trainer
            # reads the case files after the first page)
            self.notify("Even geduld: de namen en de casussen worden nog gelezen.", timeout=3)
            return
        cases = sorted(
            ((title, case_id) for case_id, title in self.catalog.cases.items()),
            key=lambda pair: pair[0].lower(),
        )
        nurses = [(name, name) for name, _ in self.catalog.nurses]

        def chosen(flt: ReviewFilter | None) -> None:
            if flt is not None and flt != self.flt:
                self.set_filter(flt)

        self.app.push_screen(FilterScreen(self.flt, nurses, cases), chosen)

    def set_filter(self, flt: ReviewFilter) -> None:
        """Show the sessions and analyses of ``flt``."""
        self.flt = flt
        self.analysis = None
        for pane in self.query(AnalysisPane):
            pane.clear()
        if self.query_one(TabbedContent).active != "sessies":
            self.post_message(msg.AnalysisWanted(flt))
        self._reload()

    def action_clear_filter(self) -> None:
        empty = replace(self.flt, nurse=None, case=None, since=None, until=None, mode=None)
        if empty != self.flt:
            self.set_filter(empty)

    def action_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab

    def action_help(self) -> None:
        from dkdl.tui.trainer.help import TrainerHelpScreen

        self.app.push_screen(TrainerHelpScreen())
