"""Every text step on public data (bench/data/vendor), its figures against the issue's thresholds.

    python -m bench.text [--quick] [--check] [--steps sentences,golden,languages,...]

--quick measures a small subset (the system test's run); --check exits 1 when a threshold is not
met. Figures bounded by a threshold are printed with MET / NOT MET; the rest are context.
"""

from __future__ import annotations

import argparse
import sys

from bench.text import html, languages, names, numbers, prose, report, sentences

STEPS = {
    "sentences": sentences.run,
    "golden": lambda figures, quick: sentences.golden(figures),
    "languages": languages.run,
    "numbers": numbers.run,
    "names": names.run,
    "html": html.run,
    "prose": prose.run,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small subset of every data set")
    parser.add_argument("--check", action="store_true", help="exit 1 when a threshold is not met")
    parser.add_argument("--steps", default=",".join(STEPS), help="comma-separated [%(default)s]")
    args = parser.parse_args(argv)
    report.header("bench.text" + (" --quick" if args.quick else ""))
    figures = report.Figures()
    for step in args.steps.split(","):
        STEPS[step](figures, quick=args.quick)
    unmet = figures.unmet()
    report.section("summary")
    print(f"  thresholds met: {len(figures.values) - len(unmet)} of {len(figures.values)}")
    by_reason: dict[str, list[str]] = {}  # one reason said once, after the figures it explains
    for key in unmet:
        by_reason.setdefault(figures.why(key), []).append(key)
    for why, keys in by_reason.items():
        for key in keys:
            print(f"  NOT MET: {key} = {figures.values[key]:.4f} ({report.threshold(key).what})")
        print(f"    why: {why}")
    return 1 if args.check and unmet else 0


if __name__ == "__main__":
    sys.exit(main())
