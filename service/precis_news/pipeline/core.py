"""The Pipeline: detect -> summarize (chunked) -> translate to each target, as small steps."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncGenerator, AsyncIterator, Sequence

from precis_models.language import LanguageDetector
from precis_models.loader import ModelSet
from precis_news.pipeline import detection
from precis_news.pipeline.chunking import summarize_text, window
from precis_news.pipeline.jobs import Detection, Metadata, SummarizeJob, Summary, Translation
from precis_news.pipeline.selection import select_for_summary, select_for_translation
from precis_news.pipeline.translation import Translator
from precis_news.pipeline.validation import (
    check_summarize,
    check_translate,
    normalize_language,
    target_order,
)
from precis_news.settings import Settings

SUMMARIZED_IN = "en"  # what an article the summarizer cannot read is translated into first


class Pipeline:
    """Serves summaries and translations with a profile's loaded models."""

    def __init__(self, models: ModelSet, detector: LanguageDetector, settings: Settings) -> None:
        self.models = models
        self.detector = detector
        self.settings = settings
        self.translator = Translator(models, settings)

    def detect(self, text: str) -> Detection:
        """The most likely supported language of `text` (see detection.detect).

        Raises:
            BadRequest: empty text, or no supported language recognised in it.
        """
        return detection.detect(self.detector, text)

    async def _source(self, given: str, text: str) -> Detection:
        """The given source language (certain), else the detected one."""
        if given:
            return Detection(normalize_language(given, field_name="source_language"), 1.0)
        return await asyncio.to_thread(self.detect, text)

    async def summarize(self, job: SummarizeJob) -> tuple[Detection, list[Summary], Metadata]:
        """Summaries in request order (see summarize_stream)."""
        found: Detection | None = None
        summaries: list[Summary] = []
        metadata = Metadata()
        async for event in self.summarize_stream(job):
            if isinstance(event, Detection):
                found = event
            elif isinstance(event, Summary):
                summaries.append(event)
            else:
                metadata = event
        assert found is not None
        order = {lang: i for i, lang in enumerate(target_order(job, found))}
        summaries.sort(key=lambda s: order[s.language])
        return found, summaries, metadata

    async def summarize_stream(
        self, job: SummarizeJob
    ) -> AsyncIterator[Detection | Summary | Metadata]:
        """Yield the detection, then each target's summary as soon as it is ready, then metadata.

        Raises:
            BadRequest: bad input (the message says what is allowed).
            TooLarge: the article exceeds max_article_chars.
            QueueFull: a model queue is full.
        """
        started = time.perf_counter()
        targets, low, high = check_summarize(
            job, settings=self.settings, lengths=self.models.summarizer.spec.lengths
        )
        text = job.article
        found = await self._source(job.source_language, text)
        yield found
        metadata = Metadata(input_characters=len(text))
        summary = await self._summary(text, found.language, low=low, high=high, metadata=metadata)
        translations = self._in_languages(summary, targets or (found.language,), metadata)
        async with contextlib.aclosing(translations):  # its tasks end when this stream does
            async for translated in translations:
                yield translated
        metadata.total_ms = (time.perf_counter() - started) * 1000
        yield metadata

    async def _summary(
        self, text: str, source: str, *, low: int, high: int, metadata: Metadata
    ) -> Summary:
        """The article's summary, in its own language when the summarizer reads it, else in
        English; an article longer than the summarizer's window is read from its
        highest-ranked sentences that fit (long_article = "select") or chunked and merged."""
        summarizer = self.models.summarizer
        language = source
        if source not in summarizer.spec.languages:
            text = await self._readable(text, source, metadata)
            language = metadata.summarized_in = SUMMARIZED_IN
        elif self.settings.long_article == "select":
            text = await select_for_summary(
                summarizer, text, budget=window(summarizer), metadata=metadata
            )
        summary = await summarize_text(
            summarizer,
            text,
            low=low,
            high=high,
            max_chunks=self.settings.max_chunks,
            metadata=metadata,
        )
        return Summary(language, summary, summarizer.name)

    async def _readable(self, text: str, source: str, metadata: Metadata) -> str:
        """The article in English, from only the sentences the summarizer can use (bounded
        cost; what was left out is reported)."""
        hops = self.models.route(source, SUMMARIZED_IN)
        sentences = await select_for_translation(
            text,
            hop=hops[0] if hops else None,
            budget=self.settings.max_translated_tokens,
            metadata=metadata,
        )
        english = await self.translator.sentences([sentences], source, SUMMARIZED_IN)
        metadata.add_translation(english.metadata)
        return english.texts[0]

    async def _in_languages(
        self, summary: Summary, targets: Sequence[str], metadata: Metadata
    ) -> AsyncGenerator[Summary, None]:
        """The summary in each target language: its own language at once, the translations
        as each is ready; the rest are cancelled when the caller stops."""
        tasks = [
            asyncio.ensure_future(self._in_language(summary, target, metadata))
            for target in targets
            if target != summary.language
        ]
        try:
            if summary.language in targets:
                yield summary  # while the translations run
            for next_done in asyncio.as_completed(tasks):
                result, part = await next_done
                metadata.add_translation(part)
                yield result
        finally:
            for task in tasks:
                task.cancel()

    async def _in_language(
        self, summary: Summary, target: str, metadata: Metadata
    ) -> tuple[Summary, Metadata]:
        """The summary translated into `target` (another language than its own), with the
        translation's metadata; a translation read as another language is reported."""
        translated = await self.translator.texts([summary.text], summary.language, target)
        mismatch = await detection.wrong_language(
            self.detector, translated.texts[0], expected=target, model=translated.model
        )
        if mismatch:
            metadata.output_language_mismatches.append(mismatch)
        in_target = Summary(
            target,
            translated.texts[0],
            translated.model,
            summary.language,
            translated.pivot,
            translated.truncated[0],
        )
        return in_target, translated.metadata

    async def translate(
        self, texts: Sequence[str], source_language: str, target_language: str
    ) -> tuple[Detection, list[Translation]]:
        """Translate each text into the target language.

        Raises:
            BadRequest: no texts, an empty text, too many texts, or a bad language.
            TooLarge: the texts together exceed max_article_chars.
        """
        target = check_translate(texts, target_language, settings=self.settings)
        found = await self._source(source_language, "\n\n".join(texts))
        result = await self.translator.texts(list(texts), found.language, target)
        return found, [
            Translation(t, result.model, result.pivot, cut)
            for t, cut in zip(result.texts, result.truncated, strict=True)
        ]
