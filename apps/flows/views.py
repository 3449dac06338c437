import json

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from apps.core.errors import DomainError
from apps.flows.services.webhooks import WebhookCall, webhook_receive

HOP_HEADERS = {"host", "cookie", "authorization", "content-length", "connection"}


@csrf_exempt
def webhook(request, token):
    try:
        body = request.body
    except RequestDataTooBig:
        message = _("The request body is larger than %(size)s bytes.") % {"size": settings.DATA_UPLOAD_MAX_MEMORY_SIZE}
        return JsonResponse({"error": {"code": "too_large", "message": message}}, status=413)
    call = WebhookCall(
        method=request.method,
        headers={k: v for k, v in request.headers.items() if k.lower() not in HOP_HEADERS},
        query={k: request.GET.get(k) for k in request.GET},
        body=body,
        content_type=request.content_type or "",
    )
    try:
        answer = webhook_receive(token=token, call=call)
    except DomainError as exc:
        body = {"error": {"code": exc.code, "message": str(exc.message), **exc.extra}}
        response = JsonResponse(body, status=exc.status)
        if exc.status == 405:
            response["Allow"] = ", ".join(exc.extra.get("allowed", []))
        return response
    if isinstance(answer.body, (dict, list)) or answer.body is None:
        response = HttpResponse(
            json.dumps(answer.body, ensure_ascii=False, default=str), status=answer.status, content_type="application/json"
        )
    else:
        response = HttpResponse(str(answer.body), status=answer.status, content_type="text/plain; charset=utf-8")
    for name, value in answer.headers.items():
        if name.lower() not in HOP_HEADERS and "\n" not in value and "\r" not in value:
            response[name] = value
    return response
