"""One Summarize request's facts, worked out once: its article's sentences, targets and routes."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from precis_models.loader import Hop, ModelSet
from precis_models.scheduling import ANYONE, Caller
from precis_models.sentences import is_blank, split_sentences
from precis_news.pipeline.jobs import Detection


@dataclass(frozen=True)
class Article:
    """An article as sent (title, then text) and its sentences, split once."""

    text: str
    sentences: tuple[str, ...]  # split_sentences(text): provenance counts positions in these

    @classmethod
    def of(cls, text: str) -> Article:
        """The article `text` with its sentences (the one split of it a request makes)."""
        return cls(text, tuple(split_sentences(text)))

    @functools.cached_property
    def visible(self) -> list[str]:
        """The sentences with something visible in them (what the models read)."""
        return [s for s in self.sentences if not is_blank(s)]


class Routes:
    """The translation routes of one request, each looked up once (see ModelSet.route)."""

    def __init__(self, models: ModelSet) -> None:
        self._models = models
        self._known: dict[tuple[str, str], list[Hop] | None] = {}

    def __call__(self, source: str, target: str) -> list[Hop] | None:
        """The hops from `source` to `target` (ModelSet.route), the first lookup's answer."""
        if (source, target) not in self._known:
            self._known[source, target] = self._models.route(source, target)
        return self._known[source, target]


@dataclass(frozen=True)
class RequestContext:
    """What every step of one Summarize request reads, built once after detection."""

    article: Article
    source: Detection  # the article's language (given, or detected)
    targets: tuple[str, ...]  # in response order
    low: int  # the summary's bounds in generated tokens
    high: int
    sources: bool  # list each summary sentence's article sentences
    routes: Routes
    caller: Caller = ANYONE  # whom every model call of the request is for (from the transport)

    @classmethod
    def build(
        cls,
        article: str,
        source: Detection,
        *,
        targets: tuple[str, ...],
        low: int,
        high: int,
        sources: bool,
        routes: Routes,
        caller: Caller = ANYONE,
    ) -> RequestContext:
        """The context of a checked request (blocking: it splits the article).

        Args:
            article: the article as sent (title and text).
            source: its language.
            targets: the normalized target languages asked for, in request order (none: the
                source language).
            low, high: the summary's bounds.
            sources: list each summary sentence's article sentences.
            routes: the request's routes (those looked up before detection included).
            caller: whom it is for (priority, fair-share key, deadline).
        """
        return cls(
            Article.of(article),
            source,
            targets or (source.language,),
            low,
            high,
            sources,
            routes,
            caller,
        )
