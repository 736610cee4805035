"""Messages the screens post to the app (toolong-style: one module, one class per request).

Screens show what they are given and say what the nurse asked for; the app routes (which screen
comes next) and the practice model applies the session rules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from dkdl.cases import Case
    from dkdl.practice import Done, Session


class ModeChosen(Message):
    """Start screen: she gave her name and chose oefenen, vrij or toets."""

    def __init__(self, nurse: str, mode: str) -> None:
        super().__init__()
        self.nurse = nurse
        self.mode = mode


class CaseChosen(Message):
    """Case list: practise this case."""

    def __init__(self, case: Case) -> None:
        super().__init__()
        self.case = case


class ToetsPlanned(Message):
    """Toets set-up: a toets of these cases, in this order."""

    def __init__(self, cases: list[Case]) -> None:
        super().__init__()
        self.cases = cases


class SessionFinished(Message):
    """Question screen: every question is answered and she asked to finish."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session


class SessionLeft(Message):
    """Question screen: she stopped; ``choice`` is 'later' (keep it) or 'afbreken'."""

    def __init__(self, session: Session, choice: str) -> None:
        super().__init__()
        self.session = session
        self.choice = choice


class RetryCase(Message):
    """Feedback: the same case (or a new free registration) again."""

    def __init__(self, done: Done) -> None:
        super().__init__()
        self.done = done


class NextCase(Message):
    """Feedback: the case after this one in the library."""

    def __init__(self, case: Case) -> None:
        super().__init__()
        self.case = case


class GoHome(Message):
    """Back to the start screen."""


class SessionReopened(Message):
    """Mijn voortgang: show this earlier session's feedback as she saw it (read-only)."""

    def __init__(self, session_id: str) -> None:
        super().__init__()
        self.session_id = session_id


class WeakCaseWanted(Message):
    """Mijn voortgang or a weak-point feedback: the next case for her weak points."""


class NurseNamed(Message):
    """Start screen: her name is given (Enter, or leaving the field), before any mode is
    chosen; the app may count her figures ahead."""

    def __init__(self, nurse: str) -> None:
        super().__init__()
        self.nurse = nurse
