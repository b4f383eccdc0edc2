"""The catalog's summarizer length presets and input prefix follow the BART CNN configs."""

from __future__ import annotations

import pytest

from precis_news.models.catalog import DEFAULT_LENGTHS, load_catalog


@pytest.mark.parametrize("profile", ["default", "fast", "quality", "tiny", "bench"])
def test_bart_summarizers_use_the_cnn_tuning_and_prefix(profile: str) -> None:
    spec = load_catalog().profile(profile).summarizer
    # config.json min_length 56 / max_length 142 count the decoder start token and the forced
    # <s> (and </s> for the maximum); presets count generated content tokens.
    assert spec.lengths["medium"] == (56 - 2, 142 - 3)
    assert spec.lengths["short"][1] < spec.lengths["medium"][1] < spec.lengths["long"][1]
    assert spec.prefix == " "


def test_a_summarizer_without_presets_gets_the_default_ones() -> None:
    translator = load_catalog().profile("default").translators[0]
    assert translator.lengths == DEFAULT_LENGTHS
    assert translator.prefix == ""
