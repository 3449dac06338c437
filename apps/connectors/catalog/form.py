"""A hosted form: a public page on the organization's host built from the fields defined on the trigger; each
submission starts one run with the answers (the page: apps/connectors/form_pages.py)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from apps.accounts.models.organization import site_url
from apps.connectors.hosted_forms import FIELD_TYPES, definition_problems
from apps.flows.credential_kinds import t
from apps.flows.nodes.base import NodeType, Param
from apps.flows.nodes.registry import register
from apps.flows.triggers.registry import Issue, TriggerKind, TriggerSummary, register_trigger_kind

FORM_PATH = "/forms/{token}/"

_TYPE_LABELS = {
    "text": t("short text", "짧은 글"),
    "long_text": t("long text", "긴 글"),
    "number": t("number", "숫자"),
    "email": t("email address", "이메일 주소"),
    "date": t("date", "날짜"),
    "select": t("choice from a list", "목록에서 선택"),
    "checkbox": t("checkbox", "체크박스"),
    "file": t("file upload", "파일 첨부"),
}


def form_url(organization, flow) -> str:
    return site_url(organization.host, FORM_PATH.format(token=flow.webhook_token))


@register_trigger_kind
class FormTriggerKind(TriggerKind):
    """Started by a visitor sending the flow's hosted form; the page reads the live version and switch per request,
    so nothing is wired when the flow is published or switched."""

    key = "form"

    def validate(self, node: dict) -> list[Issue]:
        return [
            Issue("form_definition", f"parameters.{problem.key}", {"template": problem.template, **problem.values})
            for problem in definition_problems(node.get("parameters") or {})
        ]

    def problem_message(self, code: str, params: dict) -> str | None:
        if code == "form_definition" and params.get("template"):
            values = {k: v for k, v in params.items() if k != "template"}
            return _(params["template"]) % values if values else _(params["template"])
        return None

    def summary(self, *, node, node_type, flow, organization) -> TriggerSummary:
        return TriggerSummary(
            kind=self.key,
            name=str(node.get("name") or node_type.key),
            title=_("Form"),
            description=_("Starts when someone sends the form at this address (anyone with the address can open it)."),
            url=form_url(organization, flow),
        )


@register
class FormSubmitted(NodeType):
    key = "form.submitted"
    category = "trigger"
    inputs = ()
    is_trigger = True
    trigger_kind = "form"
    icon = "form"
    aliases = ("form", "폼", "설문", "신청서", "survey")
    label = t("Form submitted", "폼 제출")
    description = t(
        "A form page on your organization's address, built from the fields you define here. Each time someone sends "
        "it, the flow starts with the answers (json.<field name>). Publish and switch the flow on to open the page.",
        "여기서 정한 항목으로 조직 주소에 폼 페이지를 만듭니다. 누군가 폼을 보낼 때마다 답변(json.<항목 이름>)으로 "
        "플로우를 시작합니다. 플로우를 게시하고 켜면 페이지가 열립니다.",
    )
    params = (
        Param("title", "string", t("Form title", "폼 제목"), required=True, expressions=False),
        Param("description", "text", t("Text above the fields", "항목 위 안내 글"), default="", expressions=False),
        Param(
            "fields",
            "list",
            t("Fields", "항목"),
            required=True,
            default=[],
            expressions=False,
            help=t(
                "Each field's answer reaches the flow under its name (from the label when left empty).",
                "항목마다 답변이 이름으로 플로우에 전달됩니다(비워 두면 라벨에서 만듭니다).",
            ),
            item_fields=(
                Param("label", "string", t("Label", "라벨"), required=True, expressions=False),
                Param(
                    "type",
                    "select",
                    t("Type", "종류"),
                    default="text",
                    expressions=False,
                    options=tuple((kind, _TYPE_LABELS[kind]) for kind in FIELD_TYPES),
                ),
                Param("required", "boolean", t("Required", "필수"), default=False, expressions=False),
                Param("help", "string", t("Help text", "도움말"), default="", expressions=False),
                Param(
                    "options",
                    "string",
                    t("Options (for a choice)", "선택지(목록에서 선택일 때)"),
                    default="",
                    expressions=False,
                    help=t("Separated by commas.", "쉼표로 구분합니다."),
                ),
                Param(
                    "accept",
                    "string",
                    t("Accepted file types (for a file)", "받는 파일 종류(파일 첨부일 때)"),
                    default="",
                    expressions=False,
                    help=t(
                        "Extensions or types separated by commas, e.g. .pdf, .jpg, image/*. Empty: any file.",
                        "쉼표로 구분한 확장자나 종류입니다. 예: .pdf, .jpg, image/*. 비우면 모든 파일을 받습니다.",
                    ),
                ),
                Param(
                    "max_size_mb",
                    "number",
                    t("Largest file in MB (for a file)", "최대 파일 크기 MB(파일 첨부일 때)"),
                    default=10,
                    minimum=0.1,
                    maximum=50,
                    expressions=False,
                ),
                Param("key", "string", t("Name in the flow", "플로우에서 쓰는 이름"), default="", expressions=False),
            ),
        ),
        Param("submit_label", "string", t("Button text", "버튼 글자"), default="", expressions=False),
        Param(
            "after",
            "select",
            t("After sending", "보낸 뒤"),
            default="message",
            expressions=False,
            options=(("message", t("show a thank-you message", "감사 메시지 보이기")), ("redirect", t("go to an address", "주소로 이동"))),
        ),
        Param("thank_you", "text", t("Thank-you message", "감사 메시지"), default="", expressions=False),
        Param("redirect_url", "string", t("Address to go to", "이동할 주소"), default="", expressions=False),
    )

    def execute(self, ctx):
        return {"main": ctx.items}
