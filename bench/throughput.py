"""Concurrent clients on one server: requests/s and latency, batched vs unbatched vs naive.

Request mix: short English news items (bench/data/news-items.jsonl, ~80 words, 184-221 tokens
for the bench summarizer), each made unique with an "update <n>" headline so that neither the
result cache nor the batcher's duplicate folding helps; summary of exactly --summary-tokens
tokens in English plus its French translation (~1.2x as long, see common.TRANSLATION_RATIO).

    python -m bench.throughput [--requests 32] [--clients 16] [--naive-requests 2]

Also measures, in the same run and before the servers start, the batching ceiling of
`bench.engine_scaling` (each model alone, batch 1 against its best batch).

Prints `batching_ceiling=<x>`, `share_of_ceiling=<x>` (throughput_vs_unbatched / ceiling) and
`throughput_vs_unbatched=<x>` last (requests/s batched / requests/s with
PRECIS_MAX_BATCH_SIZE=1).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import common


@dataclass(frozen=True)
class Request:
    title: str
    text: str


@dataclass
class RunResult:
    name: str
    wall: float
    latencies: list[float]
    summaries: list[str]  # English summary of each request, in request order
    stats: dict[str, common.BatchStats]

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.wall

    def p(self, q: float) -> float:
        return common.percentile(self.latencies, q)


def make_requests(path: Path, count: int) -> list[Request]:
    items = common.read_jsonl(path)
    return [
        Request(f"{items[i % len(items)]['title']} (update {i + 1})", items[i % len(items)]["text"])
        for i in range(count)
    ]


async def warm_up(target: str, request: Request, *, targets: list[str], tokens: int) -> None:
    """One untimed request (a text outside the measured set): first-call costs off the clock."""
    from precis_news.client import AsyncPrecisClient

    async with AsyncPrecisClient(target=target, timeout=3600) as client:
        await client.summarize(
            "Warm-up request. " + request.text,
            source_language="en",
            targets=targets,
            length=None,
            min_tokens=tokens,
            max_tokens=tokens,
        )


async def drive(
    target: str, requests: list[Request], *, clients: int, targets: list[str], tokens: int
) -> tuple[float, list[float], list[str]]:
    """`clients` concurrent callers take the requests in order; returns wall seconds, each
    request's latency and English summary."""
    from precis_news.client import AsyncPrecisClient

    latencies = [0.0] * len(requests)
    summaries = [""] * len(requests)
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(len(requests)):
        queue.put_nowait(i)

    async def worker(client: AsyncPrecisClient) -> None:
        while True:
            try:
                i = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            started = time.perf_counter()
            response = await client.summarize(
                requests[i].text,
                title=requests[i].title,
                source_language="en",
                targets=targets,
                length=None,
                min_tokens=tokens,
                max_tokens=tokens,
            )
            latencies[i] = time.perf_counter() - started
            summaries[i] = next(s.text for s in response.summaries if s.language == "en")

    async with AsyncPrecisClient(target=target, timeout=3600) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(clients)))
        wall = time.perf_counter() - started
    return wall, latencies, summaries


def run_server(args: Any, name: str, requests: list[Request], **settings: object) -> RunResult:
    with common.serving(args, name, metrics=True, **settings) as server:
        asyncio.run(
            warm_up(
                server.target, requests[-1], targets=args.target_list, tokens=args.summary_tokens
            )
        )
        before = common.batch_stats(server)
        wall, latencies, summaries = asyncio.run(
            drive(
                server.target,
                requests,
                clients=args.clients,
                targets=args.target_list,
                tokens=args.summary_tokens,
            )
        )
        stats = common.stats_since(common.batch_stats(server), before)
    result = RunResult(name, wall, latencies, summaries, stats)
    print(
        f"  {len(requests)} requests in {wall:.1f}s: {result.rate:.3f} req/s, "
        f"p50 {result.p(50):.1f}s, p95 {result.p(95):.1f}s",
        flush=True,
    )
    for model, s in stats.items():
        if s.calls:
            print(
                f"    {model:<32} {s.calls:>4} calls  mean batch {s.mean_batch:5.2f}  "
                f"{s.seconds:7.1f}s in model ({100 * s.seconds / wall:3.0f}% of wall)"
            )
    return result


def main(argv: list[str] | None = None) -> None:
    p = common.parser(__doc__.splitlines()[0])
    p.add_argument("--requests", type=int, default=32, help="requests per server run")
    p.add_argument("--clients", type=int, default=16, help="concurrent clients")
    p.add_argument("--naive-requests", type=int, default=2, help="requests for the naive rate")
    p.add_argument("--targets", default="en,fr", help="comma-separated target languages")
    p.add_argument("--summary-tokens", type=int, default=common.SUMMARY_TOKENS)
    p.add_argument("--items", type=Path, default=common.DATA / "news-items.jsonl")
    p.add_argument(
        "--ceiling-batches",
        default="1,4,8,16",
        help="batch sizes for the batching ceiling ('' skips it) [default %(default)s]",
    )
    p.add_argument(
        "--batched-settings",
        default="",
        help="extra settings for the batched server, e.g. max_wait_ms=20,threads=1",
    )
    args = p.parse_args(argv)
    args.target_list = [t.strip() for t in args.targets.split(",") if t.strip()]
    if "en" not in args.target_list:
        p.error("targets must include en: the server's English summaries size the baseline")
    extra = common.settings_pairs(args.batched_settings)
    common.banner("bench.throughput", args)
    requests = make_requests(args.items, args.requests)
    print(
        f"mix: {args.requests} short news items, {args.clients} concurrent clients, targets "
        f"{args.targets}, summary {args.summary_tokens} tokens",
        flush=True,
    )

    ceiling = 0.0
    if args.ceiling_batches:
        from bench import engine_scaling

        costs = engine_scaling.engine_costs(
            args.model_dir,
            args.profile,
            batches=[int(b) for b in args.ceiling_batches.split(",")],
            compare_threads=False,
        )
        ceiling = engine_scaling.ceiling(costs)
        print(f"batching ceiling (engine alone, same run): {ceiling:.2f}\n", flush=True)

    batched = run_server(args, "batched", requests, **extra)
    unbatched = run_server(args, "unbatched", requests, max_batch_size=1)

    # The naive baseline serves one request at a time; its translations are as long as the
    # batched server's (same rule, applied to the server's summary of the same request).
    common.load()
    naive = common.NaiveBaseline(args.model_dir, args.profile)
    generated = {
        run.name: [
            args.summary_tokens
            + sum(
                common.server_plan(
                    naive, summary, args.target_list, ratio=args.translation_ratio
                ).values()
            )
            for summary in run.summaries
        ]
        for run in (batched, unbatched)
    }
    naive_times, naive_tokens = [], []
    for request, summary in zip(requests[: args.naive_requests], batched.summaries, strict=False):
        plan = common.server_plan(naive, summary, args.target_list, ratio=args.translation_ratio)
        started = time.perf_counter()
        outputs = naive.summarize_and_translate(
            f"{request.title}.\n\n{request.text}",
            args.target_list,
            summary_tokens=args.summary_tokens,
            translation_tokens=plan,
        )
        naive_times.append(time.perf_counter() - started)
        naive_tokens.append(sum(o.tokens for o in outputs.values()))
    naive_rate = len(naive_times) / sum(naive_times) if naive_times else 0.0
    common.load()

    print(f"\n{'':<10} {'req/s':>8} {'p50 s':>8} {'p95 s':>8} {'requests':>9} {'tokens/req':>11}")
    for run in (batched, unbatched):
        tokens = generated[run.name]
        print(
            f"{run.name:<10} {run.rate:8.3f} {run.p(50):8.1f} {run.p(95):8.1f} "
            f"{len(run.latencies):>9} {sum(tokens) / len(tokens):11.0f}"
        )
    if naive_times:  # --naive-requests 0 skips the baseline
        print(
            f"{'naive':<10} {naive_rate:8.3f} {common.median(naive_times):8.1f} "
            f"{max(naive_times):8.1f} {len(naive_times):>9} "
            f"{sum(naive_tokens) / len(naive_tokens):11.0f}   (one request at a time, no "
            f"queueing; the batched server generated "
            f"{sum(generated['batched'][: len(naive_tokens)])} tokens for these requests, the "
            f"naive code {sum(naive_tokens)})"
        )
    print(
        "tokens/req: generated tokens per request, summary + translations (translations from the "
        "server's rule, no early end token)"
    )
    print(f"p95_ratio_batched_vs_unbatched={common.ratio(batched.p(95), unbatched.p(95))}")
    if naive_times:
        print(f"throughput_vs_naive={common.ratio(batched.rate, naive_rate)}")
    gain = batched.rate / unbatched.rate if unbatched.rate else 0.0
    if ceiling:
        print(f"batching_ceiling={ceiling:.2f}")
        print(f"share_of_ceiling={gain / ceiling:.2f}")
    print(f"throughput_vs_unbatched={common.ratio(batched.rate, unbatched.rate)}")


if __name__ == "__main__":
    main()
