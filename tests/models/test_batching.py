"""Micro-batcher admission: calls larger than the queue, queue full, cut outputs reported."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from precis_news.models.batching import BatchLimits, MicroBatcher, QueueFull
from precis_news.models.cache import ResultCache
from precis_news.models.engines.base import GenerateOptions
from precis_news.models.sentences import split_sentences
from tests.conftest import article, tiny_engine

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
