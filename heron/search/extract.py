"""Text out of the user's files: plain text, Markdown, HTML, PDF and Word (DOCX), as titled
sections with page numbers and a language; unreadable, unsupported or oversized files are refused.
"""

from __future__ import annotations

import codecs
import io
import logging
import re
import time
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import PurePath

import docx
from docx.opc.exceptions import OpcError
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml.etree import LxmlError  # type: ignore[import-untyped]
from markdown_it import MarkdownIt
from markdown_it.token import Token
from pypdf import PasswordType, PdfReader
from pypdf.errors import DependencyError, LimitReachedError, PyPdfError
from selectolax.lexbor import LexborHTMLParser, LexborNode

from heron.errors import BadDocument, TooLarge, UnsupportedMedia
from heron.language.langid import UNDETERMINED, default_identifier

log = logging.getLogger(__name__)
# pypdf logs what it finds wrong with a broken file; Heron's refusal already says so.
logging.getLogger("pypdf").setLevel(logging.ERROR)

KINDS: dict[str, str] = {
    "text": "plain text",
    "markdown": "Markdown",
    "html": "HTML",
    "pdf": "PDF",
    "docx": "Word (DOCX)",
}
"""The kinds of file Heron reads, by their human names."""

EXTENSIONS: dict[str, tuple[str, ...]] = {
    "text": (".txt", ".text"),
    "markdown": (".md", ".markdown"),
    "html": (".html", ".htm", ".xhtml"),
    "pdf": (".pdf",),
    "docx": (".docx",),
}
"""Each kind's file name extensions, the usual one first (it is the one a 415 names)."""

CONTENT_TYPES: dict[str, str] = {
    "text/plain": "text",
    "text/markdown": "markdown",
    "text/x-markdown": "markdown",
    "text/html": "html",
    "application/xhtml+xml": "html",
    "application/pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
}

# Formats people are likely to send, named so a refusal says what was recognised.
_UNSUPPORTED_EXTENSIONS: dict[str, str] = {
    **dict.fromkeys(
        (".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp", ".tif", ".tiff", ".heic", ".svg"),
        "images",
    ),
    **dict.fromkeys((".mp3", ".wav", ".ogg", ".flac", ".m4a", ".opus"), "audio files"),
    **dict.fromkeys((".mp4", ".mkv", ".mov", ".avi", ".webm"), "videos"),
    **dict.fromkeys((".zip", ".tar", ".gz", ".tgz", ".bz2", ".xz", ".7z", ".rar"), "archives"),
    **dict.fromkeys((".doc", ".rtf", ".odt", ".pages"), "other word processor files"),
    **dict.fromkeys((".xls", ".xlsx", ".ods", ".csv"), "spreadsheets"),
    **dict.fromkeys((".ppt", ".pptx", ".odp", ".key"), "presentations"),
    **dict.fromkeys((".exe", ".dll", ".so", ".dylib", ".bin", ".msi"), "programs"),
    **dict.fromkeys((".epub", ".mobi"), "e-books"),
}
_MAGIC: tuple[tuple[bytes, str, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "images", ".png"),
    (b"\xff\xd8\xff", "images", ".jpg"),
    (b"GIF8", "images", ".gif"),
    (b"MZ", "programs", ".exe"),
    (b"\x7fELF", "programs", ""),
    (b"\x1f\x8b", "archives", ".gz"),
    (b"7z\xbc\xaf\x27\x1c", "archives", ".7z"),
    (b"Rar!", "archives", ".rar"),
    (b"\xd0\xcf\x11\xe0", "other word processor files", ".doc"),
    (b"{\\rtf", "other word processor files", ".rtf"),
    (b"ID3", "audio files", ".mp3"),
    (b"OggS", "audio files", ".ogg"),
    (b"fLaC", "audio files", ".flac"),
)
_PDF_MAGIC = b"%PDF-"
_PDF_MAGIC_WITHIN = 1024
"""Readers accept the header anywhere in the first kilobyte (some files start with junk)."""
_ZIP_MAGIC = b"PK\x03\x04"
_HTML_START = re.compile(
    rb"^(\xef\xbb\xbf)?\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body)\b", re.I | re.S
)
_SNIFF_BYTES = 8192

_MAX_RATIO = 100
"""A DOCX member that unpacks to more than this many times its packed size is a bomb: XML in a
real document packs at most about 20:1."""
_RATIO_FLOOR = 1_000_000
"""Small members may pack unusually well (a run of spaces); only judge ratios above this size."""
_MIN_LANGUAGE_CHARS = 20
"""Fewer non-space characters than this give no reliable language."""
_LANGUAGE_SAMPLE = 3000
"""Characters taken from the start, middle and end of a long text for language detection."""
_MAX_TITLE = 120


@dataclass(frozen=True)
class Section:
    """The text under one heading (or one PDF page)."""

    title: str
    """The heading this text is under ("" if none)."""
    text: str
    page: int | None = None
    """1-based PDF page, else None."""


@dataclass(frozen=True)
class Extracted:
    """A document's text, as read from one file."""

    title: str
    """From <title>, the first H1, PDF metadata or DOCX core properties; for plain text its first
    line; else the file name without extension."""
    kind: str
    """A key of KINDS."""
    sections: tuple[Section, ...]
    language: str
    """ISO 639-1, or "und" when unsure or when there is too little text."""

    @property
    def text(self) -> str:
        """The sections' texts joined by blank lines: what passage offsets point into."""
        return "\n\n".join(section.text for section in self.sections)


def supported() -> str:
    """The supported kinds with their extensions, for messages: 'plain text (.txt), … or PDF'."""
    names = [f"{KINDS[kind]} ({', '.join(EXTENSIONS[kind])})" for kind in KINDS]
    return ", ".join(names[:-1]) + " or " + names[-1]


def _refuse(what: str) -> UnsupportedMedia:
    return UnsupportedMedia(f"{what} are not supported: send {supported()}")


def kind_of(name: str, data: bytes, content_type: str | None = None) -> str:
    """The kind of a file from its first bytes, extension and content type, in that order of
    trust (a PDF named .txt is a PDF). Raises UnsupportedMedia naming the supported kinds."""
    extension = PurePath(name).suffix.lower()
    media_type = (content_type or "").split(";")[0].strip().lower()
    head = data[:_SNIFF_BYTES]
    if _PDF_MAGIC in data[:_PDF_MAGIC_WITHIN]:
        return "pdf"
    if head.startswith(_ZIP_MAGIC):
        if _is_word_zip(data) or extension == ".docx":
            # A broken .docx is a corrupt document (400), not an unsupported one.
            return "docx"
        what = _UNSUPPORTED_EXTENSIONS.get(extension, "archives")
        raise _refuse(f"{what} ({extension or '.zip'})")
    for magic, what, usual in _MAGIC:
        if head.startswith(magic):
            raise _refuse(f"{what} ({extension or usual})" if extension or usual else what)
    if extension in _UNSUPPORTED_EXTENSIONS:
        raise _refuse(f"{_UNSUPPORTED_EXTENSIONS[extension]} ({extension})")
    for kind, extensions in EXTENSIONS.items():
        if extension in extensions:
            if kind in ("pdf", "docx"):
                return kind  # without its magic: corrupt, and extract says so
            return kind if _looks_like_text(head) else _raise_binary(extension)
    if media_type in CONTENT_TYPES and CONTENT_TYPES[media_type] in ("pdf", "docx"):
        return CONTENT_TYPES[media_type]
    if not _looks_like_text(head):
        return _raise_binary(extension or media_type)
    if media_type in CONTENT_TYPES:
        return CONTENT_TYPES[media_type]
    # Text without a known name (README, notes.log): HTML if it says so, else plain text.
    return "html" if _HTML_START.match(head) else "text"


def _raise_binary(what: str) -> str:
    raise _refuse(f"binary files ({what})" if what else "binary files")


def _is_word_zip(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return False


def _looks_like_text(head: bytes) -> bool:
    """No NUL bytes once a UTF-16 byte-order mark is accounted for: binary files have them."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    return b"\x00" not in head


def decode_text(data: bytes) -> str:
    """Bytes as text: UTF-8 (with or without a byte-order mark) or UTF-16 with a BOM; else
    Windows-1252, the usual legacy encoding, and Latin-1 for bytes it leaves undefined."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


class _Deadline:
    """Stops an extraction that runs too long; checked between pages and paragraphs."""

    def __init__(self, name: str, seconds: float) -> None:
        self.name = name
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def check(self) -> None:
        if time.monotonic() > self.end:
            raise TooLarge(
                f"reading {self.name!r} took longer than {self.seconds:g} s: split it into "
                "smaller files"
            )


def extract(
    data: bytes,
    name: str,
    *,
    content_type: str | None = None,
    max_pages: int = 2000,
    max_seconds: float = 30.0,
    max_unpacked_bytes: int = 200_000_000,
) -> Extracted:
    """The text of a file, in sections. Raises UnsupportedMedia (415) for kinds Heron does not
    read, BadDocument (400) for corrupt or password-protected files and files without any text,
    and TooLarge (413) for zip
    bombs, PDFs of more than max_pages pages and extractions longer than max_seconds.

    The time limit is checked between pages and paragraphs, so one pathological page can run
    over it: callers run this in a worker thread, never on the event loop."""
    kind = kind_of(name, data, content_type)
    deadline = _Deadline(name, max_seconds)
    stem = PurePath(name).stem or name
    if kind == "text":
        title, found = _from_text(decode_text(data))
    elif kind == "markdown":
        title, found = _from_markdown(decode_text(data), deadline)
    elif kind == "html":
        title, found = _from_html(data, deadline)
    elif kind == "pdf":
        title, found = _from_pdf(data, name, max_pages, deadline)
    else:
        title, found = _from_docx(data, name, max_unpacked_bytes, deadline)
    sections = tuple(s for s in found if s.text)
    deadline.check()
    if not sections:
        scanned = " (a scan? only its images have the text)" if kind == "pdf" else ""
        raise BadDocument(f"{name!r} has no text{scanned}")
    document = Extracted(
        title=_clean_title(title) or stem,
        kind=kind,
        sections=sections,
        language=UNDETERMINED,
    )
    language = detect_language(document.text)
    log.info(
        "extracted name=%r kind=%s sections=%d chars=%d language=%s",
        name,
        kind,
        len(sections),
        sum(len(s.text) for s in sections),
        language,
    )
    return Extracted(document.title, kind, sections, language)


def detect_language(text: str) -> str:
    """The ISO 639-1 code of a text's language, or "und": judged on samples from its start,
    middle and end, so a long document costs no more than a page."""
    if sum(not c.isspace() for c in text[: _LANGUAGE_SAMPLE * 3]) < _MIN_LANGUAGE_CHARS:
        return UNDETERMINED
    if len(text) > _LANGUAGE_SAMPLE * 3:
        middle = len(text) // 2 - _LANGUAGE_SAMPLE // 2
        text = " ".join(
            (
                text[:_LANGUAGE_SAMPLE],
                text[middle : middle + _LANGUAGE_SAMPLE],
                text[-_LANGUAGE_SAMPLE:],
            )
        )
    return default_identifier().detect([text])[0].code


def _clean_title(title: str) -> str:
    title = " ".join(title.split())
    return title if len(title) <= _MAX_TITLE else title[: _MAX_TITLE - 1].rstrip() + "…"


def _tidy(text: str) -> str:
    """Trailing spaces off every line, runs of blank lines down to one, no outer blank lines."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n").strip()


# Plain text


def _from_text(text: str) -> tuple[str, list[Section]]:
    text = _tidy(text)
    first_line = text.split("\n", 1)[0].strip()
    title = first_line if len(first_line) <= _MAX_TITLE else ""
    return title, [Section("", text)]


# Markdown


def _from_markdown(source: str, deadline: _Deadline) -> tuple[str, list[Section]]:
    parser = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    tokens = parser.parse(source)
    title = ""
    sections: list[Section] = []
    heading = ""
    blocks: list[str] = []
    row: list[str] = []
    rows: list[str] = []

    def flush() -> None:
        sections.append(Section(heading, _tidy("\n\n".join(b for b in blocks if b.strip()))))
        blocks.clear()

    in_heading = False
    for index, token in enumerate(tokens):
        if index % 1000 == 0:
            deadline.check()
        if token.type == "heading_open":
            flush()
            in_heading = True
        elif token.type == "heading_close":
            in_heading = False
        elif token.type == "inline":
            text = _markdown_inline_text(token.children or [])
            if in_heading:
                heading = " ".join(text.split())
                if not title and tokens[index - 1].tag == "h1":
                    title = heading
            elif tokens[index - 1].type in ("th_open", "td_open"):
                row.append(" ".join(text.split()))
            else:
                blocks.append(text)
        elif token.type == "tr_close":
            rows.append(" | ".join(row))
            row = []
        elif token.type == "table_close":
            blocks.append("\n".join(rows))
            rows = []
        elif token.type in ("fence", "code_block"):
            blocks.append(token.content)
        elif token.type == "html_block":
            blocks.append(_html_fragment_text(token.content))
    flush()
    return title, sections


def _markdown_inline_text(children: Iterable[Token]) -> str:
    parts: list[str] = []
    for child in children:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type == "image":
            parts.append(child.content)  # the alt text
        elif child.type == "softbreak":
            parts.append(" ")
        elif child.type == "hardbreak":
            parts.append("\n")
    return "".join(parts)


# HTML

_DROPPED_TAGS = ["script", "style", "noscript", "template", "nav", "iframe", "svg"]
_PAGE_FURNITURE = ("header", "footer")
"""A page's banner and footer are noise, but an article's header holds its heading: these are
dropped only outside <article> and <main>."""
_HEADINGS = {"h1", "h2", "h3"}
_BLOCKS = {
    "address", "article", "aside", "blockquote", "dd", "details", "div", "dl", "dt",
    "figcaption", "figure", "form", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li", "main",
    "ol", "p", "pre", "section", "summary", "table", "td", "th", "tr", "ul", "caption",
}  # fmt: skip
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


def _decode_html(data: bytes) -> str:
    """HTML bytes as text: a byte-order mark, then a declared <meta charset>, then decode_text."""
    if data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return decode_text(data)
    declared = _CHARSET.search(data[:_SNIFF_BYTES])
    if declared is not None:
        try:
            return data.decode(declared.group(1).decode("ascii"), errors="replace")
        except LookupError:
            log.debug("unknown html charset=%r", declared.group(1))
    return decode_text(data)


def _html_fragment_text(html: str) -> str:
    tree = LexborHTMLParser(html)
    tree.strip_tags(_DROPPED_TAGS)
    text = tree.body.text(separator=" ") if tree.body is not None else ""
    return "\n".join(" ".join(line.split()) for line in text.split("\n"))


def _from_html(data: bytes, deadline: _Deadline) -> tuple[str, list[Section]]:
    tree = LexborHTMLParser(_decode_html(data))
    title_node = tree.css_first("title")
    title = title_node.text() if title_node is not None else ""
    tree.strip_tags(_DROPPED_TAGS, recursive=True)
    for node in tree.css(", ".join(_PAGE_FURNITURE)):
        inside = node.parent
        while inside is not None and inside.tag not in ("article", "main"):
            inside = inside.parent
        if inside is None:
            node.decompose()
    if tree.body is None:
        return title, []

    sections: list[Section] = []
    heading = ""
    parts: list[str] = []

    def flush() -> None:
        text = "\n".join(" ".join(line.split()) for line in "".join(parts).split("\n"))
        sections.append(Section(heading, _tidy(text)))
        parts.clear()

    # An explicit stack, not recursion: a hostile page can nest thousands of elements deep.
    stack: list[tuple[LexborNode, bool]] = [(tree.body, False)]
    visited = 0
    while stack:
        node, leaving = stack.pop()
        visited += 1
        if visited % 1000 == 0:
            deadline.check()
        tag = node.tag or ""
        if tag == "br":
            parts.append("\n")
            continue
        if leaving:
            if tag in _BLOCKS:
                parts.append("\n")
            continue
        if tag == "-text":
            parts.append(node.text_content or "")
            continue
        if tag in _HEADINGS:
            flush()
            heading = " ".join(node.text().split())
            if tag == "h1" and not title:
                title = heading
            continue
        if tag in _BLOCKS:
            parts.append("\n")
        stack.append((node, True))
        children = list(node.iter(include_text=True))
        stack.extend((child, False) for child in reversed(children))
    flush()
    return title, sections


# PDF


def _from_pdf(
    data: bytes, name: str, max_pages: int, deadline: _Deadline
) -> tuple[str, list[Section]]:
    # What pypdf raises on garbage besides its own errors: it indexes, unpacks and converts
    # whatever the file holds.
    corrupt = (
        PyPdfError,
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        IndexError,
        AssertionError,
        ArithmeticError,
        RecursionError,
        zlib.error,
        OSError,
        EOFError,
    )
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            # Many PDFs are encrypted with an empty user password, only to restrict printing.
            try:
                unlocked = reader.decrypt("")
            except DependencyError as error:
                raise UnsupportedMedia(
                    f"{name!r} is encrypted with AES, which this server cannot read "
                    "(it needs pypdf[crypto])"
                ) from error
            if unlocked == PasswordType.NOT_DECRYPTED:
                raise BadDocument(f"{name!r} is protected by a password: send it unprotected")
        pages = len(reader.pages)
        if pages > max_pages:
            raise TooLarge(f"{name!r} has {pages} pages; at most {max_pages} are read")
        title = ""
        try:
            metadata = reader.metadata
            title = str(metadata.title or "") if metadata is not None else ""
        except corrupt as error:
            log.debug("unreadable pdf metadata name=%r error=%s", name, error)
        sections = []
        for number, page in enumerate(reader.pages, start=1):
            deadline.check()
            sections.append(Section(title, _tidy(page.extract_text()), page=number))
    except LimitReachedError as error:
        raise TooLarge(f"{name!r} unpacks to more than is allowed: {error}") from error
    except corrupt as error:
        raise BadDocument(f"{name!r} is not a readable PDF: {error}") from error
    return title, sections


# DOCX


def _check_zip(data: bytes, name: str, max_unpacked_bytes: int) -> None:
    """Refuses a zip bomb from its directory alone, before anything is unpacked. The sizes can
    be trusted: zipfile stops at the declared size and fails on a CRC mismatch."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise BadDocument(f"{name!r} is not a readable Word document: {error}") from error
    total = sum(member.file_size for member in members)
    if total > max_unpacked_bytes:
        raise TooLarge(
            f"{name!r} unpacks to {total:,} bytes; at most {max_unpacked_bytes:,} are read"
        )
    for member in members:
        if member.file_size > _RATIO_FLOOR and (
            member.file_size > _MAX_RATIO * max(member.compress_size, 1)
        ):
            raise TooLarge(
                f"{name!r} holds {member.filename!r}, which unpacks to "
                f"{member.file_size // max(member.compress_size, 1):,} times its size: "
                "not a real document"
            )


def _from_docx(
    data: bytes, name: str, max_unpacked_bytes: int, deadline: _Deadline
) -> tuple[str, list[Section]]:
    _check_zip(data, name, max_unpacked_bytes)
    corrupt = (
        OpcError,
        LxmlError,
        zipfile.BadZipFile,
        KeyError,
        ValueError,
        AttributeError,
        TypeError,
        IndexError,
        zlib.error,
        OSError,
        EOFError,
    )
    sections: list[Section] = []
    try:
        document = docx.Document(io.BytesIO(data))
        title = document.core_properties.title or ""
        heading = ""
        lines: list[str] = []

        def flush() -> None:
            sections.append(Section(heading, _tidy("\n".join(lines))))
            lines.clear()

        for count, block in enumerate(document.iter_inner_content()):
            if count % 200 == 0:
                deadline.check()
            if isinstance(block, Paragraph):
                style = block.style.name if block.style is not None else None
                level = _heading_level(style or "")
                if level is not None and block.text.strip():
                    flush()
                    heading = " ".join(block.text.split())
                    if not title and level <= 1:
                        title = heading
                else:
                    lines.append(block.text)
            elif isinstance(block, Table):
                lines.extend(_table_lines(block))
        flush()
    except corrupt as error:
        raise BadDocument(f"{name!r} is not a readable Word document: {error}") from error
    return title, sections


def _heading_level(style: str) -> int | None:
    """0 for the Title style, N for "Heading N", None for other paragraphs."""
    if style == "Title":
        return 0
    match = re.fullmatch(r"Heading (\d)", style)
    return int(match.group(1)) if match else None


def _table_lines(table: Table) -> Iterator[str]:
    for row in table.rows:
        cells: list[str] = []
        for cell in row.cells:
            text = " ".join(cell.text.split())
            # A merged cell appears once for every grid column it spans.
            if text and (not cells or cells[-1] != text):
                cells.append(text)
        if cells:
            yield " | ".join(cells)
