"""Who model work is for, and the order it runs in: priority, fair shares between callers, slots."""

from __future__ import annotations

import asyncio
import enum
import heapq
import time
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field, replace
from typing import TypeVar

T = TypeVar("T")


class Priority(enum.IntEnum):
    """How soon a caller needs its answer: interactive work runs before batch work."""

    INTERACTIVE = 0  # a person waits (the default)
    BATCH = 1  # a corpus run: throughput matters, not each call's latency


@dataclass(frozen=True)
class Caller:
    """Whom a model call is for, as the transport identified it.

    `key` is a label (a short hash of the API key, or the peer's address): never the key itself,
    so it may be logged and shown. `deadline` is the time.monotonic() instant by which the
    caller stops waiting, or None. `long`: the request is long work as a whole (an article
    summarized in chunks), so its short calls too (the merge, its summary's translations) go
    after short requests and run as background work (batching.MicroBatcher).
    """

    key: str = "-"
    priority: Priority = Priority.INTERACTIVE
    deadline: float | None = None
    long: bool = False

    def as_long_work(self) -> Caller:
        """This caller, its request now known to be long work as a whole (see `long`)."""
        return replace(self, long=True)

    def remaining(self) -> float | None:
        """Seconds until the deadline (negative once it passed), or None without one."""
        return None if self.deadline is None else self.deadline - time.monotonic()


ANYONE = Caller()  # a caller the transport did not identify (tests, the CLI's local runs)


@dataclass
class FairShares:
    """Fair queuing on tokens between callers of one priority (one per model).

    Each key's tokens served so far are counted; the next text comes from the key served least,
    so a key with a long backlog cannot hold back another key's texts, and two busy keys get
    equal tokens. A key that comes back after having nothing queued starts level with the least
    served active key: idling banks no credit.
    """

    served: dict[Hashable, float] = field(default_factory=dict)

    def interleave(self, groups: dict[Hashable, list[T]], tokens: Callable[[T], int]) -> list[T]:
        """The texts of every key (`groups`: each key's texts in its own order) in the order
        fair shares give them (see the class)."""
        floor = min((self.served[k] for k in groups if k in self.served), default=0.0)
        for key in groups:
            self.served[key] = max(self.served.get(key, floor), floor)
        heap = [(self.served[key], n, key) for n, key in enumerate(groups)]
        heapq.heapify(heap)
        positions = dict.fromkeys(groups, 0)
        order: list[T] = []
        while heap:
            served, n, key = heapq.heappop(heap)
            own = groups[key]
            item = own[positions[key]]
            positions[key] += 1
            order.append(item)
            if positions[key] < len(own):
                heapq.heappush(heap, (served + tokens(item), n, key))
        return order

    def charge(self, key: Hashable, tokens: int) -> None:
        """Count `tokens` served to `key`."""
        self.served[key] = self.served.get(key, 0.0) + tokens

    def forget(self, active: Iterable[Hashable]) -> None:
        """Drop the counts of keys with nothing queued (see the class: no banked credit)."""
        keep = set(active)
        for key in [k for k in self.served if k not in keep]:
            del self.served[key]


@dataclass(eq=False)
class _Waiter:
    future: asyncio.Future[None]
    urgent: Callable[[], bool]
    backlog: Callable[[], int]
    since: float = field(default_factory=time.monotonic)
    extra: bool = False  # granted one of the extra slots (interactive work only)


class Slots:
    """Model calls that may run at once across all models (the machine's cores), handed to
    interactive work first and to full batches before thin ones.

    A free slot goes to a model with interactive texts waiting (`urgent`) first; among several
    waiting models, to the one with the most texts waiting (`backlog`: while one model runs,
    another's queue fills, so calls stay well batched), unless one has waited `starve_s`.

    With `overcommit` (the models' background calls run niced: thread_priority), interactive
    work that finds every slot taken, some by background calls, runs at once in one of
    `overcommit` extra slots, and the kernel gives it the core ahead of the niced calls: no
    slot is kept free for it.

    Without it, on more than one slot, while interactive work runs, waits or ran within
    `reserve_s`, the last free slot is kept for it: work that is not urgent (batch priority,
    another caller's long work) runs in the others, so an interactive call does not wait for a
    running one. Batch work is never starved: when the kept slot is all that is free and none
    of its calls runs, the oldest waiter takes it once it has waited `batch_age_s`. On one slot
    nothing can be kept: it goes to whoever waits when it frees, interactive work first (the
    batcher bounds the size of batch calls).
    """

    def __init__(
        self,
        count: int,
        *,
        batch_age_s: float = 1.0,
        reserve_s: float = 2.0,
        starve_s: float = 30.0,
        overcommit: int = 0,
    ) -> None:
        self.count = count
        self.overcommit = overcommit
        self.batch_age_s = batch_age_s
        self.starve_s = starve_s
        self.reserve_s = reserve_s
        self._free = count
        self._interactive = 0  # interactive calls running
        self._background = 0  # other calls running (granted slots not yet started are neither)
        self._interactive_until = 0.0  # monotonic time the last interactive call ended + reserve
        self._waiters: list[_Waiter] = []
        self._recheck: asyncio.TimerHandle | None = None

    async def acquire(
        self, urgent: Callable[[], bool] = lambda: True, backlog: Callable[[], int] = lambda: 0
    ) -> bool:
        """Wait for a slot; `urgent()` says whether the waiting model has interactive work,
        `backlog()` how many texts it has waiting. Returns whether the slot is an extra one
        (`overcommit`): then it is for interactive work only."""
        waiter = _Waiter(asyncio.get_running_loop().create_future(), urgent, backlog)
        self._waiters.append(waiter)
        self._grant()
        try:
            await waiter.future
        except asyncio.CancelledError:
            if waiter in self._waiters:
                self._waiters.remove(waiter)
            elif waiter.future.done() and not waiter.future.cancelled():
                self.release()  # granted as we were cancelled
            raise
        return waiter.extra

    def started(self, *, interactive: bool) -> None:
        """The holder of a slot runs a call of this kind (call `release` with `interactive`,
        or `background` for the other kind)."""
        self._interactive += interactive
        self._background += not interactive

    def release(self, *, interactive: bool = False, background: bool = False) -> None:
        """Give a slot back, saying which kind of call it ran (`started`); neither when it
        ran none."""
        self._free += 1
        self._interactive -= interactive
        self._background -= background
        if interactive:
            self._interactive_until = time.monotonic() + self.reserve_s
        self._grant()

    def regrant(self) -> None:
        """Look at the waiters again (a waiting model has just been given interactive work)."""
        self._grant()

    def _grant(self) -> None:
        while self._waiters:
            waiter = self._next() if self._free > 0 else self._extra()
            if waiter is None:
                return
            self._waiters.remove(waiter)
            waiter.extra = self._free <= 0
            self._free -= 1
            waiter.future.set_result(None)

    def _next(self) -> _Waiter | None:
        now = time.monotonic()
        urgent = [w for w in self._waiters if w.urgent()]
        if urgent:
            return self._first(urgent, now)
        interactive = self._interactive > 0 or now < self._interactive_until
        kept = 1 if self.count > 1 and interactive and not self.overcommit else 0
        if self._free > kept:
            return self._first(self._waiters, now)
        oldest = self._waiters[0]
        batch_running = self.count - self._free - self._interactive
        if batch_running == 0 and now - oldest.since >= self.batch_age_s:
            return oldest
        # Held back for interactive work: look again when the oldest has aged, or when the
        # slot kept free is no longer needed.
        wake = oldest.since + self.batch_age_s if batch_running == 0 else float("inf")
        if self._interactive == 0:
            wake = min(wake, self._interactive_until)
        if wake != float("inf") and (self._recheck is None or self._recheck.cancelled()):
            self._recheck = asyncio.get_running_loop().call_later(max(0.0, wake - now), self._aged)
        return None

    def _extra(self) -> _Waiter | None:
        """With every slot taken, a model with interactive work waiting, while an extra slot
        is left (`overcommit`) and a background call runs (the one it pre-empts: beside
        interactive calls only, an extra call would just share their cores)."""
        if self._free <= -self.overcommit or self._background <= 0:
            return None
        urgent = [w for w in self._waiters if w.urgent()]
        return self._first(urgent, time.monotonic()) if urgent else None

    def _first(self, waiters: list[_Waiter], now: float) -> _Waiter:
        """The oldest, once it has waited `starve_s`; else the one with the most texts waiting
        (the oldest of those)."""
        aged = [w for w in waiters if now - w.since >= self.starve_s]
        if aged:
            return aged[0]
        return max(waiters, key=lambda w: w.backlog())  # max keeps the first of equals

    def _aged(self) -> None:
        self._recheck = None
        self._grant()
