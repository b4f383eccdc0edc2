"""Article extraction from HTML: saved news pages written for the tests (navigation, comments,
cookie banners, scripts, event handlers), pages with no article, and markup bombs."""

from __future__ import annotations

import pytest

from precis_news.pipeline.errors import BadRequest, TooLarge
from precis_news.pipeline.html import Page, extract_article
from precis_news.settings import Settings
from tests.support import ROOT

PAGES = ROOT / "tests" / "data" / "pages"
LIMITS = {"max_chars": Settings.max_html_chars, "max_elements": Settings.max_html_elements}
# What the saved pages hold outside their article (or inside it, as script or handler code).
NOT_ARTICLE = (
    "cookie",  # the consent banner
    "Subscribe",  # navigation
    "Most read",  # related links
    "COMMENT-TEXT",  # reader comments
    "Copyright",  # footer
    "TRACKER-SCRIPT-TEXT",  # a script in <head>
    "INLINE-SCRIPT-IN-ARTICLE",  # a script inside the article
    "ONLOAD-HANDLER",  # event handlers
    "IMG-ONERROR-HANDLER",
    "acceptCookies",
    "font-family",  # a stylesheet
)


def _page(name: str) -> Page:
    return extract_article((PAGES / name).read_text(encoding="utf-8"), **LIMITS)


def test_a_news_page_gives_its_article_and_title_without_the_rest() -> None:
    page = _page("news-en.html")
    assert page.title == "Riverside council approves new bridge"
    paragraphs = page.text.splitlines()
    assert paragraphs[0].startswith("The Riverside city council voted on Tuesday")
    assert paragraphs[-1].startswith("Construction is due to start next spring")
    assert len(paragraphs) == 5
    assert '"This bridge connects two halves of our city' in page.text
    for marker in NOT_ARTICLE:
        assert marker not in page.text, marker
    assert page.html_characters == len((PAGES / "news-en.html").read_text(encoding="utf-8"))


def test_the_headline_is_the_title_not_repeated_in_the_text() -> None:
    page = _page("news-uk.html")
    assert page.title == "Львів закупить нові тролейбуси"
    assert page.text.startswith("Міська рада Львова затвердила")
    for marker in ("РЕКЛАМНИЙ-СКРИПТ", "cookie", "Головна", "Коментар читача", "Усі права"):
        assert marker not in page.text, marker


def test_a_plain_page_without_article_markup_still_gives_its_paragraphs() -> None:
    html = (
        "<html><body><p>The river rose by two metres overnight and flooded the lower town, "
        "where dozens of families had to leave their homes before dawn.</p><p>Rescue teams "
        "worked until noon and the water began to fall in the afternoon.</p></body></html>"
    )
    page = extract_article(html, **LIMITS)
    assert page.title == ""
    assert page.text.startswith("The river rose by two metres overnight")
    assert "Rescue teams worked until noon" in page.text


@pytest.mark.parametrize(
    "html",
    [
        "",
        "   \n\t",
        "\u200b\u200b",
        "just some words, not a page",
        (PAGES / "no-article.html").read_text(encoding="utf-8"),
        "<html><head><script>alert(1)</script></head><body></body></html>",
        "<<<>>>&&&;;;<</",
        "\x00\x01\x02<html>\x00</html>",
    ],
    ids=["empty", "spaces", "invisible", "no-markup", "no-article", "script-only", "junk", "nul"],
)
def test_a_page_without_article_text_is_a_bad_request(html: str) -> None:
    with pytest.raises(BadRequest) as caught:
        extract_article(html, **LIMITS)
    assert caught.value.field == "html"
    assert "html" in caught.value.message


def test_a_page_laid_out_in_tables_gives_its_article_not_only_its_footer() -> None:
    # Mozilla Readability's lwn-1 test page (Apache-2.0, bench/data/vendor/SOURCES.md): the
    # article sits in a link-heavy layout table; precision mode kept only the copyright footer.
    html = (ROOT / "bench/data/vendor/readability/lwn-1/source.html").read_text(encoding="utf-8")
    page = extract_article(html, **LIMITS)
    assert "two of the project's founders have come into conflict" in page.text
    assert len(page.text) > 20_000


def test_markup_over_max_html_chars_is_refused_before_parsing() -> None:
    bomb = "<div>" + "<p>x</p>" * (10 * 2**20 // 8)  # 10 MB of markup
    with pytest.raises(TooLarge) as caught:
        extract_article(bomb, **LIMITS)
    assert caught.value.message == (
        f"html has {len(bomb)} characters; the limit is {Settings.max_html_chars} (max_html_chars)"
    )


def test_markup_with_too_many_elements_is_refused_before_extraction() -> None:
    html = "<html><body>" + "<span>a</span>" * 40_000 + "</body></html>"
    with pytest.raises(TooLarge) as caught:
        extract_article(html, **LIMITS)
    assert caught.value.message.startswith("html has ")
    assert caught.value.message.endswith(
        f"elements; the limit is {Settings.max_html_elements} (max_html_elements)"
    )


def test_deep_nesting_does_not_crash_the_parser() -> None:
    article = "<p>The council approved the budget on Monday after a long debate about roads.</p>"
    deep = "<div>" * 100_000 + "<p>Lost at depth 100,000.</p>" + "</div>" * 100_000
    # Before the deep part, the article is found; inside it, the parser stops descending.
    page = extract_article(
        f"<html><body><article>{article}</article>{deep}</body></html>", **LIMITS
    )
    assert page.text.startswith("The council approved the budget")
    assert "Lost at depth" not in page.text
    with pytest.raises(BadRequest):
        extract_article(f"<html><body>{deep}</body></html>", **LIMITS)


def test_escaped_markup_in_the_article_stays_text() -> None:
    html = (
        "<html><body><article><p>The court heard that the attackers posted "
        "&lt;script&gt;steal()&lt;/script&gt; into the bank's web form, which did not filter "
        "it, and took the data of thousands of customers.</p></article></body></html>"
    )
    page = extract_article(html, **LIMITS)
    assert "<script>steal()</script>" in page.text  # plain text, as the article wrote it


_OPENING = (
    "<p>The city council approved the new water plan on Monday after a debate that lasted "
    "most of the afternoon and ended in a narrow vote.</p>"
)
_CLOSING = (
    "<p>The plan takes effect next year, and the first works on the pipes under the old town "
    "start in the spring, the mayor said.</p>"
)


def _article(middle: str) -> str:
    return f"<html><body><article>{_OPENING}{middle}{_CLOSING}</article></body></html>"


def test_a_code_listing_in_a_highlighters_table_is_kept_line_by_line() -> None:
    listing = (
        '<table><tbody><tr><td class="gutter"><pre>1\n2</pre></td><td class="code">'
        "<pre>fetch(url).then(function(res) {\n  console.log(res.status);</pre>"
        "</td></tr></tbody></table>"
    )
    lines = extract_article(_article(listing), **LIMITS).text.splitlines()
    assert "fetch(url).then(function(res) {" in lines
    assert "  console.log(res.status);" in lines
    assert lines[-1].startswith("The plan takes effect")


def test_a_code_block_outside_tables_is_kept() -> None:
    block = "<pre><code>def level(x):\n    return x + 1</code></pre>"
    lines = extract_article(_article(block), **LIMITS).text.splitlines()
    assert "def level(x):" in lines and "    return x + 1" in lines


def test_a_table_of_sentences_gives_each_cell_a_line_of_its_own() -> None:
    table = (
        "<table><tr><td><b>State</b></td><td><b>Comment</b></td></tr>"
        "<tr><td>queued</td><td>The task waits in the queue until a worker is free to "
        "claim it.</td></tr><tr><td>failed</td><td>The task is tried again after a pause "
        "that doubles each time it fails.</td></tr></table>"
    )
    lines = extract_article(_article(table), **LIMITS).text.splitlines()
    assert lines[1:7] == [
        "State",
        "Comment",
        "queued",
        "The task waits in the queue until a worker is free to claim it.",
        "failed",
        "The task is tried again after a pause that doubles each time it fails.",
    ]


def test_a_boxed_note_in_a_table_of_one_cell_is_kept() -> None:
    box = (
        '<table style="background: #ccc"><tr><td>Readers can write to the council about the '
        "plan until the end of the month, by post or online.</td></tr></table>"
    )
    text = extract_article(_article(box), **LIMITS).text
    assert "Readers can write to the council about the plan until the end" in text


@pytest.mark.parametrize(
    "table",
    [
        # Figures: the cells are short, whatever the table's markup.
        "<table><tr><th>District</th><th>Litres</th><th>Change</th></tr>"
        "<tr><td>North</td><td>41,200</td><td>+3.1%</td></tr>"
        "<tr><td>South</td><td>38,950</td><td>-0.4%</td></tr></table>",
        "<table><tr><td>North</td><td>41,200</td><td>+3.1%</td></tr>"
        "<tr><td>South</td><td>38,950</td><td>-0.4%</td></tr>"
        "<tr><td>East</td><td>29,400</td><td>+1.2%</td></tr>"
        "<tr><td>West</td><td>30,100</td><td>+0.8%</td></tr>"
        "<tr><td>Notes</td><td colspan=2>All four districts measured in the same week.</td></tr>"
        "</table>",
        # A grid of tables: the outer one is left as it is, and with it what it holds.
        "<table><tr><td><table><tr><td>The outer table is a page's grid, the inner one a box "
        "of sentences inside it.</td></tr></table></td></tr></table>",
    ],
    ids=["figures", "figures-and-a-note", "grid"],
)
def test_a_table_of_data_or_a_grid_of_tables_is_left_out(table: str) -> None:
    text = extract_article(_article(table), **LIMITS).text
    assert text.splitlines() == [
        "The city council approved the new water plan on Monday after a debate that lasted "
        "most of the afternoon and ended in a narrow vote.",
        "The plan takes effect next year, and the first works on the pipes under the old town "
        "start in the spring, the mayor said.",
    ]


def _titled(title: str, headline: str) -> Page:
    """The test article under `headline` (an <h1>), on a page whose og:title is `title`."""
    html = _article("").replace(
        "<html><body><article>",
        f'<html><head><meta property="og:title" content="{title}"></head><body><article>'
        f"<h1>{headline}</h1>",
    )
    return extract_article(html, **LIMITS)


@pytest.mark.parametrize("separator", [" - ", " | ", " – "])
def test_a_title_with_the_sites_name_after_the_headline_is_the_headline(separator: str) -> None:
    page = _titled(
        f"Council approves water plan{separator}Riverside News", "Council approves water plan"
    )
    assert page.title == "Council approves water plan"
    assert page.text.startswith("The city council approved the new water plan on Monday")


def test_a_title_that_only_starts_like_the_first_line_is_kept_whole() -> None:
    # No separator after the first line's words: the title is another headline, not this one.
    page = _titled("Council approves water plans for 2027", "Council approves water plan")
    assert page.title == "Council approves water plans for 2027"
    assert page.text.startswith("Council approves water plan\n")


def test_a_title_that_goes_on_after_a_colon_is_kept_whole() -> None:
    # The colon opens a headline's second part, after a kicker line; it does not name a site.
    assert _titled("Water: the council approves its plan", "Water").title == (
        "Water: the council approves its plan"
    )


def test_an_unwrapped_cell_of_text_is_a_paragraph_and_one_of_blocks_a_division() -> None:
    # trafilatura passed over a boxed note's bare text in a div on a Readability page (iab-1).
    import lxml.html

    from precis_news.pipeline.html import _unwrap_text_tables

    tree = lxml.html.fromstring(
        "<div><table><tbody><tr><td>Readers can write to the council about the plan until the "
        "end of the month.</td><td><p>Or they can come to the hearing in the town hall on the "
        "first Monday of the month.</p></td></tr></tbody></table></div>"
    )
    _unwrap_text_tables(tree)
    assert [element.tag for element in tree.iter()] == ["div", "div", "div", "div", "p", "div", "p"]


def test_a_paragraph_broken_over_lines_in_the_markup_is_one_line() -> None:
    # With inline <code>, trafilatura kept the markup's line breaks: the sentence splitter then
    # read the article as hard-wrapped text and ran its headings and code into sentences.
    paragraph = (
        "<p>The council's new <code>budget()</code> tool\n        shows what each district "
        "spends,\n        the clerk said on Monday.</p><pre>total = 1\nspent = 2</pre>"
    )
    lines = extract_article(_article(paragraph), **LIMITS).text.splitlines()
    assert (
        "The council's new budget() tool shows what each district spends, the clerk said on "
        "Monday." in lines
    )
    assert "total = 1" in lines and "spent = 2" in lines


_ARTICLE = "<p>" + "The council met on Tuesday and voted for the new bridge. " * 8 + "</p>"


def test_tables_nested_hundreds_deep_with_a_prose_cell_are_left_out_not_unwrapped() -> None:
    # A stranger's markup bomb aimed at the table rule: a table holding tables stays a table
    # (left out), however deep, and the article around it is still found.
    nested = "<table><tr><td>" * 300 + "deep prose cell " * 20 + "</td></tr></table>" * 300
    page = extract_article(
        f"<html><body><article>{_ARTICLE}{nested}</article></body></html>", **LIMITS
    )
    assert "council met" in page.text
    assert "deep prose cell" not in page.text


def test_a_table_of_invisible_cells_adds_nothing() -> None:
    cells = "<tr>" + "<td>\u200b \u00a0\t</td>" * 4 + "</tr>"
    page = extract_article(
        f"<html><body><article>{_ARTICLE}<table>{cells * 50}</table></article></body></html>",
        **LIMITS,
    )
    assert page.text.strip().startswith("The council met")
    assert "\u200b" not in page.text


def test_a_prose_table_past_the_element_limit_is_refused_before_any_unwrapping() -> None:
    rows = "".join(
        f"<tr><td>Row {n} holds a long sentence of prose about the council and its plan.</td></tr>"
        for n in range(800)
    )
    html = f"<html><body><article>{_ARTICLE}<table>{rows}</table></article></body></html>"
    with pytest.raises(TooLarge):
        extract_article(html, max_chars=LIMITS["max_chars"], max_elements=1000)
    kept = extract_article(html, **LIMITS)  # within the limits, its cells are lines of text
    assert "Row 0 holds" in kept.text and "Row 799 holds" in kept.text
