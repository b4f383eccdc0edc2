"""The server: API keys, health while loading/serving/draining, reflection."""

from __future__ import annotations

import concurrent.futures
import datetime
import ipaddress
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import (
    ProtoReflectionDescriptorDatabase,
)

from precis_news._proto import precis_pb2 as pb
from precis_news._proto import precis_pb2_grpc as pb_grpc
from precis_news.client import PrecisError, Unauthenticated
from tests.support import (
    ServerThread,
    article,
    free_port,
    report,
    status_of,
    tiny_settings,
)


def test_missing_or_wrong_api_key(strict_server: ServerThread) -> None:
    for key in (None, "wrong-key"):
        with strict_server.client(api_key=key) as c:
            error = status_of(lambda c=c: c.summarize("Hello there."))
            assert isinstance(error, Unauthenticated)
            assert error.code == grpc.StatusCode.UNAUTHENTICATED
            assert error.details == "missing or wrong API key"
            stream_error = status_of(lambda c=c: list(c.stream_summarize("Hello there.")))
            assert stream_error.code == grpc.StatusCode.UNAUTHENTICATED
            assert c.health() == "SERVING"  # probes need no key
    with strict_server.client(api_key="secret-key") as c:
        assert c.summarize("The council met on Monday.").summaries


def test_unavailable_while_loading_then_serving_then_draining(model_dir) -> None:  # type: ignore[no-untyped-def]
    running = ServerThread(tiny_settings(model_dir))
    try:
        channel = grpc.insecure_channel(running.address)
        health = health_pb2_grpc.HealthStub(channel)
        check = health_pb2.HealthCheckRequest(service="precis.v1.Summarizer")
        assert health.Check(check).status == health_pb2.HealthCheckResponse.NOT_SERVING
        with running.client() as c:
            error = status_of(lambda: c.summarize("Hello there."))
            assert error.code == grpc.StatusCode.UNAVAILABLE
            assert error.details == "models are still loading; retry shortly"
            running.load()
            assert health.Check(check).status == health_pb2.HealthCheckResponse.SERVING
            assert c.summarize("The council met on Monday.").summaries
            running.server.state.draining = True  # what stop() sets first
            error = status_of(lambda: c.summarize("Hello there."))
            assert error.code == grpc.StatusCode.UNAVAILABLE
            assert error.details == "the server is shutting down; retry on another replica"
            running.server.state.draining = False
            running.call(running.server.health.enter_graceful_shutdown())
            assert health.Check(check).status == health_pb2.HealthCheckResponse.NOT_SERVING
        channel.close()
    finally:
        running.close()


def test_models_load_on_demand_and_go_once_idle(model_dir: Path) -> None:
    """model_keep_alive_seconds: every model is warmed up and unloaded at start; a request
    loads only the models it uses; concurrent requests on unloaded models are all served; idle
    models go, and the next request loads them again."""
    running = ServerThread(tiny_settings(model_dir, model_keep_alive_seconds=2.0)).load()
    try:
        assert running.server.models is not None
        residency = {m.name: m.residency for m in running.server.models.models}
        assert all(r is not None and not r.loaded for r in residency.values())
        value = running.server.metrics.registry.get_sample_value
        assert value("precis_model_loaded", {"model": "tiny-bart"}) == 0
        before = {name: r.loads for name, r in residency.items()}
        with running.client() as c:
            reply = c.summarize(article("en"), targets=["en", "fr"])
            assert [s.language for s in reply.summaries] == ["en", "fr"]
            used = {name for name, r in residency.items() if r.loads > before[name]}
            assert used == {"tiny-bart", "tiny-marian-en-fr"}
            deadline = time.monotonic() + 30
            while any(r.loaded for r in residency.values()) and time.monotonic() < deadline:
                time.sleep(0.05)
            assert not any(r.loaded for r in residency.values())
            with concurrent.futures.ThreadPoolExecutor(4) as pool:
                calls = [
                    pool.submit(c.summarize, f"{article('fr')}\n\n({n})", targets=["en"])
                    for n in range(4)
                ]
                for call in calls:
                    assert [s.language for s in call.result(60).summaries] == ["en"]
        assert residency["tiny-marian-fr-en"].loads > before["tiny-marian-fr-en"]
        # A caller that hangs up while its model loads: the next caller is served, and the
        # weights still go once idle (no call left counted as running).
        with grpc.insecure_channel(running.address) as channel:
            stub = pb_grpc.SummarizerStub(channel)
            request = pb.SummarizeRequest(text=article("ru"), target_languages=["en"])
            while any(r.loaded for r in residency.values()) and time.monotonic() < deadline + 30:
                time.sleep(0.05)
            call = stub.Summarize.future(request, timeout=60)
            time.sleep(0.01)  # the call is loading its models (tens of ms for tiny ones)
            call.cancel()
            assert call.cancelled() or call.code() == grpc.StatusCode.CANCELLED
            reply = stub.Summarize(request, timeout=60)
            assert [s.language for s in reply.summaries] == ["en"]
        end = time.monotonic() + 30
        while any(r.loaded for r in residency.values()) and time.monotonic() < end:
            time.sleep(0.05)
        assert not any(r.loaded for r in residency.values())
    finally:
        running.close()


def test_reflection_lists_the_services(server: ServerThread) -> None:
    with grpc.insecure_channel(server.address) as channel:
        services = ProtoReflectionDescriptorDatabase(channel).get_services()
        assert "precis.v1.Summarizer" in services
        assert "grpc.health.v1.Health" in services
        methods = (
            ProtoReflectionDescriptorDatabase(channel)
            .FindFileContainingSymbol("precis.v1.Summarizer")
            .service[0]
            .method
        )
    assert {m.name for m in methods} == {
        "Summarize",
        "StreamSummarize",
        "Translate",
        "DetectLanguage",
        "GetInfo",
    }


SLOW_SERVE = """
import sys, time
from precis_models import loader

real_load_engine = loader.load_engine

def load_engine(spec, model_dir, runtime):
    engine = real_load_engine(spec, model_dir, runtime)
    generate = engine.generate_outputs  # what the batcher calls

    def slow_generate(texts, options, **kwargs):
        if texts != ["Warm up."]:
            time.sleep(120 if any("Glacial" in t for t in texts) else 0.3)
        return generate(texts, options, **kwargs)

    engine.generate_outputs = slow_generate
    return engine

loader.load_engine = load_engine
from precis_news.cli import main
sys.exit(main(sys.argv[1:]))
"""
GRACE = 2.0


class _Lines:
    """Collects a subprocess's stderr lines in a thread; waits for a pattern."""

    def __init__(self, stream: Any) -> None:
        self.lines: list[str] = []
        self._changed = threading.Condition()
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream: Any) -> None:
        for line in stream:
            with self._changed:
                self.lines.append(line)
                self._changed.notify_all()

    def wait_for(self, pattern: str, timeout: float) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for line in self.lines:
                    if match := re.search(pattern, line):
                        return match
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no {pattern!r} in:\n{''.join(self.lines)}")
                self._changed.wait(left)


def _call(address: str, request: pb.TranslateRequest, outcomes: list[str]) -> None:
    """One Translate on its own channel, without client retries: the code the server sent."""
    with grpc.insecure_channel(address, options=[("grpc.enable_retries", 0)]) as channel:
        try:
            pb_grpc.SummarizerStub(channel).Translate(request, timeout=60)
            outcomes.append("OK")
        except grpc.RpcError as error:
            outcomes.append(error.code().name)


@pytest.mark.slow
def test_sigterm_under_load_exits_within_grace_with_a_running_model_call(
    model_dir: Path, tmp_path: Path
) -> None:
    script = tmp_path / "slow_serve.py"
    script.write_text(SLOW_SERVE, encoding="utf-8")
    command = [
        sys.executable,
        str(script),
        "serve",
        "--profile",
        "tiny",
        "--port",
        "0",
        "--http-port=-1",
    ]
    command += ["--model-dir", str(model_dir), "--threads", "2", "--grace-seconds", str(GRACE)]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    try:
        lines = _Lines(process.stderr)
        port = int(lines.wait_for(r"listening on 127\.0\.0\.1:(\d+)", 60).group(1))
        lines.wait_for("serving profile", 120)
        address = f"127.0.0.1:{port}"
        with grpc.insecure_channel(address) as channel:
            watch = health_pb2_grpc.HealthStub(channel).Watch(
                health_pb2.HealthCheckRequest(), timeout=60
            )
            assert next(watch).status == health_pb2.HealthCheckResponse.SERVING
            outcomes: list[str] = []
            # en->fr calls hold the glacial model call; fr->en ones run on another model.
            slow = pb.TranslateRequest(
                texts=["Glacial news from the north."], source_language="en", target_language="fr"
            )
            quick = pb.TranslateRequest(
                texts=["Une note rapide sur la météo."], source_language="fr", target_language="en"
            )
            requests = [slow] * 3 + [quick] * 5
            threads = [
                threading.Thread(target=_call, args=(address, r, outcomes)) for r in requests
            ]
            for thread in threads:
                thread.start()
            time.sleep(1.5)  # let the calls reach the model (not an assertion)
            signalled = time.monotonic()
            process.send_signal(signal.SIGTERM)
            watched = [reply.status for reply in watch]  # ends when the server closes it
            code = process.wait(timeout=GRACE + 60)
            exited = time.monotonic() - signalled
            for thread in threads:
                thread.join(60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    report(
        f"drain: SIGTERM with a 120 s model call running -> exit {code} after {exited:.1f} s "
        f"(grace {GRACE:.0f} s); calls: {sorted(outcomes)}"
    )
    assert code == 0
    assert exited <= GRACE + 5
    assert watched and watched[-1] == health_pb2.HealthCheckResponse.NOT_SERVING
    assert len(outcomes) == len(requests)
    assert set(outcomes) <= {"OK", "UNAVAILABLE", "CANCELLED"}
    assert "abandoning model calls" in "".join(lines.lines)


def test_stop_tells_watch_streams_and_ends_them(model_dir: Path) -> None:
    running = ServerThread(tiny_settings(model_dir, grace_seconds=30))
    with grpc.insecure_channel(running.address) as channel:
        watch = health_pb2_grpc.HealthStub(channel).Watch(
            health_pb2.HealthCheckRequest(), timeout=60
        )
        assert next(watch).status == health_pb2.HealthCheckResponse.NOT_SERVING  # loading
        stopping = running.submit(running.server.stop())
        # The stream ends with OK (iterating raises otherwise); the caller already knew.
        rest = [reply.status for reply in watch]
        stopping.result(30)  # an open Watch no longer holds the drain for the grace period
    running.loop.call_soon_threadsafe(running.loop.stop)
    assert set(rest) <= {health_pb2.HealthCheckResponse.NOT_SERVING}


# -- TLS and mutual TLS ----------------------------------------------------------------------


def _pem_pair(
    name: str, *, issuer: tuple[Any, Any] | None = None, server: bool = False
) -> tuple[Any, Any, bytes, bytes]:
    """A key and certificate (a CA when issuer is None), and their PEM forms."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    issuer_key, issuer_cert = issuer if issuer else (key, None)
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_cert.subject if issuer_cert else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.BasicConstraints(ca=issuer is None, path_length=None), critical=True)
    )
    if server:
        builder = builder.add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
    cert = builder.sign(issuer_key, hashes.SHA256())
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return key, cert, key_pem, cert.public_bytes(serialization.Encoding.PEM)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes | Path]:
    folder = tmp_path_factory.mktemp("pki")
    ca_key, ca_cert, _, ca_pem = _pem_pair("precis test CA")
    _, _, server_key, server_cert = _pem_pair("server", issuer=(ca_key, ca_cert), server=True)
    _, _, client_key, client_cert = _pem_pair("client", issuer=(ca_key, ca_cert))
    other_key, other_cert, _, _ = _pem_pair("another CA")
    _, _, rogue_key, rogue_cert = _pem_pair("rogue", issuer=(other_key, other_cert))
    files = {"ca": ca_pem, "server_key": server_key, "server_cert": server_cert}
    paths = {}
    for name, data in files.items():
        paths[name] = folder / f"{name}.pem"
        paths[name].write_bytes(data)
    return {
        **paths,
        "ca_pem": ca_pem,
        "client_key": client_key,
        "client_cert": client_cert,
        "rogue_key": rogue_key,
        "rogue_cert": rogue_cert,
    }


def _health(running: ServerThread, **kwargs: Any) -> str:
    with running.client(timeout=10, **kwargs) as client:
        try:
            return client.health(timeout=5)
        except PrecisError as error:
            return error.code.name


def test_tls_serves_and_plaintext_is_refused(model_dir: Path, pki: dict[str, Any]) -> None:
    running = ServerThread(
        tiny_settings(model_dir, tls_cert=pki["server_cert"], tls_key=pki["server_key"])
    )
    try:
        assert _health(running, root_certificates=pki["ca_pem"]) == "NOT_SERVING"  # not loaded
        assert _health(running) == "UNAVAILABLE"  # plaintext to a TLS port
    finally:
        running.close()


def test_mutual_tls_refuses_clients_without_a_trusted_certificate(
    model_dir: Path, pki: dict[str, Any]
) -> None:
    running = ServerThread(
        tiny_settings(
            model_dir,
            tls_cert=pki["server_cert"],
            tls_key=pki["server_key"],
            tls_client_ca=pki["ca"],
        )
    )
    ca = pki["ca_pem"]
    try:
        trusted = {"private_key": pki["client_key"], "certificate_chain": pki["client_cert"]}
        rogue = {"private_key": pki["rogue_key"], "certificate_chain": pki["rogue_cert"]}
        assert _health(running, root_certificates=ca, **trusted) == "NOT_SERVING"
        assert _health(running, root_certificates=ca) == "UNAVAILABLE"  # no certificate
        assert _health(running, root_certificates=ca, **rogue) == "UNAVAILABLE"  # other CA
        assert _health(running) == "UNAVAILABLE"  # plaintext
    finally:
        running.close()


def _scrape(port: int, path: str = "/metrics", token: str = "") -> tuple[int, bytes]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_metrics_endpoint_path_token_and_bounded_size_under_junk_calls(model_dir: Path) -> None:
    """With keys set, 3,000 key-less calls to distinct made-up methods leave /metrics the size
    it was (one `unknown` series); only /metrics answers, and only with the bearer token."""
    port = free_port()
    settings = tiny_settings(
        model_dir, api_keys="k", metrics_port=port, metrics_token="scrape-token"
    )
    running = ServerThread(settings)
    try:
        assert _scrape(port)[0] == 401
        assert _scrape(port, token="wrong")[0] == 401
        assert _scrape(port, "/", token="scrape-token")[0] == 404
        assert _scrape(port, "/anything/else", token="scrape-token")[0] == 404
        with grpc.insecure_channel(running.address) as channel:
            for i in range(3):  # the series `unknown`/UNAUTHENTICATED exists from here on
                with pytest.raises(grpc.RpcError):
                    channel.unary_unary(f"/junk{i}.S/M")(b"", timeout=10)
            status, before = _scrape(port, token="scrape-token")
            assert status == 200
            for i in range(3000):
                with pytest.raises(grpc.RpcError) as caught:
                    channel.unary_unary(f"/precis.v1.Summarizer/J{i}x{'y' * (i % 50)}")(
                        b"", timeout=10
                    )
                assert caught.value.code() is grpc.StatusCode.UNAUTHENTICATED
        status, after = _scrape(port, token="scrape-token")
        assert status == 200
        report(f"/metrics after 3,000 junk method names: {len(before)} -> {len(after)} bytes")
        assert b'precis_requests_total{code="UNAUTHENTICATED",method="unknown"} 3003.0' in after
        assert b"J1x" not in after
        assert abs(len(after) - len(before)) < 200  # only counter values changed
    finally:
        running.close()
    with pytest.raises(OSError):  # the endpoint stops with the server
        _scrape(port, token="scrape-token")
