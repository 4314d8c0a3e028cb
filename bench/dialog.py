"""`make bench` (dialogue): understanding latency per turn, and the time from the final transcript to the
first reply sentence through the whole agent (understanding, action, LLM with the shipped LoRA, fact check).

Writes bench/results/dialog.{json,md}. Target on this machine: first reply sentence within 700 ms (median).
"""

from __future__ import annotations

import shutil
import tempfile
import time
from datetime import date
from pathlib import Path

from bench.common import Timer, machine, stats, write
from dialog.agent import ShopAgent
from dialog.contract import ActionResult, Money, OrderDetails, OrderStatus
from dialog.generate.backends import DEFAULT_ADAPTER, LlamaCppBackend
from dialog.generate.prompt import build_messages
from dialog.generate.writer import ReplyWriter
from dialog.nlu.data import utterances
from dialog.nlu.understander import Understander
from dialog.shop.db import Shop
from dialog.shop.seed import seed
from dialog.types import CallerTurn

# Turns a verified caller might say, answered from the database (order 10003 is shipped, 10040 delivered).
TURNS = {
    "en": [("Where is my order 10003?", "10003"), ("When will order 10003 arrive?", "10003"),
           ("What payment methods do you take?", None), ("How long does delivery take?", None),
           ("Can I still return order 10040?", "10040"), ("What is your refund policy?", None),
           ("Do you have wireless earbuds?", None), ("Has my refund for 10040 been paid?", "10040")],
    "zh": [("我的订单10003到哪了？", "10003"), ("订单10003什么时候能到？", "10003"), ("你们支持哪些付款方式？", None),
           ("快递一般几天到？", None), ("订单10040还能退货吗？", "10040"), ("退款政策是怎样的？", None),
           ("有无线耳机吗？", None), ("订单10040的退款到账了吗？", "10040")],
}


def bench_understanding(understander: Understander) -> dict:
    out = {}
    for lang in ("en", "zh"):
        times = []
        for u in utterances("handwritten"):
            if u.language == lang:
                with Timer() as t:
                    understander.understand(u.text, lang)
                times.append(t.seconds)
        out[lang] = stats(times)
    return out


def bench_agent(shop: Shop, understander: Understander, backend, rounds: int = 2) -> dict:
    agent = ShopAgent(shop, understander, ReplyWriter(backend))
    out = {}
    for lang, turns in TURNS.items():
        first, total, sources = [], [], []
        for _ in range(rounds):
            for text, order in turns:
                owner = shop.customer(shop.order(order)["customer_id"])["phone"] if order else None
                call = agent.start_call("bench", caller_id=owner)
                start = time.perf_counter()
                outcome = agent.turn(call, CallerTurn(text, language=lang))
                first_s = None
                for _part in outcome.reply:
                    first_s = first_s if first_s is not None else time.perf_counter() - start
                first.append(first_s or 0.0)
                total.append(time.perf_counter() - start)
                sources.append(outcome.reply.meta.source)
        out[lang] = {"first_sentence_s": stats(first), "whole_reply_s": stats(total),
                     "llm_share": round(sources.count("llm") / len(sources), 2)}
    return out


def bench_llm(backend: LlamaCppBackend) -> dict:
    """Raw generation on a grounded prompt in the reply format: time to first token (the system prompt is
    cached, the turn's ~70 tokens are not: each round asks about another order) and tokens per second."""
    ttft, rates = [], []
    for i in range(6):
        result = ActionResult("track_order", True, OrderDetails(
            f"1{i:04d}", OrderStatus.shipped, date(2026, 11, 18), Money(199), ("desk lamp",), "SF Express",
            f"SF12345678{i:02d}", date(2026, 11, 19), date(2026, 11, 28 + i % 3)))
        messages = build_messages(result, "en", f"Where is my order 1{i:04d}?")
        start = time.perf_counter()
        n, first = 0, None
        for _delta in backend.stream(messages, max_tokens=48):
            first = first if first is not None else time.perf_counter() - start
            n += 1
        elapsed = time.perf_counter() - start
        ttft.append(first or elapsed)
        rates.append(n / max(elapsed - (first or 0), 1e-6))
    return {"first_token_s": stats(ttft[1:]), "tokens_per_s": stats(rates[1:])}


def llama_cpu() -> str:
    """The instruction sets llama.cpp was built with (the Makefile picks them per machine)."""
    import llama_cpp

    info = llama_cpp.llama_print_system_info().decode()
    return "AVX-512" if "AVX512 = 1" in info else "AVX2"


def main() -> None:
    folder = Path(tempfile.mkdtemp())
    try:
        shop = Shop(f"sqlite:///{folder / 'shop.db'}")
        seed(shop)
        understander = Understander()
        backend = LlamaCppBackend(adapter_path=DEFAULT_ADAPTER)
        result = {"machine": machine(), "model": backend.model_path.name, "llama_cpu": llama_cpu(),
                  "understanding_s": bench_understanding(understander),
                  "llm": bench_llm(backend), "agent_llm": bench_agent(shop, understander, backend),
                  "agent_templates": bench_agent(shop, understander, None, rounds=1)}
        shop.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    write("dialog", result, markdown(result))


def markdown(r: dict) -> str:
    ms = lambda s: f"{s['median'] * 1000:.0f} / {s['p90'] * 1000:.0f}"  # noqa: E731
    u, a, t, llm = r["understanding_s"], r["agent_llm"], r["agent_templates"], r["llm"]
    return "\n".join([
        f"Machine: {r['machine']}", "", "| figure (median / p90) | en | zh |", "|---|---|---|",
        f"| understanding per turn, ms | {ms(u['en'])} | {ms(u['zh'])} |",
        f"| final transcript -> first reply sentence (LLM + LoRA), ms | {ms(a['en']['first_sentence_s'])} | "
        f"{ms(a['zh']['first_sentence_s'])} |",
        f"| share of replies the LLM spoke (rest: checked templates) | {a['en']['llm_share']:.0%} | "
        f"{a['zh']['llm_share']:.0%} |",
        f"| final transcript -> whole reply text (LLM + LoRA), ms | {ms(a['en']['whole_reply_s'])} | "
        f"{ms(a['zh']['whole_reply_s'])} |",
        f"| final transcript -> first reply sentence (templates only), ms | {ms(t['en']['first_sentence_s'])} | "
        f"{ms(t['zh']['first_sentence_s'])} |",
        "", f"LLM alone ({r['model']} + LoRA, 2 threads, {r['llama_cpu']}): first token of a new turn "
        f"{ms(llm['first_token_s'])} ms, {llm['tokens_per_s']['median']:.1f} tokens/s (median).", ""])


if __name__ == "__main__":
    main()
