"""How a name is spelled in Latin and Cyrillic script: its skeleton, readings by sound, likeness."""

from __future__ import annotations

import functools
import re
import unicodedata
from difflib import SequenceMatcher

from precis_models import languages
from precis_models.languages import Language
from precis_news.pipeline import lexicon

# Names written in two scripts are compared: Cyrillic letters go to a loose Latin skeleton (each
# served language's `to_latin`, precis_models.languages), and Latin spellings are folded the same
# way (Kyiv/Kiev, Zelensky/Zelenskyy, Kharkiv/Charkiw, John/Джон, Dubois/Дюбуа): a silent h,
# French "oi" and "eau", a final s, g and h as one letter.
_LATIN_FOLDS = (
    ("tsz", "j"),  # Palladius's цз is pinyin j (Цзіньпін / Jinping, Цзинь / Jin)
    ("dzh", "j"), ("ck", "k"), ("ce", "se"), ("ci", "si"), ("cy", "si"), ("c", "k"), ("kh", "h"),
    ("ts", "s"), ("z", "s"),  # Cincinnati / Цинциннаті, Dalhousie / Делхаузі
    ("ew", "u"), ("w", "v"),  # Newt / Ньют, Andrew / Ендрю
    # y before oi: Latin "oy" and Cyrillic "ой" are one sound (Lloyds / Ллойдс, Roy / Рой)
    ("eau", "o"), ("y", "i"), ("oi", "ua"), ("ou", "u"),
    ("x", "ks"), ("iu", "u"),
    ("g", "h"),  # Ukrainian г is h (Галіфакс, Генрі), Russian г is g (Галифакс)
)  # fmt: skip
_SILENT_H = re.compile(r"(?<=[aeiouytdpgr])h")
# A final s or z, voiced or not: English writes "Giles", "Hughes" for Гайлз, Хьюз.
_FINAL_S = re.compile(r"(?<=.{3})[sz]$")
_PH = re.compile(r"ph")  # Greek phi: Sphinx / Сфінкс, Phoenicians / фінікійці
_FINAL_GH = re.compile(r"(?<=.{3})[ao]ugh$")  # English: Kavanaugh / Кавано, Scarborough
_SOFT_G = re.compile(r"d?g(?=[eiy])")
_OPEN_A = re.compile(r"a(?=[bdfgklmnpstvz](?:[eiy]|$))")
_SHN = re.compile(r"(?:ss|t)ion")
# English spellings whose sound Cyrillic writes (readings): Greek ch before r or l is к
# (Christine / Крістін, Chloe), Polish cz is ч (Czeisler / Чейслер), Mc is Мак (McIlroy /
# Макилрой), ee and ea are і, oo is у (Lee / Лі, League / Ліга, Coons / Кунс), ai and ay
# before a consonant are ей (Wayne / Уейн, Craig / Крейг), a final gue is г (Hague / Гаага,
# Prague), the one a, o, i or y of a word that ends in a consonant and e
# is ей, оу, ай (Wade / Уейд, Rose / Роуз, Giles / Гайлз, Pryce / Прайс), a final e after a
# consonant is silent (Christine / Крістін), and so is gh after a vowel (Willoughby /
# Уиллоуби, Hughes / Хьюз, Leighton; the final "ough" of Kavanaugh is _FINAL_GH's).
# Names of other Latin-script languages, as English news writes them (readings): French h
# is mute, au is о, j is ж, qu is к, a final d, t, s, x or z is silent (Hazard / Азар,
# Hollande / Олланд, Thibaut / Тібо, Jacques / Жак); Spanish j is х and qu к (Junqueras /
# Хункерас, Jorge / Хорхе); a South Slavic name in -ić loses its accents in English, each c
# of it is ч (Kovacic / Ковачич, Modric / Модрич); Italian, Romanian and Indonesian c before e
# or i is ч (Cesare / Чезаре, Aceh / Ачех); Albanian xh is дж and q ч (Xhaka / Джака, Qosja /
# Чосья); English has a final ough said уф, оф, аф besides its silent gh (Gough / Гоф,
# Clough / Клаф, Hough / Хаф); German and Dutch j is й and ch х (Jochemsen / Йохемсен, as
# Greek ch is in Zachary / Захари): the skeleton drops an х after a vowel as it drops a silent
# h ("sari"), while Latin "ch" is "h" only after that; and English voiced th is з, w inside
# a word у, oa оу (Brother / Бразер, Merriweather / Мерриуэзер, Heather / Хезер, Oak / Оук);
# Greek th is ф and b в in the Russian tradition of Biblical and classical names (Bethesda /
# Вифезда, Bethlehem / Вифлеем, Athens / Афины, Thomas / Фома), and English says its ch к
# (Zachary / Зекері, Michael / Майкл); Hungarian gy is дь, ö and ő е, cs ч and sz с (Gyöngyi /
# Дьёндьи, Győr / Дьёр, Szeged / Сегед).
_FOREIGN_SOUNDS = (
    (
        (re.compile(r"^h"), ""),
        (re.compile(r"(?<!e)au"), "o"),  # eau is the skeleton's (Moreau / Моро)
        (re.compile(r"j"), "zh"),
        (re.compile(r"qu"), "k"),
        (re.compile(r"(?<=[aeiouyr])[dtsxz]+$"), ""),
    ),
    ((re.compile(r"j"), "kh"), (re.compile(r"qu"), "k")),
    ((re.compile(r"c(?=.*ic$)|(?<=i)c$"), "ch"),),
    ((re.compile(r"c(?=[ei])"), "ch"),),
    ((re.compile(r"xh"), "dzh"), (re.compile(r"q"), "ch")),
    ((re.compile(r"(?<=.)ough$"), "uf"),),
    ((re.compile(r"j"), "y"), (re.compile(r"ch"), "h")),
    ((re.compile(r"th"), "z"), (re.compile(r"(?<=.)w"), "u"), (re.compile(r"oa"), "ou")),
    ((re.compile(r"th"), "f"), (re.compile(r"b"), "v"), (re.compile(r"ch"), "k")),
    (
        (re.compile(r"gy"), "d"),
        (re.compile(r"[öő]"), "e"),
        (re.compile(r"cs"), "ch"),
        (re.compile(r"sz"), "s"),
    ),
)
_ENGLISH_SOUNDS = (
    (re.compile(r"ch(?=[rl])"), "k"),
    (re.compile(r"cz"), "ch"),
    (re.compile(r"^mc"), "mak"),
    (re.compile(r"c(?=[eiy])"), "s"),  # before the silent e goes: Pryce / Прайс
    (re.compile(r"e[ea]"), "i"),
    (re.compile(r"a[iy](?![aeiou])"), "ei"),  # Wayne / Уейн, Craig / Крейг, Blaine / Блейн
    (re.compile(r"oo"), "u"),
    (re.compile(r"gue$"), "g"),
    (re.compile(r"^([^aeiouy]*)a([^aeiouy])es?$"), r"\1ei\2"),  # Wade / Уэйд, Hale / Хейл
    (re.compile(r"^([^aeiouy]*)o([^aeiouy])es?$"), r"\1ou\2"),  # Rose / Роуз, Stone / Стоун
    (re.compile(r"^([^aeiouy]*)[iy]([^aeiouy])es?$"), r"\1ai\2"),
    (re.compile(r"^(.*[aeiouy].*[^aeiouy])e(s?)$"), r"\1\2"),
    (re.compile(r"(?<=[aeiou])gh(?=[^aeiou]|s?$)"), ""),
)

VOWELS = re.compile(r"[aeiou]+")
CONSONANTS = "bcdfghjklmnpqrstvwxyz"
# Pinyin letters that Cyrillic spells by sound (Palladius): Qing / Цин, Xinhua / Сіньхуа,
# Zhou / Чжоу; only names with x, q or zh read that way (not Jones, Jin or Long).
_PINYIN = re.compile(r"x|q(?!u)|zh|ng$")
_PINYIN_SOUNDS = {"x": "s", "q": "ts", "zh": "j", "ng": "n"}  # a final ng is н: Qing / Цин
SAME_CONSONANTS_RATIO = 0.55  # hal / hol 0.67, rome / rim 0.57; moro / mari 0.5
MATCH_RATIO = 0.75  # a translated word's skeleton this similar to a name's finds it


def skeleton(word: str) -> str:
    """`word` in a loose lower-case Latin form shared by its Latin and Cyrillic spellings.

    Args:
        word: a word in any served language's script.

    Returns:
        Its skeleton (cached per word).
    """
    return _skeleton(word, languages.served())


@functools.lru_cache(maxsize=2**16)  # news repeats its words; a few MB at most
def _skeleton(word: str, served: tuple[Language, ...]) -> str:
    """`skeleton`, cached per word and served languages (`served` keys the cache only)."""
    return uncached_skeleton(word)


def uncached_skeleton(word: str) -> str:
    """`skeleton`, not cached (for word lists read once).

    Args:
        word: a word in any served language's script.

    Returns:
        Its skeleton.
    """
    # Russian ё is йо (Ён / Yong, Пётр / Pyotr), not the е its accent would leave; й (и + breve)
    # stays apart from и.
    plain = unicodedata.normalize("NFC", _without_marks(word.lower().replace("ё", "йо"), "\u0306"))
    table = languages.to_latin()
    latin = _PH.sub("f", "".join(table.get(ch, ch) for ch in plain))
    latin = _FINAL_GH.sub("o", re.sub(r"[^a-z]", "", latin))
    latin = _FINAL_S.sub("", _SILENT_H.sub("", latin))
    for old, new in _LATIN_FOLDS:
        latin = latin.replace(old, new)
    return re.sub(r"(.)\1+", r"\1", latin)  # doubled letters: Zelenskyy, Tallinn / Таллин


@functools.lru_cache(maxsize=2**15)  # called for every capitalised word
def unaccented(word: str) -> str:
    """`word` without its accents: French writes the titles English capitalises alike but for
    them ("Révérend", "Président", "Général": the titles names.py tells from names).

    Args:
        word: any word.

    Returns:
        `word` with its combining marks removed (NFKD).
    """
    return _without_marks(word)


def _without_marks(word: str, keep: str = "") -> str:
    """`word` decomposed (NFKD) without its combining marks, but those in `keep`."""
    return "".join(
        ch
        for ch in unicodedata.normalize("NFKD", word)
        if not unicodedata.combining(ch) or ch in keep
    )


def spoken(word: str) -> frozenset[str]:
    """Skeletons of a Latin-script name as English speaks it, where Cyrillic writes the sound:
    a soft g (Paget / Педжет, Cambridge / Кембридж), an open a (James / Джеймс, Hale / Хейл,
    Davey / Дейві), j as й, w as у; empty for other scripts.

    Args:
        word: a name.

    Returns:
        Its skeletons as spoken, other than its own `skeleton`.
    """
    if lexicon.is_cyrillic(word):
        return frozenset()
    lower = word.lower()
    spoken = _OPEN_A.sub("ei", _SOFT_G.sub("dzh", lower))
    # j is дж in English names (John / Джон), й elsewhere (Jordan / Йордан, Josef / Йозеф);
    # w is в or у (Winfrey / Уинфри, Wembley / Уэмбли).
    # b is в in names from Greek (Elizabeth / Єлизавета, Byzantine / візантійський).
    # ph is в where English says v (Stephen / Стівен, Стивен).
    variants = [spoken, lower.replace("j", "y"), lower.replace("w", "u"), lower.replace("b", "v")]
    variants.append(lower.replace("ph", "v"))
    # English "ay" is ей (Bay / Бей, Clay / Клей), "-tion" and "-ssion" шн (Mission / Мішн,
    # Deception / Десепшен).
    variants.append(_SHN.sub("shn", lower.replace("ay", "ei")))
    if _PINYIN.search(lower.removesuffix("ng")):
        variants.append(_PINYIN.sub(lambda m: _PINYIN_SOUNDS[m.group()], lower))
    return frozenset(skeleton(v) for v in variants) - {skeleton(word)}


@functools.lru_cache(maxsize=2**15)  # called for every name and each name of a translation
def readings(word: str) -> frozenset[str]:
    """Skeletons of a Latin-script name read by English spelling rules (_ENGLISH_SOUNDS), with
    a hard and a soft g and its w as у (Willoughby / Уиллоуби, Giles / Гайлз, Джайлз), and by
    other languages' and traditions' (_FOREIGN_SOUNDS: French Hazard / Азар, German Jochemsen /
    Йохемсен, Greek Bethesda / Вифезда, English voiced th: Brother / Бразер); empty for other
    scripts and where the rules change nothing. Only to find a name, not among spoken's
    sounds (which also tell words Cyrillic spells alike), as romance_qu.

    Args:
        word: a name in any script.

    Returns:
        Its skeletons as those spelling rules read it, other than its own `skeleton` (cached
        per word).
    """
    if lexicon.is_cyrillic(word):
        return frozenset()
    found = set()
    lower = word.lower()
    for spelling in (lower, _SOFT_G.sub("dzh", lower)):
        for pattern, sound in _ENGLISH_SOUNDS:
            spelling = pattern.sub(sound, spelling)
        found.add(skeleton(re.sub(r"^w", "u", spelling)))
    for sounds in _FOREIGN_SOUNDS:
        spelling = lower
        for pattern, sound in sounds:
            spelling = pattern.sub(sound, spelling)
        found.add(skeleton(spelling))
    return frozenset(found) - {skeleton(word)}


def romance_qu(name: str) -> frozenset[str]:
    """The skeleton of a Latin-script name with French and Portuguese "qu" as к (Mecque /
    Mecca, Oiapoque / Ояпокі; English "qu" is кв: Quebec / Квебек); empty without one. Only
    to look for a name, not among spoken's sounds, where it would find chance look-alikes
    of common words (Pâques / пакет).

    Args:
        name: a name.

    Returns:
        Its one skeleton with "qu" read as k, or none.
    """
    lower = name.lower()
    if "qu" not in lower or lexicon.is_cyrillic(name):
        return frozenset()
    return frozenset([skeleton(lower.replace("qu", "k"))])


def consonant_key(spelling: str) -> str:
    """A skeleton's first letter and its consonants after it: how transliterations agree.

    Args:
        spelling: a skeleton.

    Returns:
        The key that `spelling` and the spellings alike share.
    """
    return spelling[:1] + VOWELS.sub("", spelling[1:])


def similar(name: str, head: str) -> bool:
    """Whether two skeletons are at least MATCH_RATIO alike (SequenceMatcher's ratio).

    Args:
        name: a name's skeleton.
        head: a word's skeleton, or its start.

    Returns:
        Whether `head` is a spelling of `name`.
    """
    matcher = SequenceMatcher(None, name, head)
    return matcher.real_quick_ratio() >= MATCH_RATIO and matcher.ratio() >= MATCH_RATIO


def same_consonants(name: str, words: set[str], extra: int = 1) -> bool:
    """Whether a word with `name`'s first letter has its consonants in order, and at most
    `extra` more for a case ending: transliterations differ most in vowels (Stone / Стоуном).
    With none more, about half the letters must still agree (Hall / Холл, Rome / Рим, not
    Moreau / Marie).

    Args:
        name: a name's skeleton.
        words: the skeletons to look among.
        extra: how many consonants a word may have after `name`'s.

    Returns:
        Whether some word of `words` has `name`'s consonants.
    """
    consonants = VOWELS.sub("", name)
    if not consonants:
        return False
    for word in words:
        # Among names, an initial vowel may differ too (Ash / Еш, Auckland / Окленд).
        vowels = not extra and VOWELS.match(word[:1]) and VOWELS.match(name[:1])
        if word[:1] == name[:1] or vowels:
            theirs = VOWELS.sub("", word)
            same = theirs.startswith(consonants) and len(theirs) - len(consonants) <= extra
            if same and (extra or _alike(name, word)):
                return True
    return False


def _alike(name: str, word: str) -> bool:
    """Whether about half the letters of `name` and `word` agree, either way round
    (SequenceMatcher's blocks depend on the order)."""
    return (
        max(SequenceMatcher(None, name, word).ratio(), SequenceMatcher(None, word, name).ratio())
        >= SAME_CONSONANTS_RATIO
    )
