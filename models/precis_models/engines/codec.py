"""Text <-> model tokens without transformers: what serving needs, at a fraction of the memory.

Two formats cover the catalog: a `tokenizer.json` (Hugging Face `tokenizers`; BART's byte-level
BPE) and Marian's pair of sentencepiece models plus `vocab.json`. Both codecs reproduce what the
transformers tokenizers of the same folders produce (tests compare them token for token), so the
CTranslate2 path never imports transformers or torch (~125 MB of resident memory saved).

Codecs do not change once loaded: any number of threads may use one at once.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Protocol

# The spacing fixes transformers applies when a tokenizer sets clean_up_tokenization_spaces.
_CLEAN_UP = (
    (" .", "."),
    (" ?", "?"),
    (" !", "!"),
    (" ,", ","),
    (" ' ", "'"),
    (" n't", "n't"),
    (" 'm", "'m"),
    (" 's", "'s"),
    (" 've", "'ve"),
    (" 're", "'re"),
)


class Codec(Protocol):
    """A model's tokenizer, in tokens (what CTranslate2 takes and returns) and ids."""

    specials: frozenset[str]

    def encode(self, texts: Sequence[str]) -> list[list[str]]:
        """Tokens of each text as the model reads them, special tokens included."""
        ...

    def decode(self, tokens: Sequence[Sequence[str]]) -> list[str]:
        """Text of each token sequence, special tokens skipped."""
        ...

    def to_ids(self, tokens: Sequence[str]) -> list[int]: ...

    def to_tokens(self, ids: Iterable[int]) -> list[str]: ...


def load_codec(path: Path) -> Codec:
    """The codec for a model folder (a save_pretrained / hub snapshot folder)."""
    config = _read_json(path / "tokenizer_config.json")
    if (path / "source.spm").is_file():
        return MarianCodec(path, config)
    if (path / "tokenizer.json").is_file():
        return JsonCodec(path, config)
    raise FileNotFoundError(
        f"no tokenizer in {path}: expected tokenizer.json or source.spm/target.spm/vocab.json "
        "(run `precis models fetch` again to write them)"
    )


def truncate(tokens: list[str], limit: int) -> list[str]:
    """At most `limit` tokens, keeping the closing special token (as transformers truncates)."""
    return tokens if len(tokens) <= limit else [*tokens[: limit - 1], tokens[-1]]


class JsonCodec:
    """A `tokenizers` tokenizer.json, with its post-processor (BART: <s> ... </s>)."""

    def __init__(self, path: Path, config: dict) -> None:
        from tokenizers import Tokenizer

        self._tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        added = self._tokenizer.get_added_tokens_decoder().values()
        self.specials = frozenset(token.content for token in added if token.special)
        self._clean_up = bool(config.get("clean_up_tokenization_spaces", False))

    def encode(self, texts: Sequence[str]) -> list[list[str]]:
        return [encoding.tokens for encoding in self._tokenizer.encode_batch(list(texts))]

    def decode(self, tokens: Sequence[Sequence[str]]) -> list[str]:
        decoder = self._tokenizer.decoder
        texts = [decoder.decode([t for t in row if t not in self.specials]) for row in tokens]
        return [_clean_up(t) for t in texts] if self._clean_up else texts

    def to_ids(self, tokens: Sequence[str]) -> list[int]:
        unknown = self._tokenizer.token_to_id("<unk>")
        return [_known(self._tokenizer.token_to_id(t), unknown, t) for t in tokens]

    def to_tokens(self, ids: Iterable[int]) -> list[str]:
        return [self._tokenizer.id_to_token(i) or "<unk>" for i in ids]


class MarianCodec:
    """Marian: source.spm pieces, then </s>; a leading >>lang<< code stays one token; output
    pieces are joined by target.spm.

    Pieces missing from vocab.json stay as they are: CTranslate2 reads them as <unk>, and
    `to_ids` maps them to <unk> as transformers does. vocab.json (60,000 entries, ~10 MB as Python
    objects) is read only when ids are asked for (the transformers engine).
    """

    def __init__(self, path: Path, config: dict) -> None:
        import sentencepiece

        self._path = path
        self._source = sentencepiece.SentencePieceProcessor(model_file=str(path / "source.spm"))
        self._target = sentencepiece.SentencePieceProcessor(model_file=str(path / "target.spm"))
        self._unk = config.get("unk_token", "<unk>")
        self._eos = config.get("eos_token", "</s>")
        self.specials = frozenset([self._eos, self._unk, config.get("pad_token", "<pad>")])
        self._clean_up = bool(config.get("clean_up_tokenization_spaces", False))

    @functools.cached_property
    def _vocab(self) -> dict[str, int]:
        return _read_json(self._path / "vocab.json")

    @functools.cached_property
    def _pieces(self) -> dict[int, str]:
        return {i: piece for piece, i in self._vocab.items()}

    def encode(self, texts: Sequence[str]) -> list[list[str]]:
        return [self._encode(text) for text in texts]

    def _encode(self, text: str) -> list[str]:
        code: list[str] = []
        if text.startswith(">>") and (end := text.find("<<")) != -1:
            code, text = [text[: end + 2]], text[end + 2 :]
        pieces = self._source.encode(text, out_type=str) if text else []
        return [*code, *pieces, self._eos]

    def decode(self, tokens: Sequence[Sequence[str]]) -> list[str]:
        texts = [self._decode(row) for row in tokens]
        return [_clean_up(t) for t in texts] if self._clean_up else texts

    def _decode(self, tokens: Sequence[str]) -> str:
        pieces = [t for t in tokens if t not in self.specials]
        return self._target.decode_pieces(pieces).replace("\u2581", " ").strip()

    def to_ids(self, tokens: Sequence[str]) -> list[int]:
        unknown = self._vocab[self._unk]
        return [self._vocab.get(t, unknown) for t in tokens]

    def to_tokens(self, ids: Iterable[int]) -> list[str]:
        return [self._pieces.get(i, self._unk) for i in ids]


def _known(token_id: int | None, unknown: int | None, token: str) -> int:
    if token_id is not None:
        return token_id
    if unknown is None:
        raise KeyError(f"token {token!r} is not in the vocabulary")
    return unknown


def _clean_up(text: str) -> str:
    for before, after in _CLEAN_UP:
        text = text.replace(before, after)
    return text


def _read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
