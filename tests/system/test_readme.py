"""The commands of the README's tour and of the API page run as written against a real (tiny)
server; the README stays short."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

from tests.support import ROOT, ServerThread, free_port

README = ROOT / "README.md"
API_PAGE = ROOT / "docs" / "api.md"
TOUR = "A short tour"
README_ADDRESS = "127.0.0.1:50051"
README_HTTP = "http://127.0.0.1:8080"
MAX_README_LINES = 200


def _blocks(path: Path, heading: str, language: str) -> list[str]:
    """The fenced `language` blocks of the `## heading` section of a Markdown file."""
    text = path.read_text(encoding="utf-8")
    section = text.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(rf"^```{language}\n(.*?)^```$", section, re.S | re.M)


def _one_block(path: Path, heading: str) -> str:
    blocks = _blocks(path, heading, "python")
    assert len(blocks) == 1, f"{path.name}, {heading}: one python block"
    return blocks[0]


def _run_python(snippet: str, address: str) -> subprocess.CompletedProcess[str]:
    # Only the address changes: the test server listens on a free port.
    code = snippet.replace(README_ADDRESS, address)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_readme_is_at_most_200_lines() -> None:
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= MAX_README_LINES, f"README.md has {len(lines)} lines"


def test_api_page_python_snippet_runs(server: ServerThread) -> None:
    snippet = _one_block(API_PAGE, "Python client")
    assert README_ADDRESS in snippet
    result = _run_python(snippet, server.address)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split(" ", 1)[0] for line in lines[:2]] == ["fr", "uk"], result.stdout
    assert re.fullmatch(r"\d+ chunks in \d+ ms", lines[-1]), result.stdout


def test_readme_tour_python_runs(server: ServerThread) -> None:
    snippet = _one_block(README, TOUR)
    assert README_ADDRESS in snippet
    result = _run_python(snippet, server.address)
    assert result.returncode == 0, result.stderr
    # One line per summary, fr then uk (the tiny models' text may hold line breaks of its own).
    assert result.stdout.startswith("fr ") and "\nuk " in result.stdout, result.stdout


def _lines(path: Path, heading: str, start: str) -> list[str]:
    blocks = _blocks(path, heading, "bash")
    return [line for block in blocks for line in block.splitlines() if line.startswith(start)]


def test_curl_lines_run_against_every_route(server: ServerThread) -> None:
    from precis_news.server.http.routes import routes

    page_lines = _lines(API_PAGE, "JSON over HTTP", "curl ")
    for path in [r.path for r in routes()] + ["/healthz", "/readyz", "/v1/openapi.json"]:
        assert any(f"{README_HTTP}{path} " in f"{line} " for line in page_lines), path
    tour_lines = _lines(README, TOUR, "curl ")
    assert tour_lines, "the README's tour has curl lines"
    for line in page_lines + tour_lines:
        # Only the address changes: the test server listens on a free port.
        command = line.replace(README_HTTP, server.http)
        result = subprocess.run(
            ["bash", "-c", command], cwd=ROOT, capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 0, f"{line}\n{result.stderr}"
        out = result.stdout
        if ":stream" in line:
            assert out.startswith("data: {") and '"metadata"' in out.splitlines()[-2], out
        elif '"text": ""' in line:
            assert '"code": 3' in out and "text is empty" in out, out  # the error example
        else:
            assert out.startswith("{"), out


def test_readme_tour_cli_lines_run(server: ServerThread) -> None:
    lines = _lines(README, TOUR, "precis ")
    assert len(lines) >= 3, lines
    # The server comes from PRECIS_SERVER: the lines run as written, the address aside.
    env = {**os.environ, "PRECIS_SERVER": server.address}
    for line in lines:
        args = shlex.split(line)[1:]
        result = subprocess.run(
            [sys.executable, "-m", "precis_news.cli", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, f"{line}\n{result.stderr}"
        assert result.stdout.strip(), line


def test_api_page_python_snippet_without_a_server_names_the_address() -> None:
    """No server there: the snippet ends in Unavailable naming the address and the fix after
    its connect_timeout, not DEADLINE_EXCEEDED at its 60 s deadline."""
    address = f"127.0.0.1:{free_port()}"
    result = _run_python(_one_block(API_PAGE, "Python client"), address)
    assert result.returncode == 1
    last = result.stderr.splitlines()[-1]
    assert last.startswith(
        f"precis_news.client.errors.Unavailable: UNAVAILABLE: no server ready at {address} "
        "after 5 s ("
    ), result.stderr
    assert "is `precis serve` running there?" in last
