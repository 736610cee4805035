"""Demo data: realistic, invented practice sessions on the built-in cases, for trying the trainer's
views (``dkdl demo-data``), tests and benchmarks. Nothing here is a real nurse or client.
"""

from __future__ import annotations

import math
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from dkdl.cases import Case, case_dirs, load_library
from dkdl.questionnaire import Question, Questionnaire, load_questionnaire
from dkdl.scoring import Answers, Scorer
from dkdl.sessionlog import AFGEBROKEN, AFGEROND, BEZIG
from dkdl.store import ITEM_SEP, AnswerRow, LogBundle, SessionRow

DEMO_NAMES = (
    "Anouk", "Bram", "Charlotte", "Daan", "Esra", "Fleur", "Gijs", "Hanna", "Iris", "Jasper",
    "Kim", "Lotte", "Mohamed", "Noor", "Olga", "Pim", "Roos", "Sanne", "Thijs", "Yara",
)  # fmt: skip

# Chance of an answer against the key for a beginner on a case of medium difficulty. The
# boundary questions of the reference (soms vergeetachtig, weinig contacten, stabiel zonder
# mantelzorg, gedeeltelijk vs volledig, bestellen is geen medicatiehulp) are missed most.
ERROR_RATE = {
    "Q1": 0.01, "Q2": 0.06, "Q3": 0.03, "Q4": 0.12, "Q5": 0.30, "Q6": 0.28, "Q7": 0.10,
    "Q8": 0.32, "Q9": 0.08, "Q10": 0.26, "Q11": 0.24, "Q12": 0.10,
}  # fmt: skip
ITEMS_ERROR_RATE = 0.25  # the Q12 checklist: an item forgotten or one too many
DIFFICULTY_FACTOR = {1: 0.6, 2: 1.0, 3: 1.5}


@dataclass
class _Nurse:
    name: str
    ability: float  # < 1: fewer errors than average from the start
    pace: float  # seconds per question scale
    laptop: str | None = None  # installation id of the laptop she practises on
    planned: int = 1  # sessions this nurse will do in the period
    done: int = 0

    def error_factor(self) -> float:
        """Errors fall with practice, over the whole period: to about half after a third of the
        nurse's sessions, towards a third at the end."""
        return self.ability * (0.3 + 0.7 * math.exp(-self.done / max(6.0, self.planned / 3)))


def demo_bundle(
    sessions: int,
    nurses: int,
    *,
    seed: int | None = None,
    months: int = 6,
    end: datetime | None = None,
    questionnaire: Questionnaire | None = None,
    cases: Sequence[Case] | None = None,
) -> LogBundle:
    """Synthetic practice on the built-in cases: ``sessions`` sessions by ``nurses`` nurses over
    ``months`` months up to ``end`` (default: today). Same seed and end, same data (UUIDs too).

    Mostly ``oefenen`` on a case, some ``toets`` series of three cases, a few ``vrij``; about
    one in twelve sessions abandoned halfway, and the last session of some nurses still
    ``bezig``. Profiles are computed with :class:`dkdl.scoring.Scorer`; key profiles come from
    the cases.
    """
    if sessions < 1 or nurses < 1:
        raise ValueError("het aantal sessies en verpleegkundigen moet minstens 1 zijn")
    q = questionnaire or load_questionnaire()
    if cases is None:
        cases = load_library(case_dirs(), q).cases
    cases = [c for c in cases if c.data.questionnaire_version == q.version]
    if not cases:
        raise ValueError("geen casussen gevonden voor deze vragenlijst")
    rng = random.Random(seed)
    scorer = Scorer(q)
    if end is None:
        end = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    span = timedelta(days=30 * months)
    people = [
        _Nurse(_demo_name(i), rng.uniform(0.6, 1.4), rng.uniform(0.7, 1.4)) for i in range(nurses)
    ]
    _assign_laptops(people, seed)
    share = [rng.uniform(0.4, 2.0) for _ in people]
    owners = rng.choices(range(nurses), weights=share, k=sessions)
    per_nurse: dict[int, int] = {}
    for owner in owners:
        per_nurse[owner] = per_nurse.get(owner, 0) + 1
    bundle = LogBundle()
    for index, count in sorted(per_nurse.items()):
        nurse = people[index]
        nurse.planned = count
        first = end - span + timedelta(days=rng.uniform(0, 30 * months / 3))
        times = sorted(_working_time(rng, first, end) for _ in range(count))
        i = 0
        while i < count:
            if count - i >= 3 and rng.random() < 0.06:  # a toets: three cases back to back
                test_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
                start = times[i]
                for case in rng.sample(list(cases), 3):
                    _demo_session(bundle, rng, scorer, q, nurse, "toets", case, start, test_id)
                    start += timedelta(minutes=rng.uniform(6, 14))
                i += 3
                continue
            mode = "vrij" if rng.random() < 0.08 else "oefenen"
            case = rng.choice(cases)
            last = i == count - 1 and rng.random() < 0.15
            _demo_session(bundle, rng, scorer, q, nurse, mode, case, times[i], None, last)
            i += 1
    bundle.sessions.sort(key=lambda s: s.started_at)
    return bundle


def _assign_laptops(people: list[_Nurse], seed: int | None) -> None:
    """About four nurses per laptop. A separate random stream, so the sessions themselves are
    the same as before laptops existed for the same seed."""
    rng = random.Random(None if seed is None else f"laptops-{seed}")
    laptops = [
        str(uuid.UUID(int=rng.getrandbits(128), version=4))
        for _ in range(max(1, round(len(people) / 4)))
    ]
    for nurse in people:
        nurse.laptop = rng.choice(laptops)


def _demo_name(i: int) -> str:
    name = DEMO_NAMES[i % len(DEMO_NAMES)]
    return name if i < len(DEMO_NAMES) else f"{name} {i // len(DEMO_NAMES) + 1}"


def _working_time(rng: random.Random, first: datetime, end: datetime) -> datetime:
    """A moment between ``first`` and ``end`` on a weekday between 8 and 17 o'clock (UTC)."""
    days = max((end - first).days, 1)
    while True:
        day = first + timedelta(days=rng.randrange(days))
        if day.weekday() < 5 or rng.random() < 0.1:
            break
    return day.replace(hour=rng.randrange(8, 17), minute=rng.randrange(60), second=0)


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _answer_for(
    rng: random.Random, question: Question, key_option: int | None, difficulty: int, nurse: _Nurse
) -> int:
    """The nurse's option: the key's, or (by the error model) a neighbouring one."""
    n = len(question.options)
    if key_option is None:  # not in the key (after a routing slip): a plausible answer
        return 1 if rng.random() < 0.6 else rng.randint(1, n)
    rate = ERROR_RATE.get(question.id, 0.15) * DIFFICULTY_FACTOR.get(difficulty, 1.0)
    if rng.random() >= min(rate * nurse.error_factor(), 0.9):
        return key_option
    neighbours = [o for o in (key_option - 1, key_option + 1) if 1 <= o <= n]
    return rng.choice(neighbours)


def _items_for(
    rng: random.Random, key_items: Sequence[str], all_items: Sequence[str], nurse: _Nurse
) -> list[str]:
    items = list(key_items) if key_items else [rng.choice(all_items)]
    if rng.random() < ITEMS_ERROR_RATE * nurse.error_factor():
        if len(items) > 1 and rng.random() < 0.6:
            items.remove(rng.choice(items))
        else:
            extra = [i for i in all_items if i not in items]
            if extra:
                items.append(rng.choice(extra))
    return items


def _demo_session(
    bundle: LogBundle,
    rng: random.Random,
    scorer: Scorer,
    q: Questionnaire,
    nurse: _Nurse,
    mode: str,
    case: Case,
    start: datetime,
    test_id: str | None,
    still_open: bool = False,
) -> None:
    """Append one synthetic session and its answers to ``bundle``."""
    session_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    key = case.data.key
    difficulty = case.data.difficulty if mode != "vrij" else 2
    checklist_q = next((x for x in q.questions if x.checklist is not None), None)
    checklist = checklist_q.checklist if checklist_q else None
    all_items = [it.id for it in checklist.items] if checklist else []
    options: dict[str, int] = {}
    items: list[str] = []
    answers: list[AnswerRow] = []
    moment = start
    while True:
        pending = [x for x in scorer.reached(options) if x not in options]
        if not pending:
            break
        question = q.by_id[pending[0]]
        k = key.get(question.id)
        option = _answer_for(rng, question, k.answer if k else None, difficulty, nurse)
        options[question.id] = option
        row_items = None
        if (
            checklist_q is not None
            and checklist is not None
            and question.id == checklist_q.id
            and option == checklist.when_option
        ):
            items = _items_for(rng, k.items if k else [], all_items, nurse)
            row_items = ITEM_SEP.join(items)
        # seconds per question: lognormal around 14 s, longer on hard cases, faster with practice
        seconds = rng.lognormvariate(math.log(14 * nurse.pace), 0.6) * (1 + difficulty / 4)
        seconds *= 0.6 + 0.4 * math.exp(-nurse.done / 20)
        seconds = round(seconds, 1)
        changes = 1 if rng.random() < 0.07 else (2 if rng.random() < 0.01 else 0)
        moment += timedelta(seconds=seconds)
        answers.append(
            AnswerRow(session_id, question.id, option, row_items, _iso(moment), seconds, changes)
        )
    status, finished, profile, key_profile, match = AFGEROND, None, None, None, None
    if still_open or rng.random() < 0.08:
        answers = answers[: rng.randint(1, max(1, len(answers) - 1))]
        status = BEZIG if still_open else AFGEBROKEN
        if status == AFGEBROKEN:
            finished = _iso(moment + timedelta(seconds=rng.uniform(5, 60)))
    else:
        result = scorer.score(Answers(options, frozenset(items)))
        profile = result.profile
        finished = _iso(moment + timedelta(seconds=rng.uniform(5, 40)))
        if mode != "vrij":
            key_profile = case.profile
            match = int(profile == key_profile)
    bundle.sessions.append(
        SessionRow(
            session_id,
            nurse.name,
            mode,
            None if mode == "vrij" else case.id,
            None if mode == "vrij" else case.content_hash,
            q.id,
            q.version,
            q.content_hash,
            _iso(start),
            finished,
            status,
            profile,
            key_profile,
            match,
            test_id,
            nurse.laptop,
        )
    )
    bundle.answers.extend(answers)
    nurse.done += 1
