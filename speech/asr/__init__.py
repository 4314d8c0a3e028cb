"""Speech recognition: the `Transcriber` protocol and its two Whisper backends."""

from __future__ import annotations

from speech.asr.base import Segment, Transcriber, Transcript

__all__ = ["Segment", "Transcriber", "Transcript", "make_transcriber"]

BACKENDS = ("faster-whisper", "openai-whisper")


def make_transcriber(backend: str = "faster-whisper", threads: int = 2, beam_size: int = 1) -> Transcriber:
    if backend == "faster-whisper":
        from speech.asr.whisper import DecodeOptions, FasterWhisperTranscriber, WhisperEngine

        return FasterWhisperTranscriber(WhisperEngine(threads=threads, options=DecodeOptions(beam_size=beam_size)))
    if backend == "openai-whisper":
        from speech.asr.openai_whisper import OpenAIWhisperTranscriber

        return OpenAIWhisperTranscriber(threads=threads)
    raise ValueError(f"unknown ASR backend {backend!r} (choose from {', '.join(BACKENDS)})")
