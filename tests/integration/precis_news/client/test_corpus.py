"""`precis summarize-many` end to end: real tiny servers, a real `precis` process, real files."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from precis_news._proto import precis_pb2 as pb
from precis_news.client import PrecisError
from precis_news.client.corpus import load_output, summarize_corpus
from tests.support import (
    ServerThread,
    StandIn,
    article,
    free_port,
    start_stand_in,
    tiny_settings,
)

LANGUAGES = ("en", "fr", "uk", "ru")
COUNT = 300
COMMAND = (sys.executable, "-m", "precis_news.cli", "summarize-many")


def _paragraphs() -> list[tuple[str, str]]:
    return [
        (language, paragraph.strip())
        for language in LANGUAGES
        for paragraph in article(language).split("\n\n")
        if len(paragraph.strip()) > 80
    ]


def write_corpus(path: Path, count: int) -> list[str]:
    """`count` short articles in four languages as JSONL; returns their ids."""
    paragraphs = _paragraphs()
    ids = []
    with path.open("w", encoding="utf-8") as out:
        for number in range(count):
            language, text = paragraphs[number % len(paragraphs)]
            identifier = f"{language}-{number:04d}"
            ids.append(identifier)
            out.write(json.dumps({"id": identifier, "text": text, "title": f"#{number}"}) + "\n")
    return ids


def start(args: list[str], **kwargs: object) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRECIS_")}
    return subprocess.Popen(
        [*COMMAND, *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,  # type: ignore[call-overload]
    )


def last_line(args: list[str], status: int, timeout: float = 120) -> str:
    """Run summarize-many to its end; its exit status must be `status`; its last stderr line."""
    process = start(args)
    _, stderr = process.communicate(timeout=timeout)
    assert process.returncode == status, stderr
    assert "Traceback" not in stderr
    return stderr.splitlines()[-1]


def results(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def wait_for_lines(path: Path, count: int, process: subprocess.Popen[str]) -> None:
    """Until `path` holds `count` lines (bounded: 120 s; the process must still run)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if path.exists() and path.read_bytes().count(b"\n") >= count:
            return
        time.sleep(0.05)
    raise AssertionError(f"{path} never reached {count} lines (exit {process.poll()})")


@pytest.fixture(scope="module")
def servers(model_dir: Path) -> Iterator[list[ServerThread]]:
    running = [ServerThread(tiny_settings(model_dir, threads=1)).load() for _ in range(3)]
    yield running
    for server in running:
        if server.thread.is_alive():
            server.close()


def test_a_failing_article_is_recorded_and_the_run_goes_on(
    servers: list[ServerThread], tmp_path: Path
) -> None:
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    ids = write_corpus(source, 6)
    with source.open("a") as extra:
        extra.write(json.dumps({"id": "empty", "text": ""}) + "\n")
        extra.write(json.dumps({"id": "invisible", "text": "\u200b\u200b \u2060"}) + "\n")
    assert last_line(
        [str(source), "--to", "fr", "--out", str(out), "--server", servers[0].address], 1
    ) == (
        f"6 summarized, 2 failed, 0 already in {out}; failed: empty, invisible; "
        "rerun the same command to retry them"
    )
    by_id = {r["id"]: r for r in results(out)}
    assert sorted(by_id) == sorted([*ids, "empty", "invisible"])
    with servers[0].client() as client:
        for identifier, text in (("empty", ""), ("invisible", "\u200b\u200b \u2060")):
            with pytest.raises(PrecisError) as info:
                client.summarize(text, targets="fr")
            assert by_id[identifier]["error"] == {
                "code": info.value.code.name,
                "message": info.value.details,
            }
    for identifier in ids:
        summaries = by_id[identifier]["summaries"]
        assert isinstance(summaries, list) and [s["language"] for s in summaries] == ["fr"]


def test_interrupted_run_resumes_without_loss_or_duplicates(
    servers: list[ServerThread], tmp_path: Path
) -> None:
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    ids = write_corpus(source, COUNT)
    args = [str(source), "--to", "fr,uk,ru", "--out", str(out), "-j", "4"]
    args += ["--server", servers[1].address]
    first = start(args)
    wait_for_lines(out, 40, first)
    first.send_signal(signal.SIGKILL)  # the harshest interruption: no chance to tidy up
    first.wait(30)
    with out.open("a") as cut:
        cut.write('{"id": "en-0299", "summa')  # as if killed in the middle of a write
    written = load_output(out).done
    assert 40 <= len(written) < COUNT
    assert last_line(args, 0, timeout=300) == (
        f"{COUNT - len(written)} summarized, 0 failed, {len(written)} already in {out}"
    )
    lines = results(out)
    assert sorted(Counter(r["id"] for r in lines).items()) == [(i, 1) for i in sorted(ids)]
    assert all([s["language"] for s in r["summaries"]] == ["fr", "uk", "ru"] for r in lines)  # type: ignore[attr-defined]


def test_three_servers_one_killed_mid_run_loses_nothing(
    servers: list[ServerThread], tmp_path: Path
) -> None:
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    ids = write_corpus(source, COUNT)
    args = [str(source), "--to", "fr", "--out", str(out), "-j", "6", "--timeout", "10"]
    for server in servers:
        args += ["--server", server.address]
    process = start(args)
    wait_for_lines(out, 60, process)
    servers[2].close()  # a replica goes away with calls in flight
    _, stderr = process.communicate(timeout=300)
    assert process.returncode == 0, stderr
    assert stderr.splitlines()[-1] == f"{COUNT} summarized, 0 failed, 0 already in {out}"
    lines = results(out)
    assert sorted(r["id"] for r in lines) == sorted(ids)  # type: ignore[type-var]
    assert not [r for r in lines if "error" in r]


def test_progress_is_quiet_when_piped(servers: list[ServerThread], tmp_path: Path) -> None:
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_corpus(source, 3)
    process = start([str(source), "--to", "en", "--out", str(out), "--server", servers[0].address])
    stdout, stderr = process.communicate(timeout=120)
    assert (process.returncode, stdout) == (0, "")
    assert stderr == f"3 summarized, 0 failed, 0 already in {out}\n"


def test_progress_bar_on_a_terminal(servers: list[ServerThread], tmp_path: Path) -> None:
    """stderr on a pseudo-terminal: the bar shows count, rate and ETA."""
    import fcntl
    import pty
    import struct
    import termios

    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_corpus(source, 3)
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRECIS_")}
    process = subprocess.Popen(
        [*COMMAND, str(source), "--to", "en", "--out", str(out), "--server", servers[0].address],
        env=env,
        stderr=follower,
        stdout=subprocess.DEVNULL,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # EIO: the process closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert process.wait(60) == 0
    screen = b"".join(chunks).decode()
    assert "3/3" in screen and "article/s" in screen and "<00:00" in screen


def test_lone_surrogates_and_bad_lines_are_records_and_the_run_goes_on(
    servers: list[ServerThread], tmp_path: Path
) -> None:
    """Valid JSON that protobuf cannot encode, and lines that are not articles: one error
    record each, the articles after them done, and a rerun that does not crash either."""
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    ids = write_corpus(source, 3)
    with source.open("ab") as extra:
        extra.write(b'{"id": "\\ud800", "text": "A lone surrogate in the id is kept."}\n')
        extra.write(b'{"id": "bad-text", "text": "Broken \\udfff text."}\n')
        extra.write(b"{not json\n")
        extra.write(b'{"id": "bytes", "text": "\xff\xfe"}\n')
        extra.write(json.dumps({"id": "last", "text": article("en")[:400]}).encode() + b"\n")
    args = [str(source), "--to", "fr", "--out", str(out), "--server", servers[0].address]
    for summarized, kept in ((5, 0), (0, 5)):  # a rerun retries the failures: same errors
        assert last_line(args, 1) == (
            f"{summarized} summarized, 3 failed, {kept} already in {out}; failed: bad-text, "
            "in.jsonl:6, in.jsonl:7; rerun the same command to retry them"
        )
    by_id = {r["id"]: r for r in results(out)}
    assert sorted(by_id) == sorted([*ids, "\ud800", "bad-text", "in.jsonl:6", "in.jsonl:7", "last"])
    assert by_id["bad-text"]["error"] == {
        "code": "INVALID_ARGUMENT",
        "message": "text is not valid Unicode: a lone surrogate (U+DFFF) at character 7; "
        "send UTF-8 text",
    }
    assert by_id["in.jsonl:6"]["error"]["code"] == "INVALID_INPUT"  # type: ignore[index]
    assert by_id["in.jsonl:7"]["error"] == {  # type: ignore[index]
        "code": "INVALID_INPUT",
        "message": "in.jsonl:7: not UTF-8 (invalid start byte at byte 25)",
    }
    assert "summaries" in by_id["\ud800"] and "summaries" in by_id["last"]
    assert len(results(out)) == len(by_id)  # the retried errors replaced, not repeated


def test_a_rerun_retries_what_failed_against_a_mistyped_server(
    servers: list[ServerThread], tmp_path: Path
) -> None:
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    ids = write_corpus(source, 20)
    args = [str(source), "--to", "fr", "--out", str(out), "--timeout", "5"]
    assert last_line([*args, "--server", f"127.0.0.1:{free_port()}"], 1) == (
        f"0 summarized, 20 failed, 0 already in {out}; failed: {', '.join(ids[:5])} and 15 "
        "more; rerun the same command to retry them"
    )
    assert {r["error"]["code"] for r in results(out)} == {"UNAVAILABLE"}  # type: ignore[index]
    # --no-retry: the failures remain, and the exit status says so.
    assert last_line([*args, "--no-retry", "--server", servers[0].address], 1).startswith(
        f"0 summarized, 0 failed, 20 already in {out}; 20 of those are errors ("
    )
    assert (
        last_line([*args, "--server", servers[0].address], 0)
        == f"20 summarized, 0 failed, 0 already in {out}"
    )
    lines = results(out)
    assert sorted(r["id"] for r in lines) == sorted(ids)  # type: ignore[type-var]
    assert not [r for r in lines if "error" in r]


def test_a_folder_at_any_depth_and_an_empty_one(
    servers: list[ServerThread], tmp_path: Path
) -> None:
    folder, out = tmp_path / "articles", tmp_path / "out.jsonl"
    (folder / "2024").mkdir(parents=True)
    (folder / "a.TXT").write_text(article("en")[:500], encoding="utf-8")
    (folder / "2024" / "b.md").write_text(article("fr")[:500], encoding="utf-8")
    (folder / "2024" / "c.html").write_text(
        f"<html><body><p>{article('uk')[:500]}</p></body></html>", encoding="utf-8"
    )
    last_line([str(folder), "--to", "en", "--out", str(out), "--server", servers[0].address], 0)
    assert sorted(r["id"] for r in results(out)) == ["2024/b", "2024/c", "a"]  # type: ignore[type-var]
    by_id = {r["id"]: r for r in results(out)}
    assert by_id["2024/c"]["metadata"]["html_extracted"] is True  # sent as html, extracted there
    assert not by_id["a"]["metadata"].get("html_extracted")
    (tmp_path / "empty" / "sub").mkdir(parents=True)
    (tmp_path / "empty" / "notes.pdf").write_bytes(b"%PDF")
    process = start([str(tmp_path / "empty"), "--to", "en", "--out", str(out)])
    _, stderr = process.communicate(timeout=60)
    assert (process.returncode, stderr) == (
        2,
        f"precis: {tmp_path / 'empty'}: no .txt, .md, .html, .htm files in it or below it\n",
    )


def test_the_python_api_runs_a_corpus(servers: list[ServerThread], tmp_path: Path) -> None:
    import precis_news

    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    ids = write_corpus(source, 4)
    seen: list[tuple[int, int]] = []
    result = precis_news.summarize_corpus(
        source, out, targets="fr,uk", servers=servers[0].address, progress=lambda *n: seen.append(n)
    )
    assert (result.ok, result.summarized, result.failed, result.kept) == (True, 4, (), 0)
    assert seen == [(0, 4), (1, 4), (2, 4), (3, 4), (4, 4)]
    lines = results(out)
    assert sorted(r["id"] for r in lines) == sorted(ids)  # type: ignore[type-var]
    assert all([s["language"] for s in r["summaries"]] == ["fr", "uk"] for r in lines)  # type: ignore[attr-defined]
    again = precis_news.summarize_corpus(source, out, targets="fr", servers=[servers[0].address])
    assert (again.summarized, again.kept) == (0, 4)


def test_a_corpus_run_is_sent_as_batch_priority(tmp_path: Path) -> None:
    stand_in = StandIn()
    server, port = start_stand_in(stand_in)
    source = tmp_path / "in"
    source.mkdir()
    for name in ("one", "two"):
        (source / f"{name}.txt").write_text(f"The {name} article.", encoding="utf-8")
    try:
        result = summarize_corpus(
            source, tmp_path / "out.jsonl", targets="fr", servers=f"127.0.0.1:{port}"
        )
    finally:
        server.stop(0)
    assert result.summarized == 2
    assert [r.priority for r in stand_in.requests] == [pb.PRIORITY_BATCH] * 2
