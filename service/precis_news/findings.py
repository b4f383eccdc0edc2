"""The checks' registry: each kind of finding, its plain words, its metric and where it shows."""

# At the package root, not in precis_news.pipeline: the CLI (a client, which loads no model
# layer) reads it as well as the pipeline and the server.

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

# The counters the checks are counted in (server.metrics declares them under these names).
SUMMARY_CHECKS_METRIC = "precis_summary_checks_flagged"  # label check=<kind>, language=<summary>
LANGUAGE_METRIC = "precis_output_language_mismatches"  # labels model, expected, detected


@dataclass(frozen=True)
class Check:
    """One kind of finding: what every place that reports it reads."""

    kind: str  # stable id: the proto's NumberIssue.kind, the metric's `check` label, the log's word
    words: str  # the finding in plain words, as the CLI writes it
    meaning: str  # one line saying what was found
    metric: str  # the counter it is counted in
    page: str = ""  # the heading the web page shows it under ("" when the page does not show it)


NOT_IN_ARTICLE = Check(
    "not_in_article",
    "not in article",
    "the summary states a number the article never gives",
    SUMMARY_CHECKS_METRIC,
)
CHANGED = Check(
    "changed",
    "changed",
    "the translation gives another number where its source summary gave this one",
    SUMMARY_CHECKS_METRIC,
)
DROPPED = Check(
    "dropped",
    "dropped",
    "a number of the source summary is missing from the translation",
    SUMMARY_CHECKS_METRIC,
)
ADDED = Check(
    "added",
    "added",
    "the translation states a number its source summary does not",
    SUMMARY_CHECKS_METRIC,
)
MISSING_NAME = Check(
    "missing_name",
    "names missing",
    "a name of the source summary is missing from the translation",
    SUMMARY_CHECKS_METRIC,
)
OUTPUT_LANGUAGE = Check(
    "output_language_mismatch",
    "reads as another language",
    "a summary reads as another language than the one asked for",
    LANGUAGE_METRIC,
    page="Language check",
)

CHECKS: dict[str, Check] = {
    c.kind: c for c in (NOT_IN_ARTICLE, CHANGED, DROPPED, ADDED, MISSING_NAME, OUTPUT_LANGUAGE)
}
NUMBER_CHECKS = (NOT_IN_ARTICLE, CHANGED, DROPPED, ADDED)  # the kinds a NumberIssue can have


def check(kind: str) -> Check:
    """The check of `kind`; one in plain words for a kind this version does not know (a newer
    server's, seen by an older client)."""
    return CHECKS.get(kind) or Check(kind, kind.replace("_", " "), "", SUMMARY_CHECKS_METRIC)


class _Issue(Protocol):
    @property
    def kind(self) -> str: ...
    @property
    def number(self) -> str: ...
    @property
    def found(self) -> str: ...


class CheckedSummary(Protocol):
    """A checked summary: the pipeline's Summary or the proto's (the same fields)."""

    @property
    def language(self) -> str: ...
    @property
    def number_issues(self) -> Sequence[_Issue]: ...
    @property
    def missing_names(self) -> Sequence[str]: ...


@dataclass(frozen=True)
class Finding:
    """One thing a check found in a summary."""

    check: Check
    subject: str  # the number or name, as the checked summary (or its source) wrote it
    found: str = ""  # what the translation has instead (CHANGED), else ""


def findings(summary: CheckedSummary) -> list[Finding]:
    """What the checks found in `summary`: its number issues, then each name it lacks."""
    found = [Finding(check(i.kind), i.number, i.found) for i in summary.number_issues]
    found += [Finding(MISSING_NAME, name) for name in summary.missing_names]
    return found


def flagged(summary: CheckedSummary) -> bool:
    """Whether any check found anything in `summary`."""
    return bool(summary.number_issues or summary.missing_names)


def log_line(summary: CheckedSummary) -> str:
    """The findings for the server's log, by kind id ("fr: changed 3 -> 4; names missing: X");
    "" when nothing was found."""
    parts = _parts(summary, lambda c: c.kind, lambda found: f" -> {found}")
    return f"{summary.language}: " + "; ".join(parts) if parts else ""


def plain_line(summary: CheckedSummary) -> str:
    """The findings in plain words, for a person ("changed 3 (found 4); names missing: X");
    "" when nothing was found."""
    return "; ".join(_parts(summary, lambda c: c.words, lambda found: f" (found {found})"))


def _parts(
    summary: CheckedSummary, name: Callable[[Check], str], instead: Callable[[str], str]
) -> list[str]:
    """One part per number finding, and one for all the missing names together."""
    found = findings(summary)
    parts = [
        f"{name(f.check)} {f.subject}" + (instead(f.found) if f.found else "")
        for f in found
        if f.check is not MISSING_NAME
    ]
    names = [f.subject for f in found if f.check is MISSING_NAME]
    if names:
        parts.append(f"{MISSING_NAME.words}: " + ", ".join(names))
    return parts
