"""Hostile documents for the isolation tests, built on the fly: small files that cost a parser far more memory or
time than their size suggests, while passing every check made before parsing (sizes, zip ratios, pixel counts)."""

from __future__ import annotations

import io
import os
import struct
import zipfile
import zlib

import openpyxl


def xlsx_memory_bomb(rows: int = 12_000, cell_chars: int = 10_000) -> bytes:
    """A workbook whose one sheet holds `rows` long inline strings: about 1 MB compressed, `rows × cell_chars` bytes
    unpacked in one part, a ratio under the zip-bomb check's 200 (each string ends in random characters)."""
    book = openpyxl.Workbook()
    book.active["A1"] = "text"
    plain = io.BytesIO()
    book.save(plain)
    out = io.BytesIO()
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                target.writestr(info, source.read(info))
                continue
            with target.open(info.filename, "w", force_zip64=True) as sheet:
                sheet.write(
                    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
                    b'<row r="1"><c r="A1" t="inlineStr"><is><t>text</t></is></c></row>'
                )
                filler = b"x" * cell_chars
                for number in range(2, rows + 2):
                    noise = os.urandom(40).hex().encode()
                    sheet.write(b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>%s%s</t></is></c></row>' % (number, number, filler, noise))
                sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


def xlsx_zip_bomb() -> bytes:
    """The classic kind: one part of 400 MB of zeros compressed about a thousand times."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            block = b"\0" * (1 << 20)
            for _ in range(400):
                part.write(block)
    return out.getvalue()


def png_decompression_bomb(width: int = 7_000, height: int = 7_000) -> bytes:
    """An RGBA PNG under the 60-million-pixel check (49 million) whose pixels decode into ~200 MB: ~200 KB of zeros."""
    raw = zlib.compressobj(9)
    row = b"\0" * (1 + width * 4)
    body = b"".join(raw.compress(row) for _ in range(height)) + raw.flush()

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


def pdf_endless(operations: int = 400_000) -> bytes:
    """One page whose compressed content draws `operations` separate characters: a few hundred KB that keep a table
    finder busy for many minutes."""
    content = b"".join(b"BT /F1 6 Tf %d %d Td (%d) Tj ET\n" % (n % 590, n % 830, n % 10) for n in range(operations))
    stream = zlib.compress(content, 9)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()
