"""Whether a summary's names are in its translation, in either script, inflected, or by acronym."""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Sequence

from precis_models import languages
from precis_models.languages import Language
from precis_news.pipeline import lexicon
from precis_news.pipeline.names import ADJECTIVE_CASES, CYRILLIC_ADJECTIVE, TOKEN, could_be_name
from precis_news.pipeline.spelling import (
    VOWELS,
    consonant_key,
    readings,
    romance_qu,
    same_consonants,
    similar,
    skeleton,
    spoken,
    uncached_skeleton,
)

_NAME_PARTS = re.compile(r"[-'’ʼ]")
_NOT_LETTER = re.compile(r"[\W\d_]")
_POSSESSIVE_END = re.compile(r"['’]s\b")
# Between the words of an acronym: spaces, and the dashes and slashes of a compound ("US–China").
_ACRONYM_BREAK = re.compile(r"[\s/–—-]+")
# How many names in a row an acronym may spell (Андрес Мануель Лопес Обрадор: AMLO).
INITIALS_RUN = 4
MIN_LOOSE_INITIALS = 3  # an acronym this long may have any vowel for a name's (JE: Інгліш)
# Roman numerals are no acronyms ("Elizabeth II", "World War II").
_ROMAN = re.compile(r"[IVX]+")
# A Cyrillic adjective of a place (CYRILLIC_ADJECTIVE) ending in г or к changes that consonant:
# Рига / Ризький, Рижский; Прага / Празький, Пражский; Чикаго / Чиказький.
_CHANGED_CONSONANT = re.compile(r"(?:зьк|жск)" + ADJECTIVE_CASES)
MIN_CONSONANTS = 3  # two (Moreau: "mr") match too many words ("maire", "Мер")
# The endings of nationality and adjective forms (Persian, Byzantine, Japanese, Swedish,
# Arabic, Israeli, Spaniards) and their plurals: the stem before one is what a translation's
# adjective or noun for it begins with (персидська, візантійський, Іспанці).
_DEMONYM_ENDING = re.compile(r"(?:ian|ean|an|ard|ese|ish|ik|ine|ite|i)$")  # on a skeleton
DEMONYM_CONSONANTS = 2  # consonants after a stem's first letter that must agree (p-rs of pers-)
MIN_DEMONYM_STEM = 3  # shorter stems ("it" of Italian is "it") open too many words
STEM_CHARS = 4  # a country's name and its adjectives share this many letters (Japan, японський)
MIN_STEM_CHARS = 3  # a shorter name is its own stem, found as a whole word (Ohio: "oio")
# A syllable of a Korean or Chinese name as romanised (Kim, Jong, Un, Ri, Hsien, Loong, Jae,
# Jin; not John, Hanks): some consonants, one to three vowels, a final n, ng, m, k, p or l;
# in Cyrillic (transliterated letter by letter) with a case ending after it.
_SYLLABLE = re.compile(r"[bcdfghjklmnpqrstvwxz]{0,4}[aeiouy]{1,3}(?:ng|n|m|k|p|l)?")
_CYRILLIC_SYLLABLE = re.compile(_SYLLABLE.pattern + r"(?:a|u|om|em|oi|i|y|e|ym|im)?")
SYLLABLE_NAME = 3  # syllables of one such name (two-syllable ones match too many words)
# The endings of English and French nationality words, as written (French, Welsh, Spanish,
# Chinese, Romanian, Israeli, Arabic; Gallois, Français, Italien): what is left opens the
# consonants of the country's name (_nationality_found).
_NATIONALITY = re.compile(r"(?:ish|ch|sh|ese|ian|ean|an|i|ic|ais|ois|aise|oise|ien|ienne)$")


def load() -> None:
    """Load what the check reads (pymorphy3's dictionaries, word frequencies of the served and
    the neighbouring Latin-script languages, places and cities, the Cyrillic word lists'
    spellings: about 2 s and 106 MB), so that the first summary checked does not wait."""
    lexicon.lemmas("Київ")
    lexicon.is_common_word("The")  # every served Latin-script language's word frequencies
    lexicon.stays_home("The", "en")  # and the neighbours' (lexicon.NEIGHBOURS)
    lexicon.country_initials()
    _stem_index(languages.served())
    _key_index(languages.served())
    lexicon.cyrillic_spellings(uncached_skeleton, consonant_key)
    lexicon.place_names(skeleton)


def missing(names_: Sequence[str], translation: str) -> list[str]:
    """The names of which no word of `translation` is a spelling (in either script; a case
    ending after the name is allowed: "Дюбуа", "Києва"), nor an inflected form (lemmas of
    Cyrillic words: "Трампа" is "Трамп"), nor, for a country, its name in another served
    language ("Sweden", "Suède", "Швеції").

    Args:
        names_: the source's names (`names.names`).
        translation: the translated text.

    Returns:
        The names not found, in the order given.
    """
    return _missing(names_, translation, initials=True)


def _missing(names_: Sequence[str], translation: str, *, initials: bool) -> list[str]:
    """`missing`; without `initials`, no name found among the acronyms (_acronym_found) the
    initials of its run make: the parts of one compound name (_found_in_parts), whose
    initials are the compound's ("États-Unis" is no "EU")."""
    found_tokens = list(TOKEN.finditer(translation))
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
    capital_skeletons: set[str] = set()
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
            capital_skeletons = {skeleton(t) for t in capitals}
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
        stems = _country_stems(spellings) | _demonym_stems(name)
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
            and not _found_joined(name, names_, capital_skeletons)
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
    parts = [(p, n > 0) for t in TOKEN.findall(translation) for n, p in enumerate(t.split("-"))]
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
    explains a capital inside a word), common words too; and the parts after the first of a
    capitalised compound that are no common words: translations join a place's name of two
    words with a hyphen ("Блю-Эше" for Blue Ash, "Сент-Луис"), whose second part may open with
    a vowel of its own (Ash / Эше), which only names are allowed (`same_consonants`)."""
    inner = [
        part
        for t in tokens
        if "-" in t.group()
        for part in t.group().split("-")[1:]
        if part[:1].isupper() and (t.group()[:1].islower() or not lexicon.is_common_word(part))
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
        stem = _demonym_stem(spelling)
        if not stem:
            continue
        opening = VOWELS.sub("", stem[1:])[:DEMONYM_CONSONANTS]
        if not opening:
            continue
        for word in words:
            plain = word[1:] if word[:1] in "ie" and word[1:2] == stem[:1] else word
            if plain[:1] == stem[:1] and VOWELS.sub("", plain[1:]).startswith(opening):
                return True
    return False


def _demonym_stem(spelling: str) -> str:
    """The stem of a nationality or adjective form's spelling (less its _DEMONYM_ENDING:
    "persi" of "persian"), or "" when it has no such ending or a stem under MIN_DEMONYM_STEM."""
    stem = _DEMONYM_ENDING.sub("", spelling)
    return stem if stem != spelling and len(stem) >= MIN_DEMONYM_STEM else ""


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
    return {stem for form in forms if (stem := CYRILLIC_ADJECTIVE.sub("", form)) != form}


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


def _found_joined(name: str, names_: Sequence[str], capitals: set[str]) -> bool:
    """Whether a capitalised word of the translation (`capitals`: their skeletons) writes `name`
    joined after another of the names ("Skyblues" for "Sky Blues"), as a translation may write
    a name of two words; both parts of at least MIN_STEM_CHARS letters, `name` as written."""
    own = skeleton(name)
    if len(own) < MIN_STEM_CHARS:
        return False
    # The capitals that end as `name` first: the other names are looked at only before those
    # (a summary of many names stays linear in them).
    before = {w[: len(w) - len(own)] for w in capitals if len(w) > len(own) and w.endswith(own)}
    if not before:
        return False
    heads = {h for n in names_ if n != name and len(h := skeleton(n)) >= MIN_STEM_CHARS}
    return any(_found(head, {prefix}) for prefix in before for head in heads)


def _compound_place(word: str) -> list[str]:
    """The last parts of a Cyrillic adjective made of a compound place's name, which Ukrainian
    and Russian join with a linking о ("новоорлеанський": Нового Орлеана, New Orleans;
    "новозеландський", "північноамериканський"): each part after an о inside its stem, of
    STEM_CHARS letters or more ("орлеан"); empty for other words."""
    lower = word.lower()
    if len(lower) <= STEM_CHARS * 2 or "к" not in lower:  # no adjective of a compound
        return []
    stem = CYRILLIC_ADJECTIVE.sub("", lower)
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


@functools.lru_cache(maxsize=64)  # read for every name not found otherwise
def _acronyms(translation: str) -> frozenset[str]:
    """The acronyms of `translation`: words of capitals alone, the full stops of "U.S." and a
    possessive ending ("the UK's") left out, each part of a dashed compound ("US–China") a
    word of its own."""
    chunks = (_POSSESSIVE_END.sub("", c) for c in _ACRONYM_BREAK.split(translation))
    return frozenset(
        w
        for chunk in chunks
        if len(w := _NOT_LETTER.sub("", chunk)) > 1 and w.isupper() and not _ROMAN.fullmatch(w)
    )


def _acronym_found(name: str, names_: Sequence[str], translation: str) -> bool:
    """Whether `translation` writes `name` as a letter of an acronym, as English writes what
    Ukrainian and Russian spell out: the first letter of one (a place an organisation, a
    university, a time is named after: Университет штата Луизиана / LSU, "по Гринвичу" /
    GMT, Евросоюз / EU), the initials of the run of names `name` is one of as a whole acronym
    (Андрес Мануель Лопес Обрадор / AMLO, Johnny English / JE), or those of the parts of a
    compound name within one (Лос-Анджелес / UCLA). A country whose initials are known is left to
    _initials_found (États-Unis is no "EU"). Letters compare as skeletons; among initials of
    several words a vowel agrees with any vowel ("Інгліш" / E)."""
    exact, loose = _acronym_letters(translation)
    if not exact or _country_initials(name):
        return False
    own = _initials([name], loose=False)
    # A Latin name is carried, and with it the acronym's letters it gives; a person is written
    # by the initials of a whole name (AMLO, below), not by one name's (a dropped "Трампа" is
    # no "TV").
    if (
        lexicon.is_cyrillic(name)
        and not lexicon.is_person(name)
        and any(a[:1] == own for a in exact)
    ):
        return True
    parts = [p for p in _NAME_PARTS.split(name) if could_be_name(p)]
    if len(parts) > 1 and any(_initials(parts, loose=False) in a for a in exact):
        return True
    at = names_.index(name) if name in names_ else -1
    for start in range(max(0, at - INITIALS_RUN + 1), at + 1 if at >= 0 else 0):
        for end in range(at + 1, min(len(names_), start + INITIALS_RUN) + 1):
            run = names_[start:end]
            if len(run) > 1 and (_initials(run, loose=False) in exact or _initials(run) in loose):
                return True
    return False


@functools.lru_cache(maxsize=64)  # read for every name not found otherwise
def _acronym_letters(translation: str) -> tuple[frozenset[str], frozenset[str]]:
    """The letters of the Latin acronyms of `translation` (_acronyms; Ukrainian and Russian ones
    are of common words, США, ШІ, АНБ, which an English name's initial would match by chance),
    as skeletons (`_initials`), exactly, and loosely for those of MIN_LOOSE_INITIALS letters or
    more: two letters agree by chance too often to let vowels agree loosely ("IT" for Eee
    Taipei)."""
    acronyms = [a for a in _acronyms(translation) if not lexicon.is_cyrillic(a)]
    exact = frozenset(_initials(a, loose=False) for a in acronyms)
    loose = frozenset(_initials(a) for a in acronyms if len(a) >= MIN_LOOSE_INITIALS)
    return exact, loose


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
    parts = [p for p in _NAME_PARTS.split(name) if could_be_name(p)] if "-" in name else []
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
        return frozenset().union(*(_group_stems(group) for group in found))
    by_stem = _stem_index(languages.served())
    return frozenset(
        e for s in spellings if len(s) > STEM_CHARS for e in by_stem.get(s[:STEM_CHARS], ())
    )


def _demonym_stems(name: str) -> frozenset[str]:
    """The first STEM_CHARS letters of every served language's name of the country whose
    nationality or adjective form `name` is (_DEMONYM_ENDING: "Spaniard", "Italian"): its
    stem's consonant key (consonant_key: s-p-n of "spani") is that of a name of the country
    ("Spain"), or that less its last consonant (s-v-d of "swed", Sweden), as English changes
    the country's vowels in its nationality words, which a translation may write after the
    country's name in its own language ("l'Espagnol": "espa" of Espagne); none for other
    words."""
    if lexicon.is_cyrillic(name):
        return frozenset()
    key = consonant_key(_demonym_stem(skeleton(name)))
    if len(key) < MIN_DEMONYM_STEM:
        return frozenset()
    return frozenset(
        found
        for country, stems in _key_index(languages.served()).get(key[:MIN_DEMONYM_STEM], ())
        if country.startswith(key) and len(country) - len(key) <= 1
        for found in stems
    )


@functools.lru_cache(maxsize=4)
def _key_index(
    served: tuple[Language, ...],
) -> dict[str, tuple[tuple[str, frozenset[str]], ...]]:
    """The consonant keys of the countries' names (lexicon.country_names), by their first
    MIN_DEMONYM_STEM letters -> (key, the stems of the country's group), (`served` keys the
    cache only)."""
    groups = lexicon.country_words(skeleton)
    index: dict[str, list[tuple[str, frozenset[str]]]] = {}
    for name in lexicon.country_names(skeleton):
        if name in groups and len(key := consonant_key(name)) >= MIN_DEMONYM_STEM:
            index.setdefault(key[:MIN_DEMONYM_STEM], []).append((key, _group_stems(groups[name])))
    return {start: tuple(found) for start, found in index.items()}


def _group_stems(group: frozenset[str]) -> frozenset[str]:
    """The first STEM_CHARS letters of a country's names (a group of lexicon.country_words),
    those under MIN_STEM_CHARS left out."""
    return frozenset(e[:STEM_CHARS] for e in group if len(e) >= MIN_STEM_CHARS)


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
