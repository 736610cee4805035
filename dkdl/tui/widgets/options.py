"""The answer options of one question: a RadioSet whose buttons wrap long, bold-marked texts.

Textual's toggle buttons show one line only and SelectionList cuts long options with an
ellipsis; the official texts are long and must be read whole, so :class:`OptionButton` and
:class:`ItemCheckbox` wrap their label with a hanging indent. :class:`AnswerSet` keeps RadioSet's
behaviour (``pressed_index == -1`` means unanswered, ``RadioSet.Changed`` on a choice) but only
binds up/down and space, so that ←/→/Enter reach the screen (back / next).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.binding import Binding
from textual.content import Content, ContentText
from textual.geometry import Size
from textual.widgets import Checkbox, RadioButton, RadioSet
from textual.widgets._toggle_button import ToggleButton

from dkdl.tui.text import bold_markup

_INDENT = 4  # the button glyph (3 cells) and a space


if TYPE_CHECKING:
    _ToggleBase = ToggleButton
else:  # a mixin at run time: a base class of its own would change which default CSS applies
    _ToggleBase = object


class _Wrapping(_ToggleBase):
    """Mixin for our toggle buttons: wrap the label under itself, not under the glyph; and show
    on/off by the glyph itself, not only by its colour (colour-blind readers, a washed-out
    projector)."""

    GLYPH_ON = "●"
    GLYPH_OFF = " "

    @property
    def _button(self) -> Content:
        # the glyph follows the value at every paint
        self.BUTTON_INNER = self.GLYPH_ON if self.value else self.GLYPH_OFF
        return super()._button

    def _make_label(self, label: ContentText) -> Content:
        return label if isinstance(label, Content) else Content.from_text(label)

    def _wrapped(self, width: int) -> list[Content]:
        """The label wrapped to ``width``; remembered, since layout and every repaint ask for
        it and the official texts do not change (measured: wrapping was a large part of a
        repaint)."""
        key = (width, id(self._label))
        cache: dict[tuple[int, int], list[Content]] = self.__dict__.setdefault("_wrap_cache", {})
        lines = cache.get(key)
        if lines is None:
            if len(cache) > 8:
                cache.clear()
            lines = cache[key] = self._label.wrap(max(8, width - _INDENT))
        return lines

    def render(self) -> Content:
        label_style = self.get_visual_style("toggle--label")
        lines = [line.stylize_before(label_style) for line in self._wrapped(self.size.width)]
        indent = Content(" " * _INDENT)
        first = Content.assemble(self._button, " ", lines[0] if lines else "")
        return Content("\n").join([first, *(indent + line for line in lines[1:])])

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return container.width

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return max(1, len(self._wrapped(width)))


class OptionButton(_Wrapping, RadioButton):
    """A radio button with a numbered, wrapping label."""

    def __init__(self, number: int, text: str, value: bool = False, **kwargs: Any) -> None:
        label = Content.from_markup(f"[b]{number}[/b]  {bold_markup(text)}")
        super().__init__(label, value, **kwargs)
        self.number = number


class TickBox(_Wrapping, Checkbox):
    """A checkbox ticked with ✓ and a wrapping label: one look for every list she ticks (the
    Q12 checklist, the cases of a toets)."""

    GLYPH_ON = "✓"

    BINDINGS = [
        Binding("down", "app.focus_next", "Volgende", show=False),
        Binding("up", "app.focus_previous", "Vorige", show=False),
        # Tab leaves the list (the arrows walk it), as with the answer options
        Binding("tab", "leave_list(1)", "Verder", show=False),
        Binding("shift+tab", "leave_list(-1)", "Terug", show=False),
    ]

    def action_leave_list(self, direction: int) -> None:
        """Focus the first widget after (or before) this run of boxes."""
        chain = self.screen.focus_chain
        i = chain.index(self)
        while 0 <= i < len(chain) and isinstance(chain[i], TickBox):
            i += direction
        if 0 <= i < len(chain):
            chain[i].focus()


class ItemCheckbox(TickBox):
    """One checklist item (Q12)."""

    def __init__(self, item_id: str, text: str, value: bool = False, **kwargs: Any) -> None:
        super().__init__(Content.from_markup(bold_markup(text)), value, **kwargs)
        self.item_id = item_id


class AnswerSet(RadioSet, inherit_bindings=False):
    """One choice per question; up/down move, space chooses, digits are handled by the screen."""

    BINDINGS = [
        Binding("down", "next_button", "Volgende optie", show=False),
        Binding("up", "previous_button", "Vorige optie", show=False),
        Binding("space", "toggle_button", "Kies", show=False),
    ]

    @property
    def highlighted(self) -> int | None:
        """The option the cursor is on (0-based), chosen or not."""
        return self._selected

    def action_next_button(self) -> None:
        """↓: the next option; from the last one into a checklist right below, else stay (no
        wrap-around to the first option)."""
        if self._selected is not None and self._selected >= len(self._nodes) - 1:
            chain = self.screen.focus_chain
            i = chain.index(self) if self in chain else -1
            if 0 <= i < len(chain) - 1 and isinstance(chain[i + 1], ItemCheckbox):
                chain[i + 1].focus()
            return
        super().action_next_button()

    def action_previous_button(self) -> None:
        if self._selected == 0:
            return  # no wrap-around to the last option
        super().action_previous_button()

    def on_mount(self) -> None:
        # RadioSet highlights the first option on mount; highlight the chosen one instead.
        chosen = [i for i, b in enumerate(self.query(OptionButton)) if b.value]
        if chosen:
            self.call_after_refresh(setattr, self, "_selected", chosen[0])

    def press(self, index: int) -> None:
        """Choose option ``index`` (0-based) as a click would."""
        buttons = list(self.query(OptionButton))
        if 0 <= index < len(buttons) and not buttons[index].value:
            buttons[index].value = True
