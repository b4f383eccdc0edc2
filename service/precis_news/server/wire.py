"""Protobuf <-> domain conversions, all in one place."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, TypeVar

from google.protobuf.message import Message

from precis_models import languages
from precis_models.scheduling import ANYONE, Caller, Priority
from precis_news import __version__
from precis_news._proto import precis_pb2 as pb
from precis_news.pipeline import Detection, Metadata, SummarizeJob, Summary, Translation
from precis_news.pipeline.jobs import DEFAULT_LENGTH
from precis_news.settings import Settings

M = TypeVar("M", bound=Message)

# The proto's Length values by the summarizer's preset names: LENGTH_SHORT -> "short", ...
LENGTH_NAMES: Mapping[int, str] = {
    value: name.removeprefix("LENGTH_").lower() for name, value in pb.Length.items()
} | {pb.LENGTH_UNSPECIFIED: DEFAULT_LENGTH}


# The model layer's priorities by the proto's (unspecified: interactive).
PRIORITIES: Mapping[int, Priority] = {
    pb.PRIORITY_UNSPECIFIED: Priority.INTERACTIVE,
    pb.PRIORITY_INTERACTIVE: Priority.INTERACTIVE,
    pb.PRIORITY_BATCH: Priority.BATCH,
}


def with_priority(transport: Caller, priority: int) -> Caller:
    """The transport's caller (key label, deadline) with the request's priority (an unknown
    enum value, from a newer client, counts as interactive)."""
    return dataclasses.replace(transport, priority=PRIORITIES.get(priority, Priority.INTERACTIVE))


def summarize_job(request: pb.SummarizeRequest, *, caller: Caller = ANYONE) -> SummarizeJob:
    """The job of a request, for `caller` (the transport's: key label and deadline)."""
    return SummarizeJob(
        text=request.text,
        title=request.title,
        source_language=request.source_language,
        targets=tuple(request.target_languages),
        length=LENGTH_NAMES.get(request.length, f"enum value {request.length}"),
        min_tokens=request.min_tokens if request.HasField("min_tokens") else None,
        max_tokens=request.max_tokens if request.HasField("max_tokens") else None,
        include_sources=request.include_sources,
        html=request.html,
        caller=with_priority(caller, request.priority),
    )


def _fields(value: Any) -> dict[str, Any]:
    """A domain dataclass's fields by name: the proto messages name theirs the same (a field
    missing on either side fails here or in tests/unit/precis_news/server/test_wire.py)."""
    return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}


def _message(cls: type[M], value: Any) -> M:
    """The proto message `cls` from a domain dataclass, lists of dataclasses included (each
    into the message type of its field)."""
    values = _fields(value)
    for name, items in values.items():
        kind = cls.DESCRIPTOR.fields_by_name[name].message_type
        if kind is not None and isinstance(items, list):
            values[name] = [_message(getattr(pb, kind.name), item) for item in items]
    return cls(**values)


def summary(s: Summary) -> pb.Summary:
    return _message(pb.Summary, s)


def metadata(m: Metadata) -> pb.SummarizeMetadata:
    """The one mapping from the domain Metadata to SummarizeMetadata, field by field name."""
    return _message(pb.SummarizeMetadata, m)


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
        translations=[pb.Translation(**_fields(t)) for t in translations],
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
        languages=list(languages.codes()),
        language_details=[
            pb.LanguageInfo(code=lang.code, name=lang.name, native_name=lang.native_name)
            for lang in languages.served()
        ],
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
            max_html_chars=settings.max_html_chars,
            max_html_elements=settings.max_html_elements,
        ),
        backend=backend,
        device=device,
        summarizer=settings.summarizer,
    )
