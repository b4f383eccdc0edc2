"""Fetching a news page on the client side (the server never fetches URLs): bounded, http(s)."""

from __future__ import annotations

import codecs
import re
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import IO, Any
from urllib.parse import urlsplit

from precis_news import __version__

SCHEMES = ("http", "https")
HTML_TYPES = ("text/html", "application/xhtml+xml")
FETCH_TIMEOUT_S = 20.0  # to connect (each socket wait), and for the whole body
MAX_PAGE_BYTES = 8 * 2**20  # a news page is well under 1 MB; this only stops runaway bodies
MAX_REDIRECTS = 5
READ_BYTES = 64 * 2**10
# <meta charset="windows-1251"> or <meta http-equiv=... content="text/html; charset=koi8-r">, for
# pages served without a charset in their Content-Type (as HTML5 allows in the first 1024 bytes).
META_CHARSET = re.compile(rb"<meta[^>]{0,200}?charset=[\"']?([A-Za-z0-9_.:-]{1,40})", re.IGNORECASE)
SNIFF_BYTES = 4096


class FetchError(Exception):
    """The page could not be fetched; the message is one line saying why."""


@dataclass(frozen=True)
class Page:
    """A fetched HTML page."""

    url: str  # where it was found, after redirects
    html: str


def is_url(value: str) -> bool:
    """Whether a command-line argument is a URL rather than a file name."""
    return "://" in value and bool(urlsplit(value).scheme)


def fetch_page(
    url: str,
    *,
    timeout: float = FETCH_TIMEOUT_S,
    max_bytes: int = MAX_PAGE_BYTES,
    max_redirects: int = MAX_REDIRECTS,
) -> Page:
    """GET an HTML page over http or https.

    Args:
        url: the page's address.
        timeout: seconds to connect (and for each socket wait), and for the whole body.
        max_bytes: the largest body accepted.
        max_redirects: redirects followed before giving up (each to http or https only).

    Raises:
        FetchError: another scheme, a network or HTTP error, too many redirects, a body that is
            not HTML or is larger than max_bytes, or a fetch slower than timeout.
    """
    _check_scheme(url)
    opener = urllib.request.build_opener(_redirects(max_redirects))
    request = urllib.request.Request(url, headers={"User-Agent": f"precis/{__version__}"})
    deadline = time.monotonic() + timeout
    try:
        with opener.open(request, timeout=timeout) as response:
            kind = response.headers.get_content_type()
            if kind not in HTML_TYPES:
                raise FetchError(f"{url} is not an HTML page (Content-Type: {kind})")
            body = _read(response, max_bytes=max_bytes, deadline=deadline, url=url)
            charset = _charset(response.headers.get_content_charset() or _meta_charset(body))
            return Page(response.geturl(), body.decode(charset, "replace"))
    except urllib.error.HTTPError as error:
        if 300 <= error.code < 400:  # urllib's own check: a URL seen twice
            raise FetchError(f"cannot fetch {url}: its redirects loop") from None
        reason = " ".join(str(error.reason).split())
        raise FetchError(f"{url} answered HTTP {error.code} {reason}") from None
    except urllib.error.URLError as error:
        raise FetchError(f"cannot fetch {url}: {' '.join(str(error.reason).split())}") from None
    except TimeoutError:
        raise FetchError(f"cannot fetch {url}: no answer within {timeout:g} s") from None
    except OSError as error:
        raise FetchError(f"cannot fetch {url}: {error.strerror or error}") from None


def _check_scheme(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme.lower() not in SCHEMES or not parts.hostname:
        raise FetchError(f"cannot fetch {url}: only http:// and https:// URLs with a host")


def _redirects(most: int) -> urllib.request.HTTPRedirectHandler:
    """A redirect handler that follows at most `most` redirects, each to http or https."""

    class Limited(urllib.request.HTTPRedirectHandler):
        def redirect_request(
            self, req: Any, fp: IO[bytes], code: int, msg: str, headers: Any, newurl: str
        ) -> Any:
            hops = getattr(req, "precis_hops", 0) + 1
            if hops > most:
                raise FetchError(f"cannot fetch {req.full_url}: more than {most} redirects")
            _check_scheme(newurl)
            new = super().redirect_request(req, fp, code, msg, headers, newurl)
            if new is not None:
                new.precis_hops = hops  # type: ignore[attr-defined]
            return new

    return Limited()


def _read(response: Any, *, max_bytes: int, deadline: float, url: str) -> bytes:
    """The body, refused once it passes max_bytes or the deadline."""
    chunks: list[bytes] = []
    size = 0
    while chunk := response.read(READ_BYTES):
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(f"{url} is larger than {max_bytes} bytes")
        if time.monotonic() > deadline:
            raise TimeoutError
        chunks.append(chunk)
    return b"".join(chunks)


def _meta_charset(body: bytes) -> str:
    """The charset a page declares in a <meta> tag near its start, or ""."""
    found = META_CHARSET.search(body[:SNIFF_BYTES])
    return found.group(1).decode("ascii") if found else ""


def _charset(name: str) -> str:
    """`name` when Python knows the encoding; else UTF-8."""
    try:
        return codecs.lookup(name or "utf-8").name
    except LookupError:
        return "utf-8"
