"""The tables the web page reads come from their one home (server.http.page)."""

from __future__ import annotations

import json

from precis_news import content, findings
from precis_news.server.http import page


def test_every_check_of_the_registry_is_in_the_page_tables_in_its_words() -> None:
    tables = json.loads(page.tables_json())
    assert tables["checks"] == {
        kind: {"words": check.words, "meaning": check.meaning}
        for kind, check in findings.CHECKS.items()
    }
    assert tables["missingName"] == "missing_name"


def test_the_signatures_are_the_sniffers_own() -> None:
    tables = json.loads(page.tables_json())
    pdf = next(s for s in tables["signatures"] if s["name"] == "a PDF file")
    assert bytes(pdf["magic"]) == b"%PDF-"
    webp = next(s for s in tables["signatures"] if s["name"] == "a WebP image")
    assert webp["magic"][4:8] == [None] * 4
    assert [s["name"] for s in tables["signatures"] if s["zip"]] == [content.ZIP.name]
    assert tables["reads"] == content.READS
    assert tables["unreadableShare"] == content.UNREADABLE_SHARE
