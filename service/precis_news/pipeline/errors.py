"""What a request got wrong, as domain errors: the server's status table maps them to codes."""

from __future__ import annotations

# Caps on what a caller's input can make the server write back or log: a 100,000-character
# language code must not become a 100 KB message.
MAX_ECHO_CHARS = 40


class RequestError(Exception):
    """A failure the caller can act on; its message is shown to them."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field  # the request field at fault, or ""


class BadRequest(RequestError):
    """The request is wrong (empty text, unknown language, bad bounds, ...)."""


class TooLarge(RequestError):
    """The request is larger than the server accepts (retrying will not help)."""


class NotReady(RequestError):
    """Models are loading or the server is draining (retrying later, or elsewhere, helps)."""


def echo(value: str, *, limit: int = MAX_ECHO_CHARS) -> str:
    """`repr(value)` for an error message, cut to `limit` characters of the value.

    Args:
        value: what the caller sent (a language code, an enum name, ...).
        limit: how many of its characters to show.

    Returns:
        The quoted value, with "… (N characters)" when it was cut.
    """
    if len(value) <= limit:
        return repr(value)
    return f"{value[:limit]!r}… ({len(value)} characters)"
