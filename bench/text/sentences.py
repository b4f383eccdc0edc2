"""Sentence boundaries on UD gold documents rebuilt as running text, and the Pragmatic Segmenter's
Golden Rules: Précis's splitter beside pysbd, sentencex, the Moses splitter (sentence-splitter) and
blingfire, in the same run."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable

from bench.sentences import boundaries
from bench.text import data, report

Splitter = Callable[[str], list[str]]
# Where a library has no rules for Ukrainian, its Russian rules stand in (said in the output).
_STAND_IN = {"pysbd": {"uk": "ru"}, "moses": {"uk": "ru"}}


def splitters(lang: str) -> dict[str, Splitter]:
    """Every splitter installed here, set up for `lang`."""
    from precis_models.sentences import split_sentences

    found: dict[str, Splitter] = {"precis": split_sentences}
    with contextlib.suppress(ImportError):
        import pysbd

        segmenter = pysbd.Segmenter(language=_STAND_IN["pysbd"].get(lang, lang), clean=False)
        found["pysbd"] = segmenter.segment
    with contextlib.suppress(ImportError):
        import sentencex

        found["sentencex"] = lambda text: list(sentencex.segment(lang, text))
    with contextlib.suppress(ImportError):
        from sentence_splitter import SentenceSplitter

        found["moses"] = SentenceSplitter(language=_STAND_IN["moses"].get(lang, lang)).split
    with contextlib.suppress(ImportError):
        import blingfire

        found["blingfire"] = lambda text: blingfire.text_to_sentences(text).split("\n")
    return found


def run(figures: report.Figures, *, quick: bool) -> None:
    """Boundary precision, recall and F1 per language and splitter, within each paragraph (a
    paragraph break is given to every splitter), the worst paragraphs, and µs per paragraph; then
    the same on the held-out treebanks (data.UD_HELD), which --quick leaves out."""
    report.section("sentences (UD test documents; boundaries inside paragraphs)")
    for corpus, file in data.UD_CORPORA.items():
        lang = corpus.split("-")[0]
        key = f"sentences.f1.{lang}" if corpus in data.SERVED else None
        _measure(figures, corpus, file, data.ud_documents(corpus, 3 if quick else None), key)
    if quick:
        return
    report.section("sentences, held out (UD test documents of other treebanks, never tuned on)")
    for lang, file in data.UD_HELD.items():
        held = data.ud_held_documents(lang)
        _measure(figures, f"{lang}.held", file, held, f"sentences.f1.{lang}.held")


def _measure(
    figures: report.Figures, corpus: str, file: str, docs: list[data.Document], key: str | None
) -> None:
    """One corpus's figures per splitter: Précis's F1 bounded under `key` (printed as context
    when None), the others printed beside it."""
    lang = corpus.split("-")[0].split(".")[0]
    paragraphs = [p for d in docs for p in d.paragraphs if p]
    gold_count = sum(len(p) - 1 for p in paragraphs)
    sentences = sum(map(len, paragraphs))
    print(f" {corpus} ({file}): {len(paragraphs)} paragraphs, {sentences} sentences")
    others: dict[str, float] = {}  # the libraries' F1 on the same paragraphs
    for name, split in splitters(lang).items():
        hit = predicted = 0
        misses: list[tuple[int, str]] = []
        for paragraph in paragraphs:
            text = " ".join(paragraph)
            gold = boundaries(text, paragraph)
            found = boundaries(text, [s for s in split(text) if s.strip()])
            hit += len(gold & found)
            predicted += len(found)
            if errors := len(gold ^ found):
                misses.append((errors, text))
        precision = report.rate(hit, predicted)
        recall = report.rate(hit, gold_count)
        f1 = report.rate(2 * precision * recall, precision + recall)
        cost = report.microseconds(functools.partial(_joined, split), paragraphs)
        stand_in = _STAND_IN.get(name, {}).get(lang)
        note = f"P={precision:.3f} R={recall:.3f} {cost:.0f} µs/paragraph" + (
            f" ({stand_in} rules)" if stand_in else ""
        )
        if name == "precis" and key:
            figures.bound(key, f1, note)
        else:
            others[name] = f1
            print(f"  {name:10s} F1={f1:.4f}  {note}")
        if name == "precis" and data.shows_cases(corpus):
            misses.sort(key=lambda m: -m[0])
            cases = (f"{n}: {t}" for n, t in misses)
            report.worst(f"{corpus} paragraphs (boundary errors: text)", cases)
    if key and others:
        best = max(others, key=others.__getitem__)
        figures.explain(key, f"the best library on the same paragraphs: {best} {others[best]:.3f}")


def golden(figures: report.Figures) -> None:
    """The share of Golden Rules cases each splitter gets exactly right (sentences compared with
    white space folded), per language, and the cases Précis's splitter gets wrong."""
    report.section("sentences, golden rules (Pragmatic Segmenter cases, pySBD's tests)")
    for lang in data.GOLDEN_RULES:
        cases = data.golden_rules(lang)
        print(f" {lang}: {len(cases)} cases")
        for name, split in splitters(lang).items():
            wrong = [
                (text, found)
                for text, gold in cases
                if (found := _folded(split(text))) != _folded(gold)
            ]
            right = report.rate(len(cases) - len(wrong), len(cases))
            stand_in = _STAND_IN.get(name, {}).get(lang)
            note = f"{len(cases) - len(wrong)} of {len(cases)}" + (
                f" ({stand_in} rules)" if stand_in else ""
            )
            if name == "precis":
                figures.bound(f"sentences.golden.{lang}", right, note)
                report.worst(
                    f"{lang} cases (text -> sentences found)",
                    (f"{t!r} -> {f}" for t, f in wrong),
                    count=len(wrong),
                )
            else:
                print(f"  {name:10s} right={right:.4f}  {note}")


def _folded(sentences: list[str]) -> list[str]:
    return [" ".join(s.split()) for s in sentences if s.strip()]


def _joined(split: Splitter, paragraph: list[str]) -> list[str]:
    return split(" ".join(paragraph))
