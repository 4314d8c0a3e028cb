"""What every call shares: the models, loaded once per process, and the call records.

A call session borrows these; nothing here is per call. Loading is explicit (`load`) so a
server can report readiness, and a model that fails to load is one clear error line.
"""

from __future__ import annotations

import ctypes
import logging
import time
from dataclasses import dataclass

from dialog.agent import ShopAgent
from speech.asr.whisper import DecodeOptions, WhisperEngine
from speech.tts import BilingualVoice
from voice.records import CallRecords
from voice.settings import Settings, get_settings

log = logging.getLogger("voicedesk.services")


def tame_malloc(trim: bool = False) -> None:
    """glibc gives every thread that allocates its own heap arena; with the recogniser, the voices, the LLM
    and asyncio's workers that is RSS that never shrinks. Two arenas are enough here (~90 MiB less on a
    long call); `trim=True` hands freed pages back after a turn. A no-op where glibc is not the allocator."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        if trim:
            libc.malloc_trim(0)
        else:
            libc.mallopt(-8, 2)  # -8: M_ARENA_MAX
    except (OSError, AttributeError):
        pass


class ServiceError(RuntimeError):
    """A model or database the calls need could not be loaded."""


@dataclass
class Services:
    engine: WhisperEngine
    voice: BilingualVoice
    agent: ShopAgent
    records: CallRecords
    settings: Settings

    @classmethod
    def load(cls, settings: Settings | None = None, *, warm: bool = True, shop_url: str | None = None) -> Services:
        from voice.cli import make_agent

        settings = settings or get_settings()
        tame_malloc()
        started = time.monotonic()
        try:
            engine = WhisperEngine(threads=settings.threads, options=DecodeOptions(beam_size=settings.beam_size))
            voice = BilingualVoice()
            agent = make_agent(settings.llm, settings.llm_adapter, settings.llm_model, shop_url)
            records = CallRecords(settings.calls_url)
            if warm:  # the first call should not pay for lazy loading
                for language in ("en", "zh"):
                    voice.voice(language)
                agent.understander.understand("hello", "en")
        except Exception as e:  # noqa: BLE001 - whatever broke, the operator gets one line
            raise ServiceError(f"could not load the call models: {type(e).__name__}: {e}") from e
        log.info("models loaded in %.1f s (llm=%s)", time.monotonic() - started, settings.llm)
        return cls(engine, voice, agent, records, settings)
