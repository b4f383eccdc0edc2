"""The container health probe follows the configured port and TLS, like the server."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from precis_news.server.healthcheck import main
from tests.support import ServerThread, tiny_settings


def test_probe_uses_the_configured_port(
    model_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    running = ServerThread(tiny_settings(model_dir)).load()
    try:
        assert main(env={"PRECIS_PORT": str(running.port)}) == 0
        assert capsys.readouterr().out == "SERVING\n"
    finally:
        running.close()
    assert main(env={"PRECIS_PORT": str(running.port)}) == 1
    assert capsys.readouterr().err.startswith("unhealthy: UNAVAILABLE: ")


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_probe_speaks_tls_when_the_server_does(
    model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cert, key = tmp_path / "server.pem", tmp_path / "server.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    running = ServerThread(tiny_settings(model_dir, tls_cert=cert, tls_key=key)).load()
    env = {"PRECIS_PORT": str(running.port), "PRECIS_TLS_CERT": str(cert)}
    try:
        assert main(env={**env, "PRECIS_TLS_KEY": str(key)}) == 0
        assert capsys.readouterr().out == "SERVING\n"
        assert main(env={"PRECIS_PORT": str(running.port)}) == 1  # plaintext to a TLS port
        assert capsys.readouterr().err.startswith("unhealthy: UNAVAILABLE: ")
    finally:
        running.close()
