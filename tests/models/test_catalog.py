"""The model catalog's profiles."""

from __future__ import annotations

import pytest

from precis_news.models.catalog import load_catalog


def test_catalog_profiles_are_complete() -> None:
    catalog = load_catalog()
    assert {"default", "fast", "quality", "tiny", "bench"} <= set(catalog.profiles)
    default = catalog.profile("default")
    assert default.summarizer.repo == "sshleifer/distilbart-cnn-12-6"
    assert {t.repo for t in default.translators} == {
        f"Helsinki-NLP/opus-mt-tc-big-{p}" for p in ("en-fr", "fr-en", "en-zle", "zle-en")
    }
    for profile in catalog.profiles.values():
        pairs = set(profile.pairs)
        for language in ("fr", "uk", "ru"):  # every language reaches English and back
            assert (language, "en") in pairs and ("en", language) in pairs, profile.name
        assert all(m.license for m in profile.models)
    with pytest.raises(KeyError, match="known profiles: bench, default"):
        catalog.profile("nope")
