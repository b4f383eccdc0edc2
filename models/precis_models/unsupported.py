"""Whether a text is written mostly in a language outside the served ones (lingua)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from precis_models import languages
from precis_models.language import SHORT_TEXT
from precis_models.sentences import split_sentences

# lingua's low-accuracy mode is reliable from SHORT_TEXT characters on, so a shorter text is never
# refused. Longer ones are read in segments of whole sentences, long enough that a quote or a run
# of foreign names does not make a segment foreign on its own (tests/data/languages.toml).
SEGMENT_CHARS = 2 * SHORT_TEXT
# A segment counts for a served language when that language's confidence is at least this share
# of the foreign winner's (lingua's confidences are relative: close calls between neighbours
# such as Ukrainian and Belarusian, or Russian and Bulgarian, go to the served language).
CLOSE_CALL = 0.1


@dataclass(frozen=True)
class ForeignLanguage:
    """The language most of a text is written in, when it is not a served one."""

    code: str  # ISO 639-1, e.g. "de"
    name: str  # English name, e.g. "German"
    share: float  # of the text's characters read, those read as this language


class UnsupportedLanguageCheck:
    """Finds texts written mostly in a language lingua knows but the server does not serve.

    lingua's detector for every language it knows, in low-accuracy mode (trigram models,
    preloaded: about 65 MB and one second to build; bench/language_refusal.py measures both).
    """

    def __init__(self, served: Sequence[str]) -> None:
        """Build the detector.

        Args:
            served: the BCP-47 codes of the languages served (precis_models.languages).

        Raises:
            KeyError: a code that precis_models.languages does not know.
        """
        from lingua import LanguageDetectorBuilder

        # lingua's member name -> served code (a served language is told by its detector id).
        self._served = {languages.get(code.lower()).lingua: code.lower() for code in served}
        self._detector = (
            LanguageDetectorBuilder.from_all_languages()
            .with_low_accuracy_mode()
            .with_preloaded_language_models()
            .build()
        )

    def foreign(self, text: str) -> ForeignLanguage | None:
        """The unsupported language the majority of `text` is written in, if any.

        The text is read in segments of whole sentences (at least SEGMENT_CHARS each); each
        segment counts, by its characters, for its most likely language, or for a served
        language within CLOSE_CALL of it. A text goes by its majority: it is foreign only when
        more than half of its characters read as unsupported languages, and then the one with
        the most characters names it. Texts shorter than SHORT_TEXT are never foreign: too
        short to tell in low-accuracy mode (they are served as before).
        """
        votes: Counter[str] = Counter()
        names: dict[str, str] = {}
        for segment in _segments(text):
            code, name = self._vote(segment)
            votes[code] += len(segment)
            names[code] = name
        total = sum(votes.values())
        served = set(self._served.values())
        foreign = {code: n for code, n in votes.items() if code not in served}
        if not total or sum(foreign.values()) * 2 <= total:
            return None
        code = max(foreign, key=lambda c: foreign[c])
        return ForeignLanguage(code, names[code], foreign[code] / total)

    def _vote(self, segment: str) -> tuple[str, str]:
        """The (code, English name) a segment counts for."""
        values = self._detector.compute_language_confidence_values(segment)
        if not values or values[0].value <= 0.0:
            # nothing to read: never a reason to refuse
            return next(iter(self._served.values())), ""
        best = values[0]
        if best.language.name in self._served:
            return self._code(best.language), _name(best.language)
        for value in values[1:]:
            if value.language.name in self._served and value.value >= CLOSE_CALL * best.value:
                return self._code(value.language), _name(value.language)
        return self._code(best.language), _name(best.language)

    def _code(self, language: Any) -> str:
        """A served language's code, else lingua's ISO 639-1 code ("de")."""
        return self._served.get(language.name) or str(language.iso_code_639_1.name).lower()


def _name(language: Any) -> str:
    """lingua's BOKMAL -> "Bokmal", GERMAN -> "German"."""
    return str(language.name).replace("_", " ").title()


def _segments(text: str) -> Iterator[str]:
    """Runs of whole sentences of at least SEGMENT_CHARS characters (a short tail joins the
    run before it; a text shorter than SHORT_TEXT yields nothing)."""
    if len(text.strip()) < SHORT_TEXT:
        return
    run: list[str] = []
    size = 0
    pending: str | None = None
    for sentence in split_sentences(text):
        run.append(sentence)
        size += len(sentence)
        if size >= SEGMENT_CHARS:
            if pending is not None:
                yield pending
            pending, run, size = " ".join(run), [], 0
    if run:
        pending = " ".join(run) if pending is None else f"{pending} {' '.join(run)}"
    if pending is not None:
        yield pending
