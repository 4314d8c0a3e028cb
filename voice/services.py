"""What every call shares: the models, loaded once per process, and the call records.

A call session borrows these; nothing here is per call. The composition root (voicedesk/build.py) loads
them from the settings, so a server can report readiness, and a model that fails to load is one clear
error line (ServiceError).
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass

from dialog.agent import ShopAgent
from speech.asr.whisper import WhisperEngine
from speech.tts import BilingualVoice
from speech.turn import TurnModel
from voice.records import CallRecords


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
    """What every call shares, loaded once (the composition root builds it: voicedesk/build.py)."""

    engine: WhisperEngine
    voice: BilingualVoice
    agent: ShopAgent
    records: CallRecords
    turn_model: TurnModel | None = None  # the audio end-of-turn model (Smart Turn); None: words and silence
