"""The number check on correct human translations (FLORES, six directions): how often it flags
them, per sentence and per 3-sentence window, and how often it catches one changed number."""

from __future__ import annotations

import re

from bench.text import data, report

_FIGURE = re.compile(r"(?<!\w)\d+(?!\w)")  # a number of its own, not the 5 of H5N1


def issues(source: str, translation: str) -> list[str]:
    """What the server's translation check says about the numbers (as checks.check_translation
    calls it)."""
    from precis_news.pipeline import numbers

    found = numbers.compare_translation(numbers.mentions(source), numbers.mentions(translation))
    return [f"{i.kind} {i.number}" + (f"->{i.found}" if i.found else "") for i in found]


def corrupt(translation: str) -> str | None:
    """`translation` with its first stand-alone figure changed by one (None when it has none)."""
    match = _FIGURE.search(translation)
    if match is None:
        return None
    changed = str(int(match.group()) + 1)
    return translation[: match.start()] + changed + translation[match.end() :]


def run(figures: report.Figures, *, quick: bool) -> None:
    for corpus in data.PAIR_CORPORA[:1] if quick else data.PAIR_CORPORA:
        report.section(f"numbers ({data.CORPUS_TITLES[corpus]}, correct human translations)")
        for source, target in data.DIRECTIONS:
            _direction(figures, corpus, source, target, quick=quick)
    pairs = data.translation_pairs("en", "uk", 60 if quick else None)
    report.cost("sentence pair (en-uk)", lambda pair: issues(*pair), pairs)


def _direction(
    figures: report.Figures, corpus: str, source: str, target: str, *, quick: bool
) -> None:
    """The figures of one direction of one corpus."""
    pairs = data.translation_pairs(source, target, 60 if quick else None, corpus)
    flagged = [(issues(s, t), s, t) for s, t in pairs]
    flagged = [case for case in flagged if case[0]]
    windows = data.windows(pairs)
    window_flags = sum(bool(issues(s, t)) for s, t in windows)
    caught = tried = 0
    missed: list[str] = []
    for s, t in pairs:
        bad = corrupt(t)
        if bad is None or issues(s, t):
            continue  # only corruptions of translations the check passes say anything
        tried += 1
        if issues(s, bad):
            caught += 1
        else:
            missed.append(f"{s} | {bad}")
    key = data.pair_key(source, target, corpus)
    figures.bound(
        f"numbers.sentences.{key}",
        report.rate(len(flagged), len(pairs)),
        f"{len(flagged)} of {len(pairs)}; windows {window_flags} of {len(windows)} "
        f"({report.rate(window_flags, len(windows)):.3f})",
    )
    figures.bound(f"numbers.caught.{key}", report.rate(caught, tried), f"{caught} of {tried}")
    if data.shows_cases(corpus):
        report.worst(f"{key} flags", (f"{i} | {s} | {t}" for i, s, t in flagged), 3)
        report.worst(f"{key} changed numbers missed", missed, 3)
