"""Installs a new user makes: fresh venvs with the interpreter's own bundled pip (never upgraded)
install the client, `[server]` and `[torch]` from pyproject.toml (not the lock files); each server
venv extracts a real HTML page and summarizes it for the client venv's `precis`.

Slow (the venvs' installs: see the measured figures at the end of the run); pip's own cache is
used, so a second run downloads nothing.
"""

from __future__ import annotations

import ensurepip
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support import ROOT, free_port, precis_env, report

pytestmark = pytest.mark.slow

PAGE = ROOT / "tests" / "data" / "pages" / "news-en.html"
TITLE = "Riverside council approves new bridge"
INSTALL_TIMEOUT_S = 900
SERVER_MODULES = ("ctranslate2", "tokenizers", "trafilatura", "lxml_html_clean", "aiohttp")


def _run(*args: str | Path, timeout: float, **kwargs: object) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(a) for a in args],
        capture_output=True, text=True, timeout=timeout, check=False, **kwargs,  # type: ignore[call-overload]
    )  # fmt: skip
    tail = "\n".join((result.stderr or result.stdout).strip().splitlines()[-20:])
    assert result.returncode == 0, f"{' '.join(map(str, args))}: exit {result.returncode}\n{tail}"
    return result


def _venv(folder: Path, requirement: str, *, torch_first: bool = False) -> Path:
    """A venv made by `python -m venv` (its bundled pip, not upgraded), then `pip install
    REQUIREMENT`; the CPU torch first where asked, as scripts/install-torch-cpu.sh does.
    Returns the venv's bin folder."""
    began = time.monotonic()
    _run(sys.executable, "-m", "venv", folder, timeout=300)
    python = folder / "bin" / "python"
    pip = _run(python, "-m", "pip", "--version", timeout=60).stdout
    assert pip.startswith(f"pip {ensurepip.version()} "), pip  # the interpreter's own pip
    if torch_first:
        _run("bash", ROOT / "scripts" / "install-torch-cpu.sh", python, timeout=INSTALL_TIMEOUT_S)
    _run(python, "-m", "pip", "install", "-q", requirement, timeout=INSTALL_TIMEOUT_S)
    report(
        f"install: pip {ensurepip.version()} `pip install '{requirement.replace(str(ROOT), '.')}'`"
        f"{' (CPU torch first)' if torch_first else ''} in a new venv: "
        f"{time.monotonic() - began:.0f} s"
    )
    return folder / "bin"


def _unimportable(python: Path, modules: tuple[str, ...]) -> list[str]:
    probe = (
        "import importlib.util, sys;"
        f"print(' '.join(m for m in {modules!r} if importlib.util.find_spec(m) is None))"
    )
    return _run(python, "-c", probe, timeout=60).stdout.split()


@pytest.fixture(scope="module")
def client_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _venv(tmp_path_factory.mktemp("venv") / "client", str(ROOT))


def test_the_client_installs_alone(client_venv: Path) -> None:
    assert _unimportable(client_venv / "python", (*SERVER_MODULES, "torch")) == [
        *SERVER_MODULES,
        "torch",
    ]
    version = _run(client_venv / "precis", "--version", timeout=60).stdout
    assert version.startswith("precis ")


@pytest.mark.parametrize(
    ("extra", "backend"),
    [("server", "ctranslate2"), ("torch", "transformers")],
)
def test_a_server_install_extracts_a_page_and_summarizes_it(
    extra: str,
    backend: str,
    client_venv: Path,
    model_dir: Path,
    tmp_path: Path,
) -> None:
    """The server venv serves the tiny profile (the session's models copied in) on the backend
    its extra brings; the client venv's `precis` sends a saved news page as HTML."""
    bin_dir = _venv(tmp_path / extra, f"{ROOT}[{extra}]", torch_first=extra == "torch")
    assert _unimportable(bin_dir / "python", SERVER_MODULES) == []
    _run(bin_dir / "python", "-c", "import trafilatura", timeout=60)
    models = tmp_path / "models"
    shutil.copytree(model_dir, models)
    port = free_port()
    process = subprocess.Popen(
        [bin_dir / "precis", "serve", "--profile", "tiny", "--host", "127.0.0.1",
         "--port", str(port), "--threads", "1", "--summarizer", "extractive",
         "--backend", backend],
        env=precis_env(models), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        response = _summarize_when_serving(client_venv / "precis", port, process)
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=60)
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr
    meta = response["metadata"]
    assert meta["html_extracted"] and meta["extracted_title"] == TITLE
    assert [s["language"] for s in response["summaries"]] == ["en", "fr"]
    # Extractive: the English summary is the article's own sentences, none of the page's chrome.
    english, french = (s["text"] for s in response["summaries"])
    assert "The Riverside city council voted on Tuesday to build a new bridge" in english
    chrome = ("cookie", "COMMENT-TEXT", "Most read", "Copyright", "Subscribe")
    assert not [words for words in chrome if words in english], english
    assert french


def _summarize_when_serving(precis: Path, port: int, server: subprocess.Popen[str]) -> dict:
    """The client venv's `precis summarize PAGE --to en,fr --json`, once the server is up."""
    deadline = time.monotonic() + 120
    while True:
        assert server.poll() is None, server.communicate()[1]
        health = subprocess.run(
            [precis, "health", "--server", f"127.0.0.1:{port}", "--timeout", "2"],
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        if health.returncode == 0:
            break
        assert time.monotonic() < deadline, f"not SERVING after 120 s: {health.stderr}"
        time.sleep(0.5)
    result = _run(
        precis, "summarize", PAGE, "--to", "en,fr", "--json", "--server", f"127.0.0.1:{port}",
        timeout=120,
    )  # fmt: skip
    return json.loads(result.stdout)
