"""Oefen mijn zwakke punten: the next case, chosen to exercise what she misses most.

The rule (the help quotes :data:`RULE`, its Dutch wording):

1. Her weak points are the questions of "Mijn voortgang"'s weakest list
   (:attr:`dkdl.progress.Progress.weakest`: lowest share of answers equal to the key first), each
   with the miss she makes most often there: she answers option A where the key answers B (for
   the checklist question also: the same option, other items ticked).
2. A case *turns on* such a miss when its key answers B at that question and answering A there
   instead would give another profile (computed with the model, :meth:`Scorer.what_if`; for an
   items miss: ticking or unticking one item would give another profile). A case whose key
   answers B there but whose profile would stay the same only *exercises* the miss.
3. The cases of her last ``avoid_last`` counted sessions are never chosen.
4. For her weakest question first: the cases that turn on its miss; if there are none, the
   cases that exercise it; if none either, the same for her next weakest question.
5. Among those, the cases she has done the fewest times; among those, one drawn with
   ``random.Random(seed)`` (the only use of chance: same history and seed, same case).
6. No case fits (no history, no answer against the key yet, or none left): a case she has not
   done yet; when she has done them all, one of those she has done the fewest times, drawn the
   same way. The reason then says so.

Plain Python, no Textual.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dkdl.cases import Case, CaseLibrary
    from dkdl.progress import Progress, WeakQuestion
    from dkdl.scoring import Scorer

RULE = (
    "Oefen mijn zwakke punten kiest de volgende casus zo: dkdl neemt je zwakste vraag uit Mijn "
    "voortgang (het laagste aandeel antwoorden gelijk aan de sleutel) en het antwoord dat je daar "
    "het vaakst anders geeft dan de sleutel. Eerst komen casussen waarin de sleutel daar het "
    "antwoord heeft dat jij mist én waarin jouw gebruikelijke antwoord een ander profiel zou "
    "geven; zijn die er niet, dan casussen waarin de sleutel daar dat antwoord heeft; anders je "
    "op een na zwakste vraag, enzovoort. Je laatste casussen komen niet terug. Van de passende "
    "casussen krijg je er een die je het minst vaak hebt gedaan; bij gelijkspel beslist het lot. "
    "Heb je nog geen zwakke punten, dan krijg je een casus die je nog niet hebt gedaan. Dit is "
    "de eigen keuze van dkdl, geen regel van de NZa."
)
DEFAULT_AVOID_LAST = 3


@dataclass(frozen=True)
class Suggestion:
    case: Case
    reason: str  # one Dutch sentence
    targets: tuple[str, ...]  # the question ids it aims at


def turns_on(case: Case, scorer: Scorer, qid: str, her: int, key: int) -> bool:
    """The case's key answers ``key`` at ``qid`` and answering ``her`` there instead gives
    another profile (an items miss, ``her == key`` at the checklist question: ticking or
    unticking one item gives another profile)."""
    if case.answers.options.get(qid) != key:
        return False
    for w in scorer.what_if(case.answers):
        if w.question_id != qid:
            continue
        if her == key and w.option_code is None and w.item_id is not None:
            return True
        if her != key and w.option_code == her:
            return True
    return False


def exercises(case: Case, qid: str, key: int) -> bool:
    """The case's key answers ``key`` at ``qid`` (routing reaches it)."""
    return case.answers.options.get(qid) == key


def reason_for(weak: WeakQuestion) -> str:
    """One Dutch sentence: why a case aimed at ``weak`` was chosen, with her own figures (how
    many of her answers there differed from the key): her weakest question may still be one she
    mostly gets right, so the sentence does not say "vaak"."""
    wrong = weak.rate.counted - weak.rate.right
    said = (
        f"Gekozen omdat je bij {weak.title} {wrong} van de {weak.rate.counted} keer anders "
        "antwoordde dan de sleutel"
    )
    if weak.her_option is not None and weak.her_option == weak.key_option:
        return said + ", het vaakst met andere aangevinkte handelingen."
    return said + "."


def next_weak_case(
    progress: Progress,
    library: CaseLibrary,
    scorer: Scorer,
    *,
    seed: int,
    avoid_last: int = DEFAULT_AVOID_LAST,
) -> Suggestion | None:
    """The next case by the module's rule; None when the library has no case left to offer
    (empty, or only her last ``avoid_last`` cases)."""
    history = progress.history
    avoid = set(history[-avoid_last:]) if avoid_last > 0 else set()
    candidates = [c for c in library.cases if c.id not in avoid]
    if not candidates:
        return None
    times = Counter(history)
    rng = random.Random(seed)
    for weak in progress.weakest:
        for strict in (True, False):
            chosen = [c for c in candidates if aims_at(c, scorer, weak, strict=strict)]
            if chosen:
                return Suggestion(_draw(chosen, times, rng), reason_for(weak), (weak.qid,))
    not_done = [c for c in candidates if times[c.id] == 0]
    if not_done:
        return Suggestion(
            _draw(not_done, times, rng), "Gekozen omdat je deze casus nog niet hebt gedaan.", ()
        )
    return Suggestion(
        _draw(candidates, times, rng), "Gekozen omdat je deze casus het minst vaak hebt gedaan.", ()
    )


def aims_at(case: Case, scorer: Scorer, weak: WeakQuestion, *, strict: bool) -> bool:
    """The case turns on her usual miss at ``weak`` (``strict``), or exercises it."""
    her, key = weak.her_option, weak.key_option
    if her is None or key is None:
        return False
    return turns_on(case, scorer, weak.qid, her, key) if strict else exercises(case, weak.qid, key)


def _draw(cases: Sequence[Case], times: Counter[str], rng: random.Random) -> Case:
    """Of ``cases``, those done the fewest times; one of them drawn (ordered by id first, so
    the draw depends only on the seed and the set)."""
    fewest = min(times[c.id] for c in cases)
    pool = sorted((c for c in cases if times[c.id] == fewest), key=lambda c: c.id)
    return rng.choice(pool)


__all__ = [
    "DEFAULT_AVOID_LAST",
    "RULE",
    "aims_at",
    "Suggestion",
    "exercises",
    "next_weak_case",
    "reason_for",
    "turns_on",
]
