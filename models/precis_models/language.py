"""Offline language identification among the supported languages (lingua)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from precis_models import languages as served_languages

log = logging.getLogger(__name__)

# lingua's low-accuracy mode (trigram models only) stays as accurate as the full one from about
# this many characters on (its author, https://github.com/pemistahl/lingua-rs/issues/119), so
# articles never need the full models.
SHORT_TEXT = 120


class LanguageDetector:
    """Ranks the supported languages for a text; restricted to them to stay small and accurate.

    Texts of SHORT_TEXT characters or more go to lingua's low-accuracy mode (+15 MB, preloaded);
    shorter ones to the full n-gram models (+95 MB for these four languages), loaded the first
    time a short text comes.
    """

    def __init__(self, languages: Sequence[str]) -> None:
        """Build lingua's detectors for `languages` (BCP-47 codes).

        Raises:
            ValueError: a language lingua is not set up for here (not in precis_models.languages).
        """
        from lingua import Language, LanguageDetectorBuilder

        known = served_languages.REGISTRY
        unknown = [code for code in languages if code not in known]
        if unknown:
            raise ValueError(f"no language detection for {', '.join(unknown)}")
        self._codes = {getattr(Language, known[c].lingua): c for c in languages}
        self._long = (
            LanguageDetectorBuilder.from_languages(*self._codes)
            .with_low_accuracy_mode()
            .with_preloaded_language_models()
            .build()
        )
        self._builder = LanguageDetectorBuilder.from_languages(*self._codes)  # built on first use
        self._short: Any = None
        self._lock = threading.Lock()

    def scores(self, text: str) -> list[tuple[str, float]]:
        """Every supported language with its confidence in [0, 1], most likely first."""
        detector = self._long if len(text.strip()) >= SHORT_TEXT else self._full()
        values = detector.compute_language_confidence_values(text)
        return [(self._codes[v.language], float(v.value)) for v in values]

    def _full(self) -> Any:
        with self._lock:
            if self._short is None:
                self._short = self._builder.build()
            return self._short


@dataclass(frozen=True)
class LanguageMismatch:
    """A model output the detector reads as another language than the one asked for."""

    expected: str
    detected: str
    confidence: float
    model: str


_reported: set[tuple[str, str, str]] = set()
_reported_lock = threading.Lock()


def check_output_language(
    detector: LanguageDetector, text: str, *, expected: str, model: str
) -> LanguageMismatch | None:
    """Compare `text`'s most likely language with `expected`; never raises for a mismatch.

    A mismatch is logged once per (model, expected, detected) for the life of the process (a
    model that writes the wrong language does it on every call; random-weight test models always
    do), and returned so that callers report it in responses and metrics.

    Args:
        detector: the server's detector (restricted to the supported languages).
        text: a model's output.
        expected: the language it was asked to write.
        model: the model's name, for the log and the report.

    Returns:
        The mismatch, or None when `text` reads as `expected` (or has no detectable language).
    """
    scores = detector.scores(text) if text.strip() else []
    if not scores or scores[0][1] <= 0.0 or scores[0][0] == expected:
        return None
    detected, confidence = scores[0]
    mismatch = LanguageMismatch(expected, detected, confidence, model)
    with _reported_lock:
        first = (model, expected, detected) not in _reported
        _reported.add((model, expected, detected))
    if first:
        log.warning(
            "%s was asked for %s but wrote %s (confidence %.2f); reported in response metadata "
            "and the precis_output_language_mismatches metric (logged once)",
            model,
            expected,
            detected,
            confidence,
        )
    return mismatch
