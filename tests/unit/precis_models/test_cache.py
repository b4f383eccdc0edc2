"""The LRU result cache, bounded in bytes."""

from __future__ import annotations

import gc
import tracemalloc

import pytest

from precis_models.cache import ResultCache
from precis_models.engines.base import GenerateOptions


def test_cache_is_lru_and_bounded_in_bytes() -> None:
    cache = ResultCache(max_bytes=1800)
    cache.put(("m", "r", "a", 1), "x" * 100)
    cache.put(("m", "r", "b", 1), "y" * 100)
    assert cache.get(("m", "r", "a", 1)) == "x" * 100  # a is now the most recent
    cache.put(("m", "r", "c", 1), "z" * 200)
    assert cache.size_bytes <= 1800
    assert cache.get(("m", "r", "b", 1)) is None  # least recently used went first
    assert cache.get(("m", "r", "a", 1)) is not None
    assert (cache.hits, cache.misses) == (2, 1)


@pytest.mark.parametrize("text_chars", [10, 300, 3000])
def test_cache_heap_stays_within_its_bound(text_chars: int) -> None:
    """Filled far past its bound with fresh keys (as a server sees them: new text, new options
    object per call), the cache's measured heap (tracemalloc) stays within max_bytes."""
    bound = 1_000_000
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        cache = ResultCache(bound)
        for i in range(3 * bound // (text_chars + 200)):
            key = ("model", "rev", f"text {i} " + "é" * text_chars, GenerateOptions(i % 300))
            cache.put(key, f"output {i} " + "x" * (text_chars // 3))
        gc.collect()
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    print(f"cache: {len(cache)} entries of ~{text_chars} chars, heap {held} B, bound {bound} B")
    assert len(cache) > 0
    assert cache.size_bytes <= bound
    assert held <= bound
    # The accounting is not so pessimistic that the cache holds far less than it may.
    assert held >= bound // 2


def test_cache_refuses_an_entry_larger_than_itself() -> None:
    cache = ResultCache(1000)
    cache.put(("m", "r", "small", 1), "ok")
    cache.put(("m", "r", "huge", 1), "x" * 2000)
    assert cache.get(("m", "r", "huge", 1)) is None
    assert cache.get(("m", "r", "small", 1)) == "ok"
    assert cache.size_bytes <= 1000
