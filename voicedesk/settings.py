"""Every setting VoiceDesk has, in one typed tree, read once from the environment (VOICEDESK_*).

Each section is the options type of the layer that uses it (a dataclass next to its code); this tree only
composes them, and the composition root (voicedesk/build.py) hands each layer its own section, so nothing
below reads the environment for a setting. A nested field is set with double underscores:
`VOICEDESK_SERVER__API_TOKEN=...`, `VOICEDESK_SESSION__TURN__MIN_SILENCE_S=0.4`. The README's settings
table lists every one (tests/test_settings.py keeps the two in sync).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import fields, is_dataclass
from typing import Any

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from dialog.generate.backends import LlmSettings
from dialog.generate.writer import WriterSettings
from dialog.shop.settings import ShopSettings
from speech.asr import AsrSettings
from speech.tts import TtsSettings
from telephony.app import ServerSettings
from telephony.calls import CallsSettings
from telephony.sip import SipSettings
from voice.session import SessionOptions

PREFIX = "VOICEDESK_"


class SettingsError(ValueError):
    """A setting that cannot work (a value of the wrong type, an unknown LLM backend, a missing adapter file)."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=PREFIX, env_nested_delimiter="__", extra="forbid")

    asr: AsrSettings = Field(default_factory=AsrSettings)  # the recogniser
    tts: TtsSettings = Field(default_factory=TtsSettings)  # the voices
    llm: LlmSettings = Field(default_factory=LlmSettings)  # the reply model
    writer: WriterSettings = Field(default_factory=WriterSettings)  # how replies are written and checked
    session: SessionOptions = Field(default_factory=SessionOptions)  # turns, barge-in, reprompts, end of turn
    shop: ShopSettings = Field(default_factory=ShopSettings)  # the shop's database and policy figures
    calls: CallsSettings = Field(default_factory=CallsSettings)  # limits and call records
    server: ServerSettings = Field(default_factory=ServerSettings)  # the HTTP server, its credentials, Twilio
    sip: SipSettings = Field(default_factory=SipSettings)  # the SIP listener


def environment_names(value: Any = None, prefix: str = PREFIX) -> Iterator[tuple[str, Any]]:
    """(VOICEDESK_... name, default) of every setting, depth first: what the README's table lists."""
    value = value if value is not None else Settings()
    names = value.__class__.model_fields if isinstance(value, Settings) else {f.name: f for f in fields(value)}
    for name in names:
        child = getattr(value, name)
        key = f"{prefix}{name.upper()}"
        if is_dataclass(child):
            yield from environment_names(child, key + "__")
        else:
            yield key, child


def load() -> Settings:
    """The settings from the environment; a bad value is one SettingsError naming the variable."""
    try:
        return Settings()
    except ValidationError as e:
        raise SettingsError("; ".join(
            f"{PREFIX}{'__'.join(str(part).upper() for part in err['loc'])}={err.get('input')!r}: {err['msg']}"
            for err in e.errors())) from None
