"""The review's fast path (dkdl/review_index.py: every counted session once in memory, any
filter in one pass) against a straightforward computation of the same figures from the log's
rows, on a small hand-made log, for first and all attempts and several filters.

The straightforward computation below reads sessions and answers with plain SQL and applies
the definitions of docs/report.md one session at a time: the first-attempt rule over the whole
log, the routing rule through :meth:`dkdl.scoring.Scorer.reached`, the key from the case
library, the checklist's items, then the statistics of dkdl/review_stats.py.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from datetime import date, timedelta

import pytest

from dkdl.review import ReviewFilter
from dkdl.review_model import local_time, utc_bound
from dkdl.review_stats import (
    Thresholds,
    flags_for,
    fleiss_kappa,
    group_difference,
    kappa_note,
    pair_agreement,
)
from dkdl.store import ITEM_SEP
from tests.review_helpers import W_ITEMS, W_KEY, K, W, Writer, make_library, w_answers

LOW = Thresholds(min_answered=1, min_group=1)  # flags on a small log too


@pytest.fixture(scope="module")
def library(questionnaire):
    return make_library(questionnaire)


@pytest.fixture
def log(tmp_path, questionnaire, scorer, library):
    """Five nurses, both cases, repeats, routing, checklist items, every status and mode."""
    w = Writer(tmp_path / "log.db", questionnaire, scorer, library)
    w.play("Anna", W, w_answers(Q5=1), W_ITEMS, at="2026-03-02T09:00:00")
    w.play("Anna", W, W_KEY, W_ITEMS, at="2026-03-09T09:00:00")
    w.play("Anna", W, W_KEY, ("complexe_wonden",), at="2026-03-20T09:00:00", mode="toets")
    w.play("Anna", K, {"Q1": 2}, at="2026-03-03T09:00:00")
    w.play("Anna", K, w_answers(), W_ITEMS, at="2026-04-03T09:00:00", mode="toets")
    w.play("Bram", W, w_answers(Q5=1, Q10=3), ("zwachtelen",), at="2026-03-04T09:00:00")
    w.play("Bram", W, w_answers(Q12=1), at="2026-03-05T09:00:00")
    w.play("Bram", W, W_KEY, W_ITEMS, at="2026-03-06T09:00:00", status="afgebroken")
    w.play("Bram", K, {"Q1": 2}, at="2026-05-06T09:00:00", mode="toets")
    w.play("Cor", W, W_KEY, ("complexe_wonden",), at="2026-03-03T10:00:00")
    w.play("Cor", W, {"Q1": 2}, at="2026-03-10T10:00:00", first=W_KEY)  # routed away
    w.play("Cor", None, W_KEY, W_ITEMS, at="2026-03-11T10:00:00", mode="vrij")
    w.play("Dirk", W, w_answers(Q3=2), at="2026-03-12T09:00:00")  # routed: tijdelijk
    w.play("Dirk", W, w_answers(Q4=2, Q6=3, Q9=4), W_ITEMS, at="2026-03-13T09:00:00")
    w.play("Eva", W, w_answers(Q5=3, Q7=2), W_ITEMS[::-1], at="2026-06-01T09:00:00")
    w.play("Eva", K, w_answers(Q8=1), ("zwachtelen",), at="2026-06-02T09:00:00")
    # an option code the questionnaire does not have (a log of another version): counted as
    # a wrong answer with that code, read answer by answer by the fast path
    odd = w.play("Fem", W, w_answers(Q5=1), W_ITEMS, at="2026-03-14T09:00:00")
    w.log.db.conn.execute(
        "UPDATE answers SET option = 7 WHERE question = 'Q5' AND session = "
        "(SELECT id FROM sessions WHERE uuid = ?)",
        (odd,),
    )
    w.log.db.conn.commit()
    w.log.close()
    return w


def straightforward(path, library, scorer, questionnaire, flt: ReviewFilter) -> dict:
    """The figures of ``flt``, one session at a time (see the module's docstring)."""
    conn = sqlite3.connect(path)
    sessions = conn.execute(
        "SELECT s.id, n.pseudonym, coalesce(s.installation, ''), s.mode, s.case_id, "
        "s.started_at, s.status, s.profile, s.key_profile, s.match FROM sessions s "
        "JOIN nurses n ON n.id = s.nurse ORDER BY s.started_at, s.id"
    ).fetchall()
    given: dict[int, dict[str, tuple[int, frozenset]]] = defaultdict(dict)
    for sid, qid, option, items in conn.execute(
        "SELECT session, question, option, items FROM answers"
    ):
        given[sid][qid] = (option, frozenset(items.split(ITEM_SEP)) if items else frozenset())
    conn.close()
    keyed = [
        s for s in sessions if s[6] == "afgerond" and s[3] in ("oefenen", "toets") and s[4] and s[8]
    ]
    if flt.attempts == "first":  # over the whole log, before the filter
        seen, firsts = set(), []
        for s in keyed:
            if (s[1], s[2], s[4]) not in seen:
                seen.add((s[1], s[2], s[4]))
                firsts.append(s)
        keyed = firsts
    low = utc_bound(flt.since) if flt.since else None
    high = utc_bound(flt.until + timedelta(days=1)) if flt.until else None
    counted = [
        s
        for s in keyed
        if (flt.nurse is None or s[1] == flt.nurse)
        and (flt.case is None or s[4] == flt.case)
        and (flt.mode is None or s[3] == flt.mode)
        and (low is None or s[5] >= low)
        and (high is None or s[5] < high)
    ]
    checklist = next(q for q in questionnaire.questions if q.checklist is not None)
    when = checklist.checklist.when_option
    per_session = {}  # sid -> [(qid, option, same, category)]
    for s in counted:
        case = library.by_id(s[4])
        mine = given[s[0]]
        out = []
        if case is not None and case.profile == s[8]:
            reached = scorer.reached({q: o for q, (o, _) in mine.items()})
            for question in questionnaire.questions:
                qid = question.id
                if qid not in reached or qid not in case.data.key or qid not in mine:
                    continue
                option, items = mine[qid]
                key = case.data.key[qid]
                same = option == key.answer
                category: object = option
                if qid == checklist.id and option == when:
                    category = (option, items)
                    same = same and items == frozenset(key.items)
                out.append((qid, option, same, category))
        per_session[s[0]] = out
    # sessions, confusion, cases
    confusion: dict = {}
    cases: dict = {}
    for s in counted:
        reg = s[7] or "?"
        confusion.setdefault(s[8], {}).setdefault(reg, 0)
        confusion[s[8]][reg] += 1
        c = cases.setdefault(s[4], {"sessions": 0, "matched": 0, "profiles": {}})
        c["sessions"] += 1
        c["matched"] += 1 if s[9] else 0
        c["profiles"][reg] = c["profiles"].get(reg, 0) + 1
    # per question
    questions = {}
    for question in questionnaire.questions:
        qid = question.id
        options = {str(o.code): 0 for o in question.options}
        wrong: dict[str, int] = {}
        answered = correct = 0
        ratings: dict[str, dict] = {}
        groups = [0, 0, 0, 0]
        for s in counted:
            for q, option, same, category in per_session[s[0]]:
                if q != qid:
                    continue
                answered += 1
                correct += same
                options[str(option)] = options.get(str(option), 0) + 1
                if not same:
                    wrong[str(option)] = wrong.get(str(option), 0) + 1
                per_case = ratings.setdefault(s[4], {})
                per_case[category] = per_case.get(category, 0) + 1
                g = 0 if s[9] else 2
                groups[g] += same
                groups[g + 1] += 1
        subjects = list(ratings.values())
        agreement, _, pairs = pair_agreement(subjects)
        kappa = fleiss_kappa(subjects)
        keys = set()  # the key answers of the cases with two or more ratings
        for case_id, r in ratings.items():
            if sum(r.values()) >= 2:
                key = library.by_id(case_id).data.key[qid]
                keys.add(
                    (key.answer, frozenset(key.items))
                    if qid == checklist.id and key.answer == when
                    else key.answer
                )
        discrimination = group_difference(*groups)
        facility = correct / answered if answered else None
        popular = max(wrong.items(), key=lambda kv: (kv[1], -int(kv[0])), default=None)
        flags = flags_for(
            answered=answered,
            facility=facility,
            wrong_option=popular,
            wrong_option_text=question.option(int(popular[0])).short if popular else None,
            discrimination=discrimination,
            group_sizes=(groups[1], groups[3]),
            kappa=kappa,
            agreement=agreement,
            key_answers=len(keys),
            thresholds=LOW,
        )
        questions[qid] = {
            "answered": answered,
            "correct": correct,
            "options": options,
            "wrong_options": wrong,
            "agreement": agreement,
            "agreement_pairs": pairs,
            "agreement_cases": sum(1 for r in subjects if sum(r.values()) >= 2),
            "agreement_key_answers": len(keys),
            "kappa": kappa,
            "kappa_note": kappa_note(kappa, len(keys), LOW),
            "discrimination": discrimination,
            "flags": [f.as_dict() for f in flags],
        }
    # per nurse
    nurses: dict = {}
    if counted:
        span = local_time(counted[-1][5]) - local_time(counted[0][5])
        weekly = span <= timedelta(days=70)
    for s in counted:
        started = date.fromisoformat(s[5][:10])
        period = (started - timedelta(days=started.weekday())).isoformat() if weekly else s[5][:7]
        n = nurses.setdefault(
            s[1], {"sessions": 0, "matched": 0, "answered": 0, "correct": 0, "p": {}, "q": {}}
        )
        answers = per_session[s[0]]
        n["sessions"] += 1
        n["matched"] += 1 if s[9] else 0
        n["answered"] += len(answers)
        n["correct"] += sum(a[2] for a in answers)
        p = n["p"].setdefault(period, [0, 0, 0, 0])
        p[0] += 1
        p[1] += 1 if s[9] else 0
        p[2] += len(answers)
        p[3] += sum(a[2] for a in answers)
        for qid, _, same, _ in answers:
            cell = n["q"].setdefault(qid, [0, 0])
            cell[0] += 1
            cell[1] += same
    return {
        "sessions": len(counted),
        "matched": sum(1 for s in counted if s[9]),
        "confusion": confusion,
        "cases": cases,
        "questions": questions,
        "nurses": nurses,
    }


def fast(review, flt: ReviewFilter) -> dict:
    a = review.analysis(flt)
    questions = {}
    for qid, s in a.questions.items():
        d = s.as_dict()
        questions[qid] = {k: d[k] for k in (*STAT_KEYS, "options", "wrong_options", "flags")}
    return {
        "sessions": a.sessions,
        "matched": sum(c.matched for c in a.cases.values()),
        "confusion": a.confusion,
        "cases": {
            cid: {"sessions": c.sessions, "matched": c.matched, "profiles": c.profiles}
            for cid, c in a.cases.items()
        },
        "questions": questions,
        "nurses": {
            s.nurse.display: {
                "sessions": s.sessions,
                "matched": s.matched,
                "answered": s.answered,
                "correct": s.correct,
                "p": {p.period: [p.sessions, p.matched, p.answered, p.correct] for p in s.progress},
                "q": {q.question_id: [q.answered, q.correct] for q in s.questions},
            }
            for s in a.nurses.values()
        },
    }


STAT_KEYS = (
    "answered",
    "correct",
    "agreement",
    "agreement_pairs",
    "agreement_cases",
    "agreement_key_answers",
    "kappa",
    "kappa_note",
    "discrimination",
)

FILTERS = {
    "everything": {},
    "one nurse": {"nurse": "Anna"},
    "one case": {"case": W},
    "a period": {"since": date(2026, 3, 3), "until": date(2026, 3, 12)},
    "toetsen": {"mode": "toets"},
    "nobody": {"nurse": "Niemand"},
}


@pytest.mark.parametrize("attempts", ["first", "all"])
def test_fast_figures_equal_the_straightforward_computation(
    log, library, scorer, questionnaire, attempts
):
    with log.review(thresholds=LOW) as review:
        for name, kwargs in FILTERS.items():
            flt = ReviewFilter(attempts=attempts, **kwargs)
            want = straightforward(log.log.path, library, scorer, questionnaire, flt)
            got = fast(review, flt)
            for qid, q in want["questions"].items():
                for key in ("agreement", "kappa", "discrimination"):
                    if q[key] is not None:
                        assert got["questions"][qid][key] == pytest.approx(q[key]), (name, qid)
                        got["questions"][qid][key] = q[key]
            assert got == want, name


def test_the_log_exercises_every_rule(log, library, scorer, questionnaire):
    # guards the comparison above against a log too plain to tell the two apart
    every = straightforward(
        log.log.path, library, scorer, questionnaire, ReviewFilter(attempts="all")
    )
    first = straightforward(log.log.path, library, scorer, questionnaire, ReviewFilter())
    assert every["sessions"] > first["sessions"] > 5
    q = every["questions"]
    assert q["Q1"]["answered"] > q["Q5"]["answered"] > 0  # routing and the key's reach
    assert q["Q12"]["answered"] > q["Q12"]["correct"] > 0  # items make a difference
    assert any(q[qid]["flags"] for qid in q)
    assert any(q[qid]["kappa"] is not None for qid in q)
    # both sides of the low-agreement rule: cases that differ in the key and cases that do not
    assert {q[qid]["agreement_key_answers"] for qid in q} >= {1, 2}
    assert any(f["kind"] == "low_agreement" for qid in q for f in q[qid]["flags"])
    assert any(q[qid]["kappa_note"] for qid in q)
    assert len(every["nurses"]) == 6
    assert q["Q5"]["options"]["7"] == 1 and q["Q5"]["wrong_options"]["7"] == 1


def test_after_an_alias_the_fast_path_counts_anew(log):
    # the index is kept across an alias; the figures must equal a review opened afterwards
    from dkdl.store import open_log

    with log.review(thresholds=LOW) as review:
        before = {a: fast(review, ReviewFilter(attempts=a)) for a in ("first", "all")}
        writable = open_log(log.log.path)
        (installation,) = {i for (i,) in writable.db.conn.execute("SELECT id FROM installation")}
        # this hand-made log is one laptop's, where add_alias refuses (never a nurse's file):
        # the row is written as add_alias writes it in a collection
        with writable.db.conn as conn:
            conn.execute(
                "INSERT INTO nurse_aliases VALUES (?, ?, ?, ?, '2026-03-01T00:00:00+00:00')",
                ("Bram", installation, "Eva", installation),
            )
        writable.close()
        review.reload_identities()
        after = {a: fast(review, ReviewFilter(attempts=a)) for a in ("first", "all")}
    with log.review(thresholds=LOW) as fresh:
        for attempts in ("first", "all"):
            assert after[attempts] == fast(fresh, ReviewFilter(attempts=attempts))
    # Bram and Eva are one person now: their first attempts at W and at K merge
    assert after["first"]["sessions"] == before["first"]["sessions"] - 2
    assert after["all"]["sessions"] == before["all"]["sessions"]
    assert len(after["first"]["nurses"]) == len(before["first"]["nurses"]) - 1


def test_option_codes_the_questionnaire_lacks_do_not_break_the_figures(
    tmp_path, questionnaire, scorer, library
):
    # a log of another questionnaire version (or a crafted one): Q5 = 7 and Q5 = 2.5 are
    # counted as wrong answers with those codes; the flag names the code without a text
    w = Writer(tmp_path / "log.db", questionnaire, scorer, library)
    odd = [
        w.play(name, W, w_answers(Q5=1), W_ITEMS, at=f"2026-03-0{i + 1}T09:00:00")
        for i, name in enumerate(["Anna", "Bram", "Cor"])
    ]
    for sid, option in zip(odd, (7, 7, 2.5), strict=True):
        w.log.db.conn.execute(
            "UPDATE answers SET option = ? WHERE question = 'Q5' AND session = "
            "(SELECT id FROM sessions WHERE uuid = ?)",
            (option, sid),
        )
    w.log.db.conn.commit()
    with w.review(thresholds=LOW) as review:
        q5 = review.analysis().questions["Q5"]
        assert q5.wrong_options == {"7": 2, "2.5": 1} and q5.correct == 0
        (flag,) = [f for f in q5.flags if f.kind == "low_facility"]
        assert "optie 7." in flag.reason
        detail = review.session_detail(odd[0])
        row = next(r for r in detail.rows if r.question_id == "Q5")
        assert (row.mine, row.mine_text, row.same) == (7, None, False)
