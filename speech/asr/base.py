"""Types shared by every speech-recognition backend."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

SAMPLE_RATE = 16_000


@dataclass(frozen=True)
class Segment:
    """A stretch of recognised speech, times in seconds from the start of the audio."""

    start: float
    end: float
    text: str
    avg_logprob: float = 0.0
    no_speech_prob: float = 0.0
    compression_ratio: float = 1.0


@dataclass(frozen=True)
class Transcript:
    text: str
    language: str
    duration_s: float
    segments: list[Segment] = field(default_factory=list)


class Transcriber(Protocol):
    """Turns 16 kHz mono float32 PCM into text.

    `language` is "zh", "en" or None (detect). Implementations return Simplified Chinese
    and drop text that Whisper invents on silence or noise.
    """

    def transcribe(self, pcm: np.ndarray, language: str | None = None) -> Transcript: ...
