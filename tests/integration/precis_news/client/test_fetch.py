"""Client-side page fetching against a loopback web server: pages, charsets, redirects (limited,
http(s) only), size and type limits, and one clear line for each failure."""

from __future__ import annotations

import socket

import pytest

from precis_news.client.fetch import FetchError, fetch_page, is_url
from tests.support import free_port, web_server

HTML = {"Content-Type": "text/html; charset=utf-8"}
CP1251 = {"Content-Type": "text/html; charset=windows-1251"}
PAGE = "<html><body><article><p>Київ: новини дня.</p></article></body></html>"
META_PAGE = '<html><head><meta charset="windows-1251"></head><body><p>Київ.</p></body></html>'


def _pages(base_redirects: int = 7) -> dict[str, tuple[int, dict[str, str], bytes]]:
    pages: dict[str, tuple[int, dict[str, str], bytes]] = {
        "/page": (200, HTML, PAGE.encode()),
        "/cp1251": (
            200,
            {"Content-Type": "text/html; charset=windows-1251"},
            PAGE.encode("cp1251"),
        ),
        "/no-charset": (200, {"Content-Type": "text/html"}, PAGE.encode()),
        "/meta-charset": (200, {"Content-Type": "text/html"}, META_PAGE.encode("cp1251")),
        "/pdf": (200, {"Content-Type": "application/pdf"}, b"%PDF-1.4"),
        "/big": (200, HTML, b"<p>" + b"x" * 100_000 + b"</p>"),
        "/gone": (410, HTML, b"gone"),
        "/to-ftp": (302, {"Location": "ftp://127.0.0.1/file.html"}, b""),
        "/loop": (302, {"Location": "/loop"}, b""),
        "/hop0": (302, {"Location": "/page"}, b""),
    }
    for n in range(1, base_redirects):
        pages[f"/hop{n}"] = (302, {"Location": f"/hop{n - 1}"}, b"")
    return pages


def test_a_page_and_its_declared_charset() -> None:
    with web_server(_pages()) as base:
        for path in ("/page", "/cp1251", "/no-charset"):
            page = fetch_page(base + path)
            assert page.html == PAGE and page.url == base + path
        assert fetch_page(base + "/meta-charset").html == META_PAGE


def test_redirects_are_followed_up_to_the_limit() -> None:
    with web_server(_pages()) as base:
        page = fetch_page(f"{base}/hop4", max_redirects=5)
        assert page.url == f"{base}/page" and page.html == PAGE
        with pytest.raises(FetchError) as caught:
            fetch_page(f"{base}/hop6", max_redirects=5)
        assert str(caught.value) == f"cannot fetch {base}/hop1: more than 5 redirects"
        with pytest.raises(FetchError) as caught:
            fetch_page(f"{base}/loop")
        assert str(caught.value) == f"cannot fetch {base}/loop: its redirects loop"


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/pdf", "{url} is not an HTML page (Content-Type: application/pdf)"),
        ("/big", "{url} is larger than 50000 bytes"),
        ("/gone", "{url} answered HTTP 410 Gone"),
        ("/missing", "{url} answered HTTP 404 Not Found"),
        ("/to-ftp", "cannot fetch ftp://127.0.0.1/file.html: only http:// and https:// URLs"),
    ],
)
def test_each_failure_is_one_clear_line(path: str, message: str) -> None:
    with web_server(_pages()) as base:
        url = base + path
        with pytest.raises(FetchError) as caught:
            fetch_page(url, max_bytes=50_000)
    assert str(caught.value).startswith(message.format(url=url))
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.com/a.html", "javascript:alert(1)", "http://"]
)
def test_only_http_and_https_urls_with_a_host(url: str) -> None:
    with pytest.raises(FetchError) as caught:
        fetch_page(url)
    assert "only http:// and https:// URLs" in str(caught.value)


def test_a_closed_port_is_one_line() -> None:
    url = f"http://127.0.0.1:{free_port()}/page"
    with pytest.raises(FetchError) as caught:
        fetch_page(url, timeout=5)
    assert str(caught.value).startswith(f"cannot fetch {url}: ")


def test_what_counts_as_a_url() -> None:
    assert is_url("https://example.com/news") and is_url("http://127.0.0.1:8000/")
    assert not is_url("article.html") and not is_url("-") and not is_url("C:\\news.html")


def test_a_server_that_never_answers_times_out() -> None:
    with socket.socket() as silent:  # accepts connections (backlog) and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/page"
        with pytest.raises(FetchError) as caught:
            fetch_page(url, timeout=1)
    assert str(caught.value) in (
        f"cannot fetch {url}: no answer within 1 s",
        f"cannot fetch {url}: timed out",
    )
