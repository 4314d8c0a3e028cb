"""An optional stereo recording of a call: caller left, assistant right, written as the call goes."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from speech.audio import float_to_pcm16


class Recording:
    """The assistant's audio is scheduled ahead of the caller's clock; it is placed where it will play."""

    def __init__(self, path: Path, rate: int) -> None:
        import soundfile as sf

        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.file = sf.SoundFile(path, "w", samplerate=rate, channels=2, subtype="PCM_16")
        self.written = 0
        self.out = np.zeros(0, np.int16)  # assistant audio not yet written (it is scheduled ahead)
        self.out_start = 0

    def caller(self, pcm: np.ndarray) -> None:
        n = len(pcm)
        right = np.zeros(n, np.int16)
        take = self.out[:n]
        right[:len(take)] = take
        self.out = self.out[n:]
        self.out_start += n
        self.file.write(np.stack([float_to_pcm16(pcm), right], axis=1))
        self.written += n

    def assistant(self, frame: np.ndarray, at: int) -> None:
        offset = max(0, at - self.out_start)
        if len(self.out) < offset + len(frame):
            self.out = np.concatenate([self.out, np.zeros(offset + len(frame) - len(self.out), np.int16)])
        self.out[offset:offset + len(frame)] = frame

    def close(self) -> None:
        self.file.close()
