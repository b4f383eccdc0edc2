"""The language registry: its four languages, and a fifth added in one place reaching every
consumer (validation, detection, refusal, sentences, numbers, names, build, catalog, GetInfo)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from precis_models import backends, build, languages
from precis_models.catalog import CATALOG_PATH, load_catalog
from precis_models.language import LanguageDetector
from precis_models.languages import Language
from precis_models.sentences import split_sentences
from precis_models.unsupported import UnsupportedLanguageCheck
from precis_news.pipeline import numbers, spelling
from precis_news.pipeline.errors import BadRequest
from precis_news.pipeline.validation import normalize_language
from precis_news.server.wire import info_response
from precis_news.settings import Settings

# German, long enough for lingua's low-accuracy mode (SHORT_TEXT) and the refusal's segments.
GERMAN = (
    "Die Stadtverwaltung hat am Montag neue Regeln für den Verkehr in der Innenstadt "
    "vorgestellt. Nach Angaben des Bürgermeisters sollen die Straßen ab dem nächsten Jahr "
    "für Autos gesperrt werden. Viele Händler befürchten, dass weniger Kunden kommen, während "
    "Anwohner die ruhigeren Straßen begrüßen und mehr Platz für Fahrräder fordern."
)


@pytest.fixture
def xx(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Language:
    """A fifth language, "xx", registered in the registry only (and gone after the test)."""
    corpus = tmp_path / "xx.txt"
    corpus.write_text("Erster Absatz.\n\nZweiter Absatz.\n", encoding="utf-8")
    fake = Language(
        code="xx",
        name="Xish",
        native_name="xisch",
        lingua="GERMAN",  # a real lingua language, so the detectors can be built for it
        script="Greek",
        capitals="Α-Ω",
        abbreviations=frozenset(["zb", "usw"]),  # "usw." ends a sentence: it closes a list
        closing_abbreviations=frozenset(["usw"]),
        number_words={"zwei": 2},
        scale_words={"tausend": 10**3},
        to_latin={"ß": "ss"},
        corpus=corpus,
    )
    monkeypatch.setitem(languages.REGISTRY, "xx", fake)
    return fake


def test_the_served_languages_and_their_data() -> None:
    assert languages.codes() == ("en", "fr", "uk", "ru")
    assert languages.listed() == "en, fr, uk, ru"
    assert [lang.name for lang in languages.served()] == [
        "English",
        "French",
        "Ukrainian",
        "Russian",
    ]
    for lang in languages.served():
        assert lang.corpus is not None and lang.corpus.is_file(), lang.code
        assert bool(lang.to_latin) == (lang.script != "Latin"), lang.code
    assert languages.get("uk").to_latin["ї"] == "i"
    assert languages.number_words()["дві"] == 2 and languages.scale_words()["млн"] == 10**6
    assert languages.merged_words("articles") >= {"the", "la"} and not languages.get("uk").articles
    with pytest.raises(KeyError, match="unknown language 'de'; served: en, fr, uk, ru"):
        languages.get("de")


def test_a_fifth_language_is_a_target(xx: Language) -> None:
    assert normalize_language("XX-yy", field_name="target_languages") == "xx"
    with pytest.raises(BadRequest) as info:
        normalize_language("de", field_name="target_languages")
    assert str(info.value) == (
        "unsupported language 'de' in target_languages; supported: en, fr, uk, ru, xx"
    )


def test_without_it_the_code_is_refused() -> None:
    with pytest.raises(BadRequest):
        normalize_language("xx", field_name="target_languages")


def test_a_fifth_language_reaches_the_text_rules(xx: Language) -> None:
    # Its abbreviations and capitals: "zb." does not end a sentence, "Ω" starts one.
    assert split_sentences("Es kam zb. Morgen an. Ωmega folgt.") == [
        "Es kam zb. Morgen an.",
        "Ωmega folgt.",
    ]
    assert split_sentences("Äpfel, Birnen usw. Danach mehr.") == [
        "Äpfel, Birnen usw.",
        "Danach mehr.",
    ]
    assert [m.values for m in numbers.mentions("zwei Katzen, 3 tausend Hunde")] == [
        frozenset({Decimal(2)}),
        frozenset({Decimal(3), Decimal(3000)}),
    ]
    assert spelling.skeleton("Straße") == spelling.skeleton("Strasse")


def test_the_text_rules_do_not_know_it_unregistered() -> None:
    assert split_sentences("Es kam zb. Morgen an. Ωmega folgt.") == [
        "Es kam zb.",
        "Morgen an. Ωmega folgt.",
    ]
    assert numbers.mentions("zwei Katzen") == []
    assert spelling.skeleton("Straße") != spelling.skeleton("Strasse")


def test_a_fifth_language_is_detected_and_served(xx: Language) -> None:
    assert LanguageDetector(languages.codes()).scores(GERMAN)[0][0] == "xx"
    assert UnsupportedLanguageCheck(languages.codes()).foreign(GERMAN) is None


def test_a_fifth_language_builds_and_is_listed(xx: Language, tmp_path: Path) -> None:
    assert build.corpus_languages() == ("en", "fr", "uk", "ru", "xx")
    assert build.corpus_paragraphs("xx") == ["Erster Absatz.", "Zweiter Absatz."]
    extractive = backends.summarizer_engine(backends.EXTRACTIVE)
    assert extractive is not None and extractive[0].languages == languages.codes()
    info = info_response(Settings(), models=[], pairs=[], backend="ctranslate2", device="cpu")
    assert list(info.languages) == ["en", "fr", "uk", "ru", "xx"]
    assert [(d.code, d.name, d.native_name) for d in info.language_details][-2:] == [
        ("ru", "Russian", "русский"),
        ("xx", "Xish", "xisch"),
    ]


def _catalog_with_xx(tmp_path: Path) -> Path:
    path = tmp_path / "catalog.toml"
    text = CATALOG_PATH.read_text(encoding="utf-8")
    path.write_text(text.replace('pairs = ["fr-en"]', 'pairs = ["fr-en", "xx-en"]'), "utf-8")
    return path


def test_the_catalog_takes_a_model_of_a_served_language_only(tmp_path: Path) -> None:
    path = _catalog_with_xx(tmp_path)
    with pytest.raises(ValueError) as info:
        load_catalog(path)
    assert "language 'xx' is not served (en, fr, uk, ru)" in str(info.value)


def test_the_catalog_takes_a_model_of_a_fifth_language(xx: Language, tmp_path: Path) -> None:
    pairs = load_catalog(_catalog_with_xx(tmp_path)).profile("tiny").pairs
    assert ("xx", "en") in pairs
