"""Which words of a summary are proper names: capitalised ones less titles, units, common words."""

from __future__ import annotations

import functools
import re

from precis_models import languages
from precis_models.sentences import split_sentences
from precis_news.pipeline import lexicon
from precis_news.pipeline.spelling import (
    CONSONANTS,
    consonant_key,
    similar,
    skeleton,
    spoken,
    unaccented,
    uncached_skeleton,
)

# A Latin-script compound whose last part is lower-case is a common noun ("Assassin-bugs",
# "Post-war"), not a name (Stratford-upon-Avon ends capitalised).
_COMMON_COMPOUND = re.compile(r"-[a-zà-ÿ]+$")
# A word, with its apostrophes and hyphens ("O'Brien", "Кемп-Девідська").
TOKEN = re.compile(r"[^\W\d_][^\W\d_'’ʼ-]*(?:['’ʼ-][^\W\d_]+)*")
_POSSESSIVE = re.compile(r"['’]s$")
_APOSTROPHES = frozenset("'’")
# The endings of Ukrainian and Russian adjectives made of a name (-ськ-, -цьк-, -ск-, -цк-).
ADJECTIVE_CASES = r"(?:ий|ій|ого|ому|им|ім|их|а|ої|у|ою|е|і|ая|ой|ую|ое|ие)$"
CYRILLIC_ADJECTIVE = re.compile(r"[сцз]ь?к" + ADJECTIVE_CASES)
# Roman numerals with a French ordinal ending: "XVe siècle" is a century, not a name.
_ROMAN_ORDINAL = re.compile(r"[IVXLC]+(?:e|er|re|ème)")
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
MIN_NOUN_STEM = 3  # "Zion", "Ness" are no abstract nouns (_abstract_noun)
# Words this frequent are never names, even beside one ("The Simpsons", "All Blacks").
FUNCTION_WORD_ZIPF = 6.0
# A capitalised word at least this frequent in its text's language is a word translations
# translate, unless Ukrainian or Russian has a word spelled like it (_translated_word).
TRANSLATED_ZIPF = 3.5  # as lexicon.OWN_WORD_ZIPF: "Hurricane" 4.1, "Glacier" 3.6
# A title-case sentence (_title_case): this many words at least of this many letters, all
# capitalised ("of", "to", "an", "and", "his" stay lower-case in title case).
HEADLINE_CHARS = 4
HEADLINE_WORDS = 3
# A number (not a year's four digits, nor the end of "30 000"), the counted measure, and a
# preposition and scale before a unit named after a person (_unit_named): "27 градусів ",
# "7,5 баллов по шкале ".
_LOWER_WORD = r"[а-яёіїєґʼ'-]{3,}"  # longer than a preposition
UNIT_REACH = 80  # characters before the name it reads ("7,5 баллов по шкале ": 20)
_UNIT_BEFORE = re.compile(
    rf"(?<![\d.,])(?<![\d.,]\s)\d{{1,3}}(?:[.,]\d+)?\s+(?:(?P<counted>{_LOWER_WORD})\s+)?"
    rf"(?:(?P<preposition>[а-яёіїєґ]{{1,2}})\s+)?(?P<measure>{_LOWER_WORD})\s+$"
)
# A unit's symbol (_unit_symbol): this many letters at most, no vowel, right after a number.
UNIT_SYMBOL_CHARS = 3
_VOWEL = re.compile(r"[aeiouyаеєиіїоуыэюяё]", re.IGNORECASE)
_NUMBER_BEFORE = re.compile(r"\d\s?$")
# A time of day and the preposition before a city that names its time zone (_time_zone): "в
# 15:00 по ", "5 часов утра по ", "о 9 годині ранку за ".
_ZONE_BEFORE = re.compile(
    r"(?:\d[:.]\d\d|\d\s+(?:час[а-я]*|годин[а-яі]*)|утра|вечера|ночи|ранку|вечора|ночі)\s+"
    r"(?:по|за)\s+$"
)
# English adjective endings (Global, Federal, Creative, Famous, Grateful, Reliable): before a
# head noun they qualify it, as a name does not (_qualifier).
_ADJECTIVE_ENDING = re.compile(r"(?:al|ive|ous|ful|less|able|ible)$")
# Nationality and adjective forms (Tibetan, Romanian, Christian), found by
# translated_names._demonym_found.
_DEMONYM_WORD = re.compile(r"(?:ian|ean|an|ard|ese|ish|ic|ine|ite|i)s?$")


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
        tokens = list(TOKEN.finditer(sentence))
        words = [_POSSESSIVE.sub("", token.group()) for token in tokens]
        capitalised = [
            could_be_name(word)
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
                    and could_be_name(word)
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
            if capitalised[at] and _unit_symbol(sentence, tokens, at):
                continue  # "7,1 Mw", "5 Hz": a unit's symbol after its number
            if capitalised[at] and _time_zone(sentence, tokens, at):
                continue  # "в 5 утра по Нью-Йорку": a time zone, "Eastern time", "ET"
            if capitalised[at] and (beside_a_name or not common[at]) and word not in found:
                found.append(word)
    return found


def _unit_symbol(sentence: str, tokens: list[re.Match[str]], at: int) -> bool:
    """Whether token `at` is a unit's symbol right after its number ("7,1 Mw", "5 Hz", "20
    Mb"): a capitalised word of at most UNIT_SYMBOL_CHARS letters without a vowel, which no
    name of the served languages' texts is but a few Chinese ones (Ng), which do not follow
    a number. Translations convert such units or write them otherwise ("7.1-magnitude")."""
    word = tokens[at].group()
    start = tokens[at].start()
    return (
        len(word) <= UNIT_SYMBOL_CHARS
        and not _VOWEL.search(word)
        and bool(_NUMBER_BEFORE.search(sentence, max(0, start - UNIT_SYMBOL_CHARS), start))
    )


def _time_zone(sentence: str, tokens: list[re.Match[str]], at: int) -> bool:
    """Whether Cyrillic token `at` names a time zone by its city after a time of day (_ZONE_BEFORE:
    "в 5 часов утра по Нью-Йорку", "о 15:00 за Києвом"), which English writes by the zone's name
    or letters ("Eastern time", "ET", "GMT") or as local time, without the city."""
    word = tokens[at].group()
    if not lexicon.is_cyrillic(word):
        return False
    start = tokens[at].start()
    return bool(_ZONE_BEFORE.search(sentence, max(0, start - UNIT_REACH), start))


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
    # Read the few words before the name only: a search from the sentence's start for each
    # capitalised word made a stranger's long sentence quadratic (150 KB: 30 s).
    start = tokens[at].start()
    before = _UNIT_BEFORE.search(sentence, max(0, start - UNIT_REACH), start)
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
        and not CYRILLIC_ADJECTIVE.search(adjective.lower())
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
    qualifies = skeleton(words[run[-1]]) not in lexicon.place_names(skeleton)
    home = [
        i
        for i in run
        if (
            _title_word(words[i], language)
            or (qualifies and i != run[-1] and _qualifier(words[i], language))
        )
        and not _spelled_abroad(words[i])
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
        and not _spelled_abroad(head)
    )


def _titled_plurals(
    sentence: str, tokens: list[re.Match[str]], words: list[str], capitalised: list[bool]
) -> list[int]:
    """The English plural common nouns that close a title of the form "Name of Nouns" ("Game
    of Thrones", "City of Stars", "Bay of Pigs", "House of Lords"): a title's "of" phrase with a
    plural names a kind of things, which translations translate (престолів, Зірок, Свиней),
    while a person's surname is singular after "of" (the office of Smith) and places are left
    out. For English text only."""
    found = []
    for at in _after(words, "of"):
        word = words[at]
        if (
            _linked(sentence, tokens, words, capitalised, at, "of")
            and word.endswith("s")
            and len(word) > MIN_NOUN_STEM  # a singular of three letters at least (Pig)
            and not _spelled_abroad(word)
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
    return [
        at
        for at in _after(words, "for")
        if _linked(sentence, tokens, words, capitalised, at, "for")
        and _title_word(words[at], "en")
        and not _spelled_abroad(words[at])
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
    return [
        at - 2
        for at in _after(words, "of")
        if _linked(sentence, tokens, words, capitalised, at, "of")
        and words[at].endswith("s")
        and len(words[at]) > MIN_NOUN_STEM
        and (translated[at] or _translated(words[at], "en"))
        and not _spelled_abroad(words[at - 2])
        and skeleton(words[at - 2]) not in lexicon.country_names(skeleton)
    ]


def _spelled_abroad(word: str) -> bool:
    """Whether `word` is a nationality or adjective form (_DEMONYM_WORD: "Welsh", "Tibetan") or
    a place's whole name (lexicon.place_names: "Rome", "Ontario"): words translations spell or
    derive, never translate, so no title rule takes them for words."""
    return bool(_DEMONYM_WORD.search(word.lower())) or skeleton(word) in lexicon.place_names(
        skeleton
    )


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
    nationality ("Europe", "Tibetan": translated_names._demonym_found finds those).

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
        or not lexicon.is_common_word(word, language, zipf)
        or _spelled_abroad(word)
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


def could_be_name(word: str) -> bool:
    """Whether `word` could be a name: capitalised, not an acronym (they differ by language:
    NATO, OTAN, НАТО; and their English plurals: "TVs", "MPs"), not a title, day or month
    (_NOT_NAMES, accents aside: "Révérend"), nor a common compound ("Assassin-bugs"), nor one
    of acronyms and lower-case words only, neither of which is a name ("IP-адреса",
    "SMS-повідомлення": an IP address).

    Args:
        word: one word of a text, or a part of a hyphenated one.

    Returns:
        True where its form allows a name; whether it is one depends on its place and words
        beside it (`names`).
    """
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
