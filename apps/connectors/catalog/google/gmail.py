"""Gmail: send an e-mail (users.messages.send with the RFC 822 message base64url-encoded in "raw", built with the
standard email package) and list and read messages matching a Gmail search (users.messages.list with `q`, then
users.messages.get with format=full). https://developers.google.com/gmail/api/reference/rest"""

from __future__ import annotations

import base64
import re
from email.message import EmailMessage
from email.utils import getaddresses, parsedate_to_datetime
from html import unescape
from urllib.parse import quote

from apps.connectors import n8n
from apps.connectors.catalog.google.common import GoogleOAuth2, PollContext, google_error
from apps.connectors.http import Credential, Service, call
from apps.flows.credential_kinds import register as register_credential_kind
from apps.flows.engine.errors import NodeError, gettext_noop
from apps.flows.nodes.base import NodeType, Param, t
from apps.flows.nodes.builtin.common import copy_item, set_path
from apps.flows.nodes.n8n import N8nMapping
from apps.flows.nodes.registry import register

GMAIL = Service("gmail", "Gmail", "https://gmail.googleapis.com", google_error)
MAX_LIST = 100


@register_credential_kind
class GmailAccount(GoogleOAuth2):
    icon = "gmail"
    key = "gmail"
    label = t("Gmail (sign in with Google)", "Gmail(Google 로그인)")
    # gmail.modify: labels on messages (it includes reading); connections made before it was added must reconnect to label.
    scopes = (
        "https://www.googleapis.com/auth/gmail.send",
        "https://www.googleapis.com/auth/gmail.readonly",
        "https://www.googleapis.com/auth/gmail.modify",
    )

    @property
    def test_url(self) -> str:
        return GMAIL.url("/gmail/v1/users/me/profile")


CREDENTIAL = Param("credential", "credential", t("Gmail account", "Gmail 계정"), required=True, credential_type="gmail", expressions=False)


def _addresses(value, *, field: str, required: bool = False) -> list[str]:
    text = ", ".join(str(v) for v in value) if isinstance(value, list) else str(value or "")
    found = [f"{name} <{address}>" if name else address for name, address in getaddresses([text]) if address]
    bad = [a for a in found if "@" not in a or any(c in a for c in "\r\n")]
    if bad or (required and not found):
        raise NodeError(
            gettext_noop("“%(value)s” in %(field)s is not an e-mail address (write name@example.com, separated by commas)."),
            code="bad_address",
            values={"value": text[:200], "field": field},
        )
    return found


def build_message(params: dict) -> EmailMessage:
    message = EmailMessage()
    try:
        message["To"] = ", ".join(_addresses(params.get("to"), field="To", required=True))
        for header, name in (("Cc", "cc"), ("Bcc", "bcc"), ("Reply-To", "reply_to")):
            found = _addresses(params.get(name), field=header)
            if found:
                message[header] = ", ".join(found)
        message["Subject"] = str(params.get("subject") or "")
    except ValueError:  # a line break in a header: the email package refuses it
        raise NodeError(gettext_noop("The subject and addresses must be one line each."), code="bad_header") from None
    body = str(params.get("body") or "")
    if params.get("html"):
        message.set_content(_plain(body))
        message.add_alternative(body, subtype="html")
    else:
        message.set_content(body)
    return message


def _plain(html_text: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", re.sub(r"(?i)<br\s*/?>|</p>", "\n", html_text))).strip()


@register
class SendEmail(NodeType):
    key = "gmail.send"
    n8n = (N8nMapping(("n8n-nodes-base.gmail",), n8n.gmail_send, when=n8n.operation_in("send", resource="message")),)
    category = "action"
    icon = "gmail"
    side_effects = True
    label = t("Send e-mail with Gmail", "Gmail로 메일 보내기")
    description = t(
        "Sends an e-mail from the signed-in Gmail account, one per incoming item.",
        "로그인한 Gmail 계정에서 들어오는 항목마다 메일을 보냅니다.",
    )
    params = (
        CREDENTIAL,
        Param(
            "to",
            "string",
            t("To", "받는 사람"),
            required=True,
            help=t("Several addresses: separate them with commas.", "여러 주소는 쉼표로 구분합니다."),
        ),
        Param("cc", "string", t("Cc", "참조"), default=""),
        Param("bcc", "string", t("Bcc", "숨은 참조"), default=""),
        Param("reply_to", "string", t("Reply to", "회신 주소"), default=""),
        Param("subject", "string", t("Subject", "제목"), required=True),
        Param("body", "text", t("Message", "본문"), default=""),
        Param("html", "boolean", t("The message is HTML", "본문이 HTML입니다"), default=False),
    )

    def execute(self, ctx):
        out, credential = [], None
        for _index, item, params in ctx.each():
            credential = credential or Credential(ctx, params["credential"], "gmail")
            raw = base64.urlsafe_b64encode(build_message(params).as_bytes()).decode()
            answer = call(ctx, GMAIL, "POST", "/gmail/v1/users/me/messages/send", credential=credential, json_body={"raw": raw})
            sent = answer.json() or {}
            result = copy_item(item)
            result["gmail"] = {"sent": True, "id": sent.get("id"), "thread_id": sent.get("threadId")}
            out.append(result)
        return {"main": out}


def _decoded(data: str) -> str:
    return base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)).decode("utf-8", "replace") if data else ""


def _bodies(part: dict, found: dict) -> dict:
    kind = part.get("mimeType", "")
    if kind in ("text/plain", "text/html") and not (part.get("filename") or "") and kind not in found:
        found[kind] = _decoded((part.get("body") or {}).get("data", ""))
    for child in part.get("parts") or []:
        _bodies(child, found)
    return found


def message_item(message: dict) -> dict:
    payload = message.get("payload") or {}
    headers = {h.get("name", "").lower(): h.get("value", "") for h in payload.get("headers") or []}
    bodies = _bodies(payload, {})
    attachments = []
    stack = list(payload.get("parts") or [])
    while stack:
        part = stack.pop(0)
        stack.extend(part.get("parts") or [])
        if part.get("filename"):
            attachments.append(
                {"filename": part["filename"], "mime_type": part.get("mimeType", ""), "size": (part.get("body") or {}).get("size", 0)}
            )
    try:
        date = parsedate_to_datetime(headers["date"]).isoformat() if headers.get("date") else ""
    except (TypeError, ValueError):
        date = headers.get("date", "")
    return {
        "id": message.get("id"),
        "thread_id": message.get("threadId"),
        "labels": message.get("labelIds") or [],
        "from": headers.get("from", ""),
        "to": headers.get("to", ""),
        "subject": headers.get("subject", ""),
        "date": date,
        "snippet": message.get("snippet", ""),
        "text": bodies.get("text/plain", ""),
        "html": bodies.get("text/html", ""),
        "attachments": attachments,
    }


@register
class ListEmails(NodeType):
    key = "gmail.list_messages"
    n8n = (N8nMapping(("n8n-nodes-base.gmail",), n8n.gmail_list, when=n8n.operation_in("getAll", resource="message")),)
    category = "action"
    icon = "gmail"
    side_effects = True
    idempotent = True
    per_item = False
    label = t("Find e-mails in Gmail", "Gmail에서 메일 찾기")
    description = t(
        "One item per e-mail matching a Gmail search, newest first, with sender, subject, date and text.",
        "Gmail 검색에 맞는 메일마다 항목 하나를 만듭니다(최신순). 보낸 사람, 제목, 날짜, 본문이 들어 있습니다.",
    )
    params = (
        CREDENTIAL,
        Param(
            "query",
            "string",
            t("Search (as in Gmail's search box)", "검색어(Gmail 검색창과 같음)"),
            default="",
            help=t("For example: from:boss@company.com is:unread newer_than:1d", "예: from:boss@company.com is:unread newer_than:1d"),
        ),
        Param("max_results", "integer", t("At most", "최대 개수"), default=10, minimum=1, maximum=MAX_LIST),
    )

    def execute(self, ctx):
        params = ctx.params()
        credential = Credential(ctx, params["credential"], "gmail")
        limit = min(max(int(params.get("max_results") or 10), 1), MAX_LIST)
        listed = (
            call(
                ctx,
                GMAIL,
                "GET",
                "/gmail/v1/users/me/messages",
                credential=credential,
                query={"q": str(params.get("query") or "") or None, "maxResults": str(limit)},
            ).json()
            or {}
        )
        out = []
        for entry in (listed.get("messages") or [])[:limit]:
            message = call(
                ctx, GMAIL, "GET", f"/gmail/v1/users/me/messages/{entry['id']}", credential=credential, query={"format": "full"}
            ).json()
            out.append(message_item(message or {}))
        return {"main": out}


# ---- Labels ----------------------------------------------------------------------------------------------------


def list_labels(ctx, credential: Credential) -> list[dict]:
    answer = call(ctx, GMAIL, "GET", "/gmail/v1/users/me/labels", credential=credential).json() or {}
    return [label for label in answer.get("labels") or [] if isinstance(label, dict)]


def _label_ids(names, labels: list[dict]) -> list[str]:
    """Label names (as shown in Gmail, any case) or ids → ids; an unknown one is an error naming the labels there are."""
    if isinstance(names, str):
        names = names.split(",")
    by_name = {str(label.get("name", "")).lower(): label["id"] for label in labels}
    ids = {label["id"] for label in labels}
    out = []
    for name in names or []:
        name = str(name).strip()
        if not name:
            continue
        found = name if name in ids else by_name.get(name.lower())
        if found is None:
            raise NodeError(
                gettext_noop("Gmail has no label “%(label)s”. Labels of this account: %(labels)s."),
                code="gmail_label_not_found",
                values={"label": name, "labels": ", ".join(sorted(str(label.get("name", "")) for label in labels))[:500]},
            )
        out.append(found)
    return out


@register
class ListLabels(NodeType):
    key = "gmail.list_labels"
    category = "action"
    icon = "gmail"
    per_item = False
    label = t("List Gmail labels", "Gmail 라벨 목록")
    description = t(
        "One item per label of the Gmail account (system labels such as INBOX and your own): id, name and type.",
        "Gmail 계정의 라벨마다 항목 하나를 만듭니다(INBOX 같은 시스템 라벨과 직접 만든 라벨): ID, 이름, 종류.",
    )
    params = (CREDENTIAL,)

    def execute(self, ctx):
        params = ctx.params()
        labels = list_labels(ctx, Credential(ctx, params["credential"], "gmail"))
        return {"main": [{"id": lb.get("id"), "name": lb.get("name"), "type": lb.get("type", "user")} for lb in labels]}


@register
class ModifyLabels(NodeType):
    key = "gmail.modify_labels"
    n8n = (
        N8nMapping(
            ("n8n-nodes-base.gmail",),
            n8n.gmail_add_labels,
            when=n8n.operation_in("addLabels", "removeLabels", resource="message", default="send"),
        ),
    )
    category = "action"
    icon = "gmail"
    side_effects = True
    label = t("Add or remove Gmail labels", "Gmail 라벨 붙이기·떼기")
    description = t(
        "Adds labels to an e-mail and removes others, by the names shown in Gmail (e.g. remove UNREAD to mark it read, "
        "INBOX to archive it).",
        "메일에 라벨을 붙이거나 뗍니다. Gmail에 보이는 이름으로 적습니다(예: UNREAD를 떼면 읽음 처리, INBOX를 떼면 보관).",
    )
    params = (
        CREDENTIAL,
        Param("message_id", "string", t("E-mail ID", "메일 ID"), required=True, default="{{ json.id }}"),
        Param("add", "list", t("Labels to add", "붙일 라벨"), default=[]),
        Param("remove", "list", t("Labels to remove", "뗄 라벨"), default=[]),
        Param("output_field", "string", t("Put the labels in", "라벨을 넣을 필드"), default="labels", expressions=False),
    )

    def execute(self, ctx):
        out, credential, labels = [], None, None
        for _index, item, params in ctx.each():
            credential = credential or Credential(ctx, params["credential"], "gmail")
            message_id = str(params.get("message_id") or "").strip()
            if not message_id:
                raise NodeError(gettext_noop("Fill in %(field)s."), code="missing_value", values={"field": "message_id"})
            labels = labels if labels is not None else list_labels(ctx, credential)
            body = {"addLabelIds": _label_ids(params.get("add"), labels), "removeLabelIds": _label_ids(params.get("remove"), labels)}
            if not body["addLabelIds"] and not body["removeLabelIds"]:
                raise NodeError(gettext_noop("Name at least one label to add or remove."), code="gmail_no_labels")
            path = f"/gmail/v1/users/me/messages/{quote(message_id, safe='')}/modify"
            answer = call(ctx, GMAIL, "POST", path, credential=credential, json_body=body).json() or {}
            result = copy_item(item)
            set_path(result, params.get("output_field") or "labels", answer.get("labelIds") or [])
            out.append(result)
        return {"main": out}


# ---- New e-mail trigger ----------------------------------------------------------------------------------------

POLL_MAX = 25


@register
class NewEmail(NodeType):
    key = "gmail.new_email"
    n8n = (N8nMapping(("n8n-nodes-base.gmailTrigger",), n8n.gmail_trigger),)
    category = "trigger"
    icon = "gmail"
    inputs = ()
    is_trigger = True
    trigger_kind = "polling"
    label = t("When a new e-mail arrives in Gmail", "Gmail에 새 메일이 오면")
    description = t(
        "Checks Gmail every few minutes and starts the flow with each new e-mail matching the search, oldest first. "
        "E-mails already there when the flow is turned on do not start it; none starts it twice, even after a restart.",
        "몇 분마다 Gmail을 확인해 검색에 맞는 새 메일마다(오래된 것부터) 플로우를 시작합니다. 플로우를 켤 때 이미 있던 "
        "메일로는 시작하지 않으며, 다시 시작해도 같은 메일로 두 번 시작하지 않습니다.",
    )
    params = (
        CREDENTIAL,
        Param(
            "query",
            "string",
            t("Search (as in Gmail's search box)", "검색어(Gmail 검색창과 같음)"),
            default="in:inbox",
            expressions=False,
            help=t("For example: in:inbox from:orders@shop.com has:attachment", "예: in:inbox from:orders@shop.com has:attachment"),
        ),
        Param("interval_minutes", "integer", t("Check every (minutes)", "확인 간격(분)"), default=5, minimum=1, maximum=1440),
    )

    def execute(self, ctx):
        return {"main": ctx.items}

    def poll(self, parameters: dict, state: dict, host) -> list[dict]:
        ctx = PollContext(host)
        credential = Credential(ctx, parameters.get("credential"), "gmail")
        query = {"q": str(parameters.get("query") or "") or None, "maxResults": str(POLL_MAX)}
        listed = call(ctx, GMAIL, "GET", "/gmail/v1/users/me/messages", credential=credential, query=query).json() or {}
        state = state or {}
        # Ids already seen (and all of them on the first poll, which only remembers) are not read again.
        seen = set(state.get("seen") or [])
        primed = bool(state.get("primed"))
        items = []
        for entry in listed.get("messages") or []:
            if not isinstance(entry, dict) or not entry.get("id"):
                continue
            if entry["id"] in seen or not primed:
                items.append({"id": entry["id"]})
                continue
            message = call(
                ctx,
                GMAIL,
                "GET",
                f"/gmail/v1/users/me/messages/{quote(entry['id'], safe='')}",
                credential=credential,
                query={"format": "full"},
            ).json()
            items.append(message_item(message or {}))
        return list(reversed(items))  # Gmail lists newest first; runs start oldest first

    def dedupe_key(self, item: dict) -> str:
        return str(item.get("id") or "")
