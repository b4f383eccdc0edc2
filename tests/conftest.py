"""Shared fixtures: tiny models built once, real servers on 127.0.0.1:0 in background threads."""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Coroutine, Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

from precis_news.client import PrecisClient
from precis_news.config import Settings, load_settings
from precis_news.models.catalog import ModelSpec, load_catalog
from precis_news.models.engines.ctranslate2_engine import CTranslate2Engine
from precis_news.models.loader import build_missing
from precis_news.models.store import ctranslate2_path, transformers_path
from precis_news.server import PrecisServer

ROOT = Path(__file__).resolve().parents[1]


def _stale_installed_files() -> list[str]:
    """Source files whose installed copy differs: the tests import the installed package."""
    import precis_news

    installed = Path(precis_news.__file__).parent
    sources = [(p, p.relative_to(ROOT / "service")) for p in (ROOT / "service").rglob("*.py")]
    models = ROOT / "models"
    sources += [(p, "models" / p.relative_to(models)) for p in models.rglob("*")]
    return [
        str(source.relative_to(ROOT))
        for source, relative in sources
        if source.is_file()
        and "__pycache__" not in source.parts
        and (
            not (installed / relative).is_file()
            or (installed / relative).read_bytes() != source.read_bytes()
        )
    ]


def pytest_sessionstart(session: pytest.Session) -> None:
    stale = _stale_installed_files()
    if stale:
        pytest.exit(
            f"the installed precis_news differs from the working tree ({', '.join(stale[:5])}"
            f"{' ...' if len(stale) > 5 else ''}): run `make install` (or `make test`)",
            returncode=4,
        )


CORPUS = ROOT / "models" / "corpus"


def article(language: str) -> str:
    """A news article in `language`, written for this project (models/corpus)."""
    return (CORPUS / f"{language}.txt").read_text(encoding="utf-8")


def tiny_spec(name: str) -> ModelSpec:
    """The tiny profile's model called `name` in the catalog."""
    return next(s for s in load_catalog().profile("tiny").models if s.name == name)


def tiny_engine(model_dir: Path, name: str) -> CTranslate2Engine:
    """The tiny profile's model `name` as the server runs it (CTranslate2 int8)."""
    spec = tiny_spec(name)
    return CTranslate2Engine(
        ctranslate2_path(spec, model_dir),
        transformers_path(spec, model_dir),
        name=name,
        max_input_tokens=spec.max_input_tokens,
    )


class ServerThread:
    """A PrecisServer on its own event loop in a daemon thread, driven from sync tests."""

    def __init__(self, settings: Settings) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.server: PrecisServer = self.call(self._create(settings))
        self.port: int = self.call(self.server.start())
        self.address = f"127.0.0.1:{self.port}"

    @staticmethod
    async def _create(settings: Settings) -> PrecisServer:
        return PrecisServer(settings)

    def call(self, coro: Coroutine[Any, Any, Any], timeout: float = 120) -> Any:
        """Run a coroutine on the server's loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def submit(self, coro: Coroutine[Any, Any, Any]) -> Future[Any]:
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def load(self) -> ServerThread:
        self.call(self.server.load())
        return self

    def client(self, **kwargs: Any) -> PrecisClient:
        kwargs.setdefault("timeout", 60.0)
        return PrecisClient(target=self.address, **kwargs)

    def close(self) -> None:
        self.call(self.server.stop(grace=1.0))
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny profile, built once per test session (a few seconds)."""
    path = tmp_path_factory.mktemp("models")
    build_missing(load_catalog().profile("tiny"), path)
    return path


def tiny_settings(model_dir: Path, **overrides: Any) -> Settings:
    values = {
        "profile": "tiny",
        "model_dir": model_dir,
        "host": "127.0.0.1",
        "port": 0,
        "threads": 2,
        **overrides,
    }
    return load_settings(env={}, overrides=values)


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
    """Small limits, an API key and no cache: for limits, auth and batching isolation."""
    running = ServerThread(
        tiny_settings(
            model_dir,
            api_keys="secret-key",
            max_chunks=2,
            max_article_chars=20_000,
            max_queue=8,
            cache_bytes=0,
        )
    ).load()
    yield running
    running.close()
