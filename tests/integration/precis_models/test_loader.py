"""Loading checks: a catalog target-language token must be in the model's vocabulary."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from precis_models.loader import TargetTokenMissing, check_target_tokens
from precis_models.store import ModelsMissing, transformers_path
from tests.support import tiny_spec


def test_target_tokens_in_the_vocabulary_pass(model_dir: Path) -> None:
    spec = tiny_spec("tiny-marian-en-zle")
    check_target_tokens(spec, transformers_path(spec, model_dir))  # >>ukr<< and >>rus<< are there


def test_missing_target_token_fails_the_load_naming_it(model_dir: Path, tmp_path: Path) -> None:
    spec = tiny_spec("tiny-marian-en-zle")
    folder = tmp_path / "transformers"
    shutil.copytree(transformers_path(spec, model_dir), folder)
    vocab = json.loads((folder / "vocab.json").read_text(encoding="utf-8"))
    del vocab[">>ukr<<"]
    (folder / "vocab.json").write_text(json.dumps(vocab), encoding="utf-8")
    with pytest.raises(TargetTokenMissing) as info:
        check_target_tokens(spec, folder)
    assert isinstance(info.value, ModelsMissing)  # `precis serve` prints it as one line
    assert str(info.value) == (
        f"model 'tiny-marian-en-zle' in {folder}: target-language token(s) >>ukr<< (uk) not in "
        "its vocabulary; the catalog's target_tokens do not fit this model (fix the catalog, or "
        "fetch the model again with --force)"
    )


def test_models_without_target_tokens_are_not_checked(model_dir: Path, tmp_path: Path) -> None:
    spec = tiny_spec("tiny-bart")
    check_target_tokens(spec, tmp_path)  # no vocabulary read at all
