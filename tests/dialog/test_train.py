"""The fine-tuning set and the GGUF LoRA export, without training (fast)."""

from __future__ import annotations

import re

import numpy as np
import pytest

from dialog.generate.check import check_sentence
from dialog.generate.facts import spoken_facts
from dialog.generate.prompt import SYSTEM_PROMPT
from dialog.generate.sentences import split_sentences as sentences_of
from dialog.generate.writer import scripted
from dialog.train import heldout
from dialog.train.dataset import make_examples, real_results
from dialog.train.export_gguf import export_lora, gguf_name

HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def pool():
    return real_results(stride=7)  # every 7th order, customer and product: enough of every outcome, fast


@pytest.mark.models  # the pool's recommendations search the catalogue (e5)
def test_the_set_is_real_action_results_with_targets_that_state_only_facts(pool):
    examples = make_examples(300, 7, pool)
    assert {e.language for e in examples} == {"en", "zh"}
    assert {e.mood for e in examples} == {"negative", "neutral"}
    assert len({(e.result.action, e.result.outcome) for e in examples}) >= 30
    for e in examples:
        assert len(e.target) < 400, e.target
        assert bool(HAN.search(e.target)) == (e.language == "zh") or "PayPal" in e.target, e.target
        for sentence in sentences_of(e.target):
            assert check_sentence(sentence, e.result, e.language) == [], (sentence, e)
        for name in e.result.facts.must_say():  # every fact the caller needs is in the target and the prompt
            value = spoken_facts(e.result.facts, e.language)[name]
            assert value in e.target and value in e.messages()[-1]["content"], (name, e)


@pytest.mark.models  # the pool's recommendations search the catalogue (e5)
def test_prompts_are_the_runtime_prompt_and_no_scripted_outcome_is_trained(pool):
    examples = make_examples(120, 3, pool)
    assert all(e.messages()[0]["content"] == SYSTEM_PROMPT for e in examples)
    assert not any(scripted(e.result) for e in examples)


def test_the_held_out_replies_are_real_results_with_checked_must_say_facts():
    cases = heldout.load()
    assert len(cases) >= 120 and {c.language for c in cases} == {"en", "zh"}
    assert {str(c.result.reason) for c in cases if not c.result.ok} >= {
        "already_shipped", "already_cancelled", "not_shipped", "not_delivered", "already_requested",
        "already_refunded", "outside_window", "no_refund", "no_invoice", "unknown_order", "missing_address"}
    assert all(set(c.must_say) <= set(spoken_facts(c.result.facts, c.language)) for c in cases)


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
