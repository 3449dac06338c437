"""The limited inference process: what it refuses, the limits it enforces, the warm pool, and that the calling
process never loads onnxruntime."""

import hashlib
import os
import sys

import pytest

from apps.ai.modules.runner import POOL, Limits, Session
from apps.flows.engine.errors import NodeError
from tests.ai.modules import onnx_models


def run(session, data, inputs):
    return session.run(sha=hashlib.sha256(data).hexdigest(), model_bytes=data, inputs=inputs)


def test_check_describes_inputs_and_outputs_and_runs_a_batch_in_a_child():
    data = onnx_models.logistic(*onnx_models.CHURN_V1)
    with Session(warm=False) as session:
        signature = session.check(data)
        outputs = run(session, data, {"features": [[2, 6], [40, 0]]})
        pid = session._child.process.pid
    assert signature["inputs"] == [{"name": "features", "kind": "tensor", "datatype": "FLOAT", "shape": [None, 2]}]
    assert [(o["name"], o["datatype"]) for o in signature["outputs"]] == [("label", "INT64"), ("probabilities", "FLOAT")]
    assert outputs["label"] == [1, 0] and outputs["probabilities"][0][1] > 0.9
    assert pid != os.getpid()
    assert "onnxruntime" not in sys.modules  # only the child loads it


def test_ml_domain_operators_and_zipmap_outputs_come_back_as_plain_json():
    data = onnx_models.zipmap_classifier()
    with Session(warm=False) as session:
        session.check(data)
        outputs = run(session, data, {"x": [[1, 0], [0, 1]]})
    assert outputs["output_label"] == ["spam", "ham"]
    assert outputs["output_probability"][0]["spam"] == pytest.approx(0.8808, abs=1e-4)


@pytest.mark.parametrize(
    ("model", "code", "words"),
    [
        (onnx_models.custom_operator, "module_custom_ops", "com.example.custom"),
        (onnx_models.external_data, "module_external_data", "separate file"),
        (lambda: b"\x08\x07garbage" * 10, "module_not_onnx", "not an ONNX model"),
    ],
)
def test_custom_operators_external_data_and_garbage_are_refused(model, code, words):
    with Session(warm=False) as session, pytest.raises(NodeError) as refused:
        session.check(model())
    assert refused.value.code == code and words in str(refused.value)


def test_memory_limit_stops_a_model_that_asks_for_more_and_the_next_run_works():
    data = onnx_models.allocate()
    with Session(warm=False, limits=Limits(memory_mb=512)) as session:
        with pytest.raises(NodeError) as stopped:
            run(session, data, {"shape": [20000, 20000]})  # 1.6 GB of floats
        assert stopped.value.code in ("module_memory", "module_crashed") and "512 MB" in str(stopped.value)
        assert run(session, data, {"shape": [10, 10]}) == {"total": 100.0}


def test_cpu_limit_stops_a_long_computation():
    data = onnx_models.square_matmul()
    with Session(warm=False, limits=Limits(cpu_seconds=1, wall_seconds=60)) as session, pytest.raises(NodeError) as stopped:
        run(session, data, {"shape": [5000, 5000]})
    assert stopped.value.code == "module_cpu_limit" and "1 seconds of CPU" in str(stopped.value)


def test_wall_limit_stops_a_child_that_does_not_answer_in_time():
    data = onnx_models.square_matmul()
    with Session(warm=False, limits=Limits(cpu_seconds=60, wall_seconds=0.5)) as session:
        with pytest.raises(NodeError) as stopped:
            run(session, data, {"shape": [5000, 5000]})
        assert stopped.value.code == "module_timeout"
        assert run(session, data, {"shape": [2, 2]}) == {"total": 16.0}  # a fresh child took over


def test_a_warm_child_is_reused_with_its_loaded_model_and_not_after_a_fork(settings, monkeypatch):
    from apps.ai.modules import runner

    settings.EZFLOW_AI_MODULE_WARM_PROCESSES = 1
    monkeypatch.setattr(runner, "IN_WORKER", False)
    POOL.close_all()
    with Session(warm=True) as web:  # outside a worker nothing stays warm
        web._get()
    assert POOL.count() == 0
    from celery.signals import task_prerun

    task_prerun.send(sender=None, task_id="t", task=None, args=(), kwargs={})  # as a worker does before each task
    assert runner.IN_WORKER  # (monkeypatch puts the flag back afterwards)
    data = onnx_models.logistic(*onnx_models.CHURN_V1)
    POOL.close_all()
    sent = []
    with Session(warm=True) as first:
        run(first, data, {"features": [[1, 1]]})
        pid = first._child.process.pid
    assert POOL.count() == 1

    def model_bytes():
        sent.append(1)
        return data

    with Session(warm=True) as second:
        second.run(sha=hashlib.sha256(data).hexdigest(), model_bytes=model_bytes, inputs={"features": [[1, 1]]})
        assert second._child.process.pid == pid
    assert sent == []  # the model stayed loaded: not read again from the database
    POOL._owner = -1  # as if this process were a forked worker: the parent's children are not used
    with Session(warm=True) as third:
        run(third, data, {"features": [[1, 1]]})
        assert third._child.process.pid != pid
    POOL.close_all()


def test_the_child_has_no_network():
    from apps.flows.sandbox.runner import network_isolation

    if not network_isolation():
        pytest.skip("unshare -n is not available here")
    with Session(warm=False) as session:
        child = session._get()
        namespace = os.readlink(f"/proc/{child.process.pid}/ns/net")
    assert namespace != os.readlink("/proc/self/ns/net")
