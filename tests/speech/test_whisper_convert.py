"""CTranslate2 model.bin -> openai-whisper checkpoint conversion."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest
import torch
import whisper

from speech import models
from speech.asr.whisper_convert import convert, read_model_bin

BASE_DIMS = {
    "n_mels": 80,
    "n_audio_ctx": 1500,
    "n_audio_state": 512,
    "n_audio_head": 8,
    "n_audio_layer": 6,
    "n_vocab": 51865,
    "n_text_ctx": 448,
    "n_text_state": 512,
    "n_text_head": 8,
    "n_text_layer": 6,
}
TINY_DIMS = whisper.ModelDimensions(
    n_mels=4,
    n_audio_ctx=6,
    n_audio_state=8,
    n_audio_head=2,
    n_audio_layer=1,
    n_vocab=20,
    n_text_ctx=5,
    n_text_state=8,
    n_text_head=2,
    n_text_layer=2,
)
_TYPE_IDS = {np.dtype(np.float32): 0, np.dtype(np.int8): 1, np.dtype(np.int16): 2, np.dtype(np.float16): 4}


# --- a tiny CTranslate2 writer, mirroring ctranslate2.specs.model_spec.ModelSpec._serialize ---


def _string(text: str) -> bytes:
    raw = text.encode("utf-8")
    return struct.pack("<H", len(raw) + 1) + raw + b"\0"


def write_model_bin(
    path: Path, variables: dict[str, np.ndarray], aliases: dict[str, str], spec: str = "WhisperSpec"
) -> None:
    out = [struct.pack("<I", 6), _string(spec), struct.pack("<I", 3), struct.pack("<I", len(variables))]
    for name, value in sorted(variables.items()):
        out.append(_string(name) + struct.pack("<B", value.ndim))
        out.extend(struct.pack("<I", d) for d in value.shape)
        out.append(struct.pack("<BI", _TYPE_IDS[value.dtype], value.nbytes) + value.tobytes())
    out.append(struct.pack("<I", len(aliases)))
    out.extend(_string(alias) + _string(target) for alias, target in aliases.items())
    path.write_bytes(b"".join(out))


def to_ct2(state: dict[str, torch.Tensor], dims: whisper.ModelDimensions) -> dict[str, np.ndarray]:
    """The inverse of the converter: an openai-whisper state dict in CT2 WhisperSpec names."""
    sd = {k: v.detach().numpy().astype(np.float32) for k, v in state.items()}
    ct2: dict[str, np.ndarray] = {}

    def linear(src: str, dst: str) -> None:
        ct2[f"{dst}/weight"], ct2[f"{dst}/bias"] = sd[f"{src}.weight"], sd[f"{src}.bias"]

    def norm(src: str, dst: str) -> None:
        ct2[f"{dst}/gamma"], ct2[f"{dst}/beta"] = sd[f"{src}.weight"], sd[f"{src}.bias"]

    def fused(srcs: list[str], dst: str) -> None:
        ct2[f"{dst}/weight"] = np.concatenate([sd[f"{s}.weight"] for s in srcs])
        biases = [sd.get(f"{s}.bias", np.zeros(sd[f"{s}.weight"].shape[0], np.float32)) for s in srcs]
        ct2[f"{dst}/bias"] = np.concatenate(biases)

    def block(src: str, dst: str, cross: bool) -> None:
        fused([f"{src}.attn.query", f"{src}.attn.key", f"{src}.attn.value"], f"{dst}/self_attention/linear_0")
        linear(f"{src}.attn.out", f"{dst}/self_attention/linear_1")
        norm(f"{src}.attn_ln", f"{dst}/self_attention/layer_norm")
        if cross:
            linear(f"{src}.cross_attn.query", f"{dst}/attention/linear_0")
            fused([f"{src}.cross_attn.key", f"{src}.cross_attn.value"], f"{dst}/attention/linear_1")
            linear(f"{src}.cross_attn.out", f"{dst}/attention/linear_2")
            norm(f"{src}.cross_attn_ln", f"{dst}/attention/layer_norm")
        linear(f"{src}.mlp.0", f"{dst}/ffn/linear_0")
        linear(f"{src}.mlp.2", f"{dst}/ffn/linear_1")
        norm(f"{src}.mlp_ln", f"{dst}/ffn/layer_norm")

    linear("encoder.conv1", "encoder/conv1")
    linear("encoder.conv2", "encoder/conv2")
    ct2["encoder/position_encodings/encodings"] = sd["encoder.positional_embedding"]
    for i in range(dims.n_audio_layer):
        block(f"encoder.blocks.{i}", f"encoder/layer_{i}", cross=False)
    norm("encoder.ln_post", "encoder/layer_norm")
    ct2["decoder/embeddings/weight"] = sd["decoder.token_embedding.weight"]
    ct2["decoder/position_encodings/encodings"] = sd["decoder.positional_embedding"]
    for i in range(dims.n_text_layer):
        block(f"decoder.blocks.{i}", f"decoder/layer_{i}", cross=True)
    norm("decoder.ln", "decoder/layer_norm")
    ct2["encoder/num_heads"] = np.array(dims.n_audio_head, np.int16)
    ct2["decoder/num_heads"] = np.array(dims.n_text_head, np.int16)
    return ct2


def quantize_int8(ct2: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """CT2's int8 scheme: weights as round(w * scale) with one float32 scale per output row."""
    out = dict(ct2)
    for name, value in ct2.items():
        if name.endswith("/weight") and value.ndim >= 2:
            amax = np.abs(value.reshape(value.shape[0], -1)).max(axis=1)
            scale = (127.0 / amax).astype(np.float32)
            out[name] = np.rint(value * scale.reshape((-1,) + (1,) * (value.ndim - 1))).astype(np.int8)
            out[name + "_scale"] = scale
    return out


@pytest.fixture
def tiny_state() -> dict[str, torch.Tensor]:
    torch.manual_seed(0)
    return {k: torch.randn_like(v) for k, v in whisper.model.Whisper(TINY_DIMS).state_dict().items()}


def _write_tiny(tmp_path: Path, ct2: dict[str, np.ndarray]) -> Path:
    src = tmp_path / "ct2"
    src.mkdir()
    write_model_bin(src / "model.bin", ct2, {"decoder/projection/weight": "decoder/embeddings/weight"})
    return src


@pytest.mark.models
@pytest.mark.parametrize("dtype", [np.float32, np.float16])
def test_float_round_trip_is_exact_and_loads_strictly(tmp_path, tiny_state, dtype):
    ct2 = {
        k: (v.astype(dtype) if v.dtype == np.float32 else v) for k, v in to_ct2(tiny_state, TINY_DIMS).items()
    }
    out = tmp_path / "out" / "tiny.pt"
    convert(_write_tiny(tmp_path, ct2), out)

    model = whisper.load_model(str(out), device="cpu")  # strict load_state_dict
    assert model.dims == TINY_DIMS
    stored = torch.float16 if dtype is np.float16 else torch.float32
    for name, value in model.state_dict().items():
        if name in tiny_state:
            assert torch.equal(value, tiny_state[name].to(stored).float()), name
    assert not list(out.parent.glob("*.tmp"))


@pytest.mark.models
def test_int8_weights_are_dequantized(tmp_path, tiny_state):
    out = tmp_path / "tiny.pt"
    convert(_write_tiny(tmp_path, quantize_int8(to_ct2(tiny_state, TINY_DIMS))), out)

    got = whisper.load_model(str(out), device="cpu").state_dict()
    for name in (
        "decoder.token_embedding.weight",
        "encoder.conv1.weight",
        "decoder.blocks.1.cross_attn.value.weight",
    ):
        expected = tiny_state[name]
        step = expected.abs().flatten(1).amax(dim=1) / 127  # one quantization step per row
        error = (got[name] - expected).abs().flatten(1).amax(dim=1)
        assert torch.all(error <= step / 2 + 1e-6), name


@pytest.mark.models
@pytest.mark.parametrize("quantization", ["int8", "int8_float16", "int16", "bfloat16"])
def test_models_saved_by_ctranslate2_itself_convert(tmp_path, tiny_state, quantization):
    """The same round trip, with model.bin written by CTranslate2's own spec and quantizer."""
    from ctranslate2.specs import whisper_spec
    spec = whisper_spec.WhisperSpec(
        TINY_DIMS.n_audio_layer, TINY_DIMS.n_audio_head, TINY_DIMS.n_text_layer, TINY_DIMS.n_text_head
    )
    ct2 = to_ct2(tiny_state, TINY_DIMS)
    ct2["decoder/projection/weight"] = ct2["decoder/embeddings/weight"]
    for name, value in ct2.items():
        if name.endswith("/num_heads"):
            continue  # set by the spec's constructor
        *scopes, attr = name.split("/")
        node = spec
        for scope in scopes:
            kind, _, index = scope.rpartition("_")
            indexed = index.isdigit() and isinstance(getattr(node, kind, None), list)
            node = getattr(node, kind)[int(index)] if indexed else getattr(node, scope)
        setattr(node, attr, value.copy())  # the quantizer works in place
    spec.register_vocabulary([f"t{i}" for i in range(TINY_DIMS.n_vocab)])
    spec.validate()
    spec.optimize(quantization=quantization)
    (tmp_path / "ct2").mkdir()
    spec.save(str(tmp_path / "ct2"))

    convert(tmp_path / "ct2", tmp_path / "tiny.pt")
    got = whisper.load_model(str(tmp_path / "tiny.pt"), device="cpu").state_dict()
    for name, expected in tiny_state.items():
        assert torch.allclose(got[name], expected, atol=0.01 * expected.abs().max().item()), name


def test_truncated_model_bin_raises_value_error_naming_the_file(tmp_path, tiny_state):
    src = _write_tiny(tmp_path, to_ct2(tiny_state, TINY_DIMS))
    model_bin = src / "model.bin"
    model_bin.write_bytes(model_bin.read_bytes()[:-100])
    with pytest.raises(ValueError, match="truncated") as excinfo:
        convert(src, tmp_path / "out.pt")
    assert str(model_bin) in str(excinfo.value)
    assert not (tmp_path / "out.pt").exists()


@pytest.mark.parametrize(
    "content",
    [b"", b"\x00" * 64, struct.pack("<I", 6) + _string("TransformerSpec") + b"\x00" * 16],
    ids=["empty", "zeros", "other-spec"],
)
def test_corrupt_model_bin_raises_value_error_naming_the_file(tmp_path, content):
    (tmp_path / "model.bin").write_bytes(content)
    with pytest.raises(ValueError) as excinfo:
        convert(tmp_path, tmp_path / "out.pt")
    assert str(tmp_path / "model.bin") in str(excinfo.value)


# --- the embedded Whisper base model (about 5 s) ---


@pytest.fixture(scope="module")
def base_dir() -> Path:
    return models.path(models.WHISPER_BASE)


@pytest.fixture(scope="module")
def base_checkpoint(base_dir, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("whisper") / "base.pt"
    convert(base_dir, out)
    return out


@pytest.mark.models
def test_base_checkpoint_has_base_dims_and_loads(base_checkpoint):
    checkpoint = torch.load(base_checkpoint, map_location="cpu", weights_only=True)
    assert checkpoint["dims"] == BASE_DIMS
    assert "encoder.blocks.0.attn.key.bias" not in checkpoint["model_state_dict"]

    model = whisper.load_model(str(base_checkpoint), device="cpu")
    assert model.is_multilingual
    sinusoids = whisper.model.sinusoids(1500, 512)
    assert torch.allclose(model.encoder.positional_embedding, sinusoids, atol=1e-3)


@pytest.mark.models
def test_base_tensors_equal_the_ct2_variables(base_dir, base_checkpoint):
    ct2 = read_model_bin(base_dir / "model.bin")
    state = torch.load(base_checkpoint, map_location="cpu", weights_only=True)["model_state_dict"]

    row = 50258  # <|startoftranscript|>
    embedding = state["decoder.token_embedding.weight"]
    np.testing.assert_array_equal(embedding[row].numpy(), ct2["decoder/embeddings/weight"][row])
    assert embedding.dtype == torch.float16  # fp16 in, fp16 out

    fused_qkv = ct2["decoder/layer_3/self_attention/linear_0/weight"]
    np.testing.assert_array_equal(state["decoder.blocks.3.attn.value.weight"].numpy(), fused_qkv[1024:])
    fused_kv_bias = ct2["decoder/layer_5/attention/linear_1/bias"]
    np.testing.assert_array_equal(
        state["decoder.blocks.5.cross_attn.value.bias"].numpy(), fused_kv_bias[512:]
    )
    np.testing.assert_array_equal(state["encoder.ln_post.weight"].numpy(), ct2["encoder/layer_norm/gamma"])
