"""Peak memory of the server process per backend and per setting variant, with decode time.

Reads VmHWM (peak resident set) and VmRSS from /proc/<pid>/status once the profile is loaded
(health SERVING), then again after `--repeats` requests (the latency article, source language
detected, summaries in en, fr, uk, ru: every model and the language detector run each time).
Each `--variant NAME:KEY=VALUE,...` starts its own CTranslate2 server with those settings
(PRECIS_<KEY>, or an environment variable as is when KEY is upper case, e.g. GLIBC_TUNABLES) and
is compared with the default settings measured in the same run: peak and median request time.

    python -m bench.memory [--backends ctranslate2,transformers] [--summary-tokens 80]
                           [--repeats 1] [--variant arenas1:malloc_arenas=1 ...]

Prints `rss_ratio_transformers_vs_ctranslate2=<x>` last (peak after the requests) when both
backends ran, and `<variant>_peak_vs_default=… <variant>_time_vs_default=…` per variant.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

from bench import common

TARGET_INT8_BYTES = 1.5e9
DEFAULT = "ctranslate2"


@dataclass(frozen=True)
class Memory:
    name: str
    loaded_peak: int
    loaded_rss: int
    request_peak: int
    request_rss: int
    request_seconds: float


def gb(size: float) -> str:
    return f"{size / 1e9:.3f} GB"


def parse_variant(text: str) -> tuple[str, dict[str, str]]:
    """`name:key=value,key=value` -> (name, {key: value})."""
    name, _, assignments = text.partition(":")
    return name.strip(), common.settings_pairs(assignments)


def measure(  # type: ignore[no-untyped-def]
    args, name: str, article: str, *, backend: str, settings: dict[str, str]
) -> Memory:
    from precis_news.client import PrecisClient

    env = {k: v for k, v in settings.items() if k.isupper()}
    precis = {k: v for k, v in settings.items() if not k.isupper()}
    with common.serving(args, f"server-{name}", env=env, backend=backend, **precis) as server:
        loaded_peak, loaded_rss = server.peak_rss(), server.rss()
        seconds = []
        with PrecisClient(target=server.target, timeout=1800) as client:
            for _ in range(args.repeats):
                started = time.perf_counter()
                client.summarize(
                    article,
                    targets=["en", "fr", "uk", "ru"],
                    length=None,
                    min_tokens=args.summary_tokens,
                    max_tokens=args.summary_tokens,
                )
                seconds.append(time.perf_counter() - started)
        median = statistics.median(seconds)
        memory = Memory(name, loaded_peak, loaded_rss, server.peak_rss(), server.rss(), median)
    print(
        f"  {name}: loaded peak {gb(memory.loaded_peak)} (now {gb(memory.loaded_rss)}); "
        f"after {args.repeats} request(s) ({', '.join(f'{s:.2f}' for s in seconds)} s) "
        f"peak {gb(memory.request_peak)} (now {gb(memory.request_rss)})",
        flush=True,
    )
    return memory


def main(argv: list[str] | None = None) -> None:
    p = common.parser(__doc__.splitlines()[0])
    p.add_argument("--backends", default="ctranslate2,transformers", help="comma-separated")
    p.add_argument("--summary-tokens", type=int, default=common.SUMMARY_TOKENS)
    p.add_argument("--repeats", type=int, default=1, help="requests per server (median time)")
    p.add_argument(
        "--variant",
        action="append",
        default=[],
        help="NAME:KEY=VALUE,... a CTranslate2 server with these settings, against the default",
    )
    args = p.parse_args(argv)
    common.banner("bench.memory", args)
    article = common.read_article()
    runs = [(b.strip(), b.strip(), {}) for b in args.backends.split(",") if b.strip()]
    if args.variant and DEFAULT not in {r[0] for r in runs}:
        runs.insert(0, (DEFAULT, DEFAULT, {}))
    runs += [(name, DEFAULT, settings) for name, settings in map(parse_variant, args.variant)]
    results = {
        name: measure(args, name, article, backend=backend, settings=settings)
        for name, backend, settings in runs
    }
    print(
        f"\n{'server':<16} {'loaded peak':>12} {'loaded now':>11} {'request peak':>13} "
        f"{'request s':>10}"
    )
    for m in results.values():
        print(
            f"{m.name:<16} {gb(m.loaded_peak):>12} {gb(m.loaded_rss):>11} "
            f"{gb(m.request_peak):>13} {m.request_seconds:>10.2f}"
        )
    ct2 = results.get(DEFAULT)
    if ct2 is None:
        return
    verdict = "met" if ct2.request_peak <= TARGET_INT8_BYTES else "MISSED"
    print(f"target int8 peak <= {gb(TARGET_INT8_BYTES)}: {verdict} ({gb(ct2.request_peak)})")
    for name, _, _ in runs[len(runs) - len(args.variant) :]:
        m = results[name]
        print(
            f"{name}_peak_vs_default={common.ratio(m.request_peak, ct2.request_peak)} "
            f"{name}_time_vs_default={common.ratio(m.request_seconds, ct2.request_seconds)}"
        )
    if "transformers" in results:
        ratio = common.ratio(results["transformers"].request_peak, ct2.request_peak)
        print(f"rss_ratio_transformers_vs_ctranslate2={ratio}")


if __name__ == "__main__":
    main()
