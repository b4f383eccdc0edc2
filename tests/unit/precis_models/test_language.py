"""Offline language identification."""

from __future__ import annotations

from precis_models.language import LanguageDetector
from tests.support import (
    article,
)


def test_language_detector_keeps_the_full_models_for_short_texts() -> None:
    detector = LanguageDetector(["en", "fr", "uk", "ru"])
    for language in ("en", "fr", "uk", "ru"):
        assert detector.scores(article(language)[:400])[0][0] == language
    assert detector._short is None  # articles never load the full n-gram models
    assert detector.scores("Це добре.")[0][0] == "uk"
    assert detector.scores("Это хорошо.")[0][0] == "ru"
    assert detector._short is not None
