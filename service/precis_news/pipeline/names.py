"""Proper names of a summary, looked for in its translations across Latin and Cyrillic script."""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Sequence

from precis_models import languages
from precis_models.languages import Language
from precis_models.sentences import split_sentences
from precis_news.pipeline import lexicon
from precis_news.pipeline.spelling import (
    CONSONANTS,
    VOWELS,
    consonant_key,
    readings,
    romance_qu,
    same_consonants,
    similar,
    skeleton,
    spoken,
    unaccented,
    uncached_skeleton,
)

_NAME_PARTS = re.compile(r"[-'’ʼ]")
# A Latin-script compound whose last part is lower-case is a common noun ("Assassin-bugs",
# "Post-war"), not a name (Stratford-upon-Avon ends capitalised).
_COMMON_COMPOUND = re.compile(r"-[a-zà-ÿ]+$")
_TOKEN = re.compile(r"[^\W\d_][^\W\d_'’ʼ-]*(?:['’ʼ-][^\W\d_]+)*")
_POSSESSIVE = re.compile(r"['’]s$")
_NOT_LETTER = re.compile(r"[\W\d_]")
_POSSESSIVE_END = re.compile(r"['’]s\b")
# Between the words of an acronym: spaces, and the dashes and slashes of a compound ("US–China").
_ACRONYM_BREAK = re.compile(r"[\s/–—-]+")
# How many names in a row an acronym may spell (Андрес Мануель Лопес Обрадор: AMLO).
INITIALS_RUN = 4
MIN_LOOSE_INITIALS = 3  # an acronym this long may have any vowel for a name's (JE: Інгліш)
# Roman numerals are no acronyms ("Elizabeth II", "World War II").
_ROMAN = re.compile(r"[IVX]+")
_APOSTROPHES = frozenset("'’")
# The endings of Ukrainian and Russian adjectives made of a name (-ськ-, -цьк-, -ск-, -цк-).
_ADJECTIVE_CASES = r"(?:ий|ій|ого|ому|им|ім|их|а|ої|у|ою|е|і|ая|ой|ую|ое|ие)$"
_CYRILLIC_ADJECTIVE = re.compile(r"[сцз]ь?к" + _ADJECTIVE_CASES)
# Such an adjective of a place ending in г or к changes that consonant: Рига / Ризький,
# Рижский; Прага / Празький, Пражский; Чикаго / Чиказький.
_CHANGED_CONSONANT = re.compile(r"(?:зьк|жск)" + _ADJECTIVE_CASES)
MIN_CONSONANTS = 3  # two (Moreau: "mr") match too many words ("maire", "Мер")
# Roman numerals with a French ordinal ending: "XVe siècle" is a century, not a name.
_ROMAN_ORDINAL = re.compile(r"[IVXLC]+(?:e|er|re|ème)")
# The endings of nationality and adjective forms (Persian, Byzantine, Japanese, Swedish,
# Arabic, Israeli, Spaniards) and their plurals: the stem before one is what a translation's
# adjective or noun for it begins with (персидська, візантійський, Іспанці).
_DEMONYM_ENDING = re.compile(r"(?:ian|ean|an|ard|ese|ish|ik|ine|ite|i)$")  # on a skeleton
DEMONYM_CONSONANTS = 2  # consonants after a stem's first letter that must agree (p-rs of pers-)
MIN_DEMONYM_STEM = 3  # shorter stems ("it" of Italian is "it") open too many words
_QUOTE_START = re.compile(r"(?:[\"«“„]|:)\s*")
_QUOTE_OPEN = re.compile(r"[\"«“„]\s*")
# Capitalised words that are not names in the other languages: English days, months, "I" and
# the titles English capitalises before a name.
_MONTHS = frozenset(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"]
)  # fmt: skip
_TITLES = frozenset(
    ["mayor", "president", "minister", "prime", "captain", "general", "governor", "senator",
     "chancellor", "king", "queen", "prince", "pope", "mr", "mrs", "ms", "dr", "professor",
     "inspector", "detective", "sergeant", "lieutenant", "colonel", "superintendent",
     "reverend"]
)  # fmt: skip
# What English writes after a name, which is no part of it: a generation ("Jr.", "Sr.":
# translations write молодший, младший, fils or nothing) and a company's legal form ("Inc",
# "Ltd", "Corp", "LLC", "plc": translations write ТОВ, ООО or drop it).
_NAME_SUFFIXES = frozenset(["jr", "sr", "inc", "ltd", "corp", "llc", "plc"])
# English prepositions a date follows ("until Oct.", "on Nov."), where a name seldom stands
# (not "by", "from", "after": "said by Marc.").
_TIME_PREPOSITIONS = frozenset(["on", "in", "until", "till", "since", "through"])
_NOT_NAMES = frozenset(
    ["i", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
) | _MONTHS | _TITLES  # fmt: skip
# English shortens those titles and dates to their first letters ("Oct.", "Nov 3", "Sen.",
# "Capt.", "Prof Smith"): such a start, of this many letters, before a full stop inside a
# sentence, a month's before a number, a title's before a name, is one of them, not a name
# (a given name that starts a title, as "Gene" of Gene Smith, goes too: Smith is checked).
ABBREVIATION_CHARS = (3, 4)
MIN_NAME_CHARS = 2
STEM_CHARS = 4  # a country's name and its adjectives share this many letters (Japan, японський)
MIN_STEM_CHARS = 3  # a shorter name is its own stem, found as a whole word (Ohio: "oio")
MIN_NOUN_STEM = 3  # "Zion", "Ness" are no abstract nouns (_abstract_noun)
# Words this frequent are never names, even beside one ("The Simpsons", "All Blacks").
FUNCTION_WORD_ZIPF = 6.0
# A capitalised word at least this frequent in its text's language is a word translations
# translate, unless Ukrainian or Russian has a word spelled like it (_translated_word).
TRANSLATED_ZIPF = 3.5  # as lexicon.OWN_WORD_ZIPF: "Hurricane" 4.1, "Glacier" 3.6
# A syllable of a Korean or Chinese name as romanised (Kim, Jong, Un, Ri, Hsien, Loong, Jae,
# Jin; not John, Hanks): some consonants, one to three vowels, a final n, ng, m, k, p or l;
# in Cyrillic (transliterated letter by letter) with a case ending after it.
_SYLLABLE = re.compile(r"[bcdfghjklmnpqrstvwxz]{0,4}[aeiouy]{1,3}(?:ng|n|m|k|p|l)?")
_CYRILLIC_SYLLABLE = re.compile(_SYLLABLE.pattern + r"(?:a|u|om|em|oi|i|y|e|ym|im)?")
SYLLABLE_NAME = 3  # syllables of one such name (two-syllable ones match too many words)
# A title-case sentence (_title_case): this many words at least of this many letters, all
# capitalised ("of", "to", "an", "and", "his" stay lower-case in title case).
HEADLINE_CHARS = 4
HEADLINE_WORDS = 3
# A number (not a year's four digits, nor the end of "30 000"), the counted measure, and a
# preposition and scale before a unit named after a person (_unit_named): "27 градусів ",
# "7,5 баллов по шкале ".
_LOWER_WORD = r"[а-яёіїєґʼ'-]{3,}"  # longer than a preposition
_UNIT_BEFORE = re.compile(
    rf"(?<![\d.,])(?<![\d.,]\s)\d{{1,3}}(?:[.,]\d+)?\s+(?:(?P<counted>{_LOWER_WORD})\s+)?"
    rf"(?:(?P<preposition>[а-яёіїєґ]{{1,2}})\s+)?(?P<measure>{_LOWER_WORD})\s+$"
)
# The endings of English and French nationality words, as written (French, Welsh, Spanish,
# Chinese, Romanian, Israeli, Arabic; Gallois, Français, Italien): what is left opens the
# consonants of the country's name (_nationality_found).
_NATIONALITY = re.compile(r"(?:ish|ch|sh|ese|ian|ean|an|i|ic|ais|ois|aise|oise|ien|ienne)$")
# Nationality and adjective forms (Tibetan, Romanian, Christian), found by _demonym_found.
# English adjective endings (Global, Federal, Creative, Famous, Grateful, Reliable): before a
# head noun they qualify it, as a name does not (_qualifier).
_ADJECTIVE_ENDING = re.compile(r"(?:al|ive|ous|ful|less|able|ible)$")
_DEMONYM_WORD = re.compile(r"(?:ian|ean|an|ard|ese|ish|ic|ine|ite|i)s?$")


def load() -> None:
    """Load what the check reads (pymorphy3's dictionaries, word frequencies of the served and
    the neighbouring Latin-script languages, places and cities, the Cyrillic word lists'
    spellings: about 2 s and 107 MB), so that the first summary checked does not wait."""
    lexicon.lemmas("Київ")
    lexicon.is_common_word("The")  # every served Latin-script language's word frequencies
    lexicon.stays_home("The", "en")  # and the neighbours' (lexicon.NEIGHBOURS)
    lexicon.country_initials()
    _stem_index(languages.served())
    lexicon.cyrillic_spellings(uncached_skeleton, consonant_key)
    lexicon.place_names(skeleton)


def names(text: str, language: str = "") -> list[str]:
    """The proper names of `text`: capitalised words not at a sentence's start, acronyms and
    common words left out, each once, in order ("Marie Dubois" gives both words).

    A common word (lexicon.is_common_word: "The", "Court", "United", "Зараз") is a name only
    beside a capitalised word that is not one ("John" of "John Smith", not "Supreme Court").

    Args:
        text: the summary.
        language: its language code, when known: which word frequencies tell common words.
    """
    found: list[str] = []
    sentences = split_sentences(text)
    for number, sentence in enumerate(sentences):
        # Whether a capitalised word follows this sentence ("Det." | "Dennis McCarthy wrote").
        named_next = number + 1 < len(sentences) and sentences[number + 1][:1].isupper()
        # A word opening a quotation or following a colon starts a sentence too.
        starts = {m.end() for m in _QUOTE_START.finditer(sentence)}
        tokens = list(_TOKEN.finditer(sentence))
        words = [_POSSESSIVE.sub("", token.group()) for token in tokens]
        capitalised = [
            _capitalised(word)
            and token.start() not in starts
            and not _abbreviation(sentence, tokens, at, named_next=named_next)
            for at, (word, token) in enumerate(zip(words, tokens, strict=True))
        ]
        common = [c and _common(w, language) for w, c in zip(words, capitalised, strict=True)]
        translated = _translated_titles(sentence, tokens, words, capitalised, language)
        if _title_case(words):
            for at, word in enumerate(words):
                if capitalised[at] and (
                    _headline_word(word, language) or (language == "en" and _english_verb(word))
                ):
                    translated[at] = common[at] = True
        # A quoted title's first word is capitalised for its place, and, a translated word,
        # tells the title is made of words ("Great Deeds by Swedish Kings").
        quoted = {m.end() for m in _QUOTE_OPEN.finditer(sentence)}
        titled = (
            [
                c
                or (
                    token.start() in quoted
                    and _capitalised(word)
                    and _translated(word, language)
                    and not lexicon.is_common_word(word, language, FUNCTION_WORD_ZIPF)
                )
                for c, word, token in zip(capitalised, words, tokens, strict=True)
            ]
            if quoted
            else capitalised
        )
        for run in _capital_runs(sentence, tokens, titled):
            for i in _translated_run(run, words, language):
                translated[i] = True
            # Only English puts the generic noun after a foreign place's name.
            if language == "en" and _generic_head(run, words, language):
                translated[run[-1]] = True
        # Only English capitalises the noun after a lower-case "of" or "for" in a title.
        if language == "en":
            for at in _titled_plurals(sentence, tokens, words, capitalised):
                translated[at] = True
            for at in _titled_causes(sentence, tokens, words, capitalised):
                translated[at] = True
            for at in _titled_heads(sentence, tokens, words, capitalised, translated):
                translated[at] = True
        for at in range(1, len(words)):
            word = words[at]
            # A translated word ("Hurricane", "Best Sound Editing") is no name even beside one.
            beside_a_name = not (
                lexicon.is_common_word(word, language, FUNCTION_WORD_ZIPF)
                or _translated(word, language)
            ) and any(
                capitalised[i] and not common[i] and _adjacent(sentence, tokens, min(i, at))
                for i in (at - 1, at + 1)
                if 0 < i < len(words)
            )
            if translated[at]:
                continue  # "the Supreme Court", "Independence Hall": translated, not a name
            if (
                capitalised[at]
                and at + 1 < len(words)
                and _adjacent(sentence, tokens, at)
                and lexicon.names_a_noun(word, _common_noun(word, words[at + 1]))
            ):
                continue  # "Холодної війни", "Червоної Армії": translated, not a name
            if capitalised[at] and _unit_named(sentence, tokens, at):
                continue  # "27 градусів Цельсія": a unit, which English writes °C or converts
            if capitalised[at] and (beside_a_name or not common[at]) and word not in found:
                found.append(word)
    return found


def _unit_named(sentence: str, tokens: list[re.Match[str]], at: int) -> bool:
    """Whether Cyrillic token `at` names a unit or scale after a person (_UNIT_BEFORE: "27
    градусів Цельсія", "7,5 баллов по шкале Рихтера"): a name in the genitive after a
    measure (an inanimate noun: no "200 сторонников Эрдогана") that follows a number, itself
    in the plural or after a preposition, no name beside it. English writes such a unit's
    symbol or converts it ("80 degrees", "a 7.5 magnitude earthquake"), so the name is no
    name a translation must keep."""
    word = tokens[at].group()
    if not lexicon.is_cyrillic(word) or (
        at + 1 < len(tokens)
        and tokens[at + 1].group()[:1].isupper()
        and _adjacent(sentence, tokens, at)
    ):
        return False
    before = _UNIT_BEFORE.search(sentence, 0, tokens[at].start())
    if not before or (before.group("counted") and not before.group("preposition")):
        return False
    measure = before.group("measure")
    counted = before.group("counted")
    scale = bool(before.group("preposition")) and not counted  # "7,5 по шкале Рихтера"
    return (
        lexicon.is_genitive(word)
        and lexicon.is_thing(measure)
        and (scale or lexicon.is_plural(counted or measure))
    )


def _title_case(words: list[str]) -> bool:
    """Whether a sentence is written in title case, as English headlines are ("Killer Pig
    Mauls Farmer", "Toll Soars Above 800"): every word of HEADLINE_CHARS letters or more after
    the first is capitalised, and there are at least HEADLINE_WORDS of them. Such capitals say
    nothing of names (a sentence of running text has lower-case words of that length)."""
    count = 0
    for word in words[1:]:  # running text soon has a long lower-case word: stop there
        if len(word) >= HEADLINE_CHARS:
            if word[0].islower():
                return False
            count += 1
    return count >= HEADLINE_WORDS


def _headline_word(word: str, language: str) -> bool:
    """Whether a capitalised word of a title-case sentence is a word translations translate:
    `_translated_word` with the floor of the small word lists (HOME_ZIPF) rather than
    TRANSLATED_ZIPF, as written or as the singular or the verb without its -s ("Quake" 3.45,
    "Soars": soar 3.39); names travel into Cyrillic spellings (Trump / трамп) or are no
    English words (Sulawesi), so they stay."""
    forms = [word, word[:-1]] if word.endswith("s") and len(word) > MIN_NOUN_STEM + 1 else [word]
    return any(_translated_word(form, language, lexicon.HOME_ZIPF) for form in forms)


def _english_verb(word: str) -> bool:
    """Whether a word of an English headline is a verb form rarer than its others: in no
    small English word list itself, while both the -ed and the -ing forms of it, or of it
    without its -s, are ("Soars": soared, soaring; "Devastate": devastated, devastating),
    whatever Cyrillic words look like it (сор). Names in no list have no such forms
    (Sulawesi, Ibrox); a given name that is a verb's stem is in the list (Tim: timed,
    timing), and stays a name."""
    lower = word.lower()
    if lexicon.is_common_word(lower, "en", lexicon.HOME_ZIPF):
        return False
    stem = lower[:-1] if lower.endswith("s") and len(lower) > MIN_NOUN_STEM + 1 else lower
    base = stem[:-1] if stem.endswith("e") else stem
    forms = (base + "ed", base + "ing")
    return all(lexicon.is_common_word(form, "en", lexicon.HOME_ZIPF) for form in forms)


def _common_noun(adjective: str, word: str) -> str:
    """`word` lower-cased when it is a capitalised common Cyrillic word ("Армії" of "Червоної
    Армії", the Red Army: titles of institutions capitalise their nouns too) and `adjective`
    before it is not made of a name ("Фатимської Богоматері" keeps Fatima), else as it is: the
    noun lexicon.names_a_noun reads a capitalised adjective before it as agreeing with."""
    if (
        word[:1].isupper()
        and lexicon.is_cyrillic(word)
        and not _CYRILLIC_ADJECTIVE.search(adjective.lower())
        and lexicon.is_common_word(word)
    ):
        return word.lower()
    return word


def _translated_titles(
    sentence: str,
    tokens: list[re.Match[str]],
    words: list[str],
    capitalised: list[bool],
    language: str,
) -> list[bool]:
    """Per token: whether it is a known word (`_title_word`) at the end of a run of capitalised
    words that opens with a definite article (Language.articles) or a possessive, after the
    run's last name: "the Supreme Court", "The Sun", "the Jordan Valley" (not Jordan), "la
    Maison Blanche", "Maslow's Hierarchy"; not Jamie of "the Executive Director Jamie
    Siminoff", whom a name follows."""
    articles = (
        languages.get(language).articles
        if language in languages.codes()
        else languages.merged_words("articles")
    )
    titled = [False] * len(tokens)
    for at in range(1, len(tokens)):
        titled[at] = (
            capitalised[at]
            and (
                titled[at - 1]
                or words[at - 1].lower() in articles
                or bool(_POSSESSIVE.search(tokens[at - 1].group()))
            )
            and _adjacent(sentence, tokens, at - 1)
        )
    translated = [False] * len(tokens)
    named_after = False  # a name follows in the same run
    for at in reversed(range(len(tokens))):
        if not titled[at]:
            named_after = False
        elif not named_after and _title_word(words[at], language):
            translated[at] = True
        else:
            named_after = True
    return translated


def _capital_runs(
    sentence: str, tokens: list[re.Match[str]], capitalised: list[bool]
) -> list[list[int]]:
    """The runs of adjacent capitalised tokens, as lists of their indices."""
    runs: list[list[int]] = []
    for at, capital in enumerate(capitalised):
        if capital and runs and runs[-1][-1] == at - 1 and _adjacent(sentence, tokens, at - 1):
            runs[-1].append(at)
        elif capital:
            runs.append([at])
    return runs


def _translated_run(run: list[int], words: list[str], language: str) -> list[int]:
    """The title words (`_title_word`, no place's name nor nationality) of a run of two or more
    capitalised words that are all title words or translated words (`_translated`), one at
    least translated: a named thing made of words, which translations translate
    ("Independence Hall", "Foster Care"); none for "John Hall" or "Emma Stone", whose given
    names travel.

    A word only `language` writes, or an English adjective (`_qualifier`), counts as a title
    word before the run's last word: there it qualifies the head noun that ends an English
    name of a thing ("Milky Way", "Presiding Officer", "Sporting Shooters Association",
    "Global Citizen"), while a surname only English writes ends a person's name (Judge
    Kavanaugh, Holly Willoughby). Not before a head that names places too ("Quake Lake":
    translations spell a lake's or a river's name, озеро Квейк)."""
    if len(run) < 2:
        return []
    places = lexicon.place_names(skeleton)
    qualifies = skeleton(words[run[-1]]) not in places
    home = [
        i
        for i in run
        if (
            _title_word(words[i], language)
            or (qualifies and i != run[-1] and _qualifier(words[i], language))
        )
        and not _DEMONYM_WORD.search(words[i].lower())
        and skeleton(words[i]) not in places
    ]
    moved = [i for i in run if _translated(words[i], language)]
    # A common word that travels may be the head noun that ends the run ("Artificial
    # Intelligence Development Plan"); before it, a common word is a given name (Later John
    # Snow).
    head = [run[-1]] if lexicon.is_common_word(words[run[-1]], language) else []
    return home if moved and set(home) | set(moved) | set(head) == set(run) else []


def _qualifier(word: str, language: str) -> bool:
    """Whether a capitalised word before a run's head noun qualifies it as a word does: one
    only `language` writes (lexicon.only_home: "Milky", "Presiding"), or an English adjective
    by its ending (_ADJECTIVE_ENDING: "Global", "Federal"; names do not end so, but for the
    places left out before)."""
    if lexicon.only_home(word, language):
        return True
    lower = word.lower()
    match = _ADJECTIVE_ENDING.search(lower) if language == "en" else None
    return match is not None and match.start() >= MIN_NOUN_STEM


def _generic_head(run: list[int], words: list[str], language: str) -> bool:
    """Whether the last word of a run is a title word (`_title_word`: a word of `language`
    that other languages do not write as it is; no place's name nor nationality) right after
    a word in no word list of `language`: the generic noun English adds after a foreign
    place's name ("Ponto Beach", "Qinghai Province", "Childers Street"), which translations
    translate (пляж Понто, провінція Цинхай) while they spell the foreign name, still checked.
    The surnames such a rare given name comes with travel (Elin Jones, Raheem Sterling, Wayde
    Sims: no title words); one that is a title word (Hall, Hill, Stone) is no longer checked
    after a rare given name."""
    if len(run) < 2:
        return False
    head, before = words[run[-1]], words[run[-2]]
    return (
        len(head) > MIN_NOUN_STEM
        and _title_word(head, language)
        and not lexicon.is_common_word(before, language, lexicon.HOME_ZIPF)
        and not lexicon.is_cyrillic(before)
        and not _DEMONYM_WORD.search(head.lower())
        and skeleton(head) not in lexicon.place_names(skeleton)
    )


def _titled_plurals(
    sentence: str, tokens: list[re.Match[str]], words: list[str], capitalised: list[bool]
) -> list[int]:
    """The English plural common nouns that close a title of the form "Name of Nouns" ("Game
    of Thrones", "City of Stars", "Bay of Pigs", "House of Lords"): a title's "of" phrase with a
    plural names a kind of things, which translations translate (престолів, Зірок, Свиней),
    while a person's surname is singular after "of" (the office of Smith) and places are left
    out. For English text only."""
    places = lexicon.place_names(skeleton)
    found = []
    for at in _after(words, "of"):
        word = words[at]
        if (
            _linked(sentence, tokens, words, capitalised, at, "of")
            and word.endswith("s")
            and len(word) > MIN_NOUN_STEM  # a singular of three letters at least (Pig)
            and not _DEMONYM_WORD.search(word.lower())
            and skeleton(word) not in places
            and skeleton(word) not in lexicon.country_names(skeleton)
            # the singular is a word of the small list (Zipf 3: "throne" 3.3 is below
            # TRANSLATED_ZIPF, and has the Cyrillic look-alike трон that keeps it otherwise)
            and lexicon.is_common_word(word[:-1], "en", lexicon.HOME_ZIPF)
        ):
            found.append(at)
    return found


def _titled_causes(
    sentence: str, tokens: list[re.Match[str]], words: list[str], capitalised: list[bool]
) -> list[int]:
    """The English title words (`_title_word`: "Justice", "Peace") after a lower-case "for"
    in a title ("Institute for Justice and Democracy", "Campaign for Peace"): an English title
    names its cause after "for" with a word, which translations translate (справедливості),
    where a name stands in the title's own words (a surname does not follow "for" in a
    title); places and nationalities are left out. For English text only."""
    places = lexicon.place_names(skeleton)
    return [
        at
        for at in _after(words, "for")
        if _linked(sentence, tokens, words, capitalised, at, "for")
        and _title_word(words[at], "en")
        and not _DEMONYM_WORD.search(words[at].lower())
        and skeleton(words[at]) not in places
    ]


def _titled_heads(
    sentence: str,
    tokens: list[re.Match[str]],
    words: list[str],
    capitalised: list[bool],
    translated: list[bool],
) -> list[int]:
    """The head nouns of English titles "Head of Nouns" whose plural after "of" is a translated
    word ("Corps of Engineers", "House of Lords"): such a title names a body by its members,
    and translations translate its head too (Інженерні війська); a person's name "of" a
    place has no translated plural after it (Catherine of Aragon), and places and
    nationalities are left out. For English text only."""
    places = lexicon.place_names(skeleton)
    return [
        at - 2
        for at in _after(words, "of")
        if _linked(sentence, tokens, words, capitalised, at, "of")
        and words[at].endswith("s")
        and len(words[at]) > MIN_NOUN_STEM
        and (translated[at] or _translated(words[at], "en"))
        and not _DEMONYM_WORD.search(words[at - 2].lower())
        and skeleton(words[at - 2]) not in places
        and skeleton(words[at - 2]) not in lexicon.country_names(skeleton)
    ]


def _after(words: list[str], link: str) -> list[int]:
    """The indices of the words right after `link` ("of", "for"), not the first two."""
    if link not in words:  # most sentences: a membership test is cheaper than the loop
        return []
    return [at for at in range(2, len(words)) if words[at - 1] == link]


def _linked(
    sentence: str,
    tokens: list[re.Match[str]],
    words: list[str],
    capitalised: list[bool],
    at: int,
    link: str,
) -> bool:
    """Whether token `at` is a capitalised word right after a lower-case `link` ("of",
    "for") that follows a capitalised word: the second part of a title ("Game of Thrones")."""
    return (
        words[at - 1] == link
        and capitalised[at]
        and capitalised[at - 2]
        and _adjacent(sentence, tokens, at - 2)
        and _adjacent(sentence, tokens, at - 1)
    )


def _title_word(word: str, language: str) -> bool:
    """Whether a word of a title (`_translated_titles`) is one translations translate: a word
    of `language` that other languages do not write as it is (lexicon.stays_home: "Court",
    "Sun", "Valley"; not "Tokyo", "Amazon", "Charles"), and no country's name."""
    return lexicon.stays_home(word, language) and (
        skeleton(word) not in lexicon.country_names(skeleton)
    )


@functools.lru_cache(maxsize=2**15)  # called for every capitalised word, twice
def _translated_word(word: str, language: str, zipf: float = TRANSLATED_ZIPF) -> bool:
    """Whether Latin-script `word` is a word of `language` (at least TRANSLATED_ZIPF frequent
    in it) that Ukrainian and Russian write in none of their words (lexicon.cyrillic_spellings
    holds none alike): translations into them translate it ("Harbour", "Hemisphere",
    "Glacier"), while they spell names and the words they borrow as they sound ("Trump":
    трамп, "Nixon": никсон, "Yoga": йога, "Tesla": тесла); never a place's whole name nor a
    nationality ("Europe", "Tibetan": _demonym_found finds those).

    Args:
        word: one capitalised word.
        language: the code of its text ("": any served Latin-script language's frequency);
            False for a Cyrillic-script one.
        zipf: how frequent in `language` the word must be.
    """
    if language in languages.codes() and languages.get(language).script != "Latin":
        return False  # a Latin word in a Cyrillic text is a name its author kept ("Microsoft")
    if "-" in word:  # "Louis-Charles", "Saint-Pétersbourg": translated only if each part is
        return all(_translated_word(part, language, zipf) for part in word.split("-") if part)
    if (
        lexicon.is_cyrillic(word)
        or _DEMONYM_WORD.search(word.lower())
        or not lexicon.is_common_word(word, language, zipf)
        or skeleton(word) in lexicon.place_names(skeleton)
    ):
        return False
    index = lexicon.cyrillic_spellings(uncached_skeleton, consonant_key)
    for spelling in {skeleton(word)} | spoken(word):
        key = consonant_key(spelling)
        # The same consonants, or one more for a case or derivation ending (амазонка).
        for ending in ("", *CONSONANTS):
            if any(
                similar(spelling, alike) or similar(spelling, alike[: len(spelling) + 1])
                for alike in index.get(key + ending).split()
            ):
                return False
    return True


def _adjacent(sentence: str, tokens: list[re.Match[str]], at: int) -> bool:
    """Whether tokens `at` and `at + 1` have only spaces between them: one name ("John
    Smith"), not two items of a list ("Costume, Design"); or the apostrophe of a plural's
    possessive, which is part of the name as "Maslow's" is ("Belfast Magistrates' Court")."""
    between = sentence[tokens[at].end() : tokens[at + 1].start()].strip()
    return not between or (between in _APOSTROPHES and tokens[at].group().endswith("s"))


def _common(word: str, language: str) -> bool:
    """A common or translated word, but not a country's ("China", "Chine", "Sweden": compared
    across languages)."""
    return (lexicon.is_common_word(word, language) or _translated(word, language)) and (
        skeleton(word) not in lexicon.country_names(skeleton)
    )


def _translated(word: str, language: str) -> bool:
    """Whether `word` is one translations translate, no name even beside one: a word the other
    Latin-script language writes otherwise ("Hurricane", "Comité"), an abstract noun
    ("Confederation"), a word no Cyrillic word is spelled like ("Glacier")."""
    return (
        lexicon.is_own_word(word, language)
        or _abstract_noun(word, language)
        or _translated_word(word, language)
    )


@functools.lru_cache(maxsize=2**15)  # called for every capitalised word, twice
def _abstract_noun(word: str, language: str) -> bool:
    """Whether a Latin-script `word` ends as the abstract and learned nouns of `language` do
    (Language.noun_endings: "Confederation", "Buddhism", "Romantisme"), with a stem of at
    least MIN_NOUN_STEM letters before the ending; every served language's when unknown."""
    endings = (
        languages.get(language).noun_endings
        if language in languages.codes()
        else languages.merged_words("noun_endings")
    )
    lower = word.lower()
    return not lexicon.is_cyrillic(word) and any(
        lower.endswith(end) and len(lower) - len(end) >= MIN_NOUN_STEM for end in endings
    )


def _abbreviation(
    sentence: str, tokens: list[re.Match[str]], at: int, *, named_next: bool = False
) -> bool:
    """Whether token `at` shortens a title or date (_NOT_NAMES, ABBREVIATION_CHARS): "Oct.",
    "Nov 3", "Sen. Smith", "Prof Smith"; not "Marc" or "Gene" alone. At a sentence's end,
    a month's after a preposition of time ("until Oct.", "on Nov."), and a title's when a
    capitalised word follows the sentence (`named_next`: a splitter may end a sentence at
    "Det." of "Det. Dennis McCarthy"); not "said Marc." """
    word = tokens[at].group()
    if len(word) not in ABBREVIATION_CHARS or not word[0].isupper():
        return False
    lower = word.lower()
    shortened = [t for t in _NOT_NAMES if t.startswith(lower) and t != lower]
    if not shortened:
        return False
    after = sentence[tokens[at].end() :]
    following = tokens[at + 1].group() if at + 1 < len(tokens) else ""
    # A full stop that ends the sentence may be the sentence's ("said Marc.").
    last = after.startswith(".") and not after[1:].strip()
    before = tokens[at - 1].group().lower() if at else ""
    return (
        (after.startswith(".") and bool(after[1:].strip()))
        or (last and before in _TIME_PREPOSITIONS and any(t in _MONTHS for t in shortened))
        or (last and named_next and any(t in _TITLES for t in shortened))
        or (after.lstrip()[:1].isdigit() and any(t in _MONTHS for t in shortened))
        or (
            following[:1].isupper()
            and _adjacent(sentence, tokens, at)
            and any(t in _TITLES for t in shortened)
        )
    )


def _capitalised(word: str) -> bool:
    """Whether `word` could be a name: capitalised, not an acronym (they differ by language:
    NATO, OTAN, НАТО; and their English plurals: "TVs", "MPs"), not a title, day or month
    (_NOT_NAMES, accents aside: "Révérend"), nor a common compound ("Assassin-bugs"), nor one
    of acronyms and lower-case words only, neither of which is a name ("IP-адреса",
    "SMS-повідомлення": an IP address)."""
    return (
        len(word) >= MIN_NAME_CHARS
        and word[0].isupper()
        and not word.isupper()
        and not (word.endswith("s") and len(word) > MIN_NAME_CHARS and word[:-1].isupper())
        and unaccented(word.lower()) not in _NOT_NAMES
        and word.lower() not in _NAME_SUFFIXES
        and not _ROMAN_ORDINAL.fullmatch(word)
        and not ("-" in word and _COMMON_COMPOUND.search(word))
        and not ("-" in word and all(p.isupper() or p.islower() for p in word.split("-") if p))
    )


def missing(names_: Sequence[str], translation: str) -> list[str]:
    """The names of which no word of `translation` is a spelling (in either script; a case
    ending after the name is allowed: "Дюбуа", "Києва"), nor an inflected form (lemmas of
    Cyrillic words: "Трампа" is "Трамп"), nor, for a country, its name in another served
    language ("Sweden", "Suède", "Швеції").

    Args:
        names_: the source's names (`names`).
        translation: the translated text.

    Returns:
        The names not found, in the order given.
    """
    return _missing(names_, translation, initials=True)


def _missing(names_: Sequence[str], translation: str, *, initials: bool) -> list[str]:
    """`missing`; without `initials`, no name found among the acronyms (_acronym_found) the
    initials of its run make: the parts of one compound name (_found_in_parts), whose
    initials are the compound's ("États-Unis" is no "EU")."""
    found_tokens = list(_TOKEN.finditer(translation))
    tokens = [t.group() for t in found_tokens]
    # "d'Odesa", "l'Ukraine": the name after an elided article is a word too.
    tokens += [p for t in tokens for p in re.split(r"['’ʼ]", t)[1:]]
    # "Кемп-Девідська", "Грейт-Ярмут": each part of a hyphenated word may be a name.
    tokens += [p for t in tokens if "-" in t for p in t.split("-") if p]
    words = {skeleton(t) for t in tokens}
    words.discard("")
    lemma_words: set[str] | None = None  # only when a name is not found as written
    # Names of the translation (capitalised, not common words): a short name is found among
    # them by its consonants alone (Hall / Холл, Emma / Еммі, Jamie / Джеймі), not among all
    # words (Moreau / "Мер", "maire").
    proper_words: set[str] = set()
    capitals: list[str] = []
    joined: set[str] = set()
    lost = []
    for name in names_:
        spellings = {skeleton(name)} | {skeleton(lemma) for lemma in lexicon.lemmas(name)}
        spellings |= {skeleton(lemma) for lemma in lexicon.name_lemmas(name)}
        spellings |= {skeleton(stem) for stem in _adjective_stems(name)}
        if any(_found(s, words) for s in spellings):
            continue
        if lemma_words is None:  # names are capitalised in every served language
            capitals = [t for t in tokens if t[:1].isupper()]
            # The parts of a capitalised compound are of its name ("Прем'єр-лізі": ліга).
            capitals += [p for t in capitals if "-" in t for p in t.split("-")[1:] if p]
            lemma_words = words | {skeleton(lem) for t in capitals for lem in lexicon.lemmas(t)}
            lemma_words |= {
                skeleton(stem + "г")
                for t in capitals
                if (stem := _CHANGED_CONSONANT.sub("", t.lower())) != t.lower()
            }
            lemma_words |= {skeleton(part) for t in tokens for part in _compound_place(t)}
            joined = _joined(translation, found_tokens)  # "Sky Blues" for "Skyblues"
            proper_words = {
                spelling
                for t in _proper(translation, found_tokens)
                for w in (t, *_proper_lemmas(t))
                for spelling in (skeleton(w), *spoken(w), *readings(w))
            }
        stems = _country_stems(spellings)
        if (
            # The translation's names as spoken too: "Welsh" as у-, Уэльс's (Wales's) stem.
            not any(w[:STEM_CHARS] in stems for w in lemma_words | proper_words)
            and not _demonym_found(name, lemma_words)
            and not any(
                _found(s, lemma_words) or same_consonants(s, proper_words, extra=0)
                for s in spellings | spoken(name) | romance_qu(name) | _long(readings(name))
            )
            and not readings(name) & lemma_words
            and not _found_in_parts(name, translation)
            and not _found_joined(name, names_, capitals)
            and not spellings & joined  # as written: joined words are long, loose finds many
            and not _initials_found(name, translation)
            and not (initials and _acronym_found(name, names_, translation))
            and not _nationality_found(spellings, capitals)
        ):
            lost.append(name)
    return [n for n in lost if not _syllable_found(n, names_, lost, translation)]


def _syllables(word: str) -> bool:
    """Whether `word` is written as one syllable of a Korean or Chinese name (_SYLLABLE: "Kim",
    "Jong", "Un", "Hsien", "Чен", "Чжэ"), a case ending allowed after a Cyrillic one ("Ином",
    "Ыном")."""
    lower = word.lower()
    if lexicon.is_cyrillic(word):
        table = languages.to_latin()
        return bool(_CYRILLIC_SYLLABLE.fullmatch("".join(table.get(ch, ch) for ch in lower)))
    return bool(_SYLLABLE.fullmatch(lower))


def _syllable_found(name: str, names_: Sequence[str], lost: list[str], translation: str) -> bool:
    """Whether a lost syllable of a Korean or Chinese name (three syllables or more, each a
    word: "Kim Jong Un", "Ri Yong Ho", "Lee Hsien Loong") stands in the translation where its
    place in the name puts it, beside a syllable of the same name that is found: such names
    are transcribed syllable by syllable by systems (Kontsevich's Korean, Palladius's Chinese)
    that no spelling rule here follows (Jong / Чен, Un / Ын, Ri / Ли), and each syllable keeps
    its place ("Кім Чен Ин", "Moon Jae-in")."""
    at = names_.index(name)
    run = range(max(0, at - SYLLABLE_NAME + 1), min(len(names_), at + SYLLABLE_NAME))
    if not _syllables(name) or sum(_syllables(names_[i]) for i in run) < SYLLABLE_NAME:
        return False
    # The translation's words, a hyphenated one in parts ("Jae-in"), and whether each may be a
    # syllable of a name: capitalised, or a part after a hyphen.
    parts = [(p, n > 0) for t in _TOKEN.findall(translation) for n, p in enumerate(t.split("-"))]
    words = [p for p, _ in parts]
    syllable = [_syllables(p) and (after or p[:1].isupper()) for p, after in parts]
    for i in run:
        if i == at or names_[i] in lost or not _syllables(names_[i]):
            continue
        if not all(_syllables(names_[j]) for j in range(min(i, at), max(i, at) + 1)):
            continue  # the two must be syllables of one name, nothing else between them
        for place, word in enumerate(words):
            there = place + at - i
            # The translation writes the name as SYLLABLE_NAME syllables or more in a row.
            low, high = min(place, there), max(place, there)
            row = range(max(0, high - SYLLABLE_NAME + 1), min(low, len(words) - SYLLABLE_NAME) + 1)
            if (
                0 <= there < len(words)
                and any(all(syllable[start : start + SYLLABLE_NAME]) for start in row)
                and not missing([names_[i]], word)
            ):
                return True
    return False


def _proper(text: str, tokens: list[re.Match[str]]) -> list[str]:
    """The words of `text` that may be names: capitalised and not common words, and in
    Cyrillic script every capitalised word inside a sentence (Ukrainian and Russian capitalise
    names only: "у Римі", "Цін", though "рим" and "цін" are words too), and the capitalised
    parts of a compound that opens lower-case ("quasi-Teresa-May", "pro-Trump": only a name
    explains a capital inside a word), common words too."""
    inner = [
        part
        for t in tokens
        if "-" in t.group() and t.group()[:1].islower()
        for part in t.group().split("-")[1:]
        if part[:1].isupper()
    ]
    return [
        t.group()
        for t in tokens
        if t.group()[:1].isupper()
        and (
            not lexicon.is_common_word(t.group())
            or (lexicon.is_cyrillic(t.group()) and not _opens_sentence(text, t.start()))
        )
    ] + inner


def _proper_lemmas(word: str) -> frozenset[str]:
    """The lemmas of a name of the translation (`_proper`), none for a common word: its
    lemma is a common word's ("Мари" would be "марь", close to Moreau)."""
    return frozenset() if lexicon.is_common_word(word) else lexicon.lemmas(word)


def _opens_sentence(text: str, at: int) -> bool:
    """Whether the word at `at` opens a sentence (or a quotation, or follows a colon)."""
    before = text[:at].rstrip()
    return not before or before[-1] in _SENTENCE_OPENERS


_SENTENCE_OPENERS = frozenset(".!?…:;\"«»„“”'(—–-")


def _demonym_found(name: str, words: set[str]) -> bool:
    """Whether `name` is a nationality or adjective form (_DEMONYM_ENDING: "Persian",
    "Byzantine", "Spaniards", "Minoan") whose stem opens a word of `words` ("персидської",
    "візантійській", "іспанці": Cyrillic adds an і before "sp", "римських"): the stem's
    first letter and its next DEMONYM_CONSONANTS consonants (as many as it has)."""
    if lexicon.is_cyrillic(name):
        return False
    for spelling in {skeleton(name)} | spoken(name):
        stem = _DEMONYM_ENDING.sub("", spelling)
        if stem == spelling or len(stem) < MIN_DEMONYM_STEM:
            continue
        opening = VOWELS.sub("", stem[1:])[:DEMONYM_CONSONANTS]
        if not opening:
            continue
        for word in words:
            plain = word[1:] if word[:1] in "ie" and word[1:2] == stem[:1] else word
            if plain[:1] == stem[:1] and VOWELS.sub("", plain[1:]).startswith(opening):
                return True
    return False


def _long(spellings: frozenset[str]) -> frozenset[str]:
    """The spellings of at least MIN_STEM_CHARS letters: a shorter one (Lee as "li") is found
    as a whole word only, not at the start of one ("Ліона": Lyon)."""
    return frozenset(s for s in spellings if len(s) >= MIN_STEM_CHARS)


def _adjective_stems(name: str) -> set[str]:
    """The names that a Cyrillic adjective is made of ("Кемп-Девідська" угода: "Девід",
    "Уппсальского": "Уппсаль"), to look for as names; empty for other words."""
    if not lexicon.is_cyrillic(name):
        return set()
    forms = {name.lower()} | lexicon.lemmas(name)
    return {stem for form in forms if (stem := _CYRILLIC_ADJECTIVE.sub("", form)) != form}


def _joined(text: str, tokens: list[re.Match[str]]) -> set[str]:
    """The skeletons of two adjacent capitalised words of `text` written as one ("Sky Blues":
    "skiblue"), as a translation may write the name of two words in one ("Skyblues")."""
    return {
        skeleton(first.group() + second.group())
        for first, second in itertools.pairwise(tokens)
        if first.group()[:1].isupper()
        and second.group()[:1].isupper()
        and not text[first.end() : second.start()].strip()
    }


def _found_joined(name: str, names_: Sequence[str], capitals: list[str]) -> bool:
    """Whether a capitalised word of the translation writes `name` joined after another of the
    names ("Skyblues" for "Sky Blues"), as a translation may write a name of two words; both
    parts of at least MIN_STEM_CHARS letters, `name` as written."""
    own = skeleton(name)
    if len(own) < MIN_STEM_CHARS:
        return False
    heads = {skeleton(n) for n in names_ if n != name} - {""}
    return any(
        len(word) > len(own) and word.endswith(own) and _found(head, {word[: len(word) - len(own)]})
        for word in {skeleton(t) for t in capitals}
        for head in heads
        if len(head) >= MIN_STEM_CHARS
    )


def _compound_place(word: str) -> list[str]:
    """The last parts of a Cyrillic adjective made of a compound place's name, which Ukrainian
    and Russian join with a linking о ("новоорлеанський": Нового Орлеана, New Orleans;
    "новозеландський", "північноамериканський"): each part after an о inside its stem, of
    STEM_CHARS letters or more ("орлеан"); empty for other words."""
    lower = word.lower()
    if len(lower) <= STEM_CHARS * 2 or "к" not in lower:  # no adjective of a compound
        return []
    stem = _CYRILLIC_ADJECTIVE.sub("", lower)
    if stem == lower:
        return []
    return [
        stem[at + 1 :]
        for at in range(MIN_STEM_CHARS - 1, len(stem) - STEM_CHARS)
        if stem[at] == "о"
    ]


def _initials_found(name: str, translation: str) -> bool:
    """Whether `translation` writes the country `name` names by its initials
    (lexicon.country_initials: "Royaume-Uni" as "UK", "États-Unis" as "U.S." or "США")."""
    initials = _country_initials(name)
    return bool(initials) and any(a.startswith(i) for a in _acronyms(translation) for i in initials)


def _country_initials(name: str) -> set[str]:
    """The initials of the country `name` names (lexicon.country_initials), none for others."""
    index = lexicon.country_initials()
    return {i for n in {name.lower()} | lexicon.lemmas(name) for i in index.get(n, ())}


def _acronyms(translation: str) -> set[str]:
    """The acronyms of `translation`: words of capitals alone, the full stops of "U.S." and a
    possessive ending ("the UK's") left out, each part of a dashed compound ("US–China") a
    word of its own."""
    chunks = (_POSSESSIVE_END.sub("", c) for c in _ACRONYM_BREAK.split(translation))
    return {
        w
        for chunk in chunks
        if len(w := _NOT_LETTER.sub("", chunk)) > 1 and w.isupper() and not _ROMAN.fullmatch(w)
    }


def _acronym_found(name: str, names_: Sequence[str], translation: str) -> bool:
    """Whether `translation` writes `name` as a letter of an acronym, as English writes what
    Ukrainian and Russian spell out: the first letter of one (a place an organisation, a
    university, a time is named after: Университет штата Луизиана / LSU, "по Гринвичу" /
    GMT, Евросоюз / EU), the initials of the run of names `name` is one of as a whole acronym
    (Андрес Мануель Лопес Обрадор / AMLO, Johnny English / JE), or those of the parts of a
    compound name within one (Лос-Анджелес / UCLA). A country whose initials are known is left to
    _initials_found (États-Unis is no "EU"). Letters compare as skeletons; among initials of
    several words a vowel agrees with any vowel ("Інгліш" / E)."""
    # Latin acronyms only: Ukrainian and Russian ones are of common words (США, ШІ, АНБ), which
    # an English name's initial would match by chance.
    acronyms = {a for a in _acronyms(translation) if not lexicon.is_cyrillic(a)}
    if not acronyms or _country_initials(name):
        return False
    own = _initials([name], loose=False)
    # A Latin name is carried, and with it the acronym's letters it gives; a person is written
    # by the initials of a whole name (AMLO, below), not by one name's (a dropped "Трампа" is
    # no "TV").
    if (
        lexicon.is_cyrillic(name)
        and not lexicon.is_person(name)
        and any(_initials(a, loose=False)[:1] == own for a in acronyms)
    ):
        return True
    # Two letters agree by chance too often to let vowels agree loosely ("IT" for Eee Taipei).
    exact = {_initials(a, loose=False) for a in acronyms}
    loose = {_initials(a) for a in acronyms if len(a) > MIN_LOOSE_INITIALS - 1}
    parts = [p for p in _NAME_PARTS.split(name) if _capitalised(p)]
    if len(parts) > 1 and any(_initials(parts, loose=False) in a for a in exact):
        return True
    at = names_.index(name) if name in names_ else -1
    for start in range(max(0, at - INITIALS_RUN + 1), at + 1 if at >= 0 else 0):
        for end in range(at + 1, min(len(names_), start + INITIALS_RUN) + 1):
            run = names_[start:end]
            if len(run) > 1 and (_initials(run, loose=False) in exact or _initials(run) in loose):
                return True
    return False


def _initials(words: Sequence[str], *, loose: bool = True) -> str:
    """The first letters of `words` (or an acronym's letters), each as its skeleton's: how the
    initials of one name agree across scripts (Джонні / J, Лос / L); `loose`, every vowel as
    "a" (Інгліш / English)."""
    letters = (skeleton(w)[:1] for w in words)
    return "".join("a" if loose and VOWELS.match(ch) else ch for ch in letters if ch)


def _found_in_parts(name: str, translation: str) -> bool:
    """Whether each capitalised part of a hyphenated name is found ("Паго-Паго", "Хейл-молодший",
    "Грейт-Ярмуте": Pago Pago, Hale Jr., Great Yarmouth), or one that is no common word."""
    # "Сен-Жорж-де-л'Ояпок": the part after an elided article is a part too.
    parts = [p for p in _NAME_PARTS.split(name) if _capitalised(p)] if "-" in name else []
    if not parts:
        return False
    lost = _missing(parts, translation, initials=False)
    # A translation may translate the common words of a compound name and spell the rest
    # ("Порт-Стэнли": Port Stanley, "Санкт-Петербурге": St. Petersburg, "Ост-Индии": East
    # Indies): its part that is no common word found is enough, if long enough not to be
    # found by chance ("Wi" of "Wi-Fi" is found in "with").
    return not lost or any(
        p not in lost and len(p) >= STEM_CHARS and not lexicon.is_common_word(p) for p in parts
    )


def _country_stems(spellings: set[str]) -> frozenset[str]:
    """The first STEM_CHARS letters of every served language's name of the country (or
    region) that `spellings` name or make an adjective of ("Sweden", "Swedish": "sved", "sued",
    "shve"), so "Швеції", "suédoise" and "японського" find theirs."""
    groups = lexicon.country_words(skeleton)
    found = [groups[s] for s in spellings if s in groups]
    if found:
        return frozenset(
            e[:STEM_CHARS] for group in found for e in group if len(e) >= MIN_STEM_CHARS
        )
    by_stem = _stem_index(languages.served())
    return frozenset(
        e for s in spellings if len(s) > STEM_CHARS for e in by_stem.get(s[:STEM_CHARS], ())
    )


def _nationality_found(spellings: set[str], capitals: list[str]) -> bool:
    """Whether a capitalised word of the translation is a nationality or adjective form
    (_NATIONALITY: "French", "Spanish", "Chinese", "Français") of the country or place
    `spellings` name (a Cyrillic case form: "Франции", "Испании"), its stem's first letter and
    consonants opening those of a name of the place in some served language (French: f-r-n
    of France; Spanish: s-p-n of Spain), as English changes the country's vowels in its
    adjective (France / French), which the stems _country_stems compares do not allow."""
    groups = lexicon.country_words(skeleton)
    keys = {consonant_key(e) for s in spellings if s in groups for e in groups[s]}
    if not keys:
        return False
    for word in capitals:
        stem = _NATIONALITY.sub("", word.lower())
        if stem == word.lower() or lexicon.is_cyrillic(word):
            continue
        key = consonant_key(skeleton(stem))
        if len(key) >= MIN_DEMONYM_STEM and any(k.startswith(key) for k in keys):
            return True
    return False


@functools.lru_cache(maxsize=4)
def _stem_index(served: tuple[Language, ...]) -> dict[str, frozenset[str]]:
    """Each place-name spelling's first STEM_CHARS letters -> its group's (`served` keys the
    cache only)."""
    index: dict[str, set[str]] = {}
    for spelling, group in lexicon.country_words(skeleton).items():
        stems = {e[:STEM_CHARS] for e in group if len(e) >= STEM_CHARS}
        index.setdefault(spelling[:STEM_CHARS], set()).update(stems)
    return {stem: frozenset(found) for stem, found in index.items()}


def _found(name: str, words: set[str]) -> bool:
    if not name or name in words:
        return True
    for word in words:
        if word[:1] != name[:1]:
            continue  # names keep their first letter across scripts (and this keeps it cheap)
        head = word[: len(name) + 1]  # room for one changed letter, not for a case ending
        if (len(name) >= 4 and word.startswith(name[:-1])) or similar(name, head):
            return True
    return len(VOWELS.sub("", name)) >= MIN_CONSONANTS and same_consonants(name, words)
