"""The extractive summarizer: alone and as a server's summarizer."""

from __future__ import annotations

from pathlib import Path

from precis_models.engines.base import GenerateOptions
from precis_models.engines.extractive import ExtractiveEngine
from precis_models.sentences import split_sentences
from tests.support import (
    ServerThread,
    article,
    tiny_settings,
)


def test_extractive_engine_picks_article_sentences() -> None:
    engine = ExtractiveEngine()
    text = article("uk")
    (output,) = engine.generate_outputs([text], GenerateOptions(max_new_tokens=40))
    summary = output.text
    picked = split_sentences(summary)
    assert picked and set(picked) <= set(split_sentences(text))
    assert engine.count_tokens([summary])[0] <= 40 or len(picked) == 1


def test_extractive_server_summarizes_in_the_source_language(model_dir: Path) -> None:
    running = ServerThread(tiny_settings(model_dir, summarizer="extractive")).load()
    try:
        with running.client() as c:
            response = c.summarize(article("fr"), targets=["fr", "en"])
            info = c.info()
    finally:
        running.close()
    french, english = response.summaries
    assert response.metadata.summarized_in == ""  # no translation before summarizing
    assert french.model == "extractive" and french.translated_from == ""
    assert set(split_sentences(french.text)) <= set(split_sentences(article("fr")))
    assert english.translated_from == "fr" and english.text
    assert info.summarizer == "extractive"
