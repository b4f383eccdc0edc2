"""The Pipeline with stand-in engines: targets and their order, the streamed events, articles the
summarizer cannot read, translation routes, wrong-language outputs and the metadata."""

from __future__ import annotations

import pytest

from precis_models import language
from precis_models.unsupported import ForeignLanguage
from precis_news.pipeline import Detection, Metadata, SummarizeJob, Summary
from precis_news.pipeline.errors import BadRequest
from tests.unit.precis_news.pipeline.stand_ins import (
    Answers,
    CallersSeen,
    engine,
    model_set,
    serving,
)

ENGLISH = "The council met on Monday. It voted for the budget. The mayor spoke after the vote."
FRENCH = "Le conseil municipal a voté mardi. Le budget augmente les dépenses."


async def test_targets_default_to_the_source_language() -> None:
    async with serving(model_set(), Answers([("en", 0.9)])) as pipeline:
        result = await pipeline.summarize(SummarizeJob(ENGLISH))
        found, summaries, metadata = result.detection, result.summaries, result.metadata
    assert found == Detection("en", 0.9, (("en", 0.9),))
    [summary] = summaries
    assert summary == Summary("en", summary.text, "sum-en")
    assert summary.text and ENGLISH.startswith(summary.text.split()[0])
    assert metadata.summarized_in == "" and metadata.input_characters == len(ENGLISH)
    assert metadata.chunks == 1 and metadata.merge_passes == 0 and not metadata.truncated


@pytest.mark.parametrize("targets", [("ru", "en"), ("uk", "fr", "en"), ("fr", "ru", "uk", "en")])
async def test_summaries_come_back_in_the_requested_order(targets: tuple[str, ...]) -> None:
    async with serving(model_set()) as pipeline:
        result = await pipeline.summarize(SummarizeJob(ENGLISH, targets=targets))
        summaries = result.summaries
        events = [
            e async for e in pipeline.summarize_stream(SummarizeJob(ENGLISH, targets=targets))
        ]
    assert [s.language for s in summaries] == list(targets)
    assert isinstance(events[0], Detection) and isinstance(events[-1], Metadata)
    streamed = [e.language for e in events[1:-1] if isinstance(e, Summary)]
    assert sorted(streamed) == sorted(targets) and len(events) == len(targets) + 2


async def test_an_english_article_into_all_four_languages() -> None:
    async with serving(model_set()) as pipeline:
        result = await pipeline.summarize(SummarizeJob(ENGLISH, targets=("en", "fr", "uk", "ru")))
        summaries, metadata = result.summaries, result.metadata
    english, *translated = summaries
    assert english.model == "sum-en" and english.translated_from == ""
    assert [(s.model, s.translated_from, s.pivot_language) for s in translated] == [
        ("en-fr", "en", ""),
        ("en-zle", "en", ""),
        ("en-zle", "en", ""),
    ]
    # Each sentence of the summary went through its translator once (tagged by the stand-in).
    assert translated[0].text.startswith("[en-fr] ")
    assert translated[0].text.count("[en-fr]") == len(english.text.split(". "))
    assert metadata.input_tokens == len(ENGLISH.split()) and metadata.cut_translations == 0


async def test_a_multi_target_translator_reads_its_target_token() -> None:
    models = model_set()
    async with serving(models) as pipeline:
        await pipeline.summarize(SummarizeJob(ENGLISH, source_language="en", targets=("uk", "ru")))
    inputs = [text for call in engine(models, "en-zle").calls for text in call]
    assert {text.split()[0] for text in inputs} == {">>ukr<<", ">>rus<<"}


@pytest.mark.parametrize("source", ["fr", "uk"])
async def test_an_article_the_summarizer_cannot_read_is_summarized_in_english(source: str) -> None:
    models = model_set()
    answers = Answers([(source, 0.95)])
    async with serving(models, answers) as pipeline:
        result = await pipeline.summarize(SummarizeJob(FRENCH, targets=(source, "en")))
        found, summaries, metadata = result.detection, result.summaries, result.metadata
    own, english = summaries
    back = "fr-en" if source == "fr" else "zle-en"
    assert found.language == source and metadata.summarized_in == "en"
    assert english.translated_from == "" and english.text.startswith(f"[{back}]")
    assert own.translated_from == "en" and own.language == source
    # The summarizer read the English translation, not the article.
    summarized = engine(models, "sum-en").calls[0][0]
    assert summarized.startswith(f" [{back}] Le conseil")
    assert metadata.source_sentences == metadata.selected_sentences == 2
    assert metadata.unselected_characters == 0


async def test_a_long_article_the_summarizer_cannot_read_keeps_its_best_sentences() -> None:
    text = " ".join(f"Phrase numéro {i} du conseil municipal." for i in range(40))
    async with serving(model_set(), Answers([("fr", 0.9)]), max_translated_tokens=30) as pipeline:
        result = await pipeline.summarize(SummarizeJob(text, targets=("en",)))
        metadata = result.metadata
    assert metadata.source_sentences == 40
    assert 0 < metadata.selected_sentences < 40
    assert 0 < metadata.unselected_characters < len(text)
    assert not metadata.truncated  # reported in its own fields, not as a cut


async def test_translation_pivots_through_english_when_no_direct_pair() -> None:
    async with serving(model_set()) as pipeline:
        found, [translation] = await pipeline.translate(["Le budget augmente."], "fr", "uk")
    assert found == Detection("fr", 1.0)
    assert translation.pivot_language == "en"
    assert translation.model == "fr-en+en-zle"
    assert translation.text == "[en-zle] [fr-en] Le budget augmente."


async def test_translate_keeps_order_and_count_and_same_language_is_identity() -> None:
    texts = ["The mayor opened the bridge.", "Rain on Friday. Bring an umbrella.", "A new species."]
    async with serving(model_set()) as pipeline:
        found, translations = await pipeline.translate(texts, "", "fr")
        _, same = await pipeline.translate(texts, "en", "en")
    assert found.language == "en"
    assert [t.text for t in translations] == [f"[en-fr] {t}" for t in texts[:1]] + [
        "[en-fr] Rain on Friday. [en-fr] Bring an umbrella.",
        "[en-fr] A new species.",
    ]
    assert [t.text for t in same] == texts and {t.model for t in same} == {""}


async def test_a_missing_route_is_a_bad_request() -> None:
    async with serving(model_set(translators=["en-fr"])) as pipeline:
        with pytest.raises(BadRequest, match=r"^no translation from fr to uk in this profile$"):
            await pipeline.translate(["Le budget."], "fr", "uk")


async def test_a_translation_cut_at_its_limit_is_flagged() -> None:
    long_sentence = " ".join(["mot"] * 30) + "."  # 30 words: the tag makes 31, over the maximum
    async with serving(model_set(), translation_length_ratio=0.1) as pipeline:
        _, [cut] = await pipeline.translate([long_sentence], "fr", "en")
        _, [whole] = await pipeline.translate(["Un mot."], "fr", "en")
    assert cut.truncated and not whole.truncated


async def test_a_translation_in_the_wrong_language_is_reported_not_fatal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(language, "_reported", set())
    summary, french = "[en-zle] The council met on Monday.", "[en-fr] The council met on Monday."
    answers = Answers(
        [("en", 0.9)], by_text={summary: [("ru", 0.8), ("uk", 0.2)], french: [("fr", 0.7)]}
    )
    async with serving(model_set(), answers) as pipeline:
        result = await pipeline.summarize(
            SummarizeJob("The council met on Monday.", targets=("uk", "fr"), max_tokens=6)
        )
        summaries, metadata = result.summaries, result.metadata
    assert [s.text for s in summaries] == [summary, french]
    [mismatch] = metadata.output_language_mismatches
    assert (mismatch.expected, mismatch.detected, mismatch.model) == ("uk", "ru", "en-zle")
    assert mismatch.confidence == 0.8


async def test_metadata_adds_up_every_model_call() -> None:
    async with serving(model_set()) as pipeline:
        result = await pipeline.summarize(
            SummarizeJob(FRENCH, source_language="fr", targets=("uk", "fr", "en"))
        )
        metadata = result.metadata
    # inference_ms sums calls that may overlap (the proto says so): it can exceed total_ms.
    assert metadata.inference_ms > 0 and metadata.total_ms > 0
    assert metadata.cache_hits == 0 and metadata.cut_translations == 0
    assert metadata.input_characters == len(FRENCH) and metadata.input_tokens > 0


PAGE = (
    "<html><head><title>Council backs budget</title><script>alert('x')</script></head><body>"
    "<nav><a href='/'>Home</a> <a href='/world'>World</a></nav><article>"
    "<h1>Council backs budget</h1><p>The council met on Monday and voted for the budget after a "
    "long debate about schools.</p><p>The mayor spoke after the vote and thanked the residents "
    "who had come.</p></article><footer>Copyright 2026</footer></body></html>"
)


async def test_an_html_article_is_extracted_and_its_title_used() -> None:
    async with serving(model_set(), Answers([("en", 0.9)])) as pipeline:
        result = await pipeline.summarize(SummarizeJob("", html=PAGE))
        [summary], metadata = result.summaries, result.metadata
    assert metadata.html_extracted and metadata.html_characters == len(PAGE)
    assert metadata.extracted_title == "Council backs budget"
    # The stand-in summarizer writes its input's first words: the title, then the article.
    summarizer = engine(pipeline.models, "sum-en")
    [[article]] = summarizer.calls[-1:]
    assert article.split()[:5] == ["Council", "backs", "budget.", "The", "council"]
    assert "thanked the residents who had come." in article
    assert "alert" not in article and "Home" not in article and "Copyright" not in article
    assert summary.text.split()[:3] == ["Council", "backs", "budget."]
    assert 0 < metadata.input_characters < len(PAGE) // 2


async def test_a_given_title_wins_over_the_pages() -> None:
    async with serving(model_set(), Answers([("en", 0.9)])) as pipeline:
        result = await pipeline.summarize(SummarizeJob("", title="Our headline", html=PAGE))
        [summary], metadata = result.summaries, result.metadata
    assert metadata.html_extracted and metadata.extracted_title == ""
    assert summary.text.startswith("Our headline")


async def test_text_and_html_together_are_a_bad_request() -> None:
    async with serving(model_set()) as pipeline:
        with pytest.raises(BadRequest) as caught:
            await pipeline.summarize(SummarizeJob(ENGLISH, html=PAGE))
    assert caught.value.message == "give the article as text or as html, not both"
    assert caught.value.field == "html"


class _German:
    def foreign(self, text: str) -> ForeignLanguage | None:
        return ForeignLanguage("de", "German", 1.0)


async def test_an_unsupported_language_is_refused_unless_the_source_is_given() -> None:
    async with serving(model_set(), Answers([("en", 0.9)]), unsupported=_German()) as pipeline:
        with pytest.raises(BadRequest) as caught:
            await pipeline.summarize(SummarizeJob(ENGLISH))
        assert caught.value.message.startswith("the article appears to be German (de);")
        with pytest.raises(BadRequest) as caught:
            await pipeline.translate([ENGLISH], "", "fr")
        assert caught.value.message.startswith("the text appears to be German (de);")
        result = await pipeline.summarize(SummarizeJob(ENGLISH, source_language="en"))
        found = result.detection
    assert found == Detection("en", 1.0)


LONG_ENGLISH = " ".join(f"Report {i} says the council met again." for i in range(30))  # 7 words


async def test_a_long_english_article_is_summarized_from_its_best_sentences() -> None:
    models = model_set()  # the stand-in summarizer reads 64 words
    async with serving(models) as pipeline:
        result = await pipeline.summarize(SummarizeJob(LONG_ENGLISH))
        [summary], metadata = result.summaries, result.metadata
    assert summary.text
    [[read]] = engine(models, "sum-en").calls  # one call, one input: no chunks, no merge
    assert len(read.split()) <= 64 and read.strip().startswith("Report 0 says")
    assert (metadata.chunks, metadata.merge_passes) == (1, 0)
    assert metadata.source_sentences == 30 and 0 < metadata.selected_sentences < 30
    assert 0 < metadata.unselected_characters < len(LONG_ENGLISH)
    assert not metadata.truncated  # reported as the selection, not as a cut


async def test_the_merge_strategy_chunks_and_merges_the_whole_article() -> None:
    models = model_set()
    async with serving(models, long_article="merge") as pipeline:
        result = await pipeline.summarize(SummarizeJob(LONG_ENGLISH))
        [summary], metadata = result.summaries, result.metadata
    assert summary.text and metadata.chunks > 1 and metadata.merge_passes >= 1
    assert metadata.unselected_characters == 0 and not metadata.truncated
    read = " ".join(chunk for call in engine(models, "sum-en").calls[:1] for chunk in call)
    assert "Report 29 says" in read  # every sentence was read


async def test_a_long_articles_translations_are_long_work_too(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Its summary's translations are short, but go after other callers' short requests."""
    seen = CallersSeen(monkeypatch)
    async with serving(model_set(), long_article="merge") as pipeline:
        await pipeline.summarize(SummarizeJob(LONG_ENGLISH, targets=("fr",)))
        assert seen.long("en-fr") == [True]
        seen.callers.clear()
        await pipeline.summarize(SummarizeJob(ENGLISH, targets=("fr",)))
        assert seen.long("en-fr") == [False] and seen.long("sum-en") == [False]


async def test_the_stream_sends_the_source_summary_before_any_translation() -> None:
    models = model_set()
    job = SummarizeJob(ENGLISH, targets=("fr", "ru", "en"))
    async with serving(models) as pipeline:
        stream = pipeline.summarize_stream(job)
        assert isinstance(await anext(stream), Detection)
        first = await anext(stream)
        # Sent as soon as it exists: no translator has been called yet.
        assert isinstance(first, Summary) and first.language == "en"
        assert engine(models, "en-fr").calls == [] and engine(models, "en-zle").calls == []
        rest = [e async for e in stream]
    assert sorted(e.language for e in rest if isinstance(e, Summary)) == ["fr", "ru"]
    assert isinstance(rest[-1], Metadata)
