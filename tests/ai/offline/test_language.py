import pytest

from tests.ai.offline.support import outputs


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("배송 언제 오나요?", "ko"),
        ("주문번호 A-1234 배송 조회 부탁드립니다", "ko"),
        ("Where is my order?", "en"),
        ("Je voudrais annuler la commande, merci", "fr"),
        ("Ich habe eine Frage zu der Rechnung", "de"),
        ("Gracias por la ayuda con el pedido", "es"),
        ("注文はいつ届きますか", "ja"),
        ("我想取消订单", "zh"),
        ("12345 !!!", "unknown"),
    ],
)
def test_languages(text, code):
    (item,) = outputs("ai.language", [{"text": text}])
    assert item["language"]["code"] == code
    assert 0 <= item["language"]["confidence"] <= 1
