"""Any API as a connector: the step that calls one operation of an OpenAPI/Swagger document the organization
imported (apps/connectors/openapi). The request is built by `openapi.call`, sent through the SSRF guard by the HTTP
step's `send_request` (the credential never follows a redirect to another origin), and the answer is read as JSON,
XML or text."""

from __future__ import annotations

from apps.connectors.openapi import call
from apps.flows.engine.errors import NodeError, gettext_noop
from apps.flows.nodes.base import NodeType, Param, t
from apps.flows.nodes.builtin.network import (
    DEFAULT_MAX_BYTES,
    AuthenticationOptions,
    OutgoingFiles,
    request_origin,
    send_request,
)
from apps.flows.nodes.registry import register


@register
class OpenApiCall(NodeType):
    key = "openapi.call"
    category = "action"
    icon = "openapi"
    side_effects = True
    label = t("Call an API connector", "API 커넥터 호출")
    description = t(
        "Calls one operation of an API your organization imported from its OpenAPI or Swagger document.",
        "조직이 OpenAPI·Swagger 문서로 가져온 API의 작업 하나를 호출합니다.",
    )
    params = (
        Param(
            "connector",
            "string",
            t("API connector", "API 커넥터"),
            required=True,
            expressions=False,
            help=t("The connector's number on the API connectors page.", "API 커넥터 화면에 나오는 커넥터 번호입니다."),
        ),
        Param(
            "operation",
            "string",
            t("Operation", "작업"),
            required=True,
            expressions=False,
            help=t("The operation's id, as listed with the connector.", "커넥터에 나오는 작업 ID입니다."),
        ),
        Param(
            "server",
            "string",
            t("Server", "서버"),
            default="",
            help=t("Empty: the first server of the document.", "비워 두면 문서의 첫 번째 서버를 씁니다."),
        ),
        Param(
            "values",
            "json",
            t("Parameters", "매개변수"),
            default={},
            help=t('The operation\'s parameters by name, e.g. {"id": 3}.', '작업의 매개변수를 이름별로 적습니다. 예: {"id": 3}'),
        ),
        Param("authentication", "select", t("Authentication", "인증"), default="none", expressions=False, options=AuthenticationOptions()),
        Param("credential", "credential", t("Credential", "자격 증명"), default="", expressions=False),
        Param("timeout_seconds", "number", t("Timeout (seconds)", "제한 시간(초)"), default=30, minimum=1, maximum=300),
        Param("fail_on_error_status", "boolean", t("Fail on 4xx/5xx answers", "4xx/5xx 응답이면 실패"), default=True, expressions=False),
    )

    def execute(self, ctx):
        from apps.connectors.openapi.selectors import connector_operation

        out = []
        for _index, _item, params in ctx.each():
            found = connector_operation(connector_id=params["connector"], operation_id=params["operation"])
            if found is None:
                raise NodeError(
                    gettext_noop("The API connector %(connector)s has no operation “%(operation)s” (any more)."),
                    code="operation_missing",
                    values={"connector": str(params["connector"]), "operation": str(params["operation"])},
                )
            version, operation = found
            out.append(self._call(ctx, version, operation, params))
        return {"main": out}

    @staticmethod
    def _call(ctx, version, operation: dict, params: dict) -> dict:
        servers = operation.get("servers") or version.servers
        server = params.get("server") or (servers[0]["url"] if servers else "")
        request = call.build_request(operation, params.get("values") or {}, server, outgoing=OutgoingFiles(ctx))
        kind = params.get("authentication") or "none"
        scheme = call.scheme_for(operation, version.security_schemes, kind)
        data = ctx.credential(params.get("credential"), kind) if scheme is not None else {}
        plain_query = set(request["query"])
        secret_headers, secret_query_names = call.sign(request, scheme=scheme, kind_key=kind, data=data)
        secret_query = {k: v for k, v in request["query"].items() if k in secret_query_names and k not in plain_query}
        timeout = min(float(params["timeout_seconds"]), max(ctx.seconds_left(), 1.0))
        body = {k: request[k] for k in ("json_body", "data", "files", "content") if k in request}
        response, raw = send_request(
            ctx,
            method=request["method"],
            url=request["url"],
            headers=request["headers"],
            query=request["query"],
            secret_headers=frozenset(secret_headers),
            secret_query=secret_query,
            trusted_origin=request_origin(request["url"]),
            timeout=timeout,
            max_bytes=DEFAULT_MAX_BYTES,
            **body,
        )
        if params["fail_on_error_status"] and response.status_code >= 400:
            raise NodeError(
                gettext_noop("The API answered %(status)s %(reason)s."),
                code="http_error",
                detail=raw[:2000].decode("utf-8", "replace"),
                values={"status": str(response.status_code), "reason": str(response.reason_phrase)},
            )
        return {
            "status": response.status_code,
            "headers": dict(response.headers),
            "body": call.decode(response.headers.get("content-type", ""), raw, response.encoding),
        }
