"""`precis summarize-many`: summarize a whole corpus over one or more servers into a JSONL file."""

from __future__ import annotations

import argparse
import functools
import itertools
import json
import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from google.protobuf import json_format

from precis_news.client.errors import (
    Cancelled,
    DeadlineExceeded,
    PrecisError,
    ResourceExhausted,
    Unavailable,
)
from precis_news.client.requests import LengthName, language_list
from precis_news.client.sync import PrecisClient

log = logging.getLogger(__name__)

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
# A server that failed with UNAVAILABLE / DEADLINE_EXCEEDED is left out this long, then asked
# for its health before it gets articles again.
COOLDOWN_SECONDS = 5.0
PROBE_TIMEOUT = 1.0
MAX_RETRY_AFTER = 10.0
# Failures that say "this server, not this article": the article goes to the next server.
SERVER_FAILURES = (Unavailable, DeadlineExceeded, Cancelled)


class AddSummaryFlags(Protocol):
    """The CLI's adder of --to and --length (shared with `precis summarize`)."""

    def __call__(self, parser: argparse.ArgumentParser, *, targets_required: bool) -> None: ...


class BatchInputError(ValueError):
    """The input or output file cannot be used (printed, exit 2)."""


# Folder input: these file types, at any depth, whatever the case of their extension.
TEXT_SUFFIXES = (".txt", ".md")
HTML_SUFFIXES = (".html", ".htm")
# The failed ids the last line names (the rest are counted).
NAMED_FAILURES = 5


@dataclass(frozen=True)
class Article:
    """One input article: its id, and where its text comes from.

    An input that cannot be sent (a malformed line, a repeated id) is an Article too, with the
    `problem` recorded as its error, so that it is reported and the run goes on.
    """

    id: str
    text: str | None = None  # JSONL input carries the text
    path: Path | None = None  # folder input reads the file when the article is sent
    title: str = ""
    html: bool = False  # read from an .html file: sent as `html` (the server extracts the text)
    problem: str | None = None  # why this input cannot be sent
    origin: str = ""  # where it was read: "in.jsonl:3" or the file's path

    def read(self) -> str:
        if self.text is not None:
            return self.text
        assert self.path is not None
        return self.path.read_text(encoding="utf-8")


# -- input and output ------------------------------------------------------------------------


def read_articles(source: Path) -> list[Article]:
    """The articles of a folder (.txt, .md, .html at any depth) or of a JSONL file.

    A folder article's id is its path below the folder, without the extension ("a", "2024/b").
    A malformed JSONL line or a repeated id becomes an article with a `problem`, not an error.

    Raises:
        BatchInputError: a missing or unreadable input, or one with nothing to summarize.
    """
    if source.is_dir():
        articles = _folder_articles(source)
        if not articles:
            kinds = ", ".join((*TEXT_SUFFIXES, *HTML_SUFFIXES))
            raise BatchInputError(f"{source}: no {kinds} files in it or below it")
    elif source.is_file():
        articles = list(_jsonl_articles(source))
        if not articles:
            raise BatchInputError(f"{source}: no articles (expected JSON lines with id and text)")
    else:
        raise BatchInputError(f"{source}: no such file or folder")
    return _without_repeats(articles)


def _folder_articles(source: Path) -> list[Article]:
    suffixes = {*TEXT_SUFFIXES, *HTML_SUFFIXES}
    files = sorted(p for p in source.rglob("*") if p.suffix.lower() in suffixes and p.is_file())
    return [
        Article(
            id=p.relative_to(source).with_suffix("").as_posix(),
            path=p,
            html=p.suffix.lower() in HTML_SUFFIXES,
            origin=p.relative_to(source).as_posix(),
        )
        for p in files
    ]


def _without_repeats(articles: list[Article]) -> list[Article]:
    """A second article with an id already seen is recorded under its place, not its id."""
    seen: set[str] = set()
    kept = []
    for article in articles:
        if article.id in seen:
            problem = f"{article.origin}: id {article.id!r} appears more than once"
            article = Article(id=article.origin, problem=problem, origin=article.origin)
        seen.add(article.id)
        kept.append(article)
    return kept


def _jsonl_articles(source: Path) -> Iterator[Article]:
    with source.open("rb") as lines:
        for number, raw in enumerate(lines, 1):
            if raw.strip():
                yield _jsonl_article(raw, f"{source.name}:{number}")


def _jsonl_article(raw: bytes, where: str) -> Article:
    """One JSONL line's article; a line that is not one is an article with a problem."""

    def bad(problem: str) -> Article:
        return Article(id=where, problem=f"{where}: {problem}", origin=where)

    try:
        record = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as error:
        return bad(f"not UTF-8 ({error.reason} at byte {error.start})")
    except json.JSONDecodeError as error:
        return bad(f"not JSON ({error.msg})")
    if not isinstance(record, dict):
        return bad("expected an object with id and text")
    identifier, text, title = record.get("id"), record.get("text"), record.get("title", "")
    if not isinstance(identifier, str | int) or isinstance(identifier, bool):
        return bad("id must be a string or an integer")
    if not isinstance(text, str):
        return bad("text must be a string")
    if not isinstance(title, str):
        return bad("title must be a string")
    return Article(id=str(identifier), text=text, title=title, origin=where)


def json_line(record: dict[str, Any]) -> str:
    """`record` as one line of UTF-8 JSON; a lone surrogate (valid JSON) is kept as an escape."""
    line = json.dumps(record, ensure_ascii=False)
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:
        line = json.dumps(record)  # \udXXX escapes: the same value once read back
    return line + "\n"


@dataclass(frozen=True)
class Ledger:
    """What an earlier run left in the output: the ids it need not send again."""

    done: frozenset[str]
    failed: tuple[str, ...]  # of `done`: ids whose record is an error (kept: retry_failed=False)


def load_output(out: Path, *, retry_failed: bool = True) -> Ledger:
    """Read the output of earlier runs; with `retry_failed`, drop its error records first.

    A last line cut by a crash is dropped (that article is sent again). Dropping error records
    rewrites the file whole (a new file renamed over the old), so an interruption leaves either.

    Raises:
        BatchInputError: the output holds a line that is not one of ours.
    """
    if not out.exists():
        return Ledger(frozenset(), ())
    data = out.read_bytes()
    complete = data[: data.rfind(b"\n") + 1]
    if len(complete) != len(data):
        with out.open("r+b") as handle:  # an interrupted write: resend that article
            handle.truncate(len(complete))
    lines = complete.splitlines(keepends=True)
    records = []
    for number, line in enumerate(lines, 1):
        try:
            record = json.loads(line)
            records.append((str(record["id"]), "error" in record))
        except (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError) as error:
            raise BatchInputError(f"{out}:{number}: not a summarize-many result line") from error
    failed = [identifier for identifier, error in records if error]
    if not retry_failed or not failed:
        return Ledger(frozenset(i for i, _ in records), tuple(failed))
    fresh = out.with_name(f".{out.name}.retry")
    fresh.write_bytes(
        b"".join(line for line, (_, error) in zip(lines, records, strict=True) if not error)
    )
    os.replace(fresh, out)
    return Ledger(frozenset(i for i, error in records if not error), ())


# -- servers ---------------------------------------------------------------------------------


class ServerPool:
    """Clients for one or more servers, taken in turn; a failing server sits out a cooldown."""

    def __init__(self, clients: Sequence[PrecisClient]) -> None:
        self.clients = list(clients)
        self._turn = itertools.count()
        # 0.0: up. Every server starts "back from a cooldown", so its health is asked before
        # its first article: one that is down from the start does not hold calls to a deadline.
        self._down_until = [time.monotonic()] * len(self.clients)
        self._lock = threading.Lock()

    @property
    def attempts(self) -> int:
        """How often one article is tried before its failure is recorded."""
        return max(3, 2 * len(self.clients) + 1)

    def pick(self) -> tuple[int, PrecisClient]:
        """The next server that is up (the one back soonest when all are down)."""
        for _ in range(len(self.clients)):
            with self._lock:
                index = next(self._turn) % len(self.clients)
                down_until = self._down_until[index]
            if down_until == 0.0:
                return index, self.clients[index]
            if time.monotonic() >= down_until and self._healthy(index):
                return index, self.clients[index]
        with self._lock:
            index = min(range(len(self.clients)), key=self._down_until.__getitem__)
        return index, self.clients[index]

    def mark_down(self, index: int) -> None:
        with self._lock:
            self._down_until[index] = time.monotonic() + COOLDOWN_SECONDS

    def _healthy(self, index: int) -> bool:
        try:
            serving = self.clients[index].health(timeout=PROBE_TIMEOUT) == "SERVING"
        except PrecisError:
            serving = False
        with self._lock:
            self._down_until[index] = 0.0 if serving else time.monotonic() + COOLDOWN_SECONDS
        return serving

    def close(self) -> None:
        for client in self.clients:
            client.close()


def summarize_article(
    pool: ServerPool, article: Article, request: dict[str, Any]
) -> dict[str, Any]:
    """One output record: the response (as JSON, proto field names) or the error's code/message.

    A server failure (UNAVAILABLE, DEADLINE_EXCEEDED, CANCELLED) moves the article to the next
    server; RESOURCE_EXHAUSTED with a retry delay waits and tries again; any other error is the
    article's own and is recorded at once.
    """
    if article.problem is not None:
        return _failure(article, "INVALID_INPUT", article.problem)
    try:
        text = article.read()
    except (OSError, UnicodeDecodeError) as error:
        return _failure(article, "UNREADABLE_INPUT", str(error))
    last: PrecisError | None = None
    for _ in range(pool.attempts):
        index, client = pool.pick()
        try:
            if article.html:  # the server extracts the article from the page
                response = client.summarize(html=text, title=article.title, **request)
            else:
                response = client.summarize(text, title=article.title, **request)
        except SERVER_FAILURES as error:
            pool.mark_down(index)
            last = error
        except ResourceExhausted as error:
            if error.retry_after is None:
                return _failure(article, error.code.name, error.details)
            time.sleep(min(error.retry_after, MAX_RETRY_AFTER))
            last = error
        except PrecisError as error:
            return _failure(article, error.code.name, error.details)
        else:
            result = json_format.MessageToDict(response, preserving_proto_field_name=True)
            return {"id": article.id, **result}
    assert last is not None
    return _failure(article, last.code.name, last.details)


def _failure(article: Article, code: str, message: str) -> dict[str, Any]:
    return {"id": article.id, "error": {"code": code, "message": message}}


# -- the run ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CorpusResult:
    """What a corpus run did, and what is left to do.

    Attributes:
        out: the output file.
        summarized: articles summarized by this run.
        failed: ids of the articles this run recorded as errors, in input order.
        kept: articles already in `out` from an earlier run, not sent again.
        kept_failed: of `kept`, ids whose record is an error (only with retry_failed=False).
    """

    out: Path
    summarized: int = 0
    failed: tuple[str, ...] = ()
    kept: int = 0
    kept_failed: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        """No article's record in `out` is an error."""
        return not self.failed and not self.kept_failed

    def report(self) -> str:
        """One line: the counts, which ids failed and how to retry them."""
        line = f"{self.summarized} summarized, {len(self.failed)} failed, {self.kept} already in "
        line += str(self.out)
        if self.failed:
            line += f"; failed: {_some(self.failed)}; rerun the same command to retry them"
        if self.kept_failed:
            line += (
                f"; {len(self.kept_failed)} of those are errors ({_some(self.kept_failed)}): "
                "rerun without --no-retry to retry them"
            )
        return line


def _some(ids: Sequence[str]) -> str:
    shown = [i if i.isprintable() and i == i.strip() and i else repr(i) for i in ids]
    named = ", ".join(shown[:NAMED_FAILURES])
    return named + (f" and {len(ids) - NAMED_FAILURES} more" if len(ids) > NAMED_FAILURES else "")


def run_batch(
    articles: Sequence[Article],
    pool: ServerPool,
    out: Path,
    *,
    request: dict[str, Any],
    jobs: int,
    progress: Callable[[], Any] | None = None,
) -> tuple[int, list[str]]:
    """Summarize `articles` with `jobs` calls in flight, appending one JSON line per article.

    Lines are written by this thread only, whole and flushed, so an interruption leaves at most
    the articles in flight unwritten (a resume sends them again).

    Returns:
        The count summarized, and the ids that failed (in input order).
    """
    succeeded = 0
    failed: list[Article] = []
    pending: dict[Future[dict[str, Any]], Article] = {}
    queue = iter(articles)
    order = {id(a): n for n, a in enumerate(articles)}
    with (
        out.open("a", encoding="utf-8") as sink,
        ThreadPoolExecutor(jobs, thread_name_prefix="summarize-many") as executor,
    ):
        try:
            while True:
                for article in itertools.islice(queue, 2 * jobs - len(pending)):
                    pending[executor.submit(summarize_article, pool, article, request)] = article
                if not pending:
                    break
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    article = pending.pop(future)
                    try:
                        record = future.result()
                    except Exception as error:  # a bug here must not lose the rest of the run
                        log.exception("summarize-many: article %r failed", article.id)
                        record = _failure(
                            article, "CLIENT_ERROR", f"{type(error).__name__}: {error}"
                        )
                    sink.write(json_line(record))
                    sink.flush()
                    if "error" in record:
                        failed.append(article)
                    else:
                        succeeded += 1
                    if progress is not None:
                        progress()
        except BaseException:
            executor.shutdown(wait=False, cancel_futures=True)
            raise
    return succeeded, [a.id for a in sorted(failed, key=lambda a: order[id(a)])]


def summarize_corpus(
    source: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    targets: Sequence[str] | str,
    length: LengthName | None = "medium",
    clients: Sequence[PrecisClient] | PrecisClient | None = None,
    servers: Sequence[str] | str = ("127.0.0.1:50051",),
    jobs: int = 4,
    retry_failed: bool = True,
    progress: Callable[[int, int], Any] | None = None,
    **client_options: Any,
) -> CorpusResult:
    """Summarize a corpus into a JSONL file, as `precis summarize-many` does.

    Example:
        >>> result = summarize_corpus("articles/", "out.jsonl", targets="fr")  # doctest: +SKIP
        >>> result.ok, result.failed
        (True, ())

    Args:
        source: a folder (.txt, .md and .html files at any depth; id = path below it without
            the extension) or a JSONL file of {"id", "text", "title"?} lines.
        out: the results, one JSON line per article (the response, or its error); appended to,
            so a second call resumes.
        targets: languages of the summaries ("fr,uk" or ["fr", "uk"]).
        length: "short", "medium" or "long" (None: the server's default).
        clients: clients to use (left open); when None, one per address of `servers`, made
            with `client_options` (api_key, timeout, root_certificates, ...) and closed after.
        servers: server addresses, articles going to each in turn.
        jobs: calls in flight.
        retry_failed: send again the articles whose earlier record is an error (that record
            is removed first); False leaves every id already in `out` as it is.
        progress: called with (articles written, articles to write): once before the first
            is sent, then once per article written.

    Returns:
        The counts and the ids that failed; `ok` is False while any record in `out` is an error.

    Raises:
        BatchInputError: a missing input, one with nothing to summarize, or an output that is
            not a summarize-many file. A bad line or article is recorded, never raised.
    """
    source, out = Path(source), Path(out)
    articles = read_articles(source)
    ledger = load_output(out, retry_failed=retry_failed)
    todo = [a for a in articles if a.id not in ledger.done]
    written = itertools.count(1)
    if progress is not None:
        progress(0, len(todo))
    given = [clients] if isinstance(clients, PrecisClient) else list(clients or ())
    made = (
        []
        if given
        else [
            PrecisClient(target=s, **client_options)
            for s in ([servers] if isinstance(servers, str) else servers)
        ]
    )
    pool = ServerPool(given or made)
    try:
        summarized, failed = run_batch(
            todo,
            pool,
            out,
            # A corpus run is batch work: interactive callers of the server go first.
            request={"targets": language_list(targets), "length": length, "priority": "batch"},
            jobs=jobs,
            progress=None if progress is None else lambda: progress(next(written), len(todo)),
        )
    finally:
        for client in made:
            client.close()
    ids = {a.id for a in articles}
    return CorpusResult(
        out=out,
        summarized=summarized,
        failed=tuple(failed),
        kept=len(articles) - len(todo),
        kept_failed=tuple(i for i in ledger.failed if i in ids),
    )


# -- the command -----------------------------------------------------------------------------


def add_summarize_many(
    subparsers: Any,
    *,
    add_client_flags: Callable[[argparse.ArgumentParser], None],
    add_summary_flags: AddSummaryFlags,
    make_client: Callable[[argparse.Namespace], PrecisClient],
) -> None:
    """Register `precis summarize-many` (the CLI passes its shared flags and client factory).

    Args:
        subparsers: the `precis` subcommand registry.
        add_client_flags: adds the connection flags (--server, --api-key, --timeout, TLS).
        add_summary_flags: adds --to and --length, as `precis summarize` has them.
        make_client: a client from parsed connection flags.
    """
    parser = subparsers.add_parser(
        "summarize-many",
        help="summarize a folder (.txt, .md, .html) or a JSONL file into a JSONL file",
        description="Summarize every article of INPUT (a folder of .txt, .md and .html files at "
        'any depth, or JSONL lines {"id", "text", "title"?}) with -j calls in flight, over one '
        "or several servers, appending one JSON line per article (its id, then the response or "
        "the error's code and message) to --out. A rerun resumes: ids already summarized in "
        "--out are skipped and the failed ones are sent again. The exit status is 1 while any "
        "article's record is an error.",
        conflict_handler="resolve",
    )
    parser.add_argument(
        "input", type=Path, metavar="INPUT", help="folder of .txt/.md/.html, or .jsonl"
    )
    add_summary_flags(parser, targets_required=True)
    parser.add_argument("--out", type=Path, required=True, metavar="FILE", help="results (JSONL)")
    parser.add_argument(
        "--no-retry",
        dest="retry",
        action="store_false",
        help="leave the errors already in --out as they are (do not send those articles again)",
    )
    parser.add_argument(
        "-j", "--jobs", type=_jobs, default=4, metavar="N", help="calls in flight [default 4]"
    )
    add_client_flags(parser)
    parser.add_argument(
        "--server",
        action="append",
        metavar="HOST:PORT",
        help="a server; repeat it for several (articles go to each in turn, and to the next one "
        "when one fails), or one dns:///HOST:PORT to balance over every address "
        "[env PRECIS_SERVER; default 127.0.0.1:50051]",
    )
    parser.set_defaults(func=functools.partial(_run, make_client))


def _jobs(value: str) -> int:
    try:
        jobs = int(value)
    except ValueError:
        jobs = 0
    if not 1 <= jobs <= 256:
        raise argparse.ArgumentTypeError(f"expected a number of calls from 1 to 256, got {value!r}")
    return jobs


def _run(
    make_client: Callable[[argparse.Namespace], PrecisClient], args: argparse.Namespace
) -> int:
    servers = args.server or [None]  # None: the CLI's default (PRECIS_SERVER or 127.0.0.1)
    clients = [make_client(_with_server(args, s)) for s in servers]
    bar = _ProgressBar()
    try:
        result = summarize_corpus(
            args.input,
            args.out,
            targets=args.targets,
            length=args.length,
            clients=clients,
            jobs=args.jobs,
            retry_failed=args.retry,
            progress=bar.update,
        )
    except (BatchInputError, OSError) as error:
        print(f"precis: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("precis: interrupted; run the same command again to resume", file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        bar.close()
        for client in clients:
            client.close()
    print(result.report(), file=sys.stderr)
    return 0 if result.ok else 1


def _with_server(args: argparse.Namespace, server: str | None) -> argparse.Namespace:
    return argparse.Namespace(**{**vars(args), "server": server})


class _ProgressBar:
    """A tqdm bar on stderr (count, rate, ETA), made once the count is known; off when stderr
    is not a terminal."""

    def __init__(self) -> None:
        self._bar: Any = None

    def update(self, written: int, total: int) -> None:
        if self._bar is None:
            from tqdm import tqdm

            self._bar = tqdm(
                total=total,
                unit="article",
                file=sys.stderr,
                disable=None,  # None: only on a terminal
                dynamic_ncols=True,
            )
        self._bar.update(written - self._bar.n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
