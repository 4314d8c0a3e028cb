"""Smart Turn v3.2: an audio model that hears whether the caller has finished their turn.

Pipecat's end-of-turn classifier (BSD-2-Clause; a Whisper-tiny encoder with a small head,
int8 ONNX, 23 languages including Mandarin and English). It listens to intonation, rhythm
and filler sounds, so "一零零…" read in groups or "um… and also…" sounds unfinished even
when the words so far could stand alone. Set-up takes the ONNX file out of the pinned
`pipecat-ai` wheel (`speech/models.py`); the framework itself is never installed.

This is our own inference, following Pipecat's reference (`local_smart_turn_v3.py`): the last
8 s of 16 kHz audio (zeros in front when shorter), normalised to zero mean and unit variance,
as Whisper's 80 log-mel bands (faster-whisper's feature extractor: the same numbers as
transformers', no transformers at run time), one onnxruntime call, a probability out.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import onnxruntime
from faster_whisper.feature_extractor import FeatureExtractor

from speech import models

SAMPLE_RATE = 16_000
WINDOW_S = 8  # the model was trained on (at most) the last 8 s of a turn
_SAMPLES = WINDOW_S * SAMPLE_RATE


class SmartTurnModel:
    """One ONNX session, shared by every call (onnxruntime sessions are safe to run from many threads)."""

    def __init__(self, path: Path | None = None, threads: int = 1) -> None:
        opts = onnxruntime.SessionOptions()
        opts.intra_op_num_threads = threads  # a call is ~tens of ms: more threads only fight the ASR for cores
        opts.inter_op_num_threads = 1
        opts.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
        opts.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        opts.log_severity_level = 3
        self.session = onnxruntime.InferenceSession(str(path or models.path(models.SMART_TURN)), opts,
                                                    providers=["CPUExecutionProvider"])
        self._features = FeatureExtractor(feature_size=80, sampling_rate=SAMPLE_RATE, chunk_length=WINDOW_S)

    def features(self, pcm: np.ndarray) -> np.ndarray:
        """(80, 800) log-mel bands of the last 8 s, as the model was trained on them."""
        x = np.asarray(pcm, np.float32)
        if x.ndim != 1:
            raise ValueError(f"Smart Turn takes mono audio, got shape {x.shape}")
        x = x[-_SAMPLES:]
        x = np.pad(x, (_SAMPLES - len(x), 0))
        x = (x - x.mean()) / np.sqrt(x.var() + 1e-7)
        return self._features(x, padding=0).astype(np.float32)

    def probability(self, pcm: np.ndarray) -> float:
        """Probability that the turn is complete, from 16 kHz mono float audio (the turn so far, pause included)."""
        if len(pcm) == 0:
            raise ValueError("Smart Turn needs some audio")
        (out,) = self.session.run(None, {"input_features": self.features(pcm)[None]})
        return float(out.reshape(-1)[0])  # the graph ends in a sigmoid


_shared: SmartTurnModel | None = None
_shared_lock = threading.Lock()


def shared_model() -> SmartTurnModel:
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = SmartTurnModel()
    return _shared
