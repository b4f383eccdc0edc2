"""HTML extraction on Mozilla Readability's test pages: token recall and precision of the
expected article, and titles, for the server's extract_article beside trafilatura's defaults."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from bench.text import data, report

Extractor = Callable[[str], tuple[str, str]]  # page -> (text, title)


def precis(html: str) -> tuple[str, str]:
    """The server's extraction, with the default limits (Settings.max_html_*)."""
    from precis_news.pipeline.errors import BadRequest
    from precis_news.pipeline.html import extract_article
    from precis_news.settings import Settings

    try:
        page = extract_article(
            html, max_chars=Settings.max_html_chars, max_elements=Settings.max_html_elements
        )
    except BadRequest:
        return "", ""
    return page.text, page.title


def precis_page(html: str) -> tuple[str, str]:
    """What the server gives of a page: its headline (as the title, not repeated in the text,
    where trafilatura's text starts with it) and its text, both scored."""
    text, title = precis(html)
    return "\n".join(part for part in (title, text) if part), title


def trafilatura_default(html: str) -> tuple[str, str]:
    """`trafilatura.extract(html)` as it comes, and its metadata's title."""
    import trafilatura

    title = getattr(trafilatura.extract_metadata(html), "title", None) or ""
    return trafilatura.extract(html) or "", title


def expected_text(page: data.Page) -> str:
    import lxml.html

    return str(lxml.html.fromstring(page.expected_html).text_content())


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def run(figures: report.Figures, *, quick: bool) -> None:
    """Recall, precision and titles of both extractors on the vendored pages, then on the
    held-out pages (data.readability_held_pages), which --quick leaves out."""
    report.section("html (Mozilla Readability test pages)")
    _measure(figures, data.readability_pages(5 if quick else None), "")
    if not quick:
        report.section("html, held out (other Readability test pages, never tuned on)")
        _measure(figures, data.readability_held_pages(), ".held")


def _measure(figures: report.Figures, pages: list[data.Page], suffix: str) -> None:
    """Both extractors on `pages`, Précis minus trafilatura bounded under keys ending `suffix`."""
    expected = {p.name: Counter(data.words(expected_text(p))) for p in pages}
    scores: dict[str, tuple[float, float, float]] = {}
    for name, extract in (("precis", precis_page), ("trafilatura", trafilatura_default)):
        before = report.rss()
        extract(pages[0].html)  # imports and first-call set-up stay out of the time per page
        hit = found_total = want_total = titles = 0
        per_page: list[tuple[float, str]] = []
        results: dict[str, tuple[str, str]] = {}

        def keep(
            page: data.Page, run: Extractor = extract, out: dict[str, tuple[str, str]] = results
        ) -> None:
            out[page.name] = run(page.html)

        cost = report.microseconds(keep, pages)
        for page in pages:
            text, title = results[page.name]
            found, want = Counter(data.words(text)), expected[page.name]
            common = sum((found & want).values())
            hit, found_total, want_total = (
                hit + common,
                found_total + sum(found.values()),
                want_total + sum(want.values()),
            )
            titles += _same(title, str(page.metadata.get("title") or ""))
            page_recall = report.rate(common, sum(want.values()))
            per_page.append(
                (
                    page_recall,
                    f"{page.name} ({page.metadata.get('lang')}): recall {page_recall:.2f} "
                    f"precision {report.rate(common, sum(found.values())):.2f} "
                    f"title {title!r} vs {page.metadata.get('title')!r}",
                )
            )
        recall, precision = report.rate(hit, want_total), report.rate(hit, found_total)
        scores[name] = (recall, precision, report.rate(titles, len(pages)))
        print(
            f"  {name:12s} recall {recall:.4f} precision {precision:.4f} titles {titles} of "
            f"{len(pages)}; {cost / 1000:.1f} ms/page, "
            f"RSS +{(report.rss() - before) / 2**20:.0f} MB"
        )
        if data.shows_cases(suffix):
            report.worst(f"{name} pages", (line for _, line in sorted(per_page)), 4)
    for index, what in enumerate(("recall", "precision", "titles")):
        figures.bound(
            f"html.{what}_vs_trafilatura{suffix}",
            scores["precis"][index] - scores["trafilatura"][index],
        )
