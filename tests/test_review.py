"""The trainer review core (dkdl/review.py) on small logs whose figures are computed by hand.

The logs are written through the log's own API (SqliteLog), as the app writes them; start
times are then set with one UPDATE so that order and periods are under the test's control.
Cases: the two fixed test cases in tests/data/tui_cases:

- ``tui-wondzorg-01`` (W): key Q1-Q3 = 1, Q4 = 1, Q5 = 2, Q6 = 1, Q7 = 1, Q8 = 2, Q9 = 1,
  Q10 = 2, Q11 = 1, Q12 = 2 with items complexe_wonden + zwachtelen; profile DKDL8.
- ``tui-kind-01`` (K): key Q1 = 2 only (routing to KINDZORG).
"""

from __future__ import annotations

from datetime import date

import pytest

from dkdl.cases import load_library
from dkdl.review import FilterError, Review, ReviewFilter
from dkdl.scoring import Answers
from dkdl.store import NurseKey, StoreError, add_alias, import_logs, open_log, remove_alias
from tests.conftest import digest
from tests.review_helpers import W_ITEMS, W_KEY, K, W, Writer, make_library, w_answers


@pytest.fixture(scope="module")
def library(questionnaire):
    return make_library(questionnaire)


@pytest.fixture
def writer(tmp_path, questionnaire, scorer, library):
    return Writer(tmp_path / "log.db", questionnaire, scorer, library)


@pytest.fixture
def three(writer):
    """Anna right, Bram Q5 = 1 (DKDL2), Cor one Q12 item short (DKDL7), all on W."""
    writer.play("Anna", W, W_KEY, W_ITEMS, at="2026-03-02T09:00:00")
    writer.play("Bram", W, w_answers(Q5=1), W_ITEMS, at="2026-03-02T10:00:00")
    writer.play("Cor", W, W_KEY, ("complexe_wonden",), at="2026-03-03T09:00:00")
    with writer.review() as review:
        yield review


def test_counts_facility_and_options_by_hand(three):
    a = three.analysis()
    assert a.sessions == 3
    assert a.profile_accuracy == pytest.approx(1 / 3)
    assert a.confusion == {"DKDL8": {"DKDL8": 1, "DKDL2": 1, "DKDL7": 1}}
    q5, q12, q4 = a.questions["Q5"], a.questions["Q12"], a.questions["Q4"]
    assert (q5.answered, q5.correct, q5.options) == (3, 2, {"1": 1, "2": 2, "3": 0})
    assert q5.facility == pytest.approx(2 / 3)
    assert q5.wrong_options == {"1": 1}
    # Q12: the same option with other items is not the key's answer
    assert (q12.answered, q12.correct, q12.options) == (3, 2, {"1": 0, "2": 3})
    assert (q4.answered, q4.facility) == (3, 1.0)


def test_agreement_kappa_and_discrimination_by_hand(three):
    q = three.analysis().questions
    # one case, three ratings {2: 2, 1: 1}: 1 agreeing pair of 3; kappa
    # 1 - ((2*1 + 1*2)/3) / (1 * (3 - 1) * (2/3*1/3 + 1/3*2/3)) = 1 - (4/3)/(8/9) = -0.5
    assert q["Q5"].agreement == pytest.approx(1 / 3)
    assert (q["Q5"].agreement_cases, q["Q5"].agreement_pairs) == (1, 3)
    assert q["Q5"].kappa == pytest.approx(-0.5)
    # Q12 categories: (2, both items) twice, (2, one item) once: the same pattern
    assert q["Q12"].agreement == pytest.approx(1 / 3)
    assert q["Q12"].kappa == pytest.approx(-0.5)
    # everyone chose 1 on Q4: full agreement, kappa undefined (no variation)
    assert q["Q4"].agreement == 1.0
    assert q["Q4"].kappa is None
    # profile right: Anna (Q5 right); profile wrong: Bram (Q5 wrong), Cor (Q5 right)
    assert q["Q5"].discrimination == pytest.approx(1 - 1 / 2)
    assert q["Q12"].discrimination == pytest.approx(1 - 1 / 2)
    assert q["Q4"].discrimination == pytest.approx(0.0)


def test_negative_discrimination_by_hand(writer, scorer):
    """Four nurses on W. Q4 = 2 alone keeps W's profile DKDL8, Q5 = 1 makes it DKDL2
    (checked below). Right profile: Anna (key) and Bram (Q4 = 2): Q4 facility 1/2. Wrong
    profile: Cor and Dirk (Q5 = 1, Q4 as the key): Q4 facility 2/2. Discrimination of Q4:
    1/2 - 1 = -1/2; of Q5: 2/2 - 0/2 = 1."""
    key = dict(W_KEY)
    assert scorer.score(Answers({**key, "Q4": 2}, frozenset(W_ITEMS))).profile == "DKDL8"
    assert scorer.score(Answers({**key, "Q5": 1}, frozenset(W_ITEMS))).profile == "DKDL2"
    writer.play("Anna", W, W_KEY, W_ITEMS, at="2026-03-02T09:00:00")
    writer.play("Bram", W, w_answers(Q4=2), W_ITEMS, at="2026-03-02T10:00:00")
    writer.play("Cor", W, w_answers(Q5=1), W_ITEMS, at="2026-03-02T11:00:00")
    writer.play("Dirk", W, w_answers(Q5=1), W_ITEMS, at="2026-03-02T12:00:00")
    with writer.review() as review:
        q = review.analysis().questions
    assert q["Q4"].discrimination == pytest.approx(-0.5)
    assert q["Q5"].discrimination == pytest.approx(1.0)


def test_routing_rule(writer):
    # Dirk answered everything on W, then changed Q1 to 'jonger dan 18': only Q1 reached
    writer.play("Dirk", W, {"Q1": 2}, at="2026-03-02T09:00:00", first=W_KEY)
    # Eva on K (key reaches only Q1) answers as an adult: Q1 counts, Q2-Q12 do not
    writer.play("Eva", K, w_answers(), W_ITEMS, at="2026-03-02T10:00:00")
    with writer.review() as review:
        q = review.analysis().questions
        assert q["Q1"].answered == 2
        assert q["Q1"].correct == 0
        assert q["Q1"].options == {"1": 1, "2": 1}
        assert all(q[f"Q{i}"].answered == 0 for i in range(2, 13))
        assert q["Q5"].facility is None
        detail = review.session_detail(
            review.sessions_page(ReviewFilter(nurse="Dirk")).rows[0].session_id
        )
        assert [r.question_id for r in detail.rows] == [f"Q{i}" for i in range(1, 13)]
        assert detail.rows[0].mine == 2 and detail.rows[0].same is False
        assert detail.rows[4].mine is None and detail.rows[4].key == 2  # not reached by her
        assert ("Q5", 2) in detail.skipped


def test_first_attempt_rule(writer):
    writer.play("Anna", W, W_KEY, W_ITEMS, at="2026-03-01T08:00:00", status="afgebroken")
    writer.play("Anna", W, w_answers(Q5=1), W_ITEMS, at="2026-03-02T09:00:00")
    writer.play("Anna", W, W_KEY, W_ITEMS, at="2026-03-09T09:00:00")
    writer.play("Anna", None, W_KEY, W_ITEMS, at="2026-03-09T10:00:00", mode="vrij")
    writer.play("Bram", W, W_KEY, W_ITEMS, at="2026-03-10T09:00:00")
    with writer.review() as review:
        first = review.analysis()
        assert first.sessions == 2  # Anna's first finished attempt, Bram's
        assert first.questions["Q5"].correct == 1
        every = review.analysis(ReviewFilter(attempts="all"))
        assert every.sessions == 3
        assert every.questions["Q5"].correct == 2
        # the rule looks at the whole log: in the week of her second try, she has no first try
        later = review.analysis(ReviewFilter(since=date(2026, 3, 5), until=date(2026, 3, 9)))
        assert later.sessions == 0
        assert later.profile_accuracy is None
        page = review.sessions_page(ReviewFilter(nurse="Anna"))
        assert page.total == 4  # the table shows every session of hers
        counted = review.sessions_page(ReviewFilter(nurse="anna"), counted_only=True)
        assert [r.started_at.day for r in counted.rows] == [2]


def test_sessions_page_filters_sorts_and_pages(writer):
    for i, name in enumerate(["Cor", "Anna", "Bram", "Anna"]):
        writer.play(name, W, W_KEY, W_ITEMS, at=f"2026-03-0{i + 1}T09:00:00")
    writer.play("Anna", K, {"Q1": 2}, at="2026-03-06T09:00:00", mode="toets")
    with writer.review() as review:
        page = review.sessions_page(limit=2)
        assert page.total == 5
        assert [r.started_at.day for r in page.rows] == [6, 4]
        page2 = review.sessions_page(limit=2, offset=2)
        assert [r.started_at.day for r in page2.rows] == [3, 2]
        by_name = review.sessions_page(sort="nurse", descending=False)
        assert [r.nurse for r in by_name.rows] == ["Anna", "Anna", "Anna", "Bram", "Cor"]
        assert review.sessions_page(ReviewFilter(mode="toets")).total == 1
        assert review.sessions_page(ReviewFilter(case=K)).rows[0].profile == "KINDZORG"
        march = ReviewFilter(since=date(2026, 3, 2), until=date(2026, 3, 3))
        assert review.sessions_page(march).total == 2
        assert review.sessions_page(ReviewFilter(nurse="Nobody")).total == 0
        assert review.sessions_page(sort="duration").total == 5
        with pytest.raises(FilterError):
            review.sessions_page(sort="colour")


def test_session_detail_against_the_key(writer):
    sid = writer.play("Cor", W, W_KEY, ("complexe_wonden",), at="2026-03-03T09:00:00")
    with writer.review() as review:
        d = review.session_detail(sid)
        assert (d.profile, d.key_profile, d.match) == ("DKDL7", "DKDL8", False)
        assert d.case_title and d.notes == []
        q12 = d.rows[-1]
        assert (q12.mine, q12.key, q12.same) == (2, 2, False)
        assert q12.mine_items == ("complexe_wonden",)
        assert q12.key_items == ("zwachtelen", "complexe_wonden")  # in questionnaire order
        assert "Complexe wond" in (q12.toelichting or "")
        assert d.rows[4].same is True and d.rows[4].toelichting
        with pytest.raises(KeyError):
            review.session_detail("00000000-0000-4000-8000-000000000000")


def test_case_missing_from_library(writer, questionnaire):
    writer.play("Anna", W, W_KEY, W_ITEMS, at="2026-03-02T09:00:00")
    writer.log.close()
    empty = load_library([], questionnaire)
    log = open_log(writer.log.path, create=False, readonly=True)
    with Review(log, empty, questionnaire, own_log=True) as review:
        a = review.analysis()
        assert a.sessions == 1 and a.profile_accuracy == 1.0  # the key profile is in the log
        assert a.questions["Q5"].answered == 0  # but no key answers to compare with
        assert any(W in note and "niet gevonden" in note for note in a.notes)
        d = review.session_detail(review.sessions_page().rows[0].session_id)
        assert d.notes and all(r.same is None for r in d.rows)


def test_to_json_has_the_contract_fields(three):
    data = three.analysis().to_json()
    for key in ("sessions", "profile_accuracy", "questions", "confusion", "cases", "nurses"):
        assert key in data
    assert list(data["questions"]) == [f"Q{i}" for i in range(1, 13)]
    q5 = data["questions"]["Q5"]
    for key in ("answered", "facility", "options", "agreement", "kappa", "discrimination", "flags"):
        assert key in q5
    assert data["cases"][W]["sessions"] == 3
    assert data["cases"][W]["profiles"] == {"DKDL2": 1, "DKDL7": 1, "DKDL8": 1}
    assert set(data["nurses"]) == {"Anna", "Bram", "Cor"}
    assert data["nurses"]["Bram"]["weakest"][0]["question"] == "Q5"


def test_nurse_progress_and_weakest(writer):
    writer.play("Anna", W, w_answers(Q5=1, Q10=3), W_ITEMS, at="2026-01-05T09:00:00")
    writer.play("Anna", K, {"Q1": 2}, at="2026-02-10T09:00:00")
    writer.play("Anna", K, {"Q1": 2}, at="2026-04-10T09:00:00", mode="toets")
    with writer.review() as review:
        nurses = review.analysis(ReviewFilter(attempts="all")).nurses
        (anna,) = nurses.values()
        assert [p.period for p in anna.progress] == ["2026-01", "2026-02", "2026-04"]
        assert [p.sessions for p in anna.progress] == [1, 1, 1]
        assert [p.profile_accuracy for p in anna.progress] == [0.0, 1.0, 1.0]
        assert [q.question_id for q in anna.weakest()] == ["Q5", "Q10"]
        assert anna.sessions == 3 and anna.profile_accuracy == pytest.approx(2 / 3)


def test_filter_refuses_bad_values_in_dutch():
    with pytest.raises(FilterError, match="geen datum"):
        ReviewFilter.parse(since="1 maart")
    with pytest.raises(FilterError, match="onbekende modus"):
        ReviewFilter.parse(mode="examen")
    with pytest.raises(FilterError, match="first of all"):
        ReviewFilter.parse(attempts="laatste")
    with pytest.raises(FilterError, match="na de einddatum"):
        ReviewFilter.parse(since="2026-03-02", until="2026-03-01")


def test_not_a_log_is_refused_and_untouched(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("geen database\n", encoding="utf-8")
    before = digest(path)
    with pytest.raises(StoreError) as err:
        Review.open(path, builtin=False)
    assert str(path) in str(err.value)
    assert digest(path) == before
    with pytest.raises(StoreError):
        Review.open(tmp_path / "missing.db", builtin=False)
    assert not (tmp_path / "missing.db").exists()


def test_review_never_writes_the_log(writer):
    writer.play("Anna", W, W_KEY, W_ITEMS, at="2026-03-02T09:00:00")
    writer.log.close()
    before = digest(writer.log.path)
    log = open_log(writer.log.path, create=False, readonly=True)
    with Review(log, writer.library, writer.q, own_log=True) as review:
        review.analysis().to_json()
        review.sessions_page(counted_only=True)
    assert digest(writer.log.path) == before


def test_two_nurses_with_one_name_and_an_alias(tmp_path, questionnaire, scorer, library):
    laptops = []
    for i, q5 in enumerate((2, 1)):  # Anna on laptop 1 right, Anna on laptop 2 wrong on Q5
        w = Writer(tmp_path / f"laptop{i + 1}.db", questionnaire, scorer, library)
        w.play("Anna", W, w_answers(Q5=q5), W_ITEMS, at=f"2026-03-0{i + 2}T09:00:00")
        if i == 0:
            w.play("Bram", W, W_KEY, W_ITEMS, at="2026-03-02T10:00:00")
        laptops.append((w.log.installation_id, w.log.path))
        w.log.close()
    trainer = tmp_path / "trainer.db"
    with open_log(trainer) as log:
        import_logs(log, [p for _, p in laptops])
    log = open_log(trainer, create=False, readonly=True)
    with Review(log, library, questionnaire, own_log=True) as review:
        names = [n.display for n in review.nurses()]
        assert names == ["Anna (laptop 1)", "Anna (laptop 2)", "Bram"]
        a = review.analysis()
        assert a.sessions == 3  # two Annas: each her own first attempt
        data = a.to_json()["nurses"]
        assert data["Anna (laptop 2)"]["laptop"] == 2
        assert data["Anna (laptop 2)"]["weakest"][0]["question"] == "Q5"
        page = review.sessions_page(sort="laptop", descending=False)
        assert [(r.nurse, r.laptop) for r in page.rows] == [
            ("Anna (laptop 1)", 1),
            ("Bram", 1),
            ("Anna (laptop 2)", 2),
        ]
        assert review.sessions_page(ReviewFilter(nurse="Anna (laptop 2)")).total == 1
        assert review.sessions_page(ReviewFilter(nurse="anna")).total == 2
        # the trainer says they are one person: one nurse, her first attempt counts once
        add_alias(log, NurseKey("Anna", laptops[0][0]), NurseKey("Anna", laptops[1][0]))
        review.reload_identities()
        assert [n.display for n in review.nurses()] == ["Anna", "Bram"]
        merged = review.analysis()
        assert merged.sessions == 2
        (anna,) = [s for s in merged.nurses.values() if s.nurse.pseudonym == "Anna"]
        assert anna.sessions == 1 and anna.profile_accuracy == 1.0
        remove_alias(log, NurseKey("Anna", laptops[0][0]), NurseKey("Anna", laptops[1][0]))
        review.reload_identities()
        assert len(review.nurses()) == 3


def test_refresh_sees_sessions_written_while_open(writer):
    writer.play("Anna", W, W_KEY, W_ITEMS, at="2026-03-02T09:00:00")
    log = open_log(writer.log.path, create=False, readonly=True)
    with Review(log, writer.library, writer.q, own_log=True) as review:
        assert review.analysis().sessions == 1
        writer.play("Bram", W, W_KEY, W_ITEMS, at="2026-03-03T09:00:00")  # the app, meanwhile
        assert review.sessions_page().total == 2  # the table reads the file as it is now
        review.refresh()
        assert review.analysis().sessions == 2
        assert [n.display for n in review.nurses()] == ["Anna", "Bram"]


def test_later_pages_follow_a_kept_order_until_the_file_changes(writer):
    # pages after the first are cut from the whole order, computed once per filter and sort
    names = ["Cor", "Anna", "Bram", "Anna", "Dirk", "Bram", "Eva"]
    for i, name in enumerate(names):
        writer.play(name, W, W_KEY, W_ITEMS, at=f"2026-03-0{i + 1}T09:00:00")
    with writer.review() as review:
        for sort in ("nurse", "date", "duration", "match"):
            for descending in (False, True):
                whole = review.sessions_page(sort=sort, descending=descending, limit=100).rows
                paged = []
                for offset in range(0, 7, 2):
                    page = review.sessions_page(
                        sort=sort, descending=descending, offset=offset, limit=2
                    )
                    assert page.total == 7 and page.offset == offset
                    paged += page.rows
                assert [r.session_id for r in paged] == [r.session_id for r in whole]
        anna = review.sessions_page(ReviewFilter(nurse="Anna"), sort="nurse", offset=1, limit=5)
        assert (anna.total, len(anna.rows)) == (2, 1)
        # another program writes to the file: the kept order is not used any more
        before = review.sessions_page(sort="nurse", offset=2, limit=100)
        other = open_log(writer.log.path)
        sid = other.start_session(nurse="Anna", mode="vrij", questionnaire=writer.q, case=None)
        other.close()
        after = review.sessions_page(sort="nurse", offset=2, limit=100)
        assert after.total == before.total + 1 == 8
        assert sid in {r.session_id for r in after.rows}


def test_without_a_questionnaire_the_table_reads_and_the_rest_says_why_not(writer, library):
    # Trainer mode reads the first page before the questionnaire (Review(log) alone); anything
    # else that forgets it gets a clear error, and a library given without one is kept.
    writer.play("Anna", W, W_KEY, W_ITEMS, at="2026-03-02T09:00:00")
    writer.log.close()
    log = open_log(writer.log.path, create=False, readonly=True)
    with Review(log, library, own_log=True) as review:
        assert review.sessions_page(ReviewFilter()).total == 1
        assert [n.display for n in review.nurses()] == ["Anna"]
        assert review.case_ids() == [W]
        assert review.case(W) is library.by_id(W)  # the library given is used
        session_id = review.sessions_page(ReviewFilter()).rows[0].session_id
        for needs_questions in (
            lambda: review.scorer,
            lambda: review.analysis().sessions,
            lambda: review.session_detail(session_id),
            review.notes,
            review.prepare,
        ):
            with pytest.raises(ValueError, match="no questionnaire yet"):
                needs_questions()
        review.use_library(library, writer.q)
        assert review.analysis().sessions == 1
        assert review.session_detail(session_id).profile is not None
