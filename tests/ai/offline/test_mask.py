"""Personal data masked in the chosen fields through the engine; other fields and look-alikes left alone."""

import pytest

from apps.ai.offline.mask import luhn_valid, mask_text
from tests.ai.offline.support import outputs, run


@pytest.mark.parametrize(
    ("text", "masked", "kind"),
    [
        ("주민번호 900101-1234567 입니다", "주민번호 900101-1****** 입니다", "resident_numbers"),
        ("주민번호 9001012234567", "주민번호 9001012******", "resident_numbers"),
        ("연락처 010-1234-5678로 주세요", "연락처 010-****-5678로 주세요", "phones"),
        ("01098765432", "010****5432", "phones"),
        ("02-123-4567", "02-***-4567", "phones"),
        ("카드 4111 1111 1111 1111", "카드 **** **** **** 1111", "cards"),
        ("card 5555-5555-5555-4444 ok", "card ****-****-****-4444 ok", "cards"),
        ("국민은행 계좌 123456-01-234567로 입금", "국민은행 계좌 ******-**-**4567로 입금", "accounts"),
        ("신한 110-123-456789", "신한 ***-***-**6789", "accounts"),
        ("account 12345678901", "account *******8901", "accounts"),
        ("메일 hong@example.com으로", "메일 h***@example.com으로", "emails"),
        ("서울특별시 강남구 테헤란로 152 12층", "서울특별시 강남구 **** *** 12층", "addresses"),
        ("부산광역시 해운대구 우동 1408-5번지", "부산광역시 해운대구 ** ****-***", "addresses"),
        ("I live at 221 Baker Street, London", "I live at *** ***** ******, London", "addresses"),
    ],
)
def test_each_kind(text, masked, kind):
    result, counts = mask_text(text)
    assert result == masked
    assert counts[kind] == 1 and sum(counts.values()) == 1


@pytest.mark.parametrize(
    "text",
    ["카드 1234 5678 9012 3456", "주문일 2024-03-05", "주문번호 A-2024-0001", "수량 1,000개", "991332-1234567"],
)
def test_look_alikes_stay(text):
    assert mask_text(text) == (text, dict.fromkeys(("resident_numbers", "cards", "accounts", "phones", "emails", "addresses"), 0))


def test_luhn():
    assert luhn_valid("4111111111111111") and luhn_valid("79927398713")
    assert not luhn_valid("4111111111111112")


def test_only_chosen_fields_and_kinds_through_the_engine():
    item = {
        "memo": "고객 010-1234-5678, hong@example.com",
        "customer": {"phone": "010-9999-8888", "id": 42},
        "public": "대표번호 1588-1234, 010-1111-2222",
    }
    (out,) = outputs("ai.mask", [item], fields="memo, customer.phone, customer.id, missing", emails=False, report_field="masked")
    assert out["memo"] == "고객 010-****-5678, hong@example.com"
    assert out["customer"] == {"phone": "010-****-8888", "id": 42}
    assert out["public"] == item["public"]
    assert out["masked"]["phones"] == 2 and "emails" not in out["masked"]
    assert item["memo"] == "고객 010-1234-5678, hong@example.com"  # the input item is not changed


def test_no_fields_is_a_clear_error():
    result = run("ai.mask", [{"memo": "x"}], fields=" , ")
    assert result.status == "failed" and result.error_code == "ai_mask_no_fields"
