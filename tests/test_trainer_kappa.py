"""Trainer mode shows the low-agreement rule as the review computes it: a low kappa over cases
that differ in the key is a flag with the share of agreeing pairs; a low kappa over cases that
all have the same key is grey and explained in words, not flagged (docs/report.md, Flags)."""

from __future__ import annotations

from textual.widgets import Static

from dkdl.tui.trainer.views import QuestionView
from tests.review_helpers import W_ITEMS, w_answers
from tests.test_review_kappa import group_log
from tests.test_trainer_tui import settle, table_ready, trainer


def answers(q5: int, q4: int) -> tuple[dict[str, int], tuple[str, ...]]:
    return w_answers(Q5=q5, Q4=q4), W_ITEMS


async def test_the_flag_and_the_grey_kappa(tmp_path, questionnaire, scorer):
    # Q5: keys 2 and 3, nurses split 7/5 the other way on each case (kappa -0,06, 47 % of
    # the pairs agree: tests/test_review_kappa.py); Q4: key 1 on both, 9 of 12 answer 1 on
    # each (kappa -1/11 = -0,09, 59 % of the pairs agree): not flagged, explained
    keys = {"sleutel-2": {}, "sleutel-3": {"Q5": '{answer: 3, toelichting: "Vaak."}'}}
    ratings = {
        "sleutel-2": [answers(2, 1)] * 5 + [answers(3, 1)] * 4 + [answers(3, 2)] * 3,
        "sleutel-3": [answers(3, 1)] * 5 + [answers(2, 1)] * 4 + [answers(2, 2)] * 3,
    }
    writer = group_log(tmp_path, questionnaire, scorer, keys, ratings)
    writer.log.close()
    app = trainer(writer.log.path, questionnaire, writer.library)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await table_ready(pilot)
        await pilot.press("2")
        await settle(pilot)
        notes = " ".join(
            str(screen.query_one("QuestionsPane .pane-notes", Static).render()).split()
        )
        assert (
            "Q5 Geheugen: Verpleegkundigen die dezelfde casus registreren, zijn het weinig eens, "
            "gecorrigeerd voor toeval (kappa -0,06, onder 0,40; 47 % van de paren koos "
            "hetzelfde), terwijl de sleutel bij deze vraag per casus verschilt." in notes
        )
        assert "Q4 Psychisch" not in notes
        assert "Kappa (grijs) zegt weinig bij Q4:" in notes
        table = screen.query_one("QuestionsPane DataTable")
        kappa_q4 = table.get_cell("Q4", "kappa")
        assert (str(kappa_q4), kappa_q4.style) == ("-0,09", "dim")
        assert table.get_cell("Q5", "kappa") == "-0,06"
        table.move_cursor(row=3)
        await pilot.press("enter")
        await pilot.pause()
        view = app.screen
        assert isinstance(view, QuestionView) and view.stats.question_id == "Q4"
        text = " ".join(" ".join(str(s.render()) for s in view.query(Static)).split())
        assert "59% van de 132 paren koos hetzelfde" in text
        assert "maar zegt hier weinig: alle casussen met twee of meer verpleegkundigen" in text
        assert "Geen signalen bij deze vraag." in text
