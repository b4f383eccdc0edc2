#!/usr/bin/env bash
# Create the development virtualenv ($2) with $1, saying what each step does and how long it took.
# On a terminal pip shows its own download progress; piped (CI), a heartbeat line every few
# seconds (scripts/progress.sh) and errors.
set -euo pipefail
python="$1" venv="$2"
source "$(dirname "$0")/progress.sh"
started=$SECONDS
step() { printf '[setup %3ds] %s\n' $((SECONDS - started)) "$*"; }
if [ -t 1 ]; then
  pip() { "$venv/bin/python" -m pip --disable-pip-version-check "$@"; }
  installing() { "$@"; }
else
  # pip's notes about this machine's own package-index configuration are not about the project.
  pip() {
    "$venv/bin/python" -m pip --disable-pip-version-check -q "$@" 2>&1 |
      { grep -v 'is neither a file nor a directory' || true; }
  }
  installing() { heartbeat "installing" "$@"; }
fi

# Measured, not guessed: from a fresh clone on 2026-12-06, on 2 shared cores at load average
# 10-14, this set-up took 7 min 22 s and made a 2.1 GB .venv (the CHANGELOG keeps earlier runs);
# the last line prints this run's own size.
step "creating $venv: 4 steps; measured from a fresh clone on a busy 2-core machine: 7 min 22 s, 2.1 GB"
step "1/4 virtualenv ($("$python" --version))"
heartbeat "creating the virtualenv" "$python" -m venv "$venv"
step "2/4 upgrading pip"
installing pip install --upgrade pip
step "3/4 torch, CPU build (a ~200 MB download)"
heartbeat "installing torch" bash scripts/install-torch-cpu.sh "$venv/bin/python"
step "4/4 this clone, editable, with the server, torch, bench and dev extras"
installing pip install -e ".[server,torch,bench,dev]"
step "done: $venv holds $(du -sh "$venv" | cut -f1)"
