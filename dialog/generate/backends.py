"""Where reply text comes from: a local GGUF model (llama.cpp) or any OpenAI-compatible server.

Both stream text deltas for a list of chat messages; the reply writer does not care which.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import httpx

from dialog.paths import models_dir

log = logging.getLogger(__name__)
Message = dict[str, str]
# Q4_0, requantized by set-up from the packaged Q4_K_M (speech/models.py) for llama.cpp's fast CPU
# kernels; the LoRA is trained on these same weights (dialog/train dequantizes them to fp32).
LLM_MODEL = "llm/qwen2.5-0.5b-instruct-q4_0.gguf"
ADAPTER_DIR = Path(__file__).resolve().parents[1] / "train" / "adapters"
DEFAULT_ADAPTER = ADAPTER_DIR / "voicedesk-reply-lora.gguf"


class BackendError(RuntimeError):
    """The backend could not produce text (not loaded, server down, bad response)."""


class ChatBackend(Protocol):
    def stream(self, messages: list[Message], max_tokens: int = 96) -> Iterator[str]:
        """Text deltas of the assistant's reply; closing the iterator stops generation."""
        ...

    def warm(self, system_prompt: str) -> None:
        """Prepare for the first reply (evaluate the fixed system prompt) before any caller waits for it."""
        ...


@dataclass
class LlmSettings:
    """The reply model's settings section (VOICEDESK_LLM__*)."""

    # "none": the checked templates only (the default: on the new-caller calls the model's replies were correct less
    # often, bench.scripts_text); "local": the GGUF below through llama.cpp, checked; or an OpenAI-compatible URL
    backend: str = "none"
    gguf: str = ""  # the local model file; "": the embedded one set-up builds (models/llm/...)
    adapter: str = "default"  # "default": the shipped LoRA; "none": the base model; or a GGUF LoRA path
    server_model: str = "default"  # the model name sent to an OpenAI-compatible server
    threads: int = 2  # llama.cpp's threads (prompt and generation)


def default_model_path() -> Path:
    """The embedded reply model, built by set-up under models/llm/."""
    return models_dir() / LLM_MODEL


_llama_log_callback = None  # kept referenced: llama.cpp calls it from C


def _route_llama_logs() -> None:
    """llama.cpp's errors as one log line each; its notes and warnings (96 lines per start about where the LoRA's
    tensors live) dropped. llama-cpp-python 0.3.36 maps levels by an older numbering and prints warnings as errors."""
    global _llama_log_callback
    if _llama_log_callback is not None:
        return
    import llama_cpp

    @llama_cpp.llama_log_callback
    def callback(level: int, text: bytes, _user_data: object) -> None:
        if level == 4:  # GGML_LOG_LEVEL_ERROR in the bundled ggml
            log.error("llama.cpp: %s", text.decode("utf-8", "replace").strip())

    _llama_log_callback = callback
    llama_cpp.llama_log_set(callback, None)


class LlamaCppBackend:
    """A GGUF model in-process through llama-cpp-python, with an optional LoRA adapter.

    Calls are serialised (one context); llama.cpp keeps the longest common token prefix of the
    previous prompt, so the fixed system prompt is evaluated once and reused every turn.
    """

    def __init__(self, model_path: str | Path | None = None, adapter_path: str | Path | None = None,
                 n_threads: int = 2, n_ctx: int = 1024, seed: int = 0) -> None:
        try:
            from llama_cpp import Llama
        except ImportError as e:  # pragma: no cover - depends on the install
            raise BackendError("llama-cpp-python is not installed: run `make setup`") from e
        path = Path(model_path) if model_path else default_model_path()
        if not path.exists():
            raise BackendError(f"model {path} not found: run `make setup`")
        if adapter_path is not None and not Path(adapter_path).exists():
            raise BackendError(f"LoRA adapter {adapter_path} not found")
        self.model_path = path
        self.adapter_path = Path(adapter_path) if adapter_path else None
        self._lock = threading.Lock()
        _route_llama_logs()
        self._llm = Llama(model_path=str(path), lora_path=str(adapter_path) if adapter_path else None,
                          n_ctx=n_ctx, n_threads=n_threads, n_threads_batch=n_threads, seed=seed, verbose=False)

    def warm(self, system_prompt: str) -> None:
        """Evaluate the system prompt now, so the first caller does not wait for it."""
        for _ in self.stream([{"role": "system", "content": system_prompt}, {"role": "user", "content": "hi"}], 1):
            pass

    def stream(self, messages: list[Message], max_tokens: int = 96) -> Iterator[str]:
        with self._lock:
            chunks = None
            try:
                chunks = self._llm.create_chat_completion(messages, max_tokens=max_tokens, temperature=0.0,
                                                          stream=True)
                for chunk in chunks:
                    delta = chunk["choices"][0]["delta"].get("content")
                    if delta:
                        yield delta
            except (RuntimeError, ValueError) as e:
                raise BackendError(f"llama.cpp: {e}") from e
            finally:
                if chunks is not None:
                    chunks.close()  # stop generating now: the next turn may not wait


def local_backend(tuned: bool = True, **kwargs: object) -> LlamaCppBackend:
    """The default local model: the 0.5B GGUF with the shipped reply adapter (when present and `tuned`)."""
    adapter = DEFAULT_ADAPTER if tuned and DEFAULT_ADAPTER.exists() else None
    return LlamaCppBackend(adapter_path=adapter, **kwargs)  # type: ignore[arg-type]


class OpenAICompatibleBackend:
    """Any server speaking the OpenAI chat API (llama.cpp server, vLLM...), streamed over SSE."""

    def __init__(self, base_url: str, model: str = "default", api_key: str | None = None, timeout_s: float = 10.0,
                 temperature: float = 0.0) -> None:
        base = base_url.rstrip("/")
        self.url = base + ("/chat/completions" if base.endswith("/v1") else "/v1/chat/completions")
        self.model = model
        self.temperature = temperature
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(timeout=httpx.Timeout(timeout_s, connect=min(timeout_s, 3.0)), headers=headers)

    def warm(self, system_prompt: str) -> None:
        """A server keeps its own caches: nothing to do here."""

    def stream(self, messages: list[Message], max_tokens: int = 96) -> Iterator[str]:
        body = {"model": self.model, "messages": messages, "max_tokens": max_tokens, "temperature": self.temperature,
                "stream": True}
        try:
            with self._client.stream("POST", self.url, json=body) as response:
                if response.status_code != 200:
                    raise BackendError(f"{self.url}: HTTP {response.status_code} {response.read()[:200]!r}")
                for line in response.iter_lines():
                    if not line.startswith("data:"):
                        continue
                    data = line[5:].strip()
                    if data == "[DONE]":
                        return
                    try:
                        choice = json.loads(data)["choices"][0]
                    except (ValueError, KeyError, IndexError) as e:
                        raise BackendError(f"{self.url}: bad event {data[:120]!r}") from e
                    delta = (choice.get("delta") or {}).get("content")
                    if delta:
                        yield delta
        except httpx.HTTPError as e:
            raise BackendError(f"{self.url}: {e}") from e

    def close(self) -> None:
        self._client.close()
