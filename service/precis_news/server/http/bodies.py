"""JSON request bodies: compressed ones refused, large ones parsed off the event loop, each field
given once (one spelling)."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Mapping
from typing import Any, TypeVar

import grpc
from google.protobuf import json_format
from google.protobuf.message import Message

from precis_news.server.status import Status, clip

M = TypeVar("M", bound=Message)

# Request bodies are taken as sent, never decompressed: a 1 MB gzip body can expand to 1 GiB,
# and no JSON client of this API needs to compress an article of at most a few MB.
ACCEPTED_ENCODINGS = ("identity",)
# Bodies above this size are parsed in a worker thread, so the loop (gRPC health included) keeps
# turning while a multi-megabyte body is decoded.
OFF_LOOP_BYTES = 64 * 1024
_UPPER = re.compile(r"[A-Z]")


class BadBody(Exception):
    """A body that is not the request message; `status` says why."""

    def __init__(self, status: Status) -> None:
        super().__init__(status.message)
        self.status = status


def encoding_refusal(headers: Mapping[str, str]) -> Status | None:
    """415 for a body sent with a Content-Encoding other than identity (None when it has none),
    naming the encodings accepted."""
    encoding = headers.get("Content-Encoding", "").strip().lower()
    if encoding in ("", *ACCEPTED_ENCODINGS):
        return None
    return Status(
        grpc.StatusCode.INVALID_ARGUMENT,
        f"request bodies with Content-Encoding {clip(encoding, limit=40)!r} are not accepted; "
        f"send them uncompressed (accepted: {', '.join(ACCEPTED_ENCODINGS)})",
        http=415,
    )


def field_name(key: str) -> str:
    """The proto field name of a JSON key in either spelling: targetLanguages and
    target_languages are both target_languages."""
    return _UPPER.sub(lambda upper: "_" + upper.group().lower(), key)


def _one_spelling(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, str] = {}
    for key, _ in pairs:
        name = field_name(key)
        if name in seen:
            spellings = clip(seen[name] if seen[name] == key else f"{seen[name]} and {key}")
            name = clip(name, limit=60)
            raise BadBody(
                Status(
                    grpc.StatusCode.INVALID_ARGUMENT,
                    f"{name} is given more than once (as {spellings}); send it once",
                    field=name,
                )
            )
        seen[name] = key
    return dict(pairs)


def parse(body: bytes, message: M) -> M:
    """Fill `message` from a proto3 JSON `body` (lowerCamelCase or proto names, not both).

    Raises:
        BadBody: not UTF-8, not JSON, a field given twice, or not this message.
    """
    try:
        data = json.loads(body.decode("utf-8"), object_pairs_hook=_one_spelling)
        json_format.ParseDict(data, message)
    except BadBody:
        raise
    except (json_format.ParseError, UnicodeDecodeError, RecursionError, ValueError) as exc:
        reason = clip(str(exc), limit=300)
        raise BadBody(
            Status(
                grpc.StatusCode.INVALID_ARGUMENT,
                f"the body is not a valid {message.DESCRIPTOR.full_name} in JSON: {reason}",
            )
        ) from None
    return message


async def parse_off_loop(body: bytes, message: M) -> M:
    """parse(), in a worker thread when `body` is over OFF_LOOP_BYTES."""
    if len(body) <= OFF_LOOP_BYTES:
        return parse(body, message)
    return await asyncio.to_thread(parse, body, message)
