#!/usr/bin/env bash
# Create the development virtualenv ($2) with $1, saying what each step does and how long it took.
# On a terminal pip shows its own download progress; piped (CI), only these lines and errors.
set -euo pipefail
python="$1" venv="$2"
started=$SECONDS
step() { printf '[setup %3ds] %s\n' $((SECONDS - started)) "$*"; }
if [ -t 1 ]; then
  pip() { "$venv/bin/python" -m pip --disable-pip-version-check "$@"; }
else
  # pip's notes about this machine's own package-index configuration are not about the project.
  pip() {
    "$venv/bin/python" -m pip --disable-pip-version-check -q "$@" 2>&1 |
      { grep -v 'is neither a file nor a directory' || true; }
  }
fi

step "creating $venv: 4 steps, about 4 minutes and 1.7 GB the first time (CPU torch is most of it)"
step "1/4 virtualenv ($("$python" --version))"
"$python" -m venv "$venv"
step "2/4 upgrading pip"
pip install --upgrade pip
step "3/4 torch, CPU build (a ~200 MB download)"
bash scripts/install-torch-cpu.sh "$venv/bin/python"
step "4/4 this clone, editable, with the server, torch, bench and dev extras"
pip install -e ".[server,torch,bench,dev]"
step "done: $venv holds $(du -sh "$venv" | cut -f1)"
