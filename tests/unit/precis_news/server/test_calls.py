"""One call's bookkeeping: its log lines carry its request id (the caller's when it is a short
token, else a fresh one) and, within a trace, the trace id."""

from __future__ import annotations

import io
import logging

import pytest

from precis_news.server import calls
from precis_news.server.calls import MAX_REQUEST_ID_CHARS, request_id
from precis_news.server.metrics import Metrics

CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"


async def test_log_lines_name_the_request_and_the_callers_trace() -> None:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    stream = io.StringIO()
    calls.configure_logging("INFO", stream=stream)
    log = logging.getLogger("precis_news.test")

    async def work() -> None:
        log.info("working")

    try:
        await calls.serve_call(
            "Summarize",
            work,
            request_id="req-1",
            metrics=Metrics(),
            carrier={"traceparent": f"00-{CALLER_TRACE}-00f067aa0ba902b7-01"},
        )
        await calls.serve_call("Summarize", work, request_id="req-2", metrics=Metrics())
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    first, second = stream.getvalue().splitlines()
    assert first.endswith(f"[req-1 trace={CALLER_TRACE}] working")  # tracing off, even
    assert second.endswith("[req-2] working")


@pytest.mark.parametrize(
    "given", ["abc-123", "trace.1:2/3+4=5_6", "a" * MAX_REQUEST_ID_CHARS, "0af7651916cd43dd"]
)
def test_tokens_are_kept(given: str) -> None:
    assert request_id(given) == given


@pytest.mark.parametrize(
    "given",
    [
        "",
        "a] CRITICAL forged [b",
        "line\nbreak",
        "tab\there",
        "\x1b[2J",
        "é",
        "a" * (MAX_REQUEST_ID_CHARS + 1),
    ],
)
def test_anything_else_is_replaced(given: str) -> None:
    fresh = request_id(given)
    assert fresh != given and len(fresh) == 32 and fresh.isalnum()
