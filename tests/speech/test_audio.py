import numpy as np
import pytest
import soundfile as sf

from speech import g711
from speech.audio import AudioError, StreamResampler, float_to_pcm16, read_audio, resample


def tone(rate: int, seconds: float = 1.0, freq: float = 440.0) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return (0.5 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


@pytest.mark.parametrize(("fmt", "subtype", "suffix"), [("WAV", "PCM_16", "wav"), ("FLAC", "PCM_16", "flac"),
                                                        ("OGG", "VORBIS", "ogg"), ("MP3", "MPEG_LAYER_III", "mp3")])
def test_reads_common_formats_to_16k_mono(tmp_path, fmt, subtype, suffix):
    path = tmp_path / f"a.{suffix}"
    sf.write(path, tone(44100), 44100, format=fmt, subtype=subtype)
    audio = read_audio(path)
    assert audio.sample_rate == 16000
    assert audio.pcm.dtype == np.float32 and audio.pcm.ndim == 1
    assert abs(audio.duration_s - 1.0) < 0.1  # mp3 adds encoder padding
    assert 0.3 < np.abs(audio.pcm).max() < 0.7


def test_stereo_is_mixed_to_mono(tmp_path):
    left, right = tone(16000), np.zeros(16000, np.float32)
    sf.write(tmp_path / "s.wav", np.stack([left, right], axis=1), 16000)
    audio = read_audio(tmp_path / "s.wav")
    assert np.allclose(audio.pcm, left / 2, atol=1e-3)


def test_wrong_rates_are_resampled_not_rejected(tmp_path):
    for rate in (8000, 11025, 22050, 48000):
        sf.write(tmp_path / f"{rate}.wav", tone(rate), rate)
        audio = read_audio(tmp_path / f"{rate}.wav")
        assert audio.sample_rate == 16000 and abs(len(audio.pcm) - 16000) <= 2
        spectrum = np.abs(np.fft.rfft(audio.pcm))
        assert abs(np.argmax(spectrum) - 440) <= 1  # the tone keeps its pitch


def test_raw_pcm_and_g711_need_no_header(tmp_path):
    pcm16 = float_to_pcm16(tone(8000))
    (tmp_path / "a.raw").write_bytes(pcm16.tobytes())
    (tmp_path / "a.ul").write_bytes(g711.ulaw_encode(pcm16))
    (tmp_path / "a.al").write_bytes(g711.alaw_encode(pcm16))
    for name in ("a.raw", "a.ul", "a.al"):
        audio = read_audio(tmp_path / name, raw_rate=8000, sample_rate=None)
        assert audio.sample_rate == 8000 and len(audio.pcm) == 8000
        assert np.allclose(audio.pcm, tone(8000), atol=0.02)


def test_empty_file(tmp_path):
    (tmp_path / "e.wav").write_bytes(b"")
    with pytest.raises(AudioError, match="empty file"):
        read_audio(tmp_path / "e.wav")


def test_zero_length_wav(tmp_path):
    sf.write(tmp_path / "z.wav", np.zeros(0, np.float32), 16000)
    with pytest.raises(AudioError, match="no audio samples"):
        read_audio(tmp_path / "z.wav")


def test_truncated_wav_keeps_what_arrived(tmp_path):
    sf.write(tmp_path / "t.wav", tone(16000, 2.0), 16000, subtype="PCM_16")
    data = (tmp_path / "t.wav").read_bytes()
    (tmp_path / "cut.wav").write_bytes(data[: len(data) // 2])
    audio = read_audio(tmp_path / "cut.wav")
    assert 0.9 < audio.duration_s < 1.1  # half of the samples: decoded, not a crash


def test_header_only_and_garbage_give_a_clear_error(tmp_path):
    sf.write(tmp_path / "t.wav", tone(16000), 16000)
    (tmp_path / "h.wav").write_bytes((tmp_path / "t.wav").read_bytes()[:20])
    (tmp_path / "g.mp3").write_bytes(np.random.default_rng(0).bytes(4000))
    for name in ("h.wav", "g.mp3"):
        with pytest.raises(AudioError, match=name):
            read_audio(tmp_path / name)


def test_missing_file_directory_and_odd_raw(tmp_path):
    with pytest.raises(AudioError, match="no such file"):
        read_audio(tmp_path / "nope.wav")
    with pytest.raises(AudioError, match="directory"):
        read_audio(tmp_path)
    (tmp_path / "odd.raw").write_bytes(b"\x00\x01\x02")
    with pytest.raises(AudioError, match="odd number of bytes"):
        read_audio(tmp_path / "odd.raw")


def test_nan_samples_are_rejected(tmp_path):
    bad = tone(16000)
    bad[100] = np.nan
    sf.write(tmp_path / "n.wav", bad, 16000, subtype="FLOAT")
    with pytest.raises(AudioError, match="NaN"):
        read_audio(tmp_path / "n.wav")


def test_duration_limit(tmp_path):
    sf.write(tmp_path / "l.wav", tone(8000, 3.0), 8000)
    with pytest.raises(AudioError, match="longer than"):
        read_audio(tmp_path / "l.wav", max_duration_s=2)


def test_stream_resampler_matches_whole_file_resampling():
    x = tone(8000, 2.0)
    stream = StreamResampler(8000, 16000)
    pieces = [stream(x[i:i + 160]) for i in range(0, len(x), 160)] + [stream(np.zeros(0, np.float32), last=True)]
    streamed = np.concatenate(pieces)
    whole = resample(x, 8000, 16000)
    assert abs(len(streamed) - len(whole)) <= 2
    n = min(len(streamed), len(whole)) - 200
    assert np.allclose(streamed[200:n], whole[200:n], atol=1e-3)
