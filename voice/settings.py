"""One typed settings object: environment variables (VOICEDESK_*) with offline defaults."""

from __future__ import annotations

from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VOICEDESK_")

    threads: int = 2  # CPU threads per model
    asr_backend: Literal["faster-whisper", "openai-whisper"] = "faster-whisper"
    beam_size: int = 5
    language: Literal["zh", "en", "auto"] = "auto"
    # Reply generation: "local" runs the embedded GGUF through llama.cpp; a URL uses any OpenAI-compatible
    # server (llama.cpp server, vLLM); "none" speaks the checked templates only.
    llm: str = "local"
    llm_model: str = "default"  # the model name sent to an OpenAI-compatible server
    llm_adapter: str = "default"  # "default": the shipped fine-tuned LoRA; "none": the base model; or a path


def get_settings() -> Settings:
    return Settings()
