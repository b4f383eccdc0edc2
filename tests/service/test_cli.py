"""The client `precis` commands: parsing, output, errors (a stand-in servicer plays the server)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from precis_news import cli
from tests.conftest import (
    ROOT,
)

UNREACHABLE = "127.0.0.1:1"


def test_cli_parses_target_languages() -> None:
    parser = cli.build_parser()
    args = parser.parse_args(["summarize", "a.txt", "--to", "fr,uk"])
    assert args.targets == ["fr", "uk"]
    assert args.func is cli._run_summarize
    args = parser.parse_args(["summarize", "-", "--to", "FR", "--to", " uk, ru ", "--from", "en"])
    assert args.targets == ["fr", "uk", "ru"] and args.source_language == "en"
    args = parser.parse_args(["summarize", "-"])
    assert args.targets is None and args.length is None and args.source_language is None
    args = parser.parse_args(["translate", "a", "b", "--to", "uk"])
    assert args.texts == ["a", "b"] and args.target == "uk"


@pytest.mark.parametrize(
    "argv",
    [
        ["translate", "a", "--to", "fr,uk"],
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


@pytest.mark.parametrize(
    "argv",
    [
        ["health"],
        ["info"],
        ["detect", "bonjour"],
        ["translate", "hello", "--to", "fr"],
    ],
)
def test_cli_against_unreachable_server(argv: list[str], capsys) -> None:
    assert cli.main([*argv, "--server", UNREACHABLE, "--timeout", "0.5"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(("precis: UNAVAILABLE: ", "precis: DEADLINE_EXCEEDED: "))
    assert "Traceback" not in err


def test_cli_summarize_unreachable_in_subprocess(tmp_path: Path) -> None:
    article = tmp_path / "article.txt"
    article.write_text("Some news.", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "precis_news.cli", "summarize", str(article), "--to", "fr,uk",
         "--server", UNREACHABLE, "--timeout", "0.5"],
        cwd=ROOT, capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.startswith(("precis: UNAVAILABLE: ", "precis: DEADLINE_EXCEEDED: "))


def test_cli_missing_file(capsys) -> None:
    assert cli.main(["summarize", "/no/such/article.txt"]) == 2
    assert capsys.readouterr().err.startswith("precis: cannot read /no/such/article.txt")


def test_cli_prints_summaries_and_warns_on_truncation(stand_in, capsys, monkeypatch) -> None:
    target, _ = stand_in
    monkeypatch.setattr("sys.stdin", io.StringIO("an article"))
    assert cli.main(["summarize", "-", "--to", "en,fr", "--server", target]) == 0
    out, err = capsys.readouterr()
    assert out == "[en] (summarized by distilbart)\nShort.\n\n" \
        "[fr] (translated from en by opus-en-fr)\nCourt.\n"  # fmt: skip
    assert "truncated: 42 characters" in err


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
