"""Fold the PP-OCRv4 models' per-layer affines and hard-swish into fewer, fused operations.

The PP-OCRv4 detector and recogniser (PPLCNetV3 backbones, exported from Paddle by paddle2onnx)
follow every convolution with a "learnable affine block" (``y = s * x + b``, two scalars) and a
hard-swish written out as four element-wise operations (``x * clip(x + 3, 0, 6) / 6``), then
another affine. onnxruntime fuses none of these, so a recogniser batch spent 41 % of its time in
Mul/Add/Clip/Div passes over full feature maps and 11 % more converting layouts around them
(onnxruntime profile, 6 lines of 48x320). Rewritten here, once per process, before the session is
built:

* ``Conv -> Mul(s) -> Add(b)``: the scalars go into the convolution's weights and bias;
* ``Add(x, 3) -> Clip(0, 6) -> Mul(x, .) -> Div(6)``: ``x * HardSigmoid(x)`` (alpha 1/6, beta
  1/2), which onnxruntime fuses into the convolution before it;
* ``Mul(s) -> Add(b) -> Conv`` where the convolution has no padding: the scalars go into its
  weights and bias (``W * (s * y + b) = (s * W) * y + b * sum(W)``); with zero padding the
  border pixels would differ, so padded convolutions keep their affine.

Each rewrite is exact algebra; outputs differ from the original graph by float rounding only
(<= 2e-5 on probabilities in 0..1), and readings on realdev are unchanged (tests/test_ocr_fold.py).
A node is only touched when the pattern matches exactly (scalar constants, single consumers), so
an unknown graph comes back unchanged.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float32]


def fold_graph(model: Any) -> Counter[str]:
    """Rewrite ``model`` (an ``onnx.ModelProto``) in place; returns how many patterns were folded."""
    from onnx import NodeProto, helper, numpy_helper

    graph = model.graph
    # The rewrite keeps track of nodes by identity, so every node object it has seen is held until
    # it returns: protobuf hands out a new Python wrapper per access, and a freed one's id() can be
    # reused by a node made later.
    nodes = list(graph.node)
    held: list[Any] = list(nodes)
    initializers = {i.name: i for i in graph.initializer}
    constants = {
        n.output[0]: numpy_helper.to_array(n.attribute[0].t)
        for n in nodes
        if n.op_type == "Constant" and len(n.attribute) == 1 and n.attribute[0].name == "value"
    }
    fresh: dict[str, FloatArray] = {}
    dropped: set[int] = set()
    folded: Counter[str] = Counter()

    def const(name: str) -> npt.NDArray[Any] | None:
        if name in fresh:
            return fresh[name]
        if name in initializers:
            return numpy_helper.to_array(initializers[name])
        return constants.get(name)

    def scalar(node: Any, operand: str) -> float | None:
        """The node's other input, when it is a one-element constant."""
        others = [const(i) for i in node.input if i != operand]
        if len(others) != 1 or others[0] is None or others[0].size != 1:
            return None
        return float(others[0].reshape(-1)[0])

    def consumers(live: list[Any]) -> dict[str, list[Any]]:
        out: dict[str, list[Any]] = defaultdict(list)
        for n in live:
            for i in n.input:
                out[i].append(n)
        for o in graph.output:
            out[o.name].append(None)  # a graph output is consumed by the caller
        return out

    def sole(users: dict[str, list[Any]], name: str, op: str) -> Any:
        found = users.get(name, [])
        return found[0] if len(found) == 1 and found[0] is not None and found[0].op_type == op else None

    def weights(conv: Any) -> tuple[FloatArray, FloatArray] | None:
        w = const(conv.input[1])
        if w is None or w.ndim != 4:
            return None
        b = const(conv.input[2]) if len(conv.input) > 2 and conv.input[2] else np.zeros(w.shape[0], np.float32)
        return (np.asarray(w, np.float32), np.asarray(b, np.float32)) if b is not None else None

    def set_conv(conv: Any, x: str, w: FloatArray, b: FloatArray, tag: str) -> None:
        key = f"{conv.output[0]}.{tag}"
        fresh[key + ".w"], fresh[key + ".b"] = w.astype(np.float32), b.astype(np.float32)
        del conv.input[:]
        conv.input.extend([x, key + ".w", key + ".b"])

    # 1. Conv -> Mul(s) -> Add(b)
    users = consumers(nodes)
    for conv in [n for n in nodes if n.op_type == "Conv"]:
        mul = sole(users, conv.output[0], "Mul")
        add = sole(users, mul.output[0], "Add") if mul is not None else None
        wb = weights(conv)
        if add is None or wb is None:
            continue
        s, b = scalar(mul, conv.output[0]), scalar(add, mul.output[0])
        if s is None or b is None:
            continue
        set_conv(conv, conv.input[0], wb[0] * s, wb[1] * s + b, "affine_out")
        del conv.output[:]
        conv.output.append(add.output[0])
        dropped |= {id(mul), id(add)}
        folded["conv_then_affine"] += 1
    nodes = [n for n in nodes if id(n) not in dropped]

    # 2. hard-swish written out: Add(x, 3) -> Clip(0, 6) -> Mul(x, .) -> Div(6)
    users = consumers(nodes)
    replacement: dict[int, list[Any]] = {}
    for add in [n for n in nodes if n.op_type == "Add"]:
        x = next((i for i in add.input if const(i) is None), None)
        if x is None or scalar(add, x) != 3.0:
            continue
        clip = sole(users, add.output[0], "Clip")
        if clip is None or len(clip.input) != 3:
            continue
        low, high = const(clip.input[1]), const(clip.input[2])
        if low is None or high is None or low.size != 1 or high.size != 1:
            continue
        if float(low.reshape(-1)[0]) != 0.0 or float(high.reshape(-1)[0]) != 6.0:
            continue
        mul = sole(users, clip.output[0], "Mul")
        if mul is None or x not in mul.input:
            continue
        div = sole(users, mul.output[0], "Div")
        if div is None or div.input[0] != mul.output[0] or scalar(div, mul.output[0]) != 6.0:
            continue
        gate = helper.make_node("HardSigmoid", [x], [add.output[0] + ".hardsigmoid"], alpha=1.0 / 6.0, beta=0.5)
        product = helper.make_node("Mul", [x, gate.output[0]], [div.output[0]])
        replacement[id(add)] = [gate, product]
        held += [gate, product]
        dropped |= {id(clip), id(mul), id(div)}
        folded["hard_swish"] += 1
    nodes = [m for n in nodes if id(n) not in dropped for m in replacement.get(id(n), [n])]

    # 3. Mul(s) -> Add(b) -> Conv without padding
    users = consumers(nodes)
    producer = {o: n for n in nodes for o in n.output}
    for conv in [n for n in nodes if n.op_type == "Conv"]:
        attrs = {a.name: helper.get_attribute_value(a) for a in conv.attribute}
        if any(attrs.get("pads", [])) or attrs.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET"):
            continue
        add = producer.get(conv.input[0])
        if add is None or add.op_type != "Add" or len(users[add.output[0]]) != 1:
            continue
        mul = next((producer[i] for i in add.input if i in producer and producer[i].op_type == "Mul"), None)
        if mul is None or len(users[mul.output[0]]) != 1:
            continue
        y = next((i for i in mul.input if const(i) is None), None)
        wb = weights(conv)
        if y is None or wb is None:
            continue
        s, b = scalar(mul, y), scalar(add, mul.output[0])
        if s is None or b is None:
            continue
        w, bias = wb
        set_conv(conv, y, w * s, bias + b * w.sum(axis=(1, 2, 3)), "affine_in")
        dropped |= {id(mul), id(add)}
        folded["affine_then_conv"] += 1
    nodes = [n for n in nodes if id(n) not in dropped]

    copies = [NodeProto.FromString(n.SerializeToString()) for n in nodes]
    del held
    del graph.node[:]
    graph.node.extend(copies)
    graph.initializer.extend(numpy_helper.from_array(v, k) for k, v in fresh.items())
    used = {i for n in graph.node for i in n.input} | {o.name for o in graph.output}
    kept = [i for i in graph.initializer if i.name in used]
    del graph.initializer[:]
    graph.initializer.extend(kept)
    return folded
