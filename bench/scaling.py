"""Cost against article length: one article -> en, fr, uk, ru at several sizes and sources,
through the Précis server and through the naive transformers code, in the same run.

    python -m bench.scaling [--model-dir DIR] [--profile bench] [--words 340,2000,10000]
                            [--sources en,fr] [--extra ru:2000] [--no-naive]
                            [--server-settings key=value,...]

Articles are built by repeating a source text (bench/data/article-en.txt for English,
models/precis_models/corpus/<lang>.txt otherwise) with numbered paragraphs until the word count
is reached.
Prints one row per case: words, server seconds, server seconds per 1,000 words, naive seconds,
naive seconds per 1,000 words and naive / server; last, `largest_vs_smallest_<source>=<x>` (the
server's time for the largest article over the smallest's, per source language).

The naive code is what a user of transformers would write: for a non-English article, translate
it to English sentence by sentence (one generate call each), then summarize (the tokenizer cuts
the input to the model's window), then translate the summary into each target.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from bench import common

CORPUS = Path(__file__).resolve().parents[1] / "models" / "precis_models" / "corpus"
TARGETS = ["en", "fr", "uk", "ru"]


def make_article(language: str, words: int) -> str:
    """About `words` words of news text in `language` (whole paragraphs, numbered)."""
    base = common.read_article() if language == "en" else (CORPUS / f"{language}.txt").read_text()
    paragraphs = [p.strip() for p in base.split("\n\n") if p.strip()]
    out: list[str] = []
    count = 0
    while count < words:
        paragraph = f"{len(out) + 1}. {paragraphs[len(out) % len(paragraphs)]}"
        out.append(paragraph)
        count += len(paragraph.split())
    return "\n\n".join(out)


def naive_run(
    naive: common.NaiveBaseline,
    article: str,
    source: str,
    *,
    summary_tokens: int,
    ratio: float,
) -> float:
    """Seconds for the naive code to summarize `article` into every target language."""
    from precis_models.sentences import split_sentences

    started = time.perf_counter()
    english = article
    if source != "en":
        translator = naive.translator(source, "en")
        parts = []
        for sentence in split_sentences(article):
            tokens = common.server_translation_tokens(
                translator.tokenizer,
                sentence,
                prefix="",
                ratio=ratio,
                cap=translator.max_input_tokens,
            )
            parts.append(translator.generate(sentence, tokens)[0])
        english = " ".join(parts)
    summary, _ = naive.summarizer.generate(english, summary_tokens)
    plan = common.server_plan(naive, summary, TARGETS, ratio=ratio)
    for target in TARGETS:
        if target != "en":
            naive.translator("en", target).generate(summary, plan[target], target=target)
    return time.perf_counter() - started


def _cases(args) -> list[tuple[str, int]]:  # type: ignore[no-untyped-def]
    sizes = [int(w) for w in args.words.split(",") if w.strip()]
    cases = [(source.strip(), words) for source in args.sources.split(",") for words in sizes]
    for extra in filter(None, (e.strip() for e in args.extra.split(","))):
        language, words = extra.split(":")
        cases.append((language, int(words)))
    return cases


def main(argv: Sequence[str] | None = None) -> None:
    p = common.parser(__doc__.splitlines()[0])
    p.add_argument("--words", default="340,2000,10000", help="article sizes in words")
    p.add_argument("--sources", default="en,fr", help="source languages at every size")
    p.add_argument("--extra", default="ru:2000", help="more cases, language:words, comma-separated")
    p.add_argument("--summary-tokens", type=int, default=common.SUMMARY_TOKENS)
    p.add_argument("--no-naive", action="store_true", help="time the server only")
    p.add_argument("--server-settings", default="", help="server settings, e.g. long_article=merge")
    args = p.parse_args(argv)
    common.banner("bench.scaling", args)
    cases = _cases(args)
    articles = {case: make_article(*case) for case in cases}

    from precis_news.client import PrecisClient

    server_seconds: dict[tuple[str, int], float] = {}
    with (
        common.serving(args, "server", **common.settings_pairs(args.server_settings)) as server,
        PrecisClient(target=server.target, timeout=3600) as client,
    ):

        def request(text: str, source: str):  # type: ignore[no-untyped-def]
            return client.summarize(
                text,
                source_language=source,
                targets=TARGETS,
                length=None,
                min_tokens=args.summary_tokens,
                max_tokens=args.summary_tokens,
            )

        request(make_article("en", 100), "en")  # warm-up, untimed
        for case, text in articles.items():
            started = time.perf_counter()
            meta = request(text, case[0]).metadata
            server_seconds[case] = time.perf_counter() - started
            print(
                f"  server {case[0]} {len(text.split())} words: {server_seconds[case]:.2f}s "
                f"chunks={meta.chunks} input_tokens={meta.input_tokens} "
                f"sentences={meta.selected_sentences}/{meta.source_sentences} "
                f"truncated={meta.truncated}",
                flush=True,
            )
    common.load()

    naive_seconds: dict[tuple[str, int], float] = {}
    if not args.no_naive:
        naive = common.NaiveBaseline(args.model_dir, args.profile)
        print(f"naive: loaded {len(naive.models)} models (fp32 torch) in {naive.load_seconds:.0f}s")
        for case, text in articles.items():
            naive_seconds[case] = naive_run(
                naive,
                text,
                case[0],
                summary_tokens=args.summary_tokens,
                ratio=args.translation_ratio,
            )
            print(
                f"  naive {case[0]} {len(text.split())} words: {naive_seconds[case]:.2f}s",
                flush=True,
            )
        common.load()

    print("source  words  server_s  server_s/1k  naive_s  naive_s/1k  naive/server")
    for case, text in articles.items():
        words = len(text.split())
        served = server_seconds[case]
        line = f"{case[0]:>6}  {words:>5}  {served:8.2f}  {served * 1000 / words:11.2f}"
        if case in naive_seconds:
            naive_s = naive_seconds[case]
            line += (
                f"  {naive_s:7.2f}  {naive_s * 1000 / words:10.2f}  {common.ratio(naive_s, served)}"
            )
        print(line)
    for source in dict.fromkeys(c[0] for c in cases):
        sized = sorted((c for c in cases if c[0] == source), key=lambda c: c[1])
        if len(sized) > 1:
            ratio = common.ratio(server_seconds[sized[-1]], server_seconds[sized[0]])
            print(f"largest_vs_smallest_{source}={ratio}")


if __name__ == "__main__":
    main()
