"""The generated stubs match protos/ (run protos/generate.py after editing the proto)."""

from __future__ import annotations

from pathlib import Path

from tests.support import (
    ROOT,
)


def test_generated_stubs_match_protos(tmp_path: Path) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("generate", ROOT / "protos" / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for path in module.generate(tmp_path):
        committed = module.STUBS / path.name
        assert path.read_text() == committed.read_text(), f"{path.name}: run protos/generate.py"
