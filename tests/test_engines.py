"""Engines and batching on the real tiny models: agreement, batching, cancellation, extractive."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

from precis_news.models.batching import BatchLimits, MicroBatcher
from precis_news.models.catalog import load_catalog
from precis_news.models.engines.base import Engine, GenerateOptions
from precis_news.models.engines.ctranslate2_engine import CTranslate2Engine
from precis_news.models.engines.extractive import ExtractiveEngine
from precis_news.models.engines.transformers_engine import TransformersEngine
from precis_news.models.loader import Runtime, load_engine
from precis_news.models.sentences import split_sentences
from precis_news.models.store import ctranslate2_path, transformers_path
from tests.conftest import ServerThread, article, tiny_settings, tiny_spec

GREEDY = GenerateOptions(max_new_tokens=12, num_beams=1)


def _engines(model_dir: Path, name: str) -> tuple[TransformersEngine, CTranslate2Engine]:
    spec = tiny_spec(name)
    torch_engine = TransformersEngine(
        transformers_path(spec, model_dir), name=name, max_input_tokens=spec.max_input_tokens
    )
    ct2_engine = CTranslate2Engine(
        ctranslate2_path(spec, model_dir),
        transformers_path(spec, model_dir),
        name=name,
        max_input_tokens=spec.max_input_tokens,
        compute_type="float32",
        threads=1,
    )
    return torch_engine, ct2_engine


@pytest.mark.parametrize("name", ["tiny-bart", "tiny-marian-en-fr", "tiny-marian-en-zle"])
def test_transformers_and_ctranslate2_generate_the_same_tokens(model_dir: Path, name: str) -> None:
    torch_engine, ct2_engine = _engines(model_dir, name)
    prefix = ">>ukr<< " if name.endswith("zle") else ""
    texts = [prefix + s for s in split_sentences(article("en"))[:6]]
    assert torch_engine.count_tokens(texts) == ct2_engine.count_tokens(texts)
    expected = torch_engine.content_tokens(texts, GREEDY)
    assert ct2_engine.content_tokens(texts, GREEDY) == expected
    assert all(len(tokens) == GREEDY.max_new_tokens for tokens in expected)  # random: no EOS


def test_int8_engine_loads_and_respects_lengths(model_dir: Path) -> None:
    spec = load_catalog().profile("tiny").summarizer
    engine = load_engine(spec, model_dir, Runtime("ctranslate2", "cpu", "int8", 1))
    tokens = engine.content_tokens(  # type: ignore[attr-defined]
        ["The council met.", "Rain is expected."],
        GenerateOptions(max_new_tokens=5, min_new_tokens=5),
    )
    assert [len(x) for x in tokens] == [5, 5]


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


def test_extractive_engine_picks_article_sentences() -> None:
    engine = ExtractiveEngine()
    text = article("uk")
    (summary,) = engine.generate([text], GenerateOptions(max_new_tokens=40))
    picked = split_sentences(summary)
    assert picked and set(picked) <= set(split_sentences(text))
    assert engine.count_tokens([summary])[0] <= 40 or len(picked) == 1


def test_extractive_server_summarizes_in_the_source_language(model_dir: Path) -> None:
    running = ServerThread(tiny_settings(model_dir, summarizer="extractive")).load()
    try:
        with running.client() as c:
            response = c.summarize(article("fr"), targets=["fr", "en"])
            info = c.info()
    finally:
        running.close()
    french, english = response.summaries
    assert response.metadata.summarized_in == ""  # no translation before summarizing
    assert french.model == "extractive" and french.translated_from == ""
    assert set(split_sentences(french.text)) <= set(split_sentences(article("fr")))
    assert english.translated_from == "fr" and english.text
    assert info.summarizer == "extractive"
