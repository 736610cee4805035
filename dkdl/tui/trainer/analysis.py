"""The analysis tabs: per question, per case, profiles (confusion), per nurse.

Each pane shows an :class:`dkdl.review.Analysis` it is handed (``show``); the figures come from
the review core, the panes only lay them out: a table to scan, bars where a trainer would rather
look than read, and the flags in words.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Static

from dkdl.scoring import profile_name
from dkdl.tui.trainer.text import bar, decimal, number, pct

if TYPE_CHECKING:
    from dkdl.review_analysis import Analysis
    from dkdl.tui.trainer.catalog import Catalog

LOADING = "Analyses berekenen…"


def counted_line(analysis: Analysis) -> str:
    """'2.340 sessies geteld (eerste poging per casus) · profiel gelijk aan de sleutel: 62%'."""
    attempts = "eerste poging per casus" if analysis.filter.attempts == "first" else "alle pogingen"
    return (
        f"[b]{number(analysis.sessions)}[/b] afgeronde sessies met sleutel geteld ({attempts}) · "
        f"profiel gelijk aan de sleutel: [b]{pct(analysis.profile_accuracy)}[/b]"
    )


def share_cell(share: float | None, width: int, colours: dict[str, str]) -> Text:
    """A bar and a percentage, coloured by how good it is (green / amber / red)."""
    if share is None:
        return Text("—", style="dim")
    colour = colours.get("success", "green")
    if share < 0.6:
        colour = colours.get("error", "red")
    elif share < 0.8:
        colour = colours.get("warning", "yellow")
    return Text.assemble((bar(share, width), colour), f" {pct(share):>4}")


class AnalysisPane(Vertical):
    """Base of the analysis tabs: a summary line, a table, text below."""

    DEFAULT_CLASSES = "analysis-pane"
    # the table has the focus; the page keys still move the whole pane (its text below)
    BINDINGS = [
        Binding("pagedown", "page(1)", "Verder", show=False, priority=True),
        Binding("pageup", "page(-1)", "Terug", show=False, priority=True),
    ]

    def action_page(self, direction: int) -> None:
        pane = self.query_one(".pane-scroll", VerticalScroll)
        (pane.scroll_page_down if direction > 0 else pane.scroll_page_up)(animate=False)

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="pane-scroll"):
            yield Static(LOADING, classes="pane-summary")
            yield DataTable(cursor_type="row", zebra_stripes=True, classes="pane-table")
            yield Static("", classes="pane-notes para")

    def clear(self) -> None:
        self.query_one(".pane-summary", Static).update(LOADING)
        self.query_one(DataTable).clear(columns=True)
        self.query_one(".pane-notes", Static).update("")

    def focus_main(self) -> None:
        self.query_one(DataTable).focus(scroll_visible=False)

    def show(self, analysis: Analysis) -> None:
        raise NotImplementedError

    @property
    def colours(self) -> dict[str, str]:
        return self.app.get_css_variables()


class QuestionsPane(AnalysisPane):
    """Per question: how often as the key, the options chosen, agreement, flags."""

    class Chosen(Message):
        def __init__(self, question_id: str) -> None:
            super().__init__()
            self.question_id = question_id

    def show(self, analysis: Analysis) -> None:
        self.query_one(".pane-summary", Static).update(
            counted_line(analysis)
            + "\n[dim]Enter: een vraag in detail (opties, overeenstemming)[/]"
        )
        table = self.query_one(DataTable)
        table.clear(columns=True)
        wide = self.app.size.width >= 110
        table.add_column("Vraag", key="q", width=5)
        table.add_column("Onderwerp", key="title", width=32 if wide else 16)
        table.add_column("Geteld", key="n", width=7)
        table.add_column("Als de sleutel", key="facility", width=(20 if wide else 14))
        table.add_column("Kappa", key="kappa", width=6)
        if wide:
            table.add_column("Onderscheid", key="disc", width=11)
        table.add_column("Let op", key="flags", width=7)
        colours = self.colours
        flagged = []
        for qid, q in analysis.questions.items():
            cells: list[Any] = [
                qid,
                Text(q.title),
                number(q.answered),
                share_cell(q.facility, 14 if wide else 8, colours),
                # grey: a low kappa that says little here (every case has the same key)
                Text(decimal(q.kappa), style="dim") if q.kappa_note else decimal(q.kappa),
            ]
            if wide:
                cells.append(decimal(q.discrimination))
            mark = Text("⚑ " + str(len(q.flags)), style=colours.get("error", "red"))
            cells.append(mark if q.flags else Text("—", style="dim"))
            table.add_row(*cells, key=qid)
            for flag in q.flags:
                flagged.append(f"[b $error]⚑ {qid}[/] [b]{q.title}[/b]: {flag.reason}")
        notes = "\n".join(flagged) if flagged else "Geen vragen met een signaal bij dit filter."
        little = [qid for qid, q in analysis.questions.items() if q.kappa_note]
        if little:
            notes += (
                f"\n[dim]Kappa (grijs) zegt weinig bij {', '.join(little)}: daar hebben alle "
                "casussen met twee of meer verpleegkundigen hetzelfde sleutelantwoord, en dan "
                "valt kappa laag uit, ook als de meesten hetzelfde kiezen (geen signaal).[/]"
            )
        extra = analysis.notes
        if extra:
            notes += "\n\n" + "\n".join(f"[dim]• {n}[/]" for n in extra)
        self.query_one(".pane-notes", Static).update(
            "[b]Signalen[/b] (wat opvalt, in woorden)\n" + notes
        )

    @on(DataTable.RowSelected)
    def chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value:
            self.post_message(self.Chosen(event.row_key.value))


class CasesPane(AnalysisPane):
    """Per case: sessions, how often the key's profile, which profiles were registered."""

    class Chosen(Message):
        def __init__(self, case_id: str) -> None:
            super().__init__()
            self.case_id = case_id

    def __init__(self, catalog: Catalog) -> None:
        super().__init__()
        self.catalog = catalog

    def show(self, analysis: Analysis) -> None:
        self.query_one(".pane-summary", Static).update(
            counted_line(analysis) + "\n[dim]Enter: filter op die casus[/]"
        )
        table = self.query_one(DataTable)
        table.clear(columns=True)
        wide = self.app.size.width >= 110
        table.add_column("Casus", key="case", width=40 if wide else 22)
        table.add_column("Sleutel", key="key", width=9)
        table.add_column("Geteld", key="n", width=6)
        table.add_column("Profiel goed", key="acc", width=18 if wide else 13)
        table.add_column("Geregistreerd", key="profiles", width=30 if wide else 18)
        colours = self.colours
        cases = sorted(
            analysis.cases.values(),
            key=lambda c: (c.profile_accuracy if c.profile_accuracy is not None else 2, c.case_id),
        )
        for c in cases:
            top = sorted(c.profiles.items(), key=lambda kv: -kv[1])[:3]
            registered = ", ".join(
                f"{short(p)} {pct(n / c.sessions)}" for p, n in top if c.sessions
            )
            table.add_row(
                Text(c.title or c.case_id),
                profile_name(c.key_profile),
                number(c.sessions),
                share_cell(c.profile_accuracy, 12 if wide else 7, colours),
                registered,
                key=c.case_id,
            )
        self.query_one(".pane-notes", Static).update(
            "[dim]Gesorteerd van moeilijkst (laagste deel profiel goed) naar makkelijkst.[/]"
            if cases
            else "Geen afgeronde sessies met sleutel bij dit filter."
        )

    @on(DataTable.RowSelected)
    def chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value:
            self.post_message(self.Chosen(event.row_key.value))


def short(profile: str) -> str:
    return profile_name(profile).replace("DKDL ", "")


def profile_order(code: str) -> tuple[int, int]:
    if code.startswith("DKDL") and code[4:].isdigit():
        return (0, int(code[4:]))
    return (
        1,
        ["KINDZORG", "PTZ", "TIJDELIJK", "GEEN_DKDL"].index(code)
        if code in ("KINDZORG", "PTZ", "TIJDELIJK", "GEEN_DKDL")
        else 9,
    )


class ProfilesPane(AnalysisPane):
    """The key's profile against the registered profile: where do registrations land?"""

    def show(self, analysis: Analysis) -> None:
        self.query_one(".pane-summary", Static).update(
            counted_line(analysis)
            + "\n[dim]Rij: profiel van de sleutel · kolom: geregistreerd profiel · "
            "de diagonaal is goed[/]"
        )
        confusion = analysis.confusion
        codes = sorted(
            {k for k in confusion} | {r for row in confusion.values() for r in row},
            key=profile_order,
        )
        table = self.query_one(DataTable)
        table.clear(columns=True)
        table.add_column("Sleutel", key="key", width=9)
        for code in codes:
            table.add_column(short(code), key=code, width=max(4, len(short(code))))
        table.add_column("Goed", key="acc", width=5)
        colours = self.colours
        for key in sorted(confusion, key=profile_order):
            row = confusion[key]
            total = sum(row.values())
            cells: list[Any] = [profile_name(key)]
            for code in codes:
                n = row.get(code, 0)
                if not n:
                    cells.append(Text("·", style="dim"))
                elif code == key:
                    cells.append(Text(number(n), style=f"bold {colours.get('success', 'green')}"))
                else:
                    strong = n / total >= 0.1
                    cells.append(
                        Text(number(n), style=colours.get("error", "red") if strong else "")
                    )
            cells.append(pct(row.get(key, 0) / total if total else None))
            table.add_row(*cells, key=key)
        lines = []
        for key in sorted(confusion, key=profile_order):
            row = confusion[key]
            total = sum(row.values())
            wrong = [(c, n) for c, n in row.items() if c != key]
            if not wrong or not total:
                continue
            code, n = max(wrong, key=lambda kv: kv[1])
            if n / total >= 0.1:
                lines.append(
                    f"• Sleutel {profile_name(key)}: {pct(n / total)} registreert "
                    f"{profile_name(code)} ({number(n)} van {number(total)})."
                )
        self.query_one(".pane-notes", Static).update(
            "[b]Meest voorkomende verwisselingen[/b]\n"
            + ("\n".join(lines) if lines else "Geen verwisseling van 10% of meer.")
        )


class NursesPane(AnalysisPane):
    """Per nurse: sessions, profile and question scores, the trend, her weakest questions."""

    class Chosen(Message):
        def __init__(self, nurse: int) -> None:
            super().__init__()
            self.nurse = nurse

    def show(self, analysis: Analysis) -> None:
        self.query_one(".pane-summary", Static).update(
            counted_line(analysis)
            + "\n[dim]Enter: voortgang en zwakste vragen · z: zelfde persoon als… · "
            "u: koppeling ongedaan maken[/]"
        )
        table = self.query_one(DataTable)
        table.clear(columns=True)
        wide = self.app.size.width >= 110
        table.add_column("Naam", key="name", width=22 if wide else 14)
        table.add_column("Geteld", key="n", width=6)
        table.add_column("Profiel goed", key="acc", width=18 if wide else 12)
        table.add_column("Vragen goed", key="fac", width=18 if wide else 12)
        table.add_column("Zwakste vragen", key="weak", width=16 if wide else 14)
        colours = self.colours
        stats = sorted(analysis.nurses.values(), key=lambda s: s.nurse.display.casefold())
        for s in stats:
            table.add_row(
                Text(s.nurse.display),
                number(s.sessions),
                share_cell(s.profile_accuracy, 11 if wide else 6, colours),
                share_cell(s.facility, 11 if wide else 6, colours),
                " ".join(q.question_id for q in s.weakest(3)),
                key=str(s.nurse.key),
            )
        self.query_one(".pane-notes", Static).update(
            "" if stats else "Geen afgeronde sessies met sleutel bij dit filter."
        )

    def current(self) -> int | None:
        """The review key of the highlighted nurse, if any."""
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return int(key) if key else None

    @on(DataTable.RowSelected)
    def chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value:
            self.post_message(self.Chosen(int(event.row_key.value)))
