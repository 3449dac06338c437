"""No bare common word hijacks planning. The rule (apps/assistant/planner/catalog.py `specific_aliases`): a one-word
alias names its step only when it is not a common word ("자동화", "사진", "데이터베이스", "file"...) and no other action
step has the same one-word alias ("mysql" is an alias of all three MySQL steps, so alone it names none of them);
aliases of two words or more always count. Checked over every alias in the catalog, and for a step registered later."""

import pytest

from apps.assistant.planner import plan
from apps.assistant.planner.catalog import COMMON_WORDS, _single, specific_aliases
from apps.flows.nodes.base import NodeType, t
from apps.flows.nodes.registry import NodeRegistry, load_builtin_nodes

REGISTRY = load_builtin_nodes()
ACTIONS = [n for n in REGISTRY.all() if not n.is_trigger]


def steps_planned(prompt: str, registry=None) -> list[str]:
    language = "ko" if any("가" <= ch <= "힣" for ch in prompt) else "en"
    return [n["type"] for n in plan(prompt, language=language, registry=registry or REGISTRY).graph["nodes"][1:]]


def one_word_aliases() -> list[tuple[str, str, str]]:
    return [(n.key, alias, word) for n in ACTIONS for alias in n.aliases if (word := _single(alias)) is not None]


def test_the_catalog_has_one_word_aliases_to_check():
    assert len(one_word_aliases()) > 50


@pytest.mark.parametrize(("key", "alias", "word"), one_word_aliases(), ids=lambda v: str(v))
def test_a_one_word_alias_names_its_own_step_or_nothing(key, alias, word):
    sharing = {n.key for n in ACTIONS if any(_single(a) == word for a in n.aliases)}
    kept = alias in specific_aliases(REGISTRY)[key]
    assert kept == (word not in COMMON_WORDS and sharing == {key})
    for prompt in (f"매일 9시에 {alias}", f"every day at 9 {alias}"):
        planned = steps_planned(prompt)
        if kept:
            assert key in planned, prompt
        # A common or shared word never brings in a step on its own (a step whose own label is that word may answer).
        others = [k for k in planned if k != key and word not in " ".join(REGISTRY.get(k).label.values()).lower()]
        assert not others or kept, (prompt, planned)
        if not kept:
            assert key not in planned or word in " ".join(REGISTRY.get(key).label.values()).lower(), (prompt, planned)


COMMON = ["자동화", "사진", "데이터베이스", "파일", "데이터", "database", "photo", "file", "db", "insert", "update"]


@pytest.mark.parametrize("word", COMMON)
def test_common_words_alone_bring_in_no_step(word):
    assert steps_planned(f"매일 아침 9시에 {word} 해줘") == []
    assert steps_planned(f"every day at 9 am {word}") == []


def test_common_words_do_not_hijack_a_request_that_names_its_steps():
    assert steps_planned("노션 데이터베이스에 페이지로 추가해줘") == ["notion.create_page"]
    assert steps_planned("매일 사진 파일을 슬랙으로 보내줘") == ["net.slack"]


def test_a_step_registered_later_gets_the_same_rule():
    class PhotoBox(NodeType):
        key = "test.photo_box"
        aliases = ("사진", "photobox", "포토박스 올리기", "shared")
        category = "action"
        label = t("Photo box upload", "포토박스 업로드")
        description = t("Uploads to Photo box.", "포토박스에 올립니다.")

    class OtherBox(NodeType):
        key = "test.other_box"
        aliases = ("shared",)
        category = "action"
        label = t("Other box", "다른 상자")
        description = t("Another.", "다른 것.")

    registry = NodeRegistry()
    for node_type in REGISTRY.all():
        registry.register(type(node_type))
    registry.register(PhotoBox)
    registry.register(OtherBox)
    assert specific_aliases(registry)["test.photo_box"] == ("photobox", "포토박스 올리기")
    assert steps_planned("매일 9시에 사진 보내줘", registry) == []
    assert steps_planned("매일 9시에 shared", registry) == []
    assert steps_planned("every day at 9 upload it to photobox", registry) == ["test.photo_box"]
    assert steps_planned("매일 9시에 포토박스 올리기", registry) == ["test.photo_box"]
