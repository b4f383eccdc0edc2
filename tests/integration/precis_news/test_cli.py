"""The client `precis` commands: parsing, output, errors (a stand-in servicer plays the server)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from concurrent import futures
from pathlib import Path

import grpc
import pytest

from precis_news import cli
from tests.support import (
    ROOT,
    ServerThread,
    tiny_settings,
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
