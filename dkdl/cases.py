"""Practice cases (casussen): a fictional vignette, the answer key and a reason per answer.

A case file is YAML, validated by pydantic and then against the questionnaire it was written
for: the key must be a complete, routable answer set, every answer needs a ``toelichting``, and an
``expected_profile`` must equal what the engine derives. ``tags`` (shown to the nurse) may name
only condition and setting; what gives the key away goes in ``trainer_tags``. An optional
``hint`` (a colleague's remark) is for oefenen on request, never for a toets. Every text is
screened for anything that looks like client-identifying data. Problems come back as
``file: field: message`` lines.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationError

from dkdl.case_files import case_paths, read_case_file
from dkdl.errors import (
    LoadError,
    control_problems,
    describe_validation_error,
    os_problem,
    quoted,
    yaml_problem,
)
from dkdl.privacy import identifying
from dkdl.questionnaire import Questionnaire, data_dir, load_yaml
from dkdl.safetext import shown
from dkdl.scoring import AnswerError, Answers, Result, Scorer

VIGNETTE_WORDS = (120, 300)
CASES_ENV = "DKDL_CASES"

# The tag split (the app's own convention): ``tags`` are shown to the nurse before she answers, so
# they may name only the condition and the setting; ``trainer_tags`` (outcome, boundary type, the
# trap a case sets) are shown to trainers only. Validation refuses a nurse tag that is a known
# trainer tag or contains a word that names an answer option, a checklist item or an outcome.
TRAINER_TAGS = frozenset(
    {
        "grensgeval",
        "kindzorg",
        "ptz",
        "tijdelijk",
        "geen-dkdl",
        "ptz-of-dkdl",
        "tijdelijk-of-geen",
        "ob-3-4",
        "ob-5-6",
        "soms-vergeetachtig",
        "stabiel-zonder-mantelzorg",
        "checklist-q12-1",
        "dubbel-gewicht",
    }
)
ANSWER_WORDS = (
    "mantelzorg",
    "netwerk",
    "contact",
    "continent",
    "vergeet",
    "geheugen",
    "stabiel",
    "verslecht",
    "verbeter",
    "achteruit",
    "terminaal",
    "injectie",
    "zwachtel",
    "complexe-wond",
    "sonde",
    "katheter",
    "stoma",
    "darmspoeling",
    "klysma",
    "nieuwe-client",
    "zorgmijd",
    "somber",
    "gedrag",
    "grens",
    "dkdl",
    "profiel",
    "ob-",
)


def nurse_tag_problem(tag: str) -> str | None:
    """Why ``tag`` may not be shown to the nurse, or ``None`` if it may."""
    if tag in TRAINER_TAGS:
        return f"{tag!r} noemt de uitkomst of de valkuil; zet het onder trainer_tags"
    word = next((w for w in ANSWER_WORDS if w in tag), None)
    if word is not None:
        return (
            f"{tag!r} verraadt een antwoord ({word!r}); tags noemen alleen aandoening en "
            "setting, zet het onder trainer_tags"
        )
    return None


def builtin_cases_dir() -> Path:
    return data_dir() / "cases"


Tag = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=40)]


class KeyAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    answer: StrictInt
    items: list[str] = Field(default_factory=list)
    toelichting: str = Field(min_length=1)


class CaseFile(BaseModel):
    """The fields of a case file, as the trainer writes them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=80)
    title: str = Field(min_length=1, max_length=120)
    difficulty: StrictInt = Field(ge=1, le=3)
    tags: list[Tag] = Field(default_factory=list)
    trainer_tags: list[Tag] = Field(default_factory=list)
    hint: str | None = Field(default=None, min_length=1, max_length=600)
    questionnaire_version: str
    vignette: str = Field(min_length=1)
    key: dict[str, KeyAnswer] = Field(min_length=1)
    expected_profile: str | None = None


@dataclass(frozen=True)
class Case:
    """A validated case with what the engine derives from its key."""

    data: CaseFile
    path: Path
    content_hash: str
    answers: Answers
    result: Result

    @property
    def id(self) -> str:
        return self.data.id

    @property
    def title(self) -> str:
        return self.data.title

    @property
    def profile(self) -> str:
        """The key's profile code, as the engine derives it."""
        return self.result.profile

    @property
    def situation_tags(self) -> list[str]:
        """The tags a nurse may see before answering: condition and setting only (validation
        keeps outcome, boundary and trap tags out of them)."""
        return list(self.data.tags)

    @property
    def hint(self) -> str | None:
        """The colleague's remark, for oefenen on request only; never shown in a toets."""
        return self.data.hint

    @property
    def builtin(self) -> bool:
        """Whether the case is one of the app's own (not from a trainer's folder)."""
        return _same_dir(self.path.parent, builtin_cases_dir())

    def toelichting(self, question_id: str) -> str | None:
        answer = self.data.key.get(question_id)
        return answer.toelichting if answer else None


def tag_problems(case: CaseFile) -> list[tuple[str, str]]:
    """The tag split: nothing in ``tags`` that gives the key away; no tag in both lists."""
    problems = []
    for i, tag in enumerate(case.tags):
        why = nurse_tag_problem(tag)
        if why is not None:
            problems.append((f"tags[{i}]", why))
        elif tag in case.trainer_tags:
            problems.append((f"tags[{i}]", f"{tag!r} staat ook onder trainer_tags; kies één"))
    return problems


def key_problems(case: CaseFile, scorer: Scorer) -> list[tuple[str, str]]:
    """Check a key against the questionnaire: ``(field path, message)`` pairs."""
    q = scorer.questionnaire
    problems: list[tuple[str, str]] = []
    if case.questionnaire_version != q.version:
        problems.append(
            (
                "questionnaire_version",
                f"{case.questionnaire_version!r} is niet de vragenlijst {q.version!r}",
            )
        )
    for qid, answer in case.key.items():
        where = f"key.{qid}"
        if answer.toelichting.strip() in ("", PLACEHOLDER):
            problems.append((f"{where}.toelichting", "nog niet ingevuld"))
        question = q.by_id.get(qid)
        if question is None:
            problems.append((where, "onbekende vraag"))
            continue
        if not 1 <= answer.answer <= len(question.options):
            problems.append(
                (
                    f"{where}.answer",
                    f"optie {answer.answer} bestaat niet (kies 1 t/m {len(question.options)})",
                )
            )
        checklist = question.checklist
        if answer.items and checklist is None:
            problems.append((f"{where}.items", "deze vraag heeft geen checklist"))
        elif checklist is not None:
            known = {it.id for it in checklist.items}
            for item in answer.items:
                if item not in known:
                    problems.append(
                        (
                            f"{where}.items",
                            f"onbekend item {item!r} (bekend: " + ", ".join(sorted(known)) + ")",
                        )
                    )
            if len(set(answer.items)) != len(answer.items):
                problems.append((f"{where}.items", "een item staat er meer dan eens in"))
            if answer.answer == checklist.when_option and not answer.items:
                problems.append(
                    (
                        f"{where}.items",
                        f"bij antwoord {checklist.when_option} hoort minstens één item",
                    )
                )
            if answer.answer != checklist.when_option and answer.items:
                problems.append(
                    (f"{where}.items", f"items tellen alleen bij antwoord {checklist.when_option}")
                )
    if problems:
        return problems
    options = {qid: a.answer for qid, a in case.key.items()}
    reached = scorer.reached(options)
    for qid in reached:
        if qid not in options:
            problems.append(
                (f"key.{qid}", "ontbreekt (deze vraag wordt bij deze antwoorden gesteld)")
            )
    for qid in options:
        if qid not in reached:
            problems.append((f"key.{qid}", "wordt bij deze antwoorden niet gesteld; haal weg"))
    return problems


PLACEHOLDER = "..."


def vignette_problems(vignette: str) -> list[tuple[str, str]]:
    """Length and template leftovers of the vignette."""
    problems = []
    if "Lorem ipsum" in vignette or "Vervang deze tekst" in vignette:
        problems.append(("vignette", "bevat nog de voorbeeldtekst van het sjabloon"))
    words = len(vignette.split())
    low, high = VIGNETTE_WORDS
    if not low <= words <= high:
        problems.append(("vignette", f"{words} woorden; een casus heeft {low}-{high} woorden"))
    return problems


def privacy_problems(case: CaseFile) -> list[tuple[str, str]]:
    """Anything that looks like client data, in every text a nurse or trainer is shown: title,
    tags, vignette, hint and each toelichting."""
    texts = [("title", case.title), ("vignette", case.vignette)]
    if case.hint is not None:
        texts.append(("hint", case.hint))
    texts += [(f"tags[{i}]", tag) for i, tag in enumerate(case.tags)]
    texts += [(f"trainer_tags[{i}]", tag) for i, tag in enumerate(case.trainer_tags)]
    texts += [(f"key.{qid}.toelichting", a.toelichting) for qid, a in case.key.items()]
    problems = []
    for where, text in texts:
        for what, found in identifying(text):
            problems.append(
                (
                    where,
                    f"bevat {what} ({quoted(found)}); casussen zijn verzonnen en bevatten "
                    "geen cliëntgegevens",
                )
            )
    return problems


def parse_case(text: str, path: Path, scorer: Scorer) -> Case:
    """Validate one case file's text; raise :class:`LoadError` with every problem found."""
    try:
        raw = load_yaml(text)
    except yaml.YAMLError as exc:
        raise LoadError([yaml_problem(path, exc)]) from None
    if not isinstance(raw, dict):
        raise LoadError([f"{shown(path)}: (bestand): moet een YAML-mapping zijn"])
    unsafe = [f"{shown(path)}: {where}: {msg}" for where, msg in control_problems(raw)]
    try:
        data = CaseFile.model_validate(raw)
    except ValidationError as exc:
        raise LoadError(unsafe + describe_validation_error(path, exc)) from None
    if unsafe:
        raise LoadError(unsafe)
    problems = key_problems(data, scorer) + vignette_problems(data.vignette) + tag_problems(data)
    problems += privacy_problems(data)
    if data.id != path.stem:
        problems.append(("id", f"{data.id!r} moet gelijk zijn aan de bestandsnaam ({path.stem!r})"))
    result = None
    if not problems:
        items = next((a.items for a in data.key.values() if a.items), [])
        answers = Answers({qid: a.answer for qid, a in data.key.items()}, frozenset(items))
        try:
            result = scorer.score(answers)
        except AnswerError as exc:  # key_problems should have caught it; report, don't crash
            problems.append(("key", "; ".join(exc.problems)))
        else:
            if data.expected_profile is not None and data.expected_profile != result.profile:
                problems.append(
                    (
                        "expected_profile",
                        f"{data.expected_profile} klopt niet: de sleutel geeft "
                        f"{result.profile} ({result.label})",
                    )
                )
    if problems or result is None:
        raise LoadError([f"{shown(path)}: {where}: {msg}" for where, msg in problems])
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Case(data, path, digest, answers, result)


def _same_dir(a: Path, b: Path) -> bool:
    return os.path.normcase(str(a.resolve())) == os.path.normcase(str(b.resolve()))


def builtin_ids() -> set[str]:
    """The ids of the built-in cases (their file names: validation makes id and name equal)."""
    folder = builtin_cases_dir()
    return {p.stem for p in folder.glob("*.yaml")} if folder.is_dir() else set()


def case_dirs(extra: Iterable[Path | str] = (), *, builtin: bool = True) -> list[Path]:
    """The folders to read: built-in first, then ``DKDL_CASES`` (os.pathsep-separated), then
    ``extra`` (``--cases``); each folder once."""
    dirs: list[Path] = [builtin_cases_dir()] if builtin else []
    env = os.environ.get(CASES_ENV, "")
    dirs += [Path(p) for p in env.split(os.pathsep) if p.strip()]
    dirs += [Path(p) for p in extra]
    seen, out = set(), []
    for d in dirs:
        try:
            key = os.path.normcase(str(d.resolve()))
        except (OSError, RuntimeError):  # a link loop (RuntimeError before Python 3.13):
            key = os.path.normcase(str(d.absolute()))  # reading it names the problem
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out


@dataclass
class CaseLibrary:
    cases: list[Case]
    problems: list[str]

    def by_id(self, case_id: str) -> Case | None:
        return next((c for c in self.cases if c.id == case_id), None)


def load_library(dirs: Sequence[Path], questionnaire: Questionnaire) -> CaseLibrary:
    """Read every ``*.yaml`` and ``*.yml`` in ``dirs`` (see :mod:`dkdl.case_files` for what is
    refused); valid cases plus one line per problem.

    A second case with an id already seen is refused, naming both files. A folder that does not
    exist is a problem, not a crash.
    """
    scorer = Scorer(questionnaire)
    cases: list[Case] = []
    problems: list[str] = []
    first_seen: dict[str, Path] = {}
    for folder in dirs:
        try:
            paths = case_paths(folder)
        except OSError as exc:
            problems.append(f"{shown(folder)}: {_folder_problem(exc)}")
            continue
        for path in paths:
            try:
                case = parse_case(read_case_file(path, folder), path, scorer)
            except LoadError as exc:
                problems.extend(exc.problems)
                continue
            if case.id in first_seen:
                problems.append(
                    f"{shown(path)}: id: {case.id!r} bestaat al in {shown(first_seen[case.id])}"
                )
                continue
            first_seen[case.id] = path
            cases.append(case)
    return CaseLibrary(cases, problems)


def _folder_problem(exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError | NotADirectoryError):
        return "map niet gevonden"
    return f"kan de map niet lezen: {os_problem(exc)}"


TEMPLATE = """\
# Casus voor dkdl. Vul alles in en controleer met: dkdl cases validate {folder}
# Verzonnen casus: geen namen, BSN, geboortedata, adressen of telefoonnummers.
id: {id}                       # gelijk aan de bestandsnaam
title: "Korte, neutrale titel"  # noem de aandoening of situatie, niet het antwoord
difficulty: 2                  # 1 = eenvoudig, 2 = let op, 3 = grensgeval
# tags ziet de verpleegkundige vóór het invullen: alleen aandoening en setting
# (bijv. copd, herindicatie, serviceflat). Niets dat een antwoord verraadt.
tags: [voorbeeld]
# trainer_tags ziet alleen de trainer: uitkomst, soort grensgeval, valkuil
# (bijv. grensgeval, ob-3-4, stabiel-zonder-mantelzorg).
trainer_tags: []
questionnaire_version: "{version}"
vignette: |
  Beschrijf hier de situatie in 120 tot 300 woorden, zoals de verpleegkundige haar tegenkomt:
  een overdracht, een intakegesprek of een rapportage. Beschrijf gedrag en feiten, niet de
  woorden van de antwoordopties: leeftijd, palliatieve fase, psychisch functioneren, geheugen,
  sociale contacten, wie er helpt, wat er de komende maand verwacht wordt, continentie, wassen
  en douchen, medicatie en verpleegtechnische handelingen.
  Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut
  labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco
  laboris nisi ut aliquip ex ea commodo consequat. Duis aute irure dolor in reprehenderit in
  voluptate velit esse cillum dolore eu fugiat nulla pariatur. Vervang deze tekst.
# Optioneel: een opmerking van een collega die op de valkuil wijst. De verpleegkundige ziet
# hem alleen bij oefenen, als zij erom vraagt (toets h); nooit in een toets.
# hint: "Een collega twijfelt of ... Wat zegt de vraag precies?"
# De sleutel: per vraag het juiste antwoord (optienummer) en een toelichting die het feit uit
# de casus en de regel noemt. Alleen de vragen die de routering bereikt: bij Q1 = 2 alleen Q1.
key:
  Q1: {{answer: 1, toelichting: "..."}}
  Q2: {{answer: 1, toelichting: "..."}}
  Q3: {{answer: 1, toelichting: "..."}}
  Q4: {{answer: 1, toelichting: "..."}}
  Q5: {{answer: 1, toelichting: "..."}}
  Q6: {{answer: 1, toelichting: "..."}}
  Q7: {{answer: 1, toelichting: "..."}}
  Q8: {{answer: 2, toelichting: "..."}}
  Q9: {{answer: 1, toelichting: "..."}}
  Q10: {{answer: 1, toelichting: "..."}}
  Q11: {{answer: 1, toelichting: "..."}}
  # Bij Q12 = 2 minstens één item: {items}
  Q12: {{answer: 1, items: [], toelichting: "..."}}
# Optioneel: het profiel dat de sleutel moet geven; validate controleert het.
# expected_profile: DKDL1
"""


def case_template(case_id: str, questionnaire: Questionnaire, folder: str = ".") -> str:
    checklist = next((x.checklist for x in questionnaire.questions if x.checklist), None)
    items = ", ".join(it.id for it in checklist.items) if checklist else ""
    return TEMPLATE.format(id=case_id, version=questionnaire.version, items=items, folder=folder)
