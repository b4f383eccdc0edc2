"""How fast refusals come back while the server is flooded, over gRPC and HTTP, in one run.

Two scenarios, each on its own server, each sent as one burst over gRPC and then one over
HTTP/JSON (after the first has ended), every call measured from its own start:

- `large`: `--calls` (300) authenticated Summarize calls at once, each a distinct article of
  `--article-kb` (184) KB, on a server with default limits (call budget 256, model queues of
  512): the calls past the budget are refused (RESOURCE_EXHAUSTED / 429) while the admitted
  ones read, detect and summarize their articles.
- `queue`: `--calls` (300) authenticated Summarize calls of the 2 KB bench article (distinct)
  on a server with model queues of `--max-queue` (16) texts: most are refused because a model
  queue is full (RESOURCE_EXHAUSTED "at capacity" / 429) while the admitted ones keep the
  models busy.

`--keyless N` adds N calls without an API key to each burst (UNAUTHENTICATED / 401);
`--max-calls N` sets the call budget of both servers (default: the server's).

    python -m bench.refusals [--scenarios large queue] [--calls 300] [--article-kb 184]

Prints, per scenario and protocol, p50/p99 of each outcome, of all refusals and of the served
calls, then `<scenario>_<protocol>_refused_p99_ms=<x>` lines and `worst_refused_p99_ms=<x>` last
(the target is < 100).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable

import aiohttp
import grpc

from bench import common
from precis_news._proto import precis_pb2 as pb
from precis_news._proto import precis_pb2_grpc as pb_grpc

KEY = "bench-key"
AUTH = f"Bearer {KEY}"
CHANNELS = 8
SCENARIOS = ("large", "queue")
# What a RESOURCE_EXHAUSTED refusal says: "<model> is at capacity; ..." (a model queue) or
# "... calls in progress; retry shortly" (the call budget); the same over both protocols.
CAPACITY = " is at capacity"
BUDGET = "in progress"
Outcomes = dict[str, list[float]]


def large_article(kb: int, seed: int) -> str:
    """The bench article repeated (each copy numbered, so no two calls send the same text) to
    `kb` kilobytes of UTF-8."""
    base = common.read_article()
    copies, size, n = [], 0, 0
    while size < kb * 1000:
        n += 1
        copy = f"Part {n} of report {seed}. {base}"
        copies.append(copy)
        size += len(copy.encode()) + 2
    return "\n\n".join(copies)[: kb * 1000]


def articles(scenario: str, count: int, kb: int) -> list[str]:
    if scenario == "large":
        return [large_article(kb, i) for i in range(count)]
    article = common.read_article()
    return [f"Update {i}. {article}" for i in range(count)]


def outcome(code: str, message: str) -> str:
    """`code` with what refused the call, when its message says: which model's queue, or the
    call budget."""
    if CAPACITY in message:
        return f"{code} (model queue: {message.split(CAPACITY)[0]})"
    if BUDGET in message:
        return f"{code} (call budget)"
    return code


async def _timed(send: Callable[[], Awaitable[str]]) -> tuple[str, float]:
    started = time.perf_counter()
    code = await send()
    return code, time.perf_counter() - started


def _gather(results: list[tuple[str, float]]) -> Outcomes:
    by_code: Outcomes = defaultdict(list)
    for code, seconds in results:
        by_code[code].append(seconds)
    return by_code


async def grpc_burst(target: str, texts: list[str], *, keyless: int, tokens: int) -> Outcomes:
    """Every text as one Summarize call at once (the first `keyless` without a key)."""
    channels = [grpc.aio.insecure_channel(target) for _ in range(CHANNELS)]
    try:
        stubs = [pb_grpc.SummarizerStub(c) for c in channels]
        for stub in stubs:  # connected before the burst, so that it measures the server
            await stub.GetInfo(pb.GetInfoRequest(), metadata=(("authorization", AUTH),))
        requests = [
            pb.SummarizeRequest(
                text=text, target_languages=["en", "fr"], min_tokens=tokens, max_tokens=tokens
            )
            for text in texts
        ]

        def call(i: int) -> Callable[[], Awaitable[str]]:
            metadata = () if i < keyless else (("authorization", AUTH),)

            async def send() -> str:
                try:
                    await stubs[i % CHANNELS].Summarize(requests[i], metadata=metadata, timeout=900)
                except grpc.aio.AioRpcError as error:
                    return outcome(error.code().name, error.details() or "")
                return "OK"

            return send

        results = await asyncio.gather(*(_timed(call(i)) for i in range(len(texts))))
    finally:
        for channel in channels:
            await channel.close()
    return _gather(results)


async def http_burst(base: str, texts: list[str], *, keyless: int, tokens: int) -> Outcomes:
    """Every text as one POST /v1/summarize at once, each on its own connection (opened
    before the burst)."""
    bodies = [
        json.dumps(
            {"text": t, "targetLanguages": ["en", "fr"], "minTokens": tokens, "maxTokens": tokens}
        ).encode()
        for t in texts
    ]
    connector = aiohttp.TCPConnector(limit=0, force_close=False)
    timeout = aiohttp.ClientTimeout(total=900)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        # One keep-alive connection per caller, open before the burst.
        async def probe() -> None:
            async with session.get(f"{base}/healthz") as reply:
                await reply.read()

        await asyncio.gather(*(probe() for _ in texts))

        def call(i: int) -> Callable[[], Awaitable[str]]:
            headers = {"Content-Type": "application/json"}
            if i >= keyless:
                headers["Authorization"] = AUTH

            async def send() -> str:
                async with session.post(
                    f"{base}/v1/summarize", data=bodies[i], headers=headers
                ) as reply:
                    answer = await reply.read()
                if reply.status == 200:
                    return "OK"
                message = json.loads(answer).get("message", "") if answer else ""
                return outcome(f"HTTP {reply.status}", message)

            return send

        results = await asyncio.gather(*(_timed(call(i)) for i in range(len(texts))))
    return _gather(results)


def _line(name: str, seconds: list[float]) -> str:
    if not seconds:
        return f"  {name}: none"
    p50, p99 = common.percentile(seconds, 50) * 1000, common.percentile(seconds, 99) * 1000
    return f"  {name}: n={len(seconds)} p50={p50:.1f}ms p99={p99:.1f}ms"


def report(scenario: str, protocol: str, by_code: Outcomes) -> float | None:
    """Print one burst's outcomes; returns the refusals' p99 in ms (None: nothing refused)."""
    print(f"{scenario} / {protocol}:", flush=True)
    for code, values in sorted(by_code.items()):
        print(_line(code, values))
    refused = [s for code, values in by_code.items() if code != "OK" for s in values]
    print(_line("refused (all but OK)", refused))
    print(_line("served", by_code.get("OK", [])))
    common.load()
    return common.percentile(refused, 99) * 1000 if refused else None


def run_scenario(args: argparse.Namespace, scenario: str) -> dict[str, float | None]:
    """Both protocols' bursts on one server for `scenario`; refusal p99 (ms) by protocol."""
    settings: dict[str, object] = {"api_keys": KEY}
    if args.max_calls:
        settings["max_concurrent_rpcs"] = args.max_calls
    if scenario == "queue":
        settings["max_queue"] = args.max_queue
    texts = articles(scenario, args.calls, args.article_kb)
    keyless, tokens = args.keyless, args.summary_tokens
    found: dict[str, float | None] = {}
    with common.serving(args, f"server-{scenario}", http=True, **settings) as server:
        grpc_outcomes = asyncio.run(
            grpc_burst(server.target, texts, keyless=keyless, tokens=tokens)
        )
        found["grpc"] = report(scenario, "gRPC", grpc_outcomes)
        http_outcomes = asyncio.run(
            http_burst(server.http_base, texts, keyless=keyless, tokens=tokens)
        )
        found["http"] = report(scenario, "HTTP", http_outcomes)
    return found


def main() -> None:
    p = common.parser(__doc__.splitlines()[0])
    p.add_argument("--scenarios", nargs="+", choices=SCENARIOS, default=list(SCENARIOS))
    p.add_argument("--calls", type=int, default=300)
    p.add_argument("--keyless", type=int, default=0)
    p.add_argument("--article-kb", type=int, default=184)
    p.add_argument("--max-queue", type=int, default=16)
    p.add_argument(
        "--max-calls", type=int, default=0, help="call budget [default: the server's, 256]"
    )
    p.add_argument("--summary-tokens", type=int, default=common.SUMMARY_TOKENS)
    args = p.parse_args()
    common.banner("bench.refusals", args)
    worst = 0.0
    lines = []
    for scenario in args.scenarios:
        for protocol, p99 in run_scenario(args, scenario).items():
            lines.append(f"{scenario}_{protocol}_refused_p99_ms=" + _ms(p99))
            worst = max(worst, p99 or 0.0)
    print("\n".join(lines))
    print(f"worst_refused_p99_ms={worst:.1f}")


def _ms(value: float | None) -> str:
    return "none" if value is None else f"{value:.1f}"


if __name__ == "__main__":
    main()
