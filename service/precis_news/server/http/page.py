"""What the web page reads from the product: the checks' plain words and the binary signatures."""

# The page cannot import Python, and a copy of these tables in app.js would drift: the gateway
# serves them as /page.json, built from their one home (precis_news.findings and .content).

from __future__ import annotations

import json
from typing import Any

from precis_news import content, findings

PATH = "/page.json"


def tables() -> dict[str, Any]:
    """The page's tables: each check's words and meaning by kind, how a refusal of binary input
    reads, and the signatures and thresholds that find it.

    Returns:
        A JSON-ready dict (see app.js, which reads it once at start).
    """
    return {
        "checks": {
            kind: {"words": check.words, "meaning": check.meaning}
            for kind, check in findings.CHECKS.items()
        },
        "missingName": findings.MISSING_NAME.kind,
        "reads": content.READS,
        "binaryData": content.BINARY_DATA,
        "signatures": [
            {"name": s.name, "magic": list(s.magic), "zip": s is content.ZIP}
            for s in content.SIGNATURES
        ],
        "zipKinds": [list(kind) for kind in content.ZIP_KINDS],
        "sniffChars": content.SNIFF_CHARS,
        "unreadableShare": content.UNREADABLE_SHARE,
        "minUnreadable": content.MIN_UNREADABLE,
    }


def tables_json() -> str:
    """tables() as compact JSON."""
    return json.dumps(tables(), ensure_ascii=False, separators=(",", ":"))
