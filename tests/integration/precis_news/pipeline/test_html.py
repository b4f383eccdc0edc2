"""HTML articles over a real channel: a saved news page summarizes to its article text with the
extraction in the metadata; text and html together, pages without an article and markup bombs
get their exact status codes, and the server keeps serving."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import grpc
import pytest

from precis_news.client import PrecisClient, PrecisError
from precis_news.settings import Settings
from tests.support import ROOT, ServerThread, status_of

PAGE = (ROOT / "tests" / "data" / "pages" / "news-en.html").read_text(encoding="utf-8")
TITLE = "Riverside council approves new bridge"


def test_a_saved_news_page_summarizes_to_its_article(client: PrecisClient) -> None:
    response = client.summarize(html=PAGE, targets=["en", "fr"])
    meta = response.metadata
    assert response.detected_language == "en"
    assert [s.language for s in response.summaries] == ["en", "fr"]
    assert all(s.text for s in response.summaries)
    assert meta.html_extracted and meta.html_characters == len(PAGE)
    assert meta.extracted_title == TITLE
    # The title and the article's five paragraphs, not the page's navigation, comments or code.
    assert 900 < meta.input_characters < 1_300 < len(PAGE)
    plain = client.summarize(
        "\n".join(line for line in _article_paragraphs()), title=TITLE, targets=["en"]
    )
    assert plain.metadata.input_characters == meta.input_characters
    assert not plain.metadata.html_extracted and plain.metadata.html_characters == 0


def _article_paragraphs() -> list[str]:
    from precis_news.pipeline.html import extract_article

    page = extract_article(PAGE, max_chars=len(PAGE), max_elements=10_000)
    return page.text.splitlines()


def test_the_stream_reports_the_extraction_last(client: PrecisClient) -> None:
    messages = list(client.stream_summarize(html=PAGE, targets=["en"]))
    assert messages[0].HasField("summary") and messages[-1].HasField("metadata")
    assert messages[-1].metadata.html_extracted
    assert messages[-1].metadata.extracted_title == TITLE


def test_a_given_title_is_kept(client: PrecisClient) -> None:
    response = client.summarize(html=PAGE, title="Bridge vote", targets=["en"])
    assert response.metadata.html_extracted and response.metadata.extracted_title == ""


@pytest.mark.parametrize(
    ("request_kwargs", "message"),
    [
        (
            {"text": "The council met.", "html": PAGE},
            "give the article as text or as html, not both",
        ),
        ({"html": "<html><body><nav><a href='/'>Home</a></nav></body></html>"}, "found no article"),
        ({"html": "\u200b"}, "html is empty"),
        ({"html": "<div>" * 100_000 + "x" + "</div>" * 100_000}, "found no article"),
    ],
    ids=["both", "no-article", "invisible", "deep-nesting"],
)
def test_bad_html_is_invalid_argument(
    client: PrecisClient, request_kwargs: dict[str, str], message: str
) -> None:
    error = status_of(lambda: client.summarize(**request_kwargs, targets=["en"]))
    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert error.details.startswith(message)


def test_markup_bombs_are_refused_and_the_server_keeps_serving(client: PrecisClient) -> None:
    limit = Settings.max_html_chars
    big = "<html><body>" + "<p>x</p>" * (limit // 8) + "</body></html>"  # just over the limit
    error = status_of(lambda: client.summarize(html=big))
    assert error.code == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert error.details == f"html has {len(big)} characters; the limit is {limit} (max_html_chars)"
    assert error.retry_after is None  # retrying cannot help
    # 10 MB of markup is larger than any request the server reads: the transport refuses it.
    huge = "<p>x</p>" * (10 * 2**20 // 8)
    assert status_of(lambda: client.summarize(html=huge)).code == grpc.StatusCode.RESOURCE_EXHAUSTED
    many = "<html><body>" + "<b>a</b>" * 40_000 + "</body></html>"
    error = status_of(lambda: client.summarize(html=many))
    assert error.code == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert error.details.endswith("(max_html_elements)")
    assert client.summarize(html=PAGE, targets=["en"]).summaries  # still serving


def test_concurrent_bombs_and_pages_each_get_their_answer(server: ServerThread) -> None:
    deep = "<html><body>" + "<i>" * 100_000 + "Lost in the depths.</body></html>"
    many = "<html><body>" + "<b>a</b>" * 40_000 + "</body></html>"
    calls = [PAGE, deep, many, PAGE, deep, many]

    def one(html: str) -> str:
        with server.client() as client:
            try:
                return "OK" if client.summarize(html=html, targets=["en"]).summaries else "EMPTY"
            except PrecisError as error:
                return error.code.name

    with ThreadPoolExecutor(len(calls)) as pool:
        codes = list(pool.map(one, calls))
    assert codes == ["OK", "INVALID_ARGUMENT", "RESOURCE_EXHAUSTED"] * 2
