"""AsyncPrecisClient over a real channel to a stand-in server: every method and its errors."""

from __future__ import annotations

import pytest

from precis_news.client import AsyncPrecisClient, InvalidArgument, ResourceExhausted
from tests.support import StandIn


async def test_every_method_returns_the_servers_answer(stand_in: tuple[str, StandIn]) -> None:
    address, _ = stand_in
    async with AsyncPrecisClient(target=address, timeout=10) as client:
        response = await client.summarize("An article.", targets=["en", "fr"])
        assert [s.language for s in response.summaries] == ["en", "fr"]
        events = [e async for e in client.stream_summarize("An article.", targets=["fr"])]
        assert [e.WhichOneof("event") for e in events] == ["summary", "summary", "metadata"]
        translated = await client.translate("one", target="ru")
        assert [t.text for t in translated.translations] == ["ONE"]
        assert (await client.detect_language("Текст")).language == "uk"
        assert (await client.info()).profile == "stand-in"
        assert await client.health() == "SERVING"


async def test_errors_are_typed_and_a_stream_fails_midway(stand_in: tuple[str, StandIn]) -> None:
    address, _ = stand_in
    async with AsyncPrecisClient(target=address, timeout=10) as client:
        with pytest.raises(ResourceExhausted) as busy:
            await client.summarize("busy")
        assert busy.value.retry_after == pytest.approx(1.5)
        received = []
        with pytest.raises(InvalidArgument, match="no such language"):
            async for event in client.stream_summarize("fail midway", targets=["fr"]):
                received.append(event.summary.language)
        assert received == ["en", "fr"]  # what came before the failure was delivered
