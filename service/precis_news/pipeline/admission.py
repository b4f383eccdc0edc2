"""Early refusal: calls on their way to a model count against its queue before they reach it."""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterator

from precis_models.loader import LoadedModel
from precis_models.scheduling import ANYONE, Caller


class Heading:
    """How many admitted calls are on their way to each model: past admission, detecting their
    language or building their context, their texts not yet in that model's queue.

    Each counts as one text queued there when a later call is admitted (see `toward`), so a
    burst arriving faster than detection runs is refused on arrival, in O(1), instead of after
    waiting for its own detection behind the others'. Used on the event loop only.
    """

    def __init__(self) -> None:
        self._calls: Counter[str] = Counter()

    def ahead(self, model: LoadedModel) -> int:
        """Calls on their way to `model`."""
        return self._calls[model.name]

    @contextlib.contextmanager
    def toward(self, model: LoadedModel, caller: Caller = ANYONE) -> Iterator[Ticket]:
        """Admit `caller`'s call to `model` (counted until the block ends) or refuse it.

        Raises:
            QueueFull: `model`'s queue, with the calls on their way to it, is at capacity.
        """
        ticket = Ticket(self, caller)
        try:
            ticket.move(model)
            yield ticket
        finally:
            ticket.leave()

    def _refusal_or_enter(self, model: LoadedModel, caller: Caller) -> None:
        refused = model.refusal(ahead=self._calls[model.name], caller=caller)
        if refused is not None:
            raise refused
        self._calls[model.name] += 1

    def _leave(self, name: str) -> None:
        self._calls[name] -= 1
        if not self._calls[name]:
            del self._calls[name]


class Ticket:
    """One call's place on its way to a model (see Heading.toward)."""

    def __init__(self, heading: Heading, caller: Caller) -> None:
        self._heading = heading
        self._caller = caller
        self._model: str | None = None

    def move(self, model: LoadedModel) -> None:
        """Head for `model` instead (the source language is known now), checked again.

        Raises:
            QueueFull: `model`'s queue, with the other calls on their way to it, is at capacity.
        """
        self.leave()
        self._heading._refusal_or_enter(model, self._caller)
        self._model = model.name

    def leave(self) -> None:
        """No longer on the way (the call's texts are about to be queued, or it ended)."""
        if self._model is not None:
            self._heading._leave(self._model)
            self._model = None
