"""What registry packages know of words: Cyrillic lemmas, proper nouns, common words, places."""

from __future__ import annotations

import array
import bisect
import functools
import itertools
import re
import statistics
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from precis_models import languages

# pymorphy3's tags for proper nouns: given names, surnames, patronymics, places, organisations,
# trademarks.
_PROPER_TAGS = frozenset(["Name", "Surn", "Patr", "Geox", "Orgn", "Trad"])
_PERSON_TAGS = frozenset(["Name", "Surn", "Patr"])
_PLACE_TAGS = frozenset(["Geox", "Orgn"])
# A Latin-script word this frequent lower-cased (wordfreq, in its text's language) is a common
# word: South 5.4, Court 5.4, Earth 5.1, not Paris 4.8, Trump 4.9. First names are as frequent
# (John 5.4): names.names keeps a common word beside a name.
COMMON_ZIPF = 5.0
# A Latin-script word this frequent in its text's language, and OWN_WORD_GAP more frequent there
# than in every other served Latin-script language, is that language's own word, translated
# rather than carried over: English "Hurricane" 4.1 (French below 3), "Executive" 4.9, "Survey"
# 4.7, "Health" 5.4 (French 3.4), French "Fédération", "Meilleur"; not names, which the other
# language writes as they are (Trump 4.9 / 4.4, John 5.4 / 4.8, Jamie 4.2 / 3.7).
OWN_WORD_ZIPF = 3.5
OWN_WORD_GAP = 1.0
# The small lists stop at Zipf 3 (one in a million): a word missing from one is counted at 3.
_SMALL_LIST_FLOOR = 3.0
# Latin-script languages that write a foreign name as it is, so a name is about as frequent in
# each (Tokyo, Amazon, Charles: within 0.7 of English in the middle one), while a word is
# frequent in its own language only (Sun 1.0, Valley 0.9, Court 1.8 above the middle one).
NEIGHBOURS = ("en", "fr", "de", "es", "it", "nl", "pt")
# A noun reading of a name at least this share as likely as the analyser's first is one of its
# lemmas too (name_lemmas).
NAME_READING_SHARE = 0.5
HOME_ZIPF = 3.0  # one in a million words: any word of a small list
HOME_GAP = 0.75
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_COUNTRY = re.compile(r"^[A-Z]{2}$")  # babel's territories also hold regions ("001", "EU")
# The kinds of region news names like countries (not districts, municipalities, parishes).
_REGION_TYPES = frozenset(
    ["State", "Province", "Nation", "Country", "Land", "Republic", "Autonomous region",
     "Autonomous community", "Prefecture", "Emirate", "Territory"]
)  # fmt: skip
# Time zones named by a city (not "Etc/UTC", nor the stations of "Antarctica/").
_CITY_ZONES = ("Africa/", "America/", "Asia/", "Atlantic/", "Australia/", "Europe/", "Indian/",
               "Pacific/")  # fmt: skip
_CAPITALISED = re.compile(r"[^\W\d_][^\W\d_'’ʼ]*")


def is_cyrillic(word: str) -> bool:
    """Whether `word` has a Cyrillic letter."""
    return bool(_CYRILLIC.search(word))


@functools.lru_cache(maxsize=2**15)
def lemmas(word: str) -> frozenset[str]:
    """The dictionary forms of a Cyrillic `word` by every served Cyrillic language's analyser
    ("Трампа": {"трамп"}, "Швеції": {"швеція"}); empty for other scripts.

    Args:
        word: one word, any case.

    Returns:
        Lower-case lemmas of its most likely reading per language.
    """
    if not is_cyrillic(word):
        return frozenset()
    return frozenset(analyse(word).normal_form for analyse in _analysers().values())


@functools.lru_cache(maxsize=2**15)
def name_lemmas(word: str) -> frozenset[str]:
    """The dictionary forms of a Cyrillic `word` by every noun reading an analyser gives at
    least NAME_READING_SHARE as likely as its first ("Кунсом": кунс as well as кунсом,
    "Флейком": флейк): a foreign surname is in no dictionary, and for such a word the
    analysers' guesses of its case tie (a nominative "кунсом" or the instrumental of "кунс"),
    so the first alone may keep the case ending; empty for other scripts.

    Args:
        word: one word, any case.
    """
    return frozenset(p.normal_form for p in _likely_readings(word) if "NOUN" in p.tag)


def _likely_readings(word: str) -> list[Any]:
    """The readings (pymorphy3 parses) of Cyrillic `word` that an analyser gives at least
    NAME_READING_SHARE as likely as its first, every analyser's; none for other scripts."""
    if not is_cyrillic(word):
        return []
    likely = []
    for morph in _morphologies().values():
        readings = morph.parse(word)
        best = readings[0].score if readings else 0.0
        likely += [p for p in readings if p.score >= best * NAME_READING_SHARE]
    return likely


@functools.lru_cache(maxsize=2**15)
def is_common_word(word: str, language: str = "", zipf: float = COMMON_ZIPF) -> bool:
    """Whether capitalised `word` is a common word of a served language rather than a name.

    Cyrillic: an analyser knows it, and none that knows it reads it as a proper noun
    ("Зараз", "Лікарні", "Земли"; not "Трампа", "Кавано", nor words none knows); a hyphenated
    word when each part is ("Прем'єр-міністр"). Latin: its lower-case form is at least
    COMMON_ZIPF frequent in a served Latin-script language ("The", "Court", "United").
    """
    if is_cyrillic(word):
        if "-" in word:
            return all(is_common_word(part) for part in word.split("-") if part)
        known = [p for p in (analyse(word) for analyse in _analysers().values()) if p.is_known]
        return bool(known) and not any(_PROPER_TAGS & p.tag.grammemes for p in known)
    codes = (language,) if language in _latin_codes() else _latin_codes()
    return min(_frequency(word.lower(), code) for code in codes) >= zipf


@functools.lru_cache(maxsize=2**15)
def is_own_word(word: str, language: str) -> bool:
    """Whether capitalised Latin-script `word` is a word of `language` that the other served
    Latin-script languages translate (OWN_WORD_ZIPF, OWN_WORD_GAP): a title or common word
    ("Hurricane", "Executive", "Comité"), not a name.

    Args:
        word: one word, any case.
        language: the code of the text it is from; False unless a served Latin-script one.
    """
    own, others = _frequencies(word, language, _latin_codes())
    return bool(others) and own >= OWN_WORD_ZIPF and own - max(others) >= OWN_WORD_GAP


@functools.lru_cache(maxsize=2**15)
def stays_home(word: str, language: str) -> bool:
    """Whether capitalised Latin-script `word` is a word of `language` (at least HOME_ZIPF
    frequent in it) much more frequent there (HOME_GAP) than in the middle of the other
    Latin-script languages that write foreign names as they are (NEIGHBOURS): a word that
    translations translate ("Valley", "Court", "Sun", "Empire"), not a name, which travels
    ("Tokyo", "Amazon", "Charles", "Edison", "Trump").

    Args:
        word: one word, any case.
        language: the code of the text it is from; False unless a served Latin-script one.
    """
    own, others = _frequencies(word, language, NEIGHBOURS)
    return bool(others) and own >= HOME_ZIPF and own - statistics.median(others) >= HOME_GAP


@functools.lru_cache(maxsize=2**15)
def only_home(word: str, language: str) -> bool:
    """Whether capitalised Latin-script `word` is in `language`'s small word list (HOME_ZIPF)
    and in none of the other NEIGHBOURS' lists: a word only that language writes ("Milky",
    "Presiding", "Shooters": stays_home misses them, as the lists' floor hides how much
    rarer they are elsewhere). Names only English writes are of that kind too (Willoughby,
    Gerrard), so it tells a word only among words (names._translated_run).

    Args:
        word: one word, any case.
        language: the code of the text it is from; False unless a served Latin-script one.
    """
    own, others = _frequencies(word, language, NEIGHBOURS)
    return bool(others) and own >= HOME_ZIPF and max(others) <= _SMALL_LIST_FLOOR


def _frequencies(word: str, language: str, codes: tuple[str, ...]) -> tuple[float, list[float]]:
    """`word`'s Zipf frequency lower-cased in `language` and in each other of `codes` (at least
    the small lists' floor); (0, []) unless `language` is a served Latin-script one and `word`
    is not Cyrillic."""
    if language not in _latin_codes() or is_cyrillic(word):
        return 0.0, []
    lower = word.lower()
    others = [max(_frequency(lower, c), _SMALL_LIST_FLOOR) for c in codes if c != language]
    return _frequency(lower, language), others


@dataclass(frozen=True)
class Spellings:
    """Spellings by lookup key, kept as sorted lines "key<TAB>spelling spelling ..." of one
    string (0.9 MB): a dict of a string per key held 4 MB, and kept about 20 MB of the memory
    its many small objects were read among."""

    text: str
    starts: array.array[int]  # where each line starts

    def get(self, key: str) -> str:
        """The space-separated spellings of `key` ("" for none).

        Args:
            key: a lookup key, as the index was built with.
        """
        at = bisect.bisect_left(self.starts, key, key=self._key)
        if at == len(self.starts) or self._key(self.starts[at]) != key:
            return ""
        start = self.starts[at] + len(key) + 1
        return self.text[start : self.text.index("\n", start)]

    def _key(self, start: int) -> str:
        return self.text[start : self.text.index("\t", start)]


def cyrillic_spellings(
    skeleton_of: Callable[[str], str], key_of: Callable[[str], str]
) -> Spellings:
    """The loose spellings (`skeleton_of` a word) of the words of the served Cyrillic-script
    languages' word lists (wordfreq's small lists: words above one in a million, about 110,000
    in all), by their lookup key (`key_of` a spelling): how they write the foreign words they
    write as they sound ("трамп", "джон", "йога", "метро"; no "harbour", which they translate).

    Args:
        skeleton_of: the loose spelling names are compared in (spelling.uncached_skeleton).
        key_of: a spelling's lookup key (spelling.consonant_key: its first letter and consonants).
    """
    return _cyrillic_spellings(skeleton_of, key_of, languages.codes())


@functools.lru_cache(maxsize=4)
def _cyrillic_spellings(
    skeleton_of: Callable[[str], str], key_of: Callable[[str], str], codes: tuple[str, ...]
) -> Spellings:
    from wordfreq import available_languages, read_cBpack

    files = available_languages("small")
    found: dict[str, set[str]] = {}
    for code in codes:
        if languages.get(code).script != "Cyrillic":
            continue
        # Read without wordfreq's cache: the check never asks these lists for a frequency.
        for band in read_cBpack(files[code]):
            for word in filter(is_cyrillic, band):
                spelling = skeleton_of(word)
                found.setdefault(key_of(spelling), set()).add(spelling)
    lines = sorted(f"{key}\t{' '.join(sorted(found[key]))}\n" for key in found if key)
    starts = array.array("I", itertools.accumulate((len(line) for line in lines[:-1]), initial=0))
    return Spellings("".join(lines), starts)


def place_names(skeleton_of: Callable[[str], str]) -> frozenset[str]:
    """The skeletons of the whole names of places in every served language: countries and
    continents (babel), states and provinces (`_regions`), cities (`_cities`): "Europe",
    "Ontario", "Rome", "Рим"; not the "Kingdom" of "United Kingdom"."""
    return _place_names(skeleton_of, languages.codes())


@functools.lru_cache(maxsize=4)
def _place_names(skeleton_of: Callable[[str], str], codes: tuple[str, ...]) -> frozenset[str]:
    from babel import Locale

    areas = [name for code in codes for name in Locale.parse(code).territories.values()]
    places = [name for _, name in [*_regions(codes), *_cities(codes)]]
    return frozenset(skeleton_of(name) for name in [*areas, *places])


def country_names(skeleton_of: Callable[[str], str]) -> frozenset[str]:
    """The skeletons of the countries' whole names in every served language ("China",
    "Chine", "Китай", "États-Unis"; not the "South" of "South Africa")."""
    return _country_names(skeleton_of, languages.codes())


@functools.lru_cache(maxsize=4)
def _country_names(skeleton_of: Callable[[str], str], codes: tuple[str, ...]) -> frozenset[str]:
    return frozenset(skeleton_of(name) for _, name in _territory_names(codes))


def country_words(skeleton_of: Callable[[str], str]) -> Mapping[str, frozenset[str]]:
    """Each capitalised word of a country's (or a well-known region's or city's: `_regions`,
    `_cities`) name in a served language, by its skeleton -> the skeletons of every word of its
    names in all served languages (and their lemmas): "Sweden", "Suède", "Швеція", "Швеция"
    name one country; "Rome", "Рим" one city.

    Args:
        skeleton_of: the loose spelling names are compared in (spelling.skeleton).
    """
    return _country_words(skeleton_of, languages.codes())


@functools.lru_cache(maxsize=4)
def _country_words(
    skeleton_of: Callable[[str], str], codes: tuple[str, ...]
) -> Mapping[str, frozenset[str]]:
    named: dict[str, set[str]] = {}
    for place, name in [*_territory_names(codes), *_regions(codes), *_cities(codes)]:
        words = [name, *_capitalised_words(name)]
        spellings = {skeleton_of(w) for w in words}
        spellings |= {skeleton_of(lemma) for w in words for lemma in lemmas(w)}
        named.setdefault(place, set()).update(spellings)
    groups = [frozenset(spellings) for spellings in named.values()]
    index: dict[str, frozenset[str]] = {}
    for group in groups:
        for spelling in group:
            # A spelling of one place shares its group; of several (Georgia), their union.
            index[spelling] = index[spelling] | group if spelling in index else group
    index.pop("", None)
    return index


def country_initials() -> Mapping[str, frozenset[str]]:
    """Each country's whole name in a served language (and its lemmas), lower-cased -> the
    initials of its names of two or more capitalised words in every served language
    ("royaume-uni", "великобритании": {"UK", "ВБ"}; "états-unis": {"US", "СШ", "ÉU"}), which a
    translation may write instead ("the UK", "США"); initials of two countries are left out."""
    return _country_initials(languages.codes())


@functools.lru_cache(maxsize=4)
def _country_initials(codes: tuple[str, ...]) -> Mapping[str, frozenset[str]]:
    names: dict[str, set[str]] = {}
    for territory, name in _territory_names(codes):
        names.setdefault(territory, set()).add(name)
    initials = {
        territory: {
            "".join(w[0] for w in words)
            for name in group
            if len(words := _capitalised_words(name)) > 1
        }
        for territory, group in names.items()
    }
    owners: dict[str, int] = {}
    for found in initials.values():
        for letters in found:
            owners[letters] = owners.get(letters, 0) + 1
    index: dict[str, frozenset[str]] = {}
    for territory, group in names.items():
        unique = frozenset(i for i in initials[territory] if owners[i] == 1)
        if unique:
            index.update((n, unique) for name in group for n in {name.lower()} | lemmas(name))
    return index


def _capitalised_words(name: str) -> list[str]:
    """The capitalised words of a place's name, in order ("Royaume-Uni": Royaume, Uni)."""
    return [w for w in _CAPITALISED.findall(name) if w[0].isupper()]


@functools.lru_cache(maxsize=4)
def _territory_names(codes: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """(ISO 3166 code, name) of every country (babel's territories) in each of `codes`."""
    from babel import Locale

    return tuple(
        (territory, name)
        for code in codes
        for territory, name in Locale.parse(code).territories.items()
        if _COUNTRY.match(territory)
    )


def _cities(codes: tuple[str, ...]) -> list[tuple[str, str]]:
    """(time zone, name) of the cities that name a time zone (CLDR's exemplar cities, babel:
    about 400) in each of `codes`: the exonyms a translation writes (Rome / Рим, Vienna /
    Відень / Vienne, Chişinău / Кишинів, Moscow / Moscou); a locale without its own name for a
    city writes the zone's ("Europe/Rome": Rome), as CLDR's root does."""
    from babel import Locale

    zones = {str(zone) for code in codes for zone in Locale.parse(code).time_zones}
    found = []
    for code in codes:
        names = Locale.parse(code).time_zones
        for zone in sorted(zones):
            if zone.startswith(_CITY_ZONES):
                own = names.get(zone, {}).get("city")
                found.append((zone, own or zone.rsplit("/", 1)[-1].replace("_", " ")))
    return found


def _regions(codes: tuple[str, ...]) -> list[tuple[str, str]]:
    """(code, name) of the states, provinces and nations (first-level ISO 3166-2 subdivisions,
    pycountry) whose name a served Cyrillic-script language translates (Ohio / Огайо, Nova
    Scotia / Нова Шотландія), in every served language."""
    import gettext

    import pycountry

    books = {
        code: gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=[code])
        for code in codes
        if code != "en"
    }
    cyrillic = [code for code in books if languages.get(code).script == "Cyrillic"]
    found = []
    for region in pycountry.subdivisions:
        if region.parent_code is not None or region.type not in _REGION_TYPES:
            continue
        names = {code: book.gettext(region.name) for code, book in books.items()}
        if any(names[code] != region.name for code in cyrillic):
            found += [(region.code, region.name)] + [(region.code, n) for n in names.values()]
    return found


@functools.lru_cache(maxsize=1)
def _analysers() -> Mapping[str, Callable[[str], Any]]:
    """One pymorphy3 analyser per served Cyrillic language, each giving a word's most likely
    parse (`normal_form`, `tag.grammemes`, `is_known`: in its dictionary)."""
    return {code: functools.partial(_best_parse, morph) for code, morph in _morphologies().items()}


@functools.cache
def _morphologies() -> Mapping[str, Any]:
    """pymorphy3's analyser of each served Cyrillic language (all of a word's readings)."""
    import pymorphy3

    return {
        lang.code: pymorphy3.MorphAnalyzer(lang=lang.code)
        for lang in languages.served()
        if lang.script == "Cyrillic"
    }


@functools.lru_cache(maxsize=2**15)
def is_genitive(word: str) -> bool:
    """Whether a reading of Cyrillic `word` at least NAME_READING_SHARE as likely as an
    analyser's first is in the genitive ("Цельсія", "Рихтера"); False for other scripts.

    Args:
        word: one word, any case.
    """
    return _has_reading(word, "gent")


@functools.lru_cache(maxsize=2**15)
def is_plural(word: str) -> bool:
    """Whether a reading of Cyrillic `word` at least NAME_READING_SHARE as likely as an
    analyser's first is plural ("градусів", "баллов"); False for other scripts.

    Args:
        word: one word, any case.
    """
    return _has_reading(word, "plur")


@functools.lru_cache(maxsize=2**15)
def is_thing(word: str) -> bool:
    """Whether a likely reading (NAME_READING_SHARE) of Cyrillic `word` is an inanimate noun
    (a unit or scale: "градусів", "шкале"; not "сторонников", people); False for other
    scripts.

    Args:
        word: one word, any case.
    """
    return _has_reading(word, "NOUN", "inan")


@functools.lru_cache(maxsize=2**15)
def is_person(word: str) -> bool:
    """Whether an analyser's first reading of Cyrillic `word` is a given name, surname or
    patronymic ("Трампа", "Адамс") and none's a place or organisation ("Гринвичу": Geox in
    Russian, though Ukrainian's guess is a patronymic); False for other scripts.

    Args:
        word: one word, any case.
    """
    if not is_cyrillic(word):
        return False
    tags = [analyse(word).tag.grammemes for analyse in _analysers().values()]
    return any(_PERSON_TAGS & t for t in tags) and not any(_PLACE_TAGS & t for t in tags)


def _has_reading(word: str, *grammemes: str) -> bool:
    """Whether a likely reading (NAME_READING_SHARE) of Cyrillic `word` has all `grammemes`."""
    return any(all(g in p.tag for g in grammemes) for p in _likely_readings(word))


@functools.lru_cache(maxsize=2**15)
def names_a_noun(word: str, following: str) -> bool:
    """Whether capitalised Cyrillic `word` can be an adjective agreeing with `following`, a
    lower-case common noun: the first word of a named thing that Ukrainian and Russian
    capitalise alone and translations translate ("Холодної війни": the Cold War, "Тихого
    океану": the Pacific Ocean, "Чорного моря"), even when it could also be a surname
    (Холодна, Тихий).

    Args:
        word: the capitalised word.
        following: the word right after it.
    """
    if not (is_cyrillic(word) and following[:1].islower()):
        return False
    for morph in _morphologies().values():
        nouns = [
            p.tag
            for p in morph.parse(following)
            if "NOUN" in p.tag and not _PROPER_TAGS & p.tag.grammemes
        ]
        for p in morph.parse(word):
            if "ADJF" not in p.tag:
                continue
            if any(
                p.tag.case == noun.case
                and (p.tag.number == noun.number == "plur" or p.tag.gender == noun.gender)
                for noun in nouns
            ):
                return True
    return False


def _best_parse(analyser: Any, word: str) -> Any:
    return analyser.parse(word)[0]


def _latin_codes() -> tuple[str, ...]:
    return tuple(lang.code for lang in languages.served() if lang.script == "Latin")


def _frequency(word: str, code: str) -> float:
    from wordfreq import zipf_frequency

    # The small lists (words above about 1 in a million) hold every word COMMON_ZIPF reaches,
    # at a third of the memory of the large ones.
    return float(zipf_frequency(word, code, wordlist="small"))
