"""The engine floor: a request's model calls, recorded in the pipeline, replayed on CTranslate2.

`record` loads the profile in this process exactly as `precis serve` does (same settings from the
same PRECIS_* environment, same engines and batchers), serves one request through the product
code (no gRPC) and keeps every model call: texts, decoding options and per-text limits. `replay`
makes those calls again directly with `ctranslate2.Translator.translate_batch` on pre-tokenized
inputs, the summary first and then the translations, which depend on it: together on their own
threads, as the server runs them, or one after the other, whichever is faster on this machine.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from precis_models.engines.base import GenerateOptions, Output


@dataclass(frozen=True)
class Call:
    """One model call as the batcher made it."""

    model: str
    texts: list[str]
    options: GenerateOptions
    limits: list[int]
    seconds: float


class _Recording:
    """An engine that records each call and passes it on (every other attribute is the
    engine's own)."""

    def __init__(self, engine: Any, calls: list[Call]) -> None:
        self._engine = engine
        self._calls = calls
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._engine, name)

    def generate_outputs(
        self, texts: Sequence[str], options: GenerateOptions, *, limits: Sequence[int] = ()
    ) -> list[Output]:
        started = time.perf_counter()
        outputs = self._engine.generate_outputs(texts, options, limits=limits)
        seconds = time.perf_counter() - started
        with self._lock:
            self._calls.append(Call(self._engine.name, list(texts), options, list(limits), seconds))
        return outputs  # type: ignore[no-any-return]


@dataclass
class Floor:
    """The profile loaded in-process, and the calls of the last recorded request."""

    engines: dict[str, Any]  # name -> CTranslate2Engine
    summarizer: str
    calls: list[Call]
    pipeline_seconds: float  # the recorded request through the in-process pipeline


def record(
    env: Mapping[str, str], *, model_dir: Path, profile: str, job: Any, warm_ups: int = 1
) -> Floor:
    """Serve `job` (a pipeline SummarizeJob) in-process with the server's settings from `env`
    (PRECIS_* variables), after `warm_ups` identical untimed runs; return its model calls."""
    from precis_models import languages
    from precis_models.batching import BatchLimits
    from precis_models.catalog import load_catalog
    from precis_models.language import LanguageDetector
    from precis_models.loader import load_model_set, resolve_runtime
    from precis_models.runtime import Runtime
    from precis_news.pipeline import Pipeline
    from precis_news.settings import load_settings

    settings = load_settings(
        env={**env, "PRECIS_PROFILE": profile, "PRECIS_MODEL_DIR": str(model_dir)}
    )
    runtime = resolve_runtime(settings.view(Runtime))
    models = load_model_set(
        load_catalog().profile(settings.profile),
        settings.model_dir,
        runtime,
        limits=settings.view(BatchLimits),
    )
    calls: list[Call] = []
    for model in models.models:
        model.replace_engine(_Recording(model.engine, calls))  # type: ignore[arg-type]
    pipeline = Pipeline(models, LanguageDetector(languages.codes()), settings)

    async def serve() -> float:
        models.start()
        try:
            for _ in range(warm_ups):
                await pipeline.summarize(job)
            calls.clear()
            started = time.perf_counter()
            await pipeline.summarize(job)
            return time.perf_counter() - started
        finally:
            await models.close()

    seconds = asyncio.run(serve())
    engines = {m.name: m.engine._engine for m in models.models}  # type: ignore[attr-defined]
    return Floor(engines, models.summarizer.name, list(calls), seconds)


def _direct(engine: Any, call: Call) -> tuple[Any, dict[str, Any]]:
    """The translate_batch arguments of `call` (tokenized once, outside the timing), as
    CTranslate2Engine.generate_tokens passes them."""
    source = engine.encode(call.texts)
    options = call.options  # the batch's options (the batcher merged its texts' already)
    prefix = engine.prefix
    return source, {
        "target_prefix": [prefix] * len(source) if prefix else None,
        "beam_size": options.num_beams,
        "max_decoding_length": options.max_new_tokens + len(prefix),
        "min_decoding_length": options.min_new_tokens + len(prefix),
        "length_penalty": options.length_penalty,
        "no_repeat_ngram_size": options.no_repeat_ngram_size,
    }


def _run(engine: Any, prepared: tuple[Any, dict[str, Any]]) -> None:
    source, kwargs = prepared
    engine.translator.translate_batch(source, **kwargs)


def replay(floor: Floor) -> dict[str, float]:
    """Seconds for the recorded calls made directly: `summary` (its calls in order), the
    translations `together` (one thread per call) and `in_turn`, and `floor` = summary + the
    faster of the two."""
    summary = [c for c in floor.calls if c.model == floor.summarizer]
    translations = [c for c in floor.calls if c.model != floor.summarizer]
    prepared_summary = [
        (floor.engines[c.model], _direct(floor.engines[c.model], c)) for c in summary
    ]
    prepared = [(floor.engines[c.model], _direct(floor.engines[c.model], c)) for c in translations]

    started = time.perf_counter()
    for engine, arguments in prepared_summary:
        _run(engine, arguments)
    summary_seconds = time.perf_counter() - started

    started = time.perf_counter()
    threads = [threading.Thread(target=_run, args=item) for item in prepared]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    together = time.perf_counter() - started

    started = time.perf_counter()
    for engine, arguments in prepared:
        _run(engine, arguments)
    in_turn = time.perf_counter() - started
    return {
        "summary": summary_seconds,
        "together": together,
        "in_turn": in_turn,
        "floor": summary_seconds + min(together, in_turn),
    }


def describe(calls: Sequence[Call]) -> list[str]:
    """One line per recorded call: model, texts, decoding lengths and beams, its time."""
    return [
        f"{c.model}: {len(c.texts)} text(s), new tokens {c.options.min_new_tokens}-"
        f"{c.options.max_new_tokens}, beams {c.options.num_beams}, {c.seconds:.2f}s in the pipeline"
        for c in calls
    ]
