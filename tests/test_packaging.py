"""Packaging: two distributions fill one import package, precis_news, and nothing generic."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SERVER = ROOT / "packaging" / "precis-news-server"


def _toml(path: Path) -> dict:
    with open(path, "rb") as handle:
        return tomllib.load(handle)


def test_service_modules_belong_to_exactly_one_distribution() -> None:
    client = _toml(ROOT / "pyproject.toml")["tool"]["hatch"]["build"]["targets"]["wheel"]
    server = _toml(SERVER / "pyproject.toml")["tool"]["hatch"]["build"]["targets"]["wheel"]
    client_files = {Path(p).name for p in client["only-include"]}
    server_files = {Path(src).name for src in server["force-include"] if "service" in src}
    on_disk = {p.name for p in (ROOT / "service").iterdir() if p.name != "__pycache__"}
    assert client_files & server_files == set()
    assert client_files | server_files == on_disk
    assert "../../models" in server["force-include"]


def test_versions_agree() -> None:
    client = _toml(ROOT / "pyproject.toml")["project"]
    server = _toml(SERVER / "pyproject.toml")["project"]
    assert server["version"] == client["version"]
    assert f"precis-news=={client['version']}" in server["dependencies"]


def test_serving_dependencies_have_no_torch() -> None:
    server = _toml(SERVER / "pyproject.toml")["project"]
    heavy = ("torch", "transformers")
    assert not [d for d in server["dependencies"] if d.split(">")[0].split("=")[0] in heavy]
    assert {d.split(">")[0] for d in server["optional-dependencies"]["torch"]} >= set(heavy)


def _install(tmp_path: Path, *projects: Path) -> set[str]:
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
         "--target", str(target), *map(str, projects)],
        check=True, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    return {p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()}


def test_client_install_has_no_server_code(tmp_path: Path) -> None:
    files = _install(tmp_path, ROOT)
    top = {f.split("/")[0] for f in files if not f.startswith("bin/")}
    assert {t for t in top if not t.endswith(".dist-info")} == {"precis_news"}
    modules = {f.removeprefix("precis_news/") for f in files if f.startswith("precis_news/")}
    assert {"__init__.py", "client.py", "cli.py", "types.py", "_proto/precis_pb2.py"} <= modules
    assert not [m for m in modules if m.startswith("models/") or m in ("server.py", "api.py")]


def test_server_install_adds_the_server_and_the_model_layer(tmp_path: Path) -> None:
    files = _install(tmp_path, ROOT, SERVER)
    top = {f.split("/")[0] for f in files if not f.endswith(".pyc")}
    assert {t for t in top if not t.endswith(".dist-info") and t != "bin"} == {"precis_news"}
    for module in ("server.py", "pipeline.py", "models/batching.py", "models/catalog.toml"):
        assert f"precis_news/{module}" in files
    assert any(f.startswith("precis_news/models/corpus/") for f in files)
