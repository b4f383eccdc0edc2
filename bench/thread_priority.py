"""What niced background calls give an interactive call beside them, engine alone (no server).

The bench profile's en-fr translator as the server loads it (int8, one thread per call, one
replica per core and one more, the background threads known to `ThreadPriority`). Timed: an
interactive call (one text of --translation-input tokens, 112 new, the catalog's 4 beams) alone;
then while one background call per core (8 such texts each) runs back to back on the other
replicas, first all at normal priority, then niced as the server nices them (the background
threads at nice 19, the interactive call's thread given its normal priority as it starts). Also
the background calls' texts per second in each phase: what the niced calls lose while the
interactive call runs.

    python -m bench.thread_priority [--repeats 5] [--translation-input 300]

Prints `interactive_beside_equal=<x>` and `interactive_beside_niced=<x>` last: the median
interactive call beside the background calls over the median alone.
"""

from __future__ import annotations

import os
import statistics
import threading
import time
from collections.abc import Callable

from bench import common
from bench.engine_scaling import TRANSLATION_TOKENS
from precis_models.catalog import load_catalog
from precis_models.engines.ctranslate2_engine import CTranslate2Engine
from precis_models.loader import decoding_options
from precis_models.store import ctranslate2_path, transformers_path
from precis_models.thread_priority import LOWEST, ThreadPriority, may_restore_priority

BACKGROUND_BATCH = 8


def _timed(call: Callable[[], object], repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return times


def _beside(
    background: Callable[[], object],
    interactive: Callable[[], object],
    *,
    calls: int,
    repeats: int,
    priority: ThreadPriority | None,
) -> tuple[list[float], float]:
    """Interactive call times while `calls` background loops run, and the background texts per
    second meanwhile; `priority` set as the server sets it (None: all at normal priority)."""
    stop = threading.Event()
    done = [0]

    def loop() -> None:
        while not stop.is_set():
            background()
            done[0] += BACKGROUND_BATCH

    if priority is not None:
        priority.started(foreground=False)
    loops = [threading.Thread(target=loop) for _ in range(calls)]
    for thread in loops:
        thread.start()
    time.sleep(2.0)  # every background call under way
    started, before = time.perf_counter(), done[0]
    times = []
    for _ in range(repeats):
        if priority is not None:
            priority.started(foreground=True)
        times += _timed(interactive, 1)
        if priority is not None:
            priority.ended(foreground=True)
    rate = (done[0] - before) / (time.perf_counter() - started)
    stop.set()
    for thread in loops:
        thread.join()
    if priority is not None:
        priority.ended(foreground=False)
    return times, rate


def main() -> None:
    p = common.parser(__doc__.split("\n\n")[0], fixed_lengths=False)
    p.add_argument("--repeats", type=int, default=5, help="interactive calls per phase")
    p.add_argument("--translation-input", type=int, default=300, help="input tokens per text")
    args = p.parse_args()
    common.banner("bench.thread_priority", args)
    if not may_restore_priority():
        raise SystemExit("this process may not give a thread its priority back (CAP_SYS_NICE)")
    cores = len(os.sched_getaffinity(0))
    spec = load_catalog().profile(args.profile).translators[0]
    engine = CTranslate2Engine(
        ctranslate2_path(spec, args.model_dir),
        transformers_path(spec, args.model_dir),
        name=spec.name,
        max_input_tokens=args.translation_input,
        compute_type="int8",
        threads=1,
        workers=cores + 1,
        background_nice=LOWEST,
    )
    priority = engine.thread_priority
    assert priority is not None, "the engine's threads were not found"
    options = decoding_options(
        spec, max_new_tokens=TRANSLATION_TOKENS, min_new_tokens=TRANSLATION_TOKENS
    )
    text = common.read_article()

    def interactive() -> object:
        return engine.generate_tokens([text], options)

    def background() -> object:
        return engine.generate_tokens([text] * BACKGROUND_BATCH, options)

    interactive()  # first-call costs off the clock
    print(
        f"{spec.name}: {args.translation_input} input tokens, {TRANSLATION_TOKENS} new, beam "
        f"{options.num_beams}; {cores} background calls of {BACKGROUND_BATCH} beside one of 1"
    )
    alone = _timed(interactive, args.repeats)
    print(f"  alone:                {' '.join(f'{t:.2f}' for t in alone)} s")
    figures = {}
    for label, chosen in (("equal", None), ("niced", priority)):
        times, rate = _beside(
            background, interactive, calls=cores, repeats=args.repeats, priority=chosen
        )
        figures[label] = statistics.median(times) / statistics.median(alone)
        print(
            f"  beside, {label}: {' '.join(f'{t:.2f}' for t in times)} s; background "
            f"{rate:.2f} texts/s meanwhile"
        )
    common.load()
    for label, value in figures.items():
        print(f"interactive_beside_{label}={value:.2f}")


if __name__ == "__main__":
    main()
