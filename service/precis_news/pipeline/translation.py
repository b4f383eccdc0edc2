"""Translation by sentences along a route of hops (direct, or through English), with its lengths."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from precis_models import tracing
from precis_models.batching import Generated
from precis_models.loader import Hop, ModelSet
from precis_models.scheduling import ANYONE, Caller
from precis_news.pipeline.context import Routes
from precis_news.pipeline.errors import BadRequest
from precis_news.pipeline.jobs import Metadata
from precis_news.pipeline.validation import visible_sentences
from precis_news.settings import Settings

LENGTH_BUCKET = 16  # translation length bounds are rounded up to a multiple of this
LENGTH_MARGIN = 8  # translation maximum = source tokens x translation_length_ratio + this

Pieces = list[list[tuple[str, int]]]  # per text: (sentence or piece of one, its tokens)


@dataclass(frozen=True)
class Translated:
    """Texts after every hop of a route, with what served them."""

    texts: list[str]
    model: str  # the hops' models, joined by "+"; "" when source is target
    pivot: str  # the language between two hops, or ""
    metadata: Metadata = field(default_factory=Metadata)
    truncated: list[bool] = field(default_factory=list)  # per text (see Translation.truncated)


def translation_lengths(
    lengths: Sequence[int], settings: Settings, *, cap: int
) -> list[tuple[int, int]]:
    """(min, max) new tokens for translating each sentence of these input lengths.

    One bound for all sentences (from the longest), rounded up to a bucket so that concurrent
    requests' sentences share beam-search calls; at most `cap`; no minimum. With
    `translation_fixed_length` (benchmarks on random weights, which never end early) each
    sentence decodes exactly its own bound, as long as a real translation of it would be: the
    cost follows each sentence's length, as it does with real models.
    """

    def bound(tokens: int) -> int:
        return min(
            _bucket(math.ceil(tokens * settings.translation_length_ratio) + LENGTH_MARGIN), cap
        )

    if settings.translation_fixed_length:
        return [(bound(tokens), bound(tokens)) for tokens in lengths]
    return [(0, bound(max(lengths)))] * len(lengths)


def _bucket(tokens: int, step: int = LENGTH_BUCKET) -> int:
    return -(-tokens // step) * step


def prefix_tokens(hop: Hop) -> int:
    """Tokens `hop.prepare` adds to every input (a target-language token, or none)."""
    return hop.model.added_tokens(hop.prepare(""))


async def fit_to_hop(hop: Hop, per_text: Sequence[Sequence[str]]) -> tuple[Pieces, int]:
    """Each text's sentences split to what `hop`'s model reads after its prefix (longer ones are
    split into pieces, never cut), and the prefix's tokens."""
    extra = await asyncio.to_thread(prefix_tokens, hop)
    budget = hop.model.spec.max_input_tokens - extra
    pieces = await asyncio.to_thread(hop.model.fit, per_text, budget=budget)
    return pieces, extra


class Translator:
    """Translates texts sentence by sentence with a profile's translators."""

    def __init__(self, models: ModelSet, settings: Settings) -> None:
        self.models = models
        self.settings = settings

    async def texts(
        self,
        texts: Sequence[str],
        source: str,
        target: str,
        *,
        routes: Routes | None = None,
        admitted: bool = False,
        caller: Caller = ANYONE,
    ) -> Translated:
        """Translate whole texts (split into sentences here); the same texts when source is
        target. `routes`, `admitted` and `caller`: see `sentences`."""
        if source == target:
            return Translated(list(texts), "", "", Metadata(), [False] * len(texts))
        per_text = [visible_sentences(t) for t in texts]
        return await self.sentences(
            per_text, source, target, routes=routes, admitted=admitted, caller=caller
        )

    async def sentences(
        self,
        per_text: list[list[str]],
        source: str,
        target: str,
        *,
        routes: Routes | None = None,
        admitted: bool = False,
        caller: Caller = ANYONE,
    ) -> Translated:
        """Sentence by sentence, all sentences of all texts in one submit per hop.

        A sentence longer than the translator reads is split into pieces that fit it
        (models.sentences.fit), never cut; a text with no sentence translates to "".
        `truncated` marks texts of which a piece's translation hit its length limit.
        `routes`, the request's routes, saves looking the route up again (default: the
        profile's, looked up here). `admitted`: a step of a call admitted already (a
        summary's translation), never refused for a full queue (see MicroBatcher.submit).
        `caller`: whom the model calls are for.

        Raises:
            BadRequest: the profile has no route from source to target.
            QueueFull: (not `admitted`) the first hop's queue is full.
        """
        hops = (routes or Routes(self.models))(source, target)
        if hops is None:
            raise BadRequest(f"no translation from {source} to {target} in this profile")
        metadata = Metadata()
        cut = [False] * len(per_text)
        for hop in hops:
            per_text, hop_cut = await self._hop(hop, per_text, metadata, caller, admitted=admitted)
            cut = [before or now for before, now in zip(cut, hop_cut, strict=True)]
        return Translated(
            [" ".join(sentences) for sentences in per_text],
            "+".join(h.model.name for h in hops),
            hops[0].target if len(hops) > 1 else "",
            metadata,
            cut,
        )

    async def _hop(
        self,
        hop: Hop,
        per_text: list[list[str]],
        metadata: Metadata,
        caller: Caller,
        *,
        admitted: bool,
    ) -> tuple[list[list[str]], list[bool]]:
        """One hop's translations of each text's sentences, and which texts had one cut."""
        pieces, extra = await fit_to_hop(hop, per_text)
        flat = [hop.prepare(piece) for text in pieces for piece, _ in text]
        if not flat:
            return per_text, [False] * len(per_text)
        lengths = [tokens + extra for text in pieces for _, tokens in text]
        # The decoder's positions hold its start token and the end token too (a Marian model
        # reads and writes at most max_input_tokens positions).
        cap = hop.model.spec.max_input_tokens - 2
        bounds = translation_lengths(lengths, self.settings, cap=cap)
        with tracing.span(
            "translate",
            model=hop.model.name,
            target=hop.target,
            sentences=len(flat),
            input_tokens=sum(lengths),
        ):
            generated = await _submit_by_bounds(
                hop, flat, lengths, bounds, caller, admitted=admitted
            )
        metadata.add(generated)
        metadata.cut_translations += generated.ended.count(False)
        return _regroup(pieces, generated)


async def _submit_by_bounds(
    hop: Hop,
    texts: list[str],
    lengths: list[int],
    bounds: list[tuple[int, int]],
    caller: Caller,
    *,
    admitted: bool,
) -> Generated:
    """The texts translated with their (min, max) bounds: one submit per distinct bound, all at
    once, outputs back in order (times: the slowest submit's; cache hits: all of them)."""
    groups: dict[tuple[int, int], list[int]] = {}
    for i, bound in enumerate(bounds):
        groups.setdefault(bound, []).append(i)
    parts = await asyncio.gather(
        *(
            hop.model.generate(
                [texts[i] for i in members],
                hop.model.options(max_new_tokens=longest, min_new_tokens=shortest),
                lengths=[lengths[i] for i in members],
                admitted=admitted,
                caller=caller,
            )
            for (shortest, longest), members in groups.items()
        )
    )
    outputs, ended = [""] * len(texts), [True] * len(texts)
    for members, part in zip(groups.values(), parts, strict=True):
        for i, output, done in zip(members, part.outputs, part.ended, strict=True):
            outputs[i], ended[i] = output, done
    return Generated(
        outputs,
        max(p.queue_ms for p in parts),
        max(p.inference_ms for p in parts),
        sum(p.cache_hits for p in parts),
        ended,
        max(p.behind_interactive_ms for p in parts),
    )


def _regroup(pieces: Pieces, generated: Generated) -> tuple[list[list[str]], list[bool]]:
    """The flat outputs given back to their texts (empty ones dropped), and which were cut."""
    outputs = iter(zip(generated.outputs, generated.ended, strict=True))
    per_text: list[list[str]] = []
    cut: list[bool] = []
    for text in pieces:
        done = [next(outputs) for _ in text]
        cut.append(not all(ended for _, ended in done))
        per_text.append([out.strip() for out, _ in done if out.strip()])
    return per_text, cut
