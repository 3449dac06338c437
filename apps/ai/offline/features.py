"""Text → hashed character n-gram features, shared by the sentiment model, zero-shot classification, trained
classifiers and language detection. Pure Python (no numpy): the web process may use it without loading a model.

The hash is CRC-32 (stable across processes and Python versions, unlike `hash()`), so a model trained once keeps
meaning the same features wherever it is loaded."""

from __future__ import annotations

import re
import unicodedata
import zlib

_REPEATS = re.compile(r"(.)\1{2,}")
_SPACES = re.compile(r"\s+")
_WORDS = re.compile(r"[\w']+|[!?]+|[ㅋㅎㅠㅜ]+")


def normalise(text: str) -> str:
    """NFC, lower case, runs of one character cut to two ("ㅋㅋㅋㅋㅋ" → "ㅋㅋ"), spaces collapsed."""
    text = unicodedata.normalize("NFC", str(text)).lower()
    text = _REPEATS.sub(r"\1\1", text)
    return _SPACES.sub(" ", text).strip()


def char_ngrams(text: str, sizes: tuple[int, ...] = (1, 2, 3, 4)) -> list[str]:
    """Character n-grams of the normalised text, spaces kept so that n-grams at word edges differ from inner ones."""
    padded = f" {normalise(text)} "
    grams = []
    for n in sizes:
        grams.extend(padded[i : i + n] for i in range(len(padded) - n + 1))
    return grams


def word_tokens(text: str) -> list[str]:
    words = _WORDS.findall(normalise(text))
    return ["w:" + w for w in words] + ["b:" + a + " " + b for a, b in zip(words, words[1:], strict=False)]


def hashed(tokens, bits: int) -> dict[int, int]:
    """{bucket: count} for the tokens, in 2**bits buckets."""
    mask = (1 << bits) - 1
    counts: dict[int, int] = {}
    for token in tokens:
        bucket = zlib.crc32(token.encode("utf-8")) & mask
        counts[bucket] = counts.get(bucket, 0) + 1
    return counts


def sentiment_features(text: str, bits: int) -> list[int]:
    """The set of buckets of the sentiment model: char 1–4-grams, words and word pairs."""
    return sorted(hashed(char_ngrams(text) + word_tokens(text), bits))
