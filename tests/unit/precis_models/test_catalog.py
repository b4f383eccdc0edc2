"""The catalog's summarizer length presets and input prefix follow the BART CNN configs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from precis_models.catalog import DEFAULT_LENGTHS, is_commit, load_catalog


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


CATALOG = Path(__file__).resolve().parents[3] / "models" / "precis_models" / "catalog.toml"


def _downloaded() -> dict[str, object]:
    return {s.name: s for p in load_catalog().profiles.values() for s in p.models if not s.is_built}


def test_every_downloaded_model_is_pinned_to_a_commit() -> None:
    specs = _downloaded()
    assert len(specs) == 11  # every repository the default, fast and quality profiles use
    for spec in specs.values():
        assert is_commit(spec.revision), spec.name  # type: ignore[attr-defined]
    assert 'revision = "main"' not in CATALOG.read_text(encoding="utf-8")


def test_an_unpinned_model_is_refused(tmp_path: Path) -> None:
    text = CATALOG.read_text(encoding="utf-8").replace(
        'revision = "a4f8f3ea906ed274767e9906dbaede7531d660ff"', 'revision = "main"'
    )
    path = tmp_path / "catalog.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError) as info:
        load_catalog(path)
    assert str(info.value) == (
        "model 'distilbart-cnn-12-6': revision 'main' is not a commit hash "
        "(pin every downloaded model to its full 40-hex commit)"
    )


def test_every_model_is_seq2seq() -> None:
    catalog = load_catalog()
    assert {s.family for p in catalog.profiles.values() for s in p.models} == {"seq2seq"}


def test_is_commit() -> None:
    assert is_commit("708be1d372fe4c358a352f404e6dc9ca0126ba48")
    assert not is_commit("main") and not is_commit("708be1d") and not is_commit("G" * 40)


def test_fast_profile_writes_ukrainian_with_tc_big_en_zle() -> None:
    fast = load_catalog().profile("fast")
    by_pair = {pair: spec for spec in fast.translators for pair in spec.pairs}
    assert by_pair["en", "uk"].repo == "Helsinki-NLP/opus-mt-tc-big-en-zle"
    assert by_pair["en", "uk"].target_tokens["uk"] == ">>ukr<<"
    assert "Helsinki-NLP/opus-mt-en-uk" not in {s.repo for s in fast.models}  # writes Russian
    assert len(by_pair) == sum(len(s.pairs) for s in fast.translators)  # one model per pair


def test_licences_as_the_model_cards_state_them() -> None:
    licences = {s.repo: s.license for s in _downloaded().values()}  # type: ignore[attr-defined]
    for repo, licence in licences.items():
        if "opus-mt-tc-big" in repo:
            assert licence == "cc-by-4.0", repo
        elif repo == "facebook/bart-large-cnn":
            assert licence == "mit"
        else:
            assert licence == "apache-2.0", repo


def test_descriptions_quote_published_numbers_not_superlatives() -> None:
    catalog = load_catalog()
    for spec in _downloaded().values():
        assert re.search(r"\d+\.\d+", spec.description), spec.name  # type: ignore[attr-defined]
    for profile in catalog.profiles.values():
        assert "best" not in profile.description.lower(), profile.name


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
