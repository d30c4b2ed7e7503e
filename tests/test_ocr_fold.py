"""Graph folding (detector/ocr/_fold.py): the rewritten PP-OCR models compute what the originals do."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper

from detector.ocr import make_reader
from detector.ocr._fold import fold_graph

rapidocr = pytest.importorskip("rapidocr_onnxruntime")
MODELS = Path(rapidocr.__file__).parent / "models"
REALDEV = Path(__file__).resolve().parents[1].parent / "shared" / "realdev"


def _session(model: onnx.ModelProto | str) -> ort.InferenceSession:
    opts = ort.SessionOptions()
    opts.log_severity_level = 3
    source = model if isinstance(model, str) else model.SerializeToString()
    return ort.InferenceSession(source, sess_options=opts, providers=["CPUExecutionProvider"])


def _block(pad: int, group: int = 1) -> onnx.ModelProto:
    """conv -> learnable affine -> hard-swish (written out as paddle2onnx does) -> affine -> conv."""
    rng = np.random.default_rng(0)
    c = 4

    def const(name: str, value: float) -> onnx.TensorProto:
        return numpy_helper.from_array(np.array([value], np.float32), name)

    inits = [
        numpy_helper.from_array(rng.normal(size=(c, 3, 3, 3)).astype(np.float32), "w1"),
        numpy_helper.from_array(rng.normal(size=c).astype(np.float32), "b1"),
        numpy_helper.from_array(rng.normal(size=(c, c // group, 3 if pad else 1, 3 if pad else 1)).astype(np.float32), "w2"),
        numpy_helper.from_array(rng.normal(size=c).astype(np.float32), "b2"),
        const("s1", 0.8), const("t1", 0.3), const("three", 3.0), const("zero", 0.0), const("six", 6.0),
        const("s2", 1.7), const("t2", -0.4),
    ]
    nodes = [
        helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], pads=[1, 1, 1, 1]),
        helper.make_node("Mul", ["s1", "c1"], ["m1"]),
        helper.make_node("Add", ["m1", "t1"], ["a1"]),
        helper.make_node("Add", ["a1", "three"], ["h0"]),
        helper.make_node("Clip", ["h0", "zero", "six"], ["h1"]),
        helper.make_node("Mul", ["a1", "h1"], ["h2"]),
        helper.make_node("Div", ["h2", "six"], ["hs"]),
        helper.make_node("Mul", ["s2", "hs"], ["m2"]),
        helper.make_node("Add", ["m2", "t2"], ["a2"]),
        helper.make_node("Conv", ["a2", "w2", "b2"], ["y"], pads=[pad] * 4, group=group),
    ]
    graph = helper.make_graph(
        nodes, "block",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 12, 16])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4, 12, 16])],
        inits,
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 12)])


@pytest.mark.parametrize(
    ("pad", "group", "expected"),
    [
        # a pointwise conv after the activation takes the affine in too
        (0, 1, {"conv_then_affine": 1, "hard_swish": 1, "affine_then_conv": 1}),
        # a padded one cannot (zero padding would become b at the borders): its affine stays
        (1, 1, {"conv_then_affine": 1, "hard_swish": 1}),
        (1, 4, {"conv_then_affine": 1, "hard_swish": 1}),
    ],
)
def test_fold_is_exact_on_a_paddle_block(pad: int, group: int, expected: dict[str, int]) -> None:
    x = np.random.default_rng(1).normal(scale=3.0, size=(1, 3, 12, 16)).astype(np.float32)
    original = _block(pad, group)
    want = _session(original).run(None, {"x": x})[0]
    folded = _block(pad, group)
    assert dict(fold_graph(folded)) == expected
    onnx.checker.check_model(folded)
    ops = [n.op_type for n in folded.graph.node]
    assert "Clip" not in ops and "Div" not in ops and "HardSigmoid" in ops
    got = _session(folded).run(None, {"x": x})[0]
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-4)


def test_a_graph_without_the_patterns_is_left_alone() -> None:
    graph = helper.make_graph(
        [helper.make_node("Relu", ["x"], ["r"]), helper.make_node("Add", ["r", "x"], ["y"])], "plain",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 2])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 2])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 12)])
    before = model.SerializeToString()
    assert sum(fold_graph(model).values()) == 0
    assert [n.op_type for n in model.graph.node] == ["Relu", "Add"]
    assert model.SerializeToString() == before


@pytest.mark.parametrize(
    ("name", "shape", "patterns"),
    [
        ("ch_PP-OCRv4_det_infer.onnx", (1, 3, 320, 192), 62),
        ("ch_PP-OCRv4_rec_infer.onnx", (2, 3, 48, 320), 68),
    ],
)
def test_pp_ocr_models_fold_and_compute_the_same(name: str, shape: tuple[int, ...], patterns: int) -> None:
    path = str(MODELS / name)
    x = np.random.default_rng(2).uniform(-1.0, 1.0, size=shape).astype(np.float32)
    original = _session(path)
    feed = {original.get_inputs()[0].name: x}
    want = original.run(None, feed)[0]
    model = onnx.load(path)
    assert sum(fold_graph(model).values()) == patterns
    got = _session(model).run(None, feed)[0]
    # Both output probabilities in 0..1; the rewrite is exact algebra, so only rounding differs.
    assert float(np.abs(got - want).max()) < 1e-4


def test_reader_reads_the_same_text_with_and_without_folding() -> None:
    images = sorted((REALDEV / "images").glob("*.jpg"))[:3] if REALDEV.exists() else []
    if not images:
        pytest.skip("needs ../shared/realdev")
    import cv2

    plain = make_reader("ppocr", fold_graph=False)
    folded = make_reader("ppocr")
    assert folded.settings.fold_graph and not plain.settings.fold_graph
    for path in images:
        rgb = np.ascontiguousarray(cv2.imread(str(path))[:, :, ::-1])
        a, b = plain.read(rgb), folded.read(rgb)
        assert [s.text for s in a] == [s.text for s in b], path.name
        assert all(abs(s.confidence - t.confidence) < 1e-3 for s, t in zip(a, b, strict=True))

