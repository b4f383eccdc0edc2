"""Which built models a profile still needs, and the check that this install can build them."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from precis_models import loader
from precis_models.catalog import CATALOG_PATH, load_catalog
from precis_models.loader import BuildNeedsExtra, require_buildable, to_build
from tests.support import batch_limits, cpu_runtime

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


def test_an_unknown_family_is_refused_before_anything_is_read(tmp_path: Path) -> None:
    text = CATALOG_PATH.read_text(encoding="utf-8").replace(
        'task = "summarize"', 'task = "summarize"\nfamily = "llama"', 1
    )
    path = tmp_path / "catalog.toml"
    path.write_text(text, encoding="utf-8")
    profile = load_catalog(path).profile("default")
    assert profile.summarizer.family == "llama"
    empty = tmp_path / "models"
    runtime = cpu_runtime()
    limits = batch_limits(max_batch_tokens=64, max_batch_size=2, max_wait_ms=1, max_queue=4)
    with pytest.raises(ValueError, match="unknown model family 'llama'; known: seq2seq"):
        loader.load_model_set(profile, empty, runtime, limits=limits)
    assert not empty.exists()


@pytest.mark.parametrize(
    ("changes", "resolved"),
    [
        ({}, 19),  # CTranslate2 on cpu, one thread per call: niced background calls
        ({"background_nice": 0}, 0),
        ({"backend": "transformers"}, 0),  # torch's threads are not the model's own
        ({"device": "cuda"}, 0),  # one call at a time on a GPU: nothing to pre-empt
        ({"threads": 2, "threads_per_call": 2}, 0),  # a call's extra threads start unseen
    ],
)
def test_background_calls_are_niced_only_where_it_works(
    monkeypatch: pytest.MonkeyPatch, changes: dict[str, object], resolved: int
) -> None:
    monkeypatch.setattr(loader, "may_restore_priority", lambda: True)
    runtime = loader.resolve_runtime(cpu_runtime(**changes))
    assert runtime.background_nice == resolved
    assert runtime.workers == runtime.slots + (1 if resolved else 0)  # the extra call's replica


def test_without_the_right_to_restore_priority_a_slot_is_kept_instead(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(loader, "may_restore_priority", lambda: False)
    runtime = loader.resolve_runtime(cpu_runtime())
    assert (runtime.background_nice, runtime.overcommit, runtime.workers) == (0, 0, 1)
    assert "CAP_SYS_NICE" in caplog.text
