"""Detect -> summarize (chunked) -> translate to each target; the product logic, no gRPC."""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field

from precis_models.batching import Generated
from precis_models.language import LanguageDetector, LanguageMismatch, check_output_language
from precis_models.loader import Hop, LoadedModel, ModelSet
from precis_models.sentences import (
    end_on_sentence,
    fit,
    is_blank,
    pack,
    select,
    split_sentences,
)
from precis_news.server.status import InvalidArgument, TooLarge, echo
from precis_news.settings import LANGUAGES, Settings

log = logging.getLogger(__name__)

DETECTION_SAMPLE_CHARS = 4000  # language detection reads the start of long texts only
MAX_MERGE_PASSES = 4
LENGTH_BUCKET = 16  # translation length bounds are rounded up to a multiple of this
LENGTH_MARGIN = 8  # translation maximum = source tokens x translation_length_ratio + this


@dataclass(frozen=True)
class SummarizeJob:
    """A validated-on-use summarization request."""

    text: str
    title: str = ""
    source_language: str = ""
    targets: tuple[str, ...] = ()
    length: str = "medium"
    min_tokens: int | None = None
    max_tokens: int | None = None


@dataclass(frozen=True)
class Detection:
    language: str
    confidence: float
    scores: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class Summary:
    language: str
    text: str
    model: str
    translated_from: str = ""
    pivot_language: str = ""
    truncated: bool = False  # a translation of the summary hit the translator's length limit


@dataclass(frozen=True)
class Translation:
    text: str
    model: str
    pivot_language: str = ""
    truncated: bool = False  # some sentence's translation hit the translator's length limit


@dataclass
class Metadata:
    """How a request was served (see SummarizeMetadata in the proto)."""

    input_characters: int = 0
    input_tokens: int = 0
    chunks: int = 0
    truncated: bool = False
    truncated_characters: int = 0
    queue_ms: float = 0.0
    inference_ms: float = 0.0
    total_ms: float = 0.0
    cache_hits: int = 0
    summarized_in: str = ""
    merge_passes: int = 0
    # Non-English articles: sentences in the article, sentences translated and summarized, and
    # the characters of those left out (see Pipeline._select).
    source_sentences: int = 0
    selected_sentences: int = 0
    unselected_characters: int = 0
    summary_trimmed_characters: int = 0  # cut-off last sentence removed from the summary
    cut_translations: int = 0  # sentence translations that hit the translator's length limit
    output_language_mismatches: list[LanguageMismatch] = field(default_factory=list)

    def add(self, part: Generated | Metadata) -> None:
        """Count another stage's queueing, inference and cache hits in this request's totals."""
        self.queue_ms += part.queue_ms
        self.inference_ms += part.inference_ms
        self.cache_hits += part.cache_hits


@dataclass(frozen=True)
class _Translated:
    texts: list[str]
    model: str
    pivot: str
    metadata: Metadata = field(default_factory=Metadata)
    truncated: list[bool] = field(default_factory=list)  # per text (see Translation.truncated)


def normalize_language(code: str, *, field_name: str) -> str:
    """ "en-GB" / "EN" -> "en"; INVALID_ARGUMENT for anything not supported."""
    primary = code.strip().replace("_", "-").split("-", 1)[0].lower()
    if primary not in LANGUAGES:
        raise InvalidArgument(
            f"unsupported language {echo(code)} in {field_name}; supported: {', '.join(LANGUAGES)}",
            field=field_name,
        )
    return primary


class Pipeline:
    """Serves summaries and translations with a profile's loaded models."""

    def __init__(self, models: ModelSet, detector: LanguageDetector, settings: Settings) -> None:
        self.models = models
        self.detector = detector
        self.settings = settings

    # -- detection ------------------------------------------------------------------------------

    def detect(self, text: str) -> Detection:
        """The most likely supported language of `text`.

        Raises:
            InvalidArgument: empty text, or no supported language recognised in it.
        """
        if not text.strip():
            raise InvalidArgument("text is empty", field="text")
        scores = tuple(self.detector.scores(text[:DETECTION_SAMPLE_CHARS]))
        if not scores or scores[0][1] <= 0.0:
            raise InvalidArgument(
                "could not detect the language of the text; set source_language to one of "
                + ", ".join(LANGUAGES),
                field="source_language",
            )
        return Detection(scores[0][0], scores[0][1], scores)

    async def _source(self, given: str, text: str) -> Detection:
        if given:
            return Detection(normalize_language(given, field_name="source_language"), 1.0)
        return await asyncio.to_thread(self.detect, text)

    # -- summarization --------------------------------------------------------------------------

    def _validate(self, job: SummarizeJob) -> tuple[tuple[str, ...], int, int]:
        s = self.settings
        _require_visible(job.text, field_name="text")
        size = len(job.text) + len(job.title)
        if size > s.max_article_chars:
            raise TooLarge(
                f"article has {size} characters; the limit is {s.max_article_chars}", field="text"
            )
        if len(job.targets) > s.max_target_languages:
            raise InvalidArgument(
                f"{len(job.targets)} target languages; at most {s.max_target_languages}",
                field="target_languages",
            )
        targets = tuple(normalize_language(t, field_name="target_languages") for t in job.targets)
        if len(set(targets)) != len(targets):
            raise InvalidArgument("a target language is repeated", field="target_languages")
        lengths = self.models.summarizer.spec.lengths
        if job.length not in lengths:
            raise InvalidArgument(
                f"unknown length {echo(job.length)}; use {', '.join(lengths)}", field="length"
            )
        low, high = lengths[job.length]
        if job.min_tokens is not None or job.max_tokens is not None:
            high = job.max_tokens if job.max_tokens is not None else max(high, job.min_tokens or 0)
            low = job.min_tokens if job.min_tokens is not None else min(low, high)
            if low < 0 or high < 1 or low > high or high > s.max_summary_tokens:
                raise InvalidArgument(
                    f"bad length bounds min_tokens={low} max_tokens={high}: need "
                    f"0 <= min_tokens <= max_tokens <= {s.max_summary_tokens} and max_tokens >= 1",
                    field="max_tokens" if high > s.max_summary_tokens or high < 1 else "min_tokens",
                )
        return targets, low, high

    async def summarize(self, job: SummarizeJob) -> tuple[Detection, list[Summary], Metadata]:
        """Summaries in request order (see summarize_stream)."""
        detection: Detection | None = None
        summaries: list[Summary] = []
        metadata = Metadata()
        async for event in self.summarize_stream(job):
            if isinstance(event, Detection):
                detection = event
            elif isinstance(event, Summary):
                summaries.append(event)
            else:
                metadata = event
        assert detection is not None
        order = {lang: i for i, lang in enumerate(summaries_order(job, detection))}
        summaries.sort(key=lambda s: order[s.language])
        return detection, summaries, metadata

    async def summarize_stream(
        self, job: SummarizeJob
    ) -> AsyncIterator[Detection | Summary | Metadata]:
        """Yield the detection, then each target's summary as soon as it is ready, then metadata.

        Raises:
            InvalidArgument: bad input (the message says what is allowed).
            TooLarge: the article exceeds max_article_chars.
            QueueFull: a model queue is full.
        """
        started = time.perf_counter()
        targets, low, high = self._validate(job)
        text = _with_title(job.title, job.text)
        detection = await self._source(job.source_language, text)
        yield detection
        source = detection.language
        targets = targets or (source,)
        metadata = Metadata(input_characters=len(text))

        summarizer = self.models.summarizer
        if source not in summarizer.spec.languages:
            # The summarizer does not read this language: translate to English first, only the
            # sentences it can use (bounded cost; what was left out is reported).
            sentences = await self._select(text, source, metadata)
            english = await self._translate_sentences([sentences], source, "en")
            metadata.add(english.metadata)
            metadata.cut_translations += english.metadata.cut_translations
            text, summary_language = english.texts[0], "en"
            metadata.summarized_in = "en"
        else:
            summary_language = source
        summary_text = await self._summarize_text(summarizer, text, low, high, metadata)
        summary = Summary(summary_language, summary_text, summarizer.name)

        async def in_language(target: str) -> tuple[Summary, Metadata]:
            translated = await self._translate([summary.text], summary.language, target)
            if target == summary.language:
                return summary, translated.metadata
            mismatch = await asyncio.to_thread(
                check_output_language,
                self.detector,
                translated.texts[0],
                expected=target,
                model=translated.model,
            )
            if mismatch:
                metadata.output_language_mismatches.append(mismatch)
            return (
                Summary(
                    target,
                    translated.texts[0],
                    translated.model,
                    summary.language,
                    translated.pivot,
                    translated.truncated[0],
                ),
                translated.metadata,
            )

        tasks = [asyncio.ensure_future(in_language(target)) for target in targets]
        try:
            for next_done in asyncio.as_completed(tasks):
                result, part = await next_done
                metadata.add(part)
                metadata.cut_translations += part.cut_translations
                yield result
        finally:
            for task in tasks:
                task.cancel()
        metadata.total_ms = (time.perf_counter() - started) * 1000
        yield metadata

    async def _select(self, text: str, source: str, metadata: Metadata) -> list[str]:
        """The article's sentences worth translating before summarizing: all of them when they
        fit `max_translated_tokens` translator tokens, else the highest-ranked that fit, in
        article order (ranked in the source language, so nothing is translated to be dropped).

        Sentences longer than the translator reads count as one sentence per piece that fits it
        (so one endless "sentence" cannot make the work unbounded).
        """
        sentences = [s for s in split_sentences(text) if not is_blank(s)]
        budget = self.settings.max_translated_tokens
        hops = self.models.route(source, "en")
        lengths: list[int] = []
        if hops and sentences:
            engine = hops[0].model.batcher.engine
            window = hops[0].model.spec.max_input_tokens - await asyncio.to_thread(
                _prefix_tokens, hops[0]
            )
            fitted = await asyncio.to_thread(_fit_texts, [sentences], window, engine.count_tokens)
            sentences = [piece for piece, _ in fitted[0]]
            lengths = [tokens for _, tokens in fitted[0]]
        metadata.source_sentences = metadata.selected_sentences = len(sentences)
        if not budget or not hops or sum(lengths) <= budget:
            return sentences
        chosen = await asyncio.to_thread(lambda: select(sentences, lengths, budget=budget))
        kept = set(chosen)
        metadata.selected_sentences = len(chosen)
        metadata.unselected_characters = sum(
            len(s) for i, s in enumerate(sentences) if i not in kept
        )
        log.info(
            "translating %d of %d sentences (%d characters left out) before summarizing",
            len(chosen),
            len(sentences),
            metadata.unselected_characters,
        )
        return [sentences[i] for i in chosen]

    async def _summarize_text(
        self, model: LoadedModel, text: str, low: int, high: int, metadata: Metadata
    ) -> str:
        """Summarize a text of any length: chunk at sentences, summarize, merge, repeat.

        Returns "" for a text with nothing visible left (e.g. an article of invisible characters
        whose translation came back empty): an empty summary, not an error.
        """
        engine = model.batcher.engine
        # Room for the begin/end tokens of a packed chunk and for the model's input prefix.
        budget = engine.max_input_tokens - 2 - (1 if model.spec.prefix else 0)
        sentences = [s for s in split_sentences(text) if not is_blank(s)]
        if not sentences:
            return ""
        chunks = await asyncio.to_thread(
            lambda: pack(sentences, budget=budget, count=engine.count_tokens)
        )
        chunk_tokens = await asyncio.to_thread(engine.count_tokens, chunks)
        metadata.input_tokens = sum(chunk_tokens)
        metadata.chunks = len(chunks)
        if len(chunks) > self.settings.max_chunks:
            dropped = chunks[self.settings.max_chunks :]
            chunks = chunks[: self.settings.max_chunks]
            chunk_tokens = chunk_tokens[: self.settings.max_chunks]
            metadata.truncated = True
            metadata.truncated_characters = sum(len(c) for c in dropped)
            log.warning(
                "article cut to %d chunks (%d characters left out)",
                len(chunks),
                metadata.truncated_characters,
            )
        growth = 1.0  # how much longer outputs re-tokenize than generated (1.0 for real models)
        while len(chunks) > 1:
            # Intermediate summaries share the window, so that their merge fits in one chunk.
            per_chunk = max(4, min(high, int(budget / (len(chunks) * growth))))
            generated = await model.batcher.submit(
                summarizer_inputs(model, chunks),
                model.options(max_new_tokens=per_chunk, min_new_tokens=min(low, per_chunk)),
            )
            metadata.add(generated)
            metadata.merge_passes += 1
            counts = await asyncio.to_thread(engine.count_tokens, generated.outputs)
            growth = max(growth, max(counts) / per_chunk)
            chunks = pack(
                generated.outputs, budget=budget, count=engine.count_tokens, lengths=counts
            )
            if metadata.merge_passes >= MAX_MERGE_PASSES and len(chunks) > 1:
                metadata.truncated = True
                metadata.truncated_characters += sum(len(c) for c in chunks[1:])
                chunks = chunks[:1]
        generated = await model.batcher.submit(
            summarizer_inputs(model, chunks),
            model.options(max_new_tokens=high, min_new_tokens=low),
        )
        metadata.add(generated)
        summary = generated.outputs[0].strip()
        if not generated.ended[0]:
            # Cut at the maximum without an end token: end on the last complete sentence.
            ended = end_on_sentence(summary)
            metadata.summary_trimmed_characters = len(summary) - len(ended)
            summary = ended
        return summary

    # -- translation ----------------------------------------------------------------------------

    async def translate(
        self, texts: Sequence[str], source_language: str, target_language: str
    ) -> tuple[Detection, list[Translation]]:
        """Translate each text into the target language.

        Raises:
            InvalidArgument: no texts, an empty text, too many texts, or a bad language.
            TooLarge: the texts together exceed max_article_chars.
        """
        s = self.settings
        if not texts:
            raise InvalidArgument("texts is empty; give at least one text", field="texts")
        if len(texts) > s.max_translate_texts:
            raise InvalidArgument(
                f"{len(texts)} texts; at most {s.max_translate_texts} per call", field="texts"
            )
        for i, text in enumerate(texts):
            _require_visible(text, field_name=f"texts[{i}]")
        size = sum(len(t) for t in texts)
        if size > s.max_article_chars:
            raise TooLarge(f"texts have {size} characters; the limit is {s.max_article_chars}")
        if not target_language:
            raise InvalidArgument(
                f"target_language is required; one of {', '.join(LANGUAGES)}",
                field="target_language",
            )
        target = normalize_language(target_language, field_name="target_language")
        detection = await self._source(source_language, "\n\n".join(texts))
        result = await self._translate(list(texts), detection.language, target)
        return detection, [
            Translation(t, result.model, result.pivot, cut)
            for t, cut in zip(result.texts, result.truncated, strict=True)
        ]

    async def _translate(self, texts: list[str], source: str, target: str) -> _Translated:
        """Translate whole texts (split into sentences here); the same texts when source is
        target."""
        if source == target:
            return _Translated(list(texts), "", "", Metadata(), [False] * len(texts))
        return await self._translate_sentences(
            [[s for s in split_sentences(t) if not is_blank(s)] for t in texts], source, target
        )

    async def _translate_sentences(
        self, per_text: list[list[str]], source: str, target: str
    ) -> _Translated:
        """Sentence by sentence, all sentences of all texts in one submit per hop.

        A sentence longer than the translator reads is split into pieces that fit it
        (models.sentences.fit), never cut; a text with no sentence translates to "".
        `truncated` marks texts of which a piece's translation hit its length limit.
        """
        hops = self.models.route(source, target)
        if hops is None:
            raise InvalidArgument(f"no translation from {source} to {target} in this profile")
        metadata = Metadata()
        cut = [False] * len(per_text)
        texts = [" ".join(sentences) for sentences in per_text]
        for hop in hops:
            engine = hop.model.batcher.engine
            cap = hop.model.spec.max_input_tokens
            extra = await asyncio.to_thread(_prefix_tokens, hop)
            budget = cap - extra  # what the model reads: longer sentences are split, never cut
            pieces = await asyncio.to_thread(_fit_texts, per_text, budget, engine.count_tokens)
            flat = [hop.prepare(piece) for text in pieces for piece, _ in text]
            if not flat:
                break
            lengths = [tokens + extra for text in pieces for _, tokens in text]
            # The decoder's positions hold its start token and the end token too (a Marian model
            # reads and writes at most max_input_tokens positions).
            shortest, longest = translation_lengths(lengths, self.settings, cap=cap - 2)
            options = hop.model.options(max_new_tokens=longest, min_new_tokens=shortest)
            generated = await hop.model.batcher.submit(flat, options, lengths=lengths)
            metadata.add(generated)
            metadata.cut_translations += generated.ended.count(False)
            outputs = iter(zip(generated.outputs, generated.ended, strict=True))
            per_text = []
            for i, text in enumerate(pieces):
                done = [next(outputs) for _ in text]
                cut[i] = cut[i] or not all(ended for _, ended in done)
                per_text.append([out.strip() for out, _ in done if out.strip()])
            texts = [" ".join(sentences) for sentences in per_text]
        return _Translated(
            texts,
            "+".join(h.model.name for h in hops) or "",
            hops[0].target if len(hops) > 1 else "",
            metadata,
            cut,
        )


def _fit_texts(
    per_text: list[list[str]], budget: int, count: Callable[[Sequence[str]], list[int]]
) -> list[list[tuple[str, int]]]:
    return [fit(sentences, budget=budget, count=count) for sentences in per_text]


def _prefix_tokens(hop: Hop) -> int:
    """Tokens `hop.prepare` adds to every input (a target-language token, or none)."""
    count = hop.model.batcher.engine.count_tokens
    return count([hop.prepare("")])[0] - count([""])[0]


def summarizer_inputs(model: LoadedModel, chunks: Sequence[str]) -> list[str]:
    """The summarizer's inputs: each chunk after the model's configured prefix (BART: " ")."""
    return [model.spec.prefix + chunk for chunk in chunks]


def _require_visible(text: str, *, field_name: str) -> None:
    if not text.strip():
        raise InvalidArgument(f"{field_name} is empty", field=field_name)
    if is_blank(text):
        raise InvalidArgument(
            f"{field_name} has no visible characters (only invisible or control characters)",
            field=field_name,
        )


def translation_lengths(lengths: Sequence[int], settings: Settings, *, cap: int) -> tuple[int, int]:
    """(min, max) new tokens for translating sentences of these input lengths in one call.

    One bound for all sentences (from the longest), rounded up to a bucket so that concurrent
    requests' sentences share beam-search calls; at most `cap`. The minimum is 0, or the
    maximum with `translation_fixed_length` (so that it splits no batch the maximum does not).
    """
    longest = max(lengths) * settings.translation_length_ratio
    longest = min(_bucket(math.ceil(longest) + LENGTH_MARGIN), cap)
    return (longest if settings.translation_fixed_length else 0), longest


def _bucket(tokens: int, step: int = LENGTH_BUCKET) -> int:
    return -(-tokens // step) * step


def summaries_order(job: SummarizeJob, detection: Detection) -> tuple[str, ...]:
    """Target languages in request order (the source language when none were asked for)."""
    targets = tuple(normalize_language(t, field_name="target_languages") for t in job.targets)
    return targets or (detection.language,)


def _with_title(title: str, text: str) -> str:
    title = title.strip()
    if not title:
        return text
    return f"{title}{'' if title[-1] in '.!?…' else '.'}\n\n{text}"
