"""The user manual (docs/handleiding.md) against the app: its images exist, and the trainer
chapter quotes the flag thresholds and the keys the code actually has."""

from __future__ import annotations

import re
from pathlib import Path

DOCS = Path(__file__).parents[1] / "docs"
MANUAL = DOCS / "handleiding.md"


def manual() -> str:
    return MANUAL.read_text(encoding="utf-8")


def trainer_chapter() -> str:
    text = manual()
    start = text.index("## 8. Voor de trainer")
    return " ".join(text[start:].split())


def dutch(value: float) -> str:
    """0.4 -> '0,40', -0.1 -> '−0,10' (the manual's minus sign)."""
    return f"{value:.2f}".replace(".", ",").replace("-", "−")


def test_every_image_the_manual_shows_exists():
    images = re.findall(r"!\[[^\]]*\]\((img/[^)]+)\)", manual())
    assert any(name.startswith("img/trainer-") for name in images)
    missing = [name for name in images if not (DOCS / name).is_file()]
    assert missing == []


def test_the_trainer_chapter_quotes_the_apps_own_flag_thresholds():
    from dkdl.review_stats import Thresholds

    t = Thresholds()
    chapter = trainer_chapter()
    assert "eigen keuzes van de app" in chapter
    assert f"vanaf {t.min_answered} getelde antwoorden" in chapter
    assert f"minder dan {round(t.facility * 100)}% als de sleutel" in chapter
    assert f"minstens {round(t.popular_wrong * 100)}% gekozen" in chapter
    assert f"onder {dutch(t.discrimination)} ligt, met minstens {t.min_group}" in chapter
    assert f"kappa onder {dutch(t.kappa)}" in chapter
    # low agreement only where the cases differ in the key (review_stats.kappa_informative)
    from dkdl.review_stats import kappa_informative

    assert not kappa_informative(1) and kappa_informative(2)
    assert "minstens twee verschillende sleutelantwoorden" in chapter


def test_the_trainer_chapter_names_keys_the_screens_have():
    from dkdl.tui.trainer.detail import SessionDetailScreen
    from dkdl.tui.trainer.screen import TrainerScreen
    from dkdl.tui.trainer.views import NurseView

    def keys(screen) -> set[str]:
        return {b.key for b in screen.BINDINGS}

    chapter = trainer_chapter()
    main = keys(TrainerScreen)
    for key in ("f", "x", "s", "o", "z", "u", "1", "5"):
        assert f"**{key}**" in chapter
        assert key in main
    assert "**v**" in chapter and "v" in keys(SessionDetailScreen)
    assert "**h**" in chapter and "h" in keys(NurseView)
