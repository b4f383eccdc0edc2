"""What batching and threading can give one model on this machine, engine alone (no server).

For the bench summarizer (bench news items, 80 new tokens) and the en-fr translator (an English
text of --translation-input tokens, 112 new tokens, as the throughput mix has), decoded with the
catalog's settings (4 beams) by the server's CTranslate2 int8 engine:

* core-seconds per text at batch 1, 4, 8, 16 with one thread per call: the most batching can
  save per core (`batching_ceiling`), whatever the scheduler;
* one call with all cores (intra-op threads) vs one single-threaded call per core (CTranslate2
  replicas sharing the weights), same texts: why the server runs one call per core (slots).

    python -m bench.engine_scaling [--batches 1,4,8,16] [--translation-input 300]

Prints `batching_ceiling=<x>` last: core-seconds per text at batch 1 over the best batch, for a
request of one summary + one translation.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from bench import common
from precis_models.catalog import ModelSpec, load_catalog
from precis_models.engines.base import GenerateOptions
from precis_models.engines.ctranslate2_engine import CTranslate2Engine
from precis_models.loader import decoding_options
from precis_models.store import ctranslate2_path, transformers_path

TRANSLATION_TOKENS = 112


def _engine(
    spec: ModelSpec, model_dir: Path, limit: int, *, workers: int, threads: int
) -> CTranslate2Engine:
    """The model as the server loads it (int8), reading at most `limit` input tokens."""
    return CTranslate2Engine(
        ctranslate2_path(spec, model_dir),
        transformers_path(spec, model_dir),
        name=spec.name,
        max_input_tokens=limit,
        compute_type="int8",
        threads=threads,
        workers=workers,
    )


def _job(text: str, options: GenerateOptions) -> Callable[[CTranslate2Engine, int], None]:
    """A batch of copies of `text` through an engine, decoded as the server decodes it."""

    def run(engine: CTranslate2Engine, batch: int) -> None:
        engine.generate_tokens([text] * batch, options)

    return run


def _timed(fn, *args) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def _at_once(run, engine, batch: int, calls: int) -> None:  # type: ignore[no-untyped-def]
    """`calls` calls of `batch` texts from as many threads."""
    threads = [threading.Thread(target=run, args=(engine, batch)) for _ in range(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def ceiling(costs: dict[str, dict[int, float]]) -> float:
    """The batching ceiling: a request's core-seconds (one text per model of `engine_costs`) at
    batch 1 over those at each model's best batch (printed)."""
    first = sum(c[1] for c in costs.values())
    best = sum(min(c.values()) for c in costs.values())
    print(f"\nsummary + translation: {first:.2f} core-s at batch 1, {best:.2f} at best")
    return first / best


def engine_costs(
    model_dir: Path,
    profile_name: str,
    *,
    batches: list[int],
    translation_input: int = 300,
    compare_threads: bool = True,
    models: Sequence[str] = ("summarizer", "translator en-fr"),
) -> dict[str, dict[int, float]]:
    """Core-seconds per text at each of `batches` (1 among them), per model of `models`
    ("summarizer", "translator en-fr"), each alone on one thread per call (printed as it goes);
    with `compare_threads`, also one wide call against one single-threaded call per core."""
    cores = len(os.sched_getaffinity(0))
    profile = load_catalog().profile(profile_name)
    item = common.read_jsonl(common.DATA / "news-items.jsonl")[0]["text"]
    jobs = {
        "summarizer": (profile.summarizer, item, 1024, common.SUMMARY_TOKENS),
        "translator en-fr": (
            profile.translators[0],
            common.read_article(),
            translation_input,
            TRANSLATION_TOKENS,
        ),
    }
    by_model: dict[str, dict[int, float]] = {}
    for label, (spec, text, limit, new_tokens) in jobs.items():
        if label not in models:
            continue
        options = decoding_options(spec, max_new_tokens=new_tokens, min_new_tokens=new_tokens)
        run = _job(text, options)
        single = _engine(spec, model_dir, limit, workers=1, threads=1)
        run(single, 1)  # first-call costs off the clock
        length = len(single.encode([text])[0])
        print(
            f"\n{label} ({spec.name}): {length} input tokens, {new_tokens} new, "
            f"beam {options.num_beams}"
        )
        costs = {}
        for batch in batches:
            seconds = _timed(run, single, batch)
            costs[batch] = seconds / batch
            print(f"  batch {batch:3d}, 1 thread: {seconds:6.2f} s  {costs[batch]:.2f} core-s/text")
        best = min(costs, key=costs.__getitem__)
        by_model[label] = costs
        print(f"  batching saves at most {costs[1] / costs[best]:.2f}x per core (batch {best})")
        del single
        if compare_threads and cores > 1:
            batch = max(b for b in batches if b <= 8)
            wide = _engine(spec, model_dir, limit, workers=1, threads=cores)
            run(wide, 1)
            one_call = _timed(run, wide, batch * cores)
            del wide
            pool = _engine(spec, model_dir, limit, workers=cores, threads=1)
            run(pool, 1)
            parallel = _timed(_at_once, run, pool, batch, cores)
            del pool
            print(
                f"  {batch * cores} texts: one call with {cores} threads {one_call:.2f} s, "
                f"{cores} single-threaded calls of {batch} at once {parallel:.2f} s "
                f"({one_call / parallel:.2f}x)"
            )
    return by_model


def main() -> None:
    p = common.parser(__doc__.split("\n\n")[0], fixed_lengths=False)
    p.add_argument("--batches", default="1,4,8,16", help="batch sizes [default %(default)s]")
    p.add_argument(
        "--translation-input",
        type=int,
        default=300,
        help="translator input tokens (the throughput mix re-tokenizes a random 80-token "
        "summary into 260-300) [default %(default)s]",
    )
    args = p.parse_args()
    common.banner("bench.engine_scaling", args)
    costs = engine_costs(
        args.model_dir,
        args.profile,
        batches=[int(b) for b in args.batches.split(",")],
        translation_input=args.translation_input,
    )
    batching = ceiling(costs)
    common.load()
    print(f"batching_ceiling={batching:.2f}")


if __name__ == "__main__":
    main()
