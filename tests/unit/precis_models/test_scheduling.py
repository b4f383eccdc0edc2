"""Fair shares between keys and the machine's slots: interactive first, batch never starved."""

from __future__ import annotations

import asyncio
import time

from precis_models.scheduling import Caller, FairShares, Priority, Slots


def test_the_least_served_key_goes_first_and_idling_banks_no_credit() -> None:
    shares = FairShares()
    order = shares.interleave({"a": [4, 4, 4], "b": [1, 1, 1, 1]}, lambda t: t)
    assert order == [4, 1, 1, 1, 1, 4, 4]  # a's 4 tokens, then b's until b has had as many
    shares.charge("a", 100)
    shares.forget(["a"])  # b has nothing queued: its count goes
    # b comes back level with a (the least served active key), not 100 tokens behind it.
    assert shares.interleave({"a": [1, 1], "b": [1, 1]}, lambda t: t) == [1, 1, 1, 1]
    assert shares.served["b"] == shares.served["a"] == 100


def test_a_caller_without_a_deadline_has_no_remaining_time() -> None:
    assert Caller().remaining() is None and Caller().priority is Priority.INTERACTIVE
    assert 0 < Caller(deadline=time.monotonic() + 5).remaining() <= 5  # type: ignore[operator]


async def test_a_free_slot_goes_to_interactive_work_first() -> None:
    slots = Slots(1)
    await slots.acquire()
    granted: list[str] = []

    async def wait(name: str, urgent: bool) -> None:
        await slots.acquire(lambda: urgent)
        granted.append(name)

    batch = asyncio.ensure_future(wait("batch", False))
    await asyncio.sleep(0.01)
    page = asyncio.ensure_future(wait("page", True))
    await asyncio.sleep(0.01)
    slots.release()
    await page
    assert granted == ["page"]
    slots.started(interactive=True)
    slots.release(interactive=True)
    await batch
    assert granted == ["page", "batch"]


async def test_batch_work_waits_while_interactive_runs_until_it_ages() -> None:
    slots = Slots(2, batch_age_s=0.1)
    await slots.acquire()
    slots.started(interactive=True)  # one interactive call runs; one slot is free
    started = time.monotonic()
    waiter = asyncio.ensure_future(slots.acquire(lambda: False))
    await asyncio.sleep(0.02)
    assert not waiter.done()  # the interactive call gets the cores to itself
    await asyncio.wait_for(waiter, 1)  # aged in while the interactive call still runs
    assert time.monotonic() - started >= 0.1


async def test_a_cancelled_waiter_leaves_no_slot_taken() -> None:
    slots = Slots(1)
    await slots.acquire()
    waiter = asyncio.ensure_future(slots.acquire())
    await asyncio.sleep(0.01)
    waiter.cancel()
    await asyncio.gather(waiter, return_exceptions=True)
    slots.release()
    await asyncio.wait_for(slots.acquire(), 1)  # the one slot is free again


async def test_a_waiting_model_given_interactive_work_gets_a_free_slot_at_once() -> None:
    slots = Slots(2, batch_age_s=30)
    await slots.acquire()
    slots.started(interactive=True)
    has_interactive = [False]
    waiter = asyncio.ensure_future(slots.acquire(lambda: has_interactive[0]))
    await asyncio.sleep(0.02)
    assert not waiter.done()  # batch work only: held back while the interactive call runs
    has_interactive[0] = True
    slots.regrant()
    await asyncio.wait_for(waiter, 1)


async def _granted(
    slots: Slots, first: tuple[str, int], second: tuple[str, int], gap: float
) -> list[str]:
    """The order in which two models waiting for `slots`' one slot get it: (name, texts
    waiting) each, the second arriving `gap` seconds after the first."""
    await slots.acquire()
    granted: list[str] = []

    async def wait(name: str, backlog: int) -> None:
        await slots.acquire(lambda: True, lambda: backlog)
        granted.append(name)

    waiters = [asyncio.ensure_future(wait(*first))]
    await asyncio.sleep(gap)
    waiters.append(asyncio.ensure_future(wait(*second)))
    await asyncio.sleep(0.01)
    for _ in waiters:
        slots.release()
        await asyncio.sleep(0.01)
    await asyncio.gather(*waiters)
    return granted


async def test_a_free_slot_goes_to_the_model_with_the_most_texts_waiting() -> None:
    order = await _granted(Slots(1), ("translator", 2), ("summarizer", 9), gap=0.01)
    assert order == ["summarizer", "translator"]


async def test_a_model_that_waited_too_long_goes_first_whatever_its_backlog() -> None:
    order = await _granted(Slots(1, starve_s=0.05), ("thin", 1), ("full", 9), gap=0.06)
    assert order == ["thin", "full"]


async def test_one_slot_stays_free_for_interactive_work_that_ran_lately() -> None:
    slots = Slots(2, batch_age_s=30, reserve_s=0.1)
    await slots.acquire()
    slots.started(interactive=True)
    slots.release(interactive=True)  # an interactive call just ended: both slots are free
    first = asyncio.ensure_future(slots.acquire(lambda: False))
    second = asyncio.ensure_future(slots.acquire(lambda: False))
    await asyncio.sleep(0.02)
    assert first.done() and not second.done()  # batch work gets all slots but one
    page = asyncio.ensure_future(slots.acquire(lambda: True))
    await asyncio.wait_for(page, 1)  # the slot kept free: interactive work does not wait
    slots.release()
    assert not second.done()  # the freed slot is kept again (the reserve is still on)
    await asyncio.wait_for(second, 1)  # once the reserve has lapsed, batch work takes it


async def test_with_three_slots_batch_work_runs_beside_an_interactive_call() -> None:
    slots = Slots(3, batch_age_s=30)
    await slots.acquire()
    slots.started(interactive=True)
    await asyncio.wait_for(slots.acquire(lambda: False), 1)  # one of the two free slots
    held = asyncio.ensure_future(slots.acquire(lambda: False))
    await asyncio.sleep(0.02)
    assert not held.done()  # the last free slot is kept for interactive work
    held.cancel()
    await asyncio.gather(held, return_exceptions=True)


async def test_with_overcommit_batch_work_takes_every_slot_and_interactive_one_more() -> None:
    slots = Slots(2, batch_age_s=30, reserve_s=30, overcommit=1)
    await slots.acquire()
    slots.started(interactive=True)
    slots.release(interactive=True)  # an interactive call just ended: nothing is kept for it
    for _ in range(2):
        assert not await asyncio.wait_for(slots.acquire(lambda: False), 1)  # both slots
        slots.started(interactive=False)
    batch = asyncio.ensure_future(slots.acquire(lambda: False))
    await asyncio.sleep(0.02)
    assert not batch.done()  # no extra slot for batch work
    assert await asyncio.wait_for(slots.acquire(lambda: True), 1)  # interactive: an extra slot
    slots.started(interactive=True)
    page = asyncio.ensure_future(slots.acquire(lambda: True))
    await asyncio.sleep(0.02)
    assert not page.done()  # one extra slot, not more
    slots.release(background=True)  # a batch call ends: the interactive waiter goes first
    await asyncio.wait_for(page, 1)
    assert not batch.done()
    slots.release(interactive=True)
    slots.release(background=True)  # back within the slots: batch work runs again
    await asyncio.wait_for(batch, 1)


async def test_no_extra_slot_beside_interactive_calls_only() -> None:
    slots = Slots(2, overcommit=1)
    for _ in range(2):
        await slots.acquire()
        slots.started(interactive=True)
    page = asyncio.ensure_future(slots.acquire(lambda: True))
    await asyncio.sleep(0.02)
    assert not page.done()  # nothing to pre-empt: it would only share their cores
    slots.release(interactive=True)
    await asyncio.wait_for(page, 1)


async def test_a_granted_slot_not_yet_started_is_not_a_background_call() -> None:
    """Two interactive calls run; one ends and two interactive waiters remain: the first
    takes the freed slot, and the second waits (before its holder says what it runs, a
    granted slot must not count as a background call to pre-empt)."""
    slots = Slots(2, overcommit=1)
    for _ in range(2):
        await slots.acquire()
        slots.started(interactive=True)
    first = asyncio.ensure_future(slots.acquire(lambda: True))
    second = asyncio.ensure_future(slots.acquire(lambda: True))
    await asyncio.sleep(0.02)
    slots.release(interactive=True)
    await asyncio.sleep(0.02)
    assert first.done() and not second.done()
    second.cancel()
    await asyncio.gather(second, return_exceptions=True)
