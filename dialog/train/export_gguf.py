"""Write a peft LoRA as a GGUF adapter that llama.cpp loads next to the quantised base (`Llama(lora_path=...)`).

The layout is llama.cpp's own (as its convert_lora_to_gguf.py writes it): general.type=adapter,
adapter.type=lora, adapter.lora.alpha, and blk.N.attn_{q,k,v,output}.weight.lora_{a,b} in f16
with peft's shapes. Doing it here avoids shipping llama.cpp's converter and its base config.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

PROJ = {"q_proj": "attn_q", "k_proj": "attn_k", "v_proj": "attn_v", "o_proj": "attn_output",
        "gate_proj": "ffn_gate", "up_proj": "ffn_up", "down_proj": "ffn_down"}
_NAME = re.compile(r"layers\.(\d+)\.(?:self_attn|mlp)\.(\w+)\.lora_([AB])(?:\.default)?\.weight$")


def gguf_name(peft_name: str) -> str:
    m = _NAME.search(peft_name)
    if not m or m[2] not in PROJ:
        raise ValueError(f"unexpected LoRA tensor {peft_name}")
    return f"blk.{m[1]}.{PROJ[m[2]]}.weight.lora_{m[3].lower()}"


def export_lora(tensors: dict[str, np.ndarray], alpha: float, out: Path, name: str = "voicedesk-reply-lora",
                architecture: str = "qwen2") -> Path:
    """`tensors`: peft state dict (lora_A [r, in], lora_B [out, r]) as numpy arrays."""
    import gguf

    out.parent.mkdir(parents=True, exist_ok=True)
    writer = gguf.GGUFWriter(str(out), architecture)
    writer.add_string("general.type", "adapter")
    writer.add_string("adapter.type", "lora")
    writer.add_name(name)
    writer.add_float32("adapter.lora.alpha", float(alpha))
    for key in sorted(tensors, key=lambda k: (int(_NAME.search(k)[1]) if _NAME.search(k) else -1, k)):
        writer.add_tensor(gguf_name(key), np.ascontiguousarray(tensors[key], dtype=np.float16))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return out
