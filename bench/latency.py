"""One article -> summaries in en, fr, uk, ru: the Précis server vs the naive transformers code.

Also measures the result cache: the same request again on a server with the cache on.

    python -m bench.latency [--model-dir DIR] [--repeats 2] [--targets en,fr,uk,ru]

Also times StreamSummarize (first and last message: the source-language summary is sent as soon
as it exists) and the engine floor: the same model calls the server makes for this request
(recorded in the server's own pipeline, loaded in this process with the same settings), made
directly on CTranslate2 (bench/floor.py).

Prints `cache_speedup=<x>`, `first_message_s=<s>`, `last_message_s=<s>`,
`overhead_vs_engine=<x>` (server seconds / floor seconds) and, last, `speedup_vs_naive=<x>`
(naive seconds / server seconds).
"""

from __future__ import annotations

import time
from pathlib import Path

from bench import common

CACHE_BYTES = 64 * 2**20


def fixed_request(targets: list[str], tokens: int) -> dict[str, object]:
    """Arguments of a Summarize or StreamSummarize call: English, summary of exactly `tokens`."""
    return {
        "source_language": "en",
        "targets": targets,
        "length": None,
        "min_tokens": tokens,
        "max_tokens": tokens,
    }


def timed_summarize(client, article: str, targets: list[str], tokens: int):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    response = client.summarize(article, **fixed_request(targets, tokens))
    return time.perf_counter() - started, response


def timed_stream(client, article: str, targets: list[str], tokens: int):  # type: ignore[no-untyped-def]
    """Seconds to the first StreamSummarize message (a summary) and to the last (metadata),
    and the language of each summary in the order they came."""
    started = time.perf_counter()
    first = 0.0
    order = []
    for message in client.stream_summarize(article, **fixed_request(targets, tokens)):
        first = first or time.perf_counter() - started
        if message.HasField("summary"):
            order.append(message.summary.language)
    return first, time.perf_counter() - started, order


def engine_floor(args, article: str, targets: list[str]) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """The request's model calls made directly on CTranslate2: (floor seconds, seconds of the
    same request through the in-process pipeline)."""
    from bench import floor
    from precis_news.pipeline import SummarizeJob

    job = SummarizeJob(
        article,
        source_language="en",
        targets=tuple(targets),
        min_tokens=args.summary_tokens,
        max_tokens=args.summary_tokens,
    )
    env = common.fixed_lengths_env(args.translation_ratio)
    recorded = floor.record(env, model_dir=args.model_dir, profile=args.profile, job=job)
    print(f"engine floor: {len(recorded.calls)} model calls recorded in the pipeline:")
    for line in floor.describe(recorded.calls):
        print(f"  {line}")
    runs = [floor.replay(recorded) for _ in range(args.repeats)]
    best = min(runs, key=lambda r: r["floor"])
    print(
        f"  direct on CTranslate2 (best of {len(runs)}): summary {best['summary']:.2f}s, "
        f"translations together {best['together']:.2f}s / one after another "
        f"{best['in_turn']:.2f}s -> floor {best['floor']:.2f}s; in-process pipeline "
        f"{recorded.pipeline_seconds:.2f}s"
    )
    floors = ", ".join(f"{r['floor']:.2f}" for r in runs)
    print(f"  floor of each replay: {floors}")
    return best["floor"], recorded.pipeline_seconds


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
        streams = [
            timed_stream(client, article, targets, args.summary_tokens) for _ in range(args.repeats)
        ]
    summaries = {s.language: s.text for s in response.summaries}
    server_seconds = common.median(server_times)
    print(
        f"server ({info.backend}, {len(targets)} targets): median {server_seconds:.2f}s over "
        f"{len(server_times)} ({', '.join(f'{t:.2f}' for t in server_times)})"
    )
    first_message = common.median([first for first, _, _ in streams])
    last_message = common.median([last for _, last, _ in streams])
    print(
        f"StreamSummarize: first message median {first_message:.2f}s, last {last_message:.2f}s "
        f"over {len(streams)}; summaries in the order "
        + "; ".join(",".join(order) for _, _, order in streams)
    )

    # 1b. The engine floor: the same model calls, directly on CTranslate2, in this process.
    floor_seconds, pipeline_seconds = engine_floor(args, article, targets)

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
    print(f"first_message_s={first_message:.2f}")
    print(f"last_message_s={last_message:.2f}")
    print(f"pipeline_vs_engine={common.ratio(pipeline_seconds, floor_seconds)}")
    # Best against best: on a shared machine the minimum is the figure least moved by others.
    print(f"overhead_vs_engine={common.ratio(min(server_times), floor_seconds)}")
    print(f"speedup_vs_naive={common.ratio(naive_seconds, server_seconds)}")


if __name__ == "__main__":
    main()
