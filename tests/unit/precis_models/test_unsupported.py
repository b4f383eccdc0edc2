"""The unsupported-language check on the project's corpus (tests/data/languages.toml): hard
in-scope cases are never refused, de/es/pl/bg/be/sr/it articles are, by their language's name."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from typing import Any

import pytest

from precis_models import languages
from precis_models.language import SHORT_TEXT
from precis_models.unsupported import UnsupportedLanguageCheck
from tests.support import ROOT, report

CORPUS: dict[str, list[dict[str, Any]]] = tomllib.loads(
    (ROOT / "tests" / "data" / "languages.toml").read_text(encoding="utf-8")
)
NAMES = {
    "de": "German",
    "es": "Spanish",
    "pl": "Polish",
    "bg": "Bulgarian",
    "be": "Belarusian",
    "sr": "Serbian",
    "it": "Italian",
}


@pytest.fixture(scope="module")
def check() -> Iterator[UnsupportedLanguageCheck]:
    yield UnsupportedLanguageCheck(languages.codes())


def _label(case: dict[str, Any]) -> str:
    return f"{case['language']}-{case.get('kind', 'article')}-{case['text'][:12]}"


@pytest.mark.parametrize("case", CORPUS["serve"], ids=_label)
def test_no_article_in_a_served_language_is_refused(
    check: UnsupportedLanguageCheck, case: dict[str, Any]
) -> None:
    assert check.foreign(case["text"]) is None


@pytest.mark.parametrize("case", CORPUS["refuse"], ids=_label)
def test_an_article_in_another_language_is_named(
    check: UnsupportedLanguageCheck, case: dict[str, Any]
) -> None:
    found = check.foreign(case["text"])
    assert found is not None
    assert (found.code, found.name) == (case["language"], NAMES[case["language"]])
    assert 0.5 < found.share <= 1.0


def test_the_corpus_covers_the_hard_cases() -> None:
    kinds = {case["kind"] for case in CORPUS["serve"]}
    assert kinds == {"headline", "short", "names", "cyrillic", "mixed"}
    assert {"de", "es", "pl", "bg"} <= {case["language"] for case in CORPUS["refuse"]}
    report(
        f"language refusal corpus: {len(CORPUS['serve'])} in-scope, "
        f"{len(CORPUS['refuse'])} out-of-scope texts"
    )


def test_a_text_too_short_to_tell_is_never_refused(check: UnsupportedLanguageCheck) -> None:
    headline = "Regierung beschließt neuen Haushalt"  # German, but below SHORT_TEXT
    assert len(headline) < SHORT_TEXT
    assert check.foreign(headline) is None
    assert check.foreign("") is None
    assert check.foreign("12345 67890 !!! ??? " * 20) is None  # nothing in any language


def test_a_mixed_article_goes_by_its_majority(check: UnsupportedLanguageCheck) -> None:
    german = next(c["text"] for c in CORPUS["refuse"] if c["language"] == "de")
    english = next(c["text"] for c in CORPUS["serve"] if c.get("kind") == "names")
    assert check.foreign(f"{english}\n\n{english}\n\n{german}") is None
    found = check.foreign(f"{german}\n\n{german}\n\n{english}")
    assert found is not None and found.code == "de" and 0.5 < found.share < 1.0
