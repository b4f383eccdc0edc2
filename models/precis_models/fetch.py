"""Download a profile's models from the Hugging Face Hub, record revisions, convert them."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from precis_models.backends import CONVERSION_EXTRA, CTRANSLATE2_DIR, TRANSFORMERS_DIR, for_download
from precis_models.catalog import ModelSpec, Profile
from precis_models.store import (
    MANIFEST,
    Manifest,
    is_present,
    make_once,
    read_manifest,
    staged,
    write_manifest,
)

log = logging.getLogger(__name__)

# What serving reads besides the weights: configs, tokenizer files. Nothing else (no README,
# benchmark files, TF / Flax / rust / ONNX weights); top-level files only (onnx/ etc. are skipped).
_SERVING_SUFFIXES = (".json", ".spm", ".model")
_SERVING_NAMES = frozenset({"merges.txt"})
# Weight formats in order of preference: one is downloaded, never both.
_WEIGHTS = (("model", ".safetensors"), ("pytorch_model", ".bin"))

Downloader = Callable[[str, str, Path], str]


class FetchError(RuntimeError):
    """A model could not be downloaded."""


class ConversionError(FetchError):
    """A downloaded model could not be prepared for serving (tokenizer.json, CTranslate2)."""


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
        info = HfApi().model_info(repo, revision=revision)
        commit = info.sha or revision
        files = serving_files(s.rfilename for s in info.siblings or ())
        snapshot_download(repo, revision=commit, local_dir=dest, allow_patterns=files)
    except FetchError as exc:  # the repository has no weights serving can read
        raise FetchError(f"{repo}@{revision}: {exc}") from None
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
    backend = for_download(convert=convert).name

    def present() -> bool:
        return (
            not force and is_present(spec, model_dir, backend=backend) and at_pin(spec, model_dir)
        )

    def fetch() -> None:
        with staged(spec.directory(model_dir), marker=MANIFEST) as work:
            _download_into(
                work, spec, convert=convert, quantization=quantization, download=download
            )

    if present() or not make_once(spec, model_dir, present=present, make=fetch):
        return _present(spec, model_dir)
    manifest = read_manifest(spec, model_dir)
    assert manifest is not None  # the fetch wrote it last
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
    log.info("downloading %s@%s", spec.repo, spec.revision)
    commit = download(spec.repo, spec.revision, work / TRANSFORMERS_DIR)
    check_revision(spec, commit)
    files = keep_serving_files(work / TRANSFORMERS_DIR, repo=spec.repo)
    prepare_for_serving(
        work, repo=spec.repo, quantization=quantization if convert else None, convert=convert
    )
    manifest = Manifest(
        spec.name, spec.repo, commit, "hub", quantization if convert else None, files
    )
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


def serving_files(filenames: Iterable[str]) -> list[str]:
    """The files of a repository that serving needs: configs, tokenizer, one weight format.

    safetensors when the repository has it, else the PyTorch `.bin` (sharded weights with their
    index); never both, never TF / Flax / rust / ONNX weights.

    Args:
        filenames: the repository's file paths (Hub `siblings`).

    Returns:
        The chosen paths, sorted.

    Raises:
        FetchError: the repository has neither safetensors nor PyTorch weights.
    """
    top = sorted({name for name in filenames if "/" not in name})
    for stem, suffix in _WEIGHTS:
        weights = [n for n in top if n.startswith(stem) and n.endswith(suffix)]
        if weights:
            index = f"{stem}{suffix}.index.json"
            others = [
                n
                for n in top
                if (n.endswith(_SERVING_SUFFIXES) or n in _SERVING_NAMES)
                and not (n.endswith(".index.json") and n != index)
            ]
            return sorted({*weights, *others})
    raise FetchError(
        "the repository has no model.safetensors or pytorch_model.bin weights "
        f"(files: {', '.join(top) or 'none'})"
    )


def keep_serving_files(folder: Path, *, repo: str) -> tuple[str, ...]:
    """Delete what a download brought beyond `serving_files` (e.g. a second weight format).

    Returns:
        The files kept (relative paths), as recorded in the manifest.

    Raises:
        FetchError: no weights were downloaded.
    """
    # Dot-folders hold the Hub client's bookkeeping (.cache/huggingface); dot-files are repo files.
    present = [
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and not any(d.startswith(".") for d in p.relative_to(folder).parts[:-1])
    ]
    try:
        keep = serving_files(present)
    except FetchError as exc:
        raise FetchError(f"{repo}: {exc}") from None
    for name in set(present) - set(keep):
        (folder / name).unlink()
        log.info("%s: dropped %s (not needed for serving)", repo, name)
    return tuple(keep)


def check_revision(spec: ModelSpec, commit: str) -> None:
    """Refuse a download that is not the commit the catalog pins.

    Raises:
        FetchError: `commit` differs from the pinned `spec.revision`.
    """
    if spec.is_pinned and commit != spec.revision:
        raise FetchError(
            f"{spec.repo}: the Hub returned commit {commit}, but the catalog pins "
            f"{spec.revision}; refusing it (move the pin on purpose: README, 'Moving a model pin')"
        )


def at_pin(spec: ModelSpec, model_dir: Path) -> bool:
    """True when the model in `model_dir` was fetched at the catalog's pinned commit (a moved
    pin makes `fetch` download again)."""
    manifest = read_manifest(spec, model_dir)
    return manifest is not None and (not spec.is_pinned or manifest.revision == spec.revision)


def prepare_for_serving(work: Path, *, repo: str, quantization: str | None, convert: bool) -> None:
    """Write tokenizer.json where missing and the CTranslate2 copy (when `convert`).

    Raises:
        ConversionError: one line saying what failed and what to do (no traceback).
    """
    try:
        from precis_models.conversion import convert_to_ctranslate2, write_tokenizer_json

        write_tokenizer_json(work / TRANSFORMERS_DIR)
        if convert:
            log.info("converting %s to CTranslate2 (%s)", repo, quantization)
            convert_to_ctranslate2(
                work / TRANSFORMERS_DIR, work / CTRANSLATE2_DIR, quantization=quantization
            )
    except ImportError as exc:
        raise ConversionError(
            f"could not convert {repo}: {exc.name or exc} is not installed; conversion needs "
            f"`pip install 'precis-news[{CONVERSION_EXTRA}]'` (torch>=2.6)"
        ) from exc
    except Exception as exc:  # the converters raise anything; the user needs one line
        first = (str(exc).strip().splitlines() or [""])[0]
        raise ConversionError(
            f"could not convert {repo}: {type(exc).__name__}: {first[:300]}"
        ) from exc
