"""Marketplace templates as skeletons: a request close to a template (its words found in the template's title,
summary and tags, in Korean or English, and every step the request names present in the template's graph) starts
from that template's graph, then the planner fills the slots it can (schedule, search words, recipients...).

Pure Python: the caller hands in `Skeleton`s (the service reads them from the marketplace)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from apps.assistant.planner.catalog import FILLER, words
from apps.assistant.planner.slots import EMAIL, QUOTED, URL

# Korean particles and endings a word may carry in a sentence ("뉴스를", "시트에", "오면"): the stem is compared.
PARTICLES = tuple(
    sorted(
        "에서는 에서 으로 에게 까지 부터 이면 으면 하면 해서 하고 되면 오면 을 를 이 가 은 는 에 의 로 도 와 과 면 씩".split(),
        key=len,
        reverse=True,
    )
)
# Words that say "deliver" or "tell", not what a flow is about: every template has them, so they match nothing.
GENERIC = frozenset(
    "알림 알려 알리 보내 보내기 보내줘 올려 올리 올려줘 전송 메시지 받기 받아 만들어 자동 자동화 업무 "
    "send sending post posting notify notification notifications alert alerts message messages reminder remind get "
    "make create automate automation new".split()
)
MIN_WORDS = 2  # words of the request the template must share
MIN_SCORE = 0.5  # harmonic mean of: the request's words found in the template, the template title's words in the request


@dataclass
class Skeleton:
    """A template as the planner sees it: `titles` (one per language known), `text` its summary and tags."""

    id: object
    title: str
    text: str
    graph: dict
    titles: tuple[str, ...] = ()
    popularity: int = 0


def stem(word: str) -> str:
    if re.search(r"[가-힣]", word):
        for ending in PARTICLES:
            if word.endswith(ending) and len(word) - len(ending) >= 2:
                return word[: -len(ending)]
    elif len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def content_words(sentence: str) -> list[str]:
    """The words that say what a request (or a template title) is about: not quoted values, addresses, times,
    numbers, filler or the generic words of delivering."""
    text = URL.sub(" ", EMAIL.sub(" ", QUOTED.sub(" ", sentence.lower())))
    out: list[str] = []
    for word in words(text):
        word = stem(word)
        if len(word) >= 2 and not FILLER.fullmatch(word) and word not in GENERIC and not word.isdigit() and word not in out:
            out.append(word)
    return out


def _contains(text: str, word: str) -> bool:
    if re.search(r"[가-힣]", word):
        return word in text
    return re.search(r"(?<![0-9a-z])" + re.escape(word) + r"(?:s|es)?(?![0-9a-z])", text) is not None


def shared_words(request_words: list[str], skeleton: Skeleton) -> list[str]:
    text = " ".join((*skeleton.titles, skeleton.title, skeleton.text)).lower()
    return [w for w in request_words if _contains(text, w)]


def title_share(sentence: str, skeleton: Skeleton) -> float:
    """How much of the template's title (the best of its languages) the request says."""
    request = sentence.lower()
    best = 0.0
    for title in skeleton.titles or (skeleton.title,):
        title_words = content_words(title)
        if title_words:
            best = max(best, sum(_contains(request, w) for w in title_words) / len(title_words))
    return best


def step_types(graph: dict) -> set[str]:
    return {str(n.get("type")) for n in graph.get("nodes") or []}


def end_types(graph: dict) -> set[str]:
    """Types of the steps a template ends with (nothing follows them): where its results go."""
    sources = {e.get("source") for e in graph.get("edges") or []}
    return {str(n.get("type")) for n in graph.get("nodes") or [] if n.get("id") not in sources and (graph.get("edges") or [])}


def closest(
    sentence: str, *, named_steps: list[str], trigger_kind: str, trigger_of, condition_key: str | None, skeletons
) -> tuple[Skeleton, list[str]] | None:
    """The template the request is closest to, with the words they share; None when none is close enough.
    `trigger_of(graph)` gives a graph's trigger kind; a request that names a schedule or a webhook only takes a
    template with that trigger; a request with a condition only takes a template with the condition step."""
    wanted = content_words(sentence)
    if not wanted:
        return None
    best = None
    for skeleton in skeletons:
        types = step_types(skeleton.graph)
        if not set(named_steps) <= types or not end_types(skeleton.graph) <= set(named_steps):
            continue  # the template must hold every step asked for, and send its results only where the person said
        if trigger_kind in ("schedule", "webhook") and trigger_of(skeleton.graph) != trigger_kind:
            continue
        if condition_key is not None and condition_key not in types:
            continue
        shared = shared_words(wanted, skeleton)
        if len(shared) < MIN_WORDS:
            continue
        share, covered = len(shared) / len(wanted), title_share(sentence, skeleton)
        score = 2 * share * covered / (share + covered) if share + covered else 0.0
        if score < MIN_SCORE:
            continue
        rank = (score, len(shared), -len(types - set(named_steps)), skeleton.popularity)
        if best is None or rank > best[0]:
            best = (rank, skeleton, shared)
    return (best[1], best[2]) if best else None


def from_content(content: dict) -> Skeleton:
    """A template in the shipped `ezflow-template/1` format (both languages' titles and summaries) as a skeleton."""
    return Skeleton(
        id=content["slug"],
        title=content["title"][content["language"]],
        titles=tuple(content["title"].values()),
        text=" ".join([*content["summary"].values(), *content.get("tags", [])]),
        graph=content["graph"],
    )
