"""Loaders for the public data vendored under bench/data/vendor (SOURCES.md says where from)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

PUBLIC = Path(__file__).resolve().parents[1] / "data" / "vendor"  # public data, vendored
SERVED = ("en", "fr", "uk", "ru")
# The languages closest to the served ones (and the biggest neighbours), which must be refused.
OTHERS = ("be", "bg", "mk", "sr", "kk", "pl", "cs", "sk", "pt", "es", "it", "ro", "nl", "de")
# Each language's ISO 639-3 code and script, after which the data sets name their files
# (FLORES "ukr_Cyrl", UDHR "ukr", NTREX "ref.ukr"), and the few names that differ.
_CODES = {
    "en": ("eng", "Latn"), "fr": ("fra", "Latn"), "uk": ("ukr", "Cyrl"), "ru": ("rus", "Cyrl"),
    "be": ("bel", "Cyrl"), "bg": ("bul", "Cyrl"), "mk": ("mkd", "Cyrl"), "sr": ("srp", "Cyrl"),
    "kk": ("kaz", "Cyrl"), "pl": ("pol", "Latn"), "cs": ("ces", "Latn"), "sk": ("slk", "Latn"),
    "pt": ("por", "Latn"), "es": ("spa", "Latn"), "it": ("ita", "Latn"), "ro": ("ron", "Latn"),
    "nl": ("nld", "Latn"), "de": ("deu", "Latn"),
}  # fmt: skip
_UDHR_NAMES = {"pt": "por_PT", "sr": "srp_cyrl"}  # European Portuguese; Serbian in Cyrillic
_NTREX_NAMES = {"en": "src.eng", "sr": "ref.srp-Cyrl"}  # English is NTREX's source
# NTREX lines [0, NTREX_DEV_END) are whole documents the checks may be tuned on ("ntrex-dev");
# the rest ("ntrex-held", served languages only) is held out: measured, never tuned on.
NTREX_DEV_END = 1005
# Where the translation pairs of the number and name checks come from: FLORES devtest's first
# 400 lines (tuned on since the baseline), NTREX-128's two parts, and FLORES devtest's other 612
# lines (flores200/held: vendored after the eleventh round of the name check, never tuned on).
PAIR_CORPORA = ("flores", "ntrex-dev", "ntrex-held", "flores-held")
CORPUS_TITLES = {
    "flores": "FLORES devtest",
    "flores-held": "FLORES devtest lines 401-1012, held out: never tuned on",
    "ntrex-dev": f"NTREX-128 lines 1-{NTREX_DEV_END}",
    "ntrex-held": f"NTREX-128 lines {NTREX_DEV_END + 1}-1997, held out: never tuned on",
}
# UD test documents per corpus: the four served languages' news (PUD; Ukrainian IU, which has no
# news treebank), and English web text (EWT: blogs, newsgroups) as context without a threshold.
UD_CORPORA = {
    "en": "en_pud-ud-test", "fr": "fr_pud-ud-test", "uk": "uk_iu-ud-test", "ru": "ru_pud-ud-test",
    "en-web": "en_ewt-ud-test",
}  # fmt: skip


def flores(lang: str, limit: int | None = None, *, held: bool = False) -> list[str]:
    """FLORES-200 devtest sentences of `lang`, line i the same sentence in every language.

    Args:
        lang: an ISO 639-1 code among SERVED and OTHERS.
        limit: keep the first `limit` sentences only.
        held: lines 401-1012 instead (served languages only): held out, never tuned on, never
            printed (`shows_cases`).
    """
    code, script = _CODES[lang]
    folder = PUBLIC / "flores200" / ("held" if held else "")
    return (folder / f"{code}_{script}.devtest").read_text(encoding="utf-8").splitlines()[:limit]


def ntrex(lang: str, part: str = "ntrex-dev") -> list[str]:
    """NTREX-128 sentences of `lang` (English news of 2019 and its human translations), line i
    the same sentence in every language; only "ntrex-dev" for the languages not served.

    Args:
        lang: an ISO 639-1 code among SERVED and OTHERS.
        part: "ntrex-dev" or "ntrex-held" (see NTREX_DEV_END).
    """
    name = _NTREX_NAMES.get(lang, f"ref.{_CODES[lang][0]}")
    lines = (PUBLIC / "ntrex" / f"newstest2019-{name}.txt").read_text(encoding="utf-8")
    rows = lines.splitlines()
    return rows[:NTREX_DEV_END] if part == "ntrex-dev" else rows[NTREX_DEV_END:]


def ntrex_documents(part: str = "ntrex-dev", limit: int | None = None) -> list[range]:
    """The line ranges of an NTREX part that come from one news document."""
    ids = (PUBLIC / "ntrex" / "DOCUMENT_IDS.tsv").read_text(encoding="utf-8").splitlines()
    ids = ids[:NTREX_DEV_END] if part == "ntrex-dev" else ids[NTREX_DEV_END:]
    return _runs(ids[:limit])


def flores_articles(limit: int | None = None) -> list[range]:
    """The line ranges of FLORES devtest that come from one source article (same URL)."""
    rows = (PUBLIC / "flores200" / "metadata_devtest.tsv").read_text(encoding="utf-8")
    return _runs([row.split("\t")[0] for row in rows.splitlines()[1:]][:limit])


def _runs(keys: list[str]) -> list[range]:
    """The ranges of consecutive equal keys."""
    runs: list[range] = []
    start = 0
    for i in range(1, len(keys) + 1):
        if i == len(keys) or keys[i] != keys[start]:
            runs.append(range(start, i))
            start = i
    return runs


def texts_of(sentences: list[str], *, low: int = 300, high: int = 700) -> list[str]:
    """Consecutive sentences joined into texts of `low` to about `high` characters (a run
    that cannot reach `low` is left out)."""
    texts: list[str] = []
    run: list[str] = []
    for sentence in sentences:
        if run and len(" ".join([*run, sentence])) > high:
            if len(" ".join(run)) >= low:
                texts.append(" ".join(run))
            run = []
        run.append(sentence)
    if len(" ".join(run)) >= low:
        texts.append(" ".join(run))
    return texts


def udhr(lang: str) -> str:
    """The start of the Universal Declaration of Human Rights in `lang` (a few KB)."""
    name = _UDHR_NAMES.get(lang, _CODES[lang][0])
    return (PUBLIC / "udhr" / f"{name}.txt").read_text(encoding="utf-8")


@dataclass(frozen=True)
class Document:
    """A UD test document: its paragraphs, each a list of gold sentences."""

    id: str
    paragraphs: list[list[str]]


def ud_documents(corpus: str, limit: int | None = None) -> list[Document]:
    """The UD documents of a corpus rebuilt from `# newdoc`, `# newpar` and `# text` lines (a
    treebank without `# newpar` gives one paragraph per document).

    Args:
        corpus: a key of UD_CORPORA.
        limit: keep the first `limit` documents only.
    """
    return _ud_read(PUBLIC / "ud" / f"{UD_CORPORA[corpus]}.comments.txt")[:limit]


# Held-out UD test documents per served language, of treebanks nobody tuned the splitter on:
# measured, never tuned on. English GUM's written genres (news, biographies, academic, travel,
# textbooks), French and Russian GSD (news, blogs, Wikipedia; Russian: Wikipedia), Ukrainian
# ParlaMint (parliamentary speeches).
UD_HELD = {
    "en": "en_gum-ud-test", "fr": "fr_gsd-ud-test", "uk": "uk_parlamint-ud-test",
    "ru": "ru_gsd-ud-test",
}  # fmt: skip
# GSD holds single sentences out of their documents (no `# newdoc`, no `# newpar`): this many
# consecutive ones make a paragraph, so that every splitter meets boundaries as in running text.
UD_SENTENCES_PER_PARAGRAPH = 5


def ud_held_documents(lang: str, limit: int | None = None) -> list[Document]:
    """The held-out UD documents of a served language (UD_HELD), rebuilt as `ud_documents`
    rebuilds its own; a treebank without `# newdoc` gives documents of one paragraph of
    UD_SENTENCES_PER_PARAGRAPH consecutive sentences.

    Args:
        lang: a code among SERVED.
        limit: keep the first `limit` documents only.
    """
    return _ud_read(PUBLIC / "ud" / f"{UD_HELD[lang]}.comments.txt")[:limit]


def _ud_read(path: Path) -> list[Document]:
    """The documents of a vendored UD comments file (see `ud_held_documents`)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    grouped = not any(line.startswith("# newdoc") for line in lines)
    docs: list[Document] = []
    sent_id = ""
    for line in lines:
        if line.startswith("# newdoc"):
            docs.append(Document(line.split("=", 1)[-1].strip(), [[]]))
        elif line.startswith("# newpar") and docs[-1].paragraphs[-1]:
            docs[-1].paragraphs.append([])
        elif line.startswith("# sent_id ="):
            sent_id = line.split("=", 1)[1].strip()
        elif line.startswith("# text ="):
            if grouped and (not docs or len(docs[-1].paragraphs[0]) == UD_SENTENCES_PER_PARAGRAPH):
                docs.append(Document(sent_id, [[]]))
            docs[-1].paragraphs[-1].append(line.split("=", 1)[1].strip())
    return docs


def golden_rules(lang: str) -> list[tuple[str, list[str]]]:
    """The Pragmatic Segmenter's "Golden Rules" as pySBD's tests give them for `lang` ("en",
    "ru", "uk"): (text, its sentences) pairs."""
    rows = json.loads((PUBLIC / "golden_rules" / f"{lang}.json").read_text(encoding="utf-8"))
    return [(row["text"], row["sentences"]) for row in rows]


GOLDEN_RULES = ("en", "ru", "uk")


@dataclass(frozen=True)
class Page:
    """A Readability test page: the saved page, the article Readability must find, its metadata."""

    name: str
    html: str
    expected_html: str
    metadata: dict[str, object]


def readability_pages(limit: int | None = None) -> list[Page]:
    """The vendored Mozilla Readability test pages, by name."""
    return _pages(PUBLIC / "readability", limit)


def readability_held_pages(limit: int | None = None) -> list[Page]:
    """Other Mozilla Readability test pages (news, magazines, blogs), by name: held out from
    the HTML extraction's tuning, measured and never tuned on."""
    return _pages(PUBLIC / "readability_held", limit)


def _pages(root: Path, limit: int | None) -> list[Page]:
    """The Readability test pages under `root` (a folder each), by name."""
    folders = sorted(p for p in root.iterdir() if p.is_dir())[:limit]
    return [
        Page(
            folder.name,
            (folder / "source.html").read_text(encoding="utf-8"),
            (folder / "expected.html").read_text(encoding="utf-8"),
            json.loads((folder / "expected-metadata.json").read_text(encoding="utf-8")),
        )
        for folder in folders
    ]


def words(text: str) -> list[str]:
    """The lower-case word tokens of `text` (what the HTML figures count)."""
    return re.findall(r"\w+", text.lower())


DIRECTIONS = tuple(
    (a, b) for a, b in (("en", "fr"), ("en", "uk"), ("en", "ru")) for a, b in ((a, b), (b, a))
)


def translation_pairs(
    source: str, target: str, limit: int | None = None, corpus: str = "flores"
) -> list[tuple[str, str]]:
    """(source sentence, its human translation) pairs of a PAIR_CORPORA corpus, in order
    (NTREX's English is the original, its other languages human translations of it)."""
    if corpus in ("flores", "flores-held"):
        held = corpus == "flores-held"
        sources, targets = flores(source, limit, held=held), flores(target, limit, held=held)
        return list(zip(sources, targets, strict=True))
    pairs = zip(ntrex(source, corpus), ntrex(target, corpus), strict=True)
    return [(s, t) for s, t in pairs if s.strip() and t.strip()][:limit]


def shows_cases(corpus: str) -> bool:
    """Whether a run prints a corpus's worst cases: never a held-out one's, so that nobody
    tunes on them by reading the output."""
    return not corpus.endswith(("-held", ".held"))


def pair_key(source: str, target: str, corpus: str) -> str:
    """A direction's figure key: "en-uk" on FLORES (the issue's figures), "en-uk.ntrex-dev"."""
    return f"{source}-{target}" + ("" if corpus == "flores" else f".{corpus}")


def windows(pairs: list[tuple[str, str]], size: int = 3) -> list[tuple[str, str]]:
    """Consecutive non-overlapping runs of `size` pairs, each joined (a summary's size)."""
    return [
        (" ".join(s for s, _ in pairs[i : i + size]), " ".join(t for _, t in pairs[i : i + size]))
        for i in range(0, len(pairs) - size + 1, size)
    ]
