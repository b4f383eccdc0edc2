"""Peak memory of the server process per backend: CTranslate2 int8 vs transformers fp32.

Reads VmHWM (peak resident set) and VmRSS from /proc/<pid>/status once the profile is loaded
(health SERVING), then again after one request (the latency article, source language detected,
summaries in en, fr, uk, ru: every model and the language detector run once).

    python -m bench.memory [--backends ctranslate2,transformers] [--summary-tokens 80]

Prints `rss_ratio_transformers_vs_ctranslate2=<x>` last (peak after the request).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from bench import common

TARGET_INT8_BYTES = 1.6e9


@dataclass(frozen=True)
class Memory:
    backend: str
    loaded_peak: int
    loaded_rss: int
    request_peak: int
    request_rss: int
    request_seconds: float


def gb(size: float) -> str:
    return f"{size / 1e9:.2f} GB"


def measure(args, backend: str, article: str) -> Memory:  # type: ignore[no-untyped-def]
    from precis_news.client import PrecisClient

    with common.serving(args, f"server-{backend}", backend=backend) as server:
        loaded_peak, loaded_rss = server.peak_rss(), server.rss()
        with PrecisClient(target=server.target, timeout=1800) as client:
            started = time.perf_counter()
            client.summarize(
                article,
                targets=["en", "fr", "uk", "ru"],
                length=None,
                min_tokens=args.summary_tokens,
                max_tokens=args.summary_tokens,
            )
            seconds = time.perf_counter() - started
        memory = Memory(backend, loaded_peak, loaded_rss, server.peak_rss(), server.rss(), seconds)
    print(
        f"  {backend}: loaded peak {gb(memory.loaded_peak)} (now {gb(memory.loaded_rss)}); "
        f"after one request ({seconds:.1f}s) peak {gb(memory.request_peak)} "
        f"(now {gb(memory.request_rss)})",
        flush=True,
    )
    return memory


def main(argv: list[str] | None = None) -> None:
    p = common.parser(__doc__.splitlines()[0])
    p.add_argument("--backends", default="ctranslate2,transformers", help="comma-separated")
    p.add_argument("--summary-tokens", type=int, default=common.SUMMARY_TOKENS)
    args = p.parse_args(argv)
    common.banner("bench.memory", args)
    article = common.read_article()
    results = {
        backend: measure(args, backend.strip(), article)
        for backend in args.backends.split(",")
        if backend.strip()
    }
    print(f"\n{'backend':<14} {'loaded peak':>12} {'loaded now':>11} {'request peak':>13}")
    for m in results.values():
        print(
            f"{m.backend:<14} {gb(m.loaded_peak):>12} {gb(m.loaded_rss):>11} "
            f"{gb(m.request_peak):>13}"
        )
    ct2 = results.get("ctranslate2")
    if ct2 is not None:
        verdict = "met" if ct2.request_peak <= TARGET_INT8_BYTES else "MISSED"
        print(f"target int8 peak <= {gb(TARGET_INT8_BYTES)}: {verdict} ({gb(ct2.request_peak)})")
    if ct2 is not None and "transformers" in results:
        ratio = common.ratio(results["transformers"].request_peak, ct2.request_peak)
        print(f"rss_ratio_transformers_vs_ctranslate2={ratio}")


if __name__ == "__main__":
    main()
