"""The backend registry: names, store files, extras, compute types, summarizers; a light import."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from precis_models.backends import (
    BACKENDS,
    CTRANSLATE2,
    SUMMARIZERS,
    TRANSFORMERS,
    backend,
    extra_for,
    for_download,
    summarizer_engine,
)
from precis_models.loader import resolve_runtime
from precis_models.runtime import Runtime
from precis_models.store import is_present
from tests.support import tiny_spec


def test_backends_are_found_by_name_and_unknown_names_list_the_known_ones() -> None:
    assert list(BACKENDS) == ["ctranslate2", "transformers"]
    assert backend("transformers") is TRANSFORMERS
    with pytest.raises(ValueError, match="unknown backend 'onnx'; use ctranslate2 or transformers"):
        backend("onnx")


def test_each_backend_knows_its_files_and_whether_a_download_is_converted(tmp_path: Path) -> None:
    spec = tiny_spec("tiny-bart")
    root = spec.directory(tmp_path)
    assert CTRANSLATE2.needed_files(spec, tmp_path) == [
        root / "transformers" / "config.json",
        root / "ctranslate2" / "model.bin",
    ]
    assert TRANSFORMERS.needed_files(spec, tmp_path) == [root / "transformers" / "config.json"]
    assert for_download(convert=True) is CTRANSLATE2 and for_download(convert=False) is TRANSFORMERS


def test_the_store_asks_the_backend_which_files_must_be_there(tmp_path: Path) -> None:
    spec = tiny_spec("tiny-bart")
    (spec.directory(tmp_path) / "transformers").mkdir(parents=True)
    (spec.directory(tmp_path) / "transformers" / "config.json").write_text("{}")
    (spec.directory(tmp_path) / "precis-model.json").write_text(
        '{"name": "tiny-bart", "repo": "r", "revision": "built", "source": "built"}'
    )
    assert is_present(spec, tmp_path, backend="transformers")
    assert not is_present(spec, tmp_path, backend="ctranslate2")  # no model.bin


def test_missing_modules_name_the_extra_that_installs_them() -> None:
    assert extra_for("ctranslate2") == "server"
    assert extra_for("torch") == extra_for("sacremoses") == "torch"
    assert extra_for("tokenizers") == "server"


@pytest.mark.parametrize(
    ("name", "cpu", "cuda"),
    [("ctranslate2", "int8", "int8_float16"), ("transformers", "float32", "float16")],
)
def test_auto_compute_type_is_the_backends_own(name: str, cpu: str, cuda: str) -> None:
    assert backend(name).auto_compute_type("cpu") == cpu
    assert backend(name).auto_compute_type("cuda") == cuda
    given = Runtime(
        backend=name,
        device="cpu",
        compute_type="auto",
        threads=3,
        threads_per_call=8,
        model_keep_alive_seconds=0.0,
        background_nice=0,
    )
    resolved = resolve_runtime(given)
    assert (resolved.compute_type, resolved.threads, resolved.threads_per_call) == (cpu, 3, 3)


def test_summarizers_are_the_profiles_model_or_the_extractive_engine() -> None:
    assert SUMMARIZERS == ("abstractive", "extractive")
    assert summarizer_engine("abstractive") is None
    replacement = summarizer_engine("extractive")
    assert replacement is not None
    spec, engine = replacement
    assert spec.name == engine.name == "extractive" and spec.task == "summarize"
    with pytest.raises(ValueError, match="unknown summarizer 'neural'"):
        summarizer_engine("neural")


def test_importing_the_registry_and_the_store_loads_no_model_library() -> None:
    probe = (
        "import sys, precis_models.backends, precis_models.store;"
        "print(sorted(m for m in ('ctranslate2', 'torch', 'transformers') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "[]"
