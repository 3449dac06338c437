"""Modules served by a model server: KServe v2 / Open Inference Protocol (`POST {url}/v2/models/{model}/infer`)
and TensorFlow Serving REST (`POST {url}/v1/models/{model}:predict`). Every call goes through the HTTP step's
`send_request` (SSRF guard, the organization's allow-list of internal hosts, size and time limits)."""

from __future__ import annotations

import json
from urllib.parse import quote

from apps.flows.engine.errors import NodeError, gettext_noop
from apps.flows.nodes.builtin.network import send_request

PROTOCOLS = ("kserve_v2", "tfserving")
MAX_ANSWER_BYTES = 20 * 1024 * 1024
KSERVE_TYPES = {"FP32", "FP64", "FP16", "INT64", "INT32", "INT16", "INT8", "UINT8", "BOOL", "BYTES"}


def clean_endpoint(raw) -> dict:
    if not isinstance(raw, dict):
        raise NodeError(gettext_noop("Describe the model server: protocol, address and model name."), code="module_endpoint")
    protocol, url, model = raw.get("protocol"), str(raw.get("url") or "").strip(), str(raw.get("model") or "").strip()
    if protocol not in PROTOCOLS:
        raise NodeError(gettext_noop("The protocol must be kserve_v2 or tfserving."), code="module_endpoint")
    if not url.lower().startswith(("http://", "https://")) or len(url) > 2000:
        raise NodeError(gettext_noop("The address must start with http:// or https://."), code="module_endpoint")
    if not model or len(model) > 200 or "/" in model:
        raise NodeError(gettext_noop("Give the model's name on the server (without slashes)."), code="module_endpoint")
    version = str(raw.get("version") or "").strip()
    datatype = str(raw.get("datatype") or "FP32").upper()
    if datatype not in KSERVE_TYPES:
        raise NodeError(
            gettext_noop("The data type must be one of %(types)s."),
            code="module_endpoint",
            values={"types": ", ".join(sorted(KSERVE_TYPES))},
        )
    return {"protocol": protocol, "url": url.rstrip("/"), "model": model, "version": version[:50], "datatype": datatype}


def signature_of(endpoint: dict, raw_spec: dict) -> dict:
    """What the description says of a served model (the server is not asked at creation): one input, by default
    named "input" with rows of features, and the outputs the description names."""
    spec = raw_spec if isinstance(raw_spec, dict) else {}
    features = spec.get("features") if isinstance(spec.get("features"), list) else []
    tensors = spec.get("tensors") if isinstance(spec.get("tensors"), dict) else {}
    names = list(tensors) or [spec.get("input_name") or "input"]
    inputs = [{"name": name, "kind": "tensor", "datatype": endpoint["datatype"], "shape": [None, len(features) or None]} for name in names]
    outputs = [
        {"name": name, "kind": "tensor", "datatype": "", "shape": []}
        for name in dict.fromkeys(n for n in (spec.get("label_output"), spec.get("scores_output")) if n)
    ] or [{"name": "predictions" if endpoint["protocol"] == "tfserving" else "output", "kind": "tensor", "datatype": "", "shape": []}]
    return {"inputs": inputs, "outputs": outputs, "opsets": {}, "producer": endpoint["protocol"], "ir_version": 0}


def _shape(value) -> list[int]:
    shape = []
    while isinstance(value, list):
        shape.append(len(value))
        value = value[0] if value else None
    return shape


def _flatten(value) -> list:
    if isinstance(value, list):
        return [x for v in value for x in _flatten(v)]
    return [value]


def _reshape(flat: list, shape: list[int]):
    if not shape or len(shape) == 1:
        return flat
    step = len(flat) // shape[0] if shape[0] else 0
    return [_reshape(flat[i * step : (i + 1) * step], shape[1:]) for i in range(shape[0])]


def _error_text(raw: bytes) -> str:
    try:
        body = json.loads(raw)
    except ValueError:
        return raw[:300].decode("utf-8", "replace")
    if isinstance(body, dict) and body.get("error"):
        return str(body["error"])[:500]
    return raw[:300].decode("utf-8", "replace")


def infer(ctx, endpoint: dict, inputs: dict, *, headers: dict | None = None, secret_headers=frozenset(), timeout: float = 30.0) -> dict:
    """The model's outputs by name, as nested lists, for inputs given by name as nested lists."""
    model = quote(endpoint["model"], safe="")
    if endpoint["protocol"] == "kserve_v2":
        version = f"/versions/{quote(endpoint['version'], safe='')}" if endpoint.get("version") else ""
        url = f"{endpoint['url']}/v2/models/{model}{version}/infer"
        body = {
            "inputs": [
                {"name": name, "shape": _shape(value), "datatype": endpoint["datatype"], "data": _flatten(value)}
                for name, value in inputs.items()
            ]
        }
    else:
        version = f"/versions/{quote(endpoint['version'], safe='')}" if endpoint.get("version") else ""
        url = f"{endpoint['url']}/v1/models/{model}{version}:predict"
        body = {"instances": next(iter(inputs.values()))} if len(inputs) == 1 else {"inputs": inputs}
    response, raw = send_request(
        ctx,
        method="POST",
        url=url,
        headers={"Content-Type": "application/json", **(headers or {})},
        query={},
        json_body=body,
        secret_headers=frozenset(secret_headers),
        timeout=timeout,
        max_bytes=MAX_ANSWER_BYTES,
        follow_redirects=False,
    )
    if response.status_code == 404:
        raise NodeError(
            gettext_noop("The model server has no model “%(model)s” (404): %(reason)s"),
            code="module_server_not_found",
            values={"model": endpoint["model"], "reason": _error_text(raw)},
        )
    if response.status_code >= 400:
        raise NodeError(
            gettext_noop("The model server answered %(status)s: %(reason)s"),
            code="module_server_error",
            detail=raw[:2000].decode("utf-8", "replace"),
            values={"status": str(response.status_code), "reason": _error_text(raw)},
        )
    try:
        answer = json.loads(raw)
    except ValueError:
        answer = None
    if endpoint["protocol"] == "kserve_v2":
        outputs = answer.get("outputs") if isinstance(answer, dict) else None
        if not isinstance(outputs, list) or not all(isinstance(o, dict) and "name" in o and "data" in o for o in outputs):
            raise _bad_answer(raw)
        return {str(o["name"]): _reshape(list(o["data"]), [int(s) for s in o.get("shape") or [len(o["data"])]]) for o in outputs}
    predictions = answer.get("predictions", answer.get("outputs")) if isinstance(answer, dict) else None
    if predictions is None:
        raise _bad_answer(raw)
    if isinstance(predictions, list) and predictions and all(isinstance(p, dict) for p in predictions):
        names = list(dict.fromkeys(k for p in predictions for k in p))
        return {name: [p.get(name) for p in predictions] for name in names}
    if isinstance(predictions, dict):
        return {str(k): v for k, v in predictions.items()}
    return {"predictions": predictions}


def _bad_answer(raw: bytes) -> NodeError:
    return NodeError(
        gettext_noop("The model server's answer is not in the protocol's format."),
        code="module_server_bad_answer",
        detail=raw[:2000].decode("utf-8", "replace"),
    )
