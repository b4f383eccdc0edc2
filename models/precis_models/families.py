"""Model families: how each architecture is built on a backend, fed its inputs and windowed."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from precis_models.backends import CTRANSLATE2, TRANSFORMERS

if TYPE_CHECKING:
    from precis_models.catalog import ModelSpec
    from precis_models.engines.base import Engine
    from precis_models.runtime import Runtime

SEQ2SEQ = "seq2seq"  # the catalog's default family

Counter = Callable[[Sequence[str]], list[int]]  # input tokens of each text (an engine's count)


class Family(Protocol):
    """What the model layer and the pipeline need to know about one architecture."""

    name: str  # what a catalog entry's `family` says

    def engine(self, spec: ModelSpec, model_dir: Path, runtime: Runtime) -> Engine:
        """Load `spec`'s model on the runtime's backend (the runtime resolved).

        Raises:
            ValueError: the family has no engine on that backend.
        """
        ...

    def inputs(self, spec: ModelSpec, texts: Sequence[str]) -> list[str]:
        """What the model reads to summarize each text (a prefix, a prompt)."""
        ...

    def window(self, spec: ModelSpec, *, max_input_tokens: int, count_tokens: Counter) -> int:
        """Tokens of text in one summarizer input, after what `inputs` and the model add."""
        ...


class Seq2Seq:
    """Encoder-decoder models (BART, Marian): the input between begin and end tokens, after the
    model's configured prefix; the output after a forced first token (engines.seq2seq); an
    engine on either backend."""

    name = SEQ2SEQ
    SPECIAL_TOKENS = 2  # the begin and end tokens around every input

    def engine(self, spec: ModelSpec, model_dir: Path, runtime: Runtime) -> Engine:
        builders = {CTRANSLATE2.name: _ctranslate2_engine, TRANSFORMERS.name: _transformers_engine}
        if runtime.backend not in builders:
            raise ValueError(f"the {self.name} family has no {runtime.backend!r} engine")
        return builders[runtime.backend](spec, model_dir, runtime)

    def inputs(self, spec: ModelSpec, texts: Sequence[str]) -> list[str]:
        """Each text after the model's configured prefix (BART CNN: " ")."""
        return [spec.prefix + text for text in texts]

    def window(self, spec: ModelSpec, *, max_input_tokens: int, count_tokens: Counter) -> int:
        """Room for the begin/end tokens of a packed chunk and for the model's input prefix."""
        return max_input_tokens - self.SPECIAL_TOKENS - (1 if spec.prefix else 0)


def _ctranslate2_engine(spec: ModelSpec, model_dir: Path, runtime: Runtime) -> Engine:
    from precis_models.engines.ctranslate2_engine import CTranslate2Engine

    return CTranslate2Engine(
        CTRANSLATE2.path(spec, model_dir),
        TRANSFORMERS.path(spec, model_dir),
        name=spec.name,
        max_input_tokens=spec.max_input_tokens,
        device=runtime.device,
        compute_type=runtime.compute_type,
        threads=runtime.threads_per_call,
        workers=runtime.workers,
        keep_alive_s=runtime.model_keep_alive_seconds,
        background_nice=runtime.background_nice,
    )


def _transformers_engine(spec: ModelSpec, model_dir: Path, runtime: Runtime) -> Engine:
    import torch

    from precis_models.engines.transformers_engine import TransformersEngine

    torch.set_num_threads(runtime.threads)
    return TransformersEngine(
        TRANSFORMERS.path(spec, model_dir),
        name=spec.name,
        max_input_tokens=spec.max_input_tokens,
        device=runtime.device,
        dtype=runtime.compute_type,
    )


FAMILIES: dict[str, Family] = {SEQ2SEQ: Seq2Seq()}


def register(family: Family) -> None:
    """Make `family` available to catalog entries that name it (a new architecture plugs in
    here; decoder-only prompt-based models are the next)."""
    FAMILIES[family.name] = family


def family(name: str) -> Family:
    """The family called `name`.

    Raises:
        ValueError: no family has that name (the message lists them).
    """
    try:
        return FAMILIES[name]
    except KeyError:
        raise ValueError(f"unknown model family {name!r}; known: {', '.join(FAMILIES)}") from None
