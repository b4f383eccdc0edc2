"""The cost of the summary checks (numbers, names) and of sentence sources, in microseconds per
summary sentence, against the summarizer call of the same request as baseline (tiny profile,
CTranslate2 int8, built in a temporary folder unless --model-dir holds it).

    python -m bench.checks [--repeats 200] [--summary-tokens 64]
"""

from __future__ import annotations

import argparse
import tempfile
import time
import tomllib
from collections.abc import Callable
from pathlib import Path

from precis_models.catalog import load_catalog
from precis_models.engines.ctranslate2_engine import CTranslate2Engine
from precis_models.loader import build_missing, decoding_options
from precis_models.sentences import split_sentences
from precis_models.store import ctranslate2_path, transformers_path
from precis_news.pipeline import Summary, checks
from precis_news.pipeline.context import Article

ROOT = Path(__file__).resolve().parents[1]
ARTICLE = ROOT / "bench" / "data" / "article-en.txt"
CORPUS = ROOT / "tests" / "data" / "checks_corpus.toml"


def _seconds(work: Callable[[], object], repeats: int) -> float:
    started = time.perf_counter()
    for _ in range(repeats):
        work()
    return (time.perf_counter() - started) / repeats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--summary-tokens", type=int, default=64)
    parser.add_argument("--model-dir", type=Path, default=None)
    args = parser.parse_args()

    article = ARTICLE.read_text(encoding="utf-8")
    cases = tomllib.loads(CORPUS.read_text(encoding="utf-8"))["case"]
    summary = " ".join(c["en"] for c in cases)
    translations = {lang: " ".join(c[lang] for c in cases) for lang in ("fr", "uk", "ru")}
    sentences = len(split_sentences(summary))

    def run(*, sources: bool) -> None:
        reference = checks.Reference.build(Article.of(article), sources=sources)
        source = checks.check_summary(reference, Summary("en", summary, "m"))
        for lang, text in translations.items():
            checks.check_translation(reference, source, Summary(lang, text, "t", "en"))

    plain = _seconds(lambda: run(sources=False), args.repeats)
    with_sources = _seconds(lambda: run(sources=True), args.repeats)

    with tempfile.TemporaryDirectory() as scratch:
        model_dir = args.model_dir or Path(scratch)
        profile = load_catalog().profile("tiny")
        build_missing(profile, model_dir)
        spec = next(s for s in profile.models if s.task == "summarize")
        engine = CTranslate2Engine(
            ctranslate2_path(spec, model_dir),
            transformers_path(spec, model_dir),
            name=spec.name,
            max_input_tokens=spec.max_input_tokens,
        )
        options = decoding_options(
            spec, max_new_tokens=args.summary_tokens, min_new_tokens=args.summary_tokens
        )
        text = article[:2000]
        engine.generate_outputs([text], options)  # warm
        model = _seconds(lambda: engine.generate_outputs([text], options), 5)

    print(f"article_chars={len(article)} summary_sentences={sentences} targets=4")
    print(f"checks_us_per_sentence={plain / sentences / 4 * 1e6:.1f}")
    print(f"checks_with_sources_us_per_sentence={with_sources / sentences / 4 * 1e6:.1f}")
    print(f"checks_ms_per_request={plain * 1e3:.3f} with_sources_ms={with_sources * 1e3:.3f}")
    print(f"tiny_summarizer_call_ms={model * 1e3:.1f}")
    print(f"checks_share_of_tiny_model_call={with_sources / model:.4f}")


if __name__ == "__main__":
    main()
