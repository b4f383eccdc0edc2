"""The micro-batcher with real tiny engines: admission, sharing, caps and cut outputs (the stand-in
versions of these checks, and the ones about cancels, workers and slots, are in tests/unit)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

import pytest

from precis_models.batching import MicroBatcher, QueueFull
from precis_models.cache import ResultCache
from precis_models.catalog import load_catalog
from precis_models.engines.base import Engine, GenerateOptions, Output
from precis_models.loader import load_engine
from precis_models.sentences import split_sentences
from tests.support import article, batch_limits, cpu_runtime, tiny_engine

GREEDY = GenerateOptions(max_new_tokens=8, num_beams=1)


def test_a_call_larger_than_the_queue_is_served_on_an_idle_model(model_dir: Path) -> None:
    engine = tiny_engine(model_dir, "tiny-marian-en-fr")
    texts = split_sentences(article("en"))[:20]

    async def run() -> list[str]:
        batcher = MicroBatcher(engine, limits=batch_limits(max_queue=4, max_batch_size=3))
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
        batcher = MicroBatcher(engine, limits=batch_limits(max_queue=4), slots=slots)
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
        batcher = MicroBatcher(engine, limits=batch_limits(), cache=ResultCache(2**20))
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

    def generate_outputs(
        self, texts: Sequence[str], options: GenerateOptions, *, limits: Sequence[int] = ()
    ) -> list[Output]:
        self.batches.append(len(texts))
        return self.inner.generate_outputs(texts, options, limits=limits)


def _marian(model_dir: Path) -> Engine:
    spec = load_catalog().profile("tiny").translators[0]
    return load_engine(
        spec,
        model_dir,
        cpu_runtime(threads_per_call=2),
    )


def test_concurrent_submits_share_model_calls(model_dir: Path) -> None:
    engine = CountingEngine(_marian(model_dir))
    texts = split_sentences(article("en"))[:12]

    async def run() -> list[str]:
        batcher = MicroBatcher(engine, limits=batch_limits(max_wait_ms=20, max_batch_size=32))
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
        batcher = MicroBatcher(engine, limits=batch_limits(max_wait_ms=50))
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
        limits = batch_limits(max_wait_ms=20, max_batch_size=3, max_batch_tokens=10_000)
        batcher = MicroBatcher(engine, limits=limits)
        batcher.start()
        try:
            await batcher.submit(texts, GREEDY)
        finally:
            await batcher.close()

    asyncio.run(run())
    assert max(engine.batches) <= 3 and sum(engine.batches) == len(texts)
