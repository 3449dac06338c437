"""Extractive summaries and keywords (kiwipiepy nouns for Korean) through the engine."""

from apps.ai.offline import cache
from apps.ai.offline.summarise import sentences
from tests.ai.offline.support import outputs

KOREAN = (
    "서울시는 내년부터 모든 구청에 인공지능 민원 상담 서비스를 도입한다고 밝혔다. "
    "이 서비스는 시민이 전화나 채팅으로 민원을 넣으면 자동으로 담당 부서를 찾아 연결해 준다. "
    "시범 운영 기간 동안 민원 처리 시간이 평균 30% 줄었다. "
    "서울시 관계자는 상담 서비스 만족도도 크게 올랐다고 말했다. "
    "다만 개인정보 보호에 대한 우려도 제기됐다. "
    "서울시는 개인정보를 암호화해 보관하고 외부로 보내지 않겠다고 설명했다."
)
ENGLISH = (
    "The city council approved a new budget for public parks on Monday. "
    "The budget adds 2 million dollars for playgrounds and walking paths. "
    "Residents had asked for safer playgrounds for years. "
    "Some council members worried about maintenance costs. "
    "The mayor said the parks budget will be reviewed every year. "
    "Work on the first playgrounds starts in May."
)


def test_sentences_split_on_punctuation_and_lines_not_abbreviations():
    assert sentences("첫 문장입니다. 둘째요! 셋째?\n넷째 3.5% 올랐다. Mr. Kim said hi.") == [
        "첫 문장입니다.",
        "둘째요!",
        "셋째?",
        "넷째 3.5% 올랐다.",
        "Mr. Kim said hi.",
    ]


def test_korean_summary_keeps_the_central_sentences_in_order():
    (item,) = outputs("ai.summarize", [{"text": KOREAN}], sentences=2)
    chosen = item["summary"]["sentences"]
    assert len(chosen) == 2
    assert chosen[0].startswith("서울시는 내년부터")  # the lead
    assert all(sentence in KOREAN for sentence in chosen)
    assert [KOREAN.index(s) for s in chosen] == sorted(KOREAN.index(s) for s in chosen)
    assert item["summary"]["text"] == " ".join(chosen)


def test_english_summary_and_a_short_text_stays_whole():
    first, second = outputs("ai.summarize", [{"text": ENGLISH}, {"text": "Only one sentence."}], sentences=2)
    assert first["summary"]["sentences"][0] == "The city council approved a new budget for public parks on Monday."
    assert "Residents had asked" not in first["summary"]["text"]
    assert second["summary"]["sentences"] == ["Only one sentence."]


def test_korean_keywords_are_nouns_and_names_are_tagged():
    text = KOREAN + " 김민수 과장은 삼성전자와 협력한다고 말했다."
    (item,) = outputs("ai.keywords", [{"text": text}], count=4)
    keywords = item["keywords"]["keywords"]
    assert keywords[:3] == ["서울시", "서비스", "민원"]
    assert "밝혔다" not in keywords and "는" not in keywords
    assert {"김민수", "삼성전자"} <= set(item["keywords"]["names"])
    assert item["keywords"]["scores"][0]["count"] == 3
    assert "kiwi" in cache.loaded()


def test_english_keywords_skip_stop_words():
    (item,) = outputs("ai.keywords", [{"text": ENGLISH}], count=3)
    assert item["keywords"]["keywords"] == ["budget", "playgrounds", "council"]
    assert item["keywords"]["names"] == []


def test_empty_text():
    (item,) = outputs("ai.keywords", [{"text": ""}])
    assert item["keywords"] == {"keywords": [], "scores": [], "names": []}
