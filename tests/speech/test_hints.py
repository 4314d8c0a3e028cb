"""The caller's own words in Whisper's prompt: the shop's vocabulary first, then the products of the caller's
orders (`LiveTranscriber.hints`, set by the call session once it knows the caller)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from speech.asr.whisper import MAX_PROMPT_TOKENS, PROMPTS, DecodeOptions, prompt_text
from speech.audio import read_audio


@pytest.mark.parametrize("language, words, tail", [
    ("zh", ["扫地机器人X1", "猫抓板爬架"], "来电客户的订单：扫地机器人X1、猫抓板爬架。"),
    ("en", ["Robot Vacuum X1", "Cat Scratching Post"], "The caller's orders: Robot Vacuum X1, Cat Scratching Post."),
])
def test_the_callers_products_follow_the_shop_prompt(language, words, tail):
    text = prompt_text(DecodeOptions(), language, {language: words, "zh" if language == "en" else "en": ["x"]})
    assert text.startswith(PROMPTS[language]) and text.endswith(tail)
    assert "x" not in text.removeprefix(PROMPTS[language]).replace("X1", "").lower().replace("box", "")


@pytest.mark.parametrize("language", ["zh", "en"])
def test_no_hints_is_the_shop_prompt_alone(language):
    assert prompt_text(DecodeOptions(), language) == PROMPTS[language]
    assert prompt_text(DecodeOptions(), language, {language: []}) == PROMPTS[language]
    assert prompt_text(DecodeOptions(prompts={}), language, {language: ["A"]}) == \
        ("来电客户的订单：A。" if language == "zh" else "The caller's orders: A.")


CALL = Path(__file__).resolve().parents[2] / "samples" / "calls-unseen"


def _turn(call: str, n: int) -> np.ndarray:
    return read_audio(next((CALL / call).glob(f"{n}.*")), sample_rate=16000).pcm


@pytest.mark.parametrize("call, n, language, words, heard", [
    ("zh-u08-other-order-confirm-cancel", 2, "zh", ["扫地机器人X1", "猫抓板爬架"], "扫地机器人"),
    ("en-u07-late-return-complaint", 1, "en", ["Jigsaw Puzzle 1000", "Wool Socks (5 pairs)"], "jigsaw puzzle"),
])
def test_a_product_the_recogniser_mishears_is_heard_once_hinted(engine, call, n, language, words, heard):
    pcm = _turn(call, n)
    plain, _ = engine.decode(pcm, language, full_window=False)
    hinted, _ = engine.decode(pcm, language, full_window=False, hints={language: words})
    assert heard not in plain.text.lower() and heard in hinted.text.lower(), (plain.text, hinted.text)


def test_a_long_prompt_keeps_its_end_within_whispers_limit(engine):
    words = [f"商品{i}号" for i in range(200)]
    full = engine.tokenizer("zh").encode(" " + prompt_text(engine.options, "zh", {"zh": words}))
    assert len(full) > MAX_PROMPT_TOKENS  # the decode must cut it and still hear the turn
    decoded, _ = engine.decode(_turn("zh-u08-other-order-confirm-cancel", 2), "zh", full_window=False,
                               hints={"zh": words})
    assert "订单" in decoded.text
