"""The CTranslate2 engine generates what transformers generates, in int8 too."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from precis_models.catalog import load_catalog
from precis_models.engines.base import GenerateOptions
from precis_models.engines.ctranslate2_engine import CTranslate2Engine
from precis_models.engines.transformers_engine import TransformersEngine
from precis_models.loader import load_engine
from precis_models.sentences import split_sentences
from precis_models.store import ctranslate2_path, transformers_path
from precis_models.thread_priority import LOWEST
from tests.support import (
    article,
    cpu_runtime,
    tiny_spec,
)

GREEDY = GenerateOptions(max_new_tokens=12, num_beams=1)


def _engines(model_dir: Path, name: str) -> tuple[TransformersEngine, CTranslate2Engine]:
    spec = tiny_spec(name)
    torch_engine = TransformersEngine(
        transformers_path(spec, model_dir), name=name, max_input_tokens=spec.max_input_tokens
    )
    ct2_engine = CTranslate2Engine(
        ctranslate2_path(spec, model_dir),
        transformers_path(spec, model_dir),
        name=name,
        max_input_tokens=spec.max_input_tokens,
        compute_type="float32",
        threads=1,
    )
    return torch_engine, ct2_engine


@pytest.mark.parametrize("name", ["tiny-bart", "tiny-marian-en-fr", "tiny-marian-en-zle"])
def test_transformers_and_ctranslate2_generate_the_same_tokens(model_dir: Path, name: str) -> None:
    torch_engine, ct2_engine = _engines(model_dir, name)
    prefix = ">>ukr<< " if name.endswith("zle") else ""
    texts = [prefix + s for s in split_sentences(article("en"))[:6]]
    assert torch_engine.count_tokens(texts) == ct2_engine.count_tokens(texts)
    expected = torch_engine.content_tokens(texts, GREEDY)
    assert ct2_engine.content_tokens(texts, GREEDY) == expected
    assert all(len(tokens) == GREEDY.max_new_tokens for tokens in expected)  # random: no EOS


def test_int8_engine_loads_and_respects_lengths(model_dir: Path) -> None:
    spec = load_catalog().profile("tiny").summarizer
    engine = load_engine(
        spec,
        model_dir,
        cpu_runtime(threads_per_call=2),
    )
    tokens = engine.content_tokens(  # type: ignore[attr-defined]
        ["The council met.", "Rain is expected."],
        GenerateOptions(max_new_tokens=5, min_new_tokens=5),
    )
    assert [len(x) for x in tokens] == [5, 5]


def test_a_keep_alive_engine_starts_unloaded_loads_for_a_call_and_gives_the_same_tokens(
    model_dir: Path,
) -> None:
    spec = tiny_spec("tiny-marian-en-fr")
    paths = ctranslate2_path(spec, model_dir), transformers_path(spec, model_dir)
    common = {"name": spec.name, "max_input_tokens": spec.max_input_tokens, "threads": 1}
    resident = CTranslate2Engine(*paths, **common)
    on_demand = CTranslate2Engine(*paths, keep_alive_s=60, **common)
    assert resident.translator.model_is_loaded
    assert not on_demand.translator.model_is_loaded  # unloaded as soon as it was read
    texts = split_sentences(article("en"))[:3]
    expected = resident.content_tokens(texts, GREEDY)
    assert on_demand.content_tokens(texts, GREEDY) == expected
    assert on_demand.translator.model_is_loaded and on_demand.residency.loads == 1
    on_demand.residency.release()
    assert not on_demand.translator.model_is_loaded
    assert on_demand.content_tokens(texts, GREEDY) == expected  # loaded again
    assert on_demand.residency.loads == 2


def _cpu_ticks(tid: int) -> int:
    """CPU time a thread of this process has used (user + system, in clock ticks)."""
    fields = Path(f"/proc/self/task/{tid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def test_the_engine_finds_its_own_inference_threads_and_nices_them(model_dir: Path) -> None:
    spec = tiny_spec("tiny-marian-en-fr")
    paths = ctranslate2_path(spec, model_dir), transformers_path(spec, model_dir)
    engine = CTranslate2Engine(
        *paths,
        name=spec.name,
        max_input_tokens=spec.max_input_tokens,
        threads=1,
        workers=2,
        background_nice=LOWEST,
    )
    threads = engine.thread_priority
    assert threads is not None and len(threads.tids) == 2  # one per replica
    before = {tid: _cpu_ticks(tid) for tid in threads.tids}
    texts = split_sentences(article("en")) * 20
    engine.content_tokens(texts, GenerateOptions(max_new_tokens=64, min_new_tokens=64, num_beams=4))
    assert any(_cpu_ticks(tid) > ticks for tid, ticks in before.items())  # they did the work
    threads.started(foreground=False)
    assert {os.getpriority(os.PRIO_PROCESS, tid) for tid in threads.tids} == {LOWEST}
    threads.ended(foreground=False)
    # Several threads per call start unseen at its first call: nothing is niced then.
    two = CTranslate2Engine(
        *paths, name=spec.name, max_input_tokens=512, threads=2, background_nice=LOWEST
    )
    assert two.thread_priority is None
