"""Images given to a model: a field of the item holding a data URL, base64 text, a binary value as the HTTP step
returns it ({"base64", "content_type"}), or an http(s) address (downloaded here, through the SSRF guard, so that
the model's provider never fetches addresses on the organization's behalf)."""

from __future__ import annotations

import base64
import binascii
import re

from django.conf import settings

from apps.ai.providers.base import Image
from apps.flows.engine.errors import NodeError, gettext_noop
from apps.flows.nodes.builtin.network import send_request

MEDIA_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")
MAX_IMAGES = 20
_DATA_URL = re.compile(r"^data:([\w/+.-]+)?(;[\w=-]+)*;base64,(.*)$", re.DOTALL | re.IGNORECASE)


def _sniff(raw: bytes) -> str:
    if raw.startswith(b"\x89PNG"):
        return "image/png"
    if raw.startswith(b"\xff\xd8"):
        return "image/jpeg"
    if raw[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if raw[:4] == b"RIFF" and raw[8:12] == b"WEBP":
        return "image/webp"
    return ""


def _not_an_image(hint: str = "") -> NodeError:
    return NodeError(
        gettext_noop("The image field does not hold a PNG, JPEG, GIF or WebP image (as a data URL, base64 or an address)%(hint)s."),
        code="ai_bad_image",
        values={"hint": f": {hint}" if hint else ""},
    )


def _from_bytes(raw: bytes, declared: str = "") -> Image:
    if len(raw) > settings.EZFLOW_AI_MAX_IMAGE_BYTES:
        raise NodeError(
            gettext_noop("An image is larger than %(limit)s bytes."),
            code="ai_bad_image",
            values={"limit": f"{settings.EZFLOW_AI_MAX_IMAGE_BYTES:,}"},
        )
    media_type = _sniff(raw) or declared.split(";")[0].strip().lower()
    if media_type not in MEDIA_TYPES:
        raise _not_an_image(media_type)
    return Image(media_type=media_type, data=base64.b64encode(raw).decode())


def _decode(text: str) -> bytes:
    try:
        return base64.b64decode(re.sub(r"\s+", "", text), validate=True)
    except (binascii.Error, ValueError):
        raise _not_an_image() from None


def _one(ctx, value) -> Image:
    if isinstance(value, dict) and "base64" in value:
        return _from_bytes(_decode(str(value["base64"])), str(value.get("content_type") or ""))
    if not isinstance(value, str) or not value.strip():
        raise _not_an_image()
    value = value.strip()
    if match := _DATA_URL.match(value):
        return _from_bytes(_decode(match.group(3)), match.group(1) or "")
    if value.lower().startswith(("http://", "https://")):
        response, raw = send_request(
            ctx,
            method="GET",
            url=value,
            headers={},
            query={},
            timeout=min(30.0, max(ctx.seconds_left(), 1.0)),
            max_bytes=int(settings.EZFLOW_AI_MAX_IMAGE_BYTES),
        )
        if response.status_code >= 400:
            raise NodeError(
                gettext_noop("The image at %(url)s could not be downloaded (%(status)s)."),
                code="ai_bad_image",
                values={"url": value[:200], "status": str(response.status_code)},
            )
        return _from_bytes(raw, response.headers.get("content-type", ""))
    return _from_bytes(_decode(value))


def images_from(ctx, value) -> tuple[Image, ...]:
    if value in (None, "", []):
        return ()
    values = value if isinstance(value, list) else [value]
    if len(values) > MAX_IMAGES:
        raise NodeError(
            gettext_noop("At most %(limit)s images can go to the model at once."), code="ai_bad_image", values={"limit": MAX_IMAGES}
        )
    return tuple(_one(ctx, one) for one in values)
