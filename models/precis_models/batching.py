"""Async micro-batcher: concurrent callers of one model share its generate calls."""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Protocol

from opentelemetry.trace import Link

from precis_models import tracing
from precis_models.allocator import release_free_memory
from precis_models.cache import ResultCache
from precis_models.engines.base import Engine, GenerateOptions, Output, batch_options

log = logging.getLogger(__name__)
# The priority queued work is reported under (the only one until requests carry one).
QUEUED_PRIORITY = "interactive"


class QueueFull(Exception):
    """The model's queue holds max_queue texts of other callers; retry after `retry_after` s."""

    def __init__(self, model: str, retry_after: float) -> None:
        super().__init__(f"{model} is at capacity; retry in {retry_after:.1f}s")
        self.retry_after = retry_after


class BatchObserver(Protocol):
    """Receives batching events (the service turns them into metrics)."""

    def batch_done(self, model: str, *, size: int, tokens: int, seconds: float) -> None: ...

    def queue_depth(self, model: str, depth: int) -> None: ...

    def queued_work(self, model: str, priority: str, *, requests: int, tokens: int) -> None: ...


@dataclass(frozen=True)
class Generated:
    """Outputs of one submit, with where the time went."""

    outputs: list[str]
    queue_ms: float
    inference_ms: float
    cache_hits: int
    ended: list[bool] = field(default_factory=list)  # per output: False = cut at its limit

    def __post_init__(self) -> None:
        if not self.ended:
            self.ended.extend([True] * len(self.outputs))


@dataclass(eq=False)
class _Caller:
    """One submit call: the order it arrived in and how many of its texts were batched."""

    arrival: int
    served: int = 0
    link: Link | None = None  # to the caller's span, for the batch's (see precis_models.tracing)


@dataclass
class _Item:
    text: str
    tokens: int
    options: GenerateOptions
    future: asyncio.Future[tuple[Output, float, float]]
    caller: _Caller
    enqueued: float = field(default_factory=time.perf_counter)


def _round_robin(items: Iterable[_Item]) -> list[_Item]:
    """`items` taken one per caller in turn, the caller with the fewest texts batched so far
    first (then the oldest), each caller's longest text first: a newcomer's texts are never
    behind another call's whole backlog."""
    by_caller: dict[_Caller, list[_Item]] = {}
    for item in items:
        by_caller.setdefault(item.caller, []).append(item)
    turns = [
        sorted(own, key=lambda it: it.tokens, reverse=True)
        for caller, own in sorted(by_caller.items(), key=lambda c: (c[0].served, c[0].arrival))
    ]
    return [it for group in itertools.zip_longest(*turns) for it in group if it is not None]


@dataclass(frozen=True, kw_only=True)
class BatchLimits:
    """How batches are formed (the service fills it from its settings, where the defaults are)."""

    max_batch_tokens: int  # padded input tokens (longest input x batch size)
    max_batch_size: int  # texts in one model call
    max_wait_ms: float  # how long the oldest text waits for company
    max_queue: int  # texts waiting for a batch; a request larger than that enters in pieces


# Cached outputs carry whether the model ended them: one flag character before the text.
_ENDED, _CUT = "1", "0"


class MicroBatcher:
    """One per loaded model: a bounded queue, a batching task and the model's inference threads.

    Texts from all callers are grouped by search settings (beams, penalties: lengths may differ,
    each output is cut to its own maximum) and taken into batches capped in padded tokens and in
    size, one text per caller in turn (the least-served caller first, see `_round_robin`), so a
    short call is not queued behind a long one's backlog. A batch is formed when the model has a
    free worker (`engine.parallelism`) and the machine a free slot (`slots`, shared by all
    models): texts that arrive while the cores are busy join the next batch instead of competing
    for them. The queue holds at most `max_queue` texts; admitted calls' texts beyond that wait
    in a backlog and enter it callers in turn (see `submit`). A caller that gives up (cancel,
    deadline) leaves the queue before its text costs model time. A batch that fails is retried
    text by text, so one bad input fails only its own caller.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        limits: BatchLimits,
        revision: str = "",
        cache: ResultCache | None = None,
        observer: BatchObserver | None = None,
        slots: asyncio.Semaphore | None = None,
    ) -> None:
        self.engine = engine
        self.revision = revision
        self.limits = limits
        self._cache = cache
        self._observer = observer
        self._queue: deque[_Item] = deque()
        self._backlog: deque[_Item] = deque()  # admitted texts waiting for room in the queue
        self._wakeup = asyncio.Event()
        self._executor = ThreadPoolExecutor(
            engine.parallelism, thread_name_prefix=f"infer-{engine.name}"
        )
        self._workers = asyncio.Semaphore(engine.parallelism)
        self._slots = slots
        self._running: set[asyncio.Task[None]] = set()
        self._task: asyncio.Task[None] | None = None
        self._texts_per_second = 0.0
        self._arrivals = itertools.count()

    @property
    def name(self) -> str:
        return self.engine.name

    @property
    def depth(self) -> int:
        """Texts waiting: in the queue and in the backlog."""
        return len(self._queue) + len(self._backlog)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name=self.name)

    async def close(self) -> None:
        """Stop batching, let running batches finish, fail what is still queued, release the
        inference threads."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        await asyncio.gather(*self._running, return_exceptions=True)
        for waiting in (self._queue, self._backlog):
            while waiting:
                item = waiting.popleft()
                if not item.future.done():
                    item.future.set_exception(asyncio.CancelledError())
        self._executor.shutdown(wait=True)

    async def run_sync(self, fn, *args):  # type: ignore[no-untyped-def]
        """Run `fn(*args)` on one of this model's inference threads (e.g. a warm-up)."""
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    async def submit(
        self, texts: Sequence[str], options: GenerateOptions, *, lengths: Sequence[int] = ()
    ) -> Generated:
        """Generate one output per text, batched with whatever else is queued.

        Admission is per call: a call is refused only when other callers' texts fill the queue
        (`max_queue` texts) as it arrives. An admitted call's texts enter the queue as far as
        there is room and the rest follow, callers in turn, as batches leave it, so a call
        of any size is served on an idle model and the queue never holds more than max_queue.

        `lengths`, the texts' input tokens when the caller has counted them already, saves
        counting them again here.

        Raises:
            QueueFull: the queue is full of other callers' texts (retrying later helps).
            asyncio.CancelledError: the caller was cancelled (its texts leave the queue).
        """
        started = time.perf_counter()
        outputs: list[Output | None] = [None] * len(texts)
        keys = [(self.name, self.revision, text, options) for text in texts]
        if self._cache is not None:
            outputs = [_from_cache(self._cache.get(key)) for key in keys]
        missing = [i for i, out in enumerate(outputs) if out is None]
        hits = len(texts) - len(missing)
        if missing and (refused := self.refusal(len(missing))) is not None:
            raise refused
        loop = asyncio.get_running_loop()
        items = []
        if missing:
            counts = (
                [lengths[i] for i in missing]
                if lengths
                else self.engine.count_tokens([texts[i] for i in missing])
            )
            caller = _Caller(next(self._arrivals), link=tracing.link_to_current())
            for i, tokens in zip(missing, counts, strict=True):
                items.append(_Item(texts[i], tokens, options, loop.create_future(), caller))
            self._backlog.extend(items)
            self._refill()
            self._wakeup.set()
        queue_ms = inference_ms = 0.0
        try:
            results = await asyncio.gather(*(item.future for item in items))
        finally:
            for item in items:
                item.future.cancel()  # no-op when done; frees the slot when we were cancelled
        for i, (output, waited, spent) in zip(missing, results, strict=True):
            outputs[i] = output
            queue_ms = max(queue_ms, waited)
            inference_ms = max(inference_ms, spent)
            if self._cache is not None:
                self._cache.put(keys[i], (_ENDED if output.ended else _CUT) + output.text)
        if not missing:
            inference_ms = (time.perf_counter() - started) * 1000
        done = [o or Output("") for o in outputs]
        return Generated(
            [o.text for o in done], queue_ms, inference_ms, hits, [o.ended for o in done]
        )

    def refusal(self, texts: int = 1) -> QueueFull | None:
        """The QueueFull a call of `texts` uncached texts gets when it arrives now (its queue
        holds max_queue texts of other callers), or None: it would be admitted."""
        if texts and len(self._queue) >= self.limits.max_queue:
            return QueueFull(self.name, self._retry_after(texts))
        return None

    def _refill(self) -> None:
        """Move admitted texts from the backlog into the queue while it has room, callers in
        turn (see `_round_robin`)."""
        room = self.limits.max_queue - len(self._queue)
        if self._backlog and room > 0:
            waiting = _round_robin(it for it in self._backlog if not it.future.done())
            self._queue.extend(waiting[:room])
            self._backlog = deque(waiting[room:])
        self._report_depth()

    def _generate_sync(
        self, texts: list[str], options: GenerateOptions, limits: list[int]
    ) -> list[Output]:
        try:
            return self.engine.generate_outputs(texts, options, limits=limits)
        finally:
            # The call's activations (hundreds of MB for a long input and 4 beams) are free now;
            # without this glibc keeps them in this thread's arena, stacked on the next peak.
            release_free_memory()

    def _retry_after(self, extra: int) -> float:
        """Seconds until the queue and backlog ahead of `extra` texts have likely drained."""
        rate = self._texts_per_second or 1.0
        ahead = len(self._queue) + len(self._backlog)
        return round(min(30.0, max(0.5, (ahead + extra) / rate)), 1)

    def _report_depth(self) -> None:
        if self._observer is not None:
            self._observer.queue_depth(self.name, self.depth)
            requests, tokens = _queued_work(itertools.chain(self._queue, self._backlog))
            self._observer.queued_work(self.name, QUEUED_PRIORITY, requests=requests, tokens=tokens)

    async def _run(self) -> None:
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            while self._queue:
                await self._wait_for_batch()
                release = await self._acquire_worker()
                batch = self._take_batch()
                if not batch:
                    release()
                    continue
                task = asyncio.get_running_loop().create_task(self._execute(batch, release))
                self._running.add(task)
                task.add_done_callback(self._running.discard)

    async def _acquire_worker(self) -> Callable[[], None]:
        """Wait for a free worker of this model, then for a free machine slot."""
        await self._workers.acquire()
        if self._slots is None:
            return self._workers.release
        try:
            await self._slots.acquire()
        except BaseException:
            self._workers.release()
            raise
        slots = self._slots

        def release() -> None:
            slots.release()
            self._workers.release()

        return release

    async def _wait_for_batch(self) -> None:
        """Give the oldest text up to max_wait_ms for company, unless a full batch is here."""
        deadline = self._queue[0].enqueued + self.limits.max_wait_ms / 1000
        while len(self._queue) < self.limits.max_batch_size:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                return
            self._wakeup.clear()
            try:
                await asyncio.wait_for(self._wakeup.wait(), remaining)
            except TimeoutError:
                return

    def _take_batch(self) -> list[_Item]:
        """Pop the next batch within the caps: callers' texts in turn (see `_round_robin`), of
        the first one's search settings."""
        while self._queue and self._queue[0].future.done():
            self._queue.popleft()  # cancelled callers leave before costing model time
        self._refill()
        live = _round_robin(it for it in self._queue if not it.future.done())
        if not live:
            return []
        search = live[0].options.search
        candidates = [it for it in live if it.options.search == search]
        batch: list[_Item] = []
        longest = 0
        for item in candidates:
            if len(batch) >= self.limits.max_batch_size:
                break
            padded = max(longest, item.tokens) * (len(batch) + 1)
            if batch and padded > self.limits.max_batch_tokens:
                continue  # a shorter text of another caller may still fit
            batch.append(item)
            longest = max(longest, item.tokens)
        batch.sort(key=lambda it: it.tokens, reverse=True)
        for item in batch:
            item.caller.served += 1
        taken = {id(it) for it in batch}
        self._queue = deque(
            it for it in self._queue if id(it) not in taken and not it.future.done()
        )
        self._refill()
        return batch

    async def _execute(self, batch: list[_Item], release: Callable[[], None]) -> None:
        try:
            await self._generate(batch)
        finally:
            release()

    async def _generate(self, batch: list[_Item]) -> None:
        # Identical requests (same text and options) run once.
        unique = list(dict.fromkeys((item.text, item.options) for item in batch))
        texts = [text for text, _ in unique]
        options = batch_options([o for _, o in unique])
        limits = [o.max_new_tokens for _, o in unique]
        start = time.perf_counter()
        try:
            with tracing.span(
                "batch",
                links=[c.link for c in dict.fromkeys(it.caller for it in batch) if c.link],
                model=self.name,
                batch_size=len(unique),
                input_tokens=sum(item.tokens for item in batch),
                queue_ms=round((start - min(it.enqueued for it in batch)) * 1000, 3),
            ):
                outputs = await self.run_sync(self._generate_sync, texts, options, limits)
        except Exception:
            if len(unique) > 1:
                log.warning("batch of %d failed on %s; retrying one by one", len(unique), self.name)
                for item in batch:
                    await self._generate([item])
                return
            log.exception("generation failed on %s", self.name)
            for item in batch:
                if not item.future.done():
                    item.future.set_exception(RuntimeError(f"generation failed on {self.name}"))
            return
        seconds = time.perf_counter() - start
        self._texts_per_second = len(unique) / max(seconds, 1e-6)
        if self._observer is not None:
            tokens = sum(item.tokens for item in batch)
            self._observer.batch_done(self.name, size=len(unique), tokens=tokens, seconds=seconds)
        by_request = dict(zip(unique, outputs, strict=True))
        for item in batch:
            if not item.future.done():
                waited = (start - item.enqueued) * 1000
                output = by_request[item.text, item.options]
                item.future.set_result((output, waited, seconds * 1000))


def _queued_work(items: Iterable[_Item]) -> tuple[int, int]:
    """The calls with texts among `items` still wanted, and those texts' input tokens."""
    wanted = [it for it in items if not it.future.done()]
    return len({id(it.caller) for it in wanted}), sum(it.tokens for it in wanted)


def _from_cache(value: str | None) -> Output | None:
    return None if value is None else Output(value[1:], ended=value[:1] == _ENDED)
