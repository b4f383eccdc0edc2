"""The micro-batcher's logic with stand-in engines: sharing, caps, admission, cancels, retries."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import AsyncIterator, Sequence

import pytest

from precis_models.batching import DeadlineUnmeetable, Generated, MicroBatcher, QueueFull
from precis_models.cache import ResultCache
from precis_models.engines.base import Engine, GenerateOptions, Output
from precis_models.scheduling import Caller, Priority, Slots
from tests.support import batch_limits

GREEDY = GenerateOptions(max_new_tokens=4, num_beams=1)


class WordsEngine:
    """A stand-in model: its output is the input's first words, up to each text's limit (ended
    when the whole input fit); it records each call's texts, and fails on texts with "FAIL"."""

    name = "words"
    max_input_tokens = 1000

    def __init__(self, parallelism: int = 1, seconds: float = 0.0) -> None:
        self.parallelism = parallelism
        self.seconds = seconds
        self.calls: list[list[str]] = []
        self.running = self.most_at_once = 0
        self._lock = threading.Lock()

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return [len(t.split()) for t in texts]

    def generate_outputs(
        self, texts: Sequence[str], options: GenerateOptions, *, limits: Sequence[int] = ()
    ) -> list[Output]:
        with self._lock:
            self.calls.append(list(texts))
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
        try:
            time.sleep(self.seconds)
            if any("FAIL" in t for t in texts):
                raise RuntimeError("the stand-in refuses this text")
            caps = list(limits) or [options.max_new_tokens] * len(texts)
            words = [t.split() for t in texts]
            return [
                Output(" ".join(w[:cap]), len(w) <= cap) for w, cap in zip(words, caps, strict=True)
            ]
        finally:
            with self._lock:
                self.running -= 1

    @property
    def batches(self) -> list[int]:
        return [len(call) for call in self.calls]


def alone(text: str, options: GenerateOptions = GREEDY) -> str:
    """What the stand-in writes for `text` in a call of its own (not recorded)."""
    return WordsEngine().generate_outputs([text], options)[0].text


def test_the_stand_in_is_an_engine() -> None:
    engine: Engine = WordsEngine()
    assert engine.generate_outputs(["a b c"], GREEDY, limits=[2]) == [Output("a b", False)]


@contextlib.asynccontextmanager
async def running(batcher: MicroBatcher) -> AsyncIterator[MicroBatcher]:
    """The batcher started, and closed when the block ends."""
    batcher.start()
    try:
        yield batcher
    finally:
        await batcher.close()


async def _serve(
    batcher: MicroBatcher, *calls: tuple[list[str], GenerateOptions]
) -> list[list[str]]:
    async with running(batcher):
        results = await asyncio.gather(*(batcher.submit(texts, o) for texts, o in calls))
    return [r.outputs for r in results]


async def test_concurrent_submits_share_model_calls() -> None:
    engine = WordsEngine()
    texts = [f"text number {i} of many" for i in range(12)]
    batcher = MicroBatcher(engine, limits=batch_limits(max_wait_ms=20, max_batch_size=32))
    together = await _serve(batcher, *(([t], GREEDY) for t in texts))
    assert sum(engine.batches) == len(texts) and len(engine.batches) < len(texts)
    assert together == [[alone(t)] for t in texts]


async def test_different_lengths_share_a_call_and_keep_their_own_limit() -> None:
    engine = WordsEngine()
    short, long = GenerateOptions(max_new_tokens=2), GenerateOptions(max_new_tokens=5)
    text = "one two three four five six"
    batcher = MicroBatcher(engine, limits=batch_limits(max_wait_ms=50))
    together = await _serve(batcher, (["A " + text], short), (["B " + text], long))
    assert engine.batches == [2]  # one model call for both
    assert together == [[alone("A " + text, short)], [alone("B " + text, long)]]


async def test_beam_searches_of_other_lengths_do_not_share_a_call() -> None:
    engine = WordsEngine()
    two, five = (GenerateOptions(max_new_tokens=n, num_beams=4) for n in (2, 5))
    batcher = MicroBatcher(engine, limits=batch_limits(max_wait_ms=50))
    await _serve(batcher, (["a b c d e f"], two), (["g h i j k l"], five))
    assert engine.batches == [1, 1]


async def test_batches_respect_size_and_token_caps() -> None:
    engine = WordsEngine()
    texts = [" ".join(["word"] * n) for n in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10)]
    limits = batch_limits(max_wait_ms=20, max_batch_size=3, max_batch_tokens=20)
    await _serve(MicroBatcher(engine, limits=limits), (texts, GREEDY))
    assert max(engine.batches) <= 3 and sum(engine.batches) == len(texts)
    for call in engine.calls:  # padded tokens: the longest input times the batch size
        assert len(call) == 1 or max(len(t.split()) for t in call) * len(call) <= 20
    assert engine.calls[0][0] == texts[-1]  # longest first


class GatedEngine(WordsEngine):
    """A stand-in whose first call waits until `gate` is set (a long call in progress)."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Event()
        self.started = threading.Event()

    def generate_outputs(
        self, texts: Sequence[str], options: GenerateOptions, *, limits: Sequence[int] = ()
    ) -> list[Output]:
        if not self.started.is_set():
            self.started.set()
            self.gate.wait(timeout=30)
        return super().generate_outputs(texts, options, limits=limits)


async def test_callers_take_turns_in_a_batch_the_oldest_first() -> None:
    engine = WordsEngine()
    slots = asyncio.Semaphore(1)
    batcher = MicroBatcher(engine, limits=batch_limits(max_batch_size=2), slots=slots)
    backlog = [f"first caller text {i}" for i in range(6)]
    async with running(batcher):
        await slots.acquire()  # both callers queue before any call is made
        first = asyncio.ensure_future(batcher.submit(backlog, GREEDY))
        second = asyncio.ensure_future(
            batcher.submit(["second caller a", "second caller b"], GREEDY)
        )
        await asyncio.sleep(0.05)
        slots.release()
        assert (await first).outputs == backlog
        assert (await second).outputs == ["second caller a", "second caller b"]
    # One text of each caller per call while both wait, not the first one's six ahead.
    assert [sorted(t.split()[0] for t in call) for call in engine.calls[:2]] == [
        ["first", "second"]
    ] * 2
    assert all(t.startswith("first") for call in engine.calls[2:] for t in call)


async def test_a_newcomer_goes_before_the_rest_of_a_served_callers_backlog() -> None:
    engine = GatedEngine()
    batcher = MicroBatcher(engine, limits=batch_limits(max_batch_size=2, max_wait_ms=1))
    backlog = [f"long article sentence {i}" for i in range(10)]
    async with running(batcher):
        long = asyncio.ensure_future(batcher.submit(backlog, GREEDY))
        await asyncio.to_thread(engine.started.wait, 30)  # two of its texts are being generated
        short = asyncio.ensure_future(batcher.submit(["A short request."], GREEDY))
        await asyncio.sleep(0.05)
        engine.gate.set()
        assert (await short).outputs == ["A short request."]
        assert (await long).outputs == backlog
    # The newcomer has had nothing batched yet: its text leads the very next call.
    assert sorted(engine.calls[0]) == sorted(backlog[:2])
    assert "A short request." in engine.calls[1]


async def test_identical_requests_run_once() -> None:
    engine = WordsEngine()
    batcher = MicroBatcher(engine, limits=batch_limits(max_wait_ms=50))
    outputs = await _serve(batcher, (["same words here"], GREEDY), (["same words here"], GREEDY))
    assert engine.calls == [["same words here"]]
    assert outputs == [["same words here"]] * 2


async def test_a_call_larger_than_the_queue_is_served_on_an_idle_model() -> None:
    engine = WordsEngine()
    texts = [f"sentence {i} is here" for i in range(20)]
    batcher = MicroBatcher(engine, limits=batch_limits(max_queue=4, max_batch_size=3))
    (outputs,) = await _serve(batcher, (texts, GREEDY))
    assert batcher.depth == 0
    assert outputs == [alone(t) for t in texts]


async def test_a_call_arriving_at_a_full_queue_is_shed_and_the_first_still_served() -> None:
    engine = WordsEngine()
    texts = [f"text {i}" for i in range(10)]
    slots = asyncio.Semaphore(1)
    batcher = MicroBatcher(engine, limits=batch_limits(max_queue=4), slots=slots)
    async with running(batcher):
        await slots.acquire()  # the machine is busy: nothing leaves the queue
        first = asyncio.ensure_future(batcher.submit(texts, GREEDY))
        await asyncio.sleep(0.05)
        assert batcher.depth == len(texts)  # all of it admitted: 4 queued, 6 in the backlog
        with pytest.raises(QueueFull) as shed:
            await batcher.submit(["Another caller."], GREEDY)
        assert shed.value.retry_after > 0
        slots.release()
        assert (await first).outputs == texts
        assert (await batcher.submit(["Another caller."], GREEDY)).outputs == ["Another caller."]


async def test_refusal_is_what_a_call_arriving_now_would_get() -> None:
    slots = asyncio.Semaphore(1)
    batcher = MicroBatcher(WordsEngine(), limits=batch_limits(max_queue=4), slots=slots)
    async with running(batcher):
        assert batcher.refusal(100) is None  # an idle model takes a call of any size
        await slots.acquire()
        first = asyncio.ensure_future(batcher.submit([f"text {i}" for i in range(4)], GREEDY))
        await asyncio.sleep(0.05)
        refused = batcher.refusal()
        assert isinstance(refused, QueueFull) and refused.retry_after > 0
        assert str(refused).startswith("words is at capacity; retry in")
        assert batcher.refusal(0) is None  # a call served from the cache needs no room
        with pytest.raises(QueueFull):
            await batcher.submit(["Another caller."], GREEDY)
        slots.release()
        await first
        assert batcher.refusal() is None


async def test_texts_on_their_way_count_as_queued() -> None:
    batcher = MicroBatcher(WordsEngine(), limits=batch_limits(max_queue=4))
    async with running(batcher):
        assert batcher.refusal(ahead=3) is None
        refused = batcher.refusal(ahead=4)  # an empty queue, but 4 texts on their way
        assert isinstance(refused, QueueFull) and refused.retry_after > 0
        assert batcher.refusal(0, ahead=4) is None  # a call served from the cache needs no room


async def test_an_admitted_call_waits_at_a_full_queue_instead_of_being_refused() -> None:
    slots = asyncio.Semaphore(1)
    batcher = MicroBatcher(WordsEngine(), limits=batch_limits(max_queue=4), slots=slots)
    async with running(batcher):
        await slots.acquire()  # the machine is busy: nothing leaves the queue
        first = asyncio.ensure_future(batcher.submit([f"text {i}" for i in range(4)], GREEDY))
        await asyncio.sleep(0.05)
        assert batcher.refusal() is not None
        later = asyncio.ensure_future(batcher.submit(["A later step."], GREEDY, admitted=True))
        await asyncio.sleep(0.05)
        assert batcher.depth == 5 and not later.done()  # in the backlog, not refused
        slots.release()
        await first
        assert (await later).outputs == ["A later step."]


async def test_outputs_cut_at_their_limit_are_reported_also_from_the_cache() -> None:
    engine = WordsEngine()
    texts = ["short one", "a text longer than the limit", "ends here now"]
    batcher = MicroBatcher(engine, limits=batch_limits(), cache=ResultCache(2**20))
    async with running(batcher):
        first = await batcher.submit(texts, GREEDY)
        again = await batcher.submit(texts, GREEDY)
    assert first.ended == again.ended == [True, False, True]
    assert again.outputs == first.outputs and again.cache_hits == len(texts)
    assert len(engine.calls) == 1  # the second call was served from the cache


async def test_cancelled_caller_leaves_the_queue_before_model_time() -> None:
    engine = WordsEngine()
    batcher = MicroBatcher(engine, limits=batch_limits(max_wait_ms=200))
    async with running(batcher):
        task = asyncio.ensure_future(batcher.submit(["Never run this."], GREEDY))
        await asyncio.sleep(0.02)  # queued, waiting for company
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await asyncio.sleep(0.3)
        assert batcher.depth == 0
    assert engine.calls == []


async def test_a_failing_batch_is_retried_text_by_text_and_fails_only_its_caller() -> None:
    engine = WordsEngine()
    batcher = MicroBatcher(engine, limits=batch_limits(max_wait_ms=50))
    async with running(batcher):
        good = asyncio.ensure_future(batcher.submit(["fine words"], GREEDY))
        bad = asyncio.ensure_future(batcher.submit(["FAIL here"], GREEDY))
        assert (await good).outputs == ["fine words"]
        with pytest.raises(RuntimeError, match="generation failed on words"):
            await bad
    assert engine.batches[0] == 2 and sorted(engine.batches[1:]) == [1, 1]


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
    engine = WordsEngine(parallelism=2, seconds=0.2)
    limits = batch_limits(max_wait_ms=1, max_batch_size=2)
    texts = [f"text {i}" for i in range(8)]
    assert _submit_all([MicroBatcher(engine, limits=limits)], texts) == texts
    assert engine.most_at_once == 2 and sum(engine.batches) == 8


def test_models_share_the_machine_slots_and_late_texts_join_the_next_batch() -> None:
    first, second = WordsEngine(parallelism=2, seconds=0.2), WordsEngine(parallelism=2, seconds=0.2)
    slots = asyncio.Semaphore(1)  # one model call at a time on this "machine"
    limits = batch_limits(max_wait_ms=1)
    batchers = [MicroBatcher(e, limits=limits, slots=slots) for e in (first, second)]
    texts = [f"text {i}" for i in range(12)]
    assert _submit_all(batchers, texts) == texts
    assert first.most_at_once == second.most_at_once == 1
    # While one model held the slot, the other's texts queued up and went in one call.
    assert len(first.batches) + len(second.batches) < len(texts)


# -- priority, fair shares, per-key limits, deadlines, bounded calls ----------------------------

INTERACTIVE = Caller("key:page")
BATCH = Caller("key:corpus", Priority.BATCH)


async def _queued_then_released(
    batcher: MicroBatcher, slots: asyncio.Semaphore, *calls: tuple[list[str], Caller]
) -> list[Generated]:
    """Every call queued while the machine is busy (so that the first model call sees them
    all), then the machine freed; each call's result."""
    async with running(batcher):
        await slots.acquire()
        tasks = []
        for texts, caller in calls:
            tasks.append(asyncio.ensure_future(batcher.submit(texts, GREEDY, caller=caller)))
            await asyncio.sleep(0.01)  # arrival order is call order
        slots.release()
        return list(await asyncio.gather(*tasks))


async def test_interactive_texts_run_before_batch_texts_queued_earlier() -> None:
    engine = WordsEngine()
    slots = asyncio.Semaphore(1)
    limits = batch_limits(max_batch_size=2, max_wait_ms=1)
    batcher = MicroBatcher(engine, limits=limits, slots=slots)
    corpus = [f"corpus text {i}" for i in range(4)]
    await _queued_then_released(
        batcher, slots, (corpus, BATCH), (["page one", "page two"], INTERACTIVE)
    )
    # The page's texts lead, in a call of their own (a batch holds one priority).
    assert sorted(engine.calls[0]) == ["page one", "page two"]
    assert all(t.startswith("corpus") for call in engine.calls[1:] for t in call)


async def test_batch_work_gets_one_call_in_batch_every_and_says_how_long_it_waited() -> None:
    engine = WordsEngine(seconds=0.01)
    slots = asyncio.Semaphore(1)
    limits = batch_limits(max_batch_size=1, max_wait_ms=1, batch_every=3)
    batcher = MicroBatcher(engine, limits=limits, slots=slots)
    pages = [f"page {i}" for i in range(6)]
    page, corpus = await _queued_then_released(
        batcher, slots, (pages, INTERACTIVE), (["corpus text"], BATCH)
    )
    order = [call[0] for call in engine.calls]
    # Two interactive calls, then the batch text's turn (not after all six pages).
    assert order[:3] == ["page 0", "page 1", "corpus text"]
    assert corpus.behind_interactive_ms > 0 and page.behind_interactive_ms == 0


async def test_keys_share_a_model_fairly_in_tokens_whatever_their_backlogs() -> None:
    engine = WordsEngine()
    slots = asyncio.Semaphore(1)
    batcher = MicroBatcher(
        engine, limits=batch_limits(max_batch_size=2, max_wait_ms=1), slots=slots
    )
    big = [f"big {i} a b c" for i in range(8)]  # 5 tokens each
    small = [f"small {i} x" for i in range(4)]  # 3 tokens each
    await _queued_then_released(batcher, slots, (big, Caller("key:a")), (small, Caller("key:b")))
    # One key's eight texts queued first do not hold the other's: while both wait, the key
    # served fewer tokens goes first, so their tokens stay within one text of each other.
    served = {"big": 0, "small": 0}
    for call in engine.calls:
        for text in call:
            served[text.split()[0]] += len(text.split())
        if served["small"] < 3 * len(small):
            assert abs(served["big"] - served["small"]) <= 5
    last_small = max(i for i, call in enumerate(engine.calls) if any("small" in t for t in call))
    assert last_small < len(engine.calls) - 1  # not after the whole backlog of the other key


async def test_a_keys_many_calls_count_as_one_share() -> None:
    engine = WordsEngine()
    slots = asyncio.Semaphore(1)
    batcher = MicroBatcher(
        engine, limits=batch_limits(max_batch_size=1, max_wait_ms=1), slots=slots
    )
    crowd = [([f"crowd {i} w"], Caller("key:crowd")) for i in range(6)]
    await _queued_then_released(batcher, slots, *crowd, (["lone a b"], Caller("key:lone")))
    order = [call[0].split()[0] for call in engine.calls]
    # Six calls of one key are one share: the other key's text is second, not seventh.
    assert order.index("lone") == 1


async def test_a_key_over_its_own_limit_is_refused_naming_its_limit() -> None:
    slots = asyncio.Semaphore(1)
    limits = batch_limits(max_queue=100, max_queue_per_key=3)
    batcher = MicroBatcher(WordsEngine(), limits=limits, slots=slots)
    async with running(batcher):
        await slots.acquire()
        first = asyncio.ensure_future(batcher.submit(["a", "b", "c"], GREEDY, caller=BATCH))
        await asyncio.sleep(0.02)
        with pytest.raises(QueueFull) as refused:
            await batcher.submit(["d"], GREEDY, caller=BATCH)
        assert str(refused.value).startswith(
            "caller key:corpus has 3 texts waiting at words, the limit per caller; retry in"
        )
        assert refused.value.retry_after > 0
        other = asyncio.ensure_future(batcher.submit(["e"], GREEDY, caller=INTERACTIVE))
        slots.release()
        assert (await other).outputs == ["e"] and (await first).outputs == ["a", "b", "c"]


async def test_batch_work_filling_the_queue_does_not_refuse_interactive_work() -> None:
    slots = asyncio.Semaphore(1)
    batcher = MicroBatcher(WordsEngine(), limits=batch_limits(max_queue=4), slots=slots)
    async with running(batcher):
        await slots.acquire()
        corpus = asyncio.ensure_future(
            batcher.submit([f"c {i}" for i in range(4)], GREEDY, caller=BATCH)
        )
        await asyncio.sleep(0.02)
        assert isinstance(batcher.refusal(caller=Caller("key:other", Priority.BATCH)), QueueFull)
        assert batcher.refusal(caller=INTERACTIVE) is None
        slots.release()
        await corpus


async def test_a_deadline_that_cannot_be_met_is_refused_before_model_time() -> None:
    engine = WordsEngine(seconds=0.05)
    slots = asyncio.Semaphore(1)
    batcher = MicroBatcher(engine, limits=batch_limits(max_wait_ms=1), slots=slots)
    async with running(batcher):
        await batcher.submit(["one two three four"], GREEDY)  # measures the cost per token
        calls_before = len(engine.calls)
        await slots.acquire()
        backlog = asyncio.ensure_future(
            batcher.submit([" ".join(["w"] * 40)] * 1, GREEDY, caller=Caller("key:x"))
        )
        await asyncio.sleep(0.02)
        hurried = Caller("key:y", deadline=time.monotonic() + 0.01)
        with pytest.raises(DeadlineUnmeetable, match=r"the deadline is in 0\.0"):
            await batcher.submit(["a b c d"], GREEDY, caller=hurried)
        relaxed = Caller("key:y", deadline=time.monotonic() + 60)
        slots.release()
        assert (await batcher.submit(["a b c d"], GREEDY, caller=relaxed)).outputs == ["a b c d"]
        await backlog
    assert all(call != ["a b c d"] for call in engine.calls[calls_before:-1])


async def test_a_text_whose_deadline_passed_in_the_queue_is_dropped_unrun() -> None:
    engine = WordsEngine()
    slots = asyncio.Semaphore(1)
    batcher = MicroBatcher(engine, limits=batch_limits(max_wait_ms=1), slots=slots)
    async with running(batcher):
        await slots.acquire()
        late = asyncio.ensure_future(
            batcher.submit(
                ["too late"], GREEDY, caller=Caller("key:x", deadline=time.monotonic() + 0.02)
            )
        )
        await asyncio.sleep(0.05)
        slots.release()
        with pytest.raises(DeadlineUnmeetable):
            await late
    assert engine.calls == []


async def test_batch_priority_and_long_work_run_in_bounded_calls_beside_interactive_work() -> None:
    engine = WordsEngine()
    limits = batch_limits(max_batch_tokens=1000, bounded_call_tokens=16, max_wait_ms=20)
    batcher = MicroBatcher(engine, limits=limits)
    texts = [f"text {i} w x" for i in range(6)]  # 4 tokens each
    async with running(batcher):
        await batcher.submit(texts, GREEDY, caller=BATCH)  # alone: one full call
        await batcher.submit(["a page"], GREEDY, caller=INTERACTIVE)  # interactive work appears
        await batcher.submit(texts[:4], GREEDY, caller=BATCH)  # 16 tokens: one call of four
        await batcher.submit(texts, GREEDY, caller=BATCH)  # 24: calls of at most four
        await batcher.submit(texts[:4], GREEDY, caller=INTERACTIVE)  # the page's: one call
        await batcher.submit(texts, GREEDY, caller=Caller("key:long"))  # another's long work
    assert engine.batches == [6, 1, 4, 4, 2, 4, 4, 2]


async def test_long_work_runs_in_bounded_calls_even_with_nobody_else_around() -> None:
    """A running call cannot be interrupted: a long article alone is already cut into bounded
    calls, so a page request arriving after it waits for one of those at most."""
    engine = WordsEngine()
    limits = batch_limits(max_batch_tokens=1000, bounded_call_tokens=16, max_wait_ms=20)
    batcher = MicroBatcher(engine, limits=limits)
    chunks = [f"chunk {i} w x" for i in range(6)]  # 4 tokens each: 24 waiting
    async with running(batcher):
        await batcher.submit(chunks, GREEDY, caller=Caller("key:long"))
        await batcher.submit(chunks[:4], GREEDY, caller=Caller("key:long"))  # 16: not long
    assert engine.batches == [4, 2, 4]


class PriorityRecord:
    """A stand-in for a model's ThreadPriority: the calls it was told of, in order."""

    def __init__(self, engine: WordsEngine) -> None:
        self.engine = engine
        self.events: list[tuple[str, bool, int]] = []  # (event, foreground, engine calls then)

    def started(self, *, foreground: bool) -> None:
        self.events.append(("started", foreground, len(self.engine.calls)))

    def ended(self, *, foreground: bool) -> None:
        self.events.append(("ended", foreground, len(self.engine.calls)))


async def test_each_call_tells_its_threads_priority_whether_it_is_foreground() -> None:
    """Batch work and long work are background (their threads niced), a page's call is not;
    told before the call runs and after it ends, failed calls included."""
    engine = WordsEngine()
    record = PriorityRecord(engine)
    engine.thread_priority = record  # type: ignore[attr-defined]
    limits = batch_limits(max_batch_tokens=1000, bounded_call_tokens=8, max_wait_ms=1)
    batcher = MicroBatcher(engine, limits=limits)
    async with running(batcher):
        await batcher.submit(["a corpus item"], GREEDY, caller=BATCH)
        await batcher.submit(["a page"], GREEDY, caller=INTERACTIVE)
        await batcher.submit(["long w x y z", "long w x y z v"], GREEDY, caller=Caller("key:l"))
        with pytest.raises(RuntimeError):
            await batcher.submit(["FAIL"], GREEDY, caller=INTERACTIVE)
    assert record.events == [
        ("started", False, 0),
        ("ended", False, 1),
        ("started", True, 1),
        ("ended", True, 2),
        ("started", False, 2),  # long work: 11 tokens waiting, over the bound of 8
        ("ended", False, 3),
        ("started", True, 3),  # its last 6 tokens are no longer long work
        ("ended", True, 4),
        ("started", True, 4),  # the failing call
        ("ended", True, 5),
    ]


class WorkSeen:
    """A batch observer that keeps the latest queued work reported per (model, priority)."""

    def __init__(self) -> None:
        self.queued: dict[tuple[str, str], tuple[int, int]] = {}

    def batch_done(self, model: str, *, size: int, tokens: int, seconds: float) -> None:
        pass

    def queue_depth(self, model: str, depth: int) -> None:
        pass

    def queued_work(self, model: str, priority: str, *, requests: int, tokens: int) -> None:
        self.queued[model, priority] = (requests, tokens)


async def test_queued_work_is_reported_in_calls_and_tokens_until_served() -> None:
    seen = WorkSeen()
    slots = asyncio.Semaphore(1)
    batcher = MicroBatcher(
        WordsEngine(), limits=batch_limits(max_queue=8), observer=seen, slots=slots
    )
    async with running(batcher):
        await slots.acquire()  # the machine is busy: the work waits
        calls = [
            asyncio.ensure_future(batcher.submit(["one two three", "four five"], GREEDY)),
            asyncio.ensure_future(batcher.submit(["six seven eight nine", "ten"], GREEDY)),
        ]
        await asyncio.sleep(0.05)
        assert batcher.depth == 4
        # 2 calls, 3 + 2 + 4 + 1 words (the stand-in's tokens).
        assert seen.queued["words", "interactive"] == (2, 10)
        assert seen.queued["words", "batch"] == (0, 0)  # every priority is reported
        corpus = asyncio.ensure_future(batcher.submit(["a b c"], GREEDY, caller=BATCH))
        await asyncio.sleep(0.02)
        assert seen.queued["words", "batch"] == (1, 3)
        slots.release()
        await asyncio.gather(*calls, corpus)
    assert seen.queued["words", "interactive"] == seen.queued["words", "batch"] == (0, 0)


async def test_a_short_request_is_not_batched_with_another_callers_long_work() -> None:
    engine = WordsEngine()
    slots = asyncio.Semaphore(1)
    limits = batch_limits(max_batch_tokens=1000, bounded_call_tokens=16, max_wait_ms=1)
    batcher = MicroBatcher(engine, limits=limits, slots=slots)
    chunks = [f"chunk {i} w x" for i in range(6)]  # 4 tokens each: 24 waiting, long work
    async with running(batcher):
        await batcher.submit(["a page"], GREEDY, caller=INTERACTIVE)  # the page is around
        await slots.acquire()  # the machine is busy while both arrive
        long = asyncio.ensure_future(batcher.submit(chunks, GREEDY, caller=Caller("key:long")))
        await asyncio.sleep(0.01)
        page = asyncio.ensure_future(batcher.submit(["the page again"], GREEDY, caller=INTERACTIVE))
        await asyncio.sleep(0.01)
        slots.release()
        await asyncio.gather(long, page)
    assert engine.calls[1] == ["the page again"]  # first, and alone: no chunk joined it
    assert engine.batches[2:] == [4, 2]  # the chunks in bounded calls of their own


async def test_a_long_requests_short_call_goes_after_short_requests_as_background() -> None:
    """Caller.long (an article summarized in chunks): its merge and translations are short
    calls, yet long work: after other callers' short requests, never in their calls, niced."""
    engine = WordsEngine()
    record = PriorityRecord(engine)
    engine.thread_priority = record  # type: ignore[attr-defined]
    slots = asyncio.Semaphore(1)
    batcher = MicroBatcher(engine, limits=batch_limits(max_wait_ms=1), slots=slots)
    long = Caller("key:long", long=True)
    await _queued_then_released(batcher, slots, (["the merge"], long), (["a page"], INTERACTIVE))
    assert engine.calls == [["a page"], ["the merge"]]
    assert [foreground for event, foreground, _ in record.events if event == "started"] == [
        True,
        False,
    ]


async def test_an_extra_slot_runs_interactive_work_even_on_batch_works_turn() -> None:
    """The extra slot (Slots overcommit: background calls run niced) is for the call that
    pre-empts them; batch work's bounded share waits for a slot of its own."""
    engine = WordsEngine(parallelism=2)
    slots = Slots(1, overcommit=1)
    limits = batch_limits(max_wait_ms=1, batch_every=1)  # batch work's turn at every call
    batcher = MicroBatcher(engine, limits=limits, slots=slots)
    async with running(batcher):
        assert await slots.acquire() is False  # a background call holds the only slot
        slots.started(interactive=False)
        corpus = asyncio.ensure_future(batcher.submit(["a corpus item"], GREEDY, caller=BATCH))
        await asyncio.sleep(0.02)
        page = await asyncio.wait_for(batcher.submit(["a page"], GREEDY, caller=INTERACTIVE), 1)
        assert page.outputs == ["a page"] and not corpus.done()
        slots.release(background=True)
        await asyncio.wait_for(corpus, 1)
    assert engine.calls == [["a page"], ["a corpus item"]]
