"""Plain text files: the whole text of a file into a field of the item."""

from __future__ import annotations

from apps.documents import csvfile
from apps.documents import n8n as from_n8n
from apps.documents.nodes.builtin.spreadsheets import ENCODING
from apps.documents.nodes.common import file_param, read_file
from apps.flows.engine.errors import NodeError, gettext_noop
from apps.flows.nodes.base import NodeType, Param, t
from apps.flows.nodes.builtin.common import copy_item, set_path
from apps.flows.nodes.n8n import N8nMapping
from apps.flows.nodes.registry import register


@register
class TextRead(NodeType):
    key = "documents.text_read"
    n8n = (N8nMapping((from_n8n.EXTRACT,), from_n8n.text_read, when=from_n8n.extract_is("text")),)
    category = "documents"
    icon = "file-text"
    blocking = True
    label = t("Read text file", "텍스트 파일 읽기")
    description = t(
        "Puts the text of a file (.txt, .md, .json, .html…) into a field of the item; Korean files saved as CP949 are recognised.",
        "파일(.txt, .md, .json, .html…)의 글을 항목의 필드에 넣습니다. CP949로 저장한 한국어 파일도 알아봅니다.",
    )
    aliases = ("text file", "txt", "read file", "텍스트 파일", "파일 읽기")
    params = (
        file_param(),
        ENCODING,
        Param("output_field", "string", t("Put the text in field", "텍스트를 넣을 필드"), default="text", expressions=False),
    )

    def execute(self, ctx):
        out = []
        for _index, item, params in ctx.each():
            data, _ref = read_file(ctx, item, params["file_field"])
            if params["encoding"] == "auto" and b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
                raise NodeError(
                    gettext_noop("“%(name)s” is not a text file; use the step for its kind of file (PDF, Excel, Word…)."),
                    code="not_text",
                    values={"name": str(_ref.get("name") or "")},
                )
            result = copy_item(item)
            set_path(result, params["output_field"] or "text", csvfile.decode(data, params["encoding"]))
            out.append(result)
        return {"main": out}
