"""The generated stubs match protos/ (run protos/generate.py after editing the proto), and protos/
compiles with nothing from outside the repository but protobuf's own well-known types."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from pathlib import Path
from types import ModuleType

import pytest
from google.protobuf import descriptor_pb2

from tests.support import ROOT

PROTOS = ROOT / "protos"
SOURCE = "precis/v1/precis.proto"
# What precis.proto needs, by import: googleapis' two files ship in protos/google/api/.
CLOSURE = [
    "google/api/http.proto",
    "google/protobuf/descriptor.proto",
    "google/api/annotations.proto",
    SOURCE,
]


def _generate() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate", PROTOS / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_stubs_match_protos(tmp_path: Path) -> None:
    module = _generate()
    for path in module.generate(tmp_path):
        committed = module.STUBS / path.name
        assert path.read_text() == committed.read_text(), f"{path.name}: run protos/generate.py"


def _imports(descriptor_set: Path) -> list[str]:
    files = descriptor_pb2.FileDescriptorSet.FromString(descriptor_set.read_bytes()).file
    return [file.name for file in files]


def test_protos_compile_with_the_repository_and_the_well_known_types_only(tmp_path: Path) -> None:
    """grpcio-tools' protoc called directly (`python -m grpc_tools.protoc` would add its own
    include folder): -I a copy of protos/ and -I a folder that holds protobuf's well-known types
    and nothing else."""
    from grpc_tools import protoc

    protos = shutil.copytree(PROTOS, tmp_path / "protos")
    well_known = tmp_path / "well-known" / "google" / "protobuf"
    shutil.copytree(_generate().well_known_types() / "google" / "protobuf", well_known)
    assert sorted(p.name for p in well_known.parent.parent.iterdir()) == ["google"]
    assert sorted(p.name for p in well_known.parent.iterdir()) == ["protobuf"]
    out = tmp_path / "precis.pb"
    args = [f"-I{protos}", f"-I{well_known.parent.parent}", "--include_imports"]
    assert protoc.main(["protoc", *args, f"--descriptor_set_out={out}", SOURCE]) == 0
    assert _imports(out) == CLOSURE


def test_googleapis_files_ship_with_their_licence() -> None:
    folder = PROTOS / "google" / "api"
    shipped = sorted(p.name for p in folder.iterdir())
    assert shipped == ["LICENSE", "annotations.proto", "http.proto"]
    assert "Apache License" in (folder / "LICENSE").read_text().splitlines()[1]
    for proto in folder.glob("*.proto"):
        assert 'Licensed under the Apache License, Version 2.0 (the "License")' in proto.read_text()


def test_a_standalone_protoc_needs_no_include_but_protos(tmp_path: Path) -> None:
    """`protoc -I protos`, as an outside client would run it (protoc finds the well-known types
    in its own include folder)."""
    binary = shutil.which("protoc")
    if binary is None:
        pytest.skip("no protoc on PATH (the grpcio-tools test above covers the same includes)")
    out = tmp_path / "precis.pb"
    result = subprocess.run(
        [binary, "-I", str(PROTOS), "--include_imports", f"--descriptor_set_out={out}", SOURCE],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert _imports(out) == CLOSURE
