"""The served languages and everything known per language: the one place to add a language."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

CORPUS_DIR = Path(__file__).resolve().parent / "corpus"
"""Project-written news paragraphs, one ``<language>.txt`` per language, blank-line separated."""


V = TypeVar("V")


def _table(mapping: Mapping[str, V]) -> Mapping[str, V]:
    """A read-only copy (a Language is frozen, and so are its tables)."""
    return MappingProxyType(dict(mapping))


# eq=False: a Language is hashed by identity, so the merged tables below can be cached on the
# registry's current members (a registered or removed language gives a new key).
@dataclass(frozen=True, eq=False)
class Language:
    """One served language.

    Attributes:
        code: BCP-47 primary subtag (ISO 639-1), as requests name it: "en".
        name: English name, as the page and messages show it: "English".
        native_name: the language's own name for itself: "English", "українська".
        lingua: the lingua ``Language`` member that detects it: "ENGLISH".
        script: "Latin" or "Cyrillic"; a language in any other script than Latin has a
            `to_latin` table.
        capitals: regex character-class ranges of its capital letters; a sentence ends before
            one ("A-Z").
        abbreviations: lower-cased abbreviations after which a full stop does not end a sentence
            (without the last dot; a space after an inner dot is dropped: "т. е." is "т.е").
        closing_abbreviations: abbreviations that close a list ("etc", "т.д"): before a capital
            they do end the sentence.
        counted_abbreviations: units and counted nouns abbreviated after a number ("5 ft. 6
            in.", "10 год. 30 хв.", "2-ге вид. 1998"): between a number and a number their full
            stop does not end a sentence; elsewhere they are words ("in.", "вид." and Russian
            "2015 год." end sentences).
        clock_abbreviations: "a.m", "p.m": they end a sentence before a capital unless the
            sentence so far is a short opening phrase ("At 5 a.m. Mr. Smith left") or a day,
            month or time zone follows ("5 p.m. Monday", "5 p.m. EST").
        calendar_words: day and month names, which go on a clock time's sentence.
        sentence_starters: words that begin sentences and are never part of a name (pronouns,
            question words): after an abbreviation or an initial they start a new sentence
            ("I live in the U.S. How about you?", "Jane and co. They know.").
        number_words: the number words the number check reads (two to ninety, hundred,
            thousand, their ordinals and collective forms; "one" is left out: as often an article
            or pronoun), with their case forms, and the nouns that name a count ("dozen",
            "decade", "a couple of", "millier", Russian "сутки" and Ukrainian "доба": a day of
            24 hours). A word is evidence that a number is kept; a word alone is never reported
            ("both", "a week" and "les deux", "sept jours").
        scale_words: words that multiply the figure before them ("million", "тыс").
        number_stems: the stems that open a compound word with a number in it ("пяти" of
            "пятилетний"); read only to find a number elsewhere, never reported (like "сім'я"
            would be).
        percent_words: the words before "cent" that make it "per cent", not a hundred.
        range_words: words joining the two ends of a range ("100 to 250 m": 100 is in metres).
        unit_words: words after a figure naming its unit -> unit code ("miles": "mi"), so a
            value converted by a translator (20 feet, 6 m) reads as the same number; a word
            that opens a hyphenated adjective names its unit too ("7-градусна": "градус").
        unit_counts: words that count the unit word after them ("a mile" is 1 mile, "half an
            inch" 0.5 inch), so a translation's converted figure (1.6 km, 1.3 cm) is kept.
        to_latin: a loose Latin skeleton of each letter of a non-Latin script, for comparing
            names across scripts (not a standard transliteration); empty for Latin script.
        corpus: sample news paragraphs for building tiny models (None: no tiny models read it).
        caption_lines: regexes (matched from a line's start; case-sensitive but for their
            `(?i:...)` groups) of lines that are a page's furniture, not its article's prose:
            captions, bylines, "read more" links ("Image caption Mr Macron ...", "By Jane Doe",
            "... reports from Moscow", "Related: ...").
        credit_lines: regexes (as caption_lines) of photo credits ("Credit: AP", "(Reuters)",
            "Photo: John Smith/Getty Images"): the sentence before a credit is its caption.
        label_lines: regexes (as caption_lines) of a caption's label alone on its line
            ("Photo", "Image caption"): the sentence after a label is its caption.
        articles: lower-cased definite articles ("the", "la"): the capitalised words after one
            are a title or a thing's name ("the Supreme Court", "the Sun", "la Maison
            Blanche"), whose common words translations translate; empty where there are none.
        noun_endings: lower-cased endings of abstract and learned nouns ("-tion", "-ism",
            "-ology") that no name of the language ends with: a capitalised word with one
            ("Confederation", "Buddhism", "Romantisme") is a word translations translate.
    """

    code: str
    name: str
    native_name: str
    lingua: str
    script: str
    capitals: str
    abbreviations: frozenset[str] = frozenset()
    closing_abbreviations: frozenset[str] = frozenset()
    counted_abbreviations: frozenset[str] = frozenset()
    clock_abbreviations: frozenset[str] = frozenset()
    calendar_words: frozenset[str] = frozenset()
    sentence_starters: frozenset[str] = frozenset()
    number_words: Mapping[str, int] = field(default_factory=dict)
    scale_words: Mapping[str, int] = field(default_factory=dict)
    number_stems: Mapping[str, int] = field(default_factory=dict)
    percent_words: frozenset[str] = frozenset()
    range_words: frozenset[str] = frozenset()
    unit_words: Mapping[str, str] = field(default_factory=dict)
    unit_counts: Mapping[str, Decimal] = field(default_factory=dict)
    to_latin: Mapping[str, str] = field(default_factory=dict)
    corpus: Path | None = None
    caption_lines: tuple[str, ...] = ()
    credit_lines: tuple[str, ...] = ()
    label_lines: tuple[str, ...] = ()
    articles: frozenset[str] = frozenset()
    noun_endings: frozenset[str] = frozenset()


def _word_set(text: str) -> frozenset[str]:
    """The words of `text` (split at white space)."""
    return frozenset(text.split())


def _units(groups: str) -> Mapping[str, str]:
    """ "km km kilometres; m metres" -> {"km": "km", "kilometres": "km", "metres": "m"} (the
    first word of a group is the unit's code)."""
    pairs = (group.split(None, 1) for group in groups.split(";") if group.strip())
    return _table({word: unit for unit, words in pairs for word in words.split()})


def _valued(groups: Mapping[int, str] | str) -> Mapping[str, int]:
    """{2: "two deux"} or "2 two deux; 3 three" -> {"two": 2, "deux": 2, ...}."""
    if isinstance(groups, str):
        pairs = (group.split(None, 1) for group in groups.split(";") if group.strip())
        groups = {int(value): words for value, words in pairs}
    return _table({word: value for value, words in groups.items() for word in words.split()})


# Cyrillic letters ru and uk share, to a loose Latin skeleton: letters that standards render
# differently are folded together (и, і, ы, й -> i; х -> h; щ -> sh), the soft sign vanishes.
_CYRILLIC = dict(
    zip(
        "абвгдежзийклмнопрстуфхцчшщьюя",
        [
            "a", "b", "v", "g", "d", "e", "zh", "z", "i", "i", "k", "l", "m", "n", "o", "p",
            "r", "s", "t", "u", "f", "h", "ts", "ch", "sh", "sh", "", "iu", "ia",
        ],
        strict=True,
    )
)  # fmt: skip

ENGLISH = Language(
    code="en",
    name="English",
    native_name="English",
    lingua="ENGLISH",
    script="Latin",
    capitals="A-Z",
    abbreviations=_word_set(
        """
        mr mrs ms dr prof st jr sr vs inc ltd co corp gen gov sen rep no nos n° № fig jan feb
        mar apr jun jul aug sep sept oct nov dec e.g i.e u.s u.k mt mts ft ave blvd dept lt col
        capt sgt rev hon pres approx
        """
    ),
    closing_abbreviations=frozenset(["etc"]),
    counted_abbreviations=_word_set("in yd mi lb lbs oz sq cu gal qt hr hrs min sec pp vol"),
    clock_abbreviations=frozenset(["a.m", "p.m"]),
    calendar_words=_word_set(
        """
        Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April
        May June July August September October November December
        """
    ),
    sentence_starters=_word_set(
        """
        The He She It They We I You This That These Those There How What When Where Who Why
        Which Did Does Do Is Are Was Were Can Will However But
        """
    ),
    number_words=_valued(
        """
        1 first; 2 two second both twice dual double couple; 3 three third; 4 four fourth fours;
        5 five fifth; 6 six sixth sixes; 7 seven seventh; 8 eight eighth; 9 nine ninth;
        10 ten tenth decade; 11 eleven eleventh; 12 twelve twelfth dozen; 13 thirteen thirteenth;
        14 fourteen fourteenth; 15 fifteen fifteenth; 16 sixteen sixteenth;
        17 seventeen seventeenth; 18 eighteen eighteenth; 19 nineteen nineteenth;
        20 twenty twentieth; 30 thirty thirtieth; 40 forty fortieth; 50 fifty fiftieth;
        60 sixty; 70 seventy; 80 eighty; 90 ninety; 100 hundred hundredth;
        1000 thousand thousandth
        """
    ),
    scale_words=_valued(
        {10**3: "thousand k", 10**6: "million millions m mn", 10**9: "billion billions bn"}
    ),
    percent_words=frozenset(["per"]),
    range_words=frozenset(["to", "and"]),
    unit_words=_units(
        """
        ft ft feet foot; mi mi miles mile; lb lb lbs pounds pound; in inches inch;
        gal gallons gallon; mph mph; yd yards yard; m metres meters metre meter;
        km km kilometres kilometers kilometre; kg kg kilograms kilogrammes kilos;
        cm cm centimetres centimeters; l litres liters litre liter; °f °f fahrenheit;
        °c °c celsius; km kph; deg degrees degree;
        """
    ),
    unit_counts=_table(
        {"a": Decimal(1), "an": Decimal(1), "one": Decimal(1), "half": Decimal("0.5")}
    ),
    corpus=CORPUS_DIR / "en.txt",
    articles=frozenset(["the"]),
    # Not "-ment" (Clement), "-ness" (Guinness, Inverness), "-ence" (Florence, Lawrence).
    noun_endings=_word_set("ology graphy ism isms tion tions sion sions ship ships ity ities"),
    caption_lines=(
        r"(?i:image|media|video|photo|picture)\s+(?i:caption)\b",
        r"(?i:caption)\s*(?:[:|]|$)",
        r"[\[(]?(?i:related|read|read more|read also|see also|more|watch|listen|advertisement)"
        r"\s*(?:[:|]|$)",
        # "By Jane Doe", "By JANE DOE and John Roe, Reuters": a byline names, it does not say
        r"By\s+(?:[A-Z][\w.'’-]*(?:,|\s+and|\s+&)?(?:\s+|$)){1,6}$",
        # a video's caption: "Sky's Rachel Younger reports from Moscow", "... explains"
        r"(?:\S+\s+){0,8}(?:reports|reporting|explains|has the story|has more)"
        r"(?:\s+from\s+[^.!?]*)?$",
    ),
    label_lines=(
        r"(?i:photo|picture|image|video|graphic|illustration)$",
        r"(?i:image|media|video|photo|picture)\s+(?i:caption)$",
    ),
    credit_lines=(
        r"(?i:credits?|source|copyright|photo|photograph|picture|image|images|video)\s*[:|]",
        r"(?i:image|media|photo|picture)\s+(?i:copyright|credit)\b",
        r"(?:Credit|(?i:photo|picture|image)\s+by)\s+[^.!?]*$",
        r"©",
        # a credit alone on its line: "Getty Images", "AFP/Getty Images", "(Thomas Coex/AFP)"
        r"\(?(?:[\w .'’-]+/)?(?:Getty Images|AFP|Reuters|AP(?: Photo)?|EPA(?:-EFE)?|Shutterstock"
        r"|Alamy|PA(?: Media| Wire)?|Bloomberg|Associated Press|Agence France-Presse)"
        r"(?:\s?[/—–][\w .'’-]+)*\)?$",
    ),
)

FRENCH = Language(
    code="fr",
    name="French",
    native_name="français",
    lingua="FRENCH",
    script="Latin",
    capitals="A-ZÀ-ÖØ-Þ",
    abbreviations=frozenset(["mme", "mlle", "m", "p.ex", "av", "apr.-j.-c"]),
    closing_abbreviations=frozenset(["etc"]),
    # Not "Le", "La": "M. Le Pen".
    sentence_starters=_word_set("Il Elle Ils Elles Nous Je On Mais Cependant Pourquoi Comment"),
    number_words=_valued(
        """
        1 premier première; 2 deux deuxième second seconde double; 3 trois troisième tiers;
        4 quatre quatrième; 5 cinq cinquième; 6 six sixième; 7 sept septième; 8 huit huitième;
        9 neuf neuvième; 10 dix dixième dizaine décennie; 11 onze onzième;
        12 douze douzième douzaine;
        13 treize treizième; 14 quatorze quatorzième; 15 quinze quinzième; 16 seize seizième;
        20 vingt vingts vingtième vingtaine; 30 trente trentaine; 40 quarante quarantaine;
        50 cinquante cinquantaine; 60 soixante soixantaine; 100 cent cents centième centaine;
        1000 mille millier milliers millième
        """
    ),
    scale_words=_valued({10**3: "mille", 10**6: "million millions", 10**9: "milliard milliards"}),
    percent_words=frozenset(["pour"]),
    range_words=frozenset(["à", "et"]),
    unit_words=_units(
        """
        ft pieds pied; mi milles; lb livres; in pouces; m m mètres mètre;
        km km kilomètres kilomètre; kg kg kilogrammes kilos; cm cm centimètres;
        l l litres litre; °c °c; °f °f; deg degrés degré;
        """
    ),
    corpus=CORPUS_DIR / "fr.txt",
    # "l'" is left out: "l'Empire" is one word, and names.names reads no word that is not
    # capitalised.
    articles=_word_set("le la les du des au aux"),
    noun_endings=_word_set(
        "logie logies graphie graphies isme ismes tion tions sion sions ité ités"
    ),
    caption_lines=(
        r"(?i:légende)\s*:",
        r"(?i:lire aussi|à lire aussi|voir aussi|voir la vidéo|publicité)\b",
        r"Par\s+(?:[A-ZÀ-ÖØ-Þ][\w.'’-]*(?:,|\s+et)?(?:\s+|$)){1,6}$",
    ),
    label_lines=(r"(?i:photo|vidéo|image|illustration|légende)$",),
    credit_lines=(r"(?i:photo|crédits?|source|illustration|vidéo|image)\s*:", r"©"),
)

UKRAINIAN = Language(
    code="uk",
    name="Ukrainian",
    native_name="українська",
    lingua="UKRAINIAN",
    script="Cyrillic",
    capitals="А-ЯЄІЇҐ",
    abbreviations=_word_set(
        "ст проф акад вул див т.зв стор журн чл кв обл просп напр пор тел табл рис ред упоряд"
    ),
    closing_abbreviations=frozenset(["т.ін", "та ін"]),
    # "вид" and "год" are words too ("рідкісний вид."), abbreviations after a number.
    counted_abbreviations=_word_set("вид год хв сек"),
    sentence_starters=_word_set("Це Він Вона Вони Ми Я Але Однак Проте Як Що Хто Коли Де Чому"),
    number_words=_valued(
        """
        1 перший перша перше першого першої; 2 два дві двох двома двоє обидва обидві другий
        друга другого; 3 три трьох трьома троє третій третя третього;
        4 чотири чотирьох чотирьом четверо четвертий четверта; 5 пʼять пʼяти пʼятьох пʼятеро
        пʼятий пʼята; 6 шість шести шістьох шестеро шостий шоста; 7 сім семи сімох семеро
        сьомий сьома; 8 вісім восьми вісьмох восьмеро восьмий восьма; 9 девʼять девʼяти
        девʼятьох девʼятий девʼята; 10 десять десяти десятьох десятий десята десяток десятиліття;
        11 одинадцять одинадцяти одинадцятий; 12 дванадцять дванадцяти дванадцятий;
        13 тринадцять тринадцяти; 14 чотирнадцять чотирнадцяти; 15 пʼятнадцять пʼятнадцяти;
        16 шістнадцять шістнадцяти; 17 сімнадцять сімнадцяти; 18 вісімнадцять вісімнадцяти;
        19 девʼятнадцять девʼятнадцяти; 20 двадцять двадцяти двадцятий; 30 тридцять тридцяти;
        40 сорок сорока; 50 пʼятдесят пʼятдесяти; 60 шістдесят; 70 сімдесят; 80 вісімдесят;
        24 доба добу доби; 90 девʼяносто; 100 сто сотня сотню сотні;
        1000 тисяча тисячі тисячу тисячний тисячна
        """
    ),
    range_words=frozenset(["до", "і", "та"]),
    number_stems=_valued("2 дво; 3 трьох; 4 чотирьох; 5 пʼяти; 6 шести; 8 восьми; 9 девʼяти"),
    unit_words=_units(
        """
        m м метр метрів метри метра метрах; km км кілометр кілометрів кілометри кілометрах;
        kg кг кілограм кілограмів; cm см сантиметрів; l л літрів; ft футів фути; mi миль милі;
        lb фунтів фунти; °c °c; deg градус градусів градуси градуса;
        """
    ),
    scale_words=_valued(
        {
            10**3: "тис тисяч тисячі тисяча",
            10**6: "млн мільйон мільйона мільйонів",
            10**9: "млрд мільярд мільярда мільярдів",
        }
    ),
    to_latin=_table(
        {**_CYRILLIC, "ґ": "g", "є": "ie", "і": "i", "ї": "i", "ʼ": "", "'": "", "’": ""}
    ),
    corpus=CORPUS_DIR / "uk.txt",
    caption_lines=(r"(?i:читайте також|дивіться також|реклама)\b",),
    label_lines=(r"(?i:фото|відео|ілюстрація|ілюстративне фото)$",),
    credit_lines=(
        r"(?i:фото|світлина|джерело|автор фото|ілюстрація|відео)\s*[:|—–-]",
        r"\(?(?:[\w .'’-]+/)?(?:УНІАН|Укрінформ|Суспільне)(?:/[\w .'’-]+)?\)?$",
    ),
)

RUSSIAN = Language(
    code="ru",
    name="Russian",
    native_name="русский",
    lingua="RUSSIAN",
    script="Cyrillic",
    capitals="А-ЯЁ",
    abbreviations=_word_set(
        "г гг им ул ст стр рис см напр т.е др проф акад кв пгт журн чл обл изд тел табл ред пос"
    ),
    closing_abbreviations=frozenset(["т.д", "т.п", "и др"]),
    counted_abbreviations=_word_set("куб мин сек час"),
    sentence_starters=_word_set("Это Он Она Они Мы Я Но Однако Как Что Кто Когда Где Почему"),
    number_words=_valued(
        """
        1 первый первая первое первого первой первые первых первыми;
        2 два две двух двум двумя двое оба обе второй вторая второго;
        3 три трёх трех трем тремя трое третий третья третьего;
        4 четыре четырёх четырех четырем четверо четвёртый четвертый четвёртая;
        5 пять пяти пятеро пятый пятая; 6 шесть шести шестеро шестой шестая;
        7 семь семи семеро седьмой седьмая; 8 восемь восьми восьмеро восьмой восьмая;
        9 девять девяти девятый девятая; 10 десять десяти десятый десятая десяток десятилетие;
        11 одиннадцать одиннадцати одиннадцатый; 12 двенадцать двенадцати двенадцатый;
        13 тринадцать тринадцати; 14 четырнадцать четырнадцати; 15 пятнадцать пятнадцати;
        16 шестнадцать шестнадцати; 17 семнадцать семнадцати; 18 восемнадцать восемнадцати;
        19 девятнадцать девятнадцати; 20 двадцать двадцати двадцатый; 30 тридцать тридцати;
        40 сорок сорока; 50 пятьдесят пятидесяти; 60 шестьдесят; 70 семьдесят;
        24 сутки суток; 80 восемьдесят; 90 девяносто; 100 сто сотня сотню сотни;
        1000 тысяча тысячи тысячу тысячный тысячная
        """
    ),
    range_words=frozenset(["до", "и"]),
    number_stems=_valued("2 двух; 3 трёх трех; 4 четырёх четырех; 5 пяти; 6 шести; 8 восьми"),
    unit_words=_units(
        """
        m м метр метров метра метры метрах; km км километр километров километра километрах;
        kg кг килограмм килограммов; cm см сантиметров; l л литров; ft футов фута; mi миль мили;
        lb фунтов фунта; °c °c; deg градус градусов градуса градусы;
        """
    ),
    scale_words=_valued(
        {
            10**3: "тыс тысяч тысячи тысяча",
            10**6: "млн миллион миллиона миллионов",
            10**9: "млрд миллиард миллиарда миллиардов",
        }
    ),
    to_latin=_table({**_CYRILLIC, "ё": "e", "ъ": "", "ы": "i", "э": "e"}),
    corpus=CORPUS_DIR / "ru.txt",
    caption_lines=(r"(?i:читайте также|смотрите также|реклама)\b",),
    label_lines=(r"(?i:фото|видео|иллюстрация|иллюстративное фото)$",),
    credit_lines=(
        r"(?i:фото|источник|автор фото|иллюстрация|видео)\s*[:|—–-]",
        r"\(?(?:[\w .'’-]+/)?(?:ТАСС|РИА Новости|Интерфакс)(?:/[\w .'’-]+)?\)?$",
    ),
)

REGISTRY: dict[str, Language] = {lang.code: lang for lang in (ENGLISH, FRENCH, UKRAINIAN, RUSSIAN)}
"""The served languages by code, in the order responses and lists give them. Everything reads
it when called (never a copy taken at import), so a language added here reaches every consumer."""


def codes() -> tuple[str, ...]:
    """The served languages' codes, in registry order ("en", "fr", "uk", "ru")."""
    return tuple(REGISTRY)


def listed() -> str:
    """The served codes as messages list them: "en, fr, uk, ru"."""
    return ", ".join(REGISTRY)


def get(code: str) -> Language:
    """The served language with this code.

    Raises:
        KeyError: `code` is not served; the message lists the served ones.
    """
    try:
        return REGISTRY[code]
    except KeyError:
        raise KeyError(f"unknown language {code!r}; served: {listed()}") from None


def served() -> tuple[Language, ...]:
    """Every served language, in registry order."""
    return tuple(REGISTRY.values())


def abbreviations() -> frozenset[str]:
    """Every served language's abbreviations (sentences are split without knowing the language)."""
    return _merged_set(served(), "abbreviations")


def closing_abbreviations() -> frozenset[str]:
    """Every served language's list-closing abbreviations."""
    return _merged_set(served(), "closing_abbreviations")


def merged_words(attribute: str) -> frozenset[str]:
    """Every served language's words of a word-set field of Language ("counted_abbreviations",
    "clock_abbreviations", "calendar_words", "sentence_starters", "percent_words",
    "range_words", "articles", "noun_endings")."""
    return _merged_set(served(), attribute)


def capitals() -> str:
    """Regex character-class ranges of every served language's capital letters."""
    return "".join(dict.fromkeys(lang.capitals for lang in served()))


def caption_lines() -> frozenset[str]:
    """Every served language's caption, label and byline patterns (Language.caption_lines)."""
    return _merged_set(served(), "caption_lines")


def credit_lines() -> frozenset[str]:
    """Every served language's photo credit patterns (Language.credit_lines)."""
    return _merged_set(served(), "credit_lines")


def label_lines() -> frozenset[str]:
    """Every served language's caption label patterns (Language.label_lines)."""
    return _merged_set(served(), "label_lines")


def number_words() -> Mapping[str, int]:
    """Every served language's number words -> value."""
    return _merged_map(served(), "number_words")


def scale_words() -> Mapping[str, int]:
    """Every served language's scale words -> multiplier."""
    return _merged_map(served(), "scale_words")


def number_stems() -> Mapping[str, int]:
    """Every served language's stems of compound number words -> value."""
    return _merged_map(served(), "number_stems")


def unit_words() -> Mapping[str, str]:
    """Every served language's unit words -> unit code."""
    return _merged_map(served(), "unit_words")


def unit_counts() -> Mapping[str, Decimal]:
    """Every served language's words that count a unit ("a mile") -> the count."""
    return _merged_map(served(), "unit_counts")


def to_latin() -> Mapping[str, str]:
    """Every served non-Latin script's letters -> loose Latin skeleton."""
    return _merged_map(served(), "to_latin")


@functools.lru_cache(maxsize=16)
def _merged_set(languages: tuple[Language, ...], attribute: str) -> frozenset[str]:
    return frozenset(item for lang in languages for item in getattr(lang, attribute))


@functools.lru_cache(maxsize=16)
def _merged_map(languages: tuple[Language, ...], attribute: str) -> Mapping[str, Any]:
    merged: dict[str, Any] = {}
    for lang in languages:
        merged.update(getattr(lang, attribute))
    return MappingProxyType(merged)
