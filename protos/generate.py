"""Regenerate the Python stubs in service/precis_news/_proto (run: python protos/generate.py)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

PROTOS = Path(__file__).resolve().parent
STUBS = PROTOS.parent / "service" / "precis_news" / "_proto"
SOURCE = "precis/v1/precis.proto"
FILES = ("precis_pb2.py", "precis_pb2.pyi", "precis_pb2_grpc.py")


def _googleapis_protos() -> Path:
    """The folder holding google/api/annotations.proto and http.proto (the google.api.http
    options): googleapis-common-protos ships them next to its Python modules."""
    from google.api import annotations_pb2

    return Path(annotations_pb2.__file__).parents[2]


def generate(out_dir: Path) -> list[Path]:
    """Run protoc (from grpcio-tools) on the proto and write flat, package-relative stubs.

    Args:
        out_dir: folder that receives precis_pb2.py, precis_pb2.pyi and precis_pb2_grpc.py.

    Returns:
        The paths written.

    Raises:
        RuntimeError: protoc failed.
    """
    import tempfile

    from grpc_tools import protoc  # dev-only dependency

    with tempfile.TemporaryDirectory() as tmp:
        args = [
            "protoc",
            f"-I{PROTOS}",
            f"-I{Path(protoc.__file__).parent / '_proto'}",
            f"-I{_googleapis_protos()}",
            f"--python_out={tmp}",
            f"--pyi_out={tmp}",
            f"--grpc_python_out={tmp}",
            str(PROTOS / SOURCE),
        ]
        if protoc.main(args) != 0:
            raise RuntimeError(f"protoc failed on {SOURCE}")
        out_dir.mkdir(parents=True, exist_ok=True)
        written = []
        for name in FILES:
            text = (Path(tmp) / "precis" / "v1" / name).read_text()
            # Stubs live inside the service package, so import their sibling relatively.
            text = re.sub(r"^from precis\.v1 import", "from . import", text, flags=re.M)
            (out_dir / name).write_text(text)
            written.append(out_dir / name)
    return written


if __name__ == "__main__":
    for path in generate(Path(sys.argv[1]) if len(sys.argv) > 1 else STUBS):
        print(path)
