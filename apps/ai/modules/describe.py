"""A module's description: how items become the model's inputs and how its outputs become a result. Pure Python.

{
  "input": "tabular" | "image" | "tensor",
  "features": ["age", {"field": "income", "default": 0}],      # tabular: item fields → one row of the input
  "image": {"field", "width", "height", "mode": "RGB"|"L", "layout": "NCHW"|"NHWC", "scale", "mean", "std"},
  "tensors": {"input name": "item.field"},                   # tensor: a field holding the whole array
  "input_name": "x",                                         # tabular/image: which input (default: the first)
  "labels": ["cat", "dog"],                                  # names of the classes, in the model's order
  "label_output": "label", "scores_output": "probabilities", # default: found by shape and type
  "softmax": false                                           # scores are logits: turn them into probabilities
}
"""

from __future__ import annotations

import base64
import math
from collections.abc import Callable

from apps.flows.engine.errors import NodeError, gettext_noop

MAX_FEATURES = 10_000
MAX_LABELS = 10_000
MAX_SIDE = 2048
BATCH = 256
MODES = ("tabular", "image", "tensor")


class SpecError(NodeError):
    code = "module_description"


def _refuse(template: str, **values) -> SpecError:
    return SpecError(template, code="module_description", values={k: str(v) for k, v in values.items()})


def _names(ports: list[dict]) -> list[str]:
    return [port["name"] for port in ports]


def _port(ports: list[dict], name: str) -> dict:
    return next(port for port in ports if port["name"] == name)


def _number(value, what: str, *, minimum: float | None = None, maximum: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        raise _refuse(gettext_noop("“%(what)s” must be a number."), what=what)
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise _refuse(gettext_noop("“%(what)s” must be between %(low)s and %(high)s."), what=what, low=minimum, high=maximum)
    return value


def clean(raw, signature: dict) -> dict:
    """The description checked against what the model declares (`signature`: inputs and outputs with names,
    datatypes and shapes). Raises SpecError with one clear sentence."""
    if raw in (None, ""):
        raw = {}
    if not isinstance(raw, dict):
        raise _refuse(gettext_noop("The description must be a JSON object."))
    known = {"input", "features", "image", "tensors", "input_name", "labels", "label_output", "scores_output", "softmax"}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise _refuse(gettext_noop("The description has an unknown entry “%(name)s”."), name=unknown[0])
    inputs, outputs = signature.get("inputs") or [], signature.get("outputs") or []
    if not inputs or not outputs:
        raise _refuse(gettext_noop("The model declares no inputs or no outputs."))
    mode = raw.get("input") or ("tabular" if raw.get("features") else "image" if raw.get("image") else "tensor")
    if mode not in MODES:
        raise _refuse(gettext_noop("“input” must be tabular, image or tensor."))
    spec: dict = {"input": mode, "softmax": bool(raw.get("softmax", False))}
    input_name = raw.get("input_name") or inputs[0]["name"]
    if mode in ("tabular", "image"):
        if input_name not in _names(inputs):
            raise _refuse(gettext_noop("The model has no input named “%(name)s”."), name=input_name)
        if len(inputs) > 1:
            raise _refuse(gettext_noop("The model has several inputs: describe each with “tensors”."))
        spec["input_name"] = input_name
    if mode == "tabular":
        spec["features"] = _features(raw.get("features"), _port(inputs, input_name))
    elif mode == "image":
        spec["image"] = _image(raw.get("image"), _port(inputs, input_name))
    else:
        tensors = raw.get("tensors") or {port["name"]: port["name"] for port in inputs}
        if not isinstance(tensors, dict) or not all(isinstance(v, str) and v for v in tensors.values()):
            raise _refuse(gettext_noop("“tensors” must map each input name to an item field."))
        missing = [name for name in _names(inputs) if name not in tensors]
        if missing:
            raise _refuse(gettext_noop("“tensors” does not fill the input “%(name)s”."), name=missing[0])
        extra = [name for name in tensors if name not in _names(inputs)]
        if extra:
            raise _refuse(gettext_noop("The model has no input named “%(name)s”."), name=extra[0])
        spec["tensors"] = dict(tensors)
    labels = raw.get("labels") or []
    if not isinstance(labels, list) or len(labels) > MAX_LABELS or not all(isinstance(v, (str, int)) for v in labels):
        raise _refuse(gettext_noop("“labels” must be a list of at most %(limit)s names."), limit=f"{MAX_LABELS:,}")
    spec["labels"] = [str(label) for label in labels]
    for key in ("label_output", "scores_output"):
        name = raw.get(key)
        if name in (None, ""):
            continue
        if name not in _names(outputs):
            raise _refuse(gettext_noop("The model has no output named “%(name)s”."), name=name)
        spec[key] = name
    return spec


def _features(entries, port: dict) -> list[dict]:
    if not isinstance(entries, list) or not entries:
        raise _refuse(gettext_noop("“features” must list the item fields that make one row of the model's input."))
    if len(entries) > MAX_FEATURES:
        raise _refuse(gettext_noop("A row has at most %(limit)s features."), limit=f"{MAX_FEATURES:,}")
    features = []
    for entry in entries:
        if isinstance(entry, str):
            entry = {"field": entry}
        if not isinstance(entry, dict) or not isinstance(entry.get("field"), str) or not entry["field"].strip():
            raise _refuse(gettext_noop("Each feature is a field name or an object with “field” (and an optional “default”)."))
        default = entry.get("default")
        if default is not None and not isinstance(default, (int, float, str)):
            raise _refuse(gettext_noop("The default of the feature “%(name)s” must be a number or a text."), name=entry["field"])
        features.append({"field": entry["field"].strip(), "default": default})
    shape = port.get("shape") or []
    if port.get("kind", "tensor") != "tensor" or len(shape) != 2:
        raise _refuse(
            gettext_noop("Tabular modules need an input with two dimensions (rows × features); “%(name)s” has %(shape)s."),
            name=port["name"],
            shape=shape,
        )
    if isinstance(shape[1], int) and shape[1] > 0 and shape[1] != len(features):
        raise _refuse(
            gettext_noop("The input “%(name)s” takes %(expected)s features per row, the description lists %(given)s."),
            name=port["name"],
            expected=shape[1],
            given=len(features),
        )
    return features


def _image(raw, port: dict) -> dict:
    if not isinstance(raw, dict) or not isinstance(raw.get("field"), str) or not raw["field"]:
        raise _refuse(gettext_noop("“image” must name the item “field” holding the picture, and its width and height."))
    mode = raw.get("mode") or "RGB"
    layout = raw.get("layout") or "NCHW"
    if mode not in ("RGB", "L") or layout not in ("NCHW", "NHWC"):
        raise _refuse(gettext_noop("The picture's “mode” is RGB or L and its “layout” NCHW or NHWC."))
    channels = 1 if mode == "L" else 3
    image = {
        "field": raw["field"],
        "width": int(_number(raw.get("width"), "width", minimum=1, maximum=MAX_SIDE)),
        "height": int(_number(raw.get("height"), "height", minimum=1, maximum=MAX_SIDE)),
        "mode": mode,
        "layout": layout,
        "scale": _number(raw.get("scale", 255.0), "scale", minimum=1e-9),
    }
    for key, neutral in (("mean", 0.0), ("std", 1.0)):
        values = raw.get(key, [neutral] * channels)
        if not isinstance(values, list) or len(values) != channels:
            raise _refuse(gettext_noop("“%(what)s” must list one number per channel (%(count)s)."), what=key, count=channels)
        image[key] = [_number(v, key, minimum=1e-9 if key == "std" else None) for v in values]
    shape = port.get("shape") or []
    expected = [channels, image["height"], image["width"]] if layout == "NCHW" else [image["height"], image["width"], channels]
    if len(shape) != 4 or any(isinstance(s, int) and s > 0 and s != e for s, e in zip(shape[1:], expected, strict=False)):
        raise _refuse(
            gettext_noop("The input “%(name)s” has the shape %(shape)s, which does not fit pictures of %(expected)s."),
            name=port["name"],
            shape=shape,
            expected=expected,
        )
    return image


def batches(signature: dict, spec: dict) -> bool:
    """Whether items may go to the model together: the input's first dimension is left open (-1, None or a name)."""
    if spec["input"] == "tensor":
        return False
    port = _port(signature["inputs"], spec["input_name"])
    first = (port.get("shape") or [None])[0]
    return not (isinstance(first, int) and first > 0)


def _feature_value(value, feature: dict, index: int):
    if value in (None, ""):
        value = feature["default"]
    if value is None:
        raise NodeError(
            gettext_noop("Item %(item)s has no value for the feature “%(field)s” (and the description gives no default)."),
            code="module_feature_missing",
            values={"item": str(index + 1), "field": feature["field"]},
        )
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)):
        return value
    try:
        return float(str(value).replace(",", "").strip())
    except ValueError:
        raise NodeError(
            gettext_noop("Item %(item)s: the feature “%(field)s” is “%(value)s”, not a number."),
            code="module_feature_not_number",
            values={"item": str(index + 1), "field": feature["field"], "value": str(value)[:50]},
        ) from None


def image_base64(value, index: int, field: str) -> str:
    """A picture from an item: a data URL, base64 text or the HTTP step's binary value {"base64", "content_type"}."""
    if isinstance(value, dict) and isinstance(value.get("base64"), str):
        value = value["base64"]
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode()
    if isinstance(value, str) and value.startswith("data:") and "," in value:
        value = value.split(",", 1)[1]
    if not isinstance(value, str) or not value.strip():
        raise NodeError(
            gettext_noop("Item %(item)s has no picture in the field “%(field)s” (a data URL, base64 text or a downloaded file)."),
            code="module_image_missing",
            values={"item": str(index + 1), "field": field},
        )
    return value.strip()


def inputs_for(spec: dict, items: list[tuple[int, dict]], get_path: Callable) -> dict:
    """The model's inputs for these items (their indexes in the step's input, for messages), as plain lists."""
    if spec["input"] == "tabular":
        rows = [[_feature_value(get_path(item, f["field"]), f, index) for f in spec["features"]] for index, item in items]
        return {spec["input_name"]: rows}
    if spec["input"] == "image":
        image = spec["image"]
        pictures = [image_base64(get_path(item, image["field"]), index, image["field"]) for index, item in items]
        return {spec["input_name"]: {"images": pictures, **{k: v for k, v in image.items() if k != "field"}}}
    (index, item), values = items[0], {}
    for name, field in spec["tensors"].items():
        value = get_path(item, field)
        if value is None:
            raise NodeError(
                gettext_noop("Item %(item)s has no value in the field “%(field)s” for the model's input “%(name)s”."),
                code="module_feature_missing",
                values={"item": str(index + 1), "field": field, "name": name},
            )
        values[name] = value
    return values


def _softmax(values: list[float]) -> list[float]:
    top = max(values)
    exps = [math.exp(v - top) for v in values]
    total = sum(exps)
    return [e / total for e in exps]


def _is_numbers(value) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)


def _flat_scores(value):
    """A row's scores: a list of numbers (also [[...]] of one row), or a {label: probability} map (ZipMap)."""
    while isinstance(value, list) and len(value) == 1 and isinstance(value[0], (list, dict)):
        value = value[0]
    if isinstance(value, dict) and value and all(isinstance(v, (int, float)) for v in value.values()):
        return value
    return value if _is_numbers(value) else None


def row_of(value, row: int, batched: bool):
    if not batched:
        return value
    return value[row] if isinstance(value, list) and row < len(value) else value


def result(spec: dict, signature_outputs: list[dict], outputs: dict) -> dict:
    """One item's result from its slice of the model's outputs."""
    labels = spec.get("labels") or []
    declared = {port["name"] for port in signature_outputs}
    signature_outputs = [*signature_outputs, *({"name": name, "datatype": ""} for name in outputs if name not in declared)]
    label_name = spec.get("label_output")
    scores_name = spec.get("scores_output")
    if label_name is None:
        for port in signature_outputs:
            value = outputs.get(port["name"])
            if port.get("datatype") in ("INT64", "INT32", "STRING") and not isinstance(value, (list, dict)):
                label_name = port["name"]
                break
    if scores_name is None:
        for port in signature_outputs:
            if port["name"] != label_name and _flat_scores(outputs.get(port["name"])) is not None:
                scores_name = port["name"]
                break
    found: dict = {"outputs": outputs}
    scores = _flat_scores(outputs.get(scores_name)) if scores_name else None
    if isinstance(scores, list):
        if spec.get("softmax"):
            scores = _softmax(scores)
        names = labels if len(labels) == len(scores) else [str(i) for i in range(len(scores))]
        scores = dict(zip(names, scores, strict=True))
    if isinstance(scores, dict):
        scores = {str(k): (round(v, 6) if isinstance(v, float) else v) for k, v in scores.items()}
        best = max(scores, key=scores.get)
        found.update(label=best, score=scores[best], scores=scores)
    if label_name is not None:
        value = outputs.get(label_name)
        if isinstance(value, list) and len(value) == 1:
            value = value[0]
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < len(labels):
            value = labels[value]
        if value is not None:
            found["label"] = str(value)
            if isinstance(scores, dict) and found["label"] in scores:
                found["score"] = scores[found["label"]]
    return found


def agree(a: dict | None, b: dict | None) -> bool | None:
    """Whether two versions' results say the same: the same label, or outputs equal to 4 decimals."""
    if not a or not b:
        return None
    if "label" in a or "label" in b:
        return a.get("label") == b.get("label")

    def rounded(value):
        if isinstance(value, float):
            return round(value, 4)
        if isinstance(value, list):
            return [rounded(v) for v in value]
        if isinstance(value, dict):
            return {k: rounded(v) for k, v in value.items()}
        return value

    return rounded(a.get("outputs")) == rounded(b.get("outputs"))
