"""The kernel's priority for a model's inference threads: niced while they run background work.

A model call cannot be interrupted (CTranslate2 stops a call early only through its token
callback, which works with greedy search alone), so a short interactive call either waits for
the running batch calls to end or runs beside them. Beside them at equal priority it gets its
share of the cores; beside calls whose threads are niced, the kernel gives it the core at once:
measured at real sizes on 2 cores (bench.thread_priority), a translation took 2.88-2.96 s alone,
4.26-4.50 s beside two batch calls at nice 0 and 2.76-2.88 s beside the same calls at nice 19.

Linux only (threads are found in /proc/self/task). Giving a thread its normal priority back
needs CAP_SYS_NICE or an RLIMIT_NICE that allows it; `may_restore_priority` tells.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Collection
from pathlib import Path

log = logging.getLogger(__name__)

LOWEST = 19  # the highest nice value: the least CPU beside threads of normal priority


def threads_known(device: str, threads_per_call: int) -> bool:
    """Whether a model's inference threads are the ones its engine starts when it is built (and
    so can be found and niced): on the CPU, with one thread per call; more threads per call
    start unseen at the first call, and a GPU runs one call at a time."""
    return device == "cpu" and threads_per_call == 1


def thread_ids() -> set[int]:
    """The kernel ids of this process's threads (empty where /proc is not Linux's)."""
    try:
        return {int(name) for name in os.listdir("/proc/self/task")}
    except (OSError, ValueError):
        return set()


def may_restore_priority() -> bool:
    """Whether this process may nice a thread and then give it its priority back (probed on a
    scratch thread: CAP_SYS_NICE, or RLIMIT_NICE, allows the second step)."""
    allowed: list[bool] = []

    def probe() -> None:
        tid = threading.get_native_id()
        try:
            normal = os.getpriority(os.PRIO_PROCESS, tid)
            if normal >= LOWEST:
                allowed.append(False)  # nothing lower to run background work at
                return
            os.setpriority(os.PRIO_PROCESS, tid, normal + 1)
            os.setpriority(os.PRIO_PROCESS, tid, normal)
            allowed.append(True)
        except (OSError, AttributeError):  # EPERM; no setpriority on this platform
            allowed.append(False)

    thread = threading.Thread(target=probe, name="priority-probe")
    thread.start()
    thread.join()
    return allowed[0]


class ThreadPriority:
    """One model's inference threads, and the priority they run at: `background` (a nice value)
    while only background calls run on them, their normal priority for a foreground call.

    CTranslate2 gives a call to whichever of the model's replicas is free, so a call's thread is
    not known in advance. When a foreground call starts, the threads that are not running (the
    idle ones, one of which takes the call) get their normal priority, and threads in the
    middle of a background call keep theirs; when the last foreground call ends while
    background calls run, every thread is niced again. A background call that starts while a
    foreground one runs on the same model runs at normal priority. Idle threads keep the last
    value: the next call sets what it needs before it starts.

    Called from one thread (the model's batcher, on the event loop).
    """

    def __init__(self, tids: Collection[int], *, background: int, name: str) -> None:
        self.name = name
        self.tids = sorted(tids)
        self.normal = os.getpriority(os.PRIO_PROCESS, self.tids[0])
        self.background = max(self.normal, min(background, LOWEST))
        self.nice = dict.fromkeys(self.tids, self.normal)  # each thread's value, as last set
        self._running = {True: 0, False: 0}  # calls running, by foreground
        self._failed = False

    @classmethod
    def of_new_threads(
        cls, before: set[int], *, expected: int, background: int, name: str
    ) -> ThreadPriority | None:
        """The threads started since `before` was taken, if there are `expected` of them (any
        other count means some other code started threads meanwhile, and niced threads could
        be someone else's: then None, and the model's calls run at normal priority)."""
        new = thread_ids() - before
        if len(new) != expected:
            log.warning(
                "%s: found %d new threads, expected %d; its background calls run at normal "
                "priority",
                name,
                len(new),
                expected,
            )
            return None
        return cls(new, background=background, name=name)

    def started(self, *, foreground: bool) -> None:
        """A call of this kind starts on the model's threads (call `ended` with the same)."""
        self._running[foreground] += 1
        if foreground:
            self._set([tid for tid in self.tids if not _running(tid)], self.normal)
        elif not self._running[True]:
            self._set(self.tids, self.background)

    def ended(self, *, foreground: bool) -> None:
        self._running[foreground] -= 1
        if not self._running[True] and self._running[False]:
            self._set(self.tids, self.background)

    def _set(self, tids: list[int], value: int) -> None:
        if self._failed:
            return
        try:
            for tid in tids:
                if self.nice[tid] != value:
                    os.setpriority(os.PRIO_PROCESS, tid, value)
                    self.nice[tid] = value
        except OSError as e:
            # A lost capability, or threads gone: stop trying, say so once.
            self._failed = True
            log.warning("%s: cannot set its threads' priority (%s); left as they are", self.name, e)


def _running(tid: int) -> bool:
    """Whether a thread of this process is running or runnable (state R): in a model call."""
    try:
        stat = Path(f"/proc/self/task/{tid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] == "R"
