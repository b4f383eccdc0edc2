"""The docs site (mkdocs.yml, docs/) builds with --strict (no broken link, anchor or page), and
its examples hold."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.support import ROOT


def test_docs_build_strictly(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    for page in ("api", "configuration", "architecture", "benchmarks"):
        assert (tmp_path / page / "index.html").is_file(), page
    api = (tmp_path / "api" / "index.html").read_text(encoding="utf-8")
    # The generated tables are filled in: every RPC and its route, the request's fields.
    for text in ("StreamSummarize", "POST /v1/summarize:stream", "GET /v1/info", "source_language"):
        assert text in api, text
    assert "<!-- generated:" not in api
    settings = (tmp_path / "configuration" / "index.html").read_text(encoding="utf-8")
    assert "PRECIS_MAX_ARTICLE_CHARS" in settings


def test_configuration_page_toml_example_loads(tmp_path: Path) -> None:
    from precis_news.settings import load_settings

    page = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```toml\n(.*?)^```$", page, re.S | re.M)
    assert len(blocks) == 1, "the configuration page has one TOML example"
    config = tmp_path / "precis.toml"
    config.write_text(blocks[0], encoding="utf-8")
    settings = load_settings(config_file=config, env={})
    assert (settings.profile, settings.port, settings.http_port) == ("tiny", 50051, 8080)
    assert settings.api_keys_file == Path("/run/secrets/precis-keys")
