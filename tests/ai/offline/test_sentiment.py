"""Sentiment through the engine: Korean (the NSMC model and customer cues), English (VADER and cues), neutral
questions, and the model loaded once per process."""

import pytest

from apps.ai.offline import cache, sentiment
from tests.ai.offline.support import outputs


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("배송이 2주째 안 오고 고객센터는 연락도 없네요. 정말 실망입니다.", "negative"),
        ("직원분이 친절하게 도와주셔서 금방 해결했어요. 감사합니다!", "positive"),
        ("영업시간이 어떻게 되나요?", "neutral"),
        ("이 영화 진짜 최고다 배우들 연기 미쳤음", "positive"),
        ("시간 아까운 영화. 스토리도 엉망", "negative"),
        ("The package arrived damaged and nobody answers the phone. Terrible.", "negative"),
        ("Thank you so much, the technician was friendly and quick!", "positive"),
        ("Do you ship to Canada?", "neutral"),
        ("The product is not good at all.", "negative"),
    ],
)
def test_labels_korean_and_english_messages(text, label):
    (item,) = outputs("ai.sentiment", [{"text": text}])
    assert item["sentiment"]["label"] == label, item["sentiment"]
    assert -1 <= item["sentiment"]["score"] <= 1
    assert item["text"] == text


def test_score_sign_follows_the_label_and_language_is_reported():
    items = outputs("ai.sentiment", [{"m": "최악의 서비스"}, {"m": "great service, thanks"}], text="{{ json.m }}", result_field="s")
    assert items[0]["s"]["score"] < 0 < items[1]["s"]["score"]
    assert [item["s"]["language"] for item in items] == ["ko", "en"]


def test_empty_text_is_neutral_and_a_chosen_language_is_used():
    first, second = outputs("ai.sentiment", [{"text": ""}, {"text": "good"}], language="ko")
    assert first["sentiment"] == {"label": "neutral", "score": 0.0, "language": "ko"}
    assert second["sentiment"]["language"] == "ko"


def test_the_korean_model_loads_once_per_process(monkeypatch):
    loads = []
    real = sentiment.KoreanModel
    monkeypatch.setattr(cache, "_loaded", {})
    monkeypatch.setattr(sentiment, "KoreanModel", lambda: loads.append(1) or real())
    outputs("ai.sentiment", [{"text": "좋아요"}, {"text": "싫어요"}])
    outputs("ai.sentiment", [{"text": "보통이에요"}])
    assert loads == [1]
    assert "sentiment_ko" in cache.loaded()


def test_importing_the_steps_loads_no_model():
    import subprocess
    import sys

    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'ezflow_site.settings');"
        "django.setup(); import sys;"
        "from apps.ai.offline import cache;"
        "assert cache.loaded() == [], cache.loaded();"
        "assert 'numpy' not in sys.modules and 'kiwipiepy' not in sys.modules and 'vaderSentiment.vaderSentiment' not in sys.modules, "
        "[m for m in ('numpy', 'kiwipiepy') if m in sys.modules]"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]


def test_too_long_text_is_a_clear_error():
    from tests.ai.offline.support import run

    result = run("ai.sentiment", [{"text": "가" * 100_001}])
    assert result.status == "failed" and result.error_code == "ai_text_too_long"


@pytest.mark.parametrize(
    ("text", "label"),
    [
        # complaints told as plain facts: no feeling word for the lexicons or the movie-review model
        ("주문한 의자 다리가 하나 빠진 채로 도착했습니다.", "negative"),
        ("택배 보관함 비밀번호가 문자로 오지 않았어요.", "negative"),
        ("I was billed for a plan I never signed up for.", "negative"),
        # a polite request stays neutral, whatever the customer-message model thinks of its words
        ("Please send the invoice to our accounting team.", "neutral"),
        ("회의 자료 첨부드립니다.", "neutral"),
    ],
)
def test_customer_messages_without_feeling_words(text, label):
    assert sentiment.analyse(text).label == label


def test_the_customer_training_set_is_its_own_and_never_an_evaluation_set():
    from pathlib import Path

    from apps.ai.offline.train_sentiment import CUSTOMER, read_customer

    rows = read_customer(CUSTOMER)
    assert len(rows) >= 300
    assert {lang for lang, _label, _text in rows} == {"ko", "en"}
    assert {label for _lang, label, _text in rows} == {"positive", "negative", "neutral"}
    bench = Path(__file__).resolve().parents[3] / "bench" / "data" / "ai"
    evaluated = {text for path in bench.glob("customer_messages*.tsv") for _lang, _label, text in read_customer(path)}
    assert evaluated and not evaluated & {text for _lang, _label, text in rows}
