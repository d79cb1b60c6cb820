"""The hostile-input corpus, generated here (no binary files in the repository).

``HOSTILE_FILES``: (id, filename, bytes, words the refusal message must contain) for files
that must be refused with a 4xx and a message, storing nothing. ``HOSTILE_NAMES``: (id, name)
for valid files with hostile names, which must be stored under a random key with a cleaned
display name.
"""

import io
import struct
import zipfile
import zlib

from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from cases.samples import sample_jpeg, sample_pdf


def exe_renamed_pdf() -> bytes:
    """A minimal PE header: MZ stub, PE signature, machine i386."""
    dos = b"MZ" + b"\x90\x00" * 29 + struct.pack("<I", 0x80)
    dos = dos.ljust(0x80, b"\x00")
    return dos + b"PE\x00\x00" + struct.pack("<H", 0x14C) + b"\x00" * 200


def svg_with_script() -> bytes:
    return (
        b'<?xml version="1.0" standalone="no"?>\n'
        b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        b"<script>fetch('/api/v1/cases/').then(r=>r.text()).then(alert)</script></svg>"
    )


def svg_without_prolog() -> bytes:
    return b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'


def html_page() -> bytes:
    return b"<!DOCTYPE html><html><body><script>document.location='//evil.example'</script>"


def xml_xxe() -> bytes:
    return b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>'


def polyglot_html_pdf() -> bytes:
    """Opens as a web page in a browser and as a PDF in lenient readers (%PDF within 1 KB)."""
    return b"<html><!--\n" + sample_pdf("Polyglot") + b"\n--><script>alert(1)</script></html>"


def polyglot_jpeg_zip() -> bytes:
    """A valid JPEG with a ZIP archive appended (a GIFAR-style polyglot)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("payload.html", "<script>alert(1)</script>")
    return sample_jpeg("Polyglot") + buf.getvalue()


def pixel_flood_png(side: int = 10_000) -> bytes:
    """A 100-megapixel 1-bit PNG that compresses to a few kilobytes."""
    raw = b"".join(b"\x00" + b"\x00" * ((side + 7) // 8) for _ in range(side))
    ihdr = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def truncated_jpeg() -> bytes:
    data = sample_jpeg("Truncated")
    return data[: len(data) // 2]


def encrypted_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt(user_password="secret", owner_password="owner")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def pdf_with_javascript() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    action = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert('hello');"),
        }
    )
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def malformed_pdf() -> bytes:
    return b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >>\nendobj\ntrailer <<>>\n%%EOF"


def office_with_macros() -> bytes:
    """A .docm-shaped ZIP: Office Open XML parts plus a VBA project."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        z.writestr("word/document.xml", "<w:document/>")
        z.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0" + b"\x00" * 100)
    return buf.getvalue()


def zip_archive() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("passport.pdf", sample_pdf("In a zip"))
    return buf.getvalue()


def gzip_file() -> bytes:
    import gzip

    return gzip.compress(sample_pdf("Gzipped"))


def ole_office_doc() -> bytes:
    """The header of a legacy Office (OLE compound) file such as a .doc with macros."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


def fake_png_text() -> bytes:
    return b"just some text that claims to be an image"


HOSTILE_FILES: list[tuple[str, str, bytes, str]] = [
    ("exe-renamed-pdf", "passport.pdf", exe_renamed_pdf(), "program"),
    ("svg-with-script", "photo.svg", svg_with_script(), "SVG"),
    ("svg-renamed-jpg", "photo.jpg", svg_without_prolog(), "SVG"),
    ("html", "scan.pdf", html_page(), "web page"),
    ("xml-xxe", "form.xml", xml_xxe(), "XML"),
    ("polyglot-html-pdf", "passport.pdf", polyglot_html_pdf(), "web page"),
    ("polyglot-jpeg-zip", "photo.jpg", polyglot_jpeg_zip(), "ZIP archive"),
    ("pixel-flood-png", "scan.png", pixel_flood_png(), "megapixels"),
    ("truncated-jpeg", "photo.jpg", truncated_jpeg(), "damaged"),
    ("empty", "passport.pdf", b"", "empty"),
    ("encrypted-pdf", "passport.pdf", encrypted_pdf(), "password"),
    ("pdf-with-javascript", "passport.pdf", pdf_with_javascript(), "scripts"),
    ("malformed-pdf", "passport.pdf", malformed_pdf(), "damaged"),
    ("office-with-macros", "cv.docm", office_with_macros(), "Office"),
    ("legacy-office", "cv.doc", ole_office_doc(), "Office"),
    ("zip-archive", "documents.pdf", zip_archive(), "archive"),
    ("gzip", "passport.pdf.gz", gzip_file(), "archive"),
    ("text-as-png", "scan.png", fake_png_text(), "recognise"),
]

HOSTILE_NAMES: list[tuple[str, str]] = [
    ("path-traversal", "../../../../etc/passwd.pdf"),
    ("windows-traversal", "..\\..\\Windows\\System32\\drivers\\etc\\hosts.pdf"),
    ("absolute-path", "/var/lib/postgresql/data/passport.pdf"),
    ("control-characters", "pass\x07port\x1b[31m\x7f\t.pdf"),
    ("255-bytes", "a" * 251 + ".pdf"),
    ("over-255-chars", "b" * 400 + ".pdf"),
    ("multibyte-long", "护照" * 150 + ".pdf"),
    ("rtl-override", "invoice\u202efdp.exe"),
    ("rtl-arabic", "جواز سفر.pdf"),
    ("emoji", "passport 🛂📄✅.pdf"),
    ("dots-only", "...."),
    ("reserved-windows", "CON.pdf"),
]
