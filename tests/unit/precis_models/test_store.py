"""The model store: missing models fail fast naming the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from precis_models.catalog import load_catalog
from precis_models.store import ModelsMissing, require_models


def test_default_profile_without_models_fails_fast_naming_the_fix(tmp_path: Path) -> None:
    with pytest.raises(ModelsMissing) as info:
        require_models(load_catalog().profile("default"), tmp_path, backend="ctranslate2")
    assert "precis models fetch --profile default" in str(info.value)
    assert "--profile tiny" in str(info.value)
