"""Request field names in refusals as HTTP callers write them (proto3 JSON: `sourceLanguage`)."""

from __future__ import annotations

import dataclasses
import functools
import re

from google.protobuf.descriptor import Descriptor

from precis_news.server.status import Status


@functools.cache
def _json_names(message: Descriptor) -> tuple[dict[str, str], re.Pattern[str] | None]:
    """The fields of `message` whose JSON name differs ({proto name: JSON name}), and a pattern
    that finds them as words."""
    names = {f.name: f.json_name for f in message.fields if f.name != f.json_name}
    if not names:
        return names, None
    return names, re.compile(r"\b(" + "|".join(map(re.escape, names)) + r")\b")


def in_json_words(status: Status, message: Descriptor) -> Status:
    """`status` with the request fields it names (its message and its BadRequest field) written
    as the JSON body names them: the product layer says `source_language`, as gRPC callers write
    it; an HTTP caller reads `sourceLanguage`.

    Args:
        status: a call's refusal.
        message: the request message's descriptor (its fields' JSON names).

    Returns:
        The status in the HTTP caller's words (itself when nothing needs renaming).
    """
    names, pattern = _json_names(message)
    if pattern is None:
        return status

    def rename(text: str) -> str:
        return pattern.sub(lambda match: names[match.group(1)], text)

    return dataclasses.replace(status, message=rename(status.message), field=rename(status.field))
