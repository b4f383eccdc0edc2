"""Fetching a profile: revisions recorded, conversion, offline errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from precis_news.models.catalog import load_catalog
from precis_news.models.engines.codec import load_codec
from precis_news.models.fetch import FetchError, download_snapshot, fetch_profile
from precis_news.models.store import read_manifest, require_models, transformers_path


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
