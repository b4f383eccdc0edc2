#!/usr/bin/env bash
# Install the CPU build of torch into the Python environment of $1 (default: python3).
# A plain `pip install torch` on Linux resolves to the CUDA build and several GB of NVIDIA wheels,
# so ask for the `+cpu` local version: first from the configured package index (some mirrors serve
# it), else from the PyTorch CPU wheel index. Never falls back to a CUDA build.
set -euo pipefail
python="${1:-python3}"
version="${TORCH_VERSION:-2.13.0}"
index="${TORCH_INDEX_URL:-https://download.pytorch.org/whl/cpu}"
if "$python" -c "import torch, sys; sys.exit(0 if torch.__version__ == '$version+cpu' else 1)" 2>/dev/null; then
  exit 0
fi
# torch's own dependencies (filelock, sympy, ...) come from the regular index with the next install.
if ! "$python" -m pip install -q --no-deps "torch==$version+cpu" 2>/dev/null; then
  echo "installing torch $version (CPU build) from $index"
  "$python" -m pip install -q --no-deps --index-url "$index" "torch==$version+cpu"
fi
