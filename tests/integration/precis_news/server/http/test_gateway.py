"""The HTTP gateway over a real socket against live tiny servers: routes, SSE, errors, guard."""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import logging
import os
import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from precis_news.server import calls
from precis_news.server.http import gateway, openapi
from precis_news.server.http.gateway import JSON_TYPE
from precis_news.server.http.routes import routes
from precis_news.server.logs import EscapingFormatter
from tests.support import (
    HealthTimer,
    ServerThread,
    article,
    full_call_budget,
    http_call,
    models_busy,
    report,
    sse_events,
    status_of,
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
    for icon in ("/favicon.ico", "/favicon.svg"):
        answer = http_call(server.http, "GET", icon)
        assert (answer.status, answer.headers["content-type"]) == (
            200,
            "image/svg+xml; charset=utf-8",
        )
        assert answer.body.startswith(b"<svg")
    tables = http_call(server.http, "GET", "/page.json").json()
    assert tables["checks"]["changed"]["words"] == "changed"
    assert tables["reads"] == "Précis reads plain text or HTML"
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
        ("/v1/translate", {"texts": ["x"]}, None, 400, 3, "targetLanguage is required"),
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
    with models_busy(tight), raw(tight) as sock:
        sock.sendall(
            b"POST /v1/summarize:stream HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
        )
        time.sleep(0.2)  # the call waits at its first model; now the caller goes away
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


# -- refusals in the HTTP caller's words ------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "body", "message", "field"),
    [
        (
            "/v1/summarize",
            {"text": "%PDF-1.4\n%\u00e2\u00e3\u00cf\u00d3\n1 0 obj"},
            "text is a PDF file: Précis reads plain text or HTML",
            "text",
        ),
        (
            "/v1/summarize:stream",
            {"html": "\u00ff\u00d8\u00ff\u00e0\u0000\u0010JFIF"},
            "html is a JPEG image: Précis reads plain text or HTML",
            "html",
        ),
        (
            "/v1/summarize",
            {"text": article("en"), "sourceLanguage": "xx"},
            "unsupported language 'xx' in sourceLanguage; supported: en, fr, uk, ru",
            "sourceLanguage",
        ),
        (
            "/v1/summarize",
            {"text": "1234 5678 !!!", "targetLanguages": ["en"]},
            "could not detect the language of the text; set sourceLanguage to one of "
            "en, fr, uk, ru",
            "sourceLanguage",
        ),
        (
            "/v1/summarize",
            {"text": article("en"), "maxTokens": 1000},
            "bad length bounds maxTokens=1000: maxTokens is over this server's limit of 512 tokens",
            "maxTokens",
        ),
    ],
)
def test_refusals_name_fields_as_the_json_body_does(
    server: ServerThread, path: str, body: dict[str, object], message: str, field: str
) -> None:
    answer = http_call(server.http, "POST", path, body)
    assert answer.status == 400, answer.body
    error = answer.json()
    assert (error["code"], error["message"]) == (3, message)
    assert error["details"][0]["fieldViolations"][0] == {"field": field, "description": message}


# -- hostile edges (issue 22) -------------------------------------------------------------------


def test_gzip_bomb_is_refused_unread_while_health_answers(server: ServerThread) -> None:
    bomb = gzip.compress(b"0" * (64 * 2**20), 9)  # 64 KB on the wire, 64 MiB expanded
    with HealthTimer(server.address) as health:
        started = time.perf_counter()
        for path in ("/v1/detect", "/v1/summarize", "/readyz"):
            answer = http_call(
                server.http,
                "POST" if path != "/readyz" else "GET",
                path,
                bomb,
                headers={"Content-Type": "application/json", "Content-Encoding": "gzip"},
            )
            if path == "/readyz":
                assert answer.status == 200  # its body is never read, let alone expanded
                continue
            assert (answer.status, answer.json()["code"]) == (415, 3), answer.body
            assert answer.headers["accept-encoding"] == "identity"
            assert "identity" in answer.json()["message"]
        elapsed = time.perf_counter() - started
    report(
        f"gzip bomb ({len(bomb) // 1024} KB -> 64 MiB) x3: answered in {elapsed * 1000:.0f} ms; "
        f"gRPC health worst {health.worst * 1000:.0f} ms over {len(health.seconds)} checks"
    )
    assert elapsed < 2.0
    assert health.worst < 1.0  # a 2-core machine under load; the bomb itself took 2.3 s


def test_client_closing_mid_body_is_counted_cancelled_not_500(
    tight: ServerThread, caplog: pytest.LogCaptureFixture
) -> None:
    cancelled = {"method": "DetectLanguage", "code": "CANCELLED"}
    closed = {"method": "POST", "route": "/v1/detect", "status": "499"}
    before = counted(tight, "precis_requests_total", cancelled)
    before_499 = counted(tight, "precis_http_requests_total", closed)
    with caplog.at_level(logging.INFO):
        with raw(tight) as sock:
            sock.sendall(
                b"POST /v1/detect HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b'Content-Length: 1000\r\n\r\n{"text": "half'
            )
            time.sleep(0.2)
        assert wait_for(lambda: counted(tight, "precis_requests_total", cancelled) == before + 1)
        assert wait_for(
            lambda: counted(tight, "precis_http_requests_total", closed) == before_499 + 1
        )
    assert not counted(
        tight,
        "precis_http_requests_total",
        {"method": "POST", "route": "/v1/detect", "status": "500"},
    )
    lines = [r for r in caplog.records if "cancelled by the caller" in r.getMessage()]
    assert lines and all(r.levelno == logging.INFO and not r.exc_info for r in lines)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    report("HTTP client closing mid-body: counted CANCELLED / 499, logged at INFO, no 500")


def method_labels(server: ServerThread) -> set[tuple[str, str]]:
    found = set()
    for family in server.server.metrics.registry.collect():
        if family.name == "precis_requests":
            for sample in family.samples:
                precis_v1 = "/" not in sample.labels["method"]  # not the client's health probes
                if sample.name == "precis_requests_total" and sample.value and precis_v1:
                    found.add((sample.labels["method"], sample.labels["code"]))
    return found


def test_the_same_calls_get_the_same_labels_over_http_and_grpc(model_dir: Path) -> None:
    keyed = {"api_keys": KEY}
    over_http = ServerThread(tiny_settings(model_dir, **keyed)).load()
    over_grpc = ServerThread(tiny_settings(model_dir, **keyed)).load()
    try:
        auth = {"Authorization": f"Bearer {KEY}"}
        http_call(over_http.http, "GET", "/v1/info")  # no key: UNAUTHENTICATED
        http_call(over_http.http, "GET", "/v1/info", headers=auth)
        http_call(over_http.http, "POST", "/v1/detect", {"text": ""}, headers=auth)
        http_call(over_http.http, "POST", "/v1/detect", {"text": article("fr")}, headers=auth)
        http_call(over_http.http, "POST", "/v1/summarize", {"text": article("en")}, headers=auth)
        with over_grpc.client() as anonymous:
            status_of(anonymous.info)
        with over_grpc.client(api_key=KEY) as client:
            client.info()
            status_of(lambda: client.detect_language(""))
            client.detect_language(article("fr"))
            client.summarize(article("en"))
        labels = method_labels(over_http)
        assert labels == method_labels(over_grpc)
        assert ("GetInfo", "UNAUTHENTICATED") in labels
        report(f"method labels, same calls over HTTP and gRPC: {sorted(labels)}")
    finally:
        over_http.close()
        over_grpc.close()


def test_forged_request_id_is_replaced_and_log_lines_stay_whole(server: ServerThread) -> None:
    forged = "a] CRITICAL precis all keys leaked [b"
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)  # as calls.configure_logging sets it up
    handler.addFilter(calls.RequestIdFilter())
    handler.setFormatter(EscapingFormatter(calls.LOG_FORMAT))
    logger = logging.getLogger("precis_news")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        answer = http_call(
            server.http,
            "POST",
            "/v1/summarize",
            {"text": article("en"), "targetLanguages": ["xx\nCRITICAL forged line"]},
            headers={"X-Request-Id": forged},
        )
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    assert answer.status == 400
    given = answer.headers["x-request-id"]
    assert given != forged and len(given) == 32  # replaced by a fresh one
    lines = stream.getvalue().splitlines()
    assert lines and all(given in line for line in lines), lines
    assert not any(line.startswith("CRITICAL") or forged in line for line in lines)
    assert any("xx\\nCRITICAL forged line" in line for line in lines), lines
    kept = http_call(server.http, "GET", "/v1/info", headers={"X-Request-Id": "trace-1.2:3"})
    assert kept.headers["x-request-id"] == "trace-1.2:3"


def test_malformed_requests_log_one_warning_without_traceback(
    server: ServerThread, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger="aiohttp.server"):
        for _ in range(20):
            with raw(server) as sock:
                sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Bad: a\x00b\r\n\r\n")
                reply = sock.recv(65536)
                assert b" 400 " in reply.split(b"\r\n")[0]
                assert b"\r\nServer: precis\r\n" in reply  # the parser's answers too
    noisy = [r for r in caplog.records if r.name == "aiohttp.server" and r.levelno > logging.DEBUG]
    assert len(noisy) <= 1  # one line per interval, however many arrive
    assert all(r.levelno == logging.WARNING and not r.exc_info for r in noisy)
    report(f"20 requests with a NUL in a header: {len(noisy)} log line(s), no traceback")


def test_oversized_key_less_bodies_are_refused_unread(strict_server: ServerThread) -> None:
    body = b'{"text": "' + b"a" * (9 * 2**20) + b'"}'
    head = (
        b"POST /v1/summarize HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n" % len(body)
    )
    before = rss_mib()
    peak = before
    seconds = []
    for _ in range(50):
        with raw(strict_server) as sock:
            started = time.perf_counter()
            sock.sendall(head)
            with contextlib.suppress(OSError):  # the server may answer and close first
                sock.sendall(body)
            reply = sock.recv(65536)
            seconds.append(time.perf_counter() - started)
        assert reply.startswith(b"HTTP/1.1 401"), reply[:80]
        peak = max(peak, rss_mib())
    after = rss_mib()
    report(
        f"50 key-less 9 MiB bodies: RSS {before:.0f} -> {after:.0f} MiB (peak {peak:.0f}); "
        f"refusal p50 {sorted(seconds)[25] * 1000:.0f} ms"
    )
    assert peak - before < 100


def rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def test_protocol_details(server: ServerThread, model_dir: Path) -> None:
    wrong = http_call(server.http, "GET", "/v1/summarize")
    assert wrong.status == 405 and wrong.headers["allow"] == "POST"
    assert wrong.headers["server"] == "precis"
    assert http_call(server.http, "GET", "/healthz").headers["server"] == "precis"
    twice = http_call(
        server.http,
        "POST",
        "/v1/translate",
        b'{"texts": ["Hi."], "targetLanguage": "fr", "target_language": "uk"}',
        headers={"Content-Type": "application/json"},
    )
    assert (twice.status, twice.json()["code"]) == (400, 3)
    assert "target_language" in twice.json()["message"]
    assert twice.json()["details"][0]["fieldViolations"][0]["field"] == "target_language"
    anyone = ServerThread(tiny_settings(model_dir, cors_origins=("*",)))
    try:
        sandboxed = http_call(anyone.http, "GET", "/healthz", headers={"Origin": "null"})
        assert "access-control-allow-origin" not in sandboxed.headers
        page = http_call(anyone.http, "GET", "/healthz", headers={"Origin": ORIGIN})
        assert page.headers["access-control-allow-origin"] == ORIGIN
    finally:
        anyone.close()


def test_what_the_openapi_document_calls_valid_is_accepted(server: ServerThread) -> None:
    doc = openapi.document()
    minimal = {
        "precis.v1.SummarizeRequest": {"text": article("en")},
        "precis.v1.TranslateRequest": {"texts": ["Hello."], "targetLanguage": "fr"},
        "precis.v1.DetectLanguageRequest": {"text": article("fr")},
    }
    for route in routes():
        if not route.body:
            continue
        name = route.method.input_type.full_name
        operation = doc["paths"][route.path]["post"]
        schema = doc["components"]["schemas"][name]
        assert operation["requestBody"]["required"] is True
        required = schema.get("required") or schema["anyOf"][0]["required"]
        body = minimal[name]
        assert set(required) <= set(body)
        assert http_call(server.http, "POST", route.path, body).status == 200, route.path
        for field in required:  # what the document calls invalid is refused
            less = {k: v for k, v in body.items() if k != field}
            assert http_call(server.http, "POST", route.path, less).status == 400, field
        empty = http_call(server.http, "POST", route.path, b"", headers={"Content-Type": JSON_TYPE})
        assert empty.status == 400
