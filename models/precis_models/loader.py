"""Load a profile's models into engines behind batchers, and route language pairs to them."""

from __future__ import annotations

import asyncio
import functools
import importlib.util
import json
import logging
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from precis_models import tracing
from precis_models.allocator import release_free_memory
from precis_models.backends import (
    ABSTRACTIVE,
    BACKENDS,
    CONVERSION_EXTRA,
    backend,
    install_hint,
    summarizer_engine,
)
from precis_models.batching import BatchLimits, BatchObserver, Generated, MicroBatcher, QueueFull
from precis_models.cache import ResultCache
from precis_models.catalog import ModelSpec, Profile
from precis_models.engines.base import Engine, GenerateOptions
from precis_models.families import Family, family
from precis_models.residency import Residency
from precis_models.runtime import Runtime
from precis_models.scheduling import ANYONE, Caller, Slots
from precis_models.sentences import fit
from precis_models.store import (
    Manifest,
    ModelsMissing,
    is_present,
    make_once,
    read_manifest,
    require_models,
    transformers_path,
    write_manifest,
)
from precis_models.thread_priority import may_restore_priority, threads_known

log = logging.getLogger(__name__)

PIVOT = "en"


def resolve_runtime(runtime: Runtime) -> Runtime:
    """Turn "auto" device / compute type / threads into concrete values."""
    chosen = backend(runtime.backend)
    device = runtime.device
    if device == "auto":
        device = "cuda" if chosen.cuda_available() else "cpu"
    compute = runtime.compute_type
    if compute == "auto":
        compute = chosen.auto_compute_type(device)
    threads = runtime.threads or len(os.sched_getaffinity(0))
    per_call = min(max(1, runtime.threads_per_call), threads)
    return replace(
        runtime,
        device=device,
        compute_type=compute,
        threads=threads,
        threads_per_call=per_call,
        background_nice=_background_nice(runtime, device=device, per_call=per_call),
    )


def _background_nice(runtime: Runtime, *, device: str, per_call: int) -> int:
    """The setting where niced background calls can work, else 0 (and why, in the log)."""
    wanted = runtime.background_nice
    if wanted <= 0:
        return 0
    if runtime.backend != "ctranslate2" or not threads_known(device, per_call):
        log.info(
            "background calls run at normal priority: niced threads need the ctranslate2 "
            "backend on cpu with one thread per call"
        )
        return 0
    if not may_restore_priority():
        log.warning(
            "background calls run at normal priority: this process may not give a niced "
            "thread its priority back (it needs CAP_SYS_NICE or an RLIMIT_NICE of 20: "
            "docs/deployment.md, Thread priority); a slot is kept for interactive work instead"
        )
        return 0
    return wanted


# What building random-weight models imports (the `torch` extra); serving needs neither.
BUILD_MODULES = ("torch", "transformers")


class BuildNeedsExtra(ModelsMissing):
    """Models must be built here, and this install cannot build them (no torch extra)."""


def to_build(
    profile: Profile, model_dir: Path, *, summarizer: str = ABSTRACTIVE
) -> list[ModelSpec]:
    """The profile's locally built models that are not there yet (the summarizer's only when
    the profile's own model summarizes: the extractive one needs no weights)."""
    wanted = profile.models if summarizer == ABSTRACTIVE else profile.translators
    return [spec for spec in wanted if spec.is_built and not _built(spec, model_dir)]


def _built(spec: ModelSpec, model_dir: Path) -> bool:
    # A built model carries every backend's files (its CTranslate2 copy included).
    return all(is_present(spec, model_dir, backend=b) for b in BACKENDS)


def require_buildable(profile: Profile, model_dir: Path, *, summarizer: str = ABSTRACTIVE) -> None:
    """Fail fast, saying what to install, when models must be built and cannot be.

    Raises:
        BuildNeedsExtra: the install lacks torch or transformers.
    """
    missing = [m for m in BUILD_MODULES if importlib.util.find_spec(m) is None]
    needed = to_build(profile, model_dir, summarizer=summarizer) if missing else []
    if needed:
        raise BuildNeedsExtra(
            f"profile {profile.name!r} needs models built in {model_dir} "
            f"({', '.join(s.name for s in needed)}), and building them needs "
            f"{' and '.join(missing)}, which this install lacks (a server-only install serves "
            f"them but cannot build them): {install_hint(CONVERSION_EXTRA)}; or run `precis "
            f"models build-tiny --model-dir {model_dir}` where torch is installed and copy the "
            "folder here"
        )


def build_missing(
    profile: Profile, model_dir: Path, *, summarizer: str = ABSTRACTIVE
) -> list[ModelSpec]:
    """Build the profile's locally built (random-weight) models that are not there yet.

    Each model is built under its lock (the one fetch takes): a second process building into
    the same folder waits, then finds the model there; the work folders of a build that was
    killed are removed first.

    Returns:
        The models built (by this call).

    Raises:
        BuildNeedsExtra: models must be built and this install cannot (see require_buildable).
    """
    require_buildable(profile, model_dir, summarizer=summarizer)
    built = []
    for spec in to_build(profile, model_dir, summarizer=summarizer):
        made = make_once(
            spec,
            model_dir,
            present=functools.partial(_built, spec, model_dir),
            make=functools.partial(_build, spec, model_dir),
        )
        if made:
            built.append(spec)
    return built


def _build(spec: ModelSpec, model_dir: Path) -> None:
    from precis_models.build import PRESETS, build_model

    assert spec.build is not None
    log.info("building %s (%s) in %s", spec.name, spec.build, spec.directory(model_dir))
    build_model(
        spec.build,
        spec.directory(model_dir),
        source_languages=spec.source_languages,
        target_languages=spec.target_languages,
        target_tokens=spec.target_tokens,
    )
    write_manifest(
        spec.directory(model_dir),
        Manifest(
            spec.name,
            spec.repo,
            "built",
            "built",
            PRESETS[spec.build].ctranslate2_quantization,
        ),
    )


class TargetTokenMissing(ModelsMissing):
    """A multi-target model's vocabulary lacks a catalog target-language token."""


def check_target_tokens(spec: ModelSpec, folder: Path) -> None:
    """Fail the load when a target-language token (e.g. >>ukr<<) is not in the vocabulary: the
    model would read it as <unk> and write whichever language it likes.

    Raises:
        TargetTokenMissing: naming the missing tokens and the folder.
    """
    if not spec.target_tokens:
        return
    vocabulary = _vocabulary(folder)
    missing = [f"{t} ({lang})" for lang, t in spec.target_tokens.items() if t not in vocabulary]
    if missing:
        raise TargetTokenMissing(
            f"model {spec.name!r} in {folder}: target-language token(s) {', '.join(missing)} "
            "not in its vocabulary; the catalog's target_tokens do not fit this model (fix the "
            "catalog, or fetch the model again with --force)"
        )


def _vocabulary(folder: Path) -> set[str]:
    """Token strings of a model folder: Marian's vocab.json, else tokenizer.json's model."""
    if (folder / "vocab.json").is_file() and (folder / "source.spm").is_file():
        return set(json.loads((folder / "vocab.json").read_text(encoding="utf-8")))
    tokenizer = json.loads((folder / "tokenizer.json").read_text(encoding="utf-8"))
    added = {t["content"] for t in tokenizer.get("added_tokens", ())}
    return set(tokenizer["model"]["vocab"]) | added


def load_engine(spec: ModelSpec, model_dir: Path, runtime: Runtime) -> Engine:
    """Load one model, as its family builds it, on the runtime's backend (the runtime must be
    resolved)."""
    return family(spec.family).engine(spec, model_dir, runtime)


@dataclass(frozen=True)
class LoadedModel:
    """A model ready to take requests."""

    spec: ModelSpec
    batcher: MicroBatcher
    revision: str

    @property
    def name(self) -> str:
        return self.spec.name

    def options(self, *, max_new_tokens: int, min_new_tokens: int = 0) -> GenerateOptions:
        """Decoding options: the model's published beam settings with these lengths."""
        return decoding_options(
            self.spec, max_new_tokens=max_new_tokens, min_new_tokens=min_new_tokens
        )

    async def generate(
        self,
        texts: Sequence[str],
        options: GenerateOptions,
        *,
        lengths: Sequence[int] = (),
        admitted: bool = False,
        caller: Caller = ANYONE,
    ) -> Generated:
        """One output per text, batched with other callers' texts (MicroBatcher.submit).

        Args:
            texts: the model's inputs (see `inputs` for a summarizer's).
            options: decoding (see `options`).
            lengths: the texts' input tokens, when the caller has counted them already.
            admitted: a later step of a call the service admitted already: never refused.
            caller: whom it is for (priority, fair-share key, deadline).

        Raises:
            QueueFull: the model's queue is full of other callers' texts, or of this key's.
            DeadlineUnmeetable: the caller's deadline cannot be met (nothing was started).
            asyncio.CancelledError: the caller was cancelled (its texts leave the queue).
        """
        with tracing.span("generate", model=self.name, texts=len(texts)) as current:
            started = time.time_ns()
            generated = await self.batcher.submit(
                texts, options, lengths=lengths, admitted=admitted, caller=caller
            )
            tracing.note_generated(
                current, started, generated, tokens=lambda: sum(lengths or self.count_tokens(texts))
            )
            return generated

    def refusal(
        self, texts: int = 1, *, ahead: int = 0, caller: Caller = ANYONE
    ) -> QueueFull | None:
        """The QueueFull a call of `texts` uncached texts from `caller` would get now, or None;
        `ahead` texts on their way to the queue (not in it yet) count as queued."""
        return self.batcher.refusal(texts, ahead=ahead, caller=caller)

    async def warm_up(self) -> None:
        """One short generate call on the model's own inference thread, so that the first
        caller does not pay for lazy initialisation (and a model that loads on demand is
        unloaded again)."""
        engine = self.batcher.engine
        options = self.options(max_new_tokens=2)
        await self.batcher.run_sync(engine.generate_outputs, ["Warm up."], options)
        # An engine that loads on demand (CTranslate2 with a keep-alive) has now shown that its
        # weights load and run; it gives them back before the next model warms up.
        if self.residency is not None:
            await self.batcher.run_sync(self.residency.release)

    @property
    def residency(self) -> Residency | None:
        """The engine's weights in memory, where it has a Residency (CTranslate2), else None."""
        found = getattr(self.batcher.engine, "residency", None)
        return found if isinstance(found, Residency) else None

    def is_loaded(self) -> bool:
        """Whether the model's weights are in memory now (always, unless loaded on demand)."""
        return self.residency is None or self.residency.loaded

    @property
    def engine(self) -> Engine:
        """The engine behind the batcher (benchmarks and tests read or wrap it)."""
        return self.batcher.engine

    def replace_engine(self, engine: Engine) -> Engine:
        """Serve with `engine` from the next batch on (benchmarks record calls, tests alter
        outputs), and return the engine it replaces."""
        replaced, self.batcher.engine = self.batcher.engine, engine
        return replaced

    @property
    def family(self) -> Family:
        """The model's architecture (catalog `family`)."""
        return family(self.spec.family)

    def inputs(self, texts: Sequence[str]) -> list[str]:
        """What the model reads to summarize each text (its family's prefix or prompt)."""
        return self.family.inputs(self.spec, texts)

    @property
    def window(self) -> int:
        """Tokens of text in one summarizer input, as the model's family counts them."""
        return self.family.window(
            self.spec, max_input_tokens=self.max_input_tokens, count_tokens=self.count_tokens
        )

    # What the pipeline asks of the engine, read on each call (tests may swap the engine).
    @property
    def max_input_tokens(self) -> int:
        """Input tokens the engine reads."""
        return self.batcher.engine.max_input_tokens

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Input tokens of each text, special tokens included."""
        return self.batcher.engine.count_tokens(texts)

    def added_tokens(self, prefix: str) -> int:
        """Tokens that `prefix` (e.g. a target-language token) adds to every input."""
        return self.count_tokens([prefix])[0] - self.count_tokens([""])[0]

    def fit(self, per_text: Sequence[Sequence[str]], *, budget: int) -> list[list[tuple[str, int]]]:
        """Each text's sentences with their tokens, those over `budget` split (sentences.fit)."""
        return [fit(sentences, budget=budget, count=self.count_tokens) for sentences in per_text]


def decoding_options(
    spec: ModelSpec, *, max_new_tokens: int, min_new_tokens: int = 0
) -> GenerateOptions:
    """`spec`'s published beam settings (catalog) with these lengths."""
    d = spec.decoding
    return GenerateOptions(
        max_new_tokens=max_new_tokens,
        min_new_tokens=min(min_new_tokens, max_new_tokens),
        num_beams=d.num_beams,
        length_penalty=d.length_penalty,
        no_repeat_ngram_size=d.no_repeat_ngram_size,
    )


@dataclass(frozen=True)
class Hop:
    """One translation step: `model` turns `source` text into `target` text."""

    model: LoadedModel
    source: str
    target: str

    def prepare(self, text: str) -> str:
        """The model's input for `text` (multi-target models want a target token first)."""
        token = self.model.spec.target_tokens.get(self.target)
        return f"{token} {text}" if token else text


class ModelSet:
    """The loaded models of one profile."""

    def __init__(
        self, profile: Profile, summarizer: LoadedModel, translators: list[LoadedModel]
    ) -> None:
        self.profile = profile
        self.summarizer = summarizer
        self.translators = translators
        self._direct = {pair: m for m in translators for pair in m.spec.pairs}

    @property
    def models(self) -> list[LoadedModel]:
        return [self.summarizer, *self.translators]

    @property
    def pairs(self) -> list[tuple[str, str]]:
        return list(self._direct)

    def route(self, source: str, target: str) -> list[Hop] | None:
        """The translation steps from source to target: direct, else through English; None when
        no route exists ([] when source == target)."""
        if source == target:
            return []
        if (source, target) in self._direct:
            return [Hop(self._direct[source, target], source, target)]
        first, second = self._direct.get((source, PIVOT)), self._direct.get((PIVOT, target))
        if first and second:
            return [Hop(first, source, PIVOT), Hop(second, PIVOT, target)]
        return None

    def start(self) -> None:
        for model in self.models:
            model.batcher.start()

    async def close(self) -> None:
        await asyncio.gather(*(m.batcher.close() for m in self.models))


def load_model_set(
    profile: Profile,
    model_dir: Path,
    runtime: Runtime,
    *,
    limits: BatchLimits,
    cache: ResultCache | None = None,
    observer: BatchObserver | None = None,
    summarizer: str = ABSTRACTIVE,
) -> ModelSet:
    """Load every model of a profile (blocking; call from a worker thread).

    Args:
        profile: which models.
        model_dir: where they are.
        runtime: resolved backend, device, compute type and threads (all the models share its
            `slots`: a model call waits for one, and forms its batch when it has it).
        limits: batching limits for every model.
        cache: shared result cache, or None.
        observer: batching metrics sink, or None.
        summarizer: a name in backends.SUMMARIZERS: the profile's model (abstractive) or one
            that replaces it (extractive).

    Raises:
        ValueError: a model's family (catalog `family`) is not registered in families.
        ModelsMissing: downloadable models are not there (the message says what to run).
    """
    for spec in profile.models:
        family(spec.family)  # before anything is read or built
    require_models(profile, model_dir, backend=runtime.backend)
    build_missing(profile, model_dir, summarizer=summarizer)
    slots = Slots(
        runtime.slots,
        reserve_s=limits.interactive_reserve_seconds,
        overcommit=runtime.overcommit,
    )

    def load(spec: ModelSpec, engine: Engine | None = None) -> LoadedModel:
        manifest = read_manifest(spec, model_dir)
        revision = manifest.revision if manifest else "unknown"
        if engine is None:
            check_target_tokens(spec, transformers_path(spec, model_dir))
            log.info(
                "loading %s (%s, %s, %s)",
                spec.name,
                runtime.backend,
                runtime.device,
                runtime.compute_type,
            )
            engine = load_engine(spec, model_dir, runtime)
            release_free_memory()  # what loading read and dropped, before the next model
        else:
            revision = "-"
        batcher = MicroBatcher(
            engine, revision=revision, limits=limits, cache=cache, observer=observer, slots=slots
        )
        return LoadedModel(spec, batcher, revision)

    replacement = summarizer_engine(summarizer)
    summarizing = load(*replacement) if replacement else load(profile.summarizer)
    return ModelSet(profile, summarizing, [load(spec) for spec in profile.translators])
