"""A Footer that rebuilds its keys only when the keys it shows have changed.

Textual's Footer recomposes all its key widgets on every bindings update, e.g. on each focus
change. Moving from one question to the next changes focus but not the keys in force, and that
rebuild was most of the time an answer took (profiled: ~60% of answer + next).
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer


class SteadyFooter(Footer):
    _shown: tuple | None = None

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
