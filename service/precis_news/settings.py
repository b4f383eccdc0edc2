"""One frozen Settings object: defaults <- TOML file <- PRECIS_* environment <- CLI flags."""

from __future__ import annotations

import argparse
import dataclasses
import os
import tomllib
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from typing import TypeVar

    from _typeshed import DataclassInstance

    View = TypeVar("View", bound=DataclassInstance)

ENV_PREFIX = "PRECIS_"


def default_model_dir() -> Path:
    """Where models live unless told otherwise: $XDG_CACHE_HOME/precis/models."""
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "precis" / "models"


@dataclass(frozen=True)
class Settings:
    """Everything the server can be told. Each field is also `PRECIS_<NAME>` and `--<name>`."""

    # Network and security.
    host: str = field(default="127.0.0.1", metadata={"help": "address to listen on"})
    port: int = field(default=50051, metadata={"help": "gRPC port (0 picks a free one)"})
    api_keys: tuple[str, ...] = field(
        default=(),
        metadata={
            "help": "accepted API keys (comma-separated); empty = no auth. Prefer api_keys_file "
            "or PRECIS_API_KEYS: --api-keys on the command line is visible to every local user "
            "in ps"
        },
    )
    api_keys_file: Path | None = field(
        default=None,
        metadata={"help": "file of accepted API keys, one per line (# comments); adds to api_keys"},
    )
    tls_cert: Path | None = field(default=None, metadata={"help": "PEM certificate: enables TLS"})
    tls_key: Path | None = field(default=None, metadata={"help": "PEM private key for tls_cert"})
    tls_client_ca: Path | None = field(
        default=None, metadata={"help": "PEM CA bundle: require client certificates (mTLS)"}
    )
    http_port: int = field(
        default=8080,
        metadata={
            "help": "JSON-over-HTTP gateway and web page port on host (0 picks a free one, "
            "-1 = off)"
        },
    )
    cors_origins: tuple[str, ...] = field(
        default=(),
        metadata={
            "help": "origins allowed to call the HTTP gateway from a browser page elsewhere "
            "(comma-separated; * = any); empty = CORS off"
        },
    )
    http_idle_timeout_seconds: float = field(
        default=60.0,
        metadata={
            "help": "an HTTP connection with no request in progress is closed after this long "
            "(as gRPC closes an idle connection)"
        },
    )
    http_header_timeout_seconds: float = field(
        default=10.0,
        metadata={"help": "how long an HTTP request's headers may take once they start"},
    )
    http_send_timeout_seconds: float = field(
        default=30.0,
        metadata={
            "help": "an HTTP client that stops reading an answer is dropped after this long "
            "(its buffered answer is freed)"
        },
    )
    http_max_connections: int = field(
        default=2048,
        metadata={
            "help": "open HTTP connections at once (also kept below the file limit, leaving "
            "descriptors for gRPC, health and the log); past it new ones get 503 and are closed"
        },
    )
    http_max_connections_per_peer: int = field(
        default=256, metadata={"help": "open HTTP connections at once from one peer address"}
    )
    metrics_port: int = field(default=0, metadata={"help": "Prometheus /metrics port (0 = off)"})
    metrics_host: str = field(
        default="127.0.0.1",
        metadata={"help": "address /metrics listens on (0.0.0.0 in the Docker image)"},
    )
    metrics_token: str = field(
        default="",
        metadata={
            "help": "bearer token /metrics requires (empty = none); prefer PRECIS_METRICS_TOKEN"
        },
    )
    # Tracing: each setting, left empty, is read from its standard OpenTelemetry variable.
    otel_traces_exporter: Literal["", "none", "otlp", "console"] = field(
        default="",
        metadata={
            "help": "where request traces go: otlp (OTLP/gRPC), console (stdout) or none; empty "
            "= $OTEL_TRACES_EXPORTER, else none (off, at no cost)"
        },
    )
    otel_exporter_otlp_endpoint: str = field(
        default="",
        metadata={
            "help": "the OTLP/gRPC collector, e.g. http://otel-collector:4317; empty = "
            "$OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or $OTEL_EXPORTER_OTLP_ENDPOINT, else "
            "http://localhost:4317"
        },
    )
    otel_service_name: str = field(
        default="",
        metadata={"help": "service.name of the traces; empty = $OTEL_SERVICE_NAME, else precis"},
    )
    grace_seconds: float = field(
        default=10.0, metadata={"help": "on SIGTERM, how long in-flight calls may finish"}
    )
    max_concurrent_rpcs: int = field(
        default=256,
        metadata={"help": "precis.v1 calls handled at once before RESOURCE_EXHAUSTED (RetryInfo)"},
    )
    max_open_streams: int = field(
        default=64,
        metadata={
            "help": "health Watch and reflection streams open at once (they need no API key) "
            "before RESOURCE_EXHAUSTED"
        },
    )
    max_unread_calls: int = field(
        default=64,
        metadata={
            "help": "calls waiting for their request message at once; a call past them gets "
            "0.25 s for its message, then RESOURCE_EXHAUSTED"
        },
    )
    read_timeout_seconds: float = field(
        default=10.0,
        metadata={
            "help": "how long a call's request message may take to arrive (DEADLINE_EXCEEDED)"
        },
    )
    log_level: str = field(default="INFO", metadata={"help": "DEBUG, INFO, WARNING or ERROR"})

    # Models.
    profile: str = field(default="default", metadata={"help": "model profile from the catalog"})
    model_dir: Path = field(
        default_factory=default_model_dir, metadata={"help": "folder holding fetched models"}
    )
    # The choices of backend and summarizer are precis_models.backends' names (a test checks
    # that they agree): listed here, the `precis` parser lists them without the model layer.
    backend: Literal["ctranslate2", "transformers"] = field(
        default="ctranslate2", metadata={"help": "inference engine"}
    )
    device: Literal["auto", "cpu", "cuda"] = field(default="auto", metadata={"help": "device"})
    compute_type: str = field(
        default="auto",
        metadata={"help": "auto (int8 on CPU, int8_float16 on GPU), int8, float32, float16 ..."},
    )
    threads: int = field(default=0, metadata={"help": "inference threads (0 = all cores)"})
    threads_per_call: int = field(
        default=1,
        metadata={"help": "threads inside one model call (one call per inference thread at once)"},
    )
    model_keep_alive_seconds: float = field(
        default=0.0,
        metadata={
            "help": "0 keeps every model in memory from start; above 0 (CTranslate2 only), a "
            "model's weights are loaded by the first call that needs them and unloaded once "
            "no call has used them this long: less memory where some models sit idle (a "
            "server fed English articles never loads the fr/uk/ru -> en translators), at the "
            "cost of a load on a call that finds its model unloaded"
        },
    )
    background_nice: int = field(
        default=19,
        metadata={
            "help": "nice value of a model's threads while they run only background calls "
            "(batch priority, long work), so that an interactive call starting beside them gets "
            "the core at once instead of waiting for a slot; 0 = off. Needs CTranslate2 on "
            "cpu, threads_per_call 1, and the right to give threads their priority back "
            "(CAP_SYS_NICE): without it a slot is kept for interactive work instead"
        },
    )
    malloc_arenas: int = field(
        default=2,
        metadata={"help": "glibc malloc arenas (0 = glibc default, 8 per core); fewer use less"},
    )
    summarizer: Literal["abstractive", "extractive"] = field(
        default="abstractive",
        metadata={"help": "abstractive (the profile's model) or extractive (no weights)"},
    )

    # Batching and caching.
    max_batch_tokens: int = field(default=4096, metadata={"help": "input tokens in one model call"})
    max_batch_size: int = field(default=32, metadata={"help": "texts in one model call"})
    max_wait_ms: float = field(
        default=5.0, metadata={"help": "how long a batch waits to fill up, in ms"}
    )
    max_queue: int = field(
        default=512,
        metadata={
            "help": "texts waiting per model; a call arriving when other calls' texts fill it "
            "gets RESOURCE_EXHAUSTED (a larger call enters in pieces)"
        },
    )
    max_queue_per_key: int = field(
        default=256,
        metadata={
            "help": "texts one caller (API key, or peer without keys) may have waiting per "
            "model; a call arriving beyond it gets RESOURCE_EXHAUSTED naming this limit "
            "(0 = none)"
        },
    )
    bounded_call_tokens: int = field(
        default=1024,
        metadata={
            "help": "padded input tokens in one model call of batch priority or of long work "
            "(a request with more than this many tokens waiting at a model): bounds how long "
            "interactive work waits for a running call (0 = max_batch_tokens)"
        },
    )
    batch_every: int = field(
        default=4,
        metadata={
            "help": "while interactive and batch work both wait, at least one model call in "
            "this many is batch priority (batch work is never starved)"
        },
    )
    interactive_reserve_seconds: float = field(
        default=2.0,
        metadata={
            "help": "where background calls cannot run niced (see background_nice), how long "
            "one machine slot stays free for interactive work after its last model call (on "
            "more than one slot): longer keeps sparse interactive requests "
            "from waiting for a batch call, at the cost of a core for batch work (0 = only "
            "while interactive work runs or waits)"
        },
    )
    cache_bytes: int = field(
        default=64 * 2**20, metadata={"help": "result cache size in bytes (0 = off)"}
    )

    # Request limits.
    max_article_chars: int = field(
        default=200_000, metadata={"help": "longest accepted article, in characters"}
    )
    max_html_chars: int = field(
        default=2_000_000, metadata={"help": "longest accepted HTML page, in characters"}
    )
    max_html_elements: int = field(
        default=30_000,
        metadata={"help": "most elements in an HTML page (extraction time grows with them)"},
    )
    refuse_unsupported_languages: bool = field(
        default=True,
        metadata={
            "help": "refuse (INVALID_ARGUMENT, naming it) an article detected to be in a "
            "language other than the served ones; off = read it as the closest served one"
        },
    )
    max_target_languages: int = field(default=4, metadata={"help": "targets per request"})
    max_summary_tokens: int = field(default=512, metadata={"help": "largest max_tokens"})
    max_chunks: int = field(
        default=32, metadata={"help": "chunks per article before the rest is left out"}
    )
    long_article: Literal["select", "merge"] = field(
        default="select",
        metadata={
            "help": "an article longer than the summarizer's window: select (its highest-ranked "
            "sentences that fit, reported; bounded cost) or merge (chunk, summarize, merge)"
        },
    )
    max_translate_texts: int = field(default=128, metadata={"help": "texts per Translate call"})
    max_translated_tokens: int = field(
        default=1024,
        metadata={
            "help": "translator tokens of a non-English article translated before summarizing: "
            "a longer one keeps its highest-ranked sentences within this (reported); 0 = all"
        },
    )
    translation_length_ratio: float = field(
        default=1.5, metadata={"help": "max translation tokens per source token (plus 8)"}
    )
    translation_fixed_length: bool = field(
        default=False,
        metadata={"help": "decode translations to their maximum (benchmarks on random weights)"},
    )

    def __post_init__(self) -> None:
        if self.tls_key and not self.tls_cert:
            raise ValueError("tls_key needs tls_cert")
        if self.tls_client_ca and not self.tls_cert:
            raise ValueError("tls_client_ca (mTLS) needs tls_cert and tls_key")
        for name in (
            "max_batch_tokens",
            "max_batch_size",
            "max_queue",
            "batch_every",
            "max_article_chars",
            "max_html_chars",
            "max_html_elements",
            "max_target_languages",
            "max_summary_tokens",
            "max_chunks",
            "max_translate_texts",
            "max_concurrent_rpcs",
            "max_open_streams",
            "max_unread_calls",
            "http_max_connections",
            "http_max_connections_per_peer",
        ):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        for name in (
            "read_timeout_seconds",
            "http_idle_timeout_seconds",
            "http_header_timeout_seconds",
            "http_send_timeout_seconds",
        ):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be above 0, got {getattr(self, name)}")
        for name, lowest, meaning in (
            ("port", 0, "0 (any free port)"),
            ("http_port", -1, "-1 (off), 0 (any free port)"),
            ("metrics_port", 0, "0 (off)"),
        ):
            if not lowest <= getattr(self, name) <= 65535:
                raise ValueError(
                    f"{name} must be {meaning} or a port up to 65535, got {getattr(self, name)}"
                )
        for name in (
            "max_translated_tokens",
            "interactive_reserve_seconds",
            "model_keep_alive_seconds",
        ):
            if not getattr(self, name) >= 0:  # NaN too
                raise ValueError(f"{name} must be at least 0, got {getattr(self, name)}")
        if not 0 <= self.background_nice <= 19:
            raise ValueError(
                f"background_nice must be 0 (off) or a nice value 1-19, got {self.background_nice}"
            )
        if self.model_keep_alive_seconds > 0 and self.backend != "ctranslate2":
            raise ValueError("model_keep_alive_seconds needs backend ctranslate2")

    def view(self, kind: type[View]) -> View:
        """A dataclass of the model layer (its batch limits, its runtime) filled from these
        settings, field by field of the same name: its values, defaults included, come from
        here only.

        Raises:
            AttributeError: `kind` has a field that is not a setting.
        """
        return kind(**{f.name: getattr(self, f.name) for f in fields(kind)})


def read_api_keys(settings: Settings) -> tuple[str, ...]:
    """Every accepted API key: `api_keys` plus the lines of `api_keys_file`.

    Raises:
        ValueError: api_keys_file is set but cannot be read.
    """
    keys = list(settings.api_keys)
    if settings.api_keys_file is not None:
        try:
            lines = settings.api_keys_file.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise ValueError(f"api_keys_file {settings.api_keys_file}: {exc.strerror}") from None
        keys += [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    return tuple(dict.fromkeys(keys))


def _field_types() -> dict[str, Any]:
    return typing.get_type_hints(Settings)


def setting_choices(name: str) -> tuple[str, ...]:
    """The values a setting takes when its type lists them (backend, summarizer, device)."""
    hint = _field_types()[name]
    return typing.get_args(hint) if typing.get_origin(hint) is Literal else ()


def _coerce(name: str, value: Any) -> Any:
    """Turn a TOML, environment or CLI value into the field's type, or raise ValueError."""
    hint = _field_types()[name]
    args = typing.get_args(hint)
    origin = typing.get_origin(hint)
    if origin is Literal:
        if value not in args:
            raise ValueError(f"{name} must be one of {', '.join(args)}, got {value!r}")
        return value
    if hint == tuple[str, ...]:
        items = value.split(",") if isinstance(value, str) else list(value)
        return tuple(item.strip() for item in items if item.strip())
    if Path in (hint, *args):
        return Path(value).expanduser() if value not in (None, "") else None
    if hint is bool:
        if isinstance(value, str):
            return value.lower() in ("1", "true", "yes", "on")
        return bool(value)
    try:
        return hint(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be {hint.__name__}, got {value!r}") from None


def load_settings(
    *,
    config_file: Path | None = None,
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Build the settings from every layer, later layers winning.

    Args:
        config_file: TOML file with top-level keys named like the fields; defaults to
            $PRECIS_CONFIG when set.
        env: environment to read PRECIS_* from (os.environ when None).
        overrides: values from the command line (None values are ignored).

    Returns:
        The frozen settings.

    Raises:
        ValueError: an unknown key or a value of the wrong type, naming the culprit.
    """
    env = os.environ if env is None else env
    names = {f.name for f in fields(Settings)}
    values: dict[str, Any] = {}
    path = config_file or (Path(env["PRECIS_CONFIG"]) if env.get("PRECIS_CONFIG") else None)
    if path is not None:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
        unknown = sorted(set(data) - names)
        if unknown:
            raise ValueError(f"unknown setting(s) in {path}: {', '.join(unknown)}")
        values.update(data)
    for name in names:
        key = ENV_PREFIX + name.upper()
        if key in env:
            values[name] = env[key]
    values.update({k: v for k, v in (overrides or {}).items() if v is not None})
    return Settings(**{name: _coerce(name, value) for name, value in values.items()})


def _shown_default(f: dataclasses.Field[Any]) -> str:
    """A setting's default as `--help` shows it: the real value, never `()` or `None`."""
    factory = f.default_factory
    value = factory() if factory is not dataclasses.MISSING else f.default
    if value in (None, (), ""):
        return "unset"
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)


def add_arguments(
    parser: argparse.ArgumentParser, *, choices: Mapping[str, Sequence[str]] | None = None
) -> None:
    """Add one `--<name>` flag per setting (default None, so unset flags do not override).

    Args:
        parser: the parser to add the flags to.
        choices: allowed values of settings whose type does not list them (e.g. the catalog's
            profiles); Literal-typed settings list their own.
    """
    for f in fields(Settings):
        flag = "--" + f.name.replace("_", "-")
        allowed = setting_choices(f.name) or (choices or {}).get(f.name)
        parser.add_argument(
            flag,
            dest=f.name,
            default=None,
            choices=allowed,
            metavar=f.name.upper() if allowed is None else "{" + ",".join(allowed) + "}",
            help=f"{f.metadata.get('help', '')} [env {ENV_PREFIX}{f.name.upper()}; "
            f"default {_shown_default(f)}]",
        )


def overrides_from(args: argparse.Namespace) -> dict[str, Any]:
    """The settings given on the command line."""
    return {f.name: getattr(args, f.name, None) for f in fields(Settings)}
