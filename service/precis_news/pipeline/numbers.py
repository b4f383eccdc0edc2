"""Numbers as each served language writes them, read into values, and compared between texts."""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from precis_models import languages
from precis_news import findings

# Kinds of NumberIssue, from the checks' registry (the proto's NumberIssue.kind says the same).
NOT_IN_ARTICLE = findings.NOT_IN_ARTICLE.kind
CHANGED = findings.CHANGED.kind  # the translation gives `found` where its source gave `number`
DROPPED = findings.DROPPED.kind
ADDED = findings.ADDED.kind

_SPACES = " \u00a0\u202f\u2009"  # space, no-break, narrow no-break, thin: French/Slavic groups
# A figure: digits in groups of three joined by a space ("100 000", one to three digits first, so
# "2019 150" is two numbers), or digits joined by , or . (groups or decimals); a date's parts
# (12.03.2024, 12/03/2024) are read as separate numbers. No letter or digit just before it
# ("G7", "COVID-19" reads 19), any suffix after ("1st", "2e", "3-й", "5%").
_FIGURE = re.compile(
    rf"(?<![^\W_])(?:\d{{1,3}}(?:[{_SPACES}]\d{{3}}(?!\d))+(?:[.,]\d+)?|\d+(?:[.,]\d+)*)"
)
_DATE = re.compile(r"^\d{1,2}[./]\d{1,2}[./]\d{2,4}$")
# A clock time: 10:08, 22 h 08, 12.00 GMT (a dot only before a.m./p.m./GMT/UTC, else it is a
# decimal), with a.m./p.m. after it. Its hour reads as hh.mm in the 24-hour day (both halves of
# the day when a.m./p.m. is not written); its minutes are evidence only.
_TIME = re.compile(
    r"(?<![^\W_])(\d{1,2})(?:\s?[:h]\s?|\.(?=\d\d\s*(?:[ap]\.?\s?m\b|gmt|utc)))(\d{2})(?!\d)"
    r"(?:\s*([ap])\.?\s?m\b\.?)?",
    re.IGNORECASE,
)
# An hour alone with a.m./p.m. ("3 p.m.", "2pm"): the translation may give the 24-hour hour
# alone ("15 h", "о 15 годині"), so it reads as both.
_HOUR = re.compile(r"(?<![^\W_])(\d{1,2})\s?([ap])\.?\s?m\b\.?", re.IGNORECASE)
_RANGE_END = re.compile(r"\s*\d[\d.,]*\s*")
_DASHES = "-–—"  # hyphen, en dash, em dash: ranges ("5–10 см") and compounds ("6-foot")
# A decade ("the 1930s", "1980's") is also written without its century ("les années 30",
# "30-е годы"), and a century's first decade names the century ("the 1800s": 19th century).
_DECADE = re.compile(r"['’]?s(?![^\W_])")
# A range's end written with its last two digits only ("1950-53" is 1950 to 1953).
_YEAR_BEFORE = re.compile(r"(?<!\d)(\d\d)\d\d[-–]$")
# Feet and inches of a height ("6-foot-6", "5 ft 10 in", "6 feet 2 inches"): one length.
_INCHES = re.compile(r"\.?(?:-(\d{1,2})(?![\w.,])|\s+(\d{1,2})\s*(?:inches|inch|in)\b)")
# Roman numerals: centuries ("XIXe siècle", "XIX века"), monarchs, republics ("Ve République").
# Canonical forms only, of two letters or more or with a French ordinal ending ("Ve", "Ier"),
# so the pronoun "I" and initials are no numbers; Cyrillic Х and І typed for X and I count.
_ROMAN = re.compile(r"(?<![^\W_])([IVXLCDMХІ]+)(e|er|re|ème)?(?![^\W_])")
_ROMAN_FORM = re.compile(r"M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})$")
_ROMAN_DIGITS = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
_ZULU = re.compile(r"\s*(?:gmt|utc)\b", re.IGNORECASE)  # 1200 GMT is 12:00
# Words, with an apostrophe inside ("п'ять", "сім'я": one word each) and hyphens joining them
# ("dix-neuf", "three-dimensional").
_WORD = re.compile(r"[^\W\d_]+(?:['’ʼ][^\W\d_]+)*")
_COMPOUND = re.compile(r"[^\W\d_]+(?:['’ʼ-][^\W\d_]+)*")
_APOSTROPHES = str.maketrans({"'": "ʼ", "’": "ʼ"})  # the tables write ʼ
MIN_STEM_TAIL = 3  # letters after a number stem that make a compound word ("пяти|летний")
MIN_UNIT_STEM = 4  # letters of a unit word that open an adjective ("метр|овий"; not "m|ost")
# A figure with a unit converted into the other system (into each unit a translator may
# choose); a translator rounds, so a value the converted one rounds to is the same number.
ROUNDING_SHARE = 0.05
_CONVERSIONS: dict[str, Callable[[float], tuple[float, ...]]] = {
    "ft": lambda v: (v * 0.3048, v * 30.48),  # metres, or centimetres for a height
    "m": lambda v: (v / 0.3048, v / 0.9144),  # feet, or yards (a pitch: 27 m, 30 yards)
    "yd": lambda v: (v * 0.9144,),
    "mi": lambda v: (v * 1.609344,),
    "mph": lambda v: (v * 1.609344,),
    "km": lambda v: (v / 1.609344,),
    "lb": lambda v: (v * 0.45359237,),
    "kg": lambda v: (v / 0.45359237,),
    "in": lambda v: (v * 2.54,),
    "cm": lambda v: (v / 2.54, v / 30.48),  # inches, or feet for a height (198 cm, 6.5 ft)
    "gal": lambda v: (v * 3.785411784,),
    "l": lambda v: (v / 3.785411784,),
    "°f": lambda v: ((v - 32) * 5 / 9,),
    "°c": lambda v: (v * 9 / 5 + 32,),
    # "degrees" without a scale: Fahrenheit in American news (80 degrees: 26.7 °C), else
    # Celsius; either may be the one converted.
    "deg": lambda v: ((v - 32) * 5 / 9, v * 9 / 5 + 32),
}
CONVERSION_REACH = 4  # a bracketed conversion is among the few numbers beside its value
# Tens with an "s" ("highs in the 80s", "widespread 90s"): besides a decade, American news
# gives temperatures so, a band of ten degrees Fahrenheit, which a translation writes in
# Celsius (80s: 27-32 °C).
_TENS_WITH_S = re.compile(r"(?<![\d'’.,])[1-9]0" + _DECADE.pattern)
TEMPERATURE_BAND = 10


@dataclass(frozen=True)
class Mention:
    """A number as the text wrote it, and every value it can be read as (a separator before
    three digits is a group or a decimal point depending on the language: both are kept).

    A `soft` mention (a number word, a compound's stem, a clock time's minutes, a conversion
    the text itself gives in brackets) is evidence that a number is kept, never reported itself.
    `approx` holds its value converted into the other unit system (20 feet: 6.1 m).
    """

    text: str
    values: frozenset[Decimal]
    soft: bool = False
    approx: frozenset[float] = frozenset()


@dataclass(frozen=True)
class NumberIssue:
    kind: str  # NOT_IN_ARTICLE, CHANGED, DROPPED or ADDED
    number: str  # as the checked summary (or, for DROPPED and CHANGED, its source) wrote it
    found: str = ""  # what the translation has instead (CHANGED), else ""


def mentions(text: str) -> list[Mention]:
    """The numbers `text` states, in order: clock times, figures (with any scale word after
    them, "1.5 million", and any unit, "20 feet"), the number words of the served languages'
    tables (precis_models.languages) and Roman numerals."""
    found = _times(text)
    taken = {at for at, _ in found}
    inches: set[int] = set()  # where the inches of a height in feet are (read with its feet)
    for match in _FIGURE.finditer(text):
        if match.start() in inches or not taken.isdisjoint(range(match.start(), match.end())):
            continue  # the hour or the minutes of a clock time (a set: linear in the times)
        read = _figure(text, match)
        inches.update(at for at, _ in read[1:])
        found.extend(read)
    found.extend(_words(text))
    found.extend(_romans(text))
    ordered = [m for _, m in sorted(found, key=lambda pair: pair[0])]
    return _bracketed_conversions(ordered)


def _times(text: str) -> list[tuple[int, Mention]]:
    found: list[tuple[int, Mention]] = []
    spans: set[int] = set()  # every character of every clock time's match
    for match in _TIME.finditer(text):
        spans.update(range(match.start(), match.end()))
        hour, minutes, half = int(match.group(1)), int(match.group(2)), match.group(3)
        if hour > 24 or minutes > 59:
            continue
        at = Decimal(hour) + Decimal(minutes) / 100
        if half is None:
            readings = {at, at + 12 if hour < 12 else at - 12}
        elif half.lower() == "p":
            readings = {at + 12 if hour < 12 else at}
        else:
            readings = {at - 12 if hour == 12 else at}
        found.append((match.start(1), Mention(match.group(1), frozenset(readings))))
        found.append(
            (match.start(2), Mention(match.group(2), frozenset({Decimal(minutes)}), soft=True))
        )
    inside = spans if found else set()
    for match in _HOUR.finditer(text):
        hour = int(match.group(1))
        if hour > 12 or match.start() in inside:
            continue  # the minutes of "10:30 p.m." (a set: linear in the times)
        day = hour % 12 + (12 if match.group(2).lower() == "p" else 0)
        hours = frozenset({Decimal(hour), Decimal(day)})
        found.append((match.start(1), Mention(match.group(1), hours)))
    return found


def _figure(text: str, match: re.Match[str]) -> list[tuple[int, Mention]]:
    written = match.group()
    if _DATE.match(written):
        return [
            (match.start(), Mention(part, frozenset({Decimal(int(part))})))
            for part in re.split(r"[./]", written)
        ]
    after_at = _skip_spaces(text, match.end())
    after = _WORD.match(text, after_at)
    word = after.group().lower() if after else ""
    values = _readings(written)
    scale = languages.scale_words().get(word)
    if scale:
        values |= {v * scale for v in values}
    if written.isdigit():
        values |= _year_readings(text, match)
    unit = languages.unit_words().get(word)
    dash = not word and text.startswith(tuple(_DASHES), after_at)
    if dash and (compound := _WORD.match(text, after_at + 1)):
        unit = _compound_unit(compound.group().lower())  # "6-foot", "250-кілограмовий"
        if unit:
            after = compound
    if unit is None and (word in languages.merged_words("range_words") or dash):
        end = _RANGE_END.match(text, after_at + max(len(word), 1))
        if end:  # "100 to 250 meters", "10-20 km": the unit after the range's end
            after_at = end.end()
            after = _WORD.match(text, after_at)
            unit = languages.unit_words().get(after.group().lower()) if after else None
    if text.startswith("°", after_at):
        unit = text[after_at : after_at + 2].lower()
    read = [(match.start(), written)]
    height = _INCHES.match(text, after.end()) if unit == "ft" and after else None
    if height and int(inch := height.group(1) or height.group(2)) < 12:
        values = {v + Decimal(inch) / 12 for v in values} | values  # 6 ft 6 in: 6.5 ft
        read.append((height.start(height.lastindex or 1), inch))
    convert = _CONVERSIONS.get(unit or "")
    approx = frozenset(a for v in values for a in convert(float(v))) if convert else frozenset()
    if unit is None and _tens_band(text, match):
        band = range(int(written), int(written) + TEMPERATURE_BAND)
        approx |= {a for degree in band for a in _CONVERSIONS["°f"](degree)}
    found = [(at, Mention(shown, frozenset(values), approx=approx)) for at, shown in read[:1]]
    return found + [(at, Mention(shown, frozenset(values), soft=True)) for at, shown in read[1:]]


def _tens_band(text: str, match: re.Match[str]) -> bool:
    """Whether the figure is tens with an "s" ("the 80s", not "the '80s" nor "1980s"): a decade
    or a band of temperatures in Fahrenheit (`_TENS_WITH_S`)."""
    return bool(_TENS_WITH_S.match(text, match.start()))


def _year_readings(text: str, match: re.Match[str]) -> set[Decimal]:
    """The other readings of a whole number as a year or a clock time: a decade without its
    century, the century a "-00s" names, a range's end without its century, 1200 GMT."""
    written, readings = match.group(), set()
    if len(written) == 4 and _ZULU.match(text, match.end()):
        readings.add(Decimal(written[:2]) + Decimal(written[2:]) / 100)
    if len(written) == 4 and written.endswith("0") and _DECADE.match(text, match.end()):
        readings.add(Decimal(written[2:]))
        if written.endswith("00"):
            readings.add(Decimal(written[:2]) + 1)
    year = _YEAR_BEFORE.search(text, max(match.start() - 5, 0), match.start())
    if len(written) == 2 and year:
        readings.add(Decimal(year.group(1) + written))
    return readings - {Decimal(0)}


def _compound_unit(word: str) -> str | None:
    """The unit a compound after a figure and a hyphen names: a unit word ("6-foot"), or an
    adjective opening with one ("7-градусна", "300-килограммовое")."""
    units = languages.unit_words()
    if word in units:
        return units[word]
    opening = [u for u in units if len(u) >= MIN_UNIT_STEM and word.startswith(u)]
    return units[max(opening, key=len)] if opening else None


def _words(text: str) -> list[tuple[int, Mention]]:
    """Number words, alone or joined by hyphens ("dix-neuf" is 19, "quatre-vingts" 80) or by a
    space ("сорок восемь" is 48), a scale after them ("four million"); stems opening a compound
    ("пятиматчевую"); a unit counted by a word ("a mile", "half an inch"); all soft."""
    scales, per = languages.scale_words(), languages.merged_words("percent_words")
    counts, units = languages.unit_counts(), languages.unit_words()
    found: list[tuple[int, Mention]] = []
    none = Decimal(0)
    previous, tens, count, end, served = "", none, none, -1, languages.served()
    for match in _COMPOUND.finditer(text):
        written = match.group()
        lower = written.lower()
        whole, parts = _word_values(lower, served)
        if whole is None and not parts and not count and lower not in counts:
            previous, end, tens = lower, match.end(), none  # most words: no number
            continue
        joined = end >= 0 and not text[end : match.start()].strip()  # only spaces between
        if lower == "cent" and previous in per:
            whole, parts = None, ()  # "per cent", "pour cent"
        previous, end = lower, match.end()
        if whole is not None:
            after = _WORD.match(text, _skip_spaces(text, match.end()))
            scale = scales.get(after.group().lower()) if after else None
            values = {whole, whole * scale} if scale else {whole}
            if joined and tens and 0 < whole < 10:
                values.add(tens + whole)  # tens then units: "forty eight", "сорок вісім"
            found.append((match.start(), Mention(written, frozenset(values), soft=True)))
        for value in parts:  # "three-dimensional", "hundred-run", "пятиматчевую"
            found.append((match.start(), Mention(written, frozenset({value}), soft=True)))
        convert = _CONVERSIONS.get(units.get(lower, "")) if joined and count else None
        if convert:
            approx = frozenset(convert(float(count)))
            found.append((match.start(), Mention(written, frozenset({count}), True, approx)))
        tens = whole if whole is not None and whole in _TENS else none
        # "half an inch": the counts of words in a row multiply
        count = counts[lower] * (count if joined and count else 1) if lower in counts else none
    return found


@functools.lru_cache(maxsize=2**14)  # news repeats its words
def _word_values(
    word: str, served: tuple[languages.Language, ...]
) -> tuple[Decimal | None, tuple[Decimal, ...]]:
    """A lower-case word's value when it is a number word or a run of them, else the values
    of the number words or the number stem inside it (`served` keys the cache only)."""
    table, stems = languages.number_words(), languages.number_stems()
    parts = word.translate(_APOSTROPHES).split("-")
    known = [v for v in (table.get(part) for part in parts) if v is not None]
    if known and len(known) == len(parts):
        return Decimal(_compose(known)), ()
    if known:
        return None, tuple(Decimal(v) for v in known)
    stem = _stem_pattern(tuple(stems)).match(parts[0]) if len(parts) == 1 else None
    return None, (Decimal(stems[stem.group(1)]),) if stem else ()


@functools.lru_cache(maxsize=4)
def _stem_pattern(stems: tuple[str, ...]) -> re.Pattern[str]:
    """A word opening with one of `stems` and at least MIN_STEM_TAIL letters after it."""
    longest_first = sorted(stems, key=len, reverse=True)
    return re.compile(rf"({'|'.join(map(re.escape, longest_first))})\w{{{MIN_STEM_TAIL},}}$")


_TENS = frozenset(Decimal(v) for v in range(20, 100, 10))


def _romans(text: str) -> list[tuple[int, Mention]]:
    """The Roman numerals of `text` (see _ROMAN), soft: read only to find a number kept."""
    found = []
    for match in _ROMAN.finditer(text):
        letters = match.group(1).replace("Х", "X").replace("І", "I")
        if (len(letters) > 1 or match.group(2)) and _ROMAN_FORM.match(letters):
            digits = [_ROMAN_DIGITS[c] for c in letters]
            value = sum(-d if d < n else d for d, n in zip(digits, [*digits[1:], 0], strict=True))
            found.append((match.start(), Mention(match.group(), frozenset({Decimal(value)}), True)))
    return found


def _compose(parts: Sequence[int]) -> int:
    """The value of number words joined by hyphens: added ("dix-neuf"), or multiplied where a
    unit comes before a bigger word ("quatre-vingts", "deux-cents")."""
    total = 0
    for value in parts:
        if 0 < total < 10 and value in (20, 100, 1000):
            total *= value
        else:
            total += value
    return total


def _bracketed_conversions(found: list[Mention]) -> list[Mention]:
    """`found`, with a figure that another figure of the same text converted into the other
    unit system rounds to ("100 metres (328 feet)": 328) made soft: a translation may give
    one of the two. The figure converted stays a number of its own unless it is itself what
    the other converts to (100 is 328 feet rounded to tens), so a changed figure beside its
    conversion ("301 km (190 miles)") is still a change."""
    if not any(m.approx for m in found):
        return found
    out = []
    for i, mention in enumerate(found):
        if mention.approx:
            near = found[max(i - CONVERSION_REACH, 0) : i] + found[i + 1 : i + 1 + CONVERSION_REACH]
            if _near(frozenset(a for m in near for a in m.approx), mention.values):
                mention = dataclasses.replace(mention, soft=True)
        out.append(mention)
    return out


def values(text: str) -> frozenset[Decimal]:
    """Every value any number in `text` can be read as."""
    return frozenset(v for m in mentions(text) for v in m.values)


def not_in(summary: Sequence[Mention], pool: frozenset[Decimal]) -> list[Mention]:
    """The mentions of which no reading is in `pool`, soft ones left out, each number once.

    A figure with a unit is also found when its value converted into the other unit system
    rounds to a value of `pool` (as written: 30 m is 30.48 m rounded to tens).
    """
    return _unique(
        m for m in summary if not m.soft and not (m.values & pool or _near(m.approx, pool))
    )


def compare_translation(
    source: Sequence[Mention], translated: Sequence[Mention]
) -> list[NumberIssue]:
    """What a translation changed, dropped or added among its source's numbers.

    A source number no translated number can be read as (nor, converted, rounds to) is CHANGED
    when the translation has an unmatched number in its place (paired in order), else DROPPED;
    unmatched translated numbers left over are ADDED. Soft mentions only match.

    A conversion is checked one way only: the translator rounds the converted value, so a
    translated figure is the source's when the source's value converted rounds to it as the
    translation wrote it (550 pounds, 249.5 kg: 250 kg, not 251 kg); the source's own rounding
    never widens it (251 kg is 553 pounds, which 550 "rounded to tens" would let through).
    """
    target_pool = frozenset(v for m in translated for v in m.values)
    source_pool = frozenset(v for m in source for v in m.values)
    converted = frozenset(a for m in source for a in m.approx)
    lost = not_in(source, target_pool)
    new = _unique(
        m
        for m in translated
        if not m.soft and not (m.values & source_pool or _near(converted, m.values))
    )
    issues = [NumberIssue(CHANGED, old.text, now.text) for old, now in zip(lost, new, strict=False)]
    issues += [NumberIssue(DROPPED, old.text) for old in lost[len(new) :]]
    issues += [NumberIssue(ADDED, now.text) for now in new[len(lost) :]]
    return issues


def _near(approx: frozenset[float], pool: frozenset[Decimal]) -> bool:
    """Whether a converted value rounds to a value of `pool` as written (30 is 30.48 rounded to
    tens, 31 is not; 6 is 6.096 rounded to units)."""
    return any(abs(a - float(v)) <= _rounding(str(v)) for a in approx for v in pool if v)


# Keyed by the value as written: Decimal("1") and Decimal("1.00") are equal keys, but not
# equally precise (a cache keyed by the Decimal gave one the other's rounding).
@functools.lru_cache(maxsize=4096)
def _rounding(written: str) -> float:
    """How far a value may be from what `written` rounds: half a step of its last significant
    digit (30: 5; 6.1: 0.05), a step of five where that digit is a 5, as translators round to
    fives (135 km/h for 85 mph, 136.8; 7.5 cm for 3 inches, 7.62), but for zeros that end a
    figure and for fives no more than ROUNDING_SHARE of it (1,000 pounds is not 907 kg), and
    never less than half a unit of its last written digit."""
    value = Decimal(written)
    normal = value.normalize().as_tuple()
    step = 10.0 ** int(normal.exponent) * (5 if normal.digits[-1] == 5 else 1)
    least = 0.5 * 10.0 ** min(int(value.as_tuple().exponent), 0)
    return max(min(0.5 * step, ROUNDING_SHARE * abs(float(value))), least)


def _readings(written: str) -> set[Decimal]:
    """The values a figure can be read as: its groups joined, or its last , or . read as the
    decimal point (only where what follows could not be a group of three)."""
    parts = re.split(rf"([.,{_SPACES}])", written)
    digits, separators = parts[0::2], parts[1::2]
    if not separators:
        return {Decimal(written)}
    readings: set[Decimal] = set()
    whole_groups = all(len(d) == 3 for d in digits[1:]) and len(set(separators)) == 1
    if whole_groups or all(s in _SPACES for s in separators):
        readings.add(Decimal("".join(digits)))  # 100,000 / 100 000 / 1.000.000
    if separators[-1] in ".," and all(s != separators[-1] for s in separators[:-1]):
        head = "".join(digits[:-1])  # 1,234.5 / 1 234,5 / 3.5 / 3,5
        readings.add(_decimal(f"{head}.{digits[-1]}"))
    return readings or {Decimal("".join(digits))}


def _decimal(text: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern only lets digits through
        return Decimal(0)


def _skip_spaces(text: str, at: int) -> int:
    while at < len(text) and text[at] in _SPACES:
        at += 1
    return at


def _unique(items: Iterable[Mention]) -> list[Mention]:
    seen: set[str] = set()
    out: list[Mention] = []
    for m in items:
        if m.text not in seen:
            seen.add(m.text)
            out.append(m)
    return out
