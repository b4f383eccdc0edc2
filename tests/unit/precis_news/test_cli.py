"""The `precis` command without a server: parsing, flags shared between commands, the choice
between "cannot reach" and the server's own message."""

from __future__ import annotations

import argparse
import contextlib
import io
from pathlib import Path

import grpc
import pytest

from precis_news import cli
from precis_news._proto import precis_pb2 as pb
from precis_news.client import LENGTH_NAMES, InvalidArgument, PrecisError, Unavailable
from precis_news.settings import Settings

TARGET = "news.example:50051"


def test_cli_parses_target_languages() -> None:
    parser = cli.build_parser()
    args = parser.parse_args(["summarize", "a.txt", "--to", "fr,uk"])
    assert args.targets == ["fr", "uk"]
    assert args.func is cli._run_summarize
    args = parser.parse_args(["summarize", "-", "--to", "FR", "--to", " uk, ru ", "--from", "en"])
    assert args.targets == ["fr", "uk", "ru"] and args.source_language == "en"
    args = parser.parse_args(["summarize", "-"])
    assert args.targets is None and args.length is None and args.source_language is None
    args = parser.parse_args(["translate", "--text", "a", "--text", "b", "--to", "uk"])
    assert args.text == ["a", "b"] and args.file is None and args.target == "uk"
    args = parser.parse_args(["detect", "article.txt"])
    assert args.file == "article.txt" and args.text is None


@pytest.mark.parametrize(
    "argv",
    [
        ["translate", "--text", "a", "--to", "fr,uk"],
        ["summarize", "-", "--to", ","],
        ["summarize", "-", "--length", "huge"],
        ["summarize", "-", "--max-tokens", "0"],
        ["info", "--timeout", "0"],
    ],
)
def test_cli_rejects_bad_arguments(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        cli.build_parser().parse_args(argv)
    assert caught.value.code == 2


def test_cli_server_defaults_to_environment(monkeypatch) -> None:
    monkeypatch.setenv("PRECIS_SERVER", "dns:///precis:50051")
    args = cli.build_parser().parse_args(["info"])
    with cli._client(args) as client:
        assert client.target == "dns:///precis:50051"
    args = cli.build_parser().parse_args(["info", "--server", "h:1"])
    with cli._client(args) as client:
        assert client.target == "h:1"


def test_cli_missing_file(capsys) -> None:
    assert cli.main(["summarize", "/no/such/article.txt"]) == 2
    assert capsys.readouterr().err.startswith("precis: cannot read /no/such/article.txt")


@pytest.mark.parametrize(
    ("server", "message"),
    [
        (
            "http://127.0.0.1:50051",
            "precis: --server http://127.0.0.1:50051: gRPC addresses have no http:// scheme; "
            "use --server 127.0.0.1:50051",
        ),
        (
            "https://news.example:443/",
            "precis: --server https://news.example:443/: gRPC addresses have no https:// scheme;"
            " use --server news.example:443 and add --tls",
        ),
        ("localhost", "precis: --server localhost: no port; use HOST:PORT, e.g. --server "
         "localhost:50051"),
        ("dns:///precis", "precis: --server dns:///precis: no port; use HOST:PORT, e.g. --server "
         "precis:50051"),
    ],
)  # fmt: skip
def test_cli_names_a_malformed_address_and_the_fix(server: str, message: str, capsys) -> None:
    assert cli.main(["detect", "--text", "bonjour", "--server", server]) == 2
    assert capsys.readouterr().err == message + "\n"


@pytest.mark.parametrize(
    ("argv", "usage", "error"),
    [
        (
            ["summarize", "--lenght", "short", "--text", "a"],
            "usage: precis summarize ",
            "precis summarize: error: unrecognized arguments: --lenght (did you mean --length?)",
        ),
        (
            ["translate", "--text", "a", "--to", "fr", "--form=de"],
            "usage: precis translate ",
            "precis translate: error: unrecognized arguments: --form=de (did you mean --from?)",
        ),
        (
            ["models", "fetch", "--profle", "tiny"],
            "usage: precis models fetch ",
            "precis models fetch: error: unrecognized arguments: --profle (did you mean "
            "--profile?) tiny",
        ),
        (["--verison"], "usage: precis ", "precis: error: unrecognized arguments: --verison "
         "(did you mean --version?)"),
        (["detect", "--zzz"], "usage: precis detect ", "precis detect: error: unrecognized "
         "arguments: --zzz"),
    ],
)  # fmt: skip
def test_an_unknown_flag_is_refused_by_its_command_with_the_closest_flag(
    argv: list[str], usage: str, error: str, capsys
) -> None:
    with pytest.raises(SystemExit) as caught:
        cli.main(argv)
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(usage)
    assert err.splitlines()[-1] == error


@pytest.mark.parametrize(
    ("details", "printed"),
    [
        (
            "the article appears to be German (de); supported: en, fr, uk, ru (if it is in one "
            "of them, say which in source_language)",
            "the article appears to be German (de); supported: en, fr, uk, ru (if it is in one "
            "of them, say which in --from)",
        ),
        (
            "bad length bounds 9..3: need 0 <= min_tokens <= max_tokens <= 512 and max_tokens >= 1",
            "bad length bounds 9..3: need 0 <= --min-tokens <= --max-tokens <= 512 and "
            "--max-tokens >= 1",
        ),
        ("5 target languages; at most 4", "5 target languages; at most 4"),
        ("unsupported target_languages 'de'", "unsupported --to 'de'"),
        ("target_language is required", "--to is required"),
    ],
)
def test_a_refusal_relayed_speaks_of_the_commands_flags(
    details: str, printed: str, capsys, monkeypatch
) -> None:
    def refused(args: argparse.Namespace) -> int:
        raise InvalidArgument(grpc.StatusCode.INVALID_ARGUMENT, details, answered=True)

    monkeypatch.setattr(cli, "_run_summarize", refused)
    assert cli.main(["summarize", "--text", "a"]) == cli.EXIT_RPC_ERROR
    assert capsys.readouterr().err == f"precis: INVALID_ARGUMENT: {printed}\n"


def test_cli_without_arguments_lists_the_commands(capsys) -> None:
    assert cli.main([]) == 2
    err = capsys.readouterr().err
    for command in ("summarize", "translate", "detect", "info", "health", "serve", "models"):
        assert f"    {command}" in err, command


def test_help_shows_real_defaults_and_choices() -> None:
    parser = cli.build_parser()
    for argv in (["serve", "--help"], ["models", "fetch", "--help"], ["summarize", "--help"]):
        out = io.StringIO()
        with pytest.raises(SystemExit), contextlib.redirect_stdout(out):
            parser.parse_args(argv)
        text = " ".join(out.getvalue().split())
        for bad in ("default ()", "default None", "(see docs)"):
            assert bad not in text, (argv, bad)
        if argv[0] != "summarize":
            assert "{bench,default,fast,quality,tiny}" in text
            assert "{ctranslate2,transformers}" in text
    serve_help = io.StringIO()
    with pytest.raises(SystemExit), contextlib.redirect_stdout(serve_help):
        parser.parse_args(["serve", "--help"])
    text = " ".join(serve_help.getvalue().split())
    assert "{auto,cpu,cuda}" in text and "{abstractive,extractive}" in text
    assert "default 50051" in text and "default 200000" in text


def _help(argv: list[str]) -> str:
    out = io.StringIO()
    with pytest.raises(SystemExit), contextlib.redirect_stdout(out):
        cli.build_parser().parse_args([*argv, "--help"])
    return " ".join(out.getvalue().split())


def test_summarize_and_summarize_many_share_their_summary_flags(tmp_path: Path) -> None:
    parser = cli.build_parser()
    args = parser.parse_args(["summarize-many", "in", "--out", "o", "--to", "fr, uk", "--to", "ru"])
    assert args.targets == ["fr", "uk", "ru"] and args.length is None
    args = parser.parse_args(
        ["summarize-many", "in", "--out", "o", "--to", "fr", "--length", "long"]
    )
    assert args.length == "long"
    choices = "{" + ",".join(LENGTH_NAMES) + "}"
    for command in ("summarize", "summarize-many"):
        assert f"--length {choices}" in _help([command]), command
        assert "summary length [default: medium]" in _help([command]), command
    assert "(e.g. fr,uk,ru) [default: the source]" in _help(["summarize"])
    assert "(e.g. fr,uk,ru) --length" in _help(["summarize-many"])  # required: no default


@pytest.mark.parametrize(
    "argv",
    [
        ["summarize-many", "in", "--out", "o"],  # --to is required there
        ["summarize-many", "in", "--out", "o", "--to", "fr", "--length", "huge"],
        ["summarize-many", "in", "--out", "o", "--to", ","],
    ],
)
def test_summarize_many_rejects_bad_arguments(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        cli.build_parser().parse_args(argv)
    assert caught.value.code == 2


def test_the_documented_article_limit_is_the_settings_default() -> None:
    assert cli.DOCUMENTED_ARTICLE_LIMIT == Settings().max_article_chars == 200_000


def _unavailable(details: str, *, answered: bool) -> Unavailable:
    return Unavailable(grpc.StatusCode.UNAVAILABLE, details, answered=answered)


@pytest.mark.parametrize(
    "error",
    [
        # A server that answered, whatever its words: loading, draining, a proxy's own message.
        _unavailable("models are still loading; retry shortly", answered=True),
        _unavailable("the server is shutting down", answered=True),
        _unavailable("failed to connect to all addresses", answered=True),
        # Other codes never mean "unreachable".
        InvalidArgument(grpc.StatusCode.INVALID_ARGUMENT, "failed to connect"),
        PrecisError(grpc.StatusCode.DEADLINE_EXCEEDED, "Deadline Exceeded"),
    ],
    ids=["loading", "draining", "answered-anyway", "invalid", "deadline"],
)
def test_a_status_from_a_server_is_not_unreachable(error: PrecisError) -> None:
    assert cli._unreachable(error, TARGET) is None


@pytest.mark.parametrize(
    ("details", "fix"),
    [
        (
            "errors resolving news.example:50051: [field:hostname lookup error]",
            "the host name does not resolve; check --server HOST:PORT (or PRECIS_SERVER)",
        ),
        (
            "DNS resolution failed for news.example:50051",
            "the host name does not resolve; check --server HOST:PORT (or PRECIS_SERVER)",
        ),
        (
            "failed to connect to all addresses; last error: UNKNOWN: Ssl handshake failed",
            "TLS did not work; check --tls, --tls-ca and that the server uses TLS",
        ),
        (
            "failed to connect to all addresses; last error: Connection refused",
            "is `precis serve` running there? Check --server HOST:PORT (or PRECIS_SERVER); "
            "if the server uses TLS, add --tls or --tls-ca FILE",
        ),
        # The words the server uses, from gRPC itself: still unreachable (no trailers).
        (
            "the server is shutting down",
            "is `precis serve` running there? Check --server HOST:PORT (or PRECIS_SERVER); "
            "if the server uses TLS, add --tls or --tls-ca FILE",
        ),
    ],
)
def test_a_transport_failure_names_the_address_and_the_fix(details: str, fix: str) -> None:
    line = cli._unreachable(_unavailable(details, answered=False), TARGET)
    assert line == f"precis: cannot reach the server at {TARGET}: {fix}"


@pytest.mark.parametrize(
    ("details", "flags", "fix"),
    [
        (
            "Tls handshake failed (TSI_PROTOCOL_FAILURE): SSL_ERROR_SSL: error:100000f7:SSL "
            "routines:OPENSSL_internal:WRONG_VERSION_NUMBER",
            {"tls": True},
            "it does not use TLS there; drop --tls and --tls-ca (or check the port)",
        ),
        (
            "Tls handshake failed (TSI_PROTOCOL_FAILURE): SSL_ERROR_SSL: error:1000007d:SSL "
            "routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED: unable to get local issuer",
            {"tls": True},
            "its TLS certificate is not trusted; give the CA that signed it with --tls-ca FILE",
        ),
        (
            "ipv4:127.0.0.1:9: connection attempt timed out before receiving SETTINGS frame",
            {},
            "something listens there but does not speak gRPC (an HTTP server, another "
            "service?); check --server HOST:PORT (or PRECIS_SERVER)",
        ),
        (
            "Failed parsing HTTP/2 (Expected SETTINGS frame as the first frame, got frame type "
            "80) (Trying to connect an http1.x server (HTTP status 400))",
            {"tls": True},
            "something listens there but does not speak gRPC (an HTTP server, another "
            "service?); check --server HOST:PORT (or PRECIS_SERVER)",
        ),
        (
            "last error: UNAVAILABLE: ipv4:127.0.0.1:9: Socket closed",
            {"tls": True},
            "it closed the connection after the TLS handshake: it may require a client "
            "certificate (mutual TLS); add --tls-cert FILE --tls-key FILE",
        ),
        (
            "last error: UNAVAILABLE: ipv4:127.0.0.1:9: Socket closed",
            {"tls": True, "client_cert": True},
            "is `precis serve` running there? Check --server HOST:PORT (or PRECIS_SERVER)",
        ),
    ],
    ids=["tls-to-plaintext", "untrusted", "silent", "http1", "mtls-no-cert", "mtls-with-cert"],
)
def test_a_tls_or_protocol_failure_names_the_fix_for_the_flags_given(
    details: str, flags: dict[str, bool], fix: str
) -> None:
    line = cli._unreachable(_unavailable(details, answered=False), TARGET, **flags)
    assert line == f"precis: cannot reach the server at {TARGET}: {fix}"


@pytest.mark.parametrize(
    ("answered", "printed"),
    [
        (True, "precis: UNAVAILABLE: models are still loading; retry shortly\n"),
        (False, f"precis: cannot reach the server at {TARGET}: is `precis serve` running there?"),
    ],
)
def test_main_prints_the_server_message_or_the_fix(
    answered: bool, printed: str, capsys, monkeypatch
) -> None:
    def run_info(args: argparse.Namespace) -> int:
        args.server_address = args.server
        raise _unavailable("models are still loading; retry shortly", answered=answered)

    monkeypatch.setattr(cli, "_run_info", run_info)
    assert cli.main(["info", "--server", TARGET]) == cli.EXIT_RPC_ERROR
    assert capsys.readouterr().err.startswith(printed)


@pytest.mark.parametrize(
    ("target", "named"),
    [
        ("localhost:8080", ("localhost", 8080)),
        ("dns:///news.example:50051", ("news.example", 50051)),
        ("127.0.0.1:8080", None),
        ("[::1]:8080", None),
        ("ipv4:127.0.0.1:8080", None),
        ("unix:/run/precis.sock", None),
    ],
)
def test_a_host_name_is_told_from_an_address(target: str, named: object) -> None:
    assert cli._host_name(target) == named


def test_a_flagged_summary_gets_one_warning_line(capsys: pytest.CaptureFixture[str]) -> None:
    flagged = pb.Summary(
        language="fr",
        number_issues=[pb.NumberIssue(kind="changed", number="100,000", found="10 000")],
        missing_names=["Doucet"],
    )
    cli._warn_checks(flagged)
    cli._warn_checks(pb.Summary(language="en"))
    assert capsys.readouterr().err.splitlines() == [
        "precis: warning: [fr] check: changed 100,000 (found 10 000); names missing: Doucet"
    ]
