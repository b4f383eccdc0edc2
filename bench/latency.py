"""One article -> summaries in en, fr, uk, ru: the Précis server vs the naive transformers code.

Also measures the result cache: the same request again on a server with the cache on.

    python -m bench.latency [--model-dir DIR] [--repeats 2] [--targets en,fr,uk,ru]

Prints `cache_speedup=<x>` and, last, `speedup_vs_naive=<x>` (naive seconds / server seconds).
"""

from __future__ import annotations

import time
from pathlib import Path

from bench import common

CACHE_BYTES = 64 * 2**20


def timed_summarize(client, article: str, targets: list[str], tokens: int):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    response = client.summarize(
        article,
        source_language="en",
        targets=targets,
        length=None,
        min_tokens=tokens,
        max_tokens=tokens,
    )
    return time.perf_counter() - started, response


def main(argv: list[str] | None = None) -> None:
    p = common.parser(__doc__.splitlines()[0])
    p.add_argument("--article", type=Path, default=None, help="English article (text file)")
    p.add_argument("--targets", default="en,fr,uk,ru", help="comma-separated target languages")
    p.add_argument("--summary-tokens", type=int, default=common.SUMMARY_TOKENS)
    p.add_argument("--repeats", type=int, default=2, help="timed server requests (median)")
    p.add_argument("--naive-repeats", type=int, default=1, help="timed naive runs (median)")
    p.add_argument("--cache-repeats", type=int, default=5, help="repeated cached requests")
    args = p.parse_args(argv)
    targets = [t.strip() for t in args.targets.split(",") if t.strip()]
    if "en" not in targets:
        p.error("targets must include en: the server's English summary sizes the baseline")
    common.banner("bench.latency", args)
    article = common.read_article(args.article)
    print(
        f"article: {len(article.split())} words, targets {','.join(targets)}, "
        f"summary {args.summary_tokens} tokens"
    )

    from precis_news.client import PrecisClient

    # 1. The server: CTranslate2 int8, micro-batching, targets translated concurrently.
    with (
        common.serving(args, "server") as server,
        PrecisClient(target=server.target, timeout=900) as client,
    ):
        first, response = timed_summarize(client, article, targets, args.summary_tokens)
        print(
            f"  first request {first:.2f}s (untimed warm-up)  input_tokens="
            f"{response.metadata.input_tokens} chunks={response.metadata.chunks}"
        )
        server_times = []
        for _ in range(args.repeats):
            seconds, response = timed_summarize(client, article, targets, args.summary_tokens)
            server_times.append(seconds)
        info = client.info()
    summaries = {s.language: s.text for s in response.summaries}
    server_seconds = common.median(server_times)
    print(
        f"server ({info.backend}, {len(targets)} targets): median {server_seconds:.2f}s over "
        f"{len(server_times)} ({', '.join(f'{t:.2f}' for t in server_times)})"
    )

    # 2. The result cache: a cold request, then the identical request again.
    with (
        common.serving(args, "server-cache", cache_bytes=CACHE_BYTES) as server,
        PrecisClient(target=server.target, timeout=900) as client,
    ):
        cold, _ = timed_summarize(client, article, targets, args.summary_tokens)
        warm_times = []
        for _ in range(args.cache_repeats):
            seconds, cached = timed_summarize(client, article, targets, args.summary_tokens)
            warm_times.append(seconds)
    warm = common.median(warm_times)
    print(
        f"cache: first {cold:.2f}s, repeated median {warm * 1000:.1f}ms over {len(warm_times)} "
        f"(cache_hits={cached.metadata.cache_hits})"
    )

    # 3. The naive baseline, generating as many tokens as the server did.
    common.load()
    naive = common.NaiveBaseline(args.model_dir, args.profile)
    print(f"naive: loaded {len(naive.models)} models (fp32 torch) in {naive.load_seconds:.0f}s")
    plan = common.server_plan(naive, summaries["en"], targets, ratio=args.translation_ratio)
    naive_times = []
    for _ in range(args.naive_repeats):
        started = time.perf_counter()
        results = naive.summarize_and_translate(
            article, targets, summary_tokens=args.summary_tokens, translation_tokens=plan
        )
        naive_times.append(time.perf_counter() - started)
    naive_seconds = common.median(naive_times)
    print(
        f"naive (transformers fp32, sequential): median {naive_seconds:.2f}s over "
        f"{len(naive_times)} ({', '.join(f'{t:.2f}' for t in naive_times)})"
    )
    print(
        "generated tokens per target (server: summarizer min=max; translations computed from "
        "its rule, no early end token):"
    )
    for target in targets:
        server_tokens = args.summary_tokens if target == "en" else plan[target]
        step = results[target]
        what = "summary" if target == "en" else "translation"
        print(
            f"  {target}: server {server_tokens}  naive {step.tokens} "
            f"(naive {what} took {step.seconds:.2f}s in the last run)"
        )
    common.load()
    print(f"cache_speedup={common.ratio(cold, warm)}")
    print(f"speedup_vs_naive={common.ratio(naive_seconds, server_seconds)}")


if __name__ == "__main__":
    main()
