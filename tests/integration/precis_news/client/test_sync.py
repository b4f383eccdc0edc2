"""PrecisClient over a real channel to a stand-in server: every method's answer and its errors."""

from __future__ import annotations

import pytest

from precis_news.client import InvalidArgument, NotFound, PrecisClient, ResourceExhausted
from tests.support import StandIn


def test_every_method_returns_the_servers_answer(stand_in: tuple[str, StandIn]) -> None:
    address, servicer = stand_in
    with PrecisClient(target=address, timeout=10) as client:
        response = client.summarize("An article.", targets=["en", "fr"])
        assert [s.language for s in response.summaries] == ["en", "fr"]
        events = list(client.stream_summarize("An article.", targets=["fr"]))
        assert [e.WhichOneof("event") for e in events] == ["summary", "summary", "metadata"]
        translated = client.translate(["one", "two"], target="fr")
        assert [t.text for t in translated.translations] == ["ONE", "TWO"]
        assert client.detect_language("Текст").language == "uk"
        assert client.info().limits.max_chunks == 2
        assert client.health() == "SERVING"
        assert client.health("precis.v1.Summarizer") == "NOT_SERVING"
    assert servicer.translated[-1] == ["one", "two"]


def test_errors_are_typed(stand_in: tuple[str, StandIn]) -> None:
    address, _ = stand_in
    with PrecisClient(target=address, timeout=10) as client:
        with pytest.raises(ResourceExhausted) as busy:
            client.summarize("busy")
        assert busy.value.retry_after == pytest.approx(1.5)
        with pytest.raises(InvalidArgument, match="unsupported target_language"):
            client.translate("x", target="xx")
        with pytest.raises(NotFound, match="stand-in NOT_FOUND"):
            client.detect_language("abort:NOT_FOUND")


def test_a_closed_client_refuses_calls(stand_in: tuple[str, StandIn]) -> None:
    address, _ = stand_in
    client = PrecisClient(target=address, timeout=5)
    client.close()
    with pytest.raises(ValueError):
        client.info()
