from apps.flows.nodes.base import NodeType, Param, t
from apps.flows.nodes.builtin.from_n8n import export as to_n8n
from apps.flows.nodes.builtin.from_n8n import flow_control as from_n8n_flow
from apps.flows.nodes.builtin.from_n8n import triggers as from_n8n
from apps.flows.nodes.n8n import UNMAPPED_TRIGGER, N8nMapping
from apps.flows.nodes.registry import register


class _Trigger(NodeType):
    category = "trigger"
    inputs = ()
    is_trigger = True

    def execute(self, ctx):
        return {"main": ctx.items}


@register
class ManualTrigger(_Trigger):
    key = "trigger.manual"
    trigger_kind = "manual"
    n8n = (
        N8nMapping(("n8n-nodes-base.manualTrigger",), from_n8n.manual, export=to_n8n.manual),
        N8nMapping(("n8n-nodes-base.executeWorkflowTrigger",), from_n8n.called_by_another),
        N8nMapping(("n8n-nodes-base.start",), from_n8n.manual),  # n8n before 1.0 began every workflow with it
    )
    icon = "play"
    label = t("Manual start", "수동 실행")
    description = t("Starts the flow when you click Run or call the API.", "실행 버튼을 누르거나 API를 호출하면 플로우를 시작합니다.")


@register
class PlaceholderTrigger(_Trigger):
    """Stands where an imported flow started with a trigger EZFlow does not have yet (n8n's Gmail or Telegram
    trigger...): the flow keeps its shape and can be run by hand until the trigger is replaced."""

    key = "trigger.placeholder"
    trigger_kind = "manual"
    n8n = (N8nMapping((UNMAPPED_TRIGGER,), from_n8n_flow.placeholder, export=to_n8n.placeholder),)
    icon = "play"
    label = t("Start placeholder (not available yet)", "시작 자리 표시 (아직 지원 안 함)")
    description = t(
        "Stands for a trigger from another tool that EZFlow does not have yet; until you replace it, run the flow by hand.",
        "EZFlow에 아직 없는 다른 도구의 트리거를 대신합니다. 바꾸기 전까지는 직접 실행하세요.",
    )
    params = (
        Param("original_type", "string", t("Original trigger type", "원래 트리거 유형"), default="", expressions=False),
        Param("original_parameters", "json", t("Original settings", "원래 설정"), default={}, expressions=False),
    )


@register
class WebhookTrigger(_Trigger):
    key = "trigger.webhook"
    trigger_kind = "webhook"
    n8n = (
        N8nMapping(("n8n-nodes-base.webhook",), from_n8n.webhook, export=to_n8n.webhook),
        N8nMapping(("n8n-nodes-base.formTrigger", "@n8n/n8n-nodes-langchain.chatTrigger"), from_n8n.form_or_chat),
    )
    secret_params = ("secret",)
    icon = "webhook"
    label = t("Webhook", "웹훅")
    description = t(
        "Starts the flow when another system sends a request to this flow's web address.",
        "다른 시스템이 이 플로우의 웹 주소로 요청을 보내면 플로우를 시작합니다.",
    )
    params = (
        Param("methods", "list", t("Allowed methods", "허용 메서드"), default=["POST"], expressions=False),
        Param(
            "response_mode",
            "select",
            t("Respond", "응답 방식"),
            default="immediately",
            expressions=False,
            options=(
                ("immediately", t("at once, with the run id (202)", "즉시 실행 ID로 응답 (202)")),
                ("wait", t("when the flow finishes, with its result", "플로우가 끝나면 결과로 응답")),
            ),
        ),
        Param(
            "response_timeout_seconds",
            "number",
            t("Wait at most (seconds)", "최대 대기 시간(초)"),
            default=30,
            minimum=1,
            maximum=300,
            expressions=False,
        ),
        Param(
            "auth",
            "select",
            t("Check requests", "요청 확인"),
            default="none",
            expressions=False,
            options=(
                ("none", t("no check", "확인 안 함")),
                ("header", t("secret header", "비밀 헤더")),
                ("hmac", t("HMAC-SHA256 signature", "HMAC-SHA256 서명")),
            ),
        ),
        Param(
            "auth_header",
            "string",
            t("Header name", "헤더 이름"),
            default="X-EZFlow-Secret",
            expressions=False,
            show_if={"auth": ("header",)},
        ),
        Param("secret", "string", t("Secret", "비밀 값"), default="", expressions=False, show_if={"auth": ("header", "hmac")}),
    )


@register
class ScheduleTrigger(_Trigger):
    key = "trigger.schedule"
    trigger_kind = "schedule"
    n8n = (N8nMapping(("n8n-nodes-base.scheduleTrigger", "n8n-nodes-base.cron"), from_n8n.schedule, export=to_n8n.schedule),)
    icon = "clock"
    label = t("Schedule", "일정")
    description = t("Starts the flow at fixed times, like every weekday at 9:00.", "매주 평일 9시처럼 정해진 시간에 플로우를 시작합니다.")
    params = (
        Param(
            "preset",
            "select",
            t("When", "언제"),
            default="custom",
            expressions=False,
            options=(
                ("every_minute", t("every minute", "매분")),
                ("hourly", t("every hour", "매시간")),
                ("daily_9", t("every day at 9:00", "매일 9:00")),
                ("weekdays_9", t("every weekday at 9:00", "평일 9:00")),
                ("weekly_monday_9", t("every Monday at 9:00", "매주 월요일 9:00")),
                ("monthly_1st_9", t("on the 1st of every month at 9:00", "매월 1일 9:00")),
                ("custom", t("custom (cron expression)", "직접 입력 (cron 표현식)")),
            ),
        ),
        Param(
            "cron",
            "string",
            t("Cron expression", "cron 표현식"),
            default="0 9 * * 1-5",
            expressions=False,
            help=t("minute hour day month weekday, e.g. 0 9 * * 1-5", "분 시 일 월 요일, 예: 0 9 * * 1-5"),
        ),
        Param(
            "time_zone",
            "string",
            t("Time zone", "시간대"),
            default="",
            expressions=False,
            help=t("Empty: the organization's time zone.", "비워 두면 조직의 시간대를 씁니다."),
        ),
    )


@register
class ErrorTrigger(_Trigger):
    key = "trigger.error"
    trigger_kind = "event"
    n8n = (N8nMapping(("n8n-nodes-base.errorTrigger",), from_n8n.error),)
    icon = "alert"
    label = t("When another flow fails", "다른 플로우 실패 시")
    description = t(
        "Starts when a flow that names this one as its error flow fails.", "이 플로우를 오류 플로우로 지정한 플로우가 실패하면 시작합니다."
    )
