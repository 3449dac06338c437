"""Images as bytes: resize, convert, crop, EXIF; damaged files and decompression bombs."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from apps.documents import images
from apps.flows.engine.errors import NodeError
from tests.documents import builders


def opened(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


def test_resize_fit_exact_cover_and_one_side():
    data = builders.image(40, 20)
    fit, mime, ext = images.resize(data, width=10, height=10)
    assert opened(fit).size == (10, 5) and mime == "image/png" and ext == "png"
    assert opened(images.resize(data, width=10, height=10, mode="exact")[0]).size == (10, 10)
    cover = opened(images.resize(data, width=10, height=10, mode="cover")[0])
    assert cover.size == (10, 10)
    assert opened(images.resize(data, height=5)[0]).size == (10, 5)
    assert opened(images.resize(data, width=80, height=80)[0]).size == (80, 40)  # fit may enlarge
    with pytest.raises(NodeError) as caught:
        images.resize(data)
    assert caught.value.code == "bad_size"
    with pytest.raises(NodeError) as caught:
        images.resize(data, width=10**6)
    assert caught.value.code == "bad_size"


def test_convert_png_with_transparency_to_jpeg_and_webp():
    data = builders.image(20, 10, mode="RGBA")
    jpeg, mime, ext = images.convert(data, fmt="jpg", quality=70)
    assert opened(jpeg).format == "JPEG" and mime == "image/jpeg" and ext == "jpg"
    assert opened(jpeg).getpixel((15, 5))[0] > 200  # the half-transparent red sits on white
    webp, mime, _ = images.convert(data, fmt="webp")
    assert opened(webp).format == "WEBP" and mime == "image/webp"
    with pytest.raises(NodeError) as caught:
        images.convert(data, fmt="svg")
    assert caught.value.code == "bad_image_format"


def test_crop_inside_the_image_only():
    data = builders.image(40, 20)
    cropped = opened(images.crop(data, left=20, top=0, width=20, height=20)[0])
    assert cropped.size == (20, 20) and cropped.getpixel((5, 5)) == (200, 30, 30)
    with pytest.raises(NodeError) as caught:
        images.crop(data, left=30, top=0, width=20, height=20)
    assert caught.value.code == "bad_crop" and caught.value.values == {"width": "40", "height": "20"}


def test_exif_with_gps_and_orientation_applied_when_resizing():
    tags = {0x010F: "EZCam", 0x0110: "Model 1", 0x0132: "2026:03:01 09:00:00", 0x0112: 6}
    gps = {1: "N", 2: (37.0, 33.0, 36.0), 3: "E", 4: (126.0, 58.0, 48.0)}
    data = builders.image(40, 20, fmt="JPEG", exif={**tags, "gps": gps})
    info = images.exif(data)
    assert info["width"] == 40 and info["format"] == "jpeg"
    assert info["exif"]["Make"] == "EZCam" and info["exif"]["DateTime"] == "2026:03:01 09:00:00" and info["exif"]["Orientation"] == 6
    assert info["gps"] == {"latitude": 37.56, "longitude": 126.98}
    rotated = opened(images.resize(data, width=10)[0])
    assert rotated.size == (10, 20)  # orientation 6: the photo is shown turned a quarter, so it is portrait
    assert images.exif(builders.image(4, 4))["exif"] == {}


def test_damaged_files_and_decompression_bombs_are_refused(monkeypatch):
    for data in (b"not an image", builders.image(10, 10, fmt="JPEG")[:40]):
        with pytest.raises(NodeError) as caught:
            images.info(data)
        assert caught.value.code == "bad_image"
    monkeypatch.setattr(images.limits, "MAX_IMAGE_PIXELS", 1000)
    with pytest.raises(NodeError) as caught:
        images.info(builders.image(100, 100))
    assert caught.value.code == "image_too_large" and caught.value.values["width"] == "100"
