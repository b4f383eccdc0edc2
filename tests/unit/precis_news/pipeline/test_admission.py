"""Calls on their way to a model count against its queue: refused on arrival, in O(1)."""

from __future__ import annotations

from typing import Any, cast

import pytest

from precis_models.batching import QueueFull
from precis_models.loader import LoadedModel
from precis_models.scheduling import ANYONE, Caller
from precis_news.pipeline.admission import Heading


class QueueOf:
    """A model whose queue holds `queued` of `max_queue` texts (LoadedModel.refusal's rule)."""

    def __init__(self, name: str, *, queued: int = 0, max_queue: int = 2) -> None:
        self.name = name
        self.queued = queued
        self.max_queue = max_queue

    def refusal(
        self, texts: int = 1, *, ahead: int = 0, caller: Caller = ANYONE
    ) -> QueueFull | None:
        if texts and self.queued + ahead >= self.max_queue:
            return QueueFull(self.name, retry_after=1.0)
        return None


def model(name: str, **queue: Any) -> LoadedModel:
    return cast(LoadedModel, QueueOf(name, **queue))


def test_calls_on_their_way_fill_the_queue_and_leave_it_when_done() -> None:
    heading, summarizer = Heading(), model("bart", max_queue=2)
    with heading.toward(summarizer), heading.toward(summarizer):
        assert heading.ahead(summarizer) == 2
        with pytest.raises(QueueFull, match="bart is at capacity"), heading.toward(summarizer):
            pass
        assert heading.ahead(summarizer) == 2  # the refused call took no place
    assert heading.ahead(summarizer) == 0
    with heading.toward(summarizer):  # room again
        assert heading.ahead(summarizer) == 1


def test_queued_texts_and_calls_on_their_way_add_up() -> None:
    heading, summarizer = Heading(), model("bart", queued=1, max_queue=2)
    with heading.toward(summarizer), pytest.raises(QueueFull), heading.toward(summarizer):
        pass


def test_a_call_moves_to_the_detected_languages_model_checked_again() -> None:
    heading = Heading()
    summarizer, fr_en = model("bart"), model("fr-en", queued=2, max_queue=2)
    with heading.toward(summarizer) as ticket:
        with pytest.raises(QueueFull, match="fr-en is at capacity"):
            ticket.move(fr_en)
        assert heading.ahead(summarizer) == 0 and heading.ahead(fr_en) == 0
    fr_en_with_room = model("fr-en", max_queue=2)
    with heading.toward(summarizer) as ticket:
        ticket.move(fr_en_with_room)
        assert (heading.ahead(summarizer), heading.ahead(fr_en_with_room)) == (0, 1)
    assert heading.ahead(fr_en_with_room) == 0


def test_a_call_that_fails_on_its_way_leaves_its_place() -> None:
    heading, summarizer = Heading(), model("bart")
    with pytest.raises(ValueError), heading.toward(summarizer):
        raise ValueError("detection failed")
    assert heading.ahead(summarizer) == 0
