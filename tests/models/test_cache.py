"""The LRU result cache, bounded in bytes."""

from __future__ import annotations

from precis_news.models.cache import ResultCache


def test_cache_is_lru_and_bounded_in_bytes() -> None:
    cache = ResultCache(max_bytes=600)
    cache.put(("m", "r", "a", 1), "x" * 100)
    cache.put(("m", "r", "b", 1), "y" * 100)
    assert cache.get(("m", "r", "a", 1)) == "x" * 100  # a is now the most recent
    cache.put(("m", "r", "c", 1), "z" * 200)
    assert cache.size_bytes <= 600
    assert cache.get(("m", "r", "b", 1)) is None  # least recently used went first
    assert cache.get(("m", "r", "a", 1)) is not None
    assert (cache.hits, cache.misses) == (2, 1)
