"""Rewrites the weight-only int8 MiniLM so that its weights stay int8 at run time.

The int8 file stores each weight as int8 plus a per-channel scale and turns it
back into float32 with Cast and Mul in the graph. onnxruntime's graph optimiser
folds those into float32 constants (86 MB), and with folding off the Casts
allocate the same float32 copies on every run: onnxruntime-web then needs
155-253 MB of wasm memory, over a Worker's 128 MB. This script keeps the same
int8 values and scales and moves the dequantisation into the operators:

- MatMul(x, Mul(Cast(Wq), s)) -> com.microsoft MatMulNBits(x, Wq + 128, s)
  (8 bits, zero point 128, one block per 32 rows sharing the channel's scale),
  which dequantises block by block inside the kernel;
- Gather(Mul(Cast(Wq), s), ids) -> Mul(Cast(Gather(Wq, ids)), Gather(s, ids)),
  so only the looked-up rows of an embedding table become float.

The arithmetic is the original model's, so its vectors match the int8 file's.
Usage: python int8_worker_model.py IN.onnx OUT.onnx
"""

import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper

BLOCK = 32


def main(source: str, target: str) -> None:
    model = onnx.load(source)
    graph = model.graph
    inits = {i.name: i for i in graph.initializer}
    producer = {out: node for node in graph.node for out in node.output}

    def dequantised(name: str):
        """(int8 weight, scale) when `name` is Mul(Cast(int8 initializer), initializer)."""
        mul = producer.get(name)
        if mul is None or mul.op_type != "Mul" or mul.input[1] not in inits:
            return None
        cast = producer.get(mul.input[0])
        if cast is None or cast.op_type != "Cast" or cast.input[0] not in inits:
            return None
        weight = numpy_helper.to_array(inits[cast.input[0]])
        if weight.dtype != np.int8:
            return None
        return weight, numpy_helper.to_array(inits[mul.input[1]]), cast.input[0], mul.input[1]

    nodes = []
    added = []
    for node in graph.node:
        if node.op_type == "MatMul" and (found := dequantised(node.input[1])):
            weight, scale, _, _ = found
            k, n = weight.shape
            if k % BLOCK:
                nodes.append(node)
                continue
            blocks = k // BLOCK
            packed = (weight.T.astype(np.int16) + 128).astype(np.uint8).reshape(n, blocks, BLOCK)
            scales = np.repeat(scale.reshape(n).astype(np.float32), blocks)
            base = node.output[0]
            added += [
                numpy_helper.from_array(packed, f"{base}_q8"),
                numpy_helper.from_array(scales, f"{base}_q8_scales"),
            ]
            nodes.append(
                helper.make_node(
                    "MatMulNBits",
                    [node.input[0], f"{base}_q8", f"{base}_q8_scales"],
                    list(node.output),
                    name=f"{node.name}_nbits",
                    domain="com.microsoft",
                    K=k,
                    N=n,
                    bits=8,
                    block_size=BLOCK,
                )
            )
        elif node.op_type == "Gather" and (found := dequantised(node.input[0])):
            _, _, weight_name, scale_name = found
            if any(a.name == "axis" and a.i != 0 for a in node.attribute):
                raise SystemExit(f"{node.name}: only axis-0 lookups are rewritten")
            out = node.output[0]
            nodes += [
                helper.make_node("Gather", [weight_name, node.input[1]], [f"{out}_q"], name=f"{node.name}_q"),
                helper.make_node("Cast", [f"{out}_q"], [f"{out}_f"], to=onnx.TensorProto.FLOAT, name=f"{node.name}_cast"),
                helper.make_node("Gather", [scale_name, node.input[1]], [f"{out}_s"], name=f"{node.name}_scale"),
                helper.make_node("Mul", [f"{out}_f", f"{out}_s"], [out], name=f"{node.name}_dequant"),
            ]
        else:
            nodes.append(node)

    # Drop what no longer feeds anything (the old Cast/Mul chains and their weights).
    used = {name for node in nodes for name in node.input} | {o.name for o in graph.output}
    while True:
        kept = [node for node in nodes if any(out in used for out in node.output)]
        if len(kept) == len(nodes):
            break
        nodes = kept
        used = {name for node in nodes for name in node.input} | {o.name for o in graph.output}
    initializers = [i for i in list(graph.initializer) + added if i.name in used]

    del graph.node[:]
    graph.node.extend(nodes)
    del graph.initializer[:]
    graph.initializer.extend(initializers)
    if not any(o.domain == "com.microsoft" for o in model.opset_import):
        model.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    onnx.checker.check_model(model)
    onnx.save(model, target)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
