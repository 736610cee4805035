"""Pilot test of the trainer's one write: two nurses called Anna on two laptops stay two,
until the trainer says they are one person (an alias in her own file, undoable)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable

from dkdl.cases import load_library
from dkdl.store import open_log
from dkdl.tui.trainer.analysis import NursesPane
from dkdl.tui.trainer.dialogs import PickScreen
from dkdl.tui.trainer.screen import TrainerScreen
from tests.test_trainer_tui import CASES, SIZE, settle, table_ready, trainer


@pytest.fixture(scope="module")
def library(questionnaire):
    return load_library(CASES, questionnaire)


def practise(path: Path, questionnaire, library, nurse: str, case_ids: list[str]) -> None:
    """A laptop's own log: ``nurse`` practises ``case_ids`` with the key's answers."""
    from dkdl.scoring import Scorer

    scorer = Scorer(questionnaire)
    with open_log(path) as log:
        for case_id in case_ids:
            case = library.by_id(case_id)
            sid = log.start_session(
                nurse=nurse, mode="oefenen", questionnaire=questionnaire, case=case
            )
            for qid, option in case.answers.options.items():
                items = tuple(case.answers.items) if qid == scorer.checklist_id else ()
                log.record_answer(sid, qid, option, items, 10.0)
            log.finish_session(sid, scorer.score(case.answers), case.profile)


async def test_two_annas_on_two_laptops_joined_and_split_again(tmp_path, questionnaire, library):
    from dkdl.store import import_logs
    from dkdl.tui.screens.confirm import ConfirmScreen

    practise(tmp_path / "laptop1.db", questionnaire, library, "Anna", ["tui-wondzorg-01"])
    practise(tmp_path / "laptop2.db", questionnaire, library, "Anna", ["tui-kind-01"])
    practise(tmp_path / "laptop2.db", questionnaire, library, "Bram", ["tui-kind-01"])
    trainer_file = tmp_path / "trainer.db"
    with open_log(trainer_file) as target:
        import_logs(target, [tmp_path / "laptop1.db", tmp_path / "laptop2.db"])
    app = trainer(trainer_file, questionnaire, library)
    async with app.run_test(size=SIZE) as pilot:
        screen = await table_ready(pilot)
        assert {row.nurse for row in screen.rows} == {"Anna (laptop 1)", "Anna (laptop 2)", "Bram"}
        await pilot.press("5")
        await settle(pilot)
        names = screen.query_one("NursesPane DataTable", DataTable)
        labels = [str(names.get_row_at(i)[0]) for i in range(names.row_count)]
        assert labels == ["Anna (laptop 1)", "Anna (laptop 2)", "Bram"]
        await pilot.press("z")  # Anna (laptop 1) is highlighted: the same person as...
        await settle(pilot)
        pick = app.screen
        assert isinstance(pick, PickScreen)
        choices = [label for _, label in pick.choices]
        assert choices == ["Anna (laptop 2, 1 sessies)", "Bram (laptop 2, 1 sessies)"]
        await pilot.press("enter")  # the other Anna
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("escape")  # no: nothing changes
        await settle(pilot)
        assert isinstance(app.screen, TrainerScreen)
        assert names.row_count == 3
        await pilot.press("z")
        await settle(pilot)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("right", "enter")  # 'Koppelen'
        await settle(pilot)
        await settle(pilot)
        labels = [str(names.get_row_at(i)[0]) for i in range(names.row_count)]
        assert labels == ["Anna", "Bram"]
        anna = screen.analysis.nurses[screen.query_one(NursesPane).current()]
        assert anna.sessions == 2  # both laptops' sessions count for one nurse

        await pilot.press("u")  # undo: the alias is listed, choose it
        await settle(pilot)
        assert isinstance(app.screen, PickScreen)
        await pilot.press("enter")
        await settle(pilot)
        await settle(pilot)
        labels = [str(names.get_row_at(i)[0]) for i in range(names.row_count)]
        assert labels == ["Anna (laptop 1)", "Anna (laptop 2)", "Bram"]
    # the alias lives in the trainer's own file only, never in a laptop's log
    with open_log(tmp_path / "laptop1.db", readonly=True) as laptop:
        from dkdl.store import aliases

        assert aliases(laptop) == []


async def test_a_laptops_own_log_gets_no_alias_from_trainer_mode(tmp_path, questionnaire, library):
    # Trainer on the start screen of a nurse's laptop opens that laptop's own log: z says
    # that names are joined in a collected log only, and the file stays as it was.
    from tests.conftest import digest

    own = tmp_path / "laptop1.db"
    practise(own, questionnaire, library, "Anna", ["tui-wondzorg-01"])
    practise(own, questionnaire, library, "anna", ["tui-kind-01"])
    before = digest(own)
    app = trainer(own, questionnaire, library)
    async with app.run_test(size=SIZE) as pilot:
        screen = await table_ready(pilot)
        await pilot.press("5")
        await settle(pilot)
        assert screen.query_one(NursesPane).current() is not None
        await pilot.press("z")
        await settle(pilot)
        assert isinstance(app.screen, TrainerScreen)  # no choice of names offered
        notes = [str(n.message) for n in app._notifications]
        assert any("alleen in een verzameld logbestand" in note for note in notes)
    assert digest(own) == before
