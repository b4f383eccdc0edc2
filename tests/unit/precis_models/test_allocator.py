"""glibc malloc tuning: arenas limited and free pages released through libc, no-ops without it."""

from __future__ import annotations

import logging

import pytest

from precis_models import allocator


class FakeLibc:
    """Records the calls; `mallopt` answers `accepted` (glibc returns 0 on failure)."""

    def __init__(self, accepted: int = 1) -> None:
        self.accepted = accepted
        self.calls: list[tuple[str, int, int]] = []

    def mallopt(self, parameter: int, value: int) -> int:
        self.calls.append(("mallopt", parameter, value))
        return self.accepted

    def malloc_trim(self, pad: int) -> int:
        self.calls.append(("malloc_trim", pad, 0))
        return 1


@pytest.fixture
def libc(monkeypatch: pytest.MonkeyPatch) -> FakeLibc:
    fake = FakeLibc()
    monkeypatch.setattr(allocator, "_glibc", lambda: fake)
    return fake


def test_limit_arenas_sets_glibc_arena_max(libc: FakeLibc) -> None:
    allocator.limit_arenas(2)
    assert libc.calls == [("mallopt", -8, 2)]  # M_ARENA_MAX


def test_zero_arenas_leaves_glibcs_default(libc: FakeLibc) -> None:
    allocator.limit_arenas(0)
    assert libc.calls == []


def test_a_refused_arena_limit_is_logged(libc: FakeLibc, caplog: pytest.LogCaptureFixture) -> None:
    libc.accepted = 0
    with caplog.at_level(logging.WARNING, logger=allocator.__name__):
        allocator.limit_arenas(3)
    assert "could not limit malloc arenas to 3" in caplog.text


def test_release_free_memory_trims_the_heap(libc: FakeLibc) -> None:
    allocator.release_free_memory()
    assert libc.calls == [("malloc_trim", 0, 0)]


def test_without_glibc_both_are_no_ops(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(allocator, "_glibc", lambda: None)
    allocator.limit_arenas(2)
    allocator.release_free_memory()


def test_a_c_library_that_cannot_be_loaded_counts_as_no_glibc(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def missing(name: str) -> object:
        raise OSError(f"{name}: cannot open shared object file")

    allocator._glibc.cache_clear()
    monkeypatch.setattr(allocator.ctypes, "CDLL", missing)
    try:
        assert allocator._glibc() is None
    finally:
        allocator._glibc.cache_clear()


def test_the_real_c_library_is_called_without_error() -> None:
    allocator.release_free_memory()  # glibc here, a no-op elsewhere
