from google.api import annotations_pb2 as _annotations_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Length(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    LENGTH_UNSPECIFIED: _ClassVar[Length]
    LENGTH_SHORT: _ClassVar[Length]
    LENGTH_MEDIUM: _ClassVar[Length]
    LENGTH_LONG: _ClassVar[Length]

class Priority(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PRIORITY_UNSPECIFIED: _ClassVar[Priority]
    PRIORITY_INTERACTIVE: _ClassVar[Priority]
    PRIORITY_BATCH: _ClassVar[Priority]
LENGTH_UNSPECIFIED: Length
LENGTH_SHORT: Length
LENGTH_MEDIUM: Length
LENGTH_LONG: Length
PRIORITY_UNSPECIFIED: Priority
PRIORITY_INTERACTIVE: Priority
PRIORITY_BATCH: Priority

class SummarizeRequest(_message.Message):
    __slots__ = ("text", "title", "source_language", "target_languages", "length", "min_tokens", "max_tokens", "include_sources", "html", "priority")
    TEXT_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    TARGET_LANGUAGES_FIELD_NUMBER: _ClassVar[int]
    LENGTH_FIELD_NUMBER: _ClassVar[int]
    MIN_TOKENS_FIELD_NUMBER: _ClassVar[int]
    MAX_TOKENS_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_SOURCES_FIELD_NUMBER: _ClassVar[int]
    HTML_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_FIELD_NUMBER: _ClassVar[int]
    text: str
    title: str
    source_language: str
    target_languages: _containers.RepeatedScalarFieldContainer[str]
    length: Length
    min_tokens: int
    max_tokens: int
    include_sources: bool
    html: str
    priority: Priority
    def __init__(self, text: _Optional[str] = ..., title: _Optional[str] = ..., source_language: _Optional[str] = ..., target_languages: _Optional[_Iterable[str]] = ..., length: _Optional[_Union[Length, str]] = ..., min_tokens: _Optional[int] = ..., max_tokens: _Optional[int] = ..., include_sources: _Optional[bool] = ..., html: _Optional[str] = ..., priority: _Optional[_Union[Priority, str]] = ...) -> None: ...

class Summary(_message.Message):
    __slots__ = ("language", "text", "model", "translated_from", "pivot_language", "truncated", "number_issues", "missing_names", "sources")
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    TRANSLATED_FROM_FIELD_NUMBER: _ClassVar[int]
    PIVOT_LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    TRUNCATED_FIELD_NUMBER: _ClassVar[int]
    NUMBER_ISSUES_FIELD_NUMBER: _ClassVar[int]
    MISSING_NAMES_FIELD_NUMBER: _ClassVar[int]
    SOURCES_FIELD_NUMBER: _ClassVar[int]
    language: str
    text: str
    model: str
    translated_from: str
    pivot_language: str
    truncated: bool
    number_issues: _containers.RepeatedCompositeFieldContainer[NumberIssue]
    missing_names: _containers.RepeatedScalarFieldContainer[str]
    sources: _containers.RepeatedCompositeFieldContainer[SentenceSources]
    def __init__(self, language: _Optional[str] = ..., text: _Optional[str] = ..., model: _Optional[str] = ..., translated_from: _Optional[str] = ..., pivot_language: _Optional[str] = ..., truncated: _Optional[bool] = ..., number_issues: _Optional[_Iterable[_Union[NumberIssue, _Mapping]]] = ..., missing_names: _Optional[_Iterable[str]] = ..., sources: _Optional[_Iterable[_Union[SentenceSources, _Mapping]]] = ...) -> None: ...

class NumberIssue(_message.Message):
    __slots__ = ("kind", "number", "found")
    KIND_FIELD_NUMBER: _ClassVar[int]
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    FOUND_FIELD_NUMBER: _ClassVar[int]
    kind: str
    number: str
    found: str
    def __init__(self, kind: _Optional[str] = ..., number: _Optional[str] = ..., found: _Optional[str] = ...) -> None: ...

class SentenceSources(_message.Message):
    __slots__ = ("sentence", "text", "sources")
    SENTENCE_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    SOURCES_FIELD_NUMBER: _ClassVar[int]
    sentence: int
    text: str
    sources: _containers.RepeatedCompositeFieldContainer[ArticleSentence]
    def __init__(self, sentence: _Optional[int] = ..., text: _Optional[str] = ..., sources: _Optional[_Iterable[_Union[ArticleSentence, _Mapping]]] = ...) -> None: ...

class ArticleSentence(_message.Message):
    __slots__ = ("index", "text", "score")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    index: int
    text: str
    score: float
    def __init__(self, index: _Optional[int] = ..., text: _Optional[str] = ..., score: _Optional[float] = ...) -> None: ...

class SummarizeMetadata(_message.Message):
    __slots__ = ("input_characters", "input_tokens", "chunks", "truncated", "truncated_characters", "queue_ms", "inference_ms", "total_ms", "cache_hits", "summarized_in", "merge_passes", "behind_interactive_ms", "source_sentences", "selected_sentences", "unselected_characters", "summary_trimmed_characters", "cut_translations", "html_extracted", "html_characters", "extracted_title", "output_language_mismatches")
    INPUT_CHARACTERS_FIELD_NUMBER: _ClassVar[int]
    INPUT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    CHUNKS_FIELD_NUMBER: _ClassVar[int]
    TRUNCATED_FIELD_NUMBER: _ClassVar[int]
    TRUNCATED_CHARACTERS_FIELD_NUMBER: _ClassVar[int]
    QUEUE_MS_FIELD_NUMBER: _ClassVar[int]
    INFERENCE_MS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_MS_FIELD_NUMBER: _ClassVar[int]
    CACHE_HITS_FIELD_NUMBER: _ClassVar[int]
    SUMMARIZED_IN_FIELD_NUMBER: _ClassVar[int]
    MERGE_PASSES_FIELD_NUMBER: _ClassVar[int]
    BEHIND_INTERACTIVE_MS_FIELD_NUMBER: _ClassVar[int]
    SOURCE_SENTENCES_FIELD_NUMBER: _ClassVar[int]
    SELECTED_SENTENCES_FIELD_NUMBER: _ClassVar[int]
    UNSELECTED_CHARACTERS_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_TRIMMED_CHARACTERS_FIELD_NUMBER: _ClassVar[int]
    CUT_TRANSLATIONS_FIELD_NUMBER: _ClassVar[int]
    HTML_EXTRACTED_FIELD_NUMBER: _ClassVar[int]
    HTML_CHARACTERS_FIELD_NUMBER: _ClassVar[int]
    EXTRACTED_TITLE_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_LANGUAGE_MISMATCHES_FIELD_NUMBER: _ClassVar[int]
    input_characters: int
    input_tokens: int
    chunks: int
    truncated: bool
    truncated_characters: int
    queue_ms: float
    inference_ms: float
    total_ms: float
    cache_hits: int
    summarized_in: str
    merge_passes: int
    behind_interactive_ms: float
    source_sentences: int
    selected_sentences: int
    unselected_characters: int
    summary_trimmed_characters: int
    cut_translations: int
    html_extracted: bool
    html_characters: int
    extracted_title: str
    output_language_mismatches: _containers.RepeatedCompositeFieldContainer[OutputLanguageMismatch]
    def __init__(self, input_characters: _Optional[int] = ..., input_tokens: _Optional[int] = ..., chunks: _Optional[int] = ..., truncated: _Optional[bool] = ..., truncated_characters: _Optional[int] = ..., queue_ms: _Optional[float] = ..., inference_ms: _Optional[float] = ..., total_ms: _Optional[float] = ..., cache_hits: _Optional[int] = ..., summarized_in: _Optional[str] = ..., merge_passes: _Optional[int] = ..., behind_interactive_ms: _Optional[float] = ..., source_sentences: _Optional[int] = ..., selected_sentences: _Optional[int] = ..., unselected_characters: _Optional[int] = ..., summary_trimmed_characters: _Optional[int] = ..., cut_translations: _Optional[int] = ..., html_extracted: _Optional[bool] = ..., html_characters: _Optional[int] = ..., extracted_title: _Optional[str] = ..., output_language_mismatches: _Optional[_Iterable[_Union[OutputLanguageMismatch, _Mapping]]] = ...) -> None: ...

class OutputLanguageMismatch(_message.Message):
    __slots__ = ("expected", "detected", "confidence", "model")
    EXPECTED_FIELD_NUMBER: _ClassVar[int]
    DETECTED_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    expected: str
    detected: str
    confidence: float
    model: str
    def __init__(self, expected: _Optional[str] = ..., detected: _Optional[str] = ..., confidence: _Optional[float] = ..., model: _Optional[str] = ...) -> None: ...

class SummarizeResponse(_message.Message):
    __slots__ = ("detected_language", "language_confidence", "summaries", "metadata")
    DETECTED_LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    SUMMARIES_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    detected_language: str
    language_confidence: float
    summaries: _containers.RepeatedCompositeFieldContainer[Summary]
    metadata: SummarizeMetadata
    def __init__(self, detected_language: _Optional[str] = ..., language_confidence: _Optional[float] = ..., summaries: _Optional[_Iterable[_Union[Summary, _Mapping]]] = ..., metadata: _Optional[_Union[SummarizeMetadata, _Mapping]] = ...) -> None: ...

class SummarizeStreamResponse(_message.Message):
    __slots__ = ("detected_language", "language_confidence", "summary", "metadata")
    DETECTED_LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    detected_language: str
    language_confidence: float
    summary: Summary
    metadata: SummarizeMetadata
    def __init__(self, detected_language: _Optional[str] = ..., language_confidence: _Optional[float] = ..., summary: _Optional[_Union[Summary, _Mapping]] = ..., metadata: _Optional[_Union[SummarizeMetadata, _Mapping]] = ...) -> None: ...

class TranslateRequest(_message.Message):
    __slots__ = ("texts", "source_language", "target_language", "priority")
    TEXTS_FIELD_NUMBER: _ClassVar[int]
    SOURCE_LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    TARGET_LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_FIELD_NUMBER: _ClassVar[int]
    texts: _containers.RepeatedScalarFieldContainer[str]
    source_language: str
    target_language: str
    priority: Priority
    def __init__(self, texts: _Optional[_Iterable[str]] = ..., source_language: _Optional[str] = ..., target_language: _Optional[str] = ..., priority: _Optional[_Union[Priority, str]] = ...) -> None: ...

class Translation(_message.Message):
    __slots__ = ("text", "model", "pivot_language", "truncated")
    TEXT_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    PIVOT_LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    TRUNCATED_FIELD_NUMBER: _ClassVar[int]
    text: str
    model: str
    pivot_language: str
    truncated: bool
    def __init__(self, text: _Optional[str] = ..., model: _Optional[str] = ..., pivot_language: _Optional[str] = ..., truncated: _Optional[bool] = ...) -> None: ...

class TranslateResponse(_message.Message):
    __slots__ = ("detected_language", "language_confidence", "translations")
    DETECTED_LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    TRANSLATIONS_FIELD_NUMBER: _ClassVar[int]
    detected_language: str
    language_confidence: float
    translations: _containers.RepeatedCompositeFieldContainer[Translation]
    def __init__(self, detected_language: _Optional[str] = ..., language_confidence: _Optional[float] = ..., translations: _Optional[_Iterable[_Union[Translation, _Mapping]]] = ...) -> None: ...

class DetectLanguageRequest(_message.Message):
    __slots__ = ("text",)
    TEXT_FIELD_NUMBER: _ClassVar[int]
    text: str
    def __init__(self, text: _Optional[str] = ...) -> None: ...

class LanguageScore(_message.Message):
    __slots__ = ("language", "confidence")
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    language: str
    confidence: float
    def __init__(self, language: _Optional[str] = ..., confidence: _Optional[float] = ...) -> None: ...

class DetectLanguageResponse(_message.Message):
    __slots__ = ("language", "confidence", "scores")
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    SCORES_FIELD_NUMBER: _ClassVar[int]
    language: str
    confidence: float
    scores: _containers.RepeatedCompositeFieldContainer[LanguageScore]
    def __init__(self, language: _Optional[str] = ..., confidence: _Optional[float] = ..., scores: _Optional[_Iterable[_Union[LanguageScore, _Mapping]]] = ...) -> None: ...

class GetInfoRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ModelInfo(_message.Message):
    __slots__ = ("name", "repo", "revision", "task", "license", "languages")
    NAME_FIELD_NUMBER: _ClassVar[int]
    REPO_FIELD_NUMBER: _ClassVar[int]
    REVISION_FIELD_NUMBER: _ClassVar[int]
    TASK_FIELD_NUMBER: _ClassVar[int]
    LICENSE_FIELD_NUMBER: _ClassVar[int]
    LANGUAGES_FIELD_NUMBER: _ClassVar[int]
    name: str
    repo: str
    revision: str
    task: str
    license: str
    languages: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, name: _Optional[str] = ..., repo: _Optional[str] = ..., revision: _Optional[str] = ..., task: _Optional[str] = ..., license: _Optional[str] = ..., languages: _Optional[_Iterable[str]] = ...) -> None: ...

class Limits(_message.Message):
    __slots__ = ("max_article_chars", "max_target_languages", "max_summary_tokens", "max_chunks", "max_translate_texts", "max_queue", "max_translated_tokens", "max_html_chars", "max_html_elements")
    MAX_ARTICLE_CHARS_FIELD_NUMBER: _ClassVar[int]
    MAX_TARGET_LANGUAGES_FIELD_NUMBER: _ClassVar[int]
    MAX_SUMMARY_TOKENS_FIELD_NUMBER: _ClassVar[int]
    MAX_CHUNKS_FIELD_NUMBER: _ClassVar[int]
    MAX_TRANSLATE_TEXTS_FIELD_NUMBER: _ClassVar[int]
    MAX_QUEUE_FIELD_NUMBER: _ClassVar[int]
    MAX_TRANSLATED_TOKENS_FIELD_NUMBER: _ClassVar[int]
    MAX_HTML_CHARS_FIELD_NUMBER: _ClassVar[int]
    MAX_HTML_ELEMENTS_FIELD_NUMBER: _ClassVar[int]
    max_article_chars: int
    max_target_languages: int
    max_summary_tokens: int
    max_chunks: int
    max_translate_texts: int
    max_queue: int
    max_translated_tokens: int
    max_html_chars: int
    max_html_elements: int
    def __init__(self, max_article_chars: _Optional[int] = ..., max_target_languages: _Optional[int] = ..., max_summary_tokens: _Optional[int] = ..., max_chunks: _Optional[int] = ..., max_translate_texts: _Optional[int] = ..., max_queue: _Optional[int] = ..., max_translated_tokens: _Optional[int] = ..., max_html_chars: _Optional[int] = ..., max_html_elements: _Optional[int] = ...) -> None: ...

class GetInfoResponse(_message.Message):
    __slots__ = ("version", "profile", "languages", "pairs", "models", "limits", "backend", "device", "summarizer", "language_details")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    PROFILE_FIELD_NUMBER: _ClassVar[int]
    LANGUAGES_FIELD_NUMBER: _ClassVar[int]
    PAIRS_FIELD_NUMBER: _ClassVar[int]
    MODELS_FIELD_NUMBER: _ClassVar[int]
    LIMITS_FIELD_NUMBER: _ClassVar[int]
    BACKEND_FIELD_NUMBER: _ClassVar[int]
    DEVICE_FIELD_NUMBER: _ClassVar[int]
    SUMMARIZER_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_DETAILS_FIELD_NUMBER: _ClassVar[int]
    version: str
    profile: str
    languages: _containers.RepeatedScalarFieldContainer[str]
    pairs: _containers.RepeatedScalarFieldContainer[str]
    models: _containers.RepeatedCompositeFieldContainer[ModelInfo]
    limits: Limits
    backend: str
    device: str
    summarizer: str
    language_details: _containers.RepeatedCompositeFieldContainer[LanguageInfo]
    def __init__(self, version: _Optional[str] = ..., profile: _Optional[str] = ..., languages: _Optional[_Iterable[str]] = ..., pairs: _Optional[_Iterable[str]] = ..., models: _Optional[_Iterable[_Union[ModelInfo, _Mapping]]] = ..., limits: _Optional[_Union[Limits, _Mapping]] = ..., backend: _Optional[str] = ..., device: _Optional[str] = ..., summarizer: _Optional[str] = ..., language_details: _Optional[_Iterable[_Union[LanguageInfo, _Mapping]]] = ...) -> None: ...

class LanguageInfo(_message.Message):
    __slots__ = ("code", "name", "native_name")
    CODE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    NATIVE_NAME_FIELD_NUMBER: _ClassVar[int]
    code: str
    name: str
    native_name: str
    def __init__(self, code: _Optional[str] = ..., name: _Optional[str] = ..., native_name: _Optional[str] = ...) -> None: ...
