"""The API over a real channel: requests of any size within the limits, invisible-only text,
truncation flags and the limits GetInfo reports."""

from __future__ import annotations

import grpc
import pytest

from precis_models.sentences import split_sentences
from precis_news._proto import precis_pb2 as pb
from precis_news._proto import precis_pb2_grpc as pb_grpc
from precis_news.client import PrecisClient, PrecisError
from precis_news.server.servicer import SummarizerServicer
from tests.support import article

NO_VISIBLE = "has no visible characters (only invisible or control characters)"


def _error(call) -> PrecisError:  # type: ignore[no-untyped-def]
    with pytest.raises(PrecisError) as info:
        call()
    return info.value


def test_translate_of_60_texts_of_10_sentences_is_served_on_an_idle_server(
    client: PrecisClient,
) -> None:
    sentences = split_sentences(article("en"))
    texts = [
        " ".join(f"{n}-{i}: {sentences[(n + i) % len(sentences)]}" for i in range(10))
        for n in range(60)
    ]
    assert sum(len(split_sentences(t)) for t in texts) == 600  # more than the queue of 512
    response = client.translate(texts, target="fr", source_language="en", timeout=120)
    assert len(response.translations) == 60
    assert {t.model for t in response.translations} == {"tiny-marian-en-fr"}
    # Random weights rarely end a sentence before the limit: such cuts are flagged, not hidden.
    assert any(t.truncated for t in response.translations)


def test_a_text_longer_than_the_translator_reads_is_split_not_cut(client: PrecisClient) -> None:
    word = ("Préfecture" * 2_000)[:20_000]  # no spaces: far over the tiny translator's 128 tokens
    (translation,) = client.translate([word], target="en", source_language="fr").translations
    pieces = client.translate([word[:200]], target="en", source_language="fr").translations
    # Every piece was translated: the whole is much longer than the translation of one piece.
    assert len(translation.text) > 10 * len(pieces[0].text)


@pytest.mark.parametrize("invisible", ["\u200b", "\ufeff", "\u200e", "\u200b \ufeff\n\u200e"])
@pytest.mark.parametrize("source", ["fr", "uk", "ru", "en", ""])
def test_invisible_only_article_is_invalid_argument(
    client: PrecisClient, invisible: str, source: str
) -> None:
    error = _error(lambda: client.summarize(invisible, targets=["en"], source_language=source))
    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert error.details == f"text {NO_VISIBLE}"


@pytest.mark.parametrize("source", ["fr", "uk", "ru"])
def test_invisible_only_translate_text_is_invalid_argument(
    client: PrecisClient, source: str
) -> None:
    error = _error(
        lambda: client.translate(["ok", "\u200b\u200e"], target="en", source_language=source)
    )
    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert error.details == f"texts[1] {NO_VISIBLE}"


@pytest.mark.parametrize("source", ["fr", "uk", "ru"])
def test_invisible_paragraphs_inside_an_article_are_skipped(
    client: PrecisClient, source: str
) -> None:
    text = f"\u200b\n\n{split_sentences(article(source))[0]}\n\n\ufeff\u200e"
    response = client.summarize(text, targets=["en", source], source_language=source)
    assert [s.language for s in response.summaries] == ["en", source]
    assert response.metadata.source_sentences == 1


def test_info_reports_the_translation_bound(client: PrecisClient) -> None:
    limits = client.info().limits
    assert limits.max_translated_tokens == 1024
    assert limits.max_queue == 512


def test_translating_into_the_source_language_returns_the_texts_unchanged(
    client: PrecisClient,
) -> None:
    texts = ["The council met.\n\nIt  voted.", "Rain \u200b expected."]
    response = client.translate(texts, target="en", source_language="en")
    assert [t.text for t in response.translations] == texts
    assert not any(t.truncated for t in response.translations)


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


def test_the_servicer_serves_every_rpc_of_the_service() -> None:
    service = pb.DESCRIPTOR.services_by_name["Summarizer"]
    for method in service.methods:  # the generated base answers UNIMPLEMENTED
        ours = getattr(SummarizerServicer, method.name)
        assert ours is not getattr(pb_grpc.SummarizerServicer, method.name), method.name
