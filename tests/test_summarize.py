"""Summarize, stream, translate, detect and info over a real channel on tiny models."""

from __future__ import annotations

import asyncio

import pytest

from precis_news._proto import precis_pb2 as pb
from precis_news.client import AsyncPrecisClient, PrecisClient
from precis_news.models.sentences import split_sentences
from precis_news.pipeline import SummarizeJob
from tests.conftest import ServerThread, article

ALL = ["en", "fr", "uk", "ru"]


def test_english_article_into_all_four_languages(client: PrecisClient) -> None:
    response = client.summarize(article("en"), targets=ALL)
    assert response.detected_language == "en"
    assert response.language_confidence > 0.9
    assert [s.language for s in response.summaries] == ALL
    assert all(s.text.strip() for s in response.summaries)
    english = response.summaries[0]
    assert english.model == "tiny-bart" and english.translated_from == ""
    for summary in response.summaries[1:]:
        assert summary.translated_from == "en"
        assert summary.model.startswith("tiny-marian-en-")
        assert summary.pivot_language == ""
    meta = response.metadata
    assert meta.input_characters == len(article("en"))
    assert meta.input_tokens > 0 and meta.chunks >= 1
    assert not meta.truncated and meta.summarized_in == ""
    assert meta.total_ms > 0 and meta.inference_ms > 0


@pytest.mark.parametrize("source", ["fr", "uk", "ru"])
def test_non_english_articles_are_translated_then_summarized(
    client: PrecisClient, source: str
) -> None:
    response = client.summarize(article(source), targets=[source, "en"])
    assert response.detected_language == source
    assert response.metadata.summarized_in == "en"  # tiny-bart reads English only
    own, english = response.summaries
    assert (own.language, english.language) == (source, "en")
    assert own.text.strip() and english.text.strip()
    assert own.translated_from == "en" and english.translated_from == ""


def test_pivot_through_english_when_no_direct_pair(client: PrecisClient) -> None:
    response = client.translate(
        ["Le conseil municipal a voté le budget."], target="uk", source_language="fr"
    )
    (translation,) = response.translations
    assert translation.pivot_language == "en"
    assert translation.model == "tiny-marian-fr-en+tiny-marian-en-zle"
    assert translation.text.strip()


def test_targets_default_to_the_source_language(client: PrecisClient) -> None:
    response = client.summarize(article("fr"))
    assert [s.language for s in response.summaries] == ["fr"]


def test_source_language_override_skips_detection(client: PrecisClient) -> None:
    response = client.summarize(article("en"), source_language="en-GB", targets=["fr"])
    assert response.detected_language == "en"
    assert response.language_confidence == 1.0


def test_length_presets_and_explicit_bounds(client: PrecisClient) -> None:
    short = client.summarize(article("en"), length="short")
    bounded = client.summarize(article("en"), min_tokens=3, max_tokens=5)
    assert short.summaries[0].text and bounded.summaries[0].text
    # Random weights never stop early, so the bound is what limits the output.
    assert len(bounded.summaries[0].text) < len(short.summaries[0].text)


def test_long_article_is_chunked_merged_and_not_truncated(client: PrecisClient) -> None:
    text = "\n\n".join([article("en")] * 4)
    response = client.summarize(text, targets=["en", "fr"])
    meta = response.metadata
    assert meta.chunks > 1
    assert meta.merge_passes >= 1
    assert meta.truncated is False and meta.truncated_characters == 0
    assert all(s.text for s in response.summaries)


def test_truncation_is_reported_never_silent(strict_server: ServerThread) -> None:
    with strict_server.client(api_key="secret-key") as c:
        response = c.summarize(article("en"))  # 14 chunks of tiny-bart; this server keeps 2
    assert response.metadata.truncated is True
    assert response.metadata.truncated_characters > 0
    assert response.metadata.chunks > 2


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


def test_repeated_request_is_served_from_cache(client: PrecisClient) -> None:
    # Short enough to be translated whole (a longer one drops low-ranked sentences such as this).
    text = article("uk")[:2000] + "\n\nCache probe paragraph."
    first = client.summarize(text, targets=["fr"])
    second = client.summarize(text, targets=["fr"])
    # Sentences seen by earlier tests may hit already; the repeat hits for every model call.
    assert second.metadata.cache_hits > first.metadata.cache_hits
    assert [s.text for s in first.summaries] == [s.text for s in second.summaries]


def test_translate_keeps_order_and_count(client: PrecisClient) -> None:
    texts = [
        "The mayor opened the bridge.",
        "Rain is expected on Friday. Bring an umbrella.",
        "Scientists found a new species.",
    ]
    response = client.translate(texts, target="fr")
    assert response.detected_language == "en"
    assert len(response.translations) == 3
    assert all(t.text and t.model == "tiny-marian-en-fr" for t in response.translations)
    same = client.translate(texts, target="en")
    assert [t.text for t in same.translations] == texts  # identity needs no model


def test_detect_language_ranks_all_supported(client: PrecisClient) -> None:
    expected = {"en": "en", "fr": "fr", "uk": "uk", "ru": "ru"}
    for language in expected:
        response = client.detect_language(article(language)[:300])
        assert response.language == language
        assert sorted(s.language for s in response.scores) == sorted(ALL)
    short = client.detect_language("Це добре.")
    assert short.language == "uk"


def test_info_describes_the_profile(client: PrecisClient) -> None:
    info = client.info()
    assert info.profile == "tiny" and info.backend == "ctranslate2" and info.device == "cpu"
    assert list(info.languages) == ALL
    assert {"en-fr", "fr-en", "en-uk", "en-ru", "uk-en", "ru-en"} == set(info.pairs)
    names = {m.name: m for m in info.models}
    assert names["tiny-bart"].task == "summarize" and names["tiny-bart"].revision == "built"
    assert info.limits.max_article_chars == 200_000
    assert info.summarizer == "abstractive"


def test_concurrent_callers_get_their_own_results(strict_server: ServerThread) -> None:
    """Batched together (no cache on this server), each caller gets what it gets alone."""
    texts = [  # one sentence each: six callers fit this server's queue of 8
        split_sentences(article(lang).split("\n\n")[i])[0]
        for lang in ("en", "fr")
        for i in (0, 1, 2)
    ]

    async def run() -> tuple[list[str], list[str]]:
        async with AsyncPrecisClient(target=strict_server.address, api_key="secret-key") as c:
            alone = [(await c.translate([t], target="uk")).translations[0].text for t in texts]
            together = await asyncio.gather(*(c.translate([t], target="uk") for t in texts))
        return alone, [r.translations[0].text for r in together]

    alone, together = asyncio.run(run())
    assert together == alone


def test_pipeline_order_helper_matches_request() -> None:
    job = SummarizeJob(text="x", targets=("ru", "en"))
    assert pb.SummarizeRequest(target_languages=job.targets).target_languages == ["ru", "en"]
