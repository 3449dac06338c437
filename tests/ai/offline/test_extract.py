"""Dates and times (Korean and English, relative to the run's moment in the organization's time zone), money, phone
numbers, e-mail and web addresses, business registration numbers; through the engine."""

import datetime as dt

import pytest

from apps.ai.offline import datetimes
from apps.ai.offline.extract import business_number_valid, extract, korean_amount
from tests.ai.offline.support import NOW, outputs

# NOW is Wednesday 2026-03-04 09:30 in Seoul.
DATES = [
    ("다음주 화요일 오후 3시에 뵙겠습니다", "다음주 화요일 오후 3시", "2026-03-10T15:00:00+09:00"),
    ("모레 가능하세요?", "모레", "2026-03-06"),
    ("이번 달 말일까지 제출해 주세요", "이번 달 말일", "2026-03-31"),
    ("내일 오전 10시 반 회의", "내일 오전 10시 반", "2026-03-05T10:30:00+09:00"),
    ("오늘 저녁 7시 30분에 출발", "오늘 저녁 7시 30분", "2026-03-04T19:30:00+09:00"),
    ("2026년 3월 15일 14:00 시작", "2026년 3월 15일 14:00", "2026-03-15T14:00:00+09:00"),
    ("2026.04.02 마감", "2026.04.02", "2026-04-02"),
    ("3월 20일에 오픈", "3월 20일", "2026-03-20"),
    ("내년 1월 2일", "내년 1월 2일", "2027-01-02"),
    ("3일 후에 연락드릴게요", "3일 후", "2026-03-07"),
    ("일주일 뒤 재방문", "일주일 뒤", "2026-03-11"),
    ("2주 후 다시 방문", "2주 후", "2026-03-18"),
    ("다음 달 초에 정산", "다음 달 초", "2026-04-01"),
    ("다음 달 15일", "다음 달 15일", "2026-04-15"),
    ("지난주 금요일에 주문했어요", "지난주 금요일", "2026-02-27"),
    ("이번주 금요일", "이번주 금요일", "2026-03-06"),
    ("금요일 오후 2시", "금요일 오후 2시", "2026-03-06T14:00:00+09:00"),
    ("수요일에 와 주세요", "수요일", "2026-03-04"),
    ("내일모레 봬요", "내일모레", "2026-03-06"),
    ("어제 받은 물건", "어제", "2026-03-03"),
    ("글피", "글피", "2026-03-07"),
    ("3시에 통화해요", "3시", "2026-03-04T15:00:00+09:00"),
    ("정오까지", "정오", "2026-03-04T12:00:00+09:00"),
    ("밤 11시", "밤 11시", "2026-03-04T23:00:00+09:00"),
    ("새벽 2시", "새벽 2시", "2026-03-04T02:00:00+09:00"),
    ("오후 네 시에 봐요", "오후 네 시", "2026-03-04T16:00:00+09:00"),
    ("두 시 반", "두 시 반", "2026-03-04T14:30:00+09:00"),
    ("3시간 후에 도착", "3시간 후", "2026-03-04T12:30:00+09:00"),
    ("30분 뒤에 전화", "30분 뒤", "2026-03-04T10:00:00+09:00"),
    ("이번 주말에 방문", "이번 주말", "2026-03-07"),
    ("다음 주말 오후 2시", "다음 주말 오후 2시", "2026-03-14T14:00:00+09:00"),
    ("3월 말까지 신청", "3월 말", "2026-03-31"),
    ("오는 15일 오후 2시 공청회", "오는 15일 오후 2시", "2026-03-15T14:00:00+09:00"),
    ("오는 2일", "오는 2일", "2026-04-02"),
    ("이틀 뒤 출고", "이틀 뒤", "2026-03-06"),
    ("3월 20일 금요일에 오픈", "3월 20일", "2026-03-20"),
    ("in 2 hours", "in 2 hours", "2026-03-04T11:30:00+09:00"),
    ("next Friday at 3 pm", "next Friday at 3 pm", "2026-03-13T15:00:00+09:00"),
    ("tomorrow 10:30 am", "tomorrow 10:30 am", "2026-03-05T10:30:00+09:00"),
    ("Can we meet on March 5, 2027?", "March 5, 2027", "2027-03-05"),
    ("due 12th of April", "12th of April", "2026-04-12"),
    ("in 2 weeks", "in 2 weeks", "2026-03-18"),
    ("the day after tomorrow at noon", "the day after tomorrow at noon", "2026-03-06T12:00:00+09:00"),
    ("3 pm tomorrow", "3 pm tomorrow", "2026-03-05T15:00:00+09:00"),
    ("by end of next month", "end of next month", "2026-04-30"),
    ("2026-04-01", "2026-04-01", "2026-04-01"),
]


@pytest.mark.parametrize(("text", "found", "value"), DATES)
def test_dates_and_times(text, found, value):
    (date,) = datetimes.find(text, NOW)
    assert (date["text"], date["value"]) == (found, value)
    assert date["type"] == ("datetime" if "T" in value else "date")


def test_no_dates_in_durations_or_plain_numbers():
    assert datetimes.find("3시간 걸립니다. 주문 수량 15개, 5일", NOW) == []


def test_invalid_calendar_dates_are_skipped():
    assert datetimes.find("2월 30일", NOW) == []


def test_the_organizations_time_zone_and_the_runs_moment_decide():
    new_york = dt.datetime(2026, 3, 3, 20, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    (item,) = outputs("ai.extract", [{"text": "내일 오전 9시"}], now=new_york, time_zone="America/New_York")
    assert item["extracted"]["dates"][0]["value"] == "2026-03-04T09:00:00-05:00"


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("3만 5천원", 35000, "KRW"),
        ("₩12,000", 12000, "KRW"),
        ("$30", 30, "USD"),
        ("1억 2천만 원", 120000000, "KRW"),
        ("35,000원", 35000, "KRW"),
        ("만원", 10000, "KRW"),
        ("3.5만원", 35000, "KRW"),
        ("$1,299.99", 1299.99, "USD"),
        ("20 USD", 20, "USD"),
        ("€20", 20, "EUR"),
        ("30달러", 30, "USD"),
        ("$2.5k", 2500, "USD"),
    ],
)
def test_money(text, amount, currency):
    (found,) = extract(f"금액은 {text}입니다", NOW, ("money",))["money"]
    assert (found["amount"], found["currency"]) == (amount, currency)


def test_korean_amounts():
    assert korean_amount("2천 5백") == 2500
    assert korean_amount("1조 3억") == 1_000_300_000_000


def test_phones_emails_urls_and_business_numbers_through_the_engine():
    text = (
        "담당 김민수(010-1234-5678, 02)555-1234, +82 10-9876-5432, 대표 1588-1234) "
        "메일 minsu.kim@example.co.kr 으로, 자세한 내용은 https://ezflow.kr/help?q=1. 또는 www.example.com "
        "사업자등록번호 124-81-00998, 잘못된 번호 123-45-67890, 1248100998"
    )
    (item,) = outputs("ai.extract", [{"body": text}], text="{{ json.body }}", dates=False, money=False)
    found = item["extracted"]
    assert set(found) == {"phones", "emails", "urls", "business_numbers"}
    assert [p["value"] for p in found["phones"]] == ["010-1234-5678", "02-555-1234", "010-9876-5432", "1588-1234"]
    assert found["phones"][0]["international"] == "+821012345678"
    assert [e["value"] for e in found["emails"]] == ["minsu.kim@example.co.kr"]
    assert [u["value"] for u in found["urls"]] == ["https://ezflow.kr/help?q=1", "https://www.example.com"]
    assert [(b["value"], b["valid"]) for b in found["business_numbers"]] == [
        ("124-81-00998", True),
        ("123-45-67890", False),
        ("124-81-00998", True),
    ]


def test_business_number_check_digit():
    assert business_number_valid("124-81-00998")
    assert not business_number_valid("124-81-00990")
    assert not business_number_valid("12345")


def test_everything_together_in_a_message():
    (item,) = outputs(
        "ai.extract",
        [{"text": "다음주 화요일 오후 3시에 3만 5천원 결제 예정, 문의 010-2222-3333 / help@shop.kr"}],
    )
    found = item["extracted"]
    assert found["dates"][0]["value"] == "2026-03-10T15:00:00+09:00"
    assert found["money"][0]["amount"] == 35000
    assert found["phones"][0]["value"] == "010-2222-3333"
    assert found["emails"][0]["value"] == "help@shop.kr"


def test_names_are_off_by_default_and_found_when_asked():
    text = "김민수 과장님이 삼성전자 본사에서 내일 오후 2시에 발표합니다."
    (plain,) = outputs("ai.extract", [{"text": text}])
    assert "names" not in plain["extracted"]
    (named,) = outputs("ai.extract", [{"text": text}], names=True, money=False)
    assert {"김민수", "삼성전자"} <= set(named["extracted"]["names"])
    assert named["extracted"]["dates"][0]["value"] == "2026-03-05T14:00:00+09:00"
