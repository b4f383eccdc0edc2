"""A thread-safe LRU cache of model outputs, bounded in bytes."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable

ENTRY_OVERHEAD = 128  # bytes of bookkeeping counted per entry


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
        """UTF-8 bytes of every string in key and value, plus a fixed per-entry overhead."""
        strings = [p for p in _flatten(key) if isinstance(p, str)]
        return ENTRY_OVERHEAD + sum(len(s.encode()) for s in (*strings, value))

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


def _flatten(key: Hashable) -> list[object]:
    return [x for part in key for x in _flatten(part)] if isinstance(key, tuple) else [key]
