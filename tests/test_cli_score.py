"""`dkdl score` as DESIGN.md §4.1 fixes it, run as a real process."""

import json
import subprocess
import sys

import pytest

C = {
    "id": "C",
    "Q1": 1,
    "Q2": 1,
    "Q3": 1,
    "Q4": 1,
    "Q5": 2,
    "Q6": 2,
    "Q7": 1,
    "Q8": 3,
    "Q9": 2,
    "Q10": 3,
    "Q11": 2,
    "Q12": 2,
    "Q12_items": ["injecties"],
}


def run(*args, stdin=b"", cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "dkdl", *args], input=stdin, capture_output=True, timeout=60, cwd=cwd
    )


def jsonl(*objs):
    return b"".join(json.dumps(o).encode() + b"\n" for o in objs)


def test_scores_stdin_in_the_fixed_format():
    proc = run("score", stdin=jsonl(C, {"id": 7, "Q1": 2}))
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(x) for x in proc.stdout.decode().splitlines()]
    assert lines == [
        {
            "id": "C",
            "profile": "DKDL12",
            "label": "Profiel DKDL 12: Verminderd draagkrachtig, verhoogde draaglast, "
            "hoge ondersteuningsbehoefte",
            "scores": {"draagkracht": 4, "draaglast": 2, "ondersteuningsbehoefte": 8},
            "warnings": [],
        },
        {
            "id": 7,
            "profile": "KINDZORG",
            "label": "Medische kindzorg thuis",
            "scores": None,
            "warnings": [],
        },
    ]


def test_bad_lines_are_named_and_the_rest_still_scored(tmp_path):
    bad_range = dict(C, Q10=5)
    missing = {k: v for k, v in C.items() if k != "Q7"}
    unknown_item = dict(C, Q12_items=["infuus"])
    data = (
        jsonl(C)
        + b"{not json\n"
        + jsonl(bad_range, missing, unknown_item)
        + b'{"Q1": 1, "Q2": 1, "Q3": 1, "Q99": 1}\n'
        + jsonl({"Q1": 2})
    )
    path = tmp_path / "in.jsonl"
    path.write_bytes(data)
    proc = run("score", str(path), cwd=tmp_path)
    assert proc.returncode == 1
    out = [json.loads(x)["profile"] for x in proc.stdout.decode().splitlines()]
    assert out == ["DKDL12", "KINDZORG"]
    err = proc.stderr.decode().splitlines()
    assert err[0].startswith("regel 2: geen geldige JSON")
    assert err[1] == "regel 3: Q10: optie 5 bestaat niet (kies 1 t/m 3)"
    assert err[2] == "regel 4: ontbrekend antwoord op Q7 (verplicht bij deze antwoorden)"
    assert err[3].startswith("regel 5: Q12_items: onbekend item 'infuus'")
    assert err[4].startswith("regel 6: onbekende vraag 'Q99'")
    assert b"Traceback" not in proc.stderr


def test_quirk_warnings_appear_in_the_output():
    proc = run("score", stdin=jsonl(dict(C, Q12=1), dict(C, Q12_items=[])))
    assert proc.returncode == 0
    first, second = (json.loads(x) for x in proc.stdout.decode().splitlines())
    assert first["scores"]["ondersteuningsbehoefte"] == 7 and "genegeerd" in first["warnings"][0]
    assert second["scores"]["ondersteuningsbehoefte"] == 7
    assert "geen item aangevinkt" in second["warnings"][0]


def test_unreached_answers_are_ignored():
    proc = run("score", stdin=jsonl({"Q1": 1, "Q2": 2, "Q3": 1, "Q4": 3, "Q12_items": ["sonde"]}))
    assert proc.returncode == 0
    assert json.loads(proc.stdout)["profile"] == "PTZ"


@pytest.mark.parametrize(
    "args,fragment",
    [
        (["score", "missing.jsonl"], "missing.jsonl: bestand niet gevonden"),
        (["score", "--questionnaire", "nope.yaml"], "nope.yaml: bestand niet gevonden"),
        (["score", "--what"], "onbekende argumenten: --what"),
    ],
)
def test_bad_command_lines_give_a_message_not_a_traceback(tmp_path, args, fragment):
    proc = run(*args, cwd=tmp_path)
    assert proc.returncode == 2
    assert fragment in proc.stderr.decode()
    assert b"Traceback" not in proc.stderr


def test_version_and_help():
    assert run("--version").stdout.decode().startswith("dkdl ")
    helptext = run("--help").stdout.decode()
    assert "score" in helptext and "gebruik:" in helptext


def test_db_option_before_or_after_the_command():
    from dkdl.cli import build_parser

    parser = build_parser()
    assert parser.parse_args([]).db is None
    assert parser.parse_args(["--db", "a.db", "run"]).db == "a.db"
    assert parser.parse_args(["--db", "a.db", "cases", "list"]).db == "a.db"
    assert parser.parse_args(["run", "--db", "b.db"]).db == "b.db"
    assert parser.parse_args(["--db", "a.db", "score", "--db", "b.db"]).db == "b.db"


def test_pathological_lines_are_named_and_do_not_lose_earlier_output():
    data = jsonl(C) + b"[" * 50_000 + b"\n" + b'{"id": "\\ud800", "Q1": 2}\n' + jsonl({"Q1": 2})
    proc = run("score", stdin=data)
    assert proc.returncode == 1
    assert [json.loads(x)["profile"] for x in proc.stdout.decode().splitlines()] == [
        "DKDL12",
        "KINDZORG",
    ]
    err = proc.stderr.decode().splitlines()
    assert err == [
        "regel 2: geen geldige JSON (te diep genest)",
        "regel 3: id bevat een teken dat geen geldige tekst is",
    ]
