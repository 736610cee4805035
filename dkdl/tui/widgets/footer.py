"""A Footer that rebuilds its keys only when the keys it shows have changed.

Textual's Footer recomposes all its key widgets on every bindings update, e.g. on each focus
change. Moving from one question to the next changes focus but not the keys in force, and that
rebuild was most of the time an answer took (profiled: ~60% of answer + next).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

NARROW = 70  # below this width the footer leaves out the ^p key (the palette is still there)


class SteadyFooter(Footer):
    """Also: on a narrow terminal, keys that do not fit whole are left out instead of being
    cut in the middle of a word (the first keys in the list are the ones that matter most)."""

    _shown: tuple | None = None

    def compose(self) -> ComposeResult:
        self.show_command_palette = self.app.size.width >= NARROW
        yield from super().compose()
        self.call_after_refresh(self._fit)

    def on_resize(self, event: Resize) -> None:
        wide = event.size.width >= NARROW
        if wide != self.show_command_palette:
            self.show_command_palette = wide  # recomposes, then fits
        else:
            self._fit()

    def _fit(self) -> None:
        room = self.size.width
        for key in self.query(FooterKey):
            if key.has_class("-command-palette"):
                room -= key.render().cell_len + 2  # its border and padding; laid out or not
        for key in self.query(FooterKey):
            if key.has_class("-command-palette"):
                continue
            need = key.render().cell_len + 1  # and its margin
            key.display = need <= room
            room -= need if key.display else room

    def _signature(self, screen: Screen) -> tuple:
        return tuple(
            (binding.key, binding.action, binding.description, enabled, tooltip)
            for (_, binding, enabled, tooltip) in screen.active_bindings.values()
            if binding.show
        )

    def bindings_changed(self, screen: Screen) -> None:
        if self.is_attached and screen is self.screen and screen.app.app_focus:
            signature = self._signature(screen)
            if signature == self._shown:
                return
            self._shown = signature
        super().bindings_changed(screen)
