"""One session against the key, as the nurse saw it in her feedback (for the trainer).

Built from the log's rows of one session and the case from the library; the comparison is
:meth:`dkdl.scoring.Scorer.compare`, the same one the nurse's feedback uses.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from dkdl.review_model import DetailRow, SessionDetail, local_time
from dkdl.scoring import Answers, Scorer
from dkdl.store import ITEM_SEP

if TYPE_CHECKING:
    from dkdl.cases import Case


def build_detail(
    row: Sequence[Any], answers: Sequence[Sequence[Any]], scorer: Scorer, case: Case | None
) -> SessionDetail:
    """``row``: uuid, nurse display name, laptop, mode, case id, case hash, started, finished,
    status, profile, key profile, match; ``answers``: question, option, items, seconds,
    changes. ``case``: the case from the library, or None when it is missing."""
    (uuid, display, laptop, mode, case_id, case_hash, started, finished, status) = row[:9]
    profile, key_profile, match = row[9:12]
    q = scorer.questionnaire
    checklist = next((x for x in q.questions if x.checklist is not None), None)
    checklist_id = checklist.id if checklist else None
    when = checklist.checklist.when_option if checklist and checklist.checklist else None
    all_items = (
        [i.id for i in checklist.checklist.items] if checklist and checklist.checklist else []
    )
    given = {a[0]: a for a in answers if a[0] in q.by_id}
    options = {qid: a[1] for qid, a in given.items()}
    ticked = (
        frozenset(_split_items(given[checklist_id][2])) if (checklist_id in given) else frozenset()
    )
    mine = Answers(options, ticked)
    notes: list[str] = []
    key: Answers | None = None
    if case_id is not None and case is None:
        notes.append(
            f"Casus {case_id} staat niet in de casusmappen: de sleutel en de toelichtingen "
            "zijn niet beschikbaar."
        )
    elif case is not None:
        if key_profile is not None and key_profile != case.profile:
            notes.append(
                f"De sleutel van casus {case_id} is veranderd sinds deze sessie (toen "
                f"{key_profile}, nu {case.profile}); de antwoorden worden niet vergeleken."
            )
        else:
            key = case.answers
            if case_hash and case_hash != case.content_hash:
                notes.append(
                    f"Casus {case_id} is gewijzigd sinds deze sessie; vergeleken met de "
                    "huidige sleutel."
                )
    reached = set(scorer.reached(options))
    verdicts = {v.question_id: v for v in scorer.compare(mine, key or Answers({}))}
    rows: list[DetailRow] = []
    for question in q.questions:
        qid = question.id
        verdict = verdicts.get(qid)
        if verdict is None or (verdict.mine is None and key is None):
            continue
        counts = question.checklist is not None
        mine_items: tuple[str, ...] = ()
        key_items: tuple[str, ...] = ()
        if counts and verdict.mine == when:
            mine_items = tuple(i for i in all_items if i in mine.items)
        if counts and key is not None and verdict.key == when:
            key_items = tuple(i for i in all_items if i in key.items)
        a = given.get(qid)
        rows.append(
            DetailRow(
                qid,
                question.title,
                verdict.mine,
                _text(question, verdict.mine),
                mine_items,
                verdict.key if key is not None else None,
                _text(question, verdict.key) if key is not None else None,
                key_items,
                verdict.same if key is not None else None,
                case.toelichting(qid) if case is not None and key is not None else None,
                float(a[3]) if a and qid in reached else None,
                int(a[4]) if a and qid in reached else None,
            )
        )
    skipped = [(qid, a[1]) for qid, a in given.items() if qid not in reached]
    order = {x.id: i for i, x in enumerate(q.questions)}
    skipped.sort(key=lambda x: order[x[0]])
    labels = q.labels
    return SessionDetail(
        uuid,
        display,
        laptop,
        mode,
        case_id,
        case.title if case else None,
        local_time(started),
        local_time(finished) if finished else None,
        status,
        profile,
        labels.get(profile) if profile else None,
        key_profile,
        labels.get(key_profile) if key_profile else None,
        None if match is None else bool(match),
        rows,
        skipped,
        notes,
    )


def _text(question: Any, code: Any) -> str | None:
    """The option's text, or None without an answer or for a code the question lacks (a log
    of another questionnaire version, or a crafted one)."""
    return next((o.text for o in question.options if code and o.code == code), None)


def _split_items(text: str | None) -> tuple[str, ...]:
    return tuple(text.split(ITEM_SEP)) if text else ()
