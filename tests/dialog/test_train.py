"""The fine-tuning set and the GGUF LoRA export, without training (fast)."""

from __future__ import annotations

import re

import numpy as np
import pytest

from dialog.generate.check import check_sentence
from dialog.generate.prompt import SYSTEM_PROMPT
from dialog.generate.sentences import split_sentences as sentences_of
from dialog.train.dataset import make_examples, split
from dialog.train.export_gguf import export_lora, gguf_name

HAN = re.compile(r"[\u4e00-\u9fff]")


def test_targets_are_short_in_the_callers_language_and_state_only_facts():
    examples = make_examples(300, seed=7)
    assert {e.language for e in examples} == {"en", "zh"}
    assert {e.mood for e in examples} == {"negative", "neutral"}
    assert len({e.result["action"] for e in examples}) >= 12
    for e in examples:
        result = e.action_result()
        assert len(e.target) < 220, e.target
        assert bool(HAN.search(e.target)) == (e.language == "zh") or "PayPal" in e.target, e.target
        for sentence in sentences_of(e.target):
            assert check_sentence(sentence, result, e.language) == [], (sentence, e)
        if "order_number" in result.facts and result.action != "complaint":
            assert result.facts["order_number"] in e.target


def test_prompts_use_the_runtime_prompt_and_the_split_is_held_out():
    train, test = split(200, 40)
    assert all(e.messages()[0]["content"] == SYSTEM_PROMPT for e in train + test)
    seen = {(e.caller_text, e.target) for e in train}
    with_order = [e for e in test if "order_number" in e.result["facts"]]
    assert len(with_order) >= 20
    assert sum((e.caller_text, e.target) in seen for e in with_order) <= 1  # unseen order facts


@pytest.mark.parametrize(("peft", "gguf"), [
    ("base_model.model.model.layers.3.self_attn.q_proj.lora_A.weight", "blk.3.attn_q.weight.lora_a"),
    ("base_model.model.model.layers.23.self_attn.o_proj.lora_B.default.weight", "blk.23.attn_output.weight.lora_b"),
])
def test_tensor_names_follow_llama_cpp(peft, gguf):
    assert gguf_name(peft) == gguf


def test_export_writes_a_lora_adapter_gguf(tmp_path):
    from gguf import GGUFReader

    rng = np.random.default_rng(0)
    tensors = {"base_model.model.model.layers.0.self_attn.k_proj.lora_A.weight": rng.normal(size=(8, 896)),
               "base_model.model.model.layers.0.self_attn.k_proj.lora_B.weight": rng.normal(size=(128, 8))}
    path = export_lora(tensors, 16.0, tmp_path / "a.gguf")
    reader = GGUFReader(str(path))
    fields = {k: bytes(f.parts[f.data[0]]).decode() for k, f in reader.fields.items()
              if k in ("general.type", "adapter.type", "general.architecture")}
    assert fields == {"general.type": "adapter", "adapter.type": "lora", "general.architecture": "qwen2"}
    alpha = reader.fields["adapter.lora.alpha"]
    assert float(alpha.parts[alpha.data[0]][0]) == 16.0
    shapes = {t.name: [int(x) for x in t.shape] for t in reader.tensors}
    assert shapes == {"blk.0.attn_k.weight.lora_a": [896, 8], "blk.0.attn_k.weight.lora_b": [8, 128]}
