"""Residency: weights loaded by the calls that need them, unloaded once idle, never under a call."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from precis_models.residency import Residency


class Weights:
    """Records loads and unloads; `block` holds a load until set (a slow load)."""

    def __init__(self) -> None:
        self.events: list[str] = []
        self.block = threading.Event()
        self.block.set()
        self.fail = False
        self.refuse = 0  # unloads to refuse first (a replica still ending its call)

    def load(self) -> None:
        self.block.wait(5)
        if self.fail:
            raise OSError("model.bin: no such file")
        self.events.append("load")

    def unload(self) -> bool:
        if self.refuse:
            self.refuse -= 1
            return False
        self.events.append("unload")
        return True


def _residency(weights: Weights, keep_alive_s: float) -> Residency:
    return Residency(weights.load, weights.unload, keep_alive_s=keep_alive_s, name="m")


def _until(condition: Callable[[], bool], timeout: float = 5.0) -> bool:
    """Wait for a watcher thread's work (a bound, not a timing: fails only if it never comes)."""
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            return False
        time.sleep(0.005)
    return True


def test_without_keep_alive_nothing_is_loaded_or_unloaded() -> None:
    weights = Weights()
    residency = _residency(weights, 0)
    with residency.use():
        pass
    residency.release()
    assert residency.loaded and not residency.on_demand
    assert weights.events == []


def test_the_first_call_loads_and_the_weights_go_once_idle() -> None:
    weights = Weights()
    residency = _residency(weights, 0.05)
    assert not residency.loaded
    with residency.use():
        assert residency.loaded
    assert _until(lambda: not residency.loaded)
    assert weights.events == ["load", "unload"]
    with residency.use():  # loaded again by the next call
        pass
    assert residency.loads == 2


def test_calls_keep_the_weights_until_the_last_has_been_idle_the_keep_alive() -> None:
    weights = Weights()
    residency = _residency(weights, 0.2)
    with residency.use():
        pass
    time.sleep(0.1)
    with residency.use():  # within the keep-alive: no second load
        pass
    assert weights.events == ["load"]
    assert _until(lambda: not residency.loaded)


def test_never_unloaded_under_a_running_call() -> None:
    weights = Weights()
    residency = _residency(weights, 0.01)
    with residency.use():
        time.sleep(0.1)  # ten keep-alives
        residency.release()
        assert residency.loaded and weights.events == ["load"]
    assert _until(lambda: not residency.loaded)


def test_concurrent_first_calls_load_once() -> None:
    weights = Weights()
    weights.block.clear()  # the first load takes until every caller waits
    residency = _residency(weights, 60)
    inside: list[bool] = []

    def call() -> None:
        with residency.use():
            inside.append(residency.loaded)

    threads = [threading.Thread(target=call) for _ in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(0.05)
    weights.block.set()
    for thread in threads:
        thread.join(5)
    assert inside == [True] * 4
    assert weights.events == ["load"]
    residency.release()
    assert weights.events == ["load", "unload"]


def test_release_unloads_before_it_returns() -> None:
    weights = Weights()
    residency = _residency(weights, 60)
    with residency.use():
        pass
    residency.release()
    assert not residency.loaded and weights.events == ["load", "unload"]
    residency.release()  # nothing loaded: nothing to do
    assert weights.events == ["load", "unload"]


def test_a_refused_unload_is_tried_again() -> None:
    weights = Weights()
    weights.refuse = 3
    residency = _residency(weights, 60)
    with residency.use():
        pass
    residency.release()
    assert not residency.loaded and weights.events == ["load", "unload"]
    weights.refuse = 2
    idle = _residency(weights, 0.01)
    with idle.use():
        pass
    assert _until(lambda: not idle.loaded)


def test_a_failed_load_fails_the_call_and_the_next_call_tries_again() -> None:
    weights = Weights()
    weights.fail = True
    residency = _residency(weights, 60)
    with pytest.raises(OSError, match=r"model\.bin"), residency.use():
        pass
    assert not residency.loaded
    weights.fail = False
    with residency.use():
        assert residency.loaded
    residency.release()
    assert weights.events == ["load", "unload"]
