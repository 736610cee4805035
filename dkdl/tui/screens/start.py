"""The start screen: the nurse's name or pseudonym, and what she wants to do."""

from __future__ import annotations

from textual import events, on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Header, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from dkdl.sessionlog import MAX_PSEUDONYM
from dkdl.tui.messages import ModeChosen, NurseNamed
from dkdl.tui.widgets.footer import SteadyFooter

MENU = [
    ("oefenen", "Oefenen met een casus", "Kies een casus, vul in, krijg uitleg."),
    ("zwakke-punten", "Oefen mijn zwakke punten", "Een casus bij wat je vaak anders invult."),
    ("vrij", "Vrije registratie", "Zonder casus: een situatie naar keuze."),
    ("toets", "Toets", "Reeks casussen; de uitslag aan het eind."),
    ("voortgang", "Mijn voortgang", "Je resultaten en eerdere feedback."),
    ("trainer", "Trainer", "De oefeningen in dit log (alleen lezen)."),
    ("help", "Help", "Uitleg over app en DKDL-model (F1)."),
    ("afsluiten", "Afsluiten", "De app sluiten (Ctrl+Q)."),
]
TITLE_WIDTH = max(len(title) for _, title, _ in MENU) + 2
# one line per entry (title, then its text) from this menu width on; two lines below it
ONE_LINE_WIDTH = TITLE_WIDTH + max(len(text) for _, _, text in MENU) + 2  # + option padding


def menu_prompt(title: str, text: str, one_line: bool) -> Content:
    """A menu entry: the title in bold and its text dimmed, beside it or under it."""
    if one_line:
        return Content.from_markup(f"[b]{title:<{TITLE_WIDTH}}[/b][dim]{text}[/]")
    return Content.from_markup(f"[b]{title}[/b]\n[dim]{text}[/]")


class Menu(OptionList):
    """The start menu: ↑ on the first entry stays there (no wrap-around to 'Afsluiten'); wide
    enough, each entry is one line, so all of them fit on an 80x24 terminal."""

    one_line = False

    def on_resize(self) -> None:
        one_line = self.scrollable_content_region.width >= ONE_LINE_WIDTH
        if one_line != self.one_line:
            self.one_line = one_line
            for index, (_, title, text) in enumerate(MENU):
                self.replace_option_prompt_at_index(index, menu_prompt(title, text, one_line))

    def action_cursor_up(self) -> None:
        if self.highlighted:
            super().action_cursor_up()

    def action_cursor_down(self) -> None:
        if self.highlighted is None or self.highlighted < self.option_count - 1:
            super().action_cursor_down()


class StartScreen(Screen[None]):
    """Name first, then a menu. Modes that need a name ask for it; a chosen mode goes to the
    app as :class:`ModeChosen`. The app tells the screen when the data is there
    (:meth:`show_status`)."""

    def __init__(self) -> None:
        super().__init__()
        self.ready = False

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
            yield Menu(
                *[Option(menu_prompt(title, text, False), id=key) for key, title, text in MENU],
                id="menu",
            )
            yield Static("Casussen laden…", id="status", classes="muted")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.query_one("#nurse", Input).focus()

    # -- told by the app when the data is ready ------------------------------------------

    def show_status(self, text: str, nurse: str | None) -> None:
        """Cases loaded: say how many (and what went wrong); pre-fill the last nurse."""
        self.ready = True
        name_input = self.query_one("#nurse", Input)
        if not name_input.value and nurse:
            name_input.value = nurse
        self.query_one("#status", Static).update(text)

    # -- events --------------------------------------------------------------------------

    @on(Input.Submitted, "#nurse")
    def name_given(self) -> None:
        name = self.nurse_name()
        if name:
            self.post_message(NurseNamed(name))
            self.query_one("#menu", OptionList).focus()

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        """Leaving the name field with a name in it: the app may count her figures ahead."""
        from dkdl.sessionlog import check_pseudonym

        if self.ready and event.widget.id == "nurse":
            try:
                name = check_pseudonym(self.query_one("#nurse", Input).value)
            except ValueError:
                return  # said when she chooses a mode
            self.post_message(NurseNamed(name))

    @on(OptionList.OptionSelected, "#menu")
    async def menu_chosen(self, event: OptionList.OptionSelected) -> None:
        await self.action_choose(event.option.id or "")

    def nurse_name(self) -> str | None:
        from dkdl.sessionlog import check_pseudonym

        try:
            return check_pseudonym(self.query_one("#nurse", Input).value)
        except ValueError as exc:
            self.notify(str(exc), severity="warning")
            self.query_one("#nurse", Input).focus()
            return None

    async def action_choose(self, key: str) -> None:
        """A menu entry: help and afsluiten are the app's own actions (quitting asks first when
        something is open); a mode needs the data and her name."""
        if key == "help":
            await self.app.run_action("help")
            return
        if key == "afsluiten":
            await self.app.run_action("quit")
            return
        if not self.ready:
            self.notify("Nog even geduld: de casussen worden geladen.")
            return
        if key == "trainer":  # no name needed: a trainer only reads the log
            from dkdl.tui.trainer.messages import TrainerWanted

            self.post_message(TrainerWanted())
            return
        name = self.nurse_name()
        if name is not None:
            self.post_message(ModeChosen(name, key))
