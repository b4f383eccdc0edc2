"""Word knowledge from registry packages: Cyrillic lemmas, proper nouns, common words, places."""

from __future__ import annotations

import pytest

from precis_news.pipeline import lexicon
from precis_news.pipeline.spelling import skeleton


def test_cyrillic_words_have_their_dictionary_forms() -> None:
    assert "трамп" in lexicon.lemmas("Трампа")
    assert "швеція" in lexicon.lemmas("Швеції")
    assert lexicon.lemmas("Trump") == frozenset()


@pytest.mark.parametrize(
    ("word", "language"),
    [("The", "en"), ("Court", "en"), ("United", "en"), ("Terre", "fr"), ("Зараз", ""),
     ("Лікарні", ""), ("Сейчас", ""), ("Земли", "")],
)  # fmt: skip
def test_capitalised_common_words_are_common(word: str, language: str) -> None:
    assert lexicon.is_common_word(word, language)


@pytest.mark.parametrize(
    ("word", "language"),
    [("Трампа", ""), ("Кавано", ""), ("Kavanaugh", "en"), ("Paris", "en"), ("Paris", ""),
     ("Dubois", "fr"), ("Court", "fr")],
)  # fmt: skip
def test_names_are_not_common_words(word: str, language: str) -> None:
    assert not lexicon.is_common_word(word, language)


def test_a_country_is_one_group_across_languages() -> None:
    group = lexicon.country_words(skeleton)[skeleton("Sweden")]
    assert {skeleton("Suède"), skeleton("Швеція"), skeleton("Швеция")} <= group


def test_a_well_known_region_is_one_group_across_languages() -> None:
    group = lexicon.country_words(skeleton)[skeleton("Ohio")]
    assert skeleton("Огайо") in group
    assert skeleton("Шотландія") in lexicon.country_words(skeleton)[skeleton("Scotia")]


def test_a_city_is_one_group_across_languages() -> None:
    # CLDR's exemplar cities (babel's time zones): the exonyms of each served language.
    group = lexicon.country_words(skeleton)[skeleton("Rome")]
    assert skeleton("Рим") in group
    assert {skeleton("Відень"), skeleton("Vienne"), skeleton("Вена")} <= (
        lexicon.country_words(skeleton)[skeleton("Vienna")]
    )


def test_own_words_are_those_the_other_latin_language_translates() -> None:
    assert lexicon.is_own_word("Hurricane", "en")
    assert lexicon.is_own_word("Comité", "fr")
    assert not lexicon.is_own_word("Trump", "en")
    assert not lexicon.is_own_word("Jamie", "en")
    assert not lexicon.is_own_word("Трамп", "uk")


def test_words_stay_home_and_names_travel() -> None:
    # Sun, Valley, Court: far more frequent in English than in the other Latin-script
    # languages; names are about as frequent in each.
    for word in ("Sun", "Valley", "Court"):
        assert lexicon.stays_home(word, "en"), word
    for word in ("Trump", "Smith", "Bush", "Tokyo", "Amazon", "Charles"):
        assert not lexicon.stays_home(word, "en"), word
    assert not lexicon.stays_home("Сонце", "uk")


def test_a_country_has_its_initials_in_every_language() -> None:
    initials = lexicon.country_initials()
    assert {"US", "СШ"} <= initials["états-unis"]
    assert "UK" in initials["великобритания"]
    assert "EU" not in initials["états-unis"]  # the European Union's too


def test_cyrillic_word_lists_give_their_spellings_by_key() -> None:
    spellings = lexicon.cyrillic_spellings(str.lower, lambda spelling: spelling[:2])
    assert "трамп" in spellings.get("тр").split()  # Russian and Ukrainian lists, as written
    assert "києва" in spellings.get("ки").split()
    assert "аа" not in spellings.get("а").split()  # each key its own spellings only
    assert spellings.get("th") == ""  # the lists' Latin words ("the") left out
    assert spellings.get("zz") == ""


def test_place_names_are_whole_names_of_countries_regions_and_cities() -> None:
    places = lexicon.place_names(skeleton)
    assert {skeleton(place) for place in ("Europe", "Ontario", "Budapest", "Рим")} <= places
    assert skeleton("Kingdom") not in places  # a word of "United Kingdom"


def test_a_cyrillic_adjective_names_the_common_noun_it_agrees_with() -> None:
    assert lexicon.names_a_noun("Холодної", "війни")  # feminine genitive both
    assert lexicon.names_a_noun("Тихого", "океана")  # Russian
    assert not lexicon.names_a_noun("Холодної", "океану")  # no agreement
    assert not lexicon.names_a_noun("Якова", "та")  # a conjunction, not a noun
    assert not lexicon.names_a_noun("Холодної", "Війни")  # the next word is capitalised
    assert not lexicon.names_a_noun("Cold", "war")  # Latin script: other rules


def test_name_lemmas_keep_every_likely_noun_reading_of_an_unknown_name() -> None:
    # "Кунсом" is in no dictionary: the nominative guess ties with the instrumental of кунс.
    assert {"кунс", "кунсом"} <= lexicon.name_lemmas("Кунсом")
    assert lexicon.name_lemmas("Трампом") == {"трамп"}  # a known surname: one reading
    assert lexicon.name_lemmas("Smith") == frozenset()


def test_likely_readings_tell_a_genitive_a_plural_and_a_thing() -> None:
    # The unit after a number and the name after it (names._unit_named): "27 градусів Цельсія".
    assert lexicon.is_genitive("Цельсія") and lexicon.is_genitive("Рихтера")
    assert not lexicon.is_genitive("Питер")  # a nominative
    assert lexicon.is_plural("градусів") and lexicon.is_plural("баллов")
    assert not lexicon.is_plural("шкале")
    assert lexicon.is_thing("градусів") and lexicon.is_thing("шкале")
    assert not lexicon.is_thing("сторонников")  # people are counted too, but are no unit
    assert not lexicon.is_genitive("Smith")  # Latin script: no analyser


def test_a_person_is_read_as_a_name_by_one_analyser_and_as_a_place_by_none() -> None:
    assert lexicon.is_person("Трампа") and lexicon.is_person("Адамс")
    assert not lexicon.is_person("Гринвичу")  # Ukrainian guesses a patronymic, Russian a place
    assert not lexicon.is_person("Евросоюз")
    assert not lexicon.is_person("Smith")  # Latin script: no analyser


def test_a_word_only_english_writes_is_in_no_neighbours_list() -> None:
    # "Milky", "Presiding": in the English list, in none of the other Latin-script ones.
    for word in ("Milky", "Presiding", "Shooters"):
        assert lexicon.only_home(word, "en"), word
    for word in ("Beach", "Emma", "Trump", "Ibrox"):  # travels, or in no list at all
        assert not lexicon.only_home(word, "en"), word
    assert not lexicon.only_home("Шлях", "uk")
