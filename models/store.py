"""The model directory: where each model's files live and what was recorded about them."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from precis_news.models.catalog import ModelSpec, Profile

MANIFEST = "precis-model.json"
TRANSFORMERS_DIR = "transformers"
CTRANSLATE2_DIR = "ctranslate2"


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
    return spec.directory(model_dir) / TRANSFORMERS_DIR


def ctranslate2_path(spec: ModelSpec, model_dir: Path) -> Path:
    return spec.directory(model_dir) / CTRANSLATE2_DIR


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
    needed = [transformers_path(spec, model_dir) / "config.json"]
    if backend == "ctranslate2":
        needed.append(ctranslate2_path(spec, model_dir) / "model.bin")
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
