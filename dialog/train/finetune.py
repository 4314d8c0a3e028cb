"""LoRA fine-tuning of the 0.5B reply model on CPU, from the same GGUF the runtime serves.

transformers reads the GGUF and dequantises it to fp32 (a minute and a half), so the fp32
weights are cached once under models/llm/; peft adds rank-8 adapters on the attention
projections; a plain loop trains them with the loss on the reply tokens only. The result is
exported as a GGUF LoRA that llama.cpp applies on top of the quantised base.
"""

from __future__ import annotations

import math
import os
import random
import time
from dataclasses import dataclass
from pathlib import Path

from dialog.generate.backends import default_model_path
from dialog.train.dataset import Example
from dialog.train.export_gguf import export_lora, gguf_name


@dataclass(frozen=True)
class TrainSettings:
    steps: int = 60
    batch_size: int = 4
    lr: float = 1e-3
    rank: int = 8
    alpha: float = 16.0
    max_minutes: float = 13.0  # stop early (and still export) when the machine is slow
    threads: int = 2
    seed: int = 0
    first_layer: int = 14  # adapters on the upper layers only: backward stops there (CPU time nearly halves)


def fp32_dir(gguf_path: Path | None = None) -> Path:
    gguf_path = gguf_path or default_model_path()
    return gguf_path.parent / f"{gguf_path.stem}-fp32"


def load_fp32(gguf_path: Path | None = None):  # noqa: ANN201 - transformers types
    """Tokenizer and fp32 model, from the cache or (first time) from the GGUF."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    gguf_path = gguf_path or default_model_path()
    cache = fp32_dir(gguf_path)
    if (cache / "model.safetensors").exists():
        return AutoTokenizer.from_pretrained(cache), AutoModelForCausalLM.from_pretrained(cache, dtype=torch.float32)
    tok = AutoTokenizer.from_pretrained(gguf_path.parent, gguf_file=gguf_path.name)
    model = AutoModelForCausalLM.from_pretrained(gguf_path.parent, gguf_file=gguf_path.name, dtype=torch.float32)
    # save_pretrained() refuses GGUF-loaded models; the weights are plain fp32 tensors, so write them directly.
    from safetensors.torch import save_model

    cache.mkdir(parents=True, exist_ok=True)
    tok.save_pretrained(cache)
    model.config.save_pretrained(cache)
    save_model(model, str(cache / "model.safetensors"))
    return tok, model


def encode(tok, example: Example) -> tuple[list[int], list[int]]:  # noqa: ANN001
    """Token ids and labels: the prompt is masked (-100), only the reply and its end token are learnt."""
    prompt = tok.apply_chat_template(example.messages(), tokenize=False, add_generation_prompt=True)
    p_ids = tok(prompt, add_special_tokens=False)["input_ids"]
    ids = tok(prompt + example.target + "<|im_end|>", add_special_tokens=False)["input_ids"]
    return ids, [-100] * len(p_ids) + ids[len(p_ids):]


def _reply_loss(model, ids, mask, labels):  # noqa: ANN001, ANN202
    """Cross-entropy on the reply tokens only, with the 152k-word output layer applied just there."""
    import torch

    base = model.get_base_model()
    hidden = base.model(input_ids=ids, attention_mask=mask).last_hidden_state[:, :-1]
    target = labels[:, 1:]
    keep = target != -100
    logits = base.lm_head(hidden[keep])
    return torch.nn.functional.cross_entropy(logits.float(), target[keep])


def load_adapter(model, path: Path) -> int:  # noqa: ANN001
    """Copy a GGUF LoRA (ours) into the peft model's adapter weights, to go on training it."""
    import torch
    from gguf import GGUFReader

    stored = {t.name: t for t in GGUFReader(str(path)).tensors}
    n = 0
    with torch.no_grad():
        for name, param in model.named_parameters():
            if "lora_" in name:
                tensor = stored[gguf_name(name)]
                param.copy_(torch.from_numpy(tensor.data.astype("float32").reshape(param.shape)))
                n += 1
    return n


def train(examples: list[Example], out: Path, settings: TrainSettings | None = None, log=print,  # noqa: ANN001
          resume: Path | None = None) -> dict:
    """Train, export `out` (GGUF LoRA) and return what happened (steps, losses, seconds)."""
    import torch
    from peft import LoraConfig, get_peft_model

    s = settings or TrainSettings()
    torch.set_num_threads(s.threads)
    torch.manual_seed(s.seed)
    t0 = time.time()
    tok, model = load_fp32()
    load_s = time.time() - t0
    data = [encode(tok, e) for e in examples]
    log(f"loaded in {load_s:.0f} s; {len(data)} examples, mean {sum(len(d[0]) for d in data) / len(data):.0f} tokens")
    n_layers = model.config.num_hidden_layers
    model = get_peft_model(model, LoraConfig(r=s.rank, lora_alpha=s.alpha, lora_dropout=0.0, task_type="CAUSAL_LM",
                                             target_modules=["q_proj", "k_proj", "v_proj", "o_proj"],
                                             layers_to_transform=list(range(s.first_layer, n_layers))))
    if resume is not None:
        log(f"resumed {load_adapter(model, resume)} adapter tensors from {resume}")
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=s.lr, weight_decay=0.0)
    pad = tok.pad_token_id if tok.pad_token_id is not None else 0
    rng = random.Random(s.seed + (1 if resume else 0))  # a resumed run sees the examples in a new order
    order: list[int] = []
    losses: list[float] = []
    model.train()
    t_train = time.time()
    step = 0
    for step in range(1, s.steps + 1):
        if len(order) < s.batch_size:
            order = list(range(len(data)))
            rng.shuffle(order)
        batch = [data[order.pop()] for _ in range(s.batch_size)]
        width = max(len(ids) for ids, _ in batch)
        ids = torch.tensor([x + [pad] * (width - len(x)) for x, _ in batch])
        labels = torch.tensor([y + [-100] * (width - len(y)) for _, y in batch])
        mask = torch.tensor([[1] * len(x) + [0] * (width - len(x)) for x, _ in batch])
        for group in opt.param_groups:  # linear warm-up over 10 steps, cosine decay to 10%
            group["lr"] = s.lr * min(1.0, step / 10) * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * step / s.steps)))
        loss = _reply_loss(model, ids, mask, labels)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        opt.zero_grad()
        losses.append(loss.item())
        if step % 10 == 0 or step == 1:
            log(f"step {step}/{s.steps} loss {sum(losses[-10:]) / len(losses[-10:]):.3f} "
                f"{(time.time() - t_train) / step:.1f} s/step")
        if time.time() - t_train > s.max_minutes * 60:
            log(f"time budget reached at step {step}")
            break
    train_s = time.time() - t_train
    state = {k: v.detach().float().numpy() for k, v in model.state_dict().items() if "lora_" in k}
    export_lora(state, s.alpha, out)
    log(f"exported {out} ({out.stat().st_size / 1e6:.1f} MB)")
    return {"steps": step, "resumed_from": str(resume) if resume else None,
            "batch_size": s.batch_size, "lr": s.lr, "rank": s.rank, "alpha": s.alpha,
            "examples": len(data), "load_s": round(load_s, 1), "train_s": round(train_s, 1),
            "s_per_step": round(train_s / step, 2), "loss_first10": round(sum(losses[:10]) / min(10, len(losses)), 3),
            "loss_last10": round(sum(losses[-10:]) / min(10, len(losses)), 3)}
