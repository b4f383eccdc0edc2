"""Download a profile's models from the Hugging Face Hub, record revisions, convert them."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path

from precis_news.models.catalog import ModelSpec, Profile
from precis_news.models.store import (
    CTRANSLATE2_DIR,
    TRANSFORMERS_DIR,
    Manifest,
    is_present,
    model_lock,
    new_work_folder,
    publish,
    read_manifest,
    write_manifest,
)

log = logging.getLogger(__name__)

# Files a seq2seq model needs to run; skips TF / Flax / ONNX / rust weights and READMEs.
ALLOW_PATTERNS = (
    "*.json",
    "*.safetensors",
    "pytorch_model.bin",
    "*.spm",
    "*.model",
    "*.txt",
    "merges.txt",
)

Downloader = Callable[[str, str, Path], str]


class FetchError(RuntimeError):
    """A model could not be downloaded."""


def download_snapshot(repo: str, revision: str, dest: Path) -> str:
    """Download one model repository at `revision` into `dest`: the only network call.

    Args:
        repo: Hub id, e.g. "sshleifer/distilbart-cnn-12-6".
        revision: branch, tag or commit to fetch.
        dest: folder to fill (created).

    Returns:
        The commit hash the revision resolved to.

    Raises:
        FetchError: the Hub could not be reached or refused the request.
    """
    from huggingface_hub import HfApi, snapshot_download

    try:
        commit = HfApi().model_info(repo, revision=revision).sha or revision
        snapshot_download(
            repo, revision=commit, local_dir=dest, allow_patterns=list(ALLOW_PATTERNS)
        )
    except Exception as exc:  # DNS, TLS, HTTP, offline mode, disk: all mean "not downloaded"
        raise FetchError(
            f"could not download {repo}@{revision} from the Hugging Face Hub: {exc}. "
            "Check network access (HF_ENDPOINT / HTTPS_PROXY, HF_HUB_OFFLINE must be unset); "
            "or fetch on a connected machine and copy the model directory here; or serve the "
            "offline test models with `precis serve --profile tiny`."
        ) from exc
    return commit


def fetch_model(
    spec: ModelSpec,
    model_dir: Path,
    *,
    convert: bool = True,
    quantization: str = "int8",
    download: Downloader = download_snapshot,
    force: bool = False,
) -> Manifest:
    """Download one model (and convert it for CTranslate2) unless it is already there.

    Raises:
        FetchError: download failed; nothing half-written is left behind as "present".
        ValueError: the model is built locally, not downloaded.
    """
    if spec.is_built:
        raise ValueError(f"{spec.name} is built locally (`precis models build-tiny`), not fetched")
    backend = "ctranslate2" if convert else "transformers"
    if not force and is_present(spec, model_dir, backend=backend):
        return _present(spec, model_dir)
    with model_lock(spec, model_dir):
        # Another replica may have fetched it while this one waited for the lock.
        if not force and is_present(spec, model_dir, backend=backend):
            return _present(spec, model_dir)
        work = new_work_folder(spec, model_dir)
        try:
            manifest = _download_into(
                work, spec, convert=convert, quantization=quantization, download=download
            )
            publish(work, spec, model_dir)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return manifest


def _present(spec: ModelSpec, model_dir: Path) -> Manifest:
    log.info("%s already in %s", spec.repo, spec.directory(model_dir))
    manifest = read_manifest(spec, model_dir)
    assert manifest is not None  # is_present checked it
    return manifest


def _download_into(
    work: Path, spec: ModelSpec, *, convert: bool, quantization: str, download: Downloader
) -> Manifest:
    """Download (and convert) one model into a private work folder; the manifest is written last."""
    from precis_news.models.convert import convert_to_ctranslate2, write_tokenizer_json

    log.info("downloading %s@%s", spec.repo, spec.revision)
    commit = download(spec.repo, spec.revision, work / TRANSFORMERS_DIR)
    write_tokenizer_json(work / TRANSFORMERS_DIR)
    if convert:
        log.info("converting %s to CTranslate2 (%s)", spec.repo, quantization)
        convert_to_ctranslate2(
            work / TRANSFORMERS_DIR, work / CTRANSLATE2_DIR, quantization=quantization
        )
    manifest = Manifest(spec.name, spec.repo, commit, "hub", quantization if convert else None)
    write_manifest(work, manifest)
    return manifest


def fetch_profile(
    profile: Profile,
    model_dir: Path,
    *,
    convert: bool = True,
    quantization: str = "int8",
    download: Downloader = download_snapshot,
    force: bool = False,
) -> Sequence[Manifest]:
    """Fetch every downloadable model of a profile (built ones are skipped: build-tiny).

    Returns:
        The manifests, with the resolved revisions.
    """
    return [
        fetch_model(
            spec,
            model_dir,
            convert=convert,
            quantization=quantization,
            download=download,
            force=force,
        )
        for spec in profile.models
        if not spec.is_built
    ]
