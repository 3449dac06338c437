"""Extractive summaries (the sentences that share most with the rest of the text, in their original order) and
keywords (Korean nouns from kiwipiepy's morphological analysis; English words that are not stop words)."""

from __future__ import annotations

import math
import re
from collections import Counter

from apps.ai.offline import cache
from apps.ai.offline.language import is_korean

_SENTENCE_END = re.compile(r"(?<!Mr\.)(?<!Ms\.)(?<!Dr\.)(?<!Mrs\.)(?<!St\.)(?<!vs\.)(?<!No\.)(?<!e\.g\.)(?<!i\.e\.)(?<=[.!?。？！])\s+|\n+")
_WORD = re.compile(r"[가-힣]+|[a-z][a-z'’-]*[a-z]|[a-z]|\d+(?:[.,]\d+)*", re.IGNORECASE)
_KOREAN_ENDINGS = re.compile(
    r"(?:습니다|합니다|했습니다|입니다|이었다|였다|했다|한다|하는|했고|하고|하며|해서|에서|에게|으로|부터|까지|처럼|보다|"
    r"이라|라는|이다|은|는|이|가|을|를|의|에|와|과|도|로|만|요)$"
)
EN_STOP_WORDS = frozenset(
    """a about above after again against all also am an and any are aren't as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have having he her
    here hers herself him himself his how i if in into is isn't it its itself just let me more most my myself no nor
    not now of off on once only or other our ours ourselves out over own same she should so some such than that the
    their theirs them themselves then there these they this those through to too under until up very was we were what
    when where which while who whom why will with would you your yours yourself yourselves please thanks thank
    hi hello dear regards also one two get got us via per""".split()
)
KIWI_NOUN_TAGS = ("NNG", "NNP", "SL", "SH")
_KIWI_STOP = frozenset("것 수 등 때 곳 중 점 분 년 월 일 시 번 개 명 원 더 및 그 이 저 좀 안 내 제 거 뭐 게 듯 뿐 측 쪽 데".split())


def sentences(text: str) -> list[str]:
    return [part.strip() for part in _SENTENCE_END.split(str(text or "")) if part and part.strip()]


def _terms(sentence: str) -> list[str]:
    terms = []
    for word in _WORD.findall(sentence.lower()):
        if word in EN_STOP_WORDS:
            continue
        if re.match(r"[가-힣]", word):
            stem = _KOREAN_ENDINGS.sub("", word)
            word = stem if len(stem) >= 1 else word
            terms.extend(word[i : i + 2] for i in range(max(1, len(word) - 1)))  # bigrams survive spacing and endings
        else:
            terms.append(word)
    return terms


def summarise(text: str, count: int = 3) -> list[str]:
    """The `count` most central sentences, in the order the text has them."""
    found = sentences(text)
    if len(found) <= count:
        return found
    bags = [Counter(_terms(sentence)) for sentence in found]
    documents = Counter(term for bag in bags for term in bag)
    total = len(found)

    def weight(bag: Counter) -> dict[str, float]:
        return {term: freq * math.log(1 + total / documents[term]) for term, freq in bag.items()}

    vectors = [weight(bag) for bag in bags]
    norms = [math.sqrt(sum(v * v for v in vector.values())) or 1.0 for vector in vectors]
    scores = []
    for i, vector in enumerate(vectors):
        similarity = 0.0
        for j, other in enumerate(vectors):
            if i != j:
                similarity += sum(value * other.get(term, 0.0) for term, value in vector.items()) / (norms[i] * norms[j])
        position = 0.15 if i == 0 else 0.0  # a first sentence often states the point
        scores.append(similarity / (total - 1) + position)
    chosen = sorted(sorted(range(total), key=lambda i: -scores[i])[:count])
    return [found[i] for i in chosen]


def _load_kiwi():
    from kiwipiepy import Kiwi

    # The default dictionary adds ~85 MB for proper nouns the model mostly finds on its own (bench/README.md).
    return Kiwi(num_workers=-1, load_default_dict=False, load_typo_dict=False, load_multi_dict=False)


def kiwi():
    return cache.model("kiwi", _load_kiwi)


def korean_nouns(text: str) -> list[tuple[str, str]]:
    """(noun, tag) in order: compounds of adjacent nouns joined ("고객 센터" stays two, "고객센터" one)."""
    tokens = kiwi().tokenize(str(text))
    nouns: list[tuple[str, str]] = []
    previous_end = -1
    for token in tokens:
        if token.tag not in KIWI_NOUN_TAGS:
            previous_end = -1
            continue
        if nouns and token.start == previous_end and token.tag != "SL":
            form, tag = nouns[-1]
            nouns[-1] = (form + token.form, "NNP" if "NNP" in (tag, token.tag) else tag)
        else:
            nouns.append((token.form, token.tag))
        previous_end = token.start + token.len
    return nouns


def keywords(text: str, count: int = 5) -> list[dict]:
    """[{"keyword", "count", "score"}] — Korean nouns (kiwipiepy) or English words, by frequency and length."""
    text = str(text or "")
    if not text.strip():
        return []
    if is_korean(text):
        words = [form for form, _tag in korean_nouns(text) if form not in _KIWI_STOP and (len(form) > 1 or form.isascii())]
        words = [w.lower() if w.isascii() else w for w in words if not w.isdigit()]
    else:
        words = [w for w in re.findall(r"[a-z][a-z'-]*[a-z]", text.lower()) if w not in EN_STOP_WORDS and len(w) > 2]
    counts = Counter(words)
    first = {}
    for index, word in enumerate(words):
        first.setdefault(word, index)
    scored = [(freq * (1 + 0.1 * min(len(word), 6)) - 0.001 * first[word], word, freq) for word, freq in counts.items()]
    scored.sort(key=lambda entry: -entry[0])
    best = scored[0][0] if scored else 1.0
    return [{"keyword": word, "count": freq, "score": round(score / best, 3)} for score, word, freq in scored[:count]]


def entities(text: str) -> list[str]:
    """Proper nouns the analyser tags (people, organizations, places): Korean text only."""
    if not is_korean(text):
        return []
    seen: dict[str, None] = {}
    for form, tag in korean_nouns(text):
        if tag == "NNP" and len(form) > 1:
            seen.setdefault(form)
    return list(seen)
