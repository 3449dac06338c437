"""Nodes that talk to other systems: HTTP request, Slack, email. Every connection goes through the SSRF guard."""

from __future__ import annotations

import base64
import json
import mimetypes
import smtplib
from collections.abc import Sequence
from email.message import EmailMessage
from urllib.parse import unquote, urljoin, urlsplit

import httpx2

from apps.flows import credential_kinds
from apps.flows.credential_kinds import OutgoingRequest
from apps.flows.engine.errors import NodeError, gettext_noop
from apps.flows.engine.files import file_ref_at, is_file_ref
from apps.flows.engine.jsonsafe import json_safe
from apps.flows.http.guard import GuardError, guard_error, guarded_client
from apps.flows.http.smtp import smtp_session
from apps.flows.nodes.base import NodeType, Param, t
from apps.flows.nodes.builtin.common import copy_item, get_path
from apps.flows.nodes.builtin.from_n8n import export as to_n8n
from apps.flows.nodes.builtin.from_n8n import network as from_n8n
from apps.flows.nodes.n8n import N8nMapping
from apps.flows.nodes.registry import register

MAX_REDIRECTS = 5
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
# Files sent by one request (multipart) or one email together; each file is already bounded by the organization.
MAX_OUTGOING_FILE_BYTES = 25 * 1024 * 1024
# Answers of these types are text; any other declared type (images, PDF, Office, HWP, ZIP, …) is a file.
_TEXT_SUBTYPES = frozenset(
    {"json", "xml", "javascript", "ecmascript", "x-javascript", "yaml", "x-yaml", "csv", "x-www-form-urlencoded", "graphql", "html"}
)


def is_binary_type(content_type: str) -> bool:
    kind = content_type.split(";")[0].strip().lower()
    maintype, _, subtype = kind.partition("/")
    if not subtype or maintype == "text":
        return False
    return subtype not in _TEXT_SUBTYPES and not subtype.endswith(("+json", "+xml"))


def response_file_name(response: httpx2.Response, content_type: str) -> str:
    """The file name the server gave (Content-Disposition, RFC 6266 filename* first), else the address's last part,
    else "download" with the type's extension."""
    disposition = response.headers.get("content-disposition", "")
    star = plain = ""
    for part in disposition.split(";"):
        name, _, value = part.strip().partition("=")
        value = value.strip().strip('"')
        if name.lower() == "filename*" and "''" in value:
            star = unquote(value.split("''", 1)[1])
        elif name.lower() == "filename":
            plain = value
    if star or plain:
        return star or plain
    last = unquote(urlsplit(str(response.url)).path.rsplit("/", 1)[-1]) or "download"
    return last if "." in last else last + (mimetypes.guess_extension(content_type.split(";")[0].strip()) or "")


class OutgoingFiles:
    """Counts the bytes of files a step sends in one request or message, so a flow cannot build an unbounded one."""

    def __init__(self, ctx):
        self.ctx, self.limit, self.total = ctx, MAX_OUTGOING_FILE_BYTES, 0

    def read(self, ref: dict) -> tuple[str, bytes, str]:
        size = int(ref.get("size") or 0)
        if self.total + size > self.limit:
            raise NodeError(
                gettext_noop("The files to send together are larger than %(limit)s."),
                code="files_too_large",
                values={"limit": f"{self.limit // (1024 * 1024)} MB"},
            )
        content = self.ctx.file_read(ref)
        self.total += len(content)
        return str(ref.get("name") or "file"), content, str(ref.get("mime_type") or "application/octet-stream")


def _read_limited(response: httpx2.Response, limit: int) -> bytes:
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > limit:
            raise NodeError(
                gettext_noop("The response is larger than the limit of %(limit)s bytes."),
                code="response_too_large",
                values={"limit": f"{limit:,}"},
            )
        chunks.append(chunk)
    return b"".join(chunks)


def request_origin(url: str) -> tuple:
    parts = urlsplit(str(url))
    return parts.scheme.lower(), (parts.hostname or "").lower(), parts.port or {"http": 80, "https": 443}.get(parts.scheme.lower())


def _apply_auth(ctx, params: dict, headers: dict, query: dict) -> None:
    """The chosen credential kind adds itself to the headers or the query (see apps/flows/credential_kinds)."""
    key = params.get("authentication") or "none"
    if key == "none":
        return
    kind = credential_kinds.get(key)
    if kind is None or not kind.http_auth:
        raise NodeError(gettext_noop("Unknown authentication “%(kind)s”."), code="bad_auth", values={"kind": str(key)})
    kind.authenticate(OutgoingRequest(headers, query), ctx.credential(params.get("credential"), key))


apply_auth = _apply_auth  # for steps of other apps that call HTTP services with the same "Authentication" choice


class AuthenticationOptions(Sequence):
    """The HTTP step's "Authentication" choices: "none" and every kind that signs HTTP requests, read from the
    registry when asked (kinds register after this module is imported)."""

    def _options(self) -> tuple:
        return (("none", t("none", "없음")), *((kind.key, kind.label) for kind in credential_kinds.http_auth_kinds()))

    def __getitem__(self, index):
        return self._options()[index]

    def __len__(self) -> int:
        return len(self._options())


def _never_across(secret_headers: frozenset) -> set:
    return {"authorization", "proxy-authorization", "cookie"} | {name.lower() for name in secret_headers}


def send_request(
    ctx,
    *,
    method: str,
    url: str,
    headers: dict,
    query: dict,
    content=None,
    json_body=None,
    data=None,
    files=None,
    auth=None,
    secret_headers: frozenset = frozenset(),
    secret_query: dict | None = None,
    trusted_origin: tuple | None = None,
    follow_redirects: bool = True,
    timeout: float,
    max_bytes: int,
) -> tuple[httpx2.Response, bytes]:
    """One request, following redirects through the SSRF guard. The credential (basic auth, its header, the query)
    goes only to `trusted_origin` (scheme, host, port; the address the person typed): a redirect or a next page on
    another origin gets the request without it, like a browser drops Authorization across origins."""
    if not str(url).lower().startswith(("http://", "https://")):
        raise NodeError(gettext_noop("The address must start with http:// or https://."), code="bad_url")
    trusted_origin = trusted_origin or request_origin(url)
    with guarded_client(allow_hosts=ctx.host.http_allow_hosts, timeout=timeout) as client:
        current_method, current_url, current_query = method, url, query
        for _hop in range(MAX_REDIRECTS + 1):
            trusted = request_origin(current_url) == trusted_origin
            sent_headers = headers if trusted else {k: v for k, v in headers.items() if k.lower() not in _never_across(secret_headers)}
            try:
                request = client.build_request(
                    current_method,
                    current_url,
                    headers=sent_headers,
                    params=(current_query or None) if trusted else None,
                    content=content,
                    json=json_body,
                    data=data,
                    files=files,
                )
                response = client.send(request, stream=True, auth=auth if trusted else None)
            except httpx2.TimeoutException:
                raise NodeError(
                    gettext_noop("The server did not answer within %(seconds)s seconds."),
                    code="timeout",
                    values={"seconds": f"{timeout:g}"},
                ) from None
            except httpx2.HTTPError as exc:
                if refused := guard_error(exc):
                    raise NodeError(refused.template, code="request_failed", values=refused.values) from None
                raise NodeError(
                    gettext_noop("The request failed: %(reason)s"), code="request_failed", values={"reason": str(exc)}
                ) from None
            try:
                if follow_redirects and response.is_redirect and response.headers.get("location"):
                    current_url = urljoin(str(response.url), response.headers["location"])
                    current_query = secret_query  # the new address carries its own query; the credential stays ours
                    if response.status_code in (301, 302, 303) and current_method != "HEAD":
                        current_method, content, json_body, data, files = "GET", None, None, None, None
                    continue  # the next hop goes through the same guard
                return response, _read_limited(response, max_bytes)
            finally:
                response.close()
        raise NodeError(gettext_noop("More than %(limit)s redirects."), code="too_many_redirects", values={"limit": str(MAX_REDIRECTS)})


IDEMPOTENCY_HEADER = "Idempotency-Key"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _with_idempotency_key(ctx, headers: dict, item_index: int) -> dict:
    """The run's key for this call, unless the person set their own: a receiver that dedupes by it sees a replayed
    or retried call as the same one (the key is stable for the run, step, run index and item)."""
    key = ctx.idempotency_key(item_index)
    if key is None or any(name.lower() == IDEMPOTENCY_HEADER.lower() for name in headers):
        return headers
    return {**headers, IDEMPOTENCY_HEADER: key}


def answer_items(body) -> list[dict]:
    """An answer as n8n's HTTP Request node gives it: an object is the item, a list one item per entry, anything else
    (text, a number) the item's `data`."""
    if isinstance(body, dict):
        return [body]
    if isinstance(body, list):
        return [entry if isinstance(entry, dict) else {"data": entry} for entry in body]
    return [{"data": body}]


@register
class HttpRequest(NodeType):
    side_effects = True
    key = "net.http"
    aliases = ("http request", "api call", "rest api", "api 호출", "http 요청")
    n8n = (N8nMapping(("n8n-nodes-base.httpRequest",), from_n8n.http_request, export=to_n8n.http_request),)
    category = "action"
    icon = "globe"
    label = t("HTTP request", "HTTP 요청")
    description = t("Calls a web address (API) and returns its answer.", "웹 주소(API)를 호출하고 그 응답을 돌려줍니다.")
    params = (
        Param(
            "method",
            "select",
            t("Method", "메서드"),
            default="GET",
            options=tuple((m, t(m, m)) for m in ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD")),
        ),
        Param("url", "string", t("URL", "주소"), required=True),
        Param("query", "keyvalue", t("Query parameters", "쿼리 매개변수"), default={}),
        Param("headers", "keyvalue", t("Headers", "헤더"), default={}),
        Param(
            "body_type",
            "select",
            t("Body format", "본문 형식"),
            default="none",
            expressions=False,
            options=(
                ("none", t("none", "없음")),
                ("json", t("JSON", "JSON")),
                ("form", t("form", "폼")),
                ("multipart", t("multipart form", "멀티파트 폼")),
                ("raw", t("raw text", "텍스트")),
            ),
        ),
        Param("body", "json", t("Body", "본문"), default=None),
        Param(
            "authentication",
            "select",
            t("Authentication", "인증"),
            default="none",
            expressions=False,
            options=AuthenticationOptions(),
        ),
        Param("credential", "credential", t("Credential", "자격 증명"), default="", expressions=False),
        Param(
            "response_format",
            "select",
            t("Read the answer as", "응답 읽는 방식"),
            default="auto",
            expressions=False,
            options=(
                ("auto", t("automatic", "자동")),
                ("json", t("JSON", "JSON")),
                ("text", t("text", "텍스트")),
                ("file", t("file", "파일")),
                ("binary", t("Base64 text", "Base64 텍스트")),
            ),
        ),
        Param(
            "response_file_field",
            "string",
            t("Put a file answer in field", "파일 응답을 넣을 필드"),
            default="file",
            expressions=False,
        ),
        Param(
            "send_file_field",
            "string",
            t("Send the file in the item's field (multipart)", "항목의 이 필드에 있는 파일 보내기(멀티파트)"),
            default="",
        ),
        Param("send_file_part", "string", t("Form field name for the file", "파일의 폼 필드 이름"), default="file"),
        Param("timeout_seconds", "number", t("Timeout (seconds)", "제한 시간(초)"), default=30, minimum=1, maximum=300),
        Param(
            "max_response_bytes",
            "integer",
            t("Largest answer (bytes)", "최대 응답 크기(바이트)"),
            default=DEFAULT_MAX_BYTES,
            minimum=1,
            maximum=50 * 1024 * 1024,
            expressions=False,
        ),
        Param("follow_redirects", "boolean", t("Follow redirects", "리디렉션 따라가기"), default=True, expressions=False),
        Param(
            "output",
            "select",
            t("Output", "출력"),
            default="full",
            expressions=False,
            options=(
                ("full", t("status, headers and body", "상태, 헤더, 본문")),
                (
                    "body",
                    t(
                        "the answer itself, like n8n (a JSON list: one item per entry; text under “data”)",
                        "응답 그 자체, n8n처럼 (JSON 목록이면 항목마다 하나씩, 텍스트는 “data”에)",
                    ),
                ),
            ),
        ),
        Param("fail_on_error_status", "boolean", t("Fail on 4xx/5xx answers", "4xx/5xx 응답이면 실패"), default=True, expressions=False),
        Param(
            "pagination",
            "select",
            t("Pagination", "페이지 넘기기"),
            default="none",
            expressions=False,
            options=(
                ("none", t("none", "없음")),
                ("next_url", t("follow a next-page address in the answer", "응답의 다음 페이지 주소 따라가기")),
                ("page_param", t("increase a page parameter", "페이지 번호 늘리기")),
            ),
        ),
        Param(
            "next_url_field",
            "string",
            t("Next-page field", "다음 페이지 필드"),
            default="next",
            expressions=False,
            show_if={"pagination": ("next_url",)},
        ),
        Param(
            "page_param",
            "string",
            t("Page parameter", "페이지 매개변수"),
            default="page",
            expressions=False,
            show_if={"pagination": ("page_param",)},
        ),
        Param(
            "results_field",
            "string",
            t("Results field (list)", "결과 목록 필드"),
            default="",
            expressions=False,
            show_if={"pagination": ("next_url", "page_param")},
        ),
        Param(
            "max_pages",
            "integer",
            t("At most pages", "최대 페이지 수"),
            default=10,
            minimum=1,
            maximum=1000,
            expressions=False,
            show_if={"pagination": ("next_url", "page_param")},
        ),
    )

    def is_idempotent(self, parameters: dict) -> bool:
        # A read may be repeated after a crash; a stored method given as an expression is not known to be one.
        return str(parameters.get("method") or "GET").upper() in SAFE_METHODS

    def execute(self, ctx):
        out = []
        for index, item, params in ctx.each():
            out.extend(self._one(ctx, item, params, index))
        return {"main": out}

    def _one(self, ctx, item: dict, params: dict, index: int = 0) -> list[dict]:
        headers = _with_idempotency_key(ctx, {str(k): str(v) for k, v in (params.get("headers") or {}).items()}, index)
        query = {str(k): v for k, v in (params.get("query") or {}).items()}
        plain, plain_query = set(headers), set(query)
        _apply_auth(ctx, params, headers, query)
        secret_query = {k: v for k, v in query.items() if k not in plain_query}
        secret_headers = frozenset(name for name in headers if name not in plain or name.lower() == "authorization")
        trusted_origin = request_origin(params["url"])
        body_kwargs = self._body(params, ctx=ctx, item=item)
        timeout = min(float(params["timeout_seconds"]), max(ctx.seconds_left(), 1.0))
        url, results, page = params["url"], [], 1
        for _page in range(int(params["max_pages"]) if params["pagination"] != "none" else 1):
            ctx.check_deadline()  # between pages too: the step's timeout covers all of them
            timeout = min(float(params["timeout_seconds"]), max(ctx.seconds_left(), 0.1))
            response, raw = send_request(
                ctx,
                method=params["method"],
                url=url,
                headers=headers,
                query=query,
                secret_headers=secret_headers,
                secret_query=secret_query,
                trusted_origin=trusted_origin,
                follow_redirects=params["follow_redirects"],
                timeout=timeout,
                max_bytes=int(params["max_response_bytes"]),
                **body_kwargs,
            )
            if params["fail_on_error_status"] and response.status_code >= 400:
                raise NodeError(
                    gettext_noop("The server answered %(status)s %(reason)s."),
                    code="http_error",
                    detail=raw[:2000].decode("utf-8", "replace"),
                    values={"status": str(response.status_code), "reason": str(response.reason_phrase)},
                )
            content_type = response.headers.get("content-type", "")
            if params["response_format"] == "file" or (params["response_format"] == "auto" and raw and is_binary_type(content_type)):
                # Bytes become a stored file of the run (docs/files.md); the item carries its reference.
                ref = ctx.file_save(raw, name=response_file_name(response, content_type), mime_type=content_type or None)
                file_field = str(params.get("response_file_field") or "file")
                if params["pagination"] == "none":
                    return [{"status": response.status_code, "headers": dict(response.headers), file_field: ref}]
                results.append({file_field: ref})
                break  # a file has no next page
            body = self._decode(response, raw, params["response_format"])
            if params["pagination"] == "none":
                if params.get("output") == "body":
                    return answer_items(body)
                return [{"status": response.status_code, "headers": dict(response.headers), "body": body}]
            listed = get_path(body, params["results_field"]) if params["results_field"] else body
            if params["pagination"] == "page_param" and not listed:
                break  # an empty page ends the list
            results.extend(listed if isinstance(listed, list) else [listed])
            if params["pagination"] == "next_url":
                next_url = get_path(body, params["next_url_field"]) if isinstance(body, dict) else None
                if not next_url:
                    break
                url, query = urljoin(str(response.url), str(next_url)), dict(secret_query)  # the link has the rest
            else:
                page += 1
                query = {**query, params["page_param"]: page}
        return [r if isinstance(r, dict) else {"value": r} for r in results]

    @staticmethod
    def _body(params: dict, *, ctx, item: dict) -> dict:
        kind, body = params["body_type"], params.get("body")
        send_field = str(params.get("send_file_field") or "").strip()
        if kind == "multipart" and send_field and body is None:
            body = {}
        if kind == "none" or body is None:
            return {}
        # Expressions may give dates and other values JSON has no word for: sent as the step would output them.
        if kind == "json":
            return {"json_body": json_safe(body, path="body")}
        if kind == "raw":
            return {"content": body if isinstance(body, str) else json.dumps(json_safe(body, path="body"), ensure_ascii=False)}
        if not isinstance(body, dict):
            raise NodeError(gettext_noop("A form body must be name–value pairs."), code="bad_body")
        if kind == "form":
            return {"data": {k: str(v) for k, v in body.items()}}
        outgoing = OutgoingFiles(ctx)
        parts = {k: HttpRequest._part(k, v, outgoing) for k, v in body.items()}
        if send_field:
            parts[str(params.get("send_file_part") or "file")] = outgoing.read(file_ref_at(item, send_field))
        return {"files": parts}

    @staticmethod
    def _part(name: str, value, outgoing: OutgoingFiles) -> tuple:
        """A multipart field: text, or a file when the value is a stored file (`{{ json.file }}`) or binary data as
        the HTTP step returns it in Base64 ({"base64": ..., "content_type": ..., "file_name": ...})."""
        if is_file_ref(value):
            return outgoing.read(value)
        if not (isinstance(value, dict) and "base64" in value):
            text = json.dumps(value, ensure_ascii=False) if isinstance(value, (dict, list)) else str(value)
            return (None, value if isinstance(value, str) else text)
        try:
            content = base64.b64decode(str(value["base64"]), validate=True)
        except ValueError:
            raise NodeError(
                gettext_noop("The file in the field “%(field)s” is not valid base64 data."), code="bad_body", values={"field": name}
            ) from None
        file_name = str(value.get("file_name") or value.get("filename") or name)
        return (file_name, content, str(value.get("content_type") or "application/octet-stream"))

    @staticmethod
    def _decode(response: httpx2.Response, raw: bytes, fmt: str):
        if fmt == "binary":
            return {"base64": base64.b64encode(raw).decode(), "content_type": response.headers.get("content-type", ""), "size": len(raw)}
        text = raw.decode(response.encoding or "utf-8", "replace")
        if fmt == "json" or (fmt == "auto" and "json" in response.headers.get("content-type", "")):
            try:
                return json.loads(text) if text else None
            except ValueError:
                if fmt == "json":
                    raise NodeError(gettext_noop("The answer is not valid JSON."), code="bad_json", detail=text[:2000]) from None
        return text


@register
class SlackMessage(NodeType):
    side_effects = True
    key = "net.slack"
    n8n = (N8nMapping(("n8n-nodes-base.slack",), from_n8n.slack, when=from_n8n.is_slack_message),)
    aliases = ("slack", "슬랙")
    category = "action"
    icon = "slack"
    label = t("Send to Slack", "슬랙으로 보내기")
    description = t("Posts a message to a Slack channel through an incoming webhook.", "수신 웹훅으로 슬랙 채널에 메시지를 보냅니다.")
    params = (
        Param(
            "credential", "credential", t("Slack webhook", "슬랙 웹훅"), required=True, credential_type="slack_webhook", expressions=False
        ),
        Param("text", "text", t("Message", "메시지"), required=True),
    )

    def execute(self, ctx):
        out = []
        for index, item, params in ctx.each():
            url = ctx.credential(params["credential"], "slack_webhook")["url"]
            response, raw = send_request(
                ctx,
                method="POST",
                url=url,
                headers=_with_idempotency_key(ctx, {}, index),
                query={},
                json_body={"text": str(params["text"])},
                timeout=min(30.0, max(ctx.seconds_left(), 1.0)),
                max_bytes=100_000,
            )
            if response.status_code >= 400:
                raise NodeError(
                    gettext_noop("Slack answered %(status)s: %(answer)s"),
                    code="slack_error",
                    values={"status": str(response.status_code), "answer": raw[:200].decode("utf-8", "replace")},
                )
            result = copy_item(item)
            result["slack"] = {"ok": True, "status": response.status_code}
            out.append(result)
        return {"main": out}


@register
class SendEmail(NodeType):
    side_effects = True
    key = "net.email"
    n8n = (N8nMapping(("n8n-nodes-base.emailSend",), from_n8n.email_send),)
    aliases = ("email", "e-mail", "mail", "이메일", "메일")
    description = t("Sends an email through your mail server (SMTP).", "메일 서버(SMTP)를 통해 이메일을 보냅니다.")
    category = "action"
    icon = "mail"
    label = t("Send email", "이메일 보내기")
    params = (
        Param("credential", "credential", t("Email server", "메일 서버"), required=True, credential_type="smtp", expressions=False),
        Param("to", "string", t("To", "받는 사람"), required=True),
        Param("subject", "string", t("Subject", "제목"), required=True),
        Param("text", "text", t("Message", "내용"), required=True),
        Param("html", "boolean", t("Message is HTML", "HTML 메시지"), default=False, expressions=False),
        Param(
            "attachments_field",
            "string",
            t("Attach the files in the item's fields (comma-separated)", "항목의 이 필드에 있는 파일 첨부(쉼표로 구분)"),
            default="",
        ),
    )

    def execute(self, ctx):
        out = []
        for _index, item, params in ctx.each():
            smtp = ctx.credential(params["credential"], "smtp")
            recipients = [r.strip() for r in str(params["to"]).replace(";", ",").split(",") if r.strip()]
            if not recipients or any("@" not in r for r in recipients):
                raise NodeError(
                    gettext_noop("“%(value)s” is not a list of email addresses."), code="bad_recipient", values={"value": str(params["to"])}
                )
            message = EmailMessage()
            message["From"], message["To"], message["Subject"] = smtp.get("from_email"), ", ".join(recipients), str(params["subject"])
            message.set_content(str(params["text"]), subtype="html" if params["html"] else "plain")
            attached = self._attach(ctx, message, item, str(params.get("attachments_field") or ""))
            self._send(ctx, smtp, message)
            result = copy_item(item)
            result["email"] = {"sent_to": recipients, **({"attachments": attached} if attached else {})}
            out.append(result)
        return {"main": out}

    @staticmethod
    def _attach(ctx, message: EmailMessage, item: dict, fields: str) -> list[str]:
        """Each named field holds a file or a list of files (docs/files.md); together at most MAX_OUTGOING_FILE_BYTES."""
        outgoing, names = OutgoingFiles(ctx), []
        for field in (f.strip() for f in fields.split(",")):
            if not field:
                continue
            value = get_path(item, field)
            refs = value if isinstance(value, list) and value and all(is_file_ref(v) for v in value) else [file_ref_at(item, field)]
            for ref in refs:
                name, content, mime_type = outgoing.read(ref)
                maintype, _, subtype = mime_type.partition("/")
                message.add_attachment(content, maintype=maintype or "application", subtype=subtype or "octet-stream", filename=name)
                names.append(name)
        return names

    @staticmethod
    def _send(ctx, smtp: dict, message: EmailMessage) -> None:
        try:
            with smtp_session(smtp, allow_hosts=ctx.host.http_allow_hosts, timeout=min(30.0, max(ctx.seconds_left(), 1.0))) as client:
                client.send_message(message)
        except GuardError as refused:
            raise NodeError(refused.template, code="smtp_error", values=refused.values) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise NodeError(
                gettext_noop("The email could not be sent: %(reason)s"), code="smtp_error", values={"reason": str(exc)}
            ) from None
