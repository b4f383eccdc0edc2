"""Tiny random models built offline load and run through transformers and CTranslate2."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import ctranslate2
import pytest
import torch
from safetensors.torch import load_file
from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

from precis_models.build import (
    PRESETS,
    build_model,
    corpus_languages,
    corpus_paragraphs,
    preset_config,
)

ZLE_TOKENS = {"uk": ">>ukr<<", "ru": ">>rus<<"}


# name -> (preset, build_model keyword arguments, a source text); mirrors the tiny profile.
BUILDS: dict[str, tuple[str, dict[str, Any], str]] = {
    "bart": ("bart-tiny", {"source_languages": ["en"]}, corpus_paragraphs("en")[0]),
    "en-fr": (
        "marian-tiny",
        {"source_languages": ["en"], "target_languages": ["fr"]},
        corpus_paragraphs("en")[1].split(". ")[0] + ".",
    ),
    "en-zle": (
        "marian-tiny",
        {"source_languages": ["en"], "target_tokens": ZLE_TOKENS},
        ">>ukr<< " + corpus_paragraphs("en")[2].split(". ")[0] + ".",
    ),
    "zle-en": (
        "marian-tiny",
        {"source_languages": ["uk", "ru"], "target_languages": ["en"]},
        corpus_paragraphs("uk")[0].split(". ")[0] + ".",
    ),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Build every tiny model once for the module."""
    root = tmp_path_factory.mktemp("built")
    for name, (preset, kwargs, _) in BUILDS.items():
        build_model(preset, root / name, **kwargs)
    return {name: root / name for name in BUILDS}


def _load(path: Path) -> tuple[Any, Any]:
    tokenizer = AutoTokenizer.from_pretrained(path / "transformers")
    model = AutoModelForSeq2SeqLM.from_pretrained(path / "transformers")
    return tokenizer, model.eval()


def _ct2_prefix(name: str) -> list[list[str]] | None:
    # BART's generation config forces <s> first (as published checkpoints do); CT2 needs it as
    # a target prefix to decode the same way.
    return [["<s>"]] if name == "bart" else None


def test_corpus_has_distinct_paragraphs_per_language() -> None:
    paragraphs = {lang: corpus_paragraphs(lang) for lang in corpus_languages()}
    for lang, paras in paragraphs.items():
        assert len(paras) >= 5, lang
        assert 3000 <= len("\n\n".join(paras).encode()) <= 6000, lang
        assert all(p[-1] in '.!?»"' for p in paras), lang
    assert "é" in paragraphs["fr"][0]
    assert "і" in " ".join(paragraphs["uk"]) and "ы" not in " ".join(paragraphs["uk"])
    assert "ы" in " ".join(paragraphs["ru"]) and "і" not in " ".join(paragraphs["ru"])
    with pytest.raises(ValueError, match="available: en, fr, uk, ru"):
        corpus_paragraphs("de")


@pytest.mark.parametrize("name", BUILDS)
def test_layout(built: dict[str, Path], name: str) -> None:
    path = built[name]
    hf_files = {p.name for p in (path / "transformers").iterdir()}
    assert {"config.json", "generation_config.json", "model.safetensors"} <= hf_files
    if name == "bart":
        assert "tokenizer.json" in hf_files
    else:
        assert {"source.spm", "target.spm", "vocab.json"} <= hf_files
    ct2_files = {p.name for p in (path / "ctranslate2").iterdir()}
    assert {"model.bin", "config.json", "shared_vocabulary.json"} <= ct2_files
    record = json.loads((path / "precis-build.json").read_text())
    assert record["preset"] == BUILDS[name][0] and record["seed"] == 0
    # The staging folder was moved into place, not left behind.
    assert [p.name for p in path.parent.iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize("name", BUILDS)
def test_transformers_generates(built: dict[str, Path], name: str) -> None:
    tokenizer, model = _load(built[name])
    config = model.config
    if name == "bart":
        assert type(model).__name__ == "BartForConditionalGeneration"
        # As in published BART checkpoints, <mask> is the one id past the model's vocabulary.
        assert len(tokenizer) == config.vocab_size + 1
        assert tokenizer.mask_token_id == config.vocab_size
    else:
        assert type(model).__name__ == "MarianMTModel"
        assert len(tokenizer) == config.vocab_size
        assert tokenizer.eos_token_id == 0 and tokenizer.unk_token_id == 1
        assert tokenizer.pad_token_id == config.vocab_size - 1 == config.decoder_start_token_id

    inputs = tokenizer([BUILDS[name][2]], return_tensors="pt")
    assert tokenizer.unk_token_id not in inputs.input_ids[0].tolist()
    with torch.inference_mode():
        out = model.generate(**inputs, max_new_tokens=8, do_sample=False, num_beams=1)
    ids = out[0].tolist()
    assert 2 <= len(ids) <= 1 + 8
    assert ids[0] == config.decoder_start_token_id
    assert ids[-1] == config.eos_token_id
    text = tokenizer.decode(ids, skip_special_tokens=True)
    # Random weights give gibberish, but never only special tokens (an empty text).
    assert isinstance(text, str) and text.strip()


@pytest.mark.parametrize(("name", "silent"), [("bart", ["<s>", "<unk>"]), ("en-zle", ["<unk>"])])
def test_never_emitted_tokens_have_zero_embeddings(
    built: dict[str, Path], name: str, silent: list[str]
) -> None:
    tokenizer, model = _load(built[name])
    embeddings = model.get_input_embeddings().weight
    for token_id in tokenizer.convert_tokens_to_ids([*silent, tokenizer.pad_token]):
        assert not embeddings[token_id].any()
    assert embeddings[tokenizer.eos_token_id].any()


def test_target_tokens_are_single_ids(built: dict[str, Path]) -> None:
    tokenizer = AutoTokenizer.from_pretrained(built["en-zle"] / "transformers")
    ct2_vocab = json.loads((built["en-zle"] / "ctranslate2" / "shared_vocabulary.json").read_text())
    for token in ZLE_TOKENS.values():
        token_id = tokenizer.convert_tokens_to_ids(token)
        assert token_id not in (tokenizer.unk_token_id, None)
        ids = tokenizer(f"{token} The council met on Tuesday.").input_ids
        assert ids[0] == token_id and ids.count(token_id) == 1
        assert ct2_vocab[token_id] == token
    plain = AutoTokenizer.from_pretrained(built["en-fr"] / "transformers")
    assert not [t for t in plain.get_vocab() if t.startswith(">>")]


def test_unseen_characters_round_trip_through_byte_fallback(built: dict[str, Path]) -> None:
    text = "Ґанок і ґудзик 🙂"
    # The corpus has no ґ, so it can only be encoded as UTF-8 byte pieces.
    assert "ґ" not in " ".join(corpus_paragraphs("uk")).lower()
    tokenizer = AutoTokenizer.from_pretrained(built["en-zle"] / "transformers")
    for ids in (tokenizer(text).input_ids, tokenizer(text_target=text).input_ids):
        assert tokenizer.unk_token_id not in ids
        assert "<0x91>" in tokenizer.convert_ids_to_tokens(ids)  # ґ is D2 91
        assert tokenizer.decode(ids, skip_special_tokens=True) == text


@pytest.mark.parametrize("compute_type", ["int8", "float32"])
@pytest.mark.parametrize("name", BUILDS)
def test_ctranslate2_translates(built: dict[str, Path], name: str, compute_type: str) -> None:
    tokenizer = AutoTokenizer.from_pretrained(built[name] / "transformers")
    translator = ctranslate2.Translator(
        str(built[name] / "ctranslate2"), device="cpu", compute_type=compute_type
    )
    source = tokenizer.convert_ids_to_tokens(tokenizer(BUILDS[name][2]).input_ids)
    result = translator.translate_batch(
        [source], beam_size=1, max_decoding_length=5, target_prefix=_ct2_prefix(name)
    )
    hypothesis = result[0].hypotheses[0]
    assert 1 <= len(hypothesis) <= 5
    vocab = tokenizer.get_vocab()
    assert all(token in vocab for token in hypothesis)


@pytest.mark.parametrize("name", BUILDS)
def test_engines_agree_in_float32(built: dict[str, Path], name: str) -> None:
    tokenizer, model = _load(built[name])
    inputs = tokenizer([BUILDS[name][2]], return_tensors="pt")
    with torch.inference_mode():
        out = model.generate(**inputs, max_new_tokens=6, do_sample=False, num_beams=1)
    torch_ids = out[0, 1:].tolist()  # without the decoder start token
    if torch_ids[-1] == model.config.eos_token_id:
        torch_ids.pop()  # CT2 leaves EOS out of its hypotheses
    translator = ctranslate2.Translator(
        str(built[name] / "ctranslate2"), device="cpu", compute_type="float32"
    )
    source = tokenizer.convert_ids_to_tokens(inputs.input_ids[0])
    result = translator.translate_batch(
        [source],
        beam_size=1,
        max_decoding_length=len(torch_ids),
        target_prefix=_ct2_prefix(name),
    )
    assert tokenizer.convert_tokens_to_ids(result[0].hypotheses[0]) == torch_ids


def test_same_seed_builds_same_model(tmp_path: Path) -> None:
    for directory, seed in (("a", 0), ("b", 0), ("c", 1)):
        build_model(
            "marian-tiny",
            tmp_path / directory,
            source_languages=["en"],
            target_tokens=ZLE_TOKENS,
            seed=seed,
            ctranslate2=False,
        )
    weights = {d: load_file(tmp_path / d / "transformers" / "model.safetensors") for d in "abc"}
    key = "model.encoder.layers.0.self_attn.q_proj.weight"
    assert torch.equal(weights["a"][key], weights["b"][key])
    assert weights["a"].keys() == weights["b"].keys()
    assert all(torch.equal(weights["a"][k], weights["b"][k]) for k in weights["a"])
    assert not torch.equal(weights["a"][key], weights["c"][key])
    for file in ("vocab.json", "source.spm", "target.spm"):
        a, b = (tmp_path / d / "transformers" / file for d in "ab")
        assert a.read_bytes() == b.read_bytes(), file


def test_rebuild_replaces_stale_files(tmp_path: Path) -> None:
    dest = tmp_path / "bart"
    (dest / "transformers").mkdir(parents=True)
    stale = {"version": "1.0", "model": {"type": "BPE", "vocab": {"<unk>": 0}, "merges": []}}
    (dest / "transformers" / "tokenizer.json").write_text(json.dumps(stale))
    (dest / "leftover.txt").write_text("old")
    build_model("bart-tiny", dest, source_languages=["en"], ctranslate2=False)
    assert not (dest / "leftover.txt").exists()
    assert not (dest / "ctranslate2").exists()
    tokenizer = AutoTokenizer.from_pretrained(dest / "transformers")
    assert len(tokenizer) > 1000
    assert tokenizer.convert_ids_to_tokens([0, 1, 2, 3]) == ["<s>", "<pad>", "</s>", "<unk>"]


def test_real_size_presets_match_published_architectures() -> None:
    with torch.device("meta"):
        bart = AutoModelForSeq2SeqLM.from_config(preset_config("bart-distilbart-cnn-12-6"))
        marian = AutoModelForSeq2SeqLM.from_config(preset_config("marian-tc-big"))
    # sshleifer/distilbart-cnn-12-6 has 305,510,400 parameters.
    assert sum(p.numel() for p in bart.parameters()) == 305_510_400
    c = marian.config
    assert (c.d_model, c.encoder_layers, c.decoder_layers) == (1024, 6, 6)
    assert (c.encoder_attention_heads, c.encoder_ffn_dim, c.max_position_embeddings) == (
        16,
        4096,
        1024,
    )
    assert c.vocab_size == PRESETS["marian-tc-big"].vocab_size == c.pad_token_id + 1
    with pytest.raises(ValueError, match="pass vocab_size"):
        preset_config("marian-tiny")


@pytest.mark.parametrize(
    ("preset", "kwargs", "message"),
    [
        ("gpt-tiny", {"source_languages": ["en"]}, "unknown preset"),
        ("marian-tiny", {"source_languages": ["en"]}, "target_languages is empty"),
        ("marian-tiny", {"source_languages": ["de"], "target_languages": ["en"]}, "'de'"),
        (
            "marian-tiny",
            {"source_languages": ["en"], "target_languages": ["uk"], "target_tokens": ZLE_TOKENS},
            "not a target language",
        ),
        (
            "marian-tiny",
            {"source_languages": ["en"], "target_tokens": {"uk": "ukr"}},
            "must look like",
        ),
        ("bart-tiny", {"source_languages": ["en"], "target_tokens": ZLE_TOKENS}, "summarizer"),
    ],
)
def test_invalid_requests_are_rejected(
    tmp_path: Path, preset: str, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        build_model(preset, tmp_path / "model", **kwargs)
    assert not (tmp_path / "model").exists()
