"""The real reply model (Qwen2.5 0.5B Q4_0 through llama.cpp, with the shipped LoRA adapter when present).

Whatever the model writes, what reaches the caller must state the ActionResult's facts and
nothing else, in the caller's language. Loaded once (about a second); each reply 1-2 s.
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from dialog.contract import ActionResult, Money, OrderDetails, OrderState, OrderStatus, RefundProgress, RefundState
from dialog.generate import ReplyWriter, WriterSettings
from dialog.generate.backends import DEFAULT_ADAPTER, default_model_path
from dialog.generate.check import check_sentence
from dialog.generate.prompt import SYSTEM_PROMPT

pytestmark = pytest.mark.models

CASES = [
    (ActionResult("track_order", True, OrderDetails(
        "10023", OrderStatus.shipped, date(2026, 11, 24), Money(259), ("desk lamp",), "SF Express", "SF123456789012",
        date(2026, 11, 25), date(2026, 12, 1)), as_of=date(2026, 11, 28)),
     "en", "Where is my order 10023?", "neutral", ["10023"]),
    (ActionResult("track_refund", True, RefundProgress("10040", RefundState.pending, Money(259), "支付宝",
                                                       date(2026, 11, 25), refund_days="3-7")),
     "zh", "我的退款怎么还没到，订单10040。", "negative", ["10040", "259", "支付宝"]),
    (ActionResult("cancel_order", False, OrderState("10031", OrderStatus.shipped, 7), reason="already_shipped"),
     "en", "Please cancel order 10031.", "neutral", ["10031"]),
]


@pytest.fixture(scope="module", autouse=True)
def built() -> None:
    """`make setup` builds the reply model: absent, every test here fails saying so (never a skip)."""
    if not default_model_path().exists():
        pytest.fail(f"the reply model {default_model_path()} is missing: run `make setup`", pytrace=False)


@pytest.fixture(scope="module")
def backend():
    from dialog.generate import LlamaCppBackend

    llm = LlamaCppBackend(adapter_path=DEFAULT_ADAPTER if DEFAULT_ADAPTER.exists() else None)
    llm.warm(SYSTEM_PROMPT)
    return llm


@pytest.mark.parametrize(("result", "language", "caller", "mood", "must_say"), CASES,
                         ids=[f"{c[1]}-{c[0].action}" for c in CASES])
def test_reply_states_the_facts_and_nothing_else(backend, result, language, caller, mood, must_say):
    reply = ReplyWriter(backend, WriterSettings(first_sentence_deadline_s=5.0)).write(
        result, language, caller_text=caller, mood=mood)
    parts = list(reply)
    text = reply.meta.text
    assert parts and parts[-1].last
    for part in parts:
        assert check_sentence(part.text, result, language) == [] or not part.text, part.text
    for value in must_say:  # said by the model, or by the template sentence added for it
        assert value in text, (text, reply.meta)
    han = bool(re.search(r"[\u4e00-\u9fff]", text))
    assert han == (language == "zh"), text
    if DEFAULT_ADAPTER.exists():
        assert reply.meta.source == "llm", reply.meta  # the tuned model needs no rescue on these


def test_prompt_prefix_is_reused_across_turns(backend, monkeypatch):
    """Second turn with the same system prompt: llama.cpp evaluates only what follows the prefix it kept, a
    few tokens, not the prompt (how soon the first piece comes is measured by `make bench`)."""
    result, language, caller, mood, _ = CASES[0]
    writer, llm = ReplyWriter(backend), backend._llm
    evaluated: list[int] = []  # tokens per llama.cpp eval call: the prompt's first, then one per token written
    evaluate = llm.eval
    monkeypatch.setattr(llm, "eval", lambda tokens: (evaluated.append(len(tokens)), evaluate(tokens))[1])
    prompt = []
    for _ in range(2):
        evaluated.clear()
        writer.write(result, language, caller_text=caller, mood=mood).text()
        prompt.append(evaluated[0] if evaluated else 0)
    system = len(llm.tokenize(SYSTEM_PROMPT.encode()))
    assert prompt[-1] < system / 4, (prompt, system)


def test_loading_the_model_and_adapter_prints_no_warnings(capfd):
    """llama.cpp's notes stay out of the operator's log (it used to print 96 lines per start)."""
    from dialog.generate import LlamaCppBackend

    LlamaCppBackend(adapter_path=DEFAULT_ADAPTER)
    assert "llama_adapter_lora_init_impl" not in capfd.readouterr().err
