"""Language detection: the start of long texts, errors for nothing detectable, the override."""

from __future__ import annotations

from typing import cast

import pytest

from precis_models.language import LanguageDetector
from precis_models.unsupported import ForeignLanguage, UnsupportedLanguageCheck
from precis_news.pipeline.detection import DETECTION_SAMPLE_CHARS, detect, refuse_unsupported
from precis_news.pipeline.errors import BadRequest
from precis_news.pipeline.jobs import SummarizeJob
from tests.unit.precis_news.pipeline.stand_ins import Answers, model_set, serving


def _detector(answers: Answers) -> LanguageDetector:
    return cast(LanguageDetector, answers)


def test_the_most_likely_language_with_every_score() -> None:
    answers = Answers([("fr", 0.8), ("en", 0.2)])
    found = detect(_detector(answers), "Le conseil a voté.")
    assert (found.language, found.confidence) == ("fr", 0.8)
    assert found.scores == (("fr", 0.8), ("en", 0.2))


def test_a_long_text_is_detected_from_its_start() -> None:
    answers = Answers()
    detect(_detector(answers), "word " * 10_000)
    assert [len(t) for t in answers.asked] == [DETECTION_SAMPLE_CHARS]


@pytest.mark.parametrize("scores", [[], [("en", 0.0), ("fr", 0.0)]])
def test_nothing_detectable_asks_for_source_language(scores: list[tuple[str, float]]) -> None:
    with pytest.raises(BadRequest) as caught:
        detect(_detector(Answers(scores)), "1234 5678 !!!")
    assert caught.value.message.startswith("could not detect the language")
    assert caught.value.message.endswith("set source_language to one of en, fr, uk, ru")
    assert caught.value.field == "source_language"


def test_empty_text_is_not_detected() -> None:
    answers = Answers()
    with pytest.raises(BadRequest, match=r"^text is empty$"):
        detect(_detector(answers), " \n")
    assert answers.asked == []


async def test_a_given_source_language_skips_detection() -> None:
    answers = Answers([("fr", 1.0)])
    async with serving(model_set(), answers) as pipeline:
        result = await pipeline.summarize(
            SummarizeJob("The council met. It voted.", source_language="en-GB", targets=("en",))
        )
        found, summaries = result.detection, result.summaries
    assert (found.language, found.confidence) == ("en", 1.0)
    assert [s.language for s in summaries] == ["en"]
    assert answers.asked == []  # detection never ran


class _Finds:
    """A stand-in UnsupportedLanguageCheck that finds `found` in every text."""

    def __init__(self, found: ForeignLanguage | None) -> None:
        self.found = found
        self.asked: list[str] = []

    def foreign(self, text: str) -> ForeignLanguage | None:
        self.asked.append(text)
        return self.found


def test_an_unsupported_language_is_refused_by_name() -> None:
    check = _Finds(ForeignLanguage("de", "German", 0.9))
    with pytest.raises(BadRequest) as caught:
        refuse_unsupported(cast(UnsupportedLanguageCheck, check), "x " * 5000, what="the article")
    assert caught.value.message == (
        "the article appears to be German (de); supported: en, fr, uk, ru (if it is in one of "
        "them, say which in source_language)"
    )
    assert caught.value.field == "source_language"
    # The whole article (issue 23: a long quote at its start does not decide); the check
    # bounds its own cost by sampling (precis_models.unsupported.MAX_SEGMENTS).
    assert [len(t) for t in check.asked] == [10_000]


def test_a_served_language_passes() -> None:
    refuse_unsupported(cast(UnsupportedLanguageCheck, _Finds(None)), "text", what="the text")


def test_without_an_override_field_the_error_names_the_text() -> None:
    with pytest.raises(BadRequest) as caught:
        detect(_detector(Answers([])), "1234 5678 !!!", override=None)
    assert caught.value.message == (
        "could not detect the language of the text; supported: en, fr, uk, ru"
    )
    assert caught.value.field == "text"
