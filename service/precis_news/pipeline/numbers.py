"""Numbers as each served language writes them, read into values, and compared between texts."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
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
_WORD = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class Mention:
    """A number as the text wrote it, and every value it can be read as (a separator before
    three digits is a group or a decimal point depending on the language: both are kept)."""

    text: str
    values: frozenset[Decimal]


@dataclass(frozen=True)
class NumberIssue:
    kind: str  # NOT_IN_ARTICLE, CHANGED, DROPPED or ADDED
    number: str  # as the checked summary (or, for DROPPED and CHANGED, its source) wrote it
    found: str = ""  # what the translation has instead (CHANGED), else ""


def mentions(text: str) -> list[Mention]:
    """The numbers `text` states, in order: figures (with any scale word after them, "1.5
    million") and the number words of a small table (both the served languages', in
    precis_models.languages)."""
    scales, words = languages.scale_words(), languages.number_words()
    found: list[tuple[int, Mention]] = []
    for match in _FIGURE.finditer(text):
        written = match.group()
        after = _WORD.match(text, _skip_spaces(text, match.end()))
        scale = scales.get(after.group().lower()) if after else None
        if _DATE.match(written):
            for part in re.split(r"[./]", written):
                found.append((match.start(), Mention(part, frozenset({Decimal(int(part))}))))
            continue
        values = _readings(written)
        if scale:
            values |= {v * scale for v in values}
        found.append((match.start(), Mention(written, frozenset(values))))
    for match in _WORD.finditer(text):
        value = words.get(match.group().lower())
        if value is not None:
            found.append((match.start(), Mention(match.group(), frozenset({Decimal(value)}))))
    return [m for _, m in sorted(found, key=lambda pair: pair[0])]


def values(text: str) -> frozenset[Decimal]:
    """Every value any number in `text` can be read as."""
    return frozenset(v for m in mentions(text) for v in m.values)


def not_in(summary: Sequence[Mention], pool: frozenset[Decimal]) -> list[Mention]:
    """The mentions of which no reading is in `pool`, each number once."""
    return _unique(m for m in summary if not m.values & pool)


def compare_translation(
    source: Sequence[Mention], translated: Sequence[Mention]
) -> list[NumberIssue]:
    """What a translation changed, dropped or added among its source's numbers.

    A source number no translated number can be read as is CHANGED when the translation has an
    unmatched number in its place (paired in order), else DROPPED; unmatched translated numbers
    left over are ADDED.
    """
    target_pool = frozenset(v for m in translated for v in m.values)
    source_pool = frozenset(v for m in source for v in m.values)
    lost = not_in(source, target_pool)
    new = not_in(translated, source_pool)
    issues = [NumberIssue(CHANGED, old.text, now.text) for old, now in zip(lost, new, strict=False)]
    issues += [NumberIssue(DROPPED, old.text) for old in lost[len(new) :]]
    issues += [NumberIssue(ADDED, now.text) for now in new[len(lost) :]]
    return issues


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
