"""Log records that callers cannot forge or flood: escaped messages, rate-limited noise."""

from __future__ import annotations

import logging
import time
from typing import Any

from aiohttp.http_exceptions import HttpProcessingError

# Characters a caller could use to start a fake log line or hide text: every control character
# (newline, carriage return, escape, NUL...) is written as its Python escape instead.
_CONTROL = {c: f"\\x{c:02x}" for c in (*range(0x20), 0x7F)} | {
    0x0A: "\\n",
    0x0D: "\\r",
    0x09: "\\t",
}
_CONTROL_TABLE = str.maketrans({chr(c): e for c, e in _CONTROL.items()})


def escape(text: str) -> str:
    """`text` with its control characters escaped (`\\n`, `\\x1b`...), so that one record stays
    one line whatever a caller put into it."""
    return text.translate(_CONTROL_TABLE)


class EscapingFormatter(logging.Formatter):
    """A Formatter whose message and request id are escaped (a traceback, written by the server
    itself, keeps its lines)."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        record.message = escape(record.message)
        given = getattr(record, "request_id", None)
        if isinstance(given, str):
            record.request_id = escape(given)  # type: ignore[attr-defined]  # RequestIdFilter's
        return super().formatMessage(record)


class Throttled:
    """Lets one event through per `interval` seconds and counts the ones held back, so that a
    flood of the same condition writes one line per interval, not one per attempt."""

    def __init__(self, interval: float, *, clock: Any = time.monotonic) -> None:
        self.interval = interval
        self.held = 0  # events since the last one let through
        self._clock = clock
        self._next = 0.0

    def ready(self) -> int | None:
        """None while within the interval (the event is counted); else the number of events
        held back since the last one let through (the caller logs it)."""
        now = self._clock()
        if now < self._next:
            self.held += 1
            return None
        self._next = now + self.interval
        held, self.held = self.held, 0
        return held


# aiohttp's own request-parsing errors: a malformed request is the caller's fault, not ours.
PARSER_NOISE_SECONDS = 10.0


class ParserNoise(logging.LoggerAdapter):  # type: ignore[type-arg]
    """aiohttp's server logger: a request its parser refused (HttpProcessingError: a NUL in a
    header, a bad request line) at WARNING without a traceback, once per
    PARSER_NOISE_SECONDS with a count; anything else as aiohttp logs it."""

    def __init__(self, logger: logging.Logger) -> None:
        super().__init__(logger, {})
        self.throttle = Throttled(PARSER_NOISE_SECONDS)

    def exception(self, msg: Any, *args: Any, exc_info: Any = True, **kwargs: Any) -> None:
        if not isinstance(exc_info, HttpProcessingError):
            self.logger.error(msg, *args, exc_info=exc_info, **kwargs)
            return
        held = self.throttle.ready()
        if held is None:
            return
        reason = escape(f"{type(exc_info).__name__}: {exc_info}")
        self.logger.warning(
            "malformed HTTP request (%s)%s",
            reason[:200],
            f"; {held} more since the last such line" if held else "",
        )


# What asyncio logs (at ERROR, with a traceback) each time accept() fails for want of
# descriptors; it then pauses that listener for a second and tries again.
ACCEPT_ERROR = "socket.accept() out of system resource"


class AcceptErrors(logging.Filter):
    """On asyncio's logger: "out of descriptors" at accept as one WARNING line, without a
    traceback, per PARSER_NOISE_SECONDS (with a count), instead of one traceback per attempt."""

    def __init__(self) -> None:
        super().__init__()
        self.throttle = Throttled(PARSER_NOISE_SECONDS)

    @classmethod
    def install(cls) -> None:
        """Add the filter to asyncio's logger (once per process)."""
        target = logging.getLogger("asyncio")
        if not any(isinstance(f, cls) for f in target.filters):
            target.addFilter(cls())

    def filter(self, record: logging.LogRecord) -> bool:
        if not str(record.msg).startswith(ACCEPT_ERROR):
            return True
        held = self.throttle.ready()
        if held is None:
            return False
        error = record.exc_info[1] if record.exc_info else None
        record.msg = "out of file descriptors: new connections wait (%s)%s"
        record.args = (error, f"; {held} more since the last such line" if held else "")
        record.exc_info = record.exc_text = None
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True
