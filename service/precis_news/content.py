"""What an input is by its content: plain text, an HTML page, or a binary file read as text."""

# At the package root, like findings.py: the CLI (a client) refuses a binary file before sending
# it, in the server's words, and the web page reads the same signatures (server.http.page).

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# What every refusal of binary input says after naming its type.
READS = "Précis reads plain text or HTML"
# The start of a text that sniffing reads: signatures sit in the first bytes, and a share of
# unreadable characters is judged on this much (the rest of a long text costs nothing).
SNIFF_CHARS = 4000
# A text is binary data when at least this share of its first SNIFF_CHARS (and at least
# MIN_UNREADABLE characters) are U+FFFD or control characters: mis-decoded text has a few,
# bytes read as text (latin-1: a quarter are controls; UTF-8 with replacement: half are U+FFFD)
# have many.
UNREADABLE_SHARE = 0.1
MIN_UNREADABLE = 8
REPLACEMENT = "\ufffd"
BINARY_DATA = "binary data (or text in an encoding other than UTF-8)"


@dataclass(frozen=True)
class Signature:
    """The leading bytes of a kind of file; `None` in `magic` matches any byte."""

    name: str  # what the refusal calls it: "a PDF file"
    magic: tuple[int | None, ...]


def _sig(name: str, magic: bytes, *, tail: bytes = b"", gap: int = 0) -> Signature:
    return Signature(name, (*magic, *(None,) * gap, *tail))


ZIP = _sig("a ZIP archive or an office document (.docx, .xlsx, .odt, .epub)", b"PK\x03\x04")
SIGNATURES: tuple[Signature, ...] = (
    _sig("a PDF file", b"%PDF-"),
    ZIP,
    _sig("a PNG image", b"\x89PNG\r\n\x1a\n"),
    _sig("a GIF image", b"GIF87a"),
    _sig("a GIF image", b"GIF89a"),
    _sig("a JPEG image", b"\xff\xd8\xff"),
    _sig("a WebP image", b"RIFF", gap=4, tail=b"WEBP"),
    _sig("a gzip archive", b"\x1f\x8b"),
    _sig("a 7-Zip archive", b"7z\xbc\xaf\x27\x1c"),
    _sig("a RAR archive", b"Rar!\x1a\x07"),
    _sig("an older office document (.doc, .xls, .ppt)", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"),
)
# What a ZIP archive's first entry says it is (office formats are ZIP archives).
ZIP_KINDS = (
    ("[Content_Types].xml", "an office document (.docx, .xlsx, .pptx)"),
    ("mimetypeapplication/vnd.oasis.opendocument", "an OpenDocument file (.odt, .ods, .odp)"),
    ("mimetypeapplication/epub+zip", "an EPUB book"),
)
_ZIP_ENTRY_CHARS = 120


# A signature matched through U+FFFD (one unknown byte each) needs this many bytes that match
# exactly (fewer where it has fewer ASCII bytes, but one): three U+FFFD at the start of a
# mis-decoded text are not a JPEG (a JPEG decoded as UTF-8 is "binary data").
MIN_EXACT_BYTES = 2


def _head_bytes(text: str) -> list[int | None]:
    """The bytes `text` was decoded from, as far as they can be told: a character under 256 is
    its byte (latin-1), one of cp1252 its byte there, U+FFFD an unknown byte over 0x7f (UTF-8 with
    errors=replace, as browsers decode), any other its UTF-8 bytes."""
    found: list[int | None] = []
    for char in text:
        if ord(char) < 256:
            found.append(ord(char))
        elif char == REPLACEMENT:
            found.append(None)
        else:
            try:
                found.extend(char.encode("cp1252"))
            except UnicodeEncodeError:
                found.extend(char.encode("utf-8"))
    return found


def _signature(head: list[int | None]) -> Signature | None:
    for signature in SIGNATURES:
        if len(head) < len(signature.magic):
            continue
        pairs = list(zip(head, signature.magic, strict=False))
        fits = all(m is None or h == m or (h is None and m > 0x7F) for h, m in pairs)
        exact = sum(1 for h, m in pairs if m is not None and h == m)
        plain = sum(1 for m in signature.magic if m is not None and m < 0x80)
        if fits and exact >= max(1, min(MIN_EXACT_BYTES, plain)):
            return signature
    return None


def _leading(text: str) -> str:
    return text[1:] if text.startswith("\ufeff") else text


def file_kind(text: str) -> str | None:
    """The kind of binary file `text` was decoded from ("a PDF file"), "binary data" when most
    of its start is unreadable, else None (a text, however odd).

    Only the start counts: a PDF's text read as text starts with %PDF- (whatever the decoding);
    an article that mentions %PDF- further on is an article.

    Args:
        text: the input, as the caller sent it (already decoded).

    Returns:
        The refusal's name for the input's kind, or None.
    """
    named = _named_kind(text)
    if named is not None:
        return named
    sample = text[:SNIFF_CHARS]
    unreadable = sum(1 for c in sample if c == REPLACEMENT or _is_control(c))
    if unreadable >= MIN_UNREADABLE and unreadable >= UNREADABLE_SHARE * len(sample):
        return BINARY_DATA
    return None


def _named_kind(text: str) -> str | None:
    """The name of the file type whose signature `text` starts with, else None."""
    head = _leading(text[:_ZIP_ENTRY_CHARS])
    signature = _signature(_head_bytes(head[:16]))
    if signature is ZIP:
        return _zip_kind(head) or ZIP.name
    return signature.name if signature is not None else None


def _zip_kind(head: str) -> str | None:
    return next((name for marker, name in ZIP_KINDS if marker in head), None)


def _is_control(char: str) -> bool:
    """A control character no text has (tabs, newlines and form feeds are text)."""
    return char not in "\t\n\r\f\v" and unicodedata.category(char) == "Cc"


def refusal(what: str, kind: str) -> str:
    """The plain-words refusal of binary input: "doc.pdf is a PDF file: Précis reads plain text
    or HTML".

    Args:
        what: the input's name as the caller knows it (a field, a file).
        kind: what file_kind found.
    """
    return f"{what} is {kind}: {READS}"


def file_refusal(what: str, data: bytes) -> str | None:
    """The refusal of a file's bytes when they are a binary file, else None (see file_kind).

    Args:
        what: the file's name.
        data: its first bytes (SNIFF_CHARS of them are enough).
    """
    # Signatures on the bytes themselves (latin-1 keeps each byte); the unreadable share on
    # UTF-8, which a text file is (UTF-8 read as latin-1 is full of C1 controls).
    kind = _named_kind(data[:_ZIP_ENTRY_CHARS].decode("latin-1")) or file_kind(
        data[:SNIFF_CHARS].decode("utf-8", errors="replace")
    )
    return refusal(what, kind) if kind else None


# The elements of an HTML page: a text that starts with a doctype or one of its skeleton or
# block elements (inline ones like <b> open sentences too) and has several tags is a page.
_BLOCKS = (
    "html|head|body|title|meta|link|script|style|div|p|ul|ol|li|table|h[1-6]|article|section|"
    "header|footer|nav|main|aside|figure|blockquote|form|noscript|iframe"
)
_TAGS = _BLOCKS + "|span|a|br|hr|img|tr|td|th|figcaption|em|strong|b|i|time|svg"
_TAG = re.compile(rf"</?(?:{_TAGS})\b[^<>]{{0,2000}}>", re.IGNORECASE)
_PAGE_START = re.compile(
    rf"\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*(?:<!doctype\s+html|<(?:{_BLOCKS})\b)",
    re.IGNORECASE | re.DOTALL,
)
MIN_TAGS = 3  # "<p>" alone at the start of a text is not a page


def is_html_page(text: str) -> bool:
    """Whether `text` is an HTML page (or a fragment of one) rather than prose: it starts with a
    doctype or a block element and has at least MIN_TAGS tags. Prose with markup inside (an
    article quoting a script) is prose: it is summarized as written.

    Args:
        text: the input (its first SNIFF_CHARS characters are read).
    """
    sample = _leading(text[:SNIFF_CHARS])
    return bool(_PAGE_START.match(sample)) and len(_TAG.findall(sample)) >= MIN_TAGS
