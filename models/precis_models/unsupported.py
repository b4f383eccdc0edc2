"""Whether a text is written mostly in a language outside the served ones (lingua)."""

from __future__ import annotations

from collections import defaultdict
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
# A whole article is read, in at most this many segments: a longer one is sampled in as many
# runs spread evenly across it, each standing for its share of the article (about as many
# characters as the first 4,000 that were read before, so about the same cost).
MAX_SEGMENTS = 16
# Letters that decide between close languages where lingua's low-accuracy mode does not (it
# reads short Ukrainian news as "Kazakh 1.0", a Czech one as Slovak): a segment cannot be
# in a language it lacks all of the `needed` letters of, or has one of the `never` letters of
# (lingua's member name -> (needed, never)). Kazakh writes ә ғ қ ң ө ұ ү һ in any sentence,
# Ukrainian none of them; Czech ě ř ů, Slovak ä ô ľ ĺ ŕ; Belarusian has no и щ ъ, Bulgarian
# no ы э ё (both Russian letters).
_LETTERS = {
    "KAZAKH": ("әғқңөұүһ", ""),
    "SLOVAK": ("", "ěřů"),
    "CZECH": ("", "äôľĺŕ"),
    "BELARUSIAN": ("", "ищъ"),
    "BULGARIAN": ("", "ыэё"),
}


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
        self._builder = LanguageDetectorBuilder
        # Detectors without the languages a segment's letters rule out, built on first use
        # (lingua shares its loaded models between detectors: no memory of their own).
        self._without: dict[frozenset[str], Any] = {}

    def foreign(self, text: str) -> ForeignLanguage | None:
        """The unsupported language the majority of `text` is written in, if any.

        The whole text is read in segments of whole sentences (at least SEGMENT_CHARS each; a
        text longer than MAX_SEGMENTS of them in MAX_SEGMENTS runs spread evenly across it);
        each segment counts, by the characters it stands for, for its most likely language
        (one its letters rule out is passed over), or for a served language within CLOSE_CALL
        of it. A text goes by its majority: it is foreign only when more than half of its
        characters read as unsupported languages, and then the one with the most characters
        names it. Texts shorter than SHORT_TEXT are never foreign: too short to tell in
        low-accuracy mode (they are served as before).

        Args:
            text: the whole article (not its start only: a long quote does not decide it).

        Returns:
            The language, or None when the text is served (or too short to tell).
        """
        votes: defaultdict[str, float] = defaultdict(float)
        names: dict[str, str] = {}
        for segment, weight in _sampled(text):
            code, name = self._vote(segment)
            votes[code] += weight
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
        ruled_out: set[str] = set()
        while values and _ruled_out(values[0].language.name, segment):
            ruled_out.add(values[0].language.name)
            values = self._detector_without(
                frozenset(ruled_out)
            ).compute_language_confidence_values(segment)
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

    def _detector_without(self, names: frozenset[str]) -> Any:
        """The all-language detector less the languages `names` (lingua member names)."""
        if (detector := self._without.get(names)) is None:
            from lingua import Language

            excluded = [getattr(Language, name) for name in names]
            detector = (
                self._builder.from_all_languages_without(*excluded).with_low_accuracy_mode().build()
            )
            self._without[names] = detector
        return detector

    def _code(self, language: Any) -> str:
        """A served language's code, else lingua's ISO 639-1 code ("de")."""
        return self._served.get(language.name) or str(language.iso_code_639_1.name).lower()


def _name(language: Any) -> str:
    """lingua's BOKMAL -> "Bokmal", GERMAN -> "German"."""
    return str(language.name).replace("_", " ").title()


def _ruled_out(name: str, segment: str) -> bool:
    """Whether `segment`'s letters rule out the language lingua calls `name` (see _LETTERS)."""
    if (letters := _LETTERS.get(name)) is None:
        return False
    needed, never = letters
    lower = segment.lower()
    return bool(needed and not any(ch in lower for ch in needed)) or any(
        ch in lower for ch in never
    )


def _sampled(text: str) -> Iterator[tuple[str, float]]:
    """The segments read of `text`, each with the characters it stands for: every segment of
    a text up to MAX_SEGMENTS * SEGMENT_CHARS long; of a longer one, a segment from the start
    of each of MAX_SEGMENTS equal slices, standing for its slice."""
    if len(text) <= MAX_SEGMENTS * SEGMENT_CHARS:
        yield from ((segment, len(segment)) for segment in _segments(text))
        return
    size = len(text) / MAX_SEGMENTS
    for i in range(MAX_SEGMENTS):
        start = int(i * size)
        # Whole sentences from the slice's first whole word on (a word cut at the start of the
        # slice is left out).
        window = text[start : start + 3 * SEGMENT_CHARS]
        if i:
            window = window[window.find(" ") + 1 :]
        if segment := next(_segments(window), ""):
            yield segment, size


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
