"""A model of `bench.throughput`'s closed loop (no server): the share of the batching ceiling each
batching rule could reach, from the engine's per-text costs measured in the same run.

Sixteen clients each send a request (one summary, then one translation of it) as soon as their
last one returns; the machine runs one single-threaded model call per slot (core); a call's
seconds are its texts times the engine's core-seconds per text at that batch size (interpolated
between the measured sizes); a translation's scale with its length bound, and with the longest
input in its call (inputs are padded to it), by the translator's costs measured at a second
input length. The rules:

* `as_served`: what the server does: a free slot goes to the model with the most texts waiting,
  which takes every waiting text (texts arriving within `--max-wait-ms` of the oldest join);
  beam-search translations share a call only at equal length bounds.
* `even_share`: the same, each call capped at the texts in the system over the slots.
* `largest_bound_first`: `even_share`, and the translator takes the bound with the most texts
  waiting rather than the oldest text's.
* `shared_bounds_longest`: `even_share`, and translations of any bound share a call, each
  decoding the longest (random weights, which never end a text).
* `shared_bounds_own`: the same, each costing only its own length (models that end a text
  themselves; a finished text leaves CTranslate2's batch).

Validated against the server by `as_served` (share of the same order as `bench.throughput`'s);
the others are what the model says the rules would give, not measurements of a server.

    python -m bench.closed_loop [--batches 1,2,4,8,16] [--requests 64] [--seeds 5]

Prints `share_of_ceiling_<rule>=…` per rule, `share_of_ceiling_as_served=…` last.
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bench import common
from precis_news.pipeline.translation import LENGTH_BUCKET, LENGTH_MARGIN

RULES = (
    "even_share",
    "largest_bound_first",
    "shared_bounds_longest",
    "shared_bounds_own",
    "as_served",
)
# Translation length bounds of bench.throughput's requests and their shares (bench profile,
# 2026-12-06: 96, 112, 128 and 144 new tokens in 6, 45, 69 and 24 of 144 translations).
BOUNDS = {96: 0.04, 112: 0.31, 128: 0.48, 144: 0.17}
REFERENCE_BOUND = 112  # the length the translator's costs are measured at (engine_scaling)
REFERENCE_INPUT = 300  # ... and its input tokens
LONG_INPUT = 390  # the second input length measured: the longest of bench.throughput's
TURNAROUND_S = 0.02  # a client's next request after the last one returns


def input_tokens(bound: int) -> float:
    """A translation's input tokens for its length bound: the middle of the inputs that get it
    (the bench's bound: ceil(input x TRANSLATION_RATIO) + LENGTH_MARGIN, rounded up to a
    multiple of LENGTH_BUCKET; translation.translation_lengths)."""
    return (bound - LENGTH_MARGIN - LENGTH_BUCKET / 2) / common.TRANSLATION_RATIO


@dataclass(order=True)
class _Text:
    enqueued: float
    bound: int = field(compare=False)
    client: int = field(compare=False)


def per_text(costs: dict[int, float], batch: int) -> float:
    """Core-seconds per text at `batch`, linear between the measured sizes."""
    sizes = sorted(costs)
    if batch <= sizes[0]:
        return costs[sizes[0]]
    for low, high in itertools.pairwise(sizes):
        if batch <= high:
            return costs[low] + (costs[high] - costs[low]) * (batch - low) / (high - low)
    return costs[sizes[-1]]


def simulate(
    rule: str,
    summarizer: dict[int, float],
    translator: dict[int, float],
    *,
    requests: int = 64,
    clients: int = 16,
    slots: int = 2,
    max_batch: int = 32,
    max_wait_s: float = 0.005,
    bounds: dict[int, float] | None = None,
    per_input_token: float = 0.0,
    seed: int = 0,
) -> tuple[float, dict[str, list[int]]]:
    """Requests per second over the whole run (as bench.throughput counts them), and each
    model's call sizes, under `rule` ("unbatched": every call one text). A translation costs
    `per_input_token` more per input token of its call's longest input over REFERENCE_INPUT
    (a share of its cost at REFERENCE_INPUT)."""
    if min(requests, clients, slots, max_batch) < 1 or not translator or not summarizer:
        raise ValueError("requests, clients, slots and max_batch must be positive, costs given")
    rng = random.Random(seed)
    shares = bounds or BOUNDS
    queues: dict[str, list[_Text]] = {"S": [], "T": []}
    in_calls = {"S": 0, "T": 0}
    calls: dict[str, list[int]] = {"S": [], "T": []}
    events: list[tuple[float, int, Callable[[float], None]]] = []
    order = itertools.count()
    state = {"free": slots, "sent": 0, "done": 0, "now": 0.0}

    def at(when: float, action: Callable[[float], None]) -> None:
        heapq.heappush(events, (when, next(order), action))

    def send(client: int) -> Callable[[float], None]:
        def arrive(now: float) -> None:
            bound = rng.choices(list(shares), weights=list(shares.values()))[0]
            queues["S"].append(_Text(now, bound, client))

        state["sent"] += 1
        return arrive

    def batch_of(model: str, now: float) -> list[_Text] | None:
        waiting = queues[model]
        if not waiting or now - min(waiting).enqueued < max_wait_s - 1e-9:
            return None
        cap = 1 if rule == "unbatched" else max_batch
        if rule != "as_served" and rule != "unbatched":
            in_system = sum(map(len, queues.values())) + sum(in_calls.values())
            cap = min(cap, -(-in_system // slots))
        if model == "S" or rule.startswith("shared_bounds"):
            return sorted(waiting)[:cap]
        bound = min(waiting).bound
        if rule == "largest_bound_first":
            bound = Counter(t.bound for t in waiting).most_common(1)[0][0]
        return sorted(t for t in waiting if t.bound == bound)[:cap]

    def seconds(model: str, batch: list[_Text]) -> float:
        if model == "S":
            return len(batch) * per_text(summarizer, len(batch))
        lengths = [t.bound for t in batch]
        if rule != "shared_bounds_own":
            lengths = [max(lengths)] * len(batch)
        padded = max(input_tokens(t.bound) for t in batch)
        inputs = 1 + per_input_token * (padded - REFERENCE_INPUT)
        return per_text(translator, len(batch)) * sum(lengths) / REFERENCE_BOUND * inputs

    def ended(model: str, batch: list[_Text]) -> Callable[[float], None]:
        def end(now: float) -> None:
            state["free"] += 1
            in_calls[model] -= len(batch)
            for text in batch:
                if model == "S":
                    queues["T"].append(_Text(now, text.bound, text.client))
                    continue
                state["done"] += 1
                if state["sent"] < requests:
                    at(now + TURNAROUND_S, send(text.client))

        return end

    def dispatch(now: float) -> None:
        while state["free"] > 0:
            ready = [(m, b) for m in queues if (b := batch_of(m, now))]
            if not ready:
                return
            model, batch = max(ready, key=lambda mb: len(queues[mb[0]]))
            taken = {id(t) for t in batch}
            queues[model] = [t for t in queues[model] if id(t) not in taken]
            state["free"] -= 1
            in_calls[model] += len(batch)
            calls[model].append(len(batch))
            at(now + seconds(model, batch), ended(model, batch))

    for client in range(clients):
        at(client * 0.003, send(client))
    while state["done"] < requests:
        times = [min(q).enqueued + max_wait_s for q in queues.values() if q]
        times = [t for t in times if t > state["now"]] + [e[0] for e in events[:1]]
        now = min(times)
        while events and events[0][0] <= now:
            events[0][2](heapq.heappop(events)[0])
        state["now"] = now
        dispatch(now)
    return requests / state["now"], calls


def shares_of_ceiling(
    summarizer: dict[int, float], translator: dict[int, float], *, seeds: int, **kwargs: Any
) -> dict[str, tuple[float, float, float]]:
    """Per rule: share of the ceiling, mean summarizer and translator call sizes (`seeds` runs)."""
    from bench.engine_scaling import ceiling

    top = ceiling({"summarizer": summarizer, "translator": translator})
    out = {}
    for rule in ("unbatched", *RULES):
        rates, sizes = [], {"S": [0, 0], "T": [0, 0]}
        for seed in range(seeds):
            rate, calls = simulate(rule, summarizer, translator, seed=seed, **kwargs)
            rates.append(rate)
            for model, made in calls.items():
                sizes[model][0] += sum(made)
                sizes[model][1] += len(made)
        mean = sum(rates) / len(rates)
        out[rule] = (mean, sizes["S"][0] / sizes["S"][1], sizes["T"][0] / sizes["T"][1])
    base = out.pop("unbatched")[0]
    return {rule: (rate / base / top, s, t) for rule, (rate, s, t) in out.items()}


def main() -> None:
    p = common.parser(__doc__.split("\n\n")[0], fixed_lengths=False)
    p.add_argument("--batches", default="1,2,4,8,16", help="batch sizes [default %(default)s]")
    p.add_argument("--requests", type=int, default=64, help="requests per run (as throughput)")
    p.add_argument("--clients", type=int, default=16)
    p.add_argument("--slots", type=int, default=2, help="model calls at once (the cores)")
    p.add_argument("--seeds", type=int, default=5, help="runs per rule (length bounds drawn)")
    args = p.parse_args()
    batches = [int(b) for b in args.batches.split(",") if b.strip()]
    if 1 not in batches or min(batches) < 1:
        p.error("--batches needs 1 (the ceiling's baseline) and positive sizes only")
    if min(args.requests, args.clients, args.slots, args.seeds) < 1:
        p.error("--requests, --clients, --slots and --seeds must be at least 1")
    common.banner("bench.closed_loop", args)
    from bench.engine_scaling import engine_costs

    costs = engine_costs(args.model_dir, args.profile, batches=batches, compare_threads=False)
    summarizer, translator = costs["summarizer"], costs["translator en-fr"]
    longer = engine_costs(
        args.model_dir,
        args.profile,
        batches=batches,
        translation_input=LONG_INPUT,
        compare_threads=False,
        models=("translator en-fr",),
    )["translator en-fr"]
    growth = [longer[b] / translator[b] - 1 for b in batches]
    per_input_token = sum(growth) / len(growth) / (LONG_INPUT - REFERENCE_INPUT)
    print(
        f"\nthe model: {args.clients} clients, {args.requests} requests, {args.slots} slots; "
        f"a translation's cost grows {100 * per_input_token * 100:.1f} % per 100 input tokens"
    )
    results = shares_of_ceiling(
        summarizer,
        translator,
        seeds=args.seeds,
        requests=args.requests,
        clients=args.clients,
        slots=args.slots,
        per_input_token=per_input_token,
    )
    for rule, (share, s, t) in results.items():
        print(
            f"  {rule:<22} share of ceiling {share:.2f}  calls: summarizer {s:.2f}, "
            f"translator {t:.2f} texts"
        )
    for rule, (share, _, _) in results.items():
        print(f"share_of_ceiling_{rule}={share:.2f}")


if __name__ == "__main__":
    main()
