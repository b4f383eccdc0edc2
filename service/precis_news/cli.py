"""The `precis` command: summarize, translate and inspect through a Précis server."""

from __future__ import annotations

import argparse
import contextlib
import difflib
import ipaddress
import os
import re
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias, cast

# gRPC's C core logs failed TLS handshakes and the like to stderr before the call fails; the
# command prints one line of its own instead. Set before grpc is first imported (the user's own
# GRPC_VERBOSITY wins).
os.environ.setdefault("GRPC_VERBOSITY", "ERROR")

from google.protobuf import json_format

from precis_news import __version__, content, findings
from precis_news.client import DEFAULT_TIMEOUT, LENGTH_NAMES, PrecisClient, PrecisError, Unavailable
from precis_news.client.corpus import add_summarize_many
from precis_news.client.fetch import FetchError, fetch_page, is_url
from precis_news.client.requests import language_list
from precis_news.server.commands import add_server_commands
from precis_news.settings import Settings

if TYPE_CHECKING:
    from google.protobuf.message import Message

    from precis_news._proto import precis_pb2 as pb

Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
Runner: TypeAlias = Callable[[argparse.Namespace], int]

DEFAULT_SERVER = "127.0.0.1:50051"
EXIT_RPC_ERROR = 2
# The server's default max_article_chars: longer inputs are checked against the server's own
# limit (GetInfo) before they are sent.
DOCUMENTED_ARTICLE_LIMIT = Settings.max_article_chars
DOCUMENTED_HTML_LIMIT = Settings.max_html_chars  # the same for HTML pages (max_html_chars)
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
PROGRESS_AFTER_S = 2.0  # a terminal sees "waiting" after this long


# The request fields a server's message may name, as this command's flags (a refusal relayed to
# the command line speaks of --from, not of source_language).
FIELD_FLAGS = {
    "source_language": "--from",
    "target_languages": "--to",
    "target_language": "--to",
    "min_tokens": "--min-tokens",
    "max_tokens": "--max-tokens",
}
_FIELD_NAMES = re.compile(r"\b(" + "|".join(FIELD_FLAGS) + r")\b")


class CommandError(Exception):
    """A problem the user can fix (a missing file, flags that go together): printed, exit 2."""


class _Parser(argparse.ArgumentParser):
    """An argument parser whose (sub)command refuses the flags it does not know itself, with its
    own usage and the closest flag it has (argparse leaves them to the top-level parser, which
    prints `precis`'s usage and no hint)."""

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        parsed, extras = super().parse_known_args(args, namespace)
        if extras:
            self.error(f"unrecognized arguments: {' '.join(map(self._with_hint, extras))}")
        return parsed, extras

    def _with_hint(self, given: str) -> str:
        """`--lenght` -> `--lenght (did you mean --length?)`; the argument itself when no flag of
        this command is close."""
        if not given.startswith("-"):
            return given
        flags = [flag for action in self._actions for flag in action.option_strings]
        close = difflib.get_close_matches(given.split("=", 1)[0], flags, n=1, cutoff=0.6)
        return f"{given} (did you mean {close[0]}?)" if close else given


# -- argument types ---------------------------------------------------------------------------


def _languages(value: str) -> list[str]:
    """`fr,uk, ru` -> ["fr", "uk", "ru"] (used with action="extend", so --to may repeat)."""
    languages = [language.lower() for language in language_list(value)]
    if not languages:
        raise argparse.ArgumentTypeError(f"expected languages such as fr,uk,ru, got {value!r}")
    return languages


def _language(value: str) -> str:
    languages = _languages(value)
    if len(languages) != 1:
        raise argparse.ArgumentTypeError(f"expected one language such as fr, got {value!r}")
    return languages[0]


def _positive_float(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {value!r}") from None
    if number <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {value!r}")
    return number


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value!r}")
    return number


# -- parser -----------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    """The `precis` argument parser; each subcommand sets `func` to its runner."""
    parser = _Parser(
        prog="precis",
        description="Multilingual news summarization (en, fr, uk, ru) over gRPC.",
    )
    parser.add_argument("--version", action="version", version=f"precis {__version__}")
    # (every subcommand's parser is a _Parser too: argparse makes them of the parent's class)
    subparsers = cast("Subparsers", parser.add_subparsers(dest="command", metavar="COMMAND"))
    _add_summarize(subparsers)
    _add_translate(subparsers)
    _add_detect(subparsers)
    _add_info(subparsers)
    _add_health(subparsers)
    add_summarize_many(
        subparsers,
        add_client_flags=_add_client_flags,
        add_summary_flags=_add_summary_flags,
        make_client=_client,
    )
    add_server_commands(subparsers)
    return parser


def _add_client_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("connection")
    group.add_argument(
        "--server",
        metavar="HOST:PORT",
        help="server address; dns:///HOST:PORT balances over every replica "
        f"[env PRECIS_SERVER; default {DEFAULT_SERVER}]",
    )
    group.add_argument(
        "--api-key", metavar="KEY", help="API key sent as a bearer token [env PRECIS_API_KEY]"
    )
    group.add_argument(
        "--timeout",
        type=_positive_float,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"deadline of the call, waiting for the server included [default {DEFAULT_TIMEOUT:g}]",
    )
    group.add_argument(
        "--tls", action="store_true", help="use TLS with the system's root certificates"
    )
    group.add_argument("--tls-ca", type=Path, metavar="FILE", help="PEM CA bundle: enables TLS")
    group.add_argument(
        "--tls-cert", type=Path, metavar="FILE", help="PEM client certificate (mutual TLS)"
    )
    group.add_argument("--tls-key", type=Path, metavar="FILE", help="PEM client key (mutual TLS)")


def _add_summary_flags(parser: argparse.ArgumentParser, *, targets_required: bool) -> None:
    """--to and --length: what `summarize` and `summarize-many` ask of every summary."""
    parser.add_argument(
        "--to",
        dest="targets",
        type=_languages,
        action="extend",
        required=targets_required,
        metavar="LANGS",
        help="languages of the summaries, comma-separated (e.g. fr,uk,ru)"
        + ("" if targets_required else " [default: the source]"),
    )
    parser.add_argument("--length", choices=LENGTH_NAMES, help="summary length [default: medium]")


def _add_source_flag(parser: argparse.ArgumentParser, *, what: str) -> None:
    parser.add_argument(
        "--from",
        dest="source_language",
        type=_language,
        default=None,
        metavar="LANG",
        help=f"language of {what} [default: detect it]",
    )


def _finish(parser: argparse.ArgumentParser, run: Runner, *, json: bool = True) -> None:
    """What every client command ends with: --json (where it prints a response), the
    connection flags, and its runner."""
    if json:
        parser.add_argument(
            "--json", action="store_true", help="print the response as JSON (proto field names)"
        )
    _add_client_flags(parser)
    parser.set_defaults(func=run)


def _add_input(parser: argparse.ArgumentParser, *, what: str, many: bool = False) -> None:
    """FILE (- for stdin) or --text: the same two ways into every command that takes text."""
    parser.add_argument(
        "file",
        nargs="?",
        metavar="FILE",
        help=f"UTF-8 file holding {what}; - reads stdin",
    )
    parser.add_argument(
        "--text",
        action="append" if many else "store",
        metavar="TEXT",
        help=f"{what} given inline instead of FILE" + (" (repeat for more)" if many else ""),
    )


def _add_summarize(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "summarize",
        help="summarize an article into one or more languages",
        description="Summarize an article: FILE (- for stdin), --text, or the URL of a news "
        "page. A .html/.htm file or a URL is sent as HTML: the server extracts the article and "
        "its title. URLs are fetched here, never by the server.",
    )
    _add_input(parser, what="the article (or an http(s):// URL, or a .html file)")
    parser.add_argument(
        "--html", action="store_true", help="the input is an HTML page, whatever its name"
    )
    _add_summary_flags(parser, targets_required=False)
    _add_source_flag(parser, what="the article")
    parser.add_argument("--title", default="", help="the headline")
    parser.add_argument(
        "--min-tokens", type=_positive_int, metavar="N", help="lower bound on summary tokens"
    )
    parser.add_argument(
        "--max-tokens", type=_positive_int, metavar="N", help="upper bound on summary tokens"
    )
    parser.add_argument(
        "--stream", action="store_true", help="print each summary as soon as it is ready"
    )
    parser.add_argument(
        "--sources",
        action="store_true",
        help="ask for the article sentences behind each summary sentence (shown with --json)",
    )
    _finish(parser, _run_summarize)


def _add_translate(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "translate",
        help="translate texts into one language",
        description="Translate texts, each on its own: the non-empty lines of FILE (- for "
        "stdin), or each --text.",
    )
    _add_input(parser, what="the texts, one per line", many=True)
    parser.add_argument(
        "--to",
        dest="target",
        type=_language,
        required=True,
        metavar="LANG",
        help="language to translate into",
    )
    _add_source_flag(parser, what="the texts")
    _finish(parser, _run_translate)


def _add_detect(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "detect",
        help="detect the language of a text",
        description="Print the most likely language of a text (FILE, - for stdin, or --text) "
        "and its confidence.",
    )
    _add_input(parser, what="the text")
    _finish(parser, _run_detect)


def _add_info(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "info",
        help="describe the server",
        description="Print the server's languages, pairs, models, limits, backend and device.",
    )
    _finish(parser, _run_info)


def _add_health(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "health",
        help="check the server's health (exit 0 when SERVING)",
        description="Print the grpc.health.v1 status; exit 0 when SERVING, 1 otherwise, "
        "2 when the server cannot be asked.",
    )
    parser.add_argument(
        "--service", default="", metavar="NAME", help='service name [default: "" (the server)]'
    )
    _finish(parser, _run_health, json=False)


# -- runners ----------------------------------------------------------------------------------


def _target(args: argparse.Namespace) -> str:
    """The server address, checked for the mistakes gRPC would only answer with a timeout."""
    target = args.server or os.environ.get("PRECIS_SERVER") or DEFAULT_SERVER
    scheme, sep, rest = target.partition("://")
    if sep and scheme.lower() in ("http", "https", "grpc", "grpcs", "tcp"):
        hint = " and add --tls" if scheme.lower() in ("https", "grpcs") else ""
        raise CommandError(
            f"--server {target}: gRPC addresses have no {scheme}:// scheme; "
            f"use --server {rest.rstrip('/')}{hint}"
        )
    if target.startswith(("unix:", "unix-abstract:", "vsock:")):
        return target
    host_port = (
        target.rsplit("/", 1)[-1] if target.startswith(("dns:", "ipv4:", "ipv6:")) else target
    )
    host, colon, port = host_port.rpartition(":")
    if not colon or not port.isdigit() or (host.count(":") and not host.startswith("[")):
        raise CommandError(
            f"--server {target}: no port; use HOST:PORT, e.g. --server {host_port or 'HOST'}:50051"
        )
    return target


def _client(args: argparse.Namespace) -> PrecisClient:
    """A client from the connection flags, falling back to PRECIS_SERVER / PRECIS_API_KEY.

    Calls fail at once when the server cannot be reached (no wait_for_ready): a command line
    must say so, not wait out the deadline.
    """
    if (args.tls_cert is None) != (args.tls_key is None):
        raise CommandError("--tls-cert and --tls-key go together (mutual TLS)")
    args.server_address = _target(args)
    return PrecisClient(
        target=args.server_address,
        wait_for_ready=False,
        api_key=args.api_key or os.environ.get("PRECIS_API_KEY") or None,
        timeout=args.timeout,
        root_certificates=_read_bytes(args.tls_ca),
        certificate_chain=_read_bytes(args.tls_cert),
        private_key=_read_bytes(args.tls_key),
        tls=args.tls,
    )


def _read_bytes(path: Path | None) -> bytes | None:
    if path is None:
        return None
    try:
        return path.read_bytes()
    except OSError as error:
        raise CommandError(f"cannot read {path}: {error.strerror or error}") from error


def _input(args: argparse.Namespace) -> Any:
    """The text of FILE (- for stdin) or --text (a list where --text repeats); exactly one."""
    if (args.file is None) == (args.text is None):
        raise CommandError(
            f"`precis {args.command}` takes FILE (- for stdin) or --text TEXT"
            + (", not both" if args.file is not None else "")
        )
    return _read(args.file) if args.text is None else args.text


def _check_size(
    client: PrecisClient, texts: Sequence[str], *, name: str, html: bool = False
) -> None:
    """Refuse, before sending, an input over the server's max_article_chars (max_html_chars
    for an HTML page)."""
    documented, limit_name = (
        (DOCUMENTED_HTML_LIMIT, "max_html_chars")
        if html
        else (DOCUMENTED_ARTICLE_LIMIT, "max_article_chars")
    )
    longest = max((len(text) for text in texts), default=0)
    if longest <= documented:
        return
    with _progress("asking the server for its limits"):
        limit = getattr(client.info().limits, limit_name)
    if longest > limit:
        raise CommandError(
            f"{name} has {longest} characters; the server's limit is {limit} "
            f"({limit_name}): shorten it or split it"
        )


@contextlib.contextmanager
def _progress(label: str) -> Iterator[None]:
    """On a terminal, "precis: <label>... N s" on stderr while the block runs; piped: nothing."""
    if not sys.stderr.isatty():
        yield
        return
    done = threading.Event()

    def tick() -> None:
        began = time.monotonic()
        while not done.wait(0.5):
            elapsed = time.monotonic() - began
            if elapsed >= PROGRESS_AFTER_S:
                print(f"\rprecis: {label}... {elapsed:.0f} s", end="", file=sys.stderr, flush=True)

    ticker = threading.Thread(target=tick, daemon=True)
    ticker.start()
    try:
        yield
    finally:
        done.set()
        ticker.join()
        print("\r\033[K", end="", file=sys.stderr, flush=True)  # clear the line


def _read(source: str) -> str:
    """The text of a UTF-8 file, or of stdin for "-"; a binary file (a PDF, an image, an
    archive) is refused naming its type, before anything is sent."""
    name = "stdin" if source == "-" else source
    try:
        data = _stdin_bytes() if source == "-" else Path(source).read_bytes()
    except OSError as error:
        raise CommandError(f"cannot read {name}: {error.strerror or error}") from error
    refused = content.file_refusal(name, data)
    if refused:
        raise CommandError(refused)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise CommandError(
            f"{name} is not UTF-8 text (at byte {error.start + 1}): save it as UTF-8"
        ) from None


def _stdin_bytes() -> bytes:
    stream = getattr(sys.stdin, "buffer", None)  # a text stream (a test's StringIO) has none
    return stream.read() if stream is not None else sys.stdin.read().encode("utf-8")


def _print_json(message: Message, *, indent: int | None = 2) -> None:
    print(
        json_format.MessageToJson(
            message,
            preserving_proto_field_name=True,
            always_print_fields_with_no_presence=True,
            ensure_ascii=False,
            indent=indent,
        ),
        flush=True,
    )


def _header(summary: pb.Summary) -> str:
    if not summary.translated_from:
        return f"[{summary.language}] (summarized by {summary.model})"
    via = f" via {summary.pivot_language}" if summary.pivot_language else ""
    return (
        f"[{summary.language}] (translated from {summary.translated_from}{via} by {summary.model})"
    )


def _print_summary(summary: pb.Summary, *, first: bool, json: bool = False) -> None:
    if not json:
        if not first:
            print()
        print(_header(summary))
        print(summary.text, flush=True)
    _warn_checks(summary)


def _warn_checks(summary: pb.Summary) -> None:
    """One stderr line for a summary whose numbers or names the server's checks flagged (the
    details are in --json's number_issues and missing_names)."""
    found = findings.plain_line(summary)
    if found:
        print(f"precis: warning: [{summary.language}] check: {found}", file=sys.stderr)


def _warn_truncated(client: PrecisClient, metadata: pb.SummarizeMetadata) -> None:
    if not metadata.truncated:
        return
    # A truncated article has more chunks than the server summarizes; it used max_chunks.
    used = min(metadata.chunks, client.info().limits.max_chunks)
    print(
        f"precis: warning: the article was truncated: {metadata.truncated_characters} "
        f"characters were not summarized ({used} of {metadata.chunks} chunks used)",
        file=sys.stderr,
    )


def _article(args: argparse.Namespace) -> tuple[str, bool]:
    """The article to send and whether it is HTML: a URL is fetched (one line on failure)."""
    if args.file is not None and args.text is None and is_url(args.file):
        try:
            with _progress(f"fetching {args.file}"):
                return fetch_page(args.file).html, True
        except FetchError as error:
            raise CommandError(str(error)) from None
    html = args.html or (args.file or "").lower().endswith(HTML_SUFFIXES)
    article = _input(args)
    # A page saved as .txt is still a page: the server extracts its article either way, but
    # it is held to the HTML limit, not the article's.
    return article, html or (isinstance(article, str) and content.is_html_page(article))


def _run_summarize(args: argparse.Namespace) -> int:
    article, is_html = _article(args)
    text, html = ("", article) if is_html else (article, "")
    request = {
        "html": html,
        "targets": args.targets or (),
        "source_language": args.source_language or "",
        "title": args.title,
        "length": args.length,
        "min_tokens": args.min_tokens,
        "max_tokens": args.max_tokens,
        "include_sources": args.sources,
    }
    with _client(args) as client:
        _check_size(
            client, [article], name="the page's HTML" if is_html else "the article", html=is_html
        )
        if not args.stream:
            with _progress("summarizing"):
                response = client.summarize(text, **request)
            if args.json:
                _print_json(response)
            for index, summary in enumerate(response.summaries):
                _print_summary(summary, first=index == 0, json=args.json)
            _warn_truncated(client, response.metadata)
            return 0
        count = 0
        for message in client.stream_summarize(text, **request):
            if args.json:
                _print_json(message, indent=None)  # one JSON object per line
            if message.HasField("summary"):
                _print_summary(message.summary, first=count == 0, json=args.json)
                count += 1
            if message.HasField("metadata"):
                _warn_truncated(client, message.metadata)
    return 0


def _run_translate(args: argparse.Namespace) -> int:
    given = _input(args)  # the file's text, or the list of --text values
    texts = [line for line in given.splitlines() if line.strip()] if args.text is None else given
    with _client(args) as client, _progress("translating"):
        _check_size(client, texts, name="a text")
        response = client.translate(
            texts, target=args.target, source_language=args.source_language or ""
        )
    if args.json:
        _print_json(response)
    else:
        for translation in response.translations:
            print(translation.text)
    return 0


def _run_detect(args: argparse.Namespace) -> int:
    text = _input(args)
    with _client(args) as client:
        _check_size(client, [text], name="the text")
        response = client.detect_language(text)
    if args.json:
        _print_json(response)
    else:
        print(f"{response.language} {response.confidence:.3f}")
    return 0


def _run_info(args: argparse.Namespace) -> int:
    with _client(args) as client:
        response = client.info()
    if args.json:
        _print_json(response)
        return 0
    print(
        f"precis {response.version}: profile {response.profile}, {response.summarizer} "
        f"summarizer, {response.backend} on {response.device}"
    )
    print(f"languages: {', '.join(response.languages)}")
    print(f"pairs: {', '.join(response.pairs)}")
    print("models:")
    for model in response.models:
        print(
            f"  {model.name}: {model.task} {', '.join(model.languages)} "
            f"({model.repo}@{model.revision}, {model.license})"
        )
    print("limits:")
    for field in response.limits.DESCRIPTOR.fields:
        print(f"  {field.name}: {getattr(response.limits, field.name)}")
    return 0


def _run_health(args: argparse.Namespace) -> int:
    with _client(args) as client:
        status = client.health(args.service)
    print(status)
    return 0 if status == "SERVING" else 1


# -- entry point ------------------------------------------------------------------------------


# What _unreachable says when gRPC's words name no cause (a refused connection, most often).
_RUNNING_THERE = "is `precis serve` running there? Check --server HOST:PORT (or PRECIS_SERVER)"
_NO_CAUSE = (
    _RUNNING_THERE,
    f"{_RUNNING_THERE}; if the server uses TLS, add --tls or --tls-ca FILE",
)
# How long each of a host name's addresses is tried when gRPC named no cause, at most (a listener
# that never answers fails within about 4 s, the client's connection attempt limit).
ADDRESS_PROBE_S = 10.0


def _unreachable(
    error: PrecisError, target: str, *, tls: bool = False, client_cert: bool = False
) -> str | None:
    """One line naming the address and the likely fix, when the server could not be reached.

    A server that answers UNAVAILABLE (loading its models, draining) was reached: its message
    is printed as it is. Only gRPC's own UNAVAILABLE, which comes with no trailers from a
    server, means the address, TLS or name did not work; its text names which, read with the
    flags given (`tls`: --tls or --tls-ca; `client_cert`: --tls-cert).
    """
    if not isinstance(error, Unavailable) or error.answered:
        return None
    return f"precis: cannot reach the server at {target}: {_fix(error.details, tls, client_cert)}"


def _fix(details: str, tls: bool, client_cert: bool) -> str:
    """What gRPC's words about a failed connection mean for the user, and what to change."""
    details = details.lower()
    if "errors resolving" in details or "lookup" in details or "dns" in details:
        return "the host name does not resolve; check --server HOST:PORT (or PRECIS_SERVER)"
    if "wrong_version_number" in details:
        return "it does not use TLS there; drop --tls and --tls-ca (or check the port)"
    if "certificate_verify_failed" in details:
        return "its TLS certificate is not trusted; give the CA that signed it with --tls-ca FILE"
    if "ssl" in details or "handshake" in details or "tls" in details:
        return "TLS did not work; check --tls, --tls-ca and that the server uses TLS"
    if "settings frame" in details or "http/2" in details or "http1" in details:
        return (
            "something listens there but does not speak gRPC (an HTTP server, another "
            "service?); check --server HOST:PORT (or PRECIS_SERVER)"
        )
    if "socket closed" in details and tls and not client_cert:
        return (
            "it closed the connection after the TLS handshake: it may require a client "
            "certificate (mutual TLS); add --tls-cert FILE --tls-key FILE"
        )
    return _NO_CAUSE[0] if tls else _NO_CAUSE[1]


def _host_name(target: str) -> tuple[str, int] | None:
    """(host, port) of a target that names a host (`localhost:8080`, `dns:///news:50051`);
    None for an address (`127.0.0.1:8080`, `ipv6:...`, `unix:...`)."""
    host_port = target.rsplit("/", 1)[-1] if target.startswith("dns:") else target
    host, _, port = host_port.rpartition(":")
    if target.startswith(("ipv4:", "ipv6:", "unix", "vsock:")) or not host or not port.isdigit():
        return None
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return host, int(port)
    return None


def _unreachable_by_address(target: str, *, timeout: float) -> str | None:
    """For a host name that gRPC could not reach without naming a cause: the first cause found
    by trying each of its addresses alone (plaintext).

    gRPC reports only its last attempt: with `localhost` resolving to ::1 and 127.0.0.1, that is
    ::1 refusing, while 127.0.0.1 may be the HTTP port. An address given as such is told apart
    already (_unreachable); this makes a host name's message as precise.
    """
    named = _host_name(target)
    if named is None:
        return None
    host, port = named
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError:
        return None
    for ip in dict.fromkeys(str(sockaddr[0]) for *_, sockaddr in found):
        address = f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"
        scheme = "ipv6" if ":" in ip else "ipv4"
        with PrecisClient(target=f"{scheme}:{address}", wait_for_ready=False, timeout=timeout) as c:
            try:
                c.health()
            except Unavailable as error:
                fix = _fix(error.details, tls=False, client_cert=False)
                if not error.answered and fix not in _NO_CAUSE:
                    return f"precis: cannot reach the server at {target} ({address}): {fix}"
            except PrecisError:
                continue
    return None


def _in_cli_words(details: str) -> str:
    """A server's message with the request fields it names written as this command's flags."""
    return _FIELD_NAMES.sub(lambda match: FIELD_FLAGS[match.group(1)], details)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the `precis` command.

    Args:
        argv: the arguments (without the program name); sys.argv[1:] when None.

    Returns:
        The exit status: 0 on success, 1 for a health check that is not SERVING, 2 for a failed
        call or unusable arguments (argparse's own errors also exit 2).
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:  # `precis` alone: list the commands
        parser.print_help(sys.stderr)
        return EXIT_RPC_ERROR
    try:
        return int(args.func(args))
    except PrecisError as error:
        target = getattr(args, "server_address", DEFAULT_SERVER)
        tls = bool(getattr(args, "tls", False) or getattr(args, "tls_ca", None))
        unreachable = _unreachable(
            error, target, tls=tls, client_cert=getattr(args, "tls_cert", None) is not None
        )
        if unreachable and not tls and unreachable.endswith(_NO_CAUSE):
            probe_s = min(getattr(args, "timeout", ADDRESS_PROBE_S), ADDRESS_PROBE_S)
            unreachable = _unreachable_by_address(target, timeout=probe_s) or unreachable
        print(
            unreachable or f"precis: {error.code.name}: {_in_cli_words(error.details)}",
            file=sys.stderr,
        )
        if error.retry_after is not None:
            print(f"precis: retry after {error.retry_after:g} s", file=sys.stderr)
        return EXIT_RPC_ERROR
    except BrokenPipeError:
        # The reader went away (`precis ... | head`): silence the flush at exit too.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except CommandError as error:
        print(f"precis: {error}", file=sys.stderr)
        return EXIT_RPC_ERROR
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
