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

from precis_news.client import PrecisError
from precis_news.client.corpus import done_ids
from tests.support import ServerThread, article, tiny_settings

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
    process = start([str(source), "--to", "fr", "--out", str(out), "--server", servers[0].address])
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 1, stderr
    assert stderr.splitlines()[-1] == f"6 summarized, 2 failed, 0 already in {out}"
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
    written = done_ids(out)
    assert 40 <= len(written) < COUNT
    second = start(args)
    _, stderr = second.communicate(timeout=300)
    assert second.returncode == 0, stderr
    assert stderr.splitlines()[-1] == (
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
