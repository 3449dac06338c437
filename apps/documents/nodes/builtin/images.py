"""Image steps: resize, convert, crop and read EXIF."""

from __future__ import annotations

from apps.documents.isolated import Documents
from apps.documents.nodes.common import derived_name, file_name_param, file_param, output_field_param, read_file, save_file
from apps.flows.nodes.base import NodeType, Param, t
from apps.flows.nodes.builtin.common import copy_item, set_path
from apps.flows.nodes.registry import register

FORMAT_OPTIONS = (
    ("png", t("PNG", "PNG")),
    ("jpeg", t("JPEG", "JPEG")),
    ("webp", t("WebP", "WebP")),
    ("gif", t("GIF", "GIF")),
    ("bmp", t("BMP", "BMP")),
    ("tiff", t("TIFF", "TIFF")),
)
SAME = (("same", t("Same as the original", "원본과 같게")),)
QUALITY = Param("quality", "integer", t("Quality (JPEG, WebP)", "품질 (JPEG, WebP)"), default=85, minimum=1, maximum=100)


def _replace(ctx, item: dict, params: dict, ref: dict, made: tuple) -> dict:
    data, mime, extension = made
    result = copy_item(item)
    name = derived_name(ref, extension, given=params["file_name"])
    set_path(result, params["output_field"] or "file", save_file(ctx, data, name=name, mime_type=mime))
    return result


def _each_image(ctx, operation: str, **arguments: str) -> dict:
    """Runs one image operation of the document child on each item's file and replaces the file; `arguments` maps
    the operation's keyword arguments to the step's parameter names."""
    with Documents(ctx) as docs:
        out = []
        for _index, item, params in ctx.each():
            data, ref = read_file(ctx, item, params["file_field"])
            made = docs.call(operation, data, **{name: params[param] for name, param in arguments.items()})
            out.append(_replace(ctx, item, params, ref, made))
        return {"main": out}


@register
class ImageResize(NodeType):
    key = "documents.image_resize"
    category = "documents"
    icon = "image"
    blocking = True
    label = t("Resize image", "이미지 크기 조정")
    description = t(
        "Makes an image smaller or larger; photos are turned upright first (EXIF orientation).",
        "이미지를 줄이거나 늘립니다. 사진은 먼저 바로 세웁니다(EXIF 방향).",
    )
    aliases = ("resize image", "resize photo", "thumbnail", "이미지 크기", "사진 크기", "썸네일")
    params = (
        file_param(),
        Param("width", "integer", t("Width (px)", "너비 (px)"), default=800, minimum=1, maximum=20000),
        Param("height", "integer", t("Height (px)", "높이 (px)"), default=None, minimum=1, maximum=20000),
        Param(
            "mode",
            "select",
            t("Fit", "맞춤"),
            default="fit",
            expressions=False,
            options=(
                ("fit", t("Inside the box, keeping proportions", "비율을 유지하며 상자 안에")),
                ("cover", t("Fill the box, cropping the edges", "상자를 채우고 가장자리 자르기")),
                ("exact", t("Exactly this size (stretch)", "정확히 이 크기 (늘이기)")),
            ),
        ),
        Param("format", "select", t("Format", "형식"), default="same", expressions=False, options=SAME + FORMAT_OPTIONS),
        QUALITY,
        file_name_param(),
        output_field_param(),
    )

    def execute(self, ctx):
        return _each_image(ctx, "images.resize", width="width", height="height", mode="mode", fmt="format", quality="quality")


@register
class ImageConvert(NodeType):
    key = "documents.image_convert"
    category = "documents"
    icon = "image"
    blocking = True
    label = t("Convert image", "이미지 형식 변환")
    description = t("Saves an image in another format (PNG, JPEG, WebP…).", "이미지를 다른 형식(PNG, JPEG, WebP…)으로 저장합니다.")
    aliases = ("convert image", "png", "jpg", "jpeg", "webp", "이미지 변환", "사진 변환")
    params = (
        file_param(),
        Param("format", "select", t("Format", "형식"), default="jpeg", expressions=False, options=FORMAT_OPTIONS),
        QUALITY,
        file_name_param(),
        output_field_param(),
    )

    def execute(self, ctx):
        return _each_image(ctx, "images.convert", fmt="format", quality="quality")


@register
class ImageCrop(NodeType):
    key = "documents.image_crop"
    category = "documents"
    icon = "image"
    blocking = True
    label = t("Crop image", "이미지 자르기")
    description = t("Keeps a rectangle of an image.", "이미지에서 사각형 부분만 남깁니다.")
    aliases = ("crop image", "crop photo", "이미지 자르기", "사진 자르기")
    params = (
        file_param(),
        Param("left", "integer", t("Left (px)", "왼쪽 (px)"), default=0, minimum=0),
        Param("top", "integer", t("Top (px)", "위쪽 (px)"), default=0, minimum=0),
        Param("width", "integer", t("Width (px)", "너비 (px)"), required=True, default=100, minimum=1),
        Param("height", "integer", t("Height (px)", "높이 (px)"), required=True, default=100, minimum=1),
        Param("format", "select", t("Format", "형식"), default="same", expressions=False, options=SAME + FORMAT_OPTIONS),
        QUALITY,
        file_name_param(),
        output_field_param(),
    )

    def execute(self, ctx):
        return _each_image(ctx, "images.crop", left="left", top="top", width="width", height="height", fmt="format", quality="quality")


@register
class ImageInfo(NodeType):
    key = "documents.image_exif"
    category = "documents"
    icon = "image"
    blocking = True
    label = t("Read image EXIF", "이미지 EXIF 읽기")
    description = t(
        "Reads an image's size, format and EXIF data: camera, time taken, orientation and GPS position.",
        "이미지의 크기, 형식과 EXIF 정보(카메라, 촬영 시각, 방향, GPS 위치)를 읽습니다.",
    )
    aliases = ("exif", "photo metadata", "gps", "사진 정보", "촬영 정보", "촬영 위치")
    params = (
        file_param(),
        Param("output_field", "string", t("Put the details in field", "정보를 넣을 필드"), default="image", expressions=False),
    )

    def execute(self, ctx):
        with Documents(ctx) as docs:
            out = []
            for _index, item, params in ctx.each():
                data, _ref = read_file(ctx, item, params["file_field"])
                result = copy_item(item)
                set_path(result, params["output_field"] or "image", docs.call("images.exif", data))
                out.append(result)
            return {"main": out}
