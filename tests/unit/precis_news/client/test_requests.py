"""Requests built from the clients' keywords (no server): every keyword's field, the errors for
bad values, and the one signature both clients' methods show."""

from __future__ import annotations

import asyncio
import inspect
from typing import Any, get_args

import pytest

from precis_news._proto import precis_pb2 as pb
from precis_news.client import (
    LENGTH_NAMES,
    AsyncPrecisClient,
    InvalidArgument,
    LengthName,
    PrecisClient,
)
from precis_news.client.requests import (
    PRIORITY_NAMES,
    Prepared,
    PriorityName,
    detect_arguments,
    summarize_arguments,
    translate_arguments,
)

LENGTH_ERROR = "length must be short, medium, long or None, got 'huge'"


class RecordingStub:
    """Stands in for the generated stub: keeps each request and the call's settings."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any, dict[str, Any]]] = []

    def __getattr__(self, method: str) -> Any:
        def call(request: Any, **kwargs: Any) -> Any:
            self.calls.append((method, request, kwargs))
            return pb.TranslateResponse() if method == "Translate" else pb.SummarizeResponse()

        return call


def test_length_names_come_from_the_proto_enum() -> None:
    assert LENGTH_NAMES == ("short", "medium", "long")
    assert [f"LENGTH_{name.upper()}" for name in LENGTH_NAMES] == [
        name for name, _ in pb.Length.items() if name != "LENGTH_UNSPECIFIED"
    ]
    assert get_args(LengthName) == LENGTH_NAMES  # the type checkers' copy agrees


def test_defaults() -> None:
    prepared = summarize_arguments("An article.")
    assert prepared == Prepared(
        pb.SummarizeRequest(text="An article.", length=pb.LENGTH_MEDIUM), timeout=None
    )
    assert not prepared.request.HasField("min_tokens")
    assert not prepared.request.HasField("max_tokens")


@pytest.mark.parametrize(
    ("keywords", "expected"),
    [
        ({"targets": ["fr", "uk"]}, {"target_languages": ["fr", "uk"]}),
        ({"targets": ("ru",)}, {"target_languages": ["ru"]}),
        ({"targets": "fr"}, {"target_languages": ["fr"]}),  # one string is one language...
        ({"targets": "fr, uk"}, {"target_languages": ["fr", "uk"]}),  # ...or a list, as --to
        ({"source_language": "en"}, {"source_language": "en"}),
        ({"title": "Headline"}, {"title": "Headline"}),
        ({"length": "short"}, {"length": pb.LENGTH_SHORT}),
        ({"length": "medium"}, {"length": pb.LENGTH_MEDIUM}),
        ({"length": "long"}, {"length": pb.LENGTH_LONG}),
        ({"length": None}, {"length": pb.LENGTH_UNSPECIFIED}),
        ({"min_tokens": 0}, {"min_tokens": 0}),  # 0 is sent: only None leaves the field unset
        ({"max_tokens": 40}, {"max_tokens": 40}),
    ],
)
def test_every_keyword_sets_its_field(keywords: dict[str, Any], expected: dict[str, Any]) -> None:
    request = summarize_arguments("text", **keywords).request
    assert request == pb.SummarizeRequest(
        **{"text": "text", "length": pb.LENGTH_MEDIUM, **expected}
    )
    for bound in ("min_tokens", "max_tokens"):
        assert request.HasField(bound) == (bound in keywords)


def test_timeout_goes_with_the_request() -> None:
    assert summarize_arguments("text", timeout=2.5).timeout == 2.5
    assert translate_arguments("t", target="fr", timeout=1.0).timeout == 1.0


def test_an_unknown_length_is_a_value_error() -> None:
    with pytest.raises(ValueError) as caught:
        summarize_arguments("text", length="huge")  # type: ignore[arg-type]
    assert str(caught.value) == LENGTH_ERROR


def test_translate_request() -> None:
    request = translate_arguments(["a", "b"], target="uk", source_language="en").request
    assert request == pb.TranslateRequest(
        texts=["a", "b"], target_language="uk", source_language="en"
    )
    assert list(translate_arguments("one text", target="fr").request.texts) == ["one text"]


def test_sync_client_sends_what_its_keywords_build() -> None:
    # connect_timeout=None: no first-connection wait (there is no server; the stub answers).
    with PrecisClient(target="127.0.0.1:1", timeout=9, api_key="k", connect_timeout=None) as client:
        client._stub = RecordingStub()
        client.summarize("text", targets="fr", length="long", max_tokens=30, timeout=3)
        client.translate("hi", target="ru")
        (method, request, settings), (_, translated, defaults) = client._stub.calls
    assert method == "Summarize"
    assert (
        request == summarize_arguments("text", targets="fr", length="long", max_tokens=30).request
    )
    assert settings == {
        "timeout": 3,
        "metadata": (("authorization", "Bearer k"),),
        "wait_for_ready": True,
    }
    assert translated == translate_arguments("hi", target="ru").request
    assert defaults["timeout"] == 9  # the client's own


def test_async_client_sends_what_its_keywords_build() -> None:
    async def run() -> list[tuple[str, Any, dict[str, Any]]]:
        async with AsyncPrecisClient(target="127.0.0.1:1", wait_for_ready=False) as client:
            stub = client._stub = RecordingStub()

            async def answer(request: Any, **kwargs: Any) -> Any:
                stub.calls.append(("Summarize", request, kwargs))
                return pb.SummarizeResponse()

            stub.Summarize = answer  # type: ignore[attr-defined]
            await client.summarize("text", targets=["en"], title="T", min_tokens=5)
            return stub.calls

    [(_, request, settings)] = asyncio.run(run())
    assert request == summarize_arguments("text", targets=["en"], title="T", min_tokens=5).request
    assert settings["wait_for_ready"] is False


def test_bad_length_is_refused_before_any_call() -> None:
    """At once for the blocking methods and the async stream; when awaited for the coroutine."""
    with PrecisClient(target="127.0.0.1:1") as client:
        client._stub = RecordingStub()
        for method in (client.summarize, client.stream_summarize):
            with pytest.raises(ValueError, match=LENGTH_ERROR):
                method("text", length="huge")  # type: ignore[arg-type]
        assert client._stub.calls == []

    async def run() -> None:
        async with AsyncPrecisClient(target="127.0.0.1:1") as client:
            with pytest.raises(ValueError, match=LENGTH_ERROR):
                client.stream_summarize("text", length="huge")  # type: ignore[arg-type]
            pending = client.summarize("text", length="huge")  # type: ignore[arg-type]
            with pytest.raises(ValueError, match=LENGTH_ERROR):
                await pending

    asyncio.run(run())


@pytest.mark.parametrize(
    ("name", "arguments"),
    [
        ("summarize", summarize_arguments),
        ("stream_summarize", summarize_arguments),
        ("translate", translate_arguments),
        ("detect_language", detect_arguments),
    ],
)
@pytest.mark.parametrize("client", [PrecisClient, AsyncPrecisClient])
def test_both_clients_show_the_one_signature(client: type, name: str, arguments: Any) -> None:
    method = getattr(client, name)
    parameters = list(inspect.signature(method).parameters.values())
    assert parameters[0].name == "self"
    assert parameters[1:] == list(inspect.signature(arguments).parameters.values())
    assert method.__name__ == name and method.__doc__
    assert inspect.iscoroutinefunction(method) == (
        client is AsyncPrecisClient and "stream" not in name
    )


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: summarize_arguments("ok \ud800"),
            "text is not valid Unicode: a lone surrogate (U+D800) at character 3",
        ),
        (
            lambda: summarize_arguments("ok", title="\udcff"),
            "title is not valid Unicode: a lone surrogate (U+DCFF) at character 0",
        ),
        (
            lambda: summarize_arguments("ok", targets=["fr", "\udfff"]),
            "target_languages is not valid Unicode",
        ),
        (
            lambda: translate_arguments(["a", "b\ud800"], target="fr"),
            "texts[1] is not valid Unicode",
        ),
        (lambda: detect_arguments("\ud800"), "text is not valid Unicode"),
    ],
)
def test_text_that_is_not_unicode_is_refused_before_sending(build: Any, message: str) -> None:
    """A lone surrogate (valid JSON; what Python makes of undecodable argv bytes) cannot be
    encoded by protobuf: it is the caller's INVALID_ARGUMENT, not a UnicodeEncodeError."""
    with pytest.raises(InvalidArgument) as caught:
        build()
    assert caught.value.code.name == "INVALID_ARGUMENT" and not caught.value.answered
    assert caught.value.details.startswith(message)


def test_priority_is_interactive_unless_batch_is_asked_for() -> None:
    assert summarize_arguments("text").request.priority == pb.PRIORITY_UNSPECIFIED
    interactive = summarize_arguments("text", priority="interactive").request
    assert interactive.priority == pb.PRIORITY_INTERACTIVE
    assert summarize_arguments("text", priority="batch").request.priority == pb.PRIORITY_BATCH
    translated = translate_arguments("t", target="fr", priority="batch").request
    assert translated.priority == pb.PRIORITY_BATCH
    assert PRIORITY_NAMES == get_args(PriorityName) == ("interactive", "batch")
    with pytest.raises(ValueError) as caught:
        summarize_arguments("text", priority="urgent")  # type: ignore[arg-type]
    assert str(caught.value) == "priority must be interactive or batch or None, got 'urgent'"
