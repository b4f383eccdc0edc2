"""The web page in a real headless Chromium (the system's, driven by Playwright) against live
tiny servers with the extractive summarizer: streaming summaries, hostile articles, the keyboard,
the API key field and errors in plain words."""

from __future__ import annotations

import re
import shutil
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support import ROOT, ServerThread, article, free_port, serve_process, tiny_settings

playwright_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
CHROMIUM = next(
    (p for p in (shutil.which("chromium"), shutil.which("chromium-browser")) if p), None
)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium on PATH (apt-get install -y chromium; .ci/run does)"
)
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
KEY = "page-key"
HOSTILE = (
    'The mayor said <img src=x onerror="window.pwned = 1; alert(1)"> the bridge reopens Monday. '
    "<script>window.pwned = 2; alert(2)</script>Workers repaired the bridge in three weeks. "
    'The city paid <b onmouseover="window.pwned = 3">two million</b> euros for the work.'
)


@pytest.fixture(scope="module")
def served(model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`precis serve --summarizer extractive` with HTTP on a free port: its page's address."""
    port = free_port()
    log = tmp_path_factory.mktemp("browser") / "serve.log"
    with serve_process(
        model_dir, log, "--summarizer", "extractive", "--http-port", str(port)
    ) as process:
        process.wait_serving()
        yield f"http://127.0.0.1:{port}/"


@pytest.fixture(scope="module")
def keyed(model_dir: Path) -> Iterator[str]:
    """An in-process server that wants an API key and takes short articles only."""
    running = ServerThread(
        tiny_settings(model_dir, summarizer="extractive", api_keys=KEY, max_article_chars=2000)
    ).load()
    yield running.http + "/"
    running.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright_api.sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context()
    opened = context.new_page()
    dialogs: list[str] = []
    opened.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    opened.dialogs = dialogs
    yield opened
    context.close()


def test_summaries_stream_into_elements_with_their_lang(page: Any, served: str) -> None:
    expect = playwright_api.expect
    page.goto(served)
    page.get_by_label("Article").fill(article("en"))
    page.get_by_label("French").check()
    page.get_by_label("Ukrainian").check()
    page.get_by_role("button", name="Summarize").click()
    for language in ("fr", "uk"):
        summary = page.locator(f'#summaries [lang="{language}"]')
        expect(summary).to_have_count(1, timeout=60_000)
        assert summary.text_content().strip()
    expect(page.locator("#details")).to_contain_text("Chunks", timeout=60_000)
    expect(page.locator("#detected")).to_contain_text("English")
    expect(page.locator("#details")).to_contain_text("Timings")
    expect(page.locator("#details")).to_contain_text("Truncated")
    assert page.locator("#summaries [lang]").count() == 2
    assert page.locator("#error").is_hidden()
    assert page.locator("#key-field").is_hidden()  # this server wants no key


def test_scripts_and_handlers_in_an_article_run_nothing_and_show_as_text(
    page: Any, served: str
) -> None:
    expect = playwright_api.expect
    page.goto(served)
    page.get_by_label("Article").fill(HOSTILE)
    page.get_by_label("English").check()
    page.get_by_role("button", name="Summarize").click()
    summary = page.locator('#summaries [lang="en"]')
    expect(summary).to_have_count(1, timeout=60_000)
    expect(page.locator("#details")).to_contain_text("Chunks", timeout=60_000)
    text = summary.text_content()
    assert re.search(r"<img|<script|<b ", text), text  # the markup is shown, as text
    assert page.locator("#result img, #result script, #result b").count() == 0
    page.locator("#summaries").hover()
    assert page.evaluate("window.pwned") is None
    assert page.dialogs == []


def test_everything_works_with_the_keyboard(page: Any, served: str) -> None:
    expect = playwright_api.expect
    page.goto(served)
    page.get_by_label("Article").focus()
    page.keyboard.insert_text(article("fr"))
    for wanted in ("uk", "summarize"):
        for _ in range(12):
            page.keyboard.press("Tab")
            focused = page.evaluate("document.activeElement.value || document.activeElement.id")
            if focused == wanted:
                break
        assert focused == wanted, f"Tab never reached {wanted}"
        page.keyboard.press("Space" if wanted == "uk" else "Enter")
    expect(page.locator('#summaries [lang="uk"]')).to_have_count(1, timeout=60_000)
    expect(page.locator("#detected")).to_contain_text("French")


def test_key_field_appears_and_errors_read_in_plain_words(page: Any, keyed: str) -> None:
    expect = playwright_api.expect
    page.goto(keyed)
    expect(page.get_by_label("API key")).to_be_visible()
    page.get_by_label("Article").fill(article("en")[:1500])
    page.get_by_label("API key").fill("wrong")
    page.get_by_role("button", name="Summarize").click()
    expect(page.locator("#error")).to_contain_text("API key is missing or wrong")
    page.get_by_label("API key").fill(KEY)
    page.get_by_label("Article").fill("Long news. " * 400)
    page.get_by_role("button", name="Summarize").click()
    expect(page.locator("#error")).to_contain_text("too large")
    page.get_by_label("Article").fill(article("en")[:1500])
    page.get_by_role("button", name="Summarize").click()
    expect(page.locator("#summaries [lang]")).to_have_count(1, timeout=60_000)
    expect(page.locator("#error")).to_be_hidden()


# -- a page that fits and shows what the API knows -------------------------------------------

# An article whose every sentence carries a long unbroken token: its summary has one too.
UNBROKEN = " ".join(
    f"The council published report {i} at https://example.org/{'x' * 400}/{i} on Monday."
    for i in range(6)
)


GERMAN = next(
    case["text"]
    for case in tomllib.loads((ROOT / "tests" / "data" / "languages.toml").read_text("utf-8"))[
        "refuse"
    ]
    if case["language"] == "de"
)


def _overflow(page: Any) -> int:
    """How far the page is wider than its window (0 when nothing scrolls sideways)."""
    return int(page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth"))


@pytest.mark.parametrize("width", [390, 320])
def test_the_page_fits_a_phone_with_long_unbroken_output(
    browser: Any, served: str, width: int
) -> None:
    expect = playwright_api.expect
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    try:
        page.goto(served)
        expect(page.get_by_label("Ukrainian")).to_be_visible()
        assert _overflow(page) <= 0
        for label in page.locator("#targets label").all():  # each checkbox beside its name
            box, tick = label.bounding_box(), label.locator("input").bounding_box()
            assert box["height"] < 2 * tick["height"] + 8, label.text_content()
        page.get_by_label("Article").fill(UNBROKEN)
        page.get_by_label("English").check()
        page.get_by_label("Show sources").check()
        page.get_by_role("button", name="Summarize").click()
        expect(page.locator('#summaries [lang="en"]')).to_have_count(1, timeout=60_000)
        expect(page.locator("#details")).to_contain_text("Timings", timeout=60_000)
        assert "x" * 400 in page.locator('#summaries [lang="en"]').text_content()
        page.locator(".sentence").first.click()
        expect(page.locator("#article-view mark").first).to_be_visible()
        assert _overflow(page) <= 0
    finally:
        context.close()


def test_a_dropped_pdf_is_refused_in_plain_words(page: Any, served: str) -> None:
    expect = playwright_api.expect
    page.goto(served)
    page.wait_for_function("window.fetch && document.readyState === 'complete'")
    page.wait_for_load_state("networkidle")  # /page.json has arrived
    pdf = b"%PDF-1.4\n%\xd3\xeb\xe9\xe1\n1 0 obj\n<</Type/Catalog>>\nendobj\n" + bytes(range(256))
    page.locator("#file").set_input_files(
        files=[{"name": "report.pdf", "mimeType": "application/pdf", "buffer": pdf}]
    )
    expect(page.locator("#error")).to_have_text(
        "report.pdf is a PDF file: Précis reads plain text or HTML. "
        "Open or paste the article's text instead."
    )
    assert page.get_by_label("Article").input_value() == ""
    page.locator("#file").set_input_files(
        files=[{"name": "notes.txt", "mimeType": "text/plain", "buffer": article("en").encode()}]
    )
    expect(page.locator("#error")).to_be_hidden()
    assert page.get_by_label("Article").input_value() == article("en")


def test_a_refusal_clears_the_sections_of_the_last_answer(page: Any, served: str) -> None:
    expect = playwright_api.expect
    page.goto(served)
    page.get_by_label("Article").fill(article("en"))
    page.get_by_role("button", name="Summarize").click()
    expect(page.locator("#details")).to_contain_text("Timings", timeout=60_000)
    expect(page.get_by_role("heading", name="How it was served")).to_be_visible()
    page.get_by_label("Article").fill(GERMAN)
    page.get_by_role("button", name="Summarize").click()
    expect(page.locator("#error")).to_have_text(
        "The request was not accepted: the article appears to be German (de); supported: en, fr, "
        "uk, ru (if it is in one of them, say which in “Source language”)",
        timeout=60_000,
    )
    for heading in ("Summaries", "How it was served"):
        expect(page.get_by_role("heading", name=heading)).to_be_hidden()
    page.get_by_label("Source language").select_option(label="English")  # the control it names
    page.get_by_role("button", name="Summarize").click()
    expect(page.locator("#details")).to_contain_text("Timings", timeout=60_000)
    expect(page.locator("#error")).to_be_hidden()


def test_findings_and_sources_are_shown_beside_each_summary(page: Any, served: str) -> None:
    expect = playwright_api.expect
    page.goto(served)
    page.wait_for_load_state("networkidle")
    page.get_by_label("Article").fill(article("en"))
    page.get_by_label("English").check()
    page.get_by_label("French").check()
    page.get_by_label("Show sources").check()
    page.get_by_role("button", name="Summarize").click()
    expect(page.locator("#details")).to_contain_text("Timings", timeout=60_000)
    # The tiny translator has random weights: the French summary loses the article's numbers,
    # and the page says so in the registry's words.
    french = page.locator(".summary", has=page.locator('[lang="fr"]'))
    findings = french.locator(".findings li")
    expect(findings.first).to_be_visible()
    assert re.match(r"Check: (dropped|added|changed|names missing)", findings.first.text_content())
    assert findings.first.get_attribute("title")  # the check's meaning, on hover
    english = page.locator(".summary", has=page.locator('[lang="en"]'))
    first = english.locator(".sentence").first
    first.click()
    expect(english.locator(".sources li").first).to_be_visible()
    marked = page.locator("#article-view mark")
    expect(marked.first).to_be_visible()
    assert marked.first.text_content().strip() in article("en")
