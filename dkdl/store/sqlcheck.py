"""The fast pass of import validation: SQL that lets through only rows that are certainly good.

Checking every row of a large source in Python cost more than the merge itself. Most rows are
plain (a known questionnaire version, an answer without checklist items, times as dkdl writes
them), and SQLite can confirm that in one scan without handing a single value to Python. So the
validation of a source runs in two steps:

1. SQL (this module) selects the rows it cannot *prove* good: ``WHERE (good) IS NOT 1``, so a
   condition that comes out NULL also sends the row on;
2. each of those rows goes through :mod:`dkdl.store.validate`, the authority, which writes the
   Dutch message (or finds nothing wrong: the fast pass is only ever stricter).

The fast pass only *accepts*. Every condition here is narrower than its counterpart in
``validate.py`` (tests/test_sqlcheck.py feeds the same rows to both). Rules it keeps to, because
the source file is crafted data and so is its schema:

- every text comparison says ``COLLATE BINARY`` (a column declared ``COLLATE NOCASE`` or
  ``RTRIM`` would otherwise make ``'OEFENEN '`` equal to ``'oefenen'``);
- a value matched by ``GLOB`` is also measured in characters *and* bytes: ``GLOB`` and
  ``length()`` stop at a NUL character, the bytes do not, so equal counts mean no NUL and plain
  ASCII;
- the vocabulary (versions, questions, options, profiles) comes from the shipped questionnaires
  and is bound as parameters; a literal that would not pass ``validate.py`` itself is left out;
- values that repeat (pseudonyms, case ids and hashes, questionnaire hashes, laptops, checklist
  items) are read once each (``SELECT DISTINCT``), judged by ``validate.py``'s own functions, and
  only those found good are bound; at most :data:`MAX_DISTINCT` of each, so memory stays
  bounded (rows with further values go to Python one by one).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping

from dkdl.sessionlog import AFGEBROKEN, AFGEROND, BEZIG
from dkdl.store.validate import (
    CLOCK_SKEW,
    MAX_CHANGES,
    MAX_SECONDS,
    Vocabulary,
    is_case_id,
    is_hash,
    is_uuid,
    items_problems,
    plain_code,
    plain_text,
    pseudonym_problems,
)

MAX_DISTINCT = 10_000

_UUID_GLOB = "-".join("[0-9a-f]" * n for n in (8, 4, 4, 4, 12))
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S+00:00"  # as dkdl writes times (dkdl.sessionlog.now)


def _ascii(x: str, length: str) -> str:
    """``x`` is text of ``length`` characters (an SQL condition such as ``= 36``) and as many
    bytes: ``length()`` counts characters up to a NUL, the bytes go on, so equal counts mean
    no NUL; with the characters checked against ASCII sets below, plain ASCII text."""
    return (
        f"(typeof({x}) = 'text' AND length({x}) {length} "
        f"AND length(CAST({x} AS BLOB)) = length({x}))"
    )


def uuid_sql(x: str) -> str:
    """``x`` is a UUID as dkdl writes it (lower-case hex, 8-4-4-4-12)."""
    return f"({_ascii(x, '= 36')} AND {x} GLOB '{_UUID_GLOB}')"


def time_sql(x: str) -> str:
    """``x`` is ``YYYY-MM-DDTHH:MM:SS+00:00`` exactly as dkdl writes it, and a real moment: SQLite
    reads it, normalises it (``+0 seconds``: 30 February would become 2 March, hour 24 the next
    day) and writes it back the same. Year 0000 is left to ``validate.py`` (Python has none);
    so are the other forms it accepts (``Z``, fractions of a second)."""
    return (
        f"(typeof({x}) = 'text' AND {x} COLLATE BINARY >= '0001' "
        f"AND strftime('{_TIME_FORMAT}', {x}, '+0 seconds') = {x} COLLATE BINARY)"
    )


def not_too_early(x: str, start: str) -> str:
    """``x`` is NULL or does not lie more than ``CLOCK_SKEW`` seconds before ``start``, where
    both are times that :func:`time_sql` accepts (then, and only then, text order is time
    order). The plain comparison first; a time a little before the start is compared with the
    start moved back one second less than ``CLOCK_SKEW`` (strftime drops any fraction of a
    second, so the fast pass stays within validate.py's rule)."""
    return (
        f"(CASE WHEN {x} IS NULL OR {x} COLLATE BINARY >= {start} COLLATE BINARY THEN 1 "
        f"ELSE {x} COLLATE BINARY >= "
        f"strftime('{_TIME_FORMAT}', {start}, '-{CLOCK_SKEW - 1} seconds') END)"
    )


def _in(values: str, *columns: str) -> str:
    """``(columns) IN`` the rows of the JSON array bound at ``values`` (arrays for several
    columns), compared byte for byte."""
    left = ", ".join(f"{c} COLLATE BINARY" for c in columns)
    if len(columns) == 1:
        return f"({left} IN (SELECT value FROM json_each({values})))"
    right = ", ".join(f"json_extract(value, '$[{i}]')" for i in range(len(columns)))
    return f"(({left}) IN (SELECT {right} FROM json_each({values})))"


def _null_or(x: str, condition: str) -> str:
    """``x`` is NULL or meets ``condition``, which is not evaluated for NULL (``IN`` with a NULL
    on the left scans the whole list to tell NULL from false)."""
    return f"(CASE WHEN {x} IS NULL THEN 1 ELSE {condition} END)"


def _is(x: str, *words: str) -> str:
    return f"({x} COLLATE BINARY IN ({', '.join(repr(w) for w in words)}))"


def session_sql() -> str:
    """The condition a session row (columns named as :class:`dkdl.store.rows.SessionRow`) meets
    only when :func:`dkdl.store.validate.session_problems` (strict) finds nothing wrong.
    Parameters: see :func:`parameters`."""
    afgerond = _is("status", AFGEROND)
    return f"""(
        {uuid_sql("session_id")}
        AND {_in(":names", "nurse")}
        AND (
            ({_is("mode", "vrij")} AND case_id IS NULL AND case_hash IS NULL
                AND key_profile IS NULL)
            OR ({_is("mode", "oefenen", "toets")} AND {_in(":cases", "case_id", "case_hash")}
                AND (NOT {afgerond} OR key_profile IS NOT NULL))
        )
        AND {
        _in(":questionnaires", "questionnaire_version", "questionnaire_id", "questionnaire_hash")
    }
        AND {time_sql("started_at")}
        AND (
            ({_is("status", BEZIG)} AND finished_at IS NULL AND profile IS NULL)
            OR ({_is("status", AFGEBROKEN)} AND {time_sql("finished_at")} AND profile IS NULL)
            OR ({afgerond} AND {time_sql("finished_at")} AND profile IS NOT NULL)
        )
        AND {not_too_early("finished_at", "started_at")}
        AND {_null_or("profile", _in(":profiles", "questionnaire_version", "profile"))}
        AND {_null_or("key_profile", _in(":profiles", "questionnaire_version", "key_profile"))}
        AND CASE WHEN profile IS NULL OR key_profile IS NULL THEN "match" IS NULL
            ELSE typeof("match") = 'integer'
                AND "match" = (profile COLLATE BINARY = key_profile COLLATE BINARY) END
        AND (test_id IS NULL OR ({_is("mode", "toets")} AND {uuid_sql("test_id")}))
        AND {_null_or("installation", _in(":installations", "installation"))}
    )"""


def answer_sql() -> str:
    """The condition an answer row (columns ``question, option, items, answered_at, seconds,
    changes`` and its session's ``questionnaire_version``) meets only when
    :func:`dkdl.store.validate.answer_problems` (strict) finds nothing wrong. Parameters: see
    :func:`parameters`."""
    return f"""(
        typeof(option) = 'integer'
        AND {_in(":options", "questionnaire_version", "question", "option")}
        AND {_null_or("items", _in(":items", "questionnaire_version", "question", "items"))}
        AND {time_sql("answered_at")}
        AND typeof(seconds) IN ('integer', 'real') AND seconds BETWEEN 0 AND {MAX_SECONDS!r}
        AND typeof(changes) = 'integer' AND changes BETWEEN 0 AND {MAX_CHANGES}
    )"""


def parameters(
    conn: sqlite3.Connection,
    sessions: str,
    answers: str,
    vocabularies: Mapping[str, Vocabulary],
    extra: Mapping[str, object],
) -> dict[str, object]:
    """The bound parameters of :func:`session_sql` and :func:`answer_sql` for one source:
    ``sessions`` and ``answers`` are its rows as subqueries (with ``extra`` parameters). The
    vocabulary comes from ``vocabularies``; values that repeat are read once each and judged
    here with ``validate.py``'s own functions (only the good ones are bound)."""

    def distinct(columns: str, rows: str, where: str = "") -> list[tuple]:
        binary = ", ".join(f"{c} COLLATE BINARY" for c in columns.split(", "))
        sql = f"SELECT DISTINCT {binary} FROM ({rows}) {where} LIMIT {MAX_DISTINCT}"
        return conn.execute(sql, dict(extra)).fetchall()

    questionnaires, profiles, options = [], [], []
    for version, qid, qhash in distinct(
        "questionnaire_version, questionnaire_id, questionnaire_hash", sessions
    ):
        v = vocabularies.get(version) if type(version) is str else None
        good = v is not None and plain_text(version) and qid == v.questionnaire_id
        if good and plain_text(qid) and is_hash(qhash):
            questionnaires.append([version, qid, qhash])
    for version, v in vocabularies.items():
        if plain_text(version):
            profiles += [[version, p] for p in sorted(v.profiles) if plain_code(p)]
            options += [
                [version, q, o]
                for q, count in v.options.items()
                if plain_code(q)
                for o in range(1, count + 1)
            ]
    cases = [
        [case_id, case_hash]
        for case_id, case_hash in distinct("case_id, case_hash", sessions)
        if is_case_id(case_id) and is_hash(case_hash)
    ]
    installations = [
        i
        for (i,) in distinct("installation", sessions, "WHERE installation IS NOT NULL")
        if is_uuid(i)
    ]
    items = [
        [version, question, text]
        for version, question, text in distinct(
            "questionnaire_version, question, items", answers, "WHERE items IS NOT NULL"
        )
        if _good_items(vocabularies, version, question, text)
    ]
    return {
        **extra,
        "names": json.dumps([n for (n,) in distinct("nurse", sessions) if good_name(n)]),
        "questionnaires": json.dumps(questionnaires),
        "profiles": json.dumps(profiles),
        "options": json.dumps(options),
        "cases": json.dumps(cases),
        "installations": json.dumps(installations),
        "items": json.dumps(items),
    }


def good_name(name: object) -> bool:
    """A pseudonym as the app's rule takes it (:func:`dkdl.sessionlog.check_pseudonym`)."""
    return not pseudonym_problems(name)


def _good_items(
    vocabularies: Mapping[str, Vocabulary], version: object, question: object, items: object
) -> bool:
    """Whether the checklist ``items`` text of an answer to ``question`` in ``version`` is
    certainly good (the checks of :func:`dkdl.store.validate.answer_problems` on ``items``)."""
    vocabulary = vocabularies.get(version) if type(version) is str else None
    return (
        vocabulary is not None
        and plain_code(question)
        and question in vocabulary.options
        and not items_problems(items, question, vocabulary)
    )
