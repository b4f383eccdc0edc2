"""`python -m bench.text --quick` runs every text step on the vendored public data."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.support import ROOT

STEPS = ("sentences", "languages", "numbers", "names", "html")


def test_quick_run_prints_every_step() -> None:
    # Thresholds are not asserted yet: each is turned on (--check) as the steps meet them.
    done = subprocess.run(
        [sys.executable, "-m", "bench.text", "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert re.search(r"^# CPU flags: ", out, re.M), out[:500]
    for step in STEPS:
        assert f"\n== {step} " in out, f"no {step} section"
        assert re.search(rf"^  {step}\.\S+ = [\d.-]+ +\((>=|<=) ", out, re.M), f"no {step} figure"
    assert re.search(r"^  thresholds met: \d+ of \d+$", out, re.M), out[-2000:]


def test_number_check_meets_its_thresholds_on_public_data() -> None:
    # Issue 23 item 3: <= 1 % of correct FLORES sentences flagged, >= 95 % of changed numbers
    # caught, per direction (--check exits 1 when a threshold is not met). The name check
    # (item 2) does not meet its thresholds yet, so it is not asserted here.
    done = subprocess.run(
        [sys.executable, "-m", "bench.text", "--quick", "--check", "--steps", "numbers"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert (
        len(re.findall(r"^  numbers\.\S+ = [\d.]+ +\([<>]= [\d.]+: MET\)", done.stdout, re.M)) == 12
    )
