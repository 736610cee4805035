"""One session in detail: who, when, her answers against the key with the reasons, the time
per question; and (``v``) the feedback screen exactly as she saw it after finishing."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.markup import escape
from textual.screen import Screen
from textual.widgets import Header, Static

from dkdl.scoring import profile_name
from dkdl.tui.text import bold_markup
from dkdl.tui.trainer.text import duration
from dkdl.tui.widgets.footer import SteadyFooter

if TYPE_CHECKING:
    from dkdl.review_model import DetailRow, SessionDetail

STATUS = {"afgerond": "afgerond", "afgebroken": "afgebroken", "bezig": "nog bezig"}
MODE = {"oefenen": "oefenen", "toets": "toets", "vrij": "vrije registratie"}


class SessionDetailScreen(Screen):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Terug"),
        Binding("v", "feedback", "Feedback zoals zij die zag"),
    ]

    def __init__(self, detail: SessionDetail, feedback: Any = None) -> None:
        """``feedback``: the finished session as the feedback screen takes it (a ``Feedback``),
        or None when it cannot be shown again (not finished, or no longer scored alike)."""
        super().__init__()
        self.detail = detail
        self.feedback = feedback

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "feedback":
            return self.feedback is not None
        return True

    def compose(self) -> ComposeResult:
        d = self.detail
        yield Header()
        with VerticalScroll(id="t-detail"):
            yield Static(self._meta(), id="t-meta")
            for note in d.notes:
                yield Static(f"⚠ {escape(note)}", classes="warning")
            has_key = any(r.key is not None for r in d.rows)
            yield Static(
                "Per vraag: haar antwoord en de sleutel" if has_key else "Haar antwoorden",
                classes="section",
            )
            yield Static(self._lines(), id="t-lines")
            if d.skipped:
                skipped = ", ".join(f"{q} = {o}" for q, o in d.skipped)
                yield Static(
                    f"[dim]Ook bewaard, maar door haar routering niet gesteld: {skipped}.[/]",
                    classes="para",
                )
            if self.feedback is not None:
                yield Static(
                    "[dim]v: de feedback zoals zij die na het afronden zag (profielen, waarom, "
                    "wat als).[/]",
                    classes="para",
                )
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.sub_title = f"Sessie van {self.detail.nurse}"
        self.query_one("#t-detail").focus()

    def _meta(self) -> str:
        d = self.detail
        what = MODE.get(d.mode, d.mode)
        if d.case_title:
            what += f" · casus ‘{escape(d.case_title)}’"
        elif d.case_id:
            what += f" · casus {escape(d.case_id)}"
        lines = [
            f"[b]{escape(d.nurse)}[/b]"
            + (f" (laptop {d.laptop})" if d.laptop and "laptop" not in d.nurse else "")
            + f" · {what}",
            f"Begonnen {d.started_at:%d-%m-%Y %H:%M}"
            + (f", klaar {d.finished_at:%d-%m-%Y %H:%M}" if d.finished_at else "")
            + (
                f" ({duration((d.finished_at - d.started_at).total_seconds())})"
                if d.finished_at
                else ""
            )
            + f" · {STATUS.get(d.status, d.status)}",
        ]
        if d.status == "afgerond":
            registered = profile_name(d.profile)
            if d.key_profile:
                verdict = (
                    "[$success]✓ gelijk aan de sleutel[/]"
                    if d.match
                    else "[$error]✗ anders dan de sleutel[/]"
                )
                lines.append(
                    f"Geregistreerd: [b]{registered}[/b] · sleutel: "
                    f"[b]{profile_name(d.key_profile)}[/b] · {verdict}"
                )
            else:
                lines.append(f"Geregistreerd: [b]{registered}[/b] (geen sleutel)")
        return "\n".join(lines)

    def _answer(self, option: int | None, text: str | None, items: tuple[str, ...]) -> str:
        if option is None:
            return "[dim]niet gesteld[/]"
        out = f"{option} {bold_markup(text or '')}"
        if items:
            out += " [dim](" + escape(", ".join(items)) + ")[/]"
        return out

    def _line(self, row: DetailRow) -> list[str]:
        spent = []
        if row.seconds is not None:
            spent.append(duration(row.seconds))
        if row.changes:
            spent.append(f"{row.changes}× gewijzigd")
        extra = f" [dim]({', '.join(spent)})[/]" if spent else ""
        head = f"[b]{row.question_id} {bold_markup(row.title)}[/b]"
        mine = self._answer(row.mine, row.mine_text, row.mine_items)
        out = []
        if row.same is True:
            out.append(f"[$success]✓[/] {head}{extra}")
            out.append(f"    {mine}")
        elif row.same is False:
            out.append(f"[$error]✗[/] {head}{extra}")
            out.append(f"    zij:     {mine}")
            key = self._answer(row.key, row.key_text, row.key_items)
            out.append(f"    sleutel: {key}")
        else:
            out.append(f"[dim]·[/] {head}{extra}")
            out.append(f"    {mine}")
        if row.toelichting:
            out.append(f"    [dim]toelichting:[/] {bold_markup(row.toelichting)}")
        return out

    def _lines(self) -> str:
        out: list[str] = []
        for row in self.detail.rows:
            out += self._line(row)
            out.append("")
        return "\n".join(out).rstrip() or "[dim]Geen antwoorden bewaard.[/]"

    def action_feedback(self) -> None:
        from dkdl.tui.screens.feedback import FeedbackScreen

        if self.feedback is not None:
            self.app.push_screen(FeedbackScreen(self.feedback, review=True))
