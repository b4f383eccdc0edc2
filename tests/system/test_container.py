"""The images built and run: tiny models prepared, served, healthy, summarized through, stopped.

Needs a Docker engine (`docker info` must work): skipped otherwise. Builds use the host network
(engines without a default bridge build that way too). Where pip's own configuration names a local
wheel folder (PIP_FIND_LINKS, e.g. a CPU torch wheel on a machine that cannot reach the PyTorch CPU
index), the test serves that folder on a loopback port to the build; PRECIS_BUILD_FIND_LINKS names
a wheel location explicitly.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from precis_news.client import PrecisClient
from tests.support import article

ROOT = Path(__file__).resolve().parents[2]
TAG = "0.2.0-test"
SERVE, MODELS = f"precis:{TAG}", f"precis-models:{TAG}"
LANGUAGES = ("en", "fr", "uk", "ru")
GRACE = 20  # PRECIS_GRACE_SECONDS given to the server; docker stop waits GRACE + 10


def _engine_problem() -> str | None:
    if shutil.which("docker") is None:
        return "no `docker` command"
    info = subprocess.run(["docker", "info"], capture_output=True, text=True, check=False)
    if info.returncode != 0:
        return f"`docker info` failed: {(info.stderr or info.stdout).strip()[:200]}"
    return None


pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        _engine_problem() is not None,
        reason=f"no container engine ({_engine_problem()}): image tests need Docker",
    ),
]


def docker(*args: str, timeout: float = 60, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        ["docker", *args], capture_output=True, text=True, timeout=timeout, check=False
    )
    if check and result.returncode != 0:
        raise AssertionError(f"docker {' '.join(args)}: {result.returncode}\n{result.stderr}")
    return result


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def find_links() -> Iterator[str | None]:
    """A wheel location for the build: explicit, or pip's local PIP_FIND_LINKS folder over HTTP."""
    explicit = os.environ.get("PRECIS_BUILD_FIND_LINKS")
    folder = os.environ.get("PIP_FIND_LINKS", "")
    if explicit or not os.path.isdir(folder):
        yield explicit
        return
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=folder)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()


@pytest.fixture(scope="module")
def images(find_links: str | None) -> None:
    """Both targets of the Dockerfile (cached layers make a rebuild take seconds)."""
    args = ["build", "--network", "host", str(ROOT)]
    if find_links:
        args += ["--build-arg", f"PIP_FIND_LINKS={find_links}"]
    docker(*args, "--target", "models", "-t", MODELS, timeout=1800)
    docker(*args, "-t", SERVE, timeout=1800)


@pytest.fixture(scope="module")
def tiny_volume(images: None) -> Iterator[str]:
    """A volume with the tiny profile, prepared the way compose and Kubernetes do it."""
    volume = f"precis-test-{uuid.uuid4().hex[:8]}"
    docker("volume", "create", volume)
    try:
        docker(
            "run", "--rm", "--network", "none", "--read-only", "--tmpfs", "/tmp",
            "-e", "HOME=/tmp", "-e", "PRECIS_PROFILE=tiny", "-v", f"{volume}:/models",
            MODELS, "models", "fetch", timeout=600,
        )  # fmt: skip
        yield volume
    finally:
        docker("volume", "rm", "-f", volume, check=False)


def test_serving_image_runs_as_10001_without_torch(images: None) -> None:
    ids = docker("run", "--rm", "--network", "none", "--entrypoint", "id", SERVE).stdout.split()
    assert ids[:2] == ["uid=10001(precis)", "gid=10001(precis)"]
    probe = "import importlib.util as u; print(u.find_spec('torch'), u.find_spec('transformers'))"
    found = docker("run", "--rm", "--network=none", "--entrypoint=python3", SERVE, "-c", probe)
    assert found.stdout.split() == ["None", "None"]


def test_tiny_profile_serves_healthy_summarizes_and_drains(tiny_volume: str) -> None:
    """On a port that is not the default: the health check must follow PRECIS_PORT."""
    network_name, name = (f"precis-test-{uuid.uuid4().hex[:8]}" for _ in range(2))
    host_port = _free_port()
    docker("network", "create", network_name)
    try:
        docker(
            "run", "-d", "--name", name, "--network", network_name, "--read-only",
            "--tmpfs", "/tmp", "-p", f"127.0.0.1:{host_port}:6000",
            "-e", "PRECIS_PROFILE=tiny", "-e", "PRECIS_PORT=6000",
            "-e", f"PRECIS_GRACE_SECONDS={GRACE}", "--health-interval", "2s",
            "-v", f"{tiny_volume}:/models:ro", SERVE,
        )  # fmt: skip
        health = _wait_healthy(name)
        assert health == "healthy", docker("logs", name, check=False).stderr[-2000:]
        with PrecisClient(target=f"127.0.0.1:{host_port}", timeout=60) as client:
            assert client.health() == "SERVING"
            response = client.summarize(article("en"), targets=list(LANGUAGES))
        assert [s.language for s in response.summaries] == list(LANGUAGES)
        assert all(s.text.strip() for s in response.summaries)
        docker("stop", "-t", str(GRACE + 10), name, timeout=GRACE + 40)
        state = docker("inspect", "-f", "{{.State.ExitCode}} {{.State.OOMKilled}}", name).stdout
        assert state.split() == ["0", "false"]  # drained and exited: not killed (137)
        assert "stopped" in docker("logs", name).stderr
    finally:
        docker("rm", "-f", name, check=False)
        docker("network", "rm", network_name, check=False)


def _wait_healthy(name: str) -> str:
    """The container's health once it is no longer "starting" (bounded: 180 s)."""
    deadline = time.monotonic() + 180
    health = "starting"
    while time.monotonic() < deadline and health == "starting":
        time.sleep(1)
        health = docker("inspect", "-f", "{{.State.Health.Status}}", name).stdout.strip()
    return health


def test_models_commands_stop_on_sigterm(images: None) -> None:
    """tini is PID 1: a long `precis models` command ends on SIGTERM instead of being killed."""
    name = f"precis-test-{uuid.uuid4().hex[:8]}"
    try:
        docker(
            "run", "-d", "--name", name, "--network", "none", MODELS,
            "models", "build-tiny", "--size", "real",
        )  # fmt: skip
        time.sleep(3)  # let Python start and import torch
        docker("stop", "-t", "20", name, timeout=60)
        code = docker("inspect", "-f", "{{.State.ExitCode}}", name).stdout.strip()
        assert code == "143"  # 128 + SIGTERM: the signal reached precis (137 would be SIGKILL)
    finally:
        docker("rm", "-f", name, check=False)
