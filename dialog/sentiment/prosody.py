"""How the caller sounded: loudness, pitch and speaking rate of a turn, against their own baseline.

Voices differ far more between people than between one person's calm and angry turns, so raw
values mean little: the first turns of a call build the caller's baseline and later turns are
z-scores against it (`Prosody`, 0 = as usual). Pure numpy on 16 kHz float32 audio.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np

from dialog.types import Language, Prosody

RATE = 16000
FRAME = 400  # 25 ms
HOP = 160  # 10 ms
F0_MIN, F0_MAX = 70.0, 400.0
_FFT = 1024


@dataclass(frozen=True)
class VoiceFeatures:
    """Absolute measures of one turn; None where the turn had no voiced speech."""

    energy_db: float | None  # mean RMS of voiced frames, dBFS
    pitch_st: float | None  # median F0 of voiced frames, semitones above 100 Hz
    rate: float | None  # syllables (Mandarin: characters) per second of speech
    speech_s: float


def _frames(audio: np.ndarray) -> np.ndarray:
    if len(audio) < FRAME:
        return np.zeros((0, FRAME), dtype=np.float32)
    n = 1 + (len(audio) - FRAME) // HOP
    idx = np.arange(FRAME)[None, :] + HOP * np.arange(n)[:, None]
    return audio[idx]


def _pitch_per_frame(frames: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(F0 in Hz, periodicity 0..1) per frame from the unbiased, normalised autocorrelation.

    Every multiple of the period peaks as high as the period itself, so the shortest lag whose peak
    comes within 10% of the highest is taken (the "first peak" rule): no octave-down errors.
    """
    x = frames - frames.mean(axis=1, keepdims=True)
    spec = np.fft.rfft(x, _FFT, axis=1)
    acf = np.fft.irfft(np.abs(spec) ** 2, _FFT, axis=1)[:, :FRAME]
    acf = acf / (FRAME - np.arange(FRAME))[None, :] * FRAME  # unbiased: each lag averaged over its overlap
    acf = acf / np.maximum(acf[:, :1], 1e-12)
    lo, hi = int(RATE / F0_MAX), int(RATE / F0_MIN)
    seg = acf[:, lo - 1:hi + 2]
    f0 = np.zeros(len(seg))
    strength = np.zeros(len(seg))
    peaks = (seg[:, 1:-1] > seg[:, :-2]) & (seg[:, 1:-1] >= seg[:, 2:])
    for i in range(len(seg)):
        lags = np.nonzero(peaks[i])[0] + 1
        if len(lags) == 0:
            continue
        values = seg[i, lags]
        k = lags[np.argmax(values >= 0.9 * values.max())]
        a, b, c = seg[i, k - 1], seg[i, k], seg[i, k + 1]
        denom = a - 2 * b + c
        shift = 0.5 * (a - c) / denom if abs(denom) > 1e-9 else 0.0
        f0[i] = RATE / (k + lo - 1 + shift)
        strength[i] = b
    return f0, np.clip(strength, 0.0, 1.0)


def syllables(transcript: str, language: Language) -> int:
    """Han characters for Mandarin; vowel groups per word for English (good enough for a rate)."""
    if language == "zh":
        return len(re.findall(r"[\u4e00-\u9fff]", transcript)) + len(re.findall(r"[A-Za-z]+", transcript))
    count = 0
    for word in re.findall(r"[a-z]+", transcript.lower()):
        groups = len(re.findall(r"[aeiouy]+", word))
        if word.endswith("e") and groups > 1 and not word.endswith(("le", "ee")):
            groups -= 1
        count += max(1, groups)
    return count + len(re.findall(r"\d", transcript))


def measure(audio: np.ndarray, transcript: str = "", language: Language = "en") -> VoiceFeatures:
    """Energy, pitch and rate of one turn of 16 kHz mono float audio."""
    frames = _frames(np.asarray(audio, dtype=np.float32).ravel())
    if len(frames) == 0:
        return VoiceFeatures(None, None, None, 0.0)
    db = 20 * np.log10(np.sqrt(np.mean(frames.astype(np.float64) ** 2, axis=1)) + 1e-10)
    active = (db > db.max() - 35.0) & (db > -55.0)
    f0, periodicity = _pitch_per_frame(frames)
    voiced = active & (periodicity > 0.5)
    speech_s = float(active.sum() * HOP / RATE)
    if not voiced.any():
        return VoiceFeatures(None, None, None, speech_s)
    n_syllables = syllables(transcript, language) if transcript else 0
    return VoiceFeatures(
        energy_db=float(db[voiced].mean()),
        pitch_st=float(12 * math.log2(np.median(f0[voiced]) / 100.0)),
        rate=n_syllables / speech_s if n_syllables and speech_s > 0.3 else None,
        speech_s=speech_s,
    )


@dataclass
class _Running:
    """Mean and spread of one measure over the caller's calm turns (Welford)."""

    floor: float  # the smallest spread trusted: two calm turns rarely differ by more than this
    n: int = 0
    mean: float = 0.0
    m2: float = 0.0

    def add(self, x: float) -> None:
        self.n += 1
        delta = x - self.mean
        self.mean += delta / self.n
        self.m2 += delta * (x - self.mean)

    def z(self, x: float | None) -> float:
        if x is None or self.n == 0:
            return 0.0
        std = math.sqrt(self.m2 / self.n) if self.n > 1 else 0.0
        return round((x - self.mean) / max(std, self.floor), 2)


@dataclass
class ProsodyTracker:
    """One caller's baseline. The first `warmup_turns` voiced turns build it (and score 0); afterwards
    only turns close to it (|z| < 2 on every measure) extend it, so an angry stretch does not become the
    new normal."""

    warmup_turns: int = 2
    energy: _Running = field(default_factory=lambda: _Running(floor=3.0))  # dB
    pitch: _Running = field(default_factory=lambda: _Running(floor=1.5))  # semitones
    rate: _Running = field(default_factory=lambda: _Running(floor=0.6))  # syllables/s
    turns: int = 0

    def observe(self, audio: np.ndarray, transcript: str = "", language: Language = "en") -> Prosody:
        return self.observe_features(measure(audio, transcript, language))

    def observe_features(self, f: VoiceFeatures) -> Prosody:
        if f.energy_db is None:
            return Prosody()
        warm = self.turns >= self.warmup_turns
        prosody = Prosody(self.energy.z(f.energy_db), self.pitch.z(f.pitch_st), self.rate.z(f.rate)) if warm \
            else Prosody()
        if not warm or max(abs(prosody.energy), abs(prosody.pitch), abs(prosody.rate)) < 2.0:
            self.turns += 1
            self.energy.add(f.energy_db)
            if f.pitch_st is not None:
                self.pitch.add(f.pitch_st)
            if f.rate is not None:
                self.rate.add(f.rate)
        return prosody


def arousal(p: Prosody) -> float:
    """How worked up the caller sounds, 0..1: louder, higher and faster than usual (never below usual)."""
    raised = (max(p.energy, 0.0) + max(p.pitch, 0.0) + 0.5 * max(p.rate, 0.0)) / 2.5
    return round(min(1.0, raised / 2.0), 3)
