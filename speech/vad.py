"""Streaming voice activity: Silero VAD (the ONNX model of the `silero-vad` package) on 32 ms windows.

The model runs natively on 8 kHz (phone lines) and 16 kHz audio. `push` takes frames of
any length and returns speech-start / speech-end events in stream time (seconds of audio
fed). One ONNX session serves every call; each stream keeps its own recurrent state.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, NamedTuple

import numpy as np
import onnxruntime

from speech import models

WINDOW = {8000: 256, 16000: 512}  # 32 ms
CONTEXT = {8000: 32, 16000: 64}


@dataclass
class VadOptions:
    threshold: float = 0.5  # speech probability that starts speech
    neg_threshold: float = 0.35  # below this a window counts as silence
    min_speech_ms: int = 96  # speech shorter than this is a click, not a start
    min_silence_ms: int = 128  # silence that ends a stretch of speech


class VadEvent(NamedTuple):
    kind: Literal["speech_start", "speech_end"]
    t: float  # stream time of the first speech (or first silent) window


class SileroModel:
    def __init__(self, path: Path | None = None) -> None:
        opts = onnxruntime.SessionOptions()
        opts.intra_op_num_threads = 1
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 4
        self.session = onnxruntime.InferenceSession(str(path or models.path(models.SILERO_VAD)), opts,
                                                    providers=["CPUExecutionProvider"])

    def __call__(self, window: np.ndarray, state: np.ndarray, sample_rate: int) -> tuple[float, np.ndarray]:
        out, state = self.session.run(None, {"input": window[None], "state": state,
                                             "sr": np.array(sample_rate, np.int64)})
        return float(out[0, 0]), state


_shared: SileroModel | None = None
_shared_lock = threading.Lock()


def shared_model() -> SileroModel:
    global _shared
    with _shared_lock:
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
        self.sample_rate = sample_rate
        self.window = WINDOW[sample_rate]
        self._pending = np.zeros(0, np.float32)
        self._context = np.zeros(CONTEXT[sample_rate], np.float32)
        self._state = np.zeros((2, 1, 128), np.float32)
        self.windows_seen = 0
        self.speaking = False
        self._run = 0  # consecutive windows disagreeing with the current state
        self._run_start = 0

    @property
    def time(self) -> float:
        return self.windows_seen * self.window / self.sample_rate

    def push(self, pcm: np.ndarray) -> list[VadEvent]:
        self._pending = np.concatenate([self._pending, np.asarray(pcm, np.float32)])
        n = len(self._pending) // self.window
        if n == 0:
            return []
        chunk, self._pending = self._pending[: n * self.window], self._pending[n * self.window:]
        return [e for p in self._probabilities(chunk) if (e := self._step(p))]

    def _probabilities(self, chunk: np.ndarray) -> list[float]:
        probs = []
        for window in chunk.reshape(-1, self.window):
            p, self._state = self.model(np.concatenate([self._context, window]), self._state, self.sample_rate)
            self._context = window[-len(self._context):]
            probs.append(p)
        return probs

    def _step(self, p: float) -> VadEvent | None:
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
        if self._run * self.window * 1000 / self.sample_rate < needed_ms:
            return None
        self._run = 0
        self.speaking = not self.speaking
        t = self._run_start * self.window / self.sample_rate
        return VadEvent("speech_start" if self.speaking else "speech_end", t)


def speech_probabilities(pcm: np.ndarray, sample_rate: int = 16_000, model: SileroModel | None = None) -> np.ndarray:
    """The speech probability of every 32 ms window of a whole recording (the last partial window dropped)."""
    vad = StreamingVad(sample_rate, model=model)
    n = len(pcm) // vad.window * vad.window
    return np.asarray(vad._probabilities(np.asarray(pcm[:n], np.float32)), np.float32)


def speech_regions(pcm: np.ndarray, sample_rate: int = 16_000, options: VadOptions | None = None,
                   pad_s: float = 0.2, probabilities: np.ndarray | None = None) -> list[tuple[float, float]]:
    """Speech stretches of a whole recording, in seconds, padded and merged where they touch.

    `probabilities` (from `speech_probabilities`) saves running the model again."""
    vad = StreamingVad(sample_rate, options)
    probs = speech_probabilities(pcm, sample_rate) if probabilities is None else probabilities
    tail = int(0.5 * sample_rate / vad.window) + 1  # half a second of silence closes an open stretch
    events = [e for p in list(probs) + [0.0] * tail if (e := vad._step(float(p)))]
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
