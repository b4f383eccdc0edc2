"""Regenerate the Python stubs in service/precis_news/_proto (run: python protos/generate.py)."""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

PROTOS = Path(__file__).resolve().parent
STUBS = PROTOS.parent / "service" / "precis_news" / "_proto"
SOURCE = "precis/v1/precis.proto"
FILES = ("precis_pb2.py", "precis_pb2.pyi", "precis_pb2_grpc.py")


def well_known_types() -> Path:
    """grpcio-tools' copy of protobuf's well-known types (google/protobuf/*.proto), which every
    protoc ships: the one include from outside protos/ (google/api/annotations.proto imports
    google/protobuf/descriptor.proto). googleapis' files are in protos/google/api/."""
    from grpc_tools import protoc  # dev-only dependency

    return Path(protoc.__file__).parent / "_proto"


def run_protoc(*args: str) -> None:
    """Run grpcio-tools' protoc on precis.proto with protos/ and the well-known types only.

    Args:
        args: output flags, e.g. --python_out=DIR.

    Raises:
        RuntimeError: protoc failed.
    """
    from grpc_tools import protoc

    if protoc.main(["protoc", f"-I{PROTOS}", f"-I{well_known_types()}", *args, SOURCE]) != 0:
        raise RuntimeError(f"protoc failed on {SOURCE}")


def generate(out_dir: Path) -> list[Path]:
    """Run protoc on the proto and write flat, package-relative stubs.

    Args:
        out_dir: folder that receives precis_pb2.py, precis_pb2.pyi and precis_pb2_grpc.py.

    Returns:
        The paths written.

    Raises:
        RuntimeError: protoc failed.
    """
    with tempfile.TemporaryDirectory() as tmp:
        run_protoc(f"--python_out={tmp}", f"--pyi_out={tmp}", f"--grpc_python_out={tmp}")
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
