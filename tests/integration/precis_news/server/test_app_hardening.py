"""Hostile traffic against real servers: property-based fuzz, mixed load, overload, retries."""

from __future__ import annotations

import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent import futures
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.protobuf.message import DecodeError, Message
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from precis_news._proto import precis_pb2 as pb
from precis_news._proto import precis_pb2_grpc as pb_grpc
from precis_news.client import InvalidArgument, PrecisClient, ResourceExhausted, Unavailable
from tests.support import ServerThread, article, report, tiny_settings

ALLOWED = {grpc.StatusCode.OK, grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.RESOURCE_EXHAUSTED}
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def percentiles(seconds: list[float]) -> str:
    if not seconds:
        return "no calls"
    ordered = sorted(seconds)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"p50 {statistics.median(ordered) * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms"


class Tally:
    """Codes and latencies of one kind of call, reported at the end."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.codes: Counter[str] = Counter()
        self.seconds: list[float] = []

    def record(self, code: grpc.StatusCode, seconds: float) -> None:
        self.codes[code.name] += 1
        self.seconds.append(seconds)

    def line(self) -> str:
        codes = ", ".join(f"{c} {n}" for c, n in sorted(self.codes.items()))
        return (
            f"{self.name}: {sum(self.codes.values())} calls ({codes}); {percentiles(self.seconds)}"
        )


@pytest.fixture(scope="module")
def tallies() -> Iterator[dict[str, Tally]]:
    found: dict[str, Tally] = {}
    yield found
    for tally in found.values():
        report(tally.line())


def send(
    server: ServerThread, method: str, request: Message | bytes, tally: Tally
) -> grpc.StatusCode:
    """One call with the message (or raw bytes) over a plain channel; its status code."""
    raw = isinstance(request, bytes)
    with grpc.insecure_channel(server.address) as channel:
        path = f"/precis.v1.Summarizer/{method}"
        serializer = None if raw else type(request).SerializeToString
        started = time.perf_counter()
        try:
            if method == "StreamSummarize":
                list(channel.unary_stream(path, request_serializer=serializer)(request, timeout=60))
            else:
                channel.unary_unary(path, request_serializer=serializer)(request, timeout=60)
            code = grpc.StatusCode.OK
        except grpc.RpcError as error:
            code = error.code()
            assert error.details() and "Exception" not in error.details(), error.details()
    tally.record(code, time.perf_counter() - started)
    return code


# Pieces of hostile text: RTL and bidi overrides, zero-width, combining floods, controls, NUL.
HOSTILE = [
    "\u202e\u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627",
    "\u200b\u200c\u200d\ufeff\u2060",
    "e" + "\u0301" * 500,
    "".join(chr(c) for c in range(32)),
    "\x00",
    "\U0001f600\U0001f1fa\U0001f1e6",
    "The council voted on Tuesday. ",
    "Le conseil a voté mardi. ",
    "Рада проголосувала у вівторок. ",
    " ",
]
unicode_text = st.text(
    alphabet=st.characters(exclude_categories=("Cs",)), max_size=300
)  # no lone surrogates: protobuf cannot send them
# Mostly text a model will run on (hostile pieces mixed into real sentences), sometimes
# nothing but hostile pieces, empty, or past max_article_chars.
SENTENCES = HOSTILE[6:9]
texts = st.one_of(
    st.lists(st.sampled_from(HOSTILE), min_size=1, max_size=6).map(
        lambda parts: SENTENCES[len(parts) % 3] + "".join(parts) + SENTENCES[0]
    ),
    st.lists(st.one_of(st.sampled_from(HOSTILE), unicode_text), max_size=8).map("".join),
    st.just(""),
    st.just("x" * 250_001),  # past max_article_chars
)
VALID_CODES = ["", "en", "fr", "uk", "ru", "EN-gb", "ru_RU"]
codes = st.one_of(
    st.sampled_from(VALID_CODES),
    st.sampled_from(VALID_CODES[1:]),
    st.sampled_from(["zz", "\u0435n", "en\x00", "x" * 6000]),
    st.text(max_size=12),
)
int32 = st.integers(-(2**31), 2**31 - 1)
# Markup pieces: nesting, scripts and handlers, broken comments and entities, real paragraphs.
HTML_PIECES = [
    "<div>" * 300,
    "<script>alert(1)</script>",
    "<p onclick='steal()'>The council voted on Tuesday after a long debate about roads.</p>",
    "<img src=x onerror=alert(1)>",
    "&#0;&#xD800;&#x110000;&bogus;",
    "<!--",
    "<![CDATA[",
    "</p></div></html>",
    "<style>p{}</style>",
]
pages = st.one_of(
    st.just(""),
    st.just(""),
    st.lists(st.sampled_from(HTML_PIECES), min_size=1, max_size=8).map("".join),
)
summarize_requests = st.builds(
    pb.SummarizeRequest,
    text=st.one_of(texts, texts, st.just("")),
    html=pages,
    title=st.one_of(st.just(""), unicode_text),
    source_language=codes,
    target_languages=st.one_of(
        st.lists(st.sampled_from(VALID_CODES[1:5]), max_size=3, unique=True),
        st.lists(codes, max_size=6),
    ),
    length=st.one_of(st.integers(0, 3), st.integers(-3, 9)),
    min_tokens=st.one_of(st.none(), st.none(), st.integers(-5, 40), int32),
    max_tokens=st.one_of(st.none(), st.none(), st.integers(-5, 600), int32),
)
translate_requests = st.builds(
    pb.TranslateRequest,
    texts=st.one_of(st.lists(texts, min_size=1, max_size=3), st.lists(texts, max_size=4)),
    source_language=codes,
    target_language=st.one_of(st.sampled_from(VALID_CODES[1:]), codes),
)
detect_requests = st.builds(pb.DetectLanguageRequest, text=texts)


@pytest.mark.slow
@FUZZ
@given(request=summarize_requests, stream=st.booleans())
def test_fuzz_summarize(
    server: ServerThread, tallies: dict[str, Tally], request: pb.SummarizeRequest, stream: bool
) -> None:
    method = "StreamSummarize" if stream else "Summarize"
    tally = tallies.setdefault(method, Tally(f"fuzz {method}"))
    assert send(server, method, request, tally) in ALLOWED


@FUZZ
@given(
    call=st.one_of(
        translate_requests.map(lambda r: ("Translate", r)),
        detect_requests.map(lambda r: ("DetectLanguage", r)),
    )
)
def test_fuzz_translate_and_detect(
    server: ServerThread, tallies: dict[str, Tally], call: tuple[str, Message]
) -> None:
    method, request = call
    tally = tallies.setdefault(method, Tally(f"fuzz {method}"))
    assert send(server, method, request, tally) in ALLOWED


MESSAGES = {
    "Summarize": pb.SummarizeRequest,
    "StreamSummarize": pb.SummarizeRequest,
    "Translate": pb.TranslateRequest,
    "DetectLanguage": pb.DetectLanguageRequest,
    "GetInfo": pb.GetInfoRequest,
}


@FUZZ
@given(method=st.sampled_from(sorted(MESSAGES)), payload=st.binary(min_size=1, max_size=64))
def test_fuzz_raw_bytes(
    server: ServerThread, tallies: dict[str, Tally], method: str, payload: bytes
) -> None:
    """Random bytes: INVALID_ARGUMENT whenever they do not parse, never UNKNOWN or INTERNAL."""
    tally = tallies.setdefault("raw", Tally("fuzz raw bytes"))
    try:
        MESSAGES[method].FromString(payload)
        parses = True
    except DecodeError:
        parses = False
    code = send(server, method, payload, tally)
    assert code in ALLOWED
    if not parses:
        assert code is grpc.StatusCode.INVALID_ARGUMENT


# -- mixed load ----------------------------------------------------------------------------------


def _rss_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def _sentences(language: str, count: int, skip: int = 0) -> str:
    sentences = article(language).replace("\n", " ").split(". ")
    return ". ".join(sentences[skip : skip + count]) + "."


def _valid_calls() -> list[tuple[str, Message]]:
    calls: list[tuple[str, Message]] = []
    for i, language in enumerate(["en", "fr", "uk", "ru"]):
        for skip in (0, 3):
            text = _sentences(language, 3, skip)
            targets = ["en", "fr"] if language != "fr" else ["fr", "ru"]
            calls.append(("Summarize", pb.SummarizeRequest(text=text, target_languages=targets)))
            calls.append(
                (
                    "Translate",
                    pb.TranslateRequest(texts=[text], target_language="uk" if i % 2 else "en"),
                )
            )
            calls.append(("DetectLanguage", pb.DetectLanguageRequest(text=text)))
    return calls


INVALID_CALLS: list[tuple[str, Message, grpc.StatusCode, str]] = [
    (
        "Summarize",
        pb.SummarizeRequest(text="  "),
        grpc.StatusCode.INVALID_ARGUMENT,
        "text is empty",
    ),
    (
        "Summarize",
        pb.SummarizeRequest(text="Hello there.", target_languages=["de"]),
        grpc.StatusCode.INVALID_ARGUMENT,
        "unsupported language 'de' in target_languages; supported: en, fr, uk, ru",
    ),
    (
        "Translate",
        pb.TranslateRequest(texts=["Hello."]),
        grpc.StatusCode.INVALID_ARGUMENT,
        "target_language is required; one of en, fr, uk, ru",
    ),
    (
        "DetectLanguage",
        pb.DetectLanguageRequest(text=""),
        grpc.StatusCode.INVALID_ARGUMENT,
        "text is empty",
    ),
]


def _answer(method: str, response: Message) -> Any:
    """What must not depend on other callers: the texts and languages, not the timings."""
    if method == "Summarize":
        return [(s.language, s.text) for s in response.summaries]  # type: ignore[attr-defined]
    if method == "Translate":
        return [t.text for t in response.translations]  # type: ignore[attr-defined]
    return (response.language, round(response.confidence, 6))  # type: ignore[attr-defined]


def _stub_call(stub: pb_grpc.SummarizerStub, method: str) -> Callable[..., Any]:
    return getattr(stub, method)  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def uncached_server(model_dir: Path) -> Iterator[ServerThread]:
    """No result cache: every call costs model time, so answers really share batches."""
    running = ServerThread(tiny_settings(model_dir, cache_bytes=0)).load()
    yield running
    running.close()


@pytest.mark.slow
def test_mixed_load_from_32_clients(uncached_server: ServerThread) -> None:
    """Per round 256 calls from 32 clients at once, a quarter invalid or cancelled in flight:
    every valid answer equals the answer to the same input alone, every invalid call gets its
    exact status, nothing is lost; after a second identical round RSS is near the first's."""
    valid = _valid_calls()
    with grpc.insecure_channel(uncached_server.address) as channel:
        stub = pb_grpc.SummarizerStub(channel)
        alone = [_answer(m, _stub_call(stub, m)(r, timeout=60)) for m, r in valid]
    plan: list[tuple[str, int]] = []
    for i in range(256):
        if i % 8 == 3:
            plan.append(("invalid", i % len(INVALID_CALLS)))
        elif i % 8 == 7:
            plan.append(("cancel", i % len(valid)))
        else:
            plan.append(("valid", i % len(valid)))

    def client_loop(worker: int, outcomes: list[tuple[str, Any, float]]) -> None:
        with grpc.insecure_channel(uncached_server.address) as channel:
            stub = pb_grpc.SummarizerStub(channel)
            for kind, index in plan[worker::32]:
                started = time.perf_counter()
                if kind == "invalid":
                    method, request, code, message = INVALID_CALLS[index]
                    try:
                        _stub_call(stub, method)(request, timeout=60)
                        outcomes.append(("invalid accepted", method, 0.0))
                    except grpc.RpcError as error:
                        ok = error.code() is code and error.details() == message
                        outcomes.append(("invalid " + ("exact" if ok else "WRONG"), method, 0.0))
                    continue
                method, request = valid[index]
                if kind == "cancel":
                    call = _stub_call(stub, method).future(request, timeout=60)
                    time.sleep(0.002 * (worker % 5))
                    cancelled = call.cancel()
                    if cancelled:
                        outcomes.append(("cancelled", method, 0.0))
                        continue
                    response = call.result()
                else:
                    response = _stub_call(stub, method)(request, timeout=60)
                same = _answer(method, response) == alone[index]
                outcomes.append(
                    (
                        "valid same" if same else "valid DIFFERENT",
                        method,
                        time.perf_counter() - started,
                    )
                )

    def one_round() -> list[tuple[str, Any, float]]:
        outcomes: list[tuple[str, Any, float]] = []
        threads = [threading.Thread(target=client_loop, args=(w, outcomes)) for w in range(32)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(300)
        return outcomes

    first = one_round()
    baseline = _rss_bytes()
    second = one_round()
    after = _rss_bytes()
    for name, outcomes in (("load round 1", first), ("load round 2", second)):
        kinds = Counter(kind for kind, _, _ in outcomes)
        latencies = [s for kind, _, s in outcomes if kind.startswith("valid")]
        report(
            f"{name}: {len(outcomes)} calls {dict(sorted(kinds.items()))}; {percentiles(latencies)}"
        )
        assert len(outcomes) == len(plan)  # zero lost
        assert kinds["valid DIFFERENT"] == 0
        assert kinds["invalid WRONG"] == 0 and kinds["invalid accepted"] == 0
        assert kinds["invalid exact"] == sum(1 for kind, _ in plan if kind == "invalid")
    report(f"load RSS: {baseline / 2**20:.0f} MiB after round 1, {after / 2**20:.0f} MiB after 2")
    assert after <= baseline * 1.25 + 64 * 2**20


# -- overload ------------------------------------------------------------------------------------


@pytest.mark.slow
def test_overload_refuses_with_retry_info_then_serves(model_dir: Path) -> None:
    running = ServerThread(tiny_settings(model_dir, max_queue=4, cache_bytes=0)).load()
    refusals: list[float] = []
    served = 0
    lock = threading.Lock()
    text = " ".join(_sentences(lang, 3) for lang in ("en",))
    try:

        def burst(client: PrecisClient) -> None:
            nonlocal served
            started = time.perf_counter()
            try:
                client.translate([text], target="fr", source_language="en")
                with lock:
                    served += 1
            except ResourceExhausted as error:
                assert error.retry_after is not None and error.retry_after > 0
                assert "at capacity; retry in" in error.details
                with lock:
                    refusals.append(time.perf_counter() - started)

        clients = [running.client() for _ in range(48)]
        with futures.ThreadPoolExecutor(48) as pool:
            list(pool.map(burst, clients))
        for client in clients:
            client.close()
        with running.client() as client:
            after = client.translate([text], target="fr", source_language="en")
        report(
            f"overload (max_queue 4, 48 calls at once): {served} served, {len(refusals)} refused "
            f"with RetryInfo; refusal latency {percentiles(refusals)}"
        )
        assert refusals, "the burst never filled the queue"
        assert after.translations[0].text
    finally:
        running.close()


# -- the client's retry policy -------------------------------------------------------------------


class CountingServicer(pb_grpc.SummarizerServicer):
    """A stand-in that counts attempts: GetInfo is UNAVAILABLE, DetectLanguage INVALID_ARGUMENT."""

    def __init__(self) -> None:
        self.attempts: Counter[str] = Counter()

    def GetInfo(self, request: Any, context: grpc.ServicerContext) -> Any:
        self.attempts["GetInfo"] += 1
        context.abort(grpc.StatusCode.UNAVAILABLE, "loading")

    def DetectLanguage(self, request: Any, context: grpc.ServicerContext) -> Any:
        self.attempts["DetectLanguage"] += 1
        context.abort(grpc.StatusCode.INVALID_ARGUMENT, "text is empty")


def test_client_retries_unavailable_and_never_invalid_argument() -> None:
    servicer = CountingServicer()
    stand_in = grpc.server(futures.ThreadPoolExecutor(4))
    pb_grpc.add_SummarizerServicer_to_server(servicer, stand_in)
    port = stand_in.add_insecure_port("127.0.0.1:0")
    stand_in.start()
    try:
        with PrecisClient(target=f"127.0.0.1:{port}", timeout=20) as client:
            with pytest.raises(Unavailable):
                client.info()
            with pytest.raises(InvalidArgument):
                client.detect_language("x")
    finally:
        stand_in.stop(None)
    assert servicer.attempts == {"GetInfo": 3, "DetectLanguage": 1}
