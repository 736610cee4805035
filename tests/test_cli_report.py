"""``dkdl report``: the three formats, filters, escaping, and refusals (exit 2, nothing written)."""

from __future__ import annotations

import json
import re

import pytest

from dkdl.cli import main
from tests.conftest import digest
from tests.review_helpers import CASES_DIR, W_ITEMS, W_KEY, K, W, Writer, make_library, w_answers


@pytest.fixture
def log_path(tmp_path, questionnaire, scorer):
    writer = Writer(tmp_path / "log.db", questionnaire, scorer, make_library(questionnaire))
    writer.play("Anna", W, W_KEY, W_ITEMS, at="2026-03-02T09:00:00")
    writer.play("Bram", W, w_answers(Q5=1), W_ITEMS, at="2026-03-02T10:00:00")
    writer.play("Cor", W, W_KEY, ("complexe_wonden",), at="2026-03-03T09:00:00")
    writer.play("Anna", K, {"Q1": 2}, at="2026-03-04T09:00:00", mode="toets")
    writer.play("Anna", W, W_KEY, W_ITEMS, at="2026-03-05T09:00:00")  # second try: not counted
    writer.log.close()
    return writer.log.path


def report(log_path, out, *extra):
    return main(["report", "--db", str(log_path), "--out", str(out), "--cases", str(CASES_DIR)]
                + list(extra))  # fmt: skip


def test_json_report_has_the_figures(log_path, tmp_path, capsys):
    out = tmp_path / "verslag.json"
    assert report(log_path, out) == 0
    assert "4 sessies" in capsys.readouterr().err
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["sessions"] == 4
    assert data["profile_accuracy"] == 0.5
    assert data["confusion"] == {
        "DKDL8": {"DKDL2": 1, "DKDL7": 1, "DKDL8": 1},
        "KINDZORG": {"KINDZORG": 1},
    }
    q5 = data["questions"]["Q5"]
    assert (q5["answered"], q5["options"]) == (3, {"1": 1, "2": 2, "3": 0})
    assert q5["facility"] == pytest.approx(2 / 3)
    assert q5["kappa"] == pytest.approx(-0.5)
    # one case (one key answer): the low kappa says little, in words, and is not flagged
    assert (q5["agreement_key_answers"], q5["flags"]) == (1, [])
    assert "hetzelfde sleutelantwoord" in q5["kappa_note"]
    assert data["questions"]["Q4"]["kappa_note"] is None  # everyone chose 1: no kappa
    assert data["questions"]["Q1"]["answered"] == 4
    assert data["cases"][K] == {
        "title": data["cases"][K]["title"],
        "key_profile": "KINDZORG",
        "sessions": 1,
        "profile_accuracy": 1.0,
        "profiles": {"KINDZORG": 1},
    }
    assert data["nurses"]["Anna"]["sessions"] == 2
    assert data["filter"]["attempts"] == "first"


def test_json_report_filters(log_path, tmp_path):
    out = tmp_path / "anna.json"
    assert report(log_path, out, "--nurse", "anna", "--attempts", "all") == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["sessions"] == 3 and list(data["nurses"]) == ["Anna"]
    assert report(log_path, out, "--case", K, "--force") == 0
    assert json.loads(out.read_text(encoding="utf-8"))["sessions"] == 1
    assert report(log_path, out, "--mode", "toets", "--force") == 0
    assert json.loads(out.read_text(encoding="utf-8"))["sessions"] == 1
    assert report(log_path, out, "--since", "2026-03-03", "--until", "2026-03-04", "--force") == 0
    assert json.loads(out.read_text(encoding="utf-8"))["sessions"] == 2


def test_html_report_is_one_self_contained_page(log_path, tmp_path):
    out = tmp_path / "verslag.html"
    assert report(log_path, out) == 0
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    assert '<html lang="nl">' in html
    assert "Oefenverslag DKDL-registratie" in html
    assert "<svg" in html  # the charts, inline
    assert "Q5 Geheugen" in html
    assert '<td class="n">-0,50 °</td>' in html
    assert "<p>° Kappa zegt hier weinig" in html
    for outside in ("http://", "https://", "<script", "<link", "src=", "@import", "url("):
        assert outside not in html, outside


def test_markdown_report(log_path, tmp_path):
    out = tmp_path / "verslag.md"
    assert report(log_path, out) == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Oefenverslag DKDL-registratie")
    assert "| Q5 Geheugen | 3 | 67 % |" in text
    # the low kappa over one case is marked and explained under the table
    assert "| 33 % | -0,50 ° | 0,50 |" in text
    assert "\n\n° Kappa zegt hier weinig: alle casussen" in text
    assert "minstens twee verschillende sleutelantwoorden" in text
    assert "## Sleutelprofiel tegen geregistreerd profiel" in text


def test_text_from_the_log_is_escaped(tmp_path, questionnaire, scorer):
    writer = Writer(tmp_path / "log.db", questionnaire, scorer, make_library(questionnaire))
    odd = "<b>Eva</b> | *x* [y](www.example.org)"
    for i, name in enumerate((odd, "Fiona", "Ina")):
        writer.play(name, W, W_KEY, W_ITEMS, at=f"2026-03-0{i + 1}T09:00:00")
    # a log made elsewhere may hold what the app never writes: control codes in a name
    conn = writer.log.db.conn
    conn.execute("UPDATE nurses SET pseudonym = 'Fi\x1b[31mona\x07' WHERE pseudonym = 'Fiona'")
    conn.execute("UPDATE nurses SET pseudonym = 'Ina\u202eans\x85' WHERE pseudonym = 'Ina'")
    conn.commit()
    writer.log.close()
    texts = {}
    for suffix in ("html", "md", "json"):
        out = tmp_path / f"r.{suffix}"
        assert report(writer.log.path, out) == 0
        texts[suffix] = text = out.read_text(encoding="utf-8")
        for control in ("\x1b", "\x07", "\u202e", "\x85"):
            assert control not in text, (suffix, control)
    # JSON keeps the data (escaped), the documents show it harmlessly
    names = set(json.loads(texts["json"])["nurses"])
    assert names == {odd, "Fi\x1b[31mona\x07", "Ina\u202eans\x85"}
    assert "<b>Eva" not in texts["html"] and "&lt;b&gt;Eva&lt;/b&gt; | *x*" in texts["html"]
    assert r"\<b\>Eva\</b\> \| \*x\* \[y\]" in texts["md"]
    assert "www.example" not in texts["md"]  # no autolink
    assert "<b>" not in texts["md"]


def test_a_file_that_is_not_a_log_is_refused(tmp_path, capsys):
    path = tmp_path / "boodschappen.db"
    path.write_text("melk, brood\n", encoding="utf-8")
    before = digest(path)
    out = tmp_path / "r.html"
    assert report(path, out) == 2
    err = capsys.readouterr().err
    assert str(path) in err and "geen dkdl-logbestand" in err
    assert digest(path) == before
    assert not out.exists()
    assert report(tmp_path / "nergens.db", out) == 2
    assert "niet gevonden" in capsys.readouterr().err
    assert not (tmp_path / "nergens.db").exists() and not out.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "gisteren"], "geen datum"),
        (["--until", "2026-02-30"], "geen datum"),
        (["--mode", "examen"], "onbekende modus"),
        (["--mode", "vrij"], "geen sleutel"),
        (["--attempts", "laatste"], "kies first of all"),
        (["--nurse", "Zorro"], "niet gevonden"),
        (["--case", "bestaat-niet"], "geen sessies met deze casus"),
    ],
)
def test_bad_arguments_get_a_dutch_message(log_path, tmp_path, capsys, args, message):
    out = tmp_path / "r.json"
    before = digest(log_path)
    assert report(log_path, out, *args) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not out.exists()
    assert digest(log_path) == before


def test_out_must_say_the_format(log_path, tmp_path, capsys):
    assert report(log_path, tmp_path / "r.txt") == 2
    assert ".html, .md of .json" in capsys.readouterr().err
    assert report(log_path, tmp_path) == 2
    assert report(log_path, log_path.with_suffix(".json")) == 0  # a new file beside the log
    assert re.search(r"verslag over \d+ sessies", capsys.readouterr().err)


def test_an_existing_out_is_replaced_only_with_force(log_path, tmp_path, capsys):
    out = tmp_path / "verslag.md"
    out.write_text("mijn aantekeningen\n", encoding="utf-8")
    assert report(log_path, out) == 2
    err = capsys.readouterr().err
    assert "bestaat al" in err and "--force" in err
    assert out.read_text(encoding="utf-8") == "mijn aantekeningen\n"
    assert report(log_path, out, "--force") == 0
    assert out.read_text(encoding="utf-8").startswith("#")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".verslag")] == []


def test_a_symlink_as_out_is_refused_and_not_followed(log_path, tmp_path, capsys):
    elsewhere = tmp_path / "elders.json"
    elsewhere.write_text("{}", encoding="utf-8")
    link = tmp_path / "r.json"
    try:
        link.symlink_to(elsewhere)
    except (OSError, NotImplementedError):
        pytest.skip("no symlinks here")
    assert report(log_path, link, "--force") == 2
    assert "symbolische link" in capsys.readouterr().err
    assert elsewhere.read_text(encoding="utf-8") == "{}"
