"""The requests both clients send, built and checked from their keywords in one place."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Concatenate, Generic, Literal, ParamSpec, TypeAlias, TypeVar, cast

import grpc

from precis_news.client.errors import InvalidArgument
from precis_news.types import (
    LENGTH_UNSPECIFIED,
    PRIORITY_UNSPECIFIED,
    DetectLanguageRequest,
    Length,
    Priority,
    SummarizeRequest,
    TranslateRequest,
)

# The summary lengths a caller names: the proto's Length values less UNSPECIFIED, in their
# order (LENGTH_SHORT -> "short", ...). The one list the client and the CLI offer.
LENGTH_NAMES: tuple[str, ...] = tuple(
    name.removeprefix("LENGTH_").lower()
    for name, number in Length.items()
    if number != LENGTH_UNSPECIFIED
)
# LENGTH_NAMES for type checkers (a unit test keeps the two equal).
LengthName: TypeAlias = Literal["short", "medium", "long"]
# None -> LENGTH_UNSPECIFIED (the server's default), "short" -> LENGTH_SHORT, ...
_LENGTHS: Mapping[str | None, Length] = {
    None: LENGTH_UNSPECIFIED,
    **{name: Length.Value(f"LENGTH_{name.upper()}") for name in LENGTH_NAMES},
}

# The priorities a caller names: the proto's Priority values less UNSPECIFIED
# (PRIORITY_INTERACTIVE -> "interactive", PRIORITY_BATCH -> "batch"); see the proto's Priority.
PRIORITY_NAMES: tuple[str, ...] = tuple(
    name.removeprefix("PRIORITY_").lower()
    for name, number in Priority.items()
    if number != PRIORITY_UNSPECIFIED
)
PriorityName: TypeAlias = Literal["interactive", "batch"]  # PRIORITY_NAMES for type checkers
# None -> PRIORITY_UNSPECIFIED (the server's default: interactive), "batch" -> PRIORITY_BATCH.
_PRIORITIES: Mapping[str | None, Priority] = {
    None: PRIORITY_UNSPECIFIED,
    **{name: Priority.Value(f"PRIORITY_{name.upper()}") for name in PRIORITY_NAMES},
}

RequestT = TypeVar("RequestT")
ResultT = TypeVar("ResultT")
ClientT = TypeVar("ClientT")
P = ParamSpec("P")


@dataclass(frozen=True)
class Prepared(Generic[RequestT]):
    """A request built from a method's keywords, and the deadline asked for it."""

    request: RequestT
    timeout: float | None  # None: the client's default


def summarize_arguments(
    text: str = "",
    *,
    html: str = "",
    targets: Sequence[str] | str = (),
    source_language: str = "",
    title: str = "",
    length: LengthName | None = "medium",
    min_tokens: int | None = None,
    max_tokens: int | None = None,
    include_sources: bool = False,
    priority: PriorityName | None = None,
    timeout: float | None = None,
) -> Prepared[SummarizeRequest]:
    """The keywords of `summarize` and `stream_summarize` (see PrecisClient.summarize).

    Raises:
        ValueError: an unknown `length` or `priority`.
        InvalidArgument: a text that is not valid Unicode (a lone surrogate), as the server
            would answer; nothing is sent.
    """
    if length not in _LENGTHS:
        raise ValueError(f"length must be {', '.join(LENGTH_NAMES)} or None, got {length!r}")
    request = SummarizeRequest(
        text=unicode_text(text, field="text"),
        html=unicode_text(html, field="html"),
        title=unicode_text(title, field="title"),
        source_language=unicode_text(source_language, field="source_language"),
        target_languages=[
            unicode_text(t, field="target_languages") for t in language_list(targets)
        ],
        length=_LENGTHS[length],
        include_sources=include_sources,
        priority=priority_value(priority),
    )
    if min_tokens is not None:
        request.min_tokens = min_tokens
    if max_tokens is not None:
        request.max_tokens = max_tokens
    return Prepared(request, timeout)


def translate_arguments(
    texts: Sequence[str] | str,
    *,
    target: str,
    source_language: str = "",
    priority: PriorityName | None = None,
    timeout: float | None = None,
) -> Prepared[TranslateRequest]:
    """The keywords of `translate` (see PrecisClient.translate).

    Raises:
        ValueError: an unknown `priority`.
    """
    request = TranslateRequest(
        texts=[
            unicode_text(t, field=f"texts[{i}]")
            for i, t in enumerate([texts] if isinstance(texts, str) else texts)
        ],
        source_language=unicode_text(source_language, field="source_language"),
        target_language=unicode_text(target, field="target_language"),
        priority=priority_value(priority),
    )
    return Prepared(request, timeout)


def priority_value(priority: str | None) -> Priority:
    """The proto's Priority for a name in PRIORITY_NAMES (None: unspecified, interactive).

    Raises:
        ValueError: another name.
    """
    if priority not in _PRIORITIES:
        raise ValueError(
            f"priority must be {' or '.join(PRIORITY_NAMES)} or None, got {priority!r}"
        )
    return _PRIORITIES[priority]


def detect_arguments(text: str, *, timeout: float | None = None) -> Prepared[DetectLanguageRequest]:
    """The keywords of `detect_language` (see PrecisClient.detect_language)."""
    return Prepared(DetectLanguageRequest(text=unicode_text(text, field="text")), timeout)


def language_list(values: Sequence[str] | str) -> list[str]:
    """ "fr,uk" or "fr, uk" -> ["fr", "uk"] (a comma-separated string is a list, as on the
    command line); a sequence is kept as it is."""
    if isinstance(values, str):
        return [v.strip() for v in values.split(",") if v.strip()]
    return list(values)


def unicode_text(value: str, *, field: str) -> str:
    """`value`, when it can be sent (encoded as UTF-8).

    A lone surrogate is valid JSON ("\\ud800") and what Python makes of undecodable bytes on a
    command line; protobuf cannot encode it, so it is refused here as the server would.

    Raises:
        InvalidArgument: `value` holds a lone surrogate.
    """
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        character = f"U+{ord(value[error.start]):04X}"
        raise InvalidArgument(
            grpc.StatusCode.INVALID_ARGUMENT,
            f"{field} is not valid Unicode: a lone surrogate ({character}) at character "
            f"{error.start}; send UTF-8 text",
        ) from None
    return value


def takes(
    arguments: Callable[P, Prepared[RequestT]],
) -> Callable[
    [Callable[[ClientT, Prepared[RequestT]], ResultT]], Callable[Concatenate[ClientT, P], ResultT]
]:
    """Give a client method the keywords of `arguments`; the method receives what they build.

    Users, `help()` and type checkers see `arguments`' parameters (names, types, defaults) on
    the method, so both clients' methods share one signature and one place that checks it.
    Arguments are checked when the call is made (for a coroutine method: when it is awaited,
    as for any coroutine).
    """

    def decorate(method: Callable[[ClientT, Prepared[RequestT]], ResultT]) -> Any:
        def public(self: ClientT, /, *args: Any, **kwargs: Any) -> Any:
            return method(self, arguments(*args, **kwargs))

        async def awaited(self: ClientT, /, *args: Any, **kwargs: Any) -> Any:
            return await cast(Any, method)(self, arguments(*args, **kwargs))

        wrapper: Any = awaited if inspect.iscoroutinefunction(method) else public
        functools.update_wrapper(wrapper, method)
        own, given = inspect.signature(method), inspect.signature(arguments)
        wrapper.__signature__ = given.replace(
            parameters=[next(iter(own.parameters.values())), *given.parameters.values()],
            return_annotation=own.return_annotation,
        )
        return wrapper

    return decorate
