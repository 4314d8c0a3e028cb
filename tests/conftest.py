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


@pytest.fixture(scope="session")
def call_settings(tmp_path_factory: pytest.TempPathFactory):
    """The settings tree the test server runs with: its own records, shop copy, tokens and recordings."""
    import shutil

    from dialog.knowledge import cache_path_for
    from dialog.shop.db import Shop
    from voicedesk.settings import Settings

    folder = tmp_path_factory.mktemp("calls")
    source = Shop()  # data/shop.db, seeded by `make setup`
    shutil.copy(Path(source.engine.url.database), folder / "shop.db")
    if cache_path_for(source).exists():
        shutil.copy(cache_path_for(source), cache_path_for(Shop(f"sqlite:///{folder / 'shop.db'}")))
    settings = Settings()
    settings.llm.backend = "local"
    settings.shop.db_url = f"sqlite:///{folder / 'shop.db'}"
    settings.calls.records_url, settings.calls.max_calls = f"sqlite:///{folder / 'calls.db'}", 3
    settings.server.api_token, settings.server.operator_token = "test-token", "operator-test-token"
    settings.server.twilio_auth_token = "twilio-test-token"
    settings.session.recordings_dir = str(folder / "rec")
    return settings


@pytest.fixture(scope="session")
def call_services(call_settings):
    """Every model a call needs (Whisper, both voices, NLU, the fine-tuned reply LLM) on a copy of the shop."""
    from voicedesk.build import build_services

    return build_services(call_settings)


@pytest.fixture(scope="session")
def live_server(call_settings, call_services):
    """The real server (uvicorn) on a free port, in a thread; yields its base URL (http://127.0.0.1:PORT)."""
    import asyncio
    import socket
    import threading
    import time

    import uvicorn

    from voicedesk.build import build_app

    def free_port(kind: int) -> int:
        with socket.socket(socket.AF_INET, kind) as s:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]

    settings = call_settings.model_copy(deep=True)
    settings.server.audiosocket_port = free_port(socket.SOCK_STREAM)
    settings.sip.port = free_port(socket.SOCK_DGRAM)
    app = build_app(settings, call_services)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", ws_max_size=1 << 20))
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    app.state.base_url = f"http://127.0.0.1:{port}"
    yield app
    server.should_exit = True
    thread.join(timeout=10)
