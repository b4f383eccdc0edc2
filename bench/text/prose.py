"""Extractive summaries of Mozilla Readability's test pages: captions, credits and bylines picked,
and lines without final punctuation run into the next sentence."""

from __future__ import annotations

import itertools
import re

from bench.text import data, report
from bench.text.html import precis

BUDGETS = (50, 100, 200)  # words: a short, medium and long extractive summary
# Elements whose text is a page's furniture: captions, credits, bylines (the page's own markup says
# so, not our patterns). Longer texts are containers, not captions.
_FURNITURE = (
    "//figcaption | //*[@class or @id][re:test(concat(@class, ' ', @id), "
    "'caption|credit|byline|author', 'i')]"
)
_LONGEST_FURNITURE = 300
# The test pages in languages the server does not summarize (it refuses them), left out here:
# the tuned-on pages', then the held-out pages'.
NOT_SERVED = {"gmw": "zh", "heise": "de", "la-nacion": "es", "yahoo-4": "ja"} | {
    "aktualne": "cs",
    "cnet-svg-classes": "es",
}
_FINAL = re.compile(r"[.!?…](?:\s?[\"'»”)\]])*$")


_BLOCKS = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "figcaption", "blockquote", "pre", "td")


def furniture(page: data.Page) -> list[str]:
    """The texts of the caption, credit and byline elements of `page` (the source page and
    Readability's article), and its expected byline."""
    import lxml.html

    texts = [" ".join(str(page.metadata.get("byline") or "").split())]
    for html in (page.html, page.expected_html):
        tree = lxml.html.fromstring(html)
        found = tree.xpath(_FURNITURE, namespaces={"re": "http://exslt.org/regular-expressions"})
        texts += [" ".join(str(e.text_content()).split()) for e in found]
    return [t for t in texts if 3 <= len(t) <= _LONGEST_FURNITURE]


def readability_text(page: data.Page) -> str:
    """Readability's expected article as text, one block (paragraph, heading, list item, figure
    caption) per line: an article as a user pastes it, captions and credits still in."""
    import lxml.html

    tree = lxml.html.fromstring(page.expected_html)
    for element in tree.iter(*_BLOCKS):
        element.text = "\n" + (element.text or "")
        element.tail = "\n" + (element.tail or "")
    lines = (" ".join(line.split()) for line in str(tree.text_content()).splitlines())
    return "\n".join(line for line in lines if line)


def summarize(text: str, budget: int) -> tuple[str, list[str]]:
    """The extractive engine's summary of `text` in `budget` words, and its sentences as the
    engine picked them (the summary split again)."""
    from precis_models.engines.base import GenerateOptions
    from precis_models.engines.extractive import ExtractiveEngine
    from precis_models.sentences import split_sentences

    summary = ExtractiveEngine().generate_outputs([text], GenerateOptions(budget))[0].text
    return summary, split_sentences(summary)


def _open_lines(text: str) -> list[tuple[str, str]]:
    """The lines of `text` without final punctuation (headlines, captions, list items), each
    with what a summary holds where it runs on: the line, a space and the next line's start
    (the line alone would also be found as words inside another sentence)."""
    lines = [" ".join(line.split()) for line in text.splitlines()]
    lines = [line for line in lines if line]
    return [
        (line, f"{line} {after[:20]}")
        for line, after in itertools.pairwise(lines)
        if not _FINAL.search(line)
    ]


def _bare(sentence: str) -> str:
    return " ".join(sentence.split()).rstrip(".").strip()


def run(figures: report.Figures, *, quick: bool) -> None:
    """Summaries of the vendored pages, then of the held-out pages
    (data.readability_held_pages), which --quick leaves out."""
    report.section("prose (extractive summaries of the Readability test pages)")
    _measure(figures, _served(data.readability_pages(None))[: 5 if quick else None], "", cost=True)
    if not quick:
        report.section("prose, held out (summaries of the other Readability test pages)")
        _measure(figures, _served(data.readability_held_pages()), ".held", cost=False)


def _served(pages: list[data.Page]) -> list[data.Page]:
    return [page for page in pages if page.name not in NOT_SERVED]


def _measure(figures: report.Figures, pages: list[data.Page], suffix: str, *, cost: bool) -> None:
    """Captions picked and lines run on in the summaries of `pages`, bounded under keys ending
    `suffix`; the cost per summary when `cost`."""
    from precis_models.prose import is_caption

    articles = [
        (f"{page.name} ({source})", text, furniture(page))
        for page in pages
        for source, text in (
            ("extracted", precis(page.html)[0]),
            ("readability", readability_text(page)),
        )
    ]
    picked = run_ons = caption_lines = total = 0
    cases: list[str] = []
    for name, text, marked in articles:
        open_lines = _open_lines(text)
        for budget in BUDGETS:
            summary, sentences = summarize(text, budget)
            total += len(sentences)
            for sentence in sentences:
                bare = _bare(sentence)
                if len(bare) >= 10 and any(bare in m for m in marked):
                    picked += 1
                    cases.append(f"{name} @{budget}: caption/credit/byline picked: {bare!r}")
                caption_lines += is_caption(sentence)
            for line, joined in open_lines:
                if joined in summary:  # the line runs on into what follows it
                    run_ons += 1
                    cases.append(f"{name} @{budget}: line runs on: {line!r}")
    print(
        f"  {len(pages)} pages in served languages, as extracted and as Readability's "
        f"article, x {len(BUDGETS)} budgets ({', '.join(map(str, BUDGETS))} words): {total} "
        f"summary sentences; {caption_lines} match the caption patterns"
    )
    if data.shows_cases(suffix):
        report.worst("summaries", cases, 8)
    figures.bound(
        f"prose.captions_picked{suffix}", picked, "(the pages' caption/credit/byline elements)"
    )
    figures.bound(f"prose.run_on_lines{suffix}", run_ons, "(lines without final punctuation)")
    if cost:
        report.cost("summary (100 words)", lambda t: summarize(t, 100), [a[1] for a in articles])
