"""Text extraction: every supported kind gives its title, sections, pages and language; other
files, corrupt files and bombs are refused with the right status, quickly."""

from __future__ import annotations

import io
import time
import zipfile

import docx
import pytest
from pypdf import PdfReader, PdfWriter

from heron.errors import HeronError
from heron.search.extract import KINDS, Extracted, decode_text, extract, kind_of

ENGLISH = (
    "The tomato plants need full sun and regular watering during the summer months. "
    "Gardeners should tie the stems to stakes so the fruit does not touch the ground."
)
GERMAN = (
    "Die Tomatenpflanzen brauchen volle Sonne und regelmäßiges Gießen während der "
    "Sommermonate. Gärtner sollten die Stängel an Stäben festbinden, damit die Früchte "
    "nicht den Boden berühren."
)


def make_pdf(pages: list[str], title: str | None = None) -> bytes:
    """A minimal valid PDF, one Helvetica text line per page (WinAnsi, so umlauts work)."""
    objects: list[bytes] = []
    count = len(pages)
    # 1: catalog, 2: page tree, 3: font, then a page and its content stream for each page.
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(count))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {count} >>".encode())
    objects.append(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    )
    for i, text in enumerate(pages):
        escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        stream = b"BT /F1 10 Tf 20 700 Td (" + escaped.encode("cp1252") + b") Tj ET"
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {5 + 2 * i} 0 R >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    info = None
    if title is not None:
        objects.append(f"<< /Title ({title}) >>".encode())
        info = len(objects)
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    trailer = f"<< /Size {len(objects) + 1} /Root 1 0 R"
    trailer += f" /Info {info} 0 R >>" if info else " >>"
    out += b"trailer\n" + trailer.encode() + b"\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def make_docx(title: str | None = "Garden guide") -> bytes:
    document = docx.Document()
    if title is not None:
        document.core_properties.title = title
    document.add_paragraph(ENGLISH)
    document.add_heading("Tomatoes", level=1)
    document.add_paragraph("Tomatoes like warm soil.")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Variety"
    table.cell(0, 1).text = "Days to harvest"
    table.cell(1, 0).text = "Roma"
    table.cell(1, 1).text = "75"
    document.add_heading("Beans", level=2)
    document.add_paragraph("Beans climb.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def status_of(data: bytes, name: str, **limits: int | float) -> tuple[int, str]:
    with pytest.raises(HeronError) as caught:
        extract(data, name, **limits)  # type: ignore[arg-type]
    return caught.value.status, caught.value.detail


# Plain text


def test_plain_text_is_one_section_titled_by_its_first_line() -> None:
    doc = extract(f"Tomato care\n\n{ENGLISH}\n".encode(), "notes.txt")
    assert doc == Extracted("Tomato care", "text", doc.sections, "en")
    assert [(s.title, s.page) for s in doc.sections] == [("", None)]
    assert doc.sections[0].text == f"Tomato care\n\n{ENGLISH}"


def test_german_text_is_detected_as_german() -> None:
    assert extract(GERMAN.encode(), "garten.txt").language == "de"


def test_too_little_text_has_no_language() -> None:
    assert extract(b"ok", "x.txt").language == "und"


def test_text_is_decoded_from_utf8_with_bom_utf16_and_windows_1252() -> None:
    assert decode_text("\ufeffGrüße".encode()) == "Grüße"
    assert decode_text("Grüße – 5 €".encode("utf-16")) == "Grüße – 5 €"
    assert decode_text("Grüße – 5 €".encode("cp1252")) == "Grüße – 5 €"
    # Bytes Windows-1252 leaves undefined fall back to Latin-1 rather than failing.
    assert decode_text(b"caf\xe9 \x81") == "café \x81"
    assert extract("Grüße\n".encode("utf-16"), "gruss.txt").title == "Grüße"


def test_a_long_first_line_leaves_the_file_name_as_title() -> None:
    assert extract(ENGLISH.encode(), "tomato-care.txt").title == "tomato-care"


# Markdown


def test_markdown_has_a_section_per_heading_without_markdown_syntax() -> None:
    source = (
        "Before any heading.\n\n"
        "# Garden guide\n\n"
        f"{ENGLISH} See *the* [**seed list**](https://example.org) and `pH`.\n\n"
        "## Tomatoes\n\n"
        "- Roma\n- San Marzano\n\n"
        "| Variety | Days |\n|---|---|\n| Roma | 75 |\n\n"
        "###### Deep note\n\n"
        "```\nwater = 2\n```\n"
    )
    doc = extract(source.encode(), "guide.md")
    assert doc.kind == "markdown"
    assert doc.title == "Garden guide"
    assert doc.language == "en"
    titles = [s.title for s in doc.sections]
    assert titles == ["", "Garden guide", "Tomatoes", "Deep note"]
    texts = [s.text for s in doc.sections]
    assert texts[0] == "Before any heading."
    assert texts[1].endswith("See the seed list and pH.")
    assert "Roma\n\nSan Marzano" in texts[2]
    assert "Variety | Days\nRoma | 75" in texts[2]
    assert texts[3] == "water = 2"
    assert not any(mark in "".join(texts) for mark in ("*", "#", "[", "`", "---"))


def test_markdown_without_a_top_heading_is_titled_by_its_file_name() -> None:
    doc = extract(b"## Only a subheading\n\nSome text.", "notes/plan.markdown")
    assert (doc.title, doc.sections[0].title) == ("plan", "Only a subheading")


# HTML


def test_html_keeps_the_content_and_drops_scripts_styles_and_page_furniture() -> None:
    html = f"""<!doctype html><html><head><title>Garden guide</title>
    <style>p {{ color: red }}</style><script>track()</script></head><body>
    <header>Site banner</header><nav><a href="/">Home</a></nav>
    <main><article><header><h1>Tomatoes</h1></header>
    <p>{ENGLISH}</p><p>Stake them<br>early.</p>
    <h2>Watering</h2><ul><li>Morning</li><li>Evening</li></ul>
    <h4>Note</h4><p>Not a section.</p>
    <noscript>Enable JavaScript</noscript></article></main>
    <footer>Copyright</footer></body></html>"""
    doc = extract(html.encode(), "guide.html")
    assert (doc.kind, doc.title, doc.language) == ("html", "Garden guide", "en")
    assert [s.title for s in doc.sections] == ["Tomatoes", "Watering"]
    assert doc.sections[0].text == f"{ENGLISH}\n\nStake them\nearly."
    assert doc.sections[1].text == "Morning\n\nEvening\n\nNote\n\nNot a section."
    for noise in ("banner", "Home", "color", "track", "JavaScript", "Copyright"):
        assert noise not in doc.text


def test_html_without_title_is_titled_by_its_first_h1_and_honours_its_charset() -> None:
    html = '<meta charset="windows-1252"><h1>Grüße</h1><p>Schöne Tage.</p>'.encode("cp1252")
    doc = extract(html, "page.htm")
    assert doc.title == "Grüße"
    assert doc.sections[0].text == "Schöne Tage."


# PDF


def test_pdf_has_a_section_per_page_with_page_numbers_and_metadata_title() -> None:
    doc = extract(make_pdf([GERMAN, "", "Seite drei."], title="Gartenbuch"), "garten.pdf")
    assert (doc.kind, doc.title, doc.language) == ("pdf", "Gartenbuch", "de")
    # The empty second page gives no section, and the third keeps its number.
    assert [(s.title, s.page) for s in doc.sections] == [("Gartenbuch", 1), ("Gartenbuch", 3)]
    assert "regelmäßiges Gießen" in doc.sections[0].text
    assert doc.sections[1].text == "Seite drei."


def test_pdf_without_metadata_title_is_titled_by_its_file_name() -> None:
    doc = extract(make_pdf([ENGLISH]), "report-2024.pdf")
    assert doc.title == "report-2024"
    assert doc.sections[0].title == ""


def test_pdf_is_recognised_by_its_bytes_whatever_its_name() -> None:
    assert kind_of("scan.txt", make_pdf(["x"])) == "pdf"
    assert extract(make_pdf([ENGLISH]), "upload", content_type=None).kind == "pdf"


def test_pdf_with_too_many_pages_is_refused_as_too_large() -> None:
    status, detail = status_of(make_pdf(["page"] * 5), "big.pdf", max_pages=3)
    assert status == 413
    assert "5 pages" in detail


def test_corrupt_pdf_is_a_bad_document_naming_the_file() -> None:
    for data in (b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\ngarbage", b"plain text, not a pdf"):
        status, detail = status_of(data, "broken.pdf")
        assert status == 400
        assert "broken.pdf" in detail
    truncated = make_pdf([ENGLISH])[:150]
    assert status_of(truncated, "cut.pdf")[0] == 400


def test_password_protected_pdf_is_a_bad_document_saying_so() -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf([ENGLISH]))))
    writer.encrypt(user_password="secret", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    status, detail = status_of(out.getvalue(), "locked.pdf")
    assert status == 400
    assert "password" in detail


def test_pdf_without_text_is_a_bad_document() -> None:
    status, detail = status_of(make_pdf(["", ""]), "scan.pdf")
    assert status == 400
    assert "no text" in detail


# DOCX


def test_docx_has_sections_by_heading_style_with_table_text() -> None:
    doc = extract(make_docx(), "guide.docx")
    assert (doc.kind, doc.title, doc.language) == ("docx", "Garden guide", "en")
    assert [s.title for s in doc.sections] == ["", "Tomatoes", "Beans"]
    assert doc.sections[0].text == ENGLISH
    assert doc.sections[1].text == (
        "Tomatoes like warm soil.\nVariety | Days to harvest\nRoma | 75"
    )
    assert all(s.page is None for s in doc.sections)


def test_docx_without_core_title_is_titled_by_its_title_style_paragraph() -> None:
    document = docx.Document()
    document.core_properties.title = ""
    document.add_heading("Harvest plan", level=0)
    document.add_paragraph(ENGLISH)
    out = io.BytesIO()
    document.save(out)
    doc = extract(out.getvalue(), "plan.docx")
    assert doc.title == "Harvest plan"


def test_corrupt_docx_is_a_bad_document() -> None:
    whole = make_docx()
    assert status_of(whole[: len(whole) // 2], "cut.docx")[0] == 400
    # A zip with the right part names but no Word package inside.
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<not-xml")
    status, detail = status_of(out.getvalue(), "fake.docx")
    assert status == 400
    assert "fake.docx" in detail


def test_zip_bomb_docx_is_refused_without_unpacking_it() -> None:
    # 250 MB of zeros packs to about 250 KB: written in chunks to stay light on memory.
    out = io.BytesIO()
    chunk = bytes(1 << 20)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            for _ in range(250):
                member.write(chunk)
    bomb = out.getvalue()
    assert len(bomb) < 2_000_000
    started = time.monotonic()
    status, detail = status_of(bomb, "bomb.docx")
    assert status == 413
    assert "bomb.docx" in detail
    assert time.monotonic() - started < 0.5


def test_docx_unpacking_to_more_than_allowed_is_too_large() -> None:
    status, _ = status_of(make_docx(), "guide.docx", max_unpacked_bytes=1000)
    assert status == 413


def test_extraction_running_over_its_time_is_too_large() -> None:
    status, detail = status_of(make_pdf(["page"] * 3), "slow.pdf", max_seconds=-1.0)
    assert status == 413
    assert "longer than" in detail


# Unsupported


@pytest.mark.parametrize(
    ("name", "data", "named"),
    [
        ("photo.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "images (.png)"),
        ("photo", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "images (.png)"),
        ("setup.exe", b"MZ\x90\x00\x03\x00\x00\x00", "programs (.exe)"),
        ("data.bin", b"\x01\x02\x00\x03", "(.bin)"),
        ("blob", b"\x01\x02\x00\x03", "binary files"),
        ("archive.zip", b"PK\x03\x04" + bytes(30), "archives (.zip)"),
        ("sheet.xlsx", b"PK\x03\x04" + bytes(30), "spreadsheets (.xlsx)"),
        ("notes.txt", b"text\x00with NUL bytes", "binary files (.txt)"),
    ],
)
def test_unsupported_files_are_refused_listing_the_supported_kinds(
    name: str, data: bytes, named: str
) -> None:
    with pytest.raises(HeronError) as caught:
        kind_of(name, data)
    assert caught.value.status == 415
    assert named in caught.value.detail
    assert caught.value.detail.endswith(
        "send plain text (.txt, .text), Markdown (.md, .markdown), HTML (.html, .htm, "
        ".xhtml), PDF (.pdf) or Word (DOCX) (.docx)"
    )
    assert status_of(data, name)[0] == 415


def test_kind_comes_from_extension_then_content_type_then_content() -> None:
    assert kind_of("a.md", b"# x") == "markdown"
    assert kind_of("a.HTM", b"plain words") == "html"
    assert kind_of("upload", b"# x", "text/markdown; charset=utf-8") == "markdown"
    assert kind_of("README", b"<!DOCTYPE html><html><p>x</p></html>") == "html"
    assert kind_of("page", b"\xef\xbb\xbf<html><p>x</p></html>") == "html"
    assert kind_of("notes.log", b"just some words") == "text"
    assert kind_of("guide.bin", make_docx()) == "docx"
    assert set(KINDS) == {"text", "markdown", "html", "pdf", "docx"}
