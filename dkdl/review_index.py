"""The sessions the analyses may count, in memory: any filter's analyses in one pass each.

:class:`dkdl.review.Review` reads each finished keyed session once, with its answers already
compared with the key in SQLite (one grouped query: the key's option, her checklist items, the
routing answer that ended her questionnaire), and hands the rows to a :class:`SessionIndex`.
From then on a view over any filter (nurse, case, period, mode, first or all attempts) is a
pass over at most the log's sessions in Python, not a scan of the log's answers: each session
carries its counted answers as one integer (:class:`Vector`) whose fields add up per field when
integers are added, so summing a group's vectors counts every (question, option, as the key)
at once.

What counts is exactly what ``docs/report.md`` defines (and what the straightforward
computation in ``tests/test_review_fast.py`` recomputes from the log's rows): a question counts
when her answers and the key both reach it; for the checklist question the same answer is the
same option and, when the checklist counts, the same items.

Plain Python, no SQL and no UI.
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from operator import itemgetter
from typing import Any

from dkdl.review_model import (
    CaseStats,
    Nurse,
    NurseStats,
    ProgressPoint,
    QuestionScore,
    QuestionStats,
    ReviewFilter,
    local_time,
    utc_bound,
)

# A field of a vector holds a count; 40 bits hold more sessions than any log will.
FIELD_BITS = 40
_FIELD_MASK = (1 << FIELD_BITS) - 1

# The columns of an index row. Grouping keys are small numbers (SessionIndex's Numbers), so
# that counting them is quick: PERSON: (nurses row, installation); SUMMARY: (case, key
# profile, profile, match); GROUP: (case, profile right 0/1, vector); CHECK: (case, checklist
# category), 0 without one; WEEK/MONTH: (PERSON, Monday or month); TALLY: the session's
# figures packed: 1 + right << 32 + answered << 64 + correct << 96, and above bit 128 her
# answered and as-the-key answers per question (two fields each).
(
    ID,
    PERSON,
    CASE,
    STARTED,
    MODE,
    SUMMARY,
    GROUP,
    CHECK,
    WEEK,
    MONTH,
    TALLY,
    VECTOR,
) = range(12)
_COUNT = (1 << 32) - 1
_TALLY = (1 << 128) - 1

Row = tuple[Any, ...]
Category = object  # an option code, or (option, items) for the checklist option


NO_STOP = 1_000_000  # routing position when no routing answer ended the questionnaire


@dataclass(frozen=True)
class Shape:
    """The questionnaire as the index reads it: question ids by position (1-based), the
    routing answers that end the questionnaire (position, option), the checklist question's
    position, counting option and number of items, and the highest option code.

    SQLite adds each session's answers into a few integers (``Review._answers_sql``): ``main``
    holds every answer's option in ``slot`` bits at ``slot * (pos - 1)``; ``check`` her
    checklist items (``mask + count << items``, both 0 unless she chose the counting option).
    A session with an option code outside 1 .. ``top`` (a log of another questionnaire, or a
    value that is not a whole number) is read answer by answer instead."""

    qids: tuple[str, ...]
    routes: tuple[tuple[int, int], ...]
    checklist_pos: int | None
    checklist_option: int | None
    items: int
    top: int

    @property
    def route_set(self) -> frozenset[tuple[int, int]]:
        return frozenset(self.routes)

    @property
    def slot(self) -> int:
        return self.top.bit_length()

    def unpack(self, main: int | None, check: int | None) -> list[Answer]:
        """Her answers packed into ``main`` and ``check``: (pos, option, items mask, items)."""
        out: list[Answer] = []
        bits, full, main = self.slot, (1 << self.slot) - 1, main or 0
        for pos in range(1, len(self.qids) + 1):
            option = (main >> (bits * (pos - 1))) & full
            if option:
                if pos == self.checklist_pos and check is not None:
                    out.append((pos, option, check & ((1 << self.items) - 1), check >> self.items))
                else:
                    out.append((pos, option, 0, 0))
        return out

    def plain(self, main: Any, low: Any, high: Any, total: Any) -> bool:
        """Whether a session's answers fit the packing: whole option codes in 1 .. top (from
        SQLite's sum, min and max of her options; None when she has no answers)."""
        if high is None:
            return True
        return (
            type(high) is int
            and type(low) is int
            and type(total) is int
            and type(main) is int
            and low >= 1
            and high <= self.top
        )


Answer = tuple[int, Any, int, int]  # pos, option, items mask, items (mask and items: checklist)
Key = dict[int, tuple[int, int, int]]  # a case's key: pos -> (option, items mask, items)
FieldKey = tuple[int, Any, int]  # pos, option, same as the key


class Vector:
    """One session's counted answers. ``fields``: the sum of ``1 << FIELD_BITS * field`` over
    her counted answers, a field per (question position, option, same as the key);
    ``answered``/``correct``: how many counted, how many as the key; ``check``: her checklist
    answer's kappa category when the checklist question counts (else None)."""

    __slots__ = ("answered", "check", "correct", "fields", "scores")

    def __init__(
        self, fields: int, answered: int, correct: int, check: Category | None, scores: int = 0
    ):
        self.fields = fields
        self.answered = answered
        self.correct = correct
        self.check = check
        self.scores = scores  # per question position p: answered at field 2p, correct at 2p+1


class Fields:
    """Which field stands for which (position, option, as the key): numbered as they are first
    met, so vectors made earlier keep their meaning when new ones come."""

    def __init__(self) -> None:
        self.number: dict[FieldKey, int] = {}
        self.keys: list[FieldKey] = []

    def of(self, pos: int, option: Any, ok: int) -> int:
        key = (pos, option, ok)
        n = self.number.get(key)
        if n is None:
            n = self.number[key] = len(self.keys)
            self.keys.append(key)
        return n

    def split(self, total: int) -> Iterable[tuple[FieldKey, int]]:
        """``((pos, option, ok), count)`` for every field of a summed vector with a count."""
        for n, key in enumerate(self.keys):
            count = (total >> (FIELD_BITS * n)) & _FIELD_MASK
            if count:
                yield key, count


def checklist_category(option: int, mask: int, nitems: int) -> Category:
    """Kappa's category of a checklist answer with the option whose items count: the set of
    items (a bit mask); a set with an unknown or doubled item is a category of its own."""
    return (option, mask if bin(mask).count("1") == nitems else -nitems - 1)


class Numbers:
    """Small numbers for values of one kind, the same number each time (counting numbers is
    quicker than counting tuples); :meth:`value` gives the value back."""

    def __init__(self, first: Any = None) -> None:
        self.number: dict[Any, int] = {first: 0}
        self._values: list[Any] = [first]

    def value(self, n: int) -> Any:
        if len(self._values) != len(self.number):  # numbered since: list them again
            self._values = list(self.number)  # dicts keep insertion order: by number
        return self._values[n]

    def values(self) -> list[Any]:
        self.value(0)
        return self._values


class SessionIndex:
    """The finished keyed sessions read so far (each nurse's first attempts, then every
    attempt when a filter asks for them), with their counted answers as :class:`Vector`.

    ``keys``: the key of each case whose answers can be compared (in the library, with the
    key profile the sessions recorded); sessions of other cases count for the profile only."""

    def __init__(self, shape: Shape, keys: dict[str, Key]) -> None:
        self.shape = shape
        self.keys = keys
        self.fields = Fields()
        self.rows: dict[int, Row] = {}
        self.everything = False  # every finished keyed session is in rows
        # grouping keys by kind: PERSON, SUMMARY, GROUP, CHECK (0: none), the periods
        self.persons, self.summaries, self.groups = Numbers(), Numbers(), Numbers()
        self.checks, self.periods = Numbers(), Numbers()
        self._answer: dict[tuple[Any, ...], tuple[int, int, int]] = {}
        self._vectors: dict[tuple[str, int | None, int | None], Vector] = {}
        self._texts: dict[Any, Any] = {}
        self._nothing = Vector(0, 0, 0, None)

    def add(
        self,
        sessions: Iterable[Sequence[Any]],
        answers: Iterable[Sequence[Any]],
        answers_of: Callable[[int], list[Answer]],
    ) -> None:
        """``sessions``: id, nurse row, installation, case id, started, mode, match, profile,
        key profile, week (Monday); ``answers``: id, ``main``, lowest, highest and sum of her
        option codes, ``check`` (see :class:`Shape`), for the same sessions or more; both in
        ascending id order. ``answers_of`` reads one session's answers one by one.

        Python's cycle collector is paused meanwhile: the rows make no cycles, and it would
        otherwise walk every row made so far again and again (a third of the time)."""
        paused = gc.isenabled()
        gc.disable()
        try:
            self._add(sessions, answers, answers_of)
        finally:
            if paused:
                gc.enable()

    def _add(
        self,
        sessions: Iterable[Sequence[Any]],
        answers: Iterable[Sequence[Any]],
        answers_of: Callable[[int], list[Answer]],
    ) -> None:
        rows, shape, vectors = self.rows, self.shape, self._vectors
        one = self._texts.setdefault  # one copy of each repeated value
        persons, summaries = self.persons.number, self.summaries.number
        groups, checks, periods = self.groups.number, self.checks.number, self.periods.number
        packed = iter(answers)
        current: Sequence[Any] | None = next(packed, None)
        for sid, nurse, inst, case_id, started, mode, match, profile, key_profile, week in sessions:
            while current is not None and current[0] < sid:
                current = next(packed, None)
            if sid in rows:
                continue
            case_id = one(case_id, case_id)
            if current is not None and current[0] == sid:
                _, main, low, high, total, check = current
                if shape.plain(main, low, high, total):
                    key = (case_id, main, check)
                    vector = vectors.get(key)
                    if vector is None:
                        vector = vectors[key] = self._compare(case_id, shape.unpack(main, check))
                else:
                    vector = self._compare(case_id, answers_of(sid))
            else:
                vector = self._nothing
            person = persons.setdefault((nurse, inst), len(persons))
            right = 1 if match else 0
            tally = 1 + (right << 32) + (vector.answered << 64) + (vector.correct << 96)
            summary = (case_id, key_profile, profile, match)
            group = (case_id, right, vector)
            category = (case_id, vector.check)
            week, month = (person, week), (person, started[:7])
            rows[sid] = (
                sid,
                person,
                case_id,
                started,
                one(mode, mode),
                summaries.setdefault(summary, len(summaries)),
                groups.setdefault(group, len(groups)),
                0 if vector.check is None else checks.setdefault(category, len(checks)),
                periods.setdefault(week, len(periods)),
                periods.setdefault(month, len(periods)),
                tally + (vector.scores << 128),
                vector,
            )

    def select(
        self,
        flt: ReviewFilter,
        who: dict[tuple[int, str], int],
        people: set[int] | None,
        first: Sequence[int] | None,
    ) -> list[Row]:
        """The rows ``flt`` counts: of ``first`` (the first attempts' ids) or every row, of
        a known person (``who``: nurses row and installation to person), of ``people`` when
        the filter names a nurse, and of the filter's case, period and mode."""
        found = self.rows
        if first is not None:
            rows = [r for r in map(found.get, first) if r is not None]
        else:
            rows = list(found.values())
        known = self.who(who)
        if people is not None:
            allowed = {n for n, person in known.items() if person in people}
            rows = [r for r in rows if r[PERSON] in allowed]
        elif None in known.values():  # sessions of a nurse the identities do not know
            allowed = {n for n, person in known.items() if person is not None}
            rows = [r for r in rows if r[PERSON] in allowed]
        if flt.case is not None:
            rows = [r for r in rows if r[CASE] == flt.case]
        if flt.since is not None:
            low = utc_bound(flt.since)  # the log's UTC text compares as the times do
            rows = [r for r in rows if r[STARTED] >= low]
        if flt.until is not None:
            high = utc_bound(flt.until + timedelta(days=1))
            rows = [r for r in rows if r[STARTED] < high]
        if flt.mode is not None:
            rows = [r for r in rows if r[MODE] == flt.mode]
        return rows

    def who(self, who_of: dict[tuple[int, str], int]) -> dict[int, int | None]:
        """PERSON key -> the person (``who_of``: nurses row and installation to person)."""
        return {n: who_of.get(pair) for n, pair in enumerate(self.persons.values()) if n}

    def _compare(self, case_id: str, answers: list[Answer]) -> Vector:
        """Her answers against the case's key: those that count (her routing and the key
        both reach the question), and whether each is the key's answer."""
        key = self.keys.get(case_id)
        shape = self.shape
        if key is None:
            return Vector(0, 0, 0, None)
        routes = shape.route_set
        stop = NO_STOP  # the position of her routing answer that ended the questionnaire
        for pos, option, _, _ in answers:
            if (pos, option) in routes and pos < stop:
                stop = pos
        fields = answered = correct = scores = 0
        check: Category | None = None
        known = self._answer
        for answer in answers:
            pos = answer[0]
            if pos > stop:
                continue
            found = known.get((case_id, *answer))
            if found is None:
                found = known[(case_id, *answer)] = self._one(key, *answer)
            field, score, ok = found
            if not score:  # the key does not reach this question
                continue
            fields += field
            scores += score
            answered += 1
            correct += ok
            if pos == shape.checklist_pos:
                option, mask, nitems = answer[1:]
                check = (
                    checklist_category(option, mask, nitems)
                    if option == shape.checklist_option
                    else option
                )
        return Vector(fields, answered, correct, check, scores)

    def _one(self, key: Key, pos: int, option: Any, mask: int, nitems: int) -> tuple[int, int, int]:
        """One answer against the key: (its field, its scores, as the key 0/1); (0, 0, 0)
        when the key does not reach the question."""
        wanted = key.get(pos)
        if wanted is None:
            return 0, 0, 0
        ok = int(option == wanted[0] and mask == wanted[1] and nitems == wanted[2])
        field = 1 << (FIELD_BITS * self.fields.of(pos, option, ok))
        return field, (1 + (ok << FIELD_BITS)) << (2 * FIELD_BITS * pos), ok


# -- the analyses over a selection of rows ----------------------------------------------------


def summary(
    rows: Sequence[Row], index: SessionIndex, case_of: Callable[[str], Any]
) -> tuple[int, int, dict[str, dict[str, int]], dict[str, CaseStats]]:
    """(sessions, matched, confusion, cases) of the counted rows."""
    counts = Counter(map(itemgetter(SUMMARY), rows))
    named = [(index.summaries.value(k), n) for k, n in counts.items()]
    sessions = matched = 0
    confusion: dict[str, dict[str, int]] = {}
    cases: dict[str, CaseStats] = {}
    for (case_id, key_profile, profile, match), n in sorted(named, key=_order):
        m = n if match else 0
        sessions += n
        matched += m
        reg = profile or "?"
        cell = confusion.setdefault(key_profile, {})
        cell[reg] = cell.get(reg, 0) + n
        stats = cases.get(case_id)
        if stats is None:
            case = case_of(case_id)
            stats = cases[case_id] = CaseStats(
                case_id, case.title if case else None, case.profile if case else key_profile
            )
        stats.sessions += n
        stats.matched += m
        stats.profiles[reg] = stats.profiles.get(reg, 0) + n
    return sessions, matched, confusion, cases


def _order(item: tuple[tuple[Any, ...], int]) -> tuple[str, ...]:
    return tuple("" if v is None else str(v) for v in item[0])


@dataclass
class QuestionCounts:
    """What per-question statistics are made of, counted over the selected rows."""

    options: dict[FieldKey, int]  # (pos, option, ok) -> answers
    ratings: dict[int, dict[str, dict[Category, int]]]  # pos -> case -> category -> answers
    groups: dict[int, list[int]]  # pos -> right_correct, right_total, wrong_correct, wrong_total


def question_counts(rows: Sequence[Row], index: SessionIndex) -> QuestionCounts:
    """Add up the vectors of ``rows`` per (case, profile right) and split the sums."""
    sums: dict[tuple[str, int], int] = {}
    for key, n in Counter(map(itemgetter(GROUP), rows)).items():
        case_id, right, vector = index.groups.value(key)
        sums[(case_id, right)] = sums.get((case_id, right), 0) + vector.fields * n
    counted = Counter(map(itemgetter(CHECK), rows))
    checks = {index.checks.value(k): n for k, n in counted.items() if k}
    check_pos = index.shape.checklist_pos
    options: dict[FieldKey, int] = {}
    ratings: dict[int, dict[str, dict[Category, int]]] = {}
    groups: dict[int, list[int]] = {}
    for (case_id, right), total in sorted(sums.items()):
        for (pos, option, ok), n in index.fields.split(total):
            options[(pos, option, ok)] = options.get((pos, option, ok), 0) + n
            if pos != check_pos:
                per_case = ratings.setdefault(pos, {}).setdefault(case_id, {})
                per_case[option] = per_case.get(option, 0) + n
            g = groups.setdefault(pos, [0, 0, 0, 0])
            if right:
                g[0] += n if ok else 0
                g[1] += n
            else:
                g[2] += n if ok else 0
                g[3] += n
    if check_pos is not None:
        for (case_id, category), n in sorted(checks.items(), key=lambda kv: str(kv[0])):
            per_case = ratings.setdefault(check_pos, {}).setdefault(case_id, {})
            per_case[category] = per_case.get(category, 0) + n
    return QuestionCounts(options, ratings, groups)


def fill_questions(stats: dict[str, QuestionStats], counts: QuestionCounts, shape: Shape) -> None:
    """answered, correct, options and wrong options of each question from ``counts``."""
    for (pos, option, ok), n in sorted(counts.options.items(), key=_field_order):
        s = stats[shape.qids[pos - 1]]
        code = str(option)
        s.answered += n
        s.options[code] = s.options.get(code, 0) + n
        if ok:
            s.correct += n
        else:
            s.wrong_options[code] = s.wrong_options.get(code, 0) + n


def _field_order(item: tuple[FieldKey, int]) -> tuple[int, tuple[int, Any], int]:
    pos, option, ok = item[0]
    return pos, ((0, option) if isinstance(option, int) else (1, str(option))), ok


def nurse_figures(
    rows: Sequence[Row],
    index: SessionIndex,
    who_of: dict[tuple[int, str], int],
    nurse: Callable[[int], Nurse],
) -> dict[int, NurseStats]:
    """Per nurse: sessions, profile accuracy, facility, progress per period, per question.

    Progress is per week (the Monday's date) when the rows span at most ten weeks, otherwise
    per month; periods are UTC calendar days."""
    if not rows:
        return {}
    started = itemgetter(STARTED)
    first, last = min(map(started, rows)), max(map(started, rows))
    weekly = local_time(last) - local_time(first) <= timedelta(days=70)
    column = WEEK if weekly else MONTH
    tallies: dict[int, int] = {}  # (PERSON, period) number -> the sum of the sessions' tallies
    for r in rows:
        key = r[column]
        tallies[key] = tallies.get(key, 0) + r[TALLY]
    who = index.who(who_of)
    periods: dict[tuple[int, str], int] = {}
    by_person: dict[int, int] = {}
    for key, tally in tallies.items():
        number, period = index.periods.value(key)
        person = who[number]
        assert person is not None  # select() leaves out sessions of unknown nurses
        when = (person, period)
        periods[when] = periods.get(when, 0) + (tally & _TALLY)
        by_person[person] = by_person.get(person, 0) + (tally >> 128)
    out: dict[int, NurseStats] = {}
    for (person, per), tally in sorted(periods.items()):
        s = out.get(person)
        if s is None:
            s = out[person] = NurseStats(nurse(person))
        n, m = tally & _COUNT, (tally >> 32) & _COUNT
        a_n, a_ok = (tally >> 64) & _COUNT, tally >> 96
        s.sessions += n
        s.matched += m
        s.progress.append(ProgressPoint(per, n, m, a_n, a_ok))
    qids = index.shape.qids
    full = (1 << FIELD_BITS) - 1
    for person, scores in by_person.items():
        s = out[person]
        for pos in range(1, len(qids) + 1):
            n = (scores >> (2 * FIELD_BITS * pos)) & full
            if n:
                ok = (scores >> ((2 * pos + 1) * FIELD_BITS)) & full
                s.answered += n
                s.correct += ok
                s.questions.append(QuestionScore(qids[pos - 1], n, ok))
    return out
