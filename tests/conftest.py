"""Shared fixtures: the real embedded models, loaded once per test session, and the shipped samples."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from speech.audio import read_audio

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples" / "speech"


@pytest.fixture(scope="session")
def engine():
    from speech.asr.whisper import WhisperEngine

    return WhisperEngine()


@pytest.fixture(scope="session")
def transcriber(engine):
    from speech.asr.whisper import WhisperTranscriber

    return WhisperTranscriber(engine)


@pytest.fixture(scope="session")
def voice():
    from speech.tts import BilingualVoice

    return BilingualVoice()


def manifest(language: str | None = None) -> list[dict]:
    items = json.loads((SAMPLES / "manifest.json").read_text())
    return [m for m in items if language in (None, m["language"])]


def sample_pcm(item: dict, sample_rate: int = 16000) -> np.ndarray:
    return read_audio(SAMPLES / item["file"], sample_rate=sample_rate).pcm


def silence(seconds: float, rate: int = 16000) -> np.ndarray:
    return np.zeros(int(seconds * rate), np.float32)
