"""The unsupported-language refusal and HTML extraction: what they cost and how often they err.

Runs each measurement in a fresh subprocess (so resident memory is the component's own):
  - refusal: on tests/data/languages.toml, the false-refusal rate (in-scope texts refused) and
    the miss rate (out-of-scope texts served or named wrongly), and refusals among the
    project's other articles (models/precis_models/corpus, bench/data); the extra RSS and
    build time of the all-languages check, against the served four-language detector built in
    the same run; time per check against time per detection;
  - extraction: trafilatura's import time and RSS, and seconds per saved test page.

    python -m bench.language_refusal [--repeats 20]

Prints `false_refusal_rate=<x>` last.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PROBE = r"""
import json, sys, time, tomllib
from pathlib import Path

def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024

what, repeats = sys.argv[1], int(sys.argv[2])
root = Path(sys.argv[3])
out = {}
if what == "refusal":
    from precis_models.language import LanguageDetector
    from precis_models.unsupported import UnsupportedLanguageCheck
    corpus = tomllib.loads((root / "tests/data/languages.toml").read_text("utf-8"))
    base = rss(); t = time.perf_counter()
    four = LanguageDetector(["en", "fr", "uk", "ru"])
    out["four_build_s"], out["four_rss"] = time.perf_counter() - t, rss() - base
    base = rss(); t = time.perf_counter()
    check = UnsupportedLanguageCheck(["en", "fr", "uk", "ru"])
    out["check_build_s"], out["check_rss"] = time.perf_counter() - t, rss() - base
    wrong = [c for c in corpus["serve"] if check.foreign(c["text"]) is not None]
    missed = [c for c in corpus["refuse"]
              if getattr(check.foreign(c["text"]), "code", None) != c["language"]]
    out.update(serve=len(corpus["serve"]), refuse=len(corpus["refuse"]),
               false_refusals=[c["language"] + ":" + c["text"][:30] for c in wrong],
               misses=[c["language"] + ":" + c["text"][:30] for c in missed])
    # Every other article of the project (en, fr, uk, ru): none may be refused either.
    corpus_dir = root / "models/precis_models/corpus"
    others = [p.read_text("utf-8") for p in sorted(corpus_dir.glob("*.txt"))]
    for path in sorted((root / "bench/data").glob("*.jsonl")):
        for line in path.read_text("utf-8").splitlines():
            others += [v for v in json.loads(line).values() if isinstance(v, str) and len(v) >= 120]
    out["others"] = len(others)
    out["others_refused"] = sum(check.foreign(t[:4000]) is not None for t in others)
    texts = [c["text"] for c in corpus["serve"] + corpus["refuse"]]
    t = time.perf_counter()
    for _ in range(repeats):
        for text in texts:
            check.foreign(text)
    out["check_s"] = (time.perf_counter() - t) / (repeats * len(texts))
    t = time.perf_counter()
    for _ in range(repeats):
        for text in texts:
            four.scores(text)
    out["detect_s"] = (time.perf_counter() - t) / (repeats * len(texts))
else:
    base = rss(); t = time.perf_counter()
    from precis_news.pipeline.html import extract_article
    import trafilatura  # noqa: F401
    out["import_s"], out["import_rss"] = time.perf_counter() - t, rss() - base
    pages = sorted((root / "tests/data/pages").glob("news-*.html"))
    html = [p.read_text("utf-8") for p in pages]
    t = time.perf_counter()
    for _ in range(repeats):
        for page in html:
            extract_article(page, max_chars=2_000_000, max_elements=30_000)
    out["page_s"] = (time.perf_counter() - t) / (repeats * len(html))
    out["pages"] = len(html)
    # The worst a caller can send within the default limits: 29,990 elements, 2 MB of text.
    worst = "<html><body>" + "<div><p>x y z</p></div>" * 14_995 + "</body></html>"
    wide = "<html><body><p>" + "word " * 399_000 + "</p></body></html>"
    for name, page in (("worst_elements_s", worst), ("worst_chars_s", wide)):
        t = time.perf_counter()
        try:
            extract_article(page, max_chars=2_000_000, max_elements=30_000)
        except Exception as error:  # a clear refusal is a fine outcome too
            out[name + "_error"] = type(error).__name__
        out[name] = time.perf_counter() - t
    out["after_rss"] = rss() - base
print(json.dumps(out))
"""


def probe(what: str, repeats: int) -> dict:  # type: ignore[type-arg]
    env_path = f"{ROOT / 'service'}:{ROOT / 'models'}"
    result = subprocess.run(
        [sys.executable, "-c", PROBE, what, str(repeats), str(ROOT)],
        env={"PYTHONPATH": env_path, "HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def mb(size: float) -> str:
    return f"{size / 2**20:.1f}MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    page = probe("extraction", args.repeats)
    print(
        f"trafilatura_import_s={page['import_s']:.2f} "
        f"trafilatura_import_rss={mb(page['import_rss'])}"
    )
    print(f"extract_ms_per_page={page['page_s'] * 1000:.1f} (saved test pages: {page['pages']})")
    print(
        f"extract_s_30k_elements={page['worst_elements_s']:.2f} "
        f"extract_s_2M_chars={page['worst_chars_s']:.2f} (worst cases within the limits)"
    )
    found = probe("refusal", args.repeats)
    print(f"four_language_detector_rss={mb(found['four_rss'])} build_s={found['four_build_s']:.2f}")
    print(f"unsupported_check_rss={mb(found['check_rss'])} build_s={found['check_build_s']:.2f}")
    print(f"rss_ratio_check_vs_detector={found['check_rss'] / max(found['four_rss'], 1):.1f}")
    print(
        f"check_ms={found['check_s'] * 1000:.2f} detect_ms={found['detect_s'] * 1000:.2f} "
        f"time_ratio_check_vs_detect={found['check_s'] / found['detect_s']:.1f}"
    )
    for name in ("false_refusals", "misses"):
        for case in found[name]:
            print(f"{name[:-1]}: {case}")
    print(f"other_project_articles={found['others']} refused={found['others_refused']}")
    print(f"miss_rate={len(found['misses']) / found['refuse']:.3f} ({found['refuse']} texts)")
    print(
        f"false_refusal_rate={len(found['false_refusals']) / found['serve']:.3f} "
        f"({found['serve']} texts)"
    )


if __name__ == "__main__":
    main()
