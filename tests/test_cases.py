"""Case files: the built-in library keeps its promises; the validator names every problem."""

import json
import subprocess
import sys
from collections import Counter

import pytest
import yaml

from dkdl.cases import builtin_cases_dir, case_dirs, case_template, load_library

PROFILES = [f"DKDL{i}" for i in range(1, 13)]
ROUTING = ["KINDZORG", "PTZ", "TIJDELIJK", "GEEN_DKDL"]
BOUNDARY_TAGS = [
    "ob-3-4",
    "ob-5-6",
    "soms-vergeetachtig",
    "stabiel-zonder-mantelzorg",
    "checklist-q12-1",
    "dubbel-gewicht",
]
SITUATIONS = [
    "wondzorg",
    "diabetes",
    "stoma",
    "dementie",
    "palliatief",
    "herstel-na-operatie",
    "hartfalen",
    "copd",
    "sondevoeding",
    "zonder-netwerk",
    "sterke-mantelzorg",
]


@pytest.fixture(scope="module")
def library(questionnaire):
    return load_library([builtin_cases_dir()], questionnaire)


def test_every_builtin_case_validates(library):
    assert library.problems == []
    assert len(library.cases) >= 30


def test_coverage_of_outcome_groups(library):
    counts = Counter(case.profile for case in library.cases)
    for code in PROFILES:
        assert counts[code] >= 2, f"{code} has {counts[code]} cases, needs 2"
    for code in ROUTING:
        assert counts[code] >= 1, f"no case for {code}"


def test_boundary_cases(library):
    boundary = [c for c in library.cases if "grensgeval" in c.data.tags]
    assert len(boundary) >= 8
    tags = Counter(t for c in boundary for t in c.data.tags)
    for tag in BOUNDARY_TAGS:
        assert tags[tag] >= 1, f"no boundary case tagged {tag}"


def test_boundary_cases_really_sit_on_a_boundary(library, scorer):
    """A boundary case's key is one answer away from another profile (what-if finds it)."""
    for case in library.cases:
        if "grensgeval" in case.data.tags and case.result.scores is not None:
            alternatives = [
                w for w in scorer.what_if(case.answers) if w.question_id not in ("Q1", "Q2", "Q3")
            ]
            assert alternatives, f"{case.id}: no single answer changes the profile"


def test_spread_of_situations(library):
    tags = {t for c in library.cases for t in c.data.tags}
    missing = [s for s in SITUATIONS if not any(s in t for t in tags)]
    assert missing == []
    assert {c.data.difficulty for c in library.cases} == {1, 2, 3}


def test_every_answered_question_has_a_toelichting(library):
    for case in library.cases:
        for qid in case.answers.options:
            assert case.toelichting(qid).strip(), (case.id, qid)


# -- the validator on broken files ------------------------------------------------------------

GOOD = builtin_cases_dir() / "copd-achteruitgang-01.yaml"


def _write(tmp_path, mutate, name="copd-achteruitgang-01"):
    data = yaml.safe_load(GOOD.read_text(encoding="utf-8"))
    mutate(data)
    folder = tmp_path / "eigen"
    folder.mkdir(exist_ok=True)
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return folder, path


@pytest.mark.parametrize(
    "mutate,expected",
    [
        (lambda d: d.update(difficulty="zwaar"), "difficulty: moet een geheel getal zijn"),
        (lambda d: d.update(difficulty=5), "difficulty: is te groot"),
        (lambda d: d["key"]["Q9"].update(answer=7), "key.Q9.answer: optie 7 bestaat niet"),
        (lambda d: d["key"]["Q4"].pop("toelichting"), "key.Q4.toelichting: ontbreekt"),
        (lambda d: d["key"].pop("Q7"), "key.Q7: ontbreekt (deze vraag wordt bij deze antwoorden"),
        (
            lambda d: d.update(expected_profile="DKDL9"),
            "expected_profile: DKDL9 klopt niet: de sleutel geeft DKDL4",
        ),
        (
            lambda d: d["key"]["Q12"].update(answer=2),
            "key.Q12.items: bij antwoord 2 hoort minstens",
        ),
        (lambda d: d["key"]["Q12"].update(answer=2, items=["infuus"]), "onbekend item 'infuus'"),
        (
            lambda d: d["key"]["Q1"].update(answer=2),
            "key.Q2: wordt bij deze antwoorden niet gesteld",
        ),
        (
            lambda d: d["key"].update(Q13={"answer": 1, "toelichting": "x"}),
            "key.Q13: onbekende vraag",
        ),
        (lambda d: d.update(questionnaire_version="2019"), "questionnaire_version: '2019' is niet"),
        (lambda d: d.update(vignette="Te kort."), "vignette: 2 woorden"),
        (lambda d: d.update(vignette=d["vignette"] + " BSN 123456782."), "lijkt op een BSN"),
        (lambda d: d.update(vignette=d["vignette"] + " Geboren 03-04-1941."), "een datum"),
        (lambda d: d.update(id="ander-id"), "id: 'ander-id' moet gelijk zijn aan de bestandsnaam"),
        (lambda d: d.update(title="Mevr. X, geb. 12-03-1941"), "title: bevat een datum"),
        (
            lambda d: d["key"]["Q5"].update(toelichting="BSN 123456782 klopt"),
            "key.Q5.toelichting: bevat een nummer dat op een BSN lijkt",
        ),
        (
            lambda d: d["key"]["Q5"].update(toelichting="   "),
            "key.Q5.toelichting: nog niet ingevuld",
        ),
        (lambda d: d.update(kleur="rood"), "kleur: onbekend veld"),
    ],
)
def test_broken_case_is_named_by_file_and_field(tmp_path, questionnaire, mutate, expected):
    folder, path = _write(tmp_path, mutate)
    library = load_library([folder], questionnaire)
    assert library.cases == []
    text = "\n".join(library.problems)
    expected = expected.replace("lijkt op een BSN", "op een BSN lijkt")
    assert f"{path}: " in text and expected in text, text


def test_bad_yaml(tmp_path, questionnaire):
    folder = tmp_path / "eigen"
    folder.mkdir()
    (folder / "kapot.yaml").write_text("id: kapot\nkey: {Q1: [\n", encoding="utf-8")
    library = load_library([folder], questionnaire)
    assert library.problems[0].startswith(f"{folder / 'kapot.yaml'}: geen geldige YAML (regel")


def test_duplicate_ids_across_folders_are_refused(tmp_path, questionnaire):
    folder, path = _write(tmp_path, lambda d: None)
    library = load_library([builtin_cases_dir(), folder], questionnaire)
    assert [p for p in library.problems if "bestaat al" in p] == [
        f"{path}: id: 'copd-achteruitgang-01' bestaat al in "
        f"{builtin_cases_dir() / 'copd-achteruitgang-01.yaml'}"
    ]


def test_own_folders_merge_with_builtin_and_env(tmp_path, questionnaire, monkeypatch):
    folder, _ = _write(tmp_path, lambda d: d.update(id="mijn-copd"), name="mijn-copd")
    monkeypatch.setenv("DKDL_CASES", str(folder))
    dirs = case_dirs()
    assert dirs == [builtin_cases_dir(), folder]
    library = load_library(dirs, questionnaire)
    assert library.problems == []
    assert library.by_id("mijn-copd").profile == "DKDL4"


def test_template_validates_once_filled_in(tmp_path, questionnaire):
    text = case_template("nieuw-01", questionnaire)
    folder = tmp_path / "eigen"
    folder.mkdir()
    path = folder / "nieuw-01.yaml"
    path.write_text(text, encoding="utf-8")
    assert load_library([folder], questionnaire).problems  # not yet filled in
    data = yaml.safe_load(text)
    data["vignette"] = " ".join(["Meneer woont zelfstandig en redt zich goed."] * 20)
    for answer in data["key"].values():
        answer["toelichting"] = "Zie de casus."
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    library = load_library([folder], questionnaire)
    assert library.problems == [] and library.cases[0].profile == "DKDL1"


# -- the commands -----------------------------------------------------------------------------


def run(*args, cwd=None, env=None):
    return subprocess.run(
        [sys.executable, "-m", "dkdl", *args],
        capture_output=True,
        timeout=60,
        cwd=cwd,
        env=env,
        text=True,
        encoding="utf-8",
    )


def test_cases_list_json(library):
    proc = run("cases", "list", "--json")
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert {r["id"]: r["profile"] for r in rows} == {c.id: c.profile for c in library.cases}
    assert set(rows[0]) == {"id", "title", "difficulty", "tags", "profile"}


def test_cases_list_table_and_own_folder(tmp_path):
    folder, _ = _write(tmp_path, lambda d: d.update(id="mijn-copd"), name="mijn-copd")
    proc = run("cases", "list", "--cases", str(folder))
    assert proc.returncode == 0
    assert "mijn-copd" in proc.stdout and "copd-achteruitgang-01" in proc.stdout


def test_cases_validate_exit_codes(tmp_path):
    ok = run("cases", "validate")
    assert ok.returncode == 0 and "casussen in orde" in ok.stdout
    folder, path = _write(tmp_path, lambda d: d["key"]["Q9"].update(answer="x"))
    bad = run("cases", "validate", str(folder))
    assert bad.returncode == 1
    assert f"{path}: key.Q9.answer: moet een geheel getal zijn" in bad.stdout
    assert "Traceback" not in bad.stdout + bad.stderr
    missing = run("cases", "validate", str(tmp_path / "nergens"))
    assert missing.returncode == 1 and "map niet gevonden" in missing.stdout


def test_cases_new_writes_a_template_once(tmp_path):
    proc = run("cases", "new", "mijn-casus", "--dir", str(tmp_path))
    assert proc.returncode == 0
    assert (tmp_path / "mijn-casus.yaml").read_text(encoding="utf-8").startswith("# Casus")
    again = run("cases", "new", "mijn-casus", "--dir", str(tmp_path))
    assert again.returncode == 2 and "bestaat al" in again.stderr
    bad = run("cases", "new", "Mijn Casus", "--dir", str(tmp_path))
    assert bad.returncode == 2 and "ongeldig id" in bad.stderr
    (tmp_path / "bestand").write_text("geen map", encoding="utf-8")
    nowhere = run("cases", "new", "x", "--dir", str(tmp_path / "bestand"))
    assert nowhere.returncode == 2 and "map niet gevonden" in nowhere.stderr


def test_the_nurses_view_of_tags_does_not_give_the_key_away(library):
    revealing = set(BOUNDARY_TAGS) | {"kindzorg", "ptz", "tijdelijk", "geen-dkdl"}
    for case in library.cases:
        assert not revealing & set(case.situation_tags), case.id
        assert case.situation_tags, f"{case.id}: nothing left to show"
