"""Small documents made at test time: HWP 5 (an OLE compound file written here), HWPX, PDF, images."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

# --- OLE compound file (CFB version 3, 512-byte sectors) -----------------------------------------------------------
FREE, END, FAT_SECTOR, NONE = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
SECTOR, MINI, CUTOFF = 512, 64, 4096


def _entry(name: str, kind: int, *, left=NONE, right=NONE, child=NONE, start=END, size=0) -> bytes:
    encoded = (name + "\x00").encode("utf-16-le") if name else b""
    return (
        encoded.ljust(64, b"\x00")
        + struct.pack("<HBB", len(encoded), kind, 1)
        + struct.pack("<III", left, right, child)
        + b"\x00" * 16
        + b"\x00" * 4
        + b"\x00" * 16
        + struct.pack("<IQ", start, size)[:8]
        + struct.pack("<I", 0)
    )


def _order(name: str):
    return (len(name), name.upper())


def compound_file(streams: dict[str, bytes]) -> bytes:
    """An OLE compound file holding `streams` ({"Storage/Stream": bytes}, one level of storages at most).

    Streams under 4096 bytes go into the mini stream (64-byte mini sectors), larger ones into regular sectors, as the
    specification requires. Siblings form a chain sorted by (length, upper-case name): a valid, if unbalanced, tree."""
    storages: dict[str, list[str]] = {"": []}
    for path in streams:
        parent, _, name = path.rpartition("/")
        if parent and parent not in storages:
            storages[parent] = []
            storages[""].append(parent)
        storages[parent].append(path)
    # Directory entries: root first, then each storage and stream.
    entries: list[dict] = [{"name": "Root Entry", "kind": 5, "path": ""}]
    for path in streams:
        parent = path.rpartition("/")[0]
        if parent and not any(e["path"] == parent for e in entries):
            entries.append({"name": parent, "kind": 1, "path": parent})
        entries.append({"name": path.rpartition("/")[2], "kind": 2, "path": path})
    index = {e["path"]: i for i, e in enumerate(entries)}
    for entry in entries:
        entry.update(left=NONE, right=NONE, child=NONE)
    for parent, children in storages.items():
        ordered = sorted(children, key=lambda p: _order(p.rpartition("/")[2]))
        if not ordered:
            continue
        entries[index[parent]]["child"] = index[ordered[0]]
        for current, following in zip(ordered, ordered[1:], strict=False):
            entries[index[current]]["right"] = index[following]
    # Mini stream: small streams packed in 64-byte mini sectors.
    mini_stream = bytearray()
    mini_fat: list[int] = []
    big: list[tuple[str, bytes]] = []
    for path, data in streams.items():
        entry = entries[index[path]]
        entry["size"] = len(data)
        if len(data) < CUTOFF:
            first = len(mini_fat)
            count = max(1, -(-len(data) // MINI))
            entry["start"] = first if data else END
            mini_fat.extend(list(range(first + 1, first + count)) + [END])
            mini_stream += data.ljust(count * MINI, b"\x00")
        else:
            big.append((path, data))
    # Regular sectors after the FAT: directory, mini FAT, mini stream, big streams.
    directory = b"".join(
        _entry(e["name"] if e["kind"] != 5 else "Root Entry", e["kind"], left=e["left"], right=e["right"], child=e["child"])
        for e in entries
    )
    blobs: list[tuple[str, bytes]] = [("directory", directory)]
    if mini_fat:
        blobs.append(("minifat", b"".join(struct.pack("<I", v) for v in mini_fat)))
        blobs.append(("ministream", bytes(mini_stream)))
    blobs.extend(big)
    sizes = [max(1, -(-len(data) // SECTOR)) for _, data in blobs]
    data_sectors = sum(sizes)
    fat_sectors = 1
    while fat_sectors * (SECTOR // 4) < data_sectors + fat_sectors:
        fat_sectors += 1
    fat = [FAT_SECTOR] * fat_sectors
    starts = {}
    position = fat_sectors
    for (name, _), count in zip(blobs, sizes, strict=True):
        starts[name] = position
        fat.extend(list(range(position + 1, position + count)) + [END])
        position += count
    fat.extend([FREE] * (fat_sectors * (SECTOR // 4) - len(fat)))
    entries[0]["start"] = starts.get("ministream", END)
    entries[0]["size"] = len(mini_stream)
    for path, _ in big:
        entries[index[path]]["start"] = starts[path]
    directory = b"".join(
        _entry(e["name"], e["kind"], left=e["left"], right=e["right"], child=e["child"], start=e.get("start", END), size=e.get("size", 0))
        for e in entries
    )
    blobs[0] = ("directory", directory)
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\x00" * 6
        + struct.pack("<II", 0, fat_sectors)
        + struct.pack("<II", starts["directory"], 0)
        + struct.pack("<I", CUTOFF)
        + struct.pack("<II", starts.get("minifat", END), -(-len(mini_fat) * 4 // SECTOR) if mini_fat else 0)
        + struct.pack("<II", END, 0)
        + b"".join(struct.pack("<I", i) for i in range(fat_sectors))
        + struct.pack("<I", FREE) * (109 - fat_sectors)
    )
    body = b"".join(struct.pack("<I", v) for v in fat)
    for (_, data), count in zip(blobs, sizes, strict=True):
        body += data.ljust(count * SECTOR, b"\x00")
    return header.ljust(SECTOR, b"\x00") + body


# --- HWP 5 ------------------------------------------------------------------------------------------------------------
PARA_HEADER, PARA_TEXT, PARA_CHAR_SHAPE = 0x10 + 50, 0x10 + 51, 0x10 + 52


def record(tag: int, body: bytes, level: int = 0) -> bytes:
    if len(body) >= 0xFFF:
        return struct.pack("<I", tag | (level << 10) | (0xFFF << 20)) + struct.pack("<I", len(body)) + body
    return struct.pack("<I", tag | (level << 10) | (len(body) << 20)) + body


def para_text(text: str, *, controls: bytes = b"") -> bytes:
    """PARA_TEXT: `controls` (already encoded control units) before the text, then the text and a paragraph end (13)."""
    return controls + text.replace("\t", "\x09" + "\x00" * 7).encode("utf-16-le") + struct.pack("<H", 13)


def extended_control(code: int = 11, kind: bytes = b"tbl ") -> bytes:
    """An 8-unit control (a table, 11) as it appears inline in PARA_TEXT."""
    return struct.pack("<H", code) + kind[::-1] + b"\x00" * 8 + struct.pack("<H", code)


def hwp_document(sections: list[list[bytes]], *, compressed: bool = True, flags: int = 0, preview: str = "") -> bytes:
    """An HWP 5 file: sections given as lists of PARA_TEXT bodies (each wrapped with a paragraph header)."""
    header = b"HWP Document File".ljust(32, b"\x00") + struct.pack("<I", 0x05010000) + struct.pack("<I", flags | int(compressed))
    header = header.ljust(256, b"\x00")
    streams = {"FileHeader": header, "DocInfo": b""}
    for number, paragraphs in enumerate(sections):
        raw = b"".join(record(PARA_HEADER, b"\x00" * 22) + record(PARA_TEXT, body, level=1) for body in paragraphs)
        if compressed:
            compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
            raw = compressor.compress(raw) + compressor.flush()
        streams[f"BodyText/Section{number}"] = raw
    if preview:
        streams["PrvText"] = preview.encode("utf-16-le")
    return compound_file(streams)


# --- HWPX -------------------------------------------------------------------------------------------------------------
HP = "http://www.hancom.co.kr/hwpml/2011/paragraph"
HS = "http://www.hancom.co.kr/hwpml/2011/section"


def hwpx_document(section_bodies: list[str]) -> bytes:
    """An HWPX package; each section body is the XML inside <hs:sec> (paragraphs with the hp: prefix)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/hwp+zip", compress_type=zipfile.ZIP_STORED)
        archive.writestr(
            "version.xml", '<?xml version="1.0" encoding="UTF-8"?><hv:HCFVersion xmlns:hv="http://www.hancom.co.kr/hwpml/2011/version"/>'
        )
        archive.writestr("META-INF/container.xml", "<container/>")
        archive.writestr("Contents/header.xml", "<hh:head xmlns:hh='http://www.hancom.co.kr/hwpml/2011/head'/>")
        for number, body in enumerate(section_bodies):
            archive.writestr(
                f"Contents/section{number}.xml",
                f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><hs:sec xmlns:hs="{HS}" xmlns:hp="{HP}">{body}</hs:sec>',
            )
    return buffer.getvalue()


def hp_paragraph(*runs: str) -> str:
    return '<hp:p id="0" paraPrIDRef="0" styleIDRef="0">' + "".join(runs) + "</hp:p>"


def hp_run(text: str, char: str = "0") -> str:
    return f'<hp:run charPrIDRef="{char}"><hp:t>{text}</hp:t></hp:run>'


# --- PDF ----------------------------------------------------------------------------------------------------------------
def pdf_pages(texts: list[str]) -> bytes:
    from fpdf import FPDF

    from apps.documents.pdf_html import FONT_FAMILY, FONTS

    pdf = FPDF()
    pdf.add_font(FONT_FAMILY, "", str(FONTS / "NanumSquareR.ttf"))
    pdf.set_font(FONT_FAMILY, size=12)
    for text in texts:
        pdf.add_page()
        pdf.multi_cell(0, 8, text)
    return bytes(pdf.output())


def pdf_with_table(rows: list[list[str]]) -> bytes:
    from fpdf import FPDF

    from apps.documents.pdf_html import FONT_FAMILY, FONTS

    pdf = FPDF()
    pdf.add_font(FONT_FAMILY, "", str(FONTS / "NanumSquareR.ttf"))
    pdf.set_font(FONT_FAMILY, size=11)
    pdf.add_page()
    pdf.cell(0, 10, "Report 보고서", new_x="LMARGIN", new_y="NEXT")
    with pdf.table(first_row_as_headings=False) as table:
        for row in rows:
            cells = table.row()
            for value in row:
                cells.cell(value)
    return bytes(pdf.output())


# --- Images -------------------------------------------------------------------------------------------------------------
def image(width: int = 40, height: int = 20, *, fmt: str = "PNG", mode: str = "RGB", exif: dict | None = None) -> bytes:
    from PIL import Image

    picture = Image.new(mode, (width, height), (200, 30, 30) if mode == "RGB" else (200, 30, 30, 128))
    for x in range(width // 2):
        for y in range(height):
            picture.putpixel((x, y), (30, 30, 200) if mode == "RGB" else (30, 30, 200, 255))
    options = {}
    if exif:
        data = Image.Exif()
        for key, value in exif.items():
            if key == "gps":
                data[0x8825] = value
            else:
                data[key] = value
        options["exif"] = data.tobytes()
    buffer = io.BytesIO()
    picture.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def text_image(lines: list[str], *, size: int = 28, font: str = "NanumSquareR.ttf", noise: int = 0, angle: float = 0.0) -> bytes:
    """A PNG with the lines drawn in the Nanum font the product ships: what a screenshot or a clean scan looks like.
    `noise` speckles that many random grey dots, `angle` tilts the page a little, as a phone photo does."""
    import random

    from PIL import Image, ImageDraw, ImageFont

    from apps.documents.pdf_html import FONTS

    face = ImageFont.truetype(str(FONTS / font), size)
    width = max(int(face.getlength(line)) for line in lines) + 2 * size
    image = Image.new("L", (width, int(size * 1.8) * len(lines) + 2 * size), 255)
    draw = ImageDraw.Draw(image)
    for index, line in enumerate(lines):
        draw.text((size, size + int(size * 1.8) * index), line, font=face, fill=20)
    rng = random.Random(7)
    for _ in range(noise):
        draw.point((rng.randrange(image.width), rng.randrange(image.height)), fill=rng.randrange(80, 200))
    if angle:
        image = image.rotate(angle, expand=True, fillcolor=255)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def scanned_pdf(pages: list[bytes]) -> bytes:
    """A PDF whose pages are only pictures (no text layer), like a scanner makes."""
    from PIL import Image

    images = [Image.open(io.BytesIO(page)).convert("RGB") for page in pages]
    buffer = io.BytesIO()
    images[0].save(buffer, format="PDF", save_all=True, append_images=images[1:], resolution=150)
    return buffer.getvalue()


# ---- Excel 97-2003 (.xls, BIFF8) and Word 97-2003 (.doc), the least each reader needs, from the published formats ----
def _record(kind: int, body: bytes) -> bytes:
    return struct.pack("<HH", kind, len(body)) + body


def xls_workbook(sheets: dict[str, list[list]]) -> bytes:
    """A BIFF8 workbook in an OLE file: text in the shared string table, numbers, booleans, and dates (a float with
    the built-in date format 14). `datetime.date` values become dates."""
    import datetime as dt

    strings: list[str] = []
    for rows in sheets.values():
        for row in rows:
            for value in row:
                if isinstance(value, str) and value not in strings:
                    strings.append(value)
    bof = lambda kind: _record(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0x0DBB, 0x07CC, 0, 6))  # noqa: E731
    xfs = b"".join(_record(0x00E0, struct.pack("<HHH", 0, fmt, 0) + b"\0" * 14) for fmt in [0] * 16 + [0, 14])
    sst = struct.pack("<II", len(strings), len(strings)) + b"".join(struct.pack("<HB", len(s), 1) + s.encode("utf-16-le") for s in strings)
    bodies = []
    for rows in sheets.values():
        cells = []
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, bool):
                    cells.append(_record(0x0205, struct.pack("<HHHBB", r, c, 16, int(value), 0)))
                elif isinstance(value, dt.date):
                    serial = (value - dt.date(1899, 12, 30)).days
                    cells.append(_record(0x0203, struct.pack("<HHHd", r, c, 17, float(serial))))
                elif isinstance(value, (int, float)):
                    cells.append(_record(0x0203, struct.pack("<HHHd", r, c, 16, float(value))))
                else:
                    cells.append(_record(0x00FD, struct.pack("<HHHI", r, c, 16, strings.index(str(value)))))
        width = max((len(row) for row in rows), default=0)
        dimensions = _record(0x0200, struct.pack("<IIHHH", 0, len(rows), 0, width, 0))
        bodies.append(bof(0x0010) + dimensions + b"".join(cells) + _record(0x000A, b""))
    names = list(sheets)

    def globals_with(offsets):
        boundsheets = b"".join(
            _record(0x0085, struct.pack("<IHBB", offset, 0, len(name), 1) + name.encode("utf-16-le"))
            for offset, name in zip(offsets, names, strict=True)
        )
        return bof(0x0005) + _record(0x0042, struct.pack("<H", 1200)) + xfs + boundsheets + _record(0x00FC, sst) + _record(0x000A, b"")

    size = len(globals_with([0] * len(names)))
    offsets, position = [], size
    for body in bodies:
        offsets.append(position)
        position += len(body)
    stream = globals_with(offsets) + b"".join(bodies)
    return compound_file({"Workbook": stream + b"\0" * max(0, 4096 - len(stream))})


def doc_document(text: str, *, compressed: bool = False, fields: str = "") -> bytes:
    """A Word 97 document whose main text is `text` (paragraphs end in \\r), in one piece of the piece table, either
    UTF-16LE or "compressed" CP1252; `fields` is appended raw (field codes \\x13…\\x14…\\x15)."""
    body = text + fields
    encoded = body.encode("cp1252") if compressed else body.encode("utf-16-le")
    header = bytearray(0x0200)
    struct.pack_into("<HH", header, 0, 0xA5EC, 0x00C1)
    struct.pack_into("<H", header, 0x0A, 0x0200)  # fWhichTblStm: 1Table
    csw = 14
    struct.pack_into("<H", header, 32, csw)
    lw_at = 34 + csw * 2
    cslw = 22
    struct.pack_into("<H", header, lw_at, cslw)
    struct.pack_into("<i", header, lw_at + 2 + 3 * 4, len(body))  # ccpText
    blob_at = lw_at + 2 + cslw * 4
    struct.pack_into("<H", header, blob_at, 93)
    text_at = len(header)
    fc = (text_at * 2) | 0x40000000 if compressed else text_at
    plc = struct.pack("<II", 0, len(body)) + struct.pack("<HIH", 0, fc, 0)
    clx = b"\x02" + struct.pack("<I", len(plc)) + plc
    struct.pack_into("<II", header, blob_at + 2 + 33 * 8, 0, len(clx))
    word = bytes(header) + encoded
    return compound_file({"WordDocument": word + b"\0" * max(0, 4096 - len(word)), "1Table": clx + b"\0" * (4096 - len(clx))})
