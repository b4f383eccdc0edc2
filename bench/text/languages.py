"""Language refusal as the server runs it: served FLORES and UDHR texts must never be refused,
other languages' must be refused naming their language, and an English article quoting a long
German passage must be served."""

from __future__ import annotations

from collections import Counter

from bench.text import data, report

QUOTE_SHARE = (0.40, 0.50)  # of the first 4,000 characters: the German quote's share


NTREX_LINES = 400  # vendored for every language


def corpus(lang: str, *, quick: bool) -> list[str]:
    """`lang`'s texts of 300-700 characters: consecutive FLORES sentences of one article, and
    consecutive UDHR lines."""
    lines = data.flores(lang, 60 if quick else None)
    texts = [
        t
        for article in data.flores_articles(len(lines))
        for t in data.texts_of([lines[i] for i in article])
    ]
    udhr = [line.strip() for line in data.udhr(lang).splitlines() if line.strip()]
    return texts + data.texts_of(udhr)[: 2 if quick else None]


def ntrex_corpus(lang: str, *, quick: bool) -> list[str]:
    """`lang`'s texts of 300-700 characters from NTREX-128's first lines: consecutive sentences
    of one news document (never tuned on)."""
    lines = data.ntrex(lang)[: 60 if quick else NTREX_LINES]
    return [
        t
        for document in data.ntrex_documents(limit=len(lines))
        for t in data.texts_of([lines[i] for i in document if lines[i].strip()])
    ]


def quoting_german(*, quick: bool) -> list[str]:
    """English articles (FLORES en) quoting a German passage (FLORES de, other articles) that
    makes 40-50 % of the first 4,000 characters while English is the majority of the whole."""
    en, de = data.flores("en"), data.flores("de")
    articles: list[str] = []
    for start in range(0, 40 if quick else len(en) - 60, 4 if quick else 2):
        target = QUOTE_SHARE[0] + (QUOTE_SHARE[1] - QUOTE_SHARE[0]) * (start % 5) / 4
        before = _take(en, start, 600)
        quote = _take(de, (start + 200) % (len(de) - 40), int(4000 * target), under=True)
        if not QUOTE_SHARE[0] <= len(quote) / 4000 <= QUOTE_SHARE[1]:
            continue
        after = _take(en, start + 20, len(quote) + 200)  # English stays the majority
        articles.append(f'{before} He said: "{quote}" {after}')
    return articles


def _take(lines: list[str], start: int, chars: int, *, under: bool = False) -> str:
    """Whole consecutive sentences from `start` until at least `chars` characters (with
    `under`, as many as stay within `chars`)."""
    taken: list[str] = []
    at = start
    while sum(map(len, taken)) < chars and at < len(lines):
        if under and taken and sum(map(len, taken)) + len(lines[at]) + 1 > chars:
            break
        taken.append(lines[at])
        at += 1
    return " ".join(taken)


def run(figures: report.Figures, *, quick: bool) -> None:
    """Refusals per language through UnsupportedLanguageCheck on the whole text, as the server
    reads it, the served detector's choice for served texts, and the check's cost."""
    from precis_models.language import LanguageDetector
    from precis_models.unsupported import UnsupportedLanguageCheck
    from precis_news.pipeline.detection import detect

    report.section(
        "languages (FLORES devtest + UDHR texts, then NTREX-128 texts, of 300-700 characters)"
    )
    before = report.rss()
    check = UnsupportedLanguageCheck(data.SERVED)
    check_rss = report.rss() - before
    before = report.rss()
    detector = LanguageDetector(data.SERVED)
    detector_rss = report.rss() - before
    all_texts: list[str] = []
    for name, texts_of in (("", corpus), (".ntrex", ntrex_corpus)):
        for lang in data.SERVED + data.OTHERS:
            texts = texts_of(lang, quick=quick)
            all_texts += texts
            _refusals(figures, check, detector, lang + name, texts)
    quoted = quoting_german(quick=quick)
    refused = [(f, q) for q in quoted if (f := check.foreign(q)) is not None]
    figures.bound(
        "languages.quoted_refused",
        report.rate(len(refused), len(quoted)),
        f"{len(refused)} of {len(quoted)} (quote: 40-50 % of the first 4,000 characters, "
        "under half of the whole)",
    )
    cost = report.microseconds(check.foreign, all_texts)
    article_cost = report.microseconds(check.foreign, quoted)
    detect_cost = report.microseconds(lambda t: detect(detector, t), all_texts)
    print(
        f"  cost: check {cost:.0f} µs/text, {article_cost:.0f} µs per quoting article "
        f"(~{sum(map(len, quoted)) / max(len(quoted), 1):.0f} chars); "
        f"served detection {detect_cost:.0f} µs/text; "
        f"RSS +{check_rss / 2**20:.0f} MB check, +{detector_rss / 2**20:.0f} MB detector"
    )


def _refusals(figures: report.Figures, check, detector, key: str, texts: list[str]) -> None:  # type: ignore[no-untyped-def]
    """The refusal figure of one language's texts: none refused when served, else each refused
    naming the language (`key`: its code, then the corpus)."""
    from precis_news.pipeline.detection import detect

    lang = key.split(".")[0]
    found = [check.foreign(t) for t in texts]
    wrong = [(f, t) for f, t in zip(found, texts, strict=True) if f is not None]
    if lang in data.SERVED:
        misread = sum(detect(detector, t).language != lang for t in texts)
        figures.bound(
            f"languages.served_refused.{key}",
            report.rate(len(wrong), len(texts)),
            f"{len(wrong)} of {len(texts)}; detected as another served language: {misread}",
        )
        report.worst(f"{key} refusals", (f"as {f.code} {f.share:.2f}: {t}" for f, t in wrong))
        return
    named = sum(f is not None and f.code == lang for f in found)
    as_what = Counter("served" if f is None else f.code for f in found)
    as_what.pop(lang, None)
    figures.bound(
        f"languages.others_named.{key}",
        report.rate(named, len(texts)),
        f"{named} of {len(texts)}; otherwise: {dict(as_what) or '-'}",
    )
