"""Interop: an independent Node.js client (@grpc/grpc-js, built only from protos/) calls the server.

Skipped when node or npm is missing, or when tests/system/interop/node_modules is absent and
`npm ci` cannot install it (no registry access).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support import ServerThread

INTEROP = Path(__file__).resolve().parent / "interop"
PACKAGES = ("@grpc/grpc-js", "@grpc/proto-loader")
MIN_NODE = 18


def _installed() -> bool:
    modules = INTEROP / "node_modules"
    return all((modules / name / "package.json").is_file() for name in PACKAGES)


def _tail(text: str, lines: int = 15) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


@pytest.fixture(scope="module")
def node() -> str:
    """The node executable, with the client's dependencies installed (`npm ci` if needed)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("interop test needs node and npm on PATH (Node.js >= 18)")
    version = subprocess.run(
        [node, "--version"], capture_output=True, text=True, timeout=30, check=False
    ).stdout.strip()
    match = re.match(r"v(\d+)\.", version)
    if not match or int(match.group(1)) < MIN_NODE:
        pytest.skip(f"interop test needs Node.js >= {MIN_NODE}, found {version or 'unknown'}")
    if not _installed():
        try:
            result = subprocess.run(
                [npm, "ci", "--no-audit", "--no-fund"],
                cwd=INTEROP,
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
        except subprocess.TimeoutExpired:
            pytest.skip(
                "tests/system/interop/node_modules is missing and `npm ci` timed out (300 s)"
            )
        if result.returncode != 0 or not _installed():
            pytest.skip(
                "tests/system/interop/node_modules is missing and `npm ci` failed (is the npm "
                f"registry reachable?):\n{_tail(result.stderr or result.stdout)}"
            )
    return node


def test_node_client_summarizes_into_four_languages(node: str, server: ServerThread) -> None:
    # protos/ is its only include folder (the googleapis files ship in protos/google/api/).
    result = subprocess.run(
        [node, "summarize.mjs", server.address],
        cwd=INTEROP,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stderr}\n{result.stdout}"
    response = json.loads(result.stdout)
    summaries = response["summaries"]
    assert len(summaries) == 4
    assert [s["language"] for s in summaries] == ["en", "fr", "uk", "ru"]
    assert all(s["text"].strip() for s in summaries), summaries
    assert response["detected_language"] == "en"
