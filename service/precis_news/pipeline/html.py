"""The article in an HTML page: its text and title, without navigation, scripts or boilerplate."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from precis_models.sentences import is_blank
from precis_news.pipeline.errors import BadRequest, TooLarge


@dataclass(frozen=True)
class Page:
    """What extraction found in a page."""

    text: str  # the article's paragraphs, one per line
    title: str  # the page's headline, "" when it has none
    html_characters: int  # the size of the markup it came from


def extract_article(html: str, *, max_chars: int, max_elements: int) -> Page:
    """The article of an HTML page (blocking: call from a worker thread).

    The markup is parsed once by lxml (whose parser stops descending at its nesting limit
    instead of recursing, so deep nesting cannot crash it) and handed to trafilatura, which drops
    navigation, scripts, styles, forms, comments and cookie banners; only text comes out, so
    scripts and event handlers in the page are never run or passed on.

    Args:
        html: the page.
        max_chars: the most characters of markup accepted.
        max_elements: the most elements accepted (extraction time grows with them).

    Raises:
        TooLarge: more markup or more elements than allowed.
        BadRequest: the page is empty, not HTML, or has no article text in it.
    """
    if len(html) > max_chars:
        raise TooLarge(
            f"html has {len(html)} characters; the limit is {max_chars} (max_html_chars)",
            field="html",
        )
    if is_blank(html):
        raise BadRequest("html is empty", field="html")
    tree = _parse(html)
    elements = sum(1 for _ in tree.iter()) if tree is not None else 0
    if elements > max_elements:
        raise TooLarge(
            f"html has {elements} elements; the limit is {max_elements} (max_html_elements)",
            field="html",
        )
    if tree is not None:
        _collapse_spaces(tree)
        _unwrap_text_tables(tree)
    document = _extract(tree) if tree is not None else None
    text = (document.text or "").strip() if document is not None else ""
    if document is None or is_blank(text):
        raise BadRequest(
            "found no article text in html (is it a news page, with its text in the markup "
            "rather than loaded by scripts?)",
            field="html",
        )
    title = " ".join((document.title or "").split())
    text, title = _headline_apart(text, title)
    return Page(text, title, len(html))


def _parse(html: str) -> Any:
    """The lxml tree of `html`, or None when lxml finds no document in it."""
    from trafilatura.utils import load_html  # lxml with trafilatura's encoding handling

    return load_html(html)


_SPACES = re.compile(r"\s+")


def _collapse_spaces(tree: Any) -> None:
    """Runs of white space outside <pre> and <code> as one space, in place, as a browser shows
    them (a block of <code> outside <pre> may be a listing laid out by the page's style).

    trafilatura keeps the line breaks of a paragraph's markup when the paragraph holds inline
    <code>, and a paragraph broken into short lines reads as hard-wrapped text to the sentence
    splitter, which then runs every line of the article into the next.
    """
    kept = set(tree.iter("pre", "code", "textarea"))
    for element in list(kept):
        kept.update(element.iterdescendants())
    for element in tree.iter():
        if element not in kept and element.text:
            element.text = _SPACES.sub(" ", element.text)
        if element.tail and element.getparent() not in kept:
            element.tail = _SPACES.sub(" ", element.tail)


# A cell of this many words holds a sentence, not a figure or a label.
_SENTENCE_WORDS = 10
_CELLS = "./tr/td | ./tr/th | ./*/tr/td | ./*/tr/th"  # a table's own cells, in a tbody or not
_ROWS = "./*[tr] | ./tr | ./*/tr"  # with their tbody, thead, tfoot
_HEADINGS = {f"h{level}" for level in range(1, 7)}
_BLOCKS = frozenset({"p", "div", "pre", "ul", "ol", "dl", "blockquote", "figure", *_HEADINGS})


def _unwrap_text_tables(tree: Any) -> None:
    """Turn the tables that hold text rather than data into plain blocks, in place.

    The extraction leaves tables out (`include_tables=False`: a data table's cells read badly as
    prose), and pages also put text in tables: a code listing in a syntax highlighter's table, a
    boxed note, a table whose cells hold sentences. Such a table becomes its cells, each a block
    of its own (a line each, in document order, so no cell runs into the next); a table of short
    cells (figures, labels, a menu) stays a table and is left out, as is a table holding tables.
    """
    for table in list(tree.iter("table")):
        cells = table.xpath(_CELLS)
        if _holds_text(table, cells):
            for element in [table, *table.xpath(_ROWS)]:
                element.tag = "div"
            for cell in cells:
                # A cell of text is a paragraph (trafilatura may pass over bare text in a div).
                cell.tag = "div" if any(child.tag in _BLOCKS for child in cell) else "p"


def _holds_text(table: Any, cells: list[Any]) -> bool:
    """Whether `table`, of these `cells`, lays out text (see `_unwrap_text_tables`), rather
    than holding data."""
    if table.find(".//table") is not None:
        # A page's grid (lwn-1's: navigation, article and its data tables side by side): with
        # its cells as blocks trafilatura finds less of the article than its rescue finds.
        return False
    if table.find(".//pre") is not None:
        return True  # a code listing
    words = [len(str(cell.xpath("string()")).split()) for cell in cells]
    in_sentences = sum(count for count in words if count >= _SENTENCE_WORDS)
    return in_sentences > 0 and 2 * in_sentences >= sum(words)


# trafilatura's MIN_EXTRACTED_SIZE: under it, its balanced mode rescues the page with a baseline
# pass whose last resort is the text of the whole page body.
_RESCUE_BELOW_CHARS = 250


def _extract(tree: Any) -> Any:
    """trafilatura's Document for a parsed page, or None when it finds no article.

    Balanced, not favor_precision: precision mode skips trafilatura's rescue of a too-short
    extraction and prunes link-heavy blocks harder. On Readability's table-laid-out lwn-1 page the
    main extractor keeps only the copyright footer and the rescue finds the article; on cnn,
    wapo-1 and bbc-1 paragraphs with a few links survive (bench/text/README.md: recall 0.80 to
    0.97, precision unchanged). The rescue's last resort is the page's whole text, which on a
    page without an article is its navigation: a short result is checked in precision mode,
    which has no rescue, as before.
    """
    document = _bare_extraction(tree, favor_precision=False)  # it works on a copy of the tree
    if document is not None and len(document.text or "") >= _RESCUE_BELOW_CHARS:
        return document
    return _bare_extraction(tree, favor_precision=True)


def _bare_extraction(tree: Any, *, favor_precision: bool) -> Any:
    """trafilatura.bare_extraction of `tree` with the server's options."""
    import trafilatura

    return trafilatura.bare_extraction(
        tree,
        with_metadata=True,  # the title
        fast=True,  # no fallback extractors: they read the whole tree again
        favor_precision=favor_precision,
        include_comments=False,
        include_tables=False,  # data tables read badly as prose
        deduplicate=False,  # trafilatura's cache of seen paragraphs is shared by all callers
        date_extraction_params={"extensive_search": False},
    )


# What a page's <title> puts between its headline and the site's name ("Headline | Site"):
# trafilatura's title separators less the colon, which also opens a headline's second part
# ("Brexit: what happens next" after a kicker line "Brexit").
_SITE_SEPARATOR = re.compile(r"\s+[–•·—|⁄*⋆~‹«<›»>-]\s+\S")


def _headline_apart(text: str, title: str) -> tuple[str, str]:
    """`text` less a first line that is the page's headline, and the title: that headline, when
    the title is it with the site's name after a separator ("Headline - Site")."""
    first, _, rest = text.partition("\n")
    first = first.strip()
    if not (title and first and rest.strip()):
        return text, title
    if first == title or (
        title.startswith(first) and _SITE_SEPARATOR.match(title, len(first)) is not None
    ):
        return rest.strip(), first
    return text, title
