"""Small real ONNX models built at test time with onnx.helper (no committed binaries)."""

from __future__ import annotations

import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17


def _model(graph, *, ml: bool = False, extra_opsets=()) -> bytes:
    opsets = [helper.make_opsetid("", OPSET), *([helper.make_opsetid("ai.onnx.ml", 3)] if ml else []), *extra_opsets]
    model = helper.make_model(graph, opset_imports=opsets, producer_name="ezflow-tests")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model.SerializeToString()


def _float(name: str, values, shape) -> TensorProto:
    return helper.make_tensor(name, TensorProto.FLOAT, shape, [float(v) for v in values])


def logistic(weights: list[list[float]], bias: list[float], *, batch=None) -> bytes:
    """Softmax regression: input "features" [batch, n] → "probabilities" [batch, k] and "label" (class index) [batch]."""
    features, classes = len(weights), len(bias)
    graph = helper.make_graph(
        [
            helper.make_node("MatMul", ["features", "W"], ["scaled"]),
            helper.make_node("Add", ["scaled", "B"], ["logits"]),
            helper.make_node("Softmax", ["logits"], ["probabilities"], axis=1),
            helper.make_node("ArgMax", ["logits"], ["label"], axis=1, keepdims=0),
        ],
        "logistic",
        [helper.make_tensor_value_info("features", TensorProto.FLOAT, [batch, features])],
        [
            helper.make_tensor_value_info("label", TensorProto.INT64, [batch]),
            helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, [batch, classes]),
        ],
        [_float("W", [w for row in weights for w in row], [features, classes]), _float("B", bias, [classes])],
    )
    return _model(graph)


# A churn model, features [months as a customer, support tickets] → [stays, leaves]: more tickets and fewer months
# mean "leaves". Version 2 cares less about tickets, so the two disagree on some customers.
CHURN_V1 = ([[0.3, -0.3], [-1.0, 1.0]], [0.0, 0.0])
CHURN_V2 = ([[0.3, -0.3], [-0.1, 0.1]], [0.0, 0.0])


def zipmap_classifier() -> bytes:
    """What skl2onnx makes of a classifier: a string label and a ZipMap of probabilities (ai.onnx.ml domain)."""
    graph = helper.make_graph(
        [
            helper.make_node("MatMul", ["x", "W"], ["logits"]),
            helper.make_node("Softmax", ["logits"], ["probs"], axis=1),
            helper.make_node("ArgMax", ["logits"], ["index"], axis=1, keepdims=0),
            helper.make_node(
                "LabelEncoder", ["index"], ["output_label"], domain="ai.onnx.ml", keys_int64s=[0, 1], values_strings=["spam", "ham"]
            ),
            helper.make_node("ZipMap", ["probs"], ["output_probability"], domain="ai.onnx.ml", classlabels_strings=["spam", "ham"]),
        ],
        "zipmap",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, 2])],
        [
            helper.make_tensor_value_info("output_label", TensorProto.STRING, [None]),
            onnx.ValueInfoProto(
                name="output_probability",
                type=helper.make_sequence_type_proto(
                    helper.make_map_type_proto(TensorProto.STRING, helper.make_tensor_type_proto(TensorProto.FLOAT, []))
                ),
            ),
        ],
        [_float("W", [1.0, -1.0, -1.0, 1.0], [2, 2])],
    )
    return _model(graph, ml=True)


def colour_means(side: int = 8) -> bytes:
    """Pictures [1, 3, side, side] → the mean of each channel: the brightest channel names the colour."""
    graph = helper.make_graph(
        [helper.make_node("ReduceMean", ["image"], ["channels"], axes=[2, 3], keepdims=0)],
        "colours",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, [None, 3, side, side])],
        [helper.make_tensor_value_info("channels", TensorProto.FLOAT, [None, 3])],
    )
    return _model(graph)


def custom_operator() -> bytes:
    graph = helper.make_graph(
        [helper.make_node("Explode", ["x"], ["y"], domain="com.example.custom")],
        "custom",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, 2])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, 2])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET), helper.make_opsetid("com.example.custom", 1)])
    model.ir_version = 8
    return model.SerializeToString()


def external_data() -> bytes:
    """A weight kept "in another file" (here: /etc/passwd), which ONNX Runtime would read from disk."""
    weight = numpy_helper.from_array(__import__("numpy").zeros((2, 2), dtype="float32"), name="W")
    weight.ClearField("raw_data")
    weight.data_location = TensorProto.EXTERNAL
    for key, value in (("location", "../../../../etc/passwd"), ("offset", "0"), ("length", "16")):
        entry = weight.external_data.add()
        entry.key, entry.value = key, value
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "W"], ["y"])],
        "external",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, 2])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, 2])],
        [weight],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = 8
    return model.SerializeToString()


def allocate() -> bytes:
    """Input "shape" (int64 [2]) → a float matrix of that shape filled with ones, summed: asks for as much memory as
    the input says."""
    graph = helper.make_graph(
        [
            helper.make_node("ConstantOfShape", ["shape"], ["filled"], value=helper.make_tensor("one", TensorProto.FLOAT, [1], [1.0])),
            helper.make_node("ReduceSum", ["filled"], ["total"], keepdims=0),
        ],
        "allocate",
        [helper.make_tensor_value_info("shape", TensorProto.INT64, [2])],
        [helper.make_tensor_value_info("total", TensorProto.FLOAT, [])],
    )
    return _model(graph)


def square_matmul() -> bytes:
    """Input "shape" [2] = [n, n] → ones(n, n) @ ones(n, n), summed: n³ multiplications, for CPU and time limits."""
    graph = helper.make_graph(
        [
            helper.make_node("ConstantOfShape", ["shape"], ["a"], value=helper.make_tensor("one", TensorProto.FLOAT, [1], [1.0])),
            helper.make_node("MatMul", ["a", "a"], ["b"]),
            helper.make_node("MatMul", ["b", "a"], ["c"]),
            helper.make_node("ReduceSum", ["c"], ["total"], keepdims=0),
        ],
        "square",
        [helper.make_tensor_value_info("shape", TensorProto.INT64, [2])],
        [helper.make_tensor_value_info("total", TensorProto.FLOAT, [])],
    )
    return _model(graph)
