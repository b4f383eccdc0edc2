"""What the benchmark scripts share: a server subprocess, the naive baseline, small statistics.

Every script measures the Précis server and its baseline in the same run and prints ratios, with
fixed output lengths: summaries of exactly SUMMARY_TOKENS tokens, translations of a fixed number
of tokens set by the server's translation length ratios (see TRANSLATION_RATIO); the baseline
generates exactly as many. Random weights rarely emit the end token, so decoding runs to the
maximum length on both sides.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DATA = Path(__file__).with_name("data")
DEFAULT_MODEL_DIR = Path(os.environ.get("PRECIS_MODEL_DIR", "/work/bench-models"))
SUMMARY_TOKENS = 80
# Each sentence's translation gets exactly ceil(its source tokens x ratio) + 8 new tokens, in
# buckets of 16 (server settings below; random weights never end early). The bench translators'
# 1,000-piece vocabulary splits the random summarizer's byte-level garbage into ~3.3x more tokens
# than a real 80-token summary would have (~260 instead of ~80), so 0.35 gives the ~100-token
# translations (1.2x an 80-token summary + 8) that real models would produce.
# --translation-ratio 1.2 reproduces the literal setting.
TRANSLATION_RATIO = 0.35


# -- command line -----------------------------------------------------------------------------


def parser(description: str, *, fixed_lengths: bool = True) -> argparse.ArgumentParser:
    """An argument parser with the flags every script takes (and --translation-ratio for the
    scripts that fix output lengths)."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument(
        "--model-dir",
        type=Path,
        default=DEFAULT_MODEL_DIR,
        help="models built by `precis models build-tiny --size real` [env PRECIS_MODEL_DIR; "
        "default %(default)s]",
    )
    p.add_argument("--profile", default="bench", help="catalog profile [default %(default)s]")
    if fixed_lengths:
        p.add_argument(
            "--translation-ratio",
            type=float,
            default=TRANSLATION_RATIO,
            help="PRECIS_TRANSLATION_(MIN_)LENGTH_RATIO: new tokens per source token of a "
            "translation (plus 8) [default %(default)s]",
        )
    p.add_argument(
        "--server-log-dir",
        type=Path,
        default=None,
        help="keep the servers' logs here (default: a temporary folder, removed at the end)",
    )
    return p


def banner(name: str, args: argparse.Namespace) -> None:
    """Print what ran where, so a pasted result says what it measured: the CPU with its ISA
    flags, and what CTranslate2 chose on it (see `ctranslate2_choices`)."""
    print(
        f"# {name}  {time.strftime('%Y-%m-%d %H:%M %Z')}  Python {platform.python_version()}  "
        f"{len(os.sched_getaffinity(0))} CPU ({_cpu_model()})  profile={args.profile}"
        + (
            f"  translation ratio {ratio}"
            if (ratio := getattr(args, "translation_ratio", 0))
            else ""
        ),
        flush=True,
    )
    print(f"# CPU flags: {' '.join(isa_flags()) or 'none of ' + ' '.join(ISA_FLAGS)}", flush=True)
    print(f"# {ctranslate2_choices(args.model_dir, args.profile)}", flush=True)
    load()


# The /proc/cpuinfo flags that decide CTranslate2's int8 speed on x86.
ISA_FLAGS = ("avx2", "avx512f", "avx512_vnni", "avx_vnni", "amx_tile", "amx_int8")


def isa_flags() -> list[str]:
    """Which of ISA_FLAGS this CPU reports."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("flags"):
                present = set(line.split(":", 1)[1].split())
                return [flag for flag in ISA_FLAGS if flag in present]
    return []


def ctranslate2_choices(model_dir: Path, profile: str, compute_type: str = "auto") -> str:
    """What CTranslate2 picks on this machine for the profile's first translator, loaded as the
    server loads it (`compute_type` "auto" = the backend's CPU default): its ISA, int8 GEMM
    backend and the compute type actually selected, from its own log (CT2_VERBOSE=1)."""
    from precis_models.backends import backend
    from precis_models.catalog import load_catalog
    from precis_models.store import ctranslate2_path

    chosen = (
        backend("ctranslate2").auto_compute_type("cpu") if compute_type == "auto" else compute_type
    )
    try:
        path = ctranslate2_path(load_catalog().profile(profile).translators[0], model_dir)
    except (KeyError, IndexError, ValueError) as exc:
        return f"CTranslate2: no translator to probe ({exc})"
    script = (
        "import ctranslate2, sys; "
        f"t = ctranslate2.Translator({str(path)!r}, compute_type={chosen!r}, intra_threads=1); "
        "print('version', ctranslate2.__version__, 'selected', t.compute_type)"
    )
    env = {**os.environ, "CT2_VERBOSE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=False
    )
    found = {}
    for line in (done.stderr + done.stdout).splitlines():
        for key in ("Selected ISA", "GEMM_S8 backend", "version"):
            if key in line:
                found[key] = line.split(key, 1)[1].strip(" :")
    if done.returncode != 0 or "version" not in found:
        return f"CTranslate2: could not load {path} ({done.stderr.strip()[-200:]})"
    version, selected = found["version"].split(" selected ")
    return (
        f"CTranslate2 {version}: ISA {found.get('Selected ISA', '?')}, int8 GEMM "
        f"{found.get('GEMM_S8 backend', '?')}, compute type {chosen} -> {selected}"
    )


def load() -> None:
    """Print the load average: other processes on these cores skew every timing."""
    with contextlib.suppress(OSError):
        one, five, _ = os.getloadavg()
        print(f"# load average {one:.2f} (1 min) {five:.2f} (5 min)", flush=True)


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def read_article(path: Path | None = None) -> str:
    """The latency benchmark's English article (bench/data/article-en.txt by default)."""
    return (path or DATA / "article-en.txt").read_text().strip()


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """One JSON object per non-empty line."""
    with path.open() as handle:
        return [json.loads(line) for line in handle if line.strip()]


# -- statistics -------------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100), linear between closest ranks (numpy's default)."""
    if not values:
        raise ValueError("percentile of no values")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def median(values: Sequence[float]) -> float:
    return percentile(values, 50)


def ratio(numerator: float, denominator: float) -> str:
    """`x` formatted for the key=value lines the scripts print."""
    return f"{numerator / denominator:.2f}" if denominator > 0 else "inf"


# -- the server as a subprocess ---------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def proc_status_bytes(pid: int, key: str) -> int:
    """A memory line of /proc/<pid>/status ("VmHWM", "VmRSS"), in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) * 1024
    raise KeyError(f"{key} not in /proc/{pid}/status")


def settings_pairs(text: str) -> dict[str, str]:
    """Server settings given on a command line as "key=value,key=value"."""
    pairs = (kv.split("=", 1) for kv in text.split(",") if kv.strip())
    return {key.strip(): value.strip() for key, value in pairs}


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) process `pid` has used so far, all its threads."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (comm) "; comm may hold spaces
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Server:
    """`precis serve` in a subprocess, on a free port, with extra PRECIS_* settings.

    Use as a context manager: entering waits until health says SERVING (or the process dies,
    which raises with the tail of its log); leaving sends SIGTERM and waits.
    """

    module = "precis_news.cli"  # run as `python -m <module> serve ...` (experiments may swap it)

    def __init__(
        self,
        *,
        model_dir: Path,
        profile: str = "bench",
        env: Mapping[str, str] | None = None,
        log_dir: Path | None = None,
        name: str = "server",
        startup_timeout: float = 900.0,
        http: bool = False,
    ) -> None:
        self.model_dir = model_dir
        self.profile = profile
        self.env = dict(env or {})
        self.name = name
        self.startup_timeout = startup_timeout
        self.port = free_port()
        self.target = f"127.0.0.1:{self.port}"
        # The HTTP gateway's port (-1: off), and its base URL when on.
        self.http_port = free_port() if http else -1
        self.http_base = f"http://127.0.0.1:{self.http_port}"
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        if log_dir is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="precis-bench-")
            log_dir = Path(self._tmp.name)
        log_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = log_dir / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.startup_seconds = 0.0

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def describe(self) -> str:
        settings = " ".join(f"{k}={v}" for k, v in sorted(self.env.items()))
        return f"{self.name}: precis serve --profile {self.profile} {settings}"

    def start(self) -> Server:
        env = {**os.environ, "PRECIS_LOG_LEVEL": "WARNING", **self.env}
        command = [
            sys.executable,
            "-m",
            self.module,
            "serve",
            "--profile",
            self.profile,
            "--model-dir",
            str(self.model_dir),
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            f"--http-port={self.http_port}",
        ]
        started = time.perf_counter()
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                command,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=Path(__file__).resolve().parent.parent,
            )
        self._wait_serving()
        self.startup_seconds = time.perf_counter() - started
        return self

    def _wait_serving(self) -> None:
        from precis_news.client import PrecisClient, PrecisError

        deadline = time.monotonic() + self.startup_timeout
        with PrecisClient(target=self.target, timeout=5.0) as client:
            while time.monotonic() < deadline:
                if self.process is not None and self.process.poll() is not None:
                    raise RuntimeError(
                        f"{self.name} exited with {self.process.returncode}:\n{self.log_tail()}"
                    )
                with contextlib.suppress(PrecisError):
                    if client.health(timeout=2.0) == "SERVING":
                        return
                time.sleep(0.5)
        self.stop()
        raise TimeoutError(f"{self.name} not SERVING after {self.startup_timeout:.0f}s")

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def peak_rss(self) -> int:
        """VmHWM of the server process, in bytes."""
        return proc_status_bytes(self.pid, "VmHWM")

    def rss(self) -> int:
        return proc_status_bytes(self.pid, "VmRSS")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> Server:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc: object) -> None:
        self.stop()


def fixed_lengths_env(ratio: float = TRANSLATION_RATIO, **settings: object) -> dict[str, str]:
    """PRECIS_* settings for fixed output lengths and no result cache, plus `settings` given as
    name=value (each becomes PRECIS_<NAME>)."""
    env = {
        "PRECIS_TRANSLATION_LENGTH_RATIO": str(ratio),
        "PRECIS_TRANSLATION_FIXED_LENGTH": "true",
        "PRECIS_CACHE_BYTES": "0",
    }
    env.update({f"PRECIS_{name.upper()}": str(value) for name, value in settings.items()})
    return env


@contextlib.contextmanager
def serving(
    args: argparse.Namespace,
    name: str,
    *,
    metrics: bool = False,
    http: bool = False,
    env: Mapping[str, str] | None = None,
    **settings: object,
) -> Iterator[Server]:
    """A server for `args` (model dir, profile, ratio) with fixed lengths, no cache unless
    `cache_bytes` is given, and `settings` on top; prints how long it took to be SERVING.

    With `metrics`, the server exposes Prometheus metrics (see `batch_stats`); with `http`, the
    HTTP gateway too (`Server.http_base`); `env` adds
    environment variables as they are (e.g. GLIBC_TUNABLES)."""
    if metrics:
        settings["metrics_port"] = free_port()
    server = Server(
        model_dir=args.model_dir,
        profile=args.profile,
        env={**fixed_lengths_env(args.translation_ratio, **settings), **(env or {})},
        log_dir=args.server_log_dir,
        name=name,
        http=http,
    )
    print(f"starting {server.describe()}", flush=True)
    with server:
        print(f"  SERVING after {server.startup_seconds:.0f}s (pid {server.pid})", flush=True)
        yield server


@dataclass(frozen=True)
class BatchStats:
    """What one model did during a run, from the server's Prometheus metrics."""

    calls: int
    texts: int
    input_tokens: int
    seconds: float

    @property
    def mean_batch(self) -> float:
        return self.texts / self.calls if self.calls else 0.0


def batch_stats(server: Server) -> dict[str, BatchStats]:
    """Per model: generate calls, texts, input tokens and inference seconds so far."""
    import urllib.request

    from prometheus_client.parser import text_string_to_metric_families

    port = server.env["PRECIS_METRICS_PORT"]
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as reply:
        text = reply.read().decode()
    values: dict[tuple[str, str], float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if "model" in sample.labels:
                values[sample.name, sample.labels["model"]] = sample.value
    models = sorted({model for _, model in values})
    return {
        m: BatchStats(
            calls=int(values.get(("precis_batch_size_count", m), 0)),
            texts=int(values.get(("precis_batch_size_sum", m), 0)),
            input_tokens=int(values.get(("precis_input_tokens_total", m), 0)),
            seconds=values.get(("precis_inference_seconds_total", m), 0.0),
        )
        for m in models
        if ("precis_batch_size_count", m) in values
    }


def stats_since(
    after: dict[str, BatchStats], before: dict[str, BatchStats]
) -> dict[str, BatchStats]:
    """The difference of two batch_stats snapshots."""
    zero = BatchStats(0, 0, 0, 0.0)
    return {
        m: BatchStats(
            a.calls - before.get(m, zero).calls,
            a.texts - before.get(m, zero).texts,
            a.input_tokens - before.get(m, zero).input_tokens,
            a.seconds - before.get(m, zero).seconds,
        )
        for m, a in after.items()
    }


# -- what the server generates ----------------------------------------------------------------


def server_translation_tokens(
    tokenizer: Any, text: str, *, prefix: str, ratio: float, cap: int
) -> int:
    """Tokens the server decodes to translate `text` with fixed lengths (no early end token).

    As precis_news.pipeline.translation.Translator.texts: the text is split into sentences, and
    each sentence decodes its own bound (translation.translation_lengths with fixed lengths).
    """
    from precis_models.sentences import split_sentences
    from precis_news.pipeline.translation import translation_lengths
    from precis_news.settings import Settings

    sentences = split_sentences(text) or [text]
    inputs = [f"{prefix} {s}" if prefix else s for s in sentences]
    lengths = [len(ids) for ids in tokenizer(inputs)["input_ids"]]
    settings = Settings(translation_length_ratio=ratio, translation_fixed_length=True)
    return sum(longest for _, longest in translation_lengths(lengths, settings, cap=cap))


# -- the naive baseline -----------------------------------------------------------------------


@dataclass
class NaiveModel:
    """One model as a user loads it: tokenizer + AutoModelForSeq2SeqLM, fp32, torch defaults."""

    name: str
    tokenizer: Any
    model: Any
    num_beams: int
    length_penalty: float
    no_repeat_ngram_size: int
    target_tokens: Mapping[str, str]
    max_input_tokens: int

    def generate(self, text: str, new_tokens: int, *, target: str = "") -> tuple[str, int]:
        """What transformers 4's summarization/translation pipelines did for one text, with
        exactly `new_tokens` content tokens (the end token is allowed only after them).

        Returns:
            The decoded text and the number of content tokens generated.
        """
        import torch

        prefix = self.target_tokens.get(target)
        inputs = self.tokenizer(
            f"{prefix} {text}" if prefix else text, return_tensors="pt", truncation=True
        )
        special = set(self.tokenizer.all_special_ids)
        # BART forces <s> first; every model ends with </s>: room for both around the content.
        forced = 1 if self.model.generation_config.forced_bos_token_id is not None else 0
        with torch.inference_mode():
            out = self.model.generate(
                **inputs,
                max_new_tokens=new_tokens + forced + 1,
                min_new_tokens=new_tokens + forced,
                num_beams=self.num_beams,
                length_penalty=self.length_penalty,
                no_repeat_ngram_size=self.no_repeat_ngram_size,
                early_stopping=True,
                do_sample=False,
            )
        ids = [int(i) for i in out[0]]
        content = sum(1 for i in ids if i not in special)
        return self.tokenizer.decode(ids, skip_special_tokens=True), content


class NaiveBaseline:
    """The baseline a user would write: the profile's models in fp32 torch, one call each,
    sequentially (summarize, then translate once per target language).

    transformers 5 removed the summarization and translation pipelines; this is the code they ran
    (tokenize, generate with the model's beam settings, decode).
    """

    def __init__(self, model_dir: Path, profile: str = "bench") -> None:
        import torch
        from transformers import AutoModelForSeq2SeqLM, AutoTokenizer
        from transformers.utils import logging as hf_logging

        from precis_models.catalog import load_catalog

        hf_logging.set_verbosity_error()  # "max_new_tokens and max_length both set", per call
        hf_logging.disable_progress_bar()
        from precis_models.store import transformers_path

        self.profile = load_catalog().profile(profile)
        self.models: dict[str, NaiveModel] = {}
        self.route: dict[tuple[str, str], str] = {}
        started = time.perf_counter()
        for spec in self.profile.models:
            path = transformers_path(spec, model_dir)
            model = AutoModelForSeq2SeqLM.from_pretrained(path, dtype=torch.float32).eval()
            self.models[spec.name] = NaiveModel(
                spec.name,
                AutoTokenizer.from_pretrained(path),
                model,
                spec.decoding.num_beams,
                spec.decoding.length_penalty,
                spec.decoding.no_repeat_ngram_size,
                dict(spec.target_tokens),
                spec.max_input_tokens,
            )
            for pair in spec.pairs:
                self.route[pair] = spec.name
        self.summarizer = self.models[self.profile.summarizer.name]
        self.load_seconds = time.perf_counter() - started
        # Pay torch's lazy initialisation once, as the server's warm-up does.
        for naive in self.models.values():
            naive.generate("Warm up.", 2)

    def translator(self, source: str, target: str) -> NaiveModel:
        return self.models[self.route[source, target]]

    def summarize_and_translate(
        self,
        article: str,
        targets: Sequence[str],
        *,
        summary_tokens: int = SUMMARY_TOKENS,
        translation_tokens: Mapping[str, int],
    ) -> dict[str, NaiveOutput]:
        """The summary in each target language (source: English), one model call at a time."""
        started = time.perf_counter()
        summary, count = self.summarizer.generate(article, summary_tokens)
        outputs = {"en": NaiveOutput(summary, count, time.perf_counter() - started)}
        for target in targets:
            if target != "en":
                started = time.perf_counter()
                text, count = self.translator("en", target).generate(
                    summary, translation_tokens[target], target=target
                )
                outputs[target] = NaiveOutput(text, count, time.perf_counter() - started)
        return outputs


@dataclass(frozen=True)
class NaiveOutput:
    """One step of the naive baseline: its text, content tokens generated and seconds."""

    text: str
    tokens: int
    seconds: float


def server_plan(
    naive: NaiveBaseline, summary: str, targets: Sequence[str], *, ratio: float
) -> dict[str, int]:
    """Tokens the server decodes per target language to translate its English `summary`."""
    plan = {}
    for target in targets:
        if target == "en":
            continue
        model = naive.translator("en", target)
        plan[target] = server_translation_tokens(
            model.tokenizer,
            summary,
            prefix=model.target_tokens.get(target, ""),
            ratio=ratio,
            cap=model.max_input_tokens,
        )
    return plan
