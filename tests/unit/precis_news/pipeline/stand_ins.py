"""Stand-ins for the pipeline's unit tests: word-counting engines behind real batchers, a detector
that answers what it is told, and the tiny profile's shape (no model is built or loaded)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any, cast

import pytest

from precis_models.batching import Generated, MicroBatcher
from precis_models.catalog import ModelSpec
from precis_models.engines.base import GenerateOptions, Output
from precis_models.language import LanguageDetector
from precis_models.loader import LoadedModel, ModelSet
from precis_models.scheduling import ANYONE, Caller
from precis_models.unsupported import UnsupportedLanguageCheck
from precis_news.pipeline import Pipeline
from precis_news.settings import Settings
from tests.support import batch_limits

_TARGET_TOKEN = re.compile(r">>\w+<<")


class FirstWords:
    """An engine whose tokens are words: it writes `tag` and then its input's first words, up to
    the output limit (an output that did not fit is cut: ended=False). Target-language tokens
    (>>ukr<<) are read, not copied; each `replace` key written is replaced by its value (a
    translator that alters a number or drops a name). Every call's inputs are kept in `calls`."""

    parallelism = 1

    def __init__(
        self,
        name: str,
        *,
        max_input_tokens: int = 64,
        tag: str = "",
        replace: Mapping[str, str] | None = None,
    ) -> None:
        self.name = name
        self.max_input_tokens = max_input_tokens
        self.tag = tag
        self.replace = dict(replace or {})
        self.calls: list[list[str]] = []

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return [len(text.split()) for text in texts]

    def generate(
        self, texts: Sequence[str], options: GenerateOptions, *, limits: Sequence[int] = ()
    ) -> list[str]:
        return [o.text for o in self.generate_outputs(texts, options, limits=limits)]

    def generate_outputs(
        self, texts: Sequence[str], options: GenerateOptions, *, limits: Sequence[int] = ()
    ) -> list[Output]:
        self.calls.append(list(texts))
        caps = list(limits) or [options.max_new_tokens] * len(texts)
        return [self._write(text, cap) for text, cap in zip(texts, caps, strict=True)]

    def _write(self, text: str, cap: int) -> Output:
        words = [w for w in text.split() if not _TARGET_TOKEN.fullmatch(w)]
        written = ([self.tag] if self.tag else []) + words
        text = " ".join(written[:cap])
        for old, new in self.replace.items():
            text = text.replace(old, new)
        return Output(text, ended=len(written) <= cap)


class Answers:
    """A detector that gives `scores` for every text, or `by_text[text]` when it is listed; the
    texts it was asked about are kept in `asked`."""

    def __init__(
        self,
        scores: Sequence[tuple[str, float]] = (("en", 0.9), ("fr", 0.1)),
        by_text: Mapping[str, Sequence[tuple[str, float]]] | None = None,
    ) -> None:
        self.answer = list(scores)
        self.by_text = dict(by_text or {})
        self.asked: list[str] = []

    def scores(self, text: str) -> list[tuple[str, float]]:
        self.asked.append(text)
        return list(self.by_text.get(text, self.answer))


def summarizer_spec(*, max_input_tokens: int = 64, prefix: str = " ") -> ModelSpec:
    return ModelSpec(
        name="sum-en",
        task="summarize",
        repo="stand-in/sum-en",
        license="-",
        max_input_tokens=max_input_tokens,
        languages=("en",),
        lengths={"short": (2, 4), "medium": (3, 8), "long": (4, 12)},
        prefix=prefix,
    )


def translator_spec(
    name: str, pairs: Sequence[str], *, target_tokens: Mapping[str, str] | None = None
) -> ModelSpec:
    return ModelSpec(
        name=name,
        task="translate",
        repo=f"stand-in/{name}",
        license="-",
        max_input_tokens=32,
        pairs=tuple((p.split("-")[0], p.split("-")[1]) for p in pairs),
        target_tokens=dict(target_tokens or {}),
    )


# The tiny profile's shape: en <-> fr, en -> uk/ru with target tokens, uk/ru -> en.
TRANSLATORS = {
    "en-fr": translator_spec("en-fr", ["en-fr"]),
    "fr-en": translator_spec("fr-en", ["fr-en"]),
    "en-zle": translator_spec(
        "en-zle", ["en-uk", "en-ru"], target_tokens={"uk": ">>ukr<<", "ru": ">>rus<<"}
    ),
    "zle-en": translator_spec("zle-en", ["uk-en", "ru-en"]),
}


def loaded(spec: ModelSpec, engine: FirstWords) -> LoadedModel:
    return LoadedModel(spec, MicroBatcher(engine, limits=batch_limits()), "-")  # type: ignore[arg-type]


def model_set(
    summarizer: FirstWords | None = None,
    *,
    summarizer_model: ModelSpec | None = None,
    translators: Sequence[str] = tuple(TRANSLATORS),
) -> ModelSet:
    """A summarizer (default: FirstWords) and the named TRANSLATORS, each tagging its output
    with its name in brackets ("[en-fr]")."""
    return ModelSet(
        None,  # type: ignore[arg-type]  # the pipeline reads only the loaded models
        loaded(summarizer_model or summarizer_spec(), summarizer or FirstWords("sum-en")),
        [
            loaded(TRANSLATORS[n], FirstWords(n, max_input_tokens=32, tag=f"[{n}]"))
            for n in translators
        ],
    )


def engine(models: ModelSet, name: str) -> FirstWords:
    """The stand-in engine of the model called `name`."""
    return cast(FirstWords, next(m for m in models.models if m.name == name).engine)


@asynccontextmanager
async def serving(
    models: ModelSet,
    detector: Answers | None = None,
    *,
    unsupported: object | None = None,
    **settings: object,
) -> AsyncIterator[Pipeline]:
    """A Pipeline over `models` (batchers started, closed after), with these settings and
    `unsupported` as its UnsupportedLanguageCheck (none by default)."""
    models.start()
    try:
        yield Pipeline(
            models,
            cast(LanguageDetector, detector or Answers()),
            Settings(**settings),  # type: ignore[arg-type]
            unsupported=cast(UnsupportedLanguageCheck | None, unsupported),
        )
    finally:
        await models.close()


class CallersSeen:
    """Records whom each model call was for (LoadedModel.generate's caller), by model name."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.callers: list[tuple[str, Caller]] = []
        original = LoadedModel.generate

        async def generate(model: LoadedModel, *args: Any, **kwargs: Any) -> Generated:
            self.callers.append((model.name, kwargs.get("caller", ANYONE)))
            return await original(model, *args, **kwargs)

        monkeypatch.setattr(LoadedModel, "generate", generate)

    def long(self, name: str) -> list[bool]:
        """Whether each call to model `name` was for a long request (Caller.long), in order."""
        return [caller.long for model, caller in self.callers if model == name]
