"""Snapshots of trainer mode's analysis screens at 80×24 and 120×40, on a fixed small log.

Update only after looking at the report:
``pytest tests/test_trainer_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

import pytest

from dkdl.cases import load_library
from dkdl.questionnaire import load_questionnaire
from dkdl.tui.trainer.app import make_trainer_app
from tests.test_trainer_tui import CASES, build_log, settle, table_ready

SIZES = [(80, 24), (120, 40)]


@pytest.fixture(scope="module")
def log_path(tmp_path_factory):
    questionnaire = load_questionnaire()
    library = load_library(CASES, questionnaire)
    path = tmp_path_factory.mktemp("trainer") / "groep.db"
    # twelve nurses on four cases: enough counted answers for the flags to speak (the two adult
    # cases share their key on Q2-Q12, so their low kappas are grey and explained, not flagged)
    return build_log(path, questionnaire, library, sessions=150, nurses=12)


def trainer_app(path):
    questionnaire = load_questionnaire()
    return make_trainer_app(
        path=path, questionnaire=questionnaire, library=load_library(CASES, questionnaire)
    )


def steps(*keys: str):
    async def run_before(pilot) -> None:
        await table_ready(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        for _ in range(3):  # the last worker's result laid out and painted
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()

    return run_before


SCREENS = {
    "vragen": ("2",),
    "casussen": ("3",),
    "profielen": ("4",),
    "verpleegkundigen": ("5",),
    "vraag-q5": ("2", "down", "down", "down", "down", "enter"),
    "verpleegkundige": ("5", "enter"),
}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("name", list(SCREENS))
def test_analysis_screens(snap_compare, log_path, name, size):
    assert snap_compare(trainer_app(log_path), terminal_size=size, run_before=steps(*SCREENS[name]))
