"""Amounts of money, phone numbers, e-mail and web addresses and Korean business registration numbers (사업자등록번호,
checked by their check digit) found in text; dates and times come from datetimes.py."""

from __future__ import annotations

import re

from apps.ai.offline import datetimes

KINDS = ("dates", "money", "phones", "emails", "urls", "business_numbers", "names")

EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![A-Za-z0-9-])")
URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"'()]+[^\s<>\"'().,;:!?]", re.IGNORECASE)
PHONE = re.compile(
    r"(?<![\d+-])(?:"
    r"(?P<intl>\+82[\s-]?(?:\(0\))?(?P<ia>1[016789]|[2-6]\d?)[\s.-]?(?P<ib>\d{3,4})[\s.-]?(?P<ic>\d{4}))"
    r"|(?P<kr>\(?(?P<a>01[016789]|02|0[3-6][1-5]|070|050\d?)\)?[\s.-]?(?P<b>\d{3,4})[\s.-]?(?P<c>\d{4}))"
    r"|(?P<rep>(?P<ra>1[5-9]\d{2})[\s.-](?P<rb>\d{4}))"
    r")(?![\d-])"
)
BUSINESS_NUMBER = re.compile(r"(?<![\d-])(\d{3})-?(\d{2})-?(\d{5})(?![\d-])")
_BUSINESS_WEIGHTS = (1, 3, 7, 1, 3, 7, 1, 3, 5)

_KO_UNITS = {"조": 10**12, "억": 10**8, "만": 10**4, "천": 10**3, "백": 10**2, "십": 10}
_AMOUNT = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
MONEY = re.compile(
    r"(?P<sym>[₩$€¥£])\s?(?P<sv>" + _AMOUNT + r")(?P<sunit>\s?(?:만|억|천|k|m|million|billion))?(?![\d])"
    r"|(?P<code>KRW|USD|EUR|JPY|GBP)\s?(?P<cv>" + _AMOUNT + r")"
    r"|(?P<kv>(?:(?:"
    + _AMOUNT
    + r")?\s?[조억만천백십]\s?)+(?:"
    + _AMOUNT
    + r")?|"
    + _AMOUNT
    + r")\s?(?P<kcur>원|달러|불|엔|유로|위안|KRW|USD|EUR|JPY|dollars?|euros?|won)(?![A-Za-z])",
    re.IGNORECASE,
)
_CURRENCY = {
    "₩": "KRW",
    "원": "KRW",
    "won": "KRW",
    "krw": "KRW",
    "$": "USD",
    "달러": "USD",
    "불": "USD",
    "usd": "USD",
    "dollar": "USD",
    "dollars": "USD",
    "€": "EUR",
    "유로": "EUR",
    "eur": "EUR",
    "euro": "EUR",
    "euros": "EUR",
    "¥": "JPY",
    "엔": "JPY",
    "jpy": "JPY",
    "£": "GBP",
    "gbp": "GBP",
    "위안": "CNY",
}
_SUFFIX = {"만": 10**4, "억": 10**8, "천": 10**3, "k": 10**3, "m": 10**6, "million": 10**6, "billion": 10**9}


def _number(value: str) -> float:
    return float(value.replace(",", ""))


def korean_amount(text: str) -> float | None:
    """ "3만 5천" → 35000, "1억 2천만" → 120000000, "만" → 10000, "12,000" → 12000."""
    compact = re.sub(r"\s+", "", text)
    if not re.search(r"[조억만천백십]", compact):
        return _number(compact) if compact else None
    total = 0.0
    for chunk in re.findall(r"(?:[\d.,]*[천백십]?)*[조억만]|[\d.,]*[천백십]|[\d.,]+$", compact):
        big = 1
        if chunk[-1] in "조억만":
            big, chunk = _KO_UNITS[chunk[-1]], chunk[:-1]
        small = 0.0
        for number, unit in re.findall(r"([\d.,]*)([천백십]?)", chunk):
            if not number and not unit:
                continue
            small += (_number(number) if number else 1) * (_KO_UNITS[unit] if unit else 1)
        total += (small or 1) * big
    return total


def _clean(amount: float) -> int | float:
    return int(amount) if float(amount).is_integer() else round(amount, 2)


def money(text: str) -> list[dict]:
    found = []
    for match in MONEY.finditer(text):
        g = match.groupdict()
        if g["sym"]:
            amount = _number(g["sv"]) * _SUFFIX.get((g["sunit"] or "").strip().lower(), 1)
            currency = _CURRENCY[g["sym"]]
        elif g["code"]:
            amount, currency = _number(g["cv"]), g["code"].upper()
        else:
            amount = korean_amount(g["kv"])
            currency = _CURRENCY.get(g["kcur"].lower(), _CURRENCY.get(g["kcur"]))
        if amount is None or currency is None:
            continue
        found.append({"text": match.group(0).strip(), "start": match.start(), "amount": _clean(amount), "currency": currency})
    return found


def phones(text: str) -> list[dict]:
    found = []
    for match in PHONE.finditer(text):
        g = match.groupdict()
        if g["intl"]:
            area = g["ia"]
            parts = ("0" + area, g["ib"], g["ic"])
        elif g["kr"]:
            parts = (g["a"], g["b"], g["c"])
            area = g["a"][1:]
        else:
            found.append({"text": match.group(0), "start": match.start(), "value": f"{g['ra']}-{g['rb']}", "international": None})
            continue
        value = "-".join(parts)
        found.append({"text": match.group(0), "start": match.start(), "value": value, "international": "+82" + area + parts[1] + parts[2]})
    return found


def business_number_valid(digits: str) -> bool:
    digits = re.sub(r"\D", "", digits)
    if len(digits) != 10:
        return False
    numbers = [int(d) for d in digits]
    total = sum(n * w for n, w in zip(numbers, _BUSINESS_WEIGHTS, strict=False)) + numbers[8] * 5 // 10
    return (10 - total % 10) % 10 == numbers[9]


def business_numbers(text: str) -> list[dict]:
    found = []
    for match in BUSINESS_NUMBER.finditer(text):
        digits = "".join(match.groups())
        dashed = "-" in match.group(0)
        valid = business_number_valid(digits)
        if valid or dashed:  # ten bare digits are only a business number when the check digit says so
            found.append(
                {"text": match.group(0), "start": match.start(), "value": f"{digits[:3]}-{digits[3:5]}-{digits[5:]}", "valid": valid}
            )
    return found


def extract(text: str, now, kinds=KINDS) -> dict:
    text = str(text or "")
    result: dict[str, list] = {}
    if "dates" in kinds:
        result["dates"] = datetimes.find(text, now)
    if "money" in kinds:
        result["money"] = money(text)
    if "phones" in kinds:
        result["phones"] = phones(text)
    if "emails" in kinds:
        result["emails"] = [{"text": m.group(0), "start": m.start(), "value": m.group(0).lower()} for m in EMAIL.finditer(text)]
    if "urls" in kinds:
        result["urls"] = [
            {"text": m.group(0), "start": m.start(), "value": m.group(0) if "://" in m.group(0) else "https://" + m.group(0)}
            for m in URL.finditer(text)
        ]
    if "business_numbers" in kinds:
        result["business_numbers"] = business_numbers(text)
    if "names" in kinds:
        from apps.ai.offline.summarise import entities

        result["names"] = entities(text)
    return result
