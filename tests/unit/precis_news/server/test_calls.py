"""A call's request id: the caller's when it is a short token, else a fresh one."""

from __future__ import annotations

import pytest

from precis_news.server.calls import MAX_REQUEST_ID_CHARS, request_id


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
