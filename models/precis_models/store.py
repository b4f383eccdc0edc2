"""The model directory: where each model's files live and what was recorded about them."""

from __future__ import annotations

import fcntl
import json
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from precis_models.backends import CTRANSLATE2, TRANSFORMERS
from precis_models.backends import backend as backend_named
from precis_models.catalog import ModelSpec, Profile

MANIFEST = "precis-model.json"
WORK_SUFFIX = ".partial"


@dataclass(frozen=True)
class Manifest:
    """What `precis models fetch` / `build-tiny` recorded next to a model's files."""

    name: str
    repo: str
    revision: str  # resolved commit, or "built" for random-weight models
    source: str  # "hub" or "built"
    ctranslate2_quantization: str | None = None
    files: tuple[str, ...] = ()  # what the download kept (fetch), for the record


class ModelsMissing(RuntimeError):
    """A profile's models are not in the model directory."""


def transformers_path(spec: ModelSpec, model_dir: Path) -> Path:
    return TRANSFORMERS.path(spec, model_dir)


def ctranslate2_path(spec: ModelSpec, model_dir: Path) -> Path:
    return CTRANSLATE2.path(spec, model_dir)


def read_manifest(spec: ModelSpec, model_dir: Path) -> Manifest | None:
    path = spec.directory(model_dir) / MANIFEST
    if not path.exists():
        return None
    return Manifest(**json.loads(path.read_text()))


def write_manifest(directory: Path, manifest: Manifest) -> None:
    """Record a model's provenance in its folder (written last: its presence means complete)."""
    path = directory / MANIFEST
    path.write_text(json.dumps(asdict(manifest), indent=2) + "\n")


def is_present(spec: ModelSpec, model_dir: Path, *, backend: str) -> bool:
    """True when the files the backend loads are all there (the manifest is written last)."""
    needed = backend_named(backend).needed_files(spec, model_dir)
    return read_manifest(spec, model_dir) is not None and all(p.exists() for p in needed)


def missing_models(profile: Profile, model_dir: Path, *, backend: str) -> list[ModelSpec]:
    return [s for s in profile.models if not is_present(s, model_dir, backend=backend)]


def require_models(profile: Profile, model_dir: Path, *, backend: str) -> None:
    """Fail fast, saying what to run, when a profile's downloadable models are missing.

    Raises:
        ModelsMissing: with the commands that fix it.
    """
    missing = [s for s in missing_models(profile, model_dir, backend=backend) if not s.is_built]
    if missing:
        names = ", ".join(s.repo for s in missing)
        raise ModelsMissing(
            f"profile {profile.name!r} needs models that are not in {model_dir}: {names}. "
            f"Download them with `precis models fetch --profile {profile.name} --model-dir "
            f"{model_dir}` (needs access to the Hugging Face Hub), or serve the offline test "
            "models with `precis serve --profile tiny`."
        )


# -- writing a model safely while other processes (replicas, pods) share the directory ----------


@contextmanager
def model_lock(spec: ModelSpec, model_dir: Path) -> Iterator[None]:
    """Hold an exclusive lock on one model while it is checked, written and published.

    The lock is `flock` on a file beside the model folder: it holds across processes and
    containers sharing a volume (NFS-backed ReadWriteMany volumes included), and the kernel
    releases it when the holder dies, so a crashed fetcher never blocks the next one.
    """
    root = spec.directory(model_dir)
    root.parent.mkdir(parents=True, exist_ok=True)
    with open(root.with_name(f".{root.name}.lock"), "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def make_once(
    spec: ModelSpec, model_dir: Path, *, present: Callable[[], bool], make: Callable[[], object]
) -> bool:
    """Run `make` to put `spec` in place unless it is `present()` once its lock is held (another
    process, building or fetching into the same folder, may have made it while this one waited);
    the work folders a writer that died left behind are removed first.

    Returns:
        True when `make` ran (this process made the model), False when it was there.
    """
    with model_lock(spec, model_dir):
        if present():
            return False
        remove_stale_work(spec.directory(model_dir))
        make()
    return True


def remove_stale_work(target: Path) -> None:
    """Remove the staging folders (`staged`) that a writer of `target` left when it died.

    Only under a lock on `target` (`model_lock`): then no other writer can be using one.
    """
    for stale in target.parent.glob(f".{target.name}.*{WORK_SUFFIX}"):
        shutil.rmtree(stale, ignore_errors=True)


@contextmanager
def staged(target: Path, *, marker: str | None = None) -> Iterator[Path]:
    """An empty folder to assemble `target` in, renamed into place when the block succeeds.

    The folder lies in a private folder beside `target` (same file system: renames are atomic),
    named at random (not after the pid: every container's process is PID 1). On success a
    `target` already there is renamed aside first and removed afterwards: its path never holds
    a mix of old and new files, and a reader that opened the old files keeps reading them. On
    failure nothing is left behind and `target` is untouched.

    Args:
        target: the folder to create or replace.
        marker: a file the finished folder must hold (written last: its presence means
            complete); without it nothing is moved and RuntimeError is raised.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    holder = Path(
        tempfile.mkdtemp(prefix=f".{target.name}.", suffix=WORK_SUFFIX, dir=target.parent)
    )
    try:
        work = holder / "new"
        work.mkdir()  # not mkdtemp's 0700: that would hide the published folder from other users
        yield work
        if marker is not None and not (work / marker).exists():
            raise RuntimeError(f"refusing to publish {work}: no {marker}, so it is incomplete")
        if target.exists() or target.is_symlink():
            target.rename(holder / "old")
        work.rename(target)
    finally:
        shutil.rmtree(holder, ignore_errors=True)
