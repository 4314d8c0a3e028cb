import numpy as np
import pytest

from speech.vad import StreamingVad, speech_regions
from tests.conftest import manifest, sample_pcm, silence

pytestmark = pytest.mark.models  # Silero VAD


def events_of(pcm: np.ndarray, rate: int, frame: int):
    vad = StreamingVad(rate)
    return [e for i in range(0, len(pcm), frame) for e in vad.push(pcm[i:i + frame])]


@pytest.mark.parametrize("rate", [8000, 16000])
def test_finds_the_utterance_between_silences(rate):
    item = manifest("en")[1]
    speech = sample_pcm(item, rate)
    pcm = np.concatenate([silence(1.5, rate), speech, silence(1.5, rate)])
    events = events_of(pcm, rate, rate // 50)
    assert events[0].kind == "speech_start" and 1.4 < events[0].t < 1.9
    assert events[-1].kind == "speech_end"
    assert abs(events[-1].t - (1.5 + len(speech) / rate)) < 0.5


def test_8k_and_16k_agree_and_frame_size_does_not_matter():
    item = manifest("zh")[0]
    at16 = events_of(sample_pcm(item, 16000), 16000, 320)
    at8 = events_of(sample_pcm(item, 8000), 8000, 160)
    odd = events_of(sample_pcm(item, 16000), 16000, 123)
    assert [e.kind for e in at16] == [e.kind for e in odd]
    assert all(abs(a.t - b.t) < 0.001 for a, b in zip(at16, odd, strict=True))
    assert abs(at16[0].t - at8[0].t) < 0.1 and abs(at16[-1].t - at8[-1].t) < 0.15


def test_silence_and_noise_are_not_speech():
    rng = np.random.default_rng(1)
    assert events_of(silence(3), 16000, 320) == []
    noise = (rng.standard_normal(48000) * 0.05).astype(np.float32)
    assert speech_regions(noise) == []


def test_rejects_rates_it_cannot_handle():
    with pytest.raises(ValueError, match="8 or 16 kHz"):
        StreamingVad(44100)
