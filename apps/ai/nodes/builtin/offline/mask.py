from __future__ import annotations

from apps.flows.engine.errors import NodeError, gettext_noop
from apps.flows.nodes.base import NodeType, Param, t
from apps.flows.nodes.builtin.common import copy_item, get_path, set_path
from apps.flows.nodes.registry import register

_KINDS = (
    ("resident_numbers", t("Resident registration numbers (주민등록번호)", "주민등록번호")),
    ("phones", t("Phone numbers", "전화번호")),
    ("cards", t("Card numbers (Luhn-checked)", "카드 번호(Luhn 검증)")),
    ("accounts", t("Bank account numbers", "계좌번호")),
    ("emails", t("E-mail addresses", "이메일 주소")),
    ("addresses", t("Street addresses", "주소")),
)


def _fields(value) -> list[str]:
    if isinstance(value, list):
        names = [str(v).strip() for v in value]
    else:
        names = [part.strip() for part in str(value or "").replace("\n", ",").split(",")]
    return [name for name in names if name]


@register
class MaskPersonalData(NodeType):
    key = "ai.mask"
    aliases = ("mask personal", "개인정보 가리", "마스킹")
    category = "transform"
    icon = "eye-off"
    label = t("Mask personal data", "개인정보 마스킹")
    description = t(
        "Hides resident registration, phone, card and account numbers, e-mail and street addresses in the fields you "
        "choose, before the data leaves the organization. Runs offline.",
        "선택한 필드의 주민등록번호, 전화번호, 카드·계좌번호, 이메일, 주소를 가립니다. 데이터가 조직 밖으로 나가기 전에 "
        "쓰세요. 오프라인으로 실행됩니다.",
    )
    params = (
        Param(
            "fields",
            "string",
            t("Fields to mask", "마스킹할 필드"),
            required=True,
            default="text",
            expressions=False,
            help=t(
                "Field names separated by commas; dotted paths reach inside objects (customer.phone).",
                "쉼표로 구분한 필드 이름입니다. 점으로 객체 안의 필드를 가리킵니다(customer.phone).",
            ),
        ),
        *(Param(name, "boolean", label, default=True, expressions=False) for name, label in _KINDS),
        Param(
            "report_field",
            "string",
            t("Put the counts of what was masked in the field (optional)", "마스킹한 개수를 넣을 필드(선택)"),
            default="",
            expressions=False,
        ),
    )

    def execute(self, ctx):
        from apps.ai.offline.mask import mask_text

        out = []
        for _index, item, params in ctx.each():
            fields = _fields(params["fields"])
            if not fields:
                raise NodeError(gettext_noop("Name at least one field to mask."), code="ai_mask_no_fields")
            kinds = tuple(name for name, _label in _KINDS if params.get(name))
            result = copy_item(item)
            totals = dict.fromkeys(kinds, 0)
            for field in fields:
                value = get_path(result, field)
                if isinstance(value, (str, int)) and not isinstance(value, bool):
                    masked, counts = mask_text(str(value), kinds)
                    if masked != str(value):
                        set_path(result, field, masked)
                    for kind, count in counts.items():
                        totals[kind] += count
            if params.get("report_field"):
                set_path(result, params["report_field"], totals)
            out.append(result)
        return {"main": out}
