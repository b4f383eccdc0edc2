"""The README's Python client snippet runs as written against a real (tiny) server."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.support import ROOT, ServerThread, free_port

README_ADDRESS = "127.0.0.1:50051"


def _python_snippet() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Python client\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"^```python\n(.*?)^```$", section, re.S | re.M)
    assert len(blocks) == 1, "the Python client section has one python block"
    return blocks[0]


def test_readme_python_snippet_runs(server: ServerThread) -> None:
    snippet = _python_snippet()
    assert README_ADDRESS in snippet
    # Only the address changes: the test server listens on a free port.
    code = snippet.replace(README_ADDRESS, server.address)
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split(" ", 1)[0] for line in lines[:2]] == ["fr", "uk"], result.stdout
    assert re.fullmatch(r"\d+ chunks in \d+ ms", lines[-1]), result.stdout


README_HTTP = "http://127.0.0.1:8080"


def _curl_lines() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## JSON over HTTP and the web page\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"^```bash\n(.*?)^```$", section, re.S | re.M)
    return [line for block in blocks for line in block.splitlines() if line.startswith("curl ")]


def test_readme_curl_lines_run_against_every_route(server: ServerThread) -> None:
    from precis_news.server.http.routes import routes

    lines = _curl_lines()
    for path in [r.path for r in routes()] + ["/healthz", "/readyz", "/v1/openapi.json"]:
        assert any(f"{README_HTTP}{path} " in f"{line} " for line in lines), path
    for line in lines:
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


def test_readme_python_snippet_without_a_server_names_the_address() -> None:
    """No server there: the snippet ends in Unavailable naming the address and the fix after
    its connect_timeout, not DEADLINE_EXCEEDED at its 60 s deadline."""
    address = f"127.0.0.1:{free_port()}"
    code = _python_snippet().replace(README_ADDRESS, address)
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 1
    last = result.stderr.splitlines()[-1]
    assert last.startswith(
        f"precis_news.client.errors.Unavailable: UNAVAILABLE: no server ready at {address} "
        "after 5 s ("
    ), result.stderr
    assert "is `precis serve` running there?" in last
