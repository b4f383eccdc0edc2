"""Runtime: how many model calls run at once on each device."""

from __future__ import annotations

import pytest

from precis_models.runtime import Runtime


def _runtime(device: str, threads: int) -> Runtime:
    return Runtime(
        backend="ctranslate2",
        device=device,
        compute_type="auto",
        threads=threads,
        threads_per_call=2,
        model_keep_alive_seconds=0.0,
        background_nice=0,
    )


@pytest.mark.parametrize(("threads", "slots"), [(1, 1), (2, 2), (16, 16), (0, 1)])
def test_cpu_runs_one_call_per_inference_core(threads: int, slots: int) -> None:
    assert _runtime("cpu", threads).slots == slots


def test_a_gpu_runs_one_call_at_a_time() -> None:
    assert _runtime("cuda", 16).slots == 1


def test_runtime_is_keyword_only_and_has_no_defaults() -> None:
    with pytest.raises(TypeError):
        Runtime("ctranslate2", "cpu", "auto", 2, 2)  # type: ignore[misc]
    with pytest.raises(TypeError):
        Runtime(backend="ctranslate2")  # type: ignore[call-arg]
