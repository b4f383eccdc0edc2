"""Async micro-batcher: concurrent callers of one model share its generate calls."""

from __future__ import annotations

import asyncio
import functools
import itertools
import logging
import math
import time
from collections import deque
from collections.abc import Callable, Hashable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Protocol

from opentelemetry.trace import Link

from precis_models import tracing
from precis_models.allocator import release_free_memory
from precis_models.cache import ResultCache
from precis_models.engines.base import Engine, GenerateOptions, Output, batch_options
from precis_models.scheduling import ANYONE, Caller, FairShares, Priority, Slots
from precis_models.thread_priority import ThreadPriority

log = logging.getLogger(__name__)

# Gives a model call's worker and slot back: (whether a call ran, whether it was foreground).
Release = Callable[[bool, bool], None]


class QueueFull(Exception):
    """The model's queue holds max_queue texts of other callers (or, when `key` is given, that
    caller's own limit of `limit` texts); retry after `retry_after` s."""

    def __init__(self, model: str, retry_after: float, *, key: str = "", limit: int = 0) -> None:
        if key:
            message = (
                f"caller {key} has {limit} texts waiting at {model}, the limit per caller; "
                f"retry in {retry_after:.1f}s"
            )
        else:
            message = f"{model} is at capacity; retry in {retry_after:.1f}s"
        super().__init__(message)
        self.retry_after = retry_after


class DeadlineUnmeetable(Exception):
    """The caller's deadline comes before its texts could be generated: refused before they
    cost model time."""

    def __init__(self, model: str, *, needed: float, remaining: float) -> None:
        super().__init__(
            f"{model} needs about {max(needed, 0):.2f}s for the work queued ahead and this "
            f"call's own, and the deadline is in {max(remaining, 0):.2f}s; not started"
        )


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
    # Batch priority: model time given to interactive work while these texts waited.
    behind_interactive_ms: float = 0.0

    def __post_init__(self) -> None:
        if not self.ended:
            self.ended.extend([True] * len(self.outputs))


@dataclass(eq=False)
class _Call:
    """One submit call: whom it is for, the order it arrived in and how many of its texts were
    batched."""

    arrival: int
    who: Caller = ANYONE
    served: int = 0
    link: Link | None = None  # to the caller's span, for the batch's (see precis_models.tracing)


@dataclass
class _Item:
    text: str
    tokens: int
    options: GenerateOptions
    future: asyncio.Future[tuple[Output, float, float, float]]
    caller: _Call
    enqueued: float = field(default_factory=time.perf_counter)
    interactive_ms_then: float = 0.0  # the model's interactive call time when it was queued

    @property
    def share(self) -> tuple[Priority, str]:
        """Whose share of the model this text is served from."""
        return self.caller.who.priority, self.caller.who.key


def _round_robin(items: Iterable[_Item]) -> list[_Item]:
    """`items` taken one per call in turn, the call with the fewest texts batched so far
    first (then the oldest), each call's longest text first: a newcomer's texts are never
    behind another call's whole backlog."""
    by_caller: dict[_Call, list[_Item]] = {}
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
    max_queue_per_key: int  # texts one caller key may have waiting (0: no limit of its own)
    # Padded tokens in a call of batch priority or of long work (a call with more than this
    # waiting): how long interactive work may wait for a running call (0: max_batch_tokens).
    bounded_call_tokens: int
    batch_every: int  # while both wait, at least one call in this many is batch priority
    # Seconds one machine slot stays free for interactive work after its last call
    # (scheduling.Slots reserve_s).
    interactive_reserve_seconds: float


# Model calls whose cost per token admission remembers (see MicroBatcher._check_deadline).
COST_WINDOW = 8
# Calls are bounded (BatchLimits.bounded_call_tokens) while interactive work has arrived at the
# model within this many seconds: a corpus run alone keeps its full batches.
INTERACTIVE_RECENT_S = 10.0

# Cached outputs carry whether the model ended them: one flag character before the text.
_ENDED, _CUT = "1", "0"


class MicroBatcher:
    """One per loaded model: a bounded queue, a batching task and the model's inference threads.

    Texts from all callers are grouped by search settings (beams, penalties: lengths may differ,
    each output is cut to its own maximum) and taken into batches capped in padded tokens and in
    size. Which texts go first (see `_order`): interactive before batch priority, with at least
    one batch-priority call in `batch_every` while both wait; within a priority, fair shares of
    tokens between caller keys (scheduling.FairShares); within a key, one text per call in
    turn (the least-served call first, see `_round_robin`), so a short call is not queued
    behind a long one's backlog. A batch holds one priority. Long work (a call with more than
    `bounded_call_tokens` waiting: a long article's chunks) always runs in calls capped at
    `bounded_call_tokens`, and so does batch priority while interactive work has arrived at the
    model lately (INTERACTIVE_RECENT_S): interactive work arriving meanwhile waits at most for
    one of those smaller calls. (A running call cannot be interrupted, so the cap must already
    hold when a request arrives: a lone long article's 4,096-token calls take 11 s each on one
    core at real sizes, and a page request arriving after it waited for them; in single-chunk
    calls it costs about 1.24x the CPU of four-chunk calls, measured on the summarizer, and the
    article alone is no slower: two such calls keep both cores busy.)
    A batch is formed when the model has a free worker (`engine.parallelism`) and the machine a
    free slot (`slots`, shared by all models, interactive work first: scheduling.Slots).

    Admission is per call: refused (QueueFull) when max_queue texts of other callers that run
    no later than it (its priority or higher) wait, or when its key already has
    `max_queue_per_key` texts waiting; refused (DeadlineUnmeetable) when the caller's deadline
    comes before the queue ahead of it and its own texts, at the measured seconds per token,
    could be generated. An admitted call of any size enters whole. A caller that gives up
    (cancel, deadline) leaves the queue before its text costs model time. A batch that fails is
    retried text by text, so one bad input fails only its own caller.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        limits: BatchLimits,
        revision: str = "",
        cache: ResultCache | None = None,
        observer: BatchObserver | None = None,
        slots: asyncio.Semaphore | Slots | None = None,
    ) -> None:
        self.engine = engine
        self.revision = revision
        self.limits = limits
        self._cache = cache
        self._observer = observer
        self._waiting: list[_Item] = []  # admitted texts not yet in a model call
        self._wakeup = asyncio.Event()
        self._executor = ThreadPoolExecutor(
            engine.parallelism, thread_name_prefix=f"infer-{engine.name}"
        )
        self._workers = asyncio.Semaphore(engine.parallelism)
        self._slots = slots
        # Engines without inference threads of their own (extractive, stand-ins) have none.
        self._threads: ThreadPriority | None = getattr(engine, "thread_priority", None)
        self._running: set[asyncio.Task[None]] = set()
        self._task: asyncio.Task[None] | None = None
        self._texts_per_second = 0.0
        # Seconds per input token of the last calls: admission estimates with the least of them
        # (the cost of a well-filled batch), so it refuses only work that surely cannot make it.
        self._token_costs: deque[float] = deque(maxlen=COST_WINDOW)
        self._arrivals = itertools.count()
        self._shares = FairShares()
        self._interactive_in_a_row = 0  # interactive calls taken while batch texts waited
        self._interactive_ms = 0.0  # model time of this model's interactive calls, all told
        self._last_interactive = -math.inf  # time.monotonic() of the last interactive call

    @property
    def name(self) -> str:
        return self.engine.name

    @property
    def depth(self) -> int:
        """Texts waiting for a model call."""
        return len(self._waiting)

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
        for item in self._waiting:
            if not item.future.done():
                item.future.set_exception(asyncio.CancelledError())
        self._waiting = []
        self._executor.shutdown(wait=True)

    async def run_sync(self, fn, *args):  # type: ignore[no-untyped-def]
        """Run `fn(*args)` on one of this model's inference threads (e.g. a warm-up)."""
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    async def submit(
        self,
        texts: Sequence[str],
        options: GenerateOptions,
        *,
        lengths: Sequence[int] = (),
        admitted: bool = False,
        caller: Caller = ANYONE,
    ) -> Generated:
        """Generate one output per text, batched with whatever else is queued.

        Admission is per call (see `refusal` and the class): a call is refused only as it
        arrives, and an admitted call of any size enters whole, so it is served on an idle model.

        Args:
            texts: the model's inputs.
            options: decoding.
            lengths: the texts' input tokens when the caller has counted them already (saves
                counting them again here).
            admitted: the service admitted the call already (a later step of it: a summary's
                translations), so it is never refused for a full queue here but waits its
                turn, instead of being refused after work was spent on it.
            caller: whom the call is for: its priority, key (fair shares and the per-key limit)
                and deadline.

        Raises:
            QueueFull: the queue is full of other callers' texts, or of this key's (see the
                class; retrying later helps).
            DeadlineUnmeetable: the caller's deadline cannot be met (nothing was started).
            asyncio.CancelledError: the caller was cancelled (its texts leave the queue).
        """
        started = time.perf_counter()
        outputs: list[Output | None] = [None] * len(texts)
        keys = [(self.name, self.revision, text, options) for text in texts]
        if self._cache is not None:
            outputs = [_from_cache(self._cache.get(key)) for key in keys]
        missing = [i for i, out in enumerate(outputs) if out is None]
        hits = len(texts) - len(missing)
        if (
            missing
            and not admitted
            and (refused := self.refusal(len(missing), caller=caller)) is not None
        ):
            raise refused
        loop = asyncio.get_running_loop()
        items = []
        if missing:
            counts = (
                [lengths[i] for i in missing]
                if lengths
                else self.engine.count_tokens([texts[i] for i in missing])
            )
            self._check_deadline(caller, sum(counts))
            call = _Call(next(self._arrivals), caller, link=tracing.link_to_current())
            if caller.priority is Priority.INTERACTIVE:
                self._last_interactive = time.monotonic()
            for i, tokens in zip(missing, counts, strict=True):
                items.append(
                    _Item(
                        texts[i],
                        tokens,
                        options,
                        loop.create_future(),
                        call,
                        interactive_ms_then=self._interactive_ms,
                    )
                )
            self._waiting.extend(items)
            self._report_depth()
            self._wakeup.set()
            if caller.priority is Priority.INTERACTIVE and isinstance(self._slots, Slots):
                self._slots.regrant()  # this model may be waiting for a slot as batch work
        queue_ms = inference_ms = behind_ms = 0.0
        try:
            results = await asyncio.gather(*(item.future for item in items))
        finally:
            for item in items:
                item.future.cancel()  # no-op when done; frees the slot when we were cancelled
        for i, (output, waited, spent, behind) in zip(missing, results, strict=True):
            outputs[i] = output
            queue_ms = max(queue_ms, waited)
            inference_ms = max(inference_ms, spent)
            behind_ms = max(behind_ms, behind)
            if self._cache is not None:
                self._cache.put(keys[i], (_ENDED if output.ended else _CUT) + output.text)
        if not missing:
            inference_ms = (time.perf_counter() - started) * 1000
        done = [o or Output("") for o in outputs]
        return Generated(
            [o.text for o in done],
            queue_ms,
            inference_ms,
            hits,
            [o.ended for o in done],
            behind_ms,
        )

    def refusal(
        self, texts: int = 1, *, ahead: int = 0, caller: Caller = ANYONE
    ) -> QueueFull | None:
        """The QueueFull a call of `texts` uncached texts from `caller` gets when it arrives
        now (see the class; `ahead` texts on their way to the queue count as queued), or None:
        it would be admitted."""
        if not texts:
            return None
        per_key = self.limits.max_queue_per_key
        if per_key:
            own = sum(1 for it in self._waiting if it.caller.who.key == caller.key)
            if own >= per_key:
                return QueueFull(
                    self.name, self._retry_after(own + texts), key=caller.key, limit=per_key
                )
        if ahead + len(self._no_later_than(caller)) >= self.limits.max_queue:
            return QueueFull(self.name, self._retry_after(len(self._waiting) + ahead + texts))
        return None

    def _no_later_than(self, caller: Caller) -> list[_Item]:
        """The waiting texts that run no later than a new text of `caller`'s (its priority or
        a more urgent one): what counts against its queue limit and its deadline."""
        return [it for it in self._waiting if it.caller.who.priority <= caller.priority]

    def _check_deadline(self, caller: Caller, tokens: int) -> None:
        """Refuse a call whose deadline comes before the texts that run no later than it and
        its own `tokens` could be generated, at the measured cost per token.

        Raises:
            DeadlineUnmeetable: naming the time needed and the time left.
        """
        remaining = caller.remaining()
        if remaining is None:
            return
        ahead = sum(it.tokens for it in self._no_later_than(caller))
        per_token = min(self._token_costs, default=0.0)
        needed = (ahead + tokens) * per_token / self.engine.parallelism
        if needed > remaining:
            raise DeadlineUnmeetable(self.name, needed=needed, remaining=remaining)

    def _generate_sync(
        self, texts: list[str], options: GenerateOptions, limits: list[int]
    ) -> list[Output]:
        try:
            return self.engine.generate_outputs(texts, options, limits=limits)
        finally:
            # The call's activations (hundreds of MB for a long input and 4 beams) are free now;
            # without this glibc keeps them in this thread's arena, stacked on the next peak.
            release_free_memory()

    def _retry_after(self, ahead: int) -> float:
        """Seconds until `ahead` texts have likely been generated."""
        rate = self._texts_per_second or 1.0
        return round(min(30.0, max(0.5, ahead / rate)), 1)

    def _report_depth(self) -> None:
        if self._observer is not None:
            self._observer.queue_depth(self.name, self.depth)
            for priority in Priority:  # every priority, so that a drained one reads 0
                requests, tokens = _queued_work(
                    it for it in self._waiting if it.caller.who.priority is priority
                )
                self._observer.queued_work(
                    self.name, priority.name.lower(), requests=requests, tokens=tokens
                )

    def _has_foreground(self) -> bool:
        """Whether interactive texts wait that are not long work (see `_long_calls`): what a
        machine slot is kept free for (scheduling.Slots)."""
        live = [it for it in self._waiting if not it.future.done()]
        long = self._long_calls(live)
        return any(
            it.caller.who.priority is Priority.INTERACTIVE and it.caller not in long for it in live
        )

    def _backlog(self) -> int:
        """Texts waiting that are still wanted."""
        return sum(1 for it in self._waiting if not it.future.done())

    async def _run(self) -> None:
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            while self._waiting:
                await self._wait_for_batch()
                release, extra = await self._acquire_worker()
                batch, foreground = self._take_batch(foreground_only=extra)
                if not batch:
                    release(False, False)
                    continue
                if isinstance(self._slots, Slots):
                    self._slots.started(interactive=foreground)
                if self._threads is not None:
                    self._threads.started(foreground=foreground)
                task = asyncio.get_running_loop().create_task(
                    self._execute(batch, functools.partial(self._ended, release, foreground))
                )
                self._running.add(task)
                task.add_done_callback(self._running.discard)

    def _ended(self, release: Release, foreground: bool) -> None:
        """A call ended: its threads' priority and its worker and slot given back."""
        if self._threads is not None:
            self._threads.ended(foreground=foreground)
        release(True, foreground)

    async def _acquire_worker(self) -> tuple[Release, bool]:
        """Wait for a free worker of this model, then for a free machine slot (interactive
        work first, see scheduling.Slots); returns what gives both back (told whether a call
        ran, and whether it was foreground), and whether the slot is an extra one (for
        foreground work only: it pre-empts background calls)."""
        await self._workers.acquire()
        slots = self._slots
        if slots is None:
            return lambda ran, foreground: self._workers.release(), False
        extra = False
        try:
            if isinstance(slots, Slots):
                extra = await slots.acquire(self._has_foreground, self._backlog)
            else:
                await slots.acquire()
        except BaseException:
            self._workers.release()
            raise

        def release(ran: bool, foreground: bool) -> None:
            if isinstance(slots, Slots):
                slots.release(interactive=ran and foreground, background=ran and not foreground)
            else:
                slots.release()
            self._workers.release()

        return release, extra

    async def _wait_for_batch(self) -> None:
        """Give the oldest text up to max_wait_ms for company, unless a full batch is here."""
        deadline = min(it.enqueued for it in self._waiting) + self.limits.max_wait_ms / 1000
        while len(self._waiting) < self.limits.max_batch_size:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                return
            self._wakeup.clear()
            try:
                await asyncio.wait_for(self._wakeup.wait(), remaining)
            except TimeoutError:
                return

    def _order(self, live: list[_Item], *, batch_turn: bool = True) -> list[_Item]:
        """The waiting texts in the order they go into calls: the priority whose turn it is
        first (interactive, but batch after `batch_every` - 1 interactive calls in a row while
        batch texts waited), within it fair shares between keys, within a key calls in turn."""
        groups: dict[tuple[Priority, str], list[_Item]] = {}
        for item in live:
            groups.setdefault(item.share, []).append(item)
        by_priority: dict[Priority, dict[Hashable, list[_Item]]] = {}
        for (priority, key), own in sorted(groups.items(), key=lambda g: g[0][0]):
            by_priority.setdefault(priority, {})[priority, key] = _round_robin(own)
        turns = sorted(by_priority)
        due = self._interactive_in_a_row >= self.limits.batch_every - 1
        if batch_turn and len(turns) > 1 and due:
            turns.reverse()  # batch work's bounded share
        return [
            item
            for priority in turns
            for item in self._shares.interleave(by_priority[priority], lambda it: it.tokens)
        ]

    def _take_batch(self, *, foreground_only: bool = False) -> tuple[list[_Item], bool]:
        """Pop the next batch within the caps: the first text's priority and search settings,
        in the order of `_order`; and whether it is foreground work (interactive, not long
        work: see `_long_calls`). With `foreground_only` (an extra slot, scheduling.Slots),
        only foreground work, and none if there is none (batch work's turn waits for a slot
        of its own)."""
        now = time.monotonic()
        live = []
        for item in self._waiting:
            if item.future.done():
                continue  # cancelled callers leave before costing model time
            deadline = item.caller.who.deadline
            if deadline is not None and deadline <= now:
                # The caller has stopped waiting (an HTTP caller is not cancelled by it).
                item.future.set_exception(
                    DeadlineUnmeetable(self.name, needed=0.0, remaining=deadline - now)
                )
                continue
            live.append(item)
        self._waiting = live
        if not live:
            self._report_depth()
            return [], False
        ordered = self._order(live, batch_turn=not foreground_only)
        long = self._long_calls(live)
        priority = ordered[0].caller.who.priority
        # Within interactive work, short requests go before long work (see `_long_calls`).
        first = next(
            (it for it in ordered if it.caller.who.priority is priority and it.caller not in long),
            ordered[0],
        )
        search = first.options.search
        max_tokens = self.limits.max_batch_tokens
        long_work = first.caller in long  # interactive calls only (_long_calls)
        foreground = priority is Priority.INTERACTIVE and not long_work
        if foreground_only and not foreground:
            self._report_depth()
            return [], False
        if long_work or (priority is Priority.BATCH and self._recent_interactive()):
            # Bounded: interactive work arriving meanwhile waits at most for this call.
            max_tokens = min(max_tokens, self.limits.bounded_call_tokens or max_tokens)
        batch: list[_Item] = []
        longest = 0
        for item in ordered:
            if len(batch) >= self.limits.max_batch_size:
                break
            if item.caller.who.priority is not priority or item.options.search != search:
                continue
            if (item.caller in long) != (first.caller in long):
                continue  # long work runs in calls of its own, not in a short request's
            padded = max(longest, item.tokens) * (len(batch) + 1)
            if batch and padded > max_tokens:
                continue  # a shorter text of another caller may still fit
            batch.append(item)
            longest = max(longest, item.tokens)
        batch.sort(key=lambda it: it.tokens, reverse=True)
        for item in batch:
            item.caller.served += 1
            self._shares.charge(item.share, item.tokens)
        taken = {id(it) for it in batch}
        self._waiting = [it for it in live if id(it) not in taken]
        self._shares.forget(it.share for it in self._waiting)
        batch_waits = any(it.caller.who.priority is Priority.BATCH for it in self._waiting)
        if priority is Priority.INTERACTIVE and batch_waits:
            self._interactive_in_a_row += 1
        elif priority is Priority.BATCH:
            self._interactive_in_a_row = 0
        self._report_depth()
        return batch, foreground

    def _long_calls(self, live: list[_Item]) -> set[_Call]:
        """The interactive calls among `live` that are long work: more than bounded_call_tokens
        waiting (a long article's chunks), or a caller that is long work as a whole
        (Caller.long: that article's later, short calls). Long work is not foreground: it runs
        in bounded calls, beside batch work rather than in the slot kept for interactive work
        and on niced threads, after short requests, and never joins a short request's call."""
        bound = self.limits.bounded_call_tokens
        waiting: dict[_Call, int] = {}
        for it in live:
            if it.caller.who.priority is Priority.INTERACTIVE:
                waiting[it.caller] = waiting.get(it.caller, 0) + it.tokens
        return {
            call for call, tokens in waiting.items() if call.who.long or (bound and tokens > bound)
        }

    def _recent_interactive(self) -> bool:
        """Whether interactive work arrived at this model within INTERACTIVE_RECENT_S (any
        caller's: since long work no longer depends on who, the time of the last is enough)."""
        return time.monotonic() - self._last_interactive <= INTERACTIVE_RECENT_S

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
        tokens = sum(item.tokens for item in batch)
        self._texts_per_second = len(unique) / max(seconds, 1e-6)
        self._token_costs.append(seconds / max(tokens, 1))
        if batch[0].caller.who.priority is Priority.INTERACTIVE:
            self._interactive_ms += seconds * 1000
        if self._observer is not None:
            self._observer.batch_done(self.name, size=len(unique), tokens=tokens, seconds=seconds)
        by_request = dict(zip(unique, outputs, strict=True))
        for item in batch:
            if not item.future.done():
                waited = (start - item.enqueued) * 1000
                behind = 0.0
                if item.caller.who.priority is Priority.BATCH:
                    behind = min(waited, self._interactive_ms - item.interactive_ms_then)
                output = by_request[item.text, item.options]
                item.future.set_result((output, waited, seconds * 1000, behind))


def _queued_work(items: Iterable[_Item]) -> tuple[int, int]:
    """The calls with texts among `items` still wanted, and those texts' input tokens."""
    wanted = [it for it in items if not it.future.done()]
    return len({id(it.caller) for it in wanted}), sum(it.tokens for it in wanted)


def _from_cache(value: str | None) -> Output | None:
    return None if value is None else Output(value[1:], ended=value[:1] == _ENDED)
