"""Packaging: one distribution, two packages named after their folders, nothing generic, an
editable install that imports the files in this clone, and extras that keep the client light."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest

import precis_models
import precis_news
from precis_models.catalog import load_catalog
from precis_news.client import PrecisClient, PrecisError
from tests.support import article, free_port, precis_env

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = {
    "precis_news": ROOT / "service" / "precis_news",
    "precis_models": ROOT / "models" / "precis_models",
}
HEAVY = ("torch", "transformers")
SERVER_MODULES = (
    "ctranslate2",
    "tokenizers",
    "sentencepiece",
    "lingua",
    "huggingface_hub",
    "prometheus_client",
    "grpc_reflection",
    "opentelemetry",
)


def _project() -> dict:
    with open(ROOT / "pyproject.toml", "rb") as handle:
        return tomllib.load(handle)


def _name(requirement: str) -> str:
    return requirement.split("[")[0].split(">")[0].split("=")[0].split("<")[0].strip()


def test_folder_path_is_import_path() -> None:
    # The editable install of `make setup` (and of `pip install -e`) imports this clone's files.
    assert Path(precis_news.__file__).resolve() == PACKAGES["precis_news"] / "__init__.py"
    assert Path(precis_models.__file__).resolve() == PACKAGES["precis_models"] / "__init__.py"
    wheel = _project()["tool"]["hatch"]["build"]["targets"]["wheel"]
    assert sorted(wheel["packages"]) == ["models/precis_models", "service/precis_news"]
    assert "sources" not in wheel and "force-include" not in wheel


def test_client_dependencies_have_nothing_of_the_server() -> None:
    project = _project()["project"]
    base = {_name(d) for d in project["dependencies"]}
    assert not base & {*HEAVY, "ctranslate2", "tokenizers", "sentencepiece", "huggingface-hub"}
    server = {_name(d) for d in project["optional-dependencies"]["server"]}
    assert "ctranslate2" in server and not server & set(HEAVY)
    assert {_name(d) for d in project["optional-dependencies"]["torch"]} >= set(HEAVY)


def _install(tmp_path: Path) -> set[str]:
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
         "--target", str(target), str(ROOT)],
        check=True, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    return {p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()}


def test_wheel_holds_every_module_under_its_own_name_and_nothing_generic(tmp_path: Path) -> None:
    files = _install(tmp_path)
    top = {f.split("/")[0] for f in files if not f.endswith(".pyc")}
    assert {t for t in top if not t.endswith(".dist-info") and t != "bin"} == set(PACKAGES)
    for package, folder in PACKAGES.items():
        on_disk = {
            f"{package}/{p.relative_to(folder).as_posix()}"
            for p in folder.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts
        }
        assert on_disk <= files, sorted(on_disk - files)[:5]
    assert "precis_models/catalog.toml" in files


def _python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )


def test_client_imports_nothing_of_the_server() -> None:
    # (grpc itself imports grpc_reflection when it is installed, whoever asks for grpc.)
    shown = tuple(m for m in (*SERVER_MODULES, *HEAVY) if m != "grpc_reflection")
    probe = (
        "import sys, precis_news, precis_news.client, precis_news.cli;"
        "from precis_news import PrecisClient;"
        "precis_news.cli.build_parser().parse_args(['summarize', '-', '--to', 'fr']);"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {(*shown, 'precis_models')!r}))"
    )
    result = _python(probe)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_server_command_without_the_server_extra_names_it() -> None:
    # A client-only install: the server extra's modules cannot be imported.
    blocked = ",".join(repr(m) for m in SERVER_MODULES)
    result = _python(
        f"import sys; sys.modules.update(dict.fromkeys([{blocked}]));"
        "from precis_news.cli import main; sys.exit(main(['serve', '--profile', 'tiny']))"
    )
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "pip install 'precis-news[server]'" in lines[0]


# -- a server-only install: the [server] extra without torch and transformers ---------------------

_SERVER_ONLY = f"import sys; sys.modules.update(dict.fromkeys({HEAVY!r}));"


def _server_only(*args: str, model_dir: Path) -> subprocess.Popen[str]:
    """`precis ARGS` where torch and transformers cannot be imported (as in a [server] venv)."""
    code = _SERVER_ONLY + "from precis_news.cli import main; sys.exit(main(sys.argv[1:]))"
    env = {**precis_env(model_dir), "PYTHONPATH": os.pathsep.join(map(str, PACKAGES_ROOTS))}
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


PACKAGES_ROOTS = tuple(path.parent for path in PACKAGES.values())


@pytest.mark.parametrize("flags", [(), ("--summarizer", "extractive")])
def test_a_server_only_install_names_the_extra_to_build_the_tiny_models(
    tmp_path: Path, flags: tuple[str, ...]
) -> None:
    process = _server_only(
        "serve", "--profile", "tiny", "--port", str(free_port()), *flags, model_dir=tmp_path
    )
    stdout, stderr = process.communicate(timeout=60)
    assert (process.returncode, stdout) == (2, ""), stderr
    [line] = stderr.splitlines()  # one line: no traceback, no "Event loop is closed"
    assert line.startswith(f"precis: profile 'tiny' needs models built in {tmp_path} (")
    assert "needs torch and transformers" in line
    assert "pip install 'precis-news[torch]'" in line
    assert "precis models build-tiny" in line
    # The extractive summarizer replaces the summarizer model: only translators are listed.
    assert ("tiny-bart" in line) == (not flags)
    assert not list(tmp_path.iterdir())  # nothing started, nothing left behind


@pytest.mark.parametrize("summarizer", ["abstractive", "extractive"])
def test_a_server_only_install_serves_the_tiny_profile_once_built(
    model_dir: Path, tmp_path: Path, summarizer: str
) -> None:
    """The models built elsewhere (with torch), copied in: served without torch or
    transformers; the extractive summarizer needs no summarizer model at all."""
    models = tmp_path / "models"
    shutil.copytree(model_dir, models)
    catalog = load_catalog().profile("tiny")
    if summarizer == "extractive":
        shutil.rmtree(catalog.summarizer.directory(models))
    port = free_port()
    process = _server_only(
        "serve", "--profile", "tiny", "--host", "127.0.0.1", "--port", str(port),
        "--threads", "1", "--summarizer", summarizer, model_dir=models,
    )  # fmt: skip
    try:
        with PrecisClient(target=f"127.0.0.1:{port}", timeout=60) as client:
            deadline = time.monotonic() + 60
            while not _serving(client) and time.monotonic() < deadline:
                assert process.poll() is None, process.communicate()[1]
                time.sleep(0.2)
            response = client.summarize(article("en"), targets="fr,uk")
        assert [s.language for s in response.summaries] == ["fr", "uk"]
        assert not catalog.summarizer.directory(models).exists() or summarizer == "abstractive"
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=60)
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr


def _serving(client: PrecisClient) -> bool:
    try:
        return client.health(timeout=1) == "SERVING"
    except PrecisError:  # not listening yet
        return False
