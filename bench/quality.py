"""Summary and translation quality: ROUGE (rouge-score) and BLEU / chrF (sacrebleu).

The data is JSONL, one record a line:
  {"task": "summarize", "language": "en", "article": "...", "reference": "..."}
  {"task": "translate", "source_language": "en", "target_language": "fr",
   "source": "...", "reference": "..."}

    python -m bench.quality [--data FILE] [--server HOST:PORT | --profile bench --model-dir DIR]

Without --server it starts its own server with the profile's normal settings (the result cache
off). The bundled sample (bench/data/quality-sample.jsonl) only shows that the pipeline runs: on
the random-weight `bench` profile every score is meaningless (near zero); see docs/benchmarks.md
for the published scores real models should approach.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench import common

ROUGE_TYPES = ("rouge1", "rouge2", "rougeL", "rougeLsum")


def rouge(predictions: list[str], references: list[str]) -> dict[str, float]:
    """Mean F1 x 100 of each ROUGE type; rougeLsum sees one sentence per line."""
    from rouge_score import rouge_scorer

    from precis_models.sentences import split_sentences

    scorer = rouge_scorer.RougeScorer(list(ROUGE_TYPES), use_stemmer=True)
    totals = dict.fromkeys(ROUGE_TYPES, 0.0)
    for prediction, reference in zip(predictions, references, strict=True):
        scores = scorer.score(
            "\n".join(split_sentences(reference)), "\n".join(split_sentences(prediction))
        )
        for name in ROUGE_TYPES:
            totals[name] += scores[name].fmeasure
    return {name: 100 * total / len(predictions) for name, total in totals.items()}


def bleu_chrf(hypotheses: list[str], references: list[str]) -> tuple[float, float]:
    """Corpus BLEU and chrF (sacrebleu defaults: 13a tokenization, chrF n=6 beta=2)."""
    import sacrebleu

    return (
        sacrebleu.corpus_bleu(hypotheses, [references]).score,
        sacrebleu.corpus_chrf(hypotheses, [references]).score,
    )


@contextlib.contextmanager
def server_target(args: Any) -> Iterator[str]:
    if args.server:
        yield args.server
        return
    server = common.Server(
        model_dir=args.model_dir,
        profile=args.profile,
        env={"PRECIS_CACHE_BYTES": "0"},
        log_dir=args.server_log_dir,
        name="server-quality",
    )
    print(f"starting {server.describe()}", flush=True)
    with server:
        print(f"  SERVING after {server.startup_seconds:.0f}s", flush=True)
        yield server.target


def main(argv: list[str] | None = None) -> None:
    p = common.parser(__doc__.splitlines()[0], fixed_lengths=False)
    p.add_argument(
        "--data", type=Path, default=common.DATA / "quality-sample.jsonl", help="JSONL records"
    )
    p.add_argument("--server", default=None, help="HOST:PORT of a running server")
    p.add_argument("--api-key", default=None, help="API key for --server")
    p.add_argument("--length", default="medium", choices=("short", "medium", "long"))
    args = p.parse_args(argv)
    common.banner("bench.quality", args)
    records = common.read_jsonl(args.data)
    summaries = [r for r in records if r["task"] == "summarize"]
    translations: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for r in records:
        if r["task"] == "translate":
            translations[r["source_language"], r["target_language"]].append(r)
    print(
        f"data: {args.data} ({len(summaries)} summaries, "
        f"{sum(map(len, translations.values()))} translations)",
        flush=True,
    )

    from precis_news.client import PrecisClient

    with (
        server_target(args) as target,
        PrecisClient(target=target, api_key=args.api_key, timeout=1800) as client,
    ):
        info = client.info()
        predicted = [
            client.summarize(
                r["article"],
                source_language=r.get("language", ""),
                targets=[r.get("language", "en")],
                length=args.length,
            )
            .summaries[0]
            .text
            for r in summaries
        ]
        translated = {
            pair: [
                t.text
                for t in client.translate(
                    [r["source"] for r in items], source_language=pair[0], target=pair[1]
                ).translations
            ]
            for pair, items in translations.items()
        }
    print(
        f"server: profile {info.profile}, backend {info.backend}, "
        f"models {', '.join(m.name for m in info.models)}"
    )
    if info.profile in ("bench", "tiny"):
        print(
            "NOTE: random weights: these scores are meaningless (they only show the "
            "pipeline runs); see docs/benchmarks.md for the published scores of real models"
        )

    if summaries:
        scores = rouge(predicted, [r["reference"] for r in summaries])
        print(
            f"\nsummaries ({len(summaries)}), ROUGE F1 x100: "
            + "  ".join(f"{k}={v:.2f}" for k, v in scores.items())
        )
    if translations:
        print(f"\n{'pair':<8} {'n':>3} {'BLEU':>7} {'chrF':>7}")
        for (source, target), items in sorted(translations.items()):
            bleu, chrf = bleu_chrf(translated[source, target], [r["reference"] for r in items])
            print(f"{source}-{target:<5} {len(items):>3} {bleu:7.2f} {chrf:7.2f}")
            print(f"bleu_{source}_{target}={bleu:.2f} chrf_{source}_{target}={chrf:.2f}")
    if summaries:
        print(" ".join(f"{k}={v:.2f}" for k, v in scores.items()))


if __name__ == "__main__":
    main()
