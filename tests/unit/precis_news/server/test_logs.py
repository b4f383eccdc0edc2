"""Log records callers cannot forge or flood: escaping, throttling, parser noise, accept errors."""

from __future__ import annotations

import io
import logging
import sys

import pytest
from aiohttp.http_exceptions import BadHttpMessage

from precis_news.server.logs import (
    ACCEPT_ERROR,
    AcceptErrors,
    EscapingFormatter,
    ParserNoise,
    Throttled,
    escape,
)


def test_escape_keeps_one_line_and_plain_text() -> None:
    assert escape("plain text, ünïcode ok") == "plain text, ünïcode ok"
    assert escape("a\nCRITICAL b\r\x1b[2J\x00\t") == "a\\nCRITICAL b\\r\\x1b[2J\\x00\\t"


def test_formatter_escapes_message_and_request_id_but_not_the_traceback() -> None:
    formatter = EscapingFormatter("%(levelname)s [%(request_id)s] %(message)s")
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "said %s", ("a\nb",), None)
        record.exc_info = sys.exc_info()
    record.request_id = "id\nFAKE"
    text = formatter.format(record)
    first, *rest = text.split("\n")
    assert first == "ERROR [id\\nFAKE] said a\\nb"
    assert rest[0].startswith("Traceback")  # the server's own lines stay lines


def test_throttled_lets_one_through_per_interval_and_counts_the_rest() -> None:
    now = [100.0]
    throttle = Throttled(10.0, clock=lambda: now[0])
    assert throttle.ready() == 0
    assert [throttle.ready() for _ in range(5)] == [None] * 5
    now[0] += 10.0
    assert throttle.ready() == 5


def captured(name: str) -> tuple[logging.Logger, io.StringIO]:
    stream = io.StringIO()
    logger = logging.getLogger(name)
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger.handlers = [handler]
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    return logger, stream


def test_parser_noise_is_one_warning_without_traceback() -> None:
    logger, stream = captured("test.parser")
    noise = ParserNoise(logger)
    for _ in range(50):
        noise.exception("Error handling request from %s", "1.2.3.4", exc_info=BadHttpMessage("NUL"))
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1 and lines[0].startswith("WARNING malformed HTTP request")
    assert "Traceback" not in stream.getvalue()


def test_parser_noise_keeps_real_errors_with_their_traceback() -> None:
    logger, stream = captured("test.parser.real")
    try:
        raise RuntimeError("a bug")
    except RuntimeError as exc:
        ParserNoise(logger).exception("Unhandled exception", exc_info=exc)
    assert stream.getvalue().startswith("ERROR Unhandled exception")
    assert "Traceback" in stream.getvalue()


@pytest.mark.parametrize("attempts", [1, 200])
def test_accept_errors_become_one_warning_per_interval(attempts: int) -> None:
    accepts = AcceptErrors()
    passed = []
    for _ in range(attempts):
        record = logging.LogRecord(
            "asyncio", logging.ERROR, __file__, 1, f"{ACCEPT_ERROR}\nsocket: x", (), None
        )
        record.exc_info = (OSError, OSError(24, "Too many open files"), None)
        if accepts.filter(record):
            passed.append(record)
    assert len(passed) == 1
    assert passed[0].levelno == logging.WARNING and passed[0].exc_info is None
    assert "Too many open files" in passed[0].getMessage()
    other = logging.LogRecord("asyncio", logging.ERROR, __file__, 1, "other", (), None)
    assert accepts.filter(other) and other.levelno == logging.ERROR
