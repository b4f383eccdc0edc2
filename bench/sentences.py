"""Sentence splitting on hard cases (bench/data/sentence_cases.toml): precision, recall and F1 of
the boundaries, per language, for the serving splitter ("precis"), for sentencex (when installed)
and, with --before REF, for the splitter of a git revision (e.g. the one before a change).

    python bench/sentences.py [--before main]
"""

from __future__ import annotations

import argparse
import subprocess
import tomllib
import types
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


def at_revision(ref: str) -> Splitter:
    """`split_sentences` as it was at git revision `ref` (that module's source, run apart)."""
    source = subprocess.run(
        ["git", "show", f"{ref}:models/precis_models/sentences.py"],
        cwd=CASES.parents[2],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    module = types.ModuleType(f"sentences_at_{ref}")
    exec(compile(source, module.__name__, "exec"), module.__dict__)  # our own file
    split: Callable[[str], list[str]] = module.split_sentences
    return lambda _lang, text: split(text)


def splitters(*, before: str | None = None) -> dict[str, Splitter]:
    found: dict[str, Splitter] = {"precis": lambda _lang, text: split_sentences(text)}
    if before:
        found[f"precis@{before}"] = at_revision(before)
    try:
        from sentencex import segment
    except ImportError:
        return found
    found["sentencex"] = lambda lang, text: [s for s in segment(lang, text) if s.strip()]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", metavar="REF", help="also score the splitter at this git ref")
    args = parser.parse_args()
    print(f"{'splitter':<12} {'lang':<4} {'P':>5} {'R':>5} {'F1':>5}")
    for name, split in splitters(before=args.before).items():
        for lang, (p, r, f) in sorted(score(split).items()):
            print(f"{name:<12} {lang:<4} {p:5.2f} {r:5.2f} {f:5.2f}")


if __name__ == "__main__":
    main()
