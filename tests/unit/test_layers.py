"""The layering rules, read from the import statements of every module (parsed, not imported)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = (ROOT / "service", ROOT / "models")  # folder path = import path under these
SERVICE = ROOT / "service" / "precis_news"
MODELS = ROOT / "models" / "precis_models"

GRPC = ("grpc", "grpc_*", "google.rpc")
TORCH = ("torch", "transformers")


def _imports(tree: ast.AST, *, package: str, module_level_only: bool = False) -> Iterator[str]:
    """Every module an import statement in `tree` names (`from a import b` names a and a.b;
    relative imports are resolved from `package`); with `module_level_only`, not those inside
    functions (imported on first use)."""
    for node in ast.iter_child_nodes(tree):
        if module_level_only and isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = (
                package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            )
            module = ".".join([*base, *([node.module] if node.module else [])])
            yield module
            yield from (f"{module}.{alias.name}" for alias in node.names)
        yield from _imports(node, package=package, module_level_only=module_level_only)


def _package(path: Path) -> str:
    """The package a module file belongs to (its folder, dotted)."""
    root = next(r for r in SOURCES if path.is_relative_to(r))
    return ".".join(path.relative_to(root).parent.parts)


def _forbidden(module: str, patterns: tuple[str, ...]) -> bool:
    return any(
        module.split(".")[0].startswith(p[:-1])
        if p.endswith("*")
        else module == p or module.startswith(p + ".")
        for p in patterns
    )


def _violations(
    files: list[Path], patterns: tuple[str, ...], *, module_level_only: bool = False
) -> list[str]:
    assert files, "no modules found: the layout changed"
    found = set()
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for module in _imports(tree, package=_package(path), module_level_only=module_level_only):
            if _forbidden(module, patterns):
                found.add(f"{path.relative_to(ROOT)} imports {module}")
    return sorted(found)


def test_the_product_logic_knows_no_transport() -> None:
    files = sorted((SERVICE / "pipeline").rglob("*.py"))
    assert _violations(files, (*GRPC, "precis_news._proto", "precis_news.server")) == []


def test_the_model_layer_knows_neither_grpc_nor_the_service() -> None:
    assert _violations(sorted(MODELS.rglob("*.py")), (*GRPC, "precis_news")) == []


def test_the_client_loads_no_torch() -> None:
    files = [*sorted((SERVICE / "client").rglob("*.py")), SERVICE / "cli.py"]
    assert _violations(files, TORCH, module_level_only=True) == []


@pytest.mark.parametrize(
    ("source", "module_level_only", "expected"),
    [
        ("import grpc_health.v1", False, ["grpc_health.v1"]),
        ("from google.rpc import status_pb2", False, ["google.rpc", "google.rpc.status_pb2"]),
        ("from precis_news import server", False, ["precis_news.server"]),
        ("from .. import server", False, ["precis_news.server"]),
        (
            "from ..server.status import to_status",
            False,
            ["precis_news.server.status", "precis_news.server.status.to_status"],
        ),
        ("from . import errors", False, []),
        ("def f():\n    import torch", True, []),
        ("def f():\n    import torch", False, ["torch"]),
        ("try:\n    import transformers\nexcept ImportError:\n    pass", True, ["transformers"]),
        ("class A:\n    import torch", True, ["torch"]),
    ],
)
def test_the_check_sees_every_form_of_import(
    source: str, module_level_only: bool, expected: list[str]
) -> None:
    patterns = (*GRPC, *TORCH, "precis_news.server")
    imports = _imports(
        ast.parse(source), package="precis_news.pipeline", module_level_only=module_level_only
    )
    assert [m for m in imports if _forbidden(m, patterns)] == expected


BATCHER_NAMES = {"batcher", "MicroBatcher"}  # the model layer's queue, behind LoadedModel


def _batcher_uses(path: Path) -> list[str]:
    """Where `path`'s code names a batcher (a name, an attribute or an import; prose is free)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    used = []
    for node in ast.walk(tree):
        names = (
            [node.id]
            if isinstance(node, ast.Name)
            else [node.attr]
            if isinstance(node, ast.Attribute)
            else [a.name for a in node.names]
            if isinstance(node, ast.ImportFrom)
            else []
        )
        used += [f"{path.relative_to(ROOT)}:{node.lineno}" for n in names if n in BATCHER_NAMES]
    return used


def test_only_the_model_layer_names_a_batcher() -> None:
    files = [
        path
        for folder in (ROOT / "service", ROOT / "bench")
        for path in sorted(folder.rglob("*.py"))
    ]
    assert files, "no modules found: the layout changed"
    assert [use for path in files for use in _batcher_uses(path)] == []
    assert _batcher_uses(MODELS / "loader.py")  # the check sees the model layer's own uses
