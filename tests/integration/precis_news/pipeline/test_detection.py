"""Languages we do not serve, over a real channel: German, Spanish, Polish and Bulgarian articles
are refused with INVALID_ARGUMENT naming the language; the four served languages, a given
source_language and DetectLanguage are not affected."""

from __future__ import annotations

import tomllib
from typing import Any

import grpc
import pytest

from precis_news.client import PrecisClient
from tests.support import ROOT, ServerThread, article, status_of, tiny_settings

CORPUS: dict[str, list[dict[str, Any]]] = tomllib.loads(
    (ROOT / "tests" / "data" / "languages.toml").read_text(encoding="utf-8")
)
NAMED = {"de": "German", "es": "Spanish", "pl": "Polish", "bg": "Bulgarian"}


def _sample(code: str) -> str:
    return next(case["text"] for case in CORPUS["refuse"] if case["language"] == code)


@pytest.mark.parametrize("code", sorted(NAMED))
def test_an_article_in_another_language_is_refused_by_name(client: PrecisClient, code: str) -> None:
    error = status_of(lambda: client.summarize(_sample(code), targets=["en"]))
    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert error.details == (
        f"the article appears to be {NAMED[code]} ({code}); supported: en, fr, uk, ru (if it is "
        "in one of them, say which in source_language)"
    )


def test_the_refusal_covers_streams_translations_and_html(client: PrecisClient) -> None:
    german = _sample("de")
    stream = status_of(lambda: list(client.stream_summarize(german, targets=["en"])))
    assert stream.code == grpc.StatusCode.INVALID_ARGUMENT
    assert stream.details.startswith("the article appears to be German (de);")
    translated = status_of(lambda: client.translate([german], target="fr"))
    assert translated.code == grpc.StatusCode.INVALID_ARGUMENT
    assert translated.details.startswith("the text appears to be German (de);")
    page = f"<html><body><article><p>{german}</p></article></body></html>"
    from_html = status_of(lambda: client.summarize(html=page))
    assert from_html.details.startswith("the article appears to be German (de);")


def test_a_given_source_language_is_trusted(client: PrecisClient) -> None:
    response = client.summarize(_sample("de"), source_language="en", targets=["en"])
    assert response.detected_language == "en" and response.summaries[0].text


@pytest.mark.parametrize("language", ["en", "fr", "uk", "ru"])
def test_articles_in_the_served_languages_are_served(client: PrecisClient, language: str) -> None:
    response = client.summarize(article(language), targets=["en"])
    assert response.detected_language == language


def test_detect_language_still_ranks_the_served_languages(client: PrecisClient) -> None:
    response = client.detect_language(_sample("de"))
    assert response.language in ("en", "fr", "uk", "ru")


def test_the_switch_turns_the_refusal_off(model_dir: Any) -> None:
    running = ServerThread(tiny_settings(model_dir, refuse_unsupported_languages=False)).load()
    try:
        with running.client() as client:
            response = client.summarize(_sample("de"), targets=["en"])
        assert response.detected_language in ("en", "fr", "uk", "ru")
    finally:
        running.close()
