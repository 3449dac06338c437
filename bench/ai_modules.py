"""Latency of custom AI modules (ONNX) in the limited child process, and what the child costs in memory.

Models are built here with onnx.helper (the same small models the tests use, plus a 2-layer perceptron of a more
realistic size). For each: the child's cold start (spawn, numpy + onnxruntime imported, ready), the upload check,
then warm inference of one row (median and p95 of `BENCH_MODULE_CALLS`, default 300) and of a batch of 256 rows,
all through the same pipe the step uses; and items per second through the step's code path (description → inputs →
child → labels) for 1,000 items. The calling process must not load onnxruntime (checked).

    .venv/bin/python -m bench.ai_modules          (or make bench BENCH=ai_modules)
"""

from __future__ import annotations

import hashlib
import os
import random
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ezflow_site.settings")


def mlp(inputs: int = 64, hidden: int = 256, classes: int = 10) -> bytes:
    import onnx
    from onnx import TensorProto, helper

    rng = random.Random(7)

    def weights(name, rows, cols):
        return helper.make_tensor(name, TensorProto.FLOAT, [rows, cols], [rng.uniform(-0.1, 0.1) for _ in range(rows * cols)])

    graph = helper.make_graph(
        [
            helper.make_node("MatMul", ["x", "W1"], ["h"]),
            helper.make_node("Relu", ["h"], ["r"]),
            helper.make_node("MatMul", ["r", "W2"], ["logits"]),
            helper.make_node("Softmax", ["logits"], ["probabilities"], axis=1),
        ],
        "mlp",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, inputs])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, [None, classes])],
        [weights("W1", inputs, hidden), weights("W2", hidden, classes)],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model.SerializeToString()


def rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        return int(next(line for line in status if line.startswith("VmRSS:")).split()[1])


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def main() -> None:
    import django

    django.setup()
    from apps.ai.modules import predict
    from apps.ai.modules.runner import Limits, Session
    from tests.ai.modules import onnx_models

    calls = int(os.environ.get("BENCH_MODULE_CALLS", "300"))
    models = {
        "logistic 2→2": (onnx_models.logistic(*onnx_models.CHURN_V1), "features", 2),
        "MLP 64→256→10": (mlp(), "x", 64),
    }
    limits = Limits()
    print(f"limits: {limits.memory_mb} MB address space, {limits.cpu_seconds} s CPU, {limits.wall_seconds:g} s wall per request")
    print(f"calling process before: {rss_kb(os.getpid()) // 1024} MB RSS")
    starts = []
    for _ in range(3):
        started = time.perf_counter()
        session = Session(warm=False, limits=limits)
        session._get()
        starts.append((time.perf_counter() - started) * 1000)
        session.close()
    print(f"child cold start (spawn, imports, ready): median {statistics.median(starts):.0f} ms of 3")
    print()
    print("| model | size | check ms | 1 row p50 ms | 1 row p95 ms | 256 rows ms | child RSS MB |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, (data, input_name, width) in models.items():
        sha = hashlib.sha256(data).hexdigest()
        with Session(warm=False, limits=limits) as session:
            session._get()
            started = time.perf_counter()
            session.check(data)
            check_ms = (time.perf_counter() - started) * 1000
            row = [[random.random() for _ in range(width)]]
            session.run(sha=sha, model_bytes=data, inputs={input_name: row})  # load
            single = []
            for _ in range(calls):
                started = time.perf_counter()
                session.run(sha=sha, model_bytes=data, inputs={input_name: row})
                single.append((time.perf_counter() - started) * 1000)
            batch = [[random.random() for _ in range(width)] for _ in range(256)]
            batched = []
            for _ in range(max(calls // 10, 5)):
                started = time.perf_counter()
                session.run(sha=sha, model_bytes=data, inputs={input_name: batch})
                batched.append((time.perf_counter() - started) * 1000)
            child_rss = rss_kb(session._child.process.pid) // 1024
        print(
            f"| {name} | {len(data) / 1024:.0f} KB | {check_ms:.0f} | {statistics.median(single):.3f} | "
            f"{percentile(single, 0.95):.3f} | {statistics.median(batched):.2f} | {child_rss} |"
        )
    print()

    class Context:  # what Predictor needs of a step's context, outside a run
        def seconds_left(self):
            return 60.0

    data = onnx_models.logistic(*onnx_models.CHURN_V1)
    version = predict.Version(
        module="Churn",
        number=1,
        kind="onnx",
        spec={
            "input": "tabular",
            "input_name": "features",
            "features": [{"field": "months", "default": None}, {"field": "tickets", "default": 0}],
            "labels": ["stays", "leaves"],
            "softmax": False,
        },
        signature={
            "inputs": [{"name": "features", "shape": [None, 2]}],
            "outputs": [{"name": "label", "datatype": "INT64"}, {"name": "probabilities", "datatype": "FLOAT"}],
        },
        sha256=hashlib.sha256(data).hexdigest(),
        model_bytes=data,
    )
    items = [(i, {"months": i % 24, "tickets": i % 5}) for i in range(1000)]
    for label, chunk in (("batched (256 per request)", items), ("one item per request", None)):
        predictor = predict.Predictor(Context(), warm=False)
        predictor.predict(version, items[:2])
        started = time.perf_counter()
        if chunk is not None:
            predictor.predict(version, chunk)
        else:
            for pair in items[:300]:
                predictor.predict(version, [pair])
        seconds = time.perf_counter() - started
        count = len(items) if chunk is not None else 300
        predictor.close()
        print(f"step path, {label}: {count / seconds:,.0f} items/s")
    print(f"calling process after: {rss_kb(os.getpid()) // 1024} MB RSS; onnxruntime loaded here: {'onnxruntime' in sys.modules}")


if __name__ == "__main__":
    main()
