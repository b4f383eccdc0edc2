"""How fast refusals come back while the models are busy: 300 calls at once, one server.

100 key-less calls (UNAUTHENTICATED) and 200 authenticated Summarize calls of distinct articles,
all started together on a server with a small call budget (`--max-calls`, default 32) and a
short model queue, so that most authenticated calls are refused (RESOURCE_EXHAUSTED: the call
budget, or a model queue at capacity) while the admitted ones keep the models busy. Each call's
latency is measured from its own start.

    python -m bench.refusals [--calls 300] [--keyless 100] [--max-calls 32] [--summary-tokens 80]

Prints p50/p99 of the refused calls' latency and of the served ones' in the same run, and
`refused_p99_vs_served_p50=<x>` last.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict

import grpc

from bench import common
from precis_news._proto import precis_pb2 as pb
from precis_news._proto import precis_pb2_grpc as pb_grpc

KEY = "bench-key"


async def _timed(call: object, request: pb.SummarizeRequest, metadata: tuple) -> tuple[str, float]:
    started = time.perf_counter()
    try:
        await call(request, metadata=metadata, timeout=600)  # type: ignore[operator]
        code = "OK"
    except grpc.aio.AioRpcError as error:
        code = error.code().name
        details = error.details() or ""
        if "at capacity" in details:
            code += " (model queue)"
        elif "in progress" in details:
            code += " (call budget)"
    return code, time.perf_counter() - started


async def _burst(target: str, *, calls: int, keyless: int, tokens: int) -> dict[str, list[float]]:
    article = common.read_article()
    channels = [grpc.aio.insecure_channel(target) for _ in range(8)]
    try:
        stubs = [pb_grpc.SummarizerStub(c) for c in channels]
        for stub in stubs:  # connected before the burst, so that it measures the server
            await stub.GetInfo(pb.GetInfoRequest(), metadata=(("authorization", f"Bearer {KEY}"),))
        jobs = []
        for i in range(calls):
            request = pb.SummarizeRequest(
                text=f"Update {i}. {article}",
                target_languages=["en", "fr"],
                min_tokens=tokens,
                max_tokens=tokens,
            )
            metadata = () if i < keyless else (("authorization", f"Bearer {KEY}"),)
            jobs.append(_timed(stubs[i % len(stubs)].Summarize, request, metadata))
        results = await asyncio.gather(*jobs)
    finally:
        for channel in channels:
            await channel.close()
    by_code: dict[str, list[float]] = defaultdict(list)
    for code, seconds in results:
        by_code[code].append(seconds)
    return by_code


def _line(name: str, seconds: list[float]) -> str:
    if not seconds:
        return f"{name}: none"
    p50, p99 = common.percentile(seconds, 50) * 1000, common.percentile(seconds, 99) * 1000
    return f"{name}: n={len(seconds)} p50={p50:.1f}ms p99={p99:.1f}ms"


def main() -> None:
    p = common.parser(__doc__.splitlines()[0])
    p.add_argument("--calls", type=int, default=300)
    p.add_argument("--keyless", type=int, default=100)
    p.add_argument("--max-calls", type=int, default=32)
    p.add_argument("--summary-tokens", type=int, default=common.SUMMARY_TOKENS)
    args = p.parse_args()
    common.banner("bench.refusals", args)
    with common.serving(
        args, "server", api_keys=KEY, max_concurrent_rpcs=args.max_calls, max_queue=16
    ) as server:
        by_code = asyncio.run(
            _burst(
                server.target, calls=args.calls, keyless=args.keyless, tokens=args.summary_tokens
            )
        )
    refused = [s for code, values in by_code.items() if code != "OK" for s in values]
    served = by_code.get("OK", [])
    for code, values in sorted(by_code.items()):
        print(_line(code, values))
    print(_line("refused (all codes but OK)", refused))
    print(_line("served", served))
    if refused and served:
        ratio = common.percentile(refused, 99) / common.percentile(served, 50)
        print(f"refused_p99_vs_served_p50={ratio:.3f}")


if __name__ == "__main__":
    main()
