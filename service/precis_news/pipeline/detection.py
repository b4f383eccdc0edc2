"""Which supported language a text is in, and whether a model wrote the language it was asked."""

from __future__ import annotations

import asyncio

from precis_models import languages
from precis_models.language import LanguageDetector, LanguageMismatch, check_output_language
from precis_models.unsupported import UnsupportedLanguageCheck
from precis_news.pipeline.errors import BadRequest
from precis_news.pipeline.jobs import Detection

DETECTION_SAMPLE_CHARS = 4000  # language detection reads the start of long texts only


def detect(
    detector: LanguageDetector, text: str, *, override: str | None = "source_language"
) -> Detection:
    """The most likely supported language of `text` (blocking: call from a worker thread).

    Args:
        detector: the server's detector.
        text: what to detect.
        override: the request's field that names the language instead, which an undetectable
            text's error points to; None for a request that has none (DetectLanguage).

    Raises:
        BadRequest: empty text, or no supported language recognised in it.
    """
    if not text.strip():
        raise BadRequest("text is empty", field="text")
    scores = tuple(detector.scores(text[:DETECTION_SAMPLE_CHARS]))
    if not scores or scores[0][1] <= 0.0:
        if override is None:
            raise BadRequest(
                f"could not detect the language of the text; supported: {languages.listed()}",
                field="text",
            )
        raise BadRequest(
            "could not detect the language of the text; "
            f"set {override} to one of {languages.listed()}",
            field=override,
        )
    return Detection(scores[0][0], scores[0][1], scores)


def refuse_unsupported(check: UnsupportedLanguageCheck, text: str, *, what: str) -> None:
    """Refuse `text` when most of the whole of it is in a language that is not served (blocking;
    the check samples a long text, see UnsupportedLanguageCheck.foreign).

    Raises:
        BadRequest: naming the language found ("the article appears to be German (de); ...").
    """
    found = check.foreign(text)  # the whole article: a long quote at its start does not decide
    if found is not None:
        raise BadRequest(
            f"{what} appears to be {found.name} ({found.code}); supported: {languages.listed()} "
            "(if it is in one of them, say which in source_language)",
            field="source_language",
        )


async def wrong_language(
    detector: LanguageDetector, text: str, *, expected: str, model: str
) -> LanguageMismatch | None:
    """The mismatch when `model`'s output `text` reads as another language than `expected`."""
    return await asyncio.to_thread(
        check_output_language, detector, text, expected=expected, model=model
    )
