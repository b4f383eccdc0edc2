"""The servicer over a real channel: streaming and GetInfo."""

from __future__ import annotations

from precis_news.client import PrecisClient
from tests.conftest import (
    article,
)

ALL = ["en", "fr", "uk", "ru"]


def test_stream_sends_each_language_then_metadata(client: PrecisClient) -> None:
    events = list(client.stream_summarize(article("en"), targets=ALL))
    kinds = [e.WhichOneof("event") for e in events]
    assert kinds == ["summary"] * 4 + ["metadata"]
    assert sorted(e.summary.language for e in events[:4]) == sorted(ALL)
    assert all(e.detected_language == "en" for e in events)
    assert events[-1].metadata.chunks >= 1


def test_stream_and_unary_agree(client: PrecisClient) -> None:
    unary = client.summarize(article("ru"), targets=["ru", "fr"])
    streamed = {
        e.summary.language: e.summary.text
        for e in client.stream_summarize(article("ru"), targets=["ru", "fr"])
        if e.WhichOneof("event") == "summary"
    }
    assert streamed == {s.language: s.text for s in unary.summaries}


def test_info_describes_the_profile(client: PrecisClient) -> None:
    info = client.info()
    assert info.profile == "tiny" and info.backend == "ctranslate2" and info.device == "cpu"
    assert list(info.languages) == ALL
    assert {"en-fr", "fr-en", "en-uk", "en-ru", "uk-en", "ru-en"} == set(info.pairs)
    names = {m.name: m for m in info.models}
    assert names["tiny-bart"].task == "summarize" and names["tiny-bart"].revision == "built"
    assert info.limits.max_article_chars == 200_000
    assert info.summarizer == "abstractive"
