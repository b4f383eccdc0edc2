"""Request checks: supported languages, visible text, size limits and summary length bounds."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from precis_models import languages
from precis_models.sentences import is_blank, split_sentences
from precis_news import content
from precis_news.pipeline.errors import BadRequest, TooLarge, echo
from precis_news.pipeline.jobs import SummarizeJob
from precis_news.settings import Settings


def normalize_language(code: str, *, field_name: str) -> str:
    """ "en-GB" / "EN" -> "en"; BadRequest for anything not supported."""
    primary = code.strip().replace("_", "-").split("-", 1)[0].lower()
    if primary not in languages.REGISTRY:
        raise BadRequest(
            f"unsupported language {echo(code)} in {field_name}; supported: {languages.listed()}",
            field=field_name,
        )
    return primary


def require_visible(text: str, *, field_name: str) -> None:
    """BadRequest for a text that is empty or has only invisible characters."""
    if not text.strip():
        raise BadRequest(f"{field_name} is empty", field=field_name)
    if is_blank(text):
        raise BadRequest(
            f"{field_name} has no visible characters (only invisible or control characters)",
            field=field_name,
        )


def refuse_binary(text: str, *, field_name: str) -> None:
    """BadRequest for a text that is a binary file read as text, naming its kind ("text is a
    PDF file: Précis reads plain text or HTML"; see precis_news.content)."""
    kind = content.file_kind(text)
    if kind is not None:
        raise BadRequest(content.refusal(field_name, kind), field=field_name)


def visible_sentences(text: str) -> list[str]:
    """The sentences of `text` that have something visible in them."""
    return [s for s in split_sentences(text) if not is_blank(s)]


def check_summarize(
    job: SummarizeJob, *, settings: Settings, lengths: Mapping[str, tuple[int, int]]
) -> tuple[tuple[str, ...], int, int]:
    """The job's normalized target languages and its (min, max) summary tokens.

    Args:
        job: the request.
        settings: the server's limits.
        lengths: the summarizer's length presets (name -> (min, max) tokens).

    Raises:
        BadRequest: bad input (the message says what is allowed).
        TooLarge: the article exceeds max_article_chars.
    """
    require_visible(job.text, field_name="text")
    refuse_binary(job.text, field_name="text")
    size = len(job.text) + len(job.title)
    if size > settings.max_article_chars:
        raise TooLarge(
            f"article has {size} characters; the limit is {settings.max_article_chars}",
            field="text",
        )
    targets = _targets(job.targets, most=settings.max_target_languages)
    low, high = _summary_bounds(job, lengths=lengths, most=settings.max_summary_tokens)
    return targets, low, high


def _targets(given: Sequence[str], *, most: int) -> tuple[str, ...]:
    if len(given) > most:
        raise BadRequest(f"{len(given)} target languages; at most {most}", field="target_languages")
    targets = tuple(normalize_language(t, field_name="target_languages") for t in given)
    if len(set(targets)) != len(targets):
        raise BadRequest("a target language is repeated", field="target_languages")
    return targets


def _summary_bounds(
    job: SummarizeJob, *, lengths: Mapping[str, tuple[int, int]], most: int
) -> tuple[int, int]:
    """The preset's (min, max) tokens, overridden by the job's explicit bounds."""
    if job.length not in lengths:
        raise BadRequest(
            f"unknown length {echo(job.length)}; use {', '.join(lengths)}", field="length"
        )
    low, high = lengths[job.length]
    if job.min_tokens is None and job.max_tokens is None:
        return low, high
    # A bound not given follows the one given (max_tokens=20 alone lowers the preset's min).
    high = job.max_tokens if job.max_tokens is not None else max(high, job.min_tokens or 0)
    low = job.min_tokens if job.min_tokens is not None else min(low, high)
    # The message names the bounds the caller gave, not the preset's that were derived.
    given = " ".join(
        f"{name}={value}"
        for name, value in (("min_tokens", job.min_tokens), ("max_tokens", job.max_tokens))
        if value is not None
    )
    if high > most:
        name = "max_tokens" if job.max_tokens is not None else "min_tokens"
        raise BadRequest(
            f"bad length bounds {given}: {name} is over this server's limit of {most} tokens",
            field=name,
        )
    if low < 0 or high < 1 or low > high:
        raise BadRequest(
            f"bad length bounds {given}: need 0 <= min_tokens <= max_tokens <= {most} and "
            "max_tokens >= 1",
            field="max_tokens" if high < 1 else "min_tokens",
        )
    return low, high


def check_translate(texts: Sequence[str], target_language: str, *, settings: Settings) -> str:
    """The normalized target language of a Translate request.

    Raises:
        BadRequest: no texts, an empty text, too many texts, or a bad language.
        TooLarge: the texts together exceed max_article_chars.
    """
    if not texts:
        raise BadRequest("texts is empty; give at least one text", field="texts")
    if len(texts) > settings.max_translate_texts:
        raise BadRequest(
            f"{len(texts)} texts; at most {settings.max_translate_texts} per call", field="texts"
        )
    for i, text in enumerate(texts):
        require_visible(text, field_name=f"texts[{i}]")
        refuse_binary(text, field_name=f"texts[{i}]")
    size = sum(len(t) for t in texts)
    if size > settings.max_article_chars:
        raise TooLarge(f"texts have {size} characters; the limit is {settings.max_article_chars}")
    if not target_language:
        raise BadRequest(
            f"target_language is required; one of {languages.listed()}",
            field="target_language",
        )
    return normalize_language(target_language, field_name="target_language")
