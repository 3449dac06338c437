"""Personal data hidden in text before it leaves the organization: resident registration numbers (주민등록번호),
phone numbers, card numbers (only those passing the Luhn check), bank account numbers, e-mail addresses and street
addresses. What stays visible is what a person needs to recognise the record (the birth date and sex digit, the last
four digits, the e-mail's first letter and domain, the city and district)."""

from __future__ import annotations

import re

from apps.ai.offline.extract import PHONE

KINDS = ("resident_numbers", "cards", "accounts", "phones", "emails", "addresses")

RESIDENT = re.compile(r"(?<!\d)(\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\s?-?\s?([1-8])(\d{6})(?!\d)")
CARD = re.compile(r"(?<![\d-])(?:\d[ -]?){12,18}\d(?![\d-])")
ACCOUNT_DASHED = re.compile(r"(?<![\d-])\d{2,6}(?:-\d{2,7}){2,3}(?![\d-])")
ACCOUNT_NEAR_WORD = re.compile(r"(계좌|통장|입금|account|acct|iban)[^\d\n]{0,15}(\d[\d -]{8,18}\d)", re.IGNORECASE)
EMAIL = re.compile(r"(?<![\w.+-])([\w.+-])([\w.+-]*)@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})(?![A-Za-z0-9-])")
ADDRESS_KO = re.compile(
    r"(?P<keep>(?:[가-힣]+(?:특별시|광역시|특별자치시|특별자치도|도|시)\s)?(?:[가-힣]+(?:시|군|구)\s)*)"
    r"(?P<hide>[가-힣0-9]+(?:로|길)\s?\d+(?:-\d+)?(?:번길\s?\d+(?:-\d+)?)?(?:\s?,?\s?(?:[가-힣A-Za-z0-9]+\s)?\d+동)?(?:\s?\d+호)?"
    r"|[가-힣0-9]+(?:동|리|가)\s?\d+(?:-\d+)?(?:번지)?(?:\s?\d+호)?)"
)
ADDRESS_EN = re.compile(
    r"\b\d{1,6}\s+(?:[A-Z][a-z]+\s){1,3}(?:Street|St|Avenue|Ave|Road|Rd|Lane|Ln|Boulevard|Blvd|Drive|Dr|Way|Court|Ct)\b\.?"
    r"(?:,?\s*(?:Apt|Suite|Unit)\.?\s*\w+)?"
)


def luhn_valid(digits: str) -> bool:
    numbers = [int(d) for d in reversed(digits)]
    total = sum(numbers[0::2]) + sum(sum(divmod(2 * d, 10)) for d in numbers[1::2])
    return total % 10 == 0


def _stars(text: str) -> str:
    return re.sub(r"[0-9A-Za-z가-힣]", "*", text)


def _keep_last(text: str, count: int = 4) -> str:
    positions = [i for i, char in enumerate(text) if char.isdigit()]
    hide = set(positions[:-count]) if len(positions) > count else set(positions)
    return "".join("*" if i in hide else char for i, char in enumerate(text))


def _resident(match: re.Match) -> str:
    separator = match.group(0)[6:-7]
    return f"{match.group(1)}{match.group(2)}{match.group(3)}{separator}{match.group(4)}******"


def _card(match: re.Match) -> str | None:
    digits = re.sub(r"\D", "", match.group(0))
    return _keep_last(match.group(0)) if 13 <= len(digits) <= 19 and luhn_valid(digits) else None


def _phone(match: re.Match) -> str:
    text = match.group(0)
    groups = re.split(r"([\s.)-]+)", text)
    digit_groups = [i for i, part in enumerate(groups) if part.isdigit()]
    if len(digit_groups) >= 3:
        middle = digit_groups[-2]
        groups[middle] = "*" * len(groups[middle])
        return "".join(groups)
    digits = re.sub(r"\D", "", text)  # 01012345678
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def _account(match: re.Match) -> str | None:
    digits = sum(char.isdigit() for char in match.group(0))
    return _keep_last(match.group(0)) if 10 <= digits <= 14 else None  # shorter: dates, phone numbers, codes


def mask_text(text: str, kinds=KINDS) -> tuple[str, dict[str, int]]:
    """The text with personal data masked, and how many of each kind were found."""
    counts = dict.fromkeys(kinds, 0)

    def substitute(pattern: re.Pattern, kind: str, replace, value: str) -> str:
        def one(match: re.Match) -> str:
            masked = replace(match)
            if masked is None or masked == match.group(0):
                return match.group(0)
            counts[kind] += 1
            return masked

        return pattern.sub(one, value)

    if "resident_numbers" in kinds:
        text = substitute(RESIDENT, "resident_numbers", _resident, text)
    if "emails" in kinds:
        text = substitute(EMAIL, "emails", lambda m: f"{m.group(1)}{'*' * max(len(m.group(2)), 3)}@{m.group(3)}", text)
    if "cards" in kinds:
        text = substitute(CARD, "cards", _card, text)
    if "phones" in kinds:
        text = substitute(PHONE, "phones", _phone, text)
    if "accounts" in kinds:
        text = substitute(
            ACCOUNT_NEAR_WORD,
            "accounts",
            lambda m: m.group(1) + m.group(0)[len(m.group(1)) : m.start(2) - m.start()] + _keep_last(m.group(2)),
            text,
        )
        text = substitute(ACCOUNT_DASHED, "accounts", _account, text)
    if "addresses" in kinds:
        text = substitute(ADDRESS_KO, "addresses", lambda m: m.group("keep") + _stars(m.group("hide")), text)
        text = substitute(ADDRESS_EN, "addresses", lambda m: _stars(m.group(0)), text)
    return text, counts
