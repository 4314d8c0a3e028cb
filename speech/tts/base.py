"""Types shared by every speech-synthesis backend."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

import numpy as np


@dataclass(frozen=True)
class AudioChunk:
    """Synthesised speech: mono float32 in [-1, 1] at `sample_rate`, for one sentence."""

    pcm: np.ndarray
    sample_rate: int
    text: str


class Synthesizer(Protocol):
    sample_rate: int

    def stream(self, text: str, language: str) -> Iterator[AudioChunk]:
        """Yield audio sentence by sentence, so playback can start before the end."""
        ...
