"""Fetching a profile: revisions recorded, conversion, offline errors."""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from precis_news.models.catalog import ModelSpec, load_catalog
from precis_news.models.engines.codec import load_codec
from precis_news.models.fetch import FetchError, download_snapshot, fetch_model, fetch_profile
from precis_news.models.store import (
    MANIFEST,
    is_present,
    new_work_folder,
    publish,
    read_manifest,
    require_models,
    transformers_path,
)


def test_fetch_records_revisions_and_converts(model_dir: Path, tmp_path: Path) -> None:
    """The download function replaced by a copy of a built model: everything else is real."""
    tiny = load_catalog().profile("tiny")
    calls = []

    def download(repo: str, revision: str, dest: Path) -> str:
        calls.append((repo, revision))
        source = tiny.translators[0] if "opus-mt" in repo else tiny.summarizer
        shutil.copytree(source.directory(model_dir) / "transformers", dest)
        if "bart" in repo:  # as on the hub: the slow tokenizer's files, no tokenizer.json
            bpe = json.loads((dest / "tokenizer.json").read_text())["model"]
            (dest / "vocab.json").write_text(json.dumps(bpe["vocab"]))
            merges = [m if isinstance(m, str) else " ".join(m) for m in bpe["merges"]]
            (dest / "merges.txt").write_text("#version: 0.2\n" + "\n".join(merges) + "\n")
            (dest / "tokenizer.json").unlink()
        return f"{abs(hash(repo)):040x}"[:40]

    default = load_catalog().profile("default")
    manifests = fetch_profile(default, tmp_path, download=download)
    assert [m.repo for m in manifests] == [s.repo for s in default.models]
    assert calls == [(s.repo, "main") for s in default.models]
    for spec in default.models:
        manifest = read_manifest(spec, tmp_path)
        assert manifest is not None and len(manifest.revision) == 40
        assert (spec.directory(tmp_path) / "ctranslate2" / "model.bin").exists()
    require_models(default, tmp_path, backend="ctranslate2")  # now present
    text = ["The council met on Tuesday, and voted."]
    fetched = load_codec(transformers_path(default.summarizer, tmp_path))
    assert fetched.encode(text) == load_codec(transformers_path(tiny.summarizer, model_dir)).encode(
        text
    )
    fetch_profile(default, tmp_path, download=download)
    assert len(calls) == len(default.models)  # present models are not downloaded again
    assert not list(tmp_path.rglob("*.partial"))


def test_real_download_offline_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(FetchError) as info:
        download_snapshot("sshleifer/distilbart-cnn-12-6", "main", tmp_path / "x")
    assert "--profile tiny" in str(info.value)


REVISION = "a" * 40


def _spec() -> ModelSpec:
    """A downloadable model of the default profile (its translator: the smallest)."""
    return load_catalog().profile("default").translators[0]


def _tiny_copier(model_dir: Path, on_call: Callable[[], None]) -> Callable[[str, str, Path], str]:
    """A download function that copies the tiny translator (everything else stays real)."""
    source = load_catalog().profile("tiny").translators[0].directory(model_dir) / "transformers"

    def download(repo: str, revision: str, dest: Path) -> str:
        on_call()
        shutil.copytree(source, dest)
        return REVISION

    return download


def _assert_one_good_copy(spec: ModelSpec, store: Path) -> None:
    assert is_present(spec, store, backend="ctranslate2")
    manifest = read_manifest(spec, store)
    assert manifest is not None and manifest.revision == REVISION
    assert (spec.directory(store) / "ctranslate2" / "model.bin").stat().st_size > 0
    leftovers = [p.name for p in spec.directory(store).parent.iterdir() if p.name.startswith(".")]
    assert leftovers == [f".{spec.directory(store).name}.lock"]


def test_two_fetches_at_once_download_once(model_dir: Path, tmp_path: Path) -> None:
    """The second fetch waits for the first's lock, then finds the model present."""
    spec, store = _spec(), tmp_path / "store"
    calls: list[str] = []
    first_downloading = threading.Event()
    second_started = threading.Event()

    def on_call() -> None:
        calls.append(threading.current_thread().name)
        first_downloading.set()
        second_started.wait(10)  # keep the first download open while the second one starts

    download = _tiny_copier(model_dir, on_call)

    def second() -> None:
        first_downloading.wait(10)
        second_started.set()
        fetch_model(spec, store, download=download)

    with ThreadPoolExecutor(2) as pool:
        futures = [pool.submit(fetch_model, spec, store, download=download), pool.submit(second)]
        for future in futures:
            future.result(timeout=120)
    assert len(calls) == 1
    _assert_one_good_copy(spec, store)


def test_forced_fetches_at_once_never_overlap(model_dir: Path, tmp_path: Path) -> None:
    """Two forced fetches both download, one after the other, and the last one is published."""
    spec, store = _spec(), tmp_path / "store"
    active: list[int] = []
    overlaps: list[int] = []
    guard = threading.Lock()

    def on_call() -> None:
        with guard:
            active.append(1)
            overlaps.append(len(active))
        threading.Event().wait(0.3)  # a window for the other fetch to enter, were it not locked
        with guard:
            active.pop()
            overlaps.append(len(active) + 1)

    download = _tiny_copier(model_dir, on_call)
    with ThreadPoolExecutor(2) as pool:
        futures = [
            pool.submit(fetch_model, spec, store, download=download, force=True) for _ in range(2)
        ]
        for future in futures:
            future.result(timeout=120)
    assert overlaps == [1, 1, 1, 1]
    _assert_one_good_copy(spec, store)


def test_failed_download_publishes_nothing_and_keeps_the_old_model(
    model_dir: Path, tmp_path: Path
) -> None:
    spec, store = _spec(), tmp_path / "store"
    fetch_model(spec, store, download=_tiny_copier(model_dir, lambda: None))
    before = (spec.directory(store) / "ctranslate2" / "model.bin").read_bytes()

    def broken(repo: str, revision: str, dest: Path) -> str:
        dest.mkdir(parents=True)
        (dest / "config.json").write_text("{}")  # half a download
        raise OSError("connection reset")

    with pytest.raises(OSError, match=r"^connection reset$"):
        fetch_model(spec, store, download=broken, force=True)
    assert (spec.directory(store) / "ctranslate2" / "model.bin").read_bytes() == before
    _assert_one_good_copy(spec, store)


def test_work_folders_are_unique_and_stale_ones_are_removed(tmp_path: Path) -> None:
    """Every container is PID 1: work folders must not be named after the pid."""
    spec = _spec()
    stale = spec.directory(tmp_path).with_name(f".{spec.directory(tmp_path).name}.1.partial")
    stale.mkdir(parents=True)
    (stale / "model.bin").write_bytes(b"half")
    first = new_work_folder(spec, tmp_path)
    assert not stale.exists()
    second = new_work_folder(spec, tmp_path)  # under the lock, `first` counts as stale too
    assert first.name != second.name and second.is_dir() and not first.exists()


def test_publish_refuses_a_folder_without_manifest(tmp_path: Path) -> None:
    spec = _spec()
    work = new_work_folder(spec, tmp_path)
    (work / "transformers").mkdir()
    with pytest.raises(RuntimeError, match=f"no {MANIFEST}, so it is incomplete$"):
        publish(work, spec, tmp_path)
    assert not spec.directory(tmp_path).exists()
