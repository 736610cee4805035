"""Case folders from someone else (issue 9): links out of the folder, pipes, huge files, .yml,
control characters in every field, and messages in Dutch that name the file."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from dkdl.case_files import CASE_FILE_LIMIT
from dkdl.cases import builtin_cases_dir, case_dirs, load_library
from dkdl.errors import os_problem

POSIX = os.name == "posix"
ESC = "\x1b"
CLIPBOARD = "\x1b]52;c;ZWNobyBoYWNrZWQ=\x07"  # a terminal's 'write this to the clipboard'


def good_case() -> dict:
    """A valid built-in case as data (the first one; whichever it is, it validates)."""
    path = sorted(builtin_cases_dir().glob("*.yaml"))[0]
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def write_case(folder: Path, data: dict, suffix: str = ".yaml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{data['id']}{suffix}"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def run(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dkdl", *args],
        capture_output=True,
        timeout=timeout,
        text=True,
        encoding="utf-8",
    )


def test_yml_files_are_read_too(tmp_path, questionnaire):
    data = good_case()
    write_case(tmp_path / "eigen", data, suffix=".yml")
    library = load_library([tmp_path / "eigen"], questionnaire)
    assert library.problems == [] and [c.id for c in library.cases] == [data["id"]]


@pytest.mark.skipif(not POSIX, reason="symbolic links need extra rights on Windows")
def test_a_link_out_of_the_folder_is_refused_and_its_target_never_shown(tmp_path):
    secret = tmp_path / ".env"
    secret.write_text("DATABASE_PASSWORD=hunter2-geheim\n", encoding="utf-8")
    folder = tmp_path / "eigen"
    folder.mkdir()
    (folder / "lek.yaml").symlink_to(secret)
    proc = run("cases", "validate", str(folder))
    assert proc.returncode == 1
    assert f"{folder / 'lek.yaml'}: verwijst naar een bestand buiten de map" in proc.stdout
    assert "hunter2" not in proc.stdout + proc.stderr


@pytest.mark.skipif(not POSIX, reason="symbolic links need extra rights on Windows")
def test_a_link_inside_the_folder_is_followed(tmp_path, questionnaire):
    data = good_case()
    folder = tmp_path / "eigen"
    target = write_case(folder / "versies", data)
    (folder / f"{data['id']}.yaml").symlink_to(target)
    library = load_library([folder], questionnaire)
    assert library.problems == [] and len(library.cases) == 1


@pytest.mark.skipif(not POSIX, reason="symbolic links need extra rights on Windows")
def test_dangling_links_and_link_loops_are_named(tmp_path, questionnaire):
    folder = tmp_path / "eigen"
    folder.mkdir()
    (folder / "weg.yaml").symlink_to(folder / "bestaat-niet.yaml")
    (folder / "a.yaml").symlink_to(folder / "b.yaml")
    (folder / "b.yaml").symlink_to(folder / "a.yaml")
    problems = load_library([folder], questionnaire).problems
    assert problems == [
        f"{folder / 'a.yaml'}: kan het bestand niet lezen: te veel symbolische koppelingen "
        "achter elkaar",
        f"{folder / 'b.yaml'}: kan het bestand niet lezen: te veel symbolische koppelingen "
        "achter elkaar",
        f"{folder / 'weg.yaml'}: kan het bestand niet lezen: bestand niet gevonden",
    ]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_pipe_with_a_case_name_does_not_hang_validate(tmp_path):
    folder = tmp_path / "eigen"
    folder.mkdir()
    os.mkfifo(folder / "pijp.yaml")
    proc = run("cases", "validate", str(folder), timeout=30)  # a hang fails with TimeoutExpired
    assert proc.returncode == 1
    assert f"{folder / 'pijp.yaml'}: is geen gewoon bestand" in proc.stdout


def test_a_folder_with_a_case_name_is_named(tmp_path, questionnaire):
    (tmp_path / "eigen" / "map.yaml").mkdir(parents=True)
    library = load_library([tmp_path / "eigen"], questionnaire)
    assert library.problems == [
        f"{tmp_path / 'eigen' / 'map.yaml'}: is geen gewoon bestand "
        "(map, pijp of apparaat) en wordt niet gelezen"
    ]


def test_a_huge_case_file_is_refused_without_reading_it(tmp_path, questionnaire):
    folder = tmp_path / "eigen"
    folder.mkdir()
    path = folder / "groot.yaml"
    with path.open("wb") as fh:
        fh.truncate(100 * 1024 * 1024)  # 100 MB, sparse: no time spent writing it
    library = load_library([folder], questionnaire)
    assert library.problems == [
        f"{path}: is te groot (102400 kB; een casusbestand is hoogstens "
        f"{CASE_FILE_LIMIT // 1024} kB) en wordt niet gelezen; is dit wel een casus?"
    ]


def test_not_utf8_is_named_in_dutch(tmp_path, questionnaire):
    folder = tmp_path / "eigen"
    folder.mkdir()
    (folder / "latin.yaml").write_bytes("title: caf\u00e9\n".encode("latin-1"))
    library = load_library([folder], questionnaire)
    assert library.problems == [
        f"{folder / 'latin.yaml'}: is geen UTF-8-tekst (byte 0xe9 op positie 11); "
        "sla het bestand op als UTF-8"
    ]


def test_yaml_errors_are_dutch(tmp_path, questionnaire):
    folder = tmp_path / "eigen"
    folder.mkdir()
    (folder / "tab.yaml").write_text("id: tab\n\ttitle: x\n", encoding="utf-8")
    (folder / "dubbelepunt.yaml").write_text("id: a\ntitle: a: b\n", encoding="utf-8")
    (folder / "stuur.yaml").write_text("id: a\x1b\n", encoding="utf-8")
    problems = load_library([folder], questionnaire).problems
    assert len(problems) == 3
    for problem in problems:
        assert "geen geldige YAML" in problem
        for english in ("found", "expected", "allowed", "character", "mapping"):
            assert english not in problem.split("YAML", 1)[1], problem
    assert any("stuurteken" in p for p in problems)
    assert all(ESC not in p for p in problems)


def test_system_errors_are_dutch():
    assert os_problem(PermissionError(errno.EACCES, "Permission denied")).startswith(
        "geen toegang (rechten)"
    )
    assert os_problem(OSError(errno.ENOSPC, "No space left on device")).startswith("de schijf")
    assert "Permission" not in os_problem(PermissionError(errno.EACCES, "Permission denied"))
    assert os_problem(OSError(9999, "Something odd")) == (
        "kan het bestand niet gebruiken (systeemfout 9999)"
    )


# -- control characters in every field ------------------------------------------------------


def _toelichting(d: dict, text: str) -> None:
    first = next(iter(d["key"]))
    d["key"][first]["toelichting"] += text


FIELDS = [
    ("title", lambda d, s: d.update(title=d["title"] + s), "title"),
    ("vignette", lambda d, s: d.update(vignette=d["vignette"] + s), "vignette"),
    ("tag", lambda d, s: d.update(tags=[*d.get("tags", []), "x" + s]), "tags["),
    ("toelichting", _toelichting, ".toelichting"),
    ("version", lambda d, s: d.update(questionnaire_version=s), "questionnaire_version"),
    ("field name", lambda d, s: d.update({"extra" + s: 1}), "extra"),
]


@pytest.mark.parametrize("name,mutate,where", FIELDS, ids=[f[0] for f in FIELDS])
@pytest.mark.parametrize("code", [CLIPBOARD, ESC + "[31m", "\u202e", "\r", "\x9b2J"])
def test_control_characters_in_any_field_are_an_error_naming_file_and_field(
    tmp_path, questionnaire, name, mutate, where, code
):
    data = good_case()
    mutate(data, code)
    path = write_case(tmp_path / "eigen", data)
    library = load_library([tmp_path / "eigen"], questionnaire)
    assert library.cases == []
    hits = [p for p in library.problems if "stuurteken" in p]
    assert hits, library.problems
    assert hits[0].startswith(f"{path}: ") and where in hits[0], hits
    for problem in library.problems:  # the code itself never comes through
        assert not any(c in problem for c in (ESC, "\x07", "\u202e", "\r", "\x9b")), problem


def test_validate_and_list_print_no_control_codes(tmp_path):
    data = good_case()
    data["title"] += CLIPBOARD
    folder = tmp_path / f"map{ESC}[31m"
    write_case(folder, data)
    proc = run("cases", "validate", str(folder))
    assert proc.returncode == 1
    assert "stuurteken" in proc.stdout
    assert ESC not in proc.stdout + proc.stderr and "\\x1b" in proc.stdout
    listing = run("cases", "list", "--cases", str(folder))
    assert ESC not in listing.stdout + listing.stderr


def test_pydantic_english_is_kept_out(tmp_path, questionnaire):
    data = good_case()
    data["title"] = "x" * 200
    data["difficulty"] = [1]
    path = write_case(tmp_path / "eigen", data)
    problems = load_library([tmp_path / "eigen"], questionnaire).problems
    assert any(p.startswith(f"{path}: title: is te lang (hoogstens 120 tekens)") for p in problems)
    assert any(p.startswith(f"{path}: difficulty: moet een geheel getal zijn") for p in problems)
    assert not any("should" in p or "String" in p or "Input" in p for p in problems), problems


def test_cases_new_names_a_folder_it_cannot_make_in_dutch(tmp_path):
    blocker = tmp_path / "bestand"
    blocker.write_text("x", encoding="utf-8")
    proc = run("cases", "new", "nieuw-01", "--dir", str(blocker / "sub"))
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        f"dkdl: {blocker / 'sub'}: kan de map niet maken: een deel van het pad is geen map"
    )


def test_both_yaml_loaders_read_the_library_alike(questionnaire, monkeypatch):
    # libyaml's safe loader where PyYAML has it (fast), the pure-Python SafeLoader otherwise:
    # the same cases, keys and texts either way
    import dkdl.questionnaire as qmod
    from dkdl.cases import case_dirs

    fast = load_library(case_dirs([]), questionnaire)
    monkeypatch.setattr(qmod, "_SAFE_LOADER", yaml.SafeLoader)
    slow = load_library(case_dirs([]), questionnaire)
    assert [c.data for c in fast.cases] == [c.data for c in slow.cases]
    assert fast.problems == slow.problems and len(fast.cases) > 10


@pytest.mark.skipif(not POSIX, reason="symbolic links need extra rights on Windows")
def test_a_case_folder_given_as_a_link_loop_is_named_not_a_traceback(tmp_path):
    # Path.resolve() raises RuntimeError on a loop (Python < 3.13); case_dirs used it to see
    # a folder given twice, so `--cases` with such a link ended in a traceback everywhere.
    loop = tmp_path / "lus"
    loop.symlink_to(tmp_path / "lus2")
    (tmp_path / "lus2").symlink_to(loop)
    proc = run("cases", "list", "--cases", str(loop))
    assert "Traceback" not in proc.stderr, proc.stderr
    assert f"{loop}: kan de map niet lezen" in proc.stdout + proc.stderr
    assert case_dirs([loop, loop], builtin=False) == [loop]
