"""The composition root: everything a call needs, built from the one settings tree.

The CLI, the server, the replay and the benches all build through here, so a newcomer who wants to change
how a call is put together reads this file. Each layer gets its own section of the settings, never the
whole tree and never the environment.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import numpy as np
from fastapi import FastAPI

from dialog.agent import ShopAgent
from dialog.generate import LlamaCppBackend, OpenAICompatibleBackend, ReplyWriter
from dialog.generate.backends import DEFAULT_ADAPTER, ChatBackend, LlmSettings
from dialog.generate.prompt import SYSTEM_PROMPT
from dialog.nlu.understander import Understander
from dialog.shop.db import Shop
from speech import smart_turn
from speech.asr import make_engine
from speech.asr.whisper import DecodeOptions
from speech.tts import BilingualVoice
from telephony.app import create_app
from voice.records import CallRecords
from voice.services import ServiceError, Services, tame_malloc
from voicedesk.settings import Settings, SettingsError

log = logging.getLogger("voicedesk.build")


def reply_backend(llm: LlmSettings) -> ChatBackend | None:
    """The reply model the settings ask for: the local GGUF, an OpenAI-compatible server, or none (templates)."""
    if llm.backend.startswith(("http://", "https://")):
        return OpenAICompatibleBackend(llm.backend, model=llm.server_model)
    if llm.backend == "none":
        return None
    if llm.backend != "local":
        raise SettingsError(f"llm backend must be local, none or an http(s) URL, not {llm.backend!r}")
    if llm.adapter == "none":
        adapter = None
    elif llm.adapter == "default":  # the shipped LoRA, when it is there
        adapter = DEFAULT_ADAPTER if DEFAULT_ADAPTER.exists() else None
    else:
        adapter = Path(llm.adapter)
    return LlamaCppBackend(model_path=llm.gguf or None, adapter_path=adapter, n_threads=llm.threads)


def build_agent(settings: Settings, shop_url: str | None = None) -> ShopAgent:
    """The dialogue agent on the shop database, with the reply backend the settings ask for."""
    shop = Shop(shop_url or settings.shop.db_url, settings=settings.shop)
    return ShopAgent(shop, Understander(), ReplyWriter(reply_backend(settings.llm), settings.writer))


def build_services(settings: Settings, *, warm: bool = True, shop_url: str | None = None) -> Services:
    """Every model a call uses, loaded once; a failure is one ServiceError line."""
    tame_malloc()
    started = time.monotonic()
    try:
        engine = make_engine(settings.asr.backend, settings.asr.threads,
                             DecodeOptions(beam_size=settings.asr.beam_size))
        voice = BilingualVoice(settings.tts)
        agent = build_agent(settings, shop_url)
        records = CallRecords(settings.calls.records_url)
        turn_model = smart_turn.shared_model() if settings.session.turn.audio_model else None
        if warm:  # the first call should not pay for lazy loading
            for language in ("en", "zh"):
                voice.voice(language)
            agent.understander.understand("hello", "en")
            if turn_model is not None:
                turn_model.probability(np.zeros(16000, np.float32))
            engine.decode(np.zeros(16000, np.float32), "en")  # Whisper's first decode sets up its buffers
            if agent.writer.backend is not None:  # the system prompt, evaluated once: every call's prefix
                agent.writer.backend.warm(SYSTEM_PROMPT)
    except SettingsError:
        raise
    except Exception as e:  # noqa: BLE001 - whatever broke, the operator gets one line
        raise ServiceError(f"could not load the call models: {type(e).__name__}: {e}") from e
    log.info("models loaded in %.1f s (llm=%s)", time.monotonic() - started, settings.llm.backend)
    return Services(engine, voice, agent, records, turn_model)


def build_app(settings: Settings, services: Services | None = None) -> FastAPI:
    """The server: its wires, limits and credentials from the settings; the models loaded at start-up unless
    given (the server answers /health at once and /ready once they are in)."""
    return create_app(settings.server, settings.sip, services=services, load=lambda: build_services(settings),
                      max_calls=settings.calls.max_calls, session=settings.session)
