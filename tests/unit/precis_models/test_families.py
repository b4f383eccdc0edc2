"""Model families: the seq2seq family's inputs and window, the registry, and a stand-in
decoder-only family plugged in through it and served by the pipeline."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import cast

import pytest

from precis_models import families
from precis_models.catalog import ModelSpec
from precis_models.engines.base import Engine, GenerateOptions, Output
from precis_models.families import Counter, family, register
from precis_models.loader import load_engine
from precis_models.runtime import Runtime
from precis_news.pipeline.jobs import SummarizeJob
from tests.support import cpu_runtime
from tests.unit.precis_news.pipeline.stand_ins import FirstWords, model_set, serving

PROMPT = "Summarize this article in one line.\n{text}\nSummary:"
HEAD, TAIL = PROMPT.split("{text}")
LONG = " ".join(f"Report {i} says the council met again." for i in range(30))  # 7 words each
RUNTIME = cpu_runtime()


class PromptEcho:
    """A stand-in decoder-only model: tokens are words plus one begin token, and it continues
    its prompt with the article's first words. Every input is kept in `calls`."""

    parallelism = 1

    def __init__(self, name: str, max_input_tokens: int) -> None:
        self.name = name
        self.max_input_tokens = max_input_tokens
        self.calls: list[list[str]] = []

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return [1 + len(text.split()) for text in texts]

    def generate_outputs(
        self, texts: Sequence[str], options: GenerateOptions, *, limits: Sequence[int] = ()
    ) -> list[Output]:
        self.calls.append(list(texts))
        caps = list(limits) or [options.max_new_tokens] * len(texts)
        outputs = []
        for text, cap in zip(texts, caps, strict=True):
            words = text.removeprefix(HEAD).removesuffix(TAIL).split()
            outputs.append(Output(" ".join(words[:cap]), ended=len(words) <= cap))
        return outputs


class DecoderOnly:
    """A prompt-based family: the text goes into the catalog's prompt, and the model's context
    holds the prompt, the text and the longest summary it may write."""

    name = "stand-in-decoder"

    def engine(self, spec: ModelSpec, model_dir: Path, runtime: Runtime) -> Engine:
        return PromptEcho(spec.name, spec.max_input_tokens)

    def inputs(self, spec: ModelSpec, texts: Sequence[str]) -> list[str]:
        return [spec.prompt.replace("{text}", text) for text in texts]

    def window(self, spec: ModelSpec, *, max_input_tokens: int, count_tokens: Counter) -> int:
        prompt = count_tokens(self.inputs(spec, [""]))[0]
        longest = max(high for _, high in spec.lengths.values())
        return max_input_tokens - prompt - longest


def _decoder_spec() -> ModelSpec:
    return ModelSpec(
        name="sum-llm",
        task="summarize",
        repo="stand-in/sum-llm",
        license="-",
        max_input_tokens=60,
        languages=("en",),
        lengths={"short": (2, 4), "medium": (3, 8), "long": (4, 12)},
        family=DecoderOnly.name,
        prompt=PROMPT,
    )


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """The registry as it is, restored after the test."""
    monkeypatch.setattr(families, "FAMILIES", dict(families.FAMILIES))


def test_the_seq2seq_family_puts_the_prefix_first_and_leaves_room_for_its_tokens() -> None:
    summarizer = model_set().summarizer  # seq2seq (the default), prefix " ", 64 tokens
    assert summarizer.family.name == "seq2seq"
    assert summarizer.inputs(["a", "b"]) == [" a", " b"]
    assert summarizer.window == 64 - 2 - 1  # begin and end tokens, and the prefix's


def test_an_unknown_family_is_refused_with_the_known_ones() -> None:
    with pytest.raises(ValueError, match="unknown model family 'llama'; known: seq2seq"):
        family("llama")


@pytest.mark.usefixtures("registry")
async def test_a_registered_decoder_only_family_serves_a_summary_through_the_pipeline(
    tmp_path: Path,
) -> None:
    register(DecoderOnly())
    spec = _decoder_spec()
    engine = cast(PromptEcho, load_engine(spec, tmp_path, RUNTIME))  # built by its family
    models = model_set(cast(FirstWords, engine), summarizer_model=spec)
    assert models.summarizer.window == 60 - (1 + 7) - 12  # context - prompt - longest summary
    job = SummarizeJob(LONG, targets=("en", "fr"))
    async with serving(models, long_article="merge") as pipeline:
        result = await pipeline.summarize(job)
    english, french = result.summaries
    assert english.model == "sum-llm" and english.text.startswith("Report 0 says")
    assert french.text.startswith("[en-fr] Report 0 says")  # the seq2seq translators as ever
    assert result.metadata.chunks > 1 and result.metadata.merge_passes >= 1
    inputs = [text for call in engine.calls for text in call]
    assert all(text.startswith(HEAD) and text.endswith(TAIL) for text in inputs)
    # Every input leaves the context room for the longest summary.
    assert max(engine.count_tokens(inputs)) + 12 <= spec.max_input_tokens
    assert "Report 29 says" in " ".join(engine.calls[0])  # chunked, not cut
