"""Head-of-line blocking: what a short request waits while long articles occupy the server.

One server (long_article = merge, so the long English article is the worst case: every chunk
summarized and merged). A short request (a bench news item -> en, fr) is timed --runs times on
the idle server, then --runs times while two long requests are served without pause: a
10,000-word English article and a 120,000-character Russian one, both -> en, fr, uk, ru (each
sent again as soon as it returns, so the load never stops). Requests are unique, cache off.

    python -m bench.head_of_line [--runs 5] [--long-words 10000] [--russian-chars 120000]

Prints idle and loaded p50/p95 and, last, `head_of_line_p95_ratio=<x>` (loaded p95 / idle p95).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from bench import common
from bench.scaling import make_article

LONG_TARGETS = ["en", "fr", "uk", "ru"]
SHORT_TARGETS = ["en", "fr"]


async def _summarize(client: Any, text: str, source: str, targets: list[str], tokens: int) -> Any:
    return await client.summarize(
        text,
        source_language=source,
        targets=targets,
        length=None,
        min_tokens=tokens,
        max_tokens=tokens,
    )


async def _short_requests(
    client: Any, items: list[dict[str, str]], *, runs: int, tag: str, tokens: int
) -> list[float]:
    """`runs` short requests one after another (each unique), their latencies."""
    latencies = []
    for i in range(runs):
        item = items[i % len(items)]
        text = f"{item['title']} ({tag} {i + 1}).\n\n{item['text']}"
        started = time.perf_counter()
        await _summarize(client, text, "en", SHORT_TARGETS, tokens)
        latencies.append(time.perf_counter() - started)
        print(f"  {tag} short request {i + 1}: {latencies[-1]:.2f}s", flush=True)
    return latencies


async def _measure(target: str, args: Any) -> tuple[list[float], list[float], int]:
    from precis_news.client import AsyncPrecisClient

    items = common.read_jsonl(common.DATA / "news-items.jsonl")
    english = make_article("en", args.long_words)
    russian = make_article("ru", args.russian_chars // 6)[: args.russian_chars]
    tokens = args.summary_tokens
    async with AsyncPrecisClient(target=target, timeout=3600) as client:
        await _short_requests(client, items, runs=1, tag="warm-up", tokens=tokens)
        idle = await _short_requests(client, items, runs=args.runs, tag="idle", tokens=tokens)
        stop = asyncio.Event()
        served = 0

        async def keep_busy(text: str, source: str) -> None:
            nonlocal served
            round_ = 0
            while not stop.is_set():
                round_ += 1
                await _summarize(client, f"{text}\n\n({round_})", source, LONG_TARGETS, tokens)
                served += 1

        background = [
            asyncio.ensure_future(keep_busy(english, "en")),
            asyncio.ensure_future(keep_busy(russian, "ru")),
        ]
        await asyncio.sleep(args.settle)  # both long requests are in the models' queues
        loaded = await _short_requests(client, items, runs=args.runs, tag="loaded", tokens=tokens)
        stop.set()
        for task in background:
            task.cancel()
        await asyncio.gather(*background, return_exceptions=True)
    return idle, loaded, served


def main(argv: list[str] | None = None) -> None:
    p = common.parser(__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=5, help="short requests per condition")
    p.add_argument("--long-words", type=int, default=10_000, help="long English article")
    p.add_argument("--russian-chars", type=int, default=120_000, help="long Russian article")
    p.add_argument("--summary-tokens", type=int, default=common.SUMMARY_TOKENS)
    p.add_argument("--settle", type=float, default=3.0, help="seconds of load before timing")
    args = p.parse_args(argv)
    common.banner("bench.head_of_line", args)
    with common.serving(args, "server", long_article="merge") as server:
        idle, loaded, served = asyncio.run(_measure(server.target, args))
    common.load()
    for name, values in (("idle", idle), ("loaded", loaded)):
        print(
            f"{name:<7} p50 {common.percentile(values, 50):6.2f}s  "
            f"p95 {common.percentile(values, 95):6.2f}s  over {len(values)}"
        )
    print(f"long requests completed while the short ones ran: {served}")
    print(f"head_of_line_p50_ratio={common.ratio(common.median(loaded), common.median(idle))}")
    print(
        "head_of_line_p95_ratio="
        f"{common.ratio(common.percentile(loaded, 95), common.percentile(idle, 95))}"
    )


if __name__ == "__main__":
    main()
