"""Images with Pillow: resize, convert, crop and read EXIF. The size of an image is checked from its header before
its pixels are decoded, so a small file that decodes into gigabytes is refused."""

from __future__ import annotations

import io
import warnings
from typing import Any

from apps.documents import limits
from apps.documents.common import check_size, plain_value
from apps.flows.engine.errors import NodeError, gettext_noop

FORMATS = {"png": ("PNG", "image/png"), "jpeg": ("JPEG", "image/jpeg"), "webp": ("WEBP", "image/webp"), "gif": ("GIF", "image/gif"),
           "bmp": ("BMP", "image/bmp"), "tiff": ("TIFF", "image/tiff")}  # fmt: skip
EXTENSIONS = {"png": "png", "jpeg": "jpg", "webp": "webp", "gif": "gif", "bmp": "bmp", "tiff": "tif"}


def _bad_image(reason: str) -> NodeError:
    return NodeError(
        gettext_noop("The file is not an image that can be read (%(reason)s). Supported: PNG, JPEG, WebP, GIF, BMP, TIFF."),
        code="bad_image",
        values={"reason": reason},
    )


def open_image(data: bytes):
    from PIL import Image, UnidentifiedImageError

    check_size(data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            width, height = image.size
            if width * height > limits.MAX_IMAGE_PIXELS or max(width, height) > limits.MAX_IMAGE_SIDE:
                raise NodeError(
                    gettext_noop("The image is %(width)s × %(height)s pixels; at most %(limit)s million pixels can be handled."),
                    code="image_too_large",
                    values={"width": str(width), "height": str(height), "limit": str(limits.MAX_IMAGE_PIXELS // 1_000_000)},
                )
            image.load()
    except NodeError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise NodeError(
            gettext_noop("The image is %(width)s × %(height)s pixels; at most %(limit)s million pixels can be handled."),
            code="image_too_large",
            values={"width": "?", "height": "?", "limit": str(limits.MAX_IMAGE_PIXELS // 1_000_000)},
        ) from None
    except UnidentifiedImageError:
        raise _bad_image("unknown format") from None
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise _bad_image(type(exc).__name__) from None
    return image


def info(data: bytes) -> dict:
    image = open_image(data)
    return {"width": image.width, "height": image.height, "format": (image.format or "").lower(), "mode": image.mode}


def _save(image, fmt: str, *, quality: int = 85, source_format: str = "") -> tuple[bytes, str, str]:
    fmt = (fmt or "same").lower()
    if fmt == "same":
        fmt = {"mpo": "jpeg"}.get(source_format, source_format)
        fmt = fmt if fmt in FORMATS else "png"
    if fmt == "jpg":
        fmt = "jpeg"
    if fmt not in FORMATS:
        raise NodeError(
            gettext_noop("“%(format)s” is not a format images can be saved in. Choose PNG, JPEG, WebP, GIF, BMP or TIFF."),
            code="bad_image_format",
            values={"format": fmt},
        )
    pil_format, mime = FORMATS[fmt]
    if pil_format == "JPEG" and image.mode not in ("RGB", "L", "CMYK"):
        background = _flatten(image)
        image = background
    options: dict[str, Any] = {}
    if pil_format in ("JPEG", "WEBP"):
        options["quality"] = max(1, min(int(quality or 85), 100))
    if pil_format == "JPEG":
        options["optimize"] = True
    exif = image.info.get("exif")
    if exif and pil_format in ("JPEG", "WEBP", "PNG", "TIFF"):
        options["exif"] = exif
    buffer = io.BytesIO()
    image.save(buffer, format=pil_format, **options)
    return buffer.getvalue(), mime, EXTENSIONS[fmt]


def _flatten(image):
    """An image with transparency on a white background (JPEG has no transparency)."""
    from PIL import Image

    rgba = image.convert("RGBA")
    background = Image.new("RGB", rgba.size, (255, 255, 255))
    background.paste(rgba, mask=rgba.getchannel("A"))
    return background


def _oriented(image):
    """Phones store photos sideways with an EXIF orientation: resizing and cropping work on what people see."""
    from PIL import ImageOps

    exif_info = image.info.get("exif")
    rotated = ImageOps.exif_transpose(image)
    if exif_info and "exif" not in rotated.info:
        rotated.info["exif"] = exif_info
    return rotated


def resize(data: bytes, *, width: int | None = None, height: int | None = None, mode: str = "fit", fmt: str = "same", quality: int = 85):
    """(bytes, mime type, extension) of the image resized. fit: inside width × height keeping proportions;
    exact: stretched to width × height; cover: filling width × height, cropped from the centre."""
    from PIL import Image, ImageOps

    image = open_image(data)
    source_format = (image.format or "png").lower()
    image = _oriented(image)
    width, height = _side(width), _side(height)
    if not width and not height:
        raise NodeError(gettext_noop("Give a width, a height or both."), code="bad_size")
    if not width:
        width = max(1, round(image.width * height / image.height))
    if not height:
        height = max(1, round(image.height * width / image.width))
    if mode == "exact":
        result = image.resize((width, height), Image.Resampling.LANCZOS)
    elif mode == "cover":
        result = ImageOps.fit(image, (width, height), Image.Resampling.LANCZOS)
    else:
        result = image.copy()
        result.thumbnail((width, height), Image.Resampling.LANCZOS)
        if result.size == image.size and (width > image.width or height > image.height):
            result = ImageOps.contain(image, (width, height), Image.Resampling.LANCZOS)
    result.info.update({k: v for k, v in image.info.items() if k == "exif"})
    return _save(result, fmt, quality=quality, source_format=source_format)


def _side(value: Any) -> int | None:
    if value in (None, "", 0):
        return None
    try:
        number = int(float(value))
    except (TypeError, ValueError):
        raise NodeError(gettext_noop("“%(value)s” is not a number of pixels."), code="bad_size", values={"value": str(value)}) from None
    if not 1 <= number <= limits.MAX_IMAGE_SIDE:
        raise NodeError(
            gettext_noop("Sizes go from 1 to %(limit)s pixels."), code="bad_size", values={"limit": f"{limits.MAX_IMAGE_SIDE:,}"}
        )
    return number


def convert(data: bytes, *, fmt: str, quality: int = 85):
    image = open_image(data)
    source_format = (image.format or "png").lower()
    return _save(image, fmt, quality=quality, source_format=source_format)


def crop(data: bytes, *, left: int, top: int, width: int, height: int, fmt: str = "same", quality: int = 85):
    image = open_image(data)
    source_format = (image.format or "png").lower()
    image = _oriented(image)
    left, top = int(left or 0), int(top or 0)
    width, height = _side(width), _side(height)
    if not width or not height or left < 0 or top < 0 or left + width > image.width or top + height > image.height:
        raise NodeError(
            gettext_noop("The area to crop must lie inside the image, which is %(width)s × %(height)s pixels."),
            code="bad_crop",
            values={"width": str(image.width), "height": str(image.height)},
        )
    result = image.crop((left, top, left + width, top + height))
    result.info.update({k: v for k, v in image.info.items() if k == "exif"})
    return _save(result, fmt, quality=quality, source_format=source_format)


def exif(data: bytes) -> dict:
    """Width, height, format and the EXIF tags by name (camera, time taken, orientation, GPS in decimal degrees)."""
    from PIL import ExifTags

    image = open_image(data)
    result: dict[str, Any] = {"width": image.width, "height": image.height, "format": (image.format or "").lower()}
    raw = image.getexif()
    tags: dict[str, Any] = {}
    for key, value in raw.items():
        tags[ExifTags.TAGS.get(key, str(key))] = _exif_value(value)
    for ifd_id in (ExifTags.IFD.Exif,):
        for key, value in raw.get_ifd(ifd_id).items():
            tags[ExifTags.TAGS.get(key, str(key))] = _exif_value(value)
    gps = raw.get_ifd(ExifTags.IFD.GPSInfo)
    if gps:
        named = {ExifTags.GPSTAGS.get(key, str(key)): value for key, value in gps.items()}
        latitude = _degrees(named.get("GPSLatitude"), named.get("GPSLatitudeRef"))
        longitude = _degrees(named.get("GPSLongitude"), named.get("GPSLongitudeRef"))
        if latitude is not None and longitude is not None:
            result["gps"] = {"latitude": latitude, "longitude": longitude}
    for drop in ("MakerNote", "UserComment", "PrintImageMatching", "ExifOffset", "GPSInfo"):
        tags.pop(drop, None)
    result["exif"] = tags
    return result


def _exif_value(value: Any) -> Any:
    if isinstance(value, bytes):
        text = value.rstrip(b"\x00")
        return text.decode("utf-8", "replace") if len(text) <= 256 and text.isascii() else None
    if isinstance(value, tuple):
        return [_exif_value(v) for v in value[:32]]
    try:
        from PIL.TiffImagePlugin import IFDRational

        if isinstance(value, IFDRational):
            return float(value) if value.denominator else None
    except ImportError:  # pragma: no cover
        pass
    if isinstance(value, str):
        return value.rstrip("\x00").strip()
    return plain_value(value)


def _degrees(parts: Any, ref: Any) -> float | None:
    try:
        degrees, minutes, seconds = (float(p) for p in parts)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    value = degrees + minutes / 60 + seconds / 3600
    return round(-value if str(ref).upper() in ("S", "W") else value, 7)
