"""Steps for the Mijn voortgang tests and snapshots: sessions finished through the practice model
(as the question screen would), and a hand-made :class:`~dkdl.progress.Progress` with fixed
dates, so the screen's layout is tested on figures that do not depend on the clock."""

from __future__ import annotations

from dkdl.practice import Done
from dkdl.progress import (
    Progress,
    QuestionProgress,
    Rate,
    SessionPoint,
    ToetsResult,
    WeakQuestion,
)


def finish(app, case_id: str, nurse: str = "Anna", **changes: int) -> Done:
    """An oefenen session on ``case_id`` answered as its key, except ``changes`` (Q5=1), and
    finished: every answer stored as given, then scored and stored."""
    case = app.library.by_id(case_id)
    session = app.practice.start(nurse, "oefenen", case)
    options = dict(case.answers.options) | changes
    for qid in app.scorer.question_ids:
        if qid in session.reached() and qid in options:
            session.choose(options[qid], qid)
    if session.checklist_shown():
        session.tick(case.answers.items)
    return app.practice.finish(session)


def sample_progress(app, nurse: str = "Anna", *, real_explanations: bool = False) -> Progress:
    """A Progress as the core would give it, for the test library: 14 sessions in March and
    April 2026 (every fourth a toets case), three toetsen, two weak questions. Their
    explanations are fixed test texts, or (for the manual's screenshots) dkdl's own."""
    q = app.questionnaire
    lib = app.library
    wond, kind = lib.by_id("tui-wondzorg-01"), lib.by_id("tui-kind-01")
    sessions = []
    for i in range(14):
        day = 1 + i * 3
        month, day = (3, day) if day <= 31 else (4, day - 31)
        right = i % 3 != 0
        case = wond if i % 2 == 0 else kind
        sessions.append(
            SessionPoint(
                f"s{i:02d}",
                f"2026-{month:02d}-{day:02d}T10:00:00+00:00",
                "toets" if i % 4 == 3 else "oefenen",
                case.id,
                case.title,
                case.profile if right else "DKDL7",
                case.profile,
                right,
            )
        )
    questions = tuple(
        QuestionProgress(
            x.id,
            x.title,
            x.axis,
            Rate(3 + i % 4, 8),
            Rate(5 + i % 3, 8),
            Rate(8 + i % 4 + i % 3, 16),
        )
        for i, x in enumerate(q.questions)
    )
    axes = (
        ("draagkracht", Rate(10, 20), Rate(8, 10), Rate(18, 30)),
        ("draaglast", Rate(15, 20), Rate(6, 10), Rate(21, 30)),
        ("ondersteuningsbehoefte", Rate(0, 0), Rate(7, 10), Rate(7, 10)),
    )
    q5, q10 = q.by_id["Q5"], q.by_id["Q10"]
    explain = {
        "Q5": "Testuitleg: al soms vergeetachtig telt als een probleem.",
        "Q10": "Testuitleg: steunkousen aantrekken is geen zwachtelen.",
    }
    if real_explanations:
        from dkdl.explanations import explanations_for

        rules = explanations_for(app.scorer)
        explain = {"Q5": rules.explain("Q5", 1, 2), "Q10": rules.explain("Q10", 3, 2)}
    weakest = (
        WeakQuestion(
            "Q5",
            q5.title,
            q5.title,
            Rate(4, 10),
            1,
            2,
            q5.option(1).text,
            q5.option(2).text,
            explain["Q5"],
        ),
        WeakQuestion(
            "Q10",
            q10.title,
            q10.title,
            Rate(5, 10),
            3,
            2,
            q10.option(3).text,
            q10.option(2).text,
            explain["Q10"],
        ),
    )
    toetsen = (
        ToetsResult("t1", "2026-03-10T10:00:00+00:00", 3, 5, True),
        ToetsResult("t2", "2026-04-02T10:00:00+00:00", 4, 5, True),
        ToetsResult("t3", "2026-04-09T10:00:00+00:00", 1, 5, False),
    )
    from dkdl.explanations import explanations_for

    label = explanations_for(app.scorer).label
    return Progress(
        nurse,
        tuple(sessions),
        questions,
        axes,
        weakest,
        (kind,),
        toetsen,
        10,
        explanation_label=label,
    )
