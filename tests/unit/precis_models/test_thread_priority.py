"""ThreadPriority: a model's threads niced while only background calls run on them."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from precis_models import thread_priority
from precis_models.thread_priority import LOWEST, ThreadPriority, may_restore_priority, thread_ids

RESTORES = may_restore_priority()
needs_restore = pytest.mark.skipif(
    not RESTORES, reason="this process may not give a niced thread its priority back"
)


def _start_waiting(stop: threading.Event) -> tuple[threading.Thread, int]:
    """A thread that waits for `stop` (like an inference thread between calls); its kernel id."""
    ready = threading.Event()
    tids: list[int] = []

    def run() -> None:
        tids.append(threading.get_native_id())
        ready.set()
        stop.wait()

    thread = threading.Thread(target=run)
    thread.start()
    ready.wait()
    return thread, tids[0]


@pytest.fixture
def idle_threads() -> Iterator[list[int]]:
    """Two waiting threads' kernel ids."""
    stop = threading.Event()
    started = [_start_waiting(stop) for _ in range(2)]
    yield [tid for _, tid in started]
    stop.set()
    for thread, _ in started:
        thread.join()


def _nice(tid: int) -> int:
    return os.getpriority(os.PRIO_PROCESS, tid)


def test_thread_ids_are_this_process_threads(idle_threads: list[int]) -> None:
    assert {threading.get_native_id(), *idle_threads} <= thread_ids()


def test_background_calls_nice_the_threads_and_idle_threads_keep_it(
    idle_threads: list[int],
) -> None:
    normal = _nice(idle_threads[0])
    threads = ThreadPriority(idle_threads, background=LOWEST, name="m")
    assert threads.normal == normal
    threads.started(foreground=False)
    assert {_nice(t) for t in idle_threads} == {LOWEST}
    threads.ended(foreground=False)
    assert {_nice(t) for t in idle_threads} == {LOWEST}  # idle: the next call sets what it needs


@needs_restore
def test_a_foreground_call_gives_the_idle_threads_their_priority_back(
    idle_threads: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The thread in the middle of a background call stays niced; one of the idle ones takes
    the foreground call."""
    busy, *other = idle_threads  # `busy` stands for the thread running the background call
    normal = _nice(busy)
    monkeypatch.setattr(thread_priority, "_running", lambda tid: tid == busy)
    threads = ThreadPriority([busy, *other], background=LOWEST, name="m")
    threads.started(foreground=False)
    assert {_nice(t) for t in [busy, *other]} == {LOWEST}
    threads.started(foreground=True)  # beside the background call, on the same model
    assert (_nice(busy), _nice(other[0])) == (LOWEST, normal)
    threads.ended(foreground=True)
    assert _nice(other[0]) == LOWEST  # the background call still runs: all niced again
    threads.ended(foreground=False)
    threads.started(foreground=True)
    assert _nice(other[0]) == normal
    threads.ended(foreground=True)


def test_a_thread_is_running_while_it_works_and_not_while_it_waits(
    idle_threads: list[int],
) -> None:
    assert thread_priority._running(threading.get_native_id())  # this one, reading its state
    assert not thread_priority._running(idle_threads[0])
    assert not thread_priority._running(max(thread_ids()) + 10_000)  # no such thread


def test_a_background_value_below_normal_is_normal(idle_threads: list[int]) -> None:
    threads = ThreadPriority(idle_threads[:1], background=-5, name="m")
    assert threads.background == threads.normal  # never raises background work


def test_new_threads_are_taken_only_when_their_count_is_the_expected_one(
    idle_threads: list[int], caplog: pytest.LogCaptureFixture
) -> None:
    before = thread_ids() - {idle_threads[0]}
    found = ThreadPriority.of_new_threads(before, expected=1, background=LOWEST, name="m")
    assert found is not None and found.nice == {idle_threads[0]: _nice(idle_threads[0])}
    with caplog.at_level(logging.WARNING):
        assert ThreadPriority.of_new_threads(before, expected=2, background=5, name="m") is None
    assert "found 1 new threads, expected 2" in caplog.text


@pytest.mark.skipif(
    os.getpriority(os.PRIO_PROCESS, 0) >= LOWEST,
    reason="this process already runs at the lowest priority: there is nothing to set",
)
def test_threads_that_are_gone_are_left_alone_and_said_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    stop = threading.Event()
    thread, tid = _start_waiting(stop)
    tids = [tid]
    threads = ThreadPriority(tids, background=LOWEST, name="m")
    stop.set()
    thread.join()  # the model's threads ended (its engine was closed)
    for _ in range(500):  # join() returns a moment before the kernel's thread is gone
        if tids[0] not in thread_ids():
            break
        time.sleep(0.01)
    with caplog.at_level(logging.WARNING):
        threads.started(foreground=False)
        threads.ended(foreground=False)
        threads.started(foreground=False)
    assert caplog.text.count("cannot set its threads' priority") == 1
    assert threads.nice == {tids[0]: threads.normal}  # nothing was set


SETPRIV = shutil.which("setpriv")
PROBE = "from precis_models.thread_priority import may_restore_priority as m; print(m())"
AMBIENT = ["--inh-caps=+sys_nice", "--ambient-caps=+sys_nice"]


def _as_nobody(*options: str, code: str = PROBE) -> subprocess.CompletedProcess[str]:
    """`code` run by this Python as user nobody (65534), with setpriv's `options`."""
    models = Path(__file__).resolve().parents[3] / "models"
    command = [SETPRIV, "--reuid=65534", "--regid=65534", "--clear-groups", *options]
    return subprocess.run(
        [*command, sys.executable, "-c", code],  # type: ignore[list-item]
        env={"PYTHONPATH": str(models), "PATH": os.environ.get("PATH", "")},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.skipif(
    os.geteuid() != 0 or SETPRIV is None or not RESTORES,
    reason="needs root with CAP_SYS_NICE and setpriv, to run an unprivileged user",
)
@pytest.mark.parametrize(("options", "expected"), [((), "False"), (AMBIENT, "True")])
def test_an_unprivileged_user_may_restore_priority_only_with_cap_sys_nice(
    options: tuple[str, ...], expected: str
) -> None:
    if _as_nobody(code="import precis_models.thread_priority").returncode != 0:
        pytest.skip("user nobody cannot run this Python or read the repository here")
    result = _as_nobody(*options)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected  # the server's start-up probe (see loader)
