"""forced_bos_token: the first token a model forces, from current and legacy configs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from precis_models.engines.seq2seq import forced_bos_token


@pytest.mark.parametrize(
    ("generation", "config", "expected"),
    [
        ({"forced_bos_token_id": 0}, {}, 0),
        (None, {"forced_bos_token_id": 0, "force_bos_token_to_be_generated": True}, 0),
        # sshleifer/distilbart-cnn-6-6: only the legacy flag, which means "force bos_token_id".
        (None, {"bos_token_id": 0, "force_bos_token_to_be_generated": True}, 0),
        (None, {"bos_token_id": 5, "force_bos_token_to_be_generated": True}, 5),
        (None, {"force_bos_token_to_be_generated": False}, None),
        # Marian: nothing forced.
        ({"decoder_start_token_id": 61576, "eos_token_id": 25539}, {"bos_token_id": 0}, None),
        # transformers ignores config.json once generation_config.json exists.
        ({"max_length": 142}, {"force_bos_token_to_be_generated": True}, None),
        (None, None, None),
    ],
)
def test_forced_bos_token(
    tmp_path: Path, generation: dict | None, config: dict | None, expected: int | None
) -> None:
    if generation is not None:
        (tmp_path / "generation_config.json").write_text(json.dumps(generation))
    if config is not None:
        (tmp_path / "config.json").write_text(json.dumps(config))
    assert forced_bos_token(tmp_path) == expected
