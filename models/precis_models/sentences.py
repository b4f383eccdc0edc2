"""Sentence splitting and packing for news text in the served languages (rule-based, no model)."""

from __future__ import annotations

import functools
import itertools
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence

from precis_models import languages

_INITIALS = re.compile(r"(?:[^\W\d_]\.-?)+")  # "J.", "J.-P.", "A.S."
_PARAGRAPH = re.compile(r"\n\s*\n|\r\n\s*\r\n")
# A line that starts a list item: "- ", "• ", "1. ", "2) ".
_ITEM = re.compile(r"\s*(?:[-–—•*·▪]|\d{1,2}[.)])\s")
# A line that ends with a comma, semicolon, hyphen or bracket is continued by the next one.
_UNFINISHED = (",", ";", "(", "-")
# Longer than anyone wraps by hand: a paragraph with such a line holds one paragraph per line
# (as extracted HTML does), so a code listing or a "(bsc)" line in it joins none of its lines.
_UNWRAPPED_LINE = 200


# A reference marker ("[1]", "[1 - 3]", "[3, 7]"): web and Wikipedia text put it after the full
# stop of the sentence it belongs to ("was premiered in 1880.[2] It was"), never before another.
_CITATION = r"\[\d{1,3}(?:\s*[-–—,]\s*\d{1,3})*\]"
_CITATIONS_END = re.compile(rf"(?:\s?{_CITATION})+$")


@functools.lru_cache(maxsize=8)
def _patterns(capitals: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The sentence boundary and the continued line for these capital letters (the served
    languages', see precis_models.languages)."""
    # A sentence ends at . ! ? … (and closing quotes/brackets, French "Jamais. »", and its
    # reference markers) followed by space and a capital, digit, quote or dash.
    boundary = re.compile(
        rf"[.!?…](?: ?[\"'»”)\]])*(?:\s?{_CITATION})*"
        rf"(?!\s*{_CITATION})(?=\s+[\"'«“(\[\-–—]?\s?[\d{capitals}])"
    )
    # A line that continues the one before it: hard-wrapped text (starts in lower case).
    continues = re.compile(rf"\s*[\"'«“(\[]?\s?[^\W\d_{capitals}]")
    return boundary, continues


def split_sentences(text: str) -> list[str]:
    """Split text into sentences; paragraph breaks always end a sentence, and so do single line
    breaks (a headline without a full stop, list items) unless the paragraph is hard-wrapped
    (one of its line breaks continues a sentence); a list item always starts a sentence.

    Returns:
        Non-empty, stripped sentences in order.
    """
    boundary, continues = _patterns(languages.capitals())
    sentences: list[str] = []
    for paragraph in _PARAGRAPH.split(text):
        for block in _blocks(paragraph, continues):
            block = " ".join(block.split())
            if not block:
                continue
            cuts, markers = _list_marks(block)
            start = 0
            # A boundary that passes _ends, or a cut before an inline list item, in text order.
            events = sorted(
                [(m.end(), False) for m in boundary.finditer(block) if m.end() not in markers]
                + [(cut, True) for cut in cuts]
            )
            for at, cut in events:
                # _ends reads a bounded window, so a run of "Mr. Mr. Mr." stays linear.
                window = block[max(start, at - _WINDOW) : at]
                if at > start and (cut or _ends(window, block[at : at + _WINDOW])):
                    if piece := block[start:at].strip():  # a cut right after a sentence end
                        sentences.append(piece)
                    start = at
            if tail := block[start:].strip():
                sentences.append(tail)
    return sentences


_WINDOW = 300  # characters _ends reads either side of a sentence end

# An inline list item's marker: "1. ", "2.) ", "3) ", "• 9. ", "⁃10. ", "a. ".
_MARKER = re.compile(r"(?<!\S)(?:[•⁃▪*-]\s?)?(\d{1,2}|[a-z])(?:\.\)|[.)])(?=\s)")


def _list_marks(block: str) -> tuple[list[int], set[int]]:
    """Where `block` holds an inline numbered or lettered list ("1. The first item 2. The
    second item"): the offsets to cut before (every item but the first, unless the item before
    ends with a comma or semicolon: a list inside a sentence), and the ends of the markers,
    which end no sentence. A list is a run of at least two markers counting up by one that
    starts the block, follows a colon, or starts at 1 or a (a lone "1." stays a sentence of its
    own, as UD's Ukrainian legal text has it)."""
    cuts: list[int] = []
    ends: set[int] = set()
    run: list[re.Match[str]] = []
    for marker in [*_MARKER.finditer(block), None]:
        if marker is not None and run and _rank(marker) == _rank(run[-1]) + 1:
            run.append(marker)
            continue
        if len(run) >= 2 and (
            run[0].start() == 0
            or block[: run[0].start()].rstrip().endswith(":")
            or run[0].group(1) in ("1", "a")
        ):
            ends.update(m.end() for m in run)
            cuts += [
                m.start() for m in run[1:] if not block[: m.start()].rstrip().endswith((";", ","))
            ]
        run = [marker] if marker is not None else []
    return cuts, ends


def _rank(marker: re.Match[str]) -> int:
    """A list marker's number ("2" -> 2, "b" -> 2), letters and figures kept apart."""
    value = marker.group(1)
    return int(value) if value.isdigit() else 1000 + ord(value) - ord("a") + 1


# "[...]" elides words, and so do three spaced dots; four (". . . .") end a sentence.
_ELISION = re.compile(r"(?:\[(?:\.{3}|…)\]|(?<![.\s])\s?\.\s\.\s\.)$")
_NUMBER_BEFORE = re.compile(r"\d\S*\s+\S+$")
_TIME_ZONE = re.compile(r"[A-Z]{2,4}\b")


def _ends(candidate: str, rest: str) -> bool:
    """Whether the . ! ? or … that ends `candidate` (with its closing quotes) ends a sentence,
    `rest` being the text after it (each may be cut to a window of _WINDOW characters)."""
    candidate = _CITATIONS_END.sub("", candidate)  # "the U.S.[3] The" reads as "the U.S."
    bare = candidate.rstrip("\"'»”)] ")
    if _ELISION.search(candidate.rstrip("\"'»” ")):
        return False  # words left out
    if candidate.count("«") > candidate.count("»") and rest.lstrip()[:1] in "–—":
        return False  # «Quote? – asked she. – Quote goes on»
    if not bare.endswith("."):
        return True
    after = rest.split(None, 2)
    following = after[0].lstrip("\"'«“([") if after else ""
    last = bare.rsplit(None, 1)[-1].rstrip(".").lower()
    if last in languages.merged_words("clock_abbreviations"):
        return _clock_ends(bare, following)
    if (
        last in languages.merged_words("counted_abbreviations")
        and following[:1].isdigit()
        and _NUMBER_BEFORE.search(bare)
    ):
        return False  # "5 ft. 6 in.", "10 год. 30 хв." (but "за 2015 год. Бюджет" ends)
    if not _abbreviated(bare):
        return True
    # "in the U.S. How about you?", "Jane and co. They know.", but not "Mr. He Jiankui".
    return following in languages.merged_words("sentence_starters") and (
        len(after) < 2 or not after[1][:1].isupper()
    )


def _clock_ends(sentence: str, following: str) -> bool:
    """After "a.m."/"p.m.": a sentence ends unless a day, month or time zone follows ("5 p.m.
    Monday", "5 p.m. EST") or the sentence so far is a short opening ("At 5 a.m. Mr. Smith")."""
    if following in languages.merged_words("calendar_words") or _TIME_ZONE.fullmatch(following):
        return False
    return len(sentence.split()) > 4


def _blocks(paragraph: str, continues: re.Pattern[str]) -> list[str]:
    """The paragraph cut at its line breaks that end a sentence (see `split_sentences`)."""
    lines = paragraph.splitlines()
    wrapped = max(map(len, lines), default=0) <= _UNWRAPPED_LINE and any(
        line.rstrip().endswith(_UNFINISHED) or continues.match(after)
        for line, after in itertools.pairwise(lines)
    )
    if not wrapped:
        return lines
    blocks = lines[:1]
    for line in lines[1:]:
        if _ITEM.match(line):
            blocks.append(line)
        else:
            blocks[-1] += " " + line
    return blocks


def _abbreviated(text: str) -> bool:
    """True when the full stop ending `text` belongs to an abbreviation or an initial that does
    not end a sentence ("Dr.", "т. е.", "J.-P."); "etc." and "т. д." do end one."""
    words = text.rsplit(None, 2)[-2:]
    last = words[-1].rstrip(".").lower()
    # The last two words, "т. д." as "т.д", "и др." as "и др".
    pair = re.sub(r"\.\s+", ".", " ".join(words).lower()).rstrip(".")
    closing = languages.closing_abbreviations()
    if last in closing or pair in closing:
        return False
    abbreviations = languages.abbreviations()
    if last in abbreviations or pair in abbreviations:
        return True
    return _INITIALS.fullmatch(words[-1]) is not None


def is_blank(text: str) -> bool:
    """True when nothing in `text` would be seen: whitespace, format (zero-width, BOM, direction
    marks) and control characters only."""
    return all(ch.isspace() or unicodedata.category(ch) in ("Cf", "Cc", "Zs") for ch in text)


def fit(
    sentences: Sequence[str],
    *,
    budget: int,
    count: Callable[[Sequence[str]], list[int]],
    lengths: Sequence[int] | None = None,
) -> list[tuple[str, int]]:
    """Each sentence with its tokens, those over `budget` split into pieces that fit it.

    Splits at spaces first, inside words only where one word alone is over the budget (a URL,
    or 150,000 characters without a space), so no text is lost and no piece is cut by the model.

    Returns:
        (piece, tokens) pairs in order; every piece's tokens are at most `budget`, except a
        single character that alone is over it (impossible with budgets above ~8).
    """
    pieces: list[tuple[str, int]] = []
    for sentence, tokens in zip(sentences, lengths or count(sentences), strict=True):
        if tokens <= budget:
            pieces.append((sentence, tokens))
        else:
            pieces.extend(_split_long(sentence, tokens, budget=budget, count=count))
    return pieces


def pack(
    sentences: Sequence[str],
    *,
    budget: int,
    count: Callable[[Sequence[str]], list[int]],
    separator: str = " ",
    lengths: Sequence[int] | None = None,
) -> list[str]:
    """Group consecutive sentences into chunks of at most `budget` tokens.

    A sentence longer than the budget on its own is split (see `fit`), so no text is lost.

    Args:
        sentences: the sentences, in order.
        budget: most tokens in one chunk (as `count` measures them).
        count: token counter for a batch of texts.
        separator: what joins sentences in a chunk.
        lengths: the sentences' token counts, when already known.

    Returns:
        The chunks, in order.
    """
    chunks: list[str] = []
    current: list[str] = []
    used = 0
    for piece, tokens in fit(sentences, budget=budget, count=count, lengths=lengths):
        if current and used + tokens > budget:
            chunks.append(separator.join(current))
            current, used = [], 0
        current.append(piece)
        used += tokens
    if current:
        chunks.append(separator.join(current))
    return chunks


def _split_long(
    sentence: str, tokens: int, *, budget: int, count: Callable[[Sequence[str]], list[int]]
) -> list[tuple[str, int]]:
    words = sentence.split()
    if len(words) > 1:
        step = max(1, int(len(words) * budget / tokens * 0.9))
        parts = [" ".join(words[i : i + step]) for i in range(0, len(words), step)]
    elif len(sentence) > 1:
        step = max(1, int(len(sentence) * budget / tokens * 0.9))
        parts = [sentence[i : i + step] for i in range(0, len(sentence), step)]
    else:
        return [(sentence, tokens)]
    # A part can still be over (the estimate is an average): split it again, more finely.
    out: list[tuple[str, int]] = []
    for part, part_tokens in zip(parts, count(parts), strict=True):
        if part_tokens <= budget or part == sentence:
            out.append((part, part_tokens))
        else:
            out.extend(_split_long(part, part_tokens, budget=budget, count=count))
    return out


_WORD = re.compile(r"\w+", re.UNICODE)


def rank(sentences: Sequence[str]) -> list[int]:
    """Sentence indices, most salient first: content-word centrality, favouring the lead (news).

    Language-free (content words are those longer than 3 characters), so it ranks en/fr/uk/ru
    alike, in the article's own language.
    """
    words = [[w.lower() for w in _WORD.findall(s)] for s in sentences]
    frequency = Counter(w for ws in words for w in ws if len(w) > 3)

    def score(i: int) -> float:
        content = [frequency[w] for w in words[i] if len(w) > 3]
        salience = sum(content) / math.sqrt(len(words[i]) + 1)
        return salience * (1.0 + 1.0 / (i + 1))  # news: the lead matters most

    return sorted(range(len(sentences)), key=score, reverse=True)


def select(sentences: Sequence[str], lengths: Sequence[int], *, budget: int) -> list[int]:
    """The highest-ranked sentences that fit `budget` tokens together, in article order.

    The first sentence ranked is always kept (even over the budget, split later by `fit`).
    """
    chosen: list[int] = []
    used = 0
    for i in rank(sentences):
        if chosen and used + lengths[i] > budget:
            continue
        chosen.append(i)
        used += lengths[i]
        if used >= budget:
            break
    return sorted(chosen)


_SENTENCE_END = re.compile(r"[.!?…](?:\s?[\"'»”)\]])*(?=\s|$)")  # French: "voté. »"


def end_on_sentence(text: str) -> str:
    """`text` without a cut-off last sentence: up to its last sentence end (. ! ? … and closing
    quotes, not after an abbreviation or an initial); unchanged when it has none, since no
    shorter text would end on a sentence."""
    text = text.strip()
    for match in reversed(list(_SENTENCE_END.finditer(text))):
        if _abbreviated(text[: match.start() + 1]):
            continue  # also at the very end: "... said Mr." was cut
        return text[: match.end()]
    return text
