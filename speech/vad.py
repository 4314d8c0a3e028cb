"""Streaming voice activity: Silero VAD (the ONNX model faster-whisper ships) over 32 ms windows.

Frames of any length arrive at 8 or 16 kHz; 8 kHz is upsampled to the model's 16 kHz.
`push` returns speech-start / speech-end events in stream time (seconds of audio fed).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal, NamedTuple

import numpy as np
import onnxruntime

from speech.audio import StreamResampler

MODEL_RATE = 16_000
WINDOW = 512  # samples at 16 kHz: 32 ms
CONTEXT = 64


@dataclass
class VadOptions:
    threshold: float = 0.5  # speech probability that starts speech
    neg_threshold: float = 0.35  # below this a window counts as silence
    min_speech_ms: int = 96  # speech shorter than this is a click, not a start
    min_silence_ms: int = 128  # silence that ends a stretch of speech


class VadEvent(NamedTuple):
    kind: Literal["speech_start", "speech_end"]
    t: float  # stream time of the first speech (or first silent) window


def _model_path() -> Path:
    import faster_whisper

    return Path(faster_whisper.__file__).parent / "assets" / "silero_vad_v6.onnx"


class SileroModel:
    """One ONNX session, shared by every stream (its recurrent state lives in each stream)."""

    def __init__(self, path: Path | None = None) -> None:
        opts = onnxruntime.SessionOptions()
        opts.intra_op_num_threads = 1
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 4
        self.session = onnxruntime.InferenceSession(str(path or _model_path()), opts,
                                                    providers=["CPUExecutionProvider"])

    def __call__(self, windows: np.ndarray, h: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, ...]:
        return tuple(self.session.run(None, {"input": windows, "h": h, "c": c}))


_shared: SileroModel | None = None


def shared_model() -> SileroModel:
    global _shared
    if _shared is None:
        _shared = SileroModel()
    return _shared


class StreamingVad:
    """Per-stream VAD state: feed audio as it comes, get events as they happen."""

    def __init__(self, sample_rate: int = 16_000, options: VadOptions | None = None,
                 model: SileroModel | None = None) -> None:
        if sample_rate not in (8000, 16000):
            raise ValueError(f"VAD runs on 8 or 16 kHz audio, not {sample_rate} Hz")
        self.options = options or VadOptions()
        self.model = model or shared_model()
        self._resample = StreamResampler(sample_rate, MODEL_RATE)
        self._pending = np.zeros(0, np.float32)
        self._context = np.zeros(CONTEXT, np.float32)
        self._h = np.zeros((1, 1, 128), np.float32)
        self._c = np.zeros((1, 1, 128), np.float32)
        self.windows_seen = 0
        self.speaking = False
        self._run = 0  # consecutive windows disagreeing with the current state
        self._run_start = 0
        self.last_probability = 0.0

    @property
    def time(self) -> float:
        return self.windows_seen * WINDOW / MODEL_RATE

    def push(self, pcm: np.ndarray) -> list[VadEvent]:
        self._pending = np.concatenate([self._pending, self._resample(pcm)])
        n = len(self._pending) // WINDOW
        if n == 0:
            return []
        chunk, self._pending = self._pending[: n * WINDOW], self._pending[n * WINDOW:]
        return [e for p in self._probabilities(chunk) if (e := self._step(p))]

    def _probabilities(self, chunk: np.ndarray) -> np.ndarray:
        windows = chunk.reshape(-1, WINDOW)
        contexts = np.vstack([self._context, windows[:-1, -CONTEXT:]]) if len(windows) > 1 else self._context[None]
        self._context = windows[-1, -CONTEXT:].copy()
        batch = np.concatenate([contexts, windows], axis=1).astype(np.float32)
        # The model walks the batch rows in order, carrying its recurrent state (h, c) across them.
        out, self._h, self._c = self.model(batch, self._h, self._c)
        return np.asarray(out, dtype=np.float32).reshape(-1)

    def _step(self, p: float) -> VadEvent | None:
        self.last_probability = p
        index = self.windows_seen
        self.windows_seen += 1
        o = self.options
        disagrees = (p < o.neg_threshold) if self.speaking else (p >= o.threshold)
        if not disagrees:
            self._run = 0
            return None
        if self._run == 0:
            self._run_start = index
        self._run += 1
        needed_ms = o.min_silence_ms if self.speaking else o.min_speech_ms
        if self._run * WINDOW * 1000 / MODEL_RATE < needed_ms:
            return None
        self._run = 0
        self.speaking = not self.speaking
        t = self._run_start * WINDOW / MODEL_RATE
        return VadEvent("speech_start" if self.speaking else "speech_end", t)


def speech_regions(pcm: np.ndarray, sample_rate: int = 16_000, options: VadOptions | None = None,
                   pad_s: float = 0.2) -> list[tuple[float, float]]:
    """Speech stretches of a whole recording, in seconds, padded and merged where they touch."""
    vad = StreamingVad(sample_rate, options)
    events = vad.push(pcm) + vad.push(np.zeros(int(sample_rate * 0.5), np.float32))
    duration = len(pcm) / sample_rate
    regions: list[tuple[float, float]] = []
    start = None
    for e in events:
        if e.kind == "speech_start":
            start = e.t
        elif start is not None:
            regions.append((max(0.0, start - pad_s), min(duration, e.t + pad_s)))
            start = None
    if start is not None:
        regions.append((max(0.0, start - pad_s), duration))
    merged: list[tuple[float, float]] = []
    for s, e in regions:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged
