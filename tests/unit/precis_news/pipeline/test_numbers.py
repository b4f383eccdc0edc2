"""Numbers read the way each language writes them, and compared between texts."""

from __future__ import annotations

from decimal import Decimal

import pytest

from precis_news.pipeline import numbers
from precis_news.pipeline.numbers import ADDED, CHANGED, DROPPED, NumberIssue, mentions


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("100,000 people", 100_000),
        ("100 000 personnes", 100_000),
        ("100\u00a0000 personnes", 100_000),
        ("100\u202f000 осіб", 100_000),
        ("1.000.000 habitants", 1_000_000),
        ("1,234,567.89 dollars", Decimal("1234567.89")),
        ("1 234,5 грн", Decimal("1234.5")),
        ("3.5%", Decimal("3.5")),
        ("3,5 %", Decimal("3.5")),
        ("1.5 million", 1_500_000),
        ("1,5 млн", 1_500_000),
        ("3 тис. гривень", 3000),
        ("трёх человек", 3),
        ("two ministers", 2),
        ("the 21st century", 21),
    ],
)
def test_a_number_is_read_as_its_language_writes_it(text: str, value: Decimal | int) -> None:
    [mention] = mentions(text)
    assert Decimal(value) in mention.values


def test_dates_times_and_runs_of_numbers_are_their_parts() -> None:
    assert [m.text for m in mentions("on 12.03.2024 at 10:30, in 2019 150 people")] == [
        "12",
        "03",
        "2024",
        "10",
        "30",
        "2019",
        "150",
    ]


def test_digits_inside_names_and_one_are_not_numbers() -> None:
    assert [m.text for m in mentions("G7 leaders met one day, COVID-19 fell, un homme")] == ["19"]


@pytest.mark.parametrize("text", ["", "\u200b\u200b", " \n\t", "no numbers at all"])
def test_text_without_numbers_has_none(text: str) -> None:
    assert mentions(text) == []


def test_a_changed_number_is_reported_with_what_replaced_it() -> None:
    source = mentions("It cost 100,000 euros in 2020.")
    assert numbers.compare_translation(source, mentions("Il a coûté 10 000 euros en 2020.")) == [
        NumberIssue(CHANGED, "100,000", "10 000")
    ]


def test_dropped_and_added_numbers_are_reported() -> None:
    source = mentions("In 2020, 40 people were hurt.")
    assert numbers.compare_translation(source, mentions("En 2020, des gens ont été blessés.")) == [
        NumberIssue(DROPPED, "40")
    ]
    assert numbers.compare_translation(source, mentions("En 2020, 40 blessés et 7 morts.")) == [
        NumberIssue(ADDED, "7")
    ]


def test_the_same_numbers_written_otherwise_are_kept() -> None:
    source = mentions("Unemployment fell to 14.2% in 2023; 1.5 million jobs, three ministers.")
    translated = mentions(
        "Le chômage est tombé à 14,2 % en 2023 ; 1,5 million d'emplois, 3 ministres."
    )
    assert numbers.compare_translation(source, translated) == []


def test_a_number_the_article_lacks_is_found_once() -> None:
    pool = numbers.values("The council met 12 times in 2023 and spent 100 000 euros.")
    found = numbers.not_in(mentions("It met 12 times, 13 times, 13 times; 100,000 euros."), pool)
    assert [m.text for m in found] == ["13"]


def test_a_huge_text_is_read_in_bounded_time() -> None:
    text = "1,000 " * 50_000 + "x" * 200_000
    assert len(mentions(text)) == 50_000


# Issue 23: correct human translations (FLORES) the check flagged, each a case of its own.
@pytest.mark.parametrize(
    ("source", "translation"),
    [
        ("It grew by 8 per cent since 2008.", "Il a augmenté de 8 % depuis 2008."),
        ("34 per cent of those polled", "34 відсотки опитаних"),
        ("They arrested five persons.", "Вони заарештували п'ятьох осіб."),
        ("Nine members were sworn in.", "Присягу склали дев’ять членів."),
        ("The governor said nineteen were police officers.", "Il a dit que dix-neuf étaient"),
        ("Over four million people went to Rome.", "Plus de 4 000 000 personnes à Rome."),
        ("Eighty percent of our goods", "80 % de nos marchandises"),
        ("He finished eleventh.", "Il est arrivé 11e."),
        ("in three-dimensional space", "dans l'espace tridimensionnel"),
        ("We have 4-month-old mice.", "У нас есть четырёхмесячные мыши."),
        ("Six hostages were released.", "Шестеро заложников освободили."),
        ("The fire was out by 11:35 pm.", "Le feu était éteint à 23 h 35."),
        ("It shook Montana at 10:08 p.m. on Monday.", "Землетрус о 22:08 у понеділок."),
        ("He reported at 12.00 GMT today.", "Він доповів о 12:00 GMT."),
        ("It was taken away at 1200 GMT.", "Il a été enlevé vers 12 h 00 GMT."),
        ("It started at 8:30 p.m. local time.", "Il a démarré à 20 h 30."),
        ("A rocket over 100 feet high", "Une fusée de plus de 30 mètres de haut"),
        ("385 miles from the coast", "à 620 km de la côte"),
        ("It weighed 1,000 pounds.", "Il pesait 450 kg."),
        ("at 17,500 miles per hour", "à 28000 km/h"),
        ("It was 90 °F outside.", "Il faisait 32 °C dehors."),
        ("100 to 250 meters (328 to 820 feet) wide", "100 à 250 mètres de large"),
        ("His 1,000th stamp", "Son millième timbre"),
        ("Both men held serve.", "Les deux hommes ont gardé leur service."),
    ],
)
def test_a_correct_translation_is_not_flagged(source: str, translation: str) -> None:
    assert numbers.compare_translation(mentions(source), mentions(translation)) == []


def test_a_word_that_contains_a_number_stem_is_no_number() -> None:
    assert mentions("Сім'я та сімʼя") == []
    assert mentions("Семинар") == []


def test_a_converted_value_out_of_rounding_is_a_change() -> None:
    assert numbers.compare_translation(
        mentions("It weighed 1,000 pounds."), mentions("Он весил 2 000 фунтов.")
    ) == [NumberIssue(CHANGED, "1,000", "2 000")]
    assert numbers.compare_translation(
        mentions("a city 50 kilometres away"), mentions("a city 40 miles away")
    ) == [NumberIssue(CHANGED, "50", "40")]


def test_a_changed_clock_time_is_a_change() -> None:
    assert numbers.compare_translation(mentions("at 10:08 p.m."), mentions("à 21 h 08")) == [
        NumberIssue(CHANGED, "10", "21")
    ]


def test_a_number_word_alone_is_never_reported() -> None:
    assert numbers.compare_translation(mentions("after a week"), mentions("après sept jours")) == []
    assert numbers.not_in(mentions("three ministers"), frozenset()) == []
