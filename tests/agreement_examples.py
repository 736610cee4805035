"""Published rating data with a varying number of raters and more than two categories, and
independent formulas to check dkdl/review_stats.py with (tests/test_review_stats.py and
tests/test_review_kappa.py).

Two generalisations of Fleiss' kappa to a varying number of raters per subject are in print,
and they give different numbers on the same data:

- Fleiss & Cuzick (1979), per category, with the categories combined as in Fleiss (1971):
  what :func:`dkdl.review_stats.fleiss_kappa` computes, and what Stata's official ``kap`` /
  ``kappa`` commands compute (:func:`stata_kappa` restates their program);
- Gwet (2014), *Handbook of Inter-Rater Reliability*, 4th ed., "Fleiss' generalized kappa"
  with missing ratings: what the R package irrCAC (``fleiss.kappa.raw``), its Python port
  irrCAC and Stata's user command ``kappaetc`` (Klein 2018) compute (:func:`gwet_2014`).

Each data set is given as raw ratings (one row per subject, one column per rater, ``None``
for a rating not given) and turned into the review's form (category -> count per subject)
by :func:`as_subjects`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

Raw = Sequence[Sequence[int | None]]

# Gwet (2014), Handbook of Inter-Rater Reliability, 4th ed., p. 120: 4 raters, 12 subjects,
# categories 1-5, no rater rated every subject. The rows as the R package irrCAC ships them
# (data set ``cac.raw4raters``, file inst/extdata/cac.raw4raters.csv, whose documentation
# cites that page). irrCAC's README (K. L. Gwet, irrCAC 1.0, CRAN 2019) prints for
# ``fleiss.kappa.raw(cac.raw4raters)``: pa = 0.8181818, pe = 0.2387153, kappa = 0.76117.
CAC_RAW4RATERS: Raw = [
    (1, 1, None, 1),
    (2, 2, 3, 2),
    (3, 3, 3, 3),
    (3, 3, 3, 3),
    (2, 2, 2, 2),
    (1, 2, 3, 4),
    (4, 4, 4, 4),
    (1, 1, 2, 1),
    (2, 2, 2, 2),
    (None, 5, 5, 5),
    (None, None, 1, 1),
    (None, None, 3, None),
]
GWET_CAC_RAW4RATERS = {"pa": 0.8181818, "pe": 0.2387153, "kappa": 0.76117}

# Stata's example data set for a varying number of raters (``webuse rvary2``, Stata Base
# Reference Manual, [R] kappa): 5 raters, 10 subjects, categories 1-3, 3 to 5 ratings per
# subject. Rows as transcribed in the R package lagree (E. Latour, data-raw/make-data-for-
# examples.R), which also quotes Stata's ``kappaetc rater1-rater5`` output on it (Klein 2018's
# command, Gwet's formulas): percent agreement 0.5833, "Scott/Fleiss' Kappa" 0.3586.
RVARY2: Raw = [
    (1, 2, 2, None, 2),
    (1, 1, 3, 3, 3),
    (3, 3, 3, 3, 3),
    (1, 1, 1, 1, 3),
    (1, 1, 1, 3, 3),
    (1, 2, 2, 2, 2),
    (1, 1, 1, 1, 1),
    (2, 2, 2, 2, 3),
    (1, 3, None, None, 3),
    (1, 1, 1, 3, 3),
]
KAPPAETC_RVARY2 = {"pa": 0.5833, "kappa": 0.3586}


def as_subjects(raw: Raw) -> list[dict[int, int]]:
    """Raw ratings -> per subject, category -> number of raters who chose it."""
    return [dict(Counter(r for r in row if r is not None)) for row in raw]


def gwet_2014(subjects: Sequence[Mapping[int, int]]) -> tuple[float, float, float]:
    """``(pa, pe, kappa)``: Fleiss' kappa with missing ratings as Gwet (2014) defines it.

    pa = mean over the subjects with r_i >= 2 ratings of sum_k r_ik (r_ik - 1) / (r_i (r_i - 1));
    pi_k = mean over all subjects with a rating of r_ik / r_i; pe = sum_k pi_k^2;
    kappa = (pa - pe) / (1 - pe). Each subject weighs the same, whatever its r_i, and a subject
    with one rating counts in pe. (Written from the formulas, not from irrCAC's code.)
    """
    rated = [(s, sum(s.values())) for s in subjects if sum(s.values()) >= 1]
    pairs = [(s, r) for s, r in rated if r >= 2]
    pa = sum(sum(x * (x - 1) for x in s.values()) / (r * (r - 1)) for s, r in pairs) / len(pairs)
    categories = {c for s, _ in rated for c in s}
    pi = [sum(s.get(c, 0) / r for s, r in rated) / len(rated) for c in categories]
    pe = sum(p * p for p in pi)
    return pa, pe, (pa - pe) / (1 - pe)


def stata_outcome_kappa(pairs: Sequence[tuple[int, int]]) -> float:
    """One category's kappa as Stata's ``kappa`` command computes it (program ``_crckpa2``
    of kappa.ado 3.2.0): ``pairs`` are (raters who chose the category, raters) per subject.

    With p = sum x / sum m, BMS = mean (x - m p)^2 / m, WMS = mean x (m - x) / m / (m_bar - 1):
    kappa = (BMS - WMS) / (BMS + (m_bar - 1) WMS), Fleiss & Cuzick's (1979) analysis-of-
    variance form.
    """
    n = len(pairs)
    m_bar = sum(m for _, m in pairs) / n
    p = sum(x for x, _ in pairs) / sum(m for _, m in pairs)
    bms = sum((x - m * p) ** 2 / m for x, m in pairs) / n
    wms = sum(x * (m - x) / m for x, m in pairs) / n / (m_bar - 1)
    return (bms - wms) / (bms + (m_bar - 1) * wms)


def stata_kappa(subjects: Sequence[Mapping[int, int]]) -> tuple[dict[int, float], float]:
    """``(kappa per category, combined)`` as Stata's ``kap``/``kappa`` compute them with a
    varying number of raters (programs ``_crckpak`` and ``_crckpa2`` of kappa.ado 3.2.0): each
    category against the rest by :func:`stata_outcome_kappa`, combined as
    sum p_j q_j kappa_j / sum p_j q_j with p_j the category's share of all ratings (the
    combination of Fleiss 1971). Stata keeps subjects with one rating; pass only subjects with
    two or more to compare with the review, which leaves them out.
    """
    total = sum(sum(s.values()) for s in subjects)
    categories = sorted({c for s in subjects for c in s})
    per: dict[int, float] = {}
    num = den = 0.0
    for c in categories:
        per[c] = stata_outcome_kappa([(s.get(c, 0), sum(s.values())) for s in subjects])
        p = sum(s.get(c, 0) for s in subjects) / total
        num += p * (1 - p) * per[c]
        den += p * (1 - p)
    return per, num / den
