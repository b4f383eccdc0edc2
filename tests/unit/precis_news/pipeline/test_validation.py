"""Request checks: languages, visible text, size limits, targets and summary length bounds."""

from __future__ import annotations

import pytest

from precis_news.pipeline.errors import BadRequest, TooLarge
from precis_news.pipeline.jobs import SummarizeJob
from precis_news.pipeline.validation import (
    check_summarize,
    check_translate,
    normalize_language,
    refuse_binary,
    require_visible,
    visible_sentences,
)
from precis_news.settings import Settings

SUPPORTED = "en, fr, uk, ru"
NO_VISIBLE = "has no visible characters (only invisible or control characters)"
LENGTHS = {"short": (27, 70), "medium": (54, 139), "long": (81, 208)}
SETTINGS = Settings()


def _summarize(**job: object) -> tuple[tuple[str, ...], int, int]:
    return check_summarize(
        SummarizeJob(**{"text": "Hello there.", **job}),  # type: ignore[arg-type]
        settings=SETTINGS,
        lengths=LENGTHS,
    )


@pytest.mark.parametrize(("code", "expected"), [("en-GB", "en"), ("EN", "en"), (" fr_CA ", "fr")])
def test_language_codes_are_normalized(code: str, expected: str) -> None:
    assert normalize_language(code, field_name="x") == expected


def test_an_unsupported_language_names_it_its_field_and_the_supported_ones() -> None:
    with pytest.raises(BadRequest) as caught:
        normalize_language("de", field_name="target_languages")
    assert (
        caught.value.message
        == f"unsupported language 'de' in target_languages; supported: {SUPPORTED}"
    )
    assert caught.value.field == "target_languages"


def test_an_endless_language_code_is_echoed_cut() -> None:
    with pytest.raises(BadRequest) as caught:
        normalize_language("x" * 100_000, field_name="source_language")
    assert "… (100000 characters)" in caught.value.message
    assert len(caught.value.message) < 200


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "text is empty"), ("  \n\t", "text is empty"), ("\u200b\ufeff", f"text {NO_VISIBLE}")],
)
def test_text_must_have_something_visible(text: str, message: str) -> None:
    with pytest.raises(BadRequest) as caught:
        require_visible(text, field_name="text")
    assert (caught.value.message, caught.value.field) == (message, "text")


def test_invisible_sentences_are_left_out() -> None:
    assert visible_sentences("\u200b\n\nOne here.\n\n\ufeff\u200e") == ["One here."]


def test_presets_and_targets_are_returned_normalized() -> None:
    assert _summarize() == ((), 54, 139)
    assert _summarize(length="short", targets=("FR", "uk-UA")) == (("fr", "uk"), 27, 70)


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        (3, 5, (3, 5)),
        (None, 5, (5, 5)),
        (None, 100, (54, 100)),
        (200, None, (200, 200)),
        (0, None, (0, 139)),
    ],
)
def test_explicit_bounds_override_the_preset(
    low: int | None, high: int | None, expected: tuple[int, int]
) -> None:
    assert _summarize(min_tokens=low, max_tokens=high)[1:] == expected


@pytest.mark.parametrize(
    ("low", "high", "field", "message"),
    [
        (10, 5, "min_tokens", "min_tokens=10 max_tokens=5: need 0 <= min_tokens <= max_tokens"),
        (None, 0, "max_tokens", "max_tokens=0: need 0 <= min_tokens <= max_tokens <= 512"),
        (-1, 10, "min_tokens", "min_tokens=-1 max_tokens=10: need 0 <= min_tokens"),
        # Only the bounds given are named (never the preset's min_tokens that was derived).
        (None, 1000, "max_tokens", "max_tokens=1000: max_tokens is over this server's limit"),
        (600, None, "min_tokens", "min_tokens=600: min_tokens is over this server's limit"),
    ],
)
def test_bad_length_bounds(low: int | None, high: int | None, field: str, message: str) -> None:
    with pytest.raises(BadRequest) as caught:
        _summarize(min_tokens=low, max_tokens=high)
    assert caught.value.message.startswith(f"bad length bounds {message}")
    assert caught.value.field == field


def test_max_tokens_alone_under_the_presets_min_lowers_the_min() -> None:
    assert _summarize(max_tokens=20)[1:] == (20, 20)


def test_unknown_length_lists_the_presets() -> None:
    with pytest.raises(BadRequest) as caught:
        _summarize(length="enum value 9")
    assert caught.value.message == "unknown length 'enum value 9'; use short, medium, long"
    assert caught.value.field == "length"


def test_too_many_and_repeated_targets() -> None:
    with pytest.raises(BadRequest) as caught:
        _summarize(targets=("en", "fr", "uk", "ru", "en"))
    assert caught.value.message == "5 target languages; at most 4"
    with pytest.raises(BadRequest) as caught:
        _summarize(targets=("fr", "FR"))
    assert caught.value.message == "a target language is repeated"
    assert caught.value.field == "target_languages"


def test_the_article_size_counts_the_title() -> None:
    with pytest.raises(TooLarge) as caught:
        _summarize(text="x" * 199_990, title="y" * 11)
    assert caught.value.message == "article has 200001 characters; the limit is 200000"
    assert caught.value.field == "text"


def test_a_binary_file_is_refused_naming_its_type_before_its_size() -> None:
    with pytest.raises(BadRequest) as caught:
        _summarize(text="%PDF-1.7\n" + "x" * 300_000, targets=("de",))
    assert caught.value.message == "text is a PDF file: Précis reads plain text or HTML"
    assert caught.value.field == "text"
    with pytest.raises(BadRequest) as caught:
        check_translate(["ok", "Rar!\x1a\x07\x00"], "fr", settings=SETTINGS)
    assert caught.value.message == "texts[1] is a RAR archive: Précis reads plain text or HTML"
    assert caught.value.field == "texts[1]"
    refuse_binary("An article about %PDF-1.7 files.", field_name="text")  # prose passes


def test_the_text_is_checked_before_anything_else() -> None:
    with pytest.raises(BadRequest) as caught:
        _summarize(text=" ", targets=("de",), length="huge")
    assert caught.value.message == "text is empty"


@pytest.mark.parametrize(
    ("texts", "target", "message"),
    [
        ([], "fr", "texts is empty; give at least one text"),
        (["ok", " "], "fr", "texts[1] is empty"),
        (["ok", "\u200b\u200e"], "fr", f"texts[1] {NO_VISIBLE}"),
        (["ok"], "", f"target_language is required; one of {SUPPORTED}"),
        (["ok"], "es", f"unsupported language 'es' in target_language; supported: {SUPPORTED}"),
        (["ok"] * 129, "fr", "129 texts; at most 128 per call"),
    ],
)
def test_translate_validation(texts: list[str], target: str, message: str) -> None:
    with pytest.raises(BadRequest) as caught:
        check_translate(texts, target, settings=SETTINGS)
    assert caught.value.message == message


def test_translate_size_limit_and_target() -> None:
    with pytest.raises(TooLarge) as caught:
        check_translate(["x" * 100_000, "y" * 100_001], "fr", settings=SETTINGS)
    assert caught.value.message == "texts have 200001 characters; the limit is 200000"
    assert check_translate(["ok"], "FR-fr", settings=SETTINGS) == "fr"


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("", "Body."),
        ("  ", "Body."),
        ("Budget passed", "Budget passed.\n\nBody."),
        ("Why?", "Why?\n\nBody."),
    ],
)
def test_the_title_is_the_first_sentence_of_the_article(title: str, expected: str) -> None:
    assert SummarizeJob("Body.", title=title).article == expected
