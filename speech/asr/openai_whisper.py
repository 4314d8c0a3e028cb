"""Speech recognition with the reference openai-whisper (PyTorch) implementation.

It runs the same Whisper base weights as the CTranslate2 backend, converted offline by
``speech.asr.whisper_convert`` (``make setup``), with greedy decoding.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
import whisper

from speech import models
from speech.asr.base import SAMPLE_RATE, Segment, Transcript
from speech.asr.filters import clean_transcript


class OpenAIWhisperTranscriber:
    """`Transcriber` backed by ``whisper.transcribe`` on CPU.

    Decoding is greedy (temperature 0, no fallback, no beam search), fp32, and each 30 s
    window is decoded without the previous one's text as prompt, which keeps one
    hallucination from seeding the next.
    """

    def __init__(self, checkpoint: Path | str | None = None, threads: int = 2) -> None:
        path = Path(checkpoint) if checkpoint is not None else models.path(models.OPENAI_WHISPER_BASE)
        torch.set_num_threads(threads)
        self.model = whisper.load_model(str(path), device="cpu")
        self.model.eval()

    def transcribe(self, pcm: np.ndarray, language: str | None = None) -> Transcript:
        audio = np.asarray(pcm, dtype=np.float32)
        if audio.ndim != 1:
            raise ValueError(f"expected mono PCM as a 1-D array, got shape {audio.shape}")
        duration = audio.shape[0] / SAMPLE_RATE
        if audio.size == 0:
            return clean_transcript(Transcript(text="", language=language or "", duration_s=0.0))

        with torch.inference_mode():
            result = whisper.transcribe(
                self.model,
                audio,
                language=language,
                task="transcribe",
                temperature=0.0,
                condition_on_previous_text=False,
                fp16=False,
                verbose=None,
            )
        segments = [
            Segment(
                start=float(s["start"]),
                end=float(s["end"]),
                text=s["text"].strip(),
                avg_logprob=float(s["avg_logprob"]),
                no_speech_prob=float(s["no_speech_prob"]),
                compression_ratio=float(s["compression_ratio"]),
            )
            for s in result["segments"]
        ]
        transcript = Transcript(
            text=result["text"].strip(),
            language=result["language"],
            duration_s=duration,
            segments=segments,
        )
        return clean_transcript(transcript)
