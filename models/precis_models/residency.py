"""A model's weights in memory only while it is used: loaded by a call, unloaded once idle."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

log = logging.getLogger(__name__)

RETRY_S = 0.01  # wait before trying a refused unload again
RETRIES = 100  # tries of one `release` (a second in all)
# One model loads at a time in the process: loading holds a transient copy of the weights
# (bench.memory at real sizes: a summarizer load peaks ~0.17 GB above what it leaves), and a
# request that needs two unloaded translators would otherwise load both at once.
_LOADING = threading.Lock()


class Residency:
    """Loads a model's weights when a call needs them and unloads them once no call has used
    them for `keep_alive_s` seconds (a watcher thread lives while they are loaded).

    With `keep_alive_s` 0 the weights stay where they are (loaded at start) and `use` costs
    nothing. Calls may come from several threads at once: the first one loads, the others wait
    for it; weights are never unloaded under a running call. `unload` says whether the weights
    went: CTranslate2 skips a replica that is still finishing the call that just returned, so a
    refused unload is tried again shortly.
    """

    def __init__(
        self,
        load: Callable[[], None],
        unload: Callable[[], bool],
        *,
        keep_alive_s: float,
        name: str = "model",
    ) -> None:
        self.keep_alive_s = keep_alive_s
        self.name = name
        self.loads = 0  # times the weights were loaded by a call (tests, logs)
        self._load = load
        self._unload = unload
        self._loaded = keep_alive_s <= 0
        self._running = 0
        self._last = time.monotonic()
        self._changed = threading.Condition()

    @property
    def on_demand(self) -> bool:
        """Whether weights come and go (keep_alive_s > 0)."""
        return self.keep_alive_s > 0

    @property
    def loaded(self) -> bool:
        return self._loaded

    @contextmanager
    def use(self) -> Iterator[None]:
        """Hold the weights in memory for the block, loading them first if they are not."""
        if not self.on_demand:
            yield
            return
        with self._changed:
            if not self._loaded:
                started = time.perf_counter()
                with _LOADING:
                    self._load()
                self._loaded = True
                self.loads += 1
                log.info("loaded %s in %.2f s", self.name, time.perf_counter() - started)
                threading.Thread(
                    target=self._watch, name=f"unload {self.name}", daemon=True
                ).start()
            self._running += 1
        try:
            yield
        finally:
            with self._changed:
                self._running -= 1
                self._last = time.monotonic()
                self._changed.notify_all()

    def release(self) -> None:
        """Unload now, before returning, unless a call runs (on demand only)."""
        with self._changed:
            for _ in range(RETRIES):
                if not self.on_demand or not self._loaded or self._running:
                    return
                if self._unloaded("released"):
                    return
                self._changed.wait(RETRY_S)

    def _watch(self) -> None:
        """Unload once the weights have been idle `keep_alive_s`, then end."""
        with self._changed:
            while self._loaded:
                if self._running:
                    self._changed.wait()
                    continue
                due = self._last + self.keep_alive_s - time.monotonic()
                if due > 0:
                    self._changed.wait(due)
                    continue
                if not self._unloaded(f"no call for {self.keep_alive_s:g} s"):
                    self._changed.wait(RETRY_S)

    def _unloaded(self, why: str) -> bool:
        """Unload (the lock held); whether the weights went."""
        if not self._unload():
            return False
        self._loaded = False
        self._changed.notify_all()  # a watcher waiting on it ends
        log.info("unloaded %s (%s)", self.name, why)
        return True
