"""The client `precis` commands: parsing, output, errors (a stand-in servicer plays the server)."""

from __future__ import annotations

import contextlib
import io
import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent import futures
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health, health_pb2_grpc

from precis_news import cli
from tests.support import (
    ROOT,
    ServerThread,
    tiny_settings,
    web_server,
)

UNREACHABLE = "127.0.0.1:1"


@pytest.mark.parametrize(
    "argv",
    [
        ["health"],
        ["info"],
        ["detect", "--text", "bonjour"],
        ["translate", "--text", "hello", "--to", "fr"],
    ],
)
def test_cli_against_unreachable_server(argv: list[str], capsys) -> None:
    assert cli.main([*argv, "--server", UNREACHABLE]) == 2  # the default 60 s timeout
    err = capsys.readouterr().err
    assert err.startswith(f"precis: cannot reach the server at {UNREACHABLE}: is `precis serve`")
    assert len(err.splitlines()) == 1


def test_cli_prints_what_a_loading_or_draining_server_says(tmp_path: Path, capsys) -> None:
    """A server that answers UNAVAILABLE was reached: its own message, not "cannot reach"."""
    running = ServerThread(tiny_settings(tmp_path))  # never loaded: models are still loading
    try:
        assert cli.main(["detect", "--text", "bonjour", "--server", running.address]) == 2
        running.server.state.draining = True
        argv = ["summarize", "--text", "News.", "--stream", "--server", running.address]
        assert cli.main(argv) == 2
    finally:
        running.close()
    # The in-process server may log to stderr too: keep the command's own lines.
    err = capsys.readouterr().err.splitlines()
    assert [line for line in err if line.startswith("precis: ")] == [
        "precis: UNAVAILABLE: models are still loading; retry shortly",
        "precis: UNAVAILABLE: the server is shutting down; retry on another replica",
    ]


def test_cli_summarize_unreachable_in_subprocess(tmp_path: Path) -> None:
    article = tmp_path / "article.txt"
    article.write_text("Some news.", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "precis_news.cli", "summarize", str(article), "--to", "fr,uk",
         "--server", UNREACHABLE],
        cwd=ROOT, capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.startswith(f"precis: cannot reach the server at {UNREACHABLE}: ")


def test_cli_prints_summaries_and_warns_on_truncation(stand_in, capsys, monkeypatch) -> None:
    target, _ = stand_in
    monkeypatch.setattr("sys.stdin", io.StringIO("an article"))
    assert cli.main(["summarize", "-", "--to", "en,fr", "--server", target]) == 0
    out, err = capsys.readouterr()
    assert out == "[en] (summarized by distilbart)\nShort.\n\n" \
        "[fr] (translated from en by opus-en-fr)\nCourt.\n"  # fmt: skip
    assert "truncated: 42 characters were not summarized (2 of 3 chunks used)" in err


def test_cli_json_keeps_proto_field_names(stand_in, capsys, monkeypatch) -> None:
    target, _ = stand_in
    monkeypatch.setattr("sys.stdin", io.StringIO("an article"))
    assert cli.main(["summarize", "-", "--json", "--server", target]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["detected_language"] == "en"
    assert data["summaries"][1]["translated_from"] == "en"
    assert data["summaries"][0]["translated_from"] == ""  # defaults are printed too


def test_cli_stream_json_is_one_object_per_line(stand_in, capsys, monkeypatch) -> None:
    target, _ = stand_in
    monkeypatch.setattr("sys.stdin", io.StringIO("an article"))
    assert cli.main(["summarize", "-", "--stream", "--json", "--server", target]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [next(iter(set(json.loads(line)) & {"summary", "metadata"})) for line in lines] == [
        "summary",
        "summary",
        "metadata",
    ]


def test_cli_health_exit_codes(stand_in, capsys) -> None:
    target, _ = stand_in
    assert cli.main(["health", "--server", target]) == 0
    assert cli.main(["health", "--service", "precis.v1.Summarizer", "--server", target]) == 1
    assert capsys.readouterr().out.split() == ["SERVING", "NOT_SERVING"]


def test_cli_reports_retry_after(stand_in, capsys, monkeypatch) -> None:
    target, _ = stand_in
    monkeypatch.setattr("sys.stdin", io.StringIO("busy"))
    assert cli.main(["summarize", "-", "--server", target]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "precis: RESOURCE_EXHAUSTED: queue full",
        "precis: retry after 1.5 s",
    ]


@pytest.mark.parametrize("command", ["summarize", "detect"])
def test_undecodable_bytes_on_the_command_line_are_one_line_not_a_traceback(
    command: str,
) -> None:
    """$'\\xff' reaches Python as a lone surrogate, which protobuf cannot encode."""
    result = subprocess.run(
        [sys.executable, "-m", "precis_news.cli", command, "--text", b"ok \xff",
         "--server", UNREACHABLE],
        cwd=ROOT, capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert (result.returncode, result.stderr) == (
        2,
        "precis: INVALID_ARGUMENT: text is not valid Unicode: a lone surrogate (U+DCFF) at "
        "character 3; send UTF-8 text\n",
    )


def test_cli_unknown_host_says_it_does_not_resolve(capsys) -> None:
    assert cli.main(["info", "--server", "no-such-host.invalid:50051"]) == 2
    assert capsys.readouterr().err == (
        "precis: cannot reach the server at no-such-host.invalid:50051: the host name does not "
        "resolve; check --server HOST:PORT (or PRECIS_SERVER)\n"
    )


def test_cli_plaintext_against_a_tls_server_names_the_address(tmp_path: Path, capsys) -> None:
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
         "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    credentials = grpc.ssl_server_credentials([(key.read_bytes(), cert.read_bytes())])
    port = server.add_secure_port("127.0.0.1:0", credentials)
    server.start()
    try:
        assert cli.main(["info", "--server", f"127.0.0.1:{port}"]) == 2
    finally:
        server.stop(None)
    err = capsys.readouterr().err
    assert err.startswith(f"precis: cannot reach the server at 127.0.0.1:{port}: ")
    assert "add --tls or --tls-ca FILE" in err and len(err.splitlines()) == 1


@pytest.mark.parametrize("command", ["summarize", "translate", "detect"])
def test_every_text_command_reads_file_stdin_or_text(
    stand_in, command: str, tmp_path: Path, capsys, monkeypatch
) -> None:
    target, servicer = stand_in
    extra = ["--to", "fr"] if command == "translate" else []
    article = tmp_path / "article.txt"
    article.write_text("From a file.\n", encoding="utf-8")
    monkeypatch.setattr("sys.stdin", io.StringIO("From stdin.\n"))
    for source in ([str(article)], ["-"], ["--text", "Inline."]):
        assert cli.main([command, *source, *extra, "--server", target, "--json"]) == 0, source
    capsys.readouterr()
    assert cli.main([command, *extra, "--server", target]) == 2
    assert cli.main([command, str(article), "--text", "x", *extra, "--server", target]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"precis: `precis {command}` takes FILE (- for stdin) or --text TEXT",
        f"precis: `precis {command}` takes FILE (- for stdin) or --text TEXT, not both",
    ]
    if command == "summarize":
        sent = [r.text for r in servicer.requests[-3:]]
        assert sent == ["From a file.\n", "From stdin.\n", "Inline."]
    if command == "translate":  # one text per non-empty line
        assert servicer.translated[-3:] == [["From a file."], ["From stdin."], ["Inline."]]


def test_an_input_over_the_limit_is_refused_before_sending(
    stand_in, tmp_path: Path, capsys
) -> None:
    """A 5 MB file: the server's limit (GetInfo), in characters, and no Summarize call."""
    target, servicer = stand_in
    big = tmp_path / "big.txt"
    big.write_text("word " * 1_000_000, encoding="utf-8")
    sent = len(servicer.requests)
    assert cli.main(["summarize", str(big), "--server", target]) == 2
    assert capsys.readouterr().err == (
        "precis: the article has 5000000 characters; the server's limit is 200000 "
        "(max_article_chars): shorten it or split it\n"
    )
    assert len(servicer.requests) == sent


PAGE = "<html><body><article><p>The council met on Monday.</p></article></body></html>"


def test_summarize_sends_html_files_and_fetched_pages_as_html(
    stand_in, tmp_path: Path, capsys, monkeypatch
) -> None:
    target, servicer = stand_in
    page = tmp_path / "page.html"
    page.write_text(PAGE, encoding="utf-8")
    monkeypatch.setattr("sys.stdin", io.StringIO(PAGE))
    html = {"Content-Type": "text/html; charset=utf-8"}
    with web_server({"/news": (200, html, PAGE.encode())}) as base:
        for source in ([str(page)], ["-", "--html"], ["--text", PAGE, "--html"], [f"{base}/news"]):
            assert cli.main(["summarize", *source, "--server", target]) == 0, source
    assert [(r.text, r.html) for r in servicer.requests[-4:]] == [("", PAGE)] * 4


def test_a_page_saved_as_text_is_sent_as_html(stand_in, tmp_path: Path) -> None:
    target, servicer = stand_in
    saved = tmp_path / "page.txt"
    saved.write_text("<!doctype html>\n" + PAGE, encoding="utf-8")
    assert cli.main(["summarize", str(saved), "--server", target]) == 0
    assert (servicer.requests[-1].text, servicer.requests[-1].html) == ("", saved.read_text())


@pytest.mark.parametrize(
    ("name", "data", "line"),
    [
        (
            "report.pdf",
            b"%PDF-1.4\n%\xd3\xeb\xe9\xe1\n1 0 obj",
            "precis: {path} is a PDF file: Précis reads plain text or HTML",
        ),
        (
            "scan.txt",
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
            "precis: {path} is a PNG image: Précis reads plain text or HTML",
        ),
        (
            "article.txt",
            "Le café a ouvert à Paris.".encode("latin-1"),
            "precis: {path} is not UTF-8 text (at byte 7): save it as UTF-8",
        ),
    ],
)
def test_a_file_that_is_not_text_is_refused_in_plain_words_before_sending(
    stand_in, tmp_path: Path, capsys, name: str, data: bytes, line: str
) -> None:
    target, servicer = stand_in
    path = tmp_path / name
    path.write_bytes(data)
    sent = len(servicer.requests)
    for command in ("summarize", "detect"):
        assert cli.main([command, str(path), "--server", target]) == 2
        err = capsys.readouterr().err
        assert err == line.format(path=path) + "\n"
        assert "codec" not in err
    assert len(servicer.requests) == sent


@pytest.mark.parametrize(
    ("path", "line"),
    [
        ("/pdf", "precis: {base}/pdf is not an HTML page (Content-Type: application/pdf)"),
        ("/missing", "precis: {base}/missing answered HTTP 404 Not Found"),
    ],
)
def test_a_page_that_cannot_be_fetched_is_one_line_and_nothing_is_sent(
    stand_in, capsys, path: str, line: str
) -> None:
    target, servicer = stand_in
    sent = len(servicer.requests)
    with web_server({"/pdf": (200, {"Content-Type": "application/pdf"}, b"%PDF")}) as base:
        assert cli.main(["summarize", base + path, "--server", target]) == 2
    assert capsys.readouterr().err == line.format(base=base) + "\n"
    assert len(servicer.requests) == sent


def test_a_page_over_the_html_limit_is_refused_before_sending(
    stand_in, tmp_path: Path, capsys
) -> None:
    target, servicer = stand_in
    big = tmp_path / "big.html"
    big.write_text("<p>" + "x" * 2_500_000 + "</p>", encoding="utf-8")
    sent = len(servicer.requests)
    assert cli.main(["summarize", str(big), "--server", target]) == 2
    assert capsys.readouterr().err == (
        "precis: the page's HTML has 2500007 characters; the server's limit is 2000000 "
        "(max_html_chars): shorten it or split it\n"
    )
    assert len(servicer.requests) == sent


def test_a_german_article_is_refused_with_its_language_named(server: ServerThread, capsys) -> None:
    """The server's message names the request field (source_language); the command line speaks
    of its own flag."""
    german = (
        "Die Bundesregierung hat am Mittwoch einen neuen Haushaltsentwurf beschlossen. Er sieht "
        "höhere Ausgaben für Schulen, Bahnstrecken und die Bundeswehr vor. Die Länder fordern "
        "mehr Geld für den Nahverkehr."
    )
    assert cli.main(["summarize", "--text", german, "--server", server.address]) == 2
    err = [line for line in capsys.readouterr().err.splitlines() if line.startswith("precis: ")]
    assert err == [
        "precis: INVALID_ARGUMENT: the article appears to be German (de); supported: en, fr, uk, "
        "ru (if it is in one of them, say which in --from)"
    ]


def test_a_saved_news_page_summarizes_through_the_cli(server: ServerThread, capsys) -> None:
    page = ROOT / "tests" / "data" / "pages" / "news-uk.html"
    assert cli.main(["summarize", str(page), "--json", "--server", server.address]) == 0
    response = json.loads(capsys.readouterr().out)
    assert response["detected_language"] == "uk"
    assert response["metadata"]["html_extracted"] is True
    assert response["metadata"]["extracted_title"] == "Львів закупить нові тролейбуси"


# -- wrong listeners and TLS mismatches: one line each, no C-core log noise, within seconds ------


def _openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A CA, a server certificate for 127.0.0.1 and a client certificate, as PEM files."""
    d = tmp_path_factory.mktemp("pki")
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{d}/ca.key",
             "-out", f"{d}/ca.pem", "-days", "1", "-subj", "/CN=test CA")  # fmt: skip
    (d / "san.ext").write_text("subjectAltName=IP:127.0.0.1\n")
    for name in ("server", "client"):
        _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{d}/{name}.key",
                 "-out", f"{d}/{name}.csr", "-subj", f"/CN={name}")  # fmt: skip
        _openssl("x509", "-req", "-in", f"{d}/{name}.csr", "-CA", f"{d}/ca.pem", "-CAkey",
                 f"{d}/ca.key", "-CAcreateserial", "-out", f"{d}/{name}.pem", "-days", "1",
                 "-extfile", f"{d}/san.ext")  # fmt: skip
    return d


@contextlib.contextmanager
def _health_server(pki: Path, kind: str) -> Iterator[int]:
    """A gRPC server with the health service: plaintext, TLS, or TLS requiring client certs."""
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    health_pb2_grpc.add_HealthServicer_to_server(health.HealthServicer(), server)
    if kind == "plaintext":
        port = server.add_insecure_port("127.0.0.1:0")
    else:
        pair = ((pki / "server.key").read_bytes(), (pki / "server.pem").read_bytes())
        credentials = grpc.ssl_server_credentials(
            [pair],
            root_certificates=(pki / "ca.pem").read_bytes() if kind == "mtls" else None,
            require_client_auth=kind == "mtls",
        )
        port = server.add_secure_port("127.0.0.1:0", credentials)
    server.start()
    try:
        yield port
    finally:
        server.stop(None)


@contextlib.contextmanager
def _silent_listener() -> Iterator[int]:
    """A TCP port that accepts connections and never says a word (not gRPC)."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield listener.getsockname()[1]


def _precis_health(port: int, *flags: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("GRPC_VERBOSITY", "GRPC_TRACE")}
    return subprocess.run(
        [sys.executable, "-m", "precis_news.cli", "health", "--server", f"127.0.0.1:{port}",
         "--timeout", "60", *flags],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "flags", "fix"),
    [
        ("plaintext", ["--tls"], "it does not use TLS there; drop --tls and --tls-ca"),
        ("tls", ["--tls"], "its TLS certificate is not trusted; give the CA that signed it"),
        ("tls", [], "if the server uses TLS, add --tls or --tls-ca FILE"),
        (
            "mtls",
            ["--tls-ca", "{pki}/ca.pem"],
            "may require a client certificate (mutual TLS); add --tls-cert FILE --tls-key FILE",
        ),
        ("silent", [], "something listens there but does not speak gRPC"),
    ],
    ids=["tls-to-plaintext", "self-signed", "plaintext-to-tls", "mtls-no-cert", "not-grpc"],
)
def test_a_wrong_listener_or_tls_mismatch_is_one_line_naming_the_fix(
    pki: Path, kind: str, flags: list[str], fix: str
) -> None:
    """With --timeout 60, each ends on its connection failure (the connect attempt's own
    limit for the silent listener), not on the deadline."""
    server = _silent_listener() if kind == "silent" else _health_server(pki, kind)
    with server as port:
        result = _precis_health(port, *(f.format(pki=pki) for f in flags))
    assert result.returncode == 2, result.stderr
    [line] = result.stderr.splitlines()  # no C-core log line before it
    assert line.startswith(f"precis: cannot reach the server at 127.0.0.1:{port}: ")
    assert fix in line


def test_mutual_tls_with_the_client_certificate_serves(pki: Path) -> None:
    with _health_server(pki, "mtls") as port:
        result = _precis_health(
            port, "--tls-ca", f"{pki}/ca.pem", "--tls-cert", f"{pki}/client.pem",
            "--tls-key", f"{pki}/client.key",
        )  # fmt: skip
    assert (result.returncode, result.stdout, result.stderr) == (0, "SERVING\n", "")


# -- the HTTP port given as the gRPC address: the same words for a host name as for an address --


_NOT_GRPC = (
    "something listens there but does not speak gRPC (an HTTP server, another service?); "
    "check --server HOST:PORT (or PRECIS_SERVER)"
)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_the_http_port_by_address_or_host_name_is_named_as_not_grpc(
    server: ServerThread, host: str, capsys
) -> None:
    port = server.http.rsplit(":", 1)[1]
    target = f"{host}:{port}"
    assert cli.main(["health", "--server", target, "--timeout", "30"]) == 2
    # For a host name gRPC names the cause when its last attempt was the HTTP port; when that
    # was another of the name's addresses (::1 refusing), the CLI tries each and names the one.
    said = {f"{target}", f"{target} (127.0.0.1:{port})"} if host == "localhost" else {target}
    assert capsys.readouterr().err in {
        f"precis: cannot reach the server at {where}: {_NOT_GRPC}\n" for where in said
    }


class _QuietHandler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def test_a_host_name_is_told_apart_address_by_address(monkeypatch, capsys) -> None:
    """gRPC names only its last failed attempt: for a host name with several addresses (such as
    `localhost`: ::1 and 127.0.0.1), a refusal can hide the HTTP server at another address. So
    each address is tried alone. Here `localhost` resolves, for the command's own lookup, to
    ::1 (refused) and 127.0.0.2 (an HTTP server); gRPC's resolver sees 127.0.0.1 and ::1, which
    both refuse, and so names no cause."""
    try:
        web = ThreadingHTTPServer(("127.0.0.2", 0), _QuietHandler)
    except OSError:
        pytest.skip("127.0.0.2 is not a loopback address here (Linux has 127.0.0.0/8)")
    port = web.server_address[1]
    real = socket.getaddrinfo

    def dual_stack(host: str, *args, **kwargs):
        if host != "localhost":
            return real(host, *args, **kwargs)
        return [
            (socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("::1", port, 0, 0)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.2", port)),
        ]

    monkeypatch.setattr(cli.socket, "getaddrinfo", dual_stack)
    with web:
        threading.Thread(target=web.serve_forever, daemon=True).start()
        assert cli.main(["health", "--server", f"localhost:{port}", "--timeout", "30"]) == 2
        web.shutdown()
    assert capsys.readouterr().err == (
        f"precis: cannot reach the server at localhost:{port} (127.0.0.2:{port}): {_NOT_GRPC}\n"
    )
