"""The checks' registry: one entry per kind, read the same way for the log, the CLI and the page."""

from __future__ import annotations

import re
from pathlib import Path

from precis_news import findings
from precis_news._proto import precis_pb2 as pb
from precis_news.pipeline import Summary
from precis_news.pipeline.numbers import NumberIssue

ROOT = Path(__file__).resolve().parents[3]
PROTO = ROOT / "protos" / "precis" / "v1" / "precis.proto"
PAGE = ROOT / "service" / "precis_news" / "server" / "http" / "web" / "app.js"

FLAGGED = Summary(
    "fr",
    "…",
    "m",
    number_issues=[NumberIssue("changed", "100,000", "10 000"), NumberIssue("added", "3")],
    missing_names=["Doucet", "Lyon"],
)


def test_describe_says_nothing_of_a_clean_summary() -> None:
    assert findings.log_line(Summary("en", "ok", "m")) == ""
    assert findings.plain_line(pb.Summary(language="en")) == ""
    assert not findings.flagged(Summary("en", "ok", "m"))


def test_the_log_names_kinds_and_the_cli_says_them_in_plain_words() -> None:
    assert findings.flagged(FLAGGED)
    assert findings.log_line(FLAGGED) == (
        "fr: changed 100,000 -> 10 000; added 3; names missing: Doucet, Lyon"
    )
    assert findings.plain_line(FLAGGED) == (
        "changed 100,000 (found 10 000); added 3; names missing: Doucet, Lyon"
    )


def test_the_proto_and_the_pipeline_summary_give_the_same_findings() -> None:
    message = pb.Summary(
        language="fr",
        number_issues=[
            pb.NumberIssue(kind=i.kind, number=i.number, found=i.found)
            for i in FLAGGED.number_issues
        ],
        missing_names=FLAGGED.missing_names,
    )
    assert findings.findings(message) == findings.findings(FLAGGED)
    assert [f.check for f in findings.findings(FLAGGED)] == [
        findings.CHANGED,
        findings.ADDED,
        findings.MISSING_NAME,
        findings.MISSING_NAME,
    ]


def test_a_kind_this_version_does_not_know_is_said_in_plain_words() -> None:
    issue = pb.NumberIssue(kind="unit_changed", number="5")
    newer = pb.Summary(language="uk", number_issues=[issue])
    assert findings.check("unit_changed").words == "unit changed"
    assert findings.plain_line(newer) == "unit changed 5"


def test_every_number_kind_is_documented_in_the_proto() -> None:
    comment = PROTO.read_text(encoding="utf-8").split("message NumberIssue {")[1].split("}")[0]
    assert set(re.findall(r'"(\w+)"', comment)) == {c.kind for c in findings.NUMBER_CHECKS}


def test_every_check_has_a_unique_kind_and_plain_words() -> None:
    assert len(findings.CHECKS) == len({c.words for c in findings.CHECKS.values()})
    assert all(c.kind and c.words and c.meaning and c.metric for c in findings.CHECKS.values())


def test_the_page_shows_its_checks_under_the_registrys_heading() -> None:
    page = PAGE.read_text(encoding="utf-8")
    shown = [c for c in findings.CHECKS.values() if c.page]
    assert shown == [findings.OUTPUT_LANGUAGE]
    for c in shown:
        assert f'detail("{c.page}"' in page, c
