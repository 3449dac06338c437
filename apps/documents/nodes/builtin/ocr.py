"""OCR step: the text of an image or a scanned PDF (Korean and English)."""

from __future__ import annotations

from apps.documents import ocr
from apps.documents.nodes.common import file_param, read_file
from apps.flows.nodes.base import NodeType, Param, t
from apps.flows.nodes.builtin.common import copy_item, set_path
from apps.flows.nodes.registry import register


@register
class ReadTextFromImage(NodeType):
    key = "documents.ocr"
    category = "documents"
    icon = "image"
    blocking = True
    label = t("Read text from image / scanned PDF (OCR)", "이미지·스캔 PDF 글자 읽기 (OCR)")
    description = t(
        "Recognises the Korean and English text of a photo, a screenshot or a scanned PDF, on this server (nothing is sent out).",
        "사진, 화면 캡처, 스캔한 PDF의 한글과 영어 글자를 이 서버에서 읽어 냅니다(밖으로 보내지 않음).",
    )
    aliases = ("ocr", "image to text", "scan", "receipt", "글자 인식", "문자 인식", "이미지 텍스트", "스캔", "영수증", "광학 문자 인식")
    secret_params = ("password",)
    params = (
        file_param(),
        Param(
            "language",
            "select",
            t("Language of the text", "글자의 언어"),
            default="kor+eng",
            expressions=False,
            options=(
                ("kor+eng", t("Korean and English", "한국어와 영어")),
                ("kor", t("Korean", "한국어")),
                ("eng", t("English", "영어")),
            ),
        ),
        Param(
            "layout",
            "select",
            t("Layout", "배치"),
            default="column",
            expressions=False,
            options=(
                (
                    "column",
                    t("Lines in one column (most documents, receipts, screenshots)", "한 단으로 된 글줄 (대부분의 문서, 영수증, 화면)"),
                ),
                ("page", t("A page with several columns", "여러 단으로 된 페이지")),
                ("block", t("One block of text", "글자 덩어리 하나")),
                ("sparse", t("Scattered text (receipts, forms, signs)", "흩어진 글자 (영수증, 서식, 간판)")),
                ("line", t("A single line", "한 줄")),
            ),
        ),
        Param(
            "pages",
            "string",
            t("PDF pages (empty: all)", "PDF 페이지 (비우면 전체)"),
            default="",
            help=t("For example 1-3, 5, 8- (8 to the end).", "예: 1-3, 5, 8- (8쪽부터 끝까지)"),
        ),
        Param(
            "text_layer",
            "boolean",
            t("Keep the text of PDF pages that already have it", "글자가 이미 있는 PDF 페이지는 그 글자 사용"),
            default=True,
            expressions=False,
        ),
        Param(
            "dpi",
            "integer",
            t("Resolution for scanned PDF pages (DPI)", "스캔 PDF 페이지 해상도 (DPI)"),
            default=ocr.DEFAULT_DPI,
            minimum=72,
            maximum=600,
            expressions=False,
        ),
        Param("password", "string", t("Password (if the PDF has one)", "암호 (PDF에 있으면)"), default=""),
        Param("output_field", "string", t("Put the text in field", "텍스트를 넣을 필드"), default="text", expressions=False),
    )

    def execute(self, ctx):
        out = []
        for _index, item, params in ctx.each():
            data, ref = read_file(ctx, item, params["file_field"])
            found = ocr.read(
                data,
                language=params["language"],
                layout=params["layout"],
                pages=params["pages"],
                dpi=int(params["dpi"] or ocr.DEFAULT_DPI),
                password=params["password"],
                text_layer=bool(params["text_layer"]),
                check=ctx.check_deadline,
                seconds_left=ctx.seconds_left,
            )
            result = copy_item(item)
            set_path(result, params["output_field"] or "text", found["text"])
            result["ocr"] = {"confidence": found["confidence"], "pages": found["pages"], "file_name": ref.get("name")}
            out.append(result)
        return {"main": out}
