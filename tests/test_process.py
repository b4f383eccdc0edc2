"""The real `precis` executable as a subprocess: serve, client commands, SIGTERM drain, models.

Every subprocess runs with HF_HUB_OFFLINE=1 and no other PRECIS_* variable than the model
directory, on a free port, with a timeout on every wait; servers are killed in `finally`.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "models" / "corpus"
SERVING_TIMEOUT = 60.0  # seconds from `precis serve` to SERVING
GRACE_SECONDS = 15.0  # --grace-seconds of the drain test


def _precis() -> list[str]:
    """The installed `precis` console script next to this interpreter, else `python -m`."""
    script = Path(sys.executable).with_name("precis")
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [sys.executable, "-m", "precis_news.cli"]


def _env(model_dir: Path) -> dict[str, str]:
    """This environment without PRECIS_* settings, offline, with `model_dir` as the store."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRECIS_")}
    env.update(
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_VERBOSITY="error",
        PYTHONUNBUFFERED="1",
        PRECIS_MODEL_DIR=str(model_dir),
    )
    return env


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_precis(
    args: Sequence[str], env: dict[str, str], timeout: float = 60.0
) -> subprocess.CompletedProcess[str]:
    """Run `precis ARGS` to completion (killed after `timeout` seconds: the test fails)."""
    return subprocess.run(
        [*_precis(), *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _describe(result: subprocess.CompletedProcess[str]) -> str:
    return f"exit {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"


class Served:
    """A `precis serve` process whose output goes to a log file (no pipe to fill up)."""

    def __init__(self, process: subprocess.Popen[bytes], log: Path, port: int, env: dict[str, str]):
        self.process = process
        self.log = log
        self.port = port
        self.env = env
        self.address = f"127.0.0.1:{port}"

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def health(self, timeout: float = 2.0) -> subprocess.CompletedProcess[str]:
        return run_precis(
            ["health", "--server", self.address, "--timeout", str(timeout)],
            self.env,
            timeout=timeout + 30,
        )

    def wait_serving(self, timeout: float = SERVING_TIMEOUT) -> None:
        """Poll `precis health` until it exits 0 (SERVING); fail if the server dies first."""
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(
                    f"`precis serve` exited with {self.process.returncode} before SERVING:\n"
                    f"{self.output()}"
                )
            last = self.health(timeout=1.0)
            if last.returncode == 0:
                assert last.stdout.strip() == "SERVING", _describe(last)
                return
            time.sleep(0.2)
        detail = _describe(last) if last else "no health check ran"
        pytest.fail(f"not SERVING after {timeout:.0f} s: {detail}\nserver log:\n{self.output()}")


@contextmanager
def serve(model_dir: Path, log: Path, *flags: str) -> Iterator[Served]:
    """`precis serve --profile tiny` on a free port, killed on the way out whatever happens."""
    env = _env(model_dir)
    port = _free_port()
    command = [
        *_precis(),
        "serve",
        "--profile",
        "tiny",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--threads",
        "2",
        *flags,
    ]
    with open(log, "wb") as sink:
        process = subprocess.Popen(
            command, env=env, cwd=REPO, stdout=sink, stderr=subprocess.STDOUT
        )
    try:
        yield Served(process, log, port, env)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)


def _queued_texts(metrics_port: int) -> float:
    """Sum of precis_queue_depth over the models (0 when /metrics cannot be read yet)."""
    url = f"http://127.0.0.1:{metrics_port}/metrics"
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            text = response.read().decode()
    except OSError:
        return 0.0
    return sum(
        float(match) for match in re.findall(r"^precis_queue_depth\{[^}]*\} (\S+)$", text, re.M)
    )


# -- serve + client commands ------------------------------------------------------------------


def test_serve_and_client_commands(model_dir: Path, tmp_path: Path) -> None:
    article = CORPUS / "en.txt"
    with serve(model_dir, tmp_path / "serve.log") as served:
        served.wait_serving()
        env, server = served.env, ["--server", served.address]

        result = run_precis(["summarize", str(article), "--to", "fr,uk", *server, "--json"], env)
        assert result.returncode == 0, _describe(result)
        response = json.loads(result.stdout)
        assert [s["language"] for s in response["summaries"]] == ["fr", "uk"]
        assert all(s["text"].strip() for s in response["summaries"]), response
        assert response["detected_language"] == "en"

        result = run_precis(["translate", "Hello world.", "--to", "ru", *server, "--json"], env)
        assert result.returncode == 0, _describe(result)
        translations = json.loads(result.stdout)["translations"]
        assert len(translations) == 1 and translations[0]["text"].strip(), result.stdout

        result = run_precis(["info", *server, "--json"], env)
        assert result.returncode == 0, _describe(result)
        info = json.loads(result.stdout)
        assert info["profile"] == "tiny"
        assert len(info["models"]) == 5

        # The CTranslate2 server tokenizes with models/engines/codec.py: torch never loads.
        maps = Path(f"/proc/{served.process.pid}/maps").read_text()
        assert "libtorch" not in maps and "libctranslate2" in maps

        served.process.send_signal(signal.SIGTERM)  # idle: stops at once
        assert served.process.wait(timeout=30) == 0, served.output()


def test_sigterm_drains_in_flight_call(model_dir: Path, tmp_path: Path) -> None:
    """SIGTERM mid-request: the call completes, new calls are refused, the exit status is 0."""
    long_article = tmp_path / "long.txt"
    long_article.write_text("\n\n".join([(CORPUS / "en.txt").read_text("utf-8")] * 6), "utf-8")
    metrics_port = _free_port()
    # Each batch waits 300 ms for company and nothing is cached, so the 18-chunk article to four
    # languages stays in the server for several batching rounds (> 1 s) on the tiny models.
    flags = [
        "--max-wait-ms",
        "300",
        "--cache-bytes",
        "0",
        "--grace-seconds",
        str(GRACE_SECONDS),
        "--metrics-port",
        str(metrics_port),
    ]
    with serve(model_dir, tmp_path / "serve.log", *flags) as served:
        served.wait_serving()
        call: dict[str, object] = {}

        def summarize() -> None:
            call["result"] = run_precis(
                [
                    "summarize",
                    str(long_article),
                    "--to",
                    "en,fr,uk,ru",
                    "--server",
                    served.address,
                    "--timeout",
                    "60",
                    "--json",
                ],
                served.env,
                timeout=90,
            )
            call["finished"] = time.monotonic()

        worker = threading.Thread(target=summarize, daemon=True)
        worker.start()
        # In flight = some of its texts are queued in a model's batcher.
        deadline = time.monotonic() + 30
        while _queued_texts(metrics_port) == 0:
            assert worker.is_alive(), f"the call ended before it was seen queued: {call}"
            assert time.monotonic() < deadline, "the call never reached a model queue"
            time.sleep(0.02)

        terminated = time.monotonic()
        served.process.send_signal(signal.SIGTERM)

        health = served.health(timeout=2.0)
        assert health.returncode != 0, f"still SERVING after SIGTERM: {_describe(health)}"
        assert health.stdout.strip() == "NOT_SERVING" or health.returncode == 2, _describe(health)

        worker.join(timeout=120)
        assert not worker.is_alive(), "the in-flight call did not return"
        result = call["result"]
        assert isinstance(result, subprocess.CompletedProcess)
        assert result.returncode == 0, f"{_describe(result)}\nserver log:\n{served.output()}"
        finished = call["finished"]
        assert isinstance(finished, float) and finished > terminated  # in flight at SIGTERM
        summaries = json.loads(result.stdout)["summaries"]
        assert [s["language"] for s in summaries] == ["en", "fr", "uk", "ru"]
        assert all(s["text"].strip() for s in summaries)

        code = served.process.wait(timeout=GRACE_SECONDS + 15)
        exited = time.monotonic() - terminated
        assert code == 0, served.output()
        assert exited < GRACE_SECONDS, f"exited {exited:.1f} s after SIGTERM"
        assert "draining" in served.output()


# -- serve without models, models build-tiny / list / fetch -----------------------------------


def test_serve_default_profile_without_models_fails_fast(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    started = time.monotonic()
    result = run_precis(
        ["serve", "--host", "127.0.0.1", "--port", str(_free_port())], _env(empty), timeout=60
    )
    assert result.returncode != 0, _describe(result)
    assert time.monotonic() - started < 30
    assert "precis models fetch" in result.stderr, _describe(result)
    assert "--profile tiny" in result.stderr, _describe(result)


def test_models_build_tiny_then_list(tmp_path: Path) -> None:
    store = tmp_path / "store"
    env = _env(tmp_path / "unused")  # --model-dir must win over PRECIS_MODEL_DIR

    first = run_precis(["models", "build-tiny", "--model-dir", str(store)], env, timeout=120)
    assert first.returncode == 0, _describe(first)
    assert re.search(r"built 5 model\(s\)", first.stdout), _describe(first)

    second = run_precis(["models", "build-tiny", "--model-dir", str(store)], env, timeout=60)
    assert second.returncode == 0, _describe(second)
    assert re.search(r"built 0 model\(s\)", second.stdout), _describe(second)
    assert not (tmp_path / "unused").exists()

    listing = run_precis(["models", "list", "--model-dir", str(store)], env)
    assert listing.returncode == 0, _describe(listing)
    tiny = _profile_lines(listing.stdout, "tiny")
    assert len(tiny) == 5, listing.stdout
    assert all(line.endswith("present @built") for line in tiny), listing.stdout


def _profile_lines(listing: str, profile: str) -> list[str]:
    """The model lines under `profile:` in `precis models list`."""
    lines: list[str] = []
    inside = False
    for line in listing.splitlines():
        if not line.startswith(" "):
            inside = line.startswith(f"{profile}:")
        elif inside and line.strip():
            lines.append(line.strip())
    return lines


def test_models_fetch_offline_points_to_tiny(tmp_path: Path) -> None:
    result = run_precis(
        ["models", "fetch", "--model-dir", str(tmp_path / "store")], _env(tmp_path), timeout=60
    )
    assert result.returncode == 2, _describe(result)
    assert "--profile tiny" in result.stderr, _describe(result)
