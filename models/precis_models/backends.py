"""The inference backends and summarizer choices: one entry each, read by settings, CLI, loader."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

# Imports stay light here (the engines' libraries are imported when an engine is built): the
# store and the `precis` commands read this registry without loading a model library.
if TYPE_CHECKING:
    from precis_models.catalog import ModelSpec
    from precis_models.engines.base import Engine

TRANSFORMERS_DIR = "transformers"  # the download: config, tokenizer, weights (every backend)
CTRANSLATE2_DIR = "ctranslate2"  # the CTranslate2 conversion of that download

CONVERSION_EXTRA = "torch"  # converting a download to CTranslate2 reads it with transformers
CONVERSION_MODULES = ("torch", "transformers", "sacremoses")


@dataclass(frozen=True, kw_only=True)
class Backend:
    """One way to run a model: its store folder and its install extra (each model family
    says how it builds an engine on it: see families)."""

    name: str
    folder: str  # subfolder of a model's directory holding the weights this backend loads
    weights: str  # file in `folder` that is there once those weights are complete
    converts: bool  # `folder` is converted from the download (fetch converts after download)
    extra: str  # the precis-news extra that installs `modules`
    modules: tuple[str, ...]  # top-level modules its engine imports
    compute_types: Mapping[str, str]  # what compute type "auto" means, per device
    cuda_available: Callable[[], bool]

    def path(self, spec: ModelSpec, model_dir: Path) -> Path:
        """The folder this backend loads `spec`'s weights from."""
        return spec.directory(model_dir) / self.folder

    def needed_files(self, spec: ModelSpec, model_dir: Path) -> list[Path]:
        """Files that must be there to load `spec`: the download's config and the weights."""
        config = spec.directory(model_dir) / TRANSFORMERS_DIR / "config.json"
        return list(dict.fromkeys([config, self.path(spec, model_dir) / self.weights]))

    def auto_compute_type(self, device: str) -> str:
        return self.compute_types[device]


def _ctranslate2_cuda() -> bool:
    import ctranslate2

    return bool(ctranslate2.get_cuda_device_count() > 0)


def _torch_cuda() -> bool:
    import torch

    return bool(torch.cuda.is_available())


CTRANSLATE2 = Backend(
    name="ctranslate2",
    folder=CTRANSLATE2_DIR,
    weights="model.bin",
    converts=True,
    extra="server",
    modules=("ctranslate2",),
    compute_types=MappingProxyType({"cpu": "int8", "cuda": "int8_float16"}),
    cuda_available=_ctranslate2_cuda,
)
TRANSFORMERS = Backend(
    name="transformers",
    folder=TRANSFORMERS_DIR,
    weights="config.json",
    converts=False,
    extra="torch",
    modules=("torch", "transformers"),
    compute_types=MappingProxyType({"cpu": "float32", "cuda": "float16"}),
    cuda_available=_torch_cuda,
)
BACKENDS: Mapping[str, Backend] = MappingProxyType({b.name: b for b in (CTRANSLATE2, TRANSFORMERS)})


def backend(name: str) -> Backend:
    """The backend called `name`.

    Raises:
        ValueError: no backend has that name (the message lists them).
    """
    try:
        return BACKENDS[name]
    except KeyError:
        raise ValueError(f"unknown backend {name!r}; use {' or '.join(BACKENDS)}") from None


def for_download(*, convert: bool) -> Backend:
    """The backend a download serves: the converting one when it is converted, else the other."""
    return next(b for b in BACKENDS.values() if b.converts == convert)


def extra_for(module: str) -> str:
    """The precis-news extra that installs `module` (a top-level module name)."""
    if module in CONVERSION_MODULES:
        return CONVERSION_EXTRA
    return next((b.extra for b in BACKENDS.values() if module in b.modules), "server")


def install_hint(extra: str) -> str:
    """The command that installs a precis-news extra (torch: its CPU build first)."""
    if extra == CONVERSION_EXTRA:
        return (
            "pip install torch --index-url https://download.pytorch.org/whl/cpu (the CPU "
            "build), then pip install 'precis-news[torch]'"
        )
    return f"pip install 'precis-news[{extra}]'"


# -- summarizers: the profile's model, or an algorithm that needs no weights -------------------

ABSTRACTIVE = "abstractive"  # the profile's summarizer model, on the chosen backend
EXTRACTIVE = "extractive"
SUMMARIZERS = (ABSTRACTIVE, EXTRACTIVE)


def summarizer_engine(name: str) -> tuple[ModelSpec, Engine] | None:
    """The catalog entry and engine of a summarizer that replaces the profile's model, or None
    when the profile's own model summarizes.

    Raises:
        ValueError: `name` is not one of SUMMARIZERS.
    """
    if name == ABSTRACTIVE:
        return None
    if name != EXTRACTIVE:
        raise ValueError(f"unknown summarizer {name!r}; use {' or '.join(SUMMARIZERS)}")
    from precis_models import languages
    from precis_models.catalog import ModelSpec
    from precis_models.engines.extractive import ExtractiveEngine

    spec = ModelSpec(
        name=EXTRACTIVE,
        task="summarize",
        repo="precis/extractive",
        license="apache-2.0",
        max_input_tokens=1_000_000,
        languages=languages.codes(),
    )
    return spec, ExtractiveEngine(name=spec.name, max_input_tokens=spec.max_input_tokens)
