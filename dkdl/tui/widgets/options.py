"""The answer options of a question: a RadioSet whose buttons wrap long, bold-marked texts.

Textual's toggle buttons show one line only and SelectionList cuts long options with an
ellipsis; the official texts are long and must be read whole, so :class:`OptionButton` and
:class:`ItemCheckbox` wrap their label with a hanging indent. :class:`AnswerSet` keeps RadioSet's
look and keys (up/down move the highlight, ``pressed_index == -1`` means unanswered) but only
binds up/down and space, so that ←/→/Enter reach the screen (back / next). One AnswerSet serves
the whole questionnaire: it shows one question's options at a time (:meth:`AnswerSet.show`), so
moving on mounts, removes and refocuses nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from textual.binding import Binding
from textual.content import Content, ContentText
from textual.geometry import Size
from textual.message import Message
from textual.style import Style
from textual.widgets import Checkbox, RadioButton, RadioSet
from textual.widgets._toggle_button import ToggleButton

from dkdl.tui.text import bold_markup

_INDENT = 4  # the button glyph (3 cells) and a space


if TYPE_CHECKING:
    from typing import Self

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
        """The label wrapped to ``width``; remembered per label and width, since layout and
        every repaint ask for it, the official texts do not change, and an option button shows
        the labels of several questions in turn (measured: wrapping was a large part of a
        repaint)."""
        key = (width, id(self._label))
        cache: dict[tuple[int, int], tuple[Content, list[Content]]]
        cache = self.__dict__.setdefault("_wrap_cache", {})
        hit = cache.get(key)
        if hit is None or hit[0] is not self._label:  # an id is unique only while alive
            if len(cache) > 64:
                cache.clear()
            hit = cache[key] = (self._label, self._label.wrap(max(8, width - _INDENT)))
        return hit[1]

    def _label_style(self) -> Style:
        return self.get_visual_style("toggle--label")

    def render(self) -> Content:
        label_style = self._label_style()
        lines = [line.stylize_before(label_style) for line in self._wrapped(self.size.width)]
        indent = Content(" " * _INDENT)
        first = Content.assemble(self._button, " ", lines[0] if lines else "")
        return Content("\n").join([first, *(indent + line for line in lines[1:])])

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return container.width

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return max(1, len(self._wrapped(width)))


def option_label(number: int, text: str) -> Content:
    """An option as the nurse reads it: its number in bold, then the official text."""
    return Content.from_markup(f"[b]{number}[/b]  {bold_markup(text)}")


class OptionButton(_Wrapping, RadioButton):
    """A radio button with a numbered, wrapping label; :class:`AnswerSet` says which option of
    which question it shows. A click asks for the option (:class:`AnswerSet.Chosen`); the
    button itself only shows what the set tells it (it is never turned on by itself).

    On/off and the set's cursor are drawn from the value and the set's highlight at paint time,
    with component styles equal to RadioSet's ``-on`` and ``-selected`` rules, instead of
    through CSS classes: a class change restyles the button (measured ~2 ms each, several per
    answer), a repaint does not.
    """

    COMPONENT_CLASSES = {"toggle--button", "toggle--label", "option--on", "option--cursor"}

    DEFAULT_CSS = """
    OptionButton > .option--on { color: $text-success; }
    OptionButton:ansi > .option--on { color: $accent; text-style: bold not dim; }
    """  # the cursor's look depends on the set's focus: AnswerSet.DEFAULT_CSS

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("", False, **kwargs)
        self.qid = ""
        self.number = 0

    def watch_value(self) -> None:
        """Repainted by the reactive; no ``-on`` class and no Changed (see the class)."""

    @property
    def _button(self) -> Content:
        self.BUTTON_INNER = self.GLYPH_ON if self.value else self.GLYPH_OFF
        if not self.value:
            return super()._button
        style = self.get_visual_style("toggle--button", "option--on")
        side = Style(foreground=style.background, background=self.background_colors[1])
        return Content.assemble(
            (self.BUTTON_LEFT, side), (self.BUTTON_INNER, style), (self.BUTTON_RIGHT, side)
        )

    def _label_style(self) -> Style:
        answer_set = self.parent
        if isinstance(answer_set, AnswerSet) and answer_set.highlighted == self.number - 1:
            return self.get_visual_style("toggle--label", "option--cursor")
        return self.get_visual_style("toggle--label")

    def toggle(self) -> Self:
        """A click (ToggleButton toggles on a click): ask for this option; the screen stores
        it, then the set shows it."""
        if self.qid:
            self.post_message(AnswerSet.Chosen(self.qid, self.number))
        return self

    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        # Textual lays the screen out a second time when a widget's virtual size changed; a
        # button has no scrollable content, so its new size needs no second layout
        return super()._size_updated(size, virtual_size, container_size, layout=False)


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
    """The options of the question on screen; up/down move, space chooses, digits are handled
    by the screen.

    One set for the whole questionnaire, with as many buttons as the longest question has
    options: :meth:`show` relabels them for another question (the unused ones hidden), so
    moving on mounts, removes and refocuses nothing. The buttons' values are set only here, and
    silently (no ``RadioSet.Changed``): a choice is asked for with :class:`Chosen` (a click) or
    made by the screen (keys), which stores it first and then calls :meth:`show_chosen`.
    """

    DEFAULT_CSS = """
    AnswerSet {
        &:focus > OptionButton > .option--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
        &:blur > OptionButton > .option--cursor {
            background: $block-cursor-blurred-background;
        }
    }
    """

    BINDINGS = [
        Binding("down", "next_button", "Volgende optie", show=False),
        Binding("up", "previous_button", "Vorige optie", show=False),
        Binding("space", "toggle_button", "Kies", show=False),
    ]

    class Chosen(Message):
        """She clicked option ``code`` of question ``qid`` (the question it showed then)."""

        def __init__(self, qid: str, code: int) -> None:
            super().__init__()
            self.qid = qid
            self.code = code

    def __init__(self, size: int, **kwargs: Any) -> None:
        self.buttons = [OptionButton() for _ in range(size)]
        super().__init__(*self.buttons, **kwargs)
        self.qid = ""  # the question shown
        self.count = 0  # its number of options (the buttons in use)
        self._cursor_drawn: int | None = None  # where the buttons last drew the cursor

    @property
    def highlighted(self) -> int | None:
        """The option the cursor is on (0-based), chosen or not."""
        return self._selected

    def show(self, qid: str, labels: Sequence[Content], chosen: int | None) -> None:
        """Show question ``qid``: its option ``labels`` in order (option codes 1..n), ``chosen``
        on and highlighted (else the first option highlighted)."""
        if len(labels) > len(self.buttons):
            raise ValueError(f"{qid} heeft meer dan {len(self.buttons)} antwoorden")
        self.qid, self.count = qid, len(labels)
        for i, button in enumerate(self.buttons):
            button.qid = qid
            button.number = i + 1
            shown = i < len(labels)
            if shown and button.label is not labels[i]:
                button.label = labels[i]  # a new layout: the text's height may differ
            if button.display != shown:
                button.display = shown
        self.show_chosen(chosen)
        self._selected = chosen - 1 if chosen else 0

    def show_chosen(self, code: int | None) -> None:
        """Option ``code`` is on (the others off) and highlighted; ``None``: none on."""
        for button in self.buttons:
            on = button.number == code and button.display
            if button.value != on:
                button.value = on
        index = code - 1 if code is not None and 0 < code <= self.count else None
        self._pressed_button = self.buttons[index] if index is not None else None
        if index is not None:
            self._selected = index

    def watch__selected(self) -> None:
        # the buttons draw the cursor themselves (OptionButton): a repaint, not a restyle
        for index in {self._cursor_drawn, self._selected}:
            if index is not None and index < len(self.buttons):
                self.buttons[index].refresh()
        self._cursor_drawn = self._selected
        self._scroll_to_selected()

    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        # as OptionButton: its height follows its options, laid out already
        return super()._size_updated(size, virtual_size, container_size, layout=False)

    def action_toggle_button(self) -> None:
        """Choose the highlighted option (as a click would)."""
        if self._selected is not None and self.qid:
            self.post_message(self.Chosen(self.qid, self._selected + 1))

    def action_next_button(self) -> None:
        """↓: the next option; from the last one into a checklist right below, else stay (no
        wrap-around to the first option)."""
        if not self.count:
            return
        if self._selected is None:
            self._selected = 0
        elif self._selected < self.count - 1:
            self._selected += 1
        else:
            chain = self.screen.focus_chain
            i = chain.index(self) if self in chain else -1
            if 0 <= i < len(chain) - 1 and isinstance(chain[i + 1], ItemCheckbox):
                chain[i + 1].focus()

    def action_previous_button(self) -> None:
        """↑: the option before (no wrap-around to the last one)."""
        if self._selected:
            self._selected -= 1
