"""`make demo`'s script (scripts/demo.sh), with the test session's tiny models copied in: readable
text first, one labelled, truncated line per random-weight translation, never silent for long."""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tests.support import ROOT, free_port, precis_env

MAX_SILENCE_S = 10.0
GIBBERISH = re.compile(r"  \[(fr|uk|ru)\] tiny-marian-en-(fr|zle), \d+ characters: .{1,60}…")


def _timed_lines(process: subprocess.Popen[str]) -> list[tuple[float, str]]:
    """Each line of the process's output with the seconds since the start when it came."""
    assert process.stdout is not None
    began = time.monotonic()
    return [(time.monotonic() - began, line.rstrip("\n")) for line in process.stdout]


@pytest.mark.slow
def test_the_demo_leads_with_readable_text_and_never_goes_silent(
    model_dir: Path, tmp_path: Path
) -> None:
    if not (ROOT / ".venv" / "bin" / "precis").exists():
        pytest.skip("scripts/demo.sh runs .venv/bin/precis: `make setup` makes it")
    models = tmp_path / "models"
    shutil.copytree(model_dir, models)
    process = subprocess.Popen(
        ["bash", ROOT / "scripts" / "demo.sh", str(free_port()), str(free_port())],
        cwd=ROOT, env=precis_env(models), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    timed = _timed_lines(process)
    assert process.wait(timeout=60) == 0, "\n".join(line for _, line in timed)
    lines = [line for _, line in timed]
    silences = [later - earlier for (earlier, _), (later, _) in itertools.pairwise(timed)]
    assert max([timed[0][0], *silences]) <= MAX_SILENCE_S, timed

    page = next(i for i, line in enumerate(lines) if line.startswith("The web page: http://"))
    readable = lines.index("[en] (summarized by extractive)")
    warning = next(i for i, line in enumerate(lines) if line.startswith("RANDOM WEIGHTS"))
    assert page < readable < warning
    assert "The Riverside city council voted on Tuesday" in lines[readable + 1]
    assert [line for line in lines if GIBBERISH.fullmatch(line)] == lines[-5:-2], lines[-6:]
    assert sum(map(len, lines)) < 5_000  # the gibberish truncated, not pages of it
