"""The transformers engine, loaded through the registry: per-text limits, cut outputs reported."""

from __future__ import annotations

from pathlib import Path

from precis_models.engines.base import Engine, GenerateOptions
from precis_models.engines.transformers_engine import TransformersEngine
from precis_models.loader import load_engine
from tests.support import cpu_runtime, tiny_spec


def test_transformers_engine_keeps_each_texts_limit_and_reports_cuts(model_dir: Path) -> None:
    spec = tiny_spec("tiny-marian-en-fr")
    runtime = cpu_runtime(backend="transformers", compute_type="float32")
    engine: Engine = load_engine(spec, model_dir, runtime)
    assert isinstance(engine, TransformersEngine) and engine.name == spec.name
    texts = ["The council met on Tuesday.", "Rain is expected on Friday in the north."]
    options = GenerateOptions(max_new_tokens=6)
    outputs = engine.generate_outputs(texts, options, limits=[2, 6])
    tokens = engine.content_tokens(texts, options)
    assert [o.ended for o in outputs] == [len(tokens[0]) < 2, len(tokens[1]) < 6]
    assert not any(o.ended for o in outputs)  # random weights run to the limit
    assert [o.text for o in outputs] == engine.codec.decode([tokens[0][:2], tokens[1][:6]])
    assert engine.generate(texts, options) == [
        o.text for o in engine.generate_outputs(texts, options)
    ]
    assert engine.count_tokens(texts) == [len(t) for t in engine.codec.encode(texts)]
