"""Packaging: one distribution, two packages named after their folders, nothing generic, an
editable install that imports the files in this clone, and extras that keep the client light."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import precis_models
import precis_news

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
