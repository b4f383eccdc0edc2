"""What an extractive summary may pick and how it reads: no captions or credits, full stops."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from precis_models import languages
from precis_models.sentences import select

# Closing quotes and brackets that may follow final punctuation ("voté. »", "(See the vote.)").
_CLOSING = "\"'»”)] "
# What a line may end with that is not final punctuation and gives way to the full stop.
_DANGLING = re.compile(r"[\s,;:–—-]+$")
# A list item's marker: "- ", "• ", "* ".
_MARKER = re.compile(r"^[-–—•*·▪]\s+")


# A sentence this short is a label or leans on its neighbours ("Figuratively speaking.").
_FEWEST_WORDS = 4
# A line without final punctuation this long is no heading, caption or list item, but a piece of
# a sentence too long to read whole (precis_models.sentences.fit).
_LONGEST_LINE_WORDS = 40


@functools.lru_cache(maxsize=8)
def _matcher(patterns: frozenset[str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in sorted(patterns)))


def _ends_finally(text: str) -> bool:
    """True when `text` ends with . ! ? or …, closing quotes and brackets after it aside."""
    return text.rstrip(_CLOSING)[-1:] in (".", "!", "?", "…")


def _matches(patterns: frozenset[str], sentence: str) -> bool:
    return _matcher(patterns).match(_MARKER.sub("", sentence.strip())) is not None


def is_credit(sentence: str) -> bool:
    """True when `sentence` is a photo credit in a served language ("Credit: AP", "(Reuters)",
    "Photo: John Smith/Getty Images"; `precis_models.languages.Language.credit_lines`).

    Args:
        sentence: one sentence (or line) of an article.

    Returns:
        Whether it credits a picture (so the sentence before it is the picture's caption).
    """
    return _matches(languages.credit_lines(), sentence)


def is_caption(sentence: str) -> bool:
    """True when `sentence` is a page's furniture rather than its article's prose, in a served
    language: a caption, its label or its credit, a byline or a "read more" line ("Image caption
    ...", "Photo", "Credit: AP", "Getty Images", "By Jane Doe", "... reports from Moscow";
    `precis_models.languages.Language.caption_lines`, `label_lines` and `credit_lines`).

    Args:
        sentence: one sentence (or line) of an article.

    Returns:
        Whether a summary must leave it out.
    """
    return (
        _matches(languages.caption_lines(), sentence) or _is_label(sentence) or is_credit(sentence)
    )


def _is_label(sentence: str) -> bool:
    """A caption's label alone ("Photo", "Image caption"): the sentence after it is a caption."""
    return _matches(languages.label_lines(), sentence)


def pickable(sentences: Sequence[str]) -> list[bool]:
    """Whether a summary may pick each of `sentences` (an article's, in order). It may not pick:
    a caption, credit or byline (`is_caption`); the caption before a credit or after a label
    ("Photo"); a line of at most 40 words without final punctuation after the first (a
    subheading, caption or list item; the first is the headline); a line ending with a colon
    (it introduces what follows, which a summary may leave out); a sentence of fewer than 4
    words (a label, or one that leans on its neighbours).

    Args:
        sentences: the article's sentences, in order.

    Returns:
        One flag per sentence.
    """
    lines = [_MARKER.sub("", s.strip()) for s in sentences]
    label, credit, caption = (
        _matcher(patterns)
        for patterns in (
            languages.label_lines(),
            languages.credit_lines(),
            languages.caption_lines(),
        )
    )
    labels = [label.match(line) is not None for line in lines]
    credits = [credit.match(line) is not None for line in lines]
    captions = [
        labelled or credited or caption.match(line) is not None
        for line, labelled, credited in zip(lines, labels, credits, strict=True)
    ]
    flags = []
    for i, sentence in enumerate(sentences):
        text = sentence.strip()
        words = len(text.split())
        flags.append(
            not captions[i]
            and not (i + 1 < len(sentences) and credits[i + 1])
            and not (i > 0 and labels[i - 1])
            and (i == 0 or _ends_finally(text) or words > _LONGEST_LINE_WORDS)
            and not text.endswith(":")
            and words >= _FEWEST_WORDS
        )
    return flags


def select_prose(sentences: Sequence[str], lengths: Sequence[int], *, budget: int) -> list[int]:
    """`precis_models.sentences.select` over the `pickable` sentences only (over all of them
    when none is, so an article of captions alone still gives a summary).

    Args:
        sentences: the article's sentences, in order.
        lengths: their tokens.
        budget: most tokens of the chosen sentences together (the first ranked is always kept).

    Returns:
        Indices into `sentences` of the chosen ones, in article order.
    """
    flags = pickable(sentences)
    candidates = [i for i, ok in enumerate(flags) if ok] or list(range(len(sentences)))
    chosen = select(
        [sentences[i] for i in candidates], [lengths[i] for i in candidates], budget=budget
    )
    return [candidates[j] for j in chosen]


def join_sentences(sentences: Sequence[str]) -> str:
    """The sentences as prose: joined by spaces, each without its list marker, and a full stop
    given to one that has no final punctuation (a headline, caption or list item), so that two
    lines never read as one sentence.

    Args:
        sentences: sentences or lines, in the order they are to be read.

    Returns:
        One paragraph.
    """
    out: list[str] = []
    for sentence in sentences:
        text = _MARKER.sub("", sentence.strip())
        if not _ends_finally(text):
            text = _DANGLING.sub("", text)
            text = text + "." if text else ""
        if text:
            out.append(text)
    return " ".join(out)
