"""English speech: Piper with the en_US "joe" medium voice shipped in a registry package."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import onnxruntime
from piper import PiperVoice
from piper.config import PiperConfig, SynthesisConfig

from speech import models
from speech.tts.base import AudioChunk
from speech.tts.text import normalize_for_speech, speech_pieces


class EnglishSynthesizer:
    def __init__(self, model_path: Path | None = None, threads: int = 2, length_scale: float | None = None):
        import json

        path = model_path or models.path(models.PIPER_EN)
        opts = onnxruntime.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        config = PiperConfig.from_dict(json.loads(Path(f"{path}.json").read_text()))
        self.voice = PiperVoice(config=config, session=onnxruntime.InferenceSession(
            str(path), sess_options=opts, providers=["CPUExecutionProvider"]))
        self.sample_rate = config.sample_rate
        # The voice's own noise_w (0.8) draws every sound's duration at random, so one sentence came out up to
        # 0.3 s longer or shorter from one run to the next, and a replayed call shifted the caller's turns
        # against the voice detector's windows: the same recording was heard differently. Zero takes the
        # predicted durations as they are; noise_scale (the voice's texture, not its timing) stays.
        self.syn_config = SynthesisConfig(length_scale=length_scale, noise_w_scale=0.0)
        self._lock = threading.Lock()

    def stream(self, text: str, language: str = "en") -> Iterator[AudioChunk]:
        for piece in speech_pieces(text, "en"):
            spoken = normalize_for_speech(piece, "en")
            with self._lock:
                parts = [c.audio_float_array for c in self.voice.synthesize(spoken, self.syn_config)]
            if parts:
                yield AudioChunk(np.concatenate(parts).astype(np.float32), self.sample_rate, piece)
