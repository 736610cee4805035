"""The questionnaire as data: pydantic models and the loader for ``questionnaires/*.yaml``.

Everything the NZa model needs (questions, verbatim option texts, weights, thresholds, routing,
profile labels) lives in the YAML file; this module only validates and exposes it. A malformed
file raises :class:`dkdl.errors.LoadError` whose lines name the file and the field.
"""

from __future__ import annotations

import hashlib
import re
from functools import cached_property
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationError

from dkdl.errors import (
    LoadError,
    control_problems,
    describe_validation_error,
    os_problem,
    yaml_problem,
)
from dkdl.safetext import shown

# libyaml's safe loader (in PyYAML's wheels for Windows, macOS and Linux) reads the case library
# about ten times faster than the pure-Python one, which stays the fallback where it is missing.
# Both accept the same YAML and build the same plain values (no tags beyond YAML's own).
_SAFE_LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str) -> object:
    """YAML text as plain values (``yaml.safe_load``, through libyaml where available)."""
    return yaml.load(text, Loader=_SAFE_LOADER)  # noqa: S506 - a safe loader


AXES = ("draagkracht", "draaglast", "ondersteuningsbehoefte")
DEFAULT_QUESTIONNAIRE = "casemix-nr-reg-2407.yaml"


def data_dir() -> Path:
    """The folder with the questionnaires: inside the installed package, or the source checkout."""
    here = Path(__file__).resolve().parent
    installed = here / "questionnaires"
    return installed if installed.is_dir() else here.parent / "questionnaires"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Option(_Model):
    code: StrictInt = Field(ge=1)
    text: str = Field(min_length=1)
    weight: StrictInt = 0

    @property
    def short(self) -> str:
        """A few words that read as Dutch, for feedback and what-if lines: the bold phrase with
        the words that belong to it ('gedeeltelijke hulp van derden', 'geen mantelzorg'), or
        the start of the text; never cut inside a word."""
        bold = re.search(r"\*\*(.+?)\*\*", self.text)
        if bold:
            rest = re.split(r"[(.,;:]", self.text[bold.end() :].replace("**", ""), maxsplit=1)[0]
            words = rest.split()[:SHORT_EXTRA_WORDS]
            while words and words[-1].lower() in SHORT_TRAILING:
                words.pop()
            return " ".join([" ".join(bold.group(1).split()), *words])
        text = re.sub(r"^(De cliënt|Het|De)\s+", "", self.text).rstrip(".")
        if len(text) <= 60:
            return text
        cut = text[:58]
        clause = cut.rfind(" en ")  # end with a whole clause where there is one
        cut = cut[:clause] if clause > 20 else cut.rsplit(" ", 1)[0]
        return cut.rstrip(",;:") + "…"

    @property
    def keyword(self) -> str:
        """The fewest words that tell the options apart, for tight columns (a chart row): the
        bold phrase ('soms', 'vaak/altijd'), else the short label."""
        bold = re.search(r"\*\*(.+?)\*\*", self.text)
        return " ".join(bold.group(1).split()) if bold else self.short


# short labels: how many words after the bold phrase, and words a label must not end on
SHORT_EXTRA_WORDS = 3
SHORT_TRAILING = frozenset(
    {"de", "het", "een", "van", "door", "om", "te", "en", "of", "in", "met", "zich", "nodig"}
)


class ChecklistItem(_Model):
    id: str = Field(min_length=1)
    text: str = Field(min_length=1)
    nza_variable: str | None = None
    weight: StrictInt = Field(ge=0)

    @property
    def short(self) -> str:
        """The item without its example: 'Sonde (bijv. ...)' -> 'Sonde'."""
        return self.text.split(" (")[0]


class Checklist(_Model):
    when_option: StrictInt
    items: list[ChecklistItem] = Field(min_length=1)


class Question(_Model):
    id: str = Field(min_length=1)
    group: str
    axis: str | None = None
    title: str = Field(min_length=1)
    note: str | None = None
    options: list[Option] = Field(min_length=2)
    checklist: Checklist | None = None

    def option(self, code: int) -> Option:
        return self.options[code - 1]


class Group(_Model):
    id: str
    title: str


class Axis(_Model):
    id: str
    title: str


class RoutingRule(_Model):
    question: str
    option: StrictInt
    result: str


class RoutingResult(_Model):
    code: str
    label: str


class Band(_Model):
    id: str
    up_to: float | None = None


class ModelParams(_Model):
    draagkracht_max: StrictInt
    draagkrachtig_above: float
    verhoogde_draaglast_above: float
    ob_bands: list[Band] = Field(min_length=2)


class Profile(_Model):
    code: str
    draagkrachtig: bool
    verhoogde_draaglast: bool
    band: str
    hoofdcategorie: str
    subgroep: str

    @property
    def label(self) -> str:
        """Exactly the label the NZa tool shows."""
        return f"{self.hoofdcategorie}, {self.subgroep}"


class Questionnaire(_Model):
    id: str
    version: str
    title: str
    source: str
    licence: str
    groups: list[Group]
    axes: list[Axis]
    questions: list[Question]
    routing: list[RoutingRule]
    routing_results: list[RoutingResult]
    model: ModelParams
    profiles: list[Profile]
    content_hash: str = ""

    @cached_property
    def by_id(self) -> dict[str, Question]:
        return {q.id: q for q in self.questions}

    @cached_property
    def labels(self) -> dict[str, str]:
        """Profile or routing code -> exact label."""
        out = {r.code: r.label for r in self.routing_results}
        out.update({p.code: p.label for p in self.profiles})
        return out

    def axis_title(self, axis_id: str) -> str:
        return next(a.title for a in self.axes if a.id == axis_id)


def _duplicates(values: list[str]) -> set[str]:
    seen: set[str] = set()
    return {v for v in values if v in seen or seen.add(v)}  # type: ignore[func-returns-value]


def semantic_problems(q: Questionnaire) -> list[tuple[str, str]]:
    """Cross-field checks pydantic cannot express; ``(field path, message)`` pairs."""
    problems: list[tuple[str, str]] = []
    group_ids = [g.id for g in q.groups]
    axis_ids = [a.id for a in q.axes]
    for dup in _duplicates(group_ids):
        problems.append(("groups", f"groep-id {dup!r} komt meer dan eens voor"))
    if sorted(axis_ids) != sorted(AXES):
        problems.append(("axes", f"moet precies de assen {', '.join(AXES)} bevatten"))
    for dup in _duplicates([x.id for x in q.questions]):
        problems.append(("questions", f"vraag-id {dup!r} komt meer dan eens voor"))
    routing_questions = {r.question for r in q.routing}
    seen_scored = False
    for i, question in enumerate(q.questions):
        where = f"questions[{i}]"
        if question.group not in group_ids:
            problems.append((f"{where}.group", f"onbekende groep {question.group!r}"))
        if question.axis is not None and question.axis not in axis_ids:
            problems.append((f"{where}.axis", f"onbekende as {question.axis!r}"))
        codes = [o.code for o in question.options]
        if codes != list(range(1, len(codes) + 1)):
            problems.append((f"{where}.options", f"optiecodes moeten 1..{len(codes)} zijn"))
        if question.axis is None:
            if seen_scored:
                problems.append((where, "een routeringsvraag moet vóór de gescoorde vragen staan"))
            if question.id not in routing_questions:
                problems.append((f"{where}.axis", "ontbreekt (vraag telt nergens mee)"))
        else:
            seen_scored = True
        if question.checklist is not None:
            if question.checklist.when_option not in codes:
                problems.append(
                    (f"{where}.checklist.when_option", "verwijst naar een onbekende optie")
                )
            for dup in _duplicates([it.id for it in question.checklist.items]):
                problems.append((f"{where}.checklist.items", f"item-id {dup!r} dubbel"))
    result_codes = [r.code for r in q.routing_results]
    for dup in _duplicates(result_codes + [p.code for p in q.profiles]):
        problems.append(("profiles", f"code {dup!r} komt meer dan eens voor"))
    for i, rule in enumerate(q.routing):
        target = q.by_id.get(rule.question)
        if target is None:
            problems.append((f"routing[{i}].question", f"onbekende vraag {rule.question!r}"))
        elif target.axis is not None:
            problems.append((f"routing[{i}].question", "routering op een gescoorde vraag"))
        elif rule.option not in [o.code for o in target.options]:
            problems.append(
                (f"routing[{i}].option", f"vraag {rule.question} heeft geen optie {rule.option}")
            )
        if rule.result not in result_codes:
            problems.append((f"routing[{i}].result", f"onbekende uitkomst {rule.result!r}"))
    bands = q.model.ob_bands
    band_ids = [b.id for b in bands]
    if any(b.up_to is None for b in bands[:-1]) or bands[-1].up_to is not None:
        problems.append(("model.ob_bands", "alleen de laatste band mag zonder 'up_to' zijn"))
    ups = [b.up_to for b in bands[:-1] if b.up_to is not None]
    if ups != sorted(ups):
        problems.append(("model.ob_bands", "'up_to' moet oplopen"))
    cells = []
    for i, p in enumerate(q.profiles):
        if p.band not in band_ids:
            problems.append((f"profiles[{i}].band", f"onbekende band {p.band!r}"))
        cells.append((p.draagkrachtig, p.verhoogde_draaglast, p.band))
    expected = {(dk, dl, b) for dk in (True, False) for dl in (True, False) for b in band_ids}
    if set(cells) != expected or len(cells) != len(expected):
        problems.append(
            (
                "profiles",
                "elke combinatie van draagkracht, draaglast en band moet "
                "precies één profiel hebben",
            )
        )
    return problems


def parse_questionnaire(text: str, source: Path | str = "<tekst>") -> Questionnaire:
    """Validate questionnaire YAML text; raise :class:`LoadError` naming ``source`` and fields."""
    try:
        raw = load_yaml(text)
    except yaml.YAMLError as exc:
        raise LoadError([yaml_problem(source, exc)]) from None
    if not isinstance(raw, dict):
        raise LoadError(
            [f"{source}: (bestand): moet een YAML-mapping zijn, geen {type(raw).__name__!s}"]
        )
    unsafe = [f"{shown(source)}: {where}: {msg}" for where, msg in control_problems(raw)]
    if unsafe:  # its texts are shown on every screen
        raise LoadError(unsafe)
    raw = dict(raw, content_hash=hashlib.sha256(text.encode("utf-8")).hexdigest())
    try:
        questionnaire = Questionnaire.model_validate(raw)
    except ValidationError as exc:
        raise LoadError(describe_validation_error(source, exc)) from None
    problems = semantic_problems(questionnaire)
    if problems:
        raise LoadError([f"{shown(source)}: {path}: {msg}" for path, msg in problems])
    return questionnaire


def load_questionnaire(path: Path | str | None = None) -> Questionnaire:
    """Load and validate a questionnaire file (default: the built-in current version)."""
    file = Path(path) if path is not None else data_dir() / DEFAULT_QUESTIONNAIRE
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise LoadError([f"{shown(file)}: {os_problem(exc)}"]) from None
    except UnicodeDecodeError as exc:
        raise LoadError(
            [f"{shown(file)}: is geen UTF-8-tekst (positie {exc.start + 1}); sla het op als UTF-8"]
        ) from None
    return parse_questionnaire(text, file)
