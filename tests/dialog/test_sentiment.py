"""Text sentiment on clear cases, prosody against the caller's own baseline, and the call's mood."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from dialog.sentiment.prosody import ProsodyTracker, arousal, measure
from dialog.sentiment.text import text_sentiment
from dialog.sentiment.tracker import Customer, SentimentTracker, segment_of
from dialog.types import Prosody, Sentiment

RATE = 16000


@pytest.mark.models
@pytest.mark.parametrize(("text", "label"), [
    ("This is the third time I'm calling and nobody has fixed it.", "negative"),
    ("I've been waiting for three weeks, this is unacceptable", "negative"),
    ("Thank you so much, that was really helpful!", "positive"),
    ("I'd like to know the delivery options.", "neutral"),
    ("我已经打了三次电话了，还是没人解决", "negative"),
    ("你们的服务太差了，我要投诉", "negative"),
    ("太好了，谢谢你，帮了大忙", "positive"),
    ("我想查一下订单状态", "neutral"),
])
def test_clear_cases(text: str, label: str) -> None:
    sentiment = text_sentiment(text)
    assert sentiment.label == label
    assert -1.0 <= sentiment.score <= 1.0


def test_empty_text_is_neutral() -> None:
    assert text_sentiment("  ") == Sentiment(0.0, "neutral")


def _voice(f0: float, amplitude: float, seconds: float = 1.5, seed: int = 0) -> np.ndarray:
    """A vowel-like harmonic tone with a syllable rhythm, over faint noise."""
    t = np.arange(int(RATE * seconds)) / RATE
    x = sum(amplitude / k * np.sin(2 * np.pi * f0 * k * t) for k in range(1, 6))
    x = x * (0.6 + 0.4 * np.sin(2 * np.pi * 3 * t) ** 2)
    return (x + np.random.default_rng(seed).normal(0, 0.002, len(t))).astype(np.float32)


def test_pitch_and_energy_are_measured() -> None:
    f = measure(_voice(200.0, 0.1), "i would like to check my order", "en")
    assert 100 * 2 ** (f.pitch_st / 12) == pytest.approx(200.0, rel=0.02)
    assert -30 < f.energy_db < -15
    assert f.rate == pytest.approx(8 / f.speech_s, rel=0.01)  # 8 syllables over the voiced time


def test_noise_and_silence_have_no_voice() -> None:
    noise = np.random.default_rng(0).normal(0, 0.1, RATE).astype(np.float32)
    assert measure(noise).energy_db is None
    assert measure(np.zeros(RATE, np.float32)).pitch_st is None
    assert ProsodyTracker().observe(np.zeros(10, np.float32)) == Prosody()


def test_louder_and_higher_than_baseline_moves_z_scores_up() -> None:
    tracker = ProsodyTracker()
    calm = "i want to check my order please"
    for seed, f0 in enumerate((150.0, 155.0)):
        assert tracker.observe(_voice(f0, 0.1, seed=seed), calm) == Prosody()  # building the baseline
    usual = tracker.observe(_voice(152.0, 0.1, seed=3), calm)
    assert abs(usual.energy) < 1 and abs(usual.pitch) < 1
    raised = tracker.observe(_voice(210.0, 0.35, seed=4), calm)
    assert raised.energy > 2 and raised.pitch > 2
    assert arousal(raised) > 0.5
    quiet = tracker.observe(_voice(120.0, 0.03, seed=5), calm)
    assert quiet.energy < -2 and quiet.pitch < -2 and arousal(quiet) == 0.0


def test_faster_speech_raises_rate() -> None:
    tracker = ProsodyTracker()
    for seed in range(2):
        tracker.observe(_voice(150.0, 0.1, seconds=2.0, seed=seed), "i want to check my order please")
    fast = tracker.observe(_voice(150.0, 0.1, seconds=2.0, seed=9),
                           "i want to check my order please and i want it now because it is very late already")
    assert fast.rate > 2


def test_recorded_caller_louder_and_higher() -> None:
    """A shipped caller sample as the baseline; the same voice 3x louder, then a fifth higher."""
    from speech.audio import read_audio

    samples = Path(__file__).resolve().parents[2] / "samples" / "speech"
    item = next(m for m in json.loads((samples / "manifest.json").read_text()) if m["file"].endswith(".ogg"))
    audio = read_audio(samples / item["file"]).pcm
    tracker = ProsodyTracker()
    for _ in range(2):
        tracker.observe(audio, item["text"], item["language"])
    same = tracker.observe(audio, item["text"], item["language"])
    assert max(abs(same.energy), abs(same.pitch), abs(same.rate)) < 0.5
    louder = tracker.observe(np.clip(audio * 3.0, -1, 1), item["text"], item["language"])
    assert louder.energy > 2 and abs(louder.pitch) < 1
    n = int(len(audio) / 1.5)  # played 1.5x faster: pitch up a fifth, speech 1.5x quicker
    higher = np.interp(np.linspace(0, len(audio) - 1, n), np.arange(len(audio)), audio).astype(np.float32)
    shifted = tracker.observe(higher, item["text"], item["language"])
    assert shifted.pitch > 2 and shifted.rate > 2


def _turns(tracker: SentimentTracker, scores: list[float]) -> None:
    for i, score in enumerate(scores):
        tracker.update(f"t{i}", Sentiment(score, "neutral"))


def test_persistent_frustration_offers_a_person() -> None:
    tracker = SentimentTracker()
    _turns(tracker, [0.0, -0.5])
    signals = tracker.signals()
    assert signals.empathy_needed and not signals.offer_human
    _turns(tracker, [-0.6])
    signals = tracker.signals()
    assert signals.offer_human and signals.trend == "worsening" and signals.label == "negative"
    assert [t.label for t in tracker.timeline] == ["neutral", "negative", "negative"]


def test_asking_for_a_person_offers_one_at_once() -> None:
    tracker = SentimentTracker()
    tracker.update("t0", Sentiment(0.0, "neutral"), asked_for_human=True)
    assert tracker.signals().offer_human


def test_mood_recovers() -> None:
    tracker = SentimentTracker()
    _turns(tracker, [-0.6, -0.5, 0.2, 0.6])
    signals = tracker.signals()
    assert signals.trend == "improving" and not signals.empathy_needed and not signals.offer_human


def test_raised_voice_makes_neutral_words_negative() -> None:
    tracker = SentimentTracker()
    turn = tracker.update("t0", Sentiment(0.0, "neutral"), Prosody(energy=3.0, pitch=3.0, rate=1.0))
    assert turn.fused < 0 and turn.label == "negative"
    assert tracker.update("t1", Sentiment(0.0, "neutral")).label == "neutral"


@pytest.mark.parametrize(("customer", "segment"), [
    (None, "regular"),
    (Customer(orders=0), "new"),
    (Customer(orders=5), "regular"),
    (Customer(tier="vip", orders=20), "vip"),
    (Customer(tier="vip", orders=20, complaints=2), "at_risk"),
    (Customer(orders=4, complaints=1, returns=2), "at_risk"),
])
def test_segments(customer: Customer | None, segment: str) -> None:
    assert segment_of(customer) == segment


def test_policy_by_segment() -> None:
    vip = SentimentTracker(Customer(tier="vip", orders=10))
    _turns(vip, [0.3])
    assert vip.signals().priority_handoff and not vip.signals().goodwill_allowed
    _turns(vip, [-0.7])
    assert vip.signals().goodwill_allowed
    at_risk = SentimentTracker(Customer(orders=3, complaints=3))
    _turns(at_risk, [0.3])
    assert at_risk.signals().priority_handoff and at_risk.signals().goodwill_allowed
    regular = SentimentTracker(Customer(orders=3))
    _turns(regular, [-0.8])
    assert not regular.signals().priority_handoff and not regular.signals().goodwill_allowed
