"""Every error path, asserted by exact status code and message, over a real channel."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import grpc
import pytest

from precis_news._proto import precis_pb2 as pb
from precis_news.client import (
    AsyncPrecisClient,
    PrecisClient,
    PrecisError,
)
from tests.support import (
    ServerThread,
    article,
    models_busy,
    report,
    status_of,
)

SUPPORTED = "en, fr, uk, ru"


ALL4 = ["en", "fr", "uk", "ru"]


@pytest.mark.parametrize("text", ["", "   \n\t "])
def test_empty_text_is_invalid(client: PrecisClient, text: str) -> None:
    error = status_of(lambda: client.summarize(text))
    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert error.details == "text is empty"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"targets": ["fr", "de"]}, "target_languages"),
        ({"source_language": "xx"}, "source_language"),
    ],
)
def test_unsupported_language_names_it_and_lists_supported(
    client: PrecisClient, kwargs: dict, field: str
) -> None:
    error = status_of(lambda: client.summarize(article("en"), **kwargs))
    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    bad = kwargs.get("source_language") or "de"
    assert error.details == f"unsupported language {bad!r} in {field}; supported: {SUPPORTED}"
    violations = _field_violations(error)
    assert violations == [field]


def _field_violations(error: PrecisError) -> list[str]:
    from google.rpc import error_details_pb2

    fields = []
    for detail in error.status.details if error.status else ():
        bad_request = error_details_pb2.BadRequest()
        if detail.Unpack(bad_request):
            fields += [v.field for v in bad_request.field_violations]
    return fields


def test_too_many_and_repeated_targets(client: PrecisClient) -> None:
    error = status_of(
        lambda: client.summarize("Hello there.", targets=["en", "fr", "uk", "ru", "en"])
    )
    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert error.details == "5 target languages; at most 4"
    error = status_of(lambda: client.summarize("Hello there.", targets=["fr", "FR"]))
    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert error.details == "a target language is repeated"


@pytest.mark.parametrize(("low", "high"), [(10, 5), (None, 0), (None, 513), (-1, 10)])
def test_bad_length_bounds(client: PrecisClient, low: int | None, high: int) -> None:
    error = status_of(lambda: client.summarize("Hello there.", min_tokens=low, max_tokens=high))
    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert error.details.startswith("bad length bounds")
    assert "512" in error.details  # the limit, in the error


def test_article_over_the_size_limit(client: PrecisClient) -> None:
    error = status_of(lambda: client.summarize("word " * 40_001))
    assert error.code == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert error.details == "article has 200005 characters; the limit is 200000"
    assert error.retry_after is None  # retrying will not help


def test_undetectable_language(client: PrecisClient) -> None:
    error = status_of(lambda: client.detect_language("1234 5678 !!!"))
    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert error.details.startswith("could not detect the language")


@pytest.mark.parametrize(
    ("texts", "target", "message"),
    [
        ([], "fr", "texts is empty; give at least one text"),
        (["ok", " "], "fr", "texts[1] is empty"),
        (["ok"], "", f"target_language is required; one of {SUPPORTED}"),
        (["ok"], "es", f"unsupported language 'es' in target_language; supported: {SUPPORTED}"),
    ],
)
def test_translate_validation(
    client: PrecisClient, texts: list[str], target: str, message: str
) -> None:
    error = status_of(lambda: client.translate(texts, target=target, source_language="en"))
    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert error.details == message


def test_full_queue_sheds_load_with_retry_info(strict_server: ServerThread) -> None:
    texts = [f"Sentence number {i} is here." for i in range(20)]  # 20 texts > max_queue=8
    models = strict_server.server.models
    assert models is not None
    batcher = next(m.batcher for m in models.translators if m.name == "tiny-marian-en-fr")
    slots = batcher._slots  # hold every inference slot: nothing leaves the queue meanwhile
    assert slots is not None
    held = [strict_server.call(slots.acquire()) for _ in range(2)]
    try:
        with strict_server.client(api_key="secret-key") as c, ThreadPoolExecutor(1) as pool:
            # A call larger than the queue is admitted on an idle model and enters in pieces ...
            first = pool.submit(c.translate, texts, target="fr", source_language="en")
            _wait_until(lambda: batcher.depth == len(texts))
            # ... while a call arriving when the queue is full of its texts is shed.
            error = status_of(lambda: c.translate(texts[:4], target="fr", source_language="en"))
            assert error.code == grpc.StatusCode.RESOURCE_EXHAUSTED
            assert error.details.startswith("tiny-marian-en-fr is at capacity; retry in")
            assert error.retry_after is not None and error.retry_after > 0
            for _ in held:
                strict_server.loop.call_soon_threadsafe(slots.release)
            held = []
            assert len(first.result(60).translations) == len(texts)
            assert c.translate(texts[:4], target="fr", source_language="en").translations
    finally:
        for _ in held:
            strict_server.loop.call_soon_threadsafe(slots.release)


@pytest.mark.parametrize(
    ("source", "model"), [("", "tiny-bart"), ("en", "tiny-bart"), ("fr", "tiny-marian-fr-en")]
)
def test_full_first_model_queue_refuses_before_detection(
    strict_server: ServerThread, monkeypatch: pytest.MonkeyPatch, source: str, model: str
) -> None:
    """A call arriving while its first model's queue is full (the summarizer; for a given French
    source, the fr->en translator) is refused at admission with the batcher's own status
    (RESOURCE_EXHAUSTED + RetryInfo), before any detection or chunking; the same call is served
    once the queue has drained."""
    models = strict_server.server.models
    pipeline = strict_server.server.state.pipeline
    assert models is not None and pipeline is not None
    first = next(m for m in models.models if m.name == model)
    batcher = first.batcher
    detected: list[str] = []
    original = pipeline._detect_served

    def counted(text: str, *, what: str):  # type: ignore[no-untyped-def]
        detected.append(text)
        return original(text, what=what)

    monkeypatch.setattr(pipeline, "_detect_served", counted)
    slots = batcher._slots  # hold every inference slot: nothing leaves the queue meanwhile
    assert slots is not None
    held = [strict_server.call(slots.acquire()) for _ in range(2)]
    options = first.options(max_new_tokens=4)
    filling = strict_server.submit(
        batcher.submit([f"Filler text number {i}." for i in range(8)], options)  # max_queue=8
    )
    try:
        _wait_until(lambda: batcher.depth == 8)
        with strict_server.client(api_key="secret-key") as c:
            text = article(source or "en")
            error = status_of(lambda: c.summarize(text, source_language=source))
            assert error.code == grpc.StatusCode.RESOURCE_EXHAUSTED
            assert error.details.startswith(f"{model} is at capacity; retry in")
            assert error.retry_after is not None and error.retry_after > 0
            assert detected == []  # refused before its detection (and chunking)
            for _ in held:
                strict_server.loop.call_soon_threadsafe(slots.release)
            held = []
            filling.result(60)
            # Idle again: the same request is served.
            result = c.summarize(text, source_language=source, targets=["en", "fr"])
        assert [s.language for s in result.summaries] == ["en", "fr"]
        assert len(detected) == (0 if source else 1)
    finally:
        for _ in held:
            strict_server.loop.call_soon_threadsafe(slots.release)


def test_calls_on_their_way_to_a_full_queue_refuse_the_next_on_arrival(
    strict_server: ServerThread, monkeypatch: pytest.MonkeyPatch
) -> None:
    """max_queue (8) Summarize calls held in their detection count as queued at the summarizer:
    a 9th call is refused on arrival (RESOURCE_EXHAUSTED + RetryInfo, no detection of its own)
    although the queue itself is empty; the 8 are then served, none refused after admission."""
    models = strict_server.server.models
    pipeline = strict_server.server.state.pipeline
    assert models is not None and pipeline is not None
    summarizer = models.summarizer
    released = threading.Event()
    detected: list[str] = []
    original = pipeline._detect_served

    def held(text: str, *, what: str):  # type: ignore[no-untyped-def]
        detected.append(text)
        released.wait(60)
        return original(text, what=what)

    monkeypatch.setattr(pipeline, "_detect_served", held)
    texts = [f"Report {i}. {article('en')}" for i in range(8)]
    with ThreadPoolExecutor(8) as pool, strict_server.client(api_key="secret-key") as c:
        try:
            admitted = [pool.submit(c.summarize, t, targets=["en", "fr"]) for t in texts]
            _wait_until(lambda: pipeline._heading.ahead(summarizer) == 8)
            assert summarizer.batcher.depth == 0  # the queue itself is empty
            started = time.perf_counter()
            error = status_of(lambda: c.summarize(f"One more. {article('en')}"))
            seconds = time.perf_counter() - started
        finally:
            released.set()
        report(f"8 calls on their way to a queue of 8: the 9th refused in {seconds * 1e3:.0f} ms")
        assert error.code == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert error.details.startswith("tiny-bart is at capacity; retry in")
        assert error.retry_after is not None and error.retry_after > 0
        assert all(len(call.result(120).summaries) == 2 for call in admitted)
    assert len(detected) == 8  # the refused call was never detected
    assert pipeline._heading.ahead(summarizer) == 0


def test_article_limit_is_configurable(strict_server: ServerThread) -> None:
    with strict_server.client(api_key="secret-key") as c:
        error = status_of(lambda: c.summarize("x" * 20_001))
    assert error.code == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert error.details == "article has 20001 characters; the limit is 20000"


def test_unexpected_failure_is_internal_and_generic(
    server: ServerThread, client: PrecisClient, caplog: pytest.LogCaptureFixture
) -> None:
    pipeline = server.server.state.pipeline
    assert pipeline is not None
    original = pipeline.detect

    def broken(text: str, **options: object):  # type: ignore[no-untyped-def]
        raise RuntimeError("secret internals")

    pipeline.detect = broken  # type: ignore[method-assign]
    try:
        error = status_of(lambda: client.detect_language("Hello there, world."))
    finally:
        pipeline.detect = original  # type: ignore[method-assign]
    assert error.code == grpc.StatusCode.INTERNAL
    assert error.details == "internal error; the server log has the details"
    assert "secret" not in error.details
    assert "secret internals" in caplog.text  # the traceback is in the log
    assert client.detect_language("Hello there, world.").language == "en"  # still serving


def _queue_depths(server: ServerThread) -> list[int]:
    models = server.server.models
    assert models is not None
    return [m.batcher.depth for m in models.models]


def test_deadline_exceeded_frees_the_queue(server: ServerThread, client: PrecisClient) -> None:
    text = "\n\n".join([article("fr")] * 6)  # translate + many chunks: far more than 50 ms
    error = status_of(lambda: client.summarize(text, targets=ALL4, timeout=0.05))
    assert error.code == grpc.StatusCode.DEADLINE_EXCEEDED
    _wait_until(lambda: _queue_depths(server) == [0] * 5)
    assert client.summarize("The council met on Monday.", targets=["fr"]).summaries


def test_cancelled_call_frees_the_queue(
    server: ServerThread, caplog: pytest.LogCaptureFixture
) -> None:
    """The caller cancels mid-call: the server records CANCELLED and its queues empty."""
    # Sentences no earlier test sent (the session server caches results per sentence), so the
    # call is still in the models when it is cancelled.
    tag = uuid.uuid4().hex[:8]
    text = "\n\n".join(article("uk").replace(". ", f" {tag}{i}. ") for i in range(6))
    registry = server.server.state.metrics.registry
    labels = {"method": "Summarize", "code": "CANCELLED"}

    def cancelled() -> float:
        return registry.get_sample_value("precis_requests_total", labels) or 0.0

    before = cancelled()

    async def cancel_midway() -> None:
        async with AsyncPrecisClient(target=server.address) as c:
            task = asyncio.ensure_future(c.summarize(text, targets=ALL4))
            await asyncio.sleep(0.3)
            assert not task.done()  # still in the server (at its first model) when cancelled
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

    with caplog.at_level(logging.INFO, logger="precis_news.server.calls"):
        with models_busy(server):
            asyncio.run(cancel_midway())
        _wait_until(
            lambda: registry.get_sample_value("precis_requests_total", labels) == before + 1
        )
    assert "Summarize cancelled by the caller" in caplog.text
    _wait_until(lambda: _queue_depths(server) == [0] * 5)
    with server.client() as c:
        assert c.summarize("Short text about the city.", targets=["ru"]).summaries


def _wait_until(predicate, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.05)


def test_an_undetectable_text_points_to_a_field_its_request_has(client: PrecisClient) -> None:
    """DetectLanguageRequest has no source_language: its error names `text`."""
    detect = status_of(lambda: client.detect_language("1234 5678 !!!"))
    assert detect.code == grpc.StatusCode.INVALID_ARGUMENT
    assert detect.details == f"could not detect the language of the text; supported: {SUPPORTED}"
    assert _field_violations(detect) == ["text"]
    assert {f.name for f in pb.DetectLanguageRequest.DESCRIPTOR.fields} == {"text"}
    summarize = status_of(lambda: client.summarize("1234 5678 !!!", targets=["en"]))
    assert summarize.details.endswith(f"set source_language to one of {SUPPORTED}")
    assert _field_violations(summarize) == ["source_language"]


def test_max_tokens_alone_is_checked_as_given(client: PrecisClient) -> None:
    error = status_of(lambda: client.summarize(article("en"), targets="fr", max_tokens=1000))
    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert error.details == (
        "bad length bounds max_tokens=1000: max_tokens is over this server's limit of 512 tokens"
    )
    assert _field_violations(error) == ["max_tokens"]
    response = client.summarize(article("en"), targets="fr,uk", max_tokens=12, length="long")
    assert [s.language for s in response.summaries] == ["fr", "uk"]


# -- input that is not text, in plain words (precis_news.content) ---------------------------------

PDF = "%PDF-1.4\n%\ufffd\ufffd\ufffd\ufffd\n1 0 obj\n<</Type/Catalog/Pages 2 0 R>>\nendobj\n"
READS = "Précis reads plain text or HTML"


def test_binary_input_is_refused_naming_its_type_and_field(client: PrecisClient) -> None:
    cases = [
        (lambda: client.summarize(PDF), f"text is a PDF file: {READS}", "text"),
        (lambda: client.summarize(html=PDF), f"html is a PDF file: {READS}", "html"),
        (
            lambda: client.translate(["Hello.", "\x89PNG\r\n\x1a\n\x00\x00"], target="fr"),
            f"texts[1] is a PNG image: {READS}",
            "texts[1]",
        ),
        (lambda: client.detect_language("GIF89a\x01\x00"), f"text is a GIF image: {READS}", "text"),
        (
            lambda: list(client.stream_summarize("PK\x03\x04\x14\x00" + "\x00" * 30)),
            f"text is a ZIP archive or an office document (.docx, .xlsx, .odt, .epub): {READS}",
            "text",
        ),
    ]
    for call, message, field in cases:
        error = status_of(call)
        assert error.code == grpc.StatusCode.INVALID_ARGUMENT
        assert error.details == message
        assert _field_violations(error) == [field]


def test_an_html_page_sent_as_text_is_read_as_html(client: PrecisClient) -> None:
    page = (
        "<!doctype html><html><head><title>Budget passed</title></head><body><nav><a href='/'>"
        f"Home</a></nav><article><p>{article('en')}</p></article></body></html>"
    )
    response = client.summarize(page, targets=["en"])
    assert response.metadata.html_extracted
    assert response.metadata.extracted_title == "Budget passed"
    assert "<" not in response.summaries[0].text
    empty = status_of(lambda: client.summarize("<html><body><div></div><p></p></body></html>"))
    assert empty.code == grpc.StatusCode.INVALID_ARGUMENT
    assert empty.details.startswith(
        "text is an HTML page, so it was read as html: found no article text in html"
    )
    assert _field_violations(empty) == ["text"]
