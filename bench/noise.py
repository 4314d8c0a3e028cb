"""The telephone channel with noise on it, for the noise figures of `make bench`.

A caller's audio goes through the phone channel as a line delivers it: band-passed to 300-3400 Hz,
8 kHz, G.711 mu-law. Noise is added before the channel, scaled against the power of the voiced
20 ms frames (the pauses would flatter the SNR). Pink noise is a street or a room; babble is other
people talking: six other recordings summed, so no single voice can be followed.
"""

from __future__ import annotations

import numpy as np
from scipy.signal import butter, sosfilt

from speech import g711
from speech.audio import float_to_pcm16, pcm16_to_float, resample

PHONE_RATE = 8000


def pink(n: int, rng: np.random.Generator) -> np.ndarray:
    spectrum = np.fft.rfft(rng.standard_normal(n))
    spectrum[1:] /= np.sqrt(np.arange(1, len(spectrum)))
    spectrum[0] = 0
    noise = np.fft.irfft(spectrum, n)
    return (noise / np.sqrt(np.mean(noise**2))).astype(np.float32)


def babble(n: int, voices: list[np.ndarray], rng: np.random.Generator) -> np.ndarray:
    """Six talkers at once, each looped to length from a random offset, at equal power."""
    out = np.zeros(n, np.float32)
    for pcm in (voices[i] for i in rng.choice(len(voices), size=min(6, len(voices)), replace=False)):
        pcm = pcm / (np.sqrt(np.mean(pcm**2)) + 1e-9)
        out += np.roll(np.resize(pcm, n), int(rng.integers(len(pcm))))
    return (out / (np.sqrt(np.mean(out**2)) + 1e-9)).astype(np.float32)


def voiced_power(pcm: np.ndarray, rate: int) -> float:
    frame = rate // 50
    frames = pcm[: len(pcm) // frame * frame].reshape(-1, frame)
    power = np.mean(frames**2, axis=1)
    return float(np.mean(power[power > power.max() * 1e-3])) if power.size else 0.0


def add_noise(pcm: np.ndarray, rate: int, noise: np.ndarray, snr_db: float) -> np.ndarray:
    mixed = pcm + noise[: len(pcm)] * np.sqrt(voiced_power(pcm, rate) / 10 ** (snr_db / 10))
    return (mixed / max(1.0, float(np.abs(mixed).max()) / 0.95)).astype(np.float32)


def phone_channel(pcm: np.ndarray, rate: int) -> np.ndarray:
    """300-3400 Hz, 8 kHz, through G.711 mu-law and back: what a phone line hands the recogniser."""
    narrow = resample(pcm, rate, PHONE_RATE)
    narrow = sosfilt(butter(4, [300, 3400], btype="bandpass", fs=PHONE_RATE, output="sos"), narrow)
    return pcm16_to_float(g711.ulaw_decode(g711.ulaw_encode(float_to_pcm16(narrow.astype(np.float32)))))


def on_the_line(pcm: np.ndarray, rate: int, kind: str, snr_db: float | None, seed: int,
                voices: list[np.ndarray] | None = None) -> np.ndarray:
    """`kind` "clean", "pink" or "babble" (then `voices` at `rate`); the result is 8 kHz."""
    if kind != "clean" and snr_db is not None:
        rng = np.random.default_rng(seed)
        noise = pink(len(pcm), rng) if kind == "pink" else babble(len(pcm), voices or [], rng)
        pcm = add_noise(pcm, rate, noise, snr_db)
    return phone_channel(pcm, rate)
