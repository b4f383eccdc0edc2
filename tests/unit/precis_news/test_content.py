"""Binary input named by its leading bytes, HTML pages told from prose (precis_news.content)."""

from __future__ import annotations

import zlib

import pytest

from precis_news import content
from tests.support import CORPUS

PROSE = (
    "The city council approved a budget of 4.2 million euros on Tuesday. "
    "The mayor said the money would repair 12 bridges before the winter.\n\n"
    "Opposition members voted against it."
)
FILES = {
    "a PDF file": b"%PDF-1.4\n%\xd3\xeb\xe9\xe1\n1 0 obj\n<</Type/Catalog>>\nendobj\n",
    "a ZIP archive or an office document (.docx, .xlsx, .odt, .epub)": b"PK\x03\x04\x14\x00"
    + b"\x00" * 24
    + b"notes.txt\x8b\x9c",
    "an office document (.docx, .xlsx, .pptx)": b"PK\x03\x04\x14\x00\x06\x00"
    + b"\x08\x00" * 11
    + b"[Content_Types].xml\xac\x92",
    "an OpenDocument file (.odt, .ods, .odp)": b"PK\x03\x04\n\x00"
    + b"\x00" * 24
    + b"mimetypeapplication/vnd.oasis.opendocument.text",
    "an EPUB book": b"PK\x03\x04\n\x00" + b"\x00" * 24 + b"mimetypeapplication/epub+zip",
    "a PNG image": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00",
    "a GIF image": b"GIF89a\x01\x00\x01\x00\x80\x00\x00",
    "a JPEG image": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01",
    "a WebP image": b"RIFF\x24\x00\x00\x00WEBPVP8 \x18\x00",
    "a gzip archive": b"\x1f\x8b\x08\x00" + zlib.compress(PROSE.encode())[:20],
    "a 7-Zip archive": b"7z\xbc\xaf\x27\x1c\x00\x04",
    "a RAR archive": b"Rar!\x1a\x07\x01\x00",
    "an older office document (.doc, .xls, .ppt)": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00",
}


@pytest.mark.parametrize("encoding", ["latin-1", "utf-8", "cp1252"])
@pytest.mark.parametrize("kind", sorted(FILES))
def test_every_signature_is_named_however_the_bytes_were_decoded(kind: str, encoding: str) -> None:
    text = FILES[kind].decode(encoding, errors="replace")
    if kind == "a JPEG image" and encoding == "utf-8":  # no ASCII byte in its signature
        assert content.file_kind(text) == content.BINARY_DATA
    else:
        assert content.file_kind(text) == kind


def test_a_file_is_named_by_its_own_bytes() -> None:
    for kind, data in FILES.items():
        assert content.file_refusal("f", data) == f"f is {kind}: Précis reads plain text or HTML"


def test_gif87a_is_a_gif_too() -> None:
    assert content.file_kind(b"GIF87a\x01\x00".decode("latin-1")) == "a GIF image"


def test_a_byte_order_mark_before_the_signature_is_skipped() -> None:
    assert content.file_kind("\ufeff%PDF-1.7\n") == "a PDF file"


def test_a_riff_file_that_is_not_webp_is_not_an_image() -> None:
    assert content.file_kind("RIFF\x24\x00\x00\x00WAVEfmt ") != "a WebP image"


@pytest.mark.parametrize(
    "text",
    [
        PROSE,
        "How to print: save the page as %PDF-1.4 and send it. " + PROSE,
        "PK is the penalty kick. " + PROSE,
        "GIF8 is not a word. " + PROSE,
        "Caf\ufffd au lait is served until noon. " + PROSE,  # one mis-decoded letter
        "Київ, 12 березня. Міська рада ухвалила бюджет на 4,2 мільйона гривень.",
        "",
    ],
)
def test_texts_are_not_refused(text: str) -> None:
    assert content.file_kind(text) is None


def test_mostly_unreadable_text_is_binary_data() -> None:
    noise = bytes(range(256)) * 8
    assert content.file_kind(noise.decode("latin-1")) == content.BINARY_DATA
    assert content.file_kind(noise.decode("utf-8", errors="replace")) == content.BINARY_DATA
    assert content.file_kind("\ufffd" * 40 + " ok") == content.BINARY_DATA


def test_a_file_is_refused_in_plain_words() -> None:
    assert (
        content.file_refusal("report.pdf", FILES["a PDF file"])
        == "report.pdf is a PDF file: Précis reads plain text or HTML"
    )
    assert content.file_refusal("notes.txt", PROSE.encode()) is None


@pytest.mark.parametrize("language", ["en", "fr", "uk", "ru"])
def test_utf8_articles_in_every_language_are_text(language: str) -> None:
    data = (CORPUS / f"{language}.txt").read_bytes()
    assert content.file_refusal(f"{language}.txt", data) is None
    assert content.file_kind(data.decode("utf-8")) is None


@pytest.mark.parametrize(
    "text",
    [
        "<!DOCTYPE html><html><head><title>News</title></head><body><p>" + PROSE + "</p></body>",
        "\n  <html lang='en'><body><p>" + PROSE + "</p></body></html>",
        "<?xml version='1.0'?>\n<!-- saved -->\n<!doctype html><p>A</p><p>B</p>",
        "<div class='story'><h1>Budget passed</h1><p>" + PROSE + "</p></div>",
    ],
)
def test_html_pages_are_told_from_prose(text: str) -> None:
    assert content.is_html_page(text)


@pytest.mark.parametrize(
    "text",
    [
        PROSE,
        "<p> wraps a paragraph and <div> a block, the course explained. " + PROSE * 3,
        "<p>" + PROSE,  # one tag: a stray paste, still prose
        "Prices rose 3% <b>again</b> and <i>again</i> and <em>again</em>. " + PROSE * 4,
        # markup quoted inside prose, even starting it with an inline element
        'The mayor said <img src=x onerror="alert(1)"> the bridge reopens. <script>x()</script>',
        "<b>Breaking:</b> the mayor said <i>no</i>. <em>More soon.</em> " + PROSE,
    ],
)
def test_prose_that_mentions_tags_is_not_a_page(text: str) -> None:
    assert not content.is_html_page(text)
