"""Build random-weight BART and Marian models offline, laid out exactly like downloaded ones."""

from __future__ import annotations

import dataclasses
import gc
import io
import json
import logging
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal

from precis_models import languages as served_languages
from precis_models.conversion import convert_to_ctranslate2
from precis_models.store import staged

if TYPE_CHECKING:
    from transformers import PreTrainedConfig, PreTrainedTokenizerBase

logger = logging.getLogger(__name__)

BUILD_RECORD = "precis-build.json"
"""File written next to ``transformers/`` describing how the model was built."""

# Byte-level BPE ids as in every published BART checkpoint.
_BART_SPECIALS = ("<s>", "<pad>", "</s>", "<unk>")
_BART_BOS, _BART_PAD, _BART_EOS = 0, 1, 2
# Marian ids as in every published opus-mt checkpoint: eos 0, unk 1, no bos, <pad> last.
_MARIAN_EOS, _MARIAN_UNK = "</s>", "<unk>"
# Tokens whose embedding rows are zeroed, so a random model never emits them (see build_model).
_FILLER = "<unused_"
_SILENT = frozenset({"<s>", "<unk>"})


@dataclasses.dataclass(frozen=True)
class Preset:
    """Architecture of a model that ``build_model`` can create.

    Attributes:
        family: ``"bart"`` (summarizer, byte-level BPE) or ``"marian"`` (translator, sentencepiece).
        d_model: Hidden size.
        encoder_layers: Number of encoder layers.
        decoder_layers: Number of decoder layers.
        attention_heads: Attention heads in every layer.
        ffn_dim: Feed-forward inner size.
        max_position_embeddings: Longest sequence the model accepts, in tokens.
        activation: Feed-forward activation (a transformers ``ACT2FN`` name CTranslate2 supports).
        vocab_size: Model vocabulary (embedding rows). ``None``: as many as the trained tokenizer
            has; otherwise the tokenizer is padded with never-produced ``<unused_N>`` tokens.
        tokenizer_vocab_size: Target size when training the tokenizer on the corpus (soft limit:
            a few KB of text yields fewer pieces).
        ctranslate2_quantization: How the CTranslate2 copy stores weights: float32 for tiny
            models (engines compared token for token), int8 for real sizes (as fetched models).
    """

    family: Literal["bart", "marian"]
    d_model: int
    encoder_layers: int
    decoder_layers: int
    attention_heads: int
    ffn_dim: int
    max_position_embeddings: int
    activation: str
    vocab_size: int | None
    tokenizer_vocab_size: int
    ctranslate2_quantization: str = "float32"


PRESETS: Mapping[str, Preset] = MappingProxyType(
    {
        "bart-tiny": Preset(
            family="bart",
            d_model=64,
            encoder_layers=2,
            decoder_layers=2,
            attention_heads=4,
            ffn_dim=128,
            max_position_embeddings=1024,
            activation="gelu",
            vocab_size=None,
            tokenizer_vocab_size=2000,
        ),
        # sshleifer/distilbart-cnn-12-6: 305.5M parameters.
        "bart-distilbart-cnn-12-6": Preset(
            family="bart",
            d_model=1024,
            encoder_layers=12,
            decoder_layers=6,
            attention_heads=16,
            ffn_dim=4096,
            max_position_embeddings=1024,
            activation="gelu",
            vocab_size=50264,
            tokenizer_vocab_size=2000,
            ctranslate2_quantization="int8",
        ),
        "marian-tiny": Preset(
            family="marian",
            d_model=64,
            encoder_layers=2,
            decoder_layers=2,
            attention_heads=4,
            ffn_dim=128,
            max_position_embeddings=512,
            activation="relu",
            vocab_size=None,
            tokenizer_vocab_size=1000,
        ),
        # Helsinki-NLP/opus-mt-tc-big-*: transformer-big, shared embeddings (their vocabularies
        # hold 57-62k entries depending on the pair).
        "marian-tc-big": Preset(
            family="marian",
            d_model=1024,
            encoder_layers=6,
            decoder_layers=6,
            attention_heads=16,
            ffn_dim=4096,
            max_position_embeddings=1024,
            activation="relu",
            vocab_size=60000,
            tokenizer_vocab_size=1000,
            ctranslate2_quantization="int8",
        ),
    }
)


def corpus_languages() -> tuple[str, ...]:
    """The served languages that have a corpus (``Language.corpus``), in registry order."""
    return tuple(lang.code for lang in served_languages.served() if lang.corpus is not None)


def corpus_paragraphs(language: str) -> list[str]:
    """Return the project's sample news paragraphs for one language.

    Args:
        language: One of ``corpus_languages()``.

    Returns:
        The non-empty paragraphs of the language's corpus file, stripped, in file order.

    Raises:
        ValueError: ``language`` has no corpus file.
    """
    entry = served_languages.REGISTRY.get(language)
    corpus = entry.corpus if entry else None
    if corpus is None:
        raise ValueError(
            f"no corpus for language {language!r}; available: {', '.join(corpus_languages())}"
        )
    text = corpus.read_text(encoding="utf-8")
    return [p.strip() for p in text.split("\n\n") if p.strip()]


def preset_config(preset: str, *, vocab_size: int | None = None) -> PreTrainedConfig:
    """Return the transformers config ``build_model`` uses for a preset.

    Token ids follow the published checkpoints: BART ``<s>``=0, ``<pad>``=1, ``</s>``=2 (also the
    decoder start); Marian ``</s>``=0 and ``<pad>`` the last id (also the decoder start).

    Args:
        preset: A key of ``PRESETS``.
        vocab_size: Model vocabulary; required when the preset's own ``vocab_size`` is ``None``
            (tiny presets, sized by their trained tokenizer), ignored otherwise.

    Returns:
        A ``BartConfig`` or ``MarianConfig`` (float32).

    Raises:
        ValueError: Unknown preset, or ``vocab_size`` missing for a tiny preset.
    """
    spec = _preset(preset)
    size = spec.vocab_size or vocab_size
    if size is None:
        raise ValueError(f"preset {preset!r} is sized by its tokenizer: pass vocab_size")
    common: dict[str, Any] = {
        "vocab_size": size,
        "d_model": spec.d_model,
        "encoder_layers": spec.encoder_layers,
        "decoder_layers": spec.decoder_layers,
        "encoder_attention_heads": spec.attention_heads,
        "decoder_attention_heads": spec.attention_heads,
        "encoder_ffn_dim": spec.ffn_dim,
        "decoder_ffn_dim": spec.ffn_dim,
        "max_position_embeddings": spec.max_position_embeddings,
        "activation_function": spec.activation,
        "dropout": 0.1,
        "attention_dropout": 0.0,
        "activation_dropout": 0.0,
        "is_encoder_decoder": True,
        "dtype": "float32",
    }
    if spec.family == "bart":
        from transformers import BartConfig

        # Not BartConfig parameters, but published BART configs carry them and CTranslate2's
        # converter reads normalize_before.
        legacy: dict[str, Any] = {
            "normalize_before": False,
            "normalize_embedding": True,
            "add_final_layer_norm": False,
        }
        return BartConfig(
            **common,
            **legacy,
            scale_embedding=False,
            bos_token_id=_BART_BOS,
            pad_token_id=_BART_PAD,
            eos_token_id=_BART_EOS,
            decoder_start_token_id=_BART_EOS,
            architectures=["BartForConditionalGeneration"],
        )
    from transformers import MarianConfig

    pad = size - 1
    # As written in published opus-mt configs (not MarianConfig parameters).
    legacy = {"static_position_embeddings": True, "normalize_embedding": False}
    return MarianConfig(
        **common,
        **legacy,
        decoder_vocab_size=size,
        share_encoder_decoder_embeddings=True,
        scale_embedding=True,
        bos_token_id=0,
        eos_token_id=0,
        pad_token_id=pad,
        decoder_start_token_id=pad,
        architectures=["MarianMTModel"],
    )


def build_model(
    preset: str,
    dest: Path,
    *,
    source_languages: Sequence[str],
    target_languages: Sequence[str] = (),
    target_tokens: Mapping[str, str] | None = None,
    seed: int = 0,
    ctranslate2: bool = True,
) -> None:
    """Build a random-weight model with a tokenizer trained on the project corpus.

    Layout of ``dest`` (any previous content is removed; the model is assembled in a temporary
    sibling folder and moved into place only once complete)::

        dest/transformers/    save_pretrained output: config.json, generation_config.json,
                              model.safetensors and the tokenizer files (BART: tokenizer.json;
                              Marian: source.spm, target.spm, vocab.json)
        dest/ctranslate2/     CTranslate2 conversion, float32 weights (when ``ctranslate2``)
        dest/precis-build.json  preset, seed, languages, sizes and library versions

    Both folders load like a downloaded model (``AutoTokenizer`` / ``AutoModelForSeq2SeqLM``,
    ``ctranslate2.Translator`` with any ``compute_type``). Tokenizers: BART gets a byte-level BPE
    trained on all corpus languages; Marian gets ``source.spm`` trained on the source languages'
    corpus and ``target.spm`` on the target languages', both with byte fallback, and one shared
    ``vocab.json`` that also holds the ``target_tokens``. Weights use the default transformers
    initialisation seeded with ``seed``, except that the embedding rows of ``<s>``, ``<unk>``
    and the ``<unused_N>`` fillers are zeroed (as ``<pad>`` already is) so that random outputs
    are corpus tokens, not fillers or a text that ``skip_special_tokens`` empties. The same
    arguments give the same files.

    Args:
        preset: A key of ``PRESETS``.
        dest: Model folder to create or replace.
        source_languages: Languages the model reads (corpus codes, e.g. ``["en"]``).
        target_languages: Marian only: languages it writes; defaults to the keys of
            ``target_tokens``. Ignored for BART (a summarizer writes its source language).
        target_tokens: Marian only: language -> token prepended to the source text to choose
            the output language of a multi-target model (e.g. ``{"uk": ">>ukr<<"}``).
        seed: Seed for the random weights.
        ctranslate2: Also write ``dest/ctranslate2``.

    Raises:
        ValueError: Unknown preset or language, Marian without target languages, a target
            token that is not ``>>...<<`` or whose language is not a target language, or
            target tokens given to a BART preset.
    """
    spec = _preset(preset)
    tokens = dict(target_tokens or {})
    sources = _check_languages(source_languages, "source_languages")
    if spec.family == "marian":
        targets = _check_languages(target_languages or list(tokens), "target_languages")
        for language, token in tokens.items():
            if language not in targets:
                raise ValueError(
                    f"target token {token!r} is for {language!r}, "
                    f"which is not a target language ({', '.join(targets)})"
                )
            if not (token.startswith(">>") and token.endswith("<<") and len(token) > 4):
                raise ValueError(f"target token {token!r} must look like '>>xxx<<'")
    elif tokens:
        raise ValueError(f"preset {preset!r} is a summarizer: it takes no target_tokens")
    else:
        targets = sources

    started = time.perf_counter()
    with staged(Path(dest)) as work, tempfile.TemporaryDirectory() as scratch:
        hf_dir = work / "transformers"
        hf_dir.mkdir()
        if spec.family == "bart":
            tokenizer = _bart_tokenizer(spec)
            vocab_size = spec.vocab_size or len(tokenizer) - 1  # <mask> is beyond, as in BART
        else:
            tokenizer = _marian_tokenizer(spec, Path(scratch), sources, targets, tokens)
            vocab_size = len(tokenizer)
        silent = sorted(
            i
            for token, i in tokenizer.get_vocab().items()
            if (token in _SILENT or token.startswith(_FILLER)) and i < vocab_size
        )
        tokenizer.save_pretrained(hf_dir)
        del tokenizer
        parameters = _save_random_model(
            preset, hf_dir, vocab_size=vocab_size, seed=seed, silent_ids=silent
        )
        gc.collect()  # the float32 weights of a real-size model are > 1 GB
        if ctranslate2:
            convert_to_ctranslate2(
                hf_dir, work / "ctranslate2", quantization=spec.ctranslate2_quantization
            )
        record = {
            "preset": preset,
            "architecture": dataclasses.asdict(spec),
            "seed": seed,
            "source_languages": list(sources),
            "target_languages": list(targets),
            "target_tokens": tokens,
            "vocab_size": vocab_size,
            "parameters": parameters,
            "ctranslate2": ctranslate2,
            "versions": _versions(),
        }
        (work / BUILD_RECORD).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    logger.info(
        "built %s (%s parameters, vocab %d) at %s in %.1f s",
        preset,
        f"{parameters:,}",
        vocab_size,
        dest,
        time.perf_counter() - started,
    )


def _preset(name: str) -> Preset:
    """Look up a preset by name, with a helpful error."""
    try:
        return PRESETS[name]
    except KeyError:
        raise ValueError(f"unknown preset {name!r}; available: {', '.join(PRESETS)}") from None


def _check_languages(codes: Iterable[str], what: str) -> tuple[str, ...]:
    """Return ``codes`` as a tuple after checking each has a corpus."""
    checked = tuple(dict.fromkeys(codes))
    available = corpus_languages()
    if not checked:
        raise ValueError(f"{what} is empty; choose from {', '.join(available)}")
    unknown = [lang for lang in checked if lang not in available]
    if unknown:
        raise ValueError(
            f"{what} has {', '.join(map(repr, unknown))} without a corpus; "
            f"choose from {', '.join(available)}"
        )
    return checked


def _paragraphs(languages: Iterable[str]) -> list[str]:
    """All corpus paragraphs of ``languages``, in a fixed order."""
    return [p for lang in languages for p in corpus_paragraphs(lang)]


def _unused(count: int, start: int) -> list[str]:
    """Filler tokens that no text ever encodes to; they pad a vocabulary to the model's size."""
    return [f"{_FILLER}{i}>" for i in range(start, start + count)]


def _bart_tokenizer(spec: Preset) -> PreTrainedTokenizerBase:
    """Train a byte-level BPE on every corpus language and wrap it as a BART tokenizer."""
    from tokenizers import AddedToken
    from tokenizers.implementations import ByteLevelBPETokenizer
    from transformers import RobertaTokenizer

    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(
        iter(_paragraphs(corpus_languages())),
        vocab_size=spec.tokenizer_vocab_size,
        min_frequency=2,
        special_tokens=list(_BART_SPECIALS),
        show_progress=False,
    )
    model = json.loads(bpe.to_str())["model"]
    vocab: dict[str, int] = model["vocab"]
    # tokenizers wants (left, right) pairs; transformers' annotation says list[str].
    merges: Any = [tuple(m.split(" ")) if isinstance(m, str) else tuple(m) for m in model["merges"]]
    if [vocab[t] for t in _BART_SPECIALS] != list(range(len(_BART_SPECIALS))):
        raise RuntimeError("BPE trainer did not put the special tokens first")
    if spec.vocab_size is not None:
        if len(vocab) > spec.vocab_size:
            raise RuntimeError(f"trained {len(vocab)} tokens, more than the model's vocabulary")
        for token in _unused(spec.vocab_size - len(vocab), len(vocab)):
            vocab[token] = len(vocab)
    # As in published BART tokenizers, <mask> comes last (id == model vocab size).
    vocab["<mask>"] = len(vocab)
    # lstrip as in published BART tokenizers (the annotation says str; AddedToken is accepted).
    mask: Any = AddedToken("<mask>", lstrip=True, rstrip=False, special=True)
    # vocab=/merges=, not vocab_file=/merges_file= (ignored by transformers 5: 5-token vocab).
    return RobertaTokenizer(
        vocab=vocab,
        merges=merges,
        mask_token=mask,
        model_max_length=spec.max_position_embeddings,
    )


def _train_sentencepiece(languages: Sequence[str], size: int) -> bytes:
    """Train a unigram sentencepiece model (byte fallback) and return its serialized proto."""
    import sentencepiece

    model = io.BytesIO()
    sentencepiece.SentencePieceTrainer.train(
        sentence_iterator=iter(_paragraphs(languages)),
        model_writer=model,
        model_type="unigram",
        vocab_size=size,
        hard_vocab_limit=False,
        character_coverage=1.0,
        byte_fallback=True,
        unk_id=0,
        bos_id=1,
        eos_id=2,
        pad_id=-1,
        num_threads=1,  # one thread: identical pieces on every run
        minloglevel=2,
    )
    return model.getvalue()


def _marian_tokenizer(
    spec: Preset,
    work: Path,
    sources: Sequence[str],
    targets: Sequence[str],
    target_tokens: Mapping[str, str],
) -> PreTrainedTokenizerBase:
    """Train source/target sentencepiece models and build the shared Marian vocabulary."""
    import sentencepiece
    from transformers import MarianTokenizer

    spm_dir = work / "spm"
    spm_dir.mkdir()
    vocab: dict[str, int] = {_MARIAN_EOS: 0, _MARIAN_UNK: 1}
    for token in target_tokens.values():
        vocab.setdefault(token, len(vocab))
    for side, languages in (("source", sources), ("target", targets)):
        proto = _train_sentencepiece(languages, spec.tokenizer_vocab_size)
        (spm_dir / f"{side}.spm").write_bytes(proto)
        processor = sentencepiece.SentencePieceProcessor(model_proto=proto)
        for i in range(processor.get_piece_size()):
            if not (processor.is_control(i) or processor.is_unknown(i)):
                vocab.setdefault(processor.id_to_piece(i), len(vocab))
    if spec.vocab_size is not None:
        if len(vocab) >= spec.vocab_size:
            raise RuntimeError(f"trained {len(vocab)} pieces, more than the model's vocabulary")
        for token in _unused(spec.vocab_size - 1 - len(vocab), len(vocab)):
            vocab[token] = len(vocab)
    vocab["<pad>"] = len(vocab)  # last id, also the decoder start token
    (spm_dir / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    return MarianTokenizer(
        source_spm=str(spm_dir / "source.spm"),
        target_spm=str(spm_dir / "target.spm"),
        vocab=str(spm_dir / "vocab.json"),
        source_lang="+".join(sources),
        target_lang="+".join(targets),
        model_max_length=min(spec.max_position_embeddings, 512),
    )


def _generation_config(config: PreTrainedConfig) -> Any:
    """Generation defaults as published with real checkpoints, minus beam and length settings.

    Beam count, length penalty and n-gram blocking come from the catalog at call time; no
    min_length is set, so explicit ``max_new_tokens`` always wins.
    """
    from transformers import GenerationConfig

    if config.model_type == "bart":
        return GenerationConfig(
            bos_token_id=_BART_BOS,
            pad_token_id=_BART_PAD,
            eos_token_id=_BART_EOS,
            decoder_start_token_id=_BART_EOS,
            forced_bos_token_id=_BART_BOS,
            forced_eos_token_id=_BART_EOS,
            max_length=142,
        )
    pad = config.pad_token_id
    return GenerationConfig(
        bos_token_id=0,
        pad_token_id=pad,
        eos_token_id=0,
        decoder_start_token_id=pad,
        forced_eos_token_id=0,
        bad_words_ids=[[pad]],
        max_length=512,
    )


def _save_random_model(
    preset: str, hf_dir: Path, *, vocab_size: int, seed: int, silent_ids: Sequence[int]
) -> int:
    """Create the model with seeded default initialisation, save it, return its parameter count.

    The embedding rows of ``silent_ids`` are zeroed: such a row scores 0 against the tied LM
    head while some ordinary token always scores higher, so the random model never emits it.
    """
    import torch
    from transformers import AutoModelForSeq2SeqLM

    config = preset_config(preset, vocab_size=vocab_size)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = AutoModelForSeq2SeqLM.from_config(config, dtype=torch.float32)
    # A random model mostly repeats its previous token: left alone, BART repeats the forced
    # <s> (an empty text once special tokens are skipped) and a padded vocabulary makes most
    # outputs <unused_N> fillers. The <pad> row is already zero (HF init).
    with torch.no_grad():
        model.get_input_embeddings().weight[list(silent_ids)] = 0.0
    model.generation_config = _generation_config(config)
    model.eval()
    parameters = sum(p.numel() for p in model.parameters())
    model.save_pretrained(hf_dir)
    del model
    return parameters


def _versions() -> dict[str, str]:
    """Versions of the libraries that shape the built files."""
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for package in ("torch", "transformers", "tokenizers", "sentencepiece", "ctranslate2"):
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            found[package] = "absent"
    return found
