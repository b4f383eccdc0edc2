"""Fixtures shared by every level: tiny models built once per session, real servers on
127.0.0.1:0 and a stand-in servicer (helpers in tests/support.py)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from precis_models.catalog import load_catalog
from precis_models.loader import build_missing
from precis_news.client import PrecisClient
from tests.support import FIGURES, ServerThread, StandIn, start_stand_in, tiny_settings


@pytest.fixture(autouse=True)
def _root_logging_left_as_found() -> Iterator[None]:
    """A test that runs `precis serve` in-process configures logging on the stderr it had then
    (pytest's capture, closed after the test): later tests' server threads would log into that
    closed stream ("--- Logging error ---" on their own stderr). Drop what a test added."""
    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        if handler not in before and not type(handler).__module__.startswith("_pytest"):
            root.removeHandler(handler)
    root.setLevel(level)


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny profile, built once per test session (a few seconds)."""
    path = tmp_path_factory.mktemp("models")
    build_missing(load_catalog().profile("tiny"), path)
    return path


@pytest.fixture(scope="session")
def server(model_dir: Path) -> Iterator[ServerThread]:
    """The main server: tiny profile, CTranslate2 int8, default limits."""
    running = ServerThread(tiny_settings(model_dir)).load()
    yield running
    running.close()


@pytest.fixture(scope="session")
def client(server: ServerThread) -> Iterator[PrecisClient]:
    with server.client() as c:
        yield c


@pytest.fixture(scope="session")
def strict_server(model_dir: Path) -> Iterator[ServerThread]:
    """Small limits, an API key, no cache and chunk-and-merge: for limits, auth and batching
    isolation."""
    running = ServerThread(
        tiny_settings(
            model_dir,
            api_keys="secret-key",
            long_article="merge",
            max_chunks=2,
            max_article_chars=20_000,
            max_queue=8,
            cache_bytes=0,
        )
    ).load()
    yield running
    running.close()


@pytest.fixture(scope="session")
def merge_server(model_dir: Path) -> Iterator[ServerThread]:
    """Default limits, but long English articles chunked and merged (long_article = merge)."""
    running = ServerThread(tiny_settings(model_dir, long_article="merge")).load()
    yield running
    running.close()


@pytest.fixture(scope="module")
def stand_in() -> Iterator[tuple[str, StandIn]]:
    servicer = StandIn()
    server, port = start_stand_in(servicer)
    yield f"127.0.0.1:{port}", servicer
    server.stop(None)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if FIGURES:
        terminalreporter.section("measured figures")
        for line in FIGURES:
            terminalreporter.write_line(line)
