import hashlib
from pathlib import Path

import pytest
from hypothesis import settings

from dkdl.cases import case_dirs, load_library
from dkdl.questionnaire import load_questionnaire
from dkdl.scoring import Scorer

# No per-example deadline: CI runs on a shared, noisy machine, and a slow moment is not a bug.
settings.register_profile("dkdl", deadline=None)
settings.load_profile("dkdl")


@pytest.fixture(scope="session")
def questionnaire():
    return load_questionnaire()


@pytest.fixture(scope="session")
def scorer(questionnaire):
    return Scorer(questionnaire)


@pytest.fixture(scope="session")
def cases(questionnaire):
    """The built-in cases."""
    return load_library(case_dirs(), questionnaire).cases


def digest(path: Path) -> str:
    """A file's SHA-256: 'left byte-for-byte as it was' is checked with this."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def full(**overrides):
    """A complete DKDL answer set (all 'no problem' answers, reference case A) with overrides."""
    answers = dict(Q1=1, Q2=1, Q3=1, Q4=1, Q5=1, Q6=1, Q7=1, Q8=2, Q9=1, Q10=2, Q11=1, Q12=1)
    answers.update(overrides)
    return answers
