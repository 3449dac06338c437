"""Which language a text is in: the share of Hangul decides Korean, then the share of kana, Han characters and
Latin letters; Latin text is told apart by a small table of frequent words per language (written here)."""

from __future__ import annotations

import re

_WORD = re.compile(r"[a-zà-öø-ÿ']+")

_COMMON_WORDS = {
    "en": {"the", "and", "is", "to", "of", "you", "for", "my", "it", "in", "this", "please", "with", "was", "have", "i"},
    "fr": {"le", "la", "les", "et", "est", "de", "des", "je", "vous", "pour", "une", "un", "avec", "merci", "pas"},
    "de": {"der", "die", "das", "und", "ist", "ich", "sie", "nicht", "mit", "ein", "eine", "für", "bitte", "danke"},
    "es": {"el", "la", "los", "las", "y", "es", "de", "que", "por", "para", "con", "una", "gracias", "no", "mi"},
}


def script_shares(text: str) -> dict[str, float]:
    counts = {"hangul": 0, "kana": 0, "han": 0, "latin": 0}
    letters = 0
    for char in str(text):
        code = ord(char)
        if 0xAC00 <= code <= 0xD7A3 or 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F:
            counts["hangul"] += 1
        elif 0x3040 <= code <= 0x30FF:
            counts["kana"] += 1
        elif 0x4E00 <= code <= 0x9FFF:
            counts["han"] += 1
        elif char.isalpha() and code < 0x250:
            counts["latin"] += 1
        else:
            continue
        letters += 1
    return {name: (count / letters if letters else 0.0) for name, count in counts.items()}


def detect(text: str) -> tuple[str, float]:
    """(language code or "unknown", confidence 0–1)."""
    shares = script_shares(text)
    if shares["hangul"] >= 0.3:
        return "ko", round(min(1.0, 0.5 + shares["hangul"] / 2), 3)
    if shares["kana"] >= 0.1:
        return "ja", round(min(1.0, 0.5 + (shares["kana"] + shares["han"]) / 2), 3)
    if shares["han"] >= 0.3:
        return "zh", round(min(1.0, 0.5 + shares["han"] / 2), 3)
    if shares["latin"] < 0.3:
        return "unknown", 0.0
    words = _WORD.findall(str(text).lower())
    if not words:
        return "unknown", 0.0
    hits = {language: sum(word in common for word in words) for language, common in _COMMON_WORDS.items()}
    best = max(hits, key=lambda language: (hits[language], language == "en"))
    if hits[best] == 0:
        return "en", 0.5  # Latin letters with no frequent word: names, codes, short labels, mostly English here
    return best, round(min(1.0, 0.5 + hits[best] / (2 * len(words)) + 0.25), 3)


def is_korean(text: str) -> bool:
    return script_shares(text)["hangul"] >= 0.3
