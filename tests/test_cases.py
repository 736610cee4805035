"""Case files: the built-in library keeps its promises; the validator names every problem."""

import json
import re
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
# what the nurse sees: conditions and settings the library must cover (issue 12: more than the
# older Dutch home-dweller)
SITUATIONS = [
    "wondzorg",
    "diabetes",
    "dementie",
    "palliatief",
    "herstel-na-operatie",
    "hartfalen",
    "copd",
    "oncologie",
    "alleenwonend",
    "taalbarriere",
    "lvb",
    "jongvolwassene",
    "geclusterd-wonen",
]
# the questionnaire's own step and item names, as headings in a vignette (none at any level;
# the issue asks it of level 3, and the library keeps it everywhere)
QUESTIONNAIRE_HEADINGS = re.compile(
    r"^\*\*(Draagkracht|Draaglast|Ondersteuningsbehoefte|Psychisch|Geheugen|Sociaal|Netwerk|"
    r"Mantelzorg|Verwacht|Verloop|Continentie|Wassen|Medicatie|ADL|Verpleegtechnisch|Cognitie)",
    re.MULTILINE | re.IGNORECASE,
)
# an answer option's own words in a vignette give the answer away; describe behaviour instead
OPTION_WORDS = re.compile(
    r"vergeetachtig|betekenisvolle|mantelzorg|\bincontinent\b|\bcontinent\b|"
    r"verpleegtechnisch|draagkracht|draaglast|ondersteuningsbehoefte|geheugenproblemen|"
    r"complexe wond",
    re.IGNORECASE,
)


@pytest.fixture(scope="module")
def library(questionnaire):
    return load_library([builtin_cases_dir()], questionnaire)


def key(case, qid):
    """The key's option for ``qid``, or None where routing does not reach it."""
    return case.answers.options.get(qid)


def test_every_builtin_case_validates(library):
    assert library.problems == []
    assert len(library.cases) >= 50


def test_coverage_of_outcome_groups(library):
    counts = Counter(case.profile for case in library.cases)
    for code in PROFILES:
        assert counts[code] >= 3, f"{code} has {counts[code]} cases, needs 3"
    for code in ROUTING:
        assert counts[code] >= 2, f"{code} has {counts[code]} cases, needs 2"


# Combinations no case met in the first edition (issue 12), each needed at least twice. Where the
# key shows it, it is computed from the key; where it cannot (routing stops first, or the point
# is what the vignette says), a trainer tag names it and the key is checked as far as it goes.
NEVER_MET = {
    "geen mantelzorg en verbeteren": lambda c: key(c, "Q7") == 2 and key(c, "Q8") == 1,
    "Q9 = 3 (alleen ontlasting)": lambda c: key(c, "Q9") == 3,
    "Q9 = 4": lambda c: key(c, "Q9") == 4,
    "Q6 = 3": lambda c: key(c, "Q6") == 3,
    "kind in terminale fase": lambda c: (
        "kind-terminaal" in c.data.trainer_tags and c.profile == "KINDZORG"
    ),
    "PTZ met onvolledige informatie": lambda c: (
        "ptz-info-onvolledig" in c.data.trainer_tags and c.profile == "PTZ"
    ),
    "technisch ogend, niet op de checklist": lambda c: (
        "niet-op-checklist" in c.data.trainer_tags and key(c, "Q3") == 1
    ),
    "incidenteel klysma": lambda c: (
        "klysma-incidenteel" in c.data.trainer_tags and "darmspoeling" not in c.answers.items
    ),
    "structureel klysma": lambda c: (
        "klysma-structureel" in c.data.trainer_tags and "darmspoeling" in c.answers.items
    ),
    "decubitus als complexe wond": lambda c: (
        "decubitus" in c.data.trainer_tags and "complexe_wonden" in c.answers.items
    ),
    "handeling door de mantelzorger": lambda c: (
        "handeling-mantelzorger" in c.data.trainer_tags and key(c, "Q12") == 2 and key(c, "Q7") == 1
    ),
    "verloop naar eigen oordeel": lambda c: (
        "verloop-eigen-oordeel" in c.data.trainer_tags and key(c, "Q8") is not None
    ),
}


@pytest.mark.parametrize("name", list(NEVER_MET))
def test_each_combination_the_first_edition_missed_is_met_twice(library, name):
    met = [c.id for c in library.cases if NEVER_MET[name](c)]
    assert len(met) >= 2, f"{name}: only {met}"


def test_boundary_cases(library):
    boundary = [c for c in library.cases if "grensgeval" in c.data.trainer_tags]
    assert len(boundary) >= 8
    tags = Counter(t for c in boundary for t in c.data.trainer_tags)
    for tag in BOUNDARY_TAGS:
        assert tags[tag] >= 1, f"no boundary case tagged {tag}"


def test_boundary_cases_really_sit_on_a_boundary(library, scorer):
    """A boundary case's key is one answer away from another profile (what-if finds it)."""
    for case in library.cases:
        if "grensgeval" in case.data.trainer_tags and case.result.scores is not None:
            alternatives = [
                w for w in scorer.what_if(case.answers) if w.question_id not in ("Q1", "Q2", "Q3")
            ]
            assert alternatives, f"{case.id}: no single answer changes the profile"


def test_spread_of_situations(library):
    tags = {t for c in library.cases for t in c.data.tags}
    missing = [s for s in SITUATIONS if s not in tags]
    assert missing == []
    assert {c.data.difficulty for c in library.cases} == {1, 2, 3}


def test_every_answered_question_has_a_toelichting_that_teaches(library):
    """No bare 'Informatie is volledig.': each toelichting gives the fact and the rule, so it
    is more than a few words, and no two questions of a case share one."""
    for case in library.cases:
        texts = [case.toelichting(qid) for qid in case.answers.options]
        for qid, text in zip(case.answers.options, texts, strict=True):
            assert len(text.split()) >= 5, (case.id, qid, text)
            assert text.strip() not in ("Informatie is volledig.", "Volledig continent."), case.id
        assert len(set(texts)) == len(texts), f"{case.id}: a toelichting is repeated"


def test_hints(library):
    hinted = [c for c in library.cases if c.hint]
    assert len(hinted) >= 20
    for case in hinted:
        assert case.hint.strip() not in case.data.vignette, case.id


def test_vignettes_read_like_a_dossier(library):
    for case in library.cases:
        text = case.data.vignette
        match = OPTION_WORDS.search(text)
        assert match is None, f"{case.id}: option wording {match.group(0)!r} in the vignette"
        last = [p for p in text.strip().split("\n\n") if p.strip()][-1].lower()
        assert not re.search(r"collega|stagiaire|planner", last), (
            f"{case.id}: the vignette ends with someone naming the trap; that is the hint"
        )
        heading = QUESTIONNAIRE_HEADINGS.search(text)
        assert heading is None, f"{case.id}: questionnaire heading {heading.group(0)!r}"


def test_titles_are_neutral(library):
    """A title names the situation, not the deciding fact."""
    from dkdl.cases import ANSWER_WORDS

    giveaways = [w for w in ANSWER_WORDS if w not in ("sonde", "katheter", "stoma", "ob-")]
    giveaways += ["vergeet", "zonder mantelzorg", "spuit zelf", "complexe", "grensgeval"]
    for case in library.cases:
        title = case.title.lower()
        found = [w for w in giveaways if w in title]
        assert not found, f"{case.id}: title gives away {found}"


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
        # the tag split: what gives the key away may not be shown to the nurse
        (
            lambda d: d.update(tags=["copd", "grensgeval"]),
            "tags[1]: 'grensgeval' noemt de uitkomst of de valkuil; zet het onder trainer_tags",
        ),
        (
            lambda d: d.update(tags=["client-zonder-mantelzorg"]),
            "tags[0]: 'client-zonder-mantelzorg' verraadt een antwoord ('mantelzorg')",
        ),
        (lambda d: d.update(tags=["injecties"]), "tags[0]: 'injecties' verraadt een antwoord"),
        (
            lambda d: d.update(tags=["copd"], trainer_tags=["copd"]),
            "tags[0]: 'copd' staat ook onder trainer_tags; kies één",
        ),
        (lambda d: d.update(tags=["Grens Geval"]), "tags[0]: heeft niet de juiste vorm"),
        (lambda d: d.update(hint=""), "hint: mag niet leeg zijn"),
        (lambda d: d.update(hint="Bel 06-12345678 even"), "hint: bevat een telefoonnummer"),
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
    assert set(rows[0]) == {
        "id",
        "title",
        "difficulty",
        "tags",
        "trainer_tags",
        "hint",
        "own",
        "profile",
    }
    assert not any(r["own"] for r in rows)
    assert sum(r["hint"] for r in rows) == sum(1 for c in library.cases if c.hint)


def test_cases_list_marks_the_trainers_own_cases(tmp_path):
    folder, _ = _write(tmp_path, lambda d: d.update(id="mijn-copd"), name="mijn-copd")
    proc = run("cases", "list", "--cases", str(folder))
    assert proc.returncode == 0
    lines = {line.split()[0]: line for line in proc.stdout.splitlines() if line.strip()}
    assert lines["mijn-copd"].split()[1] == "eigen"
    assert lines["copd-achteruitgang-01"].split()[1] == "ingebouwd"
    assert "waarvan 1 eigen" in proc.stdout
    rows = [
        json.loads(x)
        for x in run("cases", "list", "--json", "--cases", str(folder)).stdout.splitlines()
    ]
    assert [r["id"] for r in rows if r["own"]] == ["mijn-copd"]


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
    assert nowhere.returncode == 2 and "is een bestand, geen map" in nowhere.stderr


def test_cases_new_makes_a_missing_folder(tmp_path):
    folder = tmp_path / "nog" / "niet" / "er"
    proc = run("cases", "new", "mijn-casus", "--dir", str(folder))
    assert proc.returncode == 0, proc.stderr
    assert (folder / "mijn-casus.yaml").is_file()


def test_cases_new_refuses_the_id_of_a_builtin_case(tmp_path):
    proc = run("cases", "new", "copd-achteruitgang-01", "--dir", str(tmp_path))
    assert proc.returncode == 2
    assert "'copd-achteruitgang-01' is al het id van een ingebouwde casus" in proc.stderr
    assert list(tmp_path.iterdir()) == []


def test_the_nurses_view_of_tags_does_not_give_the_key_away(library):
    from dkdl.cases import nurse_tag_problem

    revealing = set(BOUNDARY_TAGS) | {"grensgeval", "kindzorg", "ptz", "tijdelijk", "geen-dkdl"}
    for case in library.cases:
        assert case.situation_tags == case.data.tags
        assert not revealing & set(case.situation_tags), case.id
        assert [t for t in case.situation_tags if nurse_tag_problem(t)] == [], case.id
        assert case.situation_tags, f"{case.id}: nothing left to show"


def test_the_template_keeps_the_split_and_explains_the_hint(questionnaire):
    data = yaml.safe_load(case_template("nieuw-01", questionnaire))
    assert data["tags"] == ["voorbeeld"] and data["trainer_tags"] == []
    assert "hint" not in data  # optional: commented out in the template
    assert "# hint:" in case_template("nieuw-01", questionnaire)


def test_the_apps_own_readings_are_labelled_where_a_key_relies_on_them(library):
    """Where the questionnaire is silent the key says it follows the app's own reading (issue
    12): a non-leaking stoma or catheter counted as continent, an injection counted at Q11 as
    well as Q12."""
    label = "lezing van de app"
    for case in library.cases:
        q9 = case.toelichting("Q9")
        device = {"katheter", "overige_katheterisatie", "darmstoma"} & case.answers.items or any(
            t.endswith("zonder-lekkage-is-continent") for t in case.data.trainer_tags
        )
        if key(case, "Q9") == 1 and device:
            assert label in q9.lower(), f"{case.id}: Q9 relies on a reading without saying so"
        if key(case, "Q11") == 2 and "injecties" in case.answers.items:
            q11 = case.toelichting("Q11").lower()
            assert label in q11, f"{case.id}: Q11 relies on a reading without saying so"
