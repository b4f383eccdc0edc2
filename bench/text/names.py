"""The name check on correct human translations (FLORES, six directions): how often it flags
them, per sentence and per 3-sentence window, and how often it catches a name dropped from the
translation or swapped for another."""

from __future__ import annotations

from collections import Counter

from bench.text import data, report


def missing(source: str, translation: str, language: str) -> list[str]:
    """The source's names the translation lacks (as checks.check_translation calls it)."""
    from precis_news.pipeline import names, translated_names

    return translated_names.missing(names.names(source, language), translation)


def spelled(name: str, translation: str) -> list[str]:
    """The words of `translation` the check takes for a spelling of `name`."""
    from precis_news.pipeline import translated_names

    return [w for w in translation.split() if not translated_names.missing([name], w)]


def corruptions(pairs: list[tuple[str, str]], language: str) -> list[tuple[str, str, str]]:
    """(source, corrupted translation, name) for each translation the check passes with a name
    in it: that name's words dropped, and swapped for a name of the next such translation."""
    from precis_news.pipeline import names

    usable = []
    for source, translation in pairs:
        found = [n for n in names.names(source, language) if spelled(n, translation)]
        if found and not missing(source, translation, language):
            usable.append((source, translation, found[0]))
    cases = []
    for i, (source, translation, name) in enumerate(usable):
        words = set(spelled(name, translation))
        kept = [w for w in translation.split() if w not in words]
        cases.append((source, " ".join(kept), name))
        _, other_translation, other = usable[(i + 1) % len(usable)]
        swap = next(iter(spelled(other, other_translation)), "")
        if swap and not spelled(name, swap):
            swapped = [swap if w in words else w for w in translation.split()]
            cases.append((source, " ".join(swapped), name))
    return cases


def run(figures: report.Figures, *, quick: bool) -> None:
    for corpus in data.PAIR_CORPORA[:1] if quick else data.PAIR_CORPORA:
        report.section(f"names ({data.CORPUS_TITLES[corpus]}, correct human translations)")
        for source, target in data.DIRECTIONS:
            _direction(figures, corpus, source, target, quick=quick)
    pairs = data.translation_pairs("en", "uk", 60 if quick else None)
    report.cost("sentence pair (en-uk)", lambda pair: missing(*pair, "en"), pairs)


def _direction(
    figures: report.Figures, corpus: str, source: str, target: str, *, quick: bool
) -> None:
    """The figures of one direction of one corpus."""
    pairs = data.translation_pairs(source, target, 60 if quick else None, corpus)
    flagged = [(m, s, t) for s, t in pairs if (m := missing(s, t, source))]
    windows = data.windows(pairs)
    window_flags = sum(bool(missing(s, t, source)) for s, t in windows)
    cases = corruptions(pairs, source)
    caught = sum(name in missing(s, bad, source) for s, bad, name in cases)
    key = data.pair_key(source, target, corpus)
    figures.bound(
        f"names.sentences.{key}",
        report.rate(len(flagged), len(pairs)),
        f"{len(flagged)} of {len(pairs)}",
    )
    figures.bound(
        f"names.windows.{key}",
        report.rate(window_flags, len(windows)),
        f"{window_flags} of {len(windows)}",
    )
    figures.bound(
        f"names.caught.{key}", report.rate(caught, len(cases)), f"{caught} of {len(cases)}"
    )
    common = Counter(n for m, _, _ in flagged for n in m).most_common(12)
    if data.shows_cases(corpus):
        print(f"  most flagged names: {', '.join(f'{n} {c}' for n, c in common)}")
        report.worst(f"{key} flags", (f"{m} | {t}" for m, _, t in flagged), 3)
