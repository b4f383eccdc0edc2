"""Protobuf <-> domain conversions, all in one place."""

from __future__ import annotations

from precis_news import __version__
from precis_news._proto import precis_pb2 as pb
from precis_news.pipeline import Detection, Metadata, SummarizeJob, Summary, Translation
from precis_news.settings import LANGUAGES, Settings

_LENGTHS = {
    pb.LENGTH_UNSPECIFIED: "medium",
    pb.LENGTH_SHORT: "short",
    pb.LENGTH_MEDIUM: "medium",
    pb.LENGTH_LONG: "long",
}


def summarize_job(request: pb.SummarizeRequest) -> SummarizeJob:
    return SummarizeJob(
        text=request.text,
        title=request.title,
        source_language=request.source_language,
        targets=tuple(request.target_languages),
        length=_LENGTHS.get(request.length, f"enum value {request.length}"),
        min_tokens=request.min_tokens if request.HasField("min_tokens") else None,
        max_tokens=request.max_tokens if request.HasField("max_tokens") else None,
    )


def summary(s: Summary) -> pb.Summary:
    return pb.Summary(
        language=s.language,
        text=s.text,
        model=s.model,
        translated_from=s.translated_from,
        pivot_language=s.pivot_language,
        truncated=s.truncated,
    )


def metadata(m: Metadata) -> pb.SummarizeMetadata:
    return pb.SummarizeMetadata(
        input_characters=m.input_characters,
        input_tokens=m.input_tokens,
        chunks=m.chunks,
        truncated=m.truncated,
        truncated_characters=m.truncated_characters,
        queue_ms=m.queue_ms,
        inference_ms=m.inference_ms,
        total_ms=m.total_ms,
        cache_hits=m.cache_hits,
        summarized_in=m.summarized_in,
        merge_passes=m.merge_passes,
        source_sentences=m.source_sentences,
        selected_sentences=m.selected_sentences,
        unselected_characters=m.unselected_characters,
        summary_trimmed_characters=m.summary_trimmed_characters,
        cut_translations=m.cut_translations,
        output_language_mismatches=[
            pb.OutputLanguageMismatch(
                expected=x.expected, detected=x.detected, confidence=x.confidence, model=x.model
            )
            for x in m.output_language_mismatches
        ],
    )


def summarize_response(
    detection: Detection, summaries: list[Summary], meta: Metadata
) -> pb.SummarizeResponse:
    return pb.SummarizeResponse(
        detected_language=detection.language,
        language_confidence=detection.confidence,
        summaries=[summary(s) for s in summaries],
        metadata=metadata(meta),
    )


def stream_event(detection: Detection, event: Summary | Metadata) -> pb.SummarizeStreamResponse:
    message = pb.SummarizeStreamResponse(
        detected_language=detection.language, language_confidence=detection.confidence
    )
    if isinstance(event, Summary):
        message.summary.CopyFrom(summary(event))
    else:
        message.metadata.CopyFrom(metadata(event))
    return message


def translate_response(
    detection: Detection, translations: list[Translation]
) -> pb.TranslateResponse:
    return pb.TranslateResponse(
        detected_language=detection.language,
        language_confidence=detection.confidence,
        translations=[
            pb.Translation(
                text=t.text, model=t.model, pivot_language=t.pivot_language, truncated=t.truncated
            )
            for t in translations
        ],
    )


def detect_response(detection: Detection) -> pb.DetectLanguageResponse:
    return pb.DetectLanguageResponse(
        language=detection.language,
        confidence=detection.confidence,
        scores=[pb.LanguageScore(language=lang, confidence=c) for lang, c in detection.scores],
    )


def info_response(
    settings: Settings, *, models: list, pairs: list[tuple[str, str]], backend: str, device: str
) -> pb.GetInfoResponse:
    """Describe the server; `models` are models.loader.LoadedModel."""
    return pb.GetInfoResponse(
        version=__version__,
        profile=settings.profile,
        languages=list(LANGUAGES),
        pairs=[f"{s}-{t}" for s, t in pairs],
        models=[
            pb.ModelInfo(
                name=m.spec.name,
                repo=m.spec.repo,
                revision=m.revision,
                task=m.spec.task,
                license=m.spec.license,
                languages=list(m.spec.languages) or [f"{s}-{t}" for s, t in m.spec.pairs],
            )
            for m in models
        ],
        limits=pb.Limits(
            max_article_chars=settings.max_article_chars,
            max_target_languages=settings.max_target_languages,
            max_summary_tokens=settings.max_summary_tokens,
            max_chunks=settings.max_chunks,
            max_translate_texts=settings.max_translate_texts,
            max_queue=settings.max_queue,
            max_translated_tokens=settings.max_translated_tokens,
        ),
        backend=backend,
        device=device,
        summarizer=settings.summarizer,
    )
