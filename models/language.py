"""Offline language identification among the supported languages (lingua, preloaded)."""

from __future__ import annotations

from collections.abc import Sequence

_LINGUA_NAMES = {"en": "ENGLISH", "fr": "FRENCH", "uk": "UKRAINIAN", "ru": "RUSSIAN"}


class LanguageDetector:
    """Ranks the supported languages for a text; restricted to them to stay small and accurate."""

    def __init__(self, languages: Sequence[str]) -> None:
        """Build lingua's detector for `languages` (BCP-47 codes), models preloaded.

        Raises:
            ValueError: a language lingua is not set up for here.
        """
        from lingua import Language, LanguageDetectorBuilder

        unknown = [code for code in languages if code not in _LINGUA_NAMES]
        if unknown:
            raise ValueError(f"no language detection for {', '.join(unknown)}")
        self._codes = {getattr(Language, _LINGUA_NAMES[c]): c for c in languages}
        self._detector = (
            LanguageDetectorBuilder.from_languages(*self._codes)
            .with_preloaded_language_models()
            .build()
        )

    def scores(self, text: str) -> list[tuple[str, float]]:
        """Every supported language with its confidence in [0, 1], most likely first."""
        values = self._detector.compute_language_confidence_values(text)
        return [(self._codes[v.language], float(v.value)) for v in values]
