"""Loading the questionnaire file: fidelity of the built-in one, clear errors for broken ones."""

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from dkdl.errors import LoadError
from dkdl.questionnaire import data_dir, load_questionnaire, parse_questionnaire

BUILTIN = data_dir() / "casemix-nr-reg-2407.yaml"
REFERENCE = Path(__file__).resolve().parents[1].parent / "shared" / "reference" / "dkdl-casemix.md"


def test_builtin_questionnaire_loads_with_version_and_hash(questionnaire):
    assert questionnaire.id == "dkdl-casemix"
    assert questionnaire.version == "NR/REG-2407"
    assert len(questionnaire.content_hash) == 64
    assert [q.id for q in questionnaire.questions] == [f"Q{i}" for i in range(1, 13)]
    assert "Nederlandse Zorgautoriteit" in questionnaire.licence
    assert "NR/REG-2407" in questionnaire.source


@pytest.mark.skipif(not REFERENCE.exists(), reason="domain reference not beside the checkout")
def test_option_texts_are_verbatim_from_the_reference(questionnaire):
    """Every option and checklist text is word for word (emphasis too) in the reference."""
    reference = REFERENCE.read_text(encoding="utf-8")
    for question in questionnaire.questions:
        assert f"**{question.id} {question.title}**" in reference
        for option in question.options:
            assert f"{option.code}. {option.text}" in reference, (question.id, option.code)
        for item in question.checklist.items if question.checklist else []:
            assert f"| `{item.id}` | {item.text} | {item.nza_variable} |" in reference


def test_emphasis_is_kept(questionnaire):
    q5 = questionnaire.by_id["Q5"]
    assert q5.options[1].text.startswith("De cliënt heeft **soms** geheugenproblemen")
    assert questionnaire.by_id["Q11"].note == "Het bestellen van medicatie valt hier niet onder."


def _broken(tmp_path, mutate):
    data = yaml.safe_load(BUILTIN.read_text(encoding="utf-8"))
    mutate(data)
    path = tmp_path / "x.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "mutate,expected",
    [
        (
            lambda d: d["questions"][3]["options"][1].update(weight="zwaar"),
            "questions[3].options[1].weight: moet een geheel getal zijn",
        ),
        (
            lambda d: d["questions"][3]["options"][1].pop("text"),
            "questions[3].options[1].text: ontbreekt",
        ),
        (lambda d: d.pop("profiles"), "profiles: ontbreekt"),
        (
            lambda d: d["routing"][0].update(question="Q99"),
            "routing[0].question: onbekende vraag 'Q99'",
        ),
        (
            lambda d: d["routing"][0].update(option=7),
            "routing[0].option: vraag Q1 heeft geen optie 7",
        ),
        (
            lambda d: d["questions"][5].update(id="Q5"),
            "questions: vraag-id 'Q5' komt meer dan eens",
        ),
        (
            lambda d: d["questions"][11]["checklist"]["items"][1].update(id="zwachtelen"),
            "questions[11].checklist.items: item-id 'zwachtelen' dubbel",
        ),
        (
            lambda d: d["questions"][4].update(axis="humor"),
            "questions[4].axis: onbekende as 'humor'",
        ),
        (lambda d: d["questions"][4].update(colour="rood"), "questions[4].colour: onbekend veld"),
        (lambda d: d["profiles"].pop(), "profiles: elke combinatie"),
    ],
)
def test_malformed_file_names_file_and_field(tmp_path, mutate, expected):
    path = _broken(tmp_path, mutate)
    with pytest.raises(LoadError) as info:
        load_questionnaire(path)
    assert f"{path}: {expected}" in str(info.value)


def test_bad_yaml_names_the_position(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("id: x\nquestions: [\n", encoding="utf-8")
    with pytest.raises(LoadError) as info:
        load_questionnaire(path)
    assert str(info.value).startswith(f"{path}: geen geldige YAML (regel")


def test_not_a_mapping_and_missing_file(tmp_path):
    with pytest.raises(LoadError, match="moet een YAML-mapping zijn"):
        parse_questionnaire("- 1\n- 2\n", "lijst.yaml")
    with pytest.raises(LoadError, match="bestand niet gevonden"):
        load_questionnaire(tmp_path / "nope.yaml")


def test_score_command_with_broken_questionnaire_gives_message_not_traceback(tmp_path):
    path = _broken(tmp_path, lambda d: d["routing"][0].update(question="Q99"))
    proc = subprocess.run(
        [sys.executable, "-m", "dkdl", "score", "--questionnaire", str(path)],
        input=b'{"Q1": 2}\n',
        capture_output=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert b"Traceback" not in proc.stderr
    assert "routing[0].question: onbekende vraag 'Q99'" in proc.stderr.decode()
    assert proc.stdout == b""


UI_KIN = ("textual", "textual_serve", "textual_plotext", "textual_dev")


def test_core_does_not_import_textual():
    """Every module outside ``dkdl.tui`` imports without Textual or its kin (harlequin's rule:
    the core never imports the UI). Found by walking the package, so a new core module is
    checked the day it is added."""
    code = (
        "import importlib, pkgutil, sys\n"
        "import dkdl\n"
        # walk_packages would import dkdl.tui itself to look inside: walk by hand, skipping it
        "names, todo = [], [(dkdl.__path__, 'dkdl.')]\n"
        "while todo:\n"
        "    path, prefix = todo.pop()\n"
        "    for m in pkgutil.iter_modules(path, prefix):\n"
        "        if m.name in ('dkdl.tui', 'dkdl.__main__'):\n"
        "            continue\n"
        "        names.append(m.name)\n"
        "        if m.ispkg:\n"
        "            todo.append((importlib.import_module(m.name).__path__, m.name + '.'))\n"
        "for name in names:\n"
        "    importlib.import_module(name)\n"
        f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {UI_KIN!r})\n"
        "print(len(names), bad)\n"
        "sys.exit(1 if bad or len(names) < 40 else 0)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, encoding="utf-8", timeout=60
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
