"""The telephone channel with noise on it, for the noise figures of `make bench`.

A caller's audio goes through the phone channel as a line delivers it: band-passed to 300-3400 Hz,
8 kHz, G.711 mu-law. Noise is added before the channel, scaled against the power of the voiced
20 ms frames (the pauses would flatter the SNR). Pink noise is a street or a room; babble is other
people talking: six other recordings summed, so no single voice can be followed.
"""

from __future__ import annotations

import numpy as np

from samples.channel import mix_at_snr, phone_band, pink_noise  # the sample calls' own channel
from speech import g711
from speech.audio import float_to_pcm16, pcm16_to_float, resample

PHONE_RATE = 8000


def babble(n: int, voices: list[np.ndarray], rng: np.random.Generator) -> np.ndarray:
    """Six talkers at once, each looped to length from a random offset, at equal power."""
    out = np.zeros(n, np.float32)
    for pcm in (voices[i] for i in rng.choice(len(voices), size=min(6, len(voices)), replace=False)):
        pcm = pcm / (np.sqrt(np.mean(pcm**2)) + 1e-9)
        out += np.roll(np.resize(pcm, n), int(rng.integers(len(pcm))))
    return (out / (np.sqrt(np.mean(out**2)) + 1e-9)).astype(np.float32)


def phone_channel(pcm: np.ndarray, rate: int) -> np.ndarray:
    """300-3400 Hz, 8 kHz, through G.711 mu-law and back: what a phone line hands the recogniser."""
    narrow = resample(pcm, rate, PHONE_RATE)
    narrow = phone_band(narrow, PHONE_RATE)
    return pcm16_to_float(g711.ulaw_decode(g711.ulaw_encode(float_to_pcm16(narrow.astype(np.float32)))))


def on_the_line(pcm: np.ndarray, rate: int, kind: str, snr_db: float | None, seed: int,
                voices: list[np.ndarray] | None = None) -> np.ndarray:
    """`kind` "clean", "pink" or "babble" (then `voices` at `rate`); the result is 8 kHz."""
    if kind != "clean" and snr_db is not None:
        rng = np.random.default_rng(seed)
        noise = pink_noise(len(pcm), rng) if kind == "pink" else babble(len(pcm), voices or [], rng)
        pcm = mix_at_snr(pcm, rate, noise, snr_db)
    return phone_channel(pcm, rate)
