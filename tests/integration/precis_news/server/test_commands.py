"""`precis serve` and `precis models` as subprocesses: serve, SIGTERM drain, build, list, fetch."""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from precis_models.catalog import load_catalog
from precis_models.store import is_present
from precis_news.cli import main
from precis_news.server import app, commands
from tests.support import (
    CORPUS,
    describe,
    free_port,
    precis_command,
    precis_env,
    run_precis,
    serve_process,
)

GRACE_SECONDS = 15.0  # --grace-seconds of the drain test


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


def test_serve_and_client_commands(model_dir: Path, tmp_path: Path) -> None:
    article = CORPUS / "en.txt"
    with serve_process(model_dir, tmp_path / "serve.log", "--log-level", "DEBUG") as served:
        served.wait_serving()
        env, server = served.env, ["--server", served.address]

        result = run_precis(["summarize", str(article), "--to", "fr,uk", *server, "--json"], env)
        assert result.returncode == 0, describe(result)
        response = json.loads(result.stdout)
        assert [s["language"] for s in response["summaries"]] == ["fr", "uk"]
        assert all(s["text"].strip() for s in response["summaries"]), response
        assert response["detected_language"] == "en"

        result = run_precis(
            ["translate", "--text", "Hello world.", "--to", "ru", *server, "--json"], env
        )
        assert result.returncode == 0, describe(result)
        translations = json.loads(result.stdout)["translations"]
        assert len(translations) == 1 and translations[0]["text"].strip(), result.stdout

        result = run_precis(["info", *server, "--json"], env)
        assert result.returncode == 0, describe(result)
        info = json.loads(result.stdout)
        assert info["profile"] == "tiny"
        assert len(info["models"]) == 5

        # The CTranslate2 server tokenizes with models/engines/codec.py: torch never loads.
        maps = Path(f"/proc/{served.process.pid}/maps").read_text()
        assert "libtorch" not in maps and "libctranslate2" in maps

        result = run_precis(["summarize", "--text", " ", *server], env)
        assert result.returncode == 2, describe(result)

        served.process.send_signal(signal.SIGTERM)  # idle: stops at once
        assert served.process.wait(timeout=30) == 0, served.output()
        _assert_every_call_line_has_its_request_id(served.output())


def _assert_every_call_line_has_its_request_id(log: str) -> None:
    """`precis serve` logs `[request id]` on every line: the call's id inside it, - outside."""
    lines = [line for line in log.splitlines() if " precis_news." in line]
    assert all(re.search(r" precis_news\.\S+ \[(-|[0-9a-f]{32})\] ", line) for line in lines), log
    assert re.search(r" \[-\] listening on 127\.0\.0\.1:", log), log  # outside any call
    ids = {}
    for method in ("Summarize OK", "Translate OK", "GetInfo OK", "Summarize INVALID_ARGUMENT"):
        match = re.search(rf" precis_news\.server\.calls \[([0-9a-f]{{32}})\] {method} in ", log)
        assert match, f"no {method!r} line with a request id:\n{log}"
        ids[method] = match[1]
    assert len(set(ids.values())) == len(ids)  # one id per call
    failed = ids["Summarize INVALID_ARGUMENT"]  # the failed call's lines share its id
    assert f"[{failed}] Summarize -> INVALID_ARGUMENT: text is empty" in log, log


def test_sigterm_drains_in_flight_call(model_dir: Path, tmp_path: Path) -> None:
    """SIGTERM mid-request: the call completes, new calls are refused, the exit status is 0."""
    long_article = tmp_path / "long.txt"
    long_article.write_text("\n\n".join([(CORPUS / "en.txt").read_text("utf-8")] * 6), "utf-8")
    metrics_port = free_port()
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
    with serve_process(model_dir, tmp_path / "serve.log", *flags) as served:
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
        assert health.returncode != 0, f"still SERVING after SIGTERM: {describe(health)}"
        assert health.stdout.strip() == "NOT_SERVING" or health.returncode == 2, describe(health)

        worker.join(timeout=120)
        assert not worker.is_alive(), "the in-flight call did not return"
        result = call["result"]
        assert isinstance(result, subprocess.CompletedProcess)
        assert result.returncode == 0, f"{describe(result)}\nserver log:\n{served.output()}"
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


def test_serve_default_profile_without_models_fails_fast(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    started = time.monotonic()
    result = run_precis(
        ["serve", "--host", "127.0.0.1", "--port", str(free_port())], precis_env(empty), timeout=60
    )
    assert result.returncode != 0, describe(result)
    assert time.monotonic() - started < 30
    assert "precis models fetch" in result.stderr, describe(result)
    assert "--profile tiny" in result.stderr, describe(result)


def test_models_build_tiny_then_list(tmp_path: Path) -> None:
    store = tmp_path / "store"
    env = precis_env(tmp_path / "unused")  # --model-dir must win over PRECIS_MODEL_DIR

    first = run_precis(["models", "build-tiny", "--model-dir", str(store)], env, timeout=120)
    assert first.returncode == 0, describe(first)
    assert re.search(r"built 5 model\(s\)", first.stdout), describe(first)
    assert first.stderr == "", describe(first)  # piped: no progress bars, no log lines

    second = run_precis(["models", "build-tiny", "--model-dir", str(store)], env, timeout=60)
    assert second.returncode == 0, describe(second)
    assert re.search(r"built 0 model\(s\)", second.stdout), describe(second)
    assert not (tmp_path / "unused").exists()

    listing = run_precis(["models", "list", "--model-dir", str(store)], env)
    assert listing.returncode == 0, describe(listing)
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
        ["models", "fetch", "--model-dir", str(tmp_path / "store")],
        precis_env(tmp_path),
        timeout=60,
    )
    assert result.returncode == 2, describe(result)
    assert "--profile tiny" in result.stderr, describe(result)


def test_models_fetch_builds_a_built_profile(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """What the compose `models` service and the Kubernetes init container run for `tiny`."""
    store = tmp_path / "models"
    assert main(["models", "fetch", "--profile", "tiny", "--model-dir", str(store)]) == 0
    tiny = load_catalog().profile("tiny")
    assert all(is_present(s, store, backend="ctranslate2") for s in tiny.models)
    assert capsys.readouterr().out.splitlines()[-1] == (
        f"profile 'tiny': built {len(tiny.models)} model(s) in {store}"
    )
    assert main(["models", "fetch", "--profile", "tiny", "--model-dir", str(store)]) == 0
    assert (
        capsys.readouterr().out.splitlines()[-1] == f"profile 'tiny': built 0 model(s) in {store}"
    )


def test_serve_on_a_port_in_use_says_so_in_one_line(model_dir: Path) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = run_precis(
            ["serve", "--profile", "tiny", "--host", "127.0.0.1", "--port", str(port)],
            precis_env(model_dir),
        )
    assert result.returncode == 2, describe(result)
    assert result.stderr == (
        f"precis: cannot listen on 127.0.0.1:{port}: port {port} is in use; stop the other server "
        "or pick a free port with --port N (--port 0 picks one)\n"
    ), describe(result)


def _work_folders(store: Path) -> list[Path]:
    """What a build in progress (or a killed one) leaves beside the models."""
    return sorted(store.glob("*/.*.partial"))


def _build_tiny(store: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*precis_command(), "models", "build-tiny", "--model-dir", str(store)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for_work(store: Path, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 120
    while not _work_folders(store):
        assert process.poll() is None and time.monotonic() < deadline, process.communicate()
        time.sleep(0.02)


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGKILL])
def test_a_build_stopped_mid_model_leaves_nothing_a_rerun_keeps(
    tmp_path: Path, stop: signal.Signals
) -> None:
    """SIGTERM: the build removes its own work folder; SIGKILL leaves it, the rerun removes
    it (under the model's lock) and builds what is missing."""
    store, env = tmp_path / "store", precis_env(tmp_path / "unused")
    first = _build_tiny(store, env)
    _wait_for_work(store, first)
    first.send_signal(stop)
    first.communicate(timeout=60)
    assert first.returncode == (-signal.SIGKILL if stop == signal.SIGKILL else 128 + stop)
    assert bool(_work_folders(store)) == (stop == signal.SIGKILL)
    rerun = run_precis(["models", "build-tiny", "--model-dir", str(store)], env, timeout=180)
    assert rerun.returncode == 0, describe(rerun)
    assert _work_folders(store) == []
    profile = load_catalog().profile("tiny")
    assert all(is_present(spec, store, backend="ctranslate2") for spec in profile.models)


def test_two_builds_into_one_folder_build_each_model_once(tmp_path: Path) -> None:
    store, env = tmp_path / "store", precis_env(tmp_path / "unused")
    builds = [_build_tiny(store, env) for _ in range(2)]
    outputs = [b.communicate(timeout=300) for b in builds]
    assert [b.returncode for b in builds] == [0, 0], outputs
    counts = [int(re.search(r"built (\d) model", out).group(1)) for out, _ in outputs]  # type: ignore[union-attr]
    assert sum(counts) == len(load_catalog().profile("tiny").models), outputs
    assert _work_folders(store) == []


def test_a_server_stopped_while_it_builds_leaves_nothing_its_restart_keeps(
    tmp_path: Path,
) -> None:
    store = tmp_path / "store"
    with serve_process(store, tmp_path / "first.log") as first:
        deadline = time.monotonic() + 120
        while not _work_folders(store):
            assert first.process.poll() is None, first.output()
            assert time.monotonic() < deadline, first.output()
            time.sleep(0.02)
        first.process.send_signal(signal.SIGTERM)
        assert first.process.wait(60) == 0, first.output()
    with serve_process(store, tmp_path / "second.log") as second:
        second.wait_serving()
        assert _work_folders(store) == []
        second.process.send_signal(signal.SIGTERM)
        assert second.process.wait(60) == 0, second.output()
    assert "Traceback" not in second.output()


def test_serve_with_an_unknown_profile_says_so_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setattr(commands, "_logging", lambda level="INFO": None)  # keep pytest's handlers
    monkeypatch.setenv("PRECIS_PROFILE", "nope")  # flags are checked by argparse; env is not
    assert main(["serve", "--model-dir", str(tmp_path)]) == commands.EXIT_FAILED
    assert capsys.readouterr().err.startswith("precis: unknown profile 'nope'; known profiles: ")


def test_serve_keeps_the_traceback_of_a_key_error_from_elsewhere(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
) -> None:
    async def run(settings: Any) -> None:
        raise KeyError("token '<x>' is not in the vocabulary")  # a bug, not the user's mistake

    monkeypatch.setattr(commands, "_logging", lambda level="INFO": None)
    monkeypatch.setattr(app, "run", run)
    assert main(["serve", "--profile", "tiny", "--model-dir", str(tmp_path)]) == 1
    assert "precis:" not in capsys.readouterr().err
    (failed,) = [r for r in caplog.records if r.getMessage() == "the server failed"]
    assert failed.exc_info is not None and failed.exc_info[0] is KeyError
