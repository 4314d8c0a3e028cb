"""Speech recognition: the `Transcriber` protocol and its two Whisper backends."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from speech.asr.base import Segment, Transcriber, Transcript

__all__ = ["AsrSettings", "Segment", "Transcriber", "Transcript", "make_transcriber"]

BACKENDS = ("faster-whisper", "openai-whisper")


@dataclass
class AsrSettings:
    """The recogniser's settings section (VOICEDESK_ASR__*)."""

    backend: Literal["faster-whisper", "openai-whisper"] = "faster-whisper"
    threads: int = 2  # CPU threads for Whisper
    beam_size: int = 5  # finals and files; partials decode greedily


def make_transcriber(backend: str = "faster-whisper", threads: int = 2, beam_size: int = 5) -> Transcriber:
    from speech.asr.whisper import DecodeOptions, WhisperTranscriber

    return WhisperTranscriber(make_engine(backend, threads, DecodeOptions(beam_size=beam_size)))


def make_engine(backend: str = "faster-whisper", threads: int = 2, options=None):
    """The Whisper engine for a backend name; both have the same `decode` and options."""
    if backend == "faster-whisper":
        from speech.asr.whisper import WhisperEngine

        return WhisperEngine(threads=threads, options=options)
    if backend == "openai-whisper":
        from speech.asr.openai_whisper import TorchWhisperEngine

        return TorchWhisperEngine(threads=threads, options=options)
    raise ValueError(f"unknown ASR backend {backend!r} (choose from {', '.join(BACKENDS)})")
