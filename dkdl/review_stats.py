"""The statistics of the trainer review, as plain functions on counts (no SQL, no log).

Definitions and references are in ``docs/report.md``; the thresholds of :class:`Thresholds` are
the app's own choices, not rules of the NZa or of the literature.

- :func:`fleiss_kappa`: Fleiss' kappa (Fleiss 1971) generalised to a different number of raters
  per subject as Fleiss & Cuzick (1979) do: their kappa per category, combined over the
  categories with weights p_j q_j as Fleiss (1971) combines them (the textbook cited for it:
  Fleiss, Levin & Paik 2003, ch. 18). It is what Stata's ``kap``/``kappa`` compute; it is
  not Gwet's (2014) variant (R irrCAC, Stata ``kappaetc``), which gives other numbers when
  the raters per subject vary. With the same number of raters everywhere all three equal
  Fleiss (1971).
- :func:`pair_agreement`: the share of agreeing pairs of ratings within subjects.
- :func:`group_difference`: the discrimination index used here: facility among the sessions
  whose profile matched the key minus facility among those whose profile did not.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# A subject's ratings: category -> number of raters who chose it.
Ratings = Mapping[object, int]


def fleiss_kappa(subjects: Sequence[Ratings]) -> float | None:
    """Fleiss' kappa over ``subjects`` (each: category -> count), raters may differ per subject.

    kappa = 1 - sum_i sum_j x_ij (m_i - x_ij) / m_i  /  (N (m - 1) sum_j p_j q_j)

    with m_i the ratings of subject i, N the subjects with at least two ratings, m their mean
    number of ratings, p_j the share of all their ratings in category j and q_j = 1 - p_j.
    This is sum_j p_j q_j kappa_j / sum_j p_j q_j with kappa_j Fleiss & Cuzick's kappa of
    category j against the rest. Subjects with fewer than two ratings carry no pair and are
    left out, also from p_j (this app's choice; Stata's ``kap`` keeps them in p_j). ``None``
    where kappa is undefined: no subject with two ratings, or every rating in one category
    (no variation to agree beyond chance on).
    """
    rows = [{c: n for c, n in s.items() if n > 0} for s in subjects]
    rows = [r for r in rows if sum(r.values()) >= 2]
    if not rows:
        return None
    n_subjects = len(rows)
    sizes = [sum(r.values()) for r in rows]
    total = sum(sizes)
    mean_m = total / n_subjects
    per_category: dict[object, int] = {}
    for r in rows:
        for c, n in r.items():
            per_category[c] = per_category.get(c, 0) + n
    spread = sum((n / total) * (1 - n / total) for n in per_category.values())
    if spread <= 1e-12:
        return None
    disagreement = sum(
        sum(x * (m - x) for x in r.values()) / m for r, m in zip(rows, sizes, strict=True)
    )
    return 1 - disagreement / (n_subjects * (mean_m - 1) * spread)


def pair_agreement(subjects: Sequence[Ratings]) -> tuple[float | None, int, int]:
    """``(share, agreeing pairs, pairs)``: of all pairs of ratings of the same subject, the
    share that chose the same category. Subjects with fewer than two ratings have no pairs;
    ``share`` is ``None`` when there are no pairs at all."""
    agreeing = pairs = 0
    for s in subjects:
        m = sum(s.values())
        pairs += m * (m - 1) // 2
        agreeing += sum(n * (n - 1) // 2 for n in s.values())
    return (agreeing / pairs if pairs else None), agreeing, pairs


def group_difference(
    right_correct: int, right_total: int, wrong_correct: int, wrong_total: int
) -> float | None:
    """Facility among sessions with the right profile minus facility among the others (-1..1);
    ``None`` when either group is empty."""
    if right_total == 0 or wrong_total == 0:
        return None
    return right_correct / right_total - wrong_correct / wrong_total


def share(part: int, whole: int) -> float | None:
    """``part / whole``, or ``None`` when there is nothing to divide."""
    return part / whole if whole else None


@dataclass(frozen=True)
class Thresholds:
    """When a question is flagged (the app's own choices; see ``docs/report.md``).

    - low facility with a popular wrong option: facility below ``facility`` and one wrong
      option chosen in at least ``popular_wrong`` of the counted answers;
    - negative discrimination: below ``discrimination`` (a little below zero, so that noise
      on a question almost everyone gets right is not flagged), with at least ``min_group``
      sessions in each group;
    - low agreement: kappa below ``kappa`` (Fleiss' own guideline calls < 0.40 poor), only
      where the cases it is computed over (two or more ratings) have at least two different
      key answers on the question (see :func:`kappa_informative`);
    - nothing is flagged on fewer than ``min_answered`` counted answers.
    """

    facility: float = 0.6
    popular_wrong: float = 0.25
    discrimination: float = -0.1
    min_group: int = 10
    kappa: float = 0.40
    min_answered: int = 10


@dataclass(frozen=True)
class Flag:
    """A reason to look at a question again: ``kind`` for code, ``reason`` in Dutch words."""

    kind: str  # low_facility | negative_discrimination | low_agreement
    reason: str

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "reason": self.reason}


def percent(x: float) -> str:
    """0.423 -> '42 %' (Dutch style, as the report prints shares)."""
    return f"{round(x * 100):d} %"


def decimal(x: float, places: int = 2) -> str:
    """0.213 -> '0,21' (Dutch decimal comma); a value that rounds to zero is '0,00', never
    '-0,00' (a kappa of -0.001 in a flag's reason)."""
    rounded = round(x, places)
    return f"{rounded if rounded != 0 else 0.0:.{places}f}".replace(".", ",")


def kappa_informative(key_answers: int) -> bool:
    """Whether a low kappa may be read as "the nurses agree little": only when the cases it is
    computed over have at least two different key answers on the question (this app's own
    rule). Kappa measures whether raters tell the subjects apart consistently; when every
    case has the same key, one answer dominates, chance agreement is high and kappa comes out
    near or below 0 even when most pairs agree (the kappa paradox: Feinstein & Cicchetti
    1990). ``key_answers`` is the number of different key answers among those cases."""
    return key_answers >= 2


def kappa_note(kappa: float | None, key_answers: int, thresholds: Thresholds) -> str | None:
    """Dutch words for a kappa below the threshold that :func:`kappa_informative` says little
    about (no flag is raised for it); ``None`` otherwise."""
    if kappa is None or kappa >= thresholds.kappa or kappa_informative(key_answers):
        return None
    return (
        f"Kappa is laag (onder {decimal(thresholds.kappa)}), maar zegt hier weinig: alle "
        "casussen met twee of meer verpleegkundigen hebben bij deze vraag hetzelfde "
        "sleutelantwoord, en dan valt kappa laag uit, ook als de meesten hetzelfde kiezen. "
        "Kijk naar het deel van de paren dat hetzelfde koos."
    )


def flags_for(
    *,
    answered: int,
    facility: float | None,
    wrong_option: tuple[str, int] | None,
    wrong_option_text: str | None,
    discrimination: float | None,
    group_sizes: tuple[int, int],
    kappa: float | None,
    agreement: float | None,
    key_answers: int,
    thresholds: Thresholds,
) -> list[Flag]:
    """The flags of one question, each with its reason in words.

    ``wrong_option`` is ``(option code, times chosen against the key)`` for the most popular
    wrong option; ``group_sizes`` the sessions with the right and with a wrong profile;
    ``agreement`` the share of agreeing pairs and ``key_answers`` the number of different key
    answers among the cases with two or more ratings (low agreement is flagged only where
    :func:`kappa_informative`).
    """
    t = thresholds
    flags: list[Flag] = []
    if answered < t.min_answered:
        return flags
    if facility is not None and facility < t.facility and wrong_option is not None:
        code, times = wrong_option
        if times / answered >= t.popular_wrong:
            text = f" ({wrong_option_text})" if wrong_option_text else ""
            flags.append(
                Flag(
                    "low_facility",
                    f"Maar {percent(facility)} antwoordt als de sleutel; "
                    f"{percent(times / answered)} kiest tegen de sleutel in optie {code}{text}.",
                )
            )
    if (
        discrimination is not None
        and discrimination < t.discrimination
        and min(group_sizes) >= t.min_group
    ):
        flags.append(
            Flag(
                "negative_discrimination",
                "Wie het profiel goed heeft, beantwoordt deze vraag vaker anders dan de sleutel "
                "dan wie het profiel fout heeft (onderscheidend vermogen "
                f"{decimal(discrimination)}). Kijk of de vraag of de sleutel verwarrend is.",
            )
        )
    if kappa is not None and kappa < t.kappa and kappa_informative(key_answers):
        pairs = (
            f"; {percent(agreement)} van de paren koos hetzelfde" if agreement is not None else ""
        )
        flags.append(
            Flag(
                "low_agreement",
                "Verpleegkundigen die dezelfde casus registreren, zijn het weinig eens, "
                f"gecorrigeerd voor toeval (kappa {decimal(kappa)}, onder {decimal(t.kappa)}"
                f"{pairs}), terwijl de sleutel bij deze vraag per casus verschilt.",
            )
        )
    return flags
