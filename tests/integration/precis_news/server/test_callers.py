"""Callers told apart over both protocols: per-key queue limits and deadlines refused at
admission, with their exact statuses (gRPC code and RetryInfo; HTTP status and Retry-After)."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import grpc
import pytest

from precis_models.batching import COST_WINDOW
from precis_models.engines.base import GenerateOptions, Output
from precis_models.loader import LoadedModel
from precis_models.scheduling import Caller, Priority
from precis_news.server.callers import key_label
from tests.support import ServerThread, article, http_call, status_of, tiny_settings

KEYS = ("key-one", "key-two")
PER_KEY = 2


@pytest.fixture(scope="module")
def keyed_server(model_dir: Path) -> Iterator[ServerThread]:
    running = ServerThread(
        tiny_settings(model_dir, api_keys=",".join(KEYS), max_queue_per_key=PER_KEY, cache_bytes=0)
    ).load()
    yield running
    running.close()


def _label(key: str) -> str:
    return key_label([("authorization", f"Bearer {key}")], "", keyed=True)


def _summarizer(server: ServerThread) -> LoadedModel:
    models = server.server.models
    assert models is not None
    return models.summarizer


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_a_key_over_its_queue_limit_is_refused_naming_its_own_limit(
    keyed_server: ServerThread,
) -> None:
    summarizer = _summarizer(keyed_server)
    slots = summarizer.batcher._slots  # hold every inference slot: nothing leaves the queue
    assert slots is not None
    held = [keyed_server.call(slots.acquire()) for _ in range(2)]
    corpus_run = Caller(_label("key-one"), Priority.BATCH)
    filling = keyed_server.submit(
        summarizer.generate(
            ["First queued text.", "Second queued text."],
            summarizer.options(max_new_tokens=4),
            caller=corpus_run,
        )
    )
    try:
        deadline = time.monotonic() + 30
        while summarizer.batcher.depth < PER_KEY and time.monotonic() < deadline:
            time.sleep(0.01)
        expected = f"caller {_label('key-one')} has {PER_KEY} texts waiting at tiny-bart, the "
        with keyed_server.client(api_key="key-one") as c:
            error = status_of(lambda: c.summarize(article("en"), source_language="en"))
        assert error.code == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert error.details.startswith(expected + "limit per caller; retry in")
        assert error.retry_after is not None and error.retry_after > 0
        assert "key-one" not in error.details  # a label, never the key
        answer = http_call(
            keyed_server.http,
            "POST",
            "/v1/summarize",
            {"text": article("en"), "sourceLanguage": "en"},
            headers=_bearer("key-one"),
        )
        assert answer.status == 429
        assert int(answer.headers["retry-after"]) >= 1
        assert answer.json()["message"].startswith(expected)
        # The other key's share is untouched.
        assert summarizer.refusal(caller=Caller(_label("key-two"))) is None
    finally:
        for _ in held:
            keyed_server.loop.call_soon_threadsafe(slots.release)
    filling.result(60)
    with keyed_server.client(api_key="key-one") as c:
        assert c.summarize(article("en"), source_language="en").summaries


class Slow:
    """The summarizer, each call taking `seconds` more: what admission measures its cost by."""

    def __init__(self, engine: Any, seconds: float) -> None:
        self._engine = engine
        self.seconds = seconds
        self.calls = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._engine, name)

    def generate_outputs(
        self, texts: Sequence[str], options: GenerateOptions, *, limits: Sequence[int] = ()
    ) -> list[Output]:
        self.calls += 1
        time.sleep(self.seconds)
        return self._engine.generate_outputs(texts, options, limits=limits)


def test_a_deadline_that_cannot_be_met_is_refused_at_admission_over_both_protocols(
    keyed_server: ServerThread,
) -> None:
    summarizer = _summarizer(keyed_server)
    slow = Slow(summarizer.engine, seconds=0.25)
    real = summarizer.replace_engine(slow)  # type: ignore[arg-type]
    try:
        with keyed_server.client(api_key="key-two") as c:
            # Short texts measure the cost per token: 0.25 s for a few tokens (admission takes
            # the least of the last COST_WINDOW calls).
            for _ in range(COST_WINDOW):
                c.summarize("The council met on Monday.", source_language="en")
            calls = slow.calls
            started = time.perf_counter()
            error = status_of(lambda: c.summarize(article("en"), source_language="en", timeout=2.0))
            refused_in = time.perf_counter() - started
        assert error.code == grpc.StatusCode.DEADLINE_EXCEEDED
        assert error.details.startswith("tiny-bart needs about ")
        assert error.details.endswith("s; not started")
        assert refused_in < 1.5  # at admission, not when the deadline passed
        answer = http_call(
            keyed_server.http,
            "POST",
            "/v1/summarize",
            {"text": article("en"), "sourceLanguage": "en"},
            headers={**_bearer("key-two"), "Grpc-Timeout": "2S"},
        )
        assert answer.status == 504
        assert answer.json()["code"] == grpc.StatusCode.DEADLINE_EXCEEDED.value[0]
        assert answer.json()["message"].startswith("tiny-bart needs about ")
        assert slow.calls == calls  # neither cost model time
    finally:
        summarizer.replace_engine(real)
