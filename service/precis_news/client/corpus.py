"""`precis summarize-many`: summarize a whole corpus over one or more servers into a JSONL file."""

from __future__ import annotations

import argparse
import functools
import itertools
import json
import logging
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from google.protobuf import json_format

from precis_news.client import (
    Cancelled,
    DeadlineExceeded,
    PrecisClient,
    PrecisError,
    ResourceExhausted,
    Unavailable,
)

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


@dataclass(frozen=True)
class Article:
    """One input article: its id, and where its text comes from."""

    id: str
    text: str | None = None  # JSONL input carries the text
    path: Path | None = None  # folder input reads the file when the article is sent
    title: str = ""

    def read(self) -> str:
        if self.text is not None:
            return self.text
        assert self.path is not None
        return self.path.read_text(encoding="utf-8")


# -- input and output ------------------------------------------------------------------------


def read_articles(source: Path) -> list[Article]:
    """The articles of a folder of .txt files (id: the file name without .txt) or of a JSONL file.

    Raises:
        BatchInputError: missing input, a malformed JSONL line, or an id given twice.
    """
    if source.is_dir():
        articles = [Article(id=p.stem, path=p) for p in sorted(source.glob("*.txt"))]
    elif source.is_file():
        articles = list(_jsonl_articles(source))
    else:
        raise BatchInputError(f"{source}: no such file or folder")
    seen: set[str] = set()
    for article in articles:
        if article.id in seen:
            raise BatchInputError(f"{source}: id {article.id!r} appears twice")
        seen.add(article.id)
    return articles


def _jsonl_articles(source: Path) -> Iterator[Article]:
    with source.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if line.strip():
                yield _jsonl_article(line, f"{source}:{number}")


def _jsonl_article(line: str, where: str) -> Article:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        raise BatchInputError(f"{where}: not JSON ({error.msg})") from error
    if not isinstance(record, dict):
        raise BatchInputError(f"{where}: expected an object with id and text")
    identifier, text, title = record.get("id"), record.get("text"), record.get("title", "")
    if not isinstance(identifier, str | int) or isinstance(identifier, bool):
        raise BatchInputError(f"{where}: id must be a string or an integer")
    if not isinstance(text, str):
        raise BatchInputError(f"{where}: text must be a string")
    if not isinstance(title, str):
        raise BatchInputError(f"{where}: title must be a string")
    return Article(id=str(identifier), text=text, title=title)


def done_ids(out: Path) -> set[str]:
    """Ids already in the output (kept on resume); a last line cut by a crash is dropped.

    Raises:
        BatchInputError: the output holds a line that is not one of ours.
    """
    if not out.exists():
        return set()
    data = out.read_bytes()
    complete = data[: data.rfind(b"\n") + 1]
    if len(complete) != len(data):
        with out.open("r+b") as handle:  # an interrupted write: resend that article
            handle.truncate(len(complete))
    ids = set()
    for number, line in enumerate(complete.decode("utf-8").splitlines(), 1):
        try:
            ids.add(str(json.loads(line)["id"]))
        except (json.JSONDecodeError, KeyError, TypeError) as error:
            raise BatchInputError(f"{out}:{number}: not a summarize-many result line") from error
    return ids


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
    try:
        text = article.read()
    except (OSError, UnicodeDecodeError) as error:
        return _failure(article, "UNREADABLE_INPUT", str(error))
    last: PrecisError | None = None
    for _ in range(pool.attempts):
        index, client = pool.pick()
        try:
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


def run_batch(
    articles: Sequence[Article],
    pool: ServerPool,
    out: Path,
    *,
    request: dict[str, Any],
    jobs: int,
    progress: Callable[[], Any] | None = None,
) -> tuple[int, int]:
    """Summarize `articles` with `jobs` calls in flight, appending one JSON line per article.

    Lines are written by this thread only, whole and flushed, so an interruption leaves at most
    the articles in flight unwritten (a resume sends them again).

    Returns:
        (succeeded, failed) counts.
    """
    succeeded = failed = 0
    pending: set[Future[dict[str, Any]]] = set()
    queue = iter(articles)
    with (
        out.open("a", encoding="utf-8") as sink,
        ThreadPoolExecutor(jobs, thread_name_prefix="summarize-many") as executor,
    ):
        try:
            while True:
                for article in itertools.islice(queue, 2 * jobs - len(pending)):
                    pending.add(executor.submit(summarize_article, pool, article, request))
                if not pending:
                    break
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    record = future.result()
                    sink.write(json.dumps(record, ensure_ascii=False) + "\n")
                    sink.flush()
                    failed += "error" in record
                    succeeded += "error" not in record
                    if progress is not None:
                        progress()
        except BaseException:
            executor.shutdown(wait=False, cancel_futures=True)
            raise
    return succeeded, failed


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
        help="summarize a folder of .txt files or a JSONL file into a JSONL file",
        description="Summarize every article of INPUT (a folder of .txt files, or JSONL lines "
        '{"id", "text", "title"?}) with -j calls in flight, over one or several servers, '
        "appending one JSON line per article (its id, then the response or the error's code and "
        "message) to --out. Ids already in --out are skipped, so a rerun resumes.",
        conflict_handler="resolve",
    )
    parser.add_argument("input", type=Path, metavar="INPUT", help="folder of .txt, or .jsonl")
    add_summary_flags(parser, targets_required=True)
    parser.add_argument("--out", type=Path, required=True, metavar="FILE", help="results (JSONL)")
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
    try:
        articles = read_articles(args.input)
        done = done_ids(args.out)
    except (BatchInputError, OSError, UnicodeDecodeError) as error:
        print(f"precis: {error}", file=sys.stderr)
        return EXIT_USAGE
    todo = [a for a in articles if a.id not in done]
    servers = args.server or [None]  # None: the CLI's default (PRECIS_SERVER or 127.0.0.1)
    pool = ServerPool([make_client(_with_server(args, s)) for s in servers])
    request = {"targets": args.targets, "length": args.length}
    progress = _progress_bar(len(todo), skipped=len(done & {a.id for a in articles}))
    try:
        succeeded, failed = run_batch(
            todo, pool, args.out, request=request, jobs=args.jobs, progress=progress.update
        )
    except KeyboardInterrupt:
        print("precis: interrupted; run the same command again to resume", file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        progress.close()
        pool.close()
    print(
        f"{succeeded} summarized, {failed} failed, {len(articles) - len(todo)} already in "
        f"{args.out}",
        file=sys.stderr,
    )
    return 0 if failed == 0 else 1


def _with_server(args: argparse.Namespace, server: str | None) -> argparse.Namespace:
    return argparse.Namespace(**{**vars(args), "server": server})


def _progress_bar(total: int, *, skipped: int) -> Any:
    """A tqdm bar on stderr (count, rate, ETA); off when stderr is not a terminal."""
    from tqdm import tqdm

    return tqdm(
        total=total,
        unit="article",
        file=sys.stderr,
        disable=None,  # None: only on a terminal
        dynamic_ncols=True,
        postfix={"skipped": skipped} if skipped else None,
    )
