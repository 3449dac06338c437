"""HWP and HWPX, the formats of Hancom Office (한글) used by Korean public administration. Written from the published
format descriptions, not from other readers.

HWPX (OWPML, KS X 6101) is a zip: `Contents/section<N>.xml` hold the body, each paragraph `<hp:p>` with runs
`<hp:run>` whose text is in `<hp:t>` (tabs and line breaks as empty child elements); tables nest paragraphs in
`<hp:tbl>/<hp:tr>/<hp:tc>/<hp:subList>`. A "click here" field (누름틀) is a `<hp:fieldBegin name=…>` control
followed by the runs of its text and a `<hp:fieldEnd>`.

HWP 5 is an OLE compound file: the `FileHeader` stream starts with "HWP Document File" and its flags say whether the
`BodyText/Section<N>` streams are deflate-compressed (bit 0), password-protected (bit 1) or a distribution
document whose body is encrypted (bit 2). A section is a sequence of records, each with a 32-bit header (tag: 10 bits,
level: 10 bits, size: 12 bits, 0xFFF meaning a 32-bit size follows); the text of a paragraph is the record
HWPTAG_PARA_TEXT (tag 0x10 + 51) in UTF-16LE, where code units below 32 are controls: some take one unit (line
break, paragraph end, special spaces), the others eight (the control, its 12 bytes of data, the control again)."""

from __future__ import annotations

import io
import re
import zlib
from collections.abc import Iterator

from apps.documents import limits
from apps.documents.common import Check, Template, TextBudget, as_text, check_size, fill_spans, is_ole, open_zip, tick
from apps.flows.engine.errors import NodeError, gettext_noop

HWPTAG_BEGIN = 0x10
HWPTAG_PARA_TEXT = HWPTAG_BEGIN + 51
_SINGLE_UNIT_CONTROLS = {0: "", 10: "\n", 13: "", 24: "-", 25: "", 26: "", 27: "", 28: "", 29: "", 30: " ", 31: " "}
_SECTION = re.compile(r"^Contents/section(\d+)\.xml$")


def _bad_hwpx(exc: Exception | None = None) -> NodeError:
    return NodeError(
        gettext_noop("The file is not a valid HWPX document, or it is damaged (%(reason)s)."),
        code="bad_hwpx",
        values={"reason": type(exc).__name__ if exc else "no section"},
    )


def _parser():
    from lxml import etree

    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_blank_text=False)


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _sections(archive) -> list[str]:
    names = [info.filename for info in archive.infolist() if _SECTION.match(info.filename)]
    if not names:
        raise _bad_hwpx()
    return sorted(names, key=lambda name: int(_SECTION.match(name).group(1)))


def _parse(archive, name: str):
    from lxml import etree

    try:
        return etree.fromstring(archive.read(name), _parser())
    except (etree.XMLSyntaxError, ValueError, KeyError) as exc:
        raise _bad_hwpx(exc) from None


def _open_hwpx(data: bytes):
    if is_ole(data):
        raise NodeError(
            gettext_noop("This is an HWP file, not HWPX. Save it as .hwpx in Hancom Office to use it as a template."),
            code="hwp_not_hwpx",
        )
    archive = open_zip(data, what="HWPX", code="bad_hwpx")
    try:
        mimetype = archive.read("mimetype").decode("ascii", "replace").strip() if "mimetype" in archive.namelist() else ""
    except (KeyError, ValueError, OSError, zlib.error) as exc:
        raise _bad_hwpx(exc) from None
    if mimetype and "hwp" not in mimetype:
        raise _bad_hwpx()
    return archive


def _direct_texts(paragraph) -> Iterator:
    """The `t` elements of a paragraph's own runs (not those of tables inside it)."""
    for run in paragraph:
        if _local(run.tag) != "run":
            continue
        for child in run:
            if _local(child.tag) == "t":
                yield child


def _t_text(element) -> str:
    parts = [element.text or ""]
    for child in element:
        name = _local(child.tag)
        parts.append("\t" if name == "tab" else "\n" if name == "lineBreak" else " " if name in ("nbSpace", "fwSpace") else "")
        parts.append(child.tail or "")
    return "".join(parts)


def hwpx_text(data: bytes, *, check: Check = None) -> dict:
    """{"text": ..., "paragraphs": [...]} of every section in order; table cells follow the paragraph holding them."""
    archive = _open_hwpx(data)
    budget = TextBudget()
    paragraphs: list[str] = []
    with archive:
        for name in _sections(archive):
            tick(check)
            root = _parse(archive, name)
            for element in root.iter():
                if _local(element.tag) == "p":
                    paragraphs.append(budget.take("".join(_t_text(t) for t in _direct_texts(element))))
    return {"text": "\n".join(paragraphs), "paragraphs": paragraphs}


def _slots(paragraph) -> list[tuple]:
    """(element, "text" | "tail") places that hold a paragraph's text, in order."""
    slots = []
    for t in _direct_texts(paragraph):
        slots.append((t, "text"))
        slots.extend((child, "tail") for child in t)
    return slots


def _fill_fields(paragraph, values: dict) -> bool:
    """Sets the text of the named click-here fields of a paragraph: the first text after the field's start gets the
    value, the rest of the field's text is emptied (its formatting kept)."""
    from lxml import etree

    active = None
    changed = False
    for run in [child for child in paragraph if _local(child.tag) == "run"]:
        for child in list(run):
            name = _local(child.tag)
            if name == "ctrl":
                for control in child:
                    kind = _local(control.tag)
                    if kind == "fieldBegin" and control.get("name") in values:
                        active = {"value": as_text(values[control.get("name")]), "written": False, "run": run}
                        changed = True
                    elif kind == "fieldEnd" and active is not None:
                        if not active["written"]:
                            holder = active["run"]
                            new_run = etree.Element(holder.tag, {k: v for k, v in holder.attrib.items() if k == "charPrIDRef"})
                            text = etree.SubElement(new_run, holder.tag.rsplit("}", 1)[0] + "}t" if "}" in holder.tag else "t")
                            text.text = active["value"]
                            holder.addnext(new_run)
                        active = None
            elif name == "t" and active is not None:
                for grandchild in list(child):
                    child.remove(grandchild)
                child.text = "" if active["written"] else active["value"]
                active["written"] = True
    return changed


def hwpx_fill(data: bytes, values: dict, *, check: Check = None) -> bytes:
    """The HWPX with `{{ placeholders }}` in its text and its click-here fields named in `values` filled."""
    import zipfile

    from lxml import etree

    archive = _open_hwpx(data)
    template = Template(values)
    changed: dict[str, bytes] = {}
    with archive:
        for name in _sections(archive):
            tick(check)
            root = _parse(archive, name)
            dirty = False
            for element in list(root.iter()):
                if _local(element.tag) != "p":
                    continue
                # Placeholders first: a field's value is text, never read again as a placeholder.
                slots = _slots(element)
                filled = fill_spans([getattr(el, attr) or "" for el, attr in slots], template)
                if filled is not None:
                    for (el, attr), text in zip(slots, filled, strict=True):
                        setattr(el, attr, text)
                    dirty = True
                if _fill_fields(element, values):
                    dirty = True
            if dirty:
                changed[name] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as out:
            for info in archive.infolist():
                # The mimetype entry stays first and stored, as in every OCF package.
                content = changed.get(info.filename) or archive.read(info.filename)
                copy = zipfile.ZipInfo(info.filename, date_time=info.date_time)
                copy.compress_type = info.compress_type
                copy.external_attr = info.external_attr
                out.writestr(copy, content)
    return buffer.getvalue()


def _bad_hwp(reason: str) -> NodeError:
    return NodeError(
        gettext_noop("The file is not a valid HWP document, or it is damaged (%(reason)s)."), code="bad_hwp", values={"reason": reason}
    )


def hwp_text(data: bytes, *, check: Check = None) -> dict:
    """{"text": ..., "paragraphs": [...]} of an HWP 5 document, sections in order (table cells in reading order)."""
    import olefile

    check_size(data)
    if not is_ole(data):
        if data[:2] == b"PK":
            raise NodeError(
                gettext_noop("This is an HWPX file, not an HWP file."),
                code="hwpx_not_hwp",
            )
        raise _bad_hwp("not OLE")
    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except Exception as exc:  # olefile's errors for damaged containers
        raise _bad_hwp(type(exc).__name__) from None
    with ole:
        if not ole.exists("FileHeader"):
            raise _bad_hwp("no FileHeader")
        header = ole.openstream("FileHeader").read(256)
        if not header.startswith(b"HWP Document File"):
            raise _bad_hwp("signature")
        flags = int.from_bytes(header[36:40], "little")
        if flags & 0b10:
            raise NodeError(gettext_noop("The HWP document is protected with a password; it cannot be read."), code="hwp_password")
        if flags & 0b100:
            raise NodeError(
                gettext_noop("The HWP document is a distribution document (배포용 문서) whose text is encrypted; it cannot be read."),
                code="hwp_distribution",
            )
        compressed = bool(flags & 0b1)
        entries = ole.listdir(streams=True, storages=False)
        sections = sorted(
            (entry for entry in entries if len(entry) == 2 and entry[0] == "BodyText" and entry[1].startswith("Section")),
            key=lambda entry: int(entry[1][7:]) if entry[1][7:].isdigit() else 0,
        )
        if not sections:
            raise _bad_hwp("no BodyText")
        budget = TextBudget()
        paragraphs: list[str] = []
        for entry in sections:
            tick(check)
            raw = ole.openstream(entry).read()
            if compressed:
                raw = _inflate(raw)
            for text in _paragraph_texts(raw):
                paragraphs.append(budget.take(text))
    return {"text": "\n".join(paragraphs), "paragraphs": paragraphs}


def _inflate(raw: bytes) -> bytes:
    decompressor = zlib.decompressobj(-15)
    try:
        data = decompressor.decompress(raw, limits.MAX_HWP_RECORD_BYTES)
    except zlib.error as exc:
        raise _bad_hwp(str(exc)) from None
    if decompressor.unconsumed_tail:
        raise NodeError(gettext_noop("The file unpacks to far more data than a document holds; it was refused."), code="zip_bomb")
    return data


def _records(raw: bytes) -> Iterator[tuple[int, int, bytes]]:
    position, end = 0, len(raw)
    while position + 4 <= end:
        header = int.from_bytes(raw[position : position + 4], "little")
        position += 4
        tag, level, size = header & 0x3FF, (header >> 10) & 0x3FF, header >> 20
        if size == 0xFFF:
            if position + 4 > end:
                break
            size = int.from_bytes(raw[position : position + 4], "little")
            position += 4
        if position + size > end:
            raise _bad_hwp("truncated record")
        yield tag, level, raw[position : position + size]
        position += size


def _paragraph_texts(raw: bytes) -> Iterator[str]:
    for tag, _level, body in _records(raw):
        if tag == HWPTAG_PARA_TEXT:
            yield decode_para_text(body)


def decode_para_text(body: bytes) -> str:
    units = len(body) // 2
    parts: list[str] = []
    chunk_start = None
    index = 0
    while index < units:
        code = body[2 * index] | (body[2 * index + 1] << 8)
        if code >= 32:
            if chunk_start is None:
                chunk_start = index
            index += 1
            continue
        if chunk_start is not None:
            parts.append(body[2 * chunk_start : 2 * index].decode("utf-16-le", "replace"))
            chunk_start = None
        if code in _SINGLE_UNIT_CONTROLS:
            parts.append(_SINGLE_UNIT_CONTROLS[code])
            index += 1
        else:
            if code == 9:
                parts.append("\t")
            index += 8
    if chunk_start is not None:
        parts.append(body[2 * chunk_start : 2 * units].decode("utf-16-le", "replace"))
    return "".join(parts)
