"""Server-side commands run in-process: `precis models fetch` prepares any profile."""

from __future__ import annotations

from pathlib import Path

import pytest

from precis_news.cli import main
from precis_news.models.catalog import load_catalog
from precis_news.models.store import is_present


def test_models_fetch_builds_a_built_profile(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """What the compose `models` service and the Kubernetes init container run for `tiny`."""
    store = tmp_path / "models"
    assert main(["models", "fetch", "--profile", "tiny", "--model-dir", str(store)]) == 0
    tiny = load_catalog().profile("tiny")
    assert all(is_present(s, store, backend="ctranslate2") for s in tiny.models)
    assert capsys.readouterr().out.splitlines()[-1] == (
        f"profile 'tiny': built {len(tiny.models)} model(s) in {store}"
    )
    assert main(["models", "fetch", "--profile", "tiny", "--model-dir", str(store)]) == 0
    assert (
        capsys.readouterr().out.splitlines()[-1] == f"profile 'tiny': built 0 model(s) in {store}"
    )
