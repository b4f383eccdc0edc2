"""Which built models a profile still needs, and the check that this install can build them."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from precis_models import loader
from precis_models.catalog import load_catalog
from precis_models.loader import BuildNeedsExtra, require_buildable, to_build

TINY = load_catalog().profile("tiny")


def test_an_empty_folder_needs_every_built_model_and_extractive_no_summarizer(
    tmp_path: Path,
) -> None:
    assert to_build(TINY, tmp_path) == list(TINY.models)
    assert to_build(TINY, tmp_path, summarizer="extractive") == list(TINY.translators)


def test_a_downloaded_profile_needs_nothing_built(tmp_path: Path) -> None:
    assert to_build(load_catalog().profile("default"), tmp_path) == []


@pytest.mark.parametrize("summarizer", ["abstractive", "extractive"])
def test_without_torch_a_needed_build_names_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, summarizer: str
) -> None:
    found = importlib.util.find_spec
    monkeypatch.setattr(
        loader.importlib.util,
        "find_spec",
        lambda name, *a: None if name in loader.BUILD_MODULES else found(name, *a),
    )
    with pytest.raises(BuildNeedsExtra) as caught:
        require_buildable(TINY, tmp_path, summarizer=summarizer)
    message = str(caught.value)
    assert "needs torch and transformers" in message
    assert "pip install 'precis-news[torch]'" in message
    assert (TINY.summarizer.name in message) == (summarizer == "abstractive")
    require_buildable(load_catalog().profile("default"), tmp_path)  # nothing to build: fine


def test_with_torch_nothing_is_refused(tmp_path: Path) -> None:
    if any(importlib.util.find_spec(m) is None for m in loader.BUILD_MODULES):
        pytest.skip("torch or transformers is not installed")  # found, not imported: fast
    require_buildable(TINY, tmp_path)
