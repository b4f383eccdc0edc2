"""Domain errors: message and field kept; echoed caller values are quoted and cut."""

from __future__ import annotations

import pytest

from precis_news.pipeline.errors import (
    MAX_ECHO_CHARS,
    BadRequest,
    NotReady,
    RequestError,
    TooLarge,
    echo,
)


@pytest.mark.parametrize("kind", [BadRequest, TooLarge, NotReady])
def test_every_domain_error_keeps_its_message_and_field(kind: type[RequestError]) -> None:
    error = kind("text is empty", field="text")
    assert isinstance(error, RequestError)
    assert (str(error), error.message, error.field) == ("text is empty", "text is empty", "text")
    assert kind("no field").field == ""


def test_echo_quotes_a_short_value_whole() -> None:
    assert echo("de") == "'de'"
    assert echo("x" * MAX_ECHO_CHARS) == repr("x" * MAX_ECHO_CHARS)


def test_echo_cuts_a_long_value_and_says_how_long_it_was() -> None:
    value = "y" * 100_000
    shown = echo(value)
    assert shown == f"{'y' * MAX_ECHO_CHARS!r}… (100000 characters)"
    assert echo(value, limit=3) == "'yyy'… (100000 characters)"
