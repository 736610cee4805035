"""What the trainer's screens need to name things (the log, the nurses, the cases), and the
current filter in words. Its own module so the screen and its tabs both use it without an
import circle."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from textual.markup import escape

if TYPE_CHECKING:
    from dkdl.review import ReviewFilter


@dataclass(frozen=True)
class Catalog:
    """What the screen needs to name things: the log, the nurses, the cases."""

    source: str  # the log file's name, for the subtitle
    nurses: list[tuple[str, int]] = field(default_factory=list)  # (display name, review key)
    cases: dict[str, str] = field(default_factory=dict)  # case id -> title
    questionnaire: Any = None  # for the questions' titles and option texts

    def case_title(self, case_id: str | None) -> str:
        if case_id is None:
            return "—"
        return self.cases.get(case_id, case_id)


def describe(flt: ReviewFilter, catalog: Catalog) -> str:
    """The filter in words (markup), for the line above the tabs."""
    parts = []
    if flt.nurse is not None:
        parts.append(escape(flt.nurse))
    if flt.case is not None:
        parts.append(f"casus ‘{escape(catalog.case_title(flt.case))}’")
    if flt.mode is not None:
        parts.append({"vrij": "vrije registratie"}.get(flt.mode, flt.mode))
    if flt.since and flt.until:
        parts.append(f"{flt.since:%d-%m-%Y} t/m {flt.until:%d-%m-%Y}")
    elif flt.since:
        parts.append(f"vanaf {flt.since:%d-%m-%Y}")
    elif flt.until:
        parts.append(f"t/m {flt.until:%d-%m-%Y}")
    return " · ".join(parts) if parts else "alle sessies"
