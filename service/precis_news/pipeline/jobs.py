"""A summarization job and what the pipeline yields for it: detection, summaries, metadata."""

from __future__ import annotations

from dataclasses import dataclass, field

from precis_models.batching import Generated
from precis_models.language import LanguageMismatch
from precis_models.scheduling import ANYONE, Caller
from precis_news.pipeline.numbers import NumberIssue
from precis_news.pipeline.provenance import SentenceSources

DEFAULT_LENGTH = "medium"  # the length preset of a request that names none


@dataclass(frozen=True)
class SummarizeJob:
    """A validated-on-use summarization request."""

    text: str
    title: str = ""
    source_language: str = ""
    targets: tuple[str, ...] = ()
    length: str = DEFAULT_LENGTH
    min_tokens: int | None = None
    max_tokens: int | None = None
    include_sources: bool = False  # list each summary sentence's article sentences
    html: str = ""  # the article as an HTML page instead of text (see pipeline.html)
    caller: Caller = ANYONE  # whom it is for: priority, fair-share key, deadline (transport's)

    @property
    def article(self) -> str:
        """The text to summarize: the title, as the first sentence, then the text."""
        title = self.title.strip()
        if not title:
            return self.text
        return f"{title}{'' if title[-1] in '.!?…' else '.'}\n\n{self.text}"


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
    # What the checks found (see pipeline.checks); they never fail a call.
    number_issues: list[NumberIssue] = field(default_factory=list)
    missing_names: list[str] = field(default_factory=list)
    sources: list[SentenceSources] = field(default_factory=list)  # when include_sources


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
    behind_interactive_ms: float = 0.0  # batch priority: model time given to interactive work
    summarized_in: str = ""
    merge_passes: int = 0
    # Non-English articles: sentences in the article, sentences translated and summarized, and
    # the characters of those left out (see selection.select_for_translation).
    source_sentences: int = 0
    selected_sentences: int = 0
    unselected_characters: int = 0
    summary_trimmed_characters: int = 0  # cut-off last sentence removed from the summary
    cut_translations: int = 0  # sentence translations that hit the translator's length limit
    html_extracted: bool = False  # the article was extracted from the request's html
    html_characters: int = 0  # size of that html
    extracted_title: str = ""  # the page's title, used because the request gave none
    output_language_mismatches: list[LanguageMismatch] = field(default_factory=list)

    def add(self, part: Generated | Metadata) -> None:
        """Count another stage's queueing, inference and cache hits in this request's totals."""
        self.queue_ms += part.queue_ms
        self.inference_ms += part.inference_ms
        self.cache_hits += part.cache_hits
        self.behind_interactive_ms += part.behind_interactive_ms

    def add_translation(self, part: Metadata) -> None:
        """Count a translation stage: its times and cache hits, and its cut sentences."""
        self.add(part)
        self.cut_translations += part.cut_translations


@dataclass(frozen=True)
class SummarizeResult:
    """A whole Summarize call's answer: the source language, the summaries in request order,
    and how it was served."""

    detection: Detection
    summaries: list[Summary]
    metadata: Metadata
