"""The unsupported-language check on the project's corpus (tests/data/languages.toml): hard
in-scope cases are never refused, de/es/pl/bg/be/sr/it articles are, by their language's name."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from typing import Any

import pytest

from precis_models import languages
from precis_models.language import SHORT_TEXT
from precis_models.unsupported import (
    MAX_SEGMENTS,
    SEGMENT_CHARS,
    UnsupportedLanguageCheck,
    _ruled_out,
    _sampled,
)
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


# Texts of FLORES-200 devtest (CC BY-SA 4.0, bench/data/vendor/flores200) that lingua's
# low-accuracy mode read as another language before issue 23: Ukrainian news as Kazakh ("Kazakh
# 1.0"), Czech as Slovak.
UKRAINIAN_READ_AS_KAZAKH = (
    "Учора вранці біля відділення поліції міста Газіантеп, Туреччина, здетонувала автомобільна "
    "бомба, яка призвела до загибелі двох офіцерів поліції й поранення понад двадцяти інших "
    "осіб. Адміністрація губернатора заявила, що дев'ятнадцять із поранених були "
    "співробітниками поліції. Поліція заявила, що підозрює в нападі бойовика Даїш (ІДІЛ)."
)
CZECH_READ_AS_SLOVAK = (
    "Robin Uthappa dosáhl nejvyššího skóre za směnu, kdy za 70 výpadů při pouhých 41 míčích "
    "hodil 11 čtyřek a 2 šestky. Střední odpalovači Sachin Tendulkar a Rahul Dravid si vedli "
    "dobře a uzavřeli stotisícové partnerství. Po ztrátě branky kapitána však Indie získala "
    "pouze 36 bodů a ztratila 7 branek, čímž ukončila směnu."
)


def test_ukrainian_news_is_never_refused_as_kazakh(check: UnsupportedLanguageCheck) -> None:
    assert check.foreign(UKRAINIAN_READ_AS_KAZAKH) is None


def test_czech_is_refused_as_czech_not_slovak(check: UnsupportedLanguageCheck) -> None:
    found = check.foreign(CZECH_READ_AS_SLOVAK)
    assert found is not None and (found.code, found.name) == ("cs", "Czech")


@pytest.mark.parametrize(
    ("language", "segment", "ruled_out"),
    [
        ("KAZAKH", UKRAINIAN_READ_AS_KAZAKH, True),  # none of ә ғ қ ң ө ұ ү һ
        (
            "KAZAKH",
            "Қазақстан Республикасы өзін демократиялық мемлекет ретінде орнықтырады.",
            False,
        ),
        ("SLOVAK", CZECH_READ_AS_SLOVAK, True),  # ě ř
        ("CZECH", "Ľudia majú právo na slobodu, ktorá je pôvodná.", True),  # ľ ô
        ("BULGARIAN", "Это был долгий день.", True),  # ы э: Russian letters
        ("BELARUSIAN", "Це був довгий день, і щастя.", True),  # и щ
        ("GERMAN", "Das war ein langer Tag.", False),  # no letter rule
    ],
)
def test_letters_rule_out_close_languages(language: str, segment: str, ruled_out: bool) -> None:
    assert _ruled_out(language, segment) is ruled_out


def test_an_english_article_quoting_a_long_german_passage_is_served(
    check: UnsupportedLanguageCheck,
) -> None:
    # The quote is most of the first 4,000 characters but not of the whole article.
    german = next(c["text"] for c in CORPUS["refuse"] if c["language"] == "de")
    english = next(c["text"] for c in CORPUS["serve"] if c.get("kind") == "names")
    quote = "\n\n".join([german] * (2400 // len(german) + 1))
    article = f"{english}\n\n{quote}\n\n" + "\n\n".join(
        [english] * (len(quote) // len(english) + 2)
    )
    assert len(quote[: 4000 - len(english)]) > 2000  # the start alone read as German before
    assert check.foreign(article) is None
    assert check.foreign(f"{quote}\n\n{english}") is not None  # a German majority is refused


def test_a_long_article_is_read_in_a_bounded_number_of_segments() -> None:
    sentence = "The council met on Monday and voted to raise bus fares by ten per cent. "
    article = sentence * 2000  # 144,000 characters
    sampled = list(_sampled(article))
    assert len(sampled) == MAX_SEGMENTS
    assert sum(weight for _, weight in sampled) == pytest.approx(len(article))
    assert all(SEGMENT_CHARS <= len(segment) <= 3 * SEGMENT_CHARS for segment, _ in sampled)
