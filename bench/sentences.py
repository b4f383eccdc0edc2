"""Sentence splitting on hard cases (bench/data/sentence_cases.toml): precision, recall and F1 of
the boundaries, per language, for the project's splitter and for sentencex (when installed).

    python bench/sentences.py
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path

from precis_models.sentences import split_sentences

CASES = Path(__file__).resolve().parent / "data" / "sentence_cases.toml"
Splitter = Callable[[str, str], list[str]]


def boundaries(text: str, sentences: list[str]) -> set[int]:
    """Where each sentence but the last ends in `text`, as offsets without whitespace (so that
    splitters that strip or keep spaces and newlines compare alike)."""
    squeezed = "".join(text.split())
    ends: set[int] = set()
    at = 0
    for sentence in sentences[:-1]:
        piece = "".join(sentence.split())
        found = squeezed.find(piece, at)
        at = (found if found >= 0 else at) + len(piece)
        ends.add(at)
    return ends


def score(split: Splitter) -> dict[str, tuple[float, float, float]]:
    """(precision, recall, F1) per language, and "all"."""
    counts: dict[str, list[int]] = {}
    for case in tomllib.loads(CASES.read_text(encoding="utf-8"))["case"]:
        text = case.get("join", " ").join(case["gold"])
        gold = boundaries(text, case["gold"])
        got = boundaries(text, split(case["lang"], text))
        for key in (case["lang"], "all"):
            tp_fp_fn = counts.setdefault(key, [0, 0, 0])
            tp_fp_fn[0] += len(gold & got)
            tp_fp_fn[1] += len(got - gold)
            tp_fp_fn[2] += len(gold - got)
    out = {}
    for key, (tp, fp, fn) in counts.items():
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / (tp + fn) if tp + fn else 1.0
        out[key] = (p, r, 2 * p * r / (p + r) if p + r else 0.0)
    return out


def splitters() -> dict[str, Splitter]:
    found: dict[str, Splitter] = {"precis": lambda _lang, text: split_sentences(text)}
    try:
        from sentencex import segment
    except ImportError:
        return found
    found["sentencex"] = lambda lang, text: [s for s in segment(lang, text) if s.strip()]
    return found


def main() -> None:
    print(f"{'splitter':<10} {'lang':<4} {'P':>5} {'R':>5} {'F1':>5}")
    for name, split in splitters().items():
        for lang, (p, r, f) in sorted(score(split).items()):
            print(f"{name:<10} {lang:<4} {p:5.2f} {r:5.2f} {f:5.2f}")


if __name__ == "__main__":
    main()
