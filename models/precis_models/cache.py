"""A thread-safe LRU cache of model outputs, bounded in bytes."""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict
from collections.abc import Hashable

# Bytes of bookkeeping per entry beyond the objects it holds: the OrderedDict's and the size
# table's hash slots and links, with the slack dicts keep when they grow (measured with
# tracemalloc: about 190 bytes; tests/unit/precis_models/test_cache.py holds the whole cache to
# max_bytes).
ENTRY_OVERHEAD = 256


class ResultCache:
    """Maps (model, revision, input text, decoding options) to the output text."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Hashable, str] = OrderedDict()
        self._sizes: dict[Hashable, int] = {}
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @staticmethod
    def _size(key: Hashable, value: str) -> int:
        """Heap bytes the entry keeps alive: every object in key and value (as sys.getsizeof
        counts them, shared ones included: an overcount, never an undercount) plus the
        bookkeeping overhead."""
        return ENTRY_OVERHEAD + sys.getsizeof(value) + sum(_heap_size(p) for p in _walk(key))

    def get(self, key: Hashable) -> str | None:
        with self._lock:
            value = self._entries.get(key)
            if value is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return value

    def put(self, key: Hashable, value: str) -> None:
        size = self._size(key, value)
        if size > self.max_bytes:
            return
        with self._lock:
            if key in self._entries:
                self._bytes -= self._sizes.pop(key)
                del self._entries[key]
            self._entries[key] = value
            self._sizes[key] = size
            self._bytes += size
            while self._bytes > self.max_bytes:
                old, _ = self._entries.popitem(last=False)
                self._bytes -= self._sizes.pop(old)

    @property
    def size_bytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)


def _walk(key: object) -> list[object]:
    """The key and every tuple member inside it, recursively."""
    if isinstance(key, tuple):
        return [key, *(x for part in key for x in _walk(part))]
    return [key]


def _heap_size(obj: object) -> int:
    """sys.getsizeof, plus the attribute dict of plain objects (e.g. decoding options)."""
    size = sys.getsizeof(obj)
    attributes = getattr(obj, "__dict__", None)
    return size + sys.getsizeof(attributes) if attributes is not None else size
