"""The Pipeline: detect -> summarize (chunked) -> translate to each target, as small steps."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import time
from collections.abc import AsyncGenerator, AsyncIterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from precis_models import tracing
from precis_models.language import LanguageDetector
from precis_models.loader import LoadedModel, ModelSet
from precis_models.scheduling import ANYONE, Caller
from precis_models.unsupported import UnsupportedLanguageCheck
from precis_news import content
from precis_news.pipeline import checks, detection
from precis_news.pipeline.admission import Heading
from precis_news.pipeline.chunking import summarize_sentences
from precis_news.pipeline.context import RequestContext, Routes
from precis_news.pipeline.errors import BadRequest, RequestError
from precis_news.pipeline.html import extract_article
from precis_news.pipeline.jobs import (
    Detection,
    Metadata,
    SummarizeJob,
    SummarizeResult,
    Summary,
    Translation,
)
from precis_news.pipeline.selection import select_for_summary, select_for_translation
from precis_news.pipeline.translation import Translator
from precis_news.pipeline.validation import (
    check_summarize,
    check_translate,
    normalize_language,
    refuse_binary,
    visible_sentences,
)
from precis_news.settings import Settings

SUMMARIZED_IN = "en"  # what an article the summarizer cannot read is translated into first
EXTRACTION_THREADS = 2  # HTML pages extracted at once


@dataclass(frozen=True)
class Readable:
    """The article sentences a summarizer that cannot read them got, and their English."""

    sentences: list[str] = field(default_factory=list)
    english: list[str] = field(default_factory=list)  # one per sentence


@dataclass(frozen=True)
class Written:
    """The summary as the summarizer wrote it (checked), and what it was checked against."""

    summary: Summary
    reference: checks.Reference


class Pipeline:
    """Serves summaries and translations with a profile's loaded models."""

    def __init__(
        self,
        models: ModelSet,
        detector: LanguageDetector,
        settings: Settings,
        *,
        unsupported: UnsupportedLanguageCheck | None = None,
    ) -> None:
        """`unsupported`, when given, refuses texts in languages not served (when detected)."""
        self.models = models
        self.detector = detector
        self.settings = settings
        self.unsupported = unsupported
        # Extraction has its own threads: pages at the element limit take seconds each, and a
        # burst of them must queue behind each other, not ahead of every caller's detection.
        self._extraction = ThreadPoolExecutor(EXTRACTION_THREADS, thread_name_prefix="html")
        self.translator = Translator(models, settings)
        self._heading = Heading()  # calls between admission and their first model's queue

    def detect(self, text: str, *, override: str | None = "source_language") -> Detection:
        """The most likely supported language of `text` (see detection.detect).

        Raises:
            BadRequest: empty text, a binary file, or no supported language recognised in it.
        """
        refuse_binary(text, field_name="text")
        return detection.detect(self.detector, text, override=override)

    async def _source(self, given: str, text: str, *, what: str) -> Detection:
        """The given source language (normalized; certain), else the detected one.

        Raises:
            BadRequest: (when detecting) a text in a language that is not served, or none
                recognised.
        """
        if given:
            return Detection(given, 1.0)
        with tracing.span("detect", characters=len(text)) as current:
            found = await asyncio.to_thread(self._detect_served, text, what=what)
            tracing.note(current, language=found.language, confidence=found.confidence)
            return found

    def _detect_served(self, text: str, *, what: str) -> Detection:
        if self.unsupported is not None and text.strip():
            detection.refuse_unsupported(self.unsupported, text, what=what)
        # Not self.detect: the request's own fields were checked for binary input already.
        return detection.detect(self.detector, text)

    async def _from_html(self, job: SummarizeJob, metadata: Metadata) -> SummarizeJob:
        """The job with the article extracted from its html (the page's title used when the
        job has none), noted in `metadata`; the job itself when it has no html.

        A `text` that is an HTML page (content.is_html_page) is read as html: the caller meant
        the page's article, and metadata.html_extracted says it was extracted.

        Raises:
            BadRequest: both text and html, html that is a binary file, or a page with no
                article in it.
            TooLarge: more markup than max_html_chars or max_html_elements allow.
        """
        as_html = not job.html and content.is_html_page(job.text)
        if as_html:
            job = dataclasses.replace(job, html=job.text, text="")
        if not job.html:
            return job
        if job.text:
            raise BadRequest("give the article as text or as html, not both", field="html")
        refuse_binary(job.html, field_name="html")
        try:
            with tracing.span("extract_html", html_characters=len(job.html)) as current:
                page = await asyncio.get_running_loop().run_in_executor(
                    self._extraction,
                    functools.partial(
                        extract_article,
                        job.html,
                        max_chars=self.settings.max_html_chars,
                        max_elements=self.settings.max_html_elements,
                    ),
                )
                tracing.note(current, characters=len(page.text))
        except RequestError as error:
            if not as_html:
                raise
            # The caller sent `text`: say why html's limits and words apply to it.
            raise type(error)(
                f"text is an HTML page, so it was read as html: {error.message}", field="text"
            ) from None
        metadata.html_extracted = True
        metadata.html_characters = page.html_characters
        title = job.title
        if not title.strip() and page.title:
            title = metadata.extracted_title = page.title
        return dataclasses.replace(job, text=page.text, title=title, html="")

    async def summarize(self, job: SummarizeJob) -> SummarizeResult:
        """Summaries in request order (see summarize_stream)."""
        context: RequestContext | None = None
        summaries: list[Summary] = []
        metadata = Metadata()
        async for event in self._summarize_events(job):
            if isinstance(event, RequestContext):
                context = event
            elif isinstance(event, Summary):
                summaries.append(event)
            else:
                metadata = event
        assert context is not None
        order = {lang: i for i, lang in enumerate(context.targets)}
        summaries.sort(key=lambda s: order[s.language])
        return SummarizeResult(context.source, summaries, metadata)

    async def summarize_stream(
        self, job: SummarizeJob
    ) -> AsyncIterator[Detection | Summary | Metadata]:
        """Yield the detection, then each target's summary as soon as it is ready, then metadata.

        Raises:
            BadRequest: bad input (the message says what is allowed).
            TooLarge: the article exceeds max_article_chars.
            QueueFull: a model queue is full.
        """
        async with contextlib.aclosing(self._summarize_events(job)) as events:
            async for event in events:
                yield event.source if isinstance(event, RequestContext) else event

    async def _summarize_events(
        self, job: SummarizeJob
    ) -> AsyncGenerator[RequestContext | Summary | Metadata, None]:
        """The request's context (once the source language is known), then each target's
        summary as soon as it is ready, then metadata (see summarize_stream)."""
        started = time.perf_counter()
        metadata = Metadata()
        job = await self._from_html(job, metadata)
        targets, low, high = check_summarize(
            job, settings=self.settings, lengths=self.models.summarizer.spec.lengths
        )
        given = (
            normalize_language(job.source_language, field_name="source_language")
            if job.source_language
            else ""
        )
        routes = Routes(self.models)
        with contextlib.ExitStack() as on_the_way:
            with tracing.span("admit", targets=len(targets)):
                ticket = on_the_way.enter_context(
                    self._heading.toward(self._first_model(given, routes), job.caller)
                )
            found = await self._source(given, job.article, what="the article")
            if not given:  # the detected language's first model (its queue may be full now)
                ticket.move(self._first_model(found.language, routes))
            with tracing.span("split_sentences", characters=len(job.article)) as current:
                context = await asyncio.to_thread(
                    RequestContext.build,
                    job.article,
                    found,
                    targets=targets,
                    low=low,
                    high=high,
                    sources=job.include_sources,
                    routes=routes,
                    caller=job.caller,
                )
                tracing.note(current, sentences=len(context.article.visible))
        yield context
        metadata.input_characters = len(context.article.text)
        written = await self._summary(context, metadata)
        if metadata.chunks > 1:
            # A long article is long work to its end: its summary's translations, short as
            # they are, go after other callers' short requests (Caller.long).
            context = dataclasses.replace(context, caller=context.caller.as_long_work())
        translations = self._in_languages(context, written, metadata)
        done: list[Summary] = []
        async with contextlib.aclosing(translations):  # its tasks end when this stream does
            async for translated in translations:
                done.append(translated)
                yield translated
        checks.log_flags(done)
        metadata.total_ms = (time.perf_counter() - started) * 1000
        yield metadata

    def _first_model(self, source: str, routes: Routes) -> LoadedModel:
        """The first model a summary of a `source` article (normalized) needs: the summarizer
        (also when the source is not known yet: every summary needs it), or the first hop of
        the translation into English of a language it cannot read.

        This is a Summarize call's admission: it is refused at once, before its detection (and
        again, after it, for the detected language's first model), when that model's queue
        already holds max_queue texts, counting the calls on their way to it (self._heading),
        with the QueueFull that model's own admission would give. Once admitted, its model
        calls are never refused (`admitted=True`): a call is refused at the door or served,
        never after work was spent on it. On an idle server nothing is refused.
        """
        model = self.models.summarizer
        if source and source not in model.spec.languages:
            hops = routes(source, SUMMARIZED_IN)
            model = hops[0].model if hops else model
        return model

    async def _summary(self, context: RequestContext, metadata: Metadata) -> Written:
        """The article's summary, in its own language when the summarizer reads it, else in
        English, checked against the article (see pipeline.checks); an article longer than
        the summarizer's window is read from its highest-ranked sentences that fit
        (long_article = "select") or chunked and merged."""
        summarizer = self.models.summarizer
        language = context.source.language
        sentences = context.article.visible
        readable = Readable()
        if language not in summarizer.spec.languages:
            readable = await self._readable(context, metadata)
            # The translation's own sentences (one English text may hold two).
            sentences = visible_sentences(" ".join(t for t in readable.english if t))
            language = metadata.summarized_in = SUMMARIZED_IN
        elif self.settings.long_article == "select":
            with tracing.span("select", sentences=len(sentences), budget=summarizer.window) as sp:
                sentences = await select_for_summary(
                    summarizer, sentences, budget=summarizer.window, metadata=metadata
                )
                tracing.note(sp, selected=metadata.selected_sentences)
        with tracing.span("summarize", language=language, sentences=len(sentences)) as current:
            summary = await summarize_sentences(
                summarizer,
                sentences,
                low=context.low,
                high=context.high,
                max_chunks=self.settings.max_chunks,
                metadata=metadata,
                caller=context.caller,
            )
            tracing.note(current, chunks=metadata.chunks)
        with tracing.span("check", summary=language):
            reference = await asyncio.to_thread(
                checks.Reference.build,
                context.article,
                sources=context.sources,
                readable=readable.english,
                read_from=readable.sentences,
            )
            written = Summary(language, summary, summarizer.name)
            checked = await asyncio.to_thread(checks.check_summary, reference, written)
        return Written(checked, reference)

    async def _readable(self, context: RequestContext, metadata: Metadata) -> Readable:
        """The article's sentences the summarizer can use (bounded cost; what was left out is
        reported), and each one's English translation."""
        source = context.source.language
        hops = context.routes(source, SUMMARIZED_IN)
        budget = self.settings.max_translated_tokens
        with tracing.span("select", sentences=len(context.article.visible), budget=budget) as sp:
            sentences = await select_for_translation(
                context.article.visible,
                hop=hops[0] if hops else None,
                budget=budget,
                metadata=metadata,
            )
            tracing.note(sp, selected=metadata.selected_sentences)
        # One text per sentence, so that each translation is known (for the sentence sources);
        # the model sees the same sentences in one submit as before.
        english = await self.translator.sentences(
            [[s] for s in sentences],
            source,
            SUMMARIZED_IN,
            routes=context.routes,
            admitted=True,
            caller=context.caller,
        )
        metadata.add_translation(english.metadata)
        return Readable(sentences, english.texts)

    async def _in_languages(
        self, context: RequestContext, written: Written, metadata: Metadata
    ) -> AsyncGenerator[Summary, None]:
        """The summary in each target language: its own language at once, the translations
        as each is ready; the rest are cancelled when the caller stops."""
        summary = written.summary
        tasks = [
            asyncio.ensure_future(self._in_language(context, written, target, metadata))
            for target in context.targets
            if target != summary.language
        ]
        try:
            if summary.language in context.targets:
                yield summary  # while the translations run
            for next_done in asyncio.as_completed(tasks):
                result, part = await next_done
                metadata.add_translation(part)
                yield result
        finally:
            for task in tasks:
                task.cancel()

    async def _in_language(
        self, context: RequestContext, written: Written, target: str, metadata: Metadata
    ) -> tuple[Summary, Metadata]:
        """The summary translated into `target` (another language than its own), with the
        translation's metadata; a translation read as another language, or that changed the
        summary's numbers or lost its names, is reported."""
        summary = written.summary
        with tracing.span("in_language", source=summary.language, target=target):
            translated = await self.translator.texts(
                [summary.text],
                summary.language,
                target,
                routes=context.routes,
                admitted=True,
                caller=context.caller,
            )
            with tracing.span("check", translation=target):
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
                checked = await asyncio.to_thread(
                    checks.check_translation, written.reference, summary, in_target
                )
        return checked, translated.metadata

    async def translate(
        self,
        texts: Sequence[str],
        source_language: str,
        target_language: str,
        *,
        caller: Caller = ANYONE,
    ) -> tuple[Detection, list[Translation]]:
        """Translate each text into the target language (for `caller`: its priority, key and
        deadline).

        Raises:
            BadRequest: no texts, an empty text, too many texts, or a bad language.
            TooLarge: the texts together exceed max_article_chars.
        """
        target = check_translate(texts, target_language, settings=self.settings)
        given = (
            normalize_language(source_language, field_name="source_language")
            if source_language
            else ""
        )
        found = await self._source(given, "\n\n".join(texts), what="the text")
        result = await self.translator.texts(list(texts), found.language, target, caller=caller)
        return found, [
            Translation(t, result.model, result.pivot, cut)
            for t, cut in zip(result.texts, result.truncated, strict=True)
        ]
