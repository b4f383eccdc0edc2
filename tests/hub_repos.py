"""Tiny random models laid out file for file like the real Hub repositories the catalog pins.

Each `HubRepo` reproduces, at the catalog's pinned commit, what a download would bring: the same
file names (heavy extras such as tf_model.h5 as small placeholders, which the fetch must drop),
the same config.json / generation_config.json / tokenizer_config.json keys and special-token ids,
the same weight formats and dtypes. Only the architecture sizes shrink (d_model 16, 1-2 layers);
vocabularies keep their real size where the special-token ids need it (tc-big: </s> is 43311,
25539 or 25565; opus-mt-en-fr: <pad> is 59513). Tokenizers come from the tiny profile's models
(trained on the project corpus), with their pieces moved to free ids around the real special ids.

Sources (stored public copies of the Hub pages; the research notes of issue 11 hold the details):
- sshleifer/distilbart-cnn-12-6 @a4f8f3e: file list from the Hub model-info record ("siblings",
  saranscript/huggingface-models@796a1d3 models/sshleifer/distilbart-cnn-12-6/infos.json); config
  keys from copies that keep the upstream values (Mozilla/distilbart-cnn-12-6 config.json);
  tokenizer_config.json `{"model_max_length": 1024}` (26 bytes, HF blob view of that file);
  pytorch_model.bin holds torch.FloatStorage (fp32).
- sshleifer/distilbart-cnn-6-6 @d2fde4c: same file set (infos.json of that repo); the config has
  only the legacy `force_bos_token_to_be_generated: true` (issue 11's audit); pytorch_model.bin is
  460 MB for ~230M parameters, so fp16 (inferred from the size).
- facebook/bart-large-cnn @ca09a92: file list from the HF tree page at that commit (both weight
  formats, tokenizer.json, two generation configs, no tokenizer_config.json); generation config
  values as every fine-tune generated from it carries them; fp32.
- Helsinki-NLP/opus-mt-tc-big-{en-fr,fr-en,en-zle,zle-en} @6e06286/5fa3b3c/708be1d/09a40f7: HF tree
  pages (file sets), blame/blob views of config.json, generation_config.json, tokenizer_config.json
  and special_tokens_map.json; both weight files are fp16 (torch.HalfStorage, torch_dtype float16).
  The ids of >>bel<< / >>rus<< / >>ukr<< and <unk> are not published anywhere we could read: the
  fixture puts them at ids of its own.
- Helsinki-NLP/opus-mt-{en-fr,fr-en,uk-en,ru-en} @0bb2f7f/967b084/d6c1e62/1f663e7: file lists from
  the HF tree page (en-fr) and the 2021 model-info records (others); fp32 .bin only, no
  generation_config.json yet at those commits; opus-mt-en-fr config values (vocab 59514, eos 0,
  pad 59513, swish) from sgugger/marian-finetuned-kde4-en-to-fr; tokenizer_config.json is 42 bytes,
  which `{"target_lang": "fr", "source_lang": "en"}` is (inferred). The vocabulary sizes of fr-en,
  uk-en and ru-en were not found: those fixtures keep the tiny vocabulary (eos 0, pad last, as in
  every opus-mt config).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from precis_models.catalog import load_catalog

D_MODEL = 16
PLACEHOLDER = b"not needed for serving: the fetch must not keep this file\n"
HEAVY_EXTRAS = frozenset(
    {"tf_model.h5", "flax_model.msgpack", "rust_model.ot", "benchmark_translations.zip"}
)
TEXT_EXTRAS = {
    ".gitattributes": "*.bin filter=lfs diff=lfs merge=lfs -text\n",
    "README.md": "---\nlicense: see the catalog\n---\n# fixture\n",
    "benchmark_results.txt": "flores101-devtest\t52.2\t0.72494\n",
}


@dataclass(frozen=True)
class HubRepo:
    """One real repository at its pinned commit, as far as serving is concerned."""

    repo: str
    family: Literal["bart", "marian"]
    files: frozenset[str]  # every file at the pinned commit
    weights: Mapping[str, str]  # weight file -> dtype ("float32" / "float16")
    config: Mapping[str, Any]  # config.json keys beyond the architecture sizes
    layers: tuple[int, int] = (1, 1)  # (encoder, decoder), shrunk
    generation_config: Mapping[str, Any] | None = None
    tokenizer_config: str | None = None  # the exact text
    special_tokens_map: str | None = None
    vocab_size: int | None = None  # None: the tiny tokenizer's size
    eos_id: int = 0  # Marian only
    tiny_source: str = ""  # the tiny profile model whose tokenizer is reused
    target_tokens: tuple[str, ...] = ()
    extra_generation_configs: tuple[str, ...] = field(default=())

    @property
    def served_weights(self) -> str:
        """The one weight file a fetch must keep."""
        return "model.safetensors" if "model.safetensors" in self.files else "pytorch_model.bin"


_BART_FILES = frozenset(
    {".gitattributes", "README.md", "config.json", "merges.txt", "vocab.json", "flax_model.msgpack"}
)
# Generation settings every CNN/DM BART config carries at top level and in task_specific_params.
_BART_SUMMARIZATION = {
    "early_stopping": True,
    "length_penalty": 2.0,
    "max_length": 142,
    "min_length": 56,
    "no_repeat_ngram_size": 3,
    "num_beams": 4,
}
_BART_CONFIG: dict[str, Any] = {
    "architectures": ["BartForConditionalGeneration"],
    "model_type": "bart",
    "activation_function": "gelu",
    "bos_token_id": 0,
    "pad_token_id": 1,
    "eos_token_id": 2,
    "decoder_start_token_id": 2,
    "forced_eos_token_id": 2,
    "normalize_before": False,
    "normalize_embedding": True,
    "scale_embedding": False,
    "add_final_layer_norm": False,
    "max_position_embeddings": 1024,
    "extra_pos_embeddings": 2,
    "prefix": " ",
    "is_encoder_decoder": True,
    **_BART_SUMMARIZATION,
    "task_specific_params": {"summarization": _BART_SUMMARIZATION},
}
_BART_GENERATION = {
    **_BART_SUMMARIZATION,
    "bos_token_id": 0,
    "decoder_start_token_id": 2,
    "eos_token_id": 2,
    "forced_bos_token_id": 0,
    "forced_eos_token_id": 2,
    "pad_token_id": 1,
}
_DISTILBART_TOKENIZER_CONFIG = '{"model_max_length": 1024}'  # 26 bytes, no tokenizer.json

_TC_BIG_FILES = frozenset(
    {
        ".gitattributes",
        "README.md",
        "benchmark_results.txt",
        "benchmark_translations.zip",
        "config.json",
        "generation_config.json",
        "model.safetensors",
        "pytorch_model.bin",
        "source.spm",
        "special_tokens_map.json",
        "target.spm",
        "tf_model.h5",
        "tokenizer_config.json",
        "vocab.json",
    }
)
_OPUS_FILES = frozenset(
    {
        ".gitattributes",
        "README.md",
        "config.json",
        "pytorch_model.bin",
        "source.spm",
        "target.spm",
        "tokenizer_config.json",
        "vocab.json",
    }
)


def _marian_config(vocab: int | None, eos: int, *, big: bool) -> dict[str, Any]:
    """config.json keys of a published opus-mt model (pad = decoder start = last id)."""
    values: dict[str, Any] = {
        "architectures": ["MarianMTModel"],
        "model_type": "marian",
        "activation_function": "relu" if big else "swish",
        "bos_token_id": 0,
        "eos_token_id": eos,
        "forced_eos_token_id": eos,
        "scale_embedding": True,
        "static_position_embeddings": True,
        "normalize_embedding": False,
        "num_beams": 4,
        "max_length": 512,
        "max_position_embeddings": 1024 if big else 512,
        "is_encoder_decoder": True,
    }
    if big:
        values.update(share_encoder_decoder_embeddings=True, torch_dtype="float16")
    if vocab is not None:  # else filled in from the tiny tokenizer (see write_repo)
        values.update(vocab_size=vocab, decoder_vocab_size=vocab)
    return values


def _tc_big(pair: str, vocab: int, eos: int, tiny: str, tokens: tuple[str, ...] = ()) -> HubRepo:
    src, tgt = pair.split("-")
    pad = vocab - 1
    return HubRepo(
        repo=f"Helsinki-NLP/opus-mt-tc-big-{pair}",
        family="marian",
        files=_TC_BIG_FILES,
        weights={"model.safetensors": "float16", "pytorch_model.bin": "float16"},
        config={**_marian_config(vocab, eos, big=True), "bad_words_ids": [[pad]]},
        generation_config={
            "bad_words_ids": [[pad]],
            "bos_token_id": 0,
            "decoder_start_token_id": pad,
            "eos_token_id": eos,
            "forced_eos_token_id": eos,
            "max_length": 512,
            "num_beams": 4,
            "pad_token_id": pad,
            "renormalize_logits": True,
            "transformers_version": "4.34.0.dev0",
        },
        tokenizer_config=json.dumps(
            {
                "source_lang": src,
                "target_lang": tgt,
                "unk_token": "<unk>",
                "eos_token": "</s>",
                "pad_token": "<pad>",
                "model_max_length": 512,
                "sp_model_kwargs": {},
                "separate_vocabs": False,
                "special_tokens_map_file": None,
                "name_or_path": f"marian-models/opusTCv20210807+bt_transformer-big/{pair}",
                "tokenizer_class": "MarianTokenizer",
            }
        ),
        special_tokens_map='{"eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>"}',
        vocab_size=vocab,
        eos_id=eos,
        tiny_source=tiny,
        target_tokens=tokens,
    )


def _distilbart(
    size: str, dtype: str, forcing: Mapping[str, Any], *, layers: tuple[int, int]
) -> HubRepo:
    """sshleifer/distilbart-cnn-*: .bin only, no tokenizer.json, the 26-byte tokenizer_config."""
    return HubRepo(
        repo=f"sshleifer/distilbart-cnn-{size}",
        family="bart",
        files=_BART_FILES | {"pytorch_model.bin", "rust_model.ot", "tokenizer_config.json"},
        weights={"pytorch_model.bin": dtype},
        config={**_BART_CONFIG, **forcing},
        layers=layers,
        tokenizer_config=_DISTILBART_TOKENIZER_CONFIG,
        tiny_source="tiny-bart",
    )


def _opus(pair: str, tiny: str, *, extra: frozenset[str] = frozenset(), vocab: int | None = None):
    src, tgt = pair.split("-")
    return HubRepo(
        repo=f"Helsinki-NLP/opus-mt-{pair}",
        family="marian",
        files=_OPUS_FILES | extra,
        weights={"pytorch_model.bin": "float32"},
        config=_marian_config(vocab, 0, big=False),
        tokenizer_config=json.dumps({"target_lang": tgt, "source_lang": src}),
        vocab_size=vocab,
        tiny_source=tiny,
    )


REPOS: Mapping[str, HubRepo] = {
    r.repo: r
    for r in (
        _distilbart(
            "12-6",
            "float32",
            {"forced_bos_token_id": 0, "force_bos_token_to_be_generated": True},
            layers=(2, 1),  # 12 / 6 upstream
        ),
        # The legacy flag only; fp16 .bin.
        _distilbart("6-6", "float16", {"force_bos_token_to_be_generated": True}, layers=(1, 1)),
        HubRepo(
            repo="facebook/bart-large-cnn",
            family="bart",
            files=_BART_FILES
            | {
                "model.safetensors",
                "pytorch_model.bin",
                "rust_model.ot",
                "tf_model.h5",
                "tokenizer.json",
                "generation_config.json",
                "generation_config_for_summarization.json",
            },
            weights={"model.safetensors": "float32", "pytorch_model.bin": "float32"},
            config={**_BART_CONFIG, "forced_bos_token_id": 0},
            layers=(2, 2),  # 12 / 12 upstream
            generation_config=_BART_GENERATION,
            extra_generation_configs=("generation_config_for_summarization.json",),
            tiny_source="tiny-bart",
        ),
        _tc_big("en-fr", 53017, 43311, "tiny-marian-en-fr"),
        _tc_big("fr-en", 53017, 43311, "tiny-marian-fr-en"),
        _tc_big("en-zle", 61577, 25539, "tiny-marian-en-zle", (">>bel<<", ">>rus<<", ">>ukr<<")),
        _tc_big("zle-en", 61017, 25565, "tiny-marian-zle-en"),
        _opus(
            "en-fr",
            "tiny-marian-en-fr",
            extra=frozenset({"flax_model.msgpack", "tf_model.h5"}),
            vocab=59514,
        ),
        _opus("fr-en", "tiny-marian-fr-en", extra=frozenset({"flax_model.msgpack"})),
        _opus("uk-en", "tiny-marian-zle-en"),
        _opus("ru-en", "tiny-marian-zle-en", extra=frozenset({"rust_model.ot"})),
    )
}


def pinned_commit(repo: str) -> str:
    """The catalog's pin for `repo`: the commit each fixture stands for."""
    specs = {s.repo: s for p in load_catalog().profiles.values() for s in p.models}
    return specs[repo].revision


def write_repo(spec: HubRepo, dest: Path, tiny_dir: Path, *, seed: int = 0) -> None:
    """Write `spec`'s tiny mirror into `dest` (created).

    Args:
        spec: the repository to mirror.
        dest: folder to fill, as a Hub snapshot at the pinned commit would be.
        tiny_dir: the built tiny profile's folder for `spec.tiny_source` (its tokenizer is reused).
        seed: seed for the random weights.
    """
    dest.mkdir(parents=True)
    tiny = tiny_dir / "transformers"
    if spec.family == "bart":
        vocab_size, silent = _bart_tokenizer(spec, tiny, dest)
    else:
        vocab_size, silent = _marian_tokenizer(spec, tiny, dest)
    config = dict(spec.config)
    if spec.family == "marian" and spec.vocab_size is None:
        config.update(vocab_size=vocab_size, decoder_vocab_size=vocab_size)
        config.update(
            pad_token_id=vocab_size - 1,
            decoder_start_token_id=vocab_size - 1,
            bad_words_ids=[[vocab_size - 1]],
        )
    elif spec.family == "marian":
        pad = vocab_size - 1
        config.update(pad_token_id=pad, decoder_start_token_id=pad)
    else:
        config["vocab_size"] = vocab_size
    _write_weights(spec, config, dest, silent=silent, seed=seed)
    (dest / "config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    if spec.generation_config is not None:
        text = json.dumps(spec.generation_config, indent=2) + "\n"
        (dest / "generation_config.json").write_text(text, encoding="utf-8")
        for name in spec.extra_generation_configs:
            (dest / name).write_text(text, encoding="utf-8")
    if spec.tokenizer_config is not None:
        (dest / "tokenizer_config.json").write_text(spec.tokenizer_config, encoding="utf-8")
    if spec.special_tokens_map is not None:
        (dest / "special_tokens_map.json").write_text(spec.special_tokens_map, encoding="utf-8")
    for name in spec.files:
        if name in HEAVY_EXTRAS:
            (dest / name).write_bytes(PLACEHOLDER)
        elif name in TEXT_EXTRAS:
            (dest / name).write_text(TEXT_EXTRAS[name], encoding="utf-8")
    written = {p.name for p in dest.iterdir()}
    if written != spec.files:
        raise AssertionError(f"{spec.repo}: wrote {sorted(written ^ spec.files)} wrongly")


def _bart_tokenizer(spec: HubRepo, tiny: Path, dest: Path) -> tuple[int, list[int]]:
    """vocab.json + merges.txt (the slow tokenizer's files), tokenizer.json only if upstream has
    it. Returns the model's vocab size (without <mask>, as in BART) and ids never to emit."""
    tokenizer = json.loads((tiny / "tokenizer.json").read_text(encoding="utf-8"))
    bpe = tokenizer["model"]
    vocab: dict[str, int] = dict(bpe["vocab"])
    for added in tokenizer["added_tokens"]:
        vocab.setdefault(added["content"], added["id"])
    (dest / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    merges = [m if isinstance(m, str) else " ".join(m) for m in bpe["merges"]]
    (dest / "merges.txt").write_text("#version: 0.2\n" + "\n".join(merges) + "\n", "utf-8")
    if "tokenizer.json" in spec.files:
        shutil.copyfile(tiny / "tokenizer.json", dest / "tokenizer.json")
    size = max(vocab.values())  # <mask> is the last id, beyond the model's embeddings
    silent = [vocab[t] for t in ("<s>", "<unk>")] + [
        i for t, i in vocab.items() if t.startswith("<unused_") and i < size
    ]
    return size, silent


def _marian_tokenizer(spec: HubRepo, tiny: Path, dest: Path) -> tuple[int, list[int]]:
    """source.spm / target.spm from the tiny model; vocab.json rebuilt around the real ids."""
    for name in ("source.spm", "target.spm"):
        shutil.copyfile(tiny / name, dest / name)
    tiny_vocab: dict[str, int] = json.loads((tiny / "vocab.json").read_text(encoding="utf-8"))
    pieces = [
        t
        for t, _ in sorted(tiny_vocab.items(), key=lambda item: item[1])
        if t not in ("</s>", "<unk>", "<pad>")
        and not (t.startswith(">>") or t.startswith("<unused_"))
    ]
    size = spec.vocab_size or len(pieces) + 3 + len(spec.target_tokens)
    fixed = {spec.eos_id: "</s>", size - 1: "<pad>"}
    fixed.setdefault(1, "<unk>")
    ids = iter(i for i in range(size) if i not in fixed)
    by_id: dict[int, str] = dict(fixed)
    for token in (*spec.target_tokens, *pieces):
        by_id[next(ids)] = token
    silent = []
    for i in ids:
        by_id[i] = f"<unused_{i}>"
        silent.append(i)
    vocab = {token: i for i, token in sorted(by_id.items())}
    (dest / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    silent.append(vocab["<unk>"])
    return size, silent


def _write_weights(
    spec: HubRepo, config: dict[str, Any], dest: Path, *, silent: list[int], seed: int
) -> None:
    """Random weights (filler, <s> and <unk> rows zeroed so that the model writes corpus pieces),
    saved in each of the repository's formats and dtypes."""
    import torch
    from transformers import AutoConfig, AutoModelForSeq2SeqLM

    sizes = {
        "d_model": D_MODEL,
        "encoder_layers": spec.layers[0],
        "decoder_layers": spec.layers[1],
        "encoder_attention_heads": 2,
        "decoder_attention_heads": 2,
        "encoder_ffn_dim": 32,
        "decoder_ffn_dim": 32,
    }
    config.update(sizes)
    model_config = AutoConfig.for_model(**{k: v for k, v in config.items() if k != "architectures"})
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = AutoModelForSeq2SeqLM.from_config(model_config, dtype=torch.float32)
    with torch.no_grad():
        model.get_input_embeddings().weight[silent] = 0.0
    state = {k: v.contiguous() for k, v in model.state_dict().items()}
    for name, dtype in spec.weights.items():
        typed = {k: v.to(getattr(torch, dtype)) for k, v in state.items()}
        if name == "model.safetensors":
            from safetensors.torch import save_model

            model.to(getattr(torch, dtype))
            save_model(model, str(dest / name), metadata={"format": "pt"})
            model.to(torch.float32)
        else:
            torch.save(typed, dest / name)
