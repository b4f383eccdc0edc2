"""Units with real inputs: config layering, sentences, cache, catalog, fetch, stubs, reflection."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import grpc
import pytest
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import (
    ProtoReflectionDescriptorDatabase,
)

from precis_news.config import Settings, load_settings
from precis_news.models.cache import ResultCache
from precis_news.models.catalog import load_catalog
from precis_news.models.engines.codec import load_codec
from precis_news.models.fetch import FetchError, download_snapshot, fetch_profile
from precis_news.models.language import LanguageDetector
from precis_news.models.sentences import pack, split_sentences
from precis_news.models.store import ModelsMissing, read_manifest, require_models, transformers_path
from precis_news.pipeline import translation_lengths
from tests.conftest import ServerThread, article

ROOT = Path(__file__).resolve().parents[1]


def test_settings_layers_defaults_file_env_flags(tmp_path: Path) -> None:
    config = tmp_path / "precis.toml"
    config.write_text('profile = "fast"\nport = 6000\nmax_chunks = 7\napi_keys = ["a", "b"]\n')
    env = {"PRECIS_PORT": "7000", "PRECIS_BACKEND": "transformers"}
    settings = load_settings(config_file=config, env=env, overrides={"port": 8000, "host": None})
    assert settings.profile == "fast"  # file
    assert settings.max_chunks == 7  # file
    assert settings.backend == "transformers"  # env
    assert settings.port == 8000  # flag beats env beats file
    assert settings.host == "127.0.0.1"  # default (None flags do not override)
    assert settings.api_keys == ("a", "b")
    assert load_settings(env={"PRECIS_API_KEYS": "x, y"}).api_keys == ("x", "y")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"PRECIS_BACKEND": "onnx"}, "backend must be one of ctranslate2, transformers"),
        ({"PRECIS_PORT": "http"}, "port must be int, got 'http'"),
        ({"PRECIS_MAX_QUEUE": "0"}, "max_queue must be at least 1"),
    ],
)
def test_settings_reject_bad_values(env: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        load_settings(env=env)


def test_settings_reject_unknown_file_keys(tmp_path: Path) -> None:
    config = tmp_path / "precis.toml"
    config.write_text("prot = 1\n")
    with pytest.raises(ValueError, match="unknown setting"):
        load_settings(config_file=config, env={})


def test_sentences_in_four_languages() -> None:
    text = (
        'Dr. Smith arrived at 9 a.m. in Washington. He said: "We won!" Then he left.\n\n'
        "M. Dupont est arrivé. «Bonjour», a-t-il dit. Il est parti.\n\n"
        "Президент прибув до Києва. Він сказав: «Так!» Потім поїхав.\n\n"
        "Мэр открыл мост. Это было в 10 ч. утра."
    )
    assert split_sentences(text) == [
        "Dr. Smith arrived at 9 a.m. in Washington.",
        'He said: "We won!"',
        "Then he left.",
        "M. Dupont est arrivé.",
        "«Bonjour», a-t-il dit.",
        "Il est parti.",
        "Президент прибув до Києва.",
        "Він сказав: «Так!»",
        "Потім поїхав.",
        "Мэр открыл мост.",
        "Это было в 10 ч. утра.",
    ]


def test_language_detector_keeps_the_full_models_for_short_texts() -> None:
    detector = LanguageDetector(["en", "fr", "uk", "ru"])
    for language in ("en", "fr", "uk", "ru"):
        assert detector.scores(article(language)[:400])[0][0] == language
    assert detector._short is None  # articles never load the full n-gram models
    assert detector.scores("Це добре.")[0][0] == "uk"
    assert detector.scores("Это хорошо.")[0][0] == "ru"
    assert detector._short is not None


def test_translation_lengths_bucket_the_longest_sentence() -> None:
    settings = Settings(translation_length_ratio=1.5)
    # ceil(20 * 1.5) + 8 = 38 -> bucket 48; no minimum.
    assert translation_lengths([5, 20, 12], settings, cap=512) == (0, 48)
    assert translation_lengths([5, 20, 12], settings, cap=40) == (0, 40)
    fixed = Settings(translation_length_ratio=1.5, translation_fixed_length=True)
    assert translation_lengths([5, 20, 12], fixed, cap=512) == (48, 48)


def test_pack_keeps_every_word_within_budget() -> None:
    def words(texts):  # type: ignore[no-untyped-def]
        return [len(t.split()) for t in texts]

    sentences = [*split_sentences(article("en")), "word " * 50]
    chunks = pack(sentences, budget=20, count=words)
    assert all(n <= 20 for n in words(chunks))
    assert " ".join(chunks).split() == " ".join(sentences).split()


def test_cache_is_lru_and_bounded_in_bytes() -> None:
    cache = ResultCache(max_bytes=600)
    cache.put(("m", "r", "a", 1), "x" * 100)
    cache.put(("m", "r", "b", 1), "y" * 100)
    assert cache.get(("m", "r", "a", 1)) == "x" * 100  # a is now the most recent
    cache.put(("m", "r", "c", 1), "z" * 200)
    assert cache.size_bytes <= 600
    assert cache.get(("m", "r", "b", 1)) is None  # least recently used went first
    assert cache.get(("m", "r", "a", 1)) is not None
    assert (cache.hits, cache.misses) == (2, 1)


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


def test_default_profile_without_models_fails_fast_naming_the_fix(tmp_path: Path) -> None:
    with pytest.raises(ModelsMissing) as info:
        require_models(load_catalog().profile("default"), tmp_path, backend="ctranslate2")
    assert "precis models fetch --profile default" in str(info.value)
    assert "--profile tiny" in str(info.value)


def test_fetch_records_revisions_and_converts(model_dir: Path, tmp_path: Path) -> None:
    """The download function replaced by a copy of a built model: everything else is real."""
    tiny = load_catalog().profile("tiny")
    calls = []

    def download(repo: str, revision: str, dest: Path) -> str:
        calls.append((repo, revision))
        source = tiny.translators[0] if "opus-mt" in repo else tiny.summarizer
        shutil.copytree(source.directory(model_dir) / "transformers", dest)
        if "bart" in repo:  # as on the hub: the slow tokenizer's files, no tokenizer.json
            bpe = json.loads((dest / "tokenizer.json").read_text())["model"]
            (dest / "vocab.json").write_text(json.dumps(bpe["vocab"]))
            merges = [m if isinstance(m, str) else " ".join(m) for m in bpe["merges"]]
            (dest / "merges.txt").write_text("#version: 0.2\n" + "\n".join(merges) + "\n")
            (dest / "tokenizer.json").unlink()
        return revision  # the pinned commit, as the Hub resolves it

    default = load_catalog().profile("default")
    manifests = fetch_profile(default, tmp_path, download=download)
    assert [m.repo for m in manifests] == [s.repo for s in default.models]
    assert calls == [(s.repo, s.revision) for s in default.models]
    for spec in default.models:
        manifest = read_manifest(spec, tmp_path)
        assert manifest is not None and len(manifest.revision) == 40
        assert (spec.directory(tmp_path) / "ctranslate2" / "model.bin").exists()
    require_models(default, tmp_path, backend="ctranslate2")  # now present
    text = ["The council met on Tuesday, and voted."]
    fetched = load_codec(transformers_path(default.summarizer, tmp_path))
    assert fetched.encode(text) == load_codec(transformers_path(tiny.summarizer, model_dir)).encode(
        text
    )
    fetch_profile(default, tmp_path, download=download)
    assert len(calls) == len(default.models)  # present models are not downloaded again
    assert not list(tmp_path.rglob("*.partial"))


def test_real_download_offline_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(FetchError) as info:
        download_snapshot("sshleifer/distilbart-cnn-12-6", "main", tmp_path / "x")
    assert "--profile tiny" in str(info.value)


def test_generated_stubs_match_protos(tmp_path: Path) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("generate", ROOT / "protos" / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for path in module.generate(tmp_path):
        committed = ROOT / "service" / "_proto" / path.name
        assert path.read_text() == committed.read_text(), f"{path.name}: run protos/generate.py"


def test_reflection_lists_the_services(server: ServerThread) -> None:
    with grpc.insecure_channel(server.address) as channel:
        services = ProtoReflectionDescriptorDatabase(channel).get_services()
        assert "precis.v1.Summarizer" in services
        assert "grpc.health.v1.Health" in services
        methods = (
            ProtoReflectionDescriptorDatabase(channel)
            .FindFileContainingSymbol("precis.v1.Summarizer")
            .service[0]
            .method
        )
    assert {m.name for m in methods} == {
        "Summarize",
        "StreamSummarize",
        "Translate",
        "DetectLanguage",
        "GetInfo",
    }
