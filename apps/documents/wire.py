"""How values cross the pipe to and from the document child process: JSON, with bytes, tuples and dicts marked so that
an item's own keys can never be read as markers. Bytes sent to the child follow the header raw (`blobs` gives their
sizes); bytes coming back are base64 inside the answer line. Nothing here is pickle: the child may have been fed a
hostile file, so what it answers is only ever data."""

from __future__ import annotations

import base64
from typing import Any

BYTES, TUPLE, DICT = "\x00b", "\x00t", "\x00d"


def encode(value: Any, blobs: list[bytes] | None = None) -> Any:
    """JSON-ready `value`. With `blobs`, bytes are appended there and referred to by position; otherwise base64."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        if blobs is None:
            return {BYTES: base64.b64encode(bytes(value)).decode("ascii")}
        blobs.append(bytes(value))
        return {BYTES: len(blobs) - 1}
    if isinstance(value, tuple):
        return {TUPLE: [encode(v, blobs) for v in value]}
    if isinstance(value, list):
        return [encode(v, blobs) for v in value]
    if isinstance(value, dict):
        return {DICT: {str(k): encode(v, blobs) for k, v in value.items()}}
    return value


def decode(value: Any, blobs: list[bytes] | None = None) -> Any:
    if isinstance(value, list):
        return [decode(v, blobs) for v in value]
    if isinstance(value, dict):
        if len(value) != 1:
            raise ValueError("unmarked object")
        ((marker, inner),) = value.items()
        if marker == DICT and isinstance(inner, dict):
            return {k: decode(v, blobs) for k, v in inner.items()}
        if marker == TUPLE and isinstance(inner, list):
            return tuple(decode(v, blobs) for v in inner)
        if marker == BYTES:
            if blobs is not None and isinstance(inner, int) and 0 <= inner < len(blobs):
                return blobs[inner]
            if blobs is None and isinstance(inner, str):
                return base64.b64decode(inner, validate=True)
        raise ValueError("unknown marker")
    return value
