"""Micro-batcher admission: calls larger than the queue, queue full, cut outputs reported."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

from precis_models.batching import BatchLimits, MicroBatcher, QueueFull
from precis_models.cache import ResultCache
from precis_models.catalog import load_catalog
from precis_models.engines.base import Engine, GenerateOptions
from precis_models.loader import Runtime, load_engine
from precis_models.sentences import split_sentences
from tests.support import article, tiny_engine

GREEDY = GenerateOptions(max_new_tokens=8, num_beams=1)


def test_a_call_larger_than_the_queue_is_served_on_an_idle_model(model_dir: Path) -> None:
    engine = tiny_engine(model_dir, "tiny-marian-en-fr")
    texts = split_sentences(article("en"))[:20]

    async def run() -> list[str]:
        batcher = MicroBatcher(engine, limits=BatchLimits(max_queue=4, max_batch_size=3))
        batcher.start()
        try:
            result = await batcher.submit(texts, GREEDY)
            assert batcher.depth == 0
            return result.outputs
        finally:
            await batcher.close()

    assert asyncio.run(run()) == engine.generate(texts, GREEDY)


def test_a_call_arriving_at_a_full_queue_is_shed_and_the_first_still_served(
    model_dir: Path,
) -> None:
    engine = tiny_engine(model_dir, "tiny-marian-en-fr")
    texts = split_sentences(article("fr"))[:10]

    async def run() -> tuple[float, int, list[str], list[str]]:
        slots = asyncio.Semaphore(1)
        batcher = MicroBatcher(engine, limits=BatchLimits(max_queue=4), slots=slots)
        batcher.start()
        await slots.acquire()  # the machine is busy: nothing leaves the queue
        try:
            first = asyncio.ensure_future(batcher.submit(texts, GREEDY))
            await asyncio.sleep(0.05)
            depth = batcher.depth  # all of it admitted: 4 queued, 6 in the backlog
            with pytest.raises(QueueFull) as shed:
                await batcher.submit(["Another caller."], GREEDY)
            slots.release()
            served = (await first).outputs
            later = (await batcher.submit(["Another caller."], GREEDY)).outputs
            return shed.value.retry_after, depth, served, later
        finally:
            await batcher.close()

    retry_after, depth, served, later = asyncio.run(run())
    assert depth == len(texts)
    assert retry_after > 0
    assert served == engine.generate(texts, GREEDY)
    assert later == engine.generate(["Another caller."], GREEDY)


def test_outputs_cut_at_their_limit_are_reported_also_from_the_cache(model_dir: Path) -> None:
    engine = tiny_engine(model_dir, "tiny-marian-en-fr")
    texts = split_sentences(article("en"))[:3]
    expected = [len(t) < GREEDY.max_new_tokens for t in engine.content_tokens(texts, GREEDY)]

    async def run() -> tuple[list[bool], list[bool], int]:
        batcher = MicroBatcher(engine, cache=ResultCache(2**20))
        batcher.start()
        try:
            first = await batcher.submit(texts, GREEDY)
            again = await batcher.submit(texts, GREEDY)
            assert again.outputs == first.outputs
            return first.ended, again.ended, again.cache_hits
        finally:
            await batcher.close()

    ended, cached, hits = asyncio.run(run())
    assert ended == cached == expected
    assert hits == len(texts)
    assert not all(ended)  # random weights rarely end: these were cut at the limit


GREEDY = GenerateOptions(max_new_tokens=12, num_beams=1)


class CountingEngine:
    """A real engine, with a record of the batches it was given."""

    def __init__(self, engine: Engine) -> None:
        self.inner = engine
        self.name = engine.name
        self.max_input_tokens = engine.max_input_tokens
        self.parallelism = 1
        self.batches: list[int] = []

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return self.inner.count_tokens(texts)

    def generate(
        self, texts: Sequence[str], options: GenerateOptions, *, limits: Sequence[int] = ()
    ) -> list[str]:
        self.batches.append(len(texts))
        return self.inner.generate(texts, options, limits=limits)


def _marian(model_dir: Path) -> Engine:
    spec = load_catalog().profile("tiny").translators[0]
    return load_engine(spec, model_dir, Runtime("ctranslate2", "cpu", "int8", 1))


def test_concurrent_submits_share_model_calls(model_dir: Path) -> None:
    engine = CountingEngine(_marian(model_dir))
    texts = split_sentences(article("en"))[:12]

    async def run() -> list[str]:
        batcher = MicroBatcher(engine, limits=BatchLimits(max_wait_ms=20, max_batch_size=32))
        batcher.start()
        try:
            results = await asyncio.gather(*(batcher.submit([t], GREEDY) for t in texts))
        finally:
            await batcher.close()
        return [r.outputs[0] for r in results]

    together = asyncio.run(run())
    assert sum(engine.batches) == len(texts)
    assert len(engine.batches) < len(texts)  # callers shared generate calls
    assert max(engine.batches) > 1
    alone = [engine.inner.generate([t], GREEDY)[0] for t in texts]
    assert together == alone  # batching does not change anyone's result


def test_different_lengths_share_a_call_and_keep_their_own_limit(model_dir: Path) -> None:
    engine = CountingEngine(_marian(model_dir))
    short, long = GenerateOptions(max_new_tokens=3), GenerateOptions(max_new_tokens=10)
    texts = ["The mayor spoke.", "Rain is expected on Friday."]

    async def run() -> list[str]:
        batcher = MicroBatcher(engine, limits=BatchLimits(max_wait_ms=50))
        batcher.start()
        try:
            results = await asyncio.gather(
                batcher.submit([texts[0]], short), batcher.submit([texts[1]], long)
            )
        finally:
            await batcher.close()
        return [r.outputs[0] for r in results]

    together = asyncio.run(run())
    assert engine.batches == [2]  # one model call for both
    alone = [
        engine.inner.generate([texts[0]], short)[0],
        engine.inner.generate([texts[1]], long)[0],
    ]
    assert together == alone  # each cut to its own maximum, as if run alone


def test_batches_respect_size_and_token_caps(model_dir: Path) -> None:
    engine = CountingEngine(_marian(model_dir))
    texts = split_sentences(article("fr"))[:10]

    async def run() -> None:
        limits = BatchLimits(max_wait_ms=20, max_batch_size=3, max_batch_tokens=10_000)
        batcher = MicroBatcher(engine, limits=limits)
        batcher.start()
        try:
            await batcher.submit(texts, GREEDY)
        finally:
            await batcher.close()

    asyncio.run(run())
    assert max(engine.batches) <= 3 and sum(engine.batches) == len(texts)


def test_cancelled_caller_leaves_the_queue_before_model_time(model_dir: Path) -> None:
    engine = CountingEngine(_marian(model_dir))

    async def run() -> int:
        batcher = MicroBatcher(engine, limits=BatchLimits(max_wait_ms=200))
        batcher.start()
        try:
            task = asyncio.ensure_future(batcher.submit(["Never run this."], GREEDY))
            await asyncio.sleep(0.02)  # queued, waiting for company
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await asyncio.sleep(0.3)
            return batcher.depth
        finally:
            await batcher.close()

    assert asyncio.run(run()) == 0
    assert engine.batches == []


class SlowEngine:
    """Echoes its inputs after `seconds`, recording how many calls ran at once."""

    name = "slow"
    max_input_tokens = 1000

    def __init__(self, parallelism: int, seconds: float = 0.2) -> None:
        self.parallelism = parallelism
        self.seconds = seconds
        self.running = self.most_at_once = 0
        self.batches: list[int] = []
        self._lock = threading.Lock()

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return [len(t.split()) for t in texts]

    def generate(
        self, texts: Sequence[str], options: GenerateOptions, *, limits: Sequence[int] = ()
    ) -> list[str]:
        with self._lock:
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
            self.batches.append(len(texts))
        time.sleep(self.seconds)
        with self._lock:
            self.running -= 1
        return list(texts)


def _submit_all(batchers: list[MicroBatcher], texts: list[str]) -> list[str]:
    async def run() -> list[str]:
        for batcher in batchers:
            batcher.start()
        try:
            calls = [batchers[i % len(batchers)].submit([t], GREEDY) for i, t in enumerate(texts)]
            return [r.outputs[0] for r in await asyncio.gather(*calls)]
        finally:
            await asyncio.gather(*(b.close() for b in batchers))

    return asyncio.run(run())


def test_a_model_with_two_workers_runs_two_batches_at_once() -> None:
    engine = SlowEngine(parallelism=2)
    limits = BatchLimits(max_wait_ms=1, max_batch_size=2)
    texts = [f"text {i}" for i in range(8)]
    assert _submit_all([MicroBatcher(engine, limits=limits)], texts) == texts
    assert engine.most_at_once == 2 and sum(engine.batches) == 8


def test_models_share_the_machine_slots_and_late_texts_join_the_next_batch() -> None:
    first, second = SlowEngine(parallelism=2), SlowEngine(parallelism=2)

    slots = asyncio.Semaphore(1)  # one model call at a time on this "machine"
    limits = BatchLimits(max_wait_ms=1)
    batchers = [MicroBatcher(e, limits=limits, slots=slots) for e in (first, second)]
    texts = [f"text {i}" for i in range(12)]
    assert _submit_all(batchers, texts) == texts
    assert first.most_at_once == second.most_at_once == 1
    # While one model held the slot, the other's texts queued up and went in one call.
    assert len(first.batches) + len(second.batches) < len(texts)
