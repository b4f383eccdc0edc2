"""The model catalog: profiles and the models that serve each task or language pair."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from precis_models import languages

CATALOG_PATH = Path(__file__).with_name("catalog.toml")
_COMMIT = re.compile(r"[0-9a-f]{40}")


def is_commit(revision: str) -> bool:
    """True for a full git commit hash (40 lower-case hex digits)."""
    return _COMMIT.fullmatch(revision) is not None


@dataclass(frozen=True)
class Decoding:
    """Beam-search settings a model was published with (both engines honour them)."""

    num_beams: int = 1
    length_penalty: float = 1.0
    no_repeat_ngram_size: int = 0


# Summary length presets in generated tokens (min, max), for summarizers that name none: the
# CNN/DailyMail BART models' published bounds (see catalog.toml).
DEFAULT_LENGTHS: Mapping[str, tuple[int, int]] = {
    "short": (27, 70),
    "medium": (54, 139),
    "long": (81, 208),
}


@dataclass(frozen=True)
class ModelSpec:
    """One catalog entry."""

    name: str
    task: Literal["summarize", "translate"]
    repo: str
    license: str
    max_input_tokens: int
    revision: str = "main"
    description: str = ""  # published quality, with its source (catalog.toml cites it)
    build: str | None = None
    languages: tuple[str, ...] = ()
    pairs: tuple[tuple[str, str], ...] = ()
    target_tokens: Mapping[str, str] = field(default_factory=dict)
    decoding: Decoding = Decoding()
    # Summarizers: length presets (min, max new tokens) and the text put before every input, as
    # the model's config says (BART CNN: " ", like transformers' summarization pipeline).
    lengths: Mapping[str, tuple[int, int]] = field(default_factory=lambda: dict(DEFAULT_LENGTHS))
    prefix: str = ""
    # The architecture (a name in families.FAMILIES: how the model is built, fed and windowed),
    # and, for prompt-based (decoder-only) families, the prompt with "{text}" where the text goes.
    family: str = "seq2seq"
    prompt: str = ""

    @property
    def is_built(self) -> bool:
        """Built locally with random weights rather than downloaded."""
        return self.build is not None

    @property
    def is_pinned(self) -> bool:
        """Downloaded at one full commit hash (40 hex digits), not a branch or tag that can move."""
        return is_commit(self.revision)

    @property
    def source_languages(self) -> tuple[str, ...]:
        if self.task == "summarize":
            return self.languages
        return tuple(dict.fromkeys(src for src, _ in self.pairs))

    @property
    def target_languages(self) -> tuple[str, ...]:
        if self.task == "summarize":
            return self.languages
        return tuple(dict.fromkeys(tgt for _, tgt in self.pairs))

    def directory(self, model_dir: Path) -> Path:
        """Where this model lives under a model directory."""
        return model_dir / self.repo


@dataclass(frozen=True)
class Profile:
    """A consistent set of models served together."""

    name: str
    description: str
    summarizer: ModelSpec
    translators: tuple[ModelSpec, ...]

    @property
    def models(self) -> tuple[ModelSpec, ...]:
        return (self.summarizer, *self.translators)

    @property
    def pairs(self) -> tuple[tuple[str, str], ...]:
        return tuple(pair for spec in self.translators for pair in spec.pairs)


class UnknownProfile(KeyError):
    """A profile name the catalog does not define (a KeyError, as any failed lookup by name)."""


@dataclass(frozen=True)
class Catalog:
    """All profiles and models of a catalog file."""

    profiles: Mapping[str, Profile]

    def profile(self, name: str) -> Profile:
        """The profile called `name`.

        Raises:
            UnknownProfile: no such profile; the message lists the known ones.
        """
        try:
            return self.profiles[name]
        except KeyError:
            known = ", ".join(sorted(self.profiles))
            raise UnknownProfile(f"unknown profile {name!r}; known profiles: {known}") from None


def _spec(name: str, raw: Mapping[str, Any]) -> ModelSpec:
    return ModelSpec(
        name=name,
        task=raw["task"],
        repo=raw["repo"],
        license=raw["license"],
        max_input_tokens=int(raw["max_input_tokens"]),
        revision=raw.get("revision", "main"),
        description=raw.get("description", ""),
        build=raw.get("build"),
        languages=tuple(raw.get("languages", ())),
        pairs=tuple(tuple(p.split("-", 1)) for p in raw.get("pairs", ())),  # type: ignore[misc]
        target_tokens=dict(raw.get("target_tokens", {})),
        decoding=Decoding(**raw.get("generation", {})),
        lengths={
            name: (int(low), int(high))
            for name, (low, high) in raw.get("lengths", DEFAULT_LENGTHS).items()
        },
        prefix=raw.get("prefix", ""),
        family=raw.get("family", "seq2seq"),
        prompt=raw.get("prompt", ""),
    )


def load_catalog(path: Path = CATALOG_PATH) -> Catalog:
    """Read a catalog TOML file.

    Raises:
        ValueError: a profile names a model the file does not define, a model's task is wrong,
            a model names a language precis_models.languages does not serve, or a downloaded
            model is not pinned to a commit hash. (An unknown family is refused when the models
            are loaded: the families' registry builds engines, which the catalog does not need.)
    """
    with open(path, "rb") as handle:
        raw = tomllib.load(handle)
    specs = {name: _spec(name, entry) for name, entry in raw["models"].items()}
    for spec in specs.values():
        unserved = [
            code
            for code in (*spec.languages, *(code for pair in spec.pairs for code in pair))
            if code not in languages.REGISTRY
        ]
        if unserved:
            raise ValueError(
                f"model {spec.name!r}: language {unserved[0]!r} is not served "
                f"({languages.listed()}); add it to precis_models/languages.py first"
            )
        if not spec.is_built and not spec.is_pinned:
            raise ValueError(
                f"model {spec.name!r}: revision {spec.revision!r} is not a commit hash "
                "(pin every downloaded model to its full 40-hex commit)"
            )
    profiles = {}
    for pname, entry in raw["profiles"].items():
        try:
            summarizer = specs[entry["summarizer"]]
            translators = tuple(specs[t] for t in entry["translators"])
        except KeyError as exc:
            raise ValueError(f"profile {pname!r} names unknown model {exc.args[0]!r}") from None
        if summarizer.task != "summarize" or any(t.task != "translate" for t in translators):
            raise ValueError(f"profile {pname!r} mixes up summarizers and translators")
        profiles[pname] = Profile(pname, entry.get("description", ""), summarizer, translators)
    return Catalog(profiles)
