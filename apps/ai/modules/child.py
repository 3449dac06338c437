"""Runs ONNX models inside a limited child process (started by apps/ai/modules/runner.py). Imports nothing from
EZFlow, so the web and worker processes never load onnx, onnxruntime or the model.

Protocol on stdin/stdout, one request at a time: a header line of JSON, then `size` raw bytes when the header says so
(the model); one JSON line answers. Requests:
- {"op": "check", "size": n} + model bytes → {"ok", "signature"} or {"ok": false, "code", "error"}
- {"op": "load", "sha": s, "size": n} + model bytes → {"ok"}
- {"op": "run", "sha": s, "inputs": {name: nested list}, "cpu_seconds": c} → {"ok", "outputs": {name: value}}
  or {"ok": false, "code": "need_model"} when this process has not loaded that model (the parent sends it).
The process stays up between requests (kept warm per worker); its memory and CPU are limited by the parent and here.
"""

import json
import os
import resource
import sys

ALLOWED_DOMAINS = {"", "ai.onnx", "ai.onnx.ml"}
SESSIONS_KEPT = 4


def _drop_privileges() -> None:
    uid, gid = os.environ.get("EZFLOW_SANDBOX_UID"), os.environ.get("EZFLOW_SANDBOX_GID")
    if uid and gid and os.geteuid() == 0:
        os.setgroups([])
        os.setgid(int(gid))
        os.setuid(int(uid))
    resource.setrlimit(resource.RLIMIT_NPROC, (0, 0))


class Refused(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def _graphs(graph):
    yield graph
    for node in graph.node:
        for attribute in node.attribute:
            if attribute.g is not None and attribute.HasField("g"):
                yield from _graphs(attribute.g)
            for sub in attribute.graphs:
                yield from _graphs(sub)


def _tensors(model):
    for graph in _graphs(model.graph):
        yield from graph.initializer
        for sparse in graph.sparse_initializer:
            yield sparse.values
            yield sparse.indices
        for node in graph.node:
            for attribute in node.attribute:
                if attribute.HasField("t"):
                    yield attribute.t
                yield from attribute.tensors


def _structure(model) -> None:
    """What no model may contain, whatever the checker says: other operator domains (custom operators need a
    library we never load) and tensors kept in files next to the model."""
    from onnx import TensorProto

    local_functions = {(f.domain, f.name) for f in model.functions}
    for opset in model.opset_import:
        if opset.domain not in ALLOWED_DOMAINS and not any(domain == opset.domain for domain, _ in local_functions):
            raise Refused("module_custom_ops", opset.domain)
    for graph in _graphs(model.graph):
        for node in graph.node:
            if node.domain not in ALLOWED_DOMAINS and (node.domain, node.op_type) not in local_functions:
                raise Refused("module_custom_ops", node.domain)
    for function in model.functions:
        for node in function.node:
            if node.domain not in ALLOWED_DOMAINS and (node.domain, node.op_type) not in local_functions:
                raise Refused("module_custom_ops", node.domain)
    for tensor in _tensors(model):
        if tensor.data_location == TensorProto.EXTERNAL or len(tensor.external_data):
            raise Refused("module_external_data", tensor.name)


def _session(data: bytes):
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.enable_cpu_mem_arena = False
    options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
    options.log_severity_level = 3
    return onnxruntime.InferenceSession(data, options, providers=["CPUExecutionProvider"])


def _parse(data: bytes):
    import onnx

    try:
        model = onnx.load_model_from_string(data)
    except Exception as exc:
        raise Refused("module_not_onnx", str(exc)[:500]) from None
    if not model.graph.node and not model.graph.output:
        raise Refused("module_not_onnx", "no graph")
    return model


def _dims(value_type) -> list:
    shape = value_type.tensor_type.shape
    return [d.dim_value if d.HasField("dim_value") else (d.dim_param or None) for d in shape.dim]


def _port(value_info) -> dict:
    from onnx import helper

    kind = value_info.type.WhichOneof("value")
    if kind == "tensor_type":
        dtype = helper.tensor_dtype_to_string(value_info.type.tensor_type.elem_type).replace("TensorProto.", "")
        return {"name": value_info.name, "kind": "tensor", "datatype": dtype, "shape": _dims(value_info.type)}
    return {"name": value_info.name, "kind": kind.replace("_type", ""), "datatype": "", "shape": []}


def check(data: bytes) -> dict:
    import onnx

    model = _parse(data)
    _structure(model)
    try:
        onnx.checker.check_model(model)
    except Exception as exc:
        raise Refused("module_invalid", str(exc)[:1000]) from None
    try:
        _session(data)
    except Exception as exc:
        raise Refused("module_unloadable", str(exc)[:1000]) from None
    initializers = {t.name for t in model.graph.initializer}
    return {
        "inputs": [_port(v) for v in model.graph.input if v.name not in initializers],
        "outputs": [_port(v) for v in model.graph.output],
        "opsets": {o.domain or "ai.onnx": o.version for o in model.opset_import},
        "producer": f"{model.producer_name} {model.producer_version}".strip(),
        "ir_version": model.ir_version,
    }


NUMPY_TYPES = {
    "tensor(float)": "float32",
    "tensor(double)": "float64",
    "tensor(float16)": "float16",
    "tensor(int64)": "int64",
    "tensor(int32)": "int32",
    "tensor(int16)": "int16",
    "tensor(int8)": "int8",
    "tensor(uint8)": "uint8",
    "tensor(bool)": "bool",
    "tensor(string)": "object",
}


def _plain(value):
    import math

    import numpy

    if isinstance(value, numpy.ndarray):
        if value.dtype.kind == "f":
            return _plain(value.astype("float64").tolist())
        if value.dtype.kind in "OSU":
            return [_plain(v) for v in value.tolist()] if value.ndim else str(value)
        return value.tolist()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(_plain(k)): _plain(v) for k, v in value.items()}
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, (numpy.generic,)):
        return _plain(value.item())
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def images(spec: dict):
    """Decoded, resized and normalised pictures as one batch: {"images": [base64...], "width", "height", "mode"
    ("RGB" | "L"), "layout" ("NCHW" | "NHWC"), "scale", "mean", "std"}. Decoding happens here, in the limited
    process, because image decoders meet untrusted bytes."""
    import base64
    import io

    import numpy
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = 40_000_000
    width, height, mode = int(spec["width"]), int(spec["height"]), spec.get("mode") or "RGB"
    scale = float(spec.get("scale") or 1.0)
    channels = 1 if mode == "L" else 3
    mean = numpy.array(spec.get("mean") or [0.0] * channels, dtype="float32").reshape(1, 1, channels)
    std = numpy.array(spec.get("std") or [1.0] * channels, dtype="float32").reshape(1, 1, channels)
    batch = []
    for text in spec["images"]:
        try:
            picture = Image.open(io.BytesIO(base64.b64decode(text, validate=False)))
            picture = picture.convert(mode).resize((width, height), Image.Resampling.BILINEAR)
        except Exception as exc:
            raise Refused("module_image_unreadable", str(exc)[:300]) from None
        array = numpy.asarray(picture, dtype="float32").reshape(height, width, channels) / scale
        array = (array - mean) / std
        batch.append(array.transpose(2, 0, 1) if (spec.get("layout") or "NCHW") == "NCHW" else array)
    return numpy.stack(batch)


def run(session, inputs: dict) -> dict:
    import numpy

    feed = {}
    for port in session.get_inputs():
        if port.name not in inputs:
            raise Refused("module_input_missing", port.name)
        dtype = NUMPY_TYPES.get(port.type)
        if dtype is None:
            raise Refused("module_input_type", f"{port.name}: {port.type}")
        value = inputs[port.name]
        if isinstance(value, dict) and "images" in value:
            value = images(value)
        try:
            feed[port.name] = numpy.array(value, dtype=dtype)
        except (TypeError, ValueError) as exc:
            raise Refused("module_input_type", f"{port.name}: {exc}") from None
    try:
        values = session.run(None, feed)
    except MemoryError:
        raise Refused("module_memory", "") from None
    except Exception as exc:
        text = str(exc)
        code = "module_memory" if "alloc" in text.lower() else "module_run_failed"
        raise Refused(code, text[:1000]) from None
    return {port.name: _plain(value) for port, value in zip(session.get_outputs(), values, strict=True)}


def _read_exact(stream, size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = stream.read(min(left, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _limit_cpu(seconds: float) -> None:
    used = resource.getrusage(resource.RUSAGE_SELF)
    spent = used.ru_utime + used.ru_stime
    _soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = int(spent + seconds) + 1
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def main() -> None:
    import collections

    import numpy  # noqa: F401  (loaded before privileges are dropped)
    import onnx  # noqa: F401
    import onnxruntime  # noqa: F401
    from PIL import Image

    Image.init()  # every decoder plugin, while the library is still readable

    _drop_privileges()
    stdin, stdout = sys.stdin.buffer, sys.stdout
    sys.stdout = sys.stderr
    sessions: collections.OrderedDict = collections.OrderedDict()
    stdout.write('{"ready": true}\n')  # the parent's time limits start counting from here
    stdout.flush()
    while True:
        line = stdin.readline()
        if not line:
            return
        request = json.loads(line)
        data = _read_exact(stdin, int(request["size"])) if request.get("size") else b""
        try:
            op = request["op"]
            _limit_cpu(float(request.get("cpu_seconds") or 20))
            if op == "check":
                answer = {"ok": True, "signature": check(data)}
            elif op == "load":
                _structure(_parse(data))
                try:
                    sessions[request["sha"]] = _session(data)
                except Exception as exc:
                    raise Refused("module_unloadable", str(exc)[:1000]) from None
                while len(sessions) > SESSIONS_KEPT:
                    sessions.popitem(last=False)
                answer = {"ok": True}
            elif op == "run":
                session = sessions.get(request["sha"])
                if session is None:
                    answer = {"ok": False, "code": "need_model"}
                else:
                    sessions.move_to_end(request["sha"])
                    answer = {"ok": True, "outputs": run(session, request["inputs"])}
            else:
                answer = {"ok": False, "code": "module_bad_request", "error": str(op)}
        except Refused as refused:
            answer = {"ok": False, "code": refused.code, "error": str(refused)}
        except MemoryError:
            answer = {"ok": False, "code": "module_memory", "error": ""}
        try:
            text = json.dumps(answer, ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError) as exc:
            text = json.dumps({"ok": False, "code": "module_run_failed", "error": f"output not JSON: {exc}"})
        stdout.write(text + "\n")
        stdout.flush()


if __name__ == "__main__":
    main()
