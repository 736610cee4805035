"""The start screen: the nurse's name or pseudonym, and what she wants to do."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Header, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from dkdl.sessionlog import MAX_PSEUDONYM
from dkdl.tui.widgets.footer import SteadyFooter

MENU = [
    ("oefenen", "Oefenen met een casus", "Lees een casus, vul de vragenlijst in, krijg uitleg."),
    ("vrij", "Vrije registratie", "Geen casus: vul in voor een situatie die je voor ogen hebt."),
    ("toets", "Toets", "Een reeks casussen; de uitslag pas aan het eind."),
    ("trainer", "Trainer", "Bekijk de oefeningen in dit logbestand (alleen lezen)."),
    ("help", "Help", "Hoe de app werkt en hoe het DKDL-model rekent (F1)."),
    ("afsluiten", "Afsluiten", "De app sluiten (Ctrl+Q)."),
]


class StartScreen(Screen):
    """Name first, then a menu. Modes that need a name ask for it."""

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="start"):
            yield Static(
                "Oefen de registratie van het [b]cliëntprofiel DKDL[/b] met verzonnen "
                "casussen, en zie per antwoord waarom het profiel uitkomt zoals het uitkomt.",
                id="intro",
            )
            yield Label("Je naam of schuilnaam", id="nurse-label")
            yield Input(placeholder="bijv. Anna of wv-07", id="nurse", max_length=MAX_PSEUDONYM)
            yield Static(
                "Alleen om je eigen oefeningen terug te vinden. "
                "Vul nooit gegevens van cliënten in.",
                id="nurse-note",
                classes="muted",
            )
            yield OptionList(
                *[
                    Option(Content.from_markup(f"[b]{title}[/b]\n[dim]{text}[/]"), id=key)
                    for key, title, text in MENU
                ],
                id="menu",
            )
            yield Static("Casussen laden…", id="status", classes="muted")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.refresh_status()
        self.query_one("#nurse", Input).focus()

    # -- called by the app when the data is ready ----------------------------------------

    def refresh_status(self) -> None:
        app = self.app
        status = self.query_one("#status", Static)
        if not app.loaded:
            status.update("Casussen laden…")
            return
        name_input = self.query_one("#nurse", Input)
        if not name_input.value and app.nurse:
            name_input.value = app.nurse
        n = len(app.library.cases)
        text = f"{n} casussen beschikbaar."
        if app.library.problems:
            text += (
                f" {len(app.library.problems)} casusbestand(en) met fouten overgeslagen "
                "(zie: dkdl cases validate)."
            )
        if app.log_notice:
            text += " " + app.log_notice
        status.update(text)

    # -- events --------------------------------------------------------------------------

    @on(Input.Submitted, "#nurse")
    def name_given(self) -> None:
        if self.nurse_name():
            self.query_one("#menu", OptionList).focus()

    @on(OptionList.OptionSelected, "#menu")
    def menu_chosen(self, event: OptionList.OptionSelected) -> None:
        self.action_choose(event.option.id)

    def nurse_name(self) -> str | None:
        from dkdl.sessionlog import check_pseudonym

        try:
            return check_pseudonym(self.query_one("#nurse", Input).value)
        except ValueError as exc:
            self.notify(str(exc), severity="warning")
            self.query_one("#nurse", Input).focus()
            return None

    def action_choose(self, key: str) -> None:
        app = self.app
        if key == "help":
            app.action_help()
            return
        if key == "afsluiten":
            app.exit()
            return
        if not app.loaded:
            self.notify("Nog even geduld: de casussen worden geladen.")
            return
        if key == "trainer":  # no name needed: a trainer only reads the log
            from dkdl.tui.trainer.messages import TrainerWanted

            self.post_message(TrainerWanted())
            return
        name = self.nurse_name()
        if name is None:
            return
        app.set_nurse(name)
        app.offer_resume_then(lambda: app.open_mode(key))
