"""dkdl's own explanations of the rule behind each question, from ``questionnaires/uitleg-*.yaml``.

These texts are the app's own words, not NZa text: every screen that shows one labels it with
:attr:`Explanations.label` (from the file: "Uitleg van dkdl ..."). They only restate what the
questionnaire's wording and the NZa model say; a sentence that is dkdl's own reading says so in
the text itself.

So that they cannot drift from the model, the file holds no typed numbers: weights, thresholds
and bands are placeholders filled in from the :class:`~dkdl.scoring.Scorer` (``{w:Q5.2}``,
``{dl_high_min}``, ...), and official wording is quoted through placeholders (``{text:Q5.2}``,
``{short:Q5.2}``, ``{item:sonde}``, ``{note:Q11}``) or typed between ‘ and ’, in which case it
must occur in the questionnaire. The loader refuses a file that breaks any of this, or that
leaves a question without an explanation, with ``file: field: message`` lines
(:class:`dkdl.errors.LoadError`). The placeholders are listed in the file's header.

Plain Python, no UI imports.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import yaml
from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationError

from dkdl.errors import (
    LoadError,
    control_problems,
    describe_validation_error,
    os_problem,
    yaml_problem,
)
from dkdl.questionnaire import data_dir, load_yaml
from dkdl.safetext import shown
from dkdl.scoring import OB, dutch_number

if TYPE_CHECKING:
    from dkdl.scoring import Scorer


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BoundaryText(_Model):
    options: list[StrictInt] = Field(min_length=2, max_length=2)
    text: str = Field(min_length=1)


class QuestionText(_Model):
    rule: str = Field(min_length=1)
    boundaries: list[BoundaryText] = Field(default_factory=list)


class ExplanationFile(_Model):
    questionnaire_version: str
    label: str = Field(min_length=1)
    questions: dict[str, QuestionText]


PLACEHOLDER = re.compile(r"\{([a-z_]+)(?::([A-Za-z0-9_.]+))?\}")
QUOTE = re.compile(r"‘([^’]*)’")
QUESTION_ID = re.compile(r"\bQ\d+\b")


@dataclass(frozen=True)
class Explanations:
    """The explanations of one questionnaire, rendered with its model's numbers."""

    label: str  # how a screen labels them: dkdl's own, not the NZa's
    rules: dict[str, str]  # question id -> the rule behind the question
    boundaries: dict[tuple[str, int, int], str] = field(default_factory=dict)  # (qid, lo, hi)

    def explain(self, qid: str, her: int | None = None, key: int | None = None) -> str:
        """The explanation for her answer ``her`` where the key has ``key``: the text for that
        boundary when there is one (in either direction), else the question's rule."""
        if her is not None and key is not None:
            lo, hi = sorted((her, key))
            text = self.boundaries.get((qid, lo, hi))
            if text is not None:
                return text
        return self.rules[qid]


def explanations_path(version: str) -> Path:
    """The explanations file of questionnaire ``version``: 'NR/REG-2407' -> uitleg-nr-reg-2407."""
    slug = re.sub(r"[^a-z0-9]+", "-", version.lower()).strip("-")
    return data_dir() / f"uitleg-{slug}.yaml"


_CACHE: dict[tuple[int, str], Explanations] = {}


def explanations_for(scorer: Scorer) -> Explanations:
    """The explanations for the scorer's questionnaire, loaded once per scorer."""
    key = (id(scorer), scorer.questionnaire.content_hash)
    found = _CACHE.get(key)
    if found is None:
        found = _CACHE[key] = load_explanations(scorer)
    return found


def load_explanations(scorer: Scorer, path: Path | str | None = None) -> Explanations:
    """Load, validate and render the explanations (default: the file for the questionnaire's
    version); raise :class:`LoadError` naming the file and the field."""
    file = Path(path) if path is not None else explanations_path(scorer.questionnaire.version)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise LoadError([f"{shown(file)}: {os_problem(exc)}"]) from None
    except UnicodeDecodeError as exc:
        raise LoadError([f"{shown(file)}: is geen UTF-8-tekst (positie {exc.start + 1})"]) from None
    return parse_explanations(text, scorer, file)


def parse_explanations(text: str, scorer: Scorer, source: Path | str = "<tekst>") -> Explanations:
    """Validate explanations YAML against the scorer's questionnaire and render it."""
    try:
        raw = load_yaml(text)
    except yaml.YAMLError as exc:
        raise LoadError([yaml_problem(source, exc)]) from None
    if not isinstance(raw, dict):
        raise LoadError([f"{shown(source)}: (bestand): moet een YAML-mapping zijn"])
    unsafe = [f"{shown(source)}: {where}: {msg}" for where, msg in control_problems(raw)]
    if unsafe:
        raise LoadError(unsafe)
    try:
        data = ExplanationFile.model_validate(raw)
    except ValidationError as exc:
        raise LoadError(describe_validation_error(source, exc)) from None
    problems = explanation_problems(data, scorer)
    if problems:
        raise LoadError([f"{shown(source)}: {where}: {msg}" for where, msg in problems])
    values = Values(scorer)
    rules = {qid: values.render(q.rule) for qid, q in data.questions.items()}
    boundaries = {
        (qid, *sorted(b.options)): values.render(b.text)
        for qid, q in data.questions.items()
        for b in q.boundaries
    }
    return Explanations(data.label, rules, boundaries)  # type: ignore[arg-type]


def explanation_problems(data: ExplanationFile, scorer: Scorer) -> list[tuple[str, str]]:
    """Everything wrong with the file against the questionnaire: ``(field, message)`` pairs."""
    q = scorer.questionnaire
    problems: list[tuple[str, str]] = []
    if data.questionnaire_version != q.version:
        problems.append(
            ("questionnaire_version", f"{data.questionnaire_version!r} is niet {q.version!r}")
        )
    for qid in scorer.question_ids:
        if qid not in data.questions:
            problems.append((f"questions.{qid}", "ontbreekt: elke vraag heeft een uitleg"))
    values = Values(scorer)
    wording = official_wording(scorer)
    for qid, entry in data.questions.items():
        question = q.by_id.get(qid)
        if question is None:
            problems.append((f"questions.{qid}", "onbekende vraag"))
            continue
        texts = [(f"questions.{qid}.rule", entry.rule)]
        seen: set[tuple[int, int]] = set()
        for i, b in enumerate(entry.boundaries):
            where = f"questions.{qid}.boundaries[{i}]"
            texts.append((f"{where}.text", b.text))
            lo, hi = sorted(b.options)
            if not (lo >= 1 and hi <= len(question.options)):
                problems.append((f"{where}.options", f"{qid} heeft geen optie {lo} of {hi}"))
            elif lo == hi and not (
                question.checklist is not None and lo == question.checklist.when_option
            ):
                problems.append(
                    (f"{where}.options", "twee keer dezelfde optie kan alleen bij de checklist")
                )
            if (lo, hi) in seen:
                problems.append((f"{where}.options", f"{lo} en {hi} staan er al"))
            seen.add((lo, hi))
        for where, text in texts:
            problems.extend((where, msg) for msg in values.problems(text))
            problems.extend((where, msg) for msg in number_problems(text))
            problems.extend((where, msg) for msg in quote_problems(text, wording))
    return problems


def official_wording(scorer: Scorer) -> str:
    """All official text of the questionnaire, bold markers out, whitespace single, lower
    case: what a typed quote must occur in."""
    q = scorer.questionnaire
    parts: list[str] = []
    for x in q.questions:
        parts += [x.title, x.note or ""] + [o.text for o in x.options]
        if x.checklist is not None:
            parts += [it.text for it in x.checklist.items]
    parts += list(q.labels.values())
    return _plain(" | ".join(parts))


def _plain(text: str) -> str:
    return " ".join(text.replace("**", "").split()).casefold()


def number_problems(text: str) -> list[str]:
    """A digit typed outside placeholders, question ids and quotes: numbers come from the model."""
    rest = QUOTE.sub("", QUESTION_ID.sub("", PLACEHOLDER.sub("", text)))
    digits = re.findall(r"\d+", rest)
    return [f"getal {d!r} ingetypt; gebruik een plaatshouder uit het model" for d in digits]


def quote_problems(text: str, wording: str) -> list[str]:
    """Typed quotes that are not in the questionnaire's wording."""
    return [
        f"citaat ‘{quote}’ staat niet in de vragenlijst"
        for quote in QUOTE.findall(PLACEHOLDER.sub("", text))
        if _plain(quote) not in wording
    ]


class Values:
    """The placeholders' values, all from the scorer (see the file's header for the list)."""

    def __init__(self, scorer: Scorer) -> None:
        self.scorer = scorer
        q = scorer.questionnaire
        m = q.model
        self.by_id = q.by_id
        self.items = {
            it.id: it for x in q.questions if x.checklist is not None for it in x.checklist.items
        }
        self.bands = {b.id: b for b in scorer.band_ranges()}
        dk_max = m.draagkracht_max
        # the largest whole deficit that still leaves the client draagkrachtig (DK > above)
        ok_deficit = math.ceil(dk_max - m.draagkrachtig_above) - 1
        # the lowest whole draaglast that is verhoogd (DL > above)
        dl_high = math.floor(m.verhoogde_draaglast_above) + 1
        self.plain = {
            "dk_max": str(dk_max),
            "dk_above": dutch_number(m.draagkrachtig_above),
            "dk_ok_deficit": str(ok_deficit),
            "dl_above": dutch_number(m.verhoogde_draaglast_above),
            "dl_high_min": str(dl_high),
            "ob_max": str(scorer.axis_max[OB]),
        }
        self.dk_ok_deficit = ok_deficit
        self.dl_high_min = dl_high

    def _option(self, arg: str | None) -> tuple[object, int] | None:
        if arg is None or "." not in arg:
            return None
        qid, _, code = arg.partition(".")
        question = self.by_id.get(qid)
        if question is None or not code.isdigit() or not 1 <= int(code) <= len(question.options):
            return None
        return question, int(code)

    def value(self, name: str, arg: str | None) -> str | None:
        """One placeholder's text, or None when it names nothing."""
        if arg is None:
            return self.plain.get(name)
        if name == "w":
            if arg in self.items:
                return str(self.items[arg].weight)
            found = self._option(arg)
            if found is None:
                return None
            question, code = found
            return str(question.option(code).weight)  # type: ignore[attr-defined]
        if name in ("text", "short", "kw"):
            found = self._option(arg)
            if found is None:
                return None
            question, code = found
            option = question.option(code)  # type: ignore[attr-defined]
            if name == "text":
                return f"“{' '.join(option.text.replace('**', '').split())}”"
            return f"‘{option.short if name == 'short' else option.keyword}’"
        if name == "item":
            item = self.items.get(arg)
            return f"‘{item.short}’" if item is not None else None
        if name == "route":
            found = self._option(arg)
            if found is None:
                return None
            question, code = found
            result = self.scorer.route_of(question.id, code)  # type: ignore[attr-defined]
            return f"‘{self.scorer.labels[result]}’" if result is not None else None
        if name == "note":
            question = self.by_id.get(arg)
            return f"“{question.note}”" if question is not None and question.note else None
        if name in ("ob_low", "ob_high"):
            band = self.bands.get(arg)
            if band is None:
                return None
            return str(band.low if name == "ob_low" else band.high)
        return None

    def problems(self, text: str) -> list[str]:
        """Placeholders that name nothing, and braces that are not a placeholder."""
        out = []
        for match in PLACEHOLDER.finditer(text):
            if self.value(match.group(1), match.group(2)) is None:
                out.append(f"plaatshouder {match.group(0)} bestaat niet")
        if "{" in PLACEHOLDER.sub("", text) or "}" in PLACEHOLDER.sub("", text):
            out.append("losse accolade: geen geldige plaatshouder")
        return out

    def render(self, text: str) -> str:
        """The text with its placeholders filled in, whitespace made single."""
        filled = PLACEHOLDER.sub(lambda m: self.value(m.group(1), m.group(2)) or "", text)
        return " ".join(filled.split())


__all__ = [
    "Explanations",
    "explanations_for",
    "explanations_path",
    "load_explanations",
    "parse_explanations",
]
