"""Speech synthesis: one voice per language behind the `Synthesizer` protocol."""

from __future__ import annotations

from collections.abc import Iterator

from speech.tts.base import AudioChunk, Synthesizer

__all__ = ["AudioChunk", "Synthesizer", "BilingualVoice"]


class BilingualVoice:
    """Routes text to the English or Mandarin voice; each is loaded the first time it is needed."""

    def __init__(self) -> None:
        self._voices: dict[str, Synthesizer] = {}

    def voice(self, language: str) -> Synthesizer:
        if language not in ("en", "zh"):
            raise ValueError(f"no voice for language {language!r} (use en or zh)")
        if language not in self._voices:
            if language == "en":
                from speech.tts.english import EnglishSynthesizer

                self._voices[language] = EnglishSynthesizer()
            else:
                from speech.tts.mandarin import MandarinSynthesizer

                self._voices[language] = MandarinSynthesizer()
        return self._voices[language]

    def stream(self, text: str, language: str) -> Iterator[AudioChunk]:
        return self.voice(language).stream(text, language)
