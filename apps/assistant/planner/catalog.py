"""Finding steps in a sentence by what the catalog says about them: labels (both languages) and aliases."""

from __future__ import annotations

import re
from dataclasses import dataclass

from apps.assistant.planner.slots import QUOTED
from apps.flows.nodes.base import NodeType
from apps.flows.nodes.registry import NodeRegistry

STOP_WORDS = frozenset(
    "a an the to of in on for with from and or me my it its is as by at into this that via your our "
    "이 그 저 를 을 에 의 로 으로 에서 및 또는 한 수 것".split()
)
# Words of a request that say when or how, not what (times, politeness): never a step or a template's topic.
FILLER = re.compile(
    r"보내줘|해줘|주세요|please|it|them|만들어줘|매일|매주|매월|매달|평일|주말|아침|저녁|오전|오후|밤|새벽|마다|정각|"
    r"\d.*|[월화수목금토일]요일|every|each|day|daily|morning|evening|night|am|pm|weekdays?|weekends?|hourly|hours?|minutes?|"
    r"month|monthly|week|weekly|(?:mon|tues|wednes|thurs|fri|satur|sun)days?|when|then|do|automatically|자동으로"
)
KOREAN_ENDINGS = ("으로", "에서", "에게", "하기", "보내기", "기")
# Words too common to name a step on their own: a one-word alias that is one of these is ignored.
COMMON_WORDS = frozenset(
    "자동화 자동 사진 이미지 그림 파일 문서 자료 데이터 데이터베이스 디비 정보 목록 리스트 검색 메시지 메세지 알림 추가 수정 삭제 "
    "업데이트 저장 기록 보내기 전송 텍스트 글 표 모델 결과 내용 요청 응답 작업 업무 스프레드시트 시트 웹 페이지 "
    "automation automate photo photos picture image images file files document documents data database db info list "
    "search message messages notification alert add insert update delete save record send text table model result "
    "content request response task work spreadsheet sheet web page".split()
)
# Latin brand words in Korean labels ("Google 캘린더 일정 찾기") as people write them in Korean.
TRANSLITERATIONS = {"google": "구글", "gmail": "지메일", "excel": "엑셀", "word": "워드", "clova": "클로바", "youtube": "유튜브"}


@dataclass(frozen=True)
class Mention:
    node_type: NodeType
    start: int
    end: int
    strength: float


def words(phrase: str) -> list[str]:
    tokens = re.findall(r"[0-9a-z가-힣.\-]+", phrase.lower())
    return [w.strip(".-") for w in tokens if len(w.strip(".-")) >= 2 and w.strip(".-") not in STOP_WORDS]


def _find(text: str, needle: str) -> int:
    """Position of `needle` in `text`: English words whole, Korean words as a prefix of a word (particles follow)."""
    if re.fullmatch(r"[0-9a-z.\- ]+", needle):
        found = re.search(r"(?<![0-9a-z])" + re.escape(needle) + r"(?:s|es|ed|ing)?(?![0-9a-z])", text)
        return found.start() if found else -1
    return text.find(needle)


def _phrase_hit(text: str, phrase: str) -> tuple[int, int, float] | None:
    phrase = phrase.lower().strip()
    if not phrase:
        return None
    at = _find(text, phrase)
    if at >= 0:
        return at, at + len(phrase), 2.0 + len(phrase)
    tokens = words(phrase)
    # Korean labels end in verb forms ("보내기") people inflect; the stem is enough.
    tokens = [next((w[: -len(e)] for e in KOREAN_ENDINGS if w.endswith(e) and len(w) - len(e) >= 2), w) for w in tokens]
    if len(tokens) < 2:  # one word left of a longer phrase ("웹 자동화" → "자동화") is a bare word: the whole phrase must appear
        return None
    positions = [_find(text, token) for token in tokens]
    if min(positions) < 0:
        return None
    # The span is the longest word only, so a label's common verb ("send") does not swallow other steps' words.
    position, token = max(zip(positions, tokens, strict=True), key=lambda pair: len(pair[1]))
    return position, position + len(token), float(sum(len(t) for t in tokens)) * 0.5


def is_condition_type(node_type: NodeType) -> bool:
    return any(p.type == "conditions" for p in node_type.params) and "true" in node_type.outputs


def condition_type(registry: NodeRegistry) -> NodeType | None:
    return next((n for n in registry.all() if is_condition_type(n) and not n.dynamic_outputs), None)


def trigger_of_kind(registry: NodeRegistry, kind: str) -> NodeType | None:
    """The plain trigger of a kind: of all triggers of that kind (a webhook: the generic one, Toss, KakaoPay...), the
    one needing no account and the fewest required settings."""
    candidates = [n for n in registry.all() if n.is_trigger and n.trigger_kind == kind]
    return min(
        candidates,
        key=lambda n: (any(p.type == "credential" for p in n.params), sum(1 for p in n.params if p.required), n.key),
        default=None,
    )


def _extended_end(text: str, end: int, node_type: NodeType) -> int:
    """A following word from the step's own label belongs to the same claim ("공공데이터 API를 호출" is the public
    data step, not also the HTTP step that "API 호출" names)."""
    following = re.match(r"\s+([0-9a-z가-힣]+)", text[end:])
    if following is None:
        return end
    own = set(words(" ".join(node_type.label.values())))
    return end + following.end() if any(following[1].startswith(w) for w in own) else end


def _single(phrase: str) -> str | None:
    """The one word of a one-word phrase (after dropping stop words), else None."""
    found = words(phrase)
    return found[0] if len(found) == 1 and len(phrase.split()) == 1 else None


_SPECIFIC: dict[tuple[int, tuple[str, ...]], dict[str, tuple[str, ...]]] = {}


def specific_aliases(registry: NodeRegistry) -> dict[str, tuple[str, ...]]:
    """(Worked out once per registry and set of step types.)"""
    stamp = (id(registry), tuple(registry.keys()))
    if stamp not in _SPECIFIC:
        _SPECIFIC.clear()
        _SPECIFIC[stamp] = _specific_aliases(registry)
    return _SPECIFIC[stamp]


def _specific_aliases(registry: NodeRegistry) -> dict[str, tuple[str, ...]]:
    """Each action step's aliases that may name it: every alias of two words or more, and a one-word alias only when
    it is not a common word and no other action step has the same one-word alias (so "mysql", an alias of all three
    MySQL steps, names none of them, and "데이터베이스" none at all: a bare word must single out its step)."""
    steps = [n for n in registry.all() if not n.is_trigger]
    claimed: dict[str, set[str]] = {}
    for node_type in steps:
        for alias in node_type.aliases:
            if (word := _single(alias)) is not None:
                claimed.setdefault(word, set()).add(node_type.key)
    out = {}
    for node_type in steps:
        kept = []
        for alias in node_type.aliases:
            word = _single(alias)
            if word is not None and (word in COMMON_WORDS or len(claimed[word]) > 1):
                continue
            kept.append(alias)
        out[node_type.key] = tuple(kept)
    return out


def _phrases(node_type: NodeType, aliases: tuple[str, ...]) -> list[str]:
    """What may name a step: its specific aliases and its labels (without a parenthesised note, "문자 보내기(SMS/LMS)"),
    and labels with their Latin brand words as written in Korean ("Google 캘린더" → "구글 캘린더")."""
    labels = []
    for label in (node_type.label.get("ko", ""), node_type.label.get("en", "")):
        plain = re.sub(r"\s*\([^)]*\)", "", label).strip()
        labels.append(plain if len(words(plain)) >= 2 else label)  # "코드 (파이썬)" stays whole: "코드" alone says little
    phrases = [*aliases, *labels]
    for phrase in list(phrases):
        if re.search("[가-힣]", phrase):
            spoken = phrase
            for latin, korean in TRANSLITERATIONS.items():
                spoken = re.sub(r"(?i)\b" + latin + r"\b", korean, spoken)
            if spoken != phrase:
                phrases.append(spoken)
    return [p for p in phrases if p]


def mentions(sentence: str, registry: NodeRegistry) -> list[Mention]:
    """Steps the sentence names, in sentence order; where two steps claim the same words, the stronger wins.
    Quoted words are values (a search word, a message), never step names: '자동화' is no "web automation" step."""
    text = QUOTED.sub(lambda m: " " * len(m[0]), sentence.lower())
    found: list[Mention] = []
    aliases = specific_aliases(registry)
    for node_type in registry.all():
        if node_type.is_trigger or is_condition_type(node_type) or not node_type.inputs or not node_type.outputs:
            continue
        best = None
        for phrase in _phrases(node_type, aliases.get(node_type.key, ())):
            hit = _phrase_hit(text, phrase)
            if hit and (best is None or hit[2] > best[2]):
                best = hit
        if best:
            found.append(Mention(node_type, best[0], _extended_end(text, best[1], node_type), best[2]))
    found.sort(key=lambda m: -m.strength)
    chosen: list[Mention] = []
    for mention in found:
        if any(mention.start < other.end and other.start < mention.end for other in chosen):
            continue
        chosen.append(mention)
    return sorted(chosen, key=lambda m: m.start)


def suggestions(sentence: str, registry: NodeRegistry, limit: int = 3) -> list[NodeType]:
    """Steps whose descriptions share the most words with the sentence (for the `missing` list, never added)."""
    wanted = set(words(sentence))
    scored = []
    for node_type in registry.all():
        if node_type.is_trigger:
            continue
        vocabulary = set(words(" ".join([*node_type.description.values(), *node_type.label.values(), *node_type.aliases])))
        overlap = len(wanted & vocabulary)
        if overlap:
            scored.append((overlap, node_type.key, node_type))
    return [entry[2] for entry in sorted(scored, key=lambda e: (-e[0], e[1]))[:limit]]
