"""Offline language identification among the supported languages (lingua)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

_LINGUA_NAMES = {"en": "ENGLISH", "fr": "FRENCH", "uk": "UKRAINIAN", "ru": "RUSSIAN"}

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
            ValueError: a language lingua is not set up for here.
        """
        from lingua import Language, LanguageDetectorBuilder

        unknown = [code for code in languages if code not in _LINGUA_NAMES]
        if unknown:
            raise ValueError(f"no language detection for {', '.join(unknown)}")
        self._codes = {getattr(Language, _LINGUA_NAMES[c]): c for c in languages}
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
