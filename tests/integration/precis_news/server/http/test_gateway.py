"""The HTTP gateway over a real socket against live tiny servers: routes, SSE, errors, guard."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from precis_news.server.http import gateway
from tests.support import (
    ServerThread,
    article,
    full_call_budget,
    http_call,
    report,
    sse_events,
    tiny_settings,
)

KEY = "secret-key"
ORIGIN = "http://page.example"


@pytest.fixture(scope="module")
def tight(model_dir: Path) -> Iterator[ServerThread]:
    """One call at a time, no cache, CORS for ORIGIN."""
    running = ServerThread(
        tiny_settings(model_dir, max_concurrent_rpcs=1, cache_bytes=0, cors_origins=(ORIGIN,))
    ).load()
    yield running
    running.close()


def counted(server: ServerThread, name: str, labels: dict[str, str]) -> float:
    return server.server.metrics.registry.get_sample_value(name, labels) or 0.0


def wait_for(condition: object, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.05)
    return False


# -- routes ---------------------------------------------------------------------------------


def test_summarize_takes_camel_case_or_proto_names(server: ServerThread) -> None:
    for body in (
        {"text": article("en"), "targetLanguages": ["en", "fr"], "length": "LENGTH_SHORT"},
        {"text": article("en"), "target_languages": ["en", "fr"], "length": 1},
    ):
        answer = http_call(server.http, "POST", "/v1/summarize", body)
        assert answer.status == 200, answer.body
        assert answer.headers["content-type"].startswith("application/json")
        reply = answer.json()
        assert [s["language"] for s in reply["summaries"]] == ["en", "fr"]
        assert reply["detectedLanguage"] == "en"
        assert reply["metadata"]["chunks"] >= 1
        assert reply["metadata"]["truncated"] is False  # every field present, defaults too


def test_stream_sends_one_data_line_per_message_metadata_last(server: ServerThread) -> None:
    body = {"text": article("en"), "targetLanguages": ["fr", "uk", "ru"]}
    answer = http_call(server.http, "POST", "/v1/summarize:stream", body)
    assert answer.status == 200, answer.body
    assert answer.headers["content-type"] == "text/event-stream; charset=utf-8"
    events = sse_events(answer.body)
    assert all(name == "message" for name, _ in events)
    assert sorted(e["summary"]["language"] for _, e in events[:-1]) == ["fr", "ru", "uk"]
    assert "metadata" in events[-1][1] and "summary" not in events[-1][1]
    assert all(e["detectedLanguage"] == "en" for _, e in events)


def test_translate_detect_info_and_probes(server: ServerThread) -> None:
    translated = http_call(
        server.http, "POST", "/v1/translate", {"texts": ["Hello.", "Bye."], "targetLanguage": "fr"}
    )
    assert translated.status == 200 and len(translated.json()["translations"]) == 2
    detected = http_call(server.http, "POST", "/v1/detect", {"text": article("uk")})
    assert detected.status == 200 and detected.json()["language"] == "uk"
    info = http_call(server.http, "GET", "/v1/info")
    assert info.status == 200 and info.json()["profile"] == "tiny"
    assert http_call(server.http, "GET", "/healthz").json() == {"status": "live"}
    assert http_call(server.http, "GET", "/readyz").json() == {"status": "SERVING"}


def test_request_id_is_echoed_or_replaced(server: ServerThread) -> None:
    given = http_call(server.http, "GET", "/v1/info", headers={"X-Request-Id": "abc-123"})
    assert given.headers["x-request-id"] == "abc-123"
    huge = http_call(server.http, "GET", "/v1/info", headers={"X-Request-Id": "x" * 500})
    assert len(huge.headers["x-request-id"]) == 32  # a fresh uuid4 hex, not the caller's


def test_page_and_openapi_are_served(server: ServerThread) -> None:
    page = http_call(server.http, "GET", "/")
    assert page.status == 200 and page.headers["content-type"] == "text/html; charset=utf-8"
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert b'<label for="article">Article</label>' in page.body
    for asset in ("/app.js", "/style.css"):
        assert http_call(server.http, "GET", asset).status == 200
    assert http_call(server.http, "GET", "/v1/openapi.json").json()["openapi"].startswith("3.")


# -- errors: exact HTTP status and google.rpc.Status code -------------------------------------


@pytest.mark.parametrize(
    ("path", "body", "headers", "status", "code", "says"),
    [
        ("/v1/summarize", {"text": ""}, None, 400, 3, "text is empty"),
        ("/v1/summarize", b"", {"Content-Type": "application/json"}, 400, 3, "text is empty"),
        ("/v1/summarize", b"{not json", {"Content-Type": "application/json"}, 400, 3, "JSON"),
        ("/v1/summarize", b"\xff\xfe", {"Content-Type": "application/json"}, 400, 3, "utf-8"),
        ("/v1/summarize", b"[" * 100_000, {"Content-Type": "application/json"}, 400, 3, "JSON"),
        ("/v1/summarize", {"text": "x", "bogus": 1}, None, 400, 3, 'no field named "bogus"'),
        ("/v1/summarize", {"text": 5}, None, 400, 3, "text"),
        ("/v1/summarize", b'{"text": "x"}', {"Content-Type": "text/plain"}, 415, 3, "text/plain"),
        ("/v1/summarize", {"text": "x", "targetLanguages": ["xx"]}, None, 400, 3, "'xx'"),
        ("/v1/summarize:stream", {"text": "x", "length": "HUGE"}, None, 400, 3, "HUGE"),
        ("/v1/translate", {"texts": ["x"]}, None, 400, 3, "target_language"),
        ("/v1/detect", {}, None, 400, 3, "text"),
    ],
)
def test_bad_requests_get_their_status_and_code(
    server: ServerThread,
    path: str,
    body: object,
    headers: dict[str, str] | None,
    status: int,
    code: int,
    says: str,
) -> None:
    before = counted(
        server,
        "precis_http_requests_total",
        {"method": "POST", "route": path, "status": str(status)},
    )
    answer = http_call(server.http, "POST", path, body, headers=headers)
    assert answer.status == status, answer.body
    error = answer.json()
    assert error["code"] == code
    assert says.lower() in error["message"].lower()
    assert after_counted(server, path, status) == before + 1
    assert http_call(server.http, "GET", "/readyz").status == 200  # keeps serving


def after_counted(server: ServerThread, path: str, status: int) -> float:
    labels = {"method": "POST", "route": path, "status": str(status)}
    return counted(server, "precis_http_requests_total", labels)


def test_field_violation_is_in_the_details(server: ServerThread) -> None:
    error = http_call(server.http, "POST", "/v1/summarize", {"text": " \u200b "}).json()
    assert error["details"][0]["@type"] == "type.googleapis.com/google.rpc.BadRequest"
    assert error["details"][0]["fieldViolations"][0]["field"] == "text"


def test_unknown_route_and_wrong_verb(server: ServerThread) -> None:
    missing = http_call(server.http, "GET", "/v2/nothing")
    assert (missing.status, missing.json()["code"]) == (404, 5)
    wrong = http_call(server.http, "GET", "/v1/summarize")
    assert (wrong.status, wrong.json()["code"]) == (405, 12)
    assert counted(
        server,
        "precis_http_requests_total",
        {"method": "GET", "route": "unmatched", "status": "404"},
    )


def test_body_over_the_limit_is_413(strict_server: ServerThread) -> None:
    gateway = strict_server.server.gateway
    assert gateway is not None
    huge = b'{"text": "' + b"a" * (gateway.max_body_bytes + 1) + b'"}'  # past the byte limit
    answer = http_call(
        strict_server.http,
        "POST",
        "/v1/summarize",
        huge,
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {KEY}"},
    )
    assert (answer.status, answer.json()["code"]) == (413, 8)
    assert "bytes" in answer.json()["message"]


def test_article_over_max_article_chars_is_413_without_retry(strict_server: ServerThread) -> None:
    answer = http_call(
        strict_server.http,
        "POST",
        "/v1/summarize",
        {"text": "Word. " * 4000},
        headers={"Authorization": f"Bearer {KEY}"},
    )
    assert (answer.status, answer.json()["code"]) == (413, 8)
    assert "20000" in answer.json()["message"].replace(",", "")
    assert "retry-after" not in answer.headers


@pytest.mark.parametrize(
    "authorization", [None, "Bearer wrong", "Basic c2VjcmV0LWtleQ==", "Bearer"]
)
def test_missing_or_wrong_key_is_401(
    strict_server: ServerThread, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    for path, body in (("/v1/summarize", {"text": article("en")}), ("/v1/info", None)):
        answer = http_call(
            strict_server.http, "POST" if body else "GET", path, body, headers=headers
        )
        assert (answer.status, answer.json()["code"]) == (401, 16), path
        assert KEY not in answer.body.decode()


def test_right_key_is_served_and_probes_need_none(strict_server: ServerThread) -> None:
    ok = http_call(
        strict_server.http, "GET", "/v1/info", headers={"Authorization": f"Bearer {KEY}"}
    )
    assert ok.status == 200
    for open_path in ("/healthz", "/readyz", "/v1/openapi.json", "/"):
        assert http_call(strict_server.http, "GET", open_path).status == 200, open_path


def test_calls_past_the_budget_get_429_with_retry_after(tight: ServerThread) -> None:
    body = {"text": article("en"), "targetLanguages": ["en", "fr", "uk", "ru"]}
    with ThreadPoolExecutor(8) as pool:
        answers = list(
            pool.map(lambda _: http_call(tight.http, "POST", "/v1/summarize", body), range(8))
        )
    statuses = sorted(a.status for a in answers)
    report(f"HTTP call budget 1, 8 Summarize at once: {statuses}")
    assert 200 in statuses and 429 in statuses and set(statuses) <= {200, 429}
    busy = next(a for a in answers if a.status == 429)
    assert busy.headers["retry-after"] == "1"
    assert busy.json()["code"] == 8
    assert busy.json()["details"][0]["@type"] == "type.googleapis.com/google.rpc.RetryInfo"
    assert http_call(tight.http, "POST", "/v1/summarize", body).status == 200  # serves after


def test_loading_server_is_503_but_live(model_dir: Path) -> None:
    loading = ServerThread(tiny_settings(model_dir))  # started, never loaded
    try:
        assert http_call(loading.http, "GET", "/healthz").status == 200
        ready = http_call(loading.http, "GET", "/readyz")
        assert (ready.status, ready.json()["code"]) == (503, 14)
        call = http_call(loading.http, "POST", "/v1/summarize", {"text": "Hello there."})
        assert (call.status, call.json()["code"]) == (503, 14)
        assert "loading" in call.json()["message"]
    finally:
        loading.close()


# -- CORS -------------------------------------------------------------------------------------


def test_cors_only_for_allowed_origins(tight: ServerThread, server: ServerThread) -> None:
    preflight = http_call(
        tight.http,
        "OPTIONS",
        "/v1/summarize",
        headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status == 204
    assert preflight.headers["access-control-allow-origin"] == ORIGIN
    assert "Authorization" in preflight.headers["access-control-allow-headers"]
    other = http_call(tight.http, "GET", "/v1/info", headers={"Origin": "http://evil.example"})
    assert "access-control-allow-origin" not in other.headers
    off = http_call(server.http, "GET", "/v1/info", headers={"Origin": ORIGIN})
    assert "access-control-allow-origin" not in off.headers  # CORS off by default


# -- hostile callers ----------------------------------------------------------------------------


def raw(server: ServerThread) -> socket.socket:
    port = int(server.http.rsplit(":", 1)[1])
    return socket.create_connection(("127.0.0.1", port), timeout=30)


def test_disconnect_mid_stream_cancels_the_call(tight: ServerThread) -> None:
    text = article("en") + " " + article("en")
    body = json.dumps({"text": text, "targetLanguages": ["en", "fr", "uk", "ru"]}).encode()
    before = counted(
        tight, "precis_requests_total", {"method": "StreamSummarize", "code": "CANCELLED"}
    )
    with raw(tight) as sock:
        sock.sendall(
            b"POST /v1/summarize:stream HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
        )
        time.sleep(0.2)  # the call is running; now the caller goes away
    labels = {"method": "StreamSummarize", "code": "CANCELLED"}
    assert wait_for(lambda: counted(tight, "precis_requests_total", labels) == before + 1)
    # Its budget slot is back (the budget is 1) and nothing reached INTERNAL.
    assert wait_for(lambda: tight.server.guard.calls.used == 0)
    ok = http_call(tight.http, "POST", "/v1/detect", {"text": article("fr")})
    assert ok.status == 200
    assert not counted(
        tight, "precis_requests_total", {"method": "StreamSummarize", "code": "INTERNAL"}
    )


def test_slow_sender_gets_408_and_holds_no_call_budget(
    tight: ServerThread, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(gateway, "BODY_TIMEOUT_SECONDS", 1.0)
    with raw(tight) as sock:
        sock.sendall(
            b"POST /v1/detect HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b'Content-Length: 100\r\n\r\n{"text": '
        )
        # While it dawdles, the one call slot is free for others.
        assert http_call(tight.http, "POST", "/v1/detect", {"text": article("en")}).status == 200
        reply = sock.recv(65536).decode()
    assert reply.startswith("HTTP/1.1 408"), reply
    assert '"code": 4' in reply


def test_a_call_past_a_full_budget_is_429_before_its_body_is_read(tight: ServerThread) -> None:
    """With the one call slot taken, a Summarize that sends its headers (a 184 KB body
    announced) and a few bytes of body is answered 429 with Retry-After and RetryInfo at once,
    without waiting for the rest."""
    head = (
        b"POST /v1/summarize HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 184000\r\n\r\n"
    )
    with full_call_budget(tight), raw(tight) as sock:
        started = time.perf_counter()
        sock.sendall(head + b'{"text": "')
        reply = sock.recv(65536).decode()
        seconds = time.perf_counter() - started
    report(f"HTTP full call budget: refused in {seconds * 1000:.0f} ms, body unsent")
    assert reply.startswith("HTTP/1.1 429"), reply
    assert "Retry-After: 1\r\n" in reply
    body = json.loads(reply.split("\r\n\r\n", 1)[1])
    assert body["code"] == 8
    assert body["message"] == "the server has 1 calls in progress; retry shortly"
    assert body["details"][0]["@type"] == "type.googleapis.com/google.rpc.RetryInfo"
    assert seconds < gateway.BODY_TIMEOUT_SECONDS


def test_script_in_an_article_comes_back_as_json_text(server: ServerThread) -> None:
    hostile = '<img src=x onerror="alert(1)"><script>alert(2)</script> ' + article("en")
    answer = http_call(server.http, "POST", "/v1/summarize", {"text": hostile, "summarizer": "x"})
    assert answer.status == 400  # an unknown field, named
    answer = http_call(server.http, "POST", "/v1/summarize", {"text": hostile})
    assert answer.status == 200
    assert answer.headers["content-type"].startswith("application/json")
    assert answer.headers["x-content-type-options"] == "nosniff"
